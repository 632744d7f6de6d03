// The stub: the host process an application address space lives in.
//
// The ptrace platform runs it traced; it never runs code of its own except
// the gadget below, which the sentry uses to inject address-space syscalls
// (mmap, munmap, mprotect...) after setting the registers: `syscall` runs
// the call, `int3` stops the thread again so the tracer reads the result.
// The entry point *is* the gadget so the tracer learns its address from the
// first stop after exec.
  .text
  .globl _start
_start:
  syscall
  int3
  jmp _start
  .section .note.GNU-stack,"",@progbits
