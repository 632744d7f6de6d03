// Socket syscalls: the family-independent part of net/socket.c and
// net/core/scm.c. Data moves through a per-thread sentry buffer of at most
// socket::kSocketChunk bytes: a stream send gathers the iovecs one chunk
// at a time and continues while chunks go through whole; a datagram is one
// chunk (no family here takes a larger one: EMSGSIZE).
#include "sentry/syscalls/sys_socket.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "abi/linux/socket.h"
#include "abi/linux/time.h"
#include "abi/linux/uio.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "sentry/kernel/credentials.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/signals.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/memory_manager.h"
#include "sentry/kernel/thread_group.h"
#include "sentry/socket/socket.h"
#include "sentry/syscalls/sys_file_util.h"
#include "sentry/vfs/fd_table.h"

namespace sentry {

namespace {

using socket::ControlMessages;
using socket::RecvResult;
using socket::SendRequest;
using socket::Socket;

// The most control-message bytes sendmsg takes (net.core.optmem_max).
constexpr uint64_t kOptmemMax = 131072;
// The most option bytes setsockopt copies in.
constexpr uint64_t kMaxOptLen = 4096;

// The per-thread data buffer (one syscall at a time per sentry thread).
char* Buffer(uint64_t n) {
  thread_local std::unique_ptr<char[]> buf;
  thread_local uint64_t cap = 0;
  if (n > cap) {
    uint64_t c = std::max<uint64_t>(n, 4096);
    buf.reset(new char[c]);
    cap = c;
  }
  return buf.get();
}

// sockfd_lookup_light(): EBADF, or ENOTSOCK for other files.
int64_t GetSocket(Task& t, int fd, std::shared_ptr<Socket>* out) {
  auto f = GetFile(t, fd);
  if (!f) return -EBADF;
  auto s = std::dynamic_pointer_cast<Socket>(f);
  if (!s) return -ENOTSOCK;
  *out = std::move(s);
  return 0;
}

// move_addr_to_kernel().
int64_t CopyInAddress(Task& t, uint64_t addr, uint64_t len, std::string* out) {
  int32_t l = static_cast<int32_t>(len);
  if (l < 0 || static_cast<uint32_t>(l) > uapi::kSockaddrStorageSize) {
    return -EINVAL;
  }
  out->assign(static_cast<size_t>(l), '\0');
  if (l == 0) return 0;
  if (t.CopyIn(addr, out->data(), out->size()) < 0) return -EFAULT;
  return 0;
}

// move_addr_to_user(): copies at most the caller's length and stores the
// address's full length.
int64_t CopyOutAddress(Task& t, const std::string& kaddr, uint64_t uaddr,
                       uint64_t ulen_addr) {
  int32_t len;
  if (t.CopyInObj(ulen_addr, &len) < 0) return -EFAULT;
  const int32_t klen = static_cast<int32_t>(kaddr.size());
  if (len > klen) len = klen;
  if (len < 0) return -EINVAL;
  if (len > 0 && t.CopyOut(uaddr, kaddr.data(), static_cast<uint64_t>(len)) < 0) {
    return -EFAULT;
  }
  if (t.CopyOutObj(ulen_addr, klen) < 0) return -EFAULT;
  return 0;
}

struct IoSeg {
  uint64_t base;
  uint64_t len;
};

// import_iovec() for msghdr iovecs: EMSGSIZE for too many (checked by the
// caller), EINVAL for negative lengths, the total clamped to MAX_RW_COUNT.
int64_t ImportIovecs(Task& t, uint64_t addr, uint64_t count, bool compat,
                     std::vector<IoSeg>* out) {
  out->clear();
  if (count == 0) return 0;
  if (count > static_cast<uint64_t>(uapi::kUioMaxIov)) return -EMSGSIZE;
  out->resize(count);
  if (compat) {
    std::vector<uapi::Iovec32> raw(count);
    if (t.CopyIn(addr, raw.data(), raw.size() * sizeof(raw[0])) < 0) {
      return -EFAULT;
    }
    for (size_t i = 0; i < count; ++i) {
      if (static_cast<int32_t>(raw[i].len) < 0) return -EINVAL;
      (*out)[i] = IoSeg{raw[i].base, raw[i].len};
    }
  } else {
    std::vector<uapi::Iovec> raw(count);
    if (t.CopyIn(addr, raw.data(), raw.size() * sizeof(raw[0])) < 0) {
      return -EFAULT;
    }
    for (size_t i = 0; i < count; ++i) {
      if (static_cast<int64_t>(raw[i].len) < 0) return -EINVAL;
      (*out)[i] = IoSeg{raw[i].base, raw[i].len};
    }
  }
  uint64_t total = 0;
  for (IoSeg& s : *out) {
    if (s.len > kMaxRwCount - total) s.len = kMaxRwCount - total;
    total += s.len;
  }
  return 0;
}

uint64_t TotalLen(const std::vector<IoSeg>& segs) {
  uint64_t n = 0;
  for (const IoSeg& s : segs) n += s.len;
  return n;
}

// Walks iovecs, copying `n` bytes in or out starting `skip` bytes in.
// Returns the bytes moved (short on a fault).
uint64_t CopySegs(Task& t, const std::vector<IoSeg>& segs, uint64_t skip,
                  char* buf, uint64_t n, bool out) {
  uint64_t done = 0;
  for (const IoSeg& s : segs) {
    if (done == n) break;
    if (skip >= s.len) {
      skip -= s.len;
      continue;
    }
    uint64_t take = std::min(s.len - skip, n - done);
    int64_t r = out ? t.CopyOut(s.base + skip, buf + done, take)
                    : t.CopyIn(s.base + skip, buf + done, take);
    if (r < 0) break;
    done += take;
    skip = 0;
  }
  return done;
}

// A SIGPIPE for a stream socket whose peer is gone (unix_stream_sendmsg,
// tcp_sendmsg via sk_stream_error), unless MSG_NOSIGNAL.
int64_t MaybeSigpipe(Task& t, const Socket& s, int flags, int64_t r) {
  if (r == -EPIPE && s.type() == SOCK_STREAM && !(flags & MSG_NOSIGNAL)) {
    return RaiseSigpipe(t, r);
  }
  return r;
}

// The send half of sendto/sendmsg once everything is in sentry form.
int64_t DoSend(Task& t, Socket& s, const std::vector<IoSeg>& segs,
               std::string address, ControlMessages control, int flags) {
  // __sys_sendmsg(): O_NONBLOCK makes the call MSG_DONTWAIT.
  if (s.nonblocking()) flags |= MSG_DONTWAIT;
  const uint64_t total = TotalLen(segs);
  const bool stream = s.type() == SOCK_STREAM;
  if (!stream && total > socket::kSocketChunk) return -EMSGSIZE;
  SendRequest req;
  req.address = std::move(address);
  req.control = std::move(control);
  req.flags = flags;
  uint64_t done = 0;
  do {
    uint64_t want = std::min(total - done, socket::kSocketChunk);
    char* buf = Buffer(want);
    uint64_t got = CopySegs(t, segs, done, buf, want, /*out=*/false);
    if (got < want && got == 0 && want > 0) {
      return done ? static_cast<int64_t>(done) : -EFAULT;
    }
    req.data = buf;
    req.len = got;
    int64_t n = s.SendMsg(t, req);
    if (n < 0) {
      if (done) return static_cast<int64_t>(done);
      return MaybeSigpipe(t, s, flags, n);
    }
    done += static_cast<uint64_t>(n);
    req.continuation = true;
    req.address.clear();
    req.control = ControlMessages();
    if (static_cast<uint64_t>(n) < want || got < want) break;
  } while (stream && done < total);
  return static_cast<int64_t>(done);
}

// The checks of scm_check_creds(): a process may only claim its own pid
// (CAP_SYS_ADMIN any existing one) and its real, effective or saved ids
// (CAP_SETUID/CAP_SETGID any).
int64_t CheckCredentials(Task& t, const uapi::Ucred& u) {
  const Credentials c = t.thread_group().creds();
  const pid_t tgid = t.thread_group().tgid();
  constexpr int kCapSysAdmin = 21;
  bool pid_ok = u.pid == tgid || c.HasCap(kCapSysAdmin);
  bool uid_ok = u.uid == c.ruid || u.uid == c.euid || u.uid == c.suid ||
                c.HasCap(kCapSetuid);
  bool gid_ok = u.gid == c.rgid || u.gid == c.egid || u.gid == c.sgid ||
                c.HasCap(kCapSetgid);
  if (!pid_ok || !uid_ok || !gid_ok) return -EPERM;
  if (u.pid != tgid && !t.kernel().FindThreadGroup(u.pid)) return -ESRCH;
  return 0;
}

// __scm_send(): parses the control messages of sendmsg. SCM_RIGHTS takes
// references to the sender's files (EBADF for a bad fd, at most
// SCM_MAX_FD in all); SCM_CREDENTIALS is checked. Other levels are passed
// through raw to families backed by host sockets and ignored by unix.
int64_t ParseControl(Task& t, const Socket& s, uint64_t addr, uint64_t len,
                     bool compat, ControlMessages* out) {
  if (len == 0) return 0;
  if (len > 0x7fffffff || len > kOptmemMax) return -ENOBUFS;
  std::string buf(len, '\0');
  if (t.CopyIn(addr, buf.data(), len) < 0) return -EFAULT;
  const uint64_t hdr = compat ? sizeof(uapi::Cmsghdr32) : sizeof(uapi::Cmsghdr);
  uint64_t off = 0;
  size_t nfds = 0;
  while (off + hdr <= len) {
    uint64_t clen;
    int32_t level, type;
    if (compat) {
      uapi::Cmsghdr32 h;
      std::memcpy(&h, buf.data() + off, sizeof(h));
      clen = h.len;
      level = h.level;
      type = h.type;
    } else {
      uapi::Cmsghdr h;
      std::memcpy(&h, buf.data() + off, sizeof(h));
      clen = h.len;
      level = h.level;
      type = h.type;
    }
    if (clen < hdr || clen > len - off) return -EINVAL;
    const char* data = buf.data() + off + hdr;
    const uint64_t dlen = clen - hdr;
    if (s.family() != AF_UNIX && !(level == SOL_SOCKET && type == SCM_RIGHTS)) {
      // Host-backed families get every message but descriptors in the
      // native layout, and judge them as their protocol does.
      uapi::Cmsghdr h{uapi::CmsgAlign(sizeof(uapi::Cmsghdr)) + dlen, level,
                      type};
      std::string raw(reinterpret_cast<const char*>(&h), sizeof(h));
      raw.append(data, dlen);
      raw.resize(uapi::CmsgAlign(raw.size()), '\0');
      out->raw += raw;
    } else if (level == SOL_SOCKET) {
      switch (type) {
        case SCM_RIGHTS: {
          // __sock_cmsg_send: other families ignore it (nothing travels).
          if (s.family() != AF_UNIX) break;
          size_t num = dlen / sizeof(int32_t);
          if (num == 0) break;
          if (nfds + num > static_cast<size_t>(uapi::kScmMaxFd)) return -EINVAL;
          for (size_t i = 0; i < num; ++i) {
            int32_t fd;
            std::memcpy(&fd, data + i * sizeof(fd), sizeof(fd));
            auto f = GetFile(t, fd);
            if (!f) return -EBADF;
            out->rights.push_back(std::move(f));
          }
          nfds += num;
          break;
        }
        case SCM_CREDENTIALS: {
          if (dlen != sizeof(uapi::Ucred)) return -EINVAL;
          uapi::Ucred u;
          std::memcpy(&u, data, sizeof(u));
          int64_t r = CheckCredentials(t, u);
          if (r < 0) return r;
          out->credentials = socket::Credentials{u.pid, u.uid, u.gid};
          break;
        }
        default:
          return -EINVAL;
      }
    }
    off += compat ? uapi::CmsgAlign32(clen) : uapi::CmsgAlign(clen);
  }
  return 0;
}

// Writes control messages for recvmsg (put_cmsg(), scm_detach_fds()).
struct ControlWriter {
  Task& t;
  bool compat;
  uint64_t addr;   // msg_control; advances
  uint64_t space;  // msg_controllen left
  int* msg_flags;

  uint64_t hdr() const {
    return compat ? sizeof(uapi::Cmsghdr32) : sizeof(uapi::Cmsghdr);
  }
  uint64_t Align(uint64_t n) const {
    return compat ? uapi::CmsgAlign32(n) : uapi::CmsgAlign(n);
  }
  int64_t WriteHeader(uint64_t at, uint64_t clen, int level, int type) {
    if (compat) {
      uapi::Cmsghdr32 h{static_cast<uint32_t>(clen), level, type};
      return t.CopyOut(at, &h, sizeof(h)) < 0 ? -EFAULT : 0;
    }
    uapi::Cmsghdr h{clen, level, type};
    return t.CopyOut(at, &h, sizeof(h)) < 0 ? -EFAULT : 0;
  }

  int64_t Put(int level, int type, const void* data, uint64_t len) {
    if (addr == 0 || space < hdr()) {
      *msg_flags |= MSG_CTRUNC;
      return 0;
    }
    uint64_t clen = hdr() + len;
    if (space < clen) {
      *msg_flags |= MSG_CTRUNC;
      clen = space;
    }
    if (WriteHeader(addr, clen, level, type) < 0) return -EFAULT;
    if (clen > hdr() && t.CopyOut(addr + hdr(), data, clen - hdr()) < 0) {
      return -EFAULT;
    }
    uint64_t adv = std::min(Align(hdr() + len), space);
    addr += adv;
    space -= adv;
    return 0;
  }

  // Installs as many of `files` as fit (and as RLIMIT_NOFILE allows); the
  // rest are dropped with MSG_CTRUNC.
  int64_t PutRights(std::vector<std::shared_ptr<vfs::FileDescription>>& files,
                    bool cloexec) {
    if (files.empty()) return 0;
    int64_t fdmax = addr == 0 || space <= hdr()
                        ? 0
                        : static_cast<int64_t>((space - hdr()) / sizeof(int32_t));
    fdmax = std::min<int64_t>(fdmax, static_cast<int64_t>(files.size()));
    const uint64_t limit = NofileLimit(t);
    int64_t i = 0;
    for (; i < fdmax; ++i) {
      int64_t fd = t.fds().Install(files[i], cloexec, limit);
      if (fd < 0) break;
      int32_t v = static_cast<int32_t>(fd);
      if (t.CopyOut(addr + hdr() + i * sizeof(int32_t), &v, sizeof(v)) < 0) {
        t.fds().Close(static_cast<int>(fd));
        break;
      }
    }
    if (i > 0) {
      uint64_t clen = hdr() + i * sizeof(int32_t);
      if (WriteHeader(addr, clen, SOL_SOCKET, SCM_RIGHTS) == 0) {
        uint64_t adv = std::min(Align(clen), space);
        addr += adv;
        space -= adv;
      }
    }
    if (i < static_cast<int64_t>(files.size())) *msg_flags |= MSG_CTRUNC;
    return 0;
  }
};

// A msghdr in either layout.
struct MsgHdr {
  uint64_t name = 0;
  int32_t namelen = 0;
  uint64_t iov = 0;
  uint64_t iovlen = 0;
  uint64_t control = 0;
  uint64_t controllen = 0;
};

int64_t ReadMsghdr(Task& t, uint64_t addr, bool compat, MsgHdr* m) {
  if (compat) {
    uapi::Msghdr32 h;
    if (t.CopyInObj(addr, &h) < 0) return -EFAULT;
    *m = MsgHdr{h.name, static_cast<int32_t>(h.namelen), h.iov, h.iovlen,
                h.control, h.controllen};
  } else {
    uapi::Msghdr h;
    if (t.CopyInObj(addr, &h) < 0) return -EFAULT;
    *m = MsgHdr{h.name, static_cast<int32_t>(h.namelen), h.iov, h.iovlen,
                h.control, h.controllen};
  }
  if (m->namelen < 0) return -EINVAL;
  if (static_cast<uint32_t>(m->namelen) > uapi::kSockaddrStorageSize) {
    m->namelen = uapi::kSockaddrStorageSize;
  }
  if (m->iovlen > static_cast<uint64_t>(uapi::kUioMaxIov)) return -EMSGSIZE;
  return 0;
}

// ____sys_sendmsg().
int64_t SendMsgHdr(Task& t, Socket& s, const MsgHdr& m, int flags,
                   bool compat) {
  std::string address;
  if (m.name && m.namelen) {
    int64_t r = CopyInAddress(t, m.name, static_cast<uint64_t>(m.namelen),
                              &address);
    if (r < 0) return r;
  }
  std::vector<IoSeg> segs;
  int64_t r = ImportIovecs(t, m.iov, m.iovlen, compat, &segs);
  if (r < 0) return r;
  ControlMessages control;
  r = ParseControl(t, s, m.control, m.controllen, compat, &control);
  if (r < 0) return r;
  return DoSend(t, s, segs, std::move(address), std::move(control), flags);
}

// The receive half of recvfrom/recvmsg: data into `segs`, the result's
// address and control messages in `res`.
int64_t DoRecv(Task& t, Socket& s, const std::vector<IoSeg>& segs, int flags,
               RecvResult* res) {
  if (s.nonblocking()) flags |= MSG_DONTWAIT;
  const uint64_t total = TotalLen(segs);
  uint64_t want = std::min(total, socket::kSocketChunk);
  bool limited = false;
  // A stream receive takes no more than can be delivered: Linux copies
  // before it consumes (unix_stream_read_generic, tcp_recvmsg), so a
  // fault leaves the data queued (EFAULT when not one byte could go). A
  // datagram is consumed even then, as Linux drops it. MSG_TRUNC on a
  // stream copies nothing, so no check.
  if (s.type() == SOCK_STREAM && want > 0 && !(flags & MSG_TRUNC)) {
    uint64_t ok = 0;
    for (const IoSeg& g : segs) {
      if (ok >= want) break;
      uint64_t take = std::min(g.len, want - ok);
      uint64_t w = t.mm().WritablePrefix(g.base, take);
      ok += w;
      if (w < take) break;
    }
    if (ok == 0) return -EFAULT;
    limited = ok < want;
    want = ok;
  }
  char* buf = Buffer(want);
  int64_t n = s.RecvMsg(t, buf, want, flags, res);
  if (n < 0) return n;
  uint64_t got = res->len;
  // Dropped by the family (a stream's MSG_TRUNC): nothing to copy, and the
  // buffer holds nothing of it.
  if (res->discarded) return static_cast<int64_t>(got);
  uint64_t out = CopySegs(t, segs, 0, buf, got, /*out=*/true);
  if (out < got) return out ? static_cast<int64_t>(out) : -EFAULT;
  // MSG_WAITALL on a stream larger than one chunk: keep going.
  uint64_t done = got;
  while (s.type() == SOCK_STREAM && (flags & MSG_WAITALL) &&
         !(flags & MSG_PEEK) && !limited && got == want && done < total) {
    uint64_t w = std::min(total - done, socket::kSocketChunk);
    buf = Buffer(w);
    RecvResult more;
    int64_t m = s.RecvMsg(t, buf, w, flags, &more);
    for (auto& f : more.control.rights) res->control.rights.push_back(f);
    if (m < 0 || more.len == 0) break;
    uint64_t o = CopySegs(t, segs, done, buf, more.len, /*out=*/true);
    done += o;
    if (o < more.len || more.len < w) break;
  }
  if (flags & MSG_TRUNC) {
    // Datagram families report the real length with MSG_TRUNC.
    if (s.type() != SOCK_STREAM) return static_cast<int64_t>(res->full_len);
  }
  return static_cast<int64_t>(done);
}

// ____sys_recvmsg(): data, then control messages, then the address, then
// msg_flags and msg_controllen written back into the user's msghdr.
int64_t RecvMsgHdr(Task& t, Socket& s, uint64_t msg_addr, const MsgHdr& m,
                   int flags, bool compat) {
  std::vector<IoSeg> segs;
  int64_t r = ImportIovecs(t, m.iov, m.iovlen, compat, &segs);
  if (r < 0) return r;
  RecvResult res;
  int64_t n = DoRecv(t, s, segs, flags, &res);
  if (n < 0) return n;
  // ____sys_recvmsg() starts msg_flags with the caller's MSG_CMSG_CLOEXEC,
  // which therefore comes back in it.
  int msg_flags = res.msg_flags | (flags & MSG_CMSG_CLOEXEC);
  ControlWriter w{t, compat, m.control, m.controllen, &msg_flags};
  if (res.control.credentials) {
    uapi::Ucred u{res.control.credentials->pid, res.control.credentials->uid,
                  res.control.credentials->gid};
    if (w.Put(SOL_SOCKET, SCM_CREDENTIALS, &u, sizeof(u)) < 0) return -EFAULT;
  }
  // Host-backed families hand back native-layout messages: each is put
  // again in the caller's layout.
  const std::string& raw = res.control.raw;
  for (uint64_t off = 0; off + sizeof(uapi::Cmsghdr) <= raw.size();) {
    uapi::Cmsghdr h;
    std::memcpy(&h, raw.data() + off, sizeof(h));
    if (h.len < sizeof(h) || h.len > raw.size() - off) break;
    if (w.Put(h.level, h.type, raw.data() + off + sizeof(h), h.len - sizeof(h)) < 0) {
      return -EFAULT;
    }
    off += uapi::CmsgAlign(h.len);
  }
  w.PutRights(res.control.rights, flags & MSG_CMSG_CLOEXEC);
  res.control.rights.clear();
  const size_t flags_off = compat ? offsetof(uapi::Msghdr32, flags)
                                  : offsetof(uapi::Msghdr, flags);
  const size_t namelen_off = compat ? offsetof(uapi::Msghdr32, namelen)
                                    : offsetof(uapi::Msghdr, namelen);
  // Without msg_name, msg_namelen is left as it was.
  if (m.name) {
    r = CopyOutAddress(t, res.address, m.name, msg_addr + namelen_off);
    if (r < 0) return r;
  }
  uint32_t f = static_cast<uint32_t>(msg_flags);
  if (t.CopyOutObj(msg_addr + flags_off, f) < 0) return -EFAULT;
  uint64_t used = m.controllen - w.space;
  if (compat) {
    uint32_t u32 = static_cast<uint32_t>(used);
    if (t.CopyOutObj(msg_addr + offsetof(uapi::Msghdr32, controllen), u32) < 0) {
      return -EFAULT;
    }
  } else {
    if (t.CopyOutObj(msg_addr + offsetof(uapi::Msghdr, controllen), used) < 0) {
      return -EFAULT;
    }
  }
  return n;
}

int64_t DoSocket(Task& t, int domain, int type_flags, int protocol) {
  const int type = type_flags & 0xf;
  if (type_flags & ~(0xf | SOCK_NONBLOCK | SOCK_CLOEXEC)) return -EINVAL;
  int status = O_RDWR | ((type_flags & SOCK_NONBLOCK) ? O_NONBLOCK : 0);
  std::shared_ptr<Socket> s;
  int64_t r;
  switch (domain) {
    case AF_UNIX:
      r = socket::NewUnixSocket(t, type, protocol, status, &s);
      break;
    case AF_INET:
    case AF_INET6:
      r = socket::NewInetSocket(t, domain, type, protocol, status, &s);
      break;
    case AF_NETLINK:
      r = socket::NewNetlinkSocket(t, type, protocol, status, &s);
      break;
    default:
      r = -EAFNOSUPPORT;
  }
  if (r < 0) return r;
  return t.fds().Install(std::move(s), type_flags & SOCK_CLOEXEC,
                         NofileLimit(t));
}

int64_t DoSocketpair(Task& t, int domain, int type_flags, int protocol,
                     uint64_t sv) {
  const int type = type_flags & 0xf;
  if (type_flags & ~(0xf | SOCK_NONBLOCK | SOCK_CLOEXEC)) return -EINVAL;
  int status = O_RDWR | ((type_flags & SOCK_NONBLOCK) ? O_NONBLOCK : 0);
  std::shared_ptr<Socket> a, b;
  int64_t r;
  switch (domain) {
    case AF_UNIX:
      r = socket::NewUnixSocket(t, type, protocol, status, &a);
      if (r == 0) r = socket::NewUnixSocket(t, type, protocol, status, &b);
      break;
    case AF_INET:
    case AF_INET6:
      r = socket::NewInetSocket(t, domain, type, protocol, status, &a);
      if (r == 0) r = socket::NewInetSocket(t, domain, type, protocol, status, &b);
      break;
    case AF_NETLINK:
      r = socket::NewNetlinkSocket(t, type, protocol, status, &a);
      if (r == 0) r = socket::NewNetlinkSocket(t, type, protocol, status, &b);
      break;
    default:
      r = -EAFNOSUPPORT;
  }
  if (r < 0) return r;
  r = a->ConnectPair(t, *b);
  if (r < 0) return r;
  const bool cloexec = type_flags & SOCK_CLOEXEC;
  const uint64_t limit = NofileLimit(t);
  int64_t fa = t.fds().Install(a, cloexec, limit);
  if (fa < 0) return fa;
  int64_t fb = t.fds().Install(b, cloexec, limit);
  if (fb < 0) {
    t.fds().Close(static_cast<int>(fa));
    return fb;
  }
  int32_t fds[2] = {static_cast<int32_t>(fa), static_cast<int32_t>(fb)};
  if (t.CopyOut(sv, fds, sizeof(fds)) < 0) {
    t.fds().Close(static_cast<int>(fa));
    t.fds().Close(static_cast<int>(fb));
    return -EFAULT;
  }
  return 0;
}

int64_t DoBind(Task& t, int fd, uint64_t addr, uint64_t len) {
  std::shared_ptr<Socket> s;
  int64_t r = GetSocket(t, fd, &s);
  if (r < 0) return r;
  std::string a;
  r = CopyInAddress(t, addr, len, &a);
  if (r < 0) return r;
  return s->Bind(t, a);
}

int64_t DoConnect(Task& t, int fd, uint64_t addr, uint64_t len) {
  std::shared_ptr<Socket> s;
  int64_t r = GetSocket(t, fd, &s);
  if (r < 0) return r;
  std::string a;
  r = CopyInAddress(t, addr, len, &a);
  if (r < 0) return r;
  return s->Connect(t, a);
}

int64_t DoListen(Task& t, int fd, int backlog) {
  std::shared_ptr<Socket> s;
  int64_t r = GetSocket(t, fd, &s);
  if (r < 0) return r;
  return s->Listen(t, backlog);
}

int64_t DoAccept(Task& t, int fd, uint64_t addr, uint64_t addrlen, int flags) {
  if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK)) return -EINVAL;
  std::shared_ptr<Socket> s;
  int64_t r = GetSocket(t, fd, &s);
  if (r < 0) return r;
  std::shared_ptr<Socket> ns;
  std::string peer;
  r = s->Accept(t, flags, &ns, &peer);
  if (r < 0) return r;
  if (addr) {
    // Linux loses the connection when the address cannot be stored.
    r = CopyOutAddress(t, peer, addr, addrlen);
    if (r < 0) return r;
  }
  return t.fds().Install(std::move(ns), flags & SOCK_CLOEXEC, NofileLimit(t));
}

int64_t DoName(Task& t, int fd, uint64_t addr, uint64_t addrlen, bool peer) {
  std::shared_ptr<Socket> s;
  int64_t r = GetSocket(t, fd, &s);
  if (r < 0) return r;
  std::string a;
  r = peer ? s->GetPeerName(&a) : s->GetSockName(&a);
  if (r < 0) return r;
  return CopyOutAddress(t, a, addr, addrlen);
}

int64_t DoShutdown(Task& t, int fd, int how) {
  std::shared_ptr<Socket> s;
  int64_t r = GetSocket(t, fd, &s);
  if (r < 0) return r;
  return s->Shutdown(t, how);
}

int64_t DoGetsockopt(Task& t, int fd, int level, int name, uint64_t val,
                     uint64_t lenp) {
  std::shared_ptr<Socket> s;
  int64_t r = GetSocket(t, fd, &s);
  if (r < 0) return r;
  int32_t len;
  if (t.CopyInObj(lenp, &len) < 0) return -EFAULT;
  if (len < 0) return -EINVAL;
  std::string v(std::min<uint64_t>(static_cast<uint64_t>(len), kMaxOptLen),
                '\0');
  r = s->GetSockOpt(t, level, name, &v);
  if (r < 0) return r;
  int32_t out = std::min<int32_t>(len, static_cast<int32_t>(v.size()));
  if (out > 0 && t.CopyOut(val, v.data(), static_cast<uint64_t>(out)) < 0) {
    return -EFAULT;
  }
  if (t.CopyOutObj(lenp, out) < 0) return -EFAULT;
  return 0;
}

int64_t DoSetsockopt(Task& t, int fd, int level, int name, uint64_t val,
                     uint64_t len) {
  int32_t l = static_cast<int32_t>(len);
  if (l < 0) return -EINVAL;
  std::shared_ptr<Socket> s;
  int64_t r = GetSocket(t, fd, &s);
  if (r < 0) return r;
  std::string v(std::min<uint64_t>(static_cast<uint64_t>(l), kMaxOptLen), '\0');
  if (!v.empty() && t.CopyIn(val, v.data(), v.size()) < 0) return -EFAULT;
  return s->SetSockOpt(t, level, name, v);
}

int64_t DoSendto(Task& t, int fd, uint64_t buf, uint64_t len, int flags,
                 uint64_t addr, uint64_t addrlen) {
  std::shared_ptr<Socket> s;
  int64_t r = GetSocket(t, fd, &s);
  if (r < 0) return r;
  std::string a;
  if (addr) {
    r = CopyInAddress(t, addr, addrlen, &a);
    if (r < 0) return r;
  }
  std::vector<IoSeg> segs{{buf, std::min(len, kMaxRwCount)}};
  return DoSend(t, *s, segs, std::move(a), ControlMessages(), flags);
}

int64_t DoRecvfrom(Task& t, int fd, uint64_t buf, uint64_t len, int flags,
                   uint64_t addr, uint64_t addrlen) {
  std::shared_ptr<Socket> s;
  int64_t r = GetSocket(t, fd, &s);
  if (r < 0) return r;
  std::vector<IoSeg> segs{{buf, std::min(len, kMaxRwCount)}};
  RecvResult res;
  int64_t n = DoRecv(t, *s, segs, flags, &res);
  if (n < 0) return n;
  if (addr) {
    r = CopyOutAddress(t, res.address, addr, addrlen);
    if (r < 0) return r;
  }
  return n;
}

int64_t DoSendmsg(Task& t, int fd, uint64_t msg, int flags, bool compat) {
  if (!compat && (flags & uapi::kMsgCmsgCompat)) return -EINVAL;
  std::shared_ptr<Socket> s;
  int64_t r = GetSocket(t, fd, &s);
  if (r < 0) return r;
  MsgHdr m;
  r = ReadMsghdr(t, msg, compat, &m);
  if (r < 0) return r;
  return SendMsgHdr(t, *s, m, flags, compat);
}

int64_t DoRecvmsg(Task& t, int fd, uint64_t msg, int flags, bool compat) {
  if (!compat && (flags & uapi::kMsgCmsgCompat)) return -EINVAL;
  std::shared_ptr<Socket> s;
  int64_t r = GetSocket(t, fd, &s);
  if (r < 0) return r;
  MsgHdr m;
  r = ReadMsghdr(t, msg, compat, &m);
  if (r < 0) return r;
  return RecvMsgHdr(t, *s, msg, m, flags, compat);
}

// __sys_sendmmsg(): sends until one fails; the count of messages sent,
// or the first error when none was.
int64_t DoSendmmsg(Task& t, int fd, uint64_t vec, uint64_t vlen, int flags,
                   bool compat) {
  std::shared_ptr<Socket> s;
  int64_t r = GetSocket(t, fd, &s);
  if (r < 0) return r;
  if (vlen > static_cast<uint64_t>(uapi::kUioMaxIov)) vlen = uapi::kUioMaxIov;
  const uint64_t stride = compat ? sizeof(uapi::Mmsghdr32) : sizeof(uapi::Mmsghdr);
  const uint64_t len_off = compat ? offsetof(uapi::Mmsghdr32, len)
                                  : offsetof(uapi::Mmsghdr, len);
  uint64_t i = 0;
  for (; i < vlen; ++i) {
    uint64_t at = vec + i * stride;
    MsgHdr m;
    r = ReadMsghdr(t, at, compat, &m);
    if (r == 0) r = SendMsgHdr(t, *s, m, flags, compat);
    if (r < 0) break;
    uint32_t n = static_cast<uint32_t>(r);
    if (t.CopyOutObj(at + len_off, n) < 0) {
      r = -EFAULT;
      break;
    }
  }
  if (i > 0) return static_cast<int64_t>(i);
  return r;
}

// do_recvmmsg(): MSG_WAITFORONE turns on MSG_DONTWAIT after the first
// message; the timeout is checked after each message, as Linux does.
int64_t DoRecvmmsg(Task& t, int fd, uint64_t vec, uint64_t vlen, int flags,
                   std::optional<absl::Duration> timeout, bool compat) {
  std::shared_ptr<Socket> s;
  int64_t r = GetSocket(t, fd, &s);
  if (r < 0) return r;
  if (vlen > static_cast<uint64_t>(uapi::kUioMaxIov)) vlen = uapi::kUioMaxIov;
  const uint64_t stride = compat ? sizeof(uapi::Mmsghdr32) : sizeof(uapi::Mmsghdr);
  const uint64_t len_off = compat ? offsetof(uapi::Mmsghdr32, len)
                                  : offsetof(uapi::Mmsghdr, len);
  std::optional<absl::Time> end;
  if (timeout) end = absl::Now() + *timeout;
  uint64_t i = 0;
  for (; i < vlen; ++i) {
    uint64_t at = vec + i * stride;
    MsgHdr m;
    r = ReadMsghdr(t, at, compat, &m);
    if (r == 0) r = RecvMsgHdr(t, *s, at, m, flags & ~MSG_WAITFORONE, compat);
    if (r < 0) break;
    uint32_t n = static_cast<uint32_t>(r);
    if (t.CopyOutObj(at + len_off, n) < 0) {
      r = -EFAULT;
      break;
    }
    if (flags & MSG_WAITFORONE) flags |= MSG_DONTWAIT;
    if (end && absl::Now() >= *end) {
      ++i;
      break;
    }
  }
  if (i > 0) return static_cast<int64_t>(i);
  return r;
}

int64_t ReadTimeout(Task& t, uint64_t addr, bool time32,
                    std::optional<absl::Duration>* out) {
  if (addr == 0) return 0;
  int64_t sec, nsec;
  if (time32) {
    uapi::Timespec32 ts;
    if (t.CopyInObj(addr, &ts) < 0) return -EFAULT;
    sec = ts.tv_sec;
    nsec = ts.tv_nsec;
  } else {
    uapi::Timespec ts;
    if (t.CopyInObj(addr, &ts) < 0) return -EFAULT;
    sec = ts.tv_sec;
    nsec = ts.tv_nsec;
  }
  if (sec < 0 || nsec < 0 || nsec >= uapi::kNanosPerSecond) return -EINVAL;
  *out = absl::Seconds(sec) + absl::Nanoseconds(nsec);
  return 0;
}

}  // namespace

int64_t SysSocket(Task& t, const SyscallArgs& a) {
  return DoSocket(t, a.Int(0), a.Int(1), a.Int(2));
}

int64_t SysSocketpair(Task& t, const SyscallArgs& a) {
  return DoSocketpair(t, a.Int(0), a.Int(1), a.Int(2), a.Ptr(3));
}

int64_t SysBind(Task& t, const SyscallArgs& a) {
  return DoBind(t, a.Int(0), a.Ptr(1), a.UInt(2));
}

int64_t SysListen(Task& t, const SyscallArgs& a) {
  return DoListen(t, a.Int(0), a.Int(1));
}

int64_t SysAccept(Task& t, const SyscallArgs& a) {
  return DoAccept(t, a.Int(0), a.Ptr(1), a.Ptr(2), 0);
}

int64_t SysAccept4(Task& t, const SyscallArgs& a) {
  return DoAccept(t, a.Int(0), a.Ptr(1), a.Ptr(2), a.Int(3));
}

int64_t SysConnect(Task& t, const SyscallArgs& a) {
  return DoConnect(t, a.Int(0), a.Ptr(1), a.UInt(2));
}

int64_t SysShutdown(Task& t, const SyscallArgs& a) {
  return DoShutdown(t, a.Int(0), a.Int(1));
}

int64_t SysGetsockname(Task& t, const SyscallArgs& a) {
  return DoName(t, a.Int(0), a.Ptr(1), a.Ptr(2), false);
}

int64_t SysGetpeername(Task& t, const SyscallArgs& a) {
  return DoName(t, a.Int(0), a.Ptr(1), a.Ptr(2), true);
}

int64_t SysGetsockopt(Task& t, const SyscallArgs& a) {
  return DoGetsockopt(t, a.Int(0), a.Int(1), a.Int(2), a.Ptr(3), a.Ptr(4));
}

int64_t SysSetsockopt(Task& t, const SyscallArgs& a) {
  return DoSetsockopt(t, a.Int(0), a.Int(1), a.Int(2), a.Ptr(3), a.UInt(4));
}

int64_t SysSendto(Task& t, const SyscallArgs& a) {
  return DoSendto(t, a.Int(0), a.Ptr(1), a.Size(2), a.Int(3), a.Ptr(4),
                  a.UInt(5));
}

int64_t SysRecvfrom(Task& t, const SyscallArgs& a) {
  return DoRecvfrom(t, a.Int(0), a.Ptr(1), a.Size(2), a.Int(3), a.Ptr(4),
                    a.Ptr(5));
}

int64_t SysSendmsg(Task& t, const SyscallArgs& a) {
  return DoSendmsg(t, a.Int(0), a.Ptr(1), a.Int(2), false);
}

int64_t SysRecvmsg(Task& t, const SyscallArgs& a) {
  return DoRecvmsg(t, a.Int(0), a.Ptr(1), a.Int(2), false);
}

int64_t SysSendmmsg(Task& t, const SyscallArgs& a) {
  return DoSendmmsg(t, a.Int(0), a.Ptr(1), a.UInt(2), a.Int(3), false);
}

int64_t SysRecvmmsg(Task& t, const SyscallArgs& a) {
  std::optional<absl::Duration> timeout;
  int64_t r = ReadTimeout(t, a.Ptr(4), false, &timeout);
  if (r < 0) return r;
  return DoRecvmmsg(t, a.Int(0), a.Ptr(1), a.UInt(2), a.Int(3), timeout, false);
}

int64_t SysSendmsgI386(Task& t, const SyscallArgs& a) {
  return DoSendmsg(t, a.Int(0), a.Ptr(1), a.Int(2), true);
}

int64_t SysRecvmsgI386(Task& t, const SyscallArgs& a) {
  return DoRecvmsg(t, a.Int(0), a.Ptr(1), a.Int(2), true);
}

int64_t SysSendmmsgI386(Task& t, const SyscallArgs& a) {
  return DoSendmmsg(t, a.Int(0), a.Ptr(1), a.UInt(2), a.Int(3), true);
}

int64_t SysRecvmmsgTime32I386(Task& t, const SyscallArgs& a) {
  std::optional<absl::Duration> timeout;
  int64_t r = ReadTimeout(t, a.Ptr(4), true, &timeout);
  if (r < 0) return r;
  return DoRecvmmsg(t, a.Int(0), a.Ptr(1), a.UInt(2), a.Int(3), timeout, true);
}

int64_t SysRecvmmsgTime64I386(Task& t, const SyscallArgs& a) {
  std::optional<absl::Duration> timeout;
  int64_t r = ReadTimeout(t, a.Ptr(4), false, &timeout);
  if (r < 0) return r;
  return DoRecvmmsg(t, a.Int(0), a.Ptr(1), a.UInt(2), a.Int(3), timeout, true);
}

// socketcall(call, args): the arguments are an array of 32-bit words in
// user memory, as many as the call takes (net/socket.c's nargs[]).
int64_t SysSocketcallI386(Task& t, const SyscallArgs& a) {
  static constexpr int kNargs[21] = {0, 3, 3, 3, 2, 3, 3, 3, 4, 4, 4,
                                     6, 6, 2, 5, 5, 3, 3, 4, 5, 4};
  const unsigned call = a.UInt(0);
  if (call < 1 || call > 20) return -EINVAL;
  uint32_t w[6] = {};
  if (t.CopyIn(a.Ptr(1), w, kNargs[call] * sizeof(uint32_t)) < 0) {
    return -EFAULT;
  }
  auto i = [&w](int k) { return static_cast<int>(w[k]); };
  switch (call) {
    case uapi::kSysSocket:
      return DoSocket(t, i(0), i(1), i(2));
    case uapi::kSysBind:
      return DoBind(t, i(0), w[1], w[2]);
    case uapi::kSysConnect:
      return DoConnect(t, i(0), w[1], w[2]);
    case uapi::kSysListen:
      return DoListen(t, i(0), i(1));
    case uapi::kSysAccept:
      return DoAccept(t, i(0), w[1], w[2], 0);
    case uapi::kSysGetsockname:
      return DoName(t, i(0), w[1], w[2], false);
    case uapi::kSysGetpeername:
      return DoName(t, i(0), w[1], w[2], true);
    case uapi::kSysSocketpair:
      return DoSocketpair(t, i(0), i(1), i(2), w[3]);
    case uapi::kSysSend:
      return DoSendto(t, i(0), w[1], w[2], i(3), 0, 0);
    case uapi::kSysRecv:
      return DoRecvfrom(t, i(0), w[1], w[2], i(3), 0, 0);
    case uapi::kSysSendto:
      return DoSendto(t, i(0), w[1], w[2], i(3), w[4], w[5]);
    case uapi::kSysRecvfrom:
      return DoRecvfrom(t, i(0), w[1], w[2], i(3), w[4], w[5]);
    case uapi::kSysShutdown:
      return DoShutdown(t, i(0), i(1));
    case uapi::kSysSetsockopt:
      return DoSetsockopt(t, i(0), i(1), i(2), w[3], w[4]);
    case uapi::kSysGetsockopt:
      return DoGetsockopt(t, i(0), i(1), i(2), w[3], w[4]);
    case uapi::kSysSendmsg:
      return DoSendmsg(t, i(0), w[1], i(2), true);
    case uapi::kSysRecvmsg:
      return DoRecvmsg(t, i(0), w[1], i(2), true);
    case uapi::kSysAccept4:
      return DoAccept(t, i(0), w[1], w[2], i(3));
    case uapi::kSysRecvmmsg: {
      std::optional<absl::Duration> timeout;
      int64_t r = ReadTimeout(t, w[4], true, &timeout);
      if (r < 0) return r;
      return DoRecvmmsg(t, i(0), w[1], w[2], i(3), timeout, true);
    }
    case uapi::kSysSendmmsg:
      return DoSendmmsg(t, i(0), w[1], w[2], i(3), true);
  }
  return -EINVAL;
}

}  // namespace sentry
