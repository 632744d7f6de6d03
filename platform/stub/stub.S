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
//   _start + 48:  map gadget              one stop for a host-file mapping:
//                                         recvmsg of the fd on the channel,
//                                         mmap of it, close of it, then int3
//                                         at _start + 176. %rbx points to a
//                                         parameter block (MapBlock in
//                                         ptrace_platform.cc).
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

  // Parameter block at %rbx: 0 addr, 8 len, 16 prot, 24 flags, 32 offset,
  // 40/48/56 results of recvmsg/mmap/close, 64 msghdr, 160 the received
  // fd inside the control message (preset to -1 by the sentry).
  .org 48
map_gadget:
  mov $47, %eax          // recvmsg(3, &block->msg, MSG_CMSG_CLOEXEC|MSG_DONTWAIT)
  mov $3, %edi
  lea 64(%rbx), %rsi
  mov $0x40000040, %edx
  syscall
  mov %rax, 40(%rbx)
  test %rax, %rax
  js 2f
  movslq 160(%rbx), %r8  // the fd the kernel wrote into the control message
  mov $9, %eax           // mmap(addr, len, prot, flags, fd, offset)
  mov 0(%rbx), %rdi
  mov 8(%rbx), %rsi
  mov 16(%rbx), %rdx
  mov 24(%rbx), %r10
  mov 32(%rbx), %r9
  syscall
  mov %rax, 48(%rbx)
  mov $3, %eax           // close(fd): the mapping keeps the file
  mov %r8, %rdi
  syscall
  mov %rax, 56(%rbx)
  jmp 2f
  .org 174
2:
  xor %eax, %eax         // reached the end: the results are in the block
  int3                   // _start + 176
  .section .note.GNU-stack,"",@progbits
