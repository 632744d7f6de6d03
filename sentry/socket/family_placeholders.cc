// Placeholders for the families not built yet: socket(2) of AF_INET,
// AF_INET6 and AF_NETLINK fails as on a kernel without them. The inet and
// netlink families replace this file.
#include <cerrno>

#include "sentry/socket/socket.h"

namespace sentry::socket {

int64_t NewInetSocket(Task& t, int family, int type, int protocol,
                      int status_flags, std::shared_ptr<Socket>* out) {
  return -EAFNOSUPPORT;
}

int64_t NewNetlinkSocket(Task& t, int type, int protocol, int status_flags,
                         std::shared_ptr<Socket>* out) {
  return -EAFNOSUPPORT;
}

}  // namespace sentry::socket
