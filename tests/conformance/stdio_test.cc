// write(2), read(2), writev(2) on the inherited standard output and on bad
// descriptors. No pipes: the sandbox's first milestone may not have them.
#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include <gtest/gtest.h>

#include "syscall_matchers.h"

namespace {

// A descriptor number that was valid a moment ago and is now closed.
int ClosedFd() {
  const int fd = dup(STDOUT_FILENO);
  if (fd < 0) return INT_MAX;  // dup unsupported: fall back to an absurd number
  close(fd);
  return fd;
}

class StdioTest : public ::testing::Test {
 protected:
  // Keep GoogleTest's buffered output ahead of our raw writes.
  void SetUp() override { fflush(stdout); }
};

TEST_F(StdioTest, WriteToStdoutReturnsByteCount) {
  static const char kMsg[] = "stdio_test: hello from write(1)\n";
  EXPECT_THAT(write(STDOUT_FILENO, kMsg, sizeof(kMsg) - 1),
              SyscallSucceedsWithValue(sizeof(kMsg) - 1));
}

TEST_F(StdioTest, RawSyscallWriteToStdoutReturnsByteCount) {
  static const char kMsg[] = "stdio_test: hello from syscall(SYS_write)\n";
  EXPECT_THAT(syscall(SYS_write, STDOUT_FILENO, kMsg, sizeof(kMsg) - 1),
              SyscallSucceedsWithValue(sizeof(kMsg) - 1));
}

TEST_F(StdioTest, WriteZeroBytesReturnsZero) {
  static const char kMsg[] = "x";
  EXPECT_THAT(write(STDOUT_FILENO, kMsg, 0), SyscallSucceedsWithValue(0));
  // A zero-length write never touches the buffer, so NULL is fine.
  EXPECT_THAT(syscall(SYS_write, STDOUT_FILENO, nullptr, 0), SyscallSucceedsWithValue(0));
}

TEST_F(StdioTest, WriteBadFd) {
  char c = 'x';
  EXPECT_THAT(write(-1, &c, 1), SyscallFailsWithErrno(EBADF));
  EXPECT_THAT(write(INT_MAX, &c, 1), SyscallFailsWithErrno(EBADF));
  EXPECT_THAT(write(ClosedFd(), &c, 1), SyscallFailsWithErrno(EBADF));
  // EBADF wins over a zero count.
  EXPECT_THAT(write(-1, &c, 0), SyscallFailsWithErrno(EBADF));
}

TEST_F(StdioTest, ReadBadFd) {
  char c;
  EXPECT_THAT(read(-1, &c, 1), SyscallFailsWithErrno(EBADF));
  EXPECT_THAT(read(INT_MAX, &c, 1), SyscallFailsWithErrno(EBADF));
  EXPECT_THAT(read(ClosedFd(), &c, 1), SyscallFailsWithErrno(EBADF));
}

TEST_F(StdioTest, WritevToStdout) {
  char a[] = "stdio_test: ";
  char b[] = "hello ";
  char c[] = "from writev\n";
  struct iovec iov[3] = {
      {a, strlen(a)},
      {b, strlen(b)},
      {c, strlen(c)},
  };
  const size_t total = strlen(a) + strlen(b) + strlen(c);
  EXPECT_THAT(writev(STDOUT_FILENO, iov, 3), SyscallSucceedsWithValue(total));
}

TEST_F(StdioTest, WritevSkipsEmptySegments) {
  char a[] = "stdio_test: writev ";
  char b[] = "with empty segments\n";
  struct iovec iov[4] = {
      {nullptr, 0},
      {a, strlen(a)},
      {nullptr, 0},
      {b, strlen(b)},
  };
  EXPECT_THAT(writev(STDOUT_FILENO, iov, 4), SyscallSucceedsWithValue(strlen(a) + strlen(b)));
}

TEST_F(StdioTest, WritevZeroSegments) {
  struct iovec iov = {nullptr, 0};
  EXPECT_THAT(writev(STDOUT_FILENO, &iov, 0), SyscallSucceedsWithValue(0));
}

TEST_F(StdioTest, WritevBadSegmentCount) {
  char a[] = "never written\n";
  struct iovec iov = {a, strlen(a)};
  EXPECT_THAT(syscall(SYS_writev, STDOUT_FILENO, &iov, -1), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(syscall(SYS_writev, STDOUT_FILENO, &iov, IOV_MAX + 1),
              SyscallFailsWithErrno(EINVAL));
}

TEST_F(StdioTest, WritevNegativeSegmentLength) {
  char a[] = "never written\n";
  struct iovec iov = {a, SIZE_MAX};  // as ssize_t this is -1
  EXPECT_THAT(syscall(SYS_writev, STDOUT_FILENO, &iov, 1), SyscallFailsWithErrno(EINVAL));
}

TEST_F(StdioTest, WritevBadFd) {
  char a[] = "x";
  struct iovec iov = {a, 1};
  EXPECT_THAT(writev(-1, &iov, 1), SyscallFailsWithErrno(EBADF));
  EXPECT_THAT(writev(ClosedFd(), &iov, 1), SyscallFailsWithErrno(EBADF));
}

TEST_F(StdioTest, StdoutIsOpenForWriting) {
  const int flags = fcntl(STDOUT_FILENO, F_GETFL);
  ASSERT_THAT(flags, SyscallSucceeds());
  const int mode = flags & O_ACCMODE;
  EXPECT_TRUE(mode == O_WRONLY || mode == O_RDWR) << "flags=" << flags;
}

}  // namespace
