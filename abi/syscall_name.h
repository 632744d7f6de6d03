// One row of a generated syscall table (see abi/syscalls.h).
#ifndef ABI_SYSCALL_NAME_H_
#define ABI_SYSCALL_NAME_H_

namespace uapi {

struct SyscallName {
  int nr;
  const char* name;
};

}  // namespace uapi

#endif  // ABI_SYSCALL_NAME_H_
