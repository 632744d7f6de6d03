// Socket syscalls (net/socket.c): the family-independent layer. Each finds
// the Socket behind the fd (ENOTSOCK otherwise), copies addresses, iovecs
// and control messages in and out of user memory, and calls the family
// (sentry/socket/socket.h).
#ifndef SENTRY_SYSCALLS_SYS_SOCKET_H_
#define SENTRY_SYSCALLS_SYS_SOCKET_H_

#include <cstdint>

#include "sentry/kernel/syscall_args.h"

namespace sentry {
class Task;

int64_t SysSocket(Task& t, const SyscallArgs& a);
int64_t SysSocketpair(Task& t, const SyscallArgs& a);
int64_t SysBind(Task& t, const SyscallArgs& a);
int64_t SysListen(Task& t, const SyscallArgs& a);
int64_t SysAccept(Task& t, const SyscallArgs& a);
int64_t SysAccept4(Task& t, const SyscallArgs& a);
int64_t SysConnect(Task& t, const SyscallArgs& a);
int64_t SysShutdown(Task& t, const SyscallArgs& a);
int64_t SysGetsockname(Task& t, const SyscallArgs& a);
int64_t SysGetpeername(Task& t, const SyscallArgs& a);
int64_t SysGetsockopt(Task& t, const SyscallArgs& a);
int64_t SysSetsockopt(Task& t, const SyscallArgs& a);
int64_t SysSendto(Task& t, const SyscallArgs& a);
int64_t SysRecvfrom(Task& t, const SyscallArgs& a);
int64_t SysSendmsg(Task& t, const SyscallArgs& a);
int64_t SysRecvmsg(Task& t, const SyscallArgs& a);
int64_t SysSendmmsg(Task& t, const SyscallArgs& a);
int64_t SysRecvmmsg(Task& t, const SyscallArgs& a);

// i386: struct compat_msghdr/compat_mmsghdr/compat_cmsghdr, 32-bit
// timespec for recvmmsg, and the socketcall(2) multiplexer.
int64_t SysSendmsgI386(Task& t, const SyscallArgs& a);
int64_t SysRecvmsgI386(Task& t, const SyscallArgs& a);
int64_t SysSendmmsgI386(Task& t, const SyscallArgs& a);
int64_t SysRecvmmsgTime32I386(Task& t, const SyscallArgs& a);
int64_t SysRecvmmsgTime64I386(Task& t, const SyscallArgs& a);
int64_t SysSocketcallI386(Task& t, const SyscallArgs& a);

}  // namespace sentry

#endif  // SENTRY_SYSCALLS_SYS_SOCKET_H_
