// The sandbox network's host side: namespace creation (--network), port
// publishing (-p) and its spec parsing. Needs CAP_SYS_ADMIN (root) for the
// namespace; skipped without it.
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "sentry/socket/netns/network.h"
#include "sentry/socket/netns/publisher.h"

namespace sentry::socket {
namespace {

TEST(PortMapping, Parses) {
  auto m = ParsePortMapping("8080:80");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->host_ip, "127.0.0.1");
  EXPECT_EQ(m->host_port, 8080);
  EXPECT_EQ(m->sandbox_port, 80);
  m = ParsePortMapping("0.0.0.0:1:65535");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->host_ip, "0.0.0.0");
  EXPECT_EQ(m->sandbox_port, 65535);
  m = ParsePortMapping("[::1]:9000:90");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->host_ip, "::1");
  EXPECT_EQ(m->host_port, 9000);
}

TEST(PortMapping, RejectsBadSpecs) {
  for (const char* bad : {"", "80", "0:80", "80:0", "65536:80", "a:80",
                          "80:b", "1.2.3:80:80", "x:1:2:3", "[::1:80:80",
                          "-1:80", "+80:80", "80:80:"}) {
    EXPECT_FALSE(ParsePortMapping(bad).ok()) << bad;
  }
}

TEST(NetworkMode, Parses) {
  EXPECT_EQ(*ParseNetworkMode(""), NetworkMode::kLoopback);
  EXPECT_EQ(*ParseNetworkMode("loopback"), NetworkMode::kLoopback);
  EXPECT_EQ(*ParseNetworkMode("host"), NetworkMode::kHost);
  EXPECT_EQ(*ParseNetworkMode("none"), NetworkMode::kNone);
  EXPECT_FALSE(ParseNetworkMode("bridge").ok());
}

class NetnsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root for unshare(CLONE_NEWNET)";
  }
};

// The interface names of the namespace `net` runs in.
std::string Interfaces(Network& net, bool* lo_up) {
  std::string names;
  net.Run([&] {
    int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd, 0);
    struct ifreq reqs[32];
    struct ifconf c = {};
    c.ifc_len = sizeof(reqs);
    c.ifc_req = reqs;
    ASSERT_EQ(ioctl(fd, SIOCGIFCONF, &c), 0);
    for (size_t i = 0; i < c.ifc_len / sizeof(struct ifreq); i++) {
      names += reqs[i].ifr_name;
      names += " ";
    }
    struct ifreq lo = {};
    strcpy(lo.ifr_name, "lo");
    ASSERT_EQ(ioctl(fd, SIOCGIFFLAGS, &lo), 0);
    *lo_up = lo.ifr_flags & IFF_UP;
    close(fd);
  });
  return names;
}

TEST_F(NetnsTest, LoopbackHasOnlyLoUp) {
  auto net = Network::Create(NetworkMode::kLoopback);
  ASSERT_TRUE(net.ok()) << net.status();
  bool up = false;
  // SIOCGIFCONF lists interfaces with an IPv4 address: only lo.
  EXPECT_EQ(Interfaces(**net, &up), "lo ");
  EXPECT_TRUE(up);
}

TEST_F(NetnsTest, NoneHasLoDown) {
  auto net = Network::Create(NetworkMode::kNone);
  ASSERT_TRUE(net.ok()) << net.status();
  bool up = true;
  EXPECT_EQ(Interfaces(**net, &up), "");
  EXPECT_FALSE(up);
}

// A listener inside the namespace is not reachable from the host's
// namespace, and vice versa.
TEST_F(NetnsTest, LoopbackIsIsolated) {
  auto net = Network::Create(NetworkMode::kLoopback);
  ASSERT_TRUE(net.ok()) << net.status();
  int in = (*net)->HostSocket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(in, 0);
  sockaddr_in a = {};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(in, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  ASSERT_EQ(listen(in, 4), 0);
  socklen_t len = sizeof(a);
  ASSERT_EQ(getsockname(in, reinterpret_cast<sockaddr*>(&a), &len), 0);
  // The host's namespace: the same port is free there (bind succeeds),
  // which it would not be if the listener lived in this namespace.
  int out = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(out, 0);
  EXPECT_EQ(bind(out, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0)
      << strerror(errno);
  close(out);
  close(in);
}

uint16_t FreeHostPort() {
  int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a = {};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(s, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  close(s);
  return ntohs(a.sin_port);
}

TEST_F(NetnsTest, PublishForwardsBothWaysWithHalfClose) {
  auto net = Network::Create(NetworkMode::kLoopback);
  ASSERT_TRUE(net.ok()) << net.status();
  // A server in the sandbox namespace: reads everything until EOF, then
  // answers with the byte count and closes.
  int srv = (*net)->HostSocket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(srv, 0);
  sockaddr_in a = {};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(srv, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  ASSERT_EQ(listen(srv, 4), 0);
  socklen_t len = sizeof(a);
  ASSERT_EQ(getsockname(srv, reinterpret_cast<sockaddr*>(&a), &len), 0);
  const uint16_t sandbox_port = ntohs(a.sin_port);
  std::thread server([srv] {
    struct pollfd p{srv, POLLIN, 0};
    ASSERT_EQ(poll(&p, 1, 10000), 1);
    int c = accept4(srv, nullptr, nullptr, SOCK_CLOEXEC);
    ASSERT_GE(c, 0);
    int fl = 0;
    ioctl(c, FIONBIO, &fl);  // blocking
    uint64_t total = 0;
    char buf[65536];
    for (;;) {
      ssize_t r = read(c, buf, sizeof(buf));
      ASSERT_GE(r, 0);
      if (r == 0) break;
      total += r;
    }
    std::string reply = std::to_string(total);
    ASSERT_EQ(write(c, reply.data(), reply.size()),
              static_cast<ssize_t>(reply.size()));
    close(c);
  });

  PortMapping m;
  m.host_port = FreeHostPort();
  m.sandbox_port = sandbox_port;
  ASSERT_TRUE((*net)->Publish({m}).ok());

  int c = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in h = {};
  h.sin_family = AF_INET;
  h.sin_port = htons(m.host_port);
  h.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(c, reinterpret_cast<sockaddr*>(&h), sizeof(h)), 0)
      << strerror(errno);
  std::string data(3 << 20, 'x');
  size_t off = 0;
  while (off < data.size()) {
    ssize_t w = write(c, data.data() + off, data.size() - off);
    ASSERT_GT(w, 0);
    off += w;
  }
  ASSERT_EQ(shutdown(c, SHUT_WR), 0);
  std::string reply;
  char buf[64];
  for (;;) {
    ssize_t r = read(c, buf, sizeof(buf));
    ASSERT_GE(r, 0);
    if (r == 0) break;
    reply.append(buf, r);
  }
  EXPECT_EQ(reply, std::to_string(data.size()));
  close(c);
  server.join();
  close(srv);
}

TEST_F(NetnsTest, PublishRefusedWithoutServer) {
  auto net = Network::Create(NetworkMode::kLoopback);
  ASSERT_TRUE(net.ok()) << net.status();
  PortMapping m;
  m.host_port = FreeHostPort();
  m.sandbox_port = 1;  // nothing listens
  ASSERT_TRUE((*net)->Publish({m}).ok());
  int c = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in h = {};
  h.sin_family = AF_INET;
  h.sin_port = htons(m.host_port);
  h.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(c, reinterpret_cast<sockaddr*>(&h), sizeof(h)), 0);
  char b;
  ssize_t r = read(c, &b, 1);
  // Reset (or at least end of stream), never data.
  EXPECT_LE(r, 0);
  if (r < 0) EXPECT_EQ(errno, ECONNRESET);
  close(c);
}

TEST_F(NetnsTest, PublishNeedsLoopbackAndAFreePort) {
  auto host = Network::Create(NetworkMode::kHost);
  ASSERT_TRUE(host.ok());
  PortMapping m;
  m.host_port = FreeHostPort();
  m.sandbox_port = 80;
  EXPECT_FALSE((*host)->Publish({m}).ok());

  int busy = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a = {};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(busy, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  ASSERT_EQ(listen(busy, 1), 0);
  socklen_t len = sizeof(a);
  getsockname(busy, reinterpret_cast<sockaddr*>(&a), &len);
  auto net = Network::Create(NetworkMode::kLoopback);
  ASSERT_TRUE(net.ok());
  m.host_port = ntohs(a.sin_port);
  absl::Status st = (*net)->Publish({m});
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find(std::to_string(m.host_port)), std::string::npos)
      << st;
  close(busy);
}

}  // namespace
}  // namespace sentry::socket
