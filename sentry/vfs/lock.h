// File locks: fcntl record locks (traditional POSIX and open-file-
// description "OFD" locks) and flock(2) locks, kept by the sentry for every
// file the sandbox can open, keyed by the file's (st_dev, st_ino).
//
// Owners, as Linux has them:
// - traditional record locks belong to the fd table (files_struct) that
//   took them and go away when that table closes any fd of the file, or
//   when the table itself goes away;
// - OFD record locks and flock locks belong to the open file description
//   and go away with it.
// Record locks of different owners conflict when they overlap and one of
// them is a write lock; flock locks are a separate namespace.
//
// Locks are advisory and only the sandbox's own processes see them.
#ifndef SENTRY_VFS_LOCK_H_
#define SENTRY_VFS_LOCK_H_

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace sentry {
class Task;
}

namespace sentry::vfs {

class FileDescription;

// A byte range [start, end); end == kLockEof means "to end of file, however
// it grows".
inline constexpr uint64_t kLockEof = UINT64_MAX;

struct RecordLock {
  uint64_t start = 0;
  uint64_t end = kLockEof;
  bool write = false;
  const void* owner = nullptr;
  pid_t pid = 0;  // reported by F_GETLK (-1 for OFD locks)
  bool ofd = false;
};

class LockManager {
 public:
  static LockManager& Get();

  // F_SETLK/F_SETLKW (and the OFD forms). `type` is F_RDLCK, F_WRLCK or
  // F_UNLCK. With `wait`, blocks until the range is free (0, -ERESTARTSYS,
  // -EDEADLK for traditional locks that would deadlock); without, a
  // conflict is -EAGAIN.
  int64_t SetRecordLock(Task* t, uint64_t dev, uint64_t ino,
                        const RecordLock& want, int type, bool wait);
  // F_GETLK: the first lock that would conflict with `want` (a read or
  // write lock of the range), if any.
  bool TestRecordLock(uint64_t dev, uint64_t ino, const RecordLock& want,
                      RecordLock* conflict);

  // flock(2): op is LOCK_SH, LOCK_EX or LOCK_UN; `owner` the description.
  // -EWOULDBLOCK with `nonblock` when held elsewhere.
  int64_t Flock(Task* t, uint64_t dev, uint64_t ino, const void* owner,
                int op, bool nonblock);

  // The description `desc` is gone: its OFD and flock locks go too.
  void ReleaseDescription(uint64_t dev, uint64_t ino, const void* desc);
  // close() of an fd of `file` in the table `owner`: its traditional
  // locks on that file go.
  void ReleaseOnClose(const void* owner, FileDescription& file);
  // The fd table `owner` is gone.
  void ReleaseOwner(const void* owner);

 private:
  struct FileLocks {
    std::vector<RecordLock> records;
    std::map<const void*, bool> flocks;  // owner -> exclusive
  };
  using Key = std::pair<uint64_t, uint64_t>;

  bool ConflictLocked(const FileLocks& fl, const RecordLock& want,
                      RecordLock* conflict) ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // Removes `owner`'s locks on [start, end), splitting as needed.
  static void ClearRange(FileLocks& fl, const void* owner, uint64_t start,
                         uint64_t end);
  bool WouldDeadlock(const void* waiter, const void* holder)
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  void DropOwnerCount(const void* owner, size_t n)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void CleanupLocked(const Key& k) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  absl::CondVar cv_;
  std::map<Key, FileLocks> files_ ABSL_GUARDED_BY(mu_);
  // Traditional-lock owners holding anything, with their lock counts (a
  // fast path for close()).
  absl::flat_hash_map<const void*, size_t> owners_ ABSL_GUARDED_BY(mu_);
  // Traditional owners blocked in F_SETLKW -> the owner they wait for.
  absl::flat_hash_map<const void*, const void*> waiting_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sentry::vfs

#endif  // SENTRY_VFS_LOCK_H_
