// FileDescription: an open file description (Linux's struct file), shared by
// dup and fork. Holds the offset and status flags; the object it refers to
// implements the operations.
#ifndef SENTRY_VFS_FILE_DESCRIPTION_H_
#define SENTRY_VFS_FILE_DESCRIPTION_H_

#include <cstdint>
#include <memory>
#include <string>

#include "abi/linux/stat.h"

namespace sentry {
class Task;
}

namespace sentry::vfs {

class FileDescription : public std::enable_shared_from_this<FileDescription> {
 public:
  virtual ~FileDescription() = default;

  // Reads at `off` without moving the file offset. -ESPIPE when the file is
  // not seekable; short reads at end of file as pread(2).
  virtual int64_t PRead(void* buf, uint64_t n, int64_t off) = 0;
  // fstat(2).
  virtual int64_t Stat(abi::Stat* st) = 0;
  // The path the file was opened by, absolute within the sandbox (for
  // /proc/PID/maps, /proc/PID/fd, error messages).
  virtual std::string Path() const = 0;
};

}  // namespace sentry::vfs

#endif  // SENTRY_VFS_FILE_DESCRIPTION_H_
