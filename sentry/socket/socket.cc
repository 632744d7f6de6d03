#include "sentry/socket/socket.h"

#include <sys/stat.h>

#include <atomic>
#include <cstring>
#include <ctime>

#include "absl/strings/str_cat.h"
#include "sentry/syscalls/sys_file_util.h"

namespace sentry::socket {

namespace {

// sockfs's device, as the kernel reports it (anonymous 0:8 here).
constexpr uint64_t kSockFsDev = 0x08;
std::atomic<uint64_t> next_socket_ino{20000};

}  // namespace

uint64_t Socket::NextInode() { return next_socket_ino.fetch_add(1); }

int64_t Socket::NowNs() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

int64_t Socket::Read(Task& t, void* buf, uint64_t n) {
  // sock_read_iter(): recvmsg without flags, MSG_DONTWAIT for O_NONBLOCK.
  RecvResult res;
  int64_t r = RecvMsg(t, buf, n, nonblocking() ? MSG_DONTWAIT : 0, &res);
  return r < 0 ? r : static_cast<int64_t>(res.len);
}

int64_t Socket::Write(Task& t, const void* buf, uint64_t n) {
  // sock_write_iter(): sendmsg without an address; a SOCK_SEQPACKET write
  // is one record (MSG_EOR).
  SendRequest req;
  req.data = buf;
  req.len = n;
  req.flags = nonblocking() ? MSG_DONTWAIT : 0;
  if (type() == SOCK_SEQPACKET) req.flags |= MSG_EOR;
  int64_t r = SendMsg(t, req);
  // A stream socket whose peer is gone raises SIGPIPE (write(2) has no
  // MSG_NOSIGNAL); datagram and seqpacket sockets only fail with EPIPE.
  if (r == -EPIPE && type() == SOCK_STREAM) RaiseSigpipe(t, r);
  return r;
}

int64_t Socket::Stat(uapi::Stat* st) {
  std::memset(st, 0, sizeof(*st));
  st->st_dev = kSockFsDev;
  st->st_ino = ino_;
  st->st_nlink = 1;
  st->st_mode = S_IFSOCK | 0777;
  st->st_uid = uid_;
  st->st_gid = gid_;
  st->st_blksize = 4096;
  uapi::Timespec ts{ctime_ns_ / 1000000000, ctime_ns_ % 1000000000};
  st->st_atim = ts;
  st->st_mtim = ts;
  st->st_ctim = ts;
  return 0;
}

std::string Socket::Path() const { return absl::StrCat("socket:[", ino_, "]"); }

}  // namespace sentry::socket
