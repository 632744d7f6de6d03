// FileDescription: an open file description (Linux's struct file), shared by
// dup and fork. Holds the offset and status flags; the object it refers to
// implements the operations.
//
// Buffers passed to the operations are sentry memory: the syscall layer
// copies to and from the application. Every operation returns a value or a
// negative errno.
//
// Locking: mu_ guards the status flags; pos_mu_ guards the file offset and
// is held for the whole of a Read/Write/Seek/Getdents64 that uses it (Linux's
// f_pos_lock), so concurrent reads through one description never see the
// same offset.
#ifndef SENTRY_VFS_FILE_DESCRIPTION_H_
#define SENTRY_VFS_FILE_DESCRIPTION_H_

#include <fcntl.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "abi/linux/fcntl.h"
#include "abi/linux/stat.h"
#include "sentry/vfs/credentials.h"
#include "sentry/vfs/virtual_dentry.h"
#include "sentry/vfs/waiter.h"

namespace sentry {
class Task;
}

namespace sentry::vfs {

// The kernel's O_LARGEFILE bit (glibc defines O_LARGEFILE as 0 on x86_64,
// but the kernel sets this bit in f_flags for every open from 64-bit code,
// and F_GETFL shows it).
inline constexpr int kOLargefile = uapi::kOLargefile;

// Status flags F_SETFL may change (Linux's SETFL_MASK).
inline constexpr int kSettableStatusFlags =
    O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME;

// The status flags a description keeps from open(2)'s flags: everything but
// the open-time-only bits (Linux's do_dentry_open clears the same).
constexpr int OpenStatusFlags(int open_flags) {
  return open_flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC);
}

class FileDescription : public std::enable_shared_from_this<FileDescription> {
 public:
  // `status_flags`: the access mode (O_RDONLY/O_WRONLY/O_RDWR, or O_PATH)
  // and status bits as F_GETFL reports them.
  explicit FileDescription(int status_flags = O_RDONLY);
  virtual ~FileDescription();
  FileDescription(const FileDescription&) = delete;
  FileDescription& operator=(const FileDescription&) = delete;

  // ---- Flags ----
  int status_flags() const;
  // F_SETFL: changes only kSettableStatusFlags bits.
  virtual int64_t SetStatusFlags(int flags);
  bool IsPathOnly() const { return path_only_; }
  bool nonblocking() const { return status_flags() & O_NONBLOCK; }
  bool IsReadable() const { return readable_; }
  bool IsWritable() const { return writable_; }
  // 0, or -EBADF when the description was not opened for that access.
  int64_t CheckReadable() const { return readable_ ? 0 : -EBADF; }
  int64_t CheckWritable() const { return writable_ ? 0 : -EBADF; }

  // ---- Where the file is (files opened through the VFS) ----
  // Set once by the VFS right after the filesystem created the description.
  void SetLocation(VirtualDentry vd, std::string path);
  // Empty (!ok()) for pipes, host fds and other anonymous files.
  const VirtualDentry& location() const { return location_; }

  // ---- Offset ----
  // The file offset (files whose offset the host keeps override it).
  virtual int64_t offset() const;

  // ---- Operations ----
  // read(2)/write(2) at the file offset. The defaults go through
  // PRead/PWrite and advance the offset (O_APPEND writes at end of file).
  // `t` is the calling task, for files that block (pipes).
  virtual int64_t Read(Task& t, void* buf, uint64_t n);
  virtual int64_t Write(Task& t, const void* buf, uint64_t n);
  // Reads at `off` without moving the file offset. -ESPIPE when the file is
  // not seekable; short reads at end of file as pread(2).
  virtual int64_t PRead(void* buf, uint64_t n, int64_t off) = 0;
  // Writes at `off`. Default: -EINVAL (nothing writable).
  virtual int64_t PWrite(const void* buf, uint64_t n, int64_t off);
  // lseek(2). The default handles SEEK_SET/CUR/END and SEEK_DATA/HOLE
  // (whole file is data) from the size Stat reports.
  virtual int64_t Seek(int64_t off, int whence);
  // fstat(2).
  virtual int64_t Stat(uapi::Stat* st) = 0;
  // statx(2) of the open file; the default derives it from Stat.
  virtual int64_t Statx(uint32_t mask, uapi::Statx* stx);
  // getdents64(2): fills `buf` with uapi::Dirent64 records and returns the
  // number of bytes. Default: -ENOTDIR.
  virtual int64_t Getdents64(void* buf, uint64_t n);
  // ioctl(2) requests the file understands (the syscall layer has already
  // handled FIOCLEX, FIONCLEX, FIONBIO). `arg` is an application address
  // or value. The default answers FIONREAD for regular files and -ENOTTY
  // otherwise.
  virtual int64_t Ioctl(Task& t, uint64_t cmd, uint64_t arg);
  // The path the file was opened by, absolute within the sandbox (for
  // /proc/PID/maps, /proc/PID/fd, error messages). Anonymous files return
  // their Linux-style name ("pipe:[12]").
  virtual std::string Path() const;

  // ---- Readiness (see waiter.h) ----
  // The events of `mask` (plus kAlwaysEvents) the file is ready for now.
  // Default: readable and writable, as regular files are.
  virtual EventMask Readiness(EventMask mask);
  // Registers a waiter for readiness changes. Files that are always ready
  // need not keep it (the default does nothing).
  virtual void EventRegister(WaitEntry* e) {}
  virtual void EventUnregister(WaitEntry* e) {}

  // ---- Data and size ----
  // fsync/fdatasync. Default: 0 for files found by path, -EINVAL for
  // anonymous ones (pipes), as Linux without an fsync operation.
  virtual int64_t Fsync(bool datasync);
  // ftruncate (the caller checked the description is writable): the
  // default truncates the file it was opened from; -EINVAL otherwise.
  virtual int64_t Truncate(uint64_t size);
  // fallocate(2) with its mode bits. Default: -EOPNOTSUPP for files with a
  // location, -ESPIPE for pipes, -ENODEV for other anonymous files.
  virtual int64_t Allocate(int mode, uint64_t offset, uint64_t len);
  // open(2) of this file through a magic link (/proc/PID/fd/N) when it
  // has no location: pipes give a new end of the same pipe, host fds a new
  // description of the same host file. Default: -ENXIO.
  virtual int64_t Reopen(int flags, const Credentials& creds,
                         std::shared_ptr<FileDescription>* out) {
    return -ENXIO;
  }
  // A host fd holding exactly the file's contents, for shared mappings
  // (tmpfs and memfd files give their memfd); -1 when there is none.
  virtual int MappableHostFd() { return -1; }
  // mmap(2) of this file: may refuse the mapping (-errno), says whether a
  // shared mapping may ever become writable (Linux's VM_MAYWRITE: the
  // description is open for writing and the file is not write-sealed) and
  // may hand out a token every such mapping keeps while it exists (memfd
  // seals refuse F_SEAL_WRITE while one does). Default: shared mappings may
  // be written when the description is writable.
  virtual int64_t PrepareMap(bool shared, int prot, bool* may_write,
                             std::shared_ptr<const void>* writable_map);

  // ---- Seals (memfd_create(2), fcntl F_ADD_SEALS/F_GET_SEALS) ----
  // The file's seals, or -EINVAL for a file that cannot be sealed (not on
  // tmpfs), as memfd_fcntl.
  virtual int64_t GetSeals() { return -EINVAL; }
  // Adds seals (the caller checked the description is writable and the
  // bits are known): -EPERM once F_SEAL_SEAL is set, -EBUSY for
  // F_SEAL_WRITE while a writable shared mapping exists.
  virtual int64_t AddSeals(unsigned seals) { return -EINVAL; }

  // ---- Locks (lock.h) ----
  // Set once an flock or OFD lock was taken through this description: its
  // destruction then releases them.
  void NoteLocked(uint64_t dev, uint64_t ino);

 protected:
  // Advances the offset after a successful default Read/Write; for
  // subclasses that implement their own offset-based operations.
  mutable absl::Mutex pos_mu_;
  int64_t pos_ ABSL_GUARDED_BY(pos_mu_) = 0;

  // Seek arithmetic shared by the default and subclasses: the new offset
  // for SEEK_SET/SEEK_CUR/SEEK_END given the file size, or -EINVAL.
  int64_t SeekLocked(int64_t off, int whence, int64_t size)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(pos_mu_);

 private:
  const bool readable_;
  const bool writable_;
  const bool path_only_;
  mutable absl::Mutex mu_;
  int flags_ ABSL_GUARDED_BY(mu_);
  bool locked_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t lock_dev_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t lock_ino_ ABSL_GUARDED_BY(mu_) = 0;
  VirtualDentry location_;
  std::string path_;
};

}  // namespace sentry::vfs

#endif  // SENTRY_VFS_FILE_DESCRIPTION_H_
