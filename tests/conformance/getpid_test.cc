// getpid(2), getppid(2), gettid(2).
#include <sys/syscall.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "syscall_matchers.h"

namespace {

TEST(GetpidTest, PositiveAndMatchesRawSyscall) {
  const pid_t pid = getpid();
  EXPECT_GT(pid, 0);
  EXPECT_THAT(syscall(SYS_getpid), SyscallSucceedsWithValue(pid));
}

TEST(GetpidTest, MainThreadTidEqualsPid) {
  EXPECT_THAT(syscall(SYS_gettid), SyscallSucceedsWithValue(getpid()));
  EXPECT_EQ(gettid(), getpid());
}

TEST(GetpidTest, StableAcrossCalls) {
  const pid_t pid = getpid();
  const long tid = syscall(SYS_gettid);
  const pid_t ppid = getppid();
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(getpid(), pid);
    ASSERT_EQ(syscall(SYS_getpid), pid);
    ASSERT_EQ(syscall(SYS_gettid), tid);
    ASSERT_EQ(getppid(), ppid);
    ASSERT_EQ(syscall(SYS_getppid), ppid);
  }
}

// The parent may be outside our pid namespace (then getppid() is 0, as for
// the first process of a sandbox), but it is never ourselves.
TEST(GetppidTest, NonNegativeAndNotSelf) {
  const pid_t ppid = getppid();
  EXPECT_GE(ppid, 0);
  EXPECT_NE(ppid, getpid());
  EXPECT_THAT(syscall(SYS_getppid), SyscallSucceedsWithValue(ppid));
}

}  // namespace
