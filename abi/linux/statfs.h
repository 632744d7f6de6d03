// statfs(2)/fstatfs(2) structures as the x86_64 and i386 syscall ABIs lay
// them out (include/uapi/asm-generic/statfs.h, include/linux/compat.h), and
// the ST_* mount flags reported in f_flags.
#ifndef ABI_LINUX_STATFS_H_
#define ABI_LINUX_STATFS_H_

#include <cstddef>
#include <cstdint>

namespace uapi {

// x86_64 struct statfs: every word is a 64-bit long.
struct Statfs {
  int64_t f_type;
  int64_t f_bsize;
  uint64_t f_blocks;
  uint64_t f_bfree;
  uint64_t f_bavail;
  uint64_t f_files;
  uint64_t f_ffree;
  int32_t f_fsid[2];
  int64_t f_namelen;
  int64_t f_frsize;
  int64_t f_flags;
  int64_t f_spare[4];
};
static_assert(sizeof(Statfs) == 120);
static_assert(offsetof(Statfs, f_fsid) == 56);
static_assert(offsetof(Statfs, f_flags) == 80);

// i386 struct statfs (compat_statfs): 32-bit words.
struct StatfsI386 {
  uint32_t f_type;
  uint32_t f_bsize;
  uint32_t f_blocks;
  uint32_t f_bfree;
  uint32_t f_bavail;
  uint32_t f_files;
  uint32_t f_ffree;
  int32_t f_fsid[2];
  uint32_t f_namelen;
  uint32_t f_frsize;
  uint32_t f_flags;
  uint32_t f_spare[4];
};
static_assert(sizeof(StatfsI386) == 64);

// i386 struct statfs64 (compat_statfs64): 64-bit counts, 4-byte aligned.
struct __attribute__((packed, aligned(4))) Statfs64I386 {
  uint32_t f_type;
  uint32_t f_bsize;
  uint64_t f_blocks;
  uint64_t f_bfree;
  uint64_t f_bavail;
  uint64_t f_files;
  uint64_t f_ffree;
  int32_t f_fsid[2];
  uint32_t f_namelen;
  uint32_t f_frsize;
  uint32_t f_flags;
  uint32_t f_spare[4];
};
static_assert(sizeof(Statfs64I386) == 84);
static_assert(offsetof(Statfs64I386, f_blocks) == 8);

// f_flags bits (ST_*, as statvfs(3) reports them).
inline constexpr int64_t kStRdonly = 0x0001;
inline constexpr int64_t kStNosuid = 0x0002;
inline constexpr int64_t kStNodev = 0x0004;
inline constexpr int64_t kStNoexec = 0x0008;
inline constexpr int64_t kStSynchronous = 0x0010;
inline constexpr int64_t kStValid = 0x0020;
inline constexpr int64_t kStMandlock = 0x0040;
inline constexpr int64_t kStNoatime = 0x0400;
inline constexpr int64_t kStNodiratime = 0x0800;
inline constexpr int64_t kStRelatime = 0x1000;

// f_type magic numbers of the filesystems the sandbox shows.
inline constexpr int64_t kTmpfsMagic = 0x01021994;
inline constexpr int64_t kProcSuperMagic = 0x9fa0;
inline constexpr int64_t kPipefsMagic = 0x50495045;
inline constexpr int64_t kAnonInodeFsMagic = 0x09041934;

}  // namespace uapi

#endif  // ABI_LINUX_STATFS_H_
