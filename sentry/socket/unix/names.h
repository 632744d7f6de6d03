// AF_UNIX names (the address handling of net/unix and unix_find_other):
// the sandbox's abstract namespace and the index of bound socket nodes.
//
// A pathname socket is a S_IFSOCK node in the sandbox's VFS; the bound
// endpoint keeps the node's location (so the inode stays alive) and is
// indexed by its (st_dev, st_ino). Only sockets the sandbox bound are in
// that index, so a socket file of the host found through hostfs never
// leads to a host socket (ECONNREFUSED, as a stale socket file on Linux).
// Both tables belong to the sentry process, which serves one sandbox.
#ifndef SENTRY_SOCKET_UNIX_NAMES_H_
#define SENTRY_SOCKET_UNIX_NAMES_H_

#include <cstdint>
#include <memory>
#include <string>

#include "sentry/socket/unix/endpoint.h"

namespace sentry {
class Task;
}

namespace sentry::socket::unix_internal {

// sa_family alone: the address of an unbound socket.
std::string FamilyOnly();

// A validated sockaddr_un (unix_validate_addr, unix_mkname_bsd).
struct UnixAddr {
  enum class Kind { kAutobind, kPath, kAbstract } kind = Kind::kPath;
  std::string path;   // pathname sockets
  std::string bytes;  // the address getsockname will show
};

// unix_validate_addr() and the name's canonical bytes; with `bind`, a bare
// sun_family asks for autobind. -EINVAL for a bad address.
int64_t ParseAddr(const std::string& raw, bool bind, UnixAddr* out);

// unix_autobind(): an abstract name of five hex digits.
int64_t AutobindLocked(const std::shared_ptr<UnixEndpoint>& ep)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(unix_mu);

// Binds `ep` to the abstract name of `a`; -EADDRINUSE when it is taken,
// -EINVAL when `ep` is bound already.
int64_t BindAbstractLocked(const std::shared_ptr<UnixEndpoint>& ep,
                           const UnixAddr& a)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(unix_mu);

// unix_bind_bsd(): makes the S_IFSOCK node of `a` like mknod (mode 0777
// under the umask; EADDRINUSE when the name exists, EROFS on read-only
// mounts) and binds `ep` to it. -EINVAL when `ep` is bound already.
int64_t BindPath(Task& t, const std::shared_ptr<UnixEndpoint>& ep,
                 const UnixAddr& a);

// Removes `ep`'s names from the tables (its node's location goes to `d`).
void DropNamesLocked(const std::shared_ptr<UnixEndpoint>& ep, Deferred& d)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(unix_mu);

// Finds the socket `a` names (unix_find_other): pathname sockets through
// the VFS (write permission on the node, ECONNREFUSED unless the sandbox
// bound a socket there), abstract ones in the table. EPROTOTYPE when the
// types differ.
int64_t FindPeer(Task& t, const UnixAddr& a, int type,
                 std::shared_ptr<UnixEndpoint>* out);

}  // namespace sentry::socket::unix_internal

#endif  // SENTRY_SOCKET_UNIX_NAMES_H_
