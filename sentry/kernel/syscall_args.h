// The arguments of one system call as the application passed them.
#ifndef SENTRY_KERNEL_SYSCALL_ARGS_H_
#define SENTRY_KERNEL_SYSCALL_ARGS_H_

#include <cstddef>
#include <cstdint>

#include "platform/platform.h"

namespace sentry {

struct SyscallArgs {
  platform::Arch arch = platform::Arch::kAmd64;
  uint64_t nr = 0;
  // Zero-extended to 64 bits for i386 calls (ebx, ecx, edx, esi, edi, ebp).
  uint64_t a[6] = {};

  int Int(int i) const { return static_cast<int>(a[i]); }
  unsigned UInt(int i) const { return static_cast<unsigned>(a[i]); }
  int64_t Long(int i) const {
    // An i386 `long` is 32 bits: sign-extend it.
    return arch == platform::Arch::kI386
               ? static_cast<int64_t>(static_cast<int32_t>(a[i]))
               : static_cast<int64_t>(a[i]);
  }
  uint64_t U64(int i) const { return a[i]; }
  uint64_t Ptr(int i) const { return a[i]; }
  uint64_t Size(int i) const {
    return arch == platform::Arch::kI386 ? static_cast<uint32_t>(a[i]) : a[i];
  }
};

}  // namespace sentry

#endif  // SENTRY_KERNEL_SYSCALL_ARGS_H_
