// File locks within one process: flock(2) between open file descriptions,
// fcntl(2) open-file-description locks (F_OFD_*), and how they meet
// traditional record locks (F_SETLK/F_GETLK): ownership, conflicts,
// splitting on unlock, release on close, and the error cases; then between
// processes (fork): conflicts, F_SETLKW and flock waiting, EDEADLK.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include <gtest/gtest.h>

#include "syscall_matchers.h"
#include "temp_dir.h"

namespace {

using conformance::FdCloser;
using conformance::TempDir;

struct flock Range(short type, off_t start, off_t len, short whence = SEEK_SET) {
  struct flock fl;
  memset(&fl, 0, sizeof(fl));
  fl.l_type = type;
  fl.l_whence = whence;
  fl.l_start = start;
  fl.l_len = len;
  return fl;
}

class LockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    path_ = dir_.Join("f");
    ASSERT_TRUE(conformance::WriteFile(path_, std::string(100, 'x')));
  }
  int Open(int flags = O_RDWR) { return open(path_.c_str(), flags); }
  TempDir dir_;
  std::string path_;
};

TEST_F(LockTest, FlockBetweenDescriptions) {
  FdCloser a(Open()), b(Open());
  ASSERT_GE(a.get(), 0);
  ASSERT_GE(b.get(), 0);
  ASSERT_THAT(flock(a.get(), LOCK_EX), SyscallSucceeds());
  EXPECT_THAT(flock(b.get(), LOCK_EX | LOCK_NB), SyscallFailsWithErrno(EWOULDBLOCK));
  EXPECT_THAT(flock(b.get(), LOCK_SH | LOCK_NB), SyscallFailsWithErrno(EWOULDBLOCK));
  // A dup shares the description, and so the lock.
  int d = dup(a.get());
  ASSERT_GE(d, 0);
  EXPECT_THAT(flock(d, LOCK_EX | LOCK_NB), SyscallSucceeds());
  // Downgrade: shared locks coexist.
  ASSERT_THAT(flock(a.get(), LOCK_SH), SyscallSucceeds());
  EXPECT_THAT(flock(b.get(), LOCK_SH | LOCK_NB), SyscallSucceeds());
  EXPECT_THAT(flock(a.get(), LOCK_EX | LOCK_NB), SyscallFailsWithErrno(EWOULDBLOCK));
  ASSERT_THAT(flock(b.get(), LOCK_UN), SyscallSucceeds());
  EXPECT_THAT(flock(a.get(), LOCK_EX | LOCK_NB), SyscallSucceeds());
  // The lock goes with the last fd of the description.
  close(d);
  EXPECT_THAT(flock(b.get(), LOCK_EX | LOCK_NB), SyscallFailsWithErrno(EWOULDBLOCK));
  a.reset(-1);
  EXPECT_THAT(flock(b.get(), LOCK_EX | LOCK_NB), SyscallSucceeds());
}

TEST_F(LockTest, FlockErrors) {
  FdCloser a(Open(O_RDONLY));
  ASSERT_GE(a.get(), 0);
  EXPECT_THAT(flock(a.get(), 0), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(flock(a.get(), LOCK_SH | LOCK_EX), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(flock(-1, LOCK_SH), SyscallFailsWithErrno(EBADF));
  // flock does not care about the access mode.
  EXPECT_THAT(flock(a.get(), LOCK_EX), SyscallSucceeds());
  int p = open(dir_.path().c_str(), O_PATH);
  ASSERT_GE(p, 0);
  EXPECT_THAT(flock(p, LOCK_SH), SyscallFailsWithErrno(EBADF));
  close(p);
}

TEST_F(LockTest, OfdLocksConflict) {
  FdCloser a(Open()), b(Open());
  struct flock fl = Range(F_WRLCK, 0, 10);
  ASSERT_THAT(fcntl(a.get(), F_OFD_SETLK, &fl), SyscallSucceeds());
  fl = Range(F_WRLCK, 5, 10);
  EXPECT_THAT(fcntl(b.get(), F_OFD_SETLK, &fl), SyscallFailsWithErrno(EAGAIN));
  fl = Range(F_RDLCK, 10, 5);
  EXPECT_THAT(fcntl(b.get(), F_OFD_SETLK, &fl), SyscallSucceeds());
  // F_OFD_GETLK describes the conflicting lock.
  fl = Range(F_WRLCK, 0, 0);
  ASSERT_THAT(fcntl(b.get(), F_OFD_GETLK, &fl), SyscallSucceeds());
  EXPECT_EQ(fl.l_type, F_WRLCK);
  EXPECT_EQ(fl.l_start, 0);
  EXPECT_EQ(fl.l_len, 10);
  EXPECT_EQ(fl.l_pid, -1);
  // No conflict: F_UNLCK, the rest untouched.
  fl = Range(F_RDLCK, 50, 10);
  ASSERT_THAT(fcntl(b.get(), F_OFD_GETLK, &fl), SyscallSucceeds());
  EXPECT_EQ(fl.l_type, F_UNLCK);
  // Read locks share.
  fl = Range(F_RDLCK, 10, 5);
  EXPECT_THAT(fcntl(a.get(), F_OFD_SETLK, &fl), SyscallSucceeds());
  // Closing the description releases its locks.
  a.reset(-1);
  fl = Range(F_WRLCK, 0, 10);
  EXPECT_THAT(fcntl(b.get(), F_OFD_SETLK, &fl), SyscallSucceeds());
}

TEST_F(LockTest, UnlockSplitsRanges) {
  FdCloser a(Open()), b(Open());
  struct flock fl = Range(F_WRLCK, 0, 100);
  ASSERT_THAT(fcntl(a.get(), F_OFD_SETLK, &fl), SyscallSucceeds());
  fl = Range(F_UNLCK, 40, 20);
  ASSERT_THAT(fcntl(a.get(), F_OFD_SETLK, &fl), SyscallSucceeds());
  fl = Range(F_WRLCK, 45, 10);
  EXPECT_THAT(fcntl(b.get(), F_OFD_SETLK, &fl), SyscallSucceeds());
  fl = Range(F_WRLCK, 30, 15);
  ASSERT_THAT(fcntl(b.get(), F_OFD_GETLK, &fl), SyscallSucceeds());
  EXPECT_EQ(fl.l_type, F_WRLCK);
  EXPECT_EQ(fl.l_start, 0);
  EXPECT_EQ(fl.l_len, 40);
  fl = Range(F_WRLCK, 90, 0);
  ASSERT_THAT(fcntl(b.get(), F_OFD_GETLK, &fl), SyscallSucceeds());
  EXPECT_EQ(fl.l_start, 60);
  EXPECT_EQ(fl.l_len, 40);
}

TEST_F(LockTest, TraditionalLocksBelongToTheProcess) {
  FdCloser a(Open()), b(Open()), c(Open());
  struct flock fl = Range(F_WRLCK, 0, 10);
  ASSERT_THAT(fcntl(a.get(), F_SETLK, &fl), SyscallSucceeds());
  // The same process never conflicts with itself...
  fl = Range(F_WRLCK, 0, 10);
  EXPECT_THAT(fcntl(b.get(), F_SETLK, &fl), SyscallSucceeds());
  fl = Range(F_WRLCK, 0, 10);
  ASSERT_THAT(fcntl(b.get(), F_GETLK, &fl), SyscallSucceeds());
  EXPECT_EQ(fl.l_type, F_UNLCK);
  // ...but its locks do conflict with OFD locks, which report its pid.
  fl = Range(F_RDLCK, 5, 1);
  EXPECT_THAT(fcntl(c.get(), F_OFD_SETLK, &fl), SyscallFailsWithErrno(EAGAIN));
  fl = Range(F_RDLCK, 5, 1);
  ASSERT_THAT(fcntl(c.get(), F_OFD_GETLK, &fl), SyscallSucceeds());
  EXPECT_EQ(fl.l_type, F_WRLCK);
  EXPECT_EQ(fl.l_pid, getpid());
  // Closing any fd of the file drops the process's locks on it.
  int other = Open(O_RDONLY);
  ASSERT_GE(other, 0);
  close(other);
  fl = Range(F_WRLCK, 0, 10);
  EXPECT_THAT(fcntl(c.get(), F_OFD_SETLK, &fl), SyscallSucceeds());
}

TEST_F(LockTest, WhenceAndErrors) {
  FdCloser a(Open()), ro(Open(O_RDONLY)), wo(Open(O_WRONLY)), b(Open());
  ASSERT_THAT(lseek(a.get(), 20, SEEK_SET), SyscallSucceeds());
  struct flock fl = Range(F_WRLCK, 5, 5, SEEK_CUR);
  ASSERT_THAT(fcntl(a.get(), F_OFD_SETLK, &fl), SyscallSucceeds());
  fl = Range(F_WRLCK, -75, 1, SEEK_END);  // byte 25
  ASSERT_THAT(fcntl(b.get(), F_OFD_GETLK, &fl), SyscallSucceeds());
  EXPECT_EQ(fl.l_type, F_WRLCK);
  EXPECT_EQ(fl.l_start, 25);
  EXPECT_EQ(fl.l_len, 5);
  // A negative length locks the bytes before l_start.
  fl = Range(F_WRLCK, 50, -10);
  ASSERT_THAT(fcntl(a.get(), F_OFD_SETLK, &fl), SyscallSucceeds());
  fl = Range(F_WRLCK, 40, 1);
  ASSERT_THAT(fcntl(b.get(), F_OFD_GETLK, &fl), SyscallSucceeds());
  EXPECT_EQ(fl.l_start, 40);
  EXPECT_EQ(fl.l_len, 10);
  fl = Range(F_WRLCK, 0, 1);
  EXPECT_THAT(fcntl(ro.get(), F_SETLK, &fl), SyscallFailsWithErrno(EBADF));
  fl = Range(F_RDLCK, 0, 1);
  EXPECT_THAT(fcntl(wo.get(), F_SETLK, &fl), SyscallFailsWithErrno(EBADF));
  fl = Range(42, 0, 1);
  EXPECT_THAT(fcntl(a.get(), F_SETLK, &fl), SyscallFailsWithErrno(EINVAL));
  fl = Range(F_RDLCK, 0, 1, 7);
  EXPECT_THAT(fcntl(a.get(), F_SETLK, &fl), SyscallFailsWithErrno(EINVAL));
  fl = Range(F_RDLCK, -1, 1);
  EXPECT_THAT(fcntl(a.get(), F_SETLK, &fl), SyscallFailsWithErrno(EINVAL));
  fl = Range(F_RDLCK, 5, -10);
  EXPECT_THAT(fcntl(a.get(), F_SETLK, &fl), SyscallFailsWithErrno(EINVAL));
  fl = Range(F_RDLCK, 0, 1);
  fl.l_pid = 1;
  EXPECT_THAT(fcntl(a.get(), F_OFD_SETLK, &fl), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(fcntl(a.get(), F_SETLK, nullptr), SyscallFailsWithErrno(EFAULT));
}

// ---------------------------------------------------------------- processes

int WaitChild(pid_t pid) {
  int status = -1;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

TEST_F(LockTest, ProcessesConflictAndWait) {
  FdCloser a(Open());
  struct flock fl = Range(F_WRLCK, 0, 10);
  ASSERT_THAT(fcntl(a.get(), F_SETLK, &fl), SyscallSucceeds());
  int sync[2];
  ASSERT_THAT(pipe(sync), SyscallSucceeds());
  const pid_t parent = getpid();
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    int fd = Open();
    struct flock c = Range(F_WRLCK, 5, 1);
    if (fcntl(fd, F_SETLK, &c) == 0 || errno != EAGAIN) _exit(1);
    c = Range(F_RDLCK, 5, 1);
    if (fcntl(fd, F_GETLK, &c) != 0 || c.l_type != F_WRLCK || c.l_pid != parent) {
      _exit(2);
    }
    if (write(sync[1], "r", 1) != 1) _exit(3);
    c = Range(F_WRLCK, 5, 1);
    if (fcntl(fd, F_SETLKW, &c) != 0) _exit(4);
    _exit(0);
  }
  char ch;
  ASSERT_THAT(read(sync[0], &ch, 1), SyscallSucceedsWithValue(1));
  usleep(50 * 1000);
  fl = Range(F_UNLCK, 0, 0);
  ASSERT_THAT(fcntl(a.get(), F_SETLK, &fl), SyscallSucceeds());
  EXPECT_EQ(WaitChild(pid), 0);
  close(sync[0]);
  close(sync[1]);
}

TEST_F(LockTest, Deadlock) {
  FdCloser a(Open());
  struct flock fl = Range(F_WRLCK, 0, 1);
  ASSERT_THAT(fcntl(a.get(), F_SETLK, &fl), SyscallSucceeds());
  int sync[2];
  ASSERT_THAT(pipe(sync), SyscallSucceeds());
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    int fd = Open();
    struct flock c = Range(F_WRLCK, 1, 1);
    if (fcntl(fd, F_SETLK, &c) != 0) _exit(1);
    if (write(sync[1], "r", 1) != 1) _exit(2);
    usleep(100 * 1000);  // the parent is now waiting for our byte 1
    c = Range(F_WRLCK, 0, 1);
    int r = fcntl(fd, F_SETLKW, &c);
    _exit(r == -1 && errno == EDEADLK ? 0 : 3);
  }
  char ch;
  ASSERT_THAT(read(sync[0], &ch, 1), SyscallSucceedsWithValue(1));
  fl = Range(F_WRLCK, 1, 1);
  // Waits until the child exits (its locks go with it).
  EXPECT_THAT(fcntl(a.get(), F_SETLKW, &fl), SyscallSucceeds());
  EXPECT_EQ(WaitChild(pid), 0);
  close(sync[0]);
  close(sync[1]);
}

TEST_F(LockTest, FlockWaitsForAnotherProcess) {
  FdCloser a(Open());
  ASSERT_THAT(flock(a.get(), LOCK_EX), SyscallSucceeds());
  int sync[2];
  ASSERT_THAT(pipe(sync), SyscallSucceeds());
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    int fd = Open();
    if (flock(fd, LOCK_EX | LOCK_NB) == 0 || errno != EWOULDBLOCK) _exit(1);
    if (write(sync[1], "r", 1) != 1) _exit(2);
    if (flock(fd, LOCK_EX) != 0) _exit(3);
    _exit(0);
  }
  char ch;
  ASSERT_THAT(read(sync[0], &ch, 1), SyscallSucceedsWithValue(1));
  usleep(50 * 1000);
  ASSERT_THAT(flock(a.get(), LOCK_UN), SyscallSucceeds());
  EXPECT_EQ(WaitChild(pid), 0);
  close(sync[0]);
  close(sync[1]);
}

}  // namespace
