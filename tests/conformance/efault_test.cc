// EFAULT for bad user pointers. Every call goes through syscall(2) so that
// neither glibc nor the vDSO touches the pointer first (which would crash the
// test instead of reaching the kernel).
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>

#include <gtest/gtest.h>

#include "syscall_matchers.h"
#include "test_util.h"

namespace {

// Never mapped: the first page is reserved by vm.mmap_min_addr.
void* const kBad = reinterpret_cast<void*>(1);
// A non-canonical address in the kernel half: never a user address.
void* const kKernel = reinterpret_cast<void*>(0xffff800000000000ull);

TEST(EfaultTest, WriteFromBadBuffer) {
  if (conformance::StdoutDiscardsWrites()) GTEST_SKIP() << "stdout is /dev/null";
  EXPECT_THAT(syscall(SYS_write, STDOUT_FILENO, kBad, 10), SyscallFailsWithErrno(EFAULT));
  EXPECT_THAT(syscall(SYS_write, STDOUT_FILENO, kKernel, 10), SyscallFailsWithErrno(EFAULT));
}

TEST(EfaultTest, ReadIntoBadBuffer) {
  const int fd = open("/etc/passwd", O_RDONLY);
  ASSERT_THAT(fd, SyscallSucceeds());
  EXPECT_THAT(syscall(SYS_read, fd, kBad, 10), SyscallFailsWithErrno(EFAULT));
  EXPECT_THAT(syscall(SYS_read, fd, kKernel, 10), SyscallFailsWithErrno(EFAULT));
  EXPECT_THAT(syscall(SYS_pread64, fd, kBad, 10, 0), SyscallFailsWithErrno(EFAULT));
  // Nothing was consumed by the failed reads.
  EXPECT_THAT(lseek(fd, 0, SEEK_CUR), SyscallSucceedsWithValue(0));
  close(fd);
}

TEST(EfaultTest, WritevBadIovecArray) {
  EXPECT_THAT(syscall(SYS_writev, STDOUT_FILENO, kBad, 1), SyscallFailsWithErrno(EFAULT));
}

TEST(EfaultTest, Uname) {
  EXPECT_THAT(syscall(SYS_uname, kBad), SyscallFailsWithErrno(EFAULT));
  EXPECT_THAT(syscall(SYS_uname, kKernel), SyscallFailsWithErrno(EFAULT));
}

TEST(EfaultTest, ClockGettime) {
  EXPECT_THAT(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, kBad), SyscallFailsWithErrno(EFAULT));
  EXPECT_THAT(syscall(SYS_clock_gettime, CLOCK_REALTIME, kKernel), SyscallFailsWithErrno(EFAULT));
}

TEST(EfaultTest, ClockGetres) {
  EXPECT_THAT(syscall(SYS_clock_getres, CLOCK_MONOTONIC, kBad), SyscallFailsWithErrno(EFAULT));
}

TEST(EfaultTest, Gettimeofday) {
  EXPECT_THAT(syscall(SYS_gettimeofday, kBad, nullptr), SyscallFailsWithErrno(EFAULT));
}

TEST(EfaultTest, Time) {
  EXPECT_THAT(syscall(SYS_time, kBad), SyscallFailsWithErrno(EFAULT));
}

TEST(EfaultTest, Nanosleep) {
  EXPECT_THAT(syscall(SYS_nanosleep, kBad, nullptr), SyscallFailsWithErrno(EFAULT));
}

TEST(EfaultTest, StatBadBuffer) {
  EXPECT_THAT(syscall(SYS_stat, "/", kBad), SyscallFailsWithErrno(EFAULT));
  EXPECT_THAT(syscall(SYS_lstat, "/", kBad), SyscallFailsWithErrno(EFAULT));
  EXPECT_THAT(syscall(SYS_newfstatat, AT_FDCWD, "/", kBad, 0), SyscallFailsWithErrno(EFAULT));
  const int fd = open("/", O_RDONLY | O_DIRECTORY);
  ASSERT_THAT(fd, SyscallSucceeds());
  EXPECT_THAT(syscall(SYS_fstat, fd, kBad), SyscallFailsWithErrno(EFAULT));
  close(fd);
}

TEST(EfaultTest, StatBadPath) {
  struct stat st;
  EXPECT_THAT(syscall(SYS_stat, kBad, &st), SyscallFailsWithErrno(EFAULT));
  EXPECT_THAT(syscall(SYS_newfstatat, AT_FDCWD, kBad, &st, 0), SyscallFailsWithErrno(EFAULT));
}

TEST(EfaultTest, OpenBadPath) {
  EXPECT_THAT(syscall(SYS_openat, AT_FDCWD, kBad, O_RDONLY), SyscallFailsWithErrno(EFAULT));
  EXPECT_THAT(syscall(SYS_open, kKernel, O_RDONLY), SyscallFailsWithErrno(EFAULT));
}

TEST(EfaultTest, AccessBadPath) {
  EXPECT_THAT(syscall(SYS_access, kBad, F_OK), SyscallFailsWithErrno(EFAULT));
}

TEST(EfaultTest, ReadlinkBadPathOrBuffer) {
  char buf[64];
  EXPECT_THAT(syscall(SYS_readlink, kBad, buf, sizeof(buf)), SyscallFailsWithErrno(EFAULT));
  struct stat st;
  if (lstat("/bin", &st) == 0 && S_ISLNK(st.st_mode)) {
    EXPECT_THAT(syscall(SYS_readlink, "/bin", kBad, 64), SyscallFailsWithErrno(EFAULT));
  }
}

TEST(EfaultTest, Getcwd) {
  EXPECT_THAT(syscall(SYS_getcwd, kBad, 4096), SyscallFailsWithErrno(EFAULT));
}

}  // namespace
