// Signal names as strace prints them.
#ifndef ABI_LINUX_SIGNAL_NAMES_H_
#define ABI_LINUX_SIGNAL_NAMES_H_

namespace uapi {

// "SIGHUP" .. "SIGSYS" for 1..31, "SIGRTMIN" for 32 and "SIGRT_1" ..
// "SIGRT_32" for 33..64 (strace's spelling: the kernel's SIGRTMIN is 32,
// glibc reserves 32 and 33 and reports its SIGRTMIN as 34). nullptr for
// anything else, including 0.
const char* SignalName(int sig);

}  // namespace uapi

#endif  // ABI_LINUX_SIGNAL_NAMES_H_
