// stat family structures (arch/x86/include/uapi/asm/stat.h,
// include/uapi/linux/stat.h).
//
// Timestamps are named st_atim/st_mtim/st_ctim (a seconds + nanoseconds pair),
// as glibc names them; the kernel's st_atime/st_atime_nsec occupy the same
// bytes. (st_atime itself is a libc macro and must not be a member name.)
#ifndef ABI_LINUX_STAT_H_
#define ABI_LINUX_STAT_H_

#include <cstddef>
#include <cstdint>

#include "abi/linux/time.h"

namespace uapi {

// x86_64 struct stat (stat, fstat, lstat, newfstatat).
struct Stat {
  uint64_t st_dev;
  uint64_t st_ino;
  uint64_t st_nlink;
  uint32_t st_mode;
  uint32_t st_uid;
  uint32_t st_gid;
  uint32_t pad0;
  uint64_t st_rdev;
  int64_t st_size;
  int64_t st_blksize;
  int64_t st_blocks;  // 512-byte blocks
  Timespec st_atim;
  Timespec st_mtim;
  Timespec st_ctim;
  int64_t unused[3];
};
static_assert(sizeof(Stat) == 144);
static_assert(offsetof(Stat, st_nlink) == 16);
static_assert(offsetof(Stat, st_mode) == 24);
static_assert(offsetof(Stat, st_uid) == 28);
static_assert(offsetof(Stat, st_rdev) == 40);
static_assert(offsetof(Stat, st_size) == 48);
static_assert(offsetof(Stat, st_blksize) == 56);
static_assert(offsetof(Stat, st_blocks) == 64);
static_assert(offsetof(Stat, st_atim) == 72);
static_assert(offsetof(Stat, st_mtim) == 88);
static_assert(offsetof(Stat, st_ctim) == 104);

// The i386 structures: 64-bit members are only 4-byte aligned there.
#pragma pack(push, 4)

// i386 struct stat64 (stat64, fstat64, lstat64, fstatat64). The inode number
// is stored twice: truncated in st_ino32 and whole in st_ino.
struct Stat64I386 {
  uint64_t st_dev;
  uint8_t pad0[4];
  uint32_t st_ino32;
  uint32_t st_mode;
  uint32_t st_nlink;
  uint32_t st_uid;
  uint32_t st_gid;
  uint64_t st_rdev;
  uint8_t pad3[4];
  int64_t st_size;
  uint32_t st_blksize;
  uint64_t st_blocks;  // 512-byte blocks
  Timespec32 st_atim;  // seconds are unsigned in the kernel's definition
  Timespec32 st_mtim;
  Timespec32 st_ctim;
  uint64_t st_ino;
};

// i386 struct stat (the "new" stat, fstat, lstat: numbers 106..108).
struct StatI386 {
  uint32_t st_dev;
  uint32_t st_ino;
  uint16_t st_mode;
  uint16_t st_nlink;
  uint16_t st_uid;
  uint16_t st_gid;
  uint32_t st_rdev;
  uint32_t st_size;
  uint32_t st_blksize;
  uint32_t st_blocks;
  Timespec32 st_atim;
  Timespec32 st_mtim;
  Timespec32 st_ctim;
  uint32_t unused4;
  uint32_t unused5;
};

#pragma pack(pop)

static_assert(sizeof(Stat64I386) == 96);
static_assert(alignof(Stat64I386) == 4);
static_assert(offsetof(Stat64I386, st_ino32) == 12);
static_assert(offsetof(Stat64I386, st_mode) == 16);
static_assert(offsetof(Stat64I386, st_uid) == 24);
static_assert(offsetof(Stat64I386, st_rdev) == 32);
static_assert(offsetof(Stat64I386, st_size) == 44);
static_assert(offsetof(Stat64I386, st_blksize) == 52);
static_assert(offsetof(Stat64I386, st_blocks) == 56);
static_assert(offsetof(Stat64I386, st_atim) == 64);
static_assert(offsetof(Stat64I386, st_mtim) == 72);
static_assert(offsetof(Stat64I386, st_ctim) == 80);
static_assert(offsetof(Stat64I386, st_ino) == 88);

static_assert(sizeof(StatI386) == 64);
static_assert(offsetof(StatI386, st_rdev) == 16);
static_assert(offsetof(StatI386, st_size) == 20);
static_assert(offsetof(StatI386, st_atim) == 32);

// struct statx_timestamp.
struct StatxTimestamp {
  int64_t tv_sec;
  uint32_t tv_nsec;
  int32_t reserved;
};
static_assert(sizeof(StatxTimestamp) == 16);

// struct statx (same layout on both ABIs).
struct Statx {
  uint32_t stx_mask;
  uint32_t stx_blksize;
  uint64_t stx_attributes;
  uint32_t stx_nlink;
  uint32_t stx_uid;
  uint32_t stx_gid;
  uint16_t stx_mode;
  uint16_t spare0;
  uint64_t stx_ino;
  uint64_t stx_size;
  uint64_t stx_blocks;
  uint64_t stx_attributes_mask;
  StatxTimestamp stx_atime;
  StatxTimestamp stx_btime;
  StatxTimestamp stx_ctime;
  StatxTimestamp stx_mtime;
  uint32_t stx_rdev_major;
  uint32_t stx_rdev_minor;
  uint32_t stx_dev_major;
  uint32_t stx_dev_minor;
  uint64_t stx_mnt_id;
  uint32_t stx_dio_mem_align;
  uint32_t stx_dio_offset_align;
  uint64_t spare3[12];
};
static_assert(sizeof(Statx) == 256);
static_assert(offsetof(Statx, stx_nlink) == 0x10);
static_assert(offsetof(Statx, stx_mode) == 0x1c);
static_assert(offsetof(Statx, stx_ino) == 0x20);
static_assert(offsetof(Statx, stx_atime) == 0x40);
static_assert(offsetof(Statx, stx_btime) == 0x50);
static_assert(offsetof(Statx, stx_ctime) == 0x60);
static_assert(offsetof(Statx, stx_mtime) == 0x70);
static_assert(offsetof(Statx, stx_rdev_major) == 0x80);
static_assert(offsetof(Statx, stx_mnt_id) == 0x90);
static_assert(offsetof(Statx, spare3) == 0xa0);

// statx mask bits (STATX_*): what the caller asks for / what was filled in.
inline constexpr uint32_t kStatxType = 0x00000001u;
inline constexpr uint32_t kStatxMode = 0x00000002u;
inline constexpr uint32_t kStatxNlink = 0x00000004u;
inline constexpr uint32_t kStatxUid = 0x00000008u;
inline constexpr uint32_t kStatxGid = 0x00000010u;
inline constexpr uint32_t kStatxAtime = 0x00000020u;
inline constexpr uint32_t kStatxMtime = 0x00000040u;
inline constexpr uint32_t kStatxCtime = 0x00000080u;
inline constexpr uint32_t kStatxIno = 0x00000100u;
inline constexpr uint32_t kStatxSize = 0x00000200u;
inline constexpr uint32_t kStatxBlocks = 0x00000400u;
inline constexpr uint32_t kStatxBasicStats = 0x000007ffu;
inline constexpr uint32_t kStatxBtime = 0x00000800u;
inline constexpr uint32_t kStatxMntId = 0x00001000u;
inline constexpr uint32_t kStatxDioalign = 0x00002000u;
inline constexpr uint32_t kStatxMntIdUnique = 0x00004000u;
inline constexpr uint32_t kStatxReserved = 0x80000000u;  // must be rejected
inline constexpr uint32_t kStatxAll = 0x00000fffu;       // deprecated

// stx_attributes bits (STATX_ATTR_*).
inline constexpr uint64_t kStatxAttrCompressed = 0x00000004;
inline constexpr uint64_t kStatxAttrImmutable = 0x00000010;
inline constexpr uint64_t kStatxAttrAppend = 0x00000020;
inline constexpr uint64_t kStatxAttrNodump = 0x00000040;
inline constexpr uint64_t kStatxAttrEncrypted = 0x00000800;
inline constexpr uint64_t kStatxAttrAutomount = 0x00001000;
inline constexpr uint64_t kStatxAttrMountRoot = 0x00002000;
inline constexpr uint64_t kStatxAttrVerity = 0x00100000;
inline constexpr uint64_t kStatxAttrDax = 0x00200000;

// AT_STATX_* sync-type flags of statx's flags argument.
inline constexpr int kAtStatxSyncType = 0x6000;
inline constexpr int kAtStatxSyncAsStat = 0x0000;
inline constexpr int kAtStatxForceSync = 0x2000;
inline constexpr int kAtStatxDontSync = 0x4000;

}  // namespace uapi

#endif  // ABI_LINUX_STAT_H_
