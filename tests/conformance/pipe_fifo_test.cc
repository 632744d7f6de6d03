// Pipes and FIFOs: pipe2(2) flags, capacity and F_GETPIPE_SZ/F_SETPIPE_SZ,
// PIPE_BUF atomicity, O_NONBLOCK, EOF and EPIPE, FIONREAD; and moving data
// between files: splice(2), tee(2), sendfile(2), copy_file_range(2); and
// between processes (fork): blocking reads, large transfers, SIGPIPE, FIFO
// opens that wait for the other side, reopening through /proc/self/fd.
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "syscall_matchers.h"
#include "temp_dir.h"

namespace {

using conformance::FdCloser;
using conformance::ReadFile;
using conformance::TempDir;
using conformance::WriteFile;

struct Pipe {
  explicit Pipe(int flags = 0) {
    int p[2];
    if (pipe2(p, flags) == 0) {
      r.reset(p[0]);
      w.reset(p[1]);
    }
  }
  FdCloser r, w;
};

std::string ReadN(int fd, size_t n) {
  std::string s(n, '\0');
  ssize_t r = read(fd, s.data(), n);
  return r < 0 ? "<error>" : s.substr(0, r);
}

// ---------------------------------------------------------------- pipes

TEST(PipeTest, FlagsAndStat) {
  Pipe p(O_CLOEXEC | O_NONBLOCK);
  ASSERT_GE(p.r.get(), 0);
  EXPECT_THAT(fcntl(p.r.get(), F_GETFD), SyscallSucceedsWithValue(FD_CLOEXEC));
  EXPECT_THAT(fcntl(p.r.get(), F_GETFL),
              SyscallSucceedsWithValue(O_RDONLY | O_NONBLOCK));
  EXPECT_THAT(fcntl(p.w.get(), F_GETFL),
              SyscallSucceedsWithValue(O_WRONLY | O_NONBLOCK));
  struct stat a, b;
  ASSERT_THAT(fstat(p.r.get(), &a), SyscallSucceeds());
  ASSERT_THAT(fstat(p.w.get(), &b), SyscallSucceeds());
  EXPECT_TRUE(S_ISFIFO(a.st_mode));
  EXPECT_EQ(a.st_ino, b.st_ino);
  int fds[2];
  EXPECT_THAT(pipe2(fds, O_RDWR), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(syscall(SYS_pipe2, reinterpret_cast<int*>(8), 0),
              SyscallFailsWithErrno(EFAULT));
  EXPECT_THAT(lseek(p.r.get(), 0, SEEK_CUR), SyscallFailsWithErrno(ESPIPE));
  char c;
  EXPECT_THAT(pread(p.r.get(), &c, 1, 0), SyscallFailsWithErrno(ESPIPE));
  EXPECT_THAT(write(p.r.get(), "x", 1), SyscallFailsWithErrno(EBADF));
  EXPECT_THAT(read(p.w.get(), &c, 1), SyscallFailsWithErrno(EBADF));
}

TEST(PipeTest, CapacityAndNonblock) {
  Pipe p(O_NONBLOCK);
  int cap;
  ASSERT_THAT(cap = fcntl(p.w.get(), F_GETPIPE_SZ), SyscallSucceeds());
  EXPECT_EQ(cap, 65536);
  std::vector<char> big(cap + 4096, 'b');
  EXPECT_THAT(write(p.w.get(), big.data(), big.size()),
              SyscallSucceedsWithValue(cap));
  EXPECT_THAT(write(p.w.get(), "x", 1), SyscallFailsWithErrno(EAGAIN));
  int n = 0;
  ASSERT_THAT(ioctl(p.r.get(), FIONREAD, &n), SyscallSucceeds());
  EXPECT_EQ(n, cap);
  // Space comes back a page at a time: a partly read page still holds its
  // slot.
  std::vector<char> buf(PIPE_BUF);
  ASSERT_THAT(read(p.r.get(), buf.data(), 100), SyscallSucceedsWithValue(100));
  EXPECT_THAT(write(p.w.get(), big.data(), PIPE_BUF), SyscallFailsWithErrno(EAGAIN));
  EXPECT_THAT(write(p.w.get(), big.data(), 1), SyscallFailsWithErrno(EAGAIN));
  ASSERT_THAT(read(p.r.get(), buf.data(), PIPE_BUF - 100),
              SyscallSucceedsWithValue(PIPE_BUF - 100));
  EXPECT_THAT(write(p.w.get(), big.data(), 100), SyscallSucceedsWithValue(100));
  // Small writes join the last page while they fit.
  EXPECT_THAT(write(p.w.get(), big.data(), 200), SyscallSucceedsWithValue(200));
  EXPECT_THAT(write(p.w.get(), big.data(), PIPE_BUF), SyscallFailsWithErrno(EAGAIN));
  Pipe empty(O_NONBLOCK);
  EXPECT_THAT(read(empty.r.get(), buf.data(), 1), SyscallFailsWithErrno(EAGAIN));
}

TEST(PipeTest, SetPipeSize) {
  Pipe p(O_NONBLOCK);
  EXPECT_THAT(fcntl(p.w.get(), F_SETPIPE_SZ, 5000), SyscallSucceedsWithValue(8192));
  EXPECT_THAT(fcntl(p.r.get(), F_GETPIPE_SZ), SyscallSucceedsWithValue(8192));
  std::vector<char> big(20000, 'z');
  EXPECT_THAT(write(p.w.get(), big.data(), big.size()), SyscallSucceedsWithValue(8192));
  // Cannot shrink below what is buffered.
  EXPECT_THAT(fcntl(p.w.get(), F_SETPIPE_SZ, 4096), SyscallFailsWithErrno(EBUSY));
  EXPECT_THAT(fcntl(p.w.get(), F_SETPIPE_SZ, 1 << 20),
              SyscallSucceedsWithValue(1 << 20));
  EXPECT_EQ(ReadN(p.r.get(), 8192), std::string(8192, 'z'));
  EXPECT_THAT(fcntl(p.w.get(), F_SETPIPE_SZ, 1), SyscallSucceedsWithValue(4096));
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  int f = open(dir.Join("f").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(f, 0);
  FdCloser fc(f);
  EXPECT_THAT(fcntl(f, F_GETPIPE_SZ), SyscallFailsWithErrno(EBADF));
  EXPECT_THAT(fcntl(f, F_SETPIPE_SZ, 4096), SyscallFailsWithErrno(EBADF));
}

TEST(PipeTest, EofAndEpipe) {
  Pipe p;
  ASSERT_THAT(write(p.w.get(), "tail", 4), SyscallSucceeds());
  p.w.reset(-1);
  EXPECT_EQ(ReadN(p.r.get(), 16), "tail");
  char c;
  EXPECT_THAT(read(p.r.get(), &c, 1), SyscallSucceedsWithValue(0));
  Pipe q;
  q.r.reset(-1);
  // With SIGPIPE ignored the write only fails.
  struct sigaction old, ign = {};
  ign.sa_handler = SIG_IGN;
  ASSERT_THAT(sigaction(SIGPIPE, &ign, &old), SyscallSucceeds());
  EXPECT_THAT(write(q.w.get(), "x", 1), SyscallFailsWithErrno(EPIPE));
  EXPECT_THAT(write(q.w.get(), "", 0), SyscallSucceedsWithValue(0));
  sigaction(SIGPIPE, &old, nullptr);
}

TEST(PipeTest, OrderAndPartialReads) {
  Pipe p;
  ASSERT_THAT(write(p.w.get(), "abc", 3), SyscallSucceeds());
  ASSERT_THAT(write(p.w.get(), "defg", 4), SyscallSucceeds());
  EXPECT_EQ(ReadN(p.r.get(), 2), "ab");
  EXPECT_EQ(ReadN(p.r.get(), 100), "cdefg");
  struct iovec iov[2];
  char a[2], b[3];
  ASSERT_THAT(write(p.w.get(), "12345", 5), SyscallSucceeds());
  iov[0] = {a, 2};
  iov[1] = {b, 3};
  EXPECT_THAT(readv(p.r.get(), iov, 2), SyscallSucceedsWithValue(5));
  EXPECT_EQ(std::string(a, 2) + std::string(b, 3), "12345");
}

// ---------------------------------------------------------------- splice & co

// pipe2(O_DIRECT): packet mode. Each write is a packet; a read returns
// one packet and drops what did not fit; packets never merge with
// byte-stream writes.
TEST(PipeTest, PacketMode) {
  int p[2];
  ASSERT_THAT(pipe2(p, O_DIRECT | O_NONBLOCK), SyscallSucceeds());
  FdCloser c0(p[0]), c1(p[1]);
  EXPECT_TRUE(fcntl(p[1], F_GETFL) & O_DIRECT);
  ASSERT_THAT(write(p[1], "abc", 3), SyscallSucceedsWithValue(3));
  ASSERT_THAT(write(p[1], "defgh", 5), SyscallSucceedsWithValue(5));
  int avail = 0;
  ASSERT_THAT(ioctl(p[0], FIONREAD, &avail), SyscallSucceeds());
  EXPECT_EQ(avail, 8);
  char buf[64] = {};
  EXPECT_THAT(read(p[0], buf, sizeof(buf)), SyscallSucceedsWithValue(3));
  EXPECT_EQ(std::string(buf, 3), "abc");
  EXPECT_THAT(read(p[0], buf, sizeof(buf)), SyscallSucceedsWithValue(5));
  EXPECT_EQ(std::string(buf, 5), "defgh");
  // A short read drops the rest of the packet.
  ASSERT_THAT(write(p[1], "123456", 6), SyscallSucceedsWithValue(6));
  ASSERT_THAT(write(p[1], "xy", 2), SyscallSucceedsWithValue(2));
  EXPECT_THAT(read(p[0], buf, 2), SyscallSucceedsWithValue(2));
  EXPECT_EQ(std::string(buf, 2), "12");
  ASSERT_THAT(ioctl(p[0], FIONREAD, &avail), SyscallSucceeds());
  EXPECT_EQ(avail, 2);
  EXPECT_THAT(read(p[0], buf, sizeof(buf)), SyscallSucceedsWithValue(2));
  EXPECT_EQ(std::string(buf, 2), "xy");
  EXPECT_THAT(read(p[0], buf, sizeof(buf)), SyscallFailsWithErrno(EAGAIN));
  // Turning packet mode off: byte-stream writes do not merge into a packet
  // but do merge with each other.
  ASSERT_THAT(write(p[1], "P", 1), SyscallSucceedsWithValue(1));
  ASSERT_THAT(fcntl(p[1], F_SETFL, O_NONBLOCK), SyscallSucceeds());
  ASSERT_THAT(write(p[1], "s1", 2), SyscallSucceedsWithValue(2));
  ASSERT_THAT(write(p[1], "s2", 2), SyscallSucceedsWithValue(2));
  EXPECT_THAT(read(p[0], buf, sizeof(buf)), SyscallSucceedsWithValue(1));
  EXPECT_THAT(read(p[0], buf, sizeof(buf)), SyscallSucceedsWithValue(4));
  EXPECT_EQ(std::string(buf, 4), "s1s2");
  // A large packet-mode write becomes page-sized packets.
  ASSERT_THAT(fcntl(p[1], F_SETFL, O_NONBLOCK | O_DIRECT), SyscallSucceeds());
  std::string big(3 * 4096 / 2, 'b');
  ASSERT_THAT(write(p[1], big.data(), big.size()), SyscallSucceedsWithValue(big.size()));
  std::vector<char> rb(8192);
  EXPECT_THAT(read(p[0], rb.data(), rb.size()), SyscallSucceedsWithValue(4096));
  EXPECT_THAT(read(p[0], rb.data(), rb.size()), SyscallSucceedsWithValue(2048));
}

TEST(SpliceTest, FileToPipeToFile) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  ASSERT_TRUE(WriteFile(dir.Join("in"), "0123456789"));
  int in = open(dir.Join("in").c_str(), O_RDONLY);
  int out = open(dir.Join("out").c_str(), O_WRONLY | O_CREAT, 0644);
  ASSERT_GE(in, 0);
  ASSERT_GE(out, 0);
  FdCloser ic(in), oc(out);
  Pipe p;
  loff_t off = 2;
  EXPECT_THAT(splice(in, &off, p.w.get(), nullptr, 5, 0), SyscallSucceedsWithValue(5));
  EXPECT_EQ(off, 7);
  // The file offset did not move.
  EXPECT_THAT(lseek(in, 0, SEEK_CUR), SyscallSucceedsWithValue(0));
  EXPECT_THAT(splice(in, nullptr, p.w.get(), nullptr, 3, 0), SyscallSucceedsWithValue(3));
  EXPECT_THAT(lseek(in, 0, SEEK_CUR), SyscallSucceedsWithValue(3));
  EXPECT_THAT(splice(p.r.get(), nullptr, out, nullptr, 100, 0),
              SyscallSucceedsWithValue(8));
  EXPECT_EQ(ReadFile(dir.Join("out")), "23456012");
  // Errors.
  EXPECT_THAT(splice(in, nullptr, out, nullptr, 1, 0), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(splice(p.r.get(), &off, out, nullptr, 1, 0), SyscallFailsWithErrno(ESPIPE));
  EXPECT_THAT(splice(-1, nullptr, p.w.get(), nullptr, 1, 0), SyscallFailsWithErrno(EBADF));
  EXPECT_THAT(splice(in, nullptr, p.w.get(), nullptr, 1, 0x100),
              SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(splice(p.r.get(), nullptr, out, nullptr, 1, SPLICE_F_NONBLOCK),
              SyscallFailsWithErrno(EAGAIN));
}

TEST(SpliceTest, PipeToPipeAndTee) {
  Pipe a, b, c;
  ASSERT_THAT(write(a.w.get(), "hello", 5), SyscallSucceeds());
  EXPECT_THAT(tee(a.r.get(), b.w.get(), 100, 0), SyscallSucceedsWithValue(5));
  // tee does not consume.
  EXPECT_THAT(splice(a.r.get(), nullptr, c.w.get(), nullptr, 3, 0),
              SyscallSucceedsWithValue(3));
  EXPECT_EQ(ReadN(a.r.get(), 10), "lo");
  EXPECT_EQ(ReadN(b.r.get(), 10), "hello");
  EXPECT_EQ(ReadN(c.r.get(), 10), "hel");
  EXPECT_THAT(tee(a.r.get(), a.w.get(), 1, 0), SyscallFailsWithErrno(EINVAL));
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  int f = open(dir.Join("f").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(f, 0);
  FdCloser fc(f);
  EXPECT_THAT(tee(a.r.get(), f, 1, 0), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(tee(a.r.get(), b.w.get(), 1, SPLICE_F_NONBLOCK),
              SyscallFailsWithErrno(EAGAIN));
}

TEST(SendfileTest, FileToPipeAndFile) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  std::string data(100000, 'q');
  data[12345] = 'X';
  ASSERT_TRUE(WriteFile(dir.Join("in"), data));
  int in = open(dir.Join("in").c_str(), O_RDONLY);
  int out = open(dir.Join("out").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(in, 0);
  ASSERT_GE(out, 0);
  FdCloser ic(in), oc(out);
  off_t off = 0;
  EXPECT_THAT(sendfile(out, in, &off, data.size()),
              SyscallSucceedsWithValue(static_cast<ssize_t>(data.size())));
  EXPECT_EQ(off, static_cast<off_t>(data.size()));
  EXPECT_THAT(lseek(in, 0, SEEK_CUR), SyscallSucceedsWithValue(0));
  EXPECT_EQ(ReadFile(dir.Join("out")), data);
  // Without an offset the input's offset moves.
  Pipe p;
  EXPECT_THAT(sendfile(p.w.get(), in, nullptr, 10), SyscallSucceedsWithValue(10));
  EXPECT_THAT(lseek(in, 0, SEEK_CUR), SyscallSucceedsWithValue(10));
  EXPECT_EQ(ReadN(p.r.get(), 20), data.substr(0, 10));
  EXPECT_THAT(sendfile(out, -1, nullptr, 1), SyscallFailsWithErrno(EBADF));
  EXPECT_THAT(sendfile(in, out, nullptr, 1), SyscallFailsWithErrno(EBADF));
  int app = open(dir.Join("app").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  ASSERT_GE(app, 0);
  FdCloser ac(app);
  EXPECT_THAT(sendfile(app, in, nullptr, 1), SyscallFailsWithErrno(EINVAL));
}

TEST(CopyFileRangeTest, Basics) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  ASSERT_TRUE(WriteFile(dir.Join("in"), "abcdefghij"));
  int in = open(dir.Join("in").c_str(), O_RDONLY);
  int out = open(dir.Join("out").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(in, 0);
  ASSERT_GE(out, 0);
  FdCloser ic(in), oc(out);
  loff_t ioff = 3, ooff = 1;
  EXPECT_THAT(copy_file_range(in, &ioff, out, &ooff, 4, 0), SyscallSucceedsWithValue(4));
  EXPECT_EQ(ioff, 7);
  EXPECT_EQ(ooff, 5);
  EXPECT_EQ(ReadFile(dir.Join("out")), std::string("\0defg", 5));
  EXPECT_THAT(copy_file_range(in, nullptr, out, nullptr, 100, 0),
              SyscallSucceedsWithValue(10));
  EXPECT_THAT(lseek(in, 0, SEEK_CUR), SyscallSucceedsWithValue(10));
  EXPECT_THAT(lseek(out, 0, SEEK_CUR), SyscallSucceedsWithValue(10));
  EXPECT_EQ(ReadFile(dir.Join("out")), "abcdefghij");
  EXPECT_THAT(copy_file_range(in, nullptr, out, nullptr, 1, 1),
              SyscallFailsWithErrno(EINVAL));
  Pipe p;
  EXPECT_THAT(copy_file_range(p.r.get(), nullptr, out, nullptr, 1, 0),
              SyscallFailsWithErrno(EINVAL));
  int dfd = open(dir.path().c_str(), O_RDONLY);
  ASSERT_GE(dfd, 0);
  FdCloser dc(dfd);
  EXPECT_THAT(copy_file_range(dfd, nullptr, out, nullptr, 1, 0),
              SyscallFailsWithErrno(EISDIR));
  EXPECT_THAT(copy_file_range(out, nullptr, in, nullptr, 1, 0),
              SyscallFailsWithErrno(EBADF));
  // Overlapping ranges of one file.
  loff_t a = 0, b = 2;
  EXPECT_THAT(copy_file_range(out, &a, out, &b, 4, 0), SyscallFailsWithErrno(EINVAL));
}

}  // namespace

// ---------------------------------------------------------------- processes

namespace {

// Runs `child` in a forked process; returns its wait status.
template <typename F>
int InChild(F child) {
  pid_t pid = fork();
  if (pid == 0) {
    child();
    _exit(0);
  }
  int status = -1;
  waitpid(pid, &status, 0);
  return status;
}

}  // namespace

TEST(PipeProcessTest, BlockingReadWokenByAnotherProcess) {
  Pipe p;
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    usleep(50 * 1000);
    ssize_t r = write(p.w.get(), "late", 4);
    _exit(r == 4 ? 0 : 1);
  }
  p.w.reset(-1);
  EXPECT_EQ(ReadN(p.r.get(), 16), "late");
  char c;
  EXPECT_THAT(read(p.r.get(), &c, 1), SyscallSucceedsWithValue(0));
  int status;
  ASSERT_THAT(waitpid(pid, &status, 0), SyscallSucceedsWithValue(pid));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(PipeProcessTest, LargeTransferAndSigpipe) {
  Pipe p;
  const size_t total = 3 * 65536 + 123;
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::vector<char> data(total, 'd');
    ssize_t r = write(p.w.get(), data.data(), data.size());
    _exit(r == static_cast<ssize_t>(total) ? 0 : 1);
  }
  p.w.reset(-1);
  size_t got = 0;
  char buf[5000];
  ssize_t n;
  while ((n = read(p.r.get(), buf, sizeof(buf))) > 0) got += n;
  EXPECT_EQ(got, total);
  int status;
  ASSERT_THAT(waitpid(pid, &status, 0), SyscallSucceedsWithValue(pid));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  // A writer without readers dies of SIGPIPE by default.
  Pipe q;
  q.r.reset(-1);
  int st = InChild([&] {
    signal(SIGPIPE, SIG_DFL);
    (void)!write(q.w.get(), "x", 1);
  });
  EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE) << st;
}

TEST(PipeProcessTest, FifoOpensWaitForTheOtherSide) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  std::string path = dir.Join("fifo");
  ASSERT_THAT(mkfifo(path.c_str(), 0600), SyscallSucceeds());
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    usleep(50 * 1000);
    int w = open(path.c_str(), O_WRONLY);
    if (w < 0) _exit(1);
    ssize_t r = write(w, "fifo!", 5);
    _exit(r == 5 ? 0 : 2);
  }
  int r;
  ASSERT_THAT(r = open(path.c_str(), O_RDONLY), SyscallSucceeds());
  FdCloser rc(r);
  EXPECT_EQ(ReadN(r, 16), "fifo!");
  int status;
  ASSERT_THAT(waitpid(pid, &status, 0), SyscallSucceedsWithValue(pid));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(PipeProcessTest, ReopenThroughProcFd) {
  // bash's <(...) : the reader opens /dev/fd/N of a pipe whose writer may
  // already be gone; that never waits.
  Pipe p;
  ASSERT_THAT(write(p.w.get(), "sub", 3), SyscallSucceeds());
  p.w.reset(-1);
  int r = open(("/dev/fd/" + std::to_string(p.r.get())).c_str(), O_RDONLY);
  ASSERT_GE(r, 0) << conformance::ErrnoName(errno);
  FdCloser rc(r);
  EXPECT_EQ(ReadN(r, 8), "sub");
}
