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
//   _start + 192: batch gadget            one stop for a list of calls (the
//                                         MapBatch of execve): %rbx points to
//                                         a BatchBlock (ptrace_platform.cc),
//                                         a count and 80-byte entries
//                                         {nr, args[6], fd_slot, fd_arg,
//                                         result}; int3 at _start + 386.
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

  // Batch: for each entry at 16(%rbx) + 80*i, i < min(0(%rbx), 32): if
  // fd_slot (1..8) is set, the fd the recvmsg entry received in that slot
  // of the control message (at 2672(%rbx) + 4*(slot-1)) is first stored
  // into args[fd_arg]; the call runs and its result is stored. Every
  // address comes from %rbx, never from the block, and only the calls a
  // batch needs run (others get -ENOSYS): the block is in memory the
  // application could write.
  .org 192
batch_gadget:
  mov 0(%rbx), %r12      // entries left, at most 32
  mov $32, %eax
  cmp %rax, %r12
  cmova %rax, %r12
  lea 16(%rbx), %r13     // current entry
3:
  test %r12, %r12
  jz 7f
  mov 56(%r13), %r14     // fd_slot
  test %r14, %r14
  jz 4f
  cmp $8, %r14
  ja 4f
  mov 64(%r13), %r15     // fd_arg
  cmp $5, %r15
  ja 4f
  movslq 2668(%rbx,%r14,4), %rax
  mov %rax, 8(%r13,%r15,8)
4:
  mov 0(%r13), %rax
  cmp $3, %rax           // close
  je 5f
  cmp $9, %rax           // mmap
  je 5f
  cmp $10, %rax          // mprotect
  je 5f
  cmp $11, %rax          // munmap
  je 5f
  cmp $47, %rax          // recvmsg
  je 5f
  mov $-38, %rax         // -ENOSYS
  jmp 6f
5:
  mov 8(%r13), %rdi
  mov 16(%r13), %rsi
  mov 24(%r13), %rdx
  mov 32(%r13), %r10
  mov 40(%r13), %r8
  mov 48(%r13), %r9
  syscall
6:
  mov %rax, 72(%r13)
  add $80, %r13
  dec %r12
  jmp 3b
7:
  jmp 8f
  .org 384
8:
  xor %eax, %eax         // reached the end: the results are in the block
  int3                   // _start + 386
  .section .note.GNU-stack,"",@progbits
