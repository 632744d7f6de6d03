// The ends of a pipe or FIFO as open file descriptions.
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
  // `status_flags`: O_RDONLY, O_WRONLY (pipes) or O_RDWR (FIFOs) plus
  // O_NONBLOCK/O_DIRECT.
  PipeFile(std::shared_ptr<Pipe> pipe, uint64_t ino, int status_flags);
  ~PipeFile() override;

  int64_t Read(Task& t, void* buf, uint64_t n) override;
  int64_t Write(Task& t, const void* buf, uint64_t n) override;
  int64_t PRead(void* buf, uint64_t n, int64_t off) override { return -ESPIPE; }
  int64_t PWrite(const void* buf, uint64_t n, int64_t off) override {
    return -ESPIPE;
  }
  int64_t Seek(int64_t off, int whence) override { return -ESPIPE; }
  // A FIFO reports its inode; an anonymous pipe its pipefs inode.
  int64_t Stat(uapi::Stat* st) override;
  int64_t Ioctl(Task& t, uint64_t cmd, uint64_t arg) override;
  std::string Path() const override;
  vfs::EventMask Readiness(vfs::EventMask mask) override;
  void EventRegister(vfs::WaitEntry* e) override;
  void EventUnregister(vfs::WaitEntry* e) override;
  int64_t Fsync(bool datasync) override { return -EINVAL; }
  int64_t Reopen(int flags, const vfs::Credentials& creds,
                 std::shared_ptr<vfs::FileDescription>* out) override;

  Pipe& pipe() { return *pipe_; }
  const std::shared_ptr<Pipe>& shared_pipe() const { return pipe_; }
  bool reader() const { return reader_; }
  bool writer() const { return writer_; }
  uint64_t ino() const { return ino_; }

 private:
  const std::shared_ptr<Pipe> pipe_;
  const uint64_t ino_;
  const bool reader_;
  const bool writer_;
  const int64_t ctime_ns_;
  vfs::WaitQueue queue_;
};

// pipe2(2): a new pipe's read and write ends. `flags` may hold O_NONBLOCK
// and O_DIRECT (kept as a status flag; packet mode is not implemented).
std::pair<std::shared_ptr<vfs::FileDescription>,
          std::shared_ptr<vfs::FileDescription>>
NewPipe(int flags);

// open(2) of a FIFO whose buffer is `pipe`: O_RDONLY waits for a writer
// and O_WRONLY for a reader unless O_NONBLOCK (where a writer without
// readers is -ENXIO); O_RDWR never waits. `t` may be null (no waiting).
// An anonymous pipe reopened through /proc/PID/fd (`anonymous`) never
// waits, as in Linux's fifo_open for pipefs inodes.
int64_t OpenFifo(Task* t, std::shared_ptr<Pipe> pipe, uint64_t ino, int flags,
                 std::shared_ptr<vfs::FileDescription>* out,
                 bool anonymous = false);

// Rounds an F_SETPIPE_SZ request as Linux does (whole pages, a power of
// two of them); 0 when it is too large to represent.
uint64_t RoundPipeSize(uint64_t size);

}  // namespace sentry::fs

#endif  // SENTRY_FS_PIPE_PIPE_FILE_H_
