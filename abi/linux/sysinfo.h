// struct sysinfo (include/uapi/linux/sysinfo.h).
#ifndef ABI_LINUX_SYSINFO_H_
#define ABI_LINUX_SYSINFO_H_

#include <cstddef>
#include <cstdint>

namespace uapi {

// Fixed-point shift of the load averages in Sysinfo::loads (SI_LOAD_SHIFT).
inline constexpr int kSiLoadShift = 16;

// x86_64 struct sysinfo. The padding members are explicit so a zeroed value
// leaks nothing.
struct Sysinfo {
  int64_t uptime;  // seconds since boot
  uint64_t loads[3];
  uint64_t totalram;
  uint64_t freeram;
  uint64_t sharedram;
  uint64_t bufferram;
  uint64_t totalswap;
  uint64_t freeswap;
  uint16_t procs;
  uint16_t pad;
  uint32_t pad2;
  uint64_t totalhigh;
  uint64_t freehigh;
  uint32_t mem_unit;  // the *ram/*swap/*high fields count units of this size
  uint8_t f[4];       // _f[] plus tail padding
};
static_assert(sizeof(Sysinfo) == 112);
static_assert(offsetof(Sysinfo, totalram) == 32);
static_assert(offsetof(Sysinfo, freeswap) == 72);
static_assert(offsetof(Sysinfo, procs) == 80);
static_assert(offsetof(Sysinfo, totalhigh) == 88);
static_assert(offsetof(Sysinfo, mem_unit) == 104);

// i386 struct compat_sysinfo.
struct Sysinfo32 {
  int32_t uptime;
  uint32_t loads[3];
  uint32_t totalram;
  uint32_t freeram;
  uint32_t sharedram;
  uint32_t bufferram;
  uint32_t totalswap;
  uint32_t freeswap;
  uint16_t procs;
  uint16_t pad;
  uint32_t totalhigh;
  uint32_t freehigh;
  uint32_t mem_unit;
  uint8_t f[8];
};
static_assert(sizeof(Sysinfo32) == 64);
static_assert(offsetof(Sysinfo32, procs) == 40);
static_assert(offsetof(Sysinfo32, mem_unit) == 52);

}  // namespace uapi

#endif  // ABI_LINUX_SYSINFO_H_
