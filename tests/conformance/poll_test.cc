// Readiness: poll(2), ppoll(2), select(2), pselect6(2), epoll(7) (level and
// edge triggered, EPOLLONESHOT, EPOLLEXCLUSIVE, nesting), eventfd(2),
// timerfd_create(2), memfd_create(2), over pipes, FIFOs, eventfds,
// timerfds and regular files, with their error cases. Single-threaded:
// everything that would block is either ready or times out.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "syscall_matchers.h"
#include "temp_dir.h"

namespace {

using conformance::FdCloser;
using conformance::TempDir;

struct Pipe {
  Pipe(int flags = 0) {
    int p[2];
    if (pipe2(p, flags) == 0) {
      r.reset(p[0]);
      w.reset(p[1]);
    }
  }
  FdCloser r, w;
};

double Since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
      .count();
}

// ---------------------------------------------------------------- poll

TEST(PollTest, PipeEnds) {
  Pipe p;
  struct pollfd fds[2] = {{p.r.get(), POLLIN, 0}, {p.w.get(), POLLOUT, 0}};
  EXPECT_THAT(poll(fds, 2, 0), SyscallSucceedsWithValue(1));
  EXPECT_EQ(fds[0].revents, 0);
  EXPECT_EQ(fds[1].revents, POLLOUT);
  ASSERT_THAT(write(p.w.get(), "x", 1), SyscallSucceeds());
  EXPECT_THAT(poll(fds, 2, 0), SyscallSucceedsWithValue(2));
  EXPECT_EQ(fds[0].revents, POLLIN);
  // The last writer gone: POLLHUP (with the data still readable).
  p.w.reset(-1);
  fds[1].fd = -1;
  EXPECT_THAT(poll(fds, 2, 0), SyscallSucceedsWithValue(1));
  EXPECT_EQ(fds[0].revents, POLLIN | POLLHUP);
  EXPECT_EQ(fds[1].revents, 0);
}

TEST(PollTest, WriterWithoutReaderGetsPollerr) {
  Pipe p;
  p.r.reset(-1);
  struct pollfd fd = {p.w.get(), POLLOUT, 0};
  EXPECT_THAT(poll(&fd, 1, 0), SyscallSucceedsWithValue(1));
  EXPECT_TRUE(fd.revents & POLLERR);
}

TEST(PollTest, TimeoutAndNval) {
  Pipe p;
  struct pollfd fd = {p.r.get(), POLLIN, 0};
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_THAT(poll(&fd, 1, 100), SyscallSucceedsWithValue(0));
  EXPECT_GE(Since(t0), 0.09);
  struct pollfd bad = {1000000, POLLIN, 0};
  EXPECT_THAT(poll(&bad, 1, 0), SyscallSucceedsWithValue(1));
  EXPECT_EQ(bad.revents, POLLNVAL);
  EXPECT_THAT(poll(nullptr, 0, 10), SyscallSucceedsWithValue(0));
  EXPECT_THAT(syscall(SYS_poll, reinterpret_cast<void*>(8), 1, 0),
              SyscallFailsWithErrno(EFAULT));
}

TEST(PollTest, RegularFilesAreAlwaysReady) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  int fd = open(dir.Join("f").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  FdCloser c(fd);
  struct pollfd p = {fd, POLLIN | POLLOUT, 0};
  EXPECT_THAT(poll(&p, 1, -1), SyscallSucceedsWithValue(1));
  EXPECT_EQ(p.revents, POLLIN | POLLOUT);
}

TEST(PollTest, Ppoll) {
  Pipe p;
  struct pollfd fd = {p.r.get(), POLLIN, 0};
  struct timespec ts = {0, 50 * 1000 * 1000};
  sigset_t mask;
  sigemptyset(&mask);
  EXPECT_THAT(ppoll(&fd, 1, &ts, &mask), SyscallSucceedsWithValue(0));
  struct timespec bad = {0, 2000000000};
  EXPECT_THAT(ppoll(&fd, 1, &bad, nullptr), SyscallFailsWithErrno(EINVAL));
  ASSERT_THAT(write(p.w.get(), "x", 1), SyscallSucceeds());
  struct timespec ts2 = {5, 0};
  EXPECT_THAT(ppoll(&fd, 1, &ts2, nullptr), SyscallSucceedsWithValue(1));
  // The remaining time is written back.
  EXPECT_LE(ts2.tv_sec, 5);
  EXPECT_GT(ts2.tv_sec + ts2.tv_nsec, 0);
  EXPECT_THAT(syscall(SYS_ppoll, &fd, 1, &ts2, &mask, 4),
              SyscallFailsWithErrno(EINVAL));
}

// ---------------------------------------------------------------- select

TEST(SelectTest, Basics) {
  Pipe p;
  fd_set r, w;
  FD_ZERO(&r);
  FD_ZERO(&w);
  FD_SET(p.r.get(), &r);
  FD_SET(p.w.get(), &w);
  int n = std::max(p.r.get(), p.w.get()) + 1;
  struct timeval tv = {0, 0};
  EXPECT_THAT(select(n, &r, &w, nullptr, &tv), SyscallSucceedsWithValue(1));
  EXPECT_FALSE(FD_ISSET(p.r.get(), &r));
  EXPECT_TRUE(FD_ISSET(p.w.get(), &w));
  ASSERT_THAT(write(p.w.get(), "x", 1), SyscallSucceeds());
  FD_SET(p.r.get(), &r);
  FD_SET(p.w.get(), &w);
  EXPECT_THAT(select(n, &r, &w, nullptr, nullptr), SyscallSucceedsWithValue(2));
  EXPECT_TRUE(FD_ISSET(p.r.get(), &r));
  // Timeout: the time left is written back (0 here).
  FD_ZERO(&w);
  char c;
  ASSERT_THAT(read(p.r.get(), &c, 1), SyscallSucceeds());
  FD_SET(p.r.get(), &r);
  tv = {0, 50000};
  EXPECT_THAT(select(n, &r, nullptr, nullptr, &tv), SyscallSucceedsWithValue(0));
  EXPECT_EQ(tv.tv_sec, 0);
  EXPECT_EQ(tv.tv_usec, 0);
  EXPECT_FALSE(FD_ISSET(p.r.get(), &r));
}

TEST(SelectTest, Errors) {
  fd_set r;
  FD_ZERO(&r);
  int fd = open("/dev/null", O_RDONLY);
  ASSERT_GE(fd, 0);
  close(fd);
  FD_SET(fd, &r);
  struct timeval tv = {0, 0};
  EXPECT_THAT(select(fd + 1, &r, nullptr, nullptr, &tv), SyscallFailsWithErrno(EBADF));
  EXPECT_THAT(select(-1, nullptr, nullptr, nullptr, &tv), SyscallFailsWithErrno(EINVAL));
  struct timeval bad = {-1, 0};
  EXPECT_THAT(select(1, nullptr, nullptr, nullptr, &bad), SyscallFailsWithErrno(EINVAL));
  // Microseconds beyond a second are carried into seconds, not refused.
  struct timeval carry = {0, 1000001};
  struct timeval* tvp = &carry;
  carry.tv_usec = 1000001;
  carry.tv_sec = -1;
  EXPECT_THAT(select(1, nullptr, nullptr, nullptr, tvp), SyscallFailsWithErrno(EINVAL));
}

TEST(SelectTest, Pselect) {
  Pipe p;
  fd_set r;
  FD_ZERO(&r);
  FD_SET(p.r.get(), &r);
  struct timespec ts = {0, 20 * 1000 * 1000};
  sigset_t mask;
  sigemptyset(&mask);
  EXPECT_THAT(pselect(p.r.get() + 1, &r, nullptr, nullptr, &ts, &mask),
              SyscallSucceedsWithValue(0));
  ASSERT_THAT(write(p.w.get(), "x", 1), SyscallSucceeds());
  FD_SET(p.r.get(), &r);
  EXPECT_THAT(pselect(p.r.get() + 1, &r, nullptr, nullptr, nullptr, &mask),
              SyscallSucceedsWithValue(1));
}

// ---------------------------------------------------------------- epoll

TEST(EpollTest, LevelTriggered) {
  int ep;
  ASSERT_THAT(ep = epoll_create1(EPOLL_CLOEXEC), SyscallSucceeds());
  FdCloser c(ep);
  EXPECT_THAT(fcntl(ep, F_GETFD), SyscallSucceedsWithValue(FD_CLOEXEC));
  Pipe p;
  struct epoll_event ev = {};
  ev.events = EPOLLIN;
  ev.data.u64 = 0x1234567890ull;
  ASSERT_THAT(epoll_ctl(ep, EPOLL_CTL_ADD, p.r.get(), &ev), SyscallSucceeds());
  struct epoll_event out[4];
  EXPECT_THAT(epoll_wait(ep, out, 4, 0), SyscallSucceedsWithValue(0));
  ASSERT_THAT(write(p.w.get(), "ab", 2), SyscallSucceeds());
  ASSERT_THAT(epoll_wait(ep, out, 4, 0), SyscallSucceedsWithValue(1));
  EXPECT_EQ(out[0].events, static_cast<uint32_t>(EPOLLIN));
  EXPECT_EQ(out[0].data.u64, 0x1234567890ull);
  // Level-triggered: reported again while readable.
  EXPECT_THAT(epoll_wait(ep, out, 4, 0), SyscallSucceedsWithValue(1));
  char buf[4];
  ASSERT_THAT(read(p.r.get(), buf, sizeof(buf)), SyscallSucceeds());
  EXPECT_THAT(epoll_wait(ep, out, 4, 0), SyscallSucceedsWithValue(0));
  // Timeout.
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_THAT(epoll_wait(ep, out, 4, 60), SyscallSucceedsWithValue(0));
  EXPECT_GE(Since(t0), 0.05);
  // HUP when the writer goes.
  p.w.reset(-1);
  ASSERT_THAT(epoll_wait(ep, out, 4, 0), SyscallSucceedsWithValue(1));
  EXPECT_EQ(out[0].events, static_cast<uint32_t>(EPOLLHUP));
}

TEST(EpollTest, EdgeTriggeredAndOneshot) {
  int ep = epoll_create1(0);
  ASSERT_GE(ep, 0);
  FdCloser c(ep);
  Pipe a, b;
  struct epoll_event ev = {};
  ev.events = EPOLLIN | EPOLLET;
  ev.data.fd = a.r.get();
  ASSERT_THAT(epoll_ctl(ep, EPOLL_CTL_ADD, a.r.get(), &ev), SyscallSucceeds());
  ev.events = EPOLLIN | EPOLLONESHOT;
  ev.data.fd = b.r.get();
  ASSERT_THAT(epoll_ctl(ep, EPOLL_CTL_ADD, b.r.get(), &ev), SyscallSucceeds());
  ASSERT_THAT(write(a.w.get(), "x", 1), SyscallSucceeds());
  ASSERT_THAT(write(b.w.get(), "x", 1), SyscallSucceeds());
  struct epoll_event out[4];
  EXPECT_THAT(epoll_wait(ep, out, 4, 0), SyscallSucceedsWithValue(2));
  // Both stay readable, but neither is reported again.
  EXPECT_THAT(epoll_wait(ep, out, 4, 0), SyscallSucceedsWithValue(0));
  // New data: the edge-triggered one fires again, the one-shot does not.
  ASSERT_THAT(write(a.w.get(), "y", 1), SyscallSucceeds());
  ASSERT_THAT(write(b.w.get(), "y", 1), SyscallSucceeds());
  ASSERT_THAT(epoll_wait(ep, out, 4, 0), SyscallSucceedsWithValue(1));
  EXPECT_EQ(out[0].data.fd, a.r.get());
  // MOD re-arms the one-shot item.
  ev.events = EPOLLIN | EPOLLONESHOT;
  ev.data.fd = b.r.get();
  ASSERT_THAT(epoll_ctl(ep, EPOLL_CTL_MOD, b.r.get(), &ev), SyscallSucceeds());
  ASSERT_THAT(epoll_wait(ep, out, 4, 0), SyscallSucceedsWithValue(1));
  EXPECT_EQ(out[0].data.fd, b.r.get());
}

TEST(EpollTest, MaxEventsAndRoundRobin) {
  int ep = epoll_create1(0);
  ASSERT_GE(ep, 0);
  FdCloser c(ep);
  std::vector<Pipe> pipes(3);
  for (auto& p : pipes) {
    struct epoll_event ev = {};
    ev.events = EPOLLIN;
    ev.data.fd = p.r.get();
    ASSERT_THAT(epoll_ctl(ep, EPOLL_CTL_ADD, p.r.get(), &ev), SyscallSucceeds());
    ASSERT_THAT(write(p.w.get(), "x", 1), SyscallSucceeds());
  }
  struct epoll_event out[3];
  EXPECT_THAT(epoll_wait(ep, out, 2, 0), SyscallSucceedsWithValue(2));
  EXPECT_THAT(epoll_wait(ep, out, 3, 0), SyscallSucceedsWithValue(3));
}

TEST(EpollTest, CtlErrors) {
  int ep = epoll_create1(0);
  ASSERT_GE(ep, 0);
  FdCloser c(ep);
  Pipe p;
  struct epoll_event ev = {};
  ev.events = EPOLLIN;
  EXPECT_THAT(epoll_ctl(ep, EPOLL_CTL_MOD, p.r.get(), &ev), SyscallFailsWithErrno(ENOENT));
  EXPECT_THAT(epoll_ctl(ep, EPOLL_CTL_DEL, p.r.get(), &ev), SyscallFailsWithErrno(ENOENT));
  ASSERT_THAT(epoll_ctl(ep, EPOLL_CTL_ADD, p.r.get(), &ev), SyscallSucceeds());
  EXPECT_THAT(epoll_ctl(ep, EPOLL_CTL_ADD, p.r.get(), &ev), SyscallFailsWithErrno(EEXIST));
  EXPECT_THAT(epoll_ctl(ep, 42, p.r.get(), &ev), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(epoll_ctl(p.r.get(), EPOLL_CTL_ADD, p.w.get(), &ev),
              SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(epoll_ctl(-1, EPOLL_CTL_ADD, p.w.get(), &ev), SyscallFailsWithErrno(EBADF));
  EXPECT_THAT(epoll_ctl(ep, EPOLL_CTL_ADD, -1, &ev), SyscallFailsWithErrno(EBADF));
  EXPECT_THAT(epoll_ctl(ep, EPOLL_CTL_DEL, p.r.get(), nullptr), SyscallSucceeds());
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  int f = open(dir.Join("f").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(f, 0);
  FdCloser fc(f);
  EXPECT_THAT(epoll_ctl(ep, EPOLL_CTL_ADD, f, &ev), SyscallFailsWithErrno(EPERM));
  // EPOLLEXCLUSIVE is accepted on ADD, refused with MOD.
  ev.events = EPOLLIN | EPOLLEXCLUSIVE;
  ASSERT_THAT(epoll_ctl(ep, EPOLL_CTL_ADD, p.w.get(), &ev), SyscallSucceeds());
  EXPECT_THAT(epoll_ctl(ep, EPOLL_CTL_MOD, p.w.get(), &ev), SyscallFailsWithErrno(EINVAL));
  struct epoll_event out;
  EXPECT_THAT(epoll_wait(ep, &out, 0, 0), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(epoll_wait(p.r.get(), &out, 1, 0), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(epoll_create(0), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(epoll_create1(42), SyscallFailsWithErrno(EINVAL));
}

TEST(EpollTest, ClosedFileLeavesTheSet) {
  int ep = epoll_create1(0);
  ASSERT_GE(ep, 0);
  FdCloser c(ep);
  Pipe p;
  struct epoll_event ev = {};
  ev.events = EPOLLIN;
  ASSERT_THAT(epoll_ctl(ep, EPOLL_CTL_ADD, p.r.get(), &ev), SyscallSucceeds());
  ASSERT_THAT(write(p.w.get(), "x", 1), SyscallSucceeds());
  p.r.reset(-1);
  struct epoll_event out[2];
  EXPECT_THAT(epoll_wait(ep, out, 2, 0), SyscallSucceedsWithValue(0));
}

TEST(EpollTest, NestedAndPollable) {
  int outer = epoll_create1(0), inner = epoll_create1(0);
  ASSERT_GE(outer, 0);
  ASSERT_GE(inner, 0);
  FdCloser oc(outer), ic(inner);
  Pipe p;
  struct epoll_event ev = {};
  ev.events = EPOLLIN;
  ASSERT_THAT(epoll_ctl(inner, EPOLL_CTL_ADD, p.r.get(), &ev), SyscallSucceeds());
  ASSERT_THAT(epoll_ctl(outer, EPOLL_CTL_ADD, inner, &ev), SyscallSucceeds());
  EXPECT_THAT(epoll_ctl(inner, EPOLL_CTL_ADD, outer, &ev), SyscallFailsWithErrno(ELOOP));
  struct epoll_event out[2];
  EXPECT_THAT(epoll_wait(outer, out, 2, 0), SyscallSucceedsWithValue(0));
  ASSERT_THAT(write(p.w.get(), "x", 1), SyscallSucceeds());
  EXPECT_THAT(epoll_wait(outer, out, 2, 0), SyscallSucceedsWithValue(1));
  struct pollfd pf = {inner, POLLIN, 0};
  EXPECT_THAT(poll(&pf, 1, 0), SyscallSucceedsWithValue(1));
}

TEST(EpollTest, Pwait2) {
  int ep = epoll_create1(0);
  ASSERT_GE(ep, 0);
  FdCloser c(ep);
  struct epoll_event out;
  struct timespec ts = {0, 20 * 1000 * 1000};
  EXPECT_THAT(syscall(SYS_epoll_pwait2, ep, &out, 1, &ts, nullptr, 8),
              SyscallSucceedsWithValue(0));
  sigset_t mask;
  sigemptyset(&mask);
  EXPECT_THAT(epoll_pwait(ep, &out, 1, 10, &mask), SyscallSucceedsWithValue(0));
}

// ---------------------------------------------------------------- eventfd

TEST(EventfdTest, Counter) {
  int fd;
  ASSERT_THAT(fd = eventfd(3, EFD_NONBLOCK), SyscallSucceeds());
  FdCloser c(fd);
  uint64_t v = 0;
  ASSERT_THAT(read(fd, &v, sizeof(v)), SyscallSucceedsWithValue(8));
  EXPECT_EQ(v, 3u);
  EXPECT_THAT(read(fd, &v, sizeof(v)), SyscallFailsWithErrno(EAGAIN));
  v = 5;
  ASSERT_THAT(write(fd, &v, sizeof(v)), SyscallSucceedsWithValue(8));
  ASSERT_THAT(write(fd, &v, sizeof(v)), SyscallSucceedsWithValue(8));
  struct pollfd p = {fd, POLLIN | POLLOUT, 0};
  EXPECT_THAT(poll(&p, 1, 0), SyscallSucceedsWithValue(1));
  EXPECT_EQ(p.revents, POLLIN | POLLOUT);
  ASSERT_THAT(read(fd, &v, sizeof(v)), SyscallSucceedsWithValue(8));
  EXPECT_EQ(v, 10u);
  EXPECT_THAT(read(fd, &v, 4), SyscallFailsWithErrno(EINVAL));
  v = ~0ull;
  EXPECT_THAT(write(fd, &v, sizeof(v)), SyscallFailsWithErrno(EINVAL));
  v = ~0ull - 1;
  ASSERT_THAT(write(fd, &v, sizeof(v)), SyscallSucceeds());
  v = 1;
  EXPECT_THAT(write(fd, &v, sizeof(v)), SyscallFailsWithErrno(EAGAIN));
  EXPECT_THAT(eventfd(0, 0x1234), SyscallFailsWithErrno(EINVAL));
  struct stat st;
  ASSERT_THAT(fstat(fd, &st), SyscallSucceeds());
  EXPECT_EQ(st.st_mode & S_IFMT, 0u);
  char link[64] = {};
  ASSERT_THAT(readlink(("/proc/self/fd/" + std::to_string(fd)).c_str(), link,
                       sizeof(link)),
              SyscallSucceeds());
  EXPECT_STREQ(link, "anon_inode:[eventfd]");
}

TEST(EventfdTest, Semaphore) {
  int fd = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
  ASSERT_GE(fd, 0);
  FdCloser c(fd);
  uint64_t v;
  ASSERT_THAT(read(fd, &v, sizeof(v)), SyscallSucceeds());
  EXPECT_EQ(v, 1u);
  ASSERT_THAT(read(fd, &v, sizeof(v)), SyscallSucceeds());
  EXPECT_EQ(v, 1u);
  EXPECT_THAT(read(fd, &v, sizeof(v)), SyscallFailsWithErrno(EAGAIN));
}

TEST(EventfdTest, WakesEpoll) {
  int fd = eventfd(0, 0);
  int ep = epoll_create1(0);
  ASSERT_GE(fd, 0);
  ASSERT_GE(ep, 0);
  FdCloser c(fd), ec(ep);
  struct epoll_event ev = {};
  ev.events = EPOLLIN | EPOLLET;
  ASSERT_THAT(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), SyscallSucceeds());
  uint64_t v = 1;
  ASSERT_THAT(write(fd, &v, sizeof(v)), SyscallSucceeds());
  struct epoll_event out;
  EXPECT_THAT(epoll_wait(ep, &out, 1, 1000), SyscallSucceedsWithValue(1));
}

// ---------------------------------------------------------------- timerfd

TEST(TimerfdTest, OneShotAndPeriodic) {
  int fd;
  ASSERT_THAT(fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC), SyscallSucceeds());
  FdCloser c(fd);
  struct itimerspec its = {};
  its.it_value.tv_nsec = 30 * 1000 * 1000;
  ASSERT_THAT(timerfd_settime(fd, 0, &its, nullptr), SyscallSucceeds());
  struct itimerspec cur;
  ASSERT_THAT(timerfd_gettime(fd, &cur), SyscallSucceeds());
  EXPECT_LE(cur.it_value.tv_nsec, 30 * 1000 * 1000);
  EXPECT_EQ(cur.it_interval.tv_sec, 0);
  auto t0 = std::chrono::steady_clock::now();
  uint64_t n = 0;
  ASSERT_THAT(read(fd, &n, sizeof(n)), SyscallSucceedsWithValue(8));
  EXPECT_EQ(n, 1u);
  EXPECT_GE(Since(t0), 0.02);
  ASSERT_THAT(timerfd_gettime(fd, &cur), SyscallSucceeds());
  EXPECT_EQ(cur.it_value.tv_sec, 0);
  EXPECT_EQ(cur.it_value.tv_nsec, 0);
  // Periodic: expirations accumulate.
  its.it_value.tv_nsec = 10 * 1000 * 1000;
  its.it_interval.tv_nsec = 10 * 1000 * 1000;
  struct itimerspec old;
  const auto t1 = std::chrono::steady_clock::now();
  ASSERT_THAT(timerfd_settime(fd, 0, &its, &old), SyscallSucceeds());
  usleep(55 * 1000);
  ASSERT_THAT(read(fd, &n, sizeof(n)), SyscallSucceeds());
  // No more expirations than 10 ms periods elapsed (the sleep may run long
  // on a busy machine).
  EXPECT_GE(n, 3u);
  EXPECT_LE(n, static_cast<uint64_t>(Since(t1) / 0.010) + 1);
  struct pollfd p = {fd, POLLIN, 0};
  EXPECT_THAT(poll(&p, 1, 1000), SyscallSucceedsWithValue(1));
  // Disarm.
  its = {};
  ASSERT_THAT(timerfd_settime(fd, 0, &its, &old), SyscallSucceeds());
  EXPECT_EQ(old.it_interval.tv_nsec, 10 * 1000 * 1000);
  ASSERT_THAT(fcntl(fd, F_SETFL, O_NONBLOCK), SyscallSucceeds());
  EXPECT_THAT(read(fd, &n, sizeof(n)), SyscallFailsWithErrno(EAGAIN));
}

TEST(TimerfdTest, AbsoluteAndErrors) {
  int fd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
  ASSERT_GE(fd, 0);
  FdCloser c(fd);
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  struct itimerspec its = {};
  its.it_value = now;  // already past
  ASSERT_THAT(timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, nullptr), SyscallSucceeds());
  uint64_t n;
  ASSERT_THAT(read(fd, &n, sizeof(n)), SyscallSucceeds());
  EXPECT_EQ(n, 1u);
  EXPECT_THAT(read(fd, &n, 4), SyscallFailsWithErrno(EINVAL));
  its.it_value.tv_nsec = 1000000000;
  EXPECT_THAT(timerfd_settime(fd, 0, &its, nullptr), SyscallFailsWithErrno(EINVAL));
  its.it_value.tv_nsec = 0;
  EXPECT_THAT(timerfd_settime(fd, 0x100, &its, nullptr), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(timerfd_create(12345, 0), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(timerfd_create(CLOCK_MONOTONIC, 0x1234), SyscallFailsWithErrno(EINVAL));
  Pipe p;
  EXPECT_THAT(timerfd_settime(p.r.get(), 0, &its, nullptr), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(timerfd_gettime(-1, &its), SyscallFailsWithErrno(EBADF));
}

// ---------------------------------------------------------------- memfd

TEST(MemfdTest, CreateWriteMapAndStat) {
  int fd;
  ASSERT_THAT(fd = memfd_create("conformance", MFD_CLOEXEC), SyscallSucceeds());
  FdCloser c(fd);
  std::vector<char> big(100000, 'm');
  ASSERT_THAT(write(fd, big.data(), big.size()), SyscallSucceedsWithValue(100000));
  struct stat st;
  ASSERT_THAT(fstat(fd, &st), SyscallSucceeds());
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_size, 100000);
  EXPECT_EQ(st.st_nlink, 0u);
  ASSERT_THAT(ftruncate(fd, 8192), SyscallSucceeds());
  void* m = mmap(nullptr, 8192, PROT_READ, MAP_PRIVATE, fd, 0);
  ASSERT_NE(m, MAP_FAILED);
  EXPECT_EQ(static_cast<char*>(m)[4000], 'm');
  munmap(m, 8192);
  char link[128] = {};
  ASSERT_THAT(readlink(("/proc/self/fd/" + std::to_string(fd)).c_str(), link,
                       sizeof(link)),
              SyscallSucceeds());
  EXPECT_STREQ(link, "/memfd:conformance (deleted)");
  EXPECT_THAT(memfd_create("x", 0x1000), SyscallFailsWithErrno(EINVAL));
  std::string longname(250, 'n');
  EXPECT_THAT(memfd_create(longname.c_str(), 0), SyscallFailsWithErrno(EINVAL));
}

}  // namespace
