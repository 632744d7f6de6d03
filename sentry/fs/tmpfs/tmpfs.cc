#include "sentry/fs/tmpfs/tmpfs.h"

#include "abi/linux/fcntl.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <optional>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "abi/linux/dirent.h"
#include "abi/linux/fcntl.h"
#include "sentry/fs/dev/devices.h"
#include "sentry/fs/pipe/pipe.h"
#include "sentry/fs/pipe/pipe_file.h"
#include "sentry/vfs/mount.h"

namespace sentry::fs {

namespace {

constexpr uint64_t kPage = 4096;
constexpr int64_t kMaxFileSize = LLONG_MAX;  // MAX_LFS_FILESIZE
// Each directory entry adds this to the directory's size (BOGO_DIRENT_SIZE).
constexpr int64_t kBogoDirentSize = 20;

uint64_t PageUp(uint64_t x) { return (x + kPage - 1) & ~(kPage - 1); }

uint8_t DirentType(uint32_t mode) {
  switch (mode & S_IFMT) {
    case S_IFREG:
      return uapi::kDtReg;
    case S_IFDIR:
      return uapi::kDtDir;
    case S_IFLNK:
      return uapi::kDtLnk;
    case S_IFCHR:
      return uapi::kDtChr;
    case S_IFBLK:
      return uapi::kDtBlk;
    case S_IFIFO:
      return uapi::kDtFifo;
    case S_IFSOCK:
      return uapi::kDtSock;
    default:
      return uapi::kDtUnknown;
  }
}

// Writes all of `n` bytes at `off` on a host fd.
int64_t PwriteAll(int fd, const char* p, uint64_t n, int64_t off) {
  uint64_t done = 0;
  while (done < n) {
    ssize_t r = pwrite(fd, p + done, n - done, off + static_cast<int64_t>(done));
    if (r < 0) {
      if (errno == EINTR) continue;
      return done ? static_cast<int64_t>(done) : -errno;
    }
    done += static_cast<uint64_t>(r);
  }
  return static_cast<int64_t>(done);
}

// An open tmpfs directory.
class TmpfsDirFile : public vfs::DirectoryFileDescription {
 public:
  TmpfsDirFile(std::shared_ptr<TmpfsDentry> dir, int status_flags)
      : DirectoryFileDescription(status_flags), dir_(std::move(dir)) {}
  int64_t Stat(uapi::Stat* st) override { return dir_->Stat(st); }

 protected:
  int64_t ListEntries(std::vector<vfs::DirEntry>* out) override {
    dir_->List(out);
    return 0;
  }

 private:
  const std::shared_ptr<TmpfsDentry> dir_;
};

}  // namespace

// ---- TmpfsInode ----

TmpfsInode::TmpfsInode(TmpfsFilesystem* fs, uint64_t ino, mode_t m,
                       uid_t u, gid_t g, dev_t rdev_in)
    : mode(m), uid(u), gid(g), rdev(rdev_in), seals(uapi::kFSealSeal), fs_(fs),
      ino_(ino) {
  uapi::Timespec now = vfs::NowTimespec();
  atime = mtime = ctime = btime = now;
  if (S_ISDIR(m)) nlink = 2;
  fs_->InodeCreated();
}

TmpfsInode::~TmpfsInode() {
  absl::MutexLock l(&mu);
  if (memfd_ >= 0) close(memfd_);
  fs_->Uncharge(charged_);
  fs_->InodeDestroyed();
}

void TmpfsInode::Stat(uapi::Stat* st) {
  absl::MutexLock l(&mu);
  std::memset(st, 0, sizeof(*st));
  st->st_dev = fs_->dev();
  st->st_ino = ino_;
  st->st_nlink = nlink;
  st->st_mode = mode;
  st->st_uid = uid;
  st->st_gid = gid;
  st->st_rdev = rdev;
  switch (mode & S_IFMT) {
    case S_IFREG:
      st->st_size = static_cast<int64_t>(size_);
      break;
    case S_IFDIR:
      st->st_size = static_cast<int64_t>(dir_size);
      break;
    case S_IFLNK:
      st->st_size = static_cast<int64_t>(target.size());
      break;
    default:
      break;
  }
  st->st_blksize = kPage;
  st->st_blocks = static_cast<int64_t>(charged_ / 512);
  st->st_atim = atime;
  st->st_mtim = mtime;
  st->st_ctim = ctime;
}

uint64_t TmpfsInode::Size() {
  absl::MutexLock l(&mu);
  return size_;
}

int64_t TmpfsInode::ChargeLocked(uint64_t end) {
  uint64_t want = PageUp(end);
  if (want <= charged_) return 0;
  if (!fs_->Charge(want - charged_)) return -ENOSPC;
  charged_ = want;
  return 0;
}

int64_t TmpfsInode::ToMemfdLocked() {
  if (memfd_ >= 0) return 0;
  int fd = memfd_create("tmpfs", MFD_CLOEXEC);
  if (fd < 0) return errno == EMFILE || errno == ENFILE ? -ENOSPC : -errno;
  if (ftruncate(fd, static_cast<off_t>(size_)) < 0 ||
      (!inline_.empty() &&
       PwriteAll(fd, inline_.data(), inline_.size(), 0) !=
           static_cast<int64_t>(inline_.size()))) {
    int err = errno;
    close(fd);
    return -err;
  }
  memfd_ = fd;
  inline_.clear();
  inline_.shrink_to_fit();
  return 0;
}

int TmpfsInode::HostFd() {
  absl::MutexLock l(&mu);
  int64_t r = ToMemfdLocked();
  return r < 0 ? static_cast<int>(r) : memfd_;
}

int64_t TmpfsInode::Read(void* buf, uint64_t n, int64_t off) {
  absl::ReaderMutexLock l(&mu);
  if (static_cast<uint64_t>(off) >= size_ || n == 0) return 0;
  uint64_t count = std::min<uint64_t>(n, size_ - static_cast<uint64_t>(off));
  if (memfd_ < 0) {
    // Bytes past the inline buffer (after a truncate up) read as zeros.
    uint64_t have = inline_.size() > static_cast<uint64_t>(off)
                        ? std::min<uint64_t>(count, inline_.size() - off)
                        : 0;
    std::memcpy(buf, inline_.data() + off, have);
    std::memset(static_cast<char*>(buf) + have, 0, count - have);
    return static_cast<int64_t>(count);
  }
  uint64_t done = 0;
  while (done < count) {
    ssize_t r = pread(memfd_, static_cast<char*>(buf) + done, count - done,
                      off + static_cast<int64_t>(done));
    if (r < 0) {
      if (errno == EINTR) continue;
      return done ? static_cast<int64_t>(done) : -errno;
    }
    if (r == 0) break;
    done += static_cast<uint64_t>(r);
  }
  return static_cast<int64_t>(done);
}

int64_t TmpfsInode::Write(const void* buf, uint64_t n, int64_t off,
                          bool append, int64_t* end) {
  absl::MutexLock l(&mu);
  if (append) off = static_cast<int64_t>(size_);
  if (off < 0) return -EINVAL;
  if (n == 0) {
    if (end) *end = off;
    return 0;
  }
  if (static_cast<uint64_t>(off) > static_cast<uint64_t>(kMaxFileSize) - n) {
    return -EFBIG;
  }
  uint64_t new_end = static_cast<uint64_t>(off) + n;
  // shmem_write_begin: write seals refuse every write, F_SEAL_GROW one that
  // would extend the file.
  if (seals & (uapi::kFSealWrite | uapi::kFSealFutureWrite)) return -EPERM;
  if ((seals & uapi::kFSealGrow) && new_end > size_) return -EPERM;
  int64_t r = ChargeLocked(new_end);
  if (r == -ENOSPC && charged_ % kPage == 0) {
    // Linux fills a tmpfs page by page (shmem_write_begin): a write that
    // does not fit stores what the free pages hold and comes back short;
    // only a write that can store nothing fails with ENOSPC.
    const uint64_t got = fs_->ChargeSome(PageUp(new_end) - charged_);
    if (charged_ + got <= static_cast<uint64_t>(off)) {
      fs_->Uncharge(got);
      return -ENOSPC;
    }
    charged_ += got;
    new_end = charged_;
    n = new_end - static_cast<uint64_t>(off);
    r = 0;
  }
  if (r < 0) return r;
  const char* p = static_cast<const char*>(buf);
  if (memfd_ < 0 && new_end > kInlineMax) {
    r = ToMemfdLocked();
    if (r < 0) return r;
  }
  int64_t written;
  if (memfd_ < 0) {
    if (inline_.size() < new_end) inline_.resize(new_end, '\0');
    std::memcpy(inline_.data() + off, p, n);
    written = static_cast<int64_t>(n);
  } else {
    written = PwriteAll(memfd_, p, n, off);
    if (written < 0) return written;
  }
  size_ = std::max<uint64_t>(size_, static_cast<uint64_t>(off) + written);
  mtime = ctime = vfs::NowTimespec();
  // Writes by anyone drop the set-user-ID bit, as Linux's file_remove_privs
  // does for unprivileged writers (the sandbox's identity is fixed, so do
  // it for everyone but root).
  if (end) *end = off + written;
  return written;
}

int64_t TmpfsInode::Truncate(uint64_t size) {
  absl::MutexLock l(&mu);
  if (size > static_cast<uint64_t>(kMaxFileSize)) return -EFBIG;
  // shmem_setattr: F_SEAL_SHRINK and F_SEAL_GROW fix the size each way.
  if ((size < size_ && (seals & uapi::kFSealShrink)) ||
      (size > size_ && (seals & uapi::kFSealGrow))) {
    return -EPERM;
  }
  if (memfd_ < 0 && size > kInlineMax) {
    int64_t r = ToMemfdLocked();
    if (r < 0) return r;
  }
  if (memfd_ >= 0) {
    if (ftruncate(memfd_, static_cast<off_t>(size)) < 0) return -errno;
  } else if (size < inline_.size()) {
    inline_.resize(size);
  }
  if (size < size_) {
    // Shrinking gives back what lay beyond.
    uint64_t keep = PageUp(size);
    if (keep < charged_) {
      fs_->Uncharge(charged_ - keep);
      charged_ = keep;
    }
  }
  size_ = size;
  mtime = ctime = vfs::NowTimespec();
  return 0;
}

int64_t TmpfsInode::Allocate(int fmode, uint64_t offset, uint64_t len) {
  if (fmode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE)) return -EOPNOTSUPP;
  if ((fmode & FALLOC_FL_PUNCH_HOLE) && !(fmode & FALLOC_FL_KEEP_SIZE)) {
    return -EOPNOTSUPP;
  }
  absl::MutexLock l(&mu);
  if (offset > static_cast<uint64_t>(kMaxFileSize) - len) return -EFBIG;
  uint64_t end = offset + len;
  // shmem_fallocate: punching a hole writes; allocating past the end grows.
  if ((fmode & FALLOC_FL_PUNCH_HOLE) &&
      (seals & (uapi::kFSealWrite | uapi::kFSealFutureWrite))) {
    return -EPERM;
  }
  if (!(fmode & FALLOC_FL_KEEP_SIZE) && (seals & uapi::kFSealGrow) &&
      end > size_) {
    return -EPERM;
  }
  if (fmode & FALLOC_FL_PUNCH_HOLE) {
    uint64_t stop = std::min(end, size_);
    if (offset >= stop) return 0;
    if (memfd_ < 0) {
      if (offset < inline_.size()) {
        std::memset(inline_.data() + offset, 0,
                    std::min<uint64_t>(stop, inline_.size()) - offset);
      }
    } else if (fallocate(memfd_, fmode, static_cast<off_t>(offset),
                         static_cast<off_t>(stop - offset)) < 0) {
      return -errno;
    }
    mtime = ctime = vfs::NowTimespec();
    return 0;
  }
  int64_t r = ChargeLocked(end);
  if (r < 0) return r;
  r = ToMemfdLocked();
  if (r < 0) return r;
  if (fallocate(memfd_, fmode, static_cast<off_t>(offset),
                static_cast<off_t>(len)) < 0) {
    return -errno;
  }
  if (!(fmode & FALLOC_FL_KEEP_SIZE) && end > size_) {
    size_ = end;
    mtime = ctime = vfs::NowTimespec();
  }
  return 0;
}

int64_t TmpfsInode::SeekDataHole(int64_t off, int whence) {
  absl::ReaderMutexLock l(&mu);
  if (off < 0 || static_cast<uint64_t>(off) >= size_) return -ENXIO;
  if (memfd_ < 0) return whence == SEEK_DATA ? off : static_cast<int64_t>(size_);
  off_t r = lseek(memfd_, off, whence);
  if (r < 0) return -errno;
  return std::min<int64_t>(r, static_cast<int64_t>(size_));
}

std::shared_ptr<Pipe> TmpfsInode::Fifo() {
  absl::MutexLock l(&mu);
  if (!fifo_) fifo_ = std::make_shared<Pipe>();
  return fifo_;
}

// ---- TmpfsFilesystem ----

TmpfsFilesystem::TmpfsFilesystem(const TmpfsOptions& opts)
    : opts_(opts), dev_(vfs::AllocateAnonDevice()), limit_(opts.size_limit) {
  if (limit_ == 0) {
    struct sysinfo si;
    uint64_t ram = sysinfo(&si) == 0
                       ? static_cast<uint64_t>(si.totalram) * si.mem_unit
                       : (1ull << 30);
    limit_ = PageUp(ram / 2);
  }
}

std::shared_ptr<TmpfsFilesystem> TmpfsFilesystem::New(
    const TmpfsOptions& opts) {
  std::shared_ptr<TmpfsFilesystem> fs(new TmpfsFilesystem(opts));
  auto inode = std::make_shared<TmpfsInode>(
      fs.get(), fs->NextIno(), S_IFDIR | (opts.root_mode & 07777), opts.uid,
      opts.gid, 0);
  fs->root_ = std::make_shared<TmpfsDentry>(fs.get(), nullptr, "", inode);
  return fs;
}

TmpfsFilesystem::~TmpfsFilesystem() {
  if (root_) root_->Clear();
}

std::shared_ptr<vfs::Dentry> TmpfsFilesystem::Root() { return root_; }

bool TmpfsFilesystem::Charge(uint64_t bytes) {
  uint64_t cur = used_.load();
  do {
    if (cur + bytes > limit_ || cur + bytes < cur) return false;
  } while (!used_.compare_exchange_weak(cur, cur + bytes));
  return true;
}

uint64_t TmpfsFilesystem::ChargeSome(uint64_t bytes) {
  uint64_t cur = used_.load();
  uint64_t take = 0;
  do {
    const uint64_t room = cur < limit_ ? (limit_ - cur) / kPage * kPage : 0;
    take = std::min(bytes, room);
    if (take == 0) return 0;
  } while (!used_.compare_exchange_weak(cur, cur + take));
  return take;
}

void TmpfsFilesystem::Uncharge(uint64_t bytes) { used_.fetch_sub(bytes); }

int64_t TmpfsFilesystem::Statfs(uapi::Statfs* out) {
  std::memset(out, 0, sizeof(*out));
  out->f_type = uapi::kTmpfsMagic;
  out->f_bsize = kPage;
  out->f_frsize = kPage;
  out->f_blocks = limit_ / kPage;
  uint64_t used_blocks = PageUp(used_.load()) / kPage;
  out->f_bfree = out->f_blocks > used_blocks ? out->f_blocks - used_blocks : 0;
  out->f_bavail = out->f_bfree;
  // As many inodes as half the pages, like tmpfs's default nr_inodes.
  out->f_files = limit_ / kPage / 2;
  uint64_t inodes = static_cast<uint64_t>(std::max<int64_t>(inodes_.load(), 0));
  out->f_ffree = out->f_files > inodes ? out->f_files - inodes : 0;
  out->f_namelen = 255;
  out->f_fsid[0] = static_cast<int32_t>(dev_);
  return 0;
}

std::string TmpfsFilesystem::MountOptions() const {
  std::string out = absl::StrCat("size=", limit_ / 1024, "k");
  if ((opts_.root_mode & 07777) != 01777) {
    // Linux prints the mode in octal.
    char buf[16];
    snprintf(buf, sizeof(buf), "%o", opts_.root_mode & 07777);
    absl::StrAppend(&out, ",mode=", buf);
  }
  return out;
}

// ---- TmpfsDentry ----

TmpfsDentry::TmpfsDentry(TmpfsFilesystem* fs,
                         std::shared_ptr<vfs::Dentry> parent, std::string name,
                         std::shared_ptr<TmpfsInode> inode)
    : vfs::Dentry(std::move(parent), std::move(name), [&] {
        absl::MutexLock l(&inode->mu);
        return inode->mode;
      }()),
      fs_(fs),
      inode_(std::move(inode)) {}

TmpfsDentry::~TmpfsDentry() = default;

void TmpfsDentry::Clear() {
  std::map<std::string, std::shared_ptr<TmpfsDentry>> entries;
  {
    absl::MutexLock l(&dir_mu_);
    entries.swap(entries_);
  }
  for (auto& [name, d] : entries) d->Clear();
}

int64_t TmpfsDentry::Stat(uapi::Stat* st) {
  inode_->Stat(st);
  return 0;
}

int64_t TmpfsDentry::Readlink(std::string* target) {
  if (!IsSymlink()) return -EINVAL;
  *target = inode_->target;
  return 0;
}

int64_t TmpfsDentry::LookupChild(const std::string& name,
                                 std::shared_ptr<vfs::Dentry>* out) {
  absl::MutexLock l(&dir_mu_);
  auto it = entries_.find(name);
  if (it == entries_.end()) return -ENOENT;
  *out = it->second;
  return 0;
}

void TmpfsDentry::List(std::vector<vfs::DirEntry>* out) {
  absl::MutexLock l(&dir_mu_);
  out->reserve(out->size() + entries_.size());
  for (const auto& [name, d] : entries_) {
    out->push_back(vfs::DirEntry{name, d->inode_->ino(), DirentType(d->type())});
  }
}

void TmpfsDentry::TouchDirLocked(int64_t size_delta) {
  absl::MutexLock l(&inode_->mu);
  inode_->mtime = inode_->ctime = vfs::NowTimespec();
  inode_->dir_size = static_cast<uint64_t>(
      static_cast<int64_t>(inode_->dir_size) + size_delta);
}

int64_t TmpfsDentry::AddChild(const std::string& name, mode_t mode, dev_t rdev,
                              const vfs::Credentials& creds,
                              const std::string& target,
                              std::shared_ptr<TmpfsDentry>* out) {
  uint32_t gid = creds.gid;
  {
    absl::MutexLock l(&inode_->mu);
    // Set-group-ID directories hand their group (and, to directories, the
    // bit itself) down.
    if (inode_->mode & S_ISGID) {
      gid = inode_->gid;
      if (S_ISDIR(mode)) mode |= S_ISGID;
    }
  }
  auto inode = std::make_shared<TmpfsInode>(fs_, fs_->NextIno(), mode,
                                            creds.uid, gid, rdev);
  inode->target = target;
  absl::MutexLock l(&dir_mu_);
  if (removed_) return -ENOENT;
  auto [it, inserted] = entries_.try_emplace(name, nullptr);
  if (!inserted) return -EEXIST;
  it->second = std::make_shared<TmpfsDentry>(
      fs_, shared_from_this(), name, std::move(inode));
  if (S_ISDIR(mode)) {
    absl::MutexLock il(&inode_->mu);
    ++inode_->nlink;
  }
  TouchDirLocked(kBogoDirentSize);
  if (out) *out = it->second;
  return 0;
}

int64_t TmpfsDentry::Create(const std::string& name, int flags, mode_t mode,
                            const vfs::Credentials& creds,
                            std::shared_ptr<vfs::Dentry>* out) {
  std::shared_ptr<TmpfsDentry> d;
  int64_t r = AddChild(name, S_IFREG | (mode & 07777), 0, creds, "", &d);
  if (r < 0) return r;
  *out = std::move(d);
  return 0;
}

int64_t TmpfsDentry::Mkdir(const std::string& name, mode_t mode,
                           const vfs::Credentials& creds) {
  return AddChild(name, S_IFDIR | (mode & 07777), 0, creds, "", nullptr);
}

int64_t TmpfsDentry::Mknod(const std::string& name, mode_t mode, dev_t dev,
                           const vfs::Credentials& creds) {
  dev_t rdev = (S_ISCHR(mode) || S_ISBLK(mode)) ? dev : 0;
  return AddChild(name, mode & (S_IFMT | 07777), rdev, creds, "", nullptr);
}

int64_t TmpfsDentry::Symlink(const std::string& name,
                             const std::string& target,
                             const vfs::Credentials& creds) {
  return AddChild(name, S_IFLNK | 0777, 0, creds, target, nullptr);
}

int64_t TmpfsDentry::Link(const std::string& name,
                          const std::shared_ptr<vfs::Dentry>& target) {
  auto* t = static_cast<TmpfsDentry*>(target.get());
  std::shared_ptr<TmpfsInode> inode = t->inode_;
  {
    absl::MutexLock l(&inode->mu);
    if (inode->nlink == 0 && !inode->linkable) return -ENOENT;
  }
  absl::MutexLock l(&dir_mu_);
  if (removed_) return -ENOENT;
  auto [it, inserted] = entries_.try_emplace(name, nullptr);
  if (!inserted) return -EEXIST;
  it->second =
      std::make_shared<TmpfsDentry>(fs_, shared_from_this(), name, inode);
  {
    absl::MutexLock il(&inode->mu);
    ++inode->nlink;
    inode->linkable = false;
    inode->ctime = vfs::NowTimespec();
  }
  TouchDirLocked(kBogoDirentSize);
  return 0;
}

int64_t TmpfsDentry::Unlink(const std::string& name,
                            const std::shared_ptr<vfs::Dentry>& child) {
  auto* c = static_cast<TmpfsDentry*>(child.get());
  absl::MutexLock l(&dir_mu_);
  auto it = entries_.find(name);
  if (it == entries_.end() || it->second.get() != c) return -ENOENT;
  entries_.erase(it);
  {
    absl::MutexLock il(&c->inode_->mu);
    if (c->inode_->nlink > 0) --c->inode_->nlink;
    c->inode_->ctime = vfs::NowTimespec();
  }
  TouchDirLocked(-kBogoDirentSize);
  return 0;
}

int64_t TmpfsDentry::Rmdir(const std::string& name,
                           const std::shared_ptr<vfs::Dentry>& child) {
  auto* c = static_cast<TmpfsDentry*>(child.get());
  absl::MutexLock l(&dir_mu_);
  auto it = entries_.find(name);
  if (it == entries_.end() || it->second.get() != c) return -ENOENT;
  {
    absl::MutexLock cl(&c->dir_mu_);
    if (!c->entries_.empty()) return -ENOTEMPTY;
    c->removed_ = true;
  }
  entries_.erase(it);
  {
    absl::MutexLock il(&c->inode_->mu);
    c->inode_->nlink = 0;
    c->inode_->ctime = vfs::NowTimespec();
  }
  {
    absl::MutexLock il(&inode_->mu);
    --inode_->nlink;
  }
  TouchDirLocked(-kBogoDirentSize);
  return 0;
}

int64_t TmpfsDentry::Rename(const std::string& old_name,
                            const std::shared_ptr<vfs::Dentry>& child,
                            vfs::Dentry& new_dir_base,
                            const std::string& new_name,
                            const std::shared_ptr<vfs::Dentry>& replaced,
                            unsigned flags) {
  auto& new_dir = static_cast<TmpfsDentry&>(new_dir_base);
  auto* src = static_cast<TmpfsDentry*>(child.get());
  auto* dst = static_cast<TmpfsDentry*>(replaced.get());
  const bool same_dir = &new_dir == this;
  // Only one rename runs at a time (the VFS's rename lock), and other
  // operations take a single directory lock: any order is safe here.
  absl::MutexLock l1(&dir_mu_);
  std::optional<absl::MutexLock> l2;
  if (!same_dir) l2.emplace(&new_dir.dir_mu_);
  if (new_dir.removed_) return -ENOENT;
  auto sit = entries_.find(old_name);
  if (sit == entries_.end() || sit->second.get() != src) return -ENOENT;
  auto dit = new_dir.entries_.find(new_name);
  if (dst) {
    if (dit == new_dir.entries_.end() || dit->second.get() != dst) {
      return -ENOENT;
    }
  } else if (dit != new_dir.entries_.end()) {
    return -EEXIST;  // appeared since the VFS looked
  }
  const bool src_dir = src->IsDir();
  const bool dst_dir = dst && dst->IsDir();
  auto adjust_nlink = [](TmpfsDentry& d, int delta) {
    absl::MutexLock il(&d.inode_->mu);
    d.inode_->nlink = static_cast<uint32_t>(static_cast<int>(d.inode_->nlink) + delta);
  };
  if (flags & vfs::kRenameExchange) {
    std::swap(sit->second, dit->second);
    if (!same_dir && src_dir != dst_dir) {
      // A directory moved one way and a non-directory the other.
      adjust_nlink(*this, src_dir ? -1 : 1);
      adjust_nlink(new_dir, src_dir ? 1 : -1);
    }
  } else {
    if (dst_dir) {
      absl::MutexLock dl(&dst->dir_mu_);
      if (!dst->entries_.empty()) return -ENOTEMPTY;
      dst->removed_ = true;
    }
    std::shared_ptr<TmpfsDentry> moving = std::move(sit->second);
    entries_.erase(sit);
    if (dst) {
      {
        absl::MutexLock il(&dst->inode_->mu);
        dst->inode_->nlink = dst_dir ? 0 : dst->inode_->nlink - 1;
        dst->inode_->ctime = vfs::NowTimespec();
      }
      if (dst_dir) adjust_nlink(new_dir, -1);
      new_dir.entries_[new_name] = std::move(moving);
    } else {
      new_dir.entries_.emplace(new_name, std::move(moving));
      new_dir.TouchDirLocked(kBogoDirentSize);
    }
    TouchDirLocked(-kBogoDirentSize);
    if (src_dir && !same_dir) {
      adjust_nlink(*this, -1);
      adjust_nlink(new_dir, 1);
    }
  }
  {
    absl::MutexLock il(&src->inode_->mu);
    src->inode_->ctime = vfs::NowTimespec();
  }
  TouchDirLocked(0);
  if (!same_dir) new_dir.TouchDirLocked(0);
  return 0;
}

int64_t TmpfsDentry::Tmpfile(const vfs::VirtualDentry& dir_vd, int flags,
                             mode_t mode, const vfs::Credentials& creds,
                             std::shared_ptr<vfs::FileDescription>* out) {
  {
    absl::MutexLock l(&dir_mu_);
    if (removed_) return -ENOENT;
  }
  uint64_t ino = fs_->NextIno();
  auto inode = std::make_shared<TmpfsInode>(fs_, ino, S_IFREG | (mode & 07777),
                                            creds.uid, creds.gid, 0);
  {
    absl::MutexLock l(&inode->mu);
    inode->nlink = 0;
    inode->linkable = !(flags & O_EXCL);
  }
  auto d = std::make_shared<TmpfsDentry>(fs_, shared_from_this(),
                                         absl::StrCat("#", ino), inode);
  d->MarkDeleted();
  auto f = std::make_shared<TmpfsRegularFile>(inode, vfs::OpenStatusFlags(flags));
  f->SetLocation(vfs::VirtualDentry{dir_vd.mount, d}, "");
  *out = std::move(f);
  return 0;
}

int64_t TmpfsDentry::SetAttr(const vfs::SetAttrRequest& req) {
  using R = vfs::SetAttrRequest;
  if (req.mask & R::kSize) {
    if (IsDir()) return -EISDIR;
    if (!IsRegular()) return -EINVAL;
    int64_t r = inode_->Truncate(req.size);
    if (r < 0) return r;
  }
  absl::MutexLock l(&inode_->mu);
  uapi::Timespec now = vfs::NowTimespec();
  // shmem_setattr: F_SEAL_EXEC freezes the execute bits.
  if ((req.mask & R::kMode) && (inode_->seals & uapi::kFSealExec) &&
      ((inode_->mode ^ req.mode) & 0111)) {
    return -EPERM;
  }
  if (req.mask & R::kMode) {
    inode_->mode = (inode_->mode & S_IFMT) | (req.mode & 07777);
  }
  if (req.mask & R::kUid) inode_->uid = req.uid;
  if (req.mask & R::kGid) inode_->gid = req.gid;
  if ((req.mask & R::kKillSuid) && !IsDir()) {
    inode_->mode &= ~S_ISUID;
    if (inode_->mode & S_IXGRP) inode_->mode &= ~S_ISGID;
  }
  if (req.mask & R::kAtimeNow) inode_->atime = now;
  if (req.mask & R::kAtime) inode_->atime = req.atime;
  if (req.mask & R::kMtimeNow) inode_->mtime = now;
  if (req.mask & R::kMtime) inode_->mtime = req.mtime;
  inode_->ctime = now;
  return 0;
}

int64_t TmpfsDentry::GetXattr(const std::string& name, std::string* value) {
  absl::MutexLock l(&inode_->mu);
  auto it = inode_->xattrs.find(name);
  if (it == inode_->xattrs.end()) return -ENODATA;
  *value = it->second;
  return 0;
}

int64_t TmpfsDentry::ListXattr(std::vector<std::string>* names) {
  absl::MutexLock l(&inode_->mu);
  for (const auto& [name, value] : inode_->xattrs) names->push_back(name);
  return 0;
}

int64_t TmpfsDentry::SetXattr(const std::string& name, const std::string& value,
                              int flags) {
  absl::MutexLock l(&inode_->mu);
  auto it = inode_->xattrs.find(name);
  if ((flags & XATTR_CREATE) && it != inode_->xattrs.end()) return -EEXIST;
  if ((flags & XATTR_REPLACE) && it == inode_->xattrs.end()) return -ENODATA;
  inode_->xattrs[name] = value;
  inode_->ctime = vfs::NowTimespec();
  return 0;
}

int64_t TmpfsDentry::RemoveXattr(const std::string& name) {
  absl::MutexLock l(&inode_->mu);
  if (inode_->xattrs.erase(name) == 0) return -ENODATA;
  inode_->ctime = vfs::NowTimespec();
  return 0;
}

int64_t TmpfsDentry::Open(const vfs::VirtualDentry& vd, int flags,
                          const vfs::Credentials& creds,
                          std::shared_ptr<vfs::FileDescription>* out) {
  const int status = vfs::OpenStatusFlags(flags);
  switch (type()) {
    case S_IFREG:
      *out = std::make_shared<TmpfsRegularFile>(inode_, status);
      return 0;
    case S_IFDIR:
      *out = std::make_shared<TmpfsDirFile>(
          std::static_pointer_cast<TmpfsDentry>(shared_from_this()), status);
      return 0;
    case S_IFIFO:
      return OpenFifo(creds.task, inode_->Fifo(), inode_->ino(), flags, out);
    case S_IFCHR:
      return OpenCharDevice(inode_->rdev, flags, creds, out);
    default:
      return -ENXIO;
  }
}

// ---- TmpfsRegularFile ----

TmpfsRegularFile::TmpfsRegularFile(std::shared_ptr<TmpfsInode> inode,
                                   int status_flags)
    : FileDescription(status_flags), inode_(std::move(inode)) {}

int64_t TmpfsRegularFile::Write(Task& t, const void* buf, uint64_t n) {
  absl::MutexLock l(&pos_mu_);
  int64_t end = 0;
  int64_t r = inode_->Write(buf, n, pos_, status_flags() & O_APPEND, &end);
  if (r < 0) return r;
  pos_ = end;
  return r;
}

int64_t TmpfsRegularFile::PRead(void* buf, uint64_t n, int64_t off) {
  if (off < 0) return -EINVAL;
  return inode_->Read(buf, n, off);
}

int64_t TmpfsRegularFile::PWrite(const void* buf, uint64_t n, int64_t off) {
  if (off < 0) return -EINVAL;
  // Linux appends even pwrite()s on an O_APPEND description.
  return inode_->Write(buf, n, off, status_flags() & O_APPEND, nullptr);
}

int64_t TmpfsRegularFile::Seek(int64_t off, int whence) {
  if (whence == SEEK_DATA || whence == SEEK_HOLE) {
    absl::MutexLock l(&pos_mu_);
    int64_t r = inode_->SeekDataHole(off, whence);
    if (r < 0) return r;
    pos_ = r;
    return r;
  }
  return FileDescription::Seek(off, whence);
}

int64_t TmpfsRegularFile::Stat(uapi::Stat* st) {
  inode_->Stat(st);
  return 0;
}

int64_t TmpfsRegularFile::Truncate(uint64_t size) {
  return inode_->Truncate(size);
}

int64_t TmpfsRegularFile::Allocate(int mode, uint64_t offset, uint64_t len) {
  return inode_->Allocate(mode, offset, len);
}

int64_t TmpfsRegularFile::PrepareMap(bool shared, int prot, bool* may_write,
                                     std::shared_ptr<const void>* writable_map) {
  *may_write = !shared || IsWritable();
  if (!shared) return 0;
  absl::MutexLock l(&inode_->mu);
  // Linux's memfd_check_seals_mmap: a write-sealed file takes no writable
  // shared mapping, and a read-only one can never be made writable.
  if (inode_->seals & (uapi::kFSealWrite | uapi::kFSealFutureWrite)) {
    if (prot & PROT_WRITE) return -EPERM;
    *may_write = false;
  }
  if (*may_write) {
    std::shared_ptr<const void> token = inode_->writable_maps.lock();
    if (!token) {
      token = std::make_shared<const int>(0);
      inode_->writable_maps = token;
    }
    *writable_map = std::move(token);
  }
  return 0;
}

int64_t TmpfsRegularFile::GetSeals() {
  absl::MutexLock l(&inode_->mu);
  return inode_->seals;
}

int64_t TmpfsRegularFile::AddSeals(unsigned add) {
  absl::MutexLock l(&inode_->mu);
  // memfd_add_seals, in its order.
  if (inode_->seals & uapi::kFSealSeal) return -EPERM;
  if ((add & uapi::kFSealWrite) && !(inode_->seals & uapi::kFSealWrite) &&
      !inode_->writable_maps.expired()) {
    return -EBUSY;
  }
  // F_SEAL_EXEC on an executable file implies the write seals (W^X).
  if ((add & uapi::kFSealExec) && (inode_->mode & 0111)) {
    add |= uapi::kFSealShrink | uapi::kFSealGrow | uapi::kFSealWrite |
           uapi::kFSealFutureWrite;
    if (!(inode_->seals & uapi::kFSealWrite) &&
        !inode_->writable_maps.expired()) {
      return -EBUSY;
    }
  }
  inode_->seals |= add;
  return 0;
}

// ---- memfd ----

namespace {

class MemfdFile : public TmpfsRegularFile {
 public:
  MemfdFile(std::shared_ptr<TmpfsInode> inode, int flags, std::string name)
      : TmpfsRegularFile(std::move(inode), flags), name_(std::move(name)) {}
  std::string Path() const override {
    return "/memfd:" + name_ + " (deleted)";
  }
  // open(2) of /proc/PID/fd/N: a new description of the same memfd with
  // the access asked for (its seals, which belong to the file, included),
  // as Linux reopens the inode.
  int64_t Reopen(int flags, const vfs::Credentials& creds,
                 std::shared_ptr<vfs::FileDescription>* out) override {
    if (flags & O_DIRECTORY) return -ENOTDIR;
    const int acc = flags & O_ACCMODE;
    if (acc == O_ACCMODE) return -EINVAL;
    int want = 0;
    if (acc == O_RDONLY || acc == O_RDWR) want |= vfs::kMayRead;
    if (acc == O_WRONLY || acc == O_RDWR) want |= vfs::kMayWrite;
    {
      absl::MutexLock l(&inode()->mu);
      int64_t r = vfs::CheckPermission(creds, inode()->mode, inode()->uid,
                                       inode()->gid, want);
      if (r < 0) return r;
    }
    if ((flags & O_TRUNC) && acc != O_RDONLY) {
      int64_t r = inode()->Truncate(0);
      if (r < 0) return r;
    }
    constexpr int kKept = O_ACCMODE | O_APPEND | O_NONBLOCK | O_DSYNC |
                          O_DIRECT | O_NOATIME | vfs::kOLargefile;
    *out = std::make_shared<MemfdFile>(inode(), flags & kKept, name_);
    return 0;
  }

 private:
  const std::string name_;
};

}  // namespace

std::shared_ptr<vfs::FileDescription> NewMemfdFile(const std::string& name,
                                                   int status_flags,
                                                   unsigned flags) {
  static TmpfsFilesystem* memfd_fs = [] {
    TmpfsOptions o;
    o.name = "tmpfs";
    auto fs = TmpfsFilesystem::New(o);
    // Lives for the whole sentry.
    return new std::shared_ptr<TmpfsFilesystem>(fs);
  }()->get();
  auto inode = std::make_shared<TmpfsInode>(memfd_fs, memfd_fs->NextIno(),
                                            S_IFREG | 0777, 0, 0, 0);
  {
    absl::MutexLock l(&inode->mu);
    inode->nlink = 0;
    // memfd_create: sealable only with MFD_ALLOW_SEALING; MFD_NOEXEC_SEAL
    // makes it sealable, not executable, and F_SEAL_EXEC-sealed.
    if (flags & MFD_ALLOW_SEALING) inode->seals = 0;
    if (flags & uapi::kMfdNoexecSeal) {
      inode->mode &= ~0111;
      inode->seals = uapi::kFSealExec;
    }
  }
  return std::make_shared<MemfdFile>(inode, status_flags, name);
}

}  // namespace sentry::fs
