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

// File sealing (include/uapi/linux/fcntl.h): fcntl commands and seal bits.
inline constexpr int kFAddSeals = 1024 + 9;
inline constexpr int kFGetSeals = 1024 + 10;
inline constexpr unsigned kFSealSeal = 0x0001;
inline constexpr unsigned kFSealShrink = 0x0002;
inline constexpr unsigned kFSealGrow = 0x0004;
inline constexpr unsigned kFSealWrite = 0x0008;
inline constexpr unsigned kFSealFutureWrite = 0x0010;
inline constexpr unsigned kFSealExec = 0x0020;
inline constexpr unsigned kFAllSeals = kFSealSeal | kFSealShrink | kFSealGrow |
                                       kFSealWrite | kFSealFutureWrite | kFSealExec;
// memfd_create flags beyond glibc 2.36's <sys/mman.h>.
inline constexpr unsigned kMfdNoexecSeal = 0x0008;
inline constexpr unsigned kMfdExec = 0x0010;

}  // namespace uapi

#endif  // ABI_LINUX_FCNTL_H_
