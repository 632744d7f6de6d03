// AF_UNIX sockets through the i386 gate (`int $0x80` from 64-bit code):
// socketcall(2) and the direct socket calls, with the compat layouts of
// msghdr (28 bytes), cmsghdr (12 bytes, 4-byte aligned), mmsghdr and the
// 32-bit timeval of SO_RCVTIMEO. Memory arguments live below 4 GiB
// (mmap MAP_32BIT).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include <gtest/gtest.h>

#include "syscall_matchers.h"
#include "temp_dir.h"

namespace {

// i386 numbers (arch/x86/entry/syscalls/syscall_32.tbl).
constexpr long kRead = 3;
constexpr long kWrite = 4;
constexpr long kClose = 6;
constexpr long kPipe2 = 331;
constexpr long kSocketcall = 102;
constexpr long kSocket = 359;
constexpr long kSocketpair = 360;
constexpr long kBind = 361;
constexpr long kConnect = 362;
constexpr long kListen = 363;
constexpr long kAccept4 = 364;
constexpr long kGetsockopt = 365;
constexpr long kSetsockopt = 366;
constexpr long kGetsockname = 367;
constexpr long kSendto = 369;
constexpr long kSendmsg = 370;
constexpr long kRecvfrom = 371;
constexpr long kRecvmsg = 372;
constexpr long kRecvmmsg = 337;
constexpr long kSendmmsg = 345;

// socketcall(2) call numbers.
constexpr long kSysSocketpair = 8;
constexpr long kSysSend = 9;
constexpr long kSysRecv = 10;
constexpr long kSysSendmsg = 16;
constexpr long kSysRecvmsg = 17;

struct Msghdr32 {
  uint32_t name, namelen, iov, iovlen, control, controllen, flags;
};
static_assert(sizeof(Msghdr32) == 28);
struct Iovec32 {
  uint32_t base, len;
};
struct Cmsghdr32 {
  uint32_t len;
  int32_t level, type;
};
struct Mmsghdr32 {
  Msghdr32 hdr;
  uint32_t len;
};

int32_t Int80(long nr, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0,
              long a5 = 0, long a6 = 0) {
  long ret;
  register long r_ebp asm("rbp") = a6;
  asm volatile("int $0x80"
               : "=a"(ret)
               : "a"(nr), "b"(a1), "c"(a2), "d"(a3), "S"(a4), "D"(a5),
                 "r"(r_ebp)
               : "memory", "cc", "r8", "r9", "r10", "r11");
  return static_cast<int32_t>(ret);
}

class SocketI386Test : public ::testing::Test {
 protected:
  void SetUp() override {
    void* p = mmap(nullptr, 65536, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    ASSERT_NE(p, MAP_FAILED);
    low_ = static_cast<char*>(p);
    memset(low_, 0, 65536);
  }
  void TearDown() override { munmap(low_, 65536); }
  char* At(size_t off) { return low_ + off; }
  long Addr(size_t off) { return reinterpret_cast<long>(low_ + off); }
  uint32_t A32(size_t off) { return static_cast<uint32_t>(Addr(off)); }
  // socketcall with its arguments as 32-bit words at `off`.
  int32_t Socketcall(long call, std::initializer_list<uint32_t> args,
                     size_t off = 60000) {
    uint32_t* w = reinterpret_cast<uint32_t*>(At(off));
    size_t i = 0;
    for (uint32_t a : args) w[i++] = a;
    return Int80(kSocketcall, call, Addr(off));
  }

  char* low_ = nullptr;
};

TEST_F(SocketI386Test, SocketcallPairSendRecv) {
  int32_t* sv = reinterpret_cast<int32_t*>(At(0));
  ASSERT_EQ(Socketcall(kSysSocketpair, {AF_UNIX, SOCK_STREAM, 0, A32(0)}), 0);
  memcpy(At(100), "via socketcall", 14);
  EXPECT_EQ(Socketcall(kSysSend, {static_cast<uint32_t>(sv[0]), A32(100), 14, 0}), 14);
  EXPECT_EQ(Socketcall(kSysRecv, {static_cast<uint32_t>(sv[1]), A32(200), 64, 0}), 14);
  EXPECT_EQ(std::string(At(200), 14), "via socketcall");
  // Unknown call numbers.
  EXPECT_EQ(Int80(kSocketcall, 0, Addr(60000)), -EINVAL);
  EXPECT_EQ(Int80(kSocketcall, 21, Addr(60000)), -EINVAL);
  EXPECT_EQ(Int80(kSocketcall, kSysSend, 8), -EFAULT);
  Int80(kClose, sv[0]);
  Int80(kClose, sv[1]);
}

TEST_F(SocketI386Test, CompatMsghdrPassesDescriptors) {
  int32_t* sv = reinterpret_cast<int32_t*>(At(0));
  ASSERT_EQ(Int80(kSocketpair, AF_UNIX, SOCK_DGRAM, 0, Addr(0)), 0);
  int32_t* pp = reinterpret_cast<int32_t*>(At(16));
  ASSERT_EQ(Int80(kPipe2, Addr(16), 0), 0);
  // sendmsg through socketcall: one byte and the pipe's read end.
  memcpy(At(100), "m", 1);
  Iovec32* iov = reinterpret_cast<Iovec32*>(At(200));
  *iov = {A32(100), 1};
  Cmsghdr32* c = reinterpret_cast<Cmsghdr32*>(At(300));
  *c = {static_cast<uint32_t>(sizeof(Cmsghdr32) + 4), SOL_SOCKET, SCM_RIGHTS};
  memcpy(At(300 + sizeof(Cmsghdr32)), &pp[0], 4);
  Msghdr32* m = reinterpret_cast<Msghdr32*>(At(400));
  *m = {0, 0, A32(200), 1, A32(300), 16, 0};
  EXPECT_EQ(Socketcall(kSysSendmsg, {static_cast<uint32_t>(sv[0]), A32(400), 0}), 1);
  // recvmsg directly, with a 64-byte compat control buffer.
  Iovec32* riov = reinterpret_cast<Iovec32*>(At(1000));
  *riov = {A32(1100), 16};
  Msghdr32* rm = reinterpret_cast<Msghdr32*>(At(1200));
  *rm = {0, 0, A32(1000), 1, A32(1300), 64, 0};
  EXPECT_EQ(Int80(kRecvmsg, sv[1], Addr(1200), MSG_CMSG_CLOEXEC), 1);
  EXPECT_EQ(rm->controllen, 16u);  // compat header (12) + one fd
  // Linux hands MSG_CMSG_CLOEXEC back in msg_flags.
  EXPECT_EQ(rm->flags, static_cast<uint32_t>(MSG_CMSG_CLOEXEC));
  Cmsghdr32* rc = reinterpret_cast<Cmsghdr32*>(At(1300));
  EXPECT_EQ(rc->len, 16u);
  EXPECT_EQ(rc->level, SOL_SOCKET);
  EXPECT_EQ(rc->type, SCM_RIGHTS);
  int32_t got;
  memcpy(&got, At(1300 + sizeof(Cmsghdr32)), 4);
  ASSERT_GE(got, 0);
  EXPECT_EQ(fcntl(got, F_GETFD), FD_CLOEXEC);
  memcpy(At(2000), "pipe", 4);
  EXPECT_EQ(Int80(kWrite, pp[1], Addr(2000), 4), 4);
  EXPECT_EQ(Int80(kRead, got, Addr(2100), 16), 4);
  EXPECT_EQ(std::string(At(2100), 4), "pipe");
  // A control buffer too small for the header: MSG_CTRUNC, nothing passed.
  *c = {static_cast<uint32_t>(sizeof(Cmsghdr32) + 4), SOL_SOCKET, SCM_RIGHTS};
  EXPECT_EQ(Int80(kSendmsg, sv[0], Addr(400), 0), 1);
  *rm = {0, 0, A32(1000), 1, A32(1300), 8, 0};
  EXPECT_EQ(Socketcall(kSysRecvmsg, {static_cast<uint32_t>(sv[1]), A32(1200), 0}), 1);
  EXPECT_EQ(rm->flags, static_cast<uint32_t>(MSG_CTRUNC));
  EXPECT_EQ(rm->controllen, 0u);
  for (int fd : {sv[0], sv[1], pp[0], pp[1], got}) Int80(kClose, fd);
}

TEST_F(SocketI386Test, DirectCallsPathnameSocket) {
  conformance::TempDir dir;
  ASSERT_TRUE(dir.ok());
  std::string path = dir.Join("s");
  sockaddr_un* sa = reinterpret_cast<sockaddr_un*>(At(0));
  sa->sun_family = AF_UNIX;
  strcpy(sa->sun_path, path.c_str());
  const long len = offsetof(sockaddr_un, sun_path) + path.size() + 1;
  int l = Int80(kSocket, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(l, 0);
  EXPECT_EQ(Int80(kBind, l, Addr(0), len), 0);
  EXPECT_EQ(Int80(kListen, l, 4), 0);
  int c = Int80(kSocket, AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(c, 0);
  EXPECT_EQ(Int80(kConnect, c, Addr(0), len), 0);
  uint32_t* alen = reinterpret_cast<uint32_t*>(At(500));
  *alen = 110;
  int s = Int80(kAccept4, l, Addr(400), Addr(500), SOCK_NONBLOCK);
  ASSERT_GE(s, 0);
  EXPECT_EQ(*alen, 2u);
  *alen = 110;
  EXPECT_EQ(Int80(kGetsockname, s, Addr(600), Addr(500)), 0);
  EXPECT_EQ(*alen, static_cast<uint32_t>(len));
  EXPECT_EQ(std::string(At(600 + 2)), path);
  memcpy(At(1000), "direct", 6);
  EXPECT_EQ(Int80(kSendto, c, Addr(1000), 6, 0, 0, 0), 6);
  *alen = 110;
  EXPECT_EQ(Int80(kRecvfrom, s, Addr(1100), 64, 0, Addr(1200), Addr(500)), 6);
  EXPECT_EQ(std::string(At(1100), 6), "direct");
  EXPECT_EQ(*alen, 0u);  // the client is unbound
  EXPECT_EQ(Int80(kRecvfrom, s, Addr(1100), 64, 0, 0, 0), -EAGAIN);
  // SO_RCVTIMEO takes and gives a 32-bit timeval.
  int32_t* tv = reinterpret_cast<int32_t*>(At(1300));
  tv[0] = 2;
  tv[1] = 500000;
  EXPECT_EQ(Int80(kSetsockopt, c, SOL_SOCKET, SO_RCVTIMEO, Addr(1300), 8), 0);
  *alen = 64;
  EXPECT_EQ(Int80(kGetsockopt, c, SOL_SOCKET, SO_RCVTIMEO, Addr(1400), Addr(500)), 0);
  EXPECT_EQ(*alen, 8u);
  int32_t* got = reinterpret_cast<int32_t*>(At(1400));
  EXPECT_EQ(got[0], 2);
  EXPECT_EQ(got[1], 500000);
  for (int fd : {l, c, s}) Int80(kClose, fd);
}

TEST_F(SocketI386Test, SendmmsgRecvmmsg) {
  int32_t* sv = reinterpret_cast<int32_t*>(At(0));
  ASSERT_EQ(Int80(kSocketpair, AF_UNIX, SOCK_SEQPACKET, 0, Addr(0)), 0);
  memcpy(At(100), "abcdefgh", 8);
  Iovec32* iov = reinterpret_cast<Iovec32*>(At(200));
  iov[0] = {A32(100), 3};
  iov[1] = {A32(103), 5};
  Mmsghdr32* out = reinterpret_cast<Mmsghdr32*>(At(300));
  out[0].hdr = {0, 0, A32(200), 1, 0, 0, 0};
  out[1].hdr = {0, 0, A32(208), 1, 0, 0, 0};
  EXPECT_EQ(Int80(kSendmmsg, sv[0], Addr(300), 2, 0), 2);
  EXPECT_EQ(out[0].len, 3u);
  EXPECT_EQ(out[1].len, 5u);
  Iovec32* riov = reinterpret_cast<Iovec32*>(At(1000));
  riov[0] = {A32(1100), 16};
  riov[1] = {A32(1200), 16};
  Mmsghdr32* in = reinterpret_cast<Mmsghdr32*>(At(1300));
  in[0].hdr = {0, 0, A32(1000), 1, 0, 0, 0};
  in[1].hdr = {0, 0, A32(1008), 1, 0, 0, 0};
  EXPECT_EQ(Int80(kRecvmmsg, sv[1], Addr(1300), 2, MSG_DONTWAIT, 0), 2);
  EXPECT_EQ(in[0].len, 3u);
  EXPECT_EQ(in[1].len, 5u);
  EXPECT_EQ(std::string(At(1200), 5), "defgh");
  Int80(kClose, sv[0]);
  Int80(kClose, sv[1]);
}

}  // namespace
