// Namespace operations: mkdir, mknod, symlink, link, unlink, rmdir, rename,
// and attribute changes. The generic checks follow Linux's fs/namei.c in
// its order, so that the same call fails with the same errno; filesystems
// only do the operation itself (see Dentry).
//
// Every operation works on a parent directory and a final name found by
// WalkParent: the final component is never followed (a symlink there is
// what gets removed or renamed) and mounts on it are not crossed (a
// mountpoint is EBUSY).
#include <sys/stat.h>

#include <cerrno>
#include <utility>

#include "sentry/vfs/dentry.h"
#include "sentry/vfs/filesystem.h"
#include "sentry/vfs/fsnotify.h"
#include "sentry/vfs/mount.h"
#include "sentry/vfs/vfs.h"

namespace sentry::vfs {

namespace {

// Same file: the same dentry, or two hard links to one inode.
bool SameInode(Dentry& a, Dentry& b) {
  if (&a == &b) return true;
  uapi::Stat sa, sb;
  if (a.Stat(&sa) < 0 || b.Stat(&sb) < 0) return false;
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

// Whether `anc` is `d` or one of its ancestors (within one filesystem).
bool IsAncestor(const Dentry* anc, std::shared_ptr<Dentry> d) {
  while (d) {
    if (d.get() == anc) return true;
    d = d->parent();
  }
  return false;
}

}  // namespace

int64_t VirtualFilesystem::MayCreate(const VirtualDentry& dir,
                                     const Credentials& creds) {
  if (dir.dentry->IsDeleted()) return -ENOENT;
  if (creds.IsRoot()) return 0;
  uapi::Stat st;
  int64_t r = dir.dentry->Stat(&st);
  if (r < 0) return r;
  return CheckPermission(creds, st.st_mode, st.st_uid, st.st_gid,
                         kMayWrite | kMayExec);
}

int64_t VirtualFilesystem::MayDelete(const VirtualDentry& dir, Dentry& child,
                                     const Credentials& creds) {
  if (creds.IsRoot()) return 0;
  uapi::Stat dst;
  int64_t r = dir.dentry->Stat(&dst);
  if (r < 0) return r;
  r = CheckPermission(creds, dst.st_mode, dst.st_uid, dst.st_gid,
                      kMayWrite | kMayExec);
  if (r < 0) return r;
  if (dst.st_mode & S_ISVTX) {
    // Sticky directory: only the file's or the directory's owner.
    uapi::Stat cst;
    r = child.Stat(&cst);
    if (r < 0) return r;
    if (cst.st_uid != creds.uid && dst.st_uid != creds.uid) return -EPERM;
  }
  return 0;
}

int64_t VirtualFilesystem::MkdirAt(const VirtualDentry& root,
                                   const VirtualDentry& start,
                                   std::string_view path, mode_t mode,
                                   const Credentials& creds) {
  ParentResult p;
  int64_t r = WalkParent(root, start, path, creds, &p);
  if (r < 0) return r;
  if (p.type != LastType::kNormal) return -EEXIST;
  std::shared_ptr<Dentry> existing;
  r = LookupLast(p, creds, &existing);
  if (r == 0) return -EEXIST;
  if (r != -ENOENT) return r;
  if (p.dir.mount->ReadOnly()) return -EROFS;
  r = MayCreate(p.dir, creds);
  if (r < 0) return r;
  r = p.dir.dentry->Mkdir(p.name, mode & 07777, creds);
  if (r == 0) fsnotify::NotifyDir(p.dir.dentry.get(), kInCreate | kInIsdir, p.name);
  return r;
}

int64_t VirtualFilesystem::MknodAt(const VirtualDentry& root,
                                   const VirtualDentry& start,
                                   std::string_view path, mode_t mode,
                                   dev_t dev, const Credentials& creds) {
  if ((mode & S_IFMT) == 0) mode |= S_IFREG;
  switch (mode & S_IFMT) {
    case S_IFREG:
    case S_IFCHR:
    case S_IFBLK:
    case S_IFIFO:
    case S_IFSOCK:
      break;
    case S_IFDIR:
      return -EPERM;
    default:
      return -EINVAL;
  }
  ParentResult p;
  int64_t r = WalkParent(root, start, path, creds, &p);
  if (r < 0) return r;
  if (p.type != LastType::kNormal) return -EEXIST;
  std::shared_ptr<Dentry> existing;
  r = LookupLast(p, creds, &existing);
  if (r == 0) return -EEXIST;
  if (r != -ENOENT) return r;
  if (p.trailing_slash) return -ENOENT;
  if (p.dir.mount->ReadOnly()) return -EROFS;
  r = MayCreate(p.dir, creds);
  if (r < 0) return r;
  if ((S_ISCHR(mode) || S_ISBLK(mode)) && !creds.IsRoot()) return -EPERM;
  r = p.dir.dentry->Mknod(p.name, mode, dev, creds);
  if (r == 0) fsnotify::NotifyDir(p.dir.dentry.get(), kInCreate, p.name);
  return r;
}

int64_t VirtualFilesystem::SymlinkAt(const VirtualDentry& root,
                                     const VirtualDentry& start,
                                     std::string_view path,
                                     const std::string& target,
                                     const Credentials& creds) {
  if (target.empty()) return -ENOENT;
  ParentResult p;
  int64_t r = WalkParent(root, start, path, creds, &p);
  if (r < 0) return r;
  if (p.type != LastType::kNormal) return -EEXIST;
  std::shared_ptr<Dentry> existing;
  r = LookupLast(p, creds, &existing);
  if (r == 0) return -EEXIST;
  if (r != -ENOENT) return r;
  if (p.trailing_slash) return -ENOENT;
  if (p.dir.mount->ReadOnly()) return -EROFS;
  r = MayCreate(p.dir, creds);
  if (r < 0) return r;
  r = p.dir.dentry->Symlink(p.name, target, creds);
  if (r == 0) fsnotify::NotifyDir(p.dir.dentry.get(), kInCreate, p.name);
  return r;
}

int64_t VirtualFilesystem::LinkAt(const VirtualDentry& root,
                                  const VirtualDentry& old,
                                  const VirtualDentry& start,
                                  std::string_view path,
                                  const Credentials& creds) {
  ParentResult p;
  int64_t r = WalkParent(root, start, path, creds, &p);
  if (r < 0) return r;
  if (p.type != LastType::kNormal) return -EEXIST;
  std::shared_ptr<Dentry> existing;
  r = LookupLast(p, creds, &existing);
  if (r == 0) return -EEXIST;
  if (r != -ENOENT) return r;
  if (p.trailing_slash) return -ENOENT;
  if (p.dir.mount->ReadOnly()) return -EROFS;
  if (old.mount != p.dir.mount) return -EXDEV;
  r = MayCreate(p.dir, creds);
  if (r < 0) return r;
  if (&old.dentry->filesystem() != &p.dir.dentry->filesystem()) return -EXDEV;
  if (old.dentry->IsDir()) return -EPERM;
  r = p.dir.dentry->Link(p.name, old.dentry);
  if (r < 0) return r;
  fsnotify::Notify(old.dentry.get(), kInAttrib);
  fsnotify::NotifyDir(p.dir.dentry.get(), kInCreate, p.name);
  return 0;
}

int64_t VirtualFilesystem::UnlinkAt(const VirtualDentry& root,
                                    const VirtualDentry& start,
                                    std::string_view path,
                                    const Credentials& creds) {
  ParentResult p;
  int64_t r = WalkParent(root, start, path, creds, &p);
  if (r < 0) return r;
  if (p.type != LastType::kNormal) return -EISDIR;
  if (p.dir.mount->ReadOnly()) return -EROFS;
  std::shared_ptr<Dentry> child;
  r = LookupLast(p, creds, &child);
  if (r < 0) return r;
  if (p.trailing_slash) return child->IsDir() ? -EISDIR : -ENOTDIR;
  r = MayDelete(p.dir, *child, creds);
  if (r < 0) return r;
  if (child->IsDir()) return -EISDIR;
  if (IsMountpoint(child.get())) return -EBUSY;
  r = p.dir.dentry->Unlink(p.name, child);
  if (r < 0) return r;
  p.dir.dentry->ForgetChild(p.name, child.get());
  child->MarkDeleted();
  fsnotify::Notify(child.get(), kInAttrib);
  fsnotify::NotifyDir(p.dir.dentry.get(), kInDelete, p.name);
  uapi::Stat st;
  if (child->Stat(&st) == 0 && st.st_nlink == 0) {
    fsnotify::Notify(child.get(), kInDeleteSelf);
  }
  return 0;
}

int64_t VirtualFilesystem::RmdirAt(const VirtualDentry& root,
                                   const VirtualDentry& start,
                                   std::string_view path,
                                   const Credentials& creds) {
  ParentResult p;
  int64_t r = WalkParent(root, start, path, creds, &p);
  if (r < 0) return r;
  switch (p.type) {
    case LastType::kDotDot:
      return -ENOTEMPTY;
    case LastType::kDot:
      return -EINVAL;
    case LastType::kRoot:
      return -EBUSY;
    case LastType::kNormal:
      break;
  }
  if (p.dir.mount->ReadOnly()) return -EROFS;
  std::shared_ptr<Dentry> child;
  r = LookupLast(p, creds, &child);
  if (r < 0) return r;
  r = MayDelete(p.dir, *child, creds);
  if (r < 0) return r;
  if (!child->IsDir()) return -ENOTDIR;
  if (IsMountpoint(child.get())) return -EBUSY;
  r = p.dir.dentry->Rmdir(p.name, child);
  if (r < 0) return r;
  p.dir.dentry->ForgetChild(p.name, child.get());
  child->MarkDeleted();
  fsnotify::NotifyDir(p.dir.dentry.get(), kInDelete | kInIsdir, p.name);
  fsnotify::Notify(child.get(), kInDeleteSelf);
  return 0;
}

int64_t VirtualFilesystem::RenameAt(const VirtualDentry& root,
                                    const VirtualDentry& old_start,
                                    std::string_view old_path,
                                    const VirtualDentry& new_start,
                                    std::string_view new_path, unsigned flags,
                                    const Credentials& creds) {
  if (flags & ~(kRenameNoreplace | kRenameExchange | kRenameWhiteout)) {
    return -EINVAL;
  }
  if ((flags & (kRenameNoreplace | kRenameWhiteout)) &&
      (flags & kRenameExchange)) {
    return -EINVAL;
  }
  // Whiteouts only matter to overlay filesystems, which the sandbox does
  // not have.
  if (flags & kRenameWhiteout) return -EINVAL;
  ParentResult op, np;
  int64_t r = WalkParent(root, old_start, old_path, creds, &op);
  if (r < 0) return r;
  r = WalkParent(root, new_start, new_path, creds, &np);
  if (r < 0) return r;
  if (op.dir.mount != np.dir.mount) return -EXDEV;
  if (op.type != LastType::kNormal) return -EBUSY;
  if (np.type != LastType::kNormal) {
    return (flags & kRenameNoreplace) ? -EEXIST : -EBUSY;
  }
  if (op.dir.mount->ReadOnly()) return -EROFS;

  absl::MutexLock rename_lock(&rename_mu_);
  std::shared_ptr<Dentry> src;
  r = LookupLast(op, creds, &src);
  if (r < 0) return r;
  std::shared_ptr<Dentry> dst;
  r = LookupLast(np, creds, &dst);
  if (r < 0 && r != -ENOENT) return r;
  if (r == -ENOENT) dst = nullptr;
  if ((flags & kRenameNoreplace) && dst) return -EEXIST;
  if (flags & kRenameExchange) {
    if (!dst) return -ENOENT;
    if (!dst->IsDir() && np.trailing_slash) return -ENOTDIR;
  }
  if (!src->IsDir()) {
    if (op.trailing_slash) return -ENOTDIR;
    if (!(flags & kRenameExchange) && np.trailing_slash) return -ENOTDIR;
  }
  // The source may not be an ancestor of the target...
  if (IsAncestor(src.get(), np.dir.dentry)) return -EINVAL;
  // ...nor the target an ancestor of the source.
  if (dst && IsAncestor(dst.get(), op.dir.dentry)) {
    return (flags & kRenameExchange) ? -EINVAL : -ENOTEMPTY;
  }
  if (dst && SameInode(*src, *dst)) return 0;

  const bool src_dir = src->IsDir();
  r = MayDelete(op.dir, *src, creds);
  if (r < 0) return r;
  if (!dst) {
    r = MayCreate(np.dir, creds);
    if (r < 0) return r;
  } else {
    r = MayDelete(np.dir, *dst, creds);
    if (r < 0) return r;
    const bool dst_dir = dst->IsDir();
    if (flags & kRenameExchange) {
      // Both move: nothing to check between their types.
    } else if (src_dir && !dst_dir) {
      return -ENOTDIR;
    } else if (!src_dir && dst_dir) {
      return -EISDIR;
    }
  }
  if (np.dir.dentry->IsDeleted()) return -ENOENT;
  if (src_dir && np.dir.dentry != op.dir.dentry && !creds.IsRoot()) {
    // Moving a directory rewrites its "..".
    uapi::Stat st;
    r = src->Stat(&st);
    if (r < 0) return r;
    r = CheckPermission(creds, st.st_mode, st.st_uid, st.st_gid, kMayWrite);
    if (r < 0) return r;
  }
  if (IsMountpoint(src.get()) || (dst && IsMountpoint(dst.get()))) {
    return -EBUSY;
  }
  r = op.dir.dentry->Rename(op.name, src, *np.dir.dentry, np.name, dst,
                            flags);
  if (r < 0) return r;

  // Keep the dentry tree in step with the filesystem.
  op.dir.dentry->ForgetChild(op.name, src.get());
  np.dir.dentry->ForgetChild(np.name);
  if (flags & kRenameExchange) {
    src->SetParentAndName(np.dir.dentry, np.name);
    dst->SetParentAndName(op.dir.dentry, op.name);
    np.dir.dentry->CacheChild(np.name, src);
    op.dir.dentry->CacheChild(op.name, dst);
  } else {
    if (dst) dst->MarkDeleted();
    src->SetParentAndName(np.dir.dentry, np.name);
    np.dir.dentry->CacheChild(np.name, src);
  }
  const uint32_t isdir = src_dir ? kInIsdir : 0;
  const uint32_t cookie = fsnotify::NextCookie();
  fsnotify::NotifyDir(op.dir.dentry.get(), kInMovedFrom | isdir, op.name, cookie);
  fsnotify::NotifyDir(np.dir.dentry.get(), kInMovedTo | isdir, np.name, cookie);
  fsnotify::Notify(src.get(), kInMoveSelf);
  if (dst && !(flags & kRenameExchange)) {
    fsnotify::Notify(dst.get(), kInDeleteSelf);
  }
  return 0;
}

int64_t VirtualFilesystem::SetAttr(const VirtualDentry& vd,
                                   const SetAttrRequest& req) {
  if (vd.mount->ReadOnly()) return -EROFS;
  int64_t r = vd.dentry->SetAttr(req);
  if (r == 0) {
    fsnotify::Notify(vd.dentry.get(),
                     (req.mask & SetAttrRequest::kSize) ? kInModify : kInAttrib);
  }
  return r;
}

int64_t VirtualFilesystem::Statfs(const VirtualDentry& vd, uapi::Statfs* out) {
  int64_t r = vd.mount->filesystem().Statfs(out);
  if (r < 0) return r;
  out->f_flags = vd.mount->StatfsFlags();
  return 0;
}

}  // namespace sentry::vfs
