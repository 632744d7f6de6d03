#include "sentry/socket/netlink/route_socket.h"

#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "abi/linux/netlink.h"
#include "absl/container/flat_hash_set.h"
#include "sentry/fs/hostfs/host_stat.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/thread_group.h"
#include "sentry/socket/netns/interfaces.h"
#include "sentry/socket/netns/network.h"

namespace sentry::socket {

namespace {

// Port ids in use by the sandbox's netlink sockets (one sandbox per sentry
// process, so the process-wide set is the namespace's).
absl::Mutex ports_mu;
absl::flat_hash_set<uint32_t>& Ports() ABSL_EXCLUSIVE_LOCKS_REQUIRED(ports_mu) {
  static auto* s = new absl::flat_hash_set<uint32_t>();
  return *s;
}

// The most bytes one forwarded request's replies may take: a dump of a
// namespace with thousands of routes stays well below; anything beyond is
// dropped with NLMSG_ERROR -ENOBUFS, as an overrun socket reports.
constexpr size_t kMaxReplyBytes = 16 << 20;

bool ReadOnlyType(uint16_t type) {
  switch (type) {
    case uapi::kRtmGetLink:
    case uapi::kRtmGetAddr:
    case uapi::kRtmGetRoute:
    case 30:  // RTM_GETNEIGH
    case 34:  // RTM_GETRULE
    case 82:  // RTM_GETNETCONF
      return true;
    default:
      return false;
  }
}

std::string KernelAddress() {
  uapi::SockaddrNl a = {};
  a.nl_family = AF_NETLINK;
  return std::string(reinterpret_cast<const char*>(&a), sizeof(a));
}

}  // namespace

int64_t NewNetlinkSocket(Task& t, int type, int protocol, int status_flags,
                         std::shared_ptr<Socket>* out) {
  // netlink_create: SOCK_RAW and SOCK_DGRAM only.
  if (type != SOCK_RAW && type != SOCK_DGRAM) return -ESOCKTNOSUPPORT;
  if (protocol < 0 || protocol >= 32) return -EPROTONOSUPPORT;
  if (protocol != uapi::kNetlinkRoute) return -EPROTONOSUPPORT;
  Network& net = Network::Of(t);
  int fd = -1;
  net.Run([&] {
    // A blocking host socket: replies to a request are already queued when
    // sendmsg returns for the lookups we forward, and dumps are produced
    // as they are read; a receive timeout keeps a sentry thread from ever
    // hanging on it.
    fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) fd = -errno;
  });
  if (fd < 0) return fd;
  struct timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  auto s = std::make_shared<NetlinkRouteSocket>(fd, type, status_flags);
  s->SetCreator(t);
  *out = std::move(s);
  return 0;
}

void NetlinkRouteSocket::SetCreator(Task& t) {
  sentry::Credentials c = t.thread_group().creds();
  SetOwner(c.fsuid, c.fsgid);
}

NetlinkRouteSocket::NetlinkRouteSocket(int host_fd, int type,
                                       int status_flags)
    : Socket(AF_NETLINK, type, uapi::kNetlinkRoute, status_flags),
      host_fd_(host_fd) {}

NetlinkRouteSocket::~NetlinkRouteSocket() {
  close(host_fd_);
  absl::MutexLock l(&mu_);
  if (bound_) {
    absl::MutexLock pl(&ports_mu);
    Ports().erase(port_id_);
  }
}

void NetlinkRouteSocket::AutobindLocked(Task& t) {
  if (bound_) return;
  absl::MutexLock pl(&ports_mu);
  uint32_t id = static_cast<uint32_t>(t.thread_group().tgid());
  static int32_t next_negative = -4096;
  while (Ports().contains(id)) {
    id = static_cast<uint32_t>(next_negative--);
    if (next_negative > -4096) next_negative = -4096;
  }
  Ports().insert(id);
  port_id_ = id;
  bound_ = true;
}

int64_t NetlinkRouteSocket::Bind(Task& t, const std::string& address) {
  uapi::SockaddrNl a;
  if (address.size() < sizeof(a)) return -EINVAL;
  std::memcpy(&a, address.data(), sizeof(a));
  if (a.nl_family != AF_NETLINK) return -EINVAL;
  if (a.nl_groups != 0) return -EPERM;
  absl::MutexLock l(&mu_);
  if (bound_) {
    // Rebinding to the same id is fine; another id is EINVAL.
    if (a.nl_pid != 0 && a.nl_pid != port_id_) return -EINVAL;
    return 0;
  }
  if (a.nl_pid == 0) {
    AutobindLocked(t);
    return 0;
  }
  absl::MutexLock pl(&ports_mu);
  if (Ports().contains(a.nl_pid)) return -EADDRINUSE;
  Ports().insert(a.nl_pid);
  port_id_ = a.nl_pid;
  bound_ = true;
  return 0;
}

int64_t NetlinkRouteSocket::Connect(Task& t, const std::string& address) {
  uapi::SockaddrNl a;
  if (address.size() >= sizeof(uint16_t)) {
    uint16_t family;
    std::memcpy(&family, address.data(), sizeof(family));
    // AF_UNSPEC disconnects (the peer is always the kernel here).
    if (family == AF_UNSPEC) return 0;
  }
  if (address.size() < sizeof(a)) return -EINVAL;
  std::memcpy(&a, address.data(), sizeof(a));
  if (a.nl_family != AF_NETLINK) return -EINVAL;
  if (a.nl_groups != 0) return -EPERM;
  if (a.nl_pid != 0) return -ECONNREFUSED;
  absl::MutexLock l(&mu_);
  AutobindLocked(t);
  return 0;
}

int64_t NetlinkRouteSocket::Shutdown(Task& t, int how) {
  if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR) return -EINVAL;
  // Linux's netlink has no shutdown operation.
  return -EOPNOTSUPP;
}

int64_t NetlinkRouteSocket::GetSockName(std::string* address) {
  uapi::SockaddrNl a = {};
  a.nl_family = AF_NETLINK;
  absl::MutexLock l(&mu_);
  a.nl_pid = port_id_;
  address->assign(reinterpret_cast<const char*>(&a), sizeof(a));
  return 0;
}

int64_t NetlinkRouteSocket::GetPeerName(std::string* address) {
  *address = KernelAddress();
  return 0;
}

int64_t NetlinkRouteSocket::GetSockOpt(Task& t, int level, int name,
                                       std::string* value) {
  int v;
  absl::MutexLock l(&mu_);
  if (level == SOL_SOCKET) {
    switch (name) {
      case SO_TYPE:
        v = type();
        break;
      case SO_DOMAIN:
        v = AF_NETLINK;
        break;
      case SO_PROTOCOL:
        v = protocol();
        break;
      case SO_RCVBUF:
        v = rcvbuf_;
        break;
      case SO_SNDBUF:
        v = sndbuf_;
        break;
      case SO_ERROR:
        v = 0;
        break;
      default:
        return -ENOPROTOOPT;
    }
  } else if (level == uapi::kSolNetlink) {
    switch (name) {
      case uapi::kNetlinkExtAck:
        v = ext_ack_;
        break;
      case uapi::kNetlinkCapAck:
        v = cap_ack_;
        break;
      default:
        return -ENOPROTOOPT;
    }
  } else {
    return -ENOPROTOOPT;
  }
  if (value->size() < sizeof(int)) return -EINVAL;
  value->assign(reinterpret_cast<const char*>(&v), sizeof(v));
  return 0;
}

int64_t NetlinkRouteSocket::SetSockOpt(Task& t, int level, int name,
                                       const std::string& value) {
  if (value.size() < sizeof(int)) return -EINVAL;
  int v;
  std::memcpy(&v, value.data(), sizeof(v));
  absl::MutexLock l(&mu_);
  if (level == SOL_SOCKET) {
    switch (name) {
      case SO_RCVBUF:
      case SO_SNDBUF: {
        // Linux doubles the value and keeps it within [2304, 2*wmem_max].
        int64_t d = std::clamp<int64_t>(static_cast<int64_t>(v) * 2, 2304,
                                        2 * 212992);
        (name == SO_RCVBUF ? rcvbuf_ : sndbuf_) = static_cast<int>(d);
        return 0;
      }
      default:
        return -ENOPROTOOPT;
    }
  }
  if (level != uapi::kSolNetlink) return -ENOPROTOOPT;
  switch (name) {
    case uapi::kNetlinkExtAck:
    case uapi::kNetlinkCapAck:
    case uapi::kNetlinkGetStrictChk:
      // The host socket answers the forwarded requests: it must agree.
      if (setsockopt(host_fd_, SOL_NETLINK, name, &v, sizeof(v)) < 0) {
        return -errno;
      }
      if (name == uapi::kNetlinkExtAck) ext_ack_ = v != 0;
      if (name == uapi::kNetlinkCapAck) cap_ack_ = v != 0;
      return 0;
    case uapi::kNetlinkAddMembership:
      return -EPERM;
    case uapi::kNetlinkDropMembership:
      return 0;  // nothing joined
    default:
      return -ENOPROTOOPT;
  }
}

void NetlinkRouteSocket::QueueError(const char* req, uint32_t len, int error) {
  uapi::NlMsgHdr rh;
  std::memcpy(&rh, req, sizeof(rh));
  // The request is echoed whole on errors unless NETLINK_CAP_ACK, and only
  // its header on acks (netlink_ack).
  uint32_t payload = (error == 0 || cap_ack_) ? sizeof(rh) : len;
  uapi::NlMsgHdr h = {};
  h.nlmsg_len = sizeof(h) + sizeof(int32_t) + payload;
  h.nlmsg_type = uapi::kNlmsgError;
  h.nlmsg_flags = (error == 0 || cap_ack_) ? uapi::kNlmFCapped : 0;
  h.nlmsg_seq = rh.nlmsg_seq;
  h.nlmsg_pid = port_id_;
  std::string out(reinterpret_cast<const char*>(&h), sizeof(h));
  int32_t e = error;
  out.append(reinterpret_cast<const char*>(&e), sizeof(e));
  out.append(req, payload);
  out.resize(uapi::NlMsgAlign(out.size()), '\0');
  QueueReply(std::move(out));
}

void NetlinkRouteSocket::QueueReply(std::string d) {
  // Linux lets a dump run ahead of the reader by about the receive buffer;
  // a client that sends without reading overruns it.
  if (queued_bytes_ + d.size() > static_cast<uint64_t>(rcvbuf_) * 8) {
    overrun_ = true;
    return;
  }
  queued_bytes_ += d.size();
  replies_.push_back(std::move(d));
}

void NetlinkRouteSocket::Forward(const char* req, uint32_t len) {
  uapi::NlMsgHdr rh;
  std::memcpy(&rh, req, sizeof(rh));
  // rtnetlink_rcv_msg: either bit of NLM_F_DUMP makes a GET a dump.
  const bool dump = (rh.nlmsg_flags & uapi::kNlmFDump) != 0;
  std::string msg(req, len);
  // A single lookup always asks the host for an ack, so that the end of
  // its answer is known; the ack is passed on only if the app asked.
  const bool app_ack = rh.nlmsg_flags & uapi::kNlmFAck;
  if (!dump) {
    uapi::NlMsgHdr h = rh;
    h.nlmsg_flags |= uapi::kNlmFAck;
    std::memcpy(msg.data(), &h, sizeof(h));
  }
  struct sockaddr_nl kernel = {};
  kernel.nl_family = AF_NETLINK;
  ssize_t s;
  do {
    s = ::sendto(host_fd_, msg.data(), msg.size(), 0,
                 reinterpret_cast<sockaddr*>(&kernel), sizeof(kernel));
  } while (s < 0 && errno == EINTR);
  if (s < 0) {
    QueueError(req, len, -errno);
    return;
  }
  std::string buf(64 << 10, '\0');
  size_t total = 0;
  std::deque<std::string> got;
  for (;;) {
    ssize_t r;
    do {
      r = ::recv(host_fd_, buf.data(), buf.size(), 0);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
      QueueError(req, len, -errno);
      return;
    }
    bool end = false;
    std::string dgram;
    // Walk the datagram's messages: rewrite the port id, find the end.
    size_t off = 0;
    while (off + sizeof(uapi::NlMsgHdr) <= static_cast<size_t>(r)) {
      uapi::NlMsgHdr h;
      std::memcpy(&h, buf.data() + off, sizeof(h));
      if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > r - off) break;
      bool drop = false;
      if (h.nlmsg_type == uapi::kNlmsgDone) end = true;
      if (h.nlmsg_type == uapi::kNlmsgError) {
        end = true;
        int32_t err = 0;
        if (h.nlmsg_len >= sizeof(h) + sizeof(err)) {
          std::memcpy(&err, buf.data() + off + sizeof(h), sizeof(err));
        }
        if (!dump && err == 0 && !app_ack) drop = true;
      }
      h.nlmsg_pid = port_id_;
      size_t step = std::min<size_t>(uapi::NlMsgAlign(h.nlmsg_len), r - off);
      if (!drop) {
        dgram.append(reinterpret_cast<const char*>(&h), sizeof(h));
        dgram.append(buf.data() + off + sizeof(h), step - sizeof(h));
      }
      off += step;
    }
    total += dgram.size();
    if (total > kMaxReplyBytes) {
      // Drain what is left so that the next request starts clean.
      while (!end) {
        ssize_t d = ::recv(host_fd_, buf.data(), buf.size(), MSG_DONTWAIT);
        if (d <= 0) break;
      }
      QueueError(req, len, -ENOBUFS);
      return;
    }
    if (!dgram.empty()) got.push_back(std::move(dgram));
    if (end) break;
  }
  for (auto& d : got) QueueReply(std::move(d));
}

void NetlinkRouteSocket::HandleRequest(const char* msg, uint32_t len) {
  uapi::NlMsgHdr h;
  std::memcpy(&h, msg, sizeof(h));
  // netlink_rcv_skb: only requests are processed; control messages are
  // skipped (acked if asked).
  if (!(h.nlmsg_flags & uapi::kNlmFRequest)) return;
  if (h.nlmsg_type < uapi::kNlmsgMinType) {
    if (h.nlmsg_flags & uapi::kNlmFAck) QueueError(msg, len, 0);
    return;
  }
  if (h.nlmsg_type > uapi::kRtmMax + 0x80) {
    QueueError(msg, len, -EOPNOTSUPP);
    return;
  }
  if (ReadOnlyType(h.nlmsg_type)) {
    Forward(msg, len);
    return;
  }
  // rtnetlink_rcv_msg: kind 2 (GET) needs no privilege; the others need
  // CAP_NET_ADMIN in the namespace.
  if ((h.nlmsg_type - uapi::kRtmBase) % 4 == 2) {
    QueueError(msg, len, -EOPNOTSUPP);
  } else {
    QueueError(msg, len, -EPERM);
  }
}

int64_t NetlinkRouteSocket::SendMsg(Task& t, SendRequest& req) {
  if (!req.address.empty()) {
    uapi::SockaddrNl a;
    if (req.address.size() < sizeof(a)) return -EINVAL;
    std::memcpy(&a, req.address.data(), sizeof(a));
    if (a.nl_family != AF_NETLINK) return -EINVAL;
    if (a.nl_groups != 0) return -EPERM;
    if (a.nl_pid != 0) return -ECONNREFUSED;
  }
  const char* p = static_cast<const char*>(req.data);
  {
    absl::MutexLock l(&mu_);
    // netlink_sendmsg: a message must fit the send buffer.
    if (req.len + 32 > static_cast<uint64_t>(sndbuf_)) return -EMSGSIZE;
    AutobindLocked(t);
    // netlink_rcv_skb's walk: stop at the first malformed message.
    size_t off = 0;
    while (off + sizeof(uapi::NlMsgHdr) <= req.len) {
      uapi::NlMsgHdr h;
      std::memcpy(&h, p + off, sizeof(h));
      if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > req.len - off) break;
      HandleRequest(p + off, h.nlmsg_len);
      off += std::min<size_t>(uapi::NlMsgAlign(h.nlmsg_len), req.len - off);
    }
  }
  queue_.Notify(vfs::kReadableEvents);
  return static_cast<int64_t>(req.len);
}

int64_t NetlinkRouteSocket::RecvMsg(Task& t, void* buf, uint64_t len,
                                    int flags, RecvResult* out) {
  const bool dontwait = nonblocking() || (flags & MSG_DONTWAIT);
  for (;;) {
    {
      absl::MutexLock l(&mu_);
      if (overrun_ && !(flags & MSG_PEEK)) {
        overrun_ = false;
        return -ENOBUFS;
      }
      if (!replies_.empty()) {
        std::string& d = replies_.front();
        uint64_t n = std::min<uint64_t>(len, d.size());
        std::memcpy(buf, d.data(), n);
        out->len = n;
        out->full_len = d.size();
        if (n < d.size()) out->msg_flags |= MSG_TRUNC;
        out->address = KernelAddress();
        if (!(flags & MSG_PEEK)) {
          queued_bytes_ -= d.size();
          replies_.pop_front();
        }
        return static_cast<int64_t>(n);
      }
    }
    if (dontwait) return -EAGAIN;
    vfs::TaskWaiter w(vfs::kReadableEvents);
    vfs::ScopedRegistration reg(&queue_, &w);
    {
      absl::MutexLock l(&mu_);
      if (!replies_.empty() || overrun_) continue;
    }
    int64_t r = w.Wait(&t);
    if (r < 0) return r;
  }
}

vfs::EventMask NetlinkRouteSocket::Readiness(vfs::EventMask mask) {
  vfs::EventMask ready = vfs::kWritableEvents;
  absl::MutexLock l(&mu_);
  if (!replies_.empty()) ready |= vfs::kReadableEvents;
  if (overrun_) ready |= vfs::kEventErr;
  return ready & (mask | vfs::kAlwaysEvents);
}

int64_t NetlinkRouteSocket::Ioctl(Task& t, uint64_t cmd, uint64_t arg) {
  if (cmd == 0x541B) {  // FIONREAD/SIOCINQ: the next datagram's size
    int v = 0;
    {
      absl::MutexLock l(&mu_);
      if (!replies_.empty()) v = static_cast<int>(replies_.front().size());
    }
    return t.CopyOutObj(arg, v) < 0 ? -EFAULT : 0;
  }
  return InterfaceIoctl(t, AF_NETLINK, cmd, arg);
}

}  // namespace sentry::socket
