// Linux errno names and the kernel-internal restart codes.
//
// Errno *values* are taken from libc's <cerrno> (E* macros): the host is
// Linux x86-64, so they are the Linux numbers; errno.cc checks a sample.
#ifndef ABI_LINUX_ERRNO_H_
#define ABI_LINUX_ERRNO_H_

namespace uapi {

// Largest errno number Linux defines (EHWPOISON).
inline constexpr int kMaxErrno = 133;

// Kernel-internal codes (include/linux/errno.h). A syscall handler returns
// them negated to ask for a restart; they must never reach the application.
inline constexpr int kERESTARTSYS = 512;
inline constexpr int kERESTARTNOINTR = 513;
inline constexpr int kERESTARTNOHAND = 514;
inline constexpr int kENOIOCTLCMD = 515;
inline constexpr int kERESTART_RESTARTBLOCK = 516;

// True for the codes above that mean "restart the syscall" in some form.
constexpr bool IsRestartErrno(int e) {
  return e == kERESTARTSYS || e == kERESTARTNOINTR || e == kERESTARTNOHAND ||
         e == kERESTART_RESTARTBLOCK;
}

// Symbolic name of a Linux errno value: ErrnoName(2) == "ENOENT". For numbers
// with several names the canonical one is returned (EAGAIN, EDEADLK,
// EOPNOTSUPP). The internal codes 512..516 are named too ("ERESTARTSYS").
// Returns nullptr for anything else (including the unused 41 and 58).
const char* ErrnoName(int errno_value);

}  // namespace uapi

#endif  // ABI_LINUX_ERRNO_H_
