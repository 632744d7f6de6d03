// signalfd(2)/signalfd4(2): pending signals read as signalfd_siginfo
// records.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <thread>

#include <gtest/gtest.h>

#include "syscall_matchers.h"

namespace {

// Restores the thread's mask when a test ends.
class MaskScope {
 public:
  MaskScope() { sigprocmask(SIG_SETMASK, nullptr, &mask_); }
  ~MaskScope() { sigprocmask(SIG_SETMASK, &mask_, nullptr); }

 private:
  sigset_t mask_;
};

sigset_t SetOf(int a, int b = 0) {
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, a);
  if (b) sigaddset(&s, b);
  return s;
}

// Drops whatever is pending in `set`.
void Drain(const sigset_t& set) {
  struct timespec zero = {0, 0};
  while (sigtimedwait(&set, nullptr, &zero) > 0) {
  }
}

TEST(SignalfdTest, ReadsPendingSignals) {
  MaskScope scope;
  const sigset_t set = SetOf(SIGUSR1);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  int fd;
  ASSERT_THAT(fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC), SyscallSucceeds());
  EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
  EXPECT_TRUE(fcntl(fd, F_GETFL) & O_NONBLOCK);
  struct signalfd_siginfo si;
  EXPECT_THAT(read(fd, &si, sizeof(si)), SyscallFailsWithErrno(EAGAIN));

  ASSERT_THAT(raise(SIGUSR1), SyscallSucceeds());
  ASSERT_THAT(read(fd, &si, sizeof(si)), SyscallSucceedsWithValue(sizeof(si)));
  EXPECT_EQ(si.ssi_signo, static_cast<uint32_t>(SIGUSR1));
  EXPECT_EQ(si.ssi_code, SI_TKILL);
  EXPECT_EQ(si.ssi_pid, static_cast<uint32_t>(getpid()));
  EXPECT_EQ(si.ssi_uid, getuid());
  // Read means taken.
  sigset_t pending;
  sigpending(&pending);
  EXPECT_FALSE(sigismember(&pending, SIGUSR1));
  EXPECT_THAT(read(fd, &si, sizeof(si)), SyscallFailsWithErrno(EAGAIN));
  // Too small a buffer.
  char small[64];
  EXPECT_THAT(read(fd, small, sizeof(small)), SyscallFailsWithErrno(EINVAL));
  close(fd);
}

TEST(SignalfdTest, ReadsSeveralQueuedRecordsAtOnce) {
  MaskScope scope;
  const int sig = SIGRTMIN + 6;
  const sigset_t set = SetOf(sig);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  int fd;
  ASSERT_THAT(fd = signalfd(-1, &set, SFD_NONBLOCK), SyscallSucceeds());
  for (int i = 0; i < 3; i++) {
    union sigval v;
    v.sival_int = 10 + i;
    ASSERT_THAT(sigqueue(getpid(), sig, v), SyscallSucceeds());
  }
  struct signalfd_siginfo si[4];
  ASSERT_THAT(read(fd, si, sizeof(si)), SyscallSucceedsWithValue(3 * sizeof(si[0])));
  for (int i = 0; i < 3; i++) {
    EXPECT_EQ(si[i].ssi_signo, static_cast<uint32_t>(sig));
    EXPECT_EQ(si[i].ssi_code, SI_QUEUE);
    EXPECT_EQ(si[i].ssi_int, 10 + i);
  }
  close(fd);
}

TEST(SignalfdTest, OnlySignalsInTheMask) {
  MaskScope scope;
  const sigset_t both = SetOf(SIGUSR1, SIGUSR2);
  sigprocmask(SIG_BLOCK, &both, nullptr);
  const sigset_t usr2 = SetOf(SIGUSR2);
  int fd;
  ASSERT_THAT(fd = signalfd(-1, &usr2, SFD_NONBLOCK), SyscallSucceeds());
  raise(SIGUSR1);
  struct signalfd_siginfo si;
  EXPECT_THAT(read(fd, &si, sizeof(si)), SyscallFailsWithErrno(EAGAIN));
  // A new mask for the same file.
  const sigset_t usr1 = SetOf(SIGUSR1);
  EXPECT_THAT(signalfd(fd, &usr1, 0), SyscallSucceedsWithValue(fd));
  ASSERT_THAT(read(fd, &si, sizeof(si)), SyscallSucceedsWithValue(sizeof(si)));
  EXPECT_EQ(si.ssi_signo, static_cast<uint32_t>(SIGUSR1));
  close(fd);
  Drain(both);
}

TEST(SignalfdTest, BlockingReadWakesForAnotherThreadsSignal) {
  MaskScope scope;
  const sigset_t set = SetOf(SIGUSR2);
  sigprocmask(SIG_BLOCK, &set, nullptr);  // inherited by the thread
  int fd;
  ASSERT_THAT(fd = signalfd(-1, &set, 0), SyscallSucceeds());
  std::thread sender([] {
    usleep(50 * 1000);
    kill(getpid(), SIGUSR2);
  });
  struct signalfd_siginfo si;
  ASSERT_THAT(read(fd, &si, sizeof(si)), SyscallSucceedsWithValue(sizeof(si)));
  EXPECT_EQ(si.ssi_signo, static_cast<uint32_t>(SIGUSR2));
  EXPECT_EQ(si.ssi_code, SI_USER);
  sender.join();
  close(fd);
}

TEST(SignalfdTest, ChildExitRecord) {
  MaskScope scope;
  struct sigaction old;
  sigaction(SIGCHLD, nullptr, &old);
  signal(SIGCHLD, SIG_DFL);
  const sigset_t set = SetOf(SIGCHLD);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  int fd;
  ASSERT_THAT(fd = signalfd(-1, &set, 0), SyscallSucceeds());
  pid_t child = fork();
  if (child == 0) _exit(3);
  struct signalfd_siginfo si;
  ASSERT_THAT(read(fd, &si, sizeof(si)), SyscallSucceedsWithValue(sizeof(si)));
  EXPECT_EQ(si.ssi_signo, static_cast<uint32_t>(SIGCHLD));
  EXPECT_EQ(si.ssi_code, CLD_EXITED);
  EXPECT_EQ(si.ssi_pid, static_cast<uint32_t>(child));
  EXPECT_EQ(si.ssi_status, 3);
  waitpid(child, nullptr, 0);
  close(fd);
  sigaction(SIGCHLD, &old, nullptr);
}

TEST(SignalfdTest, Errors) {
  const sigset_t set = SetOf(SIGUSR1);
  EXPECT_THAT(signalfd(-1, &set, 0x1000), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(syscall(SYS_signalfd4, -1, &set, 4, 0), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(syscall(SYS_signalfd4, -1, 8, 8, 0), SyscallFailsWithErrno(EFAULT));
  int fds[2];
  ASSERT_THAT(pipe(fds), SyscallSucceeds());
  EXPECT_THAT(signalfd(fds[0], &set, 0), SyscallFailsWithErrno(EINVAL));
  close(fds[0]);
  close(fds[1]);
  EXPECT_THAT(signalfd(fds[0], &set, 0), SyscallFailsWithErrno(EBADF));
  // The old signalfd(2) takes no flags.
  int fd;
  ASSERT_THAT(fd = syscall(SYS_signalfd, -1, &set, 8), SyscallSucceeds());
  EXPECT_EQ(fcntl(fd, F_GETFD), 0);
  struct signalfd_siginfo si;
  EXPECT_THAT(write(fd, &si, sizeof(si)), SyscallFailsWithErrno(EINVAL));
  // An anonymous-inode file: lseek succeeds and goes nowhere.
  EXPECT_THAT(lseek(fd, 100, SEEK_SET), SyscallSucceedsWithValue(0));
  close(fd);
}

}  // namespace
