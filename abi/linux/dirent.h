// Directory entries written by getdents/getdents64
// (struct linux_dirent64 in include/linux/dirent.h, struct linux_dirent in
// fs/readdir.c).
#ifndef ABI_LINUX_DIRENT_H_
#define ABI_LINUX_DIRENT_H_

#include <cstddef>
#include <cstdint>

namespace uapi {

// d_type values (DT_*).
inline constexpr uint8_t kDtUnknown = 0;
inline constexpr uint8_t kDtFifo = 1;
inline constexpr uint8_t kDtChr = 2;
inline constexpr uint8_t kDtDir = 4;
inline constexpr uint8_t kDtBlk = 6;
inline constexpr uint8_t kDtReg = 8;
inline constexpr uint8_t kDtLnk = 10;
inline constexpr uint8_t kDtSock = 12;
inline constexpr uint8_t kDtWht = 14;

// d_type of a file mode (S_IFMT bits): (mode >> 12) & 15.
constexpr uint8_t DtFromMode(uint32_t mode) { return static_cast<uint8_t>((mode >> 12) & 15); }

// Header of struct linux_dirent64 (both ABIs). The NUL-terminated name
// starts at offsetof(Dirent64, d_name) == 19; records are padded to 8 bytes.
// sizeof(Dirent64) includes tail padding: use Dirent64RecLen, not sizeof.
struct Dirent64 {
  uint64_t d_ino;
  int64_t d_off;
  uint16_t d_reclen;
  uint8_t d_type;
  __extension__ char d_name[];  // flexible array member (GNU extension in C++)
};
static_assert(offsetof(Dirent64, d_off) == 8);
static_assert(offsetof(Dirent64, d_reclen) == 16);
static_assert(offsetof(Dirent64, d_type) == 18);
static_assert(offsetof(Dirent64, d_name) == 19);

inline constexpr std::size_t kDirent64NameOffset = 19;

// Record length of a linux_dirent64 whose name has `name_len` bytes (no NUL).
constexpr std::size_t Dirent64RecLen(std::size_t name_len) {
  return (kDirent64NameOffset + name_len + 1 + 7) & ~std::size_t{7};
}

// Header of x86_64 struct linux_dirent (the old getdents). The name starts at
// 18; after its NUL comes padding and finally d_type in the record's last
// byte. Records are padded to 8 bytes.
struct Dirent {
  uint64_t d_ino;
  int64_t d_off;
  uint16_t d_reclen;
  __extension__ char d_name[];  // flexible array member (GNU extension in C++)
};
static_assert(offsetof(Dirent, d_reclen) == 16);
static_assert(offsetof(Dirent, d_name) == 18);

inline constexpr std::size_t kDirentNameOffset = 18;

// Record length of a linux_dirent: header, name, NUL, d_type, 8-aligned.
constexpr std::size_t DirentRecLen(std::size_t name_len) {
  return (kDirentNameOffset + name_len + 2 + 7) & ~std::size_t{7};
}

// Header of i386 struct compat_linux_dirent (getdents from 32-bit code);
// records are padded to 4 bytes, d_type in the last byte.
struct Dirent32 {
  uint32_t d_ino;
  int32_t d_off;
  uint16_t d_reclen;
  __extension__ char d_name[];  // flexible array member (GNU extension in C++)
};
static_assert(offsetof(Dirent32, d_reclen) == 8);
static_assert(offsetof(Dirent32, d_name) == 10);

inline constexpr std::size_t kDirent32NameOffset = 10;

constexpr std::size_t Dirent32RecLen(std::size_t name_len) {
  return (kDirent32NameOffset + name_len + 2 + 3) & ~std::size_t{3};
}

static_assert(Dirent64RecLen(1) == 24);  // "." : 19 + 1 + NUL = 21 -> 24
static_assert(Dirent64RecLen(5) == 32);  // 19 + 5 + NUL = 25 -> 32
static_assert(DirentRecLen(4) == 24);    // 18 + 4 + NUL + type = 24

}  // namespace uapi

#endif  // ABI_LINUX_DIRENT_H_
