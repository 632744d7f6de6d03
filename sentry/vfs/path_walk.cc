// The path walk: component by component, with `..` clamped at the caller's
// root, symlinks read and resolved by the sentry, and mount crossings.
#include <cerrno>
#include <string>
#include <utility>
#include <vector>

#include "sentry/vfs/dentry.h"
#include "sentry/vfs/mount.h"
#include "sentry/vfs/vfs.h"

namespace sentry::vfs {

namespace {

// One pending path component. `slash`: a '/' followed it, so it must be a
// directory and a symlink there is always followed.
struct Component {
  std::string name;
  bool slash;
};

// Pushes the components of `path` on `stack` so that the first one is on
// top. `slash_after` marks the last one as followed by a slash (the symlink
// being expanded had one).
void PushComponents(std::string_view path, bool slash_after,
                    std::vector<Component>* stack) {
  std::vector<Component> comps;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    if (i >= path.size()) break;
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    comps.push_back(Component{std::string(path.substr(i, j - i)),
                              j < path.size()});
    i = j;
  }
  if (!comps.empty() && slash_after) comps.back().slash = true;
  stack->insert(stack->end(), std::make_move_iterator(comps.rbegin()),
                std::make_move_iterator(comps.rend()));
}

}  // namespace

int64_t VirtualFilesystem::MayLookup(const VirtualDentry& dir,
                                     const Credentials& creds) {
  if (creds.IsRoot()) return 0;
  uapi::Stat st;
  int64_t r = dir.dentry->Stat(&st);
  if (r < 0) return r;
  return CheckPermission(creds, st.st_mode, st.st_uid, st.st_gid, kMayExec);
}

VirtualDentry VirtualFilesystem::CrossMounts(VirtualDentry vd,
                                             bool* crossed) const {
  while (std::shared_ptr<Mount> m = MountedAt(vd)) {
    vd = VirtualDentry{m, m->root()};
    if (crossed) *crossed = true;
  }
  return vd;
}

VirtualDentry VirtualFilesystem::Parent(const VirtualDentry& root,
                                        const VirtualDentry& vd,
                                        bool* crossed) const {
  VirtualDentry cur = vd;
  for (;;) {
    if (cur == root) return cur;
    if (cur.dentry != cur.mount->root()) break;
    // At the root of a mount: continue from its mountpoint.
    if (!cur.mount->parent()) return cur;  // top of the tree
    cur = VirtualDentry{cur.mount->parent(), cur.mount->mountpoint()};
    if (crossed) *crossed = true;
  }
  std::shared_ptr<Dentry> parent = cur.dentry->parent();
  if (!parent) return cur;
  cur.dentry = std::move(parent);
  return CrossMounts(std::move(cur), crossed);
}

int64_t VirtualFilesystem::Walk(const VirtualDentry& root_in,
                                const VirtualDentry& start,
                                std::string_view path, bool follow_final,
                                bool want_parent, const Credentials& creds,
                                WalkResult* res, int resolve) const {
  if (path.empty()) return -ENOENT;
  if (path.size() >= kPathMax) return -ENAMETOOLONG;
  if (!root_in.ok() || !start.ok()) return -ENOENT;
  // RESOLVE_BENEATH and RESOLVE_IN_ROOT make the starting point the root
  // of the walk: the first refuses to leave it (EXDEV), the second clamps
  // `..` and absolute symlinks to it.
  const bool scoped = resolve & (kResolveBeneath | kResolveInRoot);
  const bool beneath = resolve & kResolveBeneath;
  const bool no_xdev = resolve & kResolveNoXdev;
  const VirtualDentry root = scoped ? start : root_in;
  if (path[0] == '/') {
    if (beneath) return -EXDEV;
    if (no_xdev && root.mount != start.mount) return -EXDEV;
  }
  VirtualDentry cur = path[0] == '/' ? root : start;
  std::vector<Component> stack;
  PushComponents(path, false, &stack);
  int links = 0;
  res->name.clear();
  res->trailing_slash = false;
  res->parent = VirtualDentry{};
  while (!stack.empty()) {
    Component c = std::move(stack.back());
    stack.pop_back();
    const bool last = stack.empty();
    if (!cur.dentry->IsDir()) return -ENOTDIR;
    int64_t r = MayLookup(cur, creds);
    if (r < 0) return r;
    if (c.name == ".") {
      if (last) res->name.clear();
      continue;
    }
    if (c.name == "..") {
      if (beneath && cur == root) return -EXDEV;
      bool crossed = false;
      cur = Parent(root, cur, &crossed);
      if (crossed && no_xdev) return -EXDEV;
      if (last) res->name.clear();
      continue;
    }
    if (c.name.size() > kNameMax) return -ENAMETOOLONG;
    std::shared_ptr<Dentry> child;
    r = cur.dentry->Lookup(c.name, &child);
    if (r == -ENOENT && last && want_parent) {
      res->found = false;
      res->parent = std::move(cur);
      res->name = std::move(c.name);
      res->trailing_slash = c.slash;
      return 0;
    }
    if (r < 0) return r;
    bool crossed = false;
    VirtualDentry next =
        CrossMounts(VirtualDentry{cur.mount, std::move(child)}, &crossed);
    if (crossed && no_xdev) return -EXDEV;
    if (next.dentry->IsSymlink() && (!last || c.slash || follow_final)) {
      if (resolve & kResolveNoSymlinks) return -ELOOP;
      if (++links > kMaxSymlinks) return -ELOOP;
      if (next.dentry->IsMagicLink()) {
        // procfs's links to open files and directories: go there directly.
        if (resolve & kResolveNoMagiclinks) return -ELOOP;
        VirtualDentry jump;
        r = next.dentry->FollowMagicLink(creds, &jump);
        if (r < 0) return r;
        if (no_xdev && jump.mount != cur.mount) return -EXDEV;
        if (scoped) return -EXDEV;
        if ((!last || c.slash) && !jump.dentry->IsDir()) return -ENOTDIR;
        if (last) {
          res->parent = cur;
          res->name = c.name;
          res->trailing_slash = c.slash;
        }
        cur = std::move(jump);
        continue;
      }
      std::string target;
      r = next.dentry->ReadlinkAs(creds, &target);
      if (r < 0) return r;
      if (target.empty()) return -ENOENT;
      if (target.size() >= kPathMax) return -ENAMETOOLONG;
      // The target replaces the link: absolute targets restart at the
      // caller's root (never the host's), relative ones at the link's
      // directory, which is still `cur`.
      if (target[0] == '/') {
        if (beneath) return -EXDEV;
        if (no_xdev && cur.mount != root.mount) return -EXDEV;
        cur = root;
      }
      PushComponents(target, c.slash, &stack);
      continue;
    }
    if (c.slash && !next.dentry->IsDir()) return -ENOTDIR;
    if (last) {
      res->parent = cur;
      res->name = c.name;
      res->trailing_slash = c.slash;
    }
    cur = std::move(next);
  }
  res->found = true;
  res->vd = std::move(cur);
  return 0;
}

int64_t VirtualFilesystem::WalkParent(const VirtualDentry& root,
                                      const VirtualDentry& start,
                                      std::string_view path,
                                      const Credentials& creds,
                                      ParentResult* res) const {
  if (path.empty()) return -ENOENT;
  if (path.size() >= kPathMax) return -ENAMETOOLONG;
  if (!root.ok() || !start.ok()) return -ENOENT;
  size_t end = path.find_last_not_of('/');
  if (end == std::string_view::npos) {
    // Only slashes: the root itself.
    res->dir = root;
    res->name.clear();
    res->type = LastType::kRoot;
    res->trailing_slash = false;
    return 0;
  }
  size_t begin = path.rfind('/', end);
  begin = begin == std::string_view::npos ? 0 : begin + 1;
  std::string_view name = path.substr(begin, end + 1 - begin);
  std::string_view dir_path = path.substr(0, begin);
  res->trailing_slash = end + 1 < path.size();
  if (dir_path.empty()) {
    res->dir = start;
  } else {
    WalkResult w;
    int64_t r = Walk(root, start, dir_path, true, false, creds, &w);
    if (r < 0) return r;
    res->dir = std::move(w.vd);
  }
  if (!res->dir.dentry->IsDir()) return -ENOTDIR;
  if (name == ".") {
    res->type = LastType::kDot;
  } else if (name == "..") {
    res->type = LastType::kDotDot;
  } else {
    if (name.size() > kNameMax) return -ENAMETOOLONG;
    res->type = LastType::kNormal;
  }
  res->name = std::string(name);
  return 0;
}

int64_t VirtualFilesystem::LookupLast(const ParentResult& res,
                                      const Credentials& creds,
                                      std::shared_ptr<Dentry>* out) {
  int64_t r = MayLookup(res.dir, creds);
  if (r < 0) return r;
  return res.dir.dentry->Lookup(res.name, out);
}

int64_t VirtualFilesystem::GetDentryAt(const VirtualDentry& root,
                                       const VirtualDentry& start,
                                       std::string_view path,
                                       const LookupOptions& opts,
                                       const Credentials& creds,
                                       VirtualDentry* out) {
  WalkResult res;
  int64_t r = Walk(root, start, path, opts.follow_final, false, creds, &res,
                   opts.resolve);
  if (r < 0) return r;
  if (opts.must_be_dir && !res.vd.dentry->IsDir()) return -ENOTDIR;
  *out = std::move(res.vd);
  return 0;
}

int64_t VirtualFilesystem::ReadlinkAt(const VirtualDentry& root,
                                      const VirtualDentry& start,
                                      std::string_view path,
                                      const Credentials& creds,
                                      std::string* target) {
  WalkResult res;
  int64_t r = Walk(root, start, path, false, false, creds, &res);
  if (r < 0) return r;
  if (!res.vd.dentry->IsSymlink()) return -EINVAL;
  return res.vd.dentry->ReadlinkAs(creds, target);
}

}  // namespace sentry::vfs
