// Processes: fork, vfork, clone, execve, exit, wait4/waitid, process
// groups and sessions, credentials. Written against the man pages; every
// case passes natively first.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <gtest/gtest.h>

#include "syscall_matchers.h"

namespace {

using conformance::SyscallFailsWithErrno;
using conformance::SyscallSucceeds;
using conformance::SyscallSucceedsWithValue;

// Runs `fn` in a forked child and returns the child's wait status.
template <typename F>
int InChild(F fn) {
  pid_t pid = fork();
  if (pid == 0) {
    _exit(fn());
  }
  int status = 0;
  EXPECT_THAT(waitpid(pid, &status, 0), SyscallSucceedsWithValue(pid));
  return status;
}

TEST(ForkTest, ChildGetsZeroAndOwnPid) {
  const pid_t parent = getpid();
  int status = InChild([&] {
    if (getppid() != parent) return 1;
    if (getpid() == parent) return 2;
    return 0;
  });
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(ForkTest, MemoryIsCopiedNotShared) {
  static volatile int value = 1;
  int status = InChild([&] {
    value = 2;
    return value;
  });
  EXPECT_EQ(WEXITSTATUS(status), 2);
  EXPECT_EQ(value, 1);
}

TEST(ForkTest, ForkExecWaitLoop) {
  for (int i = 0; i < 20; i++) {
    pid_t pid = fork();
    ASSERT_THAT(pid, SyscallSucceeds());
    if (pid == 0) {
      execl("/bin/true", "true", nullptr);
      _exit(127);
    }
    int status;
    ASSERT_THAT(waitpid(pid, &status, 0), SyscallSucceedsWithValue(pid));
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0);
  }
}

TEST(VforkTest, ParentWaitsForExit) {
  static volatile int shared = 0;
  pid_t pid = vfork();
  if (pid == 0) {
    shared = 42;  // vfork shares memory until exec or _exit
    _exit(3);
  }
  ASSERT_THAT(pid, SyscallSucceeds());
  EXPECT_EQ(shared, 42);
  int status;
  ASSERT_THAT(waitpid(pid, &status, 0), SyscallSucceedsWithValue(pid));
  EXPECT_EQ(WEXITSTATUS(status), 3);
}

TEST(WaitTest, NoChildrenIsEchild) {
  EXPECT_THAT(waitpid(-1, nullptr, WNOHANG), SyscallFailsWithErrno(ECHILD));
  EXPECT_THAT(waitpid(-1, nullptr, 0), SyscallFailsWithErrno(ECHILD));
}

TEST(WaitTest, WnohangReturnsZeroWhileRunning) {
  int fds[2];
  ASSERT_THAT(pipe(fds), SyscallSucceeds());
  pid_t pid = fork();
  if (pid == 0) {
    char c;
    close(fds[1]);
    (void)!read(fds[0], &c, 1);  // until the parent closes its end
    _exit(0);
  }
  close(fds[0]);
  EXPECT_THAT(waitpid(pid, nullptr, WNOHANG), SyscallSucceedsWithValue(0));
  close(fds[1]);
  int status;
  EXPECT_THAT(waitpid(pid, &status, 0), SyscallSucceedsWithValue(pid));
}

TEST(WaitTest, BadOptionsAreEinval) {
  EXPECT_THAT(waitpid(-1, nullptr, 0x1000000), SyscallFailsWithErrno(EINVAL));
  siginfo_t si;
  EXPECT_THAT(waitid(P_ALL, 0, &si, 0), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(waitid(static_cast<idtype_t>(42), 0, &si, WEXITED),
              SyscallFailsWithErrno(EINVAL));
}

TEST(WaitTest, KilledChildReportsSignal) {
  pid_t pid = fork();
  if (pid == 0) {
    raise(SIGKILL);
    _exit(0);
  }
  int status;
  ASSERT_THAT(waitpid(pid, &status, 0), SyscallSucceedsWithValue(pid));
  EXPECT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
}

TEST(WaitTest, WaitidFillsSiginfoAndWnowaitKeepsZombie) {
  pid_t pid = fork();
  if (pid == 0) _exit(9);
  siginfo_t si = {};
  ASSERT_THAT(waitid(P_PID, pid, &si, WEXITED | WNOWAIT), SyscallSucceeds());
  EXPECT_EQ(si.si_pid, pid);
  EXPECT_EQ(si.si_signo, SIGCHLD);
  EXPECT_EQ(si.si_code, CLD_EXITED);
  EXPECT_EQ(si.si_status, 9);
  // Still there for a real wait.
  int status;
  EXPECT_THAT(waitpid(pid, &status, 0), SyscallSucceedsWithValue(pid));
  EXPECT_EQ(WEXITSTATUS(status), 9);
}

TEST(WaitTest, StoppedAndContinuedChildrenAreReported) {
  pid_t pid = fork();
  if (pid == 0) {
    raise(SIGSTOP);
    _exit(5);
  }
  int status;
  ASSERT_THAT(waitpid(pid, &status, WUNTRACED), SyscallSucceedsWithValue(pid));
  EXPECT_TRUE(WIFSTOPPED(status));
  EXPECT_EQ(WSTOPSIG(status), SIGSTOP);
  ASSERT_THAT(kill(pid, SIGCONT), SyscallSucceeds());
  ASSERT_THAT(waitpid(pid, &status, WCONTINUED), SyscallSucceedsWithValue(pid));
  EXPECT_TRUE(WIFCONTINUED(status) || WIFEXITED(status));
  if (WIFCONTINUED(status)) {
    ASSERT_THAT(waitpid(pid, &status, 0), SyscallSucceedsWithValue(pid));
  }
  EXPECT_EQ(WEXITSTATUS(status), 5);
}

TEST(ExecTest, MissingFileIsEnoent) {
  char* const argv[] = {const_cast<char*>("x"), nullptr};
  EXPECT_THAT(execv("/nonexistent/binary", argv), SyscallFailsWithErrno(ENOENT));
  EXPECT_THAT(execv("/", argv), SyscallFailsWithErrno(EACCES));
  EXPECT_THAT(syscall(SYS_execve, reinterpret_cast<void*>(1), argv, nullptr),
              SyscallFailsWithErrno(EFAULT));
}

TEST(ExecTest, ArgvAndExitStatusPassThrough) {
  int status = InChild([] {
    execl("/bin/sh", "sh", "-c", "exit $(( $# + 40 ))", "sh", "a", "b", nullptr);
    return 127;
  });
  EXPECT_EQ(WEXITSTATUS(status), 42);
}

TEST(ExecTest, CloseOnExecFilesAreClosed) {
  int fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
  ASSERT_THAT(fd, SyscallSucceeds());
  int keep = open("/etc/passwd", O_RDONLY);
  ASSERT_THAT(keep, SyscallSucceeds());
  // The shell's own redirection tells: `: <&N` fails for a closed fd.
  char script[160];
  snprintf(script, sizeof(script),
           "(: <&%d) 2>&- && exit 1; (: <&%d) || exit 2; exit 0", fd, keep);
  int status = InChild([&] {
    execl("/bin/sh", "sh", "-c", script, nullptr);
    return 127;
  });
  EXPECT_EQ(WEXITSTATUS(status), 0);
  close(fd);
  close(keep);
}

TEST(CloneTest, InvalidFlagCombinations) {
  // CLONE_THREAD needs CLONE_SIGHAND, which needs CLONE_VM.
  EXPECT_THAT(syscall(SYS_clone, CLONE_THREAD, 0, 0, 0, 0),
              SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(syscall(SYS_clone, CLONE_SIGHAND, 0, 0, 0, 0),
              SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(syscall(SYS_clone, CLONE_NEWNS | CLONE_FS, 0, 0, 0, 0),
              SyscallFailsWithErrno(EINVAL));
}

TEST(ProcessGroupTest, SetpgidAndSetsid) {
  int status = InChild([] {
    const pid_t me = getpid();
    if (setpgid(0, 0) != 0) return 1;
    if (getpgrp() != me || getpgid(0) != me) return 2;
    // A group leader cannot start a session.
    if (setsid() != -1 || errno != EPERM) return 3;
    return 0;
  });
  EXPECT_EQ(WEXITSTATUS(status), 0);
  status = InChild([] {
    const pid_t me = getpid();
    if (setsid() != me) return 1;
    if (getsid(0) != me || getpgrp() != me) return 2;
    // A session leader cannot change its group.
    if (setpgid(0, 0) != -1 || errno != EPERM) return 3;
    return 0;
  });
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_THAT(getpgid(-1), SyscallFailsWithErrno(ESRCH));
  EXPECT_THAT(setpgid(0, -1), SyscallFailsWithErrno(EINVAL));
}

TEST(OrphanTest, ChildOfExitedParentIsReparented) {
  int fds[2];
  ASSERT_THAT(pipe(fds), SyscallSucceeds());
  pid_t mid = fork();
  if (mid == 0) {
    pid_t grandchild = fork();
    if (grandchild == 0) {
      // Wait until the middle process is gone, then report our parent.
      usleep(100000);
      pid_t pp = getppid();
      (void)!write(fds[1], &pp, sizeof(pp));
      _exit(0);
    }
    _exit(0);
  }
  close(fds[1]);
  int status;
  ASSERT_THAT(waitpid(mid, &status, 0), SyscallSucceedsWithValue(mid));
  pid_t pp = 0;
  ASSERT_THAT(read(fds[0], &pp, sizeof(pp)), SyscallSucceedsWithValue(sizeof(pp)));
  // Re-parented away from the dead middle process (to init or a
  // subreaper).
  EXPECT_NE(pp, mid);
  close(fds[0]);
}

TEST(CredentialsTest, UidFamilyIsConsistent) {
  uid_t r, e, s;
  ASSERT_THAT(getresuid(&r, &e, &s), SyscallSucceeds());
  EXPECT_EQ(r, getuid());
  EXPECT_EQ(e, geteuid());
  gid_t gr, ge, gs;
  ASSERT_THAT(getresgid(&gr, &ge, &gs), SyscallSucceeds());
  EXPECT_EQ(gr, getgid());
  EXPECT_EQ(ge, getegid());
  EXPECT_THAT(getgroups(-1, nullptr), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(setuid(static_cast<uid_t>(-1)), SyscallFailsWithErrno(EINVAL));
}

TEST(CredentialsTest, RootDropsToNobodyAndCannotComeBack) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  int status = InChild([] {
    if (setgid(65534) != 0) return 1;
    if (setuid(65534) != 0) return 2;
    if (getuid() != 65534 || geteuid() != 65534) return 3;
    if (setuid(0) != -1 || errno != EPERM) return 4;
    return 0;
  });
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(PrctlTest, NameAndPdeathsig) {
  ASSERT_THAT(prctl(PR_SET_NAME, "conformance-x"), SyscallSucceeds());
  char name[16] = {};
  ASSERT_THAT(prctl(PR_GET_NAME, name), SyscallSucceeds());
  EXPECT_STREQ(name, "conformance-x");
  ASSERT_THAT(prctl(PR_SET_PDEATHSIG, SIGUSR1), SyscallSucceeds());
  int sig = 0;
  ASSERT_THAT(prctl(PR_GET_PDEATHSIG, &sig), SyscallSucceeds());
  EXPECT_EQ(sig, SIGUSR1);
  ASSERT_THAT(prctl(PR_SET_PDEATHSIG, 0), SyscallSucceeds());
  EXPECT_THAT(prctl(PR_SET_PDEATHSIG, 1000), SyscallFailsWithErrno(EINVAL));
}

TEST(RusageTest, ChildrenTimesAccumulate) {
  int status = InChild([] {
    volatile unsigned long x = 0;
    for (unsigned long i = 0; i < 50000000; i++) x += i;
    return 0;
  });
  EXPECT_EQ(WEXITSTATUS(status), 0);
  struct rusage ru;
  ASSERT_THAT(getrusage(RUSAGE_CHILDREN, &ru), SyscallSucceeds());
  EXPECT_GT(ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec, 0);
  EXPECT_THAT(getrusage(42, &ru), SyscallFailsWithErrno(EINVAL));
}

}  // namespace
