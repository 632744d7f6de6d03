// open(2) and open-for-exec on top of the path walk.
#include <sys/stat.h>

#include <cerrno>
#include <utility>

#include "sentry/vfs/dentry.h"
#include "sentry/vfs/fs_context.h"
#include "sentry/vfs/fsnotify.h"
#include "sentry/vfs/mount.h"
#include "sentry/vfs/opath_file.h"
#include "sentry/vfs/vfs.h"

namespace sentry::vfs {

namespace {

// What open(2) asks of the file (Linux's ACC_MODE plus O_TRUNC's write).
int OpenAccessWanted(int flags) {
  int want = 0;
  int acc = flags & O_ACCMODE;
  if (acc == O_RDONLY || acc == O_RDWR || acc == O_ACCMODE) want |= kMayRead;
  if (acc == O_WRONLY || acc == O_RDWR || acc == O_ACCMODE) want |= kMayWrite;
  if (flags & O_TRUNC) want |= kMayWrite;
  return want;
}

}  // namespace

int64_t VirtualFilesystem::OpenLocation(const VirtualDentry& vd, int flags,
                                        const Credentials& creds,
                                        std::shared_ptr<FileDescription>* out) {
  Dentry& d = *vd.dentry;
  if (flags & O_PATH) {
    if ((flags & O_DIRECTORY) && !d.IsDir()) return -ENOTDIR;
    auto f = std::make_shared<OpathFileDescription>(flags);
    f->SetLocation(vd, PathOf(Root(), vd));
    *out = std::move(f);
    return 0;
  }
  if (d.IsSymlink()) return -ELOOP;  // O_NOFOLLOW on a symlink
  if ((flags & O_DIRECTORY) && !d.IsDir()) return -ENOTDIR;
  const int want = OpenAccessWanted(flags);
  if (d.IsDir() && ((want & kMayWrite) || (flags & O_CREAT))) return -EISDIR;
  if ((want & kMayWrite) && (d.IsRegular() || d.IsDir()) &&
      vd.mount->ReadOnly()) {
    return -EROFS;
  }
  if ((S_ISCHR(d.type()) || S_ISBLK(d.type())) && vd.mount->NoDev()) {
    return -EACCES;
  }
  if (!creds.IsRoot()) {
    uapi::Stat st;
    int64_t r = d.Stat(&st);
    if (r < 0) return r;
    r = CheckPermission(creds, st.st_mode, st.st_uid, st.st_gid, want);
    if (r < 0) return r;
  }
  std::shared_ptr<FileDescription> f;
  int64_t r = d.Open(vd, flags, creds, &f);
  if (r < 0) return r;
  f->SetLocation(vd, PathOf(Root(), vd));
  if ((flags & O_TRUNC) && d.IsRegular()) {
    SetAttrRequest req;
    req.mask = SetAttrRequest::kSize;
    req.size = 0;
    r = d.SetAttr(req);
    if (r < 0) return r;
    fsnotify::Notify(&d, kInModify);
  }
  fsnotify::Notify(&d, kInOpen);
  *out = std::move(f);
  return 0;
}

int64_t VirtualFilesystem::OpenAt(const VirtualDentry& root,
                                  const VirtualDentry& start,
                                  std::string_view path, int flags,
                                  mode_t mode, const Credentials& creds,
                                  std::shared_ptr<FileDescription>* out,
                                  int resolve) {
  if (flags & O_PATH) flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  const bool tmpfile = (flags & O_TMPFILE) == O_TMPFILE;
  const bool create = (flags & O_CREAT) && !tmpfile;
  const bool excl = create && (flags & O_EXCL);
  // O_CREAT|O_EXCL never follows a final symlink: it must not exist at all.
  const bool follow = !(flags & O_NOFOLLOW) && !excl;
  WalkResult res;
  int64_t r = Walk(root, start, path, follow, create, creds, &res, resolve);
  if (r < 0) return r;
  if (tmpfile) {
    // An unnamed file in the directory `path`.
    if (!res.vd.dentry->IsDir()) return -ENOTDIR;
    if (res.vd.mount->ReadOnly()) return -EROFS;
    r = MayCreate(res.vd, creds);
    if (r < 0) return r;
    std::shared_ptr<FileDescription> f;
    r = res.vd.dentry->Tmpfile(res.vd, flags, mode, creds, &f);
    if (r < 0) return r;
    // The filesystem set the location (an unnamed dentry); name it.
    VirtualDentry loc = f->location();
    if (loc.ok()) f->SetLocation(loc, PathOf(Root(), loc));
    *out = std::move(f);
    return 0;
  }
  if (!res.found) {
    if (res.trailing_slash) return -EISDIR;
    if (res.parent.mount->ReadOnly()) return -EROFS;
    r = MayCreate(res.parent, creds);
    if (r < 0) return r;
    std::shared_ptr<Dentry> child;
    r = res.parent.dentry->Create(res.name, flags, mode, creds, &child);
    if (r == -EEXIST && !excl) {
      // Lost a race with another creator: open what is there now.
      return OpenAt(root, start, path, flags & ~O_CREAT, mode, creds, out,
                    resolve);
    }
    if (r < 0) return r;
    res.parent.dentry->CacheChild(res.name, child);
    fsnotify::NotifyDir(res.parent.dentry.get(), kInCreate, res.name);
    // A file just created opens whatever its mode says, as in Linux.
    VirtualDentry vd{res.parent.mount, std::move(child)};
    std::shared_ptr<FileDescription> f;
    r = vd.dentry->Open(vd, flags & ~O_TRUNC, creds, &f);
    if (r < 0) return r;
    f->SetLocation(vd, PathOf(Root(), vd));
    fsnotify::Notify(vd.dentry.get(), kInOpen);
    *out = std::move(f);
    return 0;
  }
  if (excl) return -EEXIST;
  if (create && res.vd.dentry->IsDir()) return -EISDIR;
  return OpenLocation(res.vd, flags, creds, out);
}

int64_t VirtualFilesystem::OpenForExec(const FsContext& fs,
                                       const std::string& path,
                                       std::shared_ptr<FileDescription>* out,
                                       std::string* resolved) {
  return OpenForExec(fs, path, Credentials{}, out, resolved);
}

int64_t VirtualFilesystem::OpenForExec(const FsContext& fs,
                                       const std::string& path,
                                       const Credentials& creds,
                                       std::shared_ptr<FileDescription>* out,
                                       std::string* resolved) {
  VirtualDentry root = fs.root();
  WalkResult res;
  int64_t r = Walk(root, fs.cwd(), path, true, false, creds, &res);
  if (r < 0) return r;
  const VirtualDentry& vd = res.vd;
  if (!vd.dentry->IsRegular() || vd.mount->NoExec()) return -EACCES;
  uapi::Stat st;
  r = vd.dentry->Stat(&st);
  if (r < 0) return r;
  r = CheckPermission(creds, st.st_mode, st.st_uid, st.st_gid, kMayExec);
  if (r < 0) return r;
  std::shared_ptr<FileDescription> f;
  r = OpenLocation(vd, O_RDONLY | kOLargefile, creds, &f);
  if (r < 0) return r;
  if (resolved) *resolved = PathOf(root, vd);
  *out = std::move(f);
  return 0;
}

}  // namespace sentry::vfs
