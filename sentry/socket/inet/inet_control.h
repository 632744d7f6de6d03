// Control messages of inet sockets on their way to the host.
#ifndef SENTRY_SOCKET_INET_INET_CONTROL_H_
#define SENTRY_SOCKET_INET_INET_CONTROL_H_

#include <cstdint>
#include <string>

namespace sentry::socket {

// Takes the raw control messages an application passed to sendmsg (the
// kernel's 64-bit cmsghdr layout, framing already checked by the syscall
// layer) and keeps what a host inet socket may see:
// - SOL_IP, SOL_IPV6 and SOL_UDP messages are plain values (IP_PKTINFO,
//   IP_TTL, IP_TOS, IPV6_PKTINFO, IPV6_HOPLIMIT, UDP_SEGMENT...) and go to
//   the host, which checks them as Linux does;
// - SOL_SOCKET SCM_RIGHTS/SCM_CREDENTIALS are ignored by Linux's inet
//   sendmsg and dropped here (they were resolved in the sentry: no host fd
//   travels); other SOL_SOCKET messages (SO_MARK, SCM_TXTIME,
//   SO_TIMESTAMPING) are refused with -EINVAL, as __sock_cmsg_send does for
//   types it does not know;
// - messages of other levels are skipped, as ip_cmsg_send skips them.
// Returns 0 or a negative errno.
int64_t FilterSendControl(const std::string& in, std::string* out);

// Received control messages for an i386 caller: SCM_TIMESTAMP's struct
// timeval and SCM_TIMESTAMPNS's struct timespec become their 32-bit
// layouts (as Linux's put_cmsg_compat does); everything else keeps its
// data. The framing stays the kernel's 64-bit one (the syscall layer puts
// each message again in the caller's layout).
std::string CompatReceivedControl(const std::string& in);

}  // namespace sentry::socket

#endif  // SENTRY_SOCKET_INET_INET_CONTROL_H_
