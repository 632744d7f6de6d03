// Socket options of inet sockets. The sentry answers what it owns (the
// socket's identity, the timeouts it enforces); options whose values are
// plain numbers or plain structs and need no privilege the sandbox lacks go
// to the host socket, whose kernel validates them as Linux does. Anything
// else is ENOPROTOOPT (unknown to this kernel) or EPERM (a privilege the
// sandbox does not get), never passed on blindly: some options carry user
// pointers (SO_ATTACH_FILTER's sock_fprog) or reach outside the namespace.
#include <linux/tcp.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "abi/linux/inet.h"
#include "absl/time/time.h"
#include "platform/platform.h"
#include "sentry/kernel/task.h"
#include "sentry/socket/inet/inet_socket.h"

namespace sentry::socket {

namespace {

// SO_RCVTIMEO_NEW/SO_SNDTIMEO_NEW (64-bit time on every ABI).
constexpr int kSoRcvtimeoNew = 66;
constexpr int kSoSndtimeoNew = 67;

enum class Pass { kNo, kGet, kSet, kBoth };

// What may reach the host, per level.
Pass SocketLevel(int name) {
  switch (name) {
    case SO_DEBUG:
    case SO_REUSEADDR:
    case SO_REUSEPORT:
    case SO_KEEPALIVE:
    case SO_DONTROUTE:
    case SO_BROADCAST:
    case SO_LINGER:
    case SO_OOBINLINE:
    case SO_RCVBUF:
    case SO_SNDBUF:
    case SO_RCVLOWAT:
    case SO_SNDLOWAT:
    case SO_PRIORITY:
    case SO_NO_CHECK:
    case SO_TIMESTAMP:
    case SO_TIMESTAMPNS:
    case SO_PASSCRED:
    case SO_BINDTODEVICE:
    case SO_INCOMING_CPU:
    case SO_BUSY_POLL:
    case SO_RXQ_OVFL:
    case SO_SELECT_ERR_QUEUE:
      return Pass::kBoth;
    case SO_ERROR:
    case SO_ACCEPTCONN:
    case SO_PEERCRED:
    case SO_COOKIE:
    case SO_INCOMING_NAPI_ID:
    case SO_MEMINFO:
      return Pass::kGet;
    default:
      return Pass::kNo;
  }
}

Pass TcpLevel(int name) {
  switch (name) {
    case TCP_NODELAY:
    case TCP_MAXSEG:
    case TCP_CORK:
    case TCP_KEEPIDLE:
    case TCP_KEEPINTVL:
    case TCP_KEEPCNT:
    case TCP_SYNCNT:
    case TCP_LINGER2:
    case TCP_DEFER_ACCEPT:
    case TCP_WINDOW_CLAMP:
    case TCP_QUICKACK:
    case TCP_CONGESTION:
    case TCP_USER_TIMEOUT:
    case TCP_NOTSENT_LOWAT:
    case TCP_FASTOPEN:
    case TCP_FASTOPEN_CONNECT:
    case TCP_THIN_LINEAR_TIMEOUTS:
    case TCP_THIN_DUPACK:
    case TCP_TX_DELAY:
      return Pass::kBoth;
    case TCP_INFO:
      return Pass::kGet;
    default:
      return Pass::kNo;
  }
}

Pass IpLevel(int name) {
  switch (name) {
    case IP_TOS:
    case IP_TTL:
    case IP_OPTIONS:
    case IP_RECVOPTS:
    case IP_RETOPTS:
    case IP_PKTINFO:
    case IP_RECVTTL:
    case IP_RECVTOS:
    case IP_MTU_DISCOVER:
    case IP_RECVERR:
    case IP_FREEBIND:
    case IP_MULTICAST_IF:
    case IP_MULTICAST_TTL:
    case IP_MULTICAST_LOOP:
    case IP_ADD_MEMBERSHIP:
    case IP_DROP_MEMBERSHIP:
    case IP_ADD_SOURCE_MEMBERSHIP:
    case IP_DROP_SOURCE_MEMBERSHIP:
    case IP_BLOCK_SOURCE:
    case IP_UNBLOCK_SOURCE:
    case IP_MULTICAST_ALL:
    case IP_BIND_ADDRESS_NO_PORT:
    case IP_RECVORIGDSTADDR:
    case IP_UNICAST_IF:
    case IP_PASSSEC:
    case IP_RECVFRAGSIZE:
      return Pass::kBoth;
    case IP_MTU:
      return Pass::kGet;
    default:
      return Pass::kNo;
  }
}

Pass Ipv6Level(int name) {
  switch (name) {
    case IPV6_V6ONLY:
    case IPV6_UNICAST_HOPS:
    case IPV6_MULTICAST_IF:
    case IPV6_MULTICAST_HOPS:
    case IPV6_MULTICAST_LOOP:
    case IPV6_JOIN_GROUP:
    case IPV6_LEAVE_GROUP:
    case IPV6_RECVPKTINFO:
    case IPV6_PKTINFO:
    case IPV6_RECVHOPLIMIT:
    case IPV6_HOPLIMIT:
    case IPV6_RECVTCLASS:
    case IPV6_TCLASS:
    case IPV6_MTU_DISCOVER:
    case IPV6_RECVERR:
    case IPV6_DONTFRAG:
    case IPV6_RECVPATHMTU:
    case IPV6_AUTOFLOWLABEL:
    case IPV6_UNICAST_IF:
    case IPV6_MULTICAST_ALL:
    case IPV6_RECVORIGDSTADDR:
    case IPV6_FREEBIND:
    case IPV6_ADDR_PREFERENCES:
    case IPV6_MINHOPCOUNT:
    case IPV6_RECVFRAGSIZE:
      return Pass::kBoth;
    case IPV6_MTU:
    case IPV6_PATHMTU:
      return Pass::kGet;
    default:
      return Pass::kNo;
  }
}

Pass UdpLevel(int name) {
  switch (name) {
    case UDP_CORK:
    case UDP_SEGMENT:
    case UDP_GRO:
      return Pass::kBoth;
    default:
      return Pass::kNo;
  }
}

Pass Allowed(const InetSocket& s, int level, int name) {
  switch (level) {
    case SOL_SOCKET:
      return SocketLevel(name);
    case IPPROTO_TCP:
      return s.type() == SOCK_STREAM ? TcpLevel(name) : Pass::kNo;
    case IPPROTO_UDP:
      return s.protocol() == IPPROTO_UDP ? UdpLevel(name) : Pass::kNo;
    case IPPROTO_IP:
      return IpLevel(name);
    case IPPROTO_IPV6:
      // On an AF_INET socket the host answers these with its own errno
      // (EOPNOTSUPP for TCP), which is Linux's answer.
      return Ipv6Level(name);
    default:
      return Pass::kNo;
  }
}

// True if `value` (a TCP_CONGESTION name, maybe NUL-terminated) is one the
// host kernel has loaded (net.ipv4.tcp_available_congestion_control).
bool CongestionControlLoaded(const std::string& value) {
  std::string name = value.substr(0, value.find('\0'));
  if (name.empty() || name.size() >= 16) return false;
  FILE* f = fopen("/proc/sys/net/ipv4/tcp_available_congestion_control", "re");
  if (!f) return false;
  char buf[512] = {};
  size_t n = fread(buf, 1, sizeof(buf) - 1, f);
  fclose(f);
  std::string avail(buf, n);
  size_t pos = 0;
  while (pos < avail.size()) {
    size_t end = avail.find_first_of(" \n", pos);
    if (end == std::string::npos) end = avail.size();
    if (avail.compare(pos, end - pos, name) == 0 && end - pos == name.size()) {
      return true;
    }
    pos = end + 1;
  }
  return false;
}

bool IsI386(Task& t) {
  return t.current_syscall().arch == platform::Arch::kI386;
}

}  // namespace

int64_t InetSocket::TimeoutOption(Task& t, bool get, bool rcv,
                                  bool new_layout, std::string* value) {
  // SO_*TIMEO_OLD: struct timeval of the caller's ABI; _NEW: 64-bit.
  const bool compat = !new_layout && IsI386(t);
  if (get) {
    absl::Duration d;
    {
      absl::MutexLock l(&mu_);
      d = rcv ? rcv_timeout_ : snd_timeout_;
    }
    if (d == absl::InfiniteDuration()) d = absl::ZeroDuration();
    int64_t sec = absl::ToInt64Seconds(d);
    int64_t usec = absl::ToInt64Microseconds(d - absl::Seconds(sec));
    if (compat) {
      uapi::Timeval32 tv{static_cast<int32_t>(sec), static_cast<int32_t>(usec)};
      value->assign(reinterpret_cast<const char*>(&tv), sizeof(tv));
    } else {
      uapi::Timeval64 tv{sec, usec};
      value->assign(reinterpret_cast<const char*>(&tv), sizeof(tv));
    }
    return 0;
  }
  int64_t sec, usec;
  if (compat) {
    uapi::Timeval32 tv;
    if (value->size() < sizeof(tv)) return -EINVAL;
    std::memcpy(&tv, value->data(), sizeof(tv));
    sec = tv.tv_sec;
    usec = tv.tv_usec;
  } else {
    uapi::Timeval64 tv;
    if (value->size() < sizeof(tv)) return -EINVAL;
    std::memcpy(&tv, value->data(), sizeof(tv));
    sec = tv.tv_sec;
    usec = tv.tv_usec;
  }
  // Linux's sock_set_timeout: usec out of range is EDOM; a negative
  // tv_sec means "do not wait" (timeout 0); 0/0 means no timeout.
  if (usec < 0 || usec >= 1000000) return -EDOM;
  absl::Duration d;
  if (sec < 0) {
    d = absl::ZeroDuration();
  } else if (sec == 0 && usec == 0) {
    d = absl::InfiniteDuration();
  } else {
    d = absl::Seconds(sec) + absl::Microseconds(usec);
  }
  absl::MutexLock l(&mu_);
  (rcv ? rcv_timeout_ : snd_timeout_) = d;
  return 0;
}

int64_t InetSocket::GetSockOpt(Task& t, int level, int name,
                               std::string* value) {
  if (level == SOL_SOCKET) {
    int v;
    switch (name) {
      case SO_TYPE:
        v = type();
        break;
      case SO_DOMAIN:
        v = family();
        break;
      case SO_PROTOCOL:
        v = protocol();
        break;
      case SO_RCVTIMEO:
      case SO_SNDTIMEO:
        return TimeoutOption(t, true, name == SO_RCVTIMEO, false, value);
      case kSoRcvtimeoNew:
      case kSoSndtimeoNew:
        return TimeoutOption(t, true, name == kSoRcvtimeoNew, true, value);
      default:
        goto host;
    }
    // int options: Linux's sock_getsockopt wants at least... it copies
    // min(len, sizeof(int)); a negative len is EINVAL (checked by the
    // syscall layer).
    value->assign(reinterpret_cast<const char*>(&v),
                  std::min<size_t>(value->size(), sizeof(v)));
    return 0;
  }
host:
  Pass p = Allowed(*this, level, name);
  if (p != Pass::kBoth && p != Pass::kGet) return -ENOPROTOOPT;
  // The caller's length goes to the host: it checks and shortens as
  // Linux does (TCP_INFO copies min(len, sizeof(tcp_info))).
  std::string buf(std::max<size_t>(value->size(), 1), '\0');
  socklen_t len = value->size();
  if (getsockopt(fd_, level, name, buf.data(), &len) < 0) return -errno;
  buf.resize(std::min<size_t>(len, buf.size()));
  *value = std::move(buf);
  return 0;
}

int64_t InetSocket::SetSockOpt(Task& t, int level, int name,
                               const std::string& value) {
  if (level == SOL_SOCKET) {
    switch (name) {
      case SO_RCVTIMEO:
      case SO_SNDTIMEO: {
        std::string v = value;
        return TimeoutOption(t, false, name == SO_RCVTIMEO, false, &v);
      }
      case kSoRcvtimeoNew:
      case kSoSndtimeoNew: {
        std::string v = value;
        return TimeoutOption(t, false, name == kSoRcvtimeoNew, true, &v);
      }
      case SO_RCVBUFFORCE:
      case SO_SNDBUFFORCE:
      case SO_MARK:
        // CAP_NET_ADMIN, which the sandbox does not have.
        return -EPERM;
      default:
        break;
    }
  }
  if (level == IPPROTO_IP && name == IP_TRANSPARENT) return -EPERM;
  if (level == IPPROTO_IPV6 && name == IPV6_TRANSPARENT &&
      family() == AF_INET6) {
    return -EPERM;
  }
  Pass p = Allowed(*this, level, name);
  if (p != Pass::kBoth && p != Pass::kSet) return -ENOPROTOOPT;
  if (level == IPPROTO_TCP && name == TCP_CONGESTION &&
      !CongestionControlLoaded(value)) {
    // The sentry holds CAP_NET_ADMIN in the namespace, with which the host
    // would load a kernel module for an unknown name: only algorithms the
    // host already has are passed on; others are ENOENT, as Linux answers
    // for a name it cannot find.
    return -ENOENT;
  }
  if (setsockopt(fd_, level, name, value.data(), value.size()) < 0) {
    return -errno;
  }
  return 0;
}

}  // namespace sentry::socket
