// open(2) flag bits whose kernel values differ from what glibc's <fcntl.h>
// exposes on x86-64 (include/uapi/asm-generic/fcntl.h).
#ifndef ABI_LINUX_FCNTL_H_
#define ABI_LINUX_FCNTL_H_

namespace uapi {

// glibc defines O_LARGEFILE as 0 for 64-bit programs, but the kernel sets
// this bit on every 64-bit open and 32-bit programs pass it.
inline constexpr int kOLargefile = 0100000;
// O_SYNC is __O_SYNC|O_DSYNC; __O_SYNC alone is this bit.
inline constexpr int kOSyncBit = 04000000;
// O_TMPFILE is __O_TMPFILE|O_DIRECTORY.
inline constexpr int kOTmpfileBit = 020000000;

}  // namespace uapi

#endif  // ABI_LINUX_FCNTL_H_
