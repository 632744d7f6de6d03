#include "sentry/fs/dev/devices.h"

#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "sentry/fs/tmpfs/tmpfs.h"
#include "sentry/vfs/dentry.h"

namespace sentry::fs {

namespace {

// A device's open file: stat comes from the node it was opened through.
class DeviceFile : public vfs::FileDescription {
 public:
  explicit DeviceFile(int flags) : FileDescription(flags) {}
  int64_t Stat(uapi::Stat* st) override {
    if (!location().ok()) return -EBADF;
    return location().dentry->Stat(st);
  }
  // Devices keep no position (null_lseek and friends).
  int64_t Seek(int64_t off, int whence) override { return 0; }
  int64_t Fsync(bool datasync) override { return -EINVAL; }
  int64_t Truncate(uint64_t size) override { return -EINVAL; }
};

class NullFile : public DeviceFile {
 public:
  using DeviceFile::DeviceFile;
  int64_t Read(Task& t, void* buf, uint64_t n) override { return 0; }
  int64_t Write(Task& t, const void* buf, uint64_t n) override {
    return static_cast<int64_t>(n);
  }
  int64_t PRead(void* buf, uint64_t n, int64_t off) override { return 0; }
  int64_t PWrite(const void* buf, uint64_t n, int64_t off) override {
    return static_cast<int64_t>(n);
  }
};

class ZeroFile : public DeviceFile {
 public:
  // /dev/full: reads like /dev/zero, every write is ENOSPC.
  ZeroFile(int flags, bool full) : DeviceFile(flags), full_(full) {}
  int64_t Read(Task& t, void* buf, uint64_t n) override {
    return PRead(buf, n, 0);
  }
  int64_t Write(Task& t, const void* buf, uint64_t n) override {
    return PWrite(buf, n, 0);
  }
  int64_t PRead(void* buf, uint64_t n, int64_t off) override {
    std::memset(buf, 0, n);
    return static_cast<int64_t>(n);
  }
  int64_t PWrite(const void* buf, uint64_t n, int64_t off) override {
    return full_ ? -ENOSPC : static_cast<int64_t>(n);
  }

 private:
  const bool full_;
};

class RandomFile : public DeviceFile {
 public:
  using DeviceFile::DeviceFile;
  int64_t Read(Task& t, void* buf, uint64_t n) override {
    return PRead(buf, n, 0);
  }
  int64_t Write(Task& t, const void* buf, uint64_t n) override {
    return static_cast<int64_t>(n);
  }
  int64_t PRead(void* buf, uint64_t n, int64_t off) override {
    uint64_t done = 0;
    while (done < n) {
      ssize_t r = getrandom(static_cast<char*>(buf) + done, n - done, 0);
      if (r < 0) {
        if (errno == EINTR) continue;
        return done ? static_cast<int64_t>(done) : -errno;
      }
      done += static_cast<uint64_t>(r);
    }
    return static_cast<int64_t>(done);
  }
  int64_t PWrite(const void* buf, uint64_t n, int64_t off) override {
    return static_cast<int64_t>(n);
  }
};

}  // namespace

int64_t OpenCharDevice(dev_t rdev, int flags, const vfs::Credentials& creds,
                       std::shared_ptr<vfs::FileDescription>* out) {
  const int status = vfs::OpenStatusFlags(flags);
  const unsigned maj = major(rdev);
  const unsigned min = minor(rdev);
  if (maj == 1) {
    switch (min) {
      case 3:
        *out = std::make_shared<NullFile>(status);
        return 0;
      case 5:
        *out = std::make_shared<ZeroFile>(status, false);
        return 0;
      case 7:
        *out = std::make_shared<ZeroFile>(status, true);
        return 0;
      case 8:
      case 9:
        *out = std::make_shared<RandomFile>(status);
        return 0;
      default:
        break;
    }
  }
  // 5:0 is /dev/tty, the caller's controlling terminal: there is none.
  return -ENXIO;
}

std::shared_ptr<TmpfsFilesystem> NewDevfs() {
  TmpfsOptions o;
  o.name = "devtmpfs";
  o.root_mode = 0755;
  o.size_limit = 64 << 20;
  auto fs = TmpfsFilesystem::New(o);
  std::shared_ptr<vfs::Dentry> root = fs->Root();
  vfs::Credentials c;
  struct Node {
    const char* name;
    unsigned maj, min;
  };
  for (const Node& n : {Node{"null", 1, 3}, Node{"zero", 1, 5},
                        Node{"full", 1, 7}, Node{"random", 1, 8},
                        Node{"urandom", 1, 9}, Node{"tty", 5, 0}}) {
    root->Mknod(n.name, S_IFCHR | 0666, makedev(n.maj, n.min), c);
  }
  root->Symlink("fd", "/proc/self/fd", c);
  root->Symlink("stdin", "/proc/self/fd/0", c);
  root->Symlink("stdout", "/proc/self/fd/1", c);
  root->Symlink("stderr", "/proc/self/fd/2", c);
  root->Mkdir("shm", 01777, c);
  root->Mkdir("pts", 0755, c);
  return fs;
}

}  // namespace sentry::fs
