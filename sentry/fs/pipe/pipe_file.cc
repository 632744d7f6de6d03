#include "sentry/fs/pipe/pipe_file.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "absl/strings/str_cat.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/dentry.h"
#include "sentry/vfs/mount.h"

namespace sentry::fs {

namespace {

// pipefs's device (anonymous, as the kernel reports it) and inode numbers.
constexpr uint64_t kPipeFsDev = 0x0d;  // makedev(0, 13)
std::atomic<uint64_t> next_pipe_ino{1000};

int64_t NowNs() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

}  // namespace

PipeFile::PipeFile(std::shared_ptr<Pipe> pipe, uint64_t ino, int status_flags)
    : FileDescription(status_flags),
      pipe_(std::move(pipe)),
      ino_(ino),
      reader_(IsReadable()),
      writer_(IsWritable()),
      ctime_ns_(NowNs()) {
  pipe_->AddQueue(&queue_);
  if (reader_) pipe_->AddReader();
  if (writer_) pipe_->AddWriter();
}

PipeFile::~PipeFile() {
  pipe_->RemoveQueue(&queue_);
  if (reader_) pipe_->RemoveReader();
  if (writer_) pipe_->RemoveWriter();
}

int64_t PipeFile::Read(Task& t, void* buf, uint64_t n) {
  return pipe_->Read(&t, buf, n, nonblocking());
}

int64_t PipeFile::Write(Task& t, const void* buf, uint64_t n) {
  // EPIPE raises SIGPIPE in the syscall layer (RaiseSigpipe).
  return pipe_->Write(&t, buf, n, nonblocking(),
                      (status_flags() & O_DIRECT) != 0);
}

int64_t PipeFile::Stat(uapi::Stat* st) {
  if (location().ok()) return location().dentry->Stat(st);
  std::memset(st, 0, sizeof(*st));
  st->st_dev = kPipeFsDev;
  st->st_ino = ino_;
  st->st_nlink = 1;
  st->st_mode = S_IFIFO | 0600;
  st->st_blksize = 4096;
  uapi::Timespec ts{ctime_ns_ / 1000000000, ctime_ns_ % 1000000000};
  st->st_atim = ts;
  st->st_mtim = ts;
  st->st_ctim = ts;
  return 0;
}

int64_t PipeFile::Ioctl(Task& t, uint64_t cmd, uint64_t arg) {
  if (cmd == FIONREAD) {
    int avail = static_cast<int>(pipe_->Available());
    return t.CopyOutObj(arg, avail) < 0 ? -EFAULT : 0;
  }
  return -ENOTTY;
}

int64_t PipeFile::Reopen(int flags, const vfs::Credentials& creds,
                         std::shared_ptr<vfs::FileDescription>* out) {
  // Only anonymous pipes get here (FIFOs reopen through their dentry).
  return OpenFifo(creds.task, pipe_, ino_, flags, out, /*anonymous=*/true);
}

std::string PipeFile::Path() const {
  // FIFOs opened by name show it; pipes (also reopened through
  // /proc/PID/fd, which gives them an anonymous location) their pipefs name.
  if (location().ok() && location().mount->id() != 0) {
    return FileDescription::Path();
  }
  return absl::StrCat("pipe:[", ino_, "]");
}

vfs::EventMask PipeFile::Readiness(vfs::EventMask mask) {
  return pipe_->Readiness(reader_, writer_, mask);
}

void PipeFile::EventRegister(vfs::WaitEntry* e) { queue_.Register(e); }

void PipeFile::EventUnregister(vfs::WaitEntry* e) { queue_.Unregister(e); }

std::pair<std::shared_ptr<vfs::FileDescription>,
          std::shared_ptr<vfs::FileDescription>>
NewPipe(int flags) {
  auto pipe = std::make_shared<Pipe>();
  uint64_t ino = next_pipe_ino.fetch_add(1);
  int status = flags & (O_NONBLOCK | O_DIRECT);
  auto r = std::make_shared<PipeFile>(pipe, ino, O_RDONLY | status);
  auto w = std::make_shared<PipeFile>(pipe, ino, O_WRONLY | status);
  return {std::move(r), std::move(w)};
}

int64_t OpenFifo(Task* t, std::shared_ptr<Pipe> pipe, uint64_t ino, int flags,
                 std::shared_ptr<vfs::FileDescription>* out, bool anonymous) {
  const int acc = flags & O_ACCMODE;
  const bool nonblock = flags & O_NONBLOCK;
  if (!anonymous && acc == O_WRONLY && nonblock && pipe->readers() == 0) {
    return -ENXIO;
  }
  auto f = std::make_shared<PipeFile>(pipe, ino, vfs::OpenStatusFlags(flags));
  if (!anonymous && !nonblock && acc != O_RDWR) {
    int64_t r = pipe->WaitForPeer(t, acc == O_RDONLY);
    if (r < 0) return r;
  }
  *out = std::move(f);
  return 0;
}

uint64_t RoundPipeSize(uint64_t size) {
  if (size > kPipeHardMax) return 0;
  uint64_t pages = (size + 4095) / 4096;
  if (pages == 0) pages = 1;
  uint64_t p = 1;
  while (p < pages) p <<= 1;
  return p * 4096;
}

}  // namespace sentry::fs
