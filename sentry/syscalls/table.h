// The syscall tables: one entry per syscall number, like the kernel's.
//
// Each entry names the syscall, its handler, its support level and how
// --strace prints its arguments. The tables are the single source of truth:
// dispatch, `runsc syscalls` and docs/syscalls.md all read them.
#ifndef SENTRY_SYSCALLS_TABLE_H_
#define SENTRY_SYSCALLS_TABLE_H_

#include <array>
#include <cstdint>
#include <vector>

#include "platform/platform.h"
#include "sentry/kernel/syscall_args.h"

namespace sentry {

class Task;

enum class Support : uint8_t { kSupported, kPartial, kUnimplemented };

// How --strace prints one argument (or the return value). Output-pointer
// kinds are printed after the call returns, as strace does.
enum class ArgFmt : uint8_t {
  kNone,
  kHex,        // 0x1234
  kInt,        // signed decimal
  kUInt,       // unsigned decimal
  kFd,         // int, AT_FDCWD printed by name
  kPath,       // NUL-terminated string in user memory
  kInBuf,      // buffer written by the app; length in the next argument
  kOutBuf,     // buffer filled by the kernel; length is the return value
  kOpenFlags,  // O_RDONLY|O_CLOEXEC
  kMode,       // 0644
  kProt,       // PROT_READ|PROT_WRITE
  kMmapFlags,  // MAP_PRIVATE|MAP_ANONYMOUS
  kSignal,     // SIGINT
  kWhence,     // SEEK_SET
  kAtFlags,    // AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH
  kPtr,        // pointer, NULL when zero
  kStringArray,  // argv/envp
  kStatOut,    // struct stat, printed on exit
  kErrno,      // return value: -1 ENOENT (No such file or directory)
  kAccessMode,   // R_OK|W_OK, F_OK
  kArchPrctl,    // ARCH_SET_FS
  kRlimitRes,    // RLIMIT_STACK
  kSigmaskHow,   // SIG_BLOCK
  kCloneFlags,   // CLONE_VM|CLONE_FS|...|SIGCHLD
  kWaitOptions,  // WNOHANG|WUNTRACED
  kFutexOp,      // FUTEX_WAIT_PRIVATE
  kSigset,       // [INT TERM]: a sigset in user memory (input)
  kSockFamily,   // AF_UNIX
  kSockType,     // SOCK_STREAM|SOCK_CLOEXEC
  kSockaddr,     // {sa_family=AF_UNIX, sun_path="/tmp/s"}: length in the next argument
  kSockaddrOut,  // the same filled by the kernel: a socklen_t* in the next argument
};

using Handler = int64_t (*)(Task& t, const SyscallArgs& args);

struct SyscallEntry {
  int nr = -1;
  const char* name = nullptr;
  Handler handler = nullptr;  // nullptr: unimplemented
  Support support = Support::kUnimplemented;
  const char* note = "";
  int nargs = 0;
  std::array<ArgFmt, 6> args{};
  ArgFmt ret = ArgFmt::kInt;
  int unimplemented_errno = 38;  // ENOSYS unless Linux gives another errno
};

class SyscallTable {
 public:
  SyscallTable(platform::Arch arch, std::vector<SyscallEntry> entries);
  platform::Arch arch() const { return arch_; }
  // Never null for a number the ABI knows; null beyond it.
  const SyscallEntry* Lookup(uint64_t nr) const {
    return nr < by_nr_.size() && by_nr_[nr].name ? &by_nr_[nr] : nullptr;
  }
  const std::vector<SyscallEntry>& entries() const { return by_nr_; }

 private:
  platform::Arch arch_;
  std::vector<SyscallEntry> by_nr_;
};

const SyscallTable& Amd64Table();
const SyscallTable& I386Table();
const SyscallTable& TableFor(platform::Arch arch);

}  // namespace sentry

#endif  // SENTRY_SYSCALLS_TABLE_H_
