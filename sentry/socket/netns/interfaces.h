// Network interface queries any socket answers (Linux's dev_ioctl, reached
// from every family's ioctl): SIOCGIFCONF, SIOCGIFINDEX, SIOCGIFNAME,
// SIOCGIFFLAGS, SIOCGIFADDR and the other read-only SIOCGIF* requests,
// answered by the host kernel for the sandbox's network namespace (so the
// sandbox sees its own `lo`, or the host's interfaces with --network=host).
// glibc's if_nametoindex()/if_indextoname() use these on an AF_UNIX socket.
#ifndef SENTRY_SOCKET_NETNS_INTERFACES_H_
#define SENTRY_SOCKET_NETNS_INTERFACES_H_

#include <cstdint>

namespace sentry {
class Task;
}

namespace sentry::socket {

// Handles `cmd` if it is an interface request made on a socket of
// `family`: 0 or a negative errno. The address requests (SIOCGIFADDR,
// SIOCGIFNETMASK, SIOCGIFBRDADDR, SIOCGIFDSTADDR) belong to AF_INET
// (devinet_ioctl) and are -ENOTTY on other families, as on Linux.
// Changing requests (SIOCSIF*) are -EPERM: the sandbox has no
// CAP_NET_ADMIN. Anything else is -ENOTTY, Linux's answer for a request no
// layer knows.
int64_t InterfaceIoctl(Task& t, int family, uint64_t cmd, uint64_t arg);

}  // namespace sentry::socket

#endif  // SENTRY_SOCKET_NETNS_INTERFACES_H_
