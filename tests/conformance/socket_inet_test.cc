// AF_INET/AF_INET6 TCP and UDP over loopback: client/server with partial
// reads and a 16 MiB transfer, datagram boundaries, non-blocking connect
// with epoll, ECONNREFUSED, EADDRINUSE, EPIPE/SIGPIPE, SO_RCVTIMEO, MSG_PEEK
// and MSG_WAITALL, ephemeral ports, IPv6, control messages (IP_PKTINFO,
// IP_RECVTTL), sendmmsg/recvmmsg, the common socket options, FIONREAD and
// blocking calls interrupted by signals. Everything stays on 127.0.0.1/::1
// with ports the kernel picks.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/sockios.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "syscall_matchers.h"
#include "temp_dir.h"

namespace {

using conformance::FdCloser;

sockaddr_in Loopback4(uint16_t port = 0) {
  sockaddr_in a = {};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

sockaddr_in6 Loopback6(uint16_t port = 0) {
  sockaddr_in6 a = {};
  a.sin6_family = AF_INET6;
  a.sin6_port = htons(port);
  a.sin6_addr = in6addr_loopback;
  return a;
}

uint16_t PortOf(int fd) {
  sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) < 0) return 0;
  if (ss.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
  }
  return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
}

// A listening TCP socket on 127.0.0.1 with a kernel-chosen port.
int Listener(int flags = 0) {
  int s = socket(AF_INET, SOCK_STREAM | flags, 0);
  if (s < 0) return -1;
  sockaddr_in a = Loopback4();
  if (bind(s, reinterpret_cast<sockaddr*>(&a), sizeof(a)) < 0 ||
      listen(s, 16) < 0) {
    close(s);
    return -1;
  }
  return s;
}

// A connected pair: client, and the server side accepted from `l`.
bool Connect(int l, FdCloser* client, FdCloser* server) {
  int c = socket(AF_INET, SOCK_STREAM, 0);
  if (c < 0) return false;
  sockaddr_in a = Loopback4(PortOf(l));
  if (connect(c, reinterpret_cast<sockaddr*>(&a), sizeof(a)) < 0) {
    close(c);
    return false;
  }
  int s = accept(l, nullptr, nullptr);
  if (s < 0) {
    close(c);
    return false;
  }
  client->reset(c);
  server->reset(s);
  return true;
}

uint64_t Checksum(const char* p, size_t n, uint64_t h) {
  for (size_t i = 0; i < n; i++) h = (h ^ static_cast<uint8_t>(p[i])) * 1099511628211ull;
  return h;
}

TEST(SocketInet, CreateFlagsAndIdentity) {
  int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  ASSERT_THAT(s, SyscallSucceeds());
  FdCloser c(s);
  EXPECT_TRUE(fcntl(s, F_GETFL) & O_NONBLOCK);
  EXPECT_TRUE(fcntl(s, F_GETFD) & FD_CLOEXEC);
  EXPECT_EQ(fcntl(s, F_GETFL) & O_ACCMODE, O_RDWR);
  int v;
  socklen_t len = sizeof(v);
  ASSERT_THAT(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &len), SyscallSucceeds());
  EXPECT_EQ(v, SOCK_STREAM);
  ASSERT_THAT(getsockopt(s, SOL_SOCKET, SO_DOMAIN, &v, &len), SyscallSucceeds());
  EXPECT_EQ(v, AF_INET);
  ASSERT_THAT(getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &v, &len), SyscallSucceeds());
  EXPECT_EQ(v, IPPROTO_TCP);

  int u = socket(AF_INET6, SOCK_DGRAM, 0);
  ASSERT_THAT(u, SyscallSucceeds());
  FdCloser cu(u);
  ASSERT_THAT(getsockopt(u, SOL_SOCKET, SO_PROTOCOL, &v, &len), SyscallSucceeds());
  EXPECT_EQ(v, IPPROTO_UDP);
  ASSERT_THAT(getsockopt(u, SOL_SOCKET, SO_DOMAIN, &v, &len), SyscallSucceeds());
  EXPECT_EQ(v, AF_INET6);

  // A protocol that does not go with the type.
  EXPECT_THAT(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP),
              SyscallFailsWithErrno(EPROTONOSUPPORT));
  EXPECT_THAT(socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP),
              SyscallFailsWithErrno(EPROTONOSUPPORT));
  EXPECT_THAT(socket(AF_INET, SOCK_SEQPACKET, 0),
              SyscallFailsWithErrno(ESOCKTNOSUPPORT));
  struct stat st;
  ASSERT_THAT(fstat(s, &st), SyscallSucceeds());
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
}

TEST(SocketInet, TcpLargeTransferWithPartialReads) {
  FdCloser l(Listener());
  ASSERT_GE(l.get(), 0);
  FdCloser c, s;
  ASSERT_TRUE(Connect(l.get(), &c, &s));
  constexpr size_t kTotal = 16 << 20;
  uint64_t sent_sum = 1469598103934665603ull;
  std::thread writer([&] {
    std::string chunk(100003, '\0');  // odd size: chunks never line up
    size_t done = 0;
    uint32_t x = 12345;
    while (done < kTotal) {
      size_t n = std::min(chunk.size(), kTotal - done);
      for (size_t i = 0; i < n; i++) {
        x = x * 1103515245 + 12345;
        chunk[i] = static_cast<char>(x >> 16);
      }
      sent_sum = Checksum(chunk.data(), n, sent_sum);
      size_t off = 0;
      while (off < n) {
        ssize_t w = write(c.get(), chunk.data() + off, n - off);
        ASSERT_GT(w, 0) << strerror(errno);
        off += w;
      }
      done += n;
    }
    ASSERT_THAT(shutdown(c.get(), SHUT_WR), SyscallSucceeds());
  });
  uint64_t got_sum = 1469598103934665603ull;
  size_t got = 0;
  std::vector<char> buf(7919);  // reads smaller than what is queued
  for (;;) {
    ssize_t r = read(s.get(), buf.data(), buf.size());
    ASSERT_GE(r, 0) << strerror(errno);
    if (r == 0) break;
    got_sum = Checksum(buf.data(), r, got_sum);
    got += r;
  }
  writer.join();
  EXPECT_EQ(got, kTotal);
  EXPECT_EQ(got_sum, sent_sum);
}

TEST(SocketInet, TcpPeekWaitallAndFionread) {
  FdCloser l(Listener());
  FdCloser c, s;
  ASSERT_TRUE(Connect(l.get(), &c, &s));
  ASSERT_THAT(write(c.get(), "hello", 5), SyscallSucceedsWithValue(5));
  // Wait until it arrived.
  struct pollfd p{s.get(), POLLIN, 0};
  ASSERT_THAT(poll(&p, 1, 5000), SyscallSucceedsWithValue(1));
  EXPECT_TRUE(p.revents & POLLIN);
  int avail = 0;
  ASSERT_THAT(ioctl(s.get(), FIONREAD, &avail), SyscallSucceeds());
  EXPECT_EQ(avail, 5);
  char buf[16] = {};
  ASSERT_THAT(recv(s.get(), buf, sizeof(buf), MSG_PEEK), SyscallSucceedsWithValue(5));
  EXPECT_EQ(std::string(buf, 5), "hello");
  // MSG_WAITALL waits for the rest.
  std::thread later([&] {
    usleep(50000);
    ASSERT_THAT(write(c.get(), "world", 5), SyscallSucceedsWithValue(5));
  });
  ASSERT_THAT(recv(s.get(), buf, 10, MSG_WAITALL), SyscallSucceedsWithValue(10));
  EXPECT_EQ(std::string(buf, 10), "helloworld");
  later.join();
  EXPECT_THAT(recv(s.get(), buf, sizeof(buf), MSG_DONTWAIT),
              SyscallFailsWithErrno(EAGAIN));
}

TEST(SocketInet, NamesAndEphemeralPorts) {
  FdCloser l(Listener());
  uint16_t port = PortOf(l.get());
  EXPECT_NE(port, 0);
  FdCloser c(socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in peer;
  socklen_t len = sizeof(peer);
  EXPECT_THAT(getpeername(c.get(), reinterpret_cast<sockaddr*>(&peer), &len),
              SyscallFailsWithErrno(ENOTCONN));
  sockaddr_in a = Loopback4(port);
  ASSERT_THAT(connect(c.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)),
              SyscallSucceeds());
  // connect picked an ephemeral local port.
  EXPECT_NE(PortOf(c.get()), 0);
  len = sizeof(peer);
  ASSERT_THAT(getpeername(c.get(), reinterpret_cast<sockaddr*>(&peer), &len),
              SyscallSucceeds());
  EXPECT_EQ(len, sizeof(sockaddr_in));
  EXPECT_EQ(peer.sin_family, AF_INET);
  EXPECT_EQ(ntohs(peer.sin_port), port);
  EXPECT_EQ(peer.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
  // accept4 reports the client's address, and SOCK_NONBLOCK on the new fd.
  sockaddr_in from;
  len = sizeof(from);
  int s = accept4(l.get(), reinterpret_cast<sockaddr*>(&from), &len,
                  SOCK_NONBLOCK | SOCK_CLOEXEC);
  ASSERT_THAT(s, SyscallSucceeds());
  FdCloser sc(s);
  EXPECT_EQ(ntohs(from.sin_port), PortOf(c.get()));
  EXPECT_TRUE(fcntl(s, F_GETFL) & O_NONBLOCK);
  EXPECT_TRUE(fcntl(s, F_GETFD) & FD_CLOEXEC);
  // A short address buffer: truncated, full length reported.
  char small[4];
  len = sizeof(small);
  ASSERT_THAT(getsockname(c.get(), reinterpret_cast<sockaddr*>(small), &len),
              SyscallSucceeds());
  EXPECT_EQ(len, sizeof(sockaddr_in));
}

TEST(SocketInet, AddressInUseAndReuseaddr) {
  FdCloser l(Listener());
  uint16_t port = PortOf(l.get());
  FdCloser s(socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in a = Loopback4(port);
  EXPECT_THAT(bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)),
              SyscallFailsWithErrno(EADDRINUSE));
  int one = 1;
  ASSERT_THAT(setsockopt(s.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)),
              SyscallSucceeds());
  int v = 0;
  socklen_t len = sizeof(v);
  ASSERT_THAT(getsockopt(s.get(), SOL_SOCKET, SO_REUSEADDR, &v, &len),
              SyscallSucceeds());
  EXPECT_EQ(v, 1);
  // Still in use: the other socket listens.
  EXPECT_THAT(bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)),
              SyscallFailsWithErrno(EADDRINUSE));
  // Bad addresses.
  EXPECT_THAT(bind(s.get(), reinterpret_cast<sockaddr*>(&a), 8),
              SyscallFailsWithErrno(EINVAL));
  sockaddr_in6 six = Loopback6();
  EXPECT_THAT(bind(s.get(), reinterpret_cast<sockaddr*>(&six), sizeof(six)),
              SyscallFailsWithErrno(EAFNOSUPPORT));
}

TEST(SocketInet, ConnectionRefused) {
  // A bound, non-listening socket reserves a port nobody accepts on.
  FdCloser r(socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in a = Loopback4();
  ASSERT_THAT(bind(r.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)),
              SyscallSucceeds());
  a.sin_port = htons(PortOf(r.get()));
  FdCloser c(socket(AF_INET, SOCK_STREAM, 0));
  EXPECT_THAT(connect(c.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)),
              SyscallFailsWithErrno(ECONNREFUSED));
  // Non-blocking: the error arrives through SO_ERROR.
  FdCloser n(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
  int rc = connect(n.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a));
  if (rc < 0 && errno == EINPROGRESS) {
    struct pollfd p{n.get(), POLLOUT, 0};
    ASSERT_THAT(poll(&p, 1, 5000), SyscallSucceedsWithValue(1));
    int err = 0;
    socklen_t len = sizeof(err);
    ASSERT_THAT(getsockopt(n.get(), SOL_SOCKET, SO_ERROR, &err, &len),
                SyscallSucceeds());
    EXPECT_EQ(err, ECONNREFUSED);
    // SO_ERROR is cleared once read.
    ASSERT_THAT(getsockopt(n.get(), SOL_SOCKET, SO_ERROR, &err, &len),
                SyscallSucceeds());
    EXPECT_EQ(err, 0);
  } else {
    EXPECT_EQ(errno, ECONNREFUSED);
  }
}

TEST(SocketInet, NonBlockingConnectWithEpoll) {
  FdCloser l(Listener());
  FdCloser c(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
  sockaddr_in a = Loopback4(PortOf(l.get()));
  int rc = connect(c.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a));
  if (rc < 0) {
    ASSERT_EQ(errno, EINPROGRESS);
    FdCloser ep(epoll_create1(EPOLL_CLOEXEC));
    epoll_event ev = {};
    ev.events = EPOLLOUT;
    ev.data.u64 = 7;
    ASSERT_THAT(epoll_ctl(ep.get(), EPOLL_CTL_ADD, c.get(), &ev), SyscallSucceeds());
    epoll_event out;
    ASSERT_THAT(epoll_wait(ep.get(), &out, 1, 5000), SyscallSucceedsWithValue(1));
    EXPECT_EQ(out.data.u64, 7u);
    EXPECT_TRUE(out.events & EPOLLOUT);
  }
  int err = -1;
  socklen_t len = sizeof(err);
  ASSERT_THAT(getsockopt(c.get(), SOL_SOCKET, SO_ERROR, &err, &len), SyscallSucceeds());
  EXPECT_EQ(err, 0);
  // Connecting again: after EINPROGRESS the first call reports the
  // completed connection (0), the next one EISCONN.
  if (rc < 0) {
    EXPECT_THAT(connect(c.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)),
                SyscallSucceeds());
  }
  EXPECT_THAT(connect(c.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)),
              SyscallFailsWithErrno(EISCONN));

  // The listener becomes readable in epoll once the connection is queued;
  // then data arriving makes the accepted socket readable (edge-triggered).
  FdCloser ep(epoll_create1(EPOLL_CLOEXEC));
  epoll_event ev = {};
  ev.events = EPOLLIN;
  ASSERT_THAT(epoll_ctl(ep.get(), EPOLL_CTL_ADD, l.get(), &ev), SyscallSucceeds());
  epoll_event out;
  ASSERT_THAT(epoll_wait(ep.get(), &out, 1, 5000), SyscallSucceedsWithValue(1));
  int s = accept4(l.get(), nullptr, nullptr, SOCK_NONBLOCK);
  ASSERT_THAT(s, SyscallSucceeds());
  FdCloser sc(s);
  char b[8];
  EXPECT_THAT(read(s, b, sizeof(b)), SyscallFailsWithErrno(EAGAIN));
  ev.events = EPOLLIN | EPOLLET;
  ASSERT_THAT(epoll_ctl(ep.get(), EPOLL_CTL_ADD, s, &ev), SyscallSucceeds());
  // The listener's queue is empty again and the new socket has no data.
  EXPECT_THAT(epoll_wait(ep.get(), &out, 1, 0), SyscallSucceedsWithValue(0));
  for (int round = 0; round < 3; round++) {
    ASSERT_THAT(write(c.get(), "x", 1), SyscallSucceedsWithValue(1));
    int n = epoll_wait(ep.get(), &out, 1, 5000);
    ASSERT_EQ(n, 1) << "round " << round;
    EXPECT_TRUE(out.events & EPOLLIN);
    ASSERT_THAT(read(s, b, sizeof(b)), SyscallSucceedsWithValue(1));
    EXPECT_THAT(read(s, b, sizeof(b)), SyscallFailsWithErrno(EAGAIN));
  }
}

std::atomic<int> g_sigpipes{0};

TEST(SocketInet, EpipeAndSigpipe) {
  FdCloser l(Listener());
  FdCloser c, s;
  ASSERT_TRUE(Connect(l.get(), &c, &s));
  ASSERT_THAT(shutdown(c.get(), SHUT_WR), SyscallSucceeds());
  // Writing after our own SHUT_WR: EPIPE at once.
  struct sigaction sa = {}, old;
  sa.sa_handler = [](int) { g_sigpipes++; };
  ASSERT_THAT(sigaction(SIGPIPE, &sa, &old), SyscallSucceeds());
  g_sigpipes = 0;
  EXPECT_THAT(send(c.get(), "x", 1, MSG_NOSIGNAL), SyscallFailsWithErrno(EPIPE));
  EXPECT_EQ(g_sigpipes.load(), 0);
  EXPECT_THAT(write(c.get(), "x", 1), SyscallFailsWithErrno(EPIPE));
  EXPECT_EQ(g_sigpipes.load(), 1);
  // The peer sees end of stream.
  char b;
  EXPECT_THAT(read(s.get(), &b, 1), SyscallSucceedsWithValue(0));
  sigaction(SIGPIPE, &old, nullptr);
}

TEST(SocketInet, ResetPeerGivesEpipeOrReset) {
  FdCloser l(Listener());
  FdCloser c, s;
  ASSERT_TRUE(Connect(l.get(), &c, &s));
  s.reset(-1);  // peer closes
  // The first write is accepted (the peer answers with RST), later ones
  // fail with EPIPE or ECONNRESET.
  int err = 0;
  for (int i = 0; i < 50 && !err; i++) {
    if (send(c.get(), "data", 4, MSG_NOSIGNAL) < 0) err = errno;
    usleep(10000);
  }
  EXPECT_TRUE(err == EPIPE || err == ECONNRESET) << err;
}

TEST(SocketInet, RcvtimeoTimesOut) {
  FdCloser l(Listener());
  FdCloser c, s;
  ASSERT_TRUE(Connect(l.get(), &c, &s));
  struct timeval tv{0, 200000};
  ASSERT_THAT(setsockopt(s.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)),
              SyscallSucceeds());
  struct timeval got = {};
  socklen_t len = sizeof(got);
  ASSERT_THAT(getsockopt(s.get(), SOL_SOCKET, SO_RCVTIMEO, &got, &len),
              SyscallSucceeds());
  EXPECT_EQ(len, sizeof(got));
  EXPECT_EQ(got.tv_sec, 0);
  EXPECT_GE(got.tv_usec, 196000);  // jiffies rounding
  EXPECT_LE(got.tv_usec, 204000);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  char b;
  EXPECT_THAT(read(s.get(), &b, 1), SyscallFailsWithErrno(EAGAIN));
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
  EXPECT_GE(ms, 180);
  EXPECT_LT(ms, 2000);
  // accept honours it too.
  ASSERT_THAT(setsockopt(l.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)),
              SyscallSucceeds());
  EXPECT_THAT(accept(l.get(), nullptr, nullptr), SyscallFailsWithErrno(EAGAIN));
  // Bad timeval.
  tv = {0, 1000000};
  EXPECT_THAT(setsockopt(s.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)),
              SyscallFailsWithErrno(EDOM));
  EXPECT_THAT(setsockopt(s.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, 3),
              SyscallFailsWithErrno(EINVAL));
}

TEST(SocketInet, SndtimeoTimesOutOnAFullSocket) {
  FdCloser l(Listener());
  FdCloser c, s;
  ASSERT_TRUE(Connect(l.get(), &c, &s));
  // Fill both buffers without blocking.
  std::string chunk(65536, 'f');
  while (send(c.get(), chunk.data(), chunk.size(), MSG_DONTWAIT) > 0) {
  }
  ASSERT_EQ(errno, EAGAIN);
  struct timeval tv{0, 150000};
  ASSERT_THAT(setsockopt(c.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)),
              SyscallSucceeds());
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  EXPECT_THAT(send(c.get(), chunk.data(), chunk.size(), 0),
              SyscallFailsWithErrno(EAGAIN));
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
  EXPECT_GE(ms, 130);
  EXPECT_LT(ms, 2000);
}

void NoopHandler(int) {}

TEST(SocketInet, BlockingAcceptAndRecvInterruptedBySignal) {
  FdCloser l(Listener());
  struct sigaction sa = {}, old;
  sa.sa_handler = NoopHandler;  // no SA_RESTART
  ASSERT_THAT(sigaction(SIGALRM, &sa, &old), SyscallSucceeds());
  struct itimerval it = {};
  it.it_value.tv_usec = 100000;
  ASSERT_THAT(setitimer(ITIMER_REAL, &it, nullptr), SyscallSucceeds());
  EXPECT_THAT(accept(l.get(), nullptr, nullptr), SyscallFailsWithErrno(EINTR));
  FdCloser c, s;
  ASSERT_TRUE(Connect(l.get(), &c, &s));
  ASSERT_THAT(setitimer(ITIMER_REAL, &it, nullptr), SyscallSucceeds());
  char b;
  EXPECT_THAT(recv(s.get(), &b, 1, 0), SyscallFailsWithErrno(EINTR));
  // With SA_RESTART the call goes on and gets the data sent later.
  sa.sa_flags = SA_RESTART;
  ASSERT_THAT(sigaction(SIGALRM, &sa, nullptr), SyscallSucceeds());
  ASSERT_THAT(setitimer(ITIMER_REAL, &it, nullptr), SyscallSucceeds());
  std::thread later([&] {
    usleep(300000);
    ASSERT_THAT(write(c.get(), "z", 1), SyscallSucceedsWithValue(1));
  });
  EXPECT_THAT(recv(s.get(), &b, 1, 0), SyscallSucceedsWithValue(1));
  later.join();
  sigaction(SIGALRM, &old, nullptr);
}

TEST(SocketInet, TcpOptions) {
  FdCloser l(Listener());
  FdCloser c, s;
  ASSERT_TRUE(Connect(l.get(), &c, &s));
  int one = 1, v = 0;
  socklen_t len = sizeof(v);
  ASSERT_THAT(setsockopt(c.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)),
              SyscallSucceeds());
  ASSERT_THAT(getsockopt(c.get(), IPPROTO_TCP, TCP_NODELAY, &v, &len), SyscallSucceeds());
  EXPECT_EQ(v, 1);
  ASSERT_THAT(setsockopt(c.get(), SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)),
              SyscallSucceeds());
  ASSERT_THAT(getsockopt(c.get(), SOL_SOCKET, SO_KEEPALIVE, &v, &len), SyscallSucceeds());
  EXPECT_EQ(v, 1);
  int idle = 77;
  ASSERT_THAT(setsockopt(c.get(), IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle)),
              SyscallSucceeds());
  ASSERT_THAT(getsockopt(c.get(), IPPROTO_TCP, TCP_KEEPIDLE, &v, &len), SyscallSucceeds());
  EXPECT_EQ(v, 77);
  EXPECT_THAT(setsockopt(c.get(), IPPROTO_TCP, TCP_KEEPCNT, &(v = 0), sizeof(v)),
              SyscallFailsWithErrno(EINVAL));
  ASSERT_THAT(setsockopt(c.get(), IPPROTO_TCP, TCP_CORK, &one, sizeof(one)),
              SyscallSucceeds());
  struct linger lg{1, 5};
  ASSERT_THAT(setsockopt(c.get(), SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), SyscallSucceeds());
  struct linger lo = {};
  len = sizeof(lo);
  ASSERT_THAT(getsockopt(c.get(), SOL_SOCKET, SO_LINGER, &lo, &len), SyscallSucceeds());
  EXPECT_EQ(lo.l_onoff, 1);
  EXPECT_EQ(lo.l_linger, 5);
  struct tcp_info ti = {};
  len = sizeof(ti);
  ASSERT_THAT(getsockopt(c.get(), IPPROTO_TCP, TCP_INFO, &ti, &len), SyscallSucceeds());
  EXPECT_EQ(ti.tcpi_state, TCP_ESTABLISHED);
  EXPECT_GT(len, 100u);
  // A short buffer gets a short answer.
  len = 8;
  ASSERT_THAT(getsockopt(c.get(), IPPROTO_TCP, TCP_INFO, &ti, &len), SyscallSucceeds());
  EXPECT_EQ(len, 8u);
  int rcvbuf = 65536;
  ASSERT_THAT(setsockopt(c.get(), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)),
              SyscallSucceeds());
  len = sizeof(v);
  ASSERT_THAT(getsockopt(c.get(), SOL_SOCKET, SO_RCVBUF, &v, &len), SyscallSucceeds());
  EXPECT_EQ(v, 2 * rcvbuf);  // Linux doubles it
  int ttl = 33;
  ASSERT_THAT(setsockopt(c.get(), IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)), SyscallSucceeds());
  ASSERT_THAT(getsockopt(c.get(), IPPROTO_IP, IP_TTL, &v, &len), SyscallSucceeds());
  EXPECT_EQ(v, 33);
  int tos = 0x10;
  ASSERT_THAT(setsockopt(c.get(), IPPROTO_IP, IP_TOS, &tos, sizeof(tos)), SyscallSucceeds());
  ASSERT_THAT(getsockopt(c.get(), IPPROTO_IP, IP_TOS, &v, &len), SyscallSucceeds());
  EXPECT_EQ(v, 0x10);
  ASSERT_THAT(getsockopt(l.get(), SOL_SOCKET, SO_ACCEPTCONN, &v, &len), SyscallSucceeds());
  EXPECT_EQ(v, 1);
  // Unknown options.
  EXPECT_THAT(getsockopt(c.get(), SOL_SOCKET, 9999, &v, &len),
              SyscallFailsWithErrno(ENOPROTOOPT));
  EXPECT_THAT(setsockopt(c.get(), IPPROTO_TCP, 9999, &one, sizeof(one)),
              SyscallFailsWithErrno(ENOPROTOOPT));
  // IPv6 options on an IPv4 TCP socket.
  EXPECT_THAT(getsockopt(c.get(), IPPROTO_IPV6, IPV6_V6ONLY, &v, &len),
              SyscallFailsWithErrno(EOPNOTSUPP));
}

TEST(SocketInet, UdpDatagrams) {
  FdCloser a(socket(AF_INET, SOCK_DGRAM, 0)), b(socket(AF_INET, SOCK_DGRAM, 0));
  sockaddr_in la = Loopback4(), lb = Loopback4();
  ASSERT_THAT(bind(a.get(), reinterpret_cast<sockaddr*>(&la), sizeof(la)), SyscallSucceeds());
  ASSERT_THAT(bind(b.get(), reinterpret_cast<sockaddr*>(&lb), sizeof(lb)), SyscallSucceeds());
  la.sin_port = htons(PortOf(a.get()));
  lb.sin_port = htons(PortOf(b.get()));
  ASSERT_THAT(sendto(a.get(), "first", 5, 0, reinterpret_cast<sockaddr*>(&lb), sizeof(lb)),
              SyscallSucceedsWithValue(5));
  ASSERT_THAT(sendto(a.get(), "second!", 7, 0, reinterpret_cast<sockaddr*>(&lb), sizeof(lb)),
              SyscallSucceedsWithValue(7));
  ASSERT_THAT(sendto(a.get(), "", 0, 0, reinterpret_cast<sockaddr*>(&lb), sizeof(lb)),
              SyscallSucceedsWithValue(0));
  char buf[64];
  sockaddr_in from;
  socklen_t len = sizeof(from);
  // Boundaries are kept; a short buffer truncates and MSG_TRUNC gives the
  // real length.
  ASSERT_THAT(recvfrom(b.get(), buf, 3, 0, reinterpret_cast<sockaddr*>(&from), &len),
              SyscallSucceedsWithValue(3));
  EXPECT_EQ(std::string(buf, 3), "fir");
  EXPECT_EQ(from.sin_port, la.sin_port);
  EXPECT_EQ(len, sizeof(from));
  ASSERT_THAT(recv(b.get(), buf, 3, MSG_TRUNC), SyscallSucceedsWithValue(7));
  EXPECT_EQ(std::string(buf, 3), "sec");
  ASSERT_THAT(recv(b.get(), buf, sizeof(buf), 0), SyscallSucceedsWithValue(0));
  // recvmsg reports MSG_TRUNC in msg_flags.
  ASSERT_THAT(sendto(a.get(), "0123456789", 10, 0, reinterpret_cast<sockaddr*>(&lb), sizeof(lb)),
              SyscallSucceedsWithValue(10));
  struct iovec iov{buf, 4};
  struct msghdr m = {};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  ASSERT_THAT(recvmsg(b.get(), &m, 0), SyscallSucceedsWithValue(4));
  EXPECT_TRUE(m.msg_flags & MSG_TRUNC);
  EXPECT_THAT(recv(b.get(), buf, sizeof(buf), MSG_DONTWAIT), SyscallFailsWithErrno(EAGAIN));
  // connect() fixes the peer: send() works, other senders are filtered.
  ASSERT_THAT(connect(a.get(), reinterpret_cast<sockaddr*>(&lb), sizeof(lb)), SyscallSucceeds());
  ASSERT_THAT(send(a.get(), "c", 1, 0), SyscallSucceedsWithValue(1));
  ASSERT_THAT(recv(b.get(), buf, sizeof(buf), 0), SyscallSucceedsWithValue(1));
  // An unconnected UDP socket cannot send without an address.
  EXPECT_THAT(send(b.get(), "x", 1, 0), SyscallFailsWithErrno(EDESTADDRREQ));
  // A datagram to a port nobody has: ECONNREFUSED on a connected socket's
  // next call (ICMP port unreachable on loopback).
  FdCloser gone(socket(AF_INET, SOCK_DGRAM, 0));
  sockaddr_in g = Loopback4();
  ASSERT_THAT(bind(gone.get(), reinterpret_cast<sockaddr*>(&g), sizeof(g)), SyscallSucceeds());
  g.sin_port = htons(PortOf(gone.get()));
  gone.reset(-1);
  FdCloser d(socket(AF_INET, SOCK_DGRAM, 0));
  ASSERT_THAT(connect(d.get(), reinterpret_cast<sockaddr*>(&g), sizeof(g)), SyscallSucceeds());
  ASSERT_THAT(send(d.get(), "x", 1, 0), SyscallSucceedsWithValue(1));
  usleep(50000);
  EXPECT_THAT(recv(d.get(), buf, sizeof(buf), MSG_DONTWAIT),
              SyscallFailsWithErrno(ECONNREFUSED));
}

TEST(SocketInet, UdpControlMessages) {
  FdCloser a(socket(AF_INET, SOCK_DGRAM, 0)), b(socket(AF_INET, SOCK_DGRAM, 0));
  sockaddr_in lb = Loopback4();
  ASSERT_THAT(bind(b.get(), reinterpret_cast<sockaddr*>(&lb), sizeof(lb)), SyscallSucceeds());
  lb.sin_port = htons(PortOf(b.get()));
  int one = 1;
  ASSERT_THAT(setsockopt(b.get(), IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)), SyscallSucceeds());
  ASSERT_THAT(setsockopt(b.get(), IPPROTO_IP, IP_RECVTTL, &one, sizeof(one)), SyscallSucceeds());
  // The sender sets the TTL of this one datagram with a control message.
  alignas(cmsghdr) char sc[CMSG_SPACE(sizeof(int))] = {};
  struct iovec siov{const_cast<char*>("ping"), 4};
  struct msghdr sm = {};
  sm.msg_name = &lb;
  sm.msg_namelen = sizeof(lb);
  sm.msg_iov = &siov;
  sm.msg_iovlen = 1;
  sm.msg_control = sc;
  sm.msg_controllen = sizeof(sc);
  cmsghdr* h = CMSG_FIRSTHDR(&sm);
  h->cmsg_level = IPPROTO_IP;
  h->cmsg_type = IP_TTL;
  h->cmsg_len = CMSG_LEN(sizeof(int));
  int ttl = 42;
  memcpy(CMSG_DATA(h), &ttl, sizeof(ttl));
  ASSERT_THAT(sendmsg(a.get(), &sm, 0), SyscallSucceedsWithValue(4));

  char buf[16];
  alignas(cmsghdr) char rc[256];
  struct iovec riov{buf, sizeof(buf)};
  struct msghdr rm = {};
  rm.msg_iov = &riov;
  rm.msg_iovlen = 1;
  rm.msg_control = rc;
  rm.msg_controllen = sizeof(rc);
  ASSERT_THAT(recvmsg(b.get(), &rm, 0), SyscallSucceedsWithValue(4));
  bool saw_pktinfo = false, saw_ttl = false;
  for (cmsghdr* c = CMSG_FIRSTHDR(&rm); c; c = CMSG_NXTHDR(&rm, c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
      in_pktinfo pi;
      memcpy(&pi, CMSG_DATA(c), sizeof(pi));
      EXPECT_EQ(pi.ipi_addr.s_addr, htonl(INADDR_LOOPBACK));
      EXPECT_EQ(c->cmsg_len, CMSG_LEN(sizeof(in_pktinfo)));
      saw_pktinfo = true;
    }
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) {
      int v;
      memcpy(&v, CMSG_DATA(c), sizeof(v));
      EXPECT_EQ(v, 42);
      saw_ttl = true;
    }
  }
  EXPECT_TRUE(saw_pktinfo);
  EXPECT_TRUE(saw_ttl);
  EXPECT_FALSE(rm.msg_flags & MSG_CTRUNC);

  // A control buffer too small for both: MSG_CTRUNC.
  ASSERT_THAT(sendto(a.get(), "x", 1, 0, reinterpret_cast<sockaddr*>(&lb), sizeof(lb)),
              SyscallSucceedsWithValue(1));
  rm.msg_controllen = CMSG_SPACE(sizeof(int));
  ASSERT_THAT(recvmsg(b.get(), &rm, 0), SyscallSucceedsWithValue(1));
  EXPECT_TRUE(rm.msg_flags & MSG_CTRUNC);
}

// SCM_RIGHTS on an inet socket is ignored (Linux's __sock_cmsg_send): the
// datagram goes, no descriptor arrives.
TEST(SocketInet, ScmRightsIgnored) {
  FdCloser a(socket(AF_INET, SOCK_DGRAM, 0)), b(socket(AF_INET, SOCK_DGRAM, 0));
  sockaddr_in lb = Loopback4();
  ASSERT_THAT(bind(b.get(), reinterpret_cast<sockaddr*>(&lb), sizeof(lb)), SyscallSucceeds());
  lb.sin_port = htons(PortOf(b.get()));
  int p[2];
  ASSERT_THAT(pipe(p), SyscallSucceeds());
  FdCloser r(p[0]), w(p[1]);
  alignas(cmsghdr) char sc[CMSG_SPACE(sizeof(int))] = {};
  struct iovec siov{const_cast<char*>("fd"), 2};
  struct msghdr sm = {};
  sm.msg_name = &lb;
  sm.msg_namelen = sizeof(lb);
  sm.msg_iov = &siov;
  sm.msg_iovlen = 1;
  sm.msg_control = sc;
  sm.msg_controllen = sizeof(sc);
  cmsghdr* h = CMSG_FIRSTHDR(&sm);
  h->cmsg_level = SOL_SOCKET;
  h->cmsg_type = SCM_RIGHTS;
  h->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(h), &p[0], sizeof(int));
  ASSERT_THAT(sendmsg(a.get(), &sm, 0), SyscallSucceedsWithValue(2));
  char buf[8];
  alignas(cmsghdr) char rc[64];
  struct iovec riov{buf, sizeof(buf)};
  struct msghdr rm = {};
  rm.msg_iov = &riov;
  rm.msg_iovlen = 1;
  rm.msg_control = rc;
  rm.msg_controllen = sizeof(rc);
  ASSERT_THAT(recvmsg(b.get(), &rm, 0), SyscallSucceedsWithValue(2));
  EXPECT_EQ(rm.msg_controllen, 0u);
}

TEST(SocketInet, SendmmsgRecvmmsg) {
  FdCloser a(socket(AF_INET, SOCK_DGRAM, 0)), b(socket(AF_INET, SOCK_DGRAM, 0));
  sockaddr_in lb = Loopback4();
  ASSERT_THAT(bind(b.get(), reinterpret_cast<sockaddr*>(&lb), sizeof(lb)), SyscallSucceeds());
  lb.sin_port = htons(PortOf(b.get()));
  ASSERT_THAT(connect(a.get(), reinterpret_cast<sockaddr*>(&lb), sizeof(lb)), SyscallSucceeds());
  const char* msgs[3] = {"one", "three", "fifteen"};
  struct iovec iov[3];
  struct mmsghdr mm[3] = {};
  for (int i = 0; i < 3; i++) {
    iov[i] = {const_cast<char*>(msgs[i]), strlen(msgs[i])};
    mm[i].msg_hdr.msg_iov = &iov[i];
    mm[i].msg_hdr.msg_iovlen = 1;
  }
  ASSERT_THAT(sendmmsg(a.get(), mm, 3, 0), SyscallSucceedsWithValue(3));
  EXPECT_EQ(mm[1].msg_len, 5u);
  char bufs[4][16];
  struct iovec riov[4];
  struct mmsghdr rm[4] = {};
  for (int i = 0; i < 4; i++) {
    riov[i] = {bufs[i], sizeof(bufs[i])};
    rm[i].msg_hdr.msg_iov = &riov[i];
    rm[i].msg_hdr.msg_iovlen = 1;
  }
  usleep(20000);
  ASSERT_THAT(recvmmsg(b.get(), rm, 4, MSG_DONTWAIT, nullptr), SyscallSucceedsWithValue(3));
  for (int i = 0; i < 3; i++) {
    EXPECT_EQ(std::string(bufs[i], rm[i].msg_len), msgs[i]);
  }
}

TEST(SocketInet, Ipv6Loopback) {
  int l = socket(AF_INET6, SOCK_STREAM, 0);
  ASSERT_THAT(l, SyscallSucceeds());
  FdCloser lc(l);
  int v = -1;
  socklen_t len = sizeof(v);
  ASSERT_THAT(getsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &v, &len), SyscallSucceeds());
  EXPECT_EQ(v, 0);
  sockaddr_in6 a = Loopback6();
  ASSERT_THAT(bind(l, reinterpret_cast<sockaddr*>(&a), sizeof(a)), SyscallSucceeds());
  ASSERT_THAT(listen(l, 4), SyscallSucceeds());
  a.sin6_port = htons(PortOf(l));
  FdCloser c(socket(AF_INET6, SOCK_STREAM, 0));
  ASSERT_THAT(connect(c.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)), SyscallSucceeds());
  sockaddr_in6 from;
  len = sizeof(from);
  int s = accept(l, reinterpret_cast<sockaddr*>(&from), &len);
  ASSERT_THAT(s, SyscallSucceeds());
  FdCloser sc(s);
  EXPECT_EQ(len, sizeof(sockaddr_in6));
  EXPECT_EQ(from.sin6_family, AF_INET6);
  EXPECT_EQ(memcmp(&from.sin6_addr, &in6addr_loopback, 16), 0);
  ASSERT_THAT(write(c.get(), "six", 3), SyscallSucceedsWithValue(3));
  char b[8];
  ASSERT_THAT(read(s, b, sizeof(b)), SyscallSucceedsWithValue(3));

  // A dual-stack socket reaches an IPv4 listener through a mapped address.
  FdCloser l4(Listener());
  sockaddr_in6 mapped = {};
  mapped.sin6_family = AF_INET6;
  mapped.sin6_port = htons(PortOf(l4.get()));
  inet_pton(AF_INET6, "::ffff:127.0.0.1", &mapped.sin6_addr);
  FdCloser d(socket(AF_INET6, SOCK_STREAM, 0));
  ASSERT_THAT(connect(d.get(), reinterpret_cast<sockaddr*>(&mapped), sizeof(mapped)),
              SyscallSucceeds());
  int one = 1;
  FdCloser only(socket(AF_INET6, SOCK_STREAM, 0));
  ASSERT_THAT(setsockopt(only.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)),
              SyscallSucceeds());
  EXPECT_THAT(connect(only.get(), reinterpret_cast<sockaddr*>(&mapped), sizeof(mapped)),
              SyscallFailsWithErrno(ENETUNREACH));
  // IPv6 UDP with IPV6_RECVPKTINFO.
  FdCloser u(socket(AF_INET6, SOCK_DGRAM, 0));
  sockaddr_in6 ua = Loopback6();
  ASSERT_THAT(bind(u.get(), reinterpret_cast<sockaddr*>(&ua), sizeof(ua)), SyscallSucceeds());
  ua.sin6_port = htons(PortOf(u.get()));
  ASSERT_THAT(setsockopt(u.get(), IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)),
              SyscallSucceeds());
  ASSERT_THAT(sendto(u.get(), "v6", 2, 0, reinterpret_cast<sockaddr*>(&ua), sizeof(ua)),
              SyscallSucceedsWithValue(2));
  alignas(cmsghdr) char rc[128];
  struct iovec riov{b, sizeof(b)};
  struct msghdr rm = {};
  rm.msg_iov = &riov;
  rm.msg_iovlen = 1;
  rm.msg_control = rc;
  rm.msg_controllen = sizeof(rc);
  ASSERT_THAT(recvmsg(u.get(), &rm, 0), SyscallSucceedsWithValue(2));
  cmsghdr* h = CMSG_FIRSTHDR(&rm);
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->cmsg_level, IPPROTO_IPV6);
  EXPECT_EQ(h->cmsg_type, IPV6_PKTINFO);
}

TEST(SocketInet, ShutdownReadAndBoth) {
  FdCloser l(Listener());
  FdCloser c, s;
  ASSERT_TRUE(Connect(l.get(), &c, &s));
  ASSERT_THAT(shutdown(s.get(), SHUT_RD), SyscallSucceeds());
  char b;
  EXPECT_THAT(read(s.get(), &b, 1), SyscallSucceedsWithValue(0));
  struct pollfd p{s.get(), POLLIN | POLLRDHUP, 0};
  ASSERT_THAT(poll(&p, 1, 0), SyscallSucceedsWithValue(1));
  EXPECT_TRUE(p.revents & POLLIN);
  EXPECT_THAT(shutdown(s.get(), 7), SyscallFailsWithErrno(EINVAL));
  ASSERT_THAT(shutdown(c.get(), SHUT_RDWR), SyscallSucceeds());
  p = {s.get(), POLLIN | POLLRDHUP, 0};
  ASSERT_THAT(poll(&p, 1, 5000), SyscallSucceedsWithValue(1));
  EXPECT_TRUE(p.revents & POLLRDHUP);
  FdCloser u(socket(AF_INET, SOCK_STREAM, 0));
  EXPECT_THAT(shutdown(u.get(), SHUT_RDWR), SyscallFailsWithErrno(ENOTCONN));
}

TEST(SocketInet, SelectSeesReadiness) {
  FdCloser l(Listener());
  FdCloser c, s;
  ASSERT_TRUE(Connect(l.get(), &c, &s));
  fd_set r;
  FD_ZERO(&r);
  FD_SET(s.get(), &r);
  struct timeval tv{0, 0};
  EXPECT_THAT(select(s.get() + 1, &r, nullptr, nullptr, &tv), SyscallSucceedsWithValue(0));
  std::thread later([&] {
    usleep(50000);
    ASSERT_THAT(write(c.get(), "s", 1), SyscallSucceedsWithValue(1));
  });
  FD_ZERO(&r);
  FD_SET(s.get(), &r);
  tv = {5, 0};
  EXPECT_THAT(select(s.get() + 1, &r, nullptr, nullptr, &tv), SyscallSucceedsWithValue(1));
  EXPECT_TRUE(FD_ISSET(s.get(), &r));
  later.join();
}

// One thread blocked reading and another blocked writing (full buffers) on
// the same socket: waking the reader must not leave the writer asleep.
TEST(SocketInet, ReaderAndWriterBlockedOnOneSocket) {
  FdCloser l(Listener());
  FdCloser c, s;
  ASSERT_TRUE(Connect(l.get(), &c, &s));
  // (Default buffer sizes: tiny ones make loopback TCP crawl through
  // retransmissions, natively too.)
  std::atomic<bool> read_done{false};
  std::atomic<int64_t> written{0};
  std::thread reader([&] {
    char b;
    ASSERT_EQ(read(c.get(), &b, 1), 1);
    read_done = true;
  });
  constexpr size_t kBig = 64 << 20;  // more than both buffers hold
  std::thread writer([&] {
    std::string data(kBig, 'w');
    size_t off = 0;
    while (off < data.size()) {
      ssize_t w = write(c.get(), data.data() + off, data.size() - off);
      ASSERT_GT(w, 0);
      off += w;
    }
    written = off;
  });
  usleep(200000);  // both block: nothing to read, buffers full
  EXPECT_FALSE(read_done.load());
  EXPECT_EQ(written.load(), 0);
  ASSERT_THAT(write(s.get(), "r", 1), SyscallSucceedsWithValue(1));
  reader.join();
  // Now drain: the writer must finish.
  size_t got = 0;
  std::vector<char> buf(65536);
  while (got < kBig) {
    ssize_t r = read(s.get(), buf.data(), buf.size());
    ASSERT_GT(r, 0);
    got += r;
  }
  writer.join();
  EXPECT_EQ(written.load(), static_cast<int64_t>(kBig));
}

TEST(SocketInet, ManyClientsOneServerThreaded) {
  FdCloser l(Listener());
  constexpr int kClients = 8;
  std::thread server([&] {
    for (int i = 0; i < kClients; i++) {
      int s = accept(l.get(), nullptr, nullptr);
      ASSERT_GE(s, 0);
      char b[64];
      ssize_t n = read(s, b, sizeof(b));
      ASSERT_GT(n, 0);
      ASSERT_EQ(write(s, b, n), n);
      close(s);
    }
  });
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; i++) {
    clients.emplace_back([&, i] {
      int c = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in a = Loopback4(PortOf(l.get()));
      ASSERT_EQ(connect(c, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
      std::string msg = "client" + std::to_string(i);
      ASSERT_EQ(write(c, msg.data(), msg.size()), static_cast<ssize_t>(msg.size()));
      char b[64];
      ssize_t n = read(c, b, sizeof(b));
      EXPECT_EQ(std::string(b, n > 0 ? n : 0), msg);
      close(c);
    });
  }
  for (auto& t : clients) t.join();
  server.join();
}

// tcp_recvmsg's MSG_TRUNC: the bytes are consumed (or, with MSG_PEEK,
// counted) without being copied, so even a null buffer is fine.
TEST(SocketInet, TcpRecvTruncDiscardsWithoutCopying) {
  int l = Listener();
  ASSERT_THAT(l, SyscallSucceeds());
  FdCloser cl(l);
  FdCloser client, server;
  ASSERT_TRUE(Connect(l, &client, &server));
  ASSERT_THAT(send(client.get(), "abcdefgh", 8, 0), SyscallSucceedsWithValue(8));
  int avail = 0;
  for (int i = 0; i < 1000 && avail < 8; i++) {
    pollfd p{server.get(), POLLIN, 0};
    poll(&p, 1, 10);
    ASSERT_THAT(ioctl(server.get(), FIONREAD, &avail), SyscallSucceeds());
  }
  ASSERT_EQ(avail, 8);
  EXPECT_THAT(recv(server.get(), nullptr, 2, MSG_TRUNC | MSG_PEEK),
              SyscallSucceedsWithValue(2));
  char buf[8];
  memset(buf, 'Z', sizeof(buf));
  EXPECT_THAT(recv(server.get(), buf, 3, MSG_TRUNC), SyscallSucceedsWithValue(3));
  EXPECT_EQ(std::string(buf, 3), "ZZZ");
  EXPECT_THAT(recv(server.get(), nullptr, 2, MSG_TRUNC), SyscallSucceedsWithValue(2));
  ASSERT_THAT(recv(server.get(), buf, sizeof(buf), 0), SyscallSucceedsWithValue(3));
  EXPECT_EQ(std::string(buf, 3), "fgh");
}

// SIOCGSTAMP/SIOCGSTAMPNS: ENOENT until a packet was received, then its
// receive time (here: between the clock readings around the send).
TEST(SocketInet, UdpSiocgstamp) {
  int r = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_THAT(r, SyscallSucceeds());
  FdCloser cr(r);
  sockaddr_in a = Loopback4();
  ASSERT_THAT(bind(r, reinterpret_cast<sockaddr*>(&a), sizeof(a)), SyscallSucceeds());
  a = Loopback4(PortOf(r));
  timeval tv;
  EXPECT_THAT(ioctl(r, SIOCGSTAMP, &tv), SyscallFailsWithErrno(ENOENT));
  int w = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_THAT(w, SyscallSucceeds());
  FdCloser cw(w);
  timespec before, after;
  clock_gettime(CLOCK_REALTIME, &before);
  ASSERT_THAT(sendto(w, "x", 1, 0, reinterpret_cast<sockaddr*>(&a), sizeof(a)),
              SyscallSucceedsWithValue(1));
  char c;
  ASSERT_THAT(recv(r, &c, 1, 0), SyscallSucceedsWithValue(1));
  clock_gettime(CLOCK_REALTIME, &after);
  ASSERT_THAT(ioctl(r, SIOCGSTAMP, &tv), SyscallSucceeds());
  int64_t us = tv.tv_sec * 1000000ll + tv.tv_usec;
  EXPECT_GE(us, before.tv_sec * 1000000ll + before.tv_nsec / 1000 - 1);
  EXPECT_LE(us, after.tv_sec * 1000000ll + after.tv_nsec / 1000 + 1);
  timespec ts;
  ASSERT_THAT(ioctl(r, SIOCGSTAMPNS, &ts), SyscallSucceeds());
  EXPECT_EQ(ts.tv_sec, tv.tv_sec);
  EXPECT_EQ(ts.tv_nsec / 1000, tv.tv_usec);
  long long v[2];
  ASSERT_THAT(ioctl(r, SIOCGSTAMP_NEW, v), SyscallSucceeds());
  EXPECT_EQ(v[0], tv.tv_sec);
  EXPECT_EQ(v[1], tv.tv_usec);
  EXPECT_THAT(ioctl(r, SIOCGSTAMP, nullptr), SyscallFailsWithErrno(EFAULT));
}

// tcp_recvmsg copies before it consumes: a receive into unwritable memory
// is EFAULT and the bytes stay queued.
TEST(SocketInet, TcpReceiveFaultLeavesDataQueued) {
  int l = Listener();
  ASSERT_THAT(l, SyscallSucceeds());
  FdCloser cl(l);
  FdCloser client, server;
  ASSERT_TRUE(Connect(l, &client, &server));
  ASSERT_THAT(send(client.get(), "abc", 3, 0), SyscallSucceedsWithValue(3));
  pollfd p{server.get(), POLLIN, 0};
  ASSERT_THAT(poll(&p, 1, 5000), SyscallSucceedsWithValue(1));
  void* ro = mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(ro, MAP_FAILED);
  EXPECT_THAT(recv(server.get(), ro, 3, 0), SyscallFailsWithErrno(EFAULT));
  EXPECT_THAT(read(server.get(), ro, 3), SyscallFailsWithErrno(EFAULT));
  char buf[4];
  ASSERT_THAT(recv(server.get(), buf, sizeof(buf), 0), SyscallSucceedsWithValue(3));
  EXPECT_EQ(std::string(buf, 3), "abc");
  munmap(ro, 4096);
}

}  // namespace
