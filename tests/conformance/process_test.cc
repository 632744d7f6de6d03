// Processes: fork, vfork, clone, execve, exit, wait4/waitid, process
// groups and sessions, credentials. Written against the man pages; every
// case passes natively first.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/personality.h>
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

// ---------------------------------------------------------------------------
// waitid by process group and by pidfd; subreapers; exec and dispositions;
// more prctl; capabilities; personality; scheduling.

TEST(WaitTest, WaitidByProcessGroupAndPidfd) {
  // Child A in its own process group, child B in ours.
  pid_t a = fork();
  if (a == 0) {
    setpgid(0, 0);
    _exit(3);
  }
  setpgid(a, a);  // both sides, so the group exists whoever runs first
  pid_t b = fork();
  if (b == 0) {
    usleep(50 * 1000);
    _exit(4);
  }
  siginfo_t si = {};
  ASSERT_THAT(waitid(P_PGID, a, &si, WEXITED), SyscallSucceeds());
  EXPECT_EQ(si.si_pid, a);
  EXPECT_EQ(si.si_status, 3);
  // No other member of that group.
  EXPECT_THAT(waitid(P_PGID, a, &si, WEXITED | WNOHANG), SyscallFailsWithErrno(ECHILD));

  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, b, 0));
  ASSERT_THAT(pidfd, SyscallSucceeds());
  memset(&si, 0, sizeof(si));
  ASSERT_THAT(waitid(static_cast<idtype_t>(3 /* P_PIDFD */), pidfd, &si, WEXITED), SyscallSucceeds());
  EXPECT_EQ(si.si_pid, b);
  EXPECT_EQ(si.si_code, CLD_EXITED);
  EXPECT_EQ(si.si_status, 4);
  close(pidfd);
  EXPECT_THAT(waitid(static_cast<idtype_t>(3 /* P_PIDFD */), 1000000, &si, WEXITED),
              SyscallFailsWithErrno(EBADF));
}

TEST(SubreaperTest, OrphansGoToTheNearestSubreaper) {
  // This process becomes a subreaper in a child (so the test process is
  // left alone); its grandchild, orphaned, must be re-parented to it.
  int status = InChild([] {
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) return 10;
    int v = 0;
    if (prctl(PR_GET_CHILD_SUBREAPER, &v) != 0 || v != 1) return 11;
    const pid_t me = getpid();
    int fds[2];
    if (pipe(fds) != 0) return 12;
    pid_t mid = fork();
    if (mid == 0) {
      pid_t leaf = fork();
      if (leaf == 0) {
        // Wait for the middle process to die, then report the new parent.
        close(fds[0]);
        while (getppid() != me) usleep(1000);
        const pid_t pp = getppid();
        (void)!write(fds[1], &pp, sizeof(pp));
        _exit(0);
      }
      _exit(0);
    }
    close(fds[1]);
    int st;
    if (waitpid(mid, &st, 0) != mid) return 13;
    pid_t got = 0;
    if (read(fds[0], &got, sizeof(got)) != sizeof(got)) return 14;
    if (got != me) return 15;
    // The orphan is our child now: we reap it.
    pid_t reaped = wait(&st);
    return reaped > 0 ? 0 : 16;
  });
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

void NopHandler(int) {}

TEST(ExecTest, HandledSignalsResetIgnoredStayIgnored) {
  int status = InChild([] {
    struct sigaction sa = {};
    sa.sa_handler = NopHandler;
    sigaction(SIGUSR1, &sa, nullptr);
    signal(SIGUSR2, SIG_IGN);
    // After exec: SIGUSR1 back to default (kill terminates), SIGUSR2
    // still ignored (kill does nothing).
    execl("/bin/sh", "sh", "-c",
          "kill -USR2 $$; kill -USR1 $$; exit 5", nullptr);
    return 127;
  });
  ASSERT_TRUE(WIFSIGNALED(status)) << "status " << status;
  EXPECT_EQ(WTERMSIG(status), SIGUSR1);
}

TEST(PrctlTest, DumpableAndNoNewPrivs) {
  int status = InChild([] {
    if (prctl(PR_GET_DUMPABLE) != 1) return 1;
    if (prctl(PR_SET_DUMPABLE, 0) != 0) return 2;
    if (prctl(PR_GET_DUMPABLE) != 0) return 3;
    if (prctl(PR_SET_DUMPABLE, 2) != -1 || errno != EINVAL) return 4;
    // Already set when the test runs under a no_new_privs parent (and
    // always in the sandbox, which never honours set-user-ID bits).
    const int before = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
    if (before != 0 && before != 1) return 5;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return 6;
    if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) return 7;
    // It cannot be unset.
    if (prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0) != -1 || errno != EINVAL) return 8;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 1, 0, 0) != -1 || errno != EINVAL) return 9;
    return 0;
  });
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(CapabilityTest, CapgetReportsVersionAndSets) {
  struct Header {
    uint32_t version;
    int pid;
  } hdr = {0, 0};
  struct Data {
    uint32_t effective, permitted, inheritable;
  } data[2] = {};
  // An unknown version: EINVAL and the preferred version written back.
  EXPECT_THAT(syscall(SYS_capget, &hdr, nullptr), SyscallSucceeds());
  EXPECT_EQ(hdr.version, 0x20080522u);  // _LINUX_CAPABILITY_VERSION_3
  hdr.version = 0x12345678;
  EXPECT_THAT(syscall(SYS_capget, &hdr, data), SyscallFailsWithErrno(EINVAL));
  EXPECT_EQ(hdr.version, 0x20080522u);
  hdr = {0x20080522u, 0};
  ASSERT_THAT(syscall(SYS_capget, &hdr, data), SyscallSucceeds());
  if (geteuid() == 0) {
    // Root holds CAP_KILL (5) and CAP_SETUID (7).
    EXPECT_TRUE(data[0].effective & (1u << 5));
    EXPECT_TRUE(data[0].permitted & (1u << 7));
  }
  // Permitted cannot grow: setting what we have is fine.
  EXPECT_THAT(syscall(SYS_capset, &hdr, data), SyscallSucceeds());
  hdr = {0x20080522u, 999999};
  EXPECT_THAT(syscall(SYS_capget, &hdr, data), SyscallFailsWithErrno(ESRCH));
}

TEST(PersonalityTest, QueryAndSet) {
  const int old = personality(0xffffffff);
  ASSERT_THAT(old, SyscallSucceeds());
  int status = InChild([] {
    if (personality(ADDR_NO_RANDOMIZE) < 0) return 1;
    if (personality(0xffffffff) != ADDR_NO_RANDOMIZE) return 2;
    return 0;
  });
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(personality(0xffffffff), old);
}

TEST(SchedTest, AffinityAndPolicies) {
  cpu_set_t set;
  CPU_ZERO(&set);
  ASSERT_THAT(sched_getaffinity(0, sizeof(set), &set), SyscallSucceeds());
  EXPECT_GT(CPU_COUNT(&set), 0);
  // Setting what we have is allowed; an empty set is EINVAL.
  EXPECT_THAT(sched_setaffinity(0, sizeof(set), &set), SyscallSucceeds());
  cpu_set_t empty;
  CPU_ZERO(&empty);
  EXPECT_THAT(sched_setaffinity(0, sizeof(empty), &empty), SyscallFailsWithErrno(EINVAL));
  // A buffer smaller than the kernel's cpumask is EINVAL.
  EXPECT_THAT(syscall(SYS_sched_getaffinity, 0, 1, &set), SyscallFailsWithErrno(EINVAL));

  EXPECT_EQ(sched_getscheduler(0), SCHED_OTHER);
  EXPECT_EQ(sched_get_priority_max(SCHED_OTHER), 0);
  EXPECT_EQ(sched_get_priority_max(SCHED_FIFO), 99);
  EXPECT_EQ(sched_get_priority_min(SCHED_RR), 1);
  EXPECT_THAT(sched_get_priority_max(42), SyscallFailsWithErrno(EINVAL));
  struct sched_param p = {};
  ASSERT_THAT(sched_getparam(0, &p), SyscallSucceeds());
  EXPECT_EQ(p.sched_priority, 0);
  // SCHED_OTHER takes priority 0 only.
  p.sched_priority = 5;
  EXPECT_THAT(sched_setscheduler(0, SCHED_OTHER, &p), SyscallFailsWithErrno(EINVAL));
  p.sched_priority = 0;
  EXPECT_THAT(sched_setscheduler(0, SCHED_BATCH, &p), SyscallSucceeds());
  EXPECT_EQ(sched_getscheduler(0), SCHED_BATCH);
  EXPECT_THAT(sched_setscheduler(0, SCHED_OTHER, &p), SyscallSucceeds());
  EXPECT_THAT(sched_getscheduler(999999), SyscallFailsWithErrno(ESRCH));
}

}  // namespace
