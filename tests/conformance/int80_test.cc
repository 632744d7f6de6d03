// The i386 system call gate, `int $0x80`, used from 64-bit code. Linux
// dispatches it through the i386 table with i386 registers (eax = number;
// ebx, ecx, edx = arguments) and truncates arguments to 32 bits, so memory
// arguments must live below 4 GiB: they come from mmap(MAP_32BIT).
//
// Only the low 32 bits of the result (eax) are part of the i386 ABI; the
// checks below look at nothing else. exit (1) is not tested: it would end the
// test process, and these tests stay fork-free.
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>

#include <gtest/gtest.h>

#include "syscall_matchers.h"
#include "test_util.h"

namespace {

// i386 system call numbers (arch/x86/entry/syscalls/syscall_32.tbl).
constexpr long kI386Exit = 1;
constexpr long kI386Write = 4;
constexpr long kI386Time = 13;
constexpr long kI386Getpid = 20;
constexpr long kI386Brk = 45;
constexpr long kI386Getppid = 64;
constexpr long kI386Uname = 122;  // newuname: struct new_utsname, same layout as x86-64
constexpr long kI386Gettid = 224;
constexpr long kI386Times = 43;
constexpr long kI386Signal = 48;
constexpr long kI386Getuid16 = 24;
constexpr long kI386Getgid16 = 47;
constexpr long kI386Sigaction = 67;
constexpr long kI386Sgetmask = 68;
constexpr long kI386Ssetmask = 69;
constexpr long kI386Sigsuspend = 72;
constexpr long kI386Sigpending = 73;
constexpr long kI386Setrlimit = 75;
constexpr long kI386OldGetrlimit = 76;
constexpr long kI386Getrusage = 77;
constexpr long kI386Getpriority = 96;
constexpr long kI386Sigprocmask = 126;
constexpr long kI386Getpgid = 132;
constexpr long kI386Getsid = 147;
constexpr long kI386SchedGetscheduler = 157;
constexpr long kI386Ugetrlimit = 191;
constexpr long kI386Wait4 = 114;
constexpr long kI386Sysinfo = 116;
constexpr long kI386Waitid = 284;
static_assert(kI386Exit == 1);

// Returns eax, sign-extended, so that -errno comes back as a negative number.
int32_t Int80(long nr, long a1 = 0, long a2 = 0, long a3 = 0) {
  long ret;
  // Conservative clobbers: the 64-bit int 0x80 path has not always preserved
  // r8-r11 across kernel versions, and a sandbox may differ.
  asm volatile("int $0x80"
               : "=a"(ret)
               : "a"(nr), "b"(a1), "c"(a2), "d"(a3)
               : "memory", "cc", "r8", "r9", "r10", "r11");
  return static_cast<int32_t>(ret);
}

// Five arguments: ebx, ecx, edx, esi, edi.
int32_t Int80x5(long nr, long a1, long a2, long a3, long a4, long a5) {
  long ret;
  asm volatile("int $0x80"
               : "=a"(ret)
               : "a"(nr), "b"(a1), "c"(a2), "d"(a3), "S"(a4), "D"(a5)
               : "memory", "cc", "r8", "r9", "r10", "r11");
  return static_cast<int32_t>(ret);
}

// One page below 4 GiB for buffers passed to i386 calls.
class Int80Test : public ::testing::Test {
 protected:
  void SetUp() override {
    void* p = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
                   -1, 0);
    ASSERT_NE(p, MAP_FAILED) << "mmap(MAP_32BIT): " << conformance::ErrnoName(errno);
    low_ = static_cast<char*>(p);
    ASSERT_LT(reinterpret_cast<uintptr_t>(low_) + 4096, uintptr_t{1} << 32);
  }
  void TearDown() override {
    if (low_ != nullptr) munmap(low_, 4096);
  }
  long LowAddr() const { return static_cast<long>(reinterpret_cast<uintptr_t>(low_)); }

  char* low_ = nullptr;
};

TEST_F(Int80Test, WriteToStdout) {
  fflush(stdout);
  static const char kMsg[] = "int80_test: hello from int $0x80 write\n";
  memcpy(low_, kMsg, sizeof(kMsg) - 1);
  EXPECT_EQ(Int80(kI386Write, STDOUT_FILENO, LowAddr(), sizeof(kMsg) - 1),
            static_cast<int32_t>(sizeof(kMsg) - 1));
}

TEST_F(Int80Test, WriteZeroBytes) {
  EXPECT_EQ(Int80(kI386Write, STDOUT_FILENO, LowAddr(), 0), 0);
}

TEST_F(Int80Test, WriteBadFdReturnsNegativeErrno) {
  low_[0] = 'x';
  // ebx = 0xffffffff is fd -1 once truncated to 32 bits.
  EXPECT_EQ(Int80(kI386Write, -1, LowAddr(), 1), -EBADF);
  EXPECT_EQ(Int80(kI386Write, 1000000, LowAddr(), 1), -EBADF);
}

TEST_F(Int80Test, WriteBadBufferReturnsEFAULT) {
  if (conformance::StdoutDiscardsWrites()) GTEST_SKIP() << "stdout is /dev/null";
  // Address 1 is never mapped.
  EXPECT_EQ(Int80(kI386Write, STDOUT_FILENO, 1, 1), -EFAULT);
}

TEST_F(Int80Test, Getpid) {
  // 20 is writev in the 64-bit table; getting our pid proves the i386 table.
  EXPECT_EQ(Int80(kI386Getpid), getpid());
}

TEST_F(Int80Test, Getppid) { EXPECT_EQ(Int80(kI386Getppid), getppid()); }

TEST_F(Int80Test, Gettid) { EXPECT_EQ(Int80(kI386Gettid), static_cast<int32_t>(gettid())); }

TEST_F(Int80Test, BrkQuery) {
  const long brk64 = syscall(SYS_brk, 0);
  EXPECT_EQ(static_cast<uint32_t>(Int80(kI386Brk, 0)), static_cast<uint32_t>(brk64));
}

TEST_F(Int80Test, Uname) {
  memset(low_, 0x55, sizeof(struct utsname));
  ASSERT_EQ(Int80(kI386Uname, LowAddr()), 0);
  const struct utsname* u = reinterpret_cast<const struct utsname*>(low_);
  struct utsname native;
  ASSERT_THAT(uname(&native), SyscallSucceeds());
  EXPECT_STREQ(u->sysname, "Linux");
  EXPECT_STREQ(u->sysname, native.sysname);
  EXPECT_STREQ(u->nodename, native.nodename);
  EXPECT_STREQ(u->release, native.release);
  EXPECT_STREQ(u->machine, native.machine);
}

TEST_F(Int80Test, UnameBadPointer) { EXPECT_EQ(Int80(kI386Uname, 1), -EFAULT); }

TEST_F(Int80Test, Time) {
  const long before = syscall(SYS_time, nullptr);
  const int32_t t = Int80(kI386Time, 0);
  const long after = syscall(SYS_time, nullptr);
  EXPECT_GE(t, static_cast<int32_t>(before));
  EXPECT_LE(t, static_cast<int32_t>(after));
}

TEST_F(Int80Test, TimeStoresA32BitValue) {
  // i386 time_t is 32 bits: the kernel stores exactly 4 bytes.
  memset(low_, 0x55, 16);
  const int32_t t = Int80(kI386Time, LowAddr());
  int32_t stored;
  memcpy(&stored, low_, sizeof(stored));
  EXPECT_EQ(stored, t);
  EXPECT_EQ(static_cast<unsigned char>(low_[4]), 0x55) << "wrote past a 32-bit time_t";
}

TEST_F(Int80Test, UnknownNumberIsENOSYS) {
  EXPECT_EQ(Int80(100000), -ENOSYS);
}

// A 64-bit syscall still works right after int 0x80 calls (no mode confusion).
TEST_F(Int80Test, MixedWithSyscallInstruction) {
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(Int80(kI386Getpid), getpid());
    ASSERT_EQ(syscall(SYS_getpid), getpid());
  }
}

// ---------------------------------------------------------------------------
// Signals: the calls from before real-time signals, on old_sigset_t (signals
// 1..32). Handlers they install are never run here: Linux would run them
// with an ia32 frame in 32-bit mode. Dispositions and masks are restored.

// struct old_sigaction32 (i386 sigaction).
struct OldSigaction32 {
  uint32_t handler;
  uint32_t mask;
  uint32_t flags;
  uint32_t restorer;
};

constexpr uint32_t Bit(int sig) { return 1u << (sig - 1); }
constexpr uint32_t kFakeHandler = 0x1000;  // never called

class Int80SignalTest : public Int80Test {
 protected:
  void SetUp() override {
    Int80Test::SetUp();
    sigaction(SIGUSR1, nullptr, &old_usr1_);
    sigaction(SIGUSR2, nullptr, &old_usr2_);
    sigprocmask(SIG_SETMASK, nullptr, &old_mask_);
  }
  void TearDown() override {
    sigaction(SIGUSR1, &old_usr1_, nullptr);
    sigaction(SIGUSR2, &old_usr2_, nullptr);
    sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
    Int80Test::TearDown();
  }
  struct sigaction old_usr1_, old_usr2_;
  sigset_t old_mask_;
};

TEST_F(Int80SignalTest, SigactionUsesTheOldStructure) {
  auto* act = reinterpret_cast<OldSigaction32*>(low_);
  auto* oact = reinterpret_cast<OldSigaction32*>(low_ + 64);
  *act = {kFakeHandler, Bit(SIGUSR2), SA_RESTART, 0};
  memset(oact, 0x55, sizeof(*oact));
  ASSERT_EQ(Int80(kI386Sigaction, SIGUSR1, LowAddr(), LowAddr() + 64), 0);
  EXPECT_EQ(oact->handler, 0u);  // SIG_DFL before

  // The 64-bit view of the same action.
  struct sigaction cur;
  ASSERT_THAT(sigaction(SIGUSR1, nullptr, &cur), SyscallSucceeds());
  EXPECT_EQ(reinterpret_cast<uintptr_t>(cur.sa_handler), kFakeHandler);
  EXPECT_TRUE(sigismember(&cur.sa_mask, SIGUSR2));
  EXPECT_FALSE(sigismember(&cur.sa_mask, SIGINT));
  EXPECT_TRUE(cur.sa_flags & SA_RESTART);

  // And read back through the old call.
  ASSERT_EQ(Int80(kI386Sigaction, SIGUSR1, 0, LowAddr() + 64), 0);
  EXPECT_EQ(oact->handler, kFakeHandler);
  EXPECT_EQ(oact->mask, Bit(SIGUSR2));
  EXPECT_TRUE(oact->flags & SA_RESTART);
}

TEST_F(Int80SignalTest, SigactionErrors) {
  auto* act = reinterpret_cast<OldSigaction32*>(low_);
  *act = {reinterpret_cast<uintptr_t>(SIG_IGN) & 0xffffffffu, 0, 0, 0};
  EXPECT_EQ(Int80(kI386Sigaction, SIGKILL, LowAddr(), 0), -EINVAL);
  EXPECT_EQ(Int80(kI386Sigaction, 0, LowAddr(), 0), -EINVAL);
  EXPECT_EQ(Int80(kI386Sigaction, 65, LowAddr(), 0), -EINVAL);
  EXPECT_EQ(Int80(kI386Sigaction, SIGUSR1, 1, 0), -EFAULT);
  // Reading SIGKILL's action is allowed.
  EXPECT_EQ(Int80(kI386Sigaction, SIGKILL, 0, LowAddr()), 0);
}

TEST_F(Int80SignalTest, SignalIsOneShotAndReturnsTheOldHandler) {
  EXPECT_EQ(Int80(kI386Signal, SIGUSR1, 1 /* SIG_IGN */), 0);  // was SIG_DFL
  EXPECT_EQ(Int80(kI386Signal, SIGUSR1, kFakeHandler), 1);
  struct sigaction cur;
  ASSERT_THAT(sigaction(SIGUSR1, nullptr, &cur), SyscallSucceeds());
  EXPECT_EQ(reinterpret_cast<uintptr_t>(cur.sa_handler), kFakeHandler);
  // SysV semantics: SA_ONESHOT | SA_NOMASK.
  EXPECT_TRUE(cur.sa_flags & SA_RESETHAND);
  EXPECT_TRUE(cur.sa_flags & SA_NODEFER);
  EXPECT_EQ(Int80(kI386Signal, SIGUSR1, 0), static_cast<int32_t>(kFakeHandler));
  EXPECT_EQ(Int80(kI386Signal, SIGKILL, 1), -EINVAL);
  EXPECT_EQ(Int80(kI386Signal, 0, 1), -EINVAL);
}

TEST_F(Int80SignalTest, SigprocmaskChangesOnlyTheFirst32Signals) {
  const int kRt = 40;  // a real-time signal: outside old_sigset_t
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, kRt);
  sigaddset(&set, SIGUSR2);
  ASSERT_THAT(sigprocmask(SIG_SETMASK, &set, nullptr), SyscallSucceeds());

  auto* words = reinterpret_cast<uint32_t*>(low_);
  words[0] = Bit(SIGUSR1) | Bit(SIGKILL) | Bit(SIGSTOP);
  words[1] = 0x55555555;
  ASSERT_EQ(Int80(kI386Sigprocmask, SIG_SETMASK, LowAddr(), LowAddr() + 4), 0);
  EXPECT_EQ(words[1], Bit(SIGUSR2));  // the old low word
  sigset_t now;
  ASSERT_THAT(sigprocmask(SIG_SETMASK, nullptr, &now), SyscallSucceeds());
  EXPECT_TRUE(sigismember(&now, SIGUSR1));
  EXPECT_FALSE(sigismember(&now, SIGUSR2));
  EXPECT_TRUE(sigismember(&now, kRt)) << "SIG_SETMASK touched a real-time signal";
  EXPECT_FALSE(sigismember(&now, SIGKILL));
  EXPECT_FALSE(sigismember(&now, SIGSTOP));

  words[0] = Bit(SIGUSR2);
  ASSERT_EQ(Int80(kI386Sigprocmask, SIG_BLOCK, LowAddr(), 0), 0);
  words[0] = Bit(SIGUSR1);
  ASSERT_EQ(Int80(kI386Sigprocmask, SIG_UNBLOCK, LowAddr(), 0), 0);
  ASSERT_EQ(Int80(kI386Sigprocmask, SIG_BLOCK, 0, LowAddr() + 4), 0);
  EXPECT_EQ(words[1], Bit(SIGUSR2));
  ASSERT_THAT(sigprocmask(SIG_SETMASK, nullptr, &now), SyscallSucceeds());
  EXPECT_TRUE(sigismember(&now, kRt));

  EXPECT_EQ(Int80(kI386Sigprocmask, 99, LowAddr(), 0), -EINVAL);
  EXPECT_EQ(Int80(kI386Sigprocmask, SIG_BLOCK, 1, 0), -EFAULT);
}

TEST_F(Int80SignalTest, SigpendingShowsBlockedPendingSignals) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  ASSERT_THAT(sigprocmask(SIG_BLOCK, &set, nullptr), SyscallSucceeds());
  auto* word = reinterpret_cast<uint32_t*>(low_);
  *word = 0x55555555;
  ASSERT_EQ(Int80(kI386Sigpending, LowAddr()), 0);
  EXPECT_EQ(*word & Bit(SIGUSR1), 0u);
  ASSERT_THAT(raise(SIGUSR1), SyscallSucceeds());
  ASSERT_EQ(Int80(kI386Sigpending, LowAddr()), 0);
  EXPECT_EQ(*word & Bit(SIGUSR1), Bit(SIGUSR1));
  EXPECT_EQ(Int80(kI386Sigpending, 1), -EFAULT);
  // Discard it: ignoring a pending signal drops it.
  signal(SIGUSR1, SIG_IGN);
  ASSERT_EQ(Int80(kI386Sigpending, LowAddr()), 0);
  EXPECT_EQ(*word & Bit(SIGUSR1), 0u);
}

std::atomic<int> g_usr1_runs{0};
void CountUsr1(int) { g_usr1_runs++; }

TEST_F(Int80SignalTest, SigsuspendRunsTheHandlerAndRestoresTheMask) {
  // The handler is installed by the 64-bit call, so Linux runs it with the
  // x86-64 frame even though it interrupts an int 0x80 call.
  struct sigaction sa = {};
  sa.sa_handler = CountUsr1;
  sigemptyset(&sa.sa_mask);
  ASSERT_THAT(sigaction(SIGUSR1, &sa, nullptr), SyscallSucceeds());
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  ASSERT_THAT(sigprocmask(SIG_BLOCK, &set, nullptr), SyscallSucceeds());
  ASSERT_THAT(raise(SIGUSR1), SyscallSucceeds());
  EXPECT_EQ(g_usr1_runs, 0);
  g_usr1_runs = 0;
  // sigsuspend(unused, unused, mask): SIGUSR1 unblocked while waiting.
  EXPECT_EQ(Int80(kI386Sigsuspend, 0, 0, Bit(SIGUSR2)), -EINTR);
  EXPECT_EQ(g_usr1_runs, 1);
  sigset_t now;
  ASSERT_THAT(sigprocmask(SIG_SETMASK, nullptr, &now), SyscallSucceeds());
  EXPECT_TRUE(sigismember(&now, SIGUSR1));
  EXPECT_FALSE(sigismember(&now, SIGUSR2));
}

TEST_F(Int80SignalTest, SgetmaskAndSsetmask) {
  const int32_t probe = Int80(kI386Sgetmask);
  if (probe == -ENOSYS) GTEST_SKIP() << "kernel built without SGETMASK_SYSCALL";
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, 40);
  ASSERT_THAT(sigprocmask(SIG_SETMASK, &set, nullptr), SyscallSucceeds());
  EXPECT_EQ(Int80(kI386Sgetmask), static_cast<int32_t>(Bit(SIGUSR1)));
  // ssetmask replaces the whole mask: the real-time signal is unblocked.
  EXPECT_EQ(Int80(kI386Ssetmask, Bit(SIGUSR2) | Bit(SIGKILL)),
            static_cast<int32_t>(Bit(SIGUSR1)));
  sigset_t now;
  ASSERT_THAT(sigprocmask(SIG_SETMASK, nullptr, &now), SyscallSucceeds());
  EXPECT_TRUE(sigismember(&now, SIGUSR2));
  EXPECT_FALSE(sigismember(&now, SIGUSR1));
  EXPECT_FALSE(sigismember(&now, 40));
  EXPECT_FALSE(sigismember(&now, SIGKILL));
}

// ---------------------------------------------------------------------------
// Limits, usage, identity.

struct Rlimit32 {
  uint32_t cur;
  uint32_t max;
};

TEST_F(Int80Test, RlimitsUse32BitValues) {
  struct rlimit nofile;
  ASSERT_THAT(getrlimit(RLIMIT_NOFILE, &nofile), SyscallSucceeds());
  auto* r = reinterpret_cast<Rlimit32*>(low_);
  ASSERT_EQ(Int80(kI386Ugetrlimit, RLIMIT_NOFILE, LowAddr()), 0);
  EXPECT_EQ(r->cur, nofile.rlim_cur);
  EXPECT_EQ(r->max, nofile.rlim_max);
  EXPECT_EQ(Int80(kI386Ugetrlimit, 99, LowAddr()), -EINVAL);
  EXPECT_EQ(Int80(kI386Ugetrlimit, RLIMIT_NOFILE, 1), -EFAULT);

  struct rlimit core;
  ASSERT_THAT(getrlimit(RLIMIT_CORE, &core), SyscallSucceeds());
  // Infinity: 0xffffffff from ugetrlimit, 0x7fffffff from the old call.
  struct rlimit inf = {0, RLIM_INFINITY};
  if (core.rlim_max != RLIM_INFINITY &&
      setrlimit(RLIMIT_CORE, &inf) != 0) {
    GTEST_SKIP() << "cannot raise RLIMIT_CORE's hard limit";
  }
  ASSERT_THAT(setrlimit(RLIMIT_CORE, &inf), SyscallSucceeds());
  ASSERT_EQ(Int80(kI386Ugetrlimit, RLIMIT_CORE, LowAddr()), 0);
  EXPECT_EQ(r->cur, 0u);
  EXPECT_EQ(r->max, 0xffffffffu);
  ASSERT_EQ(Int80(kI386OldGetrlimit, RLIMIT_CORE, LowAddr()), 0);
  EXPECT_EQ(r->max, 0x7fffffffu);

  // setrlimit: 0xffffffff means RLIM_INFINITY.
  *r = {0xffffffffu, 0xffffffffu};
  ASSERT_EQ(Int80(kI386Setrlimit, RLIMIT_CORE, LowAddr()), 0);
  struct rlimit got;
  ASSERT_THAT(getrlimit(RLIMIT_CORE, &got), SyscallSucceeds());
  EXPECT_EQ(got.rlim_cur, RLIM_INFINITY);
  EXPECT_EQ(got.rlim_max, RLIM_INFINITY);
  *r = {2, 1};
  EXPECT_EQ(Int80(kI386Setrlimit, RLIMIT_CORE, LowAddr()), -EINVAL);
  EXPECT_EQ(Int80(kI386Setrlimit, RLIMIT_CORE, 1), -EFAULT);
  ASSERT_THAT(setrlimit(RLIMIT_CORE, &core), SyscallSucceeds());
}

// struct compat_rusage: 32-bit timevals and longs.
struct Rusage32 {
  int32_t utime_sec, utime_usec, stime_sec, stime_usec;
  int32_t maxrss;
  int32_t rest[13];
};
static_assert(sizeof(Rusage32) == 72);

TEST_F(Int80Test, GetrusageAndTimesUse32BitFields) {
  // Burn a little CPU so the user time is not zero.
  volatile uint64_t x = 0;
  for (int i = 0; i < 50'000'000; i++) x = x + 1;
  struct rusage native;
  ASSERT_THAT(getrusage(RUSAGE_SELF, &native), SyscallSucceeds());
  memset(low_, 0x55, 256);
  ASSERT_EQ(Int80(kI386Getrusage, RUSAGE_SELF, LowAddr()), 0);
  const auto* ru = reinterpret_cast<const Rusage32*>(low_);
  const int64_t us = ru->utime_sec * 1000000LL + ru->utime_usec;
  const int64_t native_us = native.ru_utime.tv_sec * 1000000LL + native.ru_utime.tv_usec;
  EXPECT_GE(ru->utime_usec, 0);
  EXPECT_LT(ru->utime_usec, 1000000);
  EXPECT_GT(us, 0);
  EXPECT_GE(us, native_us - 20000);  // the clocks are sampled differently
  EXPECT_GT(ru->maxrss, 0);
  EXPECT_EQ(static_cast<unsigned char>(low_[sizeof(Rusage32)]), 0x55)
      << "wrote past struct compat_rusage";
  EXPECT_EQ(Int80(kI386Getrusage, 5, LowAddr()), -EINVAL);
  EXPECT_EQ(Int80(kI386Getrusage, RUSAGE_SELF, 1), -EFAULT);

  memset(low_, 0x55, 64);
  EXPECT_NE(Int80(kI386Times, LowAddr()), -EFAULT);
  const auto* tms = reinterpret_cast<const int32_t*>(low_);
  EXPECT_GE(tms[0], 0);  // tms_utime, in clock ticks
  EXPECT_GE(tms[2], 0);
  EXPECT_EQ(static_cast<unsigned char>(low_[16]), 0x55) << "wrote past struct compat_tms";
}

TEST_F(Int80Test, ProcessIdentity) {
  if (getuid() <= 0xffff) EXPECT_EQ(Int80(kI386Getuid16), static_cast<int32_t>(getuid()));
  if (getgid() <= 0xffff) EXPECT_EQ(Int80(kI386Getgid16), static_cast<int32_t>(getgid()));
  EXPECT_EQ(Int80(kI386Getpgid, 0), getpgrp());
  EXPECT_EQ(Int80(kI386Getsid, 0), getsid(0));
  EXPECT_EQ(Int80(kI386Getpgid, -5), -ESRCH);
  EXPECT_EQ(Int80(kI386SchedGetscheduler, 0), SCHED_OTHER);
  errno = 0;
  const int nice = getpriority(PRIO_PROCESS, 0);
  EXPECT_EQ(Int80(kI386Getpriority, PRIO_PROCESS, 0), 20 - nice);
}

TEST_F(Int80Test, WaitidAndWait4Use32BitLayouts) {
  pid_t child = fork();
  if (child == 0) _exit(9);
  // compat_siginfo_t: signo, errno, code, then pid, uid, status at 12/16/20.
  memset(low_, 0x55, 512);
  char* info = low_;
  char* ru = low_ + 256;
  ASSERT_EQ(Int80x5(kI386Waitid, P_PID, child, LowAddr(), WEXITED, LowAddr() + 256), 0);
  int32_t f[6];
  memcpy(f, info, sizeof(f));
  EXPECT_EQ(f[0], SIGCHLD);
  EXPECT_EQ(f[2], CLD_EXITED);
  EXPECT_EQ(f[3], child);
  EXPECT_EQ(f[5], 9);
  EXPECT_EQ(static_cast<unsigned char>(info[128]), 0x55) << "wrote past compat_siginfo_t";
  EXPECT_EQ(static_cast<unsigned char>(ru[72]), 0x55) << "wrote past struct compat_rusage";

  child = fork();
  if (child == 0) _exit(3);
  memset(low_, 0x55, 512);
  ASSERT_EQ(Int80x5(kI386Wait4, child, LowAddr(), 0, LowAddr() + 256, 0), child);
  int32_t status;
  memcpy(&status, low_, 4);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 3);
  EXPECT_EQ(static_cast<unsigned char>(ru[72]), 0x55) << "wrote past struct compat_rusage";
  EXPECT_EQ(Int80x5(kI386Waitid, P_ALL, 0, LowAddr(), WEXITED | WNOHANG, 0), -ECHILD);
  EXPECT_EQ(Int80x5(kI386Waitid, P_ALL, 0, LowAddr(), 0, 0), -EINVAL);
}

// struct compat_sysinfo.
struct Sysinfo32 {
  int32_t uptime;
  uint32_t loads[3];
  uint32_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
  uint16_t procs, pad;
  uint32_t totalhigh, freehigh, mem_unit;
  char f[8];
};
static_assert(sizeof(Sysinfo32) == 64);

TEST_F(Int80Test, SysinfoFitsSizesIn32Bits) {
  struct sysinfo native;
  ASSERT_THAT(sysinfo(&native), SyscallSucceeds());
  memset(low_, 0x55, 128);
  ASSERT_EQ(Int80(kI386Sysinfo, LowAddr()), 0);
  const auto* s = reinterpret_cast<const Sysinfo32*>(low_);
  EXPECT_NEAR(s->uptime, native.uptime, 2);
  EXPECT_GT(s->mem_unit, 0u);
  // The same total, in whatever unit makes it fit.
  const double total = static_cast<double>(s->totalram) * s->mem_unit;
  const double native_total = static_cast<double>(native.totalram) * native.mem_unit;
  EXPECT_NEAR(total, native_total, native_total * 0.01);
  EXPECT_GT(s->procs, 0);
  EXPECT_EQ(static_cast<unsigned char>(low_[64]), 0x55) << "wrote past compat_sysinfo";
  EXPECT_EQ(Int80(kI386Sysinfo, 1), -EFAULT);
}

}  // namespace
