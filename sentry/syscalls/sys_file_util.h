// Helpers shared by the file syscall handlers: descriptor lookup, path
// arguments, where an *at() walk starts, and the task's file credentials.
#ifndef SENTRY_SYSCALLS_SYS_FILE_UTIL_H_
#define SENTRY_SYSCALLS_SYS_FILE_UTIL_H_

#include <cstdint>
#include <memory>
#include <string>

#include "abi/linux/stat.h"
#include "sentry/vfs/credentials.h"
#include "sentry/vfs/file_description.h"
#include "sentry/vfs/virtual_dentry.h"

namespace sentry {

class Task;

// Credentials for permission checks (the sandbox identity until tasks get
// their own credentials).
vfs::Credentials FileCredentials(Task& t);

// RLIMIT_NOFILE's soft limit: fds at or above it are never allocated.
uint64_t NofileLimit(Task& t);

// The description at `fd`, or null.
std::shared_ptr<vfs::FileDescription> GetFile(Task& t, int fd);

// Copies a path argument (at most PATH_MAX - 1 bytes). -EFAULT or
// -ENAMETOOLONG; an empty path is returned as is.
int64_t CopyInPath(Task& t, uint64_t addr, std::string* out);

// Where an *at() walk of `path` starts: the cwd for AT_FDCWD, else the
// directory `dirfd` is open on (-EBADF, -ENOTDIR). Absolute paths ignore
// dirfd entirely, as Linux does.
int64_t WalkStart(Task& t, int dirfd, const std::string& path,
                  vfs::VirtualDentry* start);

// What a (dirfd, path, AT_EMPTY_PATH) triple names: an open file (for
// AT_EMPTY_PATH with an empty path; location() may be empty for pipes) or
// a location.
struct AtTarget {
  std::shared_ptr<vfs::FileDescription> file;
  vfs::VirtualDentry vd;

  int64_t Stat(uapi::Stat* st) const;
  int64_t Statx(uint32_t mask, uapi::Statx* stx) const;
};

// Resolves a path argument for stat-like calls. `path_addr` 0 with
// `empty_ok` counts as "" (Linux 6.11). Empty paths are -ENOENT unless
// `empty_ok`.
int64_t ResolveAt(Task& t, int dirfd, uint64_t path_addr, bool empty_ok,
                  bool follow, AtTarget* out);

// A write that failed with EPIPE raises SIGPIPE in the writing thread, as
// Linux's pipe and socket writes do; returns `result`.
int64_t RaiseSigpipe(Task& t, int64_t result);

// MAX_RW_COUNT: the most one read or write transfers.
inline constexpr uint64_t kMaxRwCount = 0x7ffff000;

}  // namespace sentry

#endif  // SENTRY_SYSCALLS_SYS_FILE_UTIL_H_
