// DirectoryFileDescription: an open directory. getdents64 reads a snapshot
// of the entries taken when reading starts at offset 0 (opendir, or after
// rewinddir's lseek to 0), so a listing is stable across calls even when
// the directory changes meanwhile. The file offset is the index of the next
// entry, and each record's d_off is the offset that follows it, so
// telldir/seekdir work. "." and ".." come first.
#ifndef SENTRY_VFS_DIRECTORY_FILE_H_
#define SENTRY_VFS_DIRECTORY_FILE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "sentry/vfs/file_description.h"

namespace sentry::vfs {

struct DirEntry {
  std::string name;
  uint64_t ino = 0;
  uint8_t type = 0;  // DT_*
};

class DirectoryFileDescription : public FileDescription {
 public:
  explicit DirectoryFileDescription(int status_flags);

  int64_t Read(Task& t, void* buf, uint64_t n) override { return -EISDIR; }
  int64_t PRead(void* buf, uint64_t n, int64_t off) override { return -EISDIR; }
  int64_t Write(Task& t, const void* buf, uint64_t n) override {
    return -EBADF;
  }
  int64_t PWrite(const void* buf, uint64_t n, int64_t off) override {
    return -EBADF;
  }
  // SEEK_SET and SEEK_CUR to any entry index; SEEK_END is -EINVAL.
  int64_t Seek(int64_t off, int whence) override;
  int64_t Getdents64(void* buf, uint64_t n) override;

 protected:
  // Lists the directory's entries, "." and ".." excluded.
  virtual int64_t ListEntries(std::vector<DirEntry>* out) = 0;

 private:
  // Builds the snapshot: ".", "..", then ListEntries.
  int64_t Snapshot() ABSL_EXCLUSIVE_LOCKS_REQUIRED(pos_mu_);

  std::vector<DirEntry> entries_ ABSL_GUARDED_BY(pos_mu_);
  bool have_snapshot_ ABSL_GUARDED_BY(pos_mu_) = false;
};

}  // namespace sentry::vfs

#endif  // SENTRY_VFS_DIRECTORY_FILE_H_
