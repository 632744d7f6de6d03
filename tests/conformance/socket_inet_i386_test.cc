// Inet sockets through the i386 gate (`int $0x80` from 64-bit code): UDP
// over 127.0.0.1 with the compat msghdr and the compat cmsghdr of received
// IP_PKTINFO/IP_TTL, the 32-bit timeval of SO_RCVTIMEO, and SIOCGIFCONF's
// 8-byte ifconf with 32-byte ifreq entries. Memory arguments live below
// 4 GiB (mmap MAP_32BIT).
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <cstdint>
#include <cstring>
#include <string>

#include <gtest/gtest.h>

#include "syscall_matchers.h"

namespace {

// i386 numbers (arch/x86/entry/syscalls/syscall_32.tbl).
constexpr long kClose = 6;
constexpr long kIoctl = 54;
constexpr long kSocket = 359;
constexpr long kBind = 361;
constexpr long kGetsockopt = 365;
constexpr long kSetsockopt = 366;
constexpr long kGetsockname = 367;
constexpr long kSendto = 369;
constexpr long kRecvfrom = 371;
constexpr long kRecvmsg = 372;

struct Msghdr32 {
  uint32_t name, namelen, iov, iovlen, control, controllen, flags;
};
struct Iovec32 {
  uint32_t base, len;
};
struct Cmsghdr32 {
  uint32_t len;
  int32_t level, type;
};
static_assert(sizeof(Cmsghdr32) == 12);
struct Ifconf32 {
  int32_t len;
  uint32_t buf;
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

class SocketInetI386Test : public ::testing::Test {
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
  // A UDP socket bound to 127.0.0.1:0; its address at `off`.
  int32_t BoundUdp(size_t off) {
    int32_t s = Int80(kSocket, AF_INET, SOCK_DGRAM, 0);
    if (s < 0) return s;
    sockaddr_in* a = reinterpret_cast<sockaddr_in*>(At(off));
    *a = {};
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (Int80(kBind, s, Addr(off), sizeof(*a)) < 0) return -1;
    uint32_t* len = reinterpret_cast<uint32_t*>(At(off + 32));
    *len = sizeof(*a);
    if (Int80(kGetsockname, s, Addr(off), Addr(off + 32)) < 0) return -1;
    return s;
  }

  char* low_ = nullptr;
};

TEST_F(SocketInetI386Test, RecvmsgGivesCompatControlMessages) {
  int32_t a = BoundUdp(0), b = BoundUdp(64);
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  int32_t* one = reinterpret_cast<int32_t*>(At(128));
  *one = 1;
  ASSERT_EQ(Int80(kSetsockopt, b, IPPROTO_IP, IP_PKTINFO, Addr(128), 4), 0);
  ASSERT_EQ(Int80(kSetsockopt, b, IPPROTO_IP, IP_RECVTTL, Addr(128), 4), 0);
  memcpy(At(200), "compat", 6);
  ASSERT_EQ(Int80(kSendto, a, Addr(200), 6, 0, Addr(64), sizeof(sockaddr_in)), 6);

  Iovec32* iov = reinterpret_cast<Iovec32*>(At(1000));
  *iov = {A32(1100), 32};
  Msghdr32* m = reinterpret_cast<Msghdr32*>(At(1200));
  *m = {A32(1300), sizeof(sockaddr_in), A32(1000), 1, A32(2000), 256, 0};
  ASSERT_EQ(Int80(kRecvmsg, b, Addr(1200), 0), 6);
  EXPECT_EQ(std::string(At(1100), 6), "compat");
  EXPECT_EQ(m->namelen, sizeof(sockaddr_in));
  EXPECT_EQ(m->flags, 0u);
  // Two compat messages: 12-byte headers, 4-byte alignment.
  bool pktinfo = false, ttl = false;
  uint32_t off = 0;
  while (off + sizeof(Cmsghdr32) <= m->controllen) {
    Cmsghdr32* c = reinterpret_cast<Cmsghdr32*>(At(2000 + off));
    ASSERT_GE(c->len, sizeof(Cmsghdr32));
    if (c->level == IPPROTO_IP && c->type == IP_PKTINFO) {
      EXPECT_EQ(c->len, sizeof(Cmsghdr32) + sizeof(in_pktinfo));
      in_pktinfo pi;
      memcpy(&pi, At(2000 + off + sizeof(Cmsghdr32)), sizeof(pi));
      EXPECT_EQ(pi.ipi_addr.s_addr, htonl(INADDR_LOOPBACK));
      pktinfo = true;
    }
    if (c->level == IPPROTO_IP && c->type == IP_TTL) {
      EXPECT_EQ(c->len, sizeof(Cmsghdr32) + 4);
      int32_t v;
      memcpy(&v, At(2000 + off + sizeof(Cmsghdr32)), 4);
      EXPECT_EQ(v, 64);
      ttl = true;
    }
    off += (c->len + 3) & ~3u;
  }
  EXPECT_TRUE(pktinfo);
  EXPECT_TRUE(ttl);
  EXPECT_EQ(m->controllen, 2 * sizeof(Cmsghdr32) + sizeof(in_pktinfo) + 4);
  Int80(kClose, a);
  Int80(kClose, b);
}

TEST_F(SocketInetI386Test, TimestampIsA32BitTimeval) {
  int32_t a = BoundUdp(0), b = BoundUdp(64);
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  int32_t* one = reinterpret_cast<int32_t*>(At(128));
  *one = 1;
  ASSERT_EQ(Int80(kSetsockopt, b, SOL_SOCKET, 29 /* SO_TIMESTAMP_OLD */, Addr(128), 4), 0);
  ASSERT_EQ(Int80(kSendto, a, Addr(200), 1, 0, Addr(64), sizeof(sockaddr_in)), 1);
  Iovec32* iov = reinterpret_cast<Iovec32*>(At(1000));
  *iov = {A32(1100), 32};
  Msghdr32* m = reinterpret_cast<Msghdr32*>(At(1200));
  *m = {0, 0, A32(1000), 1, A32(2000), 256, 0};
  ASSERT_EQ(Int80(kRecvmsg, b, Addr(1200), 0), 1);
  ASSERT_EQ(m->controllen, sizeof(Cmsghdr32) + 8);
  Cmsghdr32* c = reinterpret_cast<Cmsghdr32*>(At(2000));
  EXPECT_EQ(c->level, SOL_SOCKET);
  EXPECT_EQ(c->type, 29);
  EXPECT_EQ(c->len, sizeof(Cmsghdr32) + 8);
  int32_t tv[2];
  memcpy(tv, At(2000 + sizeof(Cmsghdr32)), 8);
  EXPECT_LE(std::abs(static_cast<long>(tv[0]) - static_cast<long>(time(nullptr))), 5);
  EXPECT_GE(tv[1], 0);
  EXPECT_LT(tv[1], 1000000);
  Int80(kClose, a);
  Int80(kClose, b);
}

TEST_F(SocketInetI386Test, RcvtimeoIsA32BitTimeval) {
  int32_t s = BoundUdp(0);
  ASSERT_GE(s, 0);
  int32_t* tv = reinterpret_cast<int32_t*>(At(100));
  tv[0] = 0;
  tv[1] = 100000;
  ASSERT_EQ(Int80(kSetsockopt, s, SOL_SOCKET, SO_RCVTIMEO, Addr(100), 8), 0);
  uint32_t* len = reinterpret_cast<uint32_t*>(At(200));
  *len = 16;
  memset(At(300), 0x55, 16);
  ASSERT_EQ(Int80(kGetsockopt, s, SOL_SOCKET, SO_RCVTIMEO, Addr(300), Addr(200)), 0);
  EXPECT_EQ(*len, 8u);
  int32_t* got = reinterpret_cast<int32_t*>(At(300));
  EXPECT_EQ(got[0], 0);
  EXPECT_GE(got[1], 96000);
  EXPECT_LE(got[1], 104000);
  // It is in force: a receive with nothing queued times out.
  EXPECT_EQ(Int80(kRecvfrom, s, Addr(400), 16, 0, 0, 0), -EAGAIN);
  // Too short for a compat timeval.
  EXPECT_EQ(Int80(kSetsockopt, s, SOL_SOCKET, SO_RCVTIMEO, Addr(100), 4), -EINVAL);
  Int80(kClose, s);
}

TEST_F(SocketInetI386Test, IfconfCompatLayout) {
  int32_t s = Int80(kSocket, AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(s, 0);
  Ifconf32* c = reinterpret_cast<Ifconf32*>(At(0));
  // Null buffer: the length all entries need, 32 bytes each.
  *c = {0, 0};
  ASSERT_EQ(Int80(kIoctl, s, SIOCGIFCONF, Addr(0)), 0);
  ASSERT_GT(c->len, 0);
  EXPECT_EQ(c->len % 32, 0);
  *c = {32 * 16, A32(1024)};
  ASSERT_EQ(Int80(kIoctl, s, SIOCGIFCONF, Addr(0)), 0);
  bool lo = false;
  for (int i = 0; i < c->len / 32; i++) {
    char* e = At(1024 + 32 * i);
    if (std::string(e) == "lo") {
      lo = true;
      sockaddr_in a;
      memcpy(&a, e + 16, sizeof(a));
      EXPECT_EQ(a.sin_family, AF_INET);
      EXPECT_EQ(a.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
    }
  }
  EXPECT_TRUE(lo);
  // SIOCGIFINDEX with the shared part of ifreq.
  strcpy(At(4096), "lo");
  ASSERT_EQ(Int80(kIoctl, s, SIOCGIFINDEX, Addr(4096)), 0);
  int32_t idx;
  memcpy(&idx, At(4096 + 16), 4);
  EXPECT_GT(idx, 0);
  Int80(kClose, s);
}

}  // namespace
