#include "sentry/socket/unix/names.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "abi/linux/socket.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_format.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/sys_file_util.h"
#include "sentry/vfs/dentry.h"
#include "sentry/vfs/fs_context.h"
#include "sentry/vfs/vfs.h"

namespace sentry::socket::unix_internal {

namespace {

// The sandbox's names: abstract addresses and bound socket inodes.
struct UnixNames {
  absl::flat_hash_map<std::string, std::weak_ptr<UnixEndpoint>> abstract;
  absl::flat_hash_map<std::pair<uint64_t, uint64_t>,
                      std::weak_ptr<UnixEndpoint>>
      inodes;
  uint32_t next_autobind = 0;
};

UnixNames& Names() ABSL_EXCLUSIVE_LOCKS_REQUIRED(unix_mu) {
  static UnixNames* names = new UnixNames();
  return *names;
}

}  // namespace

std::string FamilyOnly() {
  std::string s(2, '\0');
  uint16_t fam = AF_UNIX;
  std::memcpy(s.data(), &fam, 2);
  return s;
}

int64_t ParseAddr(const std::string& raw, bool bind, UnixAddr* out) {
  if (raw.size() < uapi::kSunPathOffset) return -EINVAL;
  uint16_t fam;
  std::memcpy(&fam, raw.data(), 2);
  if (fam != AF_UNIX) return -EINVAL;
  if (raw.size() == uapi::kSunPathOffset) {
    if (!bind) return -EINVAL;
    out->kind = UnixAddr::Kind::kAutobind;
    return 0;
  }
  if (raw.size() > sizeof(uapi::SockaddrUn)) return -EINVAL;
  if (raw[2] != '\0') {
    // The name ends at the first NUL within the given length; the
    // address is then family + name + NUL.
    std::string name = raw.substr(2);
    size_t nul = name.find('\0');
    if (nul != std::string::npos) name.resize(nul);
    out->kind = UnixAddr::Kind::kPath;
    out->path = name;
    out->bytes = FamilyOnly() + name + std::string(1, '\0');
    return 0;
  }
  out->kind = UnixAddr::Kind::kAbstract;
  out->bytes = raw;
  return 0;
}

// unix_autobind(): an abstract name of five hex digits.
int64_t AutobindLocked(const std::shared_ptr<UnixEndpoint>& ep)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(unix_mu) {
  if (!ep->addr.empty()) return 0;
  UnixNames& n = Names();
  for (uint32_t tries = 0; tries <= 0xfffff; ++tries) {
    uint32_t num = (n.next_autobind++) & 0xfffff;
    std::string key = std::string(1, '\0') + absl::StrFormat("%05x", num);
    auto it = n.abstract.find(key);
    if (it != n.abstract.end() && !it->second.expired()) continue;
    n.abstract[key] = ep;
    ep->abstract_key = key;
    ep->addr = FamilyOnly() + key;
    return 0;
  }
  return -ENOSPC;
}

int64_t BindAbstractLocked(const std::shared_ptr<UnixEndpoint>& ep,
                           const UnixAddr& a) {
  if (!ep->addr.empty()) return -EINVAL;
  UnixNames& n = Names();
  std::string key = a.bytes.substr(2);
  auto it = n.abstract.find(key);
  if (it != n.abstract.end() && !it->second.expired()) return -EADDRINUSE;
  n.abstract[key] = ep;
  ep->abstract_key = key;
  ep->addr = a.bytes;
  return 0;
}

int64_t BindPath(Task& t, const std::shared_ptr<UnixEndpoint>& ep,
                 const UnixAddr& a) {
  {
    absl::MutexLock l(&unix_mu);
    if (!ep->addr.empty()) return -EINVAL;
  }
  vfs::Credentials creds = FileCredentials(t);
  vfs::VirtualFilesystem& v = t.kernel().vfs();
  mode_t mode = S_IFSOCK | (0777 & ~t.fs().umask());
  int64_t r = v.MknodAt(t.fs().root(), t.fs().cwd(), a.path, mode, 0, creds);
  if (r == -EEXIST) return -EADDRINUSE;
  if (r < 0) return r;
  vfs::VirtualDentry vd;
  vfs::LookupOptions opts;
  opts.follow_final = false;
  r = v.GetDentryAt(t.fs().root(), t.fs().cwd(), a.path, opts, creds, &vd);
  if (r < 0) return r;
  uapi::Stat st;
  r = vd.dentry->Stat(&st);
  if (r < 0) return r;
  Deferred d;
  absl::MutexLock l(&unix_mu);
  if (!ep->addr.empty()) {
    d.vds.push_back(std::move(vd));
    return -EINVAL;
  }
  std::pair<uint64_t, uint64_t> key{st.st_dev, st.st_ino};
  Names().inodes[key] = ep;
  ep->inode = key;
  ep->path_bound = true;
  ep->bound_vd = std::move(vd);
  ep->addr = a.bytes;
  return 0;
}

void DropNamesLocked(const std::shared_ptr<UnixEndpoint>& ep, Deferred& d) {
  UnixNames& n = Names();
  if (!ep->abstract_key.empty()) {
    auto it = n.abstract.find(ep->abstract_key);
    if (it != n.abstract.end() && it->second.lock() == ep) n.abstract.erase(it);
  }
  if (ep->path_bound) {
    auto it = n.inodes.find(ep->inode);
    if (it != n.inodes.end() && it->second.lock() == ep) n.inodes.erase(it);
    d.vds.push_back(std::move(ep->bound_vd));
    ep->bound_vd = vfs::VirtualDentry();
  }
}

// Finds the socket `a` names (unix_find_other): pathname sockets through
// the VFS (write permission on the node, ECONNREFUSED unless the sandbox
// bound a socket there), abstract ones in the table. EPROTOTYPE when the
// types differ.
int64_t FindPeer(Task& t, const UnixAddr& a, int type,
                 std::shared_ptr<UnixEndpoint>* out) {
  std::pair<uint64_t, uint64_t> key;
  if (a.kind == UnixAddr::Kind::kPath) {
    vfs::Credentials creds = FileCredentials(t);
    vfs::VirtualDentry vd;
    vfs::LookupOptions opts;
    int64_t r = t.kernel().vfs().GetDentryAt(t.fs().root(), t.fs().cwd(),
                                             a.path, opts, creds, &vd);
    if (r < 0) return r;
    uapi::Stat st;
    r = vd.dentry->Stat(&st);
    if (r < 0) return r;
    r = vfs::CheckPermission(creds, st.st_mode, st.st_uid, st.st_gid,
                             vfs::kMayWrite);
    if (r < 0) return r;
    if (!S_ISSOCK(st.st_mode)) return -ECONNREFUSED;
    key = {st.st_dev, st.st_ino};
  }
  absl::MutexLock l(&unix_mu);
  UnixNames& n = Names();
  std::shared_ptr<UnixEndpoint> ep;
  if (a.kind == UnixAddr::Kind::kPath) {
    auto it = n.inodes.find(key);
    if (it != n.inodes.end()) ep = it->second.lock();
  } else {
    auto it = n.abstract.find(a.bytes.substr(2));
    if (it != n.abstract.end()) ep = it->second.lock();
  }
  if (!ep || ep->released) return -ECONNREFUSED;
  if (ep->type != type) return -EPROTOTYPE;
  *out = std::move(ep);
  return 0;
}

}  // namespace sentry::socket::unix_internal
