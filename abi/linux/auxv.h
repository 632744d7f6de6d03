// Auxiliary vector entry types (include/uapi/linux/auxvec.h,
// arch/x86/include/uapi/asm/auxvec.h), as kAt* to stay clear of libc's AT_*.
#ifndef ABI_LINUX_AUXV_H_
#define ABI_LINUX_AUXV_H_

#include <cstdint>

namespace uapi {

inline constexpr uint64_t kAtNull = 0;
inline constexpr uint64_t kAtIgnore = 1;
inline constexpr uint64_t kAtExecfd = 2;
inline constexpr uint64_t kAtPhdr = 3;
inline constexpr uint64_t kAtPhent = 4;
inline constexpr uint64_t kAtPhnum = 5;
inline constexpr uint64_t kAtPagesz = 6;
inline constexpr uint64_t kAtBase = 7;
inline constexpr uint64_t kAtFlags = 8;
inline constexpr uint64_t kAtEntry = 9;
inline constexpr uint64_t kAtNotelf = 10;
inline constexpr uint64_t kAtUid = 11;
inline constexpr uint64_t kAtEuid = 12;
inline constexpr uint64_t kAtGid = 13;
inline constexpr uint64_t kAtEgid = 14;
inline constexpr uint64_t kAtPlatform = 15;
inline constexpr uint64_t kAtHwcap = 16;
inline constexpr uint64_t kAtClktck = 17;
inline constexpr uint64_t kAtSecure = 23;
inline constexpr uint64_t kAtBasePlatform = 24;
inline constexpr uint64_t kAtRandom = 25;
inline constexpr uint64_t kAtHwcap2 = 26;
inline constexpr uint64_t kAtRseqFeatureSize = 27;
inline constexpr uint64_t kAtRseqAlign = 28;
inline constexpr uint64_t kAtExecfn = 31;
inline constexpr uint64_t kAtSysinfo = 32;  // i386 only: vDSO syscall entry
inline constexpr uint64_t kAtSysinfoEhdr = 33;
inline constexpr uint64_t kAtMinsigstksz = 51;

// Bytes of random data AT_RANDOM points to.
inline constexpr uint64_t kAtRandomSize = 16;

// One auxv entry on the initial stack.
struct Auxv64 {
  uint64_t a_type;
  uint64_t a_val;
};
static_assert(sizeof(Auxv64) == 16);

struct Auxv32 {
  uint32_t a_type;
  uint32_t a_val;
};
static_assert(sizeof(Auxv32) == 8);

}  // namespace uapi

#endif  // ABI_LINUX_AUXV_H_
