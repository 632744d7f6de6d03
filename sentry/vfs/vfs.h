// VirtualFilesystem: the sandbox's mount tree and path walk.
//
// The walk is done here, one component at a time, for every filesystem: a
// filesystem only ever looks up a single name in a directory it already
// holds, so `..`, symlinks and mount crossings are decided by the sentry
// and a path can never leave the caller's root (see README.md).
#ifndef SENTRY_VFS_VFS_H_
#define SENTRY_VFS_VFS_H_

#include <sys/types.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "abi/linux/statfs.h"
#include "sentry/vfs/credentials.h"
#include "sentry/vfs/dentry.h"
#include "sentry/vfs/file_description.h"
#include "sentry/vfs/virtual_dentry.h"

namespace sentry::vfs {

class Dentry;
class Filesystem;
class FsContext;
class Mount;

// Linux's limits: PATH_MAX counts the NUL, so a path has at most 4095 bytes.
inline constexpr size_t kPathMax = 4096;
inline constexpr size_t kNameMax = 255;
inline constexpr int kMaxSymlinks = 40;

// openat2's RESOLVE_* flags (include/uapi/linux/openat2.h).
inline constexpr int kResolveNoXdev = 0x01;
inline constexpr int kResolveNoMagiclinks = 0x02;
inline constexpr int kResolveNoSymlinks = 0x04;
inline constexpr int kResolveBeneath = 0x08;
inline constexpr int kResolveInRoot = 0x10;
inline constexpr int kResolveCached = 0x20;
inline constexpr int kResolveAll = 0x3f;

struct LookupOptions {
  // Follow a symlink in the final component (stat vs lstat). A trailing
  // slash always follows.
  bool follow_final = true;
  // The result must be a directory (-ENOTDIR otherwise).
  bool must_be_dir = false;
  // RESOLVE_* flags.
  int resolve = 0;
};

class VirtualFilesystem {
 public:
  // The standard sandbox VFS: `host_root` (a host directory) as a read-only
  // hostfs mounted at "/".
  static absl::StatusOr<std::shared_ptr<VirtualFilesystem>> New(
      const std::string& host_root);

  // A VFS whose root mount shows `root_fs` with mount flags `root_flags`
  // (kMount*); /proc/mounts shows it as `root_source`.
  VirtualFilesystem(std::shared_ptr<Filesystem> root_fs, int root_flags,
                    const std::string& root_source = "none");
  ~VirtualFilesystem();

  // The root of the mount tree.
  VirtualDentry Root() const;

  // A filesystem context rooted at Root() whose cwd is `cwd` (an absolute
  // sandbox path that must name a directory) and umask 022.
  absl::StatusOr<std::shared_ptr<FsContext>> NewFsContext(
      const std::string& cwd);

  // ---- Mount table ----
  // Mounts `fs` on `target` (absolute, resolved from Root() following
  // symlinks; a directory, or any file when `fs`'s root is not a
  // directory, as a bind mount of a file). A later mount on the same place
  // hides the earlier. `source` is what /proc/mounts shows for it.
  absl::Status AddMount(const std::string& target,
                        std::shared_ptr<Filesystem> fs, int flags,
                        const std::string& source = "none");
  // The mount attached at `vd`, or null.
  std::shared_ptr<Mount> MountedAt(const VirtualDentry& vd) const;
  // Whether some mount is attached on `d` (through any mount).
  bool IsMountpoint(const Dentry* d) const;
  // All mounts, root first, in mount order (for /proc/mounts).
  std::vector<std::shared_ptr<Mount>> Mounts() const;

  // ---- Path operations ----
  // Every one takes the caller's root (never left, `..` stops there),
  // the starting directory for relative paths, and the credentials used
  // for search/read/write permission. They return 0 or a negative errno.

  // Resolves `path` to a location (stat, chdir, access...). An empty path
  // is -ENOENT; callers implement AT_EMPTY_PATH themselves.
  int64_t GetDentryAt(const VirtualDentry& root, const VirtualDentry& start,
                      std::string_view path, const LookupOptions& opts,
                      const Credentials& creds, VirtualDentry* out);

  // open(2): `flags` as the application gave them (plus kOLargefile from
  // the syscall layer); `mode` is the creation mode with the umask already
  // applied.
  int64_t OpenAt(const VirtualDentry& root, const VirtualDentry& start,
                 std::string_view path, int flags, mode_t mode,
                 const Credentials& creds,
                 std::shared_ptr<FileDescription>* out, int resolve = 0);

  // Opens an already resolved location with open(2)'s checks (type,
  // O_DIRECTORY, read-only mount, permissions).
  int64_t OpenLocation(const VirtualDentry& vd, int flags,
                       const Credentials& creds,
                       std::shared_ptr<FileDescription>* out);

  // readlink(2): the target of the symlink `path` (final component not
  // followed); -EINVAL when it is not a symlink.
  int64_t ReadlinkAt(const VirtualDentry& root, const VirtualDentry& start,
                     std::string_view path, const Credentials& creds,
                     std::string* target);

  // ---- Namespace operations (namespace_ops.cc) ----
  // Linux's error order: the walk of the parent, then the final name
  // (EEXIST / ENOENT), then EROFS, then permissions, then the filesystem.
  // `mode` has the umask applied already.
  int64_t MkdirAt(const VirtualDentry& root, const VirtualDentry& start,
                  std::string_view path, mode_t mode,
                  const Credentials& creds);
  // mknod(2): `mode` holds the file type (S_IFREG when zero).
  int64_t MknodAt(const VirtualDentry& root, const VirtualDentry& start,
                  std::string_view path, mode_t mode, dev_t dev,
                  const Credentials& creds);
  int64_t SymlinkAt(const VirtualDentry& root, const VirtualDentry& start,
                    std::string_view path, const std::string& target,
                    const Credentials& creds);
  // link(2): `old` is the existing file, resolved by the caller (linkat's
  // flags decide whether a symlink is followed).
  int64_t LinkAt(const VirtualDentry& root, const VirtualDentry& old,
                 const VirtualDentry& start, std::string_view path,
                 const Credentials& creds);
  int64_t UnlinkAt(const VirtualDentry& root, const VirtualDentry& start,
                   std::string_view path, const Credentials& creds);
  int64_t RmdirAt(const VirtualDentry& root, const VirtualDentry& start,
                  std::string_view path, const Credentials& creds);
  // renameat2(2) with kRename* flags.
  int64_t RenameAt(const VirtualDentry& root, const VirtualDentry& old_start,
                   std::string_view old_path, const VirtualDentry& new_start,
                   std::string_view new_path, unsigned flags,
                   const Credentials& creds);
  // chmod/chown/utimes/truncate of a resolved location: EROFS on read-only
  // mounts; the caller checked ownership and permissions.
  int64_t SetAttr(const VirtualDentry& vd, const SetAttrRequest& req);
  // statfs(2) of the filesystem mounted at `vd`, with the mount's flags.
  static int64_t Statfs(const VirtualDentry& vd, uapi::Statfs* out);

  // Opens `path` (relative to fs's cwd, within fs's root) for execution:
  // follows symlinks; ENOENT, ENOTDIR, ELOOP, ENAMETOOLONG as path walk gives
  // them; EACCES if the final file is not a regular file or has no execute
  // bit. `*resolved` is set to the absolute sandbox path of the file.
  int64_t OpenForExec(const FsContext& fs, const std::string& path,
                      std::shared_ptr<FileDescription>* out,
                      std::string* resolved);
  // The same for a task: `creds` (with its pid and Task) resolve procfs's
  // self (exec of /proc/self/exe, /dev/fd/N) and check the exec bit as
  // that user (root needs one execute bit).
  int64_t OpenForExec(const FsContext& fs, const std::string& path,
                      const Credentials& creds,
                      std::shared_ptr<FileDescription>* out,
                      std::string* resolved);

  // The absolute path of `vd` as seen from `root` ("/" for root itself).
  // When `vd` is not below `root`, the path is from the top of the mount
  // tree and `*reachable` (optional) is set false.
  static std::string PathOf(const VirtualDentry& root, const VirtualDentry& vd,
                            bool* reachable = nullptr);

 private:
  // Where a namespace operation acts: the directory holding the final
  // component and its name (Linux's filename_parentat).
  enum class LastType { kNormal, kDot, kDotDot, kRoot };
  struct ParentResult {
    VirtualDentry dir;
    std::string name;
    LastType type = LastType::kNormal;
    bool trailing_slash = false;
  };
  int64_t WalkParent(const VirtualDentry& root, const VirtualDentry& start,
                     std::string_view path, const Credentials& creds,
                     ParentResult* res) const;
  // Looks up `res.name` in `res.dir` without following or crossing mounts;
  // -ENOENT when absent.
  static int64_t LookupLast(const ParentResult& res, const Credentials& creds,
                            std::shared_ptr<Dentry>* out);
  // May `creds` create in / delete `child` from the directory `dir`.
  static int64_t MayCreate(const VirtualDentry& dir, const Credentials& creds);
  static int64_t MayDelete(const VirtualDentry& dir, Dentry& child,
                           const Credentials& creds);

  struct WalkResult {
    bool found = false;   // vd is valid; else parent/name say where to create
    VirtualDentry vd;     // the final location
    VirtualDentry parent; // directory holding the final component
    std::string name;     // final component ("" when the path ends in . or ..)
    bool trailing_slash = false;
  };
  // The walk. With `want_parent`, a missing final component is not an
  // error: found is false and parent/name are set.
  int64_t Walk(const VirtualDentry& root, const VirtualDentry& start,
               std::string_view path, bool follow_final, bool want_parent,
               const Credentials& creds, WalkResult* res,
               int resolve = 0) const;
  // `..` from `vd`, never above `root` nor above the top of the tree.
  // `*crossed` (optional) tells whether a mount boundary was passed.
  VirtualDentry Parent(const VirtualDentry& root, const VirtualDentry& vd,
                       bool* crossed = nullptr) const;
  // Steps onto whatever is mounted on `vd`, repeatedly.
  VirtualDentry CrossMounts(VirtualDentry vd, bool* crossed = nullptr) const;
  // Search (exec) permission on the directory `dir`.
  static int64_t MayLookup(const VirtualDentry& dir, const Credentials& creds);

  std::shared_ptr<Mount> root_mount_;
  mutable absl::Mutex mounts_mu_;
  // Keyed by (parent mount, mountpoint dentry).
  absl::flat_hash_map<std::pair<const Mount*, const Dentry*>,
                      std::shared_ptr<Mount>>
      mounts_ ABSL_GUARDED_BY(mounts_mu_);
  std::vector<std::shared_ptr<Mount>> mount_order_ ABSL_GUARDED_BY(mounts_mu_);
  absl::flat_hash_map<const Dentry*, int> mountpoints_
      ABSL_GUARDED_BY(mounts_mu_);
  // Held across a whole rename (Linux's s_vfs_rename_mutex), so that the
  // ancestry checks and the move see one tree.
  absl::Mutex rename_mu_;
  int next_mount_id_ ABSL_GUARDED_BY(mounts_mu_) = 2;  // the root is 1
};

}  // namespace sentry::vfs

#endif  // SENTRY_VFS_VFS_H_
