// Signal handlers: rt_sigaction(2) (flags, errors), delivery to handlers
// (siginfo, ucontext, FP/SSE state kept across a handler), SA_RESETHAND,
// SA_NODEFER, SA_ONSTACK with sigaltstack(2), synchronous faults caught and
// left with siglongjmp, and signals interrupting code that makes no system
// calls.
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "syscall_matchers.h"

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif

namespace {

// The kernel's struct sigaction on x86_64 (rt_sigaction's argument).
struct KernelSigaction {
  uint64_t handler;
  uint64_t flags;
  uint64_t restorer;
  uint64_t mask;
};

constexpr uint64_t kSaRestorer = 0x04000000;
constexpr uint64_t kSaUnsupported = 0x00000400;

// Restores a signal's action and the thread's mask when the test ends.
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

void Install(int sig, void (*fn)(int, siginfo_t*, void*), int flags,
             const sigset_t* mask = nullptr) {
  struct sigaction sa = {};
  sa.sa_sigaction = fn;
  sa.sa_flags = SA_SIGINFO | flags;
  if (mask) {
    sa.sa_mask = *mask;
  } else {
    sigemptyset(&sa.sa_mask);
  }
  ASSERT_THAT(sigaction(sig, &sa, nullptr), SyscallSucceeds());
}

bool Blocked(int sig) {
  sigset_t cur;
  sigprocmask(SIG_SETMASK, nullptr, &cur);
  return sigismember(&cur, sig);
}

// Sends `sig` to this thread with tgkill(2) (what raise(3) does).
void RaiseHere(int sig) {
  syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), sig);
}

// ---------------------------------------------------------------------------
// rt_sigaction

TEST(SigactionTest, Errors) {
  KernelSigaction act = {reinterpret_cast<uint64_t>(SIG_IGN), 0, 0, 0};
  KernelSigaction old;
  EXPECT_THAT(syscall(SYS_rt_sigaction, 0, &act, nullptr, 8),
              SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(syscall(SYS_rt_sigaction, 65, nullptr, &old, 8),
              SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(syscall(SYS_rt_sigaction, SIGKILL, &act, nullptr, 8),
              SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(syscall(SYS_rt_sigaction, SIGSTOP, &act, nullptr, 8),
              SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(syscall(SYS_rt_sigaction, SIGUSR1, &act, nullptr, 4),
              SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(syscall(SYS_rt_sigaction, SIGUSR1, 8, nullptr, 8),
              SyscallFailsWithErrno(EFAULT));
  // Reading the action of SIGKILL is allowed.
  EXPECT_THAT(syscall(SYS_rt_sigaction, SIGKILL, nullptr, &old, 8),
              SyscallSucceeds());
  EXPECT_EQ(old.handler, reinterpret_cast<uint64_t>(SIG_DFL));
}

void NopHandler(int, siginfo_t*, void*) {}

TEST(SigactionTest, UnknownFlagsAreClearedAndReportedBack) {
  SignalScope scope(SIGUSR1);
  struct sigaction glibc_old;
  sigaction(SIGUSR1, nullptr, &glibc_old);
  KernelSigaction act = {reinterpret_cast<uint64_t>(&NopHandler),
                         SA_SIGINFO | SA_RESTART | kSaRestorer |
                             kSaUnsupported | 0x00200000,
                         reinterpret_cast<uint64_t>(glibc_old.sa_restorer),
                         (1ULL << (SIGKILL - 1)) | (1ULL << (SIGUSR2 - 1))};
  ASSERT_THAT(syscall(SYS_rt_sigaction, SIGUSR1, &act, nullptr, 8),
              SyscallSucceeds());
  KernelSigaction got;
  ASSERT_THAT(syscall(SYS_rt_sigaction, SIGUSR1, nullptr, &got, 8),
              SyscallSucceeds());
  EXPECT_EQ(got.handler, act.handler);
  EXPECT_EQ(got.flags, SA_SIGINFO | SA_RESTART | kSaRestorer);
  // SIGKILL cannot be part of a handler's mask.
  EXPECT_EQ(got.mask, 1ULL << (SIGUSR2 - 1));
}

TEST(SigactionTest, BadOldPointerStillInstallsTheNewAction) {
  SignalScope scope(SIGUSR2);
  KernelSigaction act = {reinterpret_cast<uint64_t>(SIG_IGN), 0, 0, 0};
  EXPECT_THAT(syscall(SYS_rt_sigaction, SIGUSR2, &act, 8, 8),
              SyscallFailsWithErrno(EFAULT));
  struct sigaction cur;
  sigaction(SIGUSR2, nullptr, &cur);
  EXPECT_EQ(cur.sa_handler, SIG_IGN);
}

TEST(SigprocmaskTest, KillAndStopCannotBeBlocked) {
  SignalScope scope(SIGUSR1);
  uint64_t all = ~0ULL, got = 0;
  ASSERT_THAT(syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, nullptr, 8),
              SyscallSucceeds());
  ASSERT_THAT(syscall(SYS_rt_sigprocmask, SIG_BLOCK, nullptr, &got, 8),
              SyscallSucceeds());
  EXPECT_EQ(got, ~((1ULL << (SIGKILL - 1)) | (1ULL << (SIGSTOP - 1))));
  EXPECT_THAT(syscall(SYS_rt_sigprocmask, 99, &all, nullptr, 8),
              SyscallFailsWithErrno(EINVAL));
  // `how` is not looked at without a new set.
  EXPECT_THAT(syscall(SYS_rt_sigprocmask, 99, nullptr, &got, 8),
              SyscallSucceeds());
  EXPECT_THAT(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &all, nullptr, 16),
              SyscallFailsWithErrno(EINVAL));
}

// ---------------------------------------------------------------------------
// Delivery

std::atomic<int> g_count{0};
siginfo_t g_info;
ucontext_t g_uc;
bool g_blocked_in_handler;

void RecordingHandler(int sig, siginfo_t* info, void* uc) {
  g_count++;
  g_info = *info;
  g_uc = *static_cast<ucontext_t*>(uc);
  g_blocked_in_handler = Blocked(sig);
}

TEST(SignalDeliveryTest, HandlerGetsSiginfoAndUcontext) {
  SignalScope scope(SIGUSR1);
  g_count = 0;
  Install(SIGUSR1, RecordingHandler, 0);
  sigset_t before;
  sigprocmask(SIG_SETMASK, nullptr, &before);
  ASSERT_THAT(kill(getpid(), SIGUSR1), SyscallSucceeds());
  ASSERT_EQ(g_count, 1);
  EXPECT_EQ(g_info.si_signo, SIGUSR1);
  EXPECT_EQ(g_info.si_code, SI_USER);
  EXPECT_EQ(g_info.si_pid, getpid());
  EXPECT_EQ(g_info.si_uid, getuid());
  // The handler runs with its own signal blocked; the frame keeps the
  // mask from before, which comes back afterwards.
  EXPECT_TRUE(g_blocked_in_handler);
  EXPECT_EQ(memcmp(&g_uc.uc_sigmask, &before, 8), 0);
  EXPECT_FALSE(Blocked(SIGUSR1));

  RaiseHere(SIGUSR1);
  ASSERT_EQ(g_count, 2);
  EXPECT_EQ(g_info.si_code, SI_TKILL);
  EXPECT_EQ(g_info.si_pid, getpid());

  union sigval v;
  v.sival_int = 1234;
  ASSERT_THAT(sigqueue(getpid(), SIGUSR1, v), SyscallSucceeds());
  ASSERT_EQ(g_count, 3);
  EXPECT_EQ(g_info.si_code, SI_QUEUE);
  EXPECT_EQ(g_info.si_value.sival_int, 1234);
}

TEST(SignalDeliveryTest, RealTimeSignalsQueueEveryInstanceInOrder) {
  const int sig = SIGRTMIN + 2;
  SignalScope scope(sig);
  static std::vector<int> seen;
  seen.clear();
  struct sigaction sa = {};
  sa.sa_sigaction = [](int, siginfo_t* info, void*) {
    seen.push_back(info->si_value.sival_int);
  };
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  ASSERT_THAT(sigaction(sig, &sa, nullptr), SyscallSucceeds());
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  sigaddset(&set, SIGUSR1);
  ASSERT_THAT(sigprocmask(SIG_BLOCK, &set, nullptr), SyscallSucceeds());
  for (int i = 0; i < 5; i++) {
    union sigval v;
    v.sival_int = i;
    ASSERT_THAT(sigqueue(getpid(), sig, v), SyscallSucceeds());
  }
  // Standard signals are pending at most once.
  kill(getpid(), SIGUSR1);
  kill(getpid(), SIGUSR1);
  struct sigaction usr1 = {};
  usr1.sa_sigaction = [](int, siginfo_t*, void*) { seen.push_back(-1); };
  usr1.sa_flags = SA_SIGINFO;
  struct sigaction old_usr1;
  sigaction(SIGUSR1, &usr1, &old_usr1);
  ASSERT_THAT(sigprocmask(SIG_UNBLOCK, &set, nullptr), SyscallSucceeds());
  sigaction(SIGUSR1, &old_usr1, nullptr);
  // Every deliverable signal gets a frame before returning to user mode,
  // lowest number first (SIGUSR1, once), each new frame on top of the last:
  // the real-time handlers, queued in order, run first, SIGUSR1's last.
  EXPECT_EQ(seen, (std::vector<int>{0, 1, 2, 3, 4, -1}));
}

// --- FP and SSE state across a handler ---

uint32_t g_handler_mxcsr;
uint16_t g_handler_fcw;

void ClobberFpHandler(int, siginfo_t*, void*) {
  uint32_t mxcsr;
  uint16_t fcw;
  asm volatile("stmxcsr %0" : "=m"(mxcsr));
  asm volatile("fnstcw %0" : "=m"(fcw));
  g_handler_mxcsr = mxcsr;
  g_handler_fcw = fcw;
  // Wreck every SSE register and the control words.
  asm volatile(
      "pcmpeqd %%xmm0, %%xmm0\n pcmpeqd %%xmm1, %%xmm1\n"
      "pcmpeqd %%xmm2, %%xmm2\n pcmpeqd %%xmm3, %%xmm3\n"
      "pcmpeqd %%xmm4, %%xmm4\n pcmpeqd %%xmm5, %%xmm5\n"
      "pcmpeqd %%xmm6, %%xmm6\n pcmpeqd %%xmm7, %%xmm7\n"
      "pcmpeqd %%xmm8, %%xmm8\n pcmpeqd %%xmm9, %%xmm9\n"
      "pcmpeqd %%xmm10, %%xmm10\n pcmpeqd %%xmm11, %%xmm11\n"
      "pcmpeqd %%xmm12, %%xmm12\n pcmpeqd %%xmm13, %%xmm13\n"
      "pcmpeqd %%xmm14, %%xmm14\n pcmpeqd %%xmm15, %%xmm15\n" ::
          : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
            "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
            "xmm15");
  uint32_t bad_mxcsr = 0x7f80;  // round toward zero, all exceptions masked
  uint16_t bad_fcw = 0x0c7f;
  asm volatile("ldmxcsr %0" ::"m"(bad_mxcsr));
  asm volatile("fldcw %0" ::"m"(bad_fcw));
}

TEST(SignalFpStateTest, SseRegistersAndControlWordsSurviveAHandler) {
  SignalScope scope(SIGUSR2);
  Install(SIGUSR2, ClobberFpHandler, 0);
  alignas(16) uint8_t in[16][16];
  alignas(16) uint8_t out[16][16];
  for (int r = 0; r < 16; r++) {
    for (int b = 0; b < 16; b++) in[r][b] = static_cast<uint8_t>(r * 16 + b + 1);
  }
  memset(out, 0, sizeof(out));
  uint32_t mxcsr_before = 0x3f80 | 0x2000;  // round down
  uint32_t mxcsr_after = 0;
  const long pid = getpid();
  const long tid = syscall(SYS_gettid);
  // Load the registers, signal ourselves with a raw tgkill (the handler
  // runs on the way back from it), store the registers: nothing in
  // between may touch them.
  asm volatile(
      "ldmxcsr (%[mx])\n"
      "movdqa 0(%[in]), %%xmm0\n movdqa 16(%[in]), %%xmm1\n"
      "movdqa 32(%[in]), %%xmm2\n movdqa 48(%[in]), %%xmm3\n"
      "movdqa 64(%[in]), %%xmm4\n movdqa 80(%[in]), %%xmm5\n"
      "movdqa 96(%[in]), %%xmm6\n movdqa 112(%[in]), %%xmm7\n"
      "movdqa 128(%[in]), %%xmm8\n movdqa 144(%[in]), %%xmm9\n"
      "movdqa 160(%[in]), %%xmm10\n movdqa 176(%[in]), %%xmm11\n"
      "movdqa 192(%[in]), %%xmm12\n movdqa 208(%[in]), %%xmm13\n"
      "movdqa 224(%[in]), %%xmm14\n movdqa 240(%[in]), %%xmm15\n"
      "mov %[nr], %%eax\n"
      "syscall\n"
      "movdqa %%xmm0, 0(%[out])\n movdqa %%xmm1, 16(%[out])\n"
      "movdqa %%xmm2, 32(%[out])\n movdqa %%xmm3, 48(%[out])\n"
      "movdqa %%xmm4, 64(%[out])\n movdqa %%xmm5, 80(%[out])\n"
      "movdqa %%xmm6, 96(%[out])\n movdqa %%xmm7, 112(%[out])\n"
      "movdqa %%xmm8, 128(%[out])\n movdqa %%xmm9, 144(%[out])\n"
      "movdqa %%xmm10, 160(%[out])\n movdqa %%xmm11, 176(%[out])\n"
      "movdqa %%xmm12, 192(%[out])\n movdqa %%xmm13, 208(%[out])\n"
      "movdqa %%xmm14, 224(%[out])\n movdqa %%xmm15, 240(%[out])\n"
      "stmxcsr (%[mxo])\n"
      :
      : [in] "r"(in), [out] "r"(out), [mx] "r"(&mxcsr_before),
        [mxo] "r"(&mxcsr_after), [nr] "i"(SYS_tgkill), "D"(pid), "S"(tid),
        "d"(static_cast<long>(SIGUSR2))
      : "rax", "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4",
        "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
        "xmm13", "xmm14", "xmm15");
  uint16_t fcw_after;
  asm volatile("fnstcw %0" : "=m"(fcw_after));
  uint32_t restore = 0x1f80;
  asm volatile("ldmxcsr %0" ::"m"(restore));

  // The handler started from the initial FPU state.
  EXPECT_EQ(g_handler_mxcsr & 0xffc0, 0x1f80u);
  EXPECT_EQ(g_handler_fcw, 0x037f);
  // And everything came back.
  EXPECT_EQ(memcmp(in, out, sizeof(in)), 0);
  EXPECT_EQ(mxcsr_after & 0xffc0, mxcsr_before & 0xffc0);
  EXPECT_EQ(fcw_after, 0x037f);
}

void ClobberYmmHandler(int, siginfo_t*, void*) {
  asm volatile(
      "vpcmpeqd %%ymm0, %%ymm0, %%ymm0\n vpcmpeqd %%ymm7, %%ymm7, %%ymm7\n"
      "vpcmpeqd %%ymm15, %%ymm15, %%ymm15\n" ::
          : "xmm0", "xmm7", "xmm15");
}

TEST(SignalFpStateTest, AvxUpperHalvesSurviveAHandler) {
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx")) GTEST_SKIP() << "no AVX";
  SignalScope scope(SIGUSR2);
  Install(SIGUSR2, ClobberYmmHandler, 0);
  alignas(32) uint8_t in[3][32];
  alignas(32) uint8_t out[3][32];
  for (int r = 0; r < 3; r++) {
    for (int b = 0; b < 32; b++) in[r][b] = static_cast<uint8_t>(0x40 + r * 32 + b);
  }
  memset(out, 0, sizeof(out));
  const long pid = getpid();
  const long tid = syscall(SYS_gettid);
  asm volatile(
      "vmovdqa 0(%[in]), %%ymm0\n vmovdqa 32(%[in]), %%ymm7\n"
      "vmovdqa 64(%[in]), %%ymm15\n"
      "mov %[nr], %%eax\n"
      "syscall\n"
      "vmovdqa %%ymm0, 0(%[out])\n vmovdqa %%ymm7, 32(%[out])\n"
      "vmovdqa %%ymm15, 64(%[out])\n"
      "vzeroupper\n"
      :
      : [in] "r"(in), [out] "r"(out), [nr] "i"(SYS_tgkill), "D"(pid), "S"(tid),
        "d"(static_cast<long>(SIGUSR2))
      : "rax", "rcx", "r11", "memory", "xmm0", "xmm7", "xmm15");
  EXPECT_EQ(memcmp(in, out, sizeof(in)), 0);
}

// --- SA_RESETHAND, SA_NODEFER ---

TEST(SignalFlagsTest, ResethandRunsTheHandlerOnce) {
  SignalScope scope(SIGUSR1);
  g_count = 0;
  Install(SIGUSR1, RecordingHandler, SA_RESETHAND);
  RaiseHere(SIGUSR1);
  EXPECT_EQ(g_count, 1);
  struct sigaction cur;
  sigaction(SIGUSR1, nullptr, &cur);
  EXPECT_EQ(cur.sa_handler, SIG_DFL);
}

std::atomic<int> g_depth{0};
std::atomic<int> g_max_depth{0};

void NestingHandler(int sig, siginfo_t*, void*) {
  const int d = ++g_depth;
  if (d > g_max_depth) g_max_depth = d;
  g_count++;
  // Send the same signal once more from inside the first run.
  if (g_count == 1) RaiseHere(sig);
  --g_depth;
}

TEST(SignalFlagsTest, WithoutNodeferTheSignalWaitsForTheHandler) {
  SignalScope scope(SIGUSR1);
  g_count = 0;
  g_depth = 0;
  g_max_depth = 0;
  Install(SIGUSR1, NestingHandler, 0);
  RaiseHere(SIGUSR1);
  EXPECT_EQ(g_count, 2);
  EXPECT_EQ(g_max_depth, 1);
}

TEST(SignalFlagsTest, NodeferLetsTheHandlerNest) {
  SignalScope scope(SIGUSR1);
  g_count = 0;
  g_depth = 0;
  g_max_depth = 0;
  Install(SIGUSR1, NestingHandler, SA_NODEFER);
  RaiseHere(SIGUSR1);
  EXPECT_EQ(g_count, 2);
  EXPECT_EQ(g_max_depth, 2);
}

TEST(SignalFlagsTest, HandlerMaskIsAddedWhileItRuns) {
  SignalScope scope(SIGUSR1);
  static bool usr2_blocked;
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGUSR2);
  Install(SIGUSR1, [](int, siginfo_t*, void*) { usr2_blocked = Blocked(SIGUSR2); },
          0, &mask);
  usr2_blocked = false;
  RaiseHere(SIGUSR1);
  EXPECT_TRUE(usr2_blocked);
  EXPECT_FALSE(Blocked(SIGUSR2));
}

// --- sigaltstack and SA_ONSTACK ---

uintptr_t g_handler_sp;
stack_t g_ss_in_handler;
int g_sigaltstack_errno;

char g_other_stack[64 * 1024];

void OnStackHandler(int, siginfo_t*, void*) {
  int local;
  g_handler_sp = reinterpret_cast<uintptr_t>(&local);
  sigaltstack(nullptr, &g_ss_in_handler);
  if (g_ss_in_handler.ss_flags != SS_ONSTACK) return;
  // The stack cannot change while it is in use.
  stack_t other = {};
  other.ss_size = sizeof(g_other_stack);
  other.ss_sp = g_other_stack;
  g_sigaltstack_errno = sigaltstack(&other, nullptr) == 0 ? 0 : errno;
}

TEST(SigaltstackTest, OnstackHandlerRunsOnTheAlternateStack) {
  SignalScope scope(SIGUSR1);
  std::vector<char> mem(64 * 1024);
  stack_t ss = {};
  ss.ss_sp = mem.data();
  ss.ss_size = mem.size();
  stack_t old;
  ASSERT_THAT(sigaltstack(&ss, &old), SyscallSucceeds());
  Install(SIGUSR1, OnStackHandler, SA_ONSTACK);
  RaiseHere(SIGUSR1);
  const uintptr_t lo = reinterpret_cast<uintptr_t>(mem.data());
  EXPECT_GT(g_handler_sp, lo);
  EXPECT_LT(g_handler_sp, lo + mem.size());
  EXPECT_EQ(g_ss_in_handler.ss_flags, SS_ONSTACK);
  EXPECT_EQ(g_ss_in_handler.ss_sp, mem.data());
  EXPECT_EQ(g_sigaltstack_errno, EPERM);
  stack_t now;
  ASSERT_THAT(sigaltstack(nullptr, &now), SyscallSucceeds());
  EXPECT_EQ(now.ss_flags, 0);
  EXPECT_EQ(now.ss_size, mem.size());

  // Without SA_ONSTACK the handler stays on the normal stack.
  Install(SIGUSR1, OnStackHandler, 0);
  RaiseHere(SIGUSR1);
  EXPECT_FALSE(g_handler_sp > lo && g_handler_sp < lo + mem.size());

  stack_t off = {};
  off.ss_flags = SS_DISABLE;
  ASSERT_THAT(sigaltstack(&off, nullptr), SyscallSucceeds());
  ASSERT_THAT(sigaltstack(nullptr, &now), SyscallSucceeds());
  EXPECT_EQ(now.ss_flags, SS_DISABLE);
  if (!(old.ss_flags & SS_DISABLE)) sigaltstack(&old, nullptr);
}

TEST(SigaltstackTest, Errors) {
  std::vector<char> mem(64 * 1024);
  stack_t old;
  ASSERT_THAT(sigaltstack(nullptr, &old), SyscallSucceeds());
  stack_t ss = {};
  ss.ss_sp = mem.data();
  ss.ss_size = 1024;  // below MINSIGSTKSZ
  EXPECT_THAT(sigaltstack(&ss, nullptr), SyscallFailsWithErrno(ENOMEM));
  ss.ss_size = mem.size();
  ss.ss_flags = 0x10;
  EXPECT_THAT(sigaltstack(&ss, nullptr), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(syscall(SYS_sigaltstack, 8, nullptr), SyscallFailsWithErrno(EFAULT));
  // SS_AUTODISARM is kept and reported.
  ss.ss_flags = SS_AUTODISARM;
  ASSERT_THAT(sigaltstack(&ss, nullptr), SyscallSucceeds());
  stack_t now;
  ASSERT_THAT(sigaltstack(nullptr, &now), SyscallSucceeds());
  EXPECT_EQ(now.ss_flags, SS_AUTODISARM);
  sigaltstack(&old, nullptr);
}

// --- Synchronous faults ---

sigjmp_buf g_jmp;
siginfo_t g_fault;

void FaultHandler(int, siginfo_t* info, void*) {
  g_fault = *info;
  siglongjmp(g_jmp, 1);
}

TEST(SignalFaultTest, SegvHandlerLongjmpsOut) {
  SignalScope scope(SIGSEGV);
  void* page = mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(page, MAP_FAILED);
  Install(SIGSEGV, FaultHandler, 0);
  volatile bool faulted = false;
  if (sigsetjmp(g_jmp, 1) == 0) {
    *static_cast<volatile int*>(page) = 1;
  } else {
    faulted = true;
  }
  EXPECT_TRUE(faulted);
  EXPECT_EQ(g_fault.si_signo, SIGSEGV);
  EXPECT_EQ(g_fault.si_code, SEGV_ACCERR);
  EXPECT_EQ(g_fault.si_addr, page);
  // siglongjmp restored the mask saved by sigsetjmp: SIGSEGV is open again.
  EXPECT_FALSE(Blocked(SIGSEGV));

  // An unmapped address: SEGV_MAPERR.
  munmap(page, 4096);
  faulted = false;
  if (sigsetjmp(g_jmp, 1) == 0) {
    *static_cast<volatile int*>(page) = 1;
  } else {
    faulted = true;
  }
  EXPECT_TRUE(faulted);
  EXPECT_EQ(g_fault.si_code, SEGV_MAPERR);
  EXPECT_EQ(g_fault.si_addr, page);
}

TEST(SignalFaultTest, BusErrorPastTheEndOfAFile) {
  SignalScope scope(SIGBUS);
  // A one-byte file mapped over two pages: the second page lies wholly
  // past the end of the file, and touching it is SIGBUS (BUS_ADRERR).
  char path[] = "/tmp/sigbus_testXXXXXX";
  const int fd = mkstemp(path);
  ASSERT_THAT(fd, SyscallSucceeds());
  unlink(path);
  ASSERT_THAT(write(fd, "x", 1), SyscallSucceeds());
  char* map = static_cast<char*>(
      mmap(nullptr, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
  ASSERT_NE(map, MAP_FAILED);
  close(fd);
  EXPECT_EQ(map[0], 'x');
  Install(SIGBUS, FaultHandler, 0);
  volatile bool faulted = false;
  memset(&g_fault, 0, sizeof(g_fault));
  if (sigsetjmp(g_jmp, 1) == 0) {
    (void)*static_cast<volatile char*>(map + 4096);
  } else {
    faulted = true;
  }
  EXPECT_TRUE(faulted);
  EXPECT_EQ(g_fault.si_signo, SIGBUS);
  EXPECT_EQ(g_fault.si_code, BUS_ADRERR);
  EXPECT_EQ(g_fault.si_addr, map + 4096);
  munmap(map, 8192);
}

TEST(SignalFaultTest, FpeIllAndTrapReachHandlers) {
  SignalScope s1(SIGFPE);
  SignalScope s2(SIGILL);
  SignalScope s3(SIGTRAP);
  Install(SIGFPE, FaultHandler, 0);
  Install(SIGILL, FaultHandler, 0);
  Install(SIGTRAP, FaultHandler, 0);

  if (sigsetjmp(g_jmp, 1) == 0) {
    asm volatile("xor %%ecx, %%ecx\n mov $1, %%eax\n cltd\n idiv %%ecx" ::
                     : "eax", "ecx", "edx");
    ADD_FAILURE() << "no SIGFPE";
  }
  EXPECT_EQ(g_fault.si_signo, SIGFPE);
  EXPECT_EQ(g_fault.si_code, FPE_INTDIV);

  if (sigsetjmp(g_jmp, 1) == 0) {
    asm volatile("ud2");
    ADD_FAILURE() << "no SIGILL";
  }
  EXPECT_EQ(g_fault.si_signo, SIGILL);
  EXPECT_EQ(g_fault.si_code, ILL_ILLOPN);

  if (sigsetjmp(g_jmp, 1) == 0) {
    asm volatile("int3");
    ADD_FAILURE() << "no SIGTRAP";
  }
  EXPECT_EQ(g_fault.si_signo, SIGTRAP);
}

// --- Signals reach code that makes no system calls ---

std::atomic<bool> g_flag{false};

TEST(SignalInterruptTest, TimerSignalInterruptsABusyLoop) {
  SignalScope scope(SIGALRM);
  g_flag = false;
  Install(SIGALRM, [](int, siginfo_t*, void*) { g_flag = true; }, 0);
  struct itimerval it = {};
  it.it_value.tv_usec = 20000;
  ASSERT_THAT(setitimer(ITIMER_REAL, &it, nullptr), SyscallSucceeds());
  struct timespec start, now;
  clock_gettime(CLOCK_MONOTONIC, &start);
  uint64_t spins = 0;
  // No system call in the loop body: the signal must stop the thread
  // where it runs (the clock read is a vDSO call natively, a syscall
  // in the sandbox, so it is only done now and then).
  while (!g_flag.load(std::memory_order_relaxed)) {
    if (++spins % (1 << 24) == 0) {
      clock_gettime(CLOCK_MONOTONIC, &now);
      if (now.tv_sec - start.tv_sec > 5) break;
    }
  }
  EXPECT_TRUE(g_flag);
}

}  // namespace
