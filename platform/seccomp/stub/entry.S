// Entry point and every `syscall` instruction of the seccomp-trap stub.
//
// The stub's seccomp filter allows a syscall only when the instruction
// pointer is one of the sc_site_* labels below (the address right after a
// `syscall`), and then only the calls and arguments of the policy. All C
// code reaches the kernel through stub_syscall6. The fork child runs
// without a stack until its own region is mapped (its stack pointer still
// points into the parent's shared slot), hence the hand-written path.
#define SYS_close 3
#define SYS_mmap 9
#define SYS_rt_sigreturn 15
#define SYS_clone 56
#define SYS_exit 60
#define SIGCHLD 17
#define CLONE_THREAD_FLAGS 0x50f00  // VM|FS|FILES|SIGHAND|THREAD|SYSVSEM
#define SC_REGION_SIZE 0x2000000
#define SC_SLOT_MASK 0x7fff
#define SC_INIT_STACK_TOP 4096

  .text
  .globl _start
_start:
  xor %ebp, %ebp
  mov %rsp, %rdi
  and $-16, %rsp
  call stub_main
  ud2

// long stub_syscall6(nr, a0, a1, a2, a3, a4, a5)
  .globl stub_syscall6
stub_syscall6:
  mov %rdi, %rax
  mov %rsi, %rdi
  mov %rdx, %rsi
  mov %rcx, %rdx
  mov %r8, %r10
  mov %r9, %r8
  mov 8(%rsp), %r9
  syscall
  .globl sc_site_syscall
sc_site_syscall:
  ret

// sa_restorer of every handler.
  .globl stub_restorer
stub_restorer:
  mov $SYS_rt_sigreturn, %eax
  syscall
  .globl sc_site_sigreturn
sc_site_sigreturn:
  ud2

// long stub_clone_thread(uint64_t first_stack): the new thread starts on
// `first_stack` (inside its own slot) and enters stub_thread_main(slot).
  .globl stub_clone_thread
stub_clone_thread:
  mov %rdi, %rsi
  mov $CLONE_THREAD_FLAGS, %edi
  xor %edx, %edx
  xor %r10d, %r10d
  xor %r8d, %r8d
  mov $SYS_clone, %eax
  syscall
  .globl sc_site_clone_thread
sc_site_clone_thread:
  test %rax, %rax
  jnz 1f
  mov %rsp, %rdi
  and $~SC_SLOT_MASK, %rdi
  call stub_thread_main
  ud2
1:
  ret

// long stub_clone_fork(int region_fd, uint64_t region): a copy-on-write
// child whose only thread maps `region_fd` over the shared region (so it
// stops sharing its parent's), closes it and enters stub_thread_main on
// slot 0. Returns the child's pid (or -errno) in the parent.
  .globl stub_clone_fork
stub_clone_fork:
  push %r12
  push %r13
  mov %rdi, %r12
  mov %rsi, %r13
  mov $SIGCHLD, %edi
  xor %esi, %esi
  xor %edx, %edx
  xor %r10d, %r10d
  xor %r8d, %r8d
  mov $SYS_clone, %eax
  syscall
  .globl sc_site_fork
sc_site_fork:
  test %rax, %rax
  jz 2f
  pop %r13
  pop %r12
  ret
2:
  // Child: no stack until the region is its own.
  mov %r13, %rdi
  mov $SC_REGION_SIZE, %esi
  mov $3, %edx          // PROT_READ|PROT_WRITE
  mov $0x11, %r10d      // MAP_SHARED|MAP_FIXED
  mov %r12, %r8
  xor %r9d, %r9d
  mov $SYS_mmap, %eax
  syscall
  .globl sc_site_fork_mmap
sc_site_fork_mmap:
  cmp %r13, %rax
  jne 3f
  mov %r12, %rdi
  mov $SYS_close, %eax
  syscall
  .globl sc_site_fork_close
sc_site_fork_close:
  lea SC_INIT_STACK_TOP(%r13), %rsp
  mov %r13, %rdi
  call stub_thread_main
3:
  mov $1, %edi
  mov $SYS_exit, %eax
  syscall
  .globl sc_site_fork_exit
sc_site_fork_exit:
  ud2

  .section .note.GNU-stack,"",@progbits
