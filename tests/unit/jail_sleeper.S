// A stub-like static program that only waits: stub_jail_test launches it
// untraced through the StubLauncher (as the seccomp platform will launch
// its own stub) and inspects the process from the host.
  .text
  .globl _start
_start:
  mov $34, %eax   // pause
  syscall
  jmp _start
  .section .note.GNU-stack,"",@progbits
