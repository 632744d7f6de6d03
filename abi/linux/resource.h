// Resource limits and usage (include/uapi/linux/resource.h,
// include/uapi/asm-generic/resource.h).
#ifndef ABI_LINUX_RESOURCE_H_
#define ABI_LINUX_RESOURCE_H_

#include <cstddef>
#include <cstdint>

#include "abi/linux/time.h"

namespace uapi {

// RLIMIT_* resource numbers.
inline constexpr int kRlimitCpu = 0;
inline constexpr int kRlimitFsize = 1;
inline constexpr int kRlimitData = 2;
inline constexpr int kRlimitStack = 3;
inline constexpr int kRlimitCore = 4;
inline constexpr int kRlimitRss = 5;
inline constexpr int kRlimitNproc = 6;
inline constexpr int kRlimitNofile = 7;
inline constexpr int kRlimitMemlock = 8;
inline constexpr int kRlimitAs = 9;
inline constexpr int kRlimitLocks = 10;
inline constexpr int kRlimitSigpending = 11;
inline constexpr int kRlimitMsgqueue = 12;
inline constexpr int kRlimitNice = 13;
inline constexpr int kRlimitRtprio = 14;
inline constexpr int kRlimitRttime = 15;
inline constexpr int kRlimitNlimits = 16;

// RLIM_INFINITY for the 64-bit structures.
inline constexpr uint64_t kRlimInfinity = ~uint64_t{0};
// i386: ugetrlimit/setrlimit/prlimit use 0xffffffff; the old getrlimit
// (i386 syscall 76) reports infinity as 0x7fffffff.
inline constexpr uint32_t kRlimInfinity32 = 0xffffffffu;
inline constexpr uint32_t kRlimOldInfinity32 = 0x7fffffffu;

// RUSAGE_* selectors for getrusage.
inline constexpr int kRusageSelf = 0;
inline constexpr int kRusageChildren = -1;
inline constexpr int kRusageThread = 1;

// struct rlimit / struct rlimit64: rlim_cur, rlim_max.
struct Rlimit {
  uint64_t cur;
  uint64_t max;
};
static_assert(sizeof(Rlimit) == 16);
static_assert(offsetof(Rlimit, max) == 8);

// i386 struct compat_rlimit.
struct Rlimit32 {
  uint32_t cur;
  uint32_t max;
};
static_assert(sizeof(Rlimit32) == 8);

// struct rusage.
struct Rusage {
  Timeval ru_utime;
  Timeval ru_stime;
  int64_t ru_maxrss;
  int64_t ru_ixrss;
  int64_t ru_idrss;
  int64_t ru_isrss;
  int64_t ru_minflt;
  int64_t ru_majflt;
  int64_t ru_nswap;
  int64_t ru_inblock;
  int64_t ru_oublock;
  int64_t ru_msgsnd;
  int64_t ru_msgrcv;
  int64_t ru_nsignals;
  int64_t ru_nvcsw;
  int64_t ru_nivcsw;
};
static_assert(sizeof(Rusage) == 144);
static_assert(offsetof(Rusage, ru_stime) == 16);
static_assert(offsetof(Rusage, ru_maxrss) == 32);
static_assert(offsetof(Rusage, ru_nivcsw) == 136);

// i386 struct compat_rusage.
struct Rusage32 {
  Timeval32 ru_utime;
  Timeval32 ru_stime;
  int32_t ru_maxrss;
  int32_t ru_ixrss;
  int32_t ru_idrss;
  int32_t ru_isrss;
  int32_t ru_minflt;
  int32_t ru_majflt;
  int32_t ru_nswap;
  int32_t ru_inblock;
  int32_t ru_oublock;
  int32_t ru_msgsnd;
  int32_t ru_msgrcv;
  int32_t ru_nsignals;
  int32_t ru_nvcsw;
  int32_t ru_nivcsw;
};
static_assert(sizeof(Rusage32) == 72);
static_assert(offsetof(Rusage32, ru_maxrss) == 16);

}  // namespace uapi

#endif  // ABI_LINUX_RESOURCE_H_
