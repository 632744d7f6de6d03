// x86-64 register layouts as ptrace(2) and the signal frame expose them
// (arch/x86/include/asm/user_64.h: struct user_regs_struct,
// struct user_i387_struct).
#ifndef ABI_LINUX_PTRACE_H_
#define ABI_LINUX_PTRACE_H_

#include <cstddef>
#include <cstdint>

namespace uapi {

struct UserRegs {
  uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
  uint64_t rax, rcx, rdx, rsi, rdi, orig_rax;
  uint64_t rip, cs, eflags, rsp, ss;
  uint64_t fs_base, gs_base;
  uint64_t ds, es, fs, gs;
};
static_assert(sizeof(UserRegs) == 27 * 8);
static_assert(offsetof(UserRegs, rax) == 80);
static_assert(offsetof(UserRegs, orig_rax) == 120);
static_assert(offsetof(UserRegs, rip) == 128);
static_assert(offsetof(UserRegs, rsp) == 152);
static_assert(offsetof(UserRegs, fs_base) == 168);

// FXSAVE area (struct user_i387_struct / struct _fpstate_64).
struct UserFpregs {
  uint16_t cwd, swd, ftw, fop;
  uint64_t rip, rdp;
  uint32_t mxcsr, mxcsr_mask;
  uint32_t st_space[32];
  uint32_t xmm_space[64];
  uint32_t padding[24];
};
static_assert(sizeof(UserFpregs) == 512);
static_assert(offsetof(UserFpregs, mxcsr) == 24);
static_assert(offsetof(UserFpregs, st_space) == 32);
static_assert(offsetof(UserFpregs, xmm_space) == 160);

// PTRACE_GET_SYSCALL_INFO (include/uapi/linux/ptrace.h).
struct PtraceSyscallInfo {
  uint8_t op;
  uint8_t pad[3];
  uint32_t arch;
  uint64_t instruction_pointer;
  uint64_t stack_pointer;
  union {
    struct {
      uint64_t nr;
      uint64_t args[6];
    } entry;
    struct {
      int64_t rval;
      uint8_t is_error;
    } exit;
    struct {
      uint64_t nr;
      uint64_t args[6];
      uint32_t ret_data;
    } seccomp;
  };
};
static_assert(offsetof(PtraceSyscallInfo, arch) == 4);
static_assert(offsetof(PtraceSyscallInfo, instruction_pointer) == 8);
static_assert(offsetof(PtraceSyscallInfo, entry) == 24);
static_assert(sizeof(PtraceSyscallInfo) == 88);

inline constexpr int kPtraceGetSyscallInfo = 0x420e;
inline constexpr uint8_t kPtraceSyscallInfoEntry = 1;
inline constexpr uint32_t kAuditArchX86_64 = 0xc000003e;
inline constexpr uint32_t kAuditArchI386 = 0x40000003;

}  // namespace uapi

#endif  // ABI_LINUX_PTRACE_H_
