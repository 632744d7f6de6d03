#include "sentry/fs/procfs/nodes.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "absl/hash/hash.h"
#include "abi/linux/dirent.h"
#include "sentry/kernel/task.h"

namespace sentry::fs::proc {

namespace {

std::string NewBootId() {
  unsigned char b[16];
  if (getrandom(b, sizeof(b), 0) != sizeof(b)) std::memset(b, 0x42, sizeof(b));
  b[6] = (b[6] & 0x0f) | 0x40;  // version 4
  b[8] = (b[8] & 0x3f) | 0x80;
  char out[40];
  snprintf(out, sizeof(out),
           "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
           b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
           b[11], b[12], b[13], b[14], b[15]);
  return out;
}

uint8_t DirentType(uint32_t type) {
  switch (type & S_IFMT) {
    case S_IFDIR:
      return uapi::kDtDir;
    case S_IFLNK:
      return uapi::kDtLnk;
    default:
      return uapi::kDtReg;
  }
}

uint64_t ChildIno(uint64_t parent_ino, const std::string& name) {
  uint64_t h = absl::HashOf(parent_ino, name);
  // Small numbers are the fixed ones (root is 1).
  return h < 4096 ? h + 4096 : h;
}

// An empty filesystem for AnonLocation's mount.
class AnonFs : public vfs::Filesystem {
 public:
  std::string Name() const override { return "anon_inodefs"; }
  std::shared_ptr<vfs::Dentry> Root() override { return nullptr; }
};

class AnonDentry : public vfs::Dentry {
 public:
  AnonDentry(vfs::Filesystem* fs, std::shared_ptr<vfs::FileDescription> f,
             uint32_t type)
      : vfs::Dentry(nullptr, f->Path(), type), fs_(fs), file_(std::move(f)) {}
  vfs::Filesystem& filesystem() const override { return *fs_; }
  int64_t Stat(uapi::Stat* st) override { return file_->Stat(st); }
  int64_t Open(const vfs::VirtualDentry& vd, int flags,
               const vfs::Credentials& creds,
               std::shared_ptr<vfs::FileDescription>* out) override {
    return file_->Reopen(flags, creds, out);
  }

 protected:
  int64_t LookupChild(const std::string& name,
                      std::shared_ptr<vfs::Dentry>* out) override {
    return -ENOTDIR;
  }

 private:
  vfs::Filesystem* const fs_;
  const std::shared_ptr<vfs::FileDescription> file_;
};

// An open generated file: the text taken at open, read like a file.
class ProcFileDescription : public vfs::FileDescription {
 public:
  ProcFileDescription(int flags, std::string data, WriteFn write)
      : FileDescription(flags),
        data_(std::move(data)),
        write_(std::move(write)) {}
  int64_t PRead(void* buf, uint64_t n, int64_t off) override {
    if (off < 0) return -EINVAL;
    if (static_cast<uint64_t>(off) >= data_.size()) return 0;
    uint64_t count = std::min<uint64_t>(n, data_.size() - off);
    std::memcpy(buf, data_.data() + off, count);
    return static_cast<int64_t>(count);
  }
  int64_t Write(Task& t, const void* buf, uint64_t n) override {
    return PWrite(buf, n, 0);
  }
  int64_t PWrite(const void* buf, uint64_t n, int64_t off) override {
    if (!write_) return -EINVAL;
    int64_t r = write_(std::string(static_cast<const char*>(buf), n));
    return r < 0 ? r : static_cast<int64_t>(n);
  }
  int64_t Stat(uapi::Stat* st) override {
    if (!location().ok()) return -EBADF;
    int64_t r = location().dentry->Stat(st);
    return r;
  }
  int64_t Truncate(uint64_t size) override { return write_ ? 0 : -EINVAL; }

 private:
  const std::string data_;
  WriteFn write_;
};

class ProcDirFile : public vfs::DirectoryFileDescription {
 public:
  ProcDirFile(std::shared_ptr<Dir> dir, int flags)
      : DirectoryFileDescription(flags), dir_(std::move(dir)) {}
  int64_t Stat(uapi::Stat* st) override { return dir_->Stat(st); }

 protected:
  int64_t ListEntries(std::vector<vfs::DirEntry>* out) override {
    dir_->List(out);
    return 0;
  }

 private:
  const std::shared_ptr<Dir> dir_;
};

}  // namespace

ProcFs::ProcFs(Kernel& kernel)
    : kernel_(kernel),
      dev_(vfs::AllocateAnonDevice()),
      mount_time_(vfs::NowTimespec()),
      boot_id_(NewBootId()) {
  static auto* anon_fs = new AnonFs();
  anon_mount_ = std::make_shared<vfs::Mount>(
      0, std::shared_ptr<vfs::Filesystem>(anon_fs, [](vfs::Filesystem*) {}),
      nullptr, 0, nullptr, nullptr, "anon_inodefs");
}

int64_t ProcFs::Statfs(uapi::Statfs* out) {
  vfs::Filesystem::Statfs(out);
  out->f_type = uapi::kProcSuperMagic;
  return 0;
}

vfs::VirtualDentry AnonLocation(ProcFs* fs,
                                std::shared_ptr<vfs::FileDescription> file) {
  uapi::Stat st;
  uint32_t type = file->Stat(&st) == 0 ? (st.st_mode & S_IFMT) : S_IFREG;
  static auto* anon_fs = new AnonFs();
  auto d = std::make_shared<AnonDentry>(anon_fs, std::move(file), type);
  return vfs::VirtualDentry{fs->anon_mount(), d};
}

// ---- Node ----

Node::Node(ProcFs* fs, std::shared_ptr<vfs::Dentry> parent, std::string name,
           uint32_t mode)
    : vfs::Dentry(parent, name, mode),
      fs_(fs),
      mode_(mode),
      ino_(parent ? ChildIno(static_cast<Node*>(parent.get())->ino_, name)
                  : 1) {}

int64_t Node::Stat(uapi::Stat* st) {
  std::memset(st, 0, sizeof(*st));
  st->st_dev = fs_->dev();
  st->st_ino = ino_;
  st->st_mode = mode_;
  st->st_nlink = S_ISDIR(mode_) ? 2 : 1;
  uint32_t uid = 0, gid = 0;
  if (owner_) owner_(&uid, &gid);
  st->st_uid = uid;
  st->st_gid = gid;
  st->st_blksize = 1024;
  st->st_atim = st->st_mtim = st->st_ctim = fs_->mount_time();
  return 0;
}

int64_t Node::Open(const vfs::VirtualDentry& vd, int flags,
                   const vfs::Credentials& creds,
                   std::shared_ptr<vfs::FileDescription>* out) {
  return -EACCES;
}

// ---- Dir ----

Dir::Dir(ProcFs* fs, std::shared_ptr<vfs::Dentry> parent, std::string name,
         uint32_t perm, ListFn list, MakeFn make)
    : Node(fs, std::move(parent), std::move(name), S_IFDIR | perm),
      list_(std::move(list)),
      make_(std::move(make)) {}

int64_t Dir::LookupChild(const std::string& name,
                         std::shared_ptr<vfs::Dentry>* out) {
  return make_(shared_from_this(), name, out);
}

void Dir::List(std::vector<vfs::DirEntry>* out) {
  std::vector<ChildInfo> kids;
  list_(&kids);
  for (const ChildInfo& c : kids) {
    out->push_back(vfs::DirEntry{c.name, ChildIno(ino_, c.name),
                                 DirentType(c.type)});
  }
}

int64_t Dir::Open(const vfs::VirtualDentry& vd, int flags,
                  const vfs::Credentials& creds,
                  std::shared_ptr<vfs::FileDescription>* out) {
  *out = std::make_shared<ProcDirFile>(
      std::static_pointer_cast<Dir>(shared_from_this()),
      vfs::OpenStatusFlags(flags));
  return 0;
}

// ---- File ----

File::File(ProcFs* fs, std::shared_ptr<vfs::Dentry> parent, std::string name,
           uint32_t perm, GenFn gen, WriteFn write)
    : Node(fs, std::move(parent), std::move(name), S_IFREG | perm),
      gen_(std::move(gen)),
      write_(std::move(write)) {}

int64_t File::Open(const vfs::VirtualDentry& vd, int flags,
                   const vfs::Credentials& creds,
                   std::shared_ptr<vfs::FileDescription>* out) {
  // Permissions were checked by the VFS (root may open read-only files for
  // writing; the writes then fail with EINVAL).
  int acc = flags & O_ACCMODE;
  std::string data;
  if (acc != O_WRONLY) {
    int64_t r = gen_(creds, &data);
    if (r < 0) return r;
  }
  *out = std::make_shared<ProcFileDescription>(vfs::OpenStatusFlags(flags),
                                               std::move(data), write_);
  return 0;
}

// ---- Link ----

Link::Link(ProcFs* fs, std::shared_ptr<vfs::Dentry> parent, std::string name,
           TargetFn target, JumpFn jump)
    : Node(fs, std::move(parent), std::move(name), S_IFLNK | 0777),
      target_(std::move(target)),
      jump_(std::move(jump)) {}

int64_t Link::Readlink(std::string* target) {
  return target_(vfs::Credentials{}, target);
}

int64_t Link::ReadlinkAs(const vfs::Credentials& creds, std::string* target) {
  return target_(creds, target);
}

int64_t Link::FollowMagicLink(const vfs::Credentials& creds,
                              vfs::VirtualDentry* out) {
  if (!jump_) return -ENOENT;
  return jump_(creds, out);
}

}  // namespace sentry::fs::proc
