#include "sentry/kernel/signal_frame.h"

#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <cstring>
#include <vector>

#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/thread_group.h"

namespace sentry {

namespace {

// The x86-64 red zone below rsp that a handler frame must not touch.
constexpr uint64_t kRedZone = 128;
// EFLAGS bits rt_sigreturn may change (FIX_EFLAGS in signal.c).
constexpr uint64_t kFixEflags = 0x50dd5;
// Flags cleared on handler entry: TF, DF, RF.
constexpr uint64_t kHandlerClearEflags = 0x100 | 0x400 | 0x10000;

uint64_t HostXcr0() {
  uint32_t lo, hi;
  asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (static_cast<uint64_t>(hi) << 32) | lo;
}

uapi::Fpstate64* Legacy(std::vector<uint8_t>& xs) {
  return reinterpret_cast<uapi::Fpstate64*>(xs.data());
}

uapi::XstateHeader* Header(std::vector<uint8_t>& xs) {
  return reinterpret_cast<uapi::XstateHeader*>(xs.data() + uapi::kFxsaveSize);
}

// Size of the host's XSAVE image as PTRACE_GETREGSET NT_X86_XSTATE returns
// it: fixed for the machine, so rt_sigreturn can check a frame's
// xstate_size without fetching the current state (one ptrace call fewer).
std::atomic<uint64_t> g_xstate_size{0};

bool OnStack(const uapi::Stack& ss, uint64_t sp) {
  return !(ss.ss_flags & uapi::kSsDisable) && ss.ss_size &&
         sp > ss.ss_sp && sp - ss.ss_sp <= ss.ss_size;
}

}  // namespace

bool SetupSignalFrame(Task& t, const uapi::Siginfo& info,
                      const uapi::Sigaction& act, uapi::Sigset old_mask) {
  // x86-64 handlers return through sa_restorer; without it Linux refuses
  // to build the frame.
  if (!(act.flags & uapi::kSaRestorer)) return false;
  uapi::UserRegs regs = t.ctx().Regs();

  std::vector<uint8_t> xs;
  if (!t.ctx().GetFpState(&xs).ok() ||
      xs.size() < uapi::kFxsaveSize + uapi::kXstateHeaderSize)
    return false;
  const uint64_t xsize = xs.size();
  g_xstate_size.store(xsize, std::memory_order_relaxed);

  // get_sigframe(): below the red zone, or at the top of the alternate
  // stack when asked for and not already on it.
  uint64_t sp = regs.rsp - kRedZone;
  const bool on_alt = OnStack(t.alt_stack, regs.rsp);
  if ((act.flags & uapi::kSaOnstack) && !on_alt &&
      !(t.alt_stack.ss_flags & uapi::kSsDisable) && t.alt_stack.ss_size) {
    sp = t.alt_stack.ss_sp + t.alt_stack.ss_size;
  }
  const uint64_t fp = (sp - (xsize + uapi::kFpXstateMagic2Size)) & ~uint64_t{63};
  const uint64_t frame_addr =
      ((fp - sizeof(uapi::RtSigframe)) & ~uint64_t{15}) - 8;

  // The FP state, with the software bytes telling sigreturn what follows.
  uapi::Fpstate64* legacy = Legacy(xs);
  std::memset(&legacy->sw_reserved, 0, sizeof(legacy->sw_reserved));
  legacy->sw_reserved.magic1 = uapi::kFpXstateMagic1;
  legacy->sw_reserved.extended_size =
      static_cast<uint32_t>(xsize + uapi::kFpXstateMagic2Size);
  legacy->sw_reserved.xfeatures = HostXcr0();
  legacy->sw_reserved.xstate_size = static_cast<uint32_t>(xsize);
  uapi::RtSigframe frame;
  std::memset(&frame, 0, sizeof(frame));
  frame.pretcode = act.restorer;
  frame.uc.uc_flags =
      uapi::kUcFpXstate | uapi::kUcSigcontextSs | uapi::kUcStrictRestoreSs;
  frame.uc.uc_stack = t.alt_stack;
  frame.uc.uc_stack.ss_flags =
      (t.alt_stack.ss_flags & uapi::kSsDisable) || !t.alt_stack.ss_size
          ? uapi::kSsDisable
          : (on_alt ? uapi::kSsOnstack : 0);
  uapi::Sigcontext64& sc = frame.uc.uc_mcontext;
  sc.r8 = regs.r8;
  sc.r9 = regs.r9;
  sc.r10 = regs.r10;
  sc.r11 = regs.r11;
  sc.r12 = regs.r12;
  sc.r13 = regs.r13;
  sc.r14 = regs.r14;
  sc.r15 = regs.r15;
  sc.rdi = regs.rdi;
  sc.rsi = regs.rsi;
  sc.rbp = regs.rbp;
  sc.rbx = regs.rbx;
  sc.rdx = regs.rdx;
  sc.rax = regs.rax;
  sc.rcx = regs.rcx;
  sc.rsp = regs.rsp;
  sc.rip = regs.rip;
  sc.eflags = regs.eflags;
  sc.cs = static_cast<uint16_t>(regs.cs);
  sc.ss = static_cast<uint16_t>(regs.ss);
  sc.oldmask = old_mask;
  if (info.si_signo == SIGSEGV || info.si_signo == SIGBUS) {
    sc.cr2 = info.sigfault.addr;
    sc.trapno = 14;  // page fault
  }
  sc.fpstate = fp;
  frame.uc.uc_sigmask = old_mask;
  frame.info = info;

  // The frame and the FP state (with magic2 after it) are written with one
  // copy: the frame sits just below the FP state, and the few alignment
  // bytes between them are unused stack below the interrupted rsp.
  const uint64_t image_size = fp + xsize + uapi::kFpXstateMagic2Size - frame_addr;
  std::vector<uint8_t> image(image_size, 0);
  std::memcpy(image.data(), &frame, sizeof(frame));
  std::memcpy(image.data() + (fp - frame_addr), xs.data(), xsize);
  const uint32_t magic2 = uapi::kFpXstateMagic2;
  std::memcpy(image.data() + (fp - frame_addr) + xsize, &magic2, sizeof(magic2));
  if (t.CopyOut(frame_addr, image.data(), image.size()) < 0) return false;

  // The handler starts with the FPU in its initial state
  // (fpu__clear_user_states()).
  std::vector<uint8_t> init(xs.size(), 0);
  uapi::Fpstate64* il = Legacy(init);
  il->cwd = 0x37f;
  il->mxcsr = 0x1f80;
  il->mxcsr_mask = legacy->mxcsr_mask;
  Header(init)->xfeatures = 0;
  (void)t.ctx().SetFpState(init);

  uapi::UserRegs& r = t.ctx().MutableRegs();
  r.rdi = static_cast<uint64_t>(info.si_signo);
  r.rsi = frame_addr + offsetof(uapi::RtSigframe, info);
  r.rdx = frame_addr + offsetof(uapi::RtSigframe, uc);
  r.rax = 0;
  r.rip = act.handler;
  r.rsp = frame_addr;
  r.eflags &= ~kHandlerClearEflags;
  r.orig_rax = static_cast<uint64_t>(-1);
  if (t.alt_stack.ss_flags & static_cast<int32_t>(uapi::kSsAutodisarm)) {
    t.alt_stack = uapi::Stack{0, uapi::kSsDisable, 0, 0};
  }
  return true;
}

int64_t SysRtSigreturn(Task& t, const SyscallArgs&) {
  uapi::UserRegs cur = t.ctx().Regs();
  const uint64_t frame_addr = cur.rsp - 8;  // `ret` popped pretcode
  uint64_t xsize = g_xstate_size.load(std::memory_order_relaxed);
  std::vector<uint8_t> current;  // the task's FP state, fetched only if needed
  if (xsize == 0) {
    if (!t.ctx().GetFpState(&current).ok()) {
      t.ExitGroup(SIGSEGV | WCOREFLAG);
      return 0;
    }
    xsize = current.size();
    g_xstate_size.store(xsize, std::memory_order_relaxed);
  }
  // A frame built by SetupSignalFrame has its FP state at most 64 + 24
  // bytes above its end: read both with one copy when that memory is
  // readable, else the frame alone (the application may have built it).
  const uint64_t fp_tail = xsize + uapi::kFpXstateMagic2Size;
  std::vector<uint8_t> block(sizeof(uapi::RtSigframe) + 64 + 24 + fp_tail);
  bool have_block = t.CopyIn(frame_addr, block.data(), block.size()) >= 0;
  uapi::RtSigframe frame;
  if (have_block) {
    std::memcpy(&frame, block.data(), sizeof(frame));
  } else if (t.CopyInObj(frame_addr, &frame) < 0) {
    t.ExitGroup(SIGSEGV | WCOREFLAG);
    return 0;
  }
  const uapi::Sigcontext64& sc = frame.uc.uc_mcontext;
  uapi::UserRegs& r = t.ctx().MutableRegs();
  r.r8 = sc.r8;
  r.r9 = sc.r9;
  r.r10 = sc.r10;
  r.r11 = sc.r11;
  r.r12 = sc.r12;
  r.r13 = sc.r13;
  r.r14 = sc.r14;
  r.r15 = sc.r15;
  r.rdi = sc.rdi;
  r.rsi = sc.rsi;
  r.rbp = sc.rbp;
  r.rbx = sc.rbx;
  r.rdx = sc.rdx;
  r.rax = sc.rax;
  r.rcx = sc.rcx;
  r.rsp = sc.rsp;
  r.rip = sc.rip;
  // Only the arithmetic and direction flags come from the frame; segment
  // selectors stay the sentry's (no privileged state is restored).
  r.eflags = (cur.eflags & ~kFixEflags) | (sc.eflags & kFixEflags);
  r.orig_rax = static_cast<uint64_t>(-1);

  if (sc.fpstate) {
    // The user's FP area: the legacy 512 bytes always, the rest (and
    // magic2 after it) if the software bytes announce an XSAVE image of
    // this machine's size.
    std::vector<uint8_t> user(fp_tail);
    const uint64_t block_off = sc.fpstate - frame_addr;
    if (have_block && sc.fpstate >= frame_addr &&
        block_off <= block.size() - fp_tail) {
      std::memcpy(user.data(), block.data() + block_off, fp_tail);
    } else if (t.CopyIn(sc.fpstate, user.data(), uapi::kFxsaveSize) < 0) {
      t.ExitGroup(SIGSEGV | WCOREFLAG);
      return 0;
    } else if (t.CopyIn(sc.fpstate, user.data(), fp_tail) < 0) {
      // Only the legacy part is there: the extended checks below fail.
      std::memset(user.data() + uapi::kFxsaveSize, 0, fp_tail - uapi::kFxsaveSize);
    }
    const auto* sw = &reinterpret_cast<uapi::Fpstate64*>(user.data())->sw_reserved;
    uint32_t magic2 = 0;
    std::memcpy(&magic2, user.data() + xsize, sizeof(magic2));
    const bool extended =
        sw->magic1 == uapi::kFpXstateMagic1 && sw->xstate_size == xsize &&
        sw->extended_size == xsize + uapi::kFpXstateMagic2Size &&
        magic2 == uapi::kFpXstateMagic2;
    std::vector<uint8_t> xs;
    bool ok = true;
    if (extended) {
      // Sanitize the header: standard format, known features only.
      user.resize(xsize);
      uapi::XstateHeader* h = Header(user);
      h->xfeatures &= HostXcr0();
      h->xcomp_bv = 0;
      std::memset(h->reserved, 0, sizeof(h->reserved));
      xs = std::move(user);
    } else {
      // Legacy FXSAVE image only: the rest of the state stays as it is.
      if (current.empty()) ok = t.ctx().GetFpState(&current).ok();
      if (ok) {
        xs = std::move(current);
        std::memcpy(xs.data(), user.data(), uapi::kFxsaveSize);
        Header(xs)->xfeatures |= 3;
      }
    }
    if (ok) {
      uapi::Fpstate64* l = Legacy(xs);
      l->mxcsr &= l->mxcsr_mask ? l->mxcsr_mask : 0xffbf;
      ok = t.ctx().SetFpState(xs).ok();
    }
    if (!ok) {
      t.ExitGroup(SIGSEGV | WCOREFLAG);
      return 0;
    }
  }
  t.set_signal_mask(frame.uc.uc_sigmask);
  // A sleep a handler interrupted is not continued by a later
  // restart_syscall(2): that returns EINTR (restore_sigcontext()).
  t.restart_block = nullptr;
  // restore_altstack(): as sigaltstack(2) would, errors ignored.
  const uapi::Stack& ss = frame.uc.uc_stack;
  if (!OnStack(t.alt_stack, cur.rsp)) {
    const int mode = ss.ss_flags & ~static_cast<int32_t>(uapi::kSsAutodisarm);
    if (mode == uapi::kSsDisable) {
      t.alt_stack = uapi::Stack{0, uapi::kSsDisable, 0, 0};
    } else if (mode == 0 || mode == uapi::kSsOnstack) {
      if (ss.ss_size >= uapi::kMinSigstksz) {
        t.alt_stack = ss;
        t.alt_stack.ss_flags &= static_cast<int32_t>(uapi::kSsAutodisarm);
      }
    }
  }
  t.regs_replaced = true;
  return 0;
}

}  // namespace sentry
