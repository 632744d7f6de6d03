// Waiting for signals and sending them: rt_sigtimedwait(2), rt_sigsuspend(2),
// pause(2), rt_sigpending(2), kill(2)/tkill(2)/tgkill(2) and
// rt_sigqueueinfo(2) rules, and what a signal does to a blocked system call:
// SA_RESTART on a pipe read, nanosleep(2) returning EINTR with the time
// left, and a sleep that continues through restart_syscall(2) after a stop.
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <thread>

#include <gtest/gtest.h>

#include "syscall_matchers.h"

namespace {

class SignalScope {
 public:
  explicit SignalScope(int sig) : sig_(sig) {
    sigaction(sig_, nullptr, &old_);
    sigprocmask(SIG_SETMASK, nullptr, &mask_);
  }
  ~SignalScope() {
    sigaction(sig_, &old_, nullptr);
    sigprocmask(SIG_SETMASK, &mask_, nullptr);
  }

 private:
  int sig_;
  struct sigaction old_;
  sigset_t mask_;
};

std::atomic<int> g_count{0};

void CountingHandler(int) { g_count++; }

void Install(int sig, void (*fn)(int), int flags) {
  struct sigaction sa = {};
  sa.sa_handler = fn;
  sa.sa_flags = flags;
  sigemptyset(&sa.sa_mask);
  ASSERT_THAT(sigaction(sig, &sa, nullptr), SyscallSucceeds());
}

void Block(int sig) {
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, sig);
  sigprocmask(SIG_BLOCK, &s, nullptr);
}

bool Blocked(int sig) {
  sigset_t cur;
  sigprocmask(SIG_SETMASK, nullptr, &cur);
  return sigismember(&cur, sig);
}

int64_t NowMs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

// A pid that no process has: a child that has been reaped.
pid_t ReapedPid() {
  pid_t pid = fork();
  if (pid == 0) _exit(0);
  waitpid(pid, nullptr, 0);
  return pid;
}

void ArmRealTimer(long usec) {
  struct itimerval it = {};
  it.it_value.tv_sec = usec / 1000000;
  it.it_value.tv_usec = usec % 1000000;
  setitimer(ITIMER_REAL, &it, nullptr);
}

// ---------------------------------------------------------------------------
// rt_sigpending, SIG_IGN discarding pending signals

TEST(SigpendingTest, ShowsBlockedPendingSignals) {
  SignalScope scope(SIGUSR1);
  Block(SIGUSR1);
  raise(SIGUSR1);
  sigset_t pending;
  ASSERT_THAT(sigpending(&pending), SyscallSucceeds());
  EXPECT_TRUE(sigismember(&pending, SIGUSR1));
  EXPECT_FALSE(sigismember(&pending, SIGUSR2));
  uint64_t raw = 0;
  EXPECT_THAT(syscall(SYS_rt_sigpending, &raw, 16), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(syscall(SYS_rt_sigpending, &raw, 8), SyscallSucceeds());
  EXPECT_EQ(raw, 1ULL << (SIGUSR1 - 1));

  // Ignoring a pending signal discards it.
  signal(SIGUSR1, SIG_IGN);
  ASSERT_THAT(sigpending(&pending), SyscallSucceeds());
  EXPECT_FALSE(sigismember(&pending, SIGUSR1));
}

// ---------------------------------------------------------------------------
// rt_sigtimedwait

TEST(SigtimedwaitTest, TakesAPendingSignalWithItsInfo) {
  SignalScope scope(SIGUSR1);
  Block(SIGUSR1);
  union sigval v;
  v.sival_int = 77;
  ASSERT_THAT(sigqueue(getpid(), SIGUSR1, v), SyscallSucceeds());
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  siginfo_t info;
  struct timespec zero = {0, 0};
  ASSERT_THAT(sigtimedwait(&set, &info, &zero), SyscallSucceedsWithValue(SIGUSR1));
  EXPECT_EQ(info.si_code, SI_QUEUE);
  EXPECT_EQ(info.si_pid, getpid());
  EXPECT_EQ(info.si_value.sival_int, 77);
  // Taken: nothing left.
  EXPECT_THAT(sigtimedwait(&set, &info, &zero), SyscallFailsWithErrno(EAGAIN));
}

TEST(SigtimedwaitTest, TimesOut) {
  SignalScope scope(SIGUSR1);
  Block(SIGUSR1);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  struct timespec ts = {0, 30 * 1000 * 1000};
  const int64_t start = NowMs();
  EXPECT_THAT(sigtimedwait(&set, nullptr, &ts), SyscallFailsWithErrno(EAGAIN));
  EXPECT_GE(NowMs() - start, 29);
}

TEST(SigtimedwaitTest, Errors) {
  uint64_t set = 1ULL << (SIGUSR1 - 1);
  struct timespec bad = {0, 1000000000};
  EXPECT_THAT(syscall(SYS_rt_sigtimedwait, &set, nullptr, &bad, 8),
              SyscallFailsWithErrno(EINVAL));
  struct timespec zero = {0, 0};
  EXPECT_THAT(syscall(SYS_rt_sigtimedwait, &set, nullptr, &zero, 4),
              SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(syscall(SYS_rt_sigtimedwait, 8, nullptr, &zero, 8),
              SyscallFailsWithErrno(EFAULT));
}

TEST(SigtimedwaitTest, WakesWhenAnotherThreadSignalsTheProcess) {
  SignalScope scope(SIGUSR2);
  Block(SIGUSR2);  // the thread below inherits the mask
  std::thread sender([] {
    usleep(50 * 1000);
    kill(getpid(), SIGUSR2);
  });
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR2);
  struct timespec ts = {5, 0};
  siginfo_t info;
  const int64_t start = NowMs();
  EXPECT_THAT(sigtimedwait(&set, &info, &ts), SyscallSucceedsWithValue(SIGUSR2));
  EXPECT_LT(NowMs() - start, 1000);
  EXPECT_EQ(info.si_code, SI_USER);
  sender.join();
}

TEST(SigtimedwaitTest, TakesSigchldLeftAtDefault) {
  SignalScope scope(SIGCHLD);
  signal(SIGCHLD, SIG_DFL);
  Block(SIGCHLD);
  pid_t child = fork();
  if (child == 0) _exit(7);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  struct timespec ts = {5, 0};
  siginfo_t info;
  ASSERT_THAT(sigtimedwait(&set, &info, &ts), SyscallSucceedsWithValue(SIGCHLD));
  EXPECT_EQ(info.si_code, CLD_EXITED);
  EXPECT_EQ(info.si_pid, child);
  EXPECT_EQ(info.si_status, 7);
  int status;
  ASSERT_THAT(waitpid(child, &status, 0), SyscallSucceedsWithValue(child));
}

TEST(SigtimedwaitTest, AnotherHandledSignalInterrupts) {
  SignalScope s1(SIGUSR1);
  SignalScope s2(SIGALRM);
  Block(SIGUSR1);
  g_count = 0;
  Install(SIGALRM, CountingHandler, SA_RESTART);
  ArmRealTimer(30000);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  struct timespec ts = {5, 0};
  // Never restarted, even with SA_RESTART.
  EXPECT_THAT(sigtimedwait(&set, nullptr, &ts), SyscallFailsWithErrno(EINTR));
  EXPECT_EQ(g_count, 1);
}

// ---------------------------------------------------------------------------
// rt_sigsuspend, pause

sigset_t g_mask_in_handler;

void MaskRecordingHandler(int) {
  g_count++;
  sigprocmask(SIG_SETMASK, nullptr, &g_mask_in_handler);
}

TEST(SigsuspendTest, RunsTheHandlerWithTheTemporaryMaskThenRestores) {
  SignalScope s1(SIGUSR1);
  SignalScope s2(SIGUSR2);
  g_count = 0;
  Install(SIGUSR1, MaskRecordingHandler, 0);
  Block(SIGUSR1);
  Block(SIGUSR2);
  raise(SIGUSR1);  // pending, blocked
  EXPECT_EQ(g_count, 0);
  sigset_t none;
  sigemptyset(&none);
  EXPECT_THAT(sigsuspend(&none), SyscallFailsWithErrno(EINTR));
  EXPECT_EQ(g_count, 1);
  // In the handler: the temporary mask plus the signal itself.
  EXPECT_TRUE(sigismember(&g_mask_in_handler, SIGUSR1));
  EXPECT_FALSE(sigismember(&g_mask_in_handler, SIGUSR2));
  // Afterwards: the mask from before the call.
  EXPECT_TRUE(Blocked(SIGUSR1));
  EXPECT_TRUE(Blocked(SIGUSR2));
}

TEST(SigsuspendTest, WaitsForASignalFromAnotherThread) {
  SignalScope s1(SIGUSR1);
  g_count = 0;
  Install(SIGUSR1, CountingHandler, SA_RESTART);
  Block(SIGUSR1);
  const pid_t tid = syscall(SYS_gettid);
  std::thread sender([tid] {
    usleep(50 * 1000);
    syscall(SYS_tgkill, getpid(), tid, SIGUSR1);
  });
  sigset_t none;
  sigemptyset(&none);
  // Never restarted: ERESTARTNOHAND.
  EXPECT_THAT(sigsuspend(&none), SyscallFailsWithErrno(EINTR));
  EXPECT_EQ(g_count, 1);
  EXPECT_TRUE(Blocked(SIGUSR1));
  sender.join();
}

TEST(PauseTest, ReturnsEintrAfterAHandler) {
  SignalScope scope(SIGALRM);
  g_count = 0;
  Install(SIGALRM, CountingHandler, SA_RESTART);
  ArmRealTimer(20000);
  EXPECT_THAT(pause(), SyscallFailsWithErrno(EINTR));
  EXPECT_EQ(g_count, 1);
}

// ---------------------------------------------------------------------------
// kill, tkill, tgkill, rt_sigqueueinfo

TEST(KillTest, Errors) {
  const pid_t gone = ReapedPid();
  EXPECT_THAT(kill(getpid(), -1), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(kill(getpid(), 65), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(kill(getpid(), 0), SyscallSucceeds());
  EXPECT_THAT(kill(0, 0), SyscallSucceeds());
  // (As the sandbox's init, our group is 1 and -1 would mean "everyone".)
  if (getpgrp() > 1) EXPECT_THAT(kill(-getpgrp(), 0), SyscallSucceeds());
  EXPECT_THAT(kill(gone, 0), SyscallFailsWithErrno(ESRCH));
  // No such process comes before a bad signal.
  EXPECT_THAT(kill(gone, 65), SyscallFailsWithErrno(ESRCH));
  EXPECT_THAT(kill(-gone, 0), SyscallFailsWithErrno(ESRCH));
}

TEST(KillTest, ZombiesCanBeSignalled) {
  pid_t child = fork();
  if (child == 0) _exit(0);
  siginfo_t info;
  ASSERT_THAT(waitid(P_PID, child, &info, WEXITED | WNOWAIT), SyscallSucceeds());
  EXPECT_THAT(kill(child, 0), SyscallSucceeds());
  EXPECT_THAT(kill(child, SIGTERM), SyscallSucceeds());
  int status;
  ASSERT_THAT(waitpid(child, &status, 0), SyscallSucceedsWithValue(child));
  EXPECT_TRUE(WIFEXITED(status));
}

TEST(KillTest, ReachesAChildAndAllProcesses) {
  int fds[2];
  ASSERT_THAT(pipe(fds), SyscallSucceeds());
  pid_t child = fork();
  if (child == 0) {
    close(fds[1]);
    char c;
    (void)!read(fds[0], &c, 1);
    _exit(0);
  }
  close(fds[0]);
  // kill(-1, 0) reaches at least the child (every process but init and us).
  EXPECT_THAT(kill(-1, 0), SyscallSucceeds());
  EXPECT_THAT(kill(child, SIGTERM), SyscallSucceeds());
  int status;
  ASSERT_THAT(waitpid(child, &status, 0), SyscallSucceedsWithValue(child));
  EXPECT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGTERM);
  close(fds[1]);
}

TEST(TkillTest, Errors) {
  const pid_t gone = ReapedPid();
  const pid_t tid = syscall(SYS_gettid);
  EXPECT_THAT(syscall(SYS_tkill, 0, SIGUSR1), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(syscall(SYS_tkill, -1, SIGUSR1), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(syscall(SYS_tkill, tid, 65), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(syscall(SYS_tkill, gone, 65), SyscallFailsWithErrno(ESRCH));
  EXPECT_THAT(syscall(SYS_tkill, tid, 0), SyscallSucceeds());

  EXPECT_THAT(syscall(SYS_tgkill, 0, tid, 0), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(syscall(SYS_tgkill, getpid(), 0, 0), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(syscall(SYS_tgkill, getpid(), tid, -1), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(syscall(SYS_tgkill, getpid(), gone, 0), SyscallFailsWithErrno(ESRCH));
  // The thread exists but not in that process.
  EXPECT_THAT(syscall(SYS_tgkill, gone, tid, 0), SyscallFailsWithErrno(ESRCH));
  EXPECT_THAT(syscall(SYS_tgkill, getpid(), tid, 0), SyscallSucceeds());
}

TEST(TgkillTest, SignalsOnlyTheNamedThread) {
  SignalScope scope(SIGUSR1);
  Block(SIGUSR1);
  std::atomic<pid_t> other_tid{0};
  std::atomic<bool> done{false};
  std::thread other([&] {
    other_tid = syscall(SYS_gettid);
    while (!done) usleep(1000);
    // The signal is pending for this thread only.
    sigset_t pending;
    sigpending(&pending);
    EXPECT_TRUE(sigismember(&pending, SIGUSR1));
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    struct timespec zero = {0, 0};
    EXPECT_EQ(sigtimedwait(&set, nullptr, &zero), SIGUSR1);
  });
  while (!other_tid) usleep(1000);
  ASSERT_THAT(syscall(SYS_tgkill, getpid(), other_tid.load(), SIGUSR1),
              SyscallSucceeds());
  sigset_t pending;
  sigpending(&pending);
  EXPECT_FALSE(sigismember(&pending, SIGUSR1));
  done = true;
  other.join();
}

TEST(SigqueueinfoTest, CodeRules) {
  SignalScope scope(SIGUSR1);
  Block(SIGUSR1);
  siginfo_t info = {};
  info.si_code = SI_USER;
  info.si_value.sival_int = 5;
  // To ourselves any code goes and arrives as given.
  ASSERT_THAT(syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, &info),
              SyscallSucceeds());
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  siginfo_t got;
  struct timespec zero = {0, 0};
  ASSERT_THAT(sigtimedwait(&set, &got, &zero), SyscallSucceedsWithValue(SIGUSR1));
  EXPECT_EQ(got.si_code, SI_USER);
  EXPECT_EQ(got.si_signo, SIGUSR1);

  // To someone else, only negative codes other than SI_TKILL.
  int fds[2];
  ASSERT_THAT(pipe(fds), SyscallSucceeds());
  pid_t child = fork();
  if (child == 0) {
    close(fds[1]);
    char c;
    (void)!read(fds[0], &c, 1);
    _exit(0);
  }
  close(fds[0]);
  info.si_code = SI_USER;
  EXPECT_THAT(syscall(SYS_rt_sigqueueinfo, child, SIGUSR2, &info),
              SyscallFailsWithErrno(EPERM));
  info.si_code = SI_TKILL;
  EXPECT_THAT(syscall(SYS_rt_sigqueueinfo, child, SIGUSR2, &info),
              SyscallFailsWithErrno(EPERM));
  info.si_code = SI_QUEUE;
  EXPECT_THAT(syscall(SYS_rt_sigqueueinfo, child, 0, &info), SyscallSucceeds());
  close(fds[1]);
  waitpid(child, nullptr, 0);

  EXPECT_THAT(syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, 8),
              SyscallFailsWithErrno(EFAULT));
  info.si_code = SI_QUEUE;
  EXPECT_THAT(syscall(SYS_rt_tgsigqueueinfo, 0, syscall(SYS_gettid), SIGUSR1, &info),
              SyscallFailsWithErrno(EINVAL));
  ASSERT_THAT(syscall(SYS_rt_tgsigqueueinfo, getpid(), syscall(SYS_gettid),
                      SIGUSR1, &info),
              SyscallSucceeds());
  ASSERT_THAT(sigtimedwait(&set, &got, &zero), SyscallSucceedsWithValue(SIGUSR1));
  EXPECT_EQ(got.si_code, SI_QUEUE);
}

// ---------------------------------------------------------------------------
// Blocked system calls and restarts

// Reads one byte from a pipe whose writer is a thread that writes only
// after `delay_ms`; SIGALRM fires after 30 ms.
struct PipeReadResult {
  long ret;
  int err;
  int64_t ms;
};

PipeReadResult ReadPipeWithAlarm(int delay_ms) {
  int fds[2];
  EXPECT_THAT(pipe(fds), SyscallSucceeds());
  std::thread writer([&] {
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, nullptr);
    usleep(delay_ms * 1000);
    (void)!write(fds[1], "x", 1);
  });
  ArmRealTimer(30000);
  const int64_t start = NowMs();
  char c;
  PipeReadResult r;
  r.ret = read(fds[0], &c, 1);
  r.err = errno;
  r.ms = NowMs() - start;
  writer.join();
  close(fds[0]);
  close(fds[1]);
  return r;
}

TEST(SignalRestartTest, PipeReadRestartsWithSaRestart) {
  SignalScope scope(SIGALRM);
  g_count = 0;
  Install(SIGALRM, CountingHandler, SA_RESTART);
  const PipeReadResult r = ReadPipeWithAlarm(300);
  EXPECT_EQ(r.ret, 1);
  EXPECT_EQ(g_count, 1);
  EXPECT_GE(r.ms, 250) << "the read returned before the writer wrote";
}

TEST(SignalRestartTest, PipeReadFailsWithEintrWithoutSaRestart) {
  SignalScope scope(SIGALRM);
  g_count = 0;
  Install(SIGALRM, CountingHandler, 0);
  const PipeReadResult r = ReadPipeWithAlarm(300);
  EXPECT_EQ(r.ret, -1);
  EXPECT_EQ(r.err, EINTR);
  EXPECT_EQ(g_count, 1);
  EXPECT_LT(r.ms, 250);
}

TEST(NanosleepTest, InterruptedByAHandlerReturnsEintrAndTheTimeLeft) {
  SignalScope scope(SIGALRM);
  g_count = 0;
  // SA_RESTART does not apply to sleeps.
  Install(SIGALRM, CountingHandler, SA_RESTART);
  ArmRealTimer(50000);
  struct timespec req = {1, 0}, rem = {-1, -1};
  const int64_t start = NowMs();
  EXPECT_THAT(nanosleep(&req, &rem), SyscallFailsWithErrno(EINTR));
  const int64_t slept = NowMs() - start;
  EXPECT_EQ(g_count, 1);
  EXPECT_LT(slept, 900);
  const int64_t rem_ms = rem.tv_sec * 1000 + rem.tv_nsec / 1000000;
  EXPECT_GT(rem_ms, 500);
  EXPECT_LE(rem_ms, 1000 - slept + 20);
}

TEST(NanosleepTest, ClockNanosleepRelativeAndAbsolute) {
  SignalScope scope(SIGALRM);
  Install(SIGALRM, CountingHandler, 0);
  ArmRealTimer(30000);
  struct timespec req = {1, 0}, rem = {-1, -1};
  EXPECT_EQ(clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem), EINTR);
  EXPECT_GT(rem.tv_sec * 1000 + rem.tv_nsec / 1000000, 500);

  // Absolute sleeps do not report a remainder.
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  struct timespec until = {now.tv_sec + 1, now.tv_nsec};
  rem = {-1, -1};
  ArmRealTimer(30000);
  EXPECT_EQ(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, &rem), EINTR);
  EXPECT_EQ(rem.tv_sec, -1);

  // An absolute time already past returns at once.
  EXPECT_EQ(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &now, nullptr), 0);
  EXPECT_EQ(clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &req, nullptr), EINVAL);
  struct timespec bad = {0, 1000000000};
  EXPECT_EQ(clock_nanosleep(CLOCK_MONOTONIC, 0, &bad, nullptr), EINVAL);
}

TEST(NanosleepTest, SleepContinuesAfterStopAndContinue) {
  pid_t child = fork();
  if (child == 0) {
    // The stop and continue must not end the sleep early: it goes on
    // through restart_syscall with what was left.
    const int64_t start = NowMs();
    struct timespec req = {0, 300 * 1000 * 1000};
    const int r = nanosleep(&req, nullptr);
    _exit(r == 0 && NowMs() - start >= 295 ? 0 : 1);
  }
  usleep(50 * 1000);
  ASSERT_THAT(kill(child, SIGSTOP), SyscallSucceeds());
  int status;
  ASSERT_THAT(waitpid(child, &status, WUNTRACED), SyscallSucceedsWithValue(child));
  EXPECT_TRUE(WIFSTOPPED(status));
  usleep(50 * 1000);
  ASSERT_THAT(kill(child, SIGCONT), SyscallSucceeds());
  ASSERT_THAT(waitpid(child, &status, 0), SyscallSucceedsWithValue(child));
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(RestartSyscallTest, WithNothingToRestartIsEintr) {
  EXPECT_THAT(syscall(SYS_restart_syscall), SyscallFailsWithErrno(EINTR));
}

}  // namespace
