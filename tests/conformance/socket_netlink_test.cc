// AF_NETLINK NETLINK_ROUTE as glibc and Python use it: getifaddrs(),
// if_nametoindex()/if_indextoname()/if_nameindex(), raw RTM_GETLINK and
// RTM_GETADDR dumps, port ids (bind, autobind, getsockname), and the
// interface ioctls any socket answers (SIOCGIFINDEX, SIOCGIFNAME,
// SIOCGIFFLAGS, SIOCGIFCONF). Only read-only requests: the test never
// changes the network it runs in.
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "syscall_matchers.h"
#include "temp_dir.h"

namespace {

using conformance::FdCloser;

TEST(SocketNetlink, GetifaddrsListsLoopback) {
  struct ifaddrs* ifa = nullptr;
  ASSERT_THAT(getifaddrs(&ifa), SyscallSucceeds());
  bool lo4 = false, lo_packet = false;
  for (struct ifaddrs* i = ifa; i; i = i->ifa_next) {
    if (std::string(i->ifa_name) != "lo" || !i->ifa_addr) continue;
    if (i->ifa_addr->sa_family == AF_INET) {
      auto* in = reinterpret_cast<sockaddr_in*>(i->ifa_addr);
      EXPECT_EQ(in->sin_addr.s_addr, htonl(INADDR_LOOPBACK));
      auto* mask = reinterpret_cast<sockaddr_in*>(i->ifa_netmask);
      ASSERT_NE(mask, nullptr);
      EXPECT_EQ(mask->sin_addr.s_addr, htonl(0xff000000));
      EXPECT_TRUE(i->ifa_flags & IFF_UP);
      EXPECT_TRUE(i->ifa_flags & IFF_LOOPBACK);
      lo4 = true;
    }
    if (i->ifa_addr->sa_family == AF_PACKET) lo_packet = true;
  }
  freeifaddrs(ifa);
  EXPECT_TRUE(lo4);
  EXPECT_TRUE(lo_packet);
}

TEST(SocketNetlink, InterfaceNamesAndIndexes) {
  unsigned idx = if_nametoindex("lo");
  ASSERT_NE(idx, 0u);
  char name[IF_NAMESIZE];
  ASSERT_NE(if_indextoname(idx, name), nullptr);
  EXPECT_STREQ(name, "lo");
  EXPECT_EQ(if_nametoindex("no-such-if0"), 0u);
  struct if_nameindex* all = if_nameindex();
  ASSERT_NE(all, nullptr);
  bool found = false;
  for (struct if_nameindex* i = all; i->if_index; i++) {
    if (std::string(i->if_name) == "lo") {
      EXPECT_EQ(i->if_index, idx);
      found = true;
    }
  }
  if_freenameindex(all);
  EXPECT_TRUE(found);
}

TEST(SocketNetlink, InterfaceIoctls) {
  FdCloser s(socket(AF_INET, SOCK_DGRAM, 0));
  ASSERT_GE(s.get(), 0);
  struct ifreq r = {};
  strcpy(r.ifr_name, "lo");
  ASSERT_THAT(ioctl(s.get(), SIOCGIFINDEX, &r), SyscallSucceeds());
  int idx = r.ifr_ifindex;
  EXPECT_GT(idx, 0);
  memset(&r, 0, sizeof(r));
  r.ifr_ifindex = idx;
  ASSERT_THAT(ioctl(s.get(), SIOCGIFNAME, &r), SyscallSucceeds());
  EXPECT_STREQ(r.ifr_name, "lo");
  ASSERT_THAT(ioctl(s.get(), SIOCGIFFLAGS, &r), SyscallSucceeds());
  EXPECT_TRUE(r.ifr_flags & IFF_LOOPBACK);
  EXPECT_TRUE(r.ifr_flags & IFF_UP);
  ASSERT_THAT(ioctl(s.get(), SIOCGIFADDR, &r), SyscallSucceeds());
  EXPECT_EQ(reinterpret_cast<sockaddr_in*>(&r.ifr_addr)->sin_addr.s_addr,
            htonl(INADDR_LOOPBACK));
  strcpy(r.ifr_name, "no-such-if0");
  EXPECT_THAT(ioctl(s.get(), SIOCGIFINDEX, &r), SyscallFailsWithErrno(ENODEV));
  // SIOCGIFCONF: a null buffer asks for the length.
  struct ifconf c = {};
  ASSERT_THAT(ioctl(s.get(), SIOCGIFCONF, &c), SyscallSucceeds());
  EXPECT_GT(c.ifc_len, 0);
  EXPECT_EQ(c.ifc_len % sizeof(struct ifreq), 0u);
  std::vector<struct ifreq> reqs(c.ifc_len / sizeof(struct ifreq));
  c.ifc_req = reqs.data();
  ASSERT_THAT(ioctl(s.get(), SIOCGIFCONF, &c), SyscallSucceeds());
  bool lo = false;
  for (size_t i = 0; i < c.ifc_len / sizeof(struct ifreq); i++) {
    if (std::string(reqs[i].ifr_name) == "lo") lo = true;
  }
  EXPECT_TRUE(lo);
  // The same questions through an AF_UNIX socket (glibc's choice).
  FdCloser u(socket(AF_UNIX, SOCK_DGRAM, 0));
  strcpy(r.ifr_name, "lo");
  ASSERT_THAT(ioctl(u.get(), SIOCGIFINDEX, &r), SyscallSucceeds());
  EXPECT_EQ(r.ifr_ifindex, idx);
  ASSERT_THAT(ioctl(u.get(), SIOCGIFFLAGS, &r), SyscallSucceeds());
  EXPECT_TRUE(r.ifr_flags & IFF_LOOPBACK);
  // Addresses are AF_INET's business.
  EXPECT_THAT(ioctl(u.get(), SIOCGIFADDR, &r), SyscallFailsWithErrno(ENOTTY));
}

TEST(SocketNetlink, CreateAndPortIds) {
  EXPECT_THAT(socket(AF_NETLINK, SOCK_STREAM, NETLINK_ROUTE),
              SyscallFailsWithErrno(ESOCKTNOSUPPORT));
  EXPECT_THAT(socket(AF_NETLINK, SOCK_RAW, 99), SyscallFailsWithErrno(EPROTONOSUPPORT));
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  ASSERT_THAT(fd, SyscallSucceeds());
  FdCloser f(fd);
  int v;
  socklen_t len = sizeof(v);
  ASSERT_THAT(getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &len), SyscallSucceeds());
  EXPECT_EQ(v, AF_NETLINK);
  ASSERT_THAT(getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &len), SyscallSucceeds());
  EXPECT_EQ(v, NETLINK_ROUTE);
  sockaddr_nl a = {};
  len = sizeof(a);
  ASSERT_THAT(getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), SyscallSucceeds());
  EXPECT_EQ(a.nl_family, AF_NETLINK);
  EXPECT_EQ(a.nl_pid, 0u);  // not bound yet
  a = {};
  a.nl_family = AF_NETLINK;
  ASSERT_THAT(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), SyscallSucceeds());
  len = sizeof(a);
  ASSERT_THAT(getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), SyscallSucceeds());
  EXPECT_EQ(len, sizeof(sockaddr_nl));
  EXPECT_NE(a.nl_pid, 0u);
  // The same explicit id on another socket is taken.
  FdCloser g(socket(AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE));
  EXPECT_THAT(bind(g.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)),
              SyscallFailsWithErrno(EADDRINUSE));
  EXPECT_THAT(bind(g.get(), reinterpret_cast<sockaddr*>(&a), 4), SyscallFailsWithErrno(EINVAL));
}

// Sends one dump request and collects the replies until NLMSG_DONE.
std::vector<std::string> Dump(int fd, uint16_t type, uint32_t seq, bool* ok) {
  struct {
    nlmsghdr h;
    union {
      ifinfomsg link;
      ifaddrmsg addr;
    };
  } req = {};
  req.h.nlmsg_len = NLMSG_LENGTH(type == RTM_GETLINK ? sizeof(ifinfomsg) : sizeof(ifaddrmsg));
  req.h.nlmsg_type = type;
  req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.h.nlmsg_seq = seq;
  sockaddr_nl k = {};
  k.nl_family = AF_NETLINK;
  *ok = false;
  std::vector<std::string> msgs;
  if (sendto(fd, &req, req.h.nlmsg_len, 0, reinterpret_cast<sockaddr*>(&k), sizeof(k)) !=
      static_cast<ssize_t>(req.h.nlmsg_len)) {
    return msgs;
  }
  std::vector<char> buf(32768);
  for (;;) {
    sockaddr_nl from = {};
    socklen_t flen = sizeof(from);
    ssize_t n = recvfrom(fd, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &flen);
    if (n <= 0) return msgs;
    if (from.nl_pid != 0) return msgs;  // from the kernel
    for (nlmsghdr* h = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(h, n);
         h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_seq != seq) return msgs;
      if (h->nlmsg_type == NLMSG_DONE) {
        *ok = true;
        return msgs;
      }
      if (h->nlmsg_type == NLMSG_ERROR) return msgs;
      msgs.emplace_back(reinterpret_cast<char*>(h), h->nlmsg_len);
    }
  }
}

TEST(SocketNetlink, RouteDumps) {
  FdCloser f(socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
  ASSERT_GE(f.get(), 0);
  bool ok;
  std::vector<std::string> links = Dump(f.get(), RTM_GETLINK, 4242, &ok);
  ASSERT_TRUE(ok);
  bool lo = false;
  for (const std::string& m : links) {
    auto* h = reinterpret_cast<const nlmsghdr*>(m.data());
    EXPECT_EQ(h->nlmsg_type, RTM_NEWLINK);
    EXPECT_TRUE(h->nlmsg_flags & NLM_F_MULTI);
    auto* ifi = reinterpret_cast<const ifinfomsg*>(NLMSG_DATA(h));
    int len = IFLA_PAYLOAD(h);
    for (auto* a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
      if (a->rta_type == IFLA_IFNAME &&
          std::string(reinterpret_cast<const char*>(RTA_DATA(a))) == "lo") {
        lo = true;
        EXPECT_TRUE(ifi->ifi_flags & IFF_LOOPBACK);
      }
    }
  }
  EXPECT_TRUE(lo);
  // The socket got a port id when it first sent; replies carry it.
  sockaddr_nl me = {};
  socklen_t len = sizeof(me);
  ASSERT_THAT(getsockname(f.get(), reinterpret_cast<sockaddr*>(&me), &len), SyscallSucceeds());
  EXPECT_NE(me.nl_pid, 0u);
  ASSERT_FALSE(links.empty());
  EXPECT_EQ(reinterpret_cast<const nlmsghdr*>(links[0].data())->nlmsg_pid, me.nl_pid);

  std::vector<std::string> addrs = Dump(f.get(), RTM_GETADDR, 4243, &ok);
  ASSERT_TRUE(ok);
  bool v4 = false;
  for (const std::string& m : addrs) {
    auto* h = reinterpret_cast<const nlmsghdr*>(m.data());
    EXPECT_EQ(h->nlmsg_type, RTM_NEWADDR);
    auto* ifa = reinterpret_cast<const ifaddrmsg*>(NLMSG_DATA(h));
    int alen = IFA_PAYLOAD(h);
    for (auto* a = IFA_RTA(ifa); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
      if (ifa->ifa_family == AF_INET && a->rta_type == IFA_LOCAL) {
        uint32_t addr;
        memcpy(&addr, RTA_DATA(a), 4);
        if (addr == htonl(INADDR_LOOPBACK)) {
          v4 = true;
          EXPECT_EQ(ifa->ifa_prefixlen, 8);
        }
      }
    }
  }
  EXPECT_TRUE(v4);
}

TEST(SocketNetlink, AckAndErrors) {
  FdCloser f(socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
  ASSERT_GE(f.get(), 0);
  // A lookup of one link by index, with an ack: the link, then error 0.
  struct {
    nlmsghdr h;
    ifinfomsg i;
  } req = {};
  req.h.nlmsg_len = NLMSG_LENGTH(sizeof(ifinfomsg));
  req.h.nlmsg_type = RTM_GETLINK;
  req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  req.h.nlmsg_seq = 7;
  req.i.ifi_index = static_cast<int>(if_nametoindex("lo"));
  ASSERT_THAT(send(f.get(), &req, req.h.nlmsg_len, 0), SyscallSucceeds());
  std::vector<uint16_t> types;
  int ack_error = 1;
  char buf[16384];
  while (ack_error == 1) {
    ssize_t n = recv(f.get(), buf, sizeof(buf), 0);
    ASSERT_GT(n, 0);
    for (nlmsghdr* h = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
      EXPECT_EQ(h->nlmsg_seq, 7u);
      types.push_back(h->nlmsg_type);
      if (h->nlmsg_type == NLMSG_ERROR) {
        ack_error = reinterpret_cast<nlmsgerr*>(NLMSG_DATA(h))->error;
      }
    }
  }
  ASSERT_EQ(types.size(), 2u);
  EXPECT_EQ(types[0], RTM_NEWLINK);
  EXPECT_EQ(ack_error, 0);
  // A lookup of an index that does not exist: NLMSG_ERROR -ENODEV.
  req.i.ifi_index = 999999;
  req.h.nlmsg_seq = 8;
  req.h.nlmsg_flags = NLM_F_REQUEST;
  ASSERT_THAT(send(f.get(), &req, req.h.nlmsg_len, 0), SyscallSucceeds());
  ssize_t n = recv(f.get(), buf, sizeof(buf), 0);
  ASSERT_GT(n, 0);
  auto* h = reinterpret_cast<nlmsghdr*>(buf);
  EXPECT_EQ(h->nlmsg_type, NLMSG_ERROR);
  EXPECT_EQ(h->nlmsg_seq, 8u);
  EXPECT_EQ(reinterpret_cast<nlmsgerr*>(NLMSG_DATA(h))->error, -ENODEV);
  // Nothing more queued.
  EXPECT_THAT(recv(f.get(), buf, sizeof(buf), MSG_DONTWAIT), SyscallFailsWithErrno(EAGAIN));
  // Short buffer: the datagram is cut, MSG_TRUNC says so.
  req.h.nlmsg_seq = 9;
  req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  ASSERT_THAT(send(f.get(), &req, req.h.nlmsg_len, 0), SyscallSucceeds());
  struct iovec iov{buf, 8};
  struct msghdr m = {};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  ASSERT_THAT(recvmsg(f.get(), &m, MSG_PEEK | MSG_TRUNC), SyscallSucceeds());
  EXPECT_TRUE(m.msg_flags & MSG_TRUNC);
}

}  // namespace
