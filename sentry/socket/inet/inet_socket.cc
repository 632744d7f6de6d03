#include "sentry/socket/inet/inet_socket.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "abi/linux/errno.h"
#include "abi/linux/inet.h"
#include "abi/linux/time.h"
#include "sentry/fs/host_fd/host_notifier.h"
#include "platform/platform.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/thread_group.h"
#include "sentry/socket/inet/inet_control.h"
#include "sentry/socket/inet/proc_net.h"
#include "sentry/socket/netns/interfaces.h"
#include "sentry/socket/netns/network.h"

namespace sentry::socket {

namespace {

constexpr vfs::EventMask kDone = vfs::kEventErr | vfs::kEventHup;

// WaitHost's direct phase: this many slices of poll(2) on the host fd.
constexpr int kDirectPollSlices = 2;
constexpr int kDirectPollSliceMs = 1;

// Room for the control messages the host may return for one receive
// (IP_PKTINFO, IP_TTL, IP_TOS, timestamps, IP_RECVERR's extended error
// with its offender address...).
constexpr size_t kControlRoom = 1024;

}  // namespace

int64_t NewInetSocket(Task& t, int family, int type, int protocol,
                      int status_flags, std::shared_ptr<Socket>* out) {
  Network& net = Network::Of(t);
  // A kernel without IPv4/IPv6 (Linux's __sock_create finds no family).
  if (net.mode() == NetworkMode::kNone) return -EAFNOSUPPORT;
  switch (type) {
    case SOCK_STREAM:
      if (protocol == 0) protocol = IPPROTO_TCP;
      // Linux's inet_create: a protocol that does not go with the type.
      if (protocol != IPPROTO_TCP) return -EPROTONOSUPPORT;
      break;
    case SOCK_DGRAM:
      if (protocol == 0) protocol = IPPROTO_UDP;
      // ICMP echo sockets are what ping uses without privileges; the host
      // decides by net.ipv4.ping_group_range (EACCES otherwise).
      if (protocol != IPPROTO_UDP && protocol != IPPROTO_ICMP &&
          protocol != IPPROTO_ICMPV6) {
        return -EPROTONOSUPPORT;
      }
      if ((protocol == IPPROTO_ICMP && family != AF_INET) ||
          (protocol == IPPROTO_ICMPV6 && family != AF_INET6)) {
        return -EPROTONOSUPPORT;
      }
      break;
    case SOCK_RAW:
      // The sandbox looks unprivileged to the network: raw sockets need
      // CAP_NET_RAW, which the sentry does not lend (inet_create's
      // -EPERM).
      return -EPERM;
    case SOCK_SEQPACKET:
    case SOCK_RDM:
    case SOCK_DCCP:
    case SOCK_PACKET:
      // No inet protocol registered for these types.
      return -ESOCKTNOSUPPORT;
    default:
      return -EINVAL;
  }
  int fd = net.HostSocket(family, type, protocol);
  if (fd < 0) return fd;
  auto s = std::make_shared<InetSocket>(fd, family, type, protocol,
                                        status_flags);
  s->SetCreator(t);
  *out = std::move(s);
  return 0;
}

void InetSocket::SetCreator(Task& t) {
  sentry::Credentials c = t.thread_group().creds();
  SetOwner(c.fsuid, c.fsgid);
  // Indexed for /proc/net once its owner is known (proc_net.h).
  struct stat st;
  if (host_ino_ == 0 && fstat(fd_, &st) == 0) {
    host_ino_ = st.st_ino;
    RegisterHostInode(host_ino_, this);
  }
}

InetSocket::InetSocket(int host_fd, int family, int type, int protocol,
                       int status_flags)
    : Socket(family, type, protocol, status_flags), fd_(host_fd) {}

InetSocket::~InetSocket() {
  if (host_ino_) UnregisterHostInode(host_ino_);
  fs::HostNotifier::Get().Remove(fd_);
  close(fd_);
}

// ---- Readiness ----

vfs::EventMask InetSocket::Readiness(vfs::EventMask mask) {
  struct pollfd p{fd_, static_cast<short>((mask | vfs::kEventRdHup) & 0xffff),
                  0};
  int r;
  do {
    r = poll(&p, 1, 0);
  } while (r < 0 && errno == EINTR);
  vfs::EventMask ready = r > 0 ? static_cast<uint16_t>(p.revents) : 0;
  ready &= mask | vfs::kAlwaysEvents;
  if (!(ready & mask) && !queue_.empty()) {
    fs::HostNotifier::Get().Arm(fd_, queue_.Interest() | mask, &queue_);
  }
  return ready;
}

void InetSocket::EventRegister(vfs::WaitEntry* e) {
  queue_.Register(e);
  fs::HostNotifier::Get().Arm(fd_, queue_.Interest(), &queue_);
}

void InetSocket::EventUnregister(vfs::WaitEntry* e) { queue_.Unregister(e); }

void InetSocket::ArmIfWaited(vfs::EventMask events) {
  if (!queue_.empty()) {
    fs::HostNotifier::Get().Arm(fd_, queue_.Interest() | events, &queue_);
  }
}

int64_t InetSocket::WaitHost(Task& t, vfs::EventMask events,
                             absl::Duration timeout) {
  std::optional<absl::Time> deadline;
  if (timeout != absl::InfiniteDuration()) deadline = absl::Now() + timeout;
  if (timeout == absl::ZeroDuration()) {
    return (Readiness(events) & (events | kDone)) ? 0 : -EAGAIN;
  }
  // First a short wait in the host's poll on this thread: an active
  // connection (a reply, the next chunk of a stream) is usually ready
  // within it, and waking here saves the notifier thread's hop. The task
  // is checked for signals between the slices, so one waits at most a
  // slice longer than Linux would to be interrupted. Then the task sleeps
  // on the wait queue, at no cost however long it stays idle.
  for (int slice = 0; slice < kDirectPollSlices; slice++) {
    if (t.Interrupted()) return deadline ? -EINTR : -uapi::kERESTARTSYS;
    int ms = kDirectPollSliceMs;
    if (deadline) {
      absl::Duration left = *deadline - absl::Now();
      if (left <= absl::ZeroDuration()) return -EAGAIN;
      ms = std::min<int64_t>(ms, absl::ToInt64Milliseconds(left) + 1);
    }
    struct pollfd p{fd_, static_cast<short>(events & 0xffff), 0};
    int r = poll(&p, 1, ms);
    if (r > 0 && (p.revents & (events | kDone | POLLNVAL))) return 0;
    if (r < 0 && errno != EINTR) break;
  }
  for (;;) {
    if (Readiness(events) & (events | kDone)) return 0;
    vfs::TaskWaiter w(events | kDone);
    vfs::ScopedRegistration reg(&queue_, &w);
    fs::HostNotifier::Get().Arm(fd_, queue_.Interest() | events, &queue_);
    // Look again now that a change cannot be missed.
    if (Readiness(events) & (events | kDone)) return 0;
    int64_t r = w.Wait(&t, deadline);
    if (r == -ETIMEDOUT) return -EAGAIN;
    if (r == -uapi::kERESTARTSYS && deadline) return -EINTR;
    if (r < 0) return r;
  }
}

// ---- Connection set-up ----

int64_t InetSocket::Bind(Task& t, const std::string& address) {
  if (::bind(fd_, reinterpret_cast<const sockaddr*>(address.data()),
             address.size()) < 0) {
    return -errno;
  }
  return 0;
}

int64_t InetSocket::Listen(Task& t, int backlog) {
  if (::listen(fd_, backlog) < 0) return -errno;
  return 0;
}

int64_t InetSocket::Accept(Task& t, int flags, std::shared_ptr<Socket>* out,
                           std::string* peer) {
  absl::Duration timeout;
  {
    absl::MutexLock l(&mu_);
    timeout = rcv_timeout_;
  }
  for (;;) {
    sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    int fd = ::accept4(fd_, reinterpret_cast<sockaddr*>(&ss), &len,
                       SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      auto s = std::make_shared<InetSocket>(
          fd, family(), type(), protocol(),
          O_RDWR | ((flags & SOCK_NONBLOCK) ? O_NONBLOCK : 0));
      {
        // Linux's sk_clone_lock copies the listener's timeouts.
        absl::MutexLock l(&mu_);
        absl::MutexLock l2(&s->mu_);
        s->rcv_timeout_ = rcv_timeout_;
        s->snd_timeout_ = snd_timeout_;
      }
      s->SetCreator(t);
      peer->assign(reinterpret_cast<const char*>(&ss),
                   std::min<size_t>(len, sizeof(ss)));
      *out = std::move(s);
      return 0;
    }
    int e = errno;
    if (e == EINTR) continue;
    // A connection that failed before it was accepted: Linux's accept
    // reports such errors too, and callers retry.
    if (e != EAGAIN) return -e;
    ArmIfWaited(vfs::kEventIn);
    if (nonblocking()) return -EAGAIN;
    int64_t w = WaitHost(t, vfs::kEventIn, timeout);
    if (w < 0) return w;
  }
}

int64_t InetSocket::Connect(Task& t, const std::string& address) {
  int r = ::connect(fd_, reinterpret_cast<const sockaddr*>(address.data()),
                    address.size());
  if (r == 0) return 0;
  int e = errno;
  if ((e != EINPROGRESS && e != EALREADY) || nonblocking()) {
    if (e == EINPROGRESS || e == EALREADY) ArmIfWaited(vfs::kEventOut);
    return -e;
  }
  // A blocking connect waits for the handshake (SO_SNDTIMEO bounds it, as
  // Linux's inet_stream_connect). A signal leaves the connection going on:
  // the restarted call waits again (EALREADY from the host) or finds it
  // done.
  absl::Duration timeout;
  {
    absl::MutexLock l(&mu_);
    timeout = snd_timeout_;
  }
  int64_t w = WaitHost(t, vfs::kEventOut, timeout);
  if (w == -EAGAIN) return -EINPROGRESS;
  if (w < 0) return w;
  int err = 0;
  socklen_t len = sizeof(err);
  if (getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) < 0) return -errno;
  return err ? -err : 0;
}

int64_t InetSocket::Shutdown(Task& t, int how) {
  if (::shutdown(fd_, how) < 0) return -errno;
  // Waiters may now see EOF/HUP.
  queue_.Notify(vfs::kReadableEvents | vfs::kWritableEvents | vfs::kEventHup |
                vfs::kEventRdHup);
  return 0;
}

int64_t InetSocket::GetSockName(std::string* address) {
  sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  if (getsockname(fd_, reinterpret_cast<sockaddr*>(&ss), &len) < 0) {
    return -errno;
  }
  address->assign(reinterpret_cast<const char*>(&ss),
                  std::min<size_t>(len, sizeof(ss)));
  return 0;
}

int64_t InetSocket::GetPeerName(std::string* address) {
  sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  if (getpeername(fd_, reinterpret_cast<sockaddr*>(&ss), &len) < 0) {
    return -errno;
  }
  address->assign(reinterpret_cast<const char*>(&ss),
                  std::min<size_t>(len, sizeof(ss)));
  return 0;
}

// ---- Data ----

int64_t InetSocket::HostSend(const SendRequest& req, const char* data,
                             uint64_t len, bool first) {
  struct iovec iov{const_cast<char*>(data), len};
  struct msghdr m = {};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  std::string control;
  if (first && !req.continuation) {
    if (!req.address.empty()) {
      m.msg_name = const_cast<char*>(req.address.data());
      m.msg_namelen = req.address.size();
    }
    int64_t c = FilterSendControl(req.control.raw, &control);
    if (c < 0) return c;
    if (!control.empty()) {
      m.msg_control = control.data();
      m.msg_controllen = control.size();
    }
  }
  // Flags the host may see: the sentry does the waiting (MSG_DONTWAIT) and
  // raises SIGPIPE itself (MSG_NOSIGNAL).
  int flags = (req.flags & (MSG_OOB | MSG_DONTROUTE | MSG_EOR | MSG_MORE |
                            MSG_CONFIRM)) |
              MSG_DONTWAIT | MSG_NOSIGNAL;
  for (;;) {
    ssize_t r = ::sendmsg(fd_, &m, flags);
    if (r >= 0) return r;
    if (errno != EINTR) return -errno;
  }
}

int64_t InetSocket::SendMsg(Task& t, SendRequest& req) {
  if (req.flags & MSG_FASTOPEN) return -EOPNOTSUPP;
  const bool dontwait = nonblocking() || (req.flags & MSG_DONTWAIT);
  absl::Duration timeout;
  {
    absl::MutexLock l(&mu_);
    timeout = snd_timeout_;
  }
  const char* p = static_cast<const char*>(req.data);
  uint64_t done = 0;
  // A datagram goes whole or not at all; a stream send on a blocking
  // socket sends everything (Linux's tcp_sendmsg waits for room), and
  // returns what went when a signal or the timeout stops it.
  for (;;) {
    int64_t r = HostSend(req, p + done, req.len - done, done == 0);
    if (r >= 0) {
      done += static_cast<uint64_t>(r);
      if (!stream() || done >= req.len) return static_cast<int64_t>(done);
      if (dontwait) return static_cast<int64_t>(done);
      continue;
    }
    if (r != -EAGAIN) {
      if (done) return static_cast<int64_t>(done);
      return r;
    }
    ArmIfWaited(vfs::kEventOut);
    if (dontwait) return done ? static_cast<int64_t>(done) : -EAGAIN;
    int64_t w = WaitHost(t, vfs::kEventOut, timeout);
    if (w < 0) return done ? static_cast<int64_t>(done) : w;
  }
}

int64_t InetSocket::HostRecv(Task& t, void* buf, uint64_t len, int flags,
                             RecvResult* out) {
  sockaddr_storage ss;
  alignas(struct cmsghdr) char control[kControlRoom];
  struct iovec iov{buf, len};
  struct msghdr m = {};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  if (!stream()) {
    m.msg_name = &ss;
    m.msg_namelen = sizeof(ss);
  }
  m.msg_control = control;
  m.msg_controllen = sizeof(control);
  // Datagram sockets always ask for the datagram's real length. A stream's
  // MSG_TRUNC is tcp_recvmsg's "discard without copying": the host drops
  // the bytes, leaves the sentry's buffer unwritten, and the result says
  // so, so the syscall layer copies nothing out.
  int host_flags = (flags & (MSG_OOB | MSG_PEEK | MSG_ERRQUEUE)) | MSG_DONTWAIT;
  if (!stream() || (flags & MSG_TRUNC)) host_flags |= MSG_TRUNC;
  ssize_t r;
  do {
    r = ::recvmsg(fd_, &m, host_flags);
  } while (r < 0 && errno == EINTR);
  if (r < 0) return -errno;
  uint64_t got = static_cast<uint64_t>(r);
  out->len = std::min<uint64_t>(got, len);
  out->full_len = got;
  out->msg_flags = m.msg_flags & (MSG_TRUNC | MSG_CTRUNC | MSG_EOR | MSG_OOB |
                                  MSG_ERRQUEUE);
  out->discarded = stream() && (host_flags & MSG_TRUNC);
  if (!stream() && m.msg_namelen > 0) {
    out->address.assign(reinterpret_cast<const char*>(&ss),
                        std::min<size_t>(m.msg_namelen, sizeof(ss)));
  }
  if (m.msg_controllen > 0) {
    out->control.raw.assign(control, m.msg_controllen);
    if (t.current_syscall().arch == platform::Arch::kI386) {
      out->control.raw = CompatReceivedControl(out->control.raw);
    }
  }
  return static_cast<int64_t>(got);
}

int64_t InetSocket::RecvMsg(Task& t, void* buf, uint64_t len, int flags,
                            RecvResult* out) {
  const bool dontwait = nonblocking() || (flags & MSG_DONTWAIT);
  absl::Duration timeout;
  {
    absl::MutexLock l(&mu_);
    timeout = rcv_timeout_;
  }
  // MSG_WAITALL on a stream: keep reading until `len` bytes, EOF, an error
  // or a signal (then what was read is returned), as tcp_recvmsg.
  const bool waitall = stream() && (flags & MSG_WAITALL) &&
                       !(flags & (MSG_PEEK | MSG_TRUNC | MSG_OOB)) && len > 0;
  char* p = static_cast<char*>(buf);
  uint64_t done = 0;
  for (;;) {
    RecvResult part;
    int64_t r = HostRecv(t, p + done, len - done, flags, &part);
    if (r >= 0) {
      if (done == 0) {
        *out = std::move(part);
      } else {
        out->len += part.len;
        out->full_len += part.full_len;
      }
      done += part.len;
      if (!waitall || r == 0 || done >= len) {
        if (done == 0 && out->full_len == 0) return 0;
        return static_cast<int64_t>(out->len);
      }
      if (dontwait) return static_cast<int64_t>(out->len);
      continue;
    }
    if (r != -EAGAIN) return done ? static_cast<int64_t>(done) : r;
    ArmIfWaited(vfs::kEventIn);
    if (dontwait || (flags & MSG_ERRQUEUE)) {
      return done ? static_cast<int64_t>(done) : -EAGAIN;
    }
    int64_t w = WaitHost(t, vfs::kEventIn, timeout);
    if (w < 0) return done ? static_cast<int64_t>(done) : w;
  }
}

// ---- File ----

int64_t InetSocket::Ioctl(Task& t, uint64_t cmd, uint64_t arg) {
  switch (cmd) {
    case uapi::kSIOCINQ:
    case uapi::kSIOCOUTQ:
    case uapi::kSIOCOUTQNSD:
    case uapi::kSIOCATMARK: {
      int v = 0;
      if (ioctl(fd_, cmd, &v) < 0) return -errno;
      return t.CopyOutObj(arg, v) < 0 ? -EFAULT : 0;
    }
    case uapi::kSIOCGSTAMP_OLD:
    case uapi::kSIOCGSTAMPNS_OLD:
    case uapi::kSIOCGSTAMP_NEW:
    case uapi::kSIOCGSTAMPNS_NEW: {
      // The host keeps the stamp (ENOENT before any packet was received);
      // it is written in the layout the caller's form asks for, as
      // sock_gettstamp does.
      const bool ns = cmd == uapi::kSIOCGSTAMPNS_OLD ||
                      cmd == uapi::kSIOCGSTAMPNS_NEW;
      int64_t sec, frac;
      if (ns) {
        struct timespec ts;
        if (ioctl(fd_, uapi::kSIOCGSTAMPNS_OLD, &ts) < 0) return -errno;
        sec = ts.tv_sec;
        frac = ts.tv_nsec;
      } else {
        struct timeval tv;
        if (ioctl(fd_, uapi::kSIOCGSTAMP_OLD, &tv) < 0) return -errno;
        sec = tv.tv_sec;
        frac = tv.tv_usec;
      }
      const bool old = cmd == uapi::kSIOCGSTAMP_OLD ||
                       cmd == uapi::kSIOCGSTAMPNS_OLD;
      if (old && t.current_syscall().arch == platform::Arch::kI386) {
        int32_t v[2] = {static_cast<int32_t>(sec), static_cast<int32_t>(frac)};
        return t.CopyOut(arg, v, sizeof(v)) < 0 ? -EFAULT : 0;
      }
      int64_t v[2] = {sec, frac};
      return t.CopyOut(arg, v, sizeof(v)) < 0 ? -EFAULT : 0;
    }
    default:
      return InterfaceIoctl(t, family(), cmd, arg);
  }
}

}  // namespace sentry::socket
