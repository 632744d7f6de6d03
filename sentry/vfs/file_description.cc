#include "sentry/vfs/file_description.h"

#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <utility>

#include "sentry/kernel/task.h"
#include "sentry/vfs/dentry.h"
#include "sentry/vfs/fsnotify.h"
#include "sentry/vfs/lock.h"

namespace sentry::vfs {

namespace {

bool AccessReadable(int flags) {
  if (flags & O_PATH) return false;
  int acc = flags & O_ACCMODE;
  return acc == O_RDONLY || acc == O_RDWR;
}

bool AccessWritable(int flags) {
  if (flags & O_PATH) return false;
  int acc = flags & O_ACCMODE;
  return acc == O_WRONLY || acc == O_RDWR;
}

}  // namespace

FileDescription::FileDescription(int status_flags)
    : readable_(AccessReadable(status_flags)),
      writable_(AccessWritable(status_flags)),
      path_only_(status_flags & O_PATH),
      flags_(status_flags) {}

FileDescription::~FileDescription() {
  bool locked;
  uint64_t dev, ino;
  {
    absl::MutexLock l(&mu_);
    locked = locked_;
    dev = lock_dev_;
    ino = lock_ino_;
  }
  if (locked) LockManager::Get().ReleaseDescription(dev, ino, this);
  if (location_.ok() && !path_only_) {
    fsnotify::Notify(location_, writable_ ? kInCloseWrite : kInCloseNowrite);
  }
}

void FileDescription::NoteLocked(uint64_t dev, uint64_t ino) {
  absl::MutexLock l(&mu_);
  locked_ = true;
  lock_dev_ = dev;
  lock_ino_ = ino;
}

EventMask FileDescription::Readiness(EventMask mask) {
  return mask & (kReadableEvents | kWritableEvents);
}

int64_t FileDescription::Fsync(bool datasync) {
  return location_.ok() ? 0 : -EINVAL;
}

int64_t FileDescription::Truncate(uint64_t size) {
  if (!location_.ok() || !location_.dentry->IsRegular()) return -EINVAL;
  SetAttrRequest req;
  req.mask = SetAttrRequest::kSize;
  req.size = size;
  return location_.dentry->SetAttr(req);
}

int64_t FileDescription::Allocate(int mode, uint64_t offset, uint64_t len) {
  if (location_.ok()) {
    if (location_.dentry->IsDir()) return -EISDIR;
    if (!location_.dentry->IsRegular()) return -ENODEV;
    return -EOPNOTSUPP;
  }
  uapi::Stat st;
  if (Stat(&st) == 0 && S_ISFIFO(st.st_mode)) return -ESPIPE;
  return -ENODEV;
}

int64_t FileDescription::PrepareMap(bool shared, int prot, bool* may_write,
                                    std::shared_ptr<const void>* writable_map) {
  *may_write = !shared || IsWritable();
  return 0;
}

int FileDescription::status_flags() const {
  absl::MutexLock l(&mu_);
  return flags_;
}

int64_t FileDescription::SetStatusFlags(int flags) {
  absl::MutexLock l(&mu_);
  flags_ = (flags_ & ~kSettableStatusFlags) | (flags & kSettableStatusFlags);
  return 0;
}

void FileDescription::SetLocation(VirtualDentry vd, std::string path) {
  location_ = std::move(vd);
  path_ = std::move(path);
}

int64_t FileDescription::offset() const {
  absl::MutexLock l(&pos_mu_);
  return pos_;
}

int64_t FileDescription::Read(Task& t, void* buf, uint64_t n) {
  absl::MutexLock l(&pos_mu_);
  int64_t r = PRead(buf, n, pos_);
  if (r > 0) pos_ += r;
  return r;
}

int64_t FileDescription::Write(Task& t, const void* buf, uint64_t n) {
  absl::MutexLock l(&pos_mu_);
  if (status_flags() & O_APPEND) {
    uapi::Stat st;
    int64_t r = Stat(&st);
    if (r < 0) return r;
    pos_ = st.st_size;
  }
  int64_t r = PWrite(buf, n, pos_);
  if (r > 0) pos_ += r;
  return r;
}

int64_t FileDescription::PWrite(const void* buf, uint64_t n, int64_t off) {
  return -EINVAL;
}

int64_t FileDescription::SeekLocked(int64_t off, int whence, int64_t size) {
  int64_t base;
  switch (whence) {
    case SEEK_SET:
      base = 0;
      break;
    case SEEK_CUR:
      base = pos_;
      break;
    case SEEK_END:
      base = size;
      break;
    case SEEK_DATA:
      // Without hole information the whole file is data.
      if (off < 0 || off >= size) return -ENXIO;
      pos_ = off;
      return off;
    case SEEK_HOLE:
      if (off < 0 || off >= size) return -ENXIO;
      pos_ = size;
      return size;
    default:
      return -EINVAL;
  }
  int64_t result;
  if (__builtin_add_overflow(base, off, &result) || result < 0) return -EINVAL;
  pos_ = result;
  return result;
}

int64_t FileDescription::Seek(int64_t off, int whence) {
  int64_t size = 0;
  if (whence == SEEK_END || whence == SEEK_DATA || whence == SEEK_HOLE) {
    uapi::Stat st;
    int64_t r = Stat(&st);
    if (r < 0) return r;
    size = st.st_size;
  }
  absl::MutexLock l(&pos_mu_);
  return SeekLocked(off, whence, size);
}

int64_t FileDescription::Statx(uint32_t mask, uapi::Statx* stx) {
  if (location_.ok()) return location_.dentry->Statx(mask, stx);
  uapi::Stat st;
  int64_t r = Stat(&st);
  if (r < 0) return r;
  StatToStatx(st, mask, stx);
  return 0;
}

int64_t FileDescription::Getdents64(void* buf, uint64_t n) { return -ENOTDIR; }

int64_t FileDescription::Ioctl(Task& t, uint64_t cmd, uint64_t arg) {
  if (cmd == FIONREAD) {
    uapi::Stat st;
    if (Stat(&st) == 0 && S_ISREG(st.st_mode)) {
      int avail = static_cast<int>(st.st_size - offset());
      return t.CopyOutObj(arg, avail) < 0 ? -EFAULT : 0;
    }
  }
  return -ENOTTY;
}

std::string FileDescription::Path() const { return path_; }

}  // namespace sentry::vfs
