// The stub: the host process an application address space lives in.
//
// The ptrace platform runs it traced; it never runs code of its own except
// the two gadgets below, which the sentry uses to inject address-space
// syscalls after setting the registers. Their offsets from _start are fixed
// (the platform checks where each stop happens).
//
//   _start + 0:   syscall; int3          plain injection: `syscall` runs
//                                         the call, `int3` stops the thread
//                                         so the tracer reads the result.
//   _start + 16:  syscall; clone gadget  for fork/new thread: the parent
//                                         (rax != 0) stops at int3; the new
//                                         child/thread (rax == 0) waits in
//                                         pause() until its own sentry thread
//                                         seizes and interrupts it.
// The entry point *is* the first gadget, so the tracer learns the addresses
// from the first stop after exec.
  .text
  .globl _start
_start:
  syscall
  int3
  jmp _start

  .org 16
clone_gadget:
  syscall
  test %rax, %rax
  jz 1f
  int3
1:
  mov $34, %eax   // pause
  syscall
  jmp 1b
  .section .note.GNU-stack,"",@progbits
