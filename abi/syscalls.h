// Syscall numbers and names of both ABIs the sentry serves.
//
// The constants come from headers generated at build time out of
// abi/tbl/syscall_64.tbl and abi/tbl/syscall_32.tbl:
//   uapi::amd64::NR_read, uapi::amd64::kMaxNr, uapi::amd64::kSyscalls, ...
//   uapi::i386::NR_exit,  uapi::i386::kMaxNr,  uapi::i386::kSyscalls, ...
#ifndef ABI_SYSCALLS_H_
#define ABI_SYSCALLS_H_

#include <string_view>

#include "abi/syscall_name.h"
#include "abi/syscalls_amd64.h"
#include "abi/syscalls_i386.h"

namespace uapi {

// Name of x86_64 syscall `nr` ("read"), or nullptr if the number is unknown.
const char* Amd64SyscallName(int nr);

// Name of i386 syscall `nr` ("exit"), or nullptr if the number is unknown.
const char* I386SyscallName(int nr);

// Reverse lookups: the number of the named syscall, or -1 if unknown.
int Amd64SyscallNr(std::string_view name);
int I386SyscallNr(std::string_view name);

}  // namespace uapi

#endif  // ABI_SYSCALLS_H_
