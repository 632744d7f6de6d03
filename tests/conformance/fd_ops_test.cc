// File descriptor and file calls not covered by the other file families:
// close_range(2), fcntl(F_DUPFD_CLOEXEC), preadv2/pwritev2, futimesat(2),
// faccessat2(2), /dev/tty without a controlling terminal, and
// name_to_handle_at(2) on a filesystem that exports no handles.
#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "syscall_matchers.h"
#include "temp_dir.h"

namespace {

using conformance::FdCloser;
using conformance::TempDir;

bool IsOpen(int fd) { return fcntl(fd, F_GETFD) >= 0; }
bool IsCloexec(int fd) { return fcntl(fd, F_GETFD) & FD_CLOEXEC; }

// Opens /dev/null at exactly `fd`.
void OpenAt(int fd) {
  int f = open("/dev/null", O_RDONLY);
  ASSERT_GE(f, 0);
  if (f != fd) {
    ASSERT_THAT(dup2(f, fd), SyscallSucceedsWithValue(fd));
    close(f);
  }
}

TEST(CloseRangeTest, ClosesAndMarks) {
  for (int fd = 100; fd <= 105; fd++) OpenAt(fd);
  EXPECT_THAT(syscall(SYS_close_range, 101, 102, 0), SyscallSucceeds());
  EXPECT_TRUE(IsOpen(100));
  EXPECT_FALSE(IsOpen(101));
  EXPECT_FALSE(IsOpen(102));
  EXPECT_TRUE(IsOpen(103));
  // CLOSE_RANGE_CLOEXEC marks instead of closing.
  EXPECT_THAT(syscall(SYS_close_range, 103, 104, CLOSE_RANGE_CLOEXEC), SyscallSucceeds());
  EXPECT_TRUE(IsOpen(103));
  EXPECT_TRUE(IsCloexec(103));
  EXPECT_TRUE(IsCloexec(104));
  EXPECT_FALSE(IsCloexec(105));
  // Up to ~0U: everything from 103 on.
  EXPECT_THAT(syscall(SYS_close_range, 103, ~0U, 0), SyscallSucceeds());
  EXPECT_FALSE(IsOpen(103));
  EXPECT_FALSE(IsOpen(105));
  EXPECT_TRUE(IsOpen(100));
  // A range with nothing open is fine; first > last and unknown flags are not.
  EXPECT_THAT(syscall(SYS_close_range, 500, 600, 0), SyscallSucceeds());
  EXPECT_THAT(syscall(SYS_close_range, 10, 9, 0), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(syscall(SYS_close_range, 100, 100, 0x80), SyscallFailsWithErrno(EINVAL));
  close(100);
}

TEST(CloseRangeTest, UnshareLeavesTheSharedTableAlone) {
  OpenAt(110);
  pid_t child = fork();
  if (child == 0) {
    // A fork has its own table already; CLOSE_RANGE_UNSHARE is accepted.
    if (syscall(SYS_close_range, 110, 110, CLOSE_RANGE_UNSHARE) != 0) _exit(1);
    _exit(fcntl(110, F_GETFD) < 0 && errno == EBADF ? 0 : 2);
  }
  int status;
  ASSERT_THAT(waitpid(child, &status, 0), SyscallSucceedsWithValue(child));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_TRUE(IsOpen(110));
  close(110);
}

// dup and fork share the open file description: its offset and status
// flags, not the per-descriptor close-on-exec flag.
TEST(SharedDescriptionTest, DupAndForkShareOffsetAndFlags) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  int fd;
  ASSERT_THAT(fd = open(dir.Join("f").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644),
              SyscallSucceeds());
  FdCloser c(fd);
  int d;
  ASSERT_THAT(d = dup(fd), SyscallSucceeds());
  FdCloser cd(d);
  EXPECT_TRUE(IsCloexec(fd));
  EXPECT_FALSE(IsCloexec(d));
  ASSERT_THAT(write(fd, "abcdef", 6), SyscallSucceedsWithValue(6));
  EXPECT_EQ(lseek(d, 0, SEEK_CUR), 6);
  ASSERT_THAT(lseek(d, 2, SEEK_SET), SyscallSucceeds());
  EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 2);
  ASSERT_THAT(fcntl(d, F_SETFL, O_APPEND | O_NONBLOCK), SyscallSucceeds());
  EXPECT_EQ(fcntl(fd, F_GETFL) & (O_APPEND | O_NONBLOCK), O_APPEND | O_NONBLOCK);
  ASSERT_THAT(fcntl(d, F_SETFL, 0), SyscallSucceeds());
  // A child's reads move the parent's offset.
  pid_t child = fork();
  if (child == 0) {
    char b[2];
    _exit(read(fd, b, 2) == 2 ? 0 : 1);
  }
  int status;
  ASSERT_THAT(waitpid(child, &status, 0), SyscallSucceedsWithValue(child));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 4);
  // A second open(2) is a description of its own.
  int other;
  ASSERT_THAT(other = open(dir.Join("f").c_str(), O_RDONLY), SyscallSucceeds());
  FdCloser co(other);
  EXPECT_EQ(lseek(other, 0, SEEK_CUR), 0);
}

// The lowest free descriptor, and RLIMIT_NOFILE bounds the table (EMFILE).
TEST(FdTableTest, LowestFreeAndNofileLimit) {
  pid_t child = fork();
  if (child == 0) {
    struct rlimit rl = {20, 20};
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) _exit(1);
    if (close_range(3, ~0U, 0) != 0) _exit(2);
    int fds[17];
    for (int i = 0; i < 17; i++) {
      fds[i] = open("/dev/null", O_RDONLY);
      if (fds[i] != 3 + i) _exit(3);
    }
    if (open("/dev/null", O_RDONLY) != -1 || errno != EMFILE) _exit(4);
    if (dup(0) != -1 || errno != EMFILE) _exit(5);
    if (dup2(0, 20) != -1 || errno != EBADF) _exit(6);
    if (fcntl(0, F_DUPFD, 20) != -1 || errno != EINVAL) _exit(7);
    close(fds[5]);
    close(fds[2]);
    if (open("/dev/null", O_RDONLY) != fds[2]) _exit(8);
    if (dup(0) != fds[5]) _exit(9);
    _exit(0);
  }
  int status;
  ASSERT_THAT(waitpid(child, &status, 0), SyscallSucceedsWithValue(child));
  EXPECT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(DupfdTest, CloexecLowestAtOrAbove) {
  OpenAt(120);
  OpenAt(121);
  int fd;
  ASSERT_THAT(fd = fcntl(120, F_DUPFD_CLOEXEC, 120), SyscallSucceeds());
  EXPECT_EQ(fd, 122);
  EXPECT_TRUE(IsCloexec(fd));
  EXPECT_FALSE(IsCloexec(120));
  int plain;
  ASSERT_THAT(plain = fcntl(120, F_DUPFD, 121), SyscallSucceeds());
  EXPECT_EQ(plain, 123);
  EXPECT_FALSE(IsCloexec(plain));
  struct rlimit rl;
  ASSERT_THAT(getrlimit(RLIMIT_NOFILE, &rl), SyscallSucceeds());
  EXPECT_THAT(fcntl(120, F_DUPFD_CLOEXEC, rl.rlim_cur), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(fcntl(9999, F_DUPFD_CLOEXEC, 0), SyscallFailsWithErrno(EBADF));
  for (int f : {120, 121, 122, 123}) close(f);
}

TEST(Preadv2Test, OffsetsAndFlags) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  int fd;
  ASSERT_THAT(fd = open(dir.Join("f").c_str(), O_RDWR | O_CREAT, 0644), SyscallSucceeds());
  FdCloser c(fd);
  char a[] = "hello", b[] = " world";
  struct iovec w[2] = {{a, 5}, {b, 6}};
  // Offset -1: at (and advancing) the file offset.
  EXPECT_THAT(syscall(SYS_pwritev2, fd, w, 2, -1L, 0L, 0), SyscallSucceedsWithValue(11));
  EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 11);
  // An explicit offset leaves the file offset alone.
  char x[] = "HE";
  struct iovec wx = {x, 2};
  EXPECT_THAT(syscall(SYS_pwritev2, fd, &wx, 1, 0L, 0L, 0), SyscallSucceedsWithValue(2));
  EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 11);
  char r1[3] = {}, r2[20] = {};
  struct iovec rv[2] = {{r1, 3}, {r2, sizeof(r2)}};
  EXPECT_THAT(syscall(SYS_preadv2, fd, rv, 2, 0L, 0L, 0), SyscallSucceedsWithValue(11));
  EXPECT_EQ(std::string(r1, 3), "HEl");
  EXPECT_EQ(std::string(r2, 8), "lo world");
  EXPECT_THAT(syscall(SYS_preadv2, fd, rv, 2, -1L, 0L, 0), SyscallSucceedsWithValue(0));
  // RWF_HIPRI/RWF_DSYNC/RWF_SYNC are accepted; unknown bits are not.
  EXPECT_THAT(syscall(SYS_pwritev2, fd, &wx, 1, 0L, 0L, RWF_DSYNC), SyscallSucceedsWithValue(2));
  EXPECT_THAT(syscall(SYS_preadv2, fd, rv, 2, 0L, 0L, 0x40000000), SyscallFailsWithErrno(EOPNOTSUPP));
  // Offsets below -1 are invalid.
  EXPECT_THAT(syscall(SYS_preadv2, fd, rv, 2, -2L, 0L, 0), SyscallFailsWithErrno(EINVAL));
}

// readv/writev over many iovecs (the sandbox copies them in one host call)
// and with a faulting iovec in the middle: the bytes before it count, the
// file offset moves by them only.
TEST(VectoredIoTest, ManyIovecsAndPartialFaults) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  int fd;
  ASSERT_THAT(fd = open(dir.Join("f").c_str(), O_RDWR | O_CREAT, 0644), SyscallSucceeds());
  FdCloser c(fd);
  // 1024 iovecs of 3 bytes each (UIO_MAXIOV), some empty ones among them.
  std::string data;
  for (int i = 0; i < 1024; i++) data += std::to_string(100 + i % 900);
  std::vector<struct iovec> w(1024);
  for (int i = 0; i < 1024; i++) {
    w[i] = {&data[3 * i], static_cast<size_t>(i % 7 == 3 ? 0 : 3)};
  }
  size_t total = 0;
  for (auto& v : w) total += v.iov_len;
  EXPECT_THAT(writev(fd, w.data(), 1024), SyscallSucceedsWithValue(total));
  std::vector<struct iovec> too_many(1025, {&data[0], 1});
  EXPECT_THAT(writev(fd, too_many.data(), 1025), SyscallFailsWithErrno(EINVAL));
  std::string back(total, '\0');
  std::vector<struct iovec> r(1024);
  size_t off = 0;
  for (int i = 0; i < 1024; i++) {
    size_t len = i % 5 == 0 ? 0 : std::min<size_t>(4, total - off);
    r[i] = {&back[off], len};
    off += len;
  }
  ASSERT_THAT(lseek(fd, 0, SEEK_SET), SyscallSucceeds());
  EXPECT_THAT(readv(fd, r.data(), 1024), SyscallSucceedsWithValue(off));
  std::string expect;
  for (auto& v : w) expect.append(static_cast<char*>(v.iov_base), v.iov_len);
  EXPECT_EQ(back.substr(0, off), expect.substr(0, off));

  // A bad iovec after a good one.
  char* bad = reinterpret_cast<char*>(8);
  char a[4], b[4];
  struct iovec rv[3] = {{a, 4}, {bad, 4}, {b, 4}};
  ASSERT_THAT(lseek(fd, 0, SEEK_SET), SyscallSucceeds());
  EXPECT_THAT(readv(fd, rv, 3), SyscallSucceedsWithValue(4));
  EXPECT_EQ(std::string(a, 4), expect.substr(0, 4));
  EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 4);
  struct iovec wv[3] = {{const_cast<char*>("WXYZ"), 4}, {bad, 4}, {b, 4}};
  ASSERT_THAT(lseek(fd, 0, SEEK_SET), SyscallSucceeds());
  EXPECT_THAT(writev(fd, wv, 3), SyscallSucceedsWithValue(4));
  EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 4);
  // Bad from the start: EFAULT and nothing moves.
  struct iovec all_bad[2] = {{bad, 4}, {a, 4}};
  EXPECT_THAT(readv(fd, all_bad, 2), SyscallFailsWithErrno(EFAULT));
  EXPECT_THAT(writev(fd, all_bad, 2), SyscallFailsWithErrno(EFAULT));
  EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 4);
}

TEST(FutimesatTest, SetsTimes) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  int d;
  ASSERT_THAT(d = open(dir.path().c_str(), O_RDONLY | O_DIRECTORY), SyscallSucceeds());
  FdCloser c(d);
  int f = open(dir.Join("f").c_str(), O_WRONLY | O_CREAT, 0644);
  ASSERT_GE(f, 0);
  close(f);
  struct timeval tv[2] = {{1000000000, 500000}, {1200000000, 250000}};
  EXPECT_THAT(syscall(SYS_futimesat, d, "f", tv), SyscallSucceeds());
  struct stat st;
  ASSERT_THAT(stat(dir.Join("f").c_str(), &st), SyscallSucceeds());
  EXPECT_EQ(st.st_atim.tv_sec, 1000000000);
  EXPECT_EQ(st.st_atim.tv_nsec, 500000000);
  EXPECT_EQ(st.st_mtim.tv_sec, 1200000000);
  EXPECT_EQ(st.st_mtim.tv_nsec, 250000000);
  // Microseconds out of range.
  struct timeval bad[2] = {{0, 1000000}, {0, 0}};
  EXPECT_THAT(syscall(SYS_futimesat, d, "f", bad), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(syscall(SYS_futimesat, d, "missing", tv), SyscallFailsWithErrno(ENOENT));
  // NULL: now.
  EXPECT_THAT(syscall(SYS_futimesat, d, "f", nullptr), SyscallSucceeds());
  ASSERT_THAT(stat(dir.Join("f").c_str(), &st), SyscallSucceeds());
  EXPECT_GT(st.st_mtim.tv_sec, 1200000000);
}

TEST(Faccessat2Test, FlagsAndModes) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  std::string f = dir.Join("f");
  int fd = open(f.c_str(), O_WRONLY | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  close(fd);
  ASSERT_THAT(symlink("missing", dir.Join("dangling").c_str()), SyscallSucceeds());
  EXPECT_THAT(syscall(SYS_faccessat2, AT_FDCWD, f.c_str(), R_OK | W_OK, AT_EACCESS),
              SyscallSucceeds());
  EXPECT_THAT(syscall(SYS_faccessat2, AT_FDCWD, dir.Join("dangling").c_str(), F_OK, 0),
              SyscallFailsWithErrno(ENOENT));
  EXPECT_THAT(syscall(SYS_faccessat2, AT_FDCWD, dir.Join("dangling").c_str(), F_OK,
                      AT_SYMLINK_NOFOLLOW),
              SyscallSucceeds());
  // AT_EMPTY_PATH on an fd.
  int d = open(dir.path().c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(d, 0);
  FdCloser c(d);
  EXPECT_THAT(syscall(SYS_faccessat2, d, "", F_OK, AT_EMPTY_PATH), SyscallSucceeds());
  EXPECT_THAT(syscall(SYS_faccessat2, d, "", F_OK, 0), SyscallFailsWithErrno(ENOENT));
  // Unknown flags and modes.
  EXPECT_THAT(syscall(SYS_faccessat2, AT_FDCWD, f.c_str(), F_OK, 0x1), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(syscall(SYS_faccessat2, AT_FDCWD, f.c_str(), 8, 0), SyscallFailsWithErrno(EINVAL));
}

// A process without a controlling terminal (a new session) cannot open
// /dev/tty.
TEST(DevTtyTest, NoControllingTerminalIsEnxio) {
  pid_t child = fork();
  if (child == 0) {
    if (setsid() < 0) _exit(1);
    int fd = open("/dev/tty", O_RDWR);
    _exit(fd < 0 && errno == ENXIO ? 0 : 2);
  }
  int status;
  ASSERT_THAT(waitpid(child, &status, 0), SyscallSucceedsWithValue(child));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

// procfs exports no file handles, natively as in the sandbox (where no
// filesystem does).
TEST(FileHandleTest, ProcfsIsEopnotsupp) {
  struct {
    struct file_handle fh;
    unsigned char data[128];
  } h;
  h.fh.handle_bytes = sizeof(h.data);
  int mount_id;
  EXPECT_THAT(syscall(SYS_name_to_handle_at, AT_FDCWD, "/proc/self/status", &h.fh,
                      &mount_id, 0),
              SyscallFailsWithErrno(EOPNOTSUPP));
}

}  // namespace
