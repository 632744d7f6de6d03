// waitid(2) id types glibc's <sys/wait.h> may not define
// (include/uapi/linux/wait.h).
#ifndef ABI_LINUX_WAIT_H_
#define ABI_LINUX_WAIT_H_

namespace uapi {

inline constexpr int kPPidfd = 3;  // P_PIDFD, Linux 5.4

}  // namespace uapi

#endif  // ABI_LINUX_WAIT_H_
