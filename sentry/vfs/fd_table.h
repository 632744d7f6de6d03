// FdTable: a process's file descriptor table (Linux's files_struct). Maps
// small integers to open file descriptions plus the per-fd close-on-exec
// flag. Shared by threads and by CLONE_FILES children; Fork() copies it for
// everything else.
//
// Limits: the caller passes the process's RLIMIT_NOFILE soft limit; fds at
// or above it are never allocated (EMFILE for "lowest free", EBADF for an
// explicit number, as dup2 does).
//
// Locking: mu_ guards the table. Descriptions are released (and thus their
// host resources closed) after mu_ is dropped.
#ifndef SENTRY_VFS_FD_TABLE_H_
#define SENTRY_VFS_FD_TABLE_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace sentry::vfs {

class FileDescription;

// Hard ceiling on table size whatever the rlimit says (Linux's
// sysctl fs.nr_open default).
inline constexpr uint64_t kNrOpen = 1 << 20;

class FdTable {
 public:
  FdTable();
  ~FdTable();
  FdTable(const FdTable&) = delete;
  FdTable& operator=(const FdTable&) = delete;

  // Installs `file` at the lowest free fd >= `min_fd`. Returns the fd, or
  // -EMFILE when none is free below `limit`.
  int64_t Install(std::shared_ptr<FileDescription> file, bool cloexec,
                  uint64_t limit = kNrOpen, int min_fd = 0);
  // Installs `file` at exactly `fd`, closing what was there (dup2). Returns
  // fd, or -EBADF when fd is negative or >= limit.
  int64_t InstallAt(int fd, std::shared_ptr<FileDescription> file,
                    bool cloexec, uint64_t limit = kNrOpen);
  // The description at `fd`, or null. `cloexec` (optional) gets its flag.
  std::shared_ptr<FileDescription> Get(int fd, bool* cloexec = nullptr) const;
  // Removes `fd`. 0, or -EBADF.
  int64_t Close(int fd);
  // Removes `fd` and hands its description to the caller (for close paths
  // that need the file, e.g. to flush); null when fd is not open.
  std::shared_ptr<FileDescription> Remove(int fd);
  // dup(2)/F_DUPFD: a new fd >= min_fd for the description at `oldfd`.
  // -EBADF when oldfd is not open, -EMFILE when nothing is free.
  int64_t Dup(int oldfd, int min_fd, bool cloexec, uint64_t limit);
  // dup2/dup3: `newfd` becomes a copy of `oldfd`. The caller handles
  // oldfd == newfd (their rules differ).
  int64_t Dup2(int oldfd, int newfd, bool cloexec, uint64_t limit);
  // F_SETFD. 0, or -EBADF.
  int64_t SetCloseOnExec(int fd, bool cloexec);
  // close_range(2) over [first, last]: closes, or with `only_cloexec` just
  // marks close-on-exec.
  void CloseRange(unsigned first, unsigned last, bool only_cloexec);
  // execve: closes every close-on-exec fd.
  void CloseOnExec();
  // A copy for fork() without CLONE_FILES: same descriptions, same flags.
  std::shared_ptr<FdTable> Fork() const;
  // Closes everything (process exit).
  void CloseAll();

  // Open fds in ascending order (for /proc/PID/fd, close_range).
  std::vector<int> Fds() const;
  // Number of open fds.
  size_t Count() const;

 private:
  struct Entry {
    std::shared_ptr<FileDescription> file;
    bool cloexec = false;
  };
  // Called (without mu_) for each description removed from the table.
  void Released(const std::shared_ptr<FileDescription>& f);
  // Lowest free slot >= min_fd below `limit`, or -1.
  int64_t FindFree(int min_fd, uint64_t limit) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // Puts `file` at fd (growing the table), returning what was there.
  std::shared_ptr<FileDescription> SetLocked(int fd,
                                             std::shared_ptr<FileDescription> f,
                                             bool cloexec)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::vector<Entry> entries_ ABSL_GUARDED_BY(mu_);
  size_t count_ ABSL_GUARDED_BY(mu_) = 0;
  // No free slot below this index (a search hint).
  size_t first_free_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace sentry::vfs

#endif  // SENTRY_VFS_FD_TABLE_H_
