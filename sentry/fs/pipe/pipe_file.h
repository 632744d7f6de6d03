// The two ends of a pipe as open file descriptions.
#ifndef SENTRY_FS_PIPE_PIPE_FILE_H_
#define SENTRY_FS_PIPE_PIPE_FILE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "sentry/fs/pipe/pipe.h"
#include "sentry/vfs/file_description.h"

namespace sentry::fs {

class PipeFile : public vfs::FileDescription {
 public:
  // `status_flags`: O_RDONLY or O_WRONLY plus O_NONBLOCK/O_DIRECT.
  PipeFile(std::shared_ptr<Pipe> pipe, uint64_t ino, int status_flags);
  ~PipeFile() override;

  int64_t Read(Task& t, void* buf, uint64_t n) override;
  int64_t Write(Task& t, const void* buf, uint64_t n) override;
  int64_t PRead(void* buf, uint64_t n, int64_t off) override { return -ESPIPE; }
  int64_t PWrite(const void* buf, uint64_t n, int64_t off) override {
    return -ESPIPE;
  }
  int64_t Seek(int64_t off, int whence) override { return -ESPIPE; }
  int64_t Stat(uapi::Stat* st) override;
  int64_t Ioctl(Task& t, uint64_t cmd, uint64_t arg) override;
  std::string Path() const override;

  Pipe& pipe() { return *pipe_; }

 private:
  const std::shared_ptr<Pipe> pipe_;
  const uint64_t ino_;
  const bool reader_;
  const bool writer_;
  const int64_t ctime_ns_;
};

// pipe2(2): a new pipe's read and write ends. `flags` may hold O_NONBLOCK
// and O_DIRECT (kept as a status flag; packet mode is not implemented).
std::pair<std::shared_ptr<vfs::FileDescription>,
          std::shared_ptr<vfs::FileDescription>>
NewPipe(int flags);

}  // namespace sentry::fs

#endif  // SENTRY_FS_PIPE_PIPE_FILE_H_
