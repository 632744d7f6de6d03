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
#include <vector>

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

TEST(PortMapping, ParsesProtocol) {
  auto m = ParsePortMapping("5353:53/udp");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_TRUE(m->udp);
  EXPECT_EQ(m->host_port, 5353);
  EXPECT_EQ(m->sandbox_port, 53);
  m = ParsePortMapping("[::1]:8080:80/tcp");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_FALSE(m->udp);
  EXPECT_EQ(m->host_ip, "::1");
  EXPECT_FALSE(ParsePortMapping("8080:80").value().udp);
  for (const char* bad : {"8080:80/sctp", "8080:80/", "8080:80/udp/udp",
                          "/udp"}) {
    EXPECT_FALSE(ParsePortMapping(bad).ok()) << bad;
  }
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

// A UDP port with nothing bound on the host right now.
uint16_t FreeUdpPort() {
  int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in a = {};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(s, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  close(s);
  return ntohs(a.sin_port);
}

// -p .../udp: datagrams both ways, one association (one sandbox-side peer)
// per host client address, replies coming from the published address.
TEST_F(NetnsTest, PublishUdpPerClientAssociations) {
  auto net = Network::Create(NetworkMode::kLoopback);
  ASSERT_TRUE(net.ok()) << net.status();
  int srv = (*net)->HostSocket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(srv, 0);
  sockaddr_in a = {};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(srv, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  socklen_t len = sizeof(a);
  ASSERT_EQ(getsockname(srv, reinterpret_cast<sockaddr*>(&a), &len), 0);
  // Echo server: answers each datagram with "<peer port>:<data>", for the
  // four datagrams the clients send.
  std::vector<uint16_t> peers;
  std::thread server([srv, &peers] {
    for (int i = 0; i < 4; i++) {
      struct pollfd p{srv, POLLIN, 0};
      ASSERT_EQ(poll(&p, 1, 10000), 1);
      char buf[256];
      sockaddr_in from;
      socklen_t fl = sizeof(from);
      ssize_t n = recvfrom(srv, buf, sizeof(buf), 0,
                           reinterpret_cast<sockaddr*>(&from), &fl);
      ASSERT_GT(n, 0);
      peers.push_back(ntohs(from.sin_port));
      std::string reply =
          std::to_string(ntohs(from.sin_port)) + ":" + std::string(buf, n);
      ASSERT_EQ(sendto(srv, reply.data(), reply.size(), 0,
                       reinterpret_cast<sockaddr*>(&from), fl),
                static_cast<ssize_t>(reply.size()));
    }
  });

  PortMapping m;
  m.host_port = FreeUdpPort();
  m.sandbox_port = ntohs(a.sin_port);
  m.udp = true;
  ASSERT_TRUE((*net)->Publish({m}).ok());
  sockaddr_in h = {};
  h.sin_family = AF_INET;
  h.sin_port = htons(m.host_port);
  h.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int c1 = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  int c2 = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  // Each reply is checked to come from the published address.
  auto exchange = [&](int c, const std::string& msg) -> std::string {
    EXPECT_EQ(sendto(c, msg.data(), msg.size(), 0,
                     reinterpret_cast<sockaddr*>(&h), sizeof(h)),
              static_cast<ssize_t>(msg.size()));
    struct pollfd p{c, POLLIN, 0};
    if (poll(&p, 1, 10000) != 1) return "timeout";
    char buf[256];
    sockaddr_in from;
    socklen_t fl = sizeof(from);
    ssize_t n = recvfrom(c, buf, sizeof(buf), 0,
                         reinterpret_cast<sockaddr*>(&from), &fl);
    if (n < 0) return strerror(errno);
    EXPECT_EQ(from.sin_port, h.sin_port);
    EXPECT_EQ(from.sin_addr.s_addr, h.sin_addr.s_addr);
    return std::string(buf, n);
  };
  std::string r1 = exchange(c1, "one");
  std::string r2 = exchange(c2, "two");
  std::string r3 = exchange(c1, "three");
  std::string r4 = exchange(c2, "four");
  server.join();
  ASSERT_EQ(peers.size(), 4u);
  // c1's datagrams share a sandbox-side peer, c2's another one.
  EXPECT_EQ(peers[0], peers[2]);
  EXPECT_EQ(peers[1], peers[3]);
  EXPECT_NE(peers[0], peers[1]);
  EXPECT_EQ(r1, std::to_string(peers[0]) + ":one");
  EXPECT_EQ(r2, std::to_string(peers[1]) + ":two");
  EXPECT_EQ(r3, std::to_string(peers[0]) + ":three");
  EXPECT_EQ(r4, std::to_string(peers[1]) + ":four");
  close(c1);
  close(c2);
  close(srv);
}

}  // namespace
}  // namespace sentry::socket
