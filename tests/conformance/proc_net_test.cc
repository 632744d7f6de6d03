// /proc/net: the socket tables (tcp, tcp6, udp, udp6, unix), interfaces
// (dev, if_inet6) and routes as Linux prints them. Headers are compared
// exactly; a socket this test makes appears in its table with the inode
// fstat gives the fd (what ss -p / netstat -p match on), its owner's uid
// and its state.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "syscall_matchers.h"
#include "temp_dir.h"

namespace {

using conformance::FdCloser;

std::vector<std::string> Lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> v;
  for (std::string l; std::getline(in, l);) v.push_back(l);
  return v;
}

std::vector<std::string> Fields(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> v;
  for (std::string f; in >> f;) v.push_back(f);
  return v;
}

uint64_t InodeOf(int fd) {
  struct stat st;
  if (fstat(fd, &st) < 0) return 0;
  return st.st_ino;
}

std::string RStrip(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

// The line of `table` whose local address is `local` ("0100007F:1F90").
std::vector<std::string> FindSocket(const std::string& table,
                                    const std::string& local) {
  std::vector<std::string> lines = Lines("/proc/net/" + table);
  for (size_t i = 1; i < lines.size(); i++) {
    std::vector<std::string> f = Fields(lines[i]);
    if (f.size() > 9 && f[1] == local) return f;
  }
  return {};
}

TEST(ProcNet, IsALinkToSelfNet) {
  char buf[64];
  ssize_t n = readlink("/proc/net", buf, sizeof(buf));
  ASSERT_THAT(n, SyscallSucceeds());
  EXPECT_EQ(std::string(buf, n), "self/net");
  struct stat st;
  EXPECT_THAT(stat("/proc/self/net/tcp", &st), SyscallSucceeds());
}

TEST(ProcNet, Headers) {
  EXPECT_EQ(RStrip(Lines("/proc/net/tcp").at(0)),
            "  sl  local_address rem_address   st tx_queue rx_queue tr "
            "tm->when retrnsmt   uid  timeout inode");
  EXPECT_EQ(RStrip(Lines("/proc/net/tcp6").at(0)),
            "  sl  local_address                         remote_address     "
            "                   st tx_queue rx_queue tr tm->when retrnsmt   "
            "uid  timeout inode");
  EXPECT_EQ(RStrip(Lines("/proc/net/udp").at(0)),
            "   sl  local_address rem_address   st tx_queue rx_queue tr "
            "tm->when retrnsmt   uid  timeout inode ref pointer drops");
  EXPECT_EQ(RStrip(Lines("/proc/net/udp6").at(0)),
            "  sl  local_address                         remote_address     "
            "                   st tx_queue rx_queue tr tm->when retrnsmt   "
            "uid  timeout inode ref pointer drops");
  EXPECT_EQ(Lines("/proc/net/unix").at(0),
            "Num       RefCount Protocol Flags    Type St Inode Path");
  std::vector<std::string> dev = Lines("/proc/net/dev");
  ASSERT_GE(dev.size(), 3u);
  EXPECT_EQ(dev[0],
            "Inter-|   Receive                                                "
            "|  Transmit");
  EXPECT_EQ(dev[1],
            " face |bytes    packets errs drop fifo frame compressed "
            "multicast|bytes    packets errs drop fifo colls carrier "
            "compressed");
  bool lo = false;
  for (const std::string& l : dev) lo |= l.rfind("    lo:", 0) == 0;
  EXPECT_TRUE(lo);
  EXPECT_EQ(RStrip(Lines("/proc/net/route").at(0)),
            "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask"
            "\t\tMTU\tWindow\tIRTT");
}

TEST(ProcNet, TcpListenerListed) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_THAT(s, SyscallSucceeds());
  FdCloser c(s);
  sockaddr_in a = {};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_THAT(bind(s, reinterpret_cast<sockaddr*>(&a), sizeof(a)), SyscallSucceeds());
  ASSERT_THAT(listen(s, 4), SyscallSucceeds());
  socklen_t len = sizeof(a);
  ASSERT_THAT(getsockname(s, reinterpret_cast<sockaddr*>(&a), &len), SyscallSucceeds());
  char local[32];
  snprintf(local, sizeof(local), "0100007F:%04X", ntohs(a.sin_port));
  std::vector<std::string> f = FindSocket("tcp", local);
  ASSERT_FALSE(f.empty()) << local;
  EXPECT_EQ(f[2], "00000000:0000");
  EXPECT_EQ(f[3], "0A");  // TCP_LISTEN
  EXPECT_EQ(f[7], std::to_string(geteuid()));
  EXPECT_EQ(f[9], std::to_string(InodeOf(s)));
}

TEST(ProcNet, Udp6SocketListed) {
  int s = socket(AF_INET6, SOCK_DGRAM, 0);
  ASSERT_THAT(s, SyscallSucceeds());
  FdCloser c(s);
  sockaddr_in6 a = {};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  ASSERT_THAT(bind(s, reinterpret_cast<sockaddr*>(&a), sizeof(a)), SyscallSucceeds());
  socklen_t len = sizeof(a);
  ASSERT_THAT(getsockname(s, reinterpret_cast<sockaddr*>(&a), &len), SyscallSucceeds());
  char local[64];
  // ::1 as four host-order 32-bit words (little-endian x86).
  snprintf(local, sizeof(local), "00000000000000000000000001000000:%04X",
           ntohs(a.sin6_port));
  std::vector<std::string> f = FindSocket("udp6", local);
  ASSERT_FALSE(f.empty()) << local;
  EXPECT_EQ(f[3], "07");  // TCP_CLOSE: an unconnected UDP socket
  EXPECT_EQ(f[9], std::to_string(InodeOf(s)));
}

TEST(ProcNet, UnixSocketsListed) {
  int l = socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_THAT(l, SyscallSucceeds());
  FdCloser cl(l);
  sockaddr_un a = {};
  a.sun_family = AF_UNIX;
  std::string name = "proc_net_test." + std::to_string(getpid());
  memcpy(a.sun_path + 1, name.data(), name.size());
  socklen_t alen = offsetof(sockaddr_un, sun_path) + 1 + name.size();
  ASSERT_THAT(bind(l, reinterpret_cast<sockaddr*>(&a), alen), SyscallSucceeds());
  ASSERT_THAT(listen(l, 4), SyscallSucceeds());

  conformance::TempDir dir;
  std::string path = dir.path() + "/d.sock";
  int d = socket(AF_UNIX, SOCK_DGRAM, 0);
  ASSERT_THAT(d, SyscallSucceeds());
  FdCloser cd(d);
  sockaddr_un p = {};
  p.sun_family = AF_UNIX;
  ASSERT_LT(path.size(), sizeof(p.sun_path));
  memcpy(p.sun_path, path.data(), path.size());
  ASSERT_THAT(bind(d, reinterpret_cast<sockaddr*>(&p), sizeof(p)), SyscallSucceeds());

  int sv[2];
  ASSERT_THAT(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), SyscallSucceeds());
  FdCloser c0(sv[0]), c1(sv[1]);

  std::vector<std::string> lines = Lines("/proc/net/unix");
  auto find = [&](int fd) -> std::vector<std::string> {
    for (size_t i = 1; i < lines.size(); i++) {
      std::vector<std::string> f = Fields(lines[i]);
      if (f.size() >= 7 && f[6] == std::to_string(InodeOf(fd))) return f;
    }
    return {};
  };
  std::vector<std::string> f = find(l);
  ASSERT_EQ(f.size(), 8u);
  EXPECT_EQ(f[3], "00010000");  // __SO_ACCEPTCON
  EXPECT_EQ(f[4], "0001");      // SOCK_STREAM
  EXPECT_EQ(f[5], "01");        // SS_UNCONNECTED
  EXPECT_EQ(f[7], "@" + name);
  f = find(d);
  ASSERT_EQ(f.size(), 8u);
  EXPECT_EQ(f[3], "00000000");
  EXPECT_EQ(f[4], "0002");
  EXPECT_EQ(f[7], path);
  for (int fd : sv) {
    f = find(fd);
    ASSERT_EQ(f.size(), 7u) << "unnamed: no path";
    EXPECT_EQ(f[4], "0001");
    EXPECT_EQ(f[5], "03");  // SS_CONNECTED
  }
}

}  // namespace
