// Socket structures as the socket syscalls read and write them in user
// memory (include/uapi/linux/socket.h, un.h, include/linux/socket.h and the
// compat layouts of include/net/compat.h).
#ifndef ABI_LINUX_SOCKET_H_
#define ABI_LINUX_SOCKET_H_

#include <cstddef>
#include <cstdint>

namespace uapi {

// sizeof(struct sockaddr_storage): the most address bytes a call takes.
inline constexpr uint32_t kSockaddrStorageSize = 128;
// sizeof(sockaddr_un.sun_path) and offsetof(sockaddr_un, sun_path).
inline constexpr uint32_t kUnixPathMax = 108;
inline constexpr uint32_t kSunPathOffset = 2;

// struct sockaddr_un.
struct SockaddrUn {
  uint16_t family;
  char path[kUnixPathMax];
};
static_assert(sizeof(SockaddrUn) == 110);
static_assert(offsetof(SockaddrUn, path) == kSunPathOffset);

// struct ucred (SCM_CREDENTIALS, SO_PEERCRED).
struct Ucred {
  int32_t pid;
  uint32_t uid;
  uint32_t gid;
};
static_assert(sizeof(Ucred) == 12);

// x86_64 struct user_msghdr.
struct Msghdr {
  uint64_t name;
  uint32_t namelen;
  uint32_t pad0;
  uint64_t iov;
  uint64_t iovlen;
  uint64_t control;
  uint64_t controllen;
  uint32_t flags;
  uint32_t pad1;
};
static_assert(sizeof(Msghdr) == 56);
static_assert(offsetof(Msghdr, iov) == 16);
static_assert(offsetof(Msghdr, controllen) == 40);
static_assert(offsetof(Msghdr, flags) == 48);

// struct mmsghdr.
struct Mmsghdr {
  Msghdr hdr;
  uint32_t len;
  uint32_t pad;
};
static_assert(sizeof(Mmsghdr) == 64);
static_assert(offsetof(Mmsghdr, len) == 56);

// i386 struct compat_msghdr.
struct Msghdr32 {
  uint32_t name;
  uint32_t namelen;
  uint32_t iov;
  uint32_t iovlen;
  uint32_t control;
  uint32_t controllen;
  uint32_t flags;
};
static_assert(sizeof(Msghdr32) == 28);
static_assert(offsetof(Msghdr32, flags) == 24);

// struct compat_mmsghdr.
struct Mmsghdr32 {
  Msghdr32 hdr;
  uint32_t len;
};
static_assert(sizeof(Mmsghdr32) == 32);

// x86_64 struct cmsghdr: data follows at an 8-byte aligned offset.
struct Cmsghdr {
  uint64_t len;
  int32_t level;
  int32_t type;
};
static_assert(sizeof(Cmsghdr) == 16);

// i386 struct compat_cmsghdr: 4-byte alignment.
struct Cmsghdr32 {
  uint32_t len;
  int32_t level;
  int32_t type;
};
static_assert(sizeof(Cmsghdr32) == 12);

// CMSG_ALIGN for each layout.
constexpr uint64_t CmsgAlign(uint64_t n) { return (n + 7) & ~uint64_t{7}; }
constexpr uint64_t CmsgAlign32(uint64_t n) { return (n + 3) & ~uint64_t{3}; }

// MSG_CMSG_COMPAT: set by the kernel for compat calls, refused from
// native callers.
inline constexpr int kMsgCmsgCompat = 0x80000000;

// SCM_MAX_FD: the most descriptors one SCM_RIGHTS message carries.
inline constexpr int kScmMaxFd = 253;

// Socket options without a libc name on older headers.
inline constexpr int kSoPeerSec = 31;
inline constexpr int kSoPassSec = 34;
inline constexpr int kSoPeekOff = 42;

// socketcall(2) call numbers (include/uapi/linux/net.h).
inline constexpr int kSysSocket = 1;
inline constexpr int kSysBind = 2;
inline constexpr int kSysConnect = 3;
inline constexpr int kSysListen = 4;
inline constexpr int kSysAccept = 5;
inline constexpr int kSysGetsockname = 6;
inline constexpr int kSysGetpeername = 7;
inline constexpr int kSysSocketpair = 8;
inline constexpr int kSysSend = 9;
inline constexpr int kSysRecv = 10;
inline constexpr int kSysSendto = 11;
inline constexpr int kSysRecvfrom = 12;
inline constexpr int kSysShutdown = 13;
inline constexpr int kSysSetsockopt = 14;
inline constexpr int kSysGetsockopt = 15;
inline constexpr int kSysSendmsg = 16;
inline constexpr int kSysRecvmsg = 17;
inline constexpr int kSysAccept4 = 18;
inline constexpr int kSysRecvmmsg = 19;
inline constexpr int kSysSendmmsg = 20;

}  // namespace uapi

#endif  // ABI_LINUX_SOCKET_H_
