// Signal structures the sentry reads from and writes to user memory
// (arch/x86/include/uapi/asm/sigcontext.h, signal.h, asm/sigframe.h,
// include/uapi/asm-generic/siginfo.h, ucontext.h).
//
// Signal numbers and SA_*/SS_*/SI_* values may be used from libc's
// <csignal>; the k* constants below are the ones libc does not expose (or
// exposes with a different meaning, like SIGRTMIN).
//
// Member names avoid libc macros: glibc defines sa_handler, si_pid, si_addr,
// ... as macros, so Sigaction has handler/flags/restorer/mask and Siginfo has
// kill.pid, sigfault.addr, ... instead.
#ifndef ABI_LINUX_SIGNAL_H_
#define ABI_LINUX_SIGNAL_H_

#include <cstddef>
#include <cstdint>

namespace uapi {

// ---------------------------------------------------------------------------
// Numbers and flags.

// _NSIG: signals are 1..64.
inline constexpr int kNumSignals = 64;
// The kernel's first real-time signal (glibc reserves 32 and 33 for itself
// and reports SIGRTMIN as 34).
inline constexpr int kSigRtMin = 32;
inline constexpr int kSigRtMax = 64;

// Kernel sigset_t: one bit per signal, bit (sig - 1).
using Sigset = uint64_t;
inline constexpr std::size_t kSigsetSize = sizeof(Sigset);  // rt_* sigsetsize
constexpr Sigset SigsetBit(int sig) { return Sigset{1} << (sig - 1); }

// Handler values.
inline constexpr uint64_t kSigDfl = 0;
inline constexpr uint64_t kSigIgn = 1;

// sa_flags (SA_*). kSaRestorer is kernel-only.
inline constexpr uint64_t kSaNocldstop = 0x00000001;
inline constexpr uint64_t kSaNocldwait = 0x00000002;
inline constexpr uint64_t kSaSiginfo = 0x00000004;
inline constexpr uint64_t kSaUnsupported = 0x00000400;
inline constexpr uint64_t kSaExposeTagbits = 0x00000800;
inline constexpr uint64_t kSaRestorer = 0x04000000;
inline constexpr uint64_t kSaOnstack = 0x08000000;
inline constexpr uint64_t kSaRestart = 0x10000000;
inline constexpr uint64_t kSaNodefer = 0x40000000;
inline constexpr uint64_t kSaResethand = 0x80000000;

// ss_flags (SS_*).
inline constexpr int32_t kSsOnstack = 1;
inline constexpr int32_t kSsDisable = 2;
inline constexpr uint32_t kSsAutodisarm = 1u << 31;

// Alternate stack sizes (x86 MINSIGSTKSZ / SIGSTKSZ).
inline constexpr uint64_t kMinSigstksz = 2048;
inline constexpr uint64_t kSigstksz = 8192;

// uc_flags (UC_*).
inline constexpr uint64_t kUcFpXstate = 0x1;
inline constexpr uint64_t kUcSigcontextSs = 0x2;
inline constexpr uint64_t kUcStrictRestoreSs = 0x4;

// Bytes below rsp the x86_64 ABI reserves; signal frames go below them.
inline constexpr uint64_t kRedZoneSize = 128;

// ---------------------------------------------------------------------------
// Extended FPU state in signal frames.

inline constexpr uint32_t kFpXstateMagic1 = 0x46505853u;  // "FPXS"
inline constexpr uint32_t kFpXstateMagic2 = 0x46505845u;  // "FPXE"
inline constexpr std::size_t kFpXstateMagic2Size = sizeof(kFpXstateMagic2);

inline constexpr std::size_t kFxsaveSize = 512;        // legacy FXSAVE area
inline constexpr std::size_t kXstateHeaderSize = 64;   // follows it
inline constexpr std::size_t kFpxSwBytesOffset = 464;  // within the FXSAVE area

// struct _fpx_sw_bytes: the software-reserved tail of the FXSAVE area that
// says whether (and how much) xstate follows. When magic1 matches, the
// frame's fpstate is extended_size bytes long and ends with kFpXstateMagic2.
struct FpxSwBytes {
  uint32_t magic1;
  uint32_t extended_size;  // xstate_size + kFpXstateMagic2Size
  uint64_t xfeatures;
  uint32_t xstate_size;
  uint32_t padding[7];
};
static_assert(sizeof(FpxSwBytes) == 48);
static_assert(offsetof(FpxSwBytes, xfeatures) == 8);
static_assert(offsetof(FpxSwBytes, xstate_size) == 16);

// struct _fpstate_64: the FXSAVE image (same bytes as UserFpregs in
// abi/linux/ptrace.h) with the software-reserved bytes named.
struct Fpstate64 {
  uint16_t cwd;
  uint16_t swd;
  uint16_t twd;
  uint16_t fop;
  uint64_t rip;
  uint64_t rdp;
  uint32_t mxcsr;
  uint32_t mxcsr_mask;
  uint32_t st_space[32];
  uint32_t xmm_space[64];
  uint32_t reserved2[12];
  FpxSwBytes sw_reserved;
};
static_assert(sizeof(Fpstate64) == kFxsaveSize);
static_assert(offsetof(Fpstate64, mxcsr) == 24);
static_assert(offsetof(Fpstate64, st_space) == 32);
static_assert(offsetof(Fpstate64, xmm_space) == 160);
static_assert(offsetof(Fpstate64, sw_reserved) == kFpxSwBytesOffset);

// XSAVE header (struct _header), at offset 512 of an xsave area.
struct XstateHeader {
  uint64_t xfeatures;
  uint64_t xcomp_bv;  // reserved1[0] in the uapi header; 0 in standard format
  uint64_t reserved[6];
};
static_assert(sizeof(XstateHeader) == kXstateHeaderSize);

// ---------------------------------------------------------------------------
// x86_64 structures.

// struct sigcontext (x86_64), the uc_mcontext of a signal frame.
struct Sigcontext64 {
  uint64_t r8;
  uint64_t r9;
  uint64_t r10;
  uint64_t r11;
  uint64_t r12;
  uint64_t r13;
  uint64_t r14;
  uint64_t r15;
  uint64_t rdi;
  uint64_t rsi;
  uint64_t rbp;
  uint64_t rbx;
  uint64_t rdx;
  uint64_t rax;
  uint64_t rcx;
  uint64_t rsp;
  uint64_t rip;
  uint64_t eflags;
  uint16_t cs;
  uint16_t gs;
  uint16_t fs;
  uint16_t ss;  // valid if uc_flags has kUcSigcontextSs
  uint64_t err;
  uint64_t trapno;
  uint64_t oldmask;
  uint64_t cr2;
  uint64_t fpstate;  // user address of the FP state, 0 if none
  uint64_t reserved1[8];
};
static_assert(sizeof(Sigcontext64) == 256);
static_assert(offsetof(Sigcontext64, rdi) == 64);
static_assert(offsetof(Sigcontext64, rax) == 104);
static_assert(offsetof(Sigcontext64, rsp) == 120);
static_assert(offsetof(Sigcontext64, rip) == 128);
static_assert(offsetof(Sigcontext64, eflags) == 136);
static_assert(offsetof(Sigcontext64, cs) == 144);
static_assert(offsetof(Sigcontext64, ss) == 150);
static_assert(offsetof(Sigcontext64, err) == 152);
static_assert(offsetof(Sigcontext64, oldmask) == 168);
static_assert(offsetof(Sigcontext64, cr2) == 176);
static_assert(offsetof(Sigcontext64, fpstate) == 184);

// union sigval.
union Sigval {
  int32_t sival_int;
  uint64_t sival_ptr;
};
static_assert(sizeof(Sigval) == 8);

// siginfo_t (x86_64), 128 bytes. The union member to use depends on the
// signal and si_code: kill (SI_USER, SI_TKILL), timer (SI_TIMER), rt
// (SI_QUEUE, SI_MESGQ), sigchld (SIGCHLD), sigfault (SIGSEGV, SIGBUS,
// SIGILL, SIGFPE, SIGTRAP), sigpoll (SIGIO), sigsys (SIGSYS).
struct Siginfo {
  struct Kill {
    int32_t pid;
    uint32_t uid;
  };
  struct Timer {
    int32_t tid;
    int32_t overrun;
    Sigval sigval;
    int32_t sys_private;  // kernel-internal, written as 0
  };
  struct Rt {
    int32_t pid;
    uint32_t uid;
    Sigval sigval;
  };
  struct Sigchld {
    int32_t pid;
    uint32_t uid;
    int32_t status;
    int64_t utime;  // clock ticks
    int64_t stime;
  };
  struct Sigfault {
    struct Bnd {
      uint64_t pad;
      uint64_t lower;
      uint64_t upper;
    };
    struct Pkey {
      uint64_t pad;
      uint32_t pkey;
    };
    struct Perf {
      uint64_t data;
      uint32_t type;
      uint32_t flags;
    };
    uint64_t addr;
    union {
      int32_t trapno;
      int16_t addr_lsb;  // BUS_MCEERR_*
      Bnd addr_bnd;      // SEGV_BNDERR; lower/upper follow addr
      Pkey addr_pkey;    // SEGV_PKUERR
      Perf perf;         // TRAP_PERF
    };
  };
  struct Sigpoll {
    int64_t band;
    int32_t fd;
  };
  struct Sigsys {
    uint64_t call_addr;
    int32_t syscall;
    uint32_t arch;  // AUDIT_ARCH_*
  };

  int32_t si_signo;
  int32_t si_errno;
  int32_t si_code;
  int32_t pad0;
  union {
    Kill kill;
    Timer timer;
    Rt rt;
    Sigchld sigchld;
    Sigfault sigfault;
    Sigpoll sigpoll;
    Sigsys sigsys;
    uint8_t fields[112];
  };
};
static_assert(sizeof(Siginfo) == 128);
static_assert(offsetof(Siginfo, si_errno) == 4);
static_assert(offsetof(Siginfo, si_code) == 8);
static_assert(offsetof(Siginfo, kill) == 16);
static_assert(offsetof(Siginfo, fields) == 16);
static_assert(offsetof(Siginfo, timer) + offsetof(Siginfo::Timer, sigval) == 24);
static_assert(offsetof(Siginfo, sigchld) + offsetof(Siginfo::Sigchld, status) == 24);
static_assert(offsetof(Siginfo, sigchld) + offsetof(Siginfo::Sigchld, utime) == 32);
static_assert(offsetof(Siginfo, sigchld) + offsetof(Siginfo::Sigchld, stime) == 40);
static_assert(offsetof(Siginfo::Sigfault, addr_lsb) == 8);
static_assert(offsetof(Siginfo::Sigfault, addr_bnd) + offsetof(Siginfo::Sigfault::Bnd, lower) == 16);
static_assert(offsetof(Siginfo::Sigfault, addr_pkey) + offsetof(Siginfo::Sigfault::Pkey, pkey) == 16);
static_assert(offsetof(Siginfo::Sigsys, arch) == 12);

// Kernel struct sigaction as rt_sigaction(2) passes it on x86_64.
struct Sigaction {
  uint64_t handler;  // kSigDfl, kSigIgn or a user address
  uint64_t flags;    // kSa*
  uint64_t restorer;
  Sigset mask;
};
static_assert(sizeof(Sigaction) == 32);
static_assert(offsetof(Sigaction, flags) == 8);
static_assert(offsetof(Sigaction, restorer) == 16);
static_assert(offsetof(Sigaction, mask) == 24);

// stack_t (sigaltstack, uc_stack).
struct Stack {
  uint64_t ss_sp;
  int32_t ss_flags;
  int32_t pad0;
  uint64_t ss_size;
};
static_assert(sizeof(Stack) == 24);
static_assert(offsetof(Stack, ss_flags) == 8);
static_assert(offsetof(Stack, ss_size) == 16);

// Kernel struct ucontext (x86_64).
struct Ucontext {
  uint64_t uc_flags;  // kUc*
  uint64_t uc_link;
  Stack uc_stack;
  Sigcontext64 uc_mcontext;
  Sigset uc_sigmask;
};
static_assert(sizeof(Ucontext) == 304);
static_assert(offsetof(Ucontext, uc_stack) == 16);
static_assert(offsetof(Ucontext, uc_mcontext) == 40);
static_assert(offsetof(Ucontext, uc_sigmask) == 296);

// struct rt_sigframe (x86_64): what rsp points at when the handler starts.
// pretcode is the handler's return address (sa_restorer). The FP state (an
// FXSAVE/XSAVE image, 64-byte aligned) lies above the frame, and
// uc.uc_mcontext.fpstate points to it. The frame is placed so that
// (address of frame + 8) is 16-byte aligned, as after a call instruction.
struct RtSigframe {
  uint64_t pretcode;
  Ucontext uc;
  Siginfo info;
};
static_assert(sizeof(RtSigframe) == 440);
static_assert(offsetof(RtSigframe, uc) == 8);
static_assert(offsetof(RtSigframe, info) == 312);

// ---------------------------------------------------------------------------
// i386 structures (int 0x80 / 32-bit code). 64-bit members are only 4-byte
// aligned on i386, hence the packing.

#pragma pack(push, 4)

// struct _fpreg, _fpxreg, _xmmreg.
struct Fpreg32 {
  uint16_t significand[4];
  uint16_t exponent;
};
struct Fpxreg32 {
  uint16_t significand[4];
  uint16_t exponent;
  uint16_t padding[3];
};
struct Xmmreg32 {
  uint32_t element[4];
};

// struct _fpstate_32: FSAVE environment followed by an FXSAVE image.
struct Fpstate32 {
  uint32_t cw;
  uint32_t sw;
  uint32_t tag;
  uint32_t ipoff;
  uint32_t cssel;
  uint32_t dataoff;
  uint32_t datasel;
  Fpreg32 st[8];
  uint16_t status;
  uint16_t magic;  // 0xffff: FSAVE data only; 0x0000: FXSR data follows
  uint32_t fxsr_env[6];
  uint32_t mxcsr;
  uint32_t reserved;
  Fpxreg32 fxsr_st[8];
  Xmmreg32 xmm[8];
  uint32_t padding1[44];
  FpxSwBytes sw_reserved;
};

// struct sigcontext_32.
struct Sigcontext32 {
  uint16_t gs, gsh;
  uint16_t fs, fsh;
  uint16_t es, esh;
  uint16_t ds, dsh;
  uint32_t edi;
  uint32_t esi;
  uint32_t ebp;
  uint32_t esp;
  uint32_t ebx;
  uint32_t edx;
  uint32_t ecx;
  uint32_t eax;
  uint32_t trapno;
  uint32_t err;
  uint32_t eip;
  uint16_t cs, csh;
  uint32_t eflags;
  uint32_t esp_at_signal;
  uint16_t ss, ssh;
  uint32_t fpstate;  // user address of a Fpstate32, 0 if none
  uint32_t oldmask;
  uint32_t cr2;
};

// union compat_sigval.
union Sigval32 {
  int32_t sival_int;
  uint32_t sival_ptr;
};

// compat_siginfo_t (i386), 128 bytes; the union starts at 12.
struct Siginfo32 {
  struct Kill {
    int32_t pid;
    uint32_t uid;
  };
  struct Timer {
    int32_t tid;
    int32_t overrun;
    Sigval32 sigval;
    int32_t sys_private;
  };
  struct Rt {
    int32_t pid;
    uint32_t uid;
    Sigval32 sigval;
  };
  struct Sigchld {
    int32_t pid;
    uint32_t uid;
    int32_t status;
    int32_t utime;
    int32_t stime;
  };
  struct Sigfault {
    struct Bnd {
      uint32_t pad;
      uint32_t lower;
      uint32_t upper;
    };
    struct Pkey {
      uint32_t pad;
      uint32_t pkey;
    };
    struct Perf {
      uint32_t data;
      uint32_t type;
      uint32_t flags;
    };
    uint32_t addr;
    union {
      int32_t trapno;
      int16_t addr_lsb;
      Bnd addr_bnd;
      Pkey addr_pkey;
      Perf perf;
    };
  };
  struct Sigpoll {
    int32_t band;
    int32_t fd;
  };
  struct Sigsys {
    uint32_t call_addr;
    int32_t syscall;
    uint32_t arch;
  };

  int32_t si_signo;
  int32_t si_errno;
  int32_t si_code;
  union {
    Kill kill;
    Timer timer;
    Rt rt;
    Sigchld sigchld;
    Sigfault sigfault;
    Sigpoll sigpoll;
    Sigsys sigsys;
    uint8_t fields[116];
  };
};

// Kernel struct sigaction32 (i386 rt_sigaction).
struct Sigaction32 {
  uint32_t handler;
  uint32_t flags;
  uint32_t restorer;
  Sigset mask;
};

// struct old_sigaction32 (i386 sigaction, syscall 67).
struct OldSigaction32 {
  uint32_t handler;
  uint32_t mask;  // signals 1..32 only
  uint32_t flags;
  uint32_t restorer;
};

// stack_ia32_t.
struct Stack32 {
  uint32_t ss_sp;
  int32_t ss_flags;
  uint32_t ss_size;
};

// struct ucontext_ia32.
struct Ucontext32 {
  uint32_t uc_flags;
  uint32_t uc_link;
  Stack32 uc_stack;
  Sigcontext32 uc_mcontext;
  Sigset uc_sigmask;
};

// struct rt_sigframe_ia32 (handlers installed with SA_SIGINFO). pinfo and
// puc point at info and uc; retcode is the legacy "movl $nr, %eax; int $0x80"
// trampoline used when no restorer was given. The FP state follows.
struct RtSigframe32 {
  uint32_t pretcode;
  int32_t sig;
  uint32_t pinfo;
  uint32_t puc;
  Siginfo32 info;
  Ucontext32 uc;
  uint8_t retcode[8];
};

// struct sigframe_ia32 (handlers without SA_SIGINFO; sigreturn, syscall
// 119). fpstate_unused only keeps extramask at its historical offset; the
// live FP state follows the frame.
struct Sigframe32 {
  uint32_t pretcode;
  int32_t sig;
  Sigcontext32 sc;
  Fpstate32 fpstate_unused;
  uint32_t extramask;  // signals 33..64 of the saved mask
  uint8_t retcode[8];
};

#pragma pack(pop)

static_assert(sizeof(Fpreg32) == 10);
static_assert(sizeof(Fpxreg32) == 16);
static_assert(sizeof(Fpstate32) == 624);
static_assert(offsetof(Fpstate32, status) == 108);
static_assert(offsetof(Fpstate32, fxsr_env) == 112);
static_assert(offsetof(Fpstate32, mxcsr) == 136);
static_assert(offsetof(Fpstate32, fxsr_st) == 144);
static_assert(offsetof(Fpstate32, xmm) == 272);
static_assert(offsetof(Fpstate32, sw_reserved) == 576);
// The FXSAVE image inside _fpstate_32 starts at fxsr_env (offset 112), so its
// software-reserved bytes land at 112 + kFpxSwBytesOffset.
static_assert(offsetof(Fpstate32, sw_reserved) == 112 + kFpxSwBytesOffset);

static_assert(sizeof(Sigcontext32) == 88);
static_assert(offsetof(Sigcontext32, edi) == 16);
static_assert(offsetof(Sigcontext32, eax) == 44);
static_assert(offsetof(Sigcontext32, trapno) == 48);
static_assert(offsetof(Sigcontext32, eip) == 56);
static_assert(offsetof(Sigcontext32, cs) == 60);
static_assert(offsetof(Sigcontext32, eflags) == 64);
static_assert(offsetof(Sigcontext32, ss) == 72);
static_assert(offsetof(Sigcontext32, fpstate) == 76);
static_assert(offsetof(Sigcontext32, cr2) == 84);

static_assert(sizeof(Sigval32) == 4);
static_assert(sizeof(Siginfo32) == 128);
static_assert(offsetof(Siginfo32, kill) == 12);
static_assert(offsetof(Siginfo32, sigchld) + offsetof(Siginfo32::Sigchld, utime) == 24);
static_assert(offsetof(Siginfo32::Sigfault, addr_lsb) == 4);
static_assert(offsetof(Siginfo32::Sigsys, arch) == 8);

static_assert(sizeof(Sigaction32) == 20);
static_assert(offsetof(Sigaction32, mask) == 12);
static_assert(sizeof(OldSigaction32) == 16);
static_assert(sizeof(Stack32) == 12);

static_assert(sizeof(Ucontext32) == 116);
static_assert(offsetof(Ucontext32, uc_stack) == 8);
static_assert(offsetof(Ucontext32, uc_mcontext) == 20);
static_assert(offsetof(Ucontext32, uc_sigmask) == 108);

static_assert(sizeof(RtSigframe32) == 268);
static_assert(offsetof(RtSigframe32, info) == 16);
static_assert(offsetof(RtSigframe32, uc) == 144);
static_assert(offsetof(RtSigframe32, retcode) == 260);

static_assert(sizeof(Sigframe32) == 732);
static_assert(offsetof(Sigframe32, sc) == 8);
static_assert(offsetof(Sigframe32, fpstate_unused) == 96);
static_assert(offsetof(Sigframe32, extramask) == 720);
static_assert(offsetof(Sigframe32, retcode) == 724);

}  // namespace uapi

#endif  // ABI_LINUX_SIGNAL_H_
