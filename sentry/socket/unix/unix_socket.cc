#include "sentry/socket/unix/unix_socket.h"

#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/sockios.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "abi/linux/errno.h"
#include "abi/linux/socket.h"
#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "sentry/kernel/credentials.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/thread_group.h"
#include "sentry/socket/netns/interfaces.h"
#include "sentry/syscalls/sys_file_util.h"
#include "sentry/vfs/dentry.h"
#include "sentry/vfs/fs_context.h"
#include "sentry/vfs/vfs.h"
#include "sentry/socket/unix/endpoint.h"
#include "sentry/socket/unix/gc.h"
#include "sentry/socket/unix/names.h"

namespace sentry::socket {

using unix_internal::unix_mu;
using unix_internal::Deferred;
using unix_internal::Wake;
using unix_internal::kInEvents;
using unix_internal::kOutEvents;
using unix_internal::kAllEvents;
using unix_internal::Connection;
using unix_internal::Truesize;
using unix_internal::UnchargeLocked;
using unix_internal::ReleaseLocked;
using unix_internal::WritableLocked;
using unix_internal::RecvqFullLocked;
using unix_internal::UnixAddr;
using unix_internal::ParseAddr;
using unix_internal::FamilyOnly;
using unix_internal::AutobindLocked;
using unix_internal::BindAbstractLocked;
using unix_internal::BindPath;
using unix_internal::FindPeer;
using unix_internal::RightsSender;
using unix_internal::RightsSenderOf;
using unix_internal::AttachRightsLocked;
using unix_internal::UninflightLocked;
using unix_internal::CollectGarbageLocked;
using unix_internal::ScheduleGcLocked;
using unix_internal::SocketsInFlightLocked;
using unix_internal::kRcvShutdown;
using unix_internal::kSendShutdown;
using unix_internal::kShutdownMask;
using unix_internal::kWmemMax;
using unix_internal::kRmemMax;
using unix_internal::kSockMinSndbuf;
using unix_internal::kSockMinRcvbuf;
using unix_internal::kSomaxconn;

namespace {

Credentials TaskCredentials(Task& t, bool effective) {
  sentry::Credentials c = t.thread_group().creds();
  Credentials out;
  out.pid = t.thread_group().tgid();
  out.uid = effective ? c.euid : c.ruid;
  out.gid = effective ? c.egid : c.rgid;
  return out;
}

// The deadline of a blocking call with timeout `d`; nullopt: none.
std::optional<absl::Time> Deadline(absl::Duration d) {
  if (d == absl::InfiniteDuration()) return std::nullopt;
  return absl::Now() + d;
}

// sock_intr_errno(): an interrupted wait restarts (-ERESTARTSYS) only when
// no SO_RCVTIMEO/SO_SNDTIMEO bounds it; with one it is EINTR.
int64_t IntrErrno(int64_t r, const std::optional<absl::Time>& deadline) {
  if (r == -uapi::kERESTARTSYS && deadline) return -EINTR;
  return r;
}

int64_t IntOpt(const std::string& v, int* out) {
  if (v.size() < sizeof(int)) return -EINVAL;
  std::memcpy(out, v.data(), sizeof(int));
  return 0;
}

std::string IntValue(int v) {
  return std::string(reinterpret_cast<const char*>(&v), sizeof(v));
}

bool Compat(Task& t) {
  return t.current_syscall().arch == platform::Arch::kI386;
}

// SO_RCVTIMEO/SO_SNDTIMEO values: struct timeval of the caller's layout
// (sock_set_timeout()).
int64_t ParseTimeout(Task& t, const std::string& v, absl::Duration* out) {
  int64_t sec, usec;
  if (Compat(t)) {
    int32_t tv[2];
    if (v.size() < sizeof(tv)) return -EINVAL;
    std::memcpy(tv, v.data(), sizeof(tv));
    sec = tv[0];
    usec = tv[1];
  } else {
    int64_t tv[2];
    if (v.size() < sizeof(tv)) return -EINVAL;
    std::memcpy(tv, v.data(), sizeof(tv));
    sec = tv[0];
    usec = tv[1];
  }
  if (usec < 0 || usec >= 1000000) return -EDOM;
  if (sec < 0) {
    *out = absl::ZeroDuration();
    return 0;
  }
  if (sec == 0 && usec == 0) {
    *out = absl::InfiniteDuration();
    return 0;
  }
  *out = absl::Seconds(sec) + absl::Microseconds(usec);
  return 0;
}

std::string TimeoutValue(Task& t, absl::Duration d) {
  int64_t sec = 0, usec = 0;
  if (d != absl::InfiniteDuration()) {
    sec = absl::ToInt64Seconds(d);
    usec = absl::ToInt64Microseconds(d - absl::Seconds(sec));
  }
  if (Compat(t)) {
    int32_t tv[2] = {static_cast<int32_t>(sec), static_cast<int32_t>(usec)};
    return std::string(reinterpret_cast<const char*>(tv), sizeof(tv));
  }
  int64_t tv[2] = {sec, usec};
  return std::string(reinterpret_cast<const char*>(tv), sizeof(tv));
}

}  // namespace

int64_t NewUnixSocket(Task& t, int type, int protocol, int status_flags,
                      std::shared_ptr<Socket>* out) {
  if (protocol != 0 && protocol != PF_UNIX) return -EPROTONOSUPPORT;
  switch (type) {
    case SOCK_STREAM:
    case SOCK_DGRAM:
    case SOCK_SEQPACKET:
      break;
    case SOCK_RAW:
      // unix_create(): SOCK_RAW is taken as SOCK_DGRAM.
      type = SOCK_DGRAM;
      break;
    default:
      return -ESOCKTNOSUPPORT;
  }
  auto ep = std::make_shared<UnixEndpoint>(type);
  auto s = std::make_shared<UnixSocket>(type, status_flags, std::move(ep));
  sentry::Credentials c = t.thread_group().creds();
  s->SetCreator(c.fsuid, c.fsgid);
  *out = std::move(s);
  return 0;
}

namespace {
// Every UnixSocket description alive, for /proc/net/unix.
std::set<UnixSocket*>& LiveSockets() ABSL_EXCLUSIVE_LOCKS_REQUIRED(unix_mu) {
  static auto* s = new std::set<UnixSocket*>();
  return *s;
}
}  // namespace

UnixSocket::UnixSocket(int type, int status_flags,
                       std::shared_ptr<UnixEndpoint> ep)
    : Socket(AF_UNIX, type, 0, status_flags), ep_(std::move(ep)) {
  absl::MutexLock l(&unix_mu);
  LiveSockets().insert(this);
}

std::string UnixProcNetText() {
  // __SO_ACCEPTCON and the socket_state values unix_seq_show prints.
  constexpr uint32_t kSoAcceptcon = 1u << 16;
  constexpr int kSsUnconnected = 1, kSsConnected = 3;
  std::string out = "Num       RefCount Protocol Flags    Type St Inode Path\n";
  absl::MutexLock l(&unix_mu);
  for (UnixSocket* s : LiveSockets()) {
    const UnixEndpoint& ep = *s->endpoint();
    const bool listening = ep.state == UnixEndpoint::State::kListening;
    const bool connected = ep.state == UnixEndpoint::State::kConnected;
    // The kernel address (%pK) is zeros, as Linux shows it to readers
    // without CAP_SYSLOG; the count is the socket's own reference, its
    // file's, and the peer's while connected.
    absl::StrAppendFormat(&out, "%016x: %08X %08X %08X %04X %02X %5u", 0,
                          connected && ep.peer ? 3 : 2, 0,
                          listening ? kSoAcceptcon : 0, ep.type,
                          connected ? kSsConnected : kSsUnconnected, s->ino());
    constexpr size_t kPathOff = sizeof(sa_family_t);
    if (ep.addr.size() > kPathOff) {
      std::string path = ep.addr.substr(kPathOff);
      out += ' ';
      size_t i = 0;
      size_t len = path.size();
      if (path[0] != '\0') {
        // A pathname: up to its terminating NUL.
        len = std::min(len, path.find('\0'));
      } else {
        out += '@';
        i = 1;
      }
      for (; i < len; i++) out += path[i] ? path[i] : '@';
    }
    out += '\n';
  }
  return out;
}

UnixSocket::~UnixSocket() {
  Deferred d;
  absl::MutexLock l(&unix_mu);
  LiveSockets().erase(this);
  ReleaseLocked(ep_, /*embryo=*/false, d);
  // A closed socket may have been the last way into a cycle of sockets in
  // flight (unix_release_sock() runs the collector too).
  CollectGarbageLocked(d);
  if (SocketsInFlightLocked()) ScheduleGcLocked();
}

int64_t UnixSocket::Bind(Task& t, const std::string& address) {
  UnixAddr a;
  int64_t r = ParseAddr(address, /*bind=*/true, &a);
  if (r < 0) return r;
  if (a.kind == UnixAddr::Kind::kPath) return BindPath(t, ep_, a);
  absl::MutexLock l(&unix_mu);
  if (a.kind == UnixAddr::Kind::kAutobind) return AutobindLocked(ep_);
  return BindAbstractLocked(ep_, a);
}

int64_t UnixSocket::Listen(Task& t, int backlog) {
  if (!Connection(type())) return -EOPNOTSUPP;
  // __sys_listen() caps the backlog at somaxconn (as unsigned).
  if (static_cast<unsigned>(backlog) > static_cast<unsigned>(kSomaxconn)) {
    backlog = kSomaxconn;
  }
  Credentials creds = TaskCredentials(t, /*effective=*/true);
  Deferred d;
  absl::MutexLock l(&unix_mu);
  if (ep_->addr.empty()) return -EINVAL;
  if (ep_->state == UnixEndpoint::State::kConnected) return -EINVAL;
  if (backlog > ep_->backlog) Wake(ep_, kOutEvents, d);
  ep_->backlog = backlog;
  ep_->state = UnixEndpoint::State::kListening;
  ep_->peercred = creds;
  return 0;
}

int64_t UnixSocket::Accept(Task& t, int flags, std::shared_ptr<Socket>* out,
                           std::string* peer) {
  if (!Connection(type())) return -EOPNOTSUPP;
  std::shared_ptr<UnixEndpoint> conn;
  {
    Deferred d;
    absl::MutexLock l(&unix_mu);
    if (ep_->state != UnixEndpoint::State::kListening) return -EINVAL;
    const bool nonblock = nonblocking() || ep_->rcvtimeo == absl::ZeroDuration();
    std::optional<absl::Time> deadline = Deadline(ep_->rcvtimeo);
    while (ep_->accept_queue.empty()) {
      if (nonblock) return -EAGAIN;
      int64_t r = vfs::BlockTask(
          &t, &unix_mu, &ep_->cv,
          [this]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
            return !ep_->accept_queue.empty() ||
                   ep_->state != UnixEndpoint::State::kListening;
          },
          deadline);
      if (ep_->state != UnixEndpoint::State::kListening) return -EINVAL;
      if (!ep_->accept_queue.empty()) break;
      if (r == -ETIMEDOUT) return -EAGAIN;
      if (r < 0) return IntrErrno(r, deadline);
    }
    conn = std::move(ep_->accept_queue.front());
    ep_->accept_queue.pop_front();
    // unix_sock_inherit_flags(): SO_PASSCRED comes from the listener.
    conn->passcred = ep_->passcred;
    *peer = conn->peer && !conn->peer->addr.empty() ? conn->peer->addr
                                                    : FamilyOnly();
    // Connectors waiting for room in the backlog.
    Wake(ep_, kOutEvents, d);
  }
  int status = O_RDWR | ((flags & SOCK_NONBLOCK) ? O_NONBLOCK : 0);
  auto s = std::make_shared<UnixSocket>(type(), status, std::move(conn));
  sentry::Credentials c = t.thread_group().creds();
  s->SetOwner(c.fsuid, c.fsgid);
  *out = std::move(s);
  return 0;
}

int64_t UnixSocket::Connect(Task& t, const std::string& address) {
  Credentials creds = TaskCredentials(t, /*effective=*/true);
  if (!Connection(type())) {
    // unix_dgram_connect(): AF_UNSPEC dissolves the association.
    if (address.size() >= 2) {
      uint16_t fam;
      std::memcpy(&fam, address.data(), 2);
      if (fam == AF_UNSPEC) {
        Deferred d;
        absl::MutexLock l(&unix_mu);
        if (ep_->peer) {
          Wake(ep_->peer, kOutEvents, d);
          d.eps.push_back(std::move(ep_->peer));
          ep_->peer.reset();
        }
        ep_->state = UnixEndpoint::State::kClosed;
        return 0;
      }
    }
  }
  UnixAddr a;
  int64_t r = ParseAddr(address, /*bind=*/false, &a);
  if (r < 0) return r;
  {
    absl::MutexLock l(&unix_mu);
    if (ep_->passcred && ep_->addr.empty()) {
      r = AutobindLocked(ep_);
      if (r < 0) return r;
    }
  }
  std::shared_ptr<UnixEndpoint> other;
  r = FindPeer(t, a, type(), &other);
  if (r < 0) return r;

  Deferred d;
  absl::MutexLock l(&unix_mu);
  if (!Connection(type())) {
    // unix_may_send(): the target must not be connected to someone else.
    if (other->peer && other->peer != ep_ && other != ep_) return -EPERM;
    if (ep_->peer) d.eps.push_back(std::move(ep_->peer));
    ep_->peer = other;
    ep_->state = UnixEndpoint::State::kConnected;
    return 0;
  }
  // unix_stream_connect().
  std::optional<absl::Time> deadline = Deadline(ep_->sndtimeo);
  bool nonblock = nonblocking() || ep_->sndtimeo == absl::ZeroDuration();
  for (;;) {
    if (other->released) return -ECONNREFUSED;
    if (other->state != UnixEndpoint::State::kListening) return -ECONNREFUSED;
    if (other->shutdown & kRcvShutdown) return -ECONNREFUSED;
    if (!RecvqFullLocked(*other)) break;
    if (nonblock) return -EAGAIN;
    r = vfs::BlockTask(
        &t, &unix_mu, &other->cv,
        [&other]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
          return other->released ||
                 other->state != UnixEndpoint::State::kListening ||
                 !RecvqFullLocked(*other);
        },
        deadline);
    if (r == -ETIMEDOUT) nonblock = true;
    else if (r < 0) return IntrErrno(r, deadline);
  }
  if (ep_->state == UnixEndpoint::State::kConnected) return -EISCONN;
  if (ep_->state != UnixEndpoint::State::kClosed) return -EINVAL;
  auto server = std::make_shared<UnixEndpoint>(type());
  server->state = UnixEndpoint::State::kConnected;
  server->peer = ep_;
  server->peercred = creds;
  server->addr = other->addr;
  ep_->peer = server;
  ep_->state = UnixEndpoint::State::kConnected;
  ep_->peercred = other->peercred;
  other->accept_queue.push_back(std::move(server));
  Wake(other, kInEvents, d);
  Wake(ep_, kOutEvents, d);
  return 0;
}

int64_t UnixSocket::ConnectPair(Task& t, Socket& other_sock) {
  auto* other = dynamic_cast<UnixSocket*>(&other_sock);
  if (!other) return -EOPNOTSUPP;
  Credentials creds = TaskCredentials(t, /*effective=*/true);
  sentry::Credentials c = t.thread_group().creds();
  SetOwner(c.fsuid, c.fsgid);
  other->SetOwner(c.fsuid, c.fsgid);
  absl::MutexLock l(&unix_mu);
  ep_->peer = other->ep_;
  other->ep_->peer = ep_;
  ep_->state = UnixEndpoint::State::kConnected;
  other->ep_->state = UnixEndpoint::State::kConnected;
  ep_->peercred = creds;
  other->ep_->peercred = creds;
  return 0;
}

int64_t UnixSocket::Shutdown(Task& t, int how) {
  if (how < SHUT_RD || how > SHUT_RDWR) return -EINVAL;
  // SHUT_RD, SHUT_WR, SHUT_RDWR are RCV_SHUTDOWN, SEND_SHUTDOWN, both.
  const int mode = how + 1;
  Deferred d;
  absl::MutexLock l(&unix_mu);
  ep_->shutdown |= mode;
  Wake(ep_, kAllEvents, d);
  std::shared_ptr<UnixEndpoint> other = ep_->peer;
  if (other && Connection(type())) {
    int peer_mode = 0;
    if (mode & kRcvShutdown) peer_mode |= kSendShutdown;
    if (mode & kSendShutdown) peer_mode |= kRcvShutdown;
    other->shutdown |= peer_mode;
    Wake(other, kAllEvents, d);
    d.eps.push_back(std::move(other));
  }
  return 0;
}

int64_t UnixSocket::GetSockName(std::string* address) {
  absl::MutexLock l(&unix_mu);
  *address = ep_->addr.empty() ? FamilyOnly() : ep_->addr;
  return 0;
}

int64_t UnixSocket::GetPeerName(std::string* address) {
  absl::MutexLock l(&unix_mu);
  if (!ep_->peer) return -ENOTCONN;
  *address = ep_->peer->addr.empty() ? FamilyOnly() : ep_->peer->addr;
  return 0;
}

int64_t UnixSocket::GetSockOpt(Task& t, int level, int name,
                               std::string* value) {
  if (level != SOL_SOCKET) return -EOPNOTSUPP;
  absl::MutexLock l(&unix_mu);
  switch (name) {
    case SO_TYPE:
      *value = IntValue(type());
      return 0;
    case SO_DOMAIN:
      *value = IntValue(AF_UNIX);
      return 0;
    case SO_PROTOCOL:
      *value = IntValue(0);
      return 0;
    case SO_ERROR:
      *value = IntValue(ep_->err);
      ep_->err = 0;
      return 0;
    case SO_ACCEPTCONN:
      *value = IntValue(ep_->state == UnixEndpoint::State::kListening);
      return 0;
    case SO_SNDBUF:
      *value = IntValue(ep_->sndbuf);
      return 0;
    case SO_RCVBUF:
      *value = IntValue(ep_->rcvbuf);
      return 0;
    case SO_PASSCRED:
      *value = IntValue(ep_->passcred);
      return 0;
    case SO_PEERCRED: {
      // cred_to_ucred(): no peer is pid 0 with ids -1.
      uapi::Ucred u{0, 0xffffffffu, 0xffffffffu};
      if (ep_->peercred) {
        u = {ep_->peercred->pid, ep_->peercred->uid, ep_->peercred->gid};
      }
      *value = std::string(reinterpret_cast<const char*>(&u), sizeof(u));
      return 0;
    }
    case SO_RCVTIMEO:
      *value = TimeoutValue(t, ep_->rcvtimeo);
      return 0;
    case SO_SNDTIMEO:
      *value = TimeoutValue(t, ep_->sndtimeo);
      return 0;
    case SO_RCVLOWAT:
    case SO_SNDLOWAT:
      *value = IntValue(1);
      return 0;
    case SO_LINGER: {
      int lv[2] = {ep_->linger_onoff, ep_->linger_secs};
      *value = std::string(reinterpret_cast<const char*>(lv), sizeof(lv));
      return 0;
    }
    case SO_REUSEADDR:
    case SO_REUSEPORT:
    case SO_KEEPALIVE:
    case SO_BROADCAST:
    case SO_DONTROUTE:
    case SO_OOBINLINE:
    case SO_PRIORITY:
    case SO_PASSSEC:
    case SO_TIMESTAMP:
    case SO_MARK: {
      auto it = ep_->int_opts.find(name);
      *value = IntValue(it == ep_->int_opts.end() ? 0 : it->second);
      return 0;
    }
    default:
      return -ENOPROTOOPT;
  }
}

int64_t UnixSocket::SetSockOpt(Task& t, int level, int name,
                               const std::string& value) {
  if (level != SOL_SOCKET) return -EOPNOTSUPP;
  int v = 0;
  // SO_SNDBUFFORCE/SO_RCVBUFFORCE need CAP_NET_ADMIN and skip the
  // wmem_max/rmem_max caps.
  constexpr int kCapNetAdmin = 12;
  const bool force = name == SO_SNDBUFFORCE || name == SO_RCVBUFFORCE;
  if (force && !t.thread_group().creds().HasCap(kCapNetAdmin)) return -EPERM;
  Deferred d;
  absl::MutexLock l(&unix_mu);
  switch (name) {
    case SO_SNDBUFFORCE:
    case SO_RCVBUFFORCE: {
      if (int64_t r = IntOpt(value, &v); r < 0) return r;
      // sock_setsockopt(): negative values are taken as 0, then doubled
      // and floored at the minimums.
      int64_t want = std::max(v, 0);
      want = std::min<int64_t>(want * 2, INT32_MAX);
      if (name == SO_SNDBUFFORCE) {
        ep_->sndbuf = std::max<int>(static_cast<int>(want), kSockMinSndbuf);
        Wake(ep_, kOutEvents, d);
      } else {
        ep_->rcvbuf = std::max<int>(static_cast<int>(want), kSockMinRcvbuf);
      }
      return 0;
    }
    case SO_SNDBUF: {
      if (int64_t r = IntOpt(value, &v); r < 0) return r;
      // sock_setsockopt(): capped at wmem_max, doubled for overhead.
      uint32_t u = std::min<uint32_t>(static_cast<uint32_t>(v), kWmemMax);
      ep_->sndbuf = std::max<int>(static_cast<int>(u) * 2, kSockMinSndbuf);
      Wake(ep_, kOutEvents, d);
      return 0;
    }
    case SO_RCVBUF: {
      if (int64_t r = IntOpt(value, &v); r < 0) return r;
      uint32_t u = std::min<uint32_t>(static_cast<uint32_t>(v), kRmemMax);
      ep_->rcvbuf = std::max<int>(static_cast<int>(u) * 2, kSockMinRcvbuf);
      return 0;
    }
    case SO_PASSCRED:
      if (int64_t r = IntOpt(value, &v); r < 0) return r;
      ep_->passcred = v != 0;
      return 0;
    case SO_RCVTIMEO:
      return ParseTimeout(t, value, &ep_->rcvtimeo);
    case SO_SNDTIMEO:
      return ParseTimeout(t, value, &ep_->sndtimeo);
    case SO_LINGER: {
      if (value.size() < 2 * sizeof(int)) return -EINVAL;
      int lv[2];
      std::memcpy(lv, value.data(), sizeof(lv));
      ep_->linger_onoff = lv[0] != 0;
      ep_->linger_secs = lv[1];
      return 0;
    }
    case SO_REUSEADDR:
    case SO_REUSEPORT:
    case SO_KEEPALIVE:
    case SO_BROADCAST:
    case SO_DONTROUTE:
    case SO_OOBINLINE:
    case SO_PASSSEC:
    case SO_TIMESTAMP:
      if (int64_t r = IntOpt(value, &v); r < 0) return r;
      ep_->int_opts[name] = v != 0;
      return 0;
    case SO_PRIORITY:
      if (int64_t r = IntOpt(value, &v); r < 0) return r;
      ep_->int_opts[name] = v;
      return 0;
    case SO_RCVLOWAT:
    case SO_SNDLOWAT:
      if (int64_t r = IntOpt(value, &v); r < 0) return r;
      return name == SO_SNDLOWAT ? -ENOPROTOOPT : 0;
    default:
      return -ENOPROTOOPT;
  }
}

int64_t UnixSocket::SendMsg(Task& t, SendRequest& req) {
  if (req.flags & MSG_OOB) return -EOPNOTSUPP;
  if (type() == SOCK_STREAM) return SendStream(t, req);
  return SendDgram(t, req);
}

// unix_stream_sendmsg(): the data is cut into messages of at most half the
// send buffer; each waits for room in the send buffer.
int64_t UnixSocket::SendStream(Task& t, SendRequest& req) {
  Credentials creds = TaskCredentials(t, /*effective=*/false);
  const RightsSender who = RightsSenderOf(t);
  Deferred d;
  absl::MutexLock l(&unix_mu);
  if (!req.address.empty() && !req.continuation) {
    return ep_->state == UnixEndpoint::State::kConnected ? -EISCONN
                                                         : -EOPNOTSUPP;
  }
  std::shared_ptr<UnixEndpoint> other = ep_->peer;
  if (!other) return -ENOTCONN;
  std::optional<absl::Time> deadline = Deadline(ep_->sndtimeo);
  bool nonblock = NonBlocking(req.flags) || ep_->sndtimeo == absl::ZeroDuration();
  const char* data = static_cast<const char*>(req.data);
  uint64_t sent = 0;
  bool first = true;
  auto pipe_err = [&]() -> int64_t {
    if (sent) return static_cast<int64_t>(sent);
    return -EPIPE;
  };
  if (ep_->shutdown & kSendShutdown) return pipe_err();
  while (sent < req.len) {
    while (ep_->wmem >= static_cast<uint64_t>(ep_->sndbuf)) {
      if (other->released || (other->shutdown & kRcvShutdown) ||
          (ep_->shutdown & kSendShutdown)) {
        return pipe_err();
      }
      if (nonblock) return sent ? static_cast<int64_t>(sent) : -EAGAIN;
      int64_t r = vfs::BlockTask(
          &t, &unix_mu, &ep_->cv,
          [this, &other]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
            return ep_->wmem < static_cast<uint64_t>(ep_->sndbuf) ||
                   other->released || (other->shutdown & kRcvShutdown) ||
                   (ep_->shutdown & kSendShutdown);
          },
          deadline);
      if (r == -ETIMEDOUT) {
        if (ep_->wmem < static_cast<uint64_t>(ep_->sndbuf)) break;
        return sent ? static_cast<int64_t>(sent) : -EAGAIN;
      }
      if (r < 0) return sent ? static_cast<int64_t>(sent) : IntrErrno(r, deadline);
    }
    if (other->released || (other->shutdown & kRcvShutdown) ||
        (ep_->shutdown & kSendShutdown)) {
      return pipe_err();
    }
    uint64_t max = std::max<int64_t>(ep_->sndbuf / 2 - 64, 1024);
    max = std::min<uint64_t>(max, 65536);
    uint64_t size = std::min<uint64_t>(req.len - sent, max);
    UnixMessage m;
    m.data.assign(data + sent, size);
    if (first) {
      // Only the first message carries the descriptors.
      m.rights = std::move(req.control.rights);
      req.control.rights.clear();
      if (int64_t r = AttachRightsLocked(who, m); r < 0) {
        d.msgs.push_back(std::move(m));
        return r;
      }
    }
    if (req.control.credentials) {
      m.creds = req.control.credentials;
    } else if (ep_->passcred || other->passcred) {
      m.creds = creds;
    }
    m.charge = Truesize(size);
    m.sender = ep_;
    ep_->wmem += m.charge;
    other->recv_bytes += size;
    other->recvq.push_back(std::move(m));
    Wake(other, kInEvents, d);
    sent += size;
    first = false;
  }
  return static_cast<int64_t>(sent);
}

// unix_dgram_sendmsg(), also SOCK_SEQPACKET's (to its peer only).
int64_t UnixSocket::SendDgram(Task& t, SendRequest& req) {
  Credentials creds = TaskCredentials(t, /*effective=*/false);
  const RightsSender who = RightsSenderOf(t);
  std::shared_ptr<UnixEndpoint> other;
  if (type() == SOCK_SEQPACKET) {
    absl::MutexLock l(&unix_mu);
    if (ep_->state != UnixEndpoint::State::kConnected) return -ENOTCONN;
  } else if (!req.address.empty()) {
    UnixAddr a;
    int64_t r = ParseAddr(req.address, /*bind=*/false, &a);
    if (r < 0) return r;
    r = FindPeer(t, a, type(), &other);
    if (r < 0) return r;
  }
  Deferred d;
  absl::MutexLock l(&unix_mu);
  if (!other) {
    other = ep_->peer;
    if (!other) return -ENOTCONN;
  }
  if (req.len > static_cast<uint64_t>(ep_->sndbuf) - 32) return -EMSGSIZE;
  if ((ep_->passcred || other->passcred) && ep_->addr.empty()) {
    int64_t r = AutobindLocked(ep_);
    if (r < 0) return r;
  }
  std::optional<absl::Time> deadline = Deadline(ep_->sndtimeo);
  const bool nonblock =
      NonBlocking(req.flags) || ep_->sndtimeo == absl::ZeroDuration();
  for (;;) {
    if (ep_->shutdown & kSendShutdown) return -EPIPE;
    if (other->released) {
      if (type() == SOCK_SEQPACKET) return -EPIPE;
      if (ep_->peer == other) {
        // The connected peer is gone: forget it (ENOTCONN next time).
        d.eps.push_back(std::move(ep_->peer));
        ep_->peer.reset();
        ep_->state = UnixEndpoint::State::kClosed;
      }
      return -ECONNREFUSED;
    }
    // unix_may_send().
    if (other->peer && other->peer != ep_ && other != ep_) return -EPERM;
    if (other->shutdown & kRcvShutdown) return -EPIPE;
    bool full = ep_->wmem >= static_cast<uint64_t>(ep_->sndbuf) ||
                (other != ep_ && other->peer != ep_ && RecvqFullLocked(*other));
    if (!full) break;
    if (nonblock) return -EAGAIN;
    // Waiting on the receiver's queue (its readers wake us) or on our own
    // send buffer.
    absl::CondVar* cv = ep_->wmem >= static_cast<uint64_t>(ep_->sndbuf)
                            ? &ep_->cv
                            : &other->cv;
    int64_t r = vfs::BlockTask(
        &t, &unix_mu, cv,
        [this, &other]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
          return other->released ||
                 (ep_->wmem < static_cast<uint64_t>(ep_->sndbuf) &&
                  !(other != ep_ && other->peer != ep_ &&
                    RecvqFullLocked(*other)));
        },
        deadline);
    if (r == -ETIMEDOUT) return -EAGAIN;
    if (r < 0) return IntrErrno(r, deadline);
  }
  UnixMessage m;
  m.data.assign(static_cast<const char*>(req.data), req.len);
  m.rights = std::move(req.control.rights);
  req.control.rights.clear();
  if (int64_t r = AttachRightsLocked(who, m); r < 0) {
    d.msgs.push_back(std::move(m));
    return r;
  }
  if (req.control.credentials) {
    m.creds = req.control.credentials;
  } else if (ep_->passcred || other->passcred) {
    m.creds = creds;
  }
  m.from = ep_->addr;
  m.charge = Truesize(req.len);
  m.sender = ep_;
  ep_->wmem += m.charge;
  other->recv_bytes += req.len;
  other->recvq.push_back(std::move(m));
  Wake(other, kInEvents, d);
  return static_cast<int64_t>(req.len);
}

int64_t UnixSocket::RecvMsg(Task& t, void* buf, uint64_t len, int flags,
                            RecvResult* out) {
  if (flags & MSG_OOB) return -EOPNOTSUPP;
  if (type() == SOCK_STREAM) {
    return RecvStream(t, static_cast<char*>(buf), len, flags, out);
  }
  return RecvDgram(t, static_cast<char*>(buf), len, flags, out);
}

// unix_stream_read_generic(): reads across queued messages, never gluing
// messages of different senders when SO_PASSCRED is on, and stops after
// a message that carried descriptors.
int64_t UnixSocket::RecvStream(Task& t, char* buf, uint64_t len, int flags,
                               RecvResult* out) {
  Deferred d;
  absl::MutexLock l(&unix_mu);
  if (ep_->state != UnixEndpoint::State::kConnected) return -EINVAL;
  const bool peek = flags & MSG_PEEK;
  const uint64_t target = (flags & MSG_WAITALL) ? len : std::min<uint64_t>(len, 1);
  std::optional<absl::Time> deadline = Deadline(ep_->rcvtimeo);
  const bool nonblock =
      NonBlocking(flags) || ep_->rcvtimeo == absl::ZeroDuration();
  uint64_t copied = 0;
  bool check_creds = false;
  std::optional<Credentials> creds;
  size_t peek_index = 0;
  uint64_t peek_skip = 0;
  for (;;) {
    UnixMessage* m = nullptr;
    if (peek) {
      if (peek_index < ep_->recvq.size()) m = &ep_->recvq[peek_index];
    } else if (!ep_->recvq.empty()) {
      m = &ep_->recvq.front();
    }
    if (!m) {
      if (copied >= target) break;
      if (ep_->err) {
        if (copied) break;
        int e = ep_->err;
        ep_->err = 0;
        return -e;
      }
      if (ep_->shutdown & kRcvShutdown) break;
      if (nonblock) {
        if (copied) break;
        return -EAGAIN;
      }
      size_t have = ep_->recvq.size();
      int64_t r = vfs::BlockTask(
          &t, &unix_mu, &ep_->cv,
          [this, have, peek]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
            return (peek ? ep_->recvq.size() > have : !ep_->recvq.empty()) ||
                   ep_->err || (ep_->shutdown & kRcvShutdown);
          },
          deadline);
      if (r == -ETIMEDOUT) {
        if (copied) break;
        if (peek ? ep_->recvq.size() > have : !ep_->recvq.empty()) continue;
        return -EAGAIN;
      }
      if (r < 0) {
        if (copied) break;
        return IntrErrno(r, deadline);
      }
      continue;
    }
    if (check_creds) {
      // Never glue messages from different writers.
      bool same = m->creds.has_value() == creds.has_value() &&
                  (!creds || (m->creds->pid == creds->pid &&
                              m->creds->uid == creds->uid &&
                              m->creds->gid == creds->gid));
      if (!same) break;
    } else if (ep_->passcred) {
      creds = m->creds;
      check_creds = true;
      out->control.credentials =
          m->creds ? *m->creds : Credentials{0, 65534, 65534};
    }
    if (copied == 0) {
      // unix_copy_addr(): the sending socket's name, as it is now.
      if (auto snd = m->sender.lock()) out->address = snd->addr;
    }
    uint64_t skip = peek ? peek_skip : 0;
    uint64_t avail = m->data.size() - m->off - skip;
    uint64_t chunk = std::min(avail, len - copied);
    std::memcpy(buf + copied, m->data.data() + m->off + skip, chunk);
    copied += chunk;
    if (!peek) {
      m->off += chunk;
      ep_->recv_bytes -= chunk;
      bool had_rights = !m->rights.empty();
      if (had_rights) {
        UninflightLocked(*m);
        for (auto& f : m->rights) out->control.rights.push_back(std::move(f));
        m->rights.clear();
      }
      if (m->off < m->data.size()) break;
      UnchargeLocked(*m, m->charge, d);
      d.msgs.push_back(std::move(*m));
      ep_->recvq.pop_front();
      if (had_rights) break;
    } else {
      if (!m->rights.empty()) {
        out->control.rights = m->rights;
        break;
      }
      if (chunk < avail) break;
      ++peek_index;
      peek_skip = 0;
    }
    if (copied >= len) break;
  }
  if (!peek && copied) {
    std::shared_ptr<UnixEndpoint> other = ep_->peer;
    if (other) Wake(other, kOutEvents, d);
  }
  out->len = copied;
  out->full_len = copied;
  return static_cast<int64_t>(copied);
}

// unix_dgram_recvmsg(): one message per call, the rest of a longer one
// lost (MSG_TRUNC); SOCK_SEQPACKET too, once connected.
int64_t UnixSocket::RecvDgram(Task& t, char* buf, uint64_t len, int flags,
                              RecvResult* out) {
  Deferred d;
  absl::MutexLock l(&unix_mu);
  if (type() == SOCK_SEQPACKET &&
      ep_->state != UnixEndpoint::State::kConnected) {
    return -ENOTCONN;
  }
  std::optional<absl::Time> deadline = Deadline(ep_->rcvtimeo);
  const bool nonblock =
      NonBlocking(flags) || ep_->rcvtimeo == absl::ZeroDuration();
  while (ep_->recvq.empty()) {
    if (ep_->err) {
      int e = ep_->err;
      ep_->err = 0;
      return -e;
    }
    if (ep_->shutdown & kRcvShutdown) {
      out->len = 0;
      out->full_len = 0;
      return 0;
    }
    if (nonblock) return -EAGAIN;
    int64_t r = vfs::BlockTask(
        &t, &unix_mu, &ep_->cv,
        [this]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
          return !ep_->recvq.empty() || ep_->err ||
                 (ep_->shutdown & kRcvShutdown);
        },
        deadline);
    if (!ep_->recvq.empty()) break;
    if (r == -ETIMEDOUT) return -EAGAIN;
    if (r < 0) return IntrErrno(r, deadline);
  }
  UnixMessage& m = ep_->recvq.front();
  uint64_t n = std::min<uint64_t>(len, m.data.size());
  std::memcpy(buf, m.data.data(), n);
  out->len = n;
  out->full_len = m.data.size();
  if (n < m.data.size()) out->msg_flags |= MSG_TRUNC;
  out->address = m.from;
  if (ep_->passcred) {
    out->control.credentials =
        m.creds ? *m.creds : Credentials{0, 65534, 65534};
  }
  if (flags & MSG_PEEK) {
    // Peeking passes duplicates of the descriptors (unix_peek_fds()).
    out->control.rights = m.rights;
  } else {
    UninflightLocked(m);
    out->control.rights = std::move(m.rights);
    ep_->recv_bytes -= m.data.size();
    UnchargeLocked(m, m.charge, d);
    d.msgs.push_back(std::move(m));
    ep_->recvq.pop_front();
    // Senders waiting for room in this queue.
    Wake(ep_, kOutEvents, d);
    for (auto& w : ep_->peer_wake) {
      if (auto s = w.lock()) {
        Wake(s, kOutEvents, d);
        d.eps.push_back(std::move(s));
      }
    }
    ep_->peer_wake.clear();
  }
  return static_cast<int64_t>(n);
}

int64_t UnixSocket::Ioctl(Task& t, uint64_t cmd, uint64_t arg) {
  int v = 0;
  {
    absl::MutexLock l(&unix_mu);
    switch (cmd) {
      case SIOCINQ:  // FIONREAD
        if (ep_->state == UnixEndpoint::State::kListening) return -EINVAL;
        if (type() == SOCK_STREAM) {
          v = static_cast<int>(ep_->recv_bytes);
        } else {
          v = ep_->recvq.empty()
                  ? 0
                  : static_cast<int>(ep_->recvq.front().data.size());
        }
        break;
      case SIOCOUTQ:
        v = static_cast<int>(ep_->wmem);
        break;
      default:
        // Interface requests (SIOCGIFINDEX...: glibc's if_nametoindex asks
        // an AF_UNIX socket), as Linux's sock_ioctl passes them to
        // dev_ioctl; -ENOTTY for anything else.
        v = -1;
        break;
    }
  }
  if (v == -1) return InterfaceIoctl(t, AF_UNIX, cmd, arg);
  return t.CopyOutObj(arg, v) < 0 ? -EFAULT : 0;
}

vfs::EventMask UnixSocket::Readiness(vfs::EventMask mask) {
  absl::MutexLock l(&unix_mu);
  vfs::EventMask ev = 0;
  UnixEndpoint& e = *ep_;
  if (e.err) ev |= vfs::kEventErr;
  if (e.shutdown == kShutdownMask) ev |= vfs::kEventHup;
  if (e.shutdown & kRcvShutdown) ev |= vfs::kEventRdHup | kInEvents;
  if (!e.recvq.empty() || !e.accept_queue.empty()) ev |= kInEvents;
  if (type() == SOCK_STREAM) {
    // unix_poll().
    if (e.state == UnixEndpoint::State::kClosed) ev |= vfs::kEventHup;
    if (WritableLocked(e)) ev |= kOutEvents;
  } else {
    // unix_dgram_poll().
    if (type() == SOCK_SEQPACKET && e.state == UnixEndpoint::State::kClosed) {
      ev |= vfs::kEventHup;
    }
    bool writable = WritableLocked(e);
    if (writable && e.peer && e.peer->peer != ep_ && e.peer != ep_ &&
        RecvqFullLocked(*e.peer)) {
      writable = false;
      auto& w = e.peer->peer_wake;
      bool listed = false;
      for (const auto& x : w) listed = listed || x.lock() == ep_;
      if (!listed) w.push_back(ep_);
    }
    if (writable) ev |= kOutEvents;
  }
  return ev & (mask | vfs::kAlwaysEvents);
}

void UnixSocket::EventRegister(vfs::WaitEntry* e) { ep_->queue.Register(e); }

void UnixSocket::EventUnregister(vfs::WaitEntry* e) {
  ep_->queue.Unregister(e);
}

}  // namespace sentry::socket
