// The stub jail (issue #6 point 3), on the ptrace platform.
//
// From the host: a stub has no fd but its channel, lives in namespaces of
// its own, has no_new_privs, no capabilities, tight rlimits and an empty
// root. From inside: system calls executed for real at the stub's own
// `syscall` instruction with registers of our choosing (what a compromised
// stub or an application jumping there would run) cannot open a host file,
// reach a host socket or signal a host process.
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "platform/platform.h"
#include "platform/ptrace/ptrace_platform.h"
#include "platform/stub/launcher.h"

namespace {

std::string ReadLink(const std::string& path) {
  char buf[256];
  ssize_t n = readlink(path.c_str(), buf, sizeof(buf) - 1);
  return n < 0 ? "" : std::string(buf, n);
}

// The value after "Name:" in /proc/PID/status or /proc/PID/limits.
std::string StatusField(pid_t pid, const std::string& name) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name + ":", 0) == 0) {
      std::string v = line.substr(name.size() + 1);
      v.erase(0, v.find_first_not_of(" \t"));
      return v;
    }
  }
  return "";
}

std::string LimitLine(pid_t pid, const std::string& name) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/limits");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name, 0) == 0) return line.substr(name.size());
  }
  return "";
}

std::vector<std::string> DirEntries(const std::string& path) {
  std::vector<std::string> out;
  DIR* d = opendir(path.c_str());
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") out.push_back(n);
  }
  closedir(d);
  return out;
}

class StubJailTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto p = platform::PtracePlatform::New();
    ASSERT_TRUE(p.ok()) << p.status();
    platform_ = std::move(*p);
    auto ns = platform_->NewAddressSpace();
    ASSERT_TRUE(ns.ok()) << ns.status();
    as_ = std::dynamic_pointer_cast<platform::PtraceAddressSpace>(ns->as);
    ASSERT_NE(as_, nullptr);
    ctx_ = std::move(ns->ctx);
    jail_ = static_cast<platform::PtracePlatform*>(platform_.get())
                ->launcher()
                .jail();
    // The environment this runs in (CI, root) gives every namespace.
    if (geteuid() == 0) {
      EXPECT_EQ(jail_.missing, "");
    }
    // A page in the stub for the strings and structs we pass.
    ASSERT_EQ(as_->Map(kData, 0x1000, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_FIXED),
              static_cast<int64_t>(kData));
  }

  // Copies `len` bytes to the stub's data page at `off`; returns the address.
  uint64_t Put(uint64_t off, const void* data, size_t len) {
    EXPECT_EQ(as_->Write(kData + off, data, len, false),
              static_cast<int64_t>(len));
    return kData + off;
  }
  uint64_t PutString(uint64_t off, const std::string& s) {
    return Put(off, s.c_str(), s.size() + 1);
  }

  static constexpr uint64_t kData = 0x200000;
  std::unique_ptr<platform::Platform> platform_;
  std::shared_ptr<platform::PtraceAddressSpace> as_;
  std::unique_ptr<platform::Context> ctx_;
  platform::JailInfo jail_;
};

TEST_F(StubJailTest, HostSeesAJailedStub) {
  const pid_t pid = as_->StubPid();
  const std::string proc = "/proc/" + std::to_string(pid);
  // Only its channel.
  auto fds = DirEntries(proc + "/fd");
  ASSERT_EQ(fds.size(), 1u);
  EXPECT_EQ(fds[0], std::to_string(platform::kStubChannelFd));
  EXPECT_EQ(ReadLink(proc + "/fd/3").rfind("socket:", 0), 0u);
  // Namespaces other than ours.
  for (const char* ns : {"user", "mnt", "pid", "net", "ipc", "uts"}) {
    const std::string mine = ReadLink(std::string("/proc/self/ns/") + ns);
    const std::string its = ReadLink(proc + "/ns/" + ns);
    ASSERT_FALSE(its.empty()) << ns;
    if (geteuid() == 0) EXPECT_NE(mine, its) << ns << " namespace shared";
  }
  EXPECT_EQ(StatusField(pid, "NoNewPrivs"), "1");
  EXPECT_EQ(StatusField(pid, "CapEff"), "0000000000000000");
  EXPECT_EQ(StatusField(pid, "CapPrm"), "0000000000000000");
  EXPECT_EQ(StatusField(pid, "CapBnd"), "0000000000000000");
  EXPECT_EQ(StatusField(pid, "CapAmb"), "0000000000000000");
  // rlimits: fds 0-3 only, no core dumps.
  EXPECT_NE(LimitLine(pid, "Max open files").find(" 4 "), std::string::npos)
      << LimitLine(pid, "Max open files");
  EXPECT_NE(LimitLine(pid, "Max core file size").find(" 0 "),
            std::string::npos);
  // An empty root.
  if (geteuid() == 0) {
    EXPECT_TRUE(jail_.empty_root);
    EXPECT_TRUE(DirEntries(proc + "/root").empty());
  }
  // Not dumpable: not shown in /proc/PID/status, so asked inside.
  EXPECT_EQ(as_->RunSyscall(SYS_prctl, PR_GET_DUMPABLE), 0);
  EXPECT_EQ(as_->RunSyscall(SYS_prctl, PR_GET_NO_NEW_PRIVS), 1);

  // A forked stub is just as jailed.
  auto fork = as_->Fork();
  ASSERT_TRUE(fork.ok()) << fork.status();
  const std::string child = "/proc/" + std::to_string(fork->as->StubPid());
  EXPECT_EQ(DirEntries(child + "/fd").size(), 1u);
  for (const char* ns : {"user", "mnt", "pid", "net", "ipc", "uts"})
    EXPECT_EQ(ReadLink(child + "/ns/" + ns), ReadLink(proc + "/ns/" + ns));
  EXPECT_EQ(StatusField(fork->as->StubPid(), "NoNewPrivs"), "1");
}

TEST_F(StubJailTest, JumpingToTheStubSyscallIsIntercepted) {
  // The application's view on ptrace: the stub's own `syscall` instruction
  // with arbitrary registers is one more system call for the sentry; the
  // host never runs it.
  auto& r = ctx_->MutableRegs();
  r.rip = as_->SyscallGadget();
  r.rax = SYS_kill;
  r.rdi = static_cast<uint64_t>(getpid());
  r.rsi = SIGKILL;
  platform::Event ev = ctx_->Switch();
  ASSERT_EQ(ev.kind, platform::Event::Kind::kSyscall);
  EXPECT_EQ(ev.sysno, static_cast<uint64_t>(SYS_kill));
  EXPECT_EQ(ev.args[0], static_cast<uint64_t>(getpid()));
}

TEST_F(StubJailTest, HostSyscallsInTheStubReachNothing) {
  // Things on the host a stub must not reach.
  char dir_tmpl[] = "/tmp/stub_jail_XXXXXX";
  ASSERT_NE(mkdtemp(dir_tmpl), nullptr);
  const std::string dir = dir_tmpl;
  const std::string secret = dir + "/secret";
  {
    int fd = open(secret.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(write(fd, "x", 1), 1);
    close(fd);
  }
  // Listeners: a pathname unix socket, an abstract one, TCP on loopback.
  int unix_path = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  sockaddr_un path_addr = {};
  path_addr.sun_family = AF_UNIX;
  snprintf(path_addr.sun_path, sizeof(path_addr.sun_path), "%s/sock",
           dir.c_str());
  ASSERT_EQ(bind(unix_path, reinterpret_cast<sockaddr*>(&path_addr),
                 sizeof(path_addr)), 0);
  ASSERT_EQ(listen(unix_path, 1), 0);
  int unix_abs = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  sockaddr_un abs_addr = {};
  abs_addr.sun_family = AF_UNIX;
  const std::string abs_name = "stub_jail_" + std::to_string(getpid());
  std::memcpy(abs_addr.sun_path + 1, abs_name.data(), abs_name.size());
  const socklen_t abs_len =
      offsetof(sockaddr_un, sun_path) + 1 + abs_name.size();
  ASSERT_EQ(bind(unix_abs, reinterpret_cast<sockaddr*>(&abs_addr), abs_len), 0);
  ASSERT_EQ(listen(unix_abs, 1), 0);
  int tcp = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  sockaddr_in tcp_addr = {};
  tcp_addr.sin_family = AF_INET;
  tcp_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(tcp, reinterpret_cast<sockaddr*>(&tcp_addr), sizeof(tcp_addr)),
            0);
  socklen_t tl = sizeof(tcp_addr);
  ASSERT_EQ(getsockname(tcp, reinterpret_cast<sockaddr*>(&tcp_addr), &tl), 0);
  ASSERT_EQ(listen(tcp, 1), 0);
  // A host process to signal.
  pid_t victim = fork();
  if (victim == 0) {
    pause();
    _exit(0);
  }
  ASSERT_GT(victim, 0);
  auto cleanup = [&] {
    kill(victim, SIGKILL);
    waitpid(victim, nullptr, 0);
    close(unix_path);
    close(unix_abs);
    close(tcp);
    unlink((dir + "/sock").c_str());
    unlink(secret.c_str());
    rmdir(dir.c_str());
  };

  // Files: by path, through /proc, relative to the channel fd.
  for (const std::string& path :
       {secret, std::string("/etc/passwd"), std::string("/proc/1/root") + secret,
        std::string("/proc/self/root/etc/passwd"), std::string("../../etc")}) {
    uint64_t p = PutString(0, path);
    int64_t r = as_->RunSyscall(SYS_openat, AT_FDCWD, p, O_RDONLY);
    EXPECT_LT(r, 0) << "opened " << path;
    if (r >= 0) as_->RunSyscall(SYS_close, r);
  }
  {
    // Its root is an empty directory (and read-only).
    uint64_t p = PutString(0, "/");
    int64_t fd = as_->RunSyscall(SYS_openat, AT_FDCWD, p,
                                 O_RDONLY | O_DIRECTORY);
    ASSERT_GE(fd, 0);
    int64_t n = as_->RunSyscall(SYS_getdents64, fd, kData + 512, 2048);
    ASSERT_GT(n, 0);
    std::vector<char> buf(n);
    ASSERT_EQ(as_->Read(kData + 512, buf.data(), n), n);
    std::vector<std::string> names;
    for (int64_t off = 0; off < n;) {
      uint16_t reclen;
      std::memcpy(&reclen, buf.data() + off + 16, 2);
      names.push_back(buf.data() + off + 19);
      off += reclen;
    }
    EXPECT_EQ(names.size(), 2u);  // "." and ".."
    as_->RunSyscall(SYS_close, fd);
    p = PutString(0, "/x");
    EXPECT_LT(as_->RunSyscall(SYS_mkdirat, AT_FDCWD, p, 0700), 0);
  }
  {
    uint64_t p = PutString(0, "secret");
    EXPECT_LT(as_->RunSyscall(SYS_openat, platform::kStubChannelFd, p,
                              O_RDONLY), 0);
  }
  // Sockets: whatever the stub can create lives in its own network
  // namespace; none reaches a host listener.
  int64_t s = as_->RunSyscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0);
  if (s >= 0) {
    uint64_t a = Put(0, &path_addr, sizeof(path_addr));
    EXPECT_LT(as_->RunSyscall(SYS_connect, s, a, sizeof(path_addr)), 0);
    a = Put(0, &abs_addr, abs_len);
    EXPECT_LT(as_->RunSyscall(SYS_connect, s, a, abs_len), 0);
    as_->RunSyscall(SYS_close, s);
  }
  s = as_->RunSyscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
  if (s >= 0) {
    uint64_t a = Put(0, &tcp_addr, sizeof(tcp_addr));
    EXPECT_LT(as_->RunSyscall(SYS_connect, s, a, sizeof(tcp_addr)), 0);
    as_->RunSyscall(SYS_close, s);
  }
  for (int l : {unix_path, unix_abs, tcp}) {
    EXPECT_LT(accept(l, nullptr, nullptr), 0);
    EXPECT_EQ(errno, EAGAIN);
  }
  // Signals: the victim by its host pid, everyone it may see, our sentry.
  // Only with a pid namespace: without one (a degraded jail) these would
  // really kill host processes of our uid, this test included.
  if (!(jail_.namespaces & CLONE_NEWPID)) {
    cleanup();
    GTEST_SKIP() << "no pid namespace on this host: " << jail_.missing;
  }
  as_->RunSyscall(SYS_kill, victim, SIGKILL);
  as_->RunSyscall(SYS_kill, getpid(), SIGKILL);
  EXPECT_LT(as_->RunSyscall(SYS_ptrace, PTRACE_ATTACH, victim), 0);
  EXPECT_LT(as_->RunSyscall(SYS_ptrace, PTRACE_ATTACH, getpid()), 0);
  as_->RunSyscall(SYS_kill, -1, SIGKILL);
  int status;
  EXPECT_EQ(waitpid(victim, &status, WNOHANG), 0) << "the victim was killed";
  // No privilege to regain: no new namespaces, no mounts, no chroot.
  EXPECT_LT(as_->RunSyscall(SYS_unshare, CLONE_NEWUSER), 0);
  EXPECT_LT(as_->RunSyscall(SYS_unshare, CLONE_NEWNS), 0);
  EXPECT_LT(as_->RunSyscall(SYS_setns, platform::kStubChannelFd, 0), 0);
  {
    uint64_t p = PutString(0, "/");
    EXPECT_LT(as_->RunSyscall(SYS_chroot, p), 0);
  }
  // The stub itself is still alive and jailed (kill(-1) spared it).
  EXPECT_EQ(as_->RunSyscall(SYS_prctl, PR_GET_DUMPABLE), 0);

  cleanup();
}

// What another platform gets: an untraced stub from the same launcher, in
// the same jail.
TEST(StubLauncherTest, UntracedLaunchIsJailed) {
  std::ifstream in(JAIL_SLEEPER, std::ios::binary);
  ASSERT_TRUE(in) << JAIL_SLEEPER;
  std::string image((std::istreambuf_iterator<char>(in)),
                    std::istreambuf_iterator<char>());
  auto launcher = platform::StubLauncher::New(
      image.data(), image.data() + image.size(), "jail-sleeper");
  ASSERT_TRUE(launcher.ok()) << launcher.status();
  auto stub = (*launcher)->Launch({});
  ASSERT_TRUE(stub.ok()) << stub.status();
  const pid_t pid = stub->pid;
  const std::string proc = "/proc/" + std::to_string(pid);
  // It runs the image (the host resolves /proc/PID/exe to the memfd).
  std::string exe;
  for (int i = 0; i < 200 && exe.find("jail-sleeper") == std::string::npos;
       i++) {
    exe = ReadLink(proc + "/exe");
    usleep(5000);
  }
  EXPECT_NE(exe.find("memfd:jail-sleeper"), std::string::npos) << exe;
  auto fds = DirEntries(proc + "/fd");
  ASSERT_EQ(fds.size(), 1u);
  EXPECT_EQ(fds[0], "3");
  EXPECT_EQ(StatusField(pid, "NoNewPrivs"), "1");
  EXPECT_EQ(StatusField(pid, "CapEff"), "0000000000000000");
  EXPECT_EQ(StatusField(pid, "CapBnd"), "0000000000000000");
  if (geteuid() == 0) {
    for (const char* ns : {"user", "mnt", "pid", "net", "ipc", "uts"}) {
      EXPECT_NE(ReadLink(std::string("/proc/self/ns/") + ns),
                ReadLink(proc + "/ns/" + ns))
          << ns;
    }
    EXPECT_TRUE(DirEntries(proc + "/root").empty());
  }
  // The launcher's end dies with the launcher: the zygote, pid 1 of the
  // stubs' namespace, takes the stub with it.
  launcher->reset();
  bool gone = false;
  for (int i = 0; i < 200 && !gone; i++) {
    gone = access(proc.c_str(), F_OK) != 0 ||
           StatusField(pid, "State").rfind("Z", 0) == 0;
    if (!gone) usleep(5000);
  }
  EXPECT_TRUE(gone);
}

}  // namespace
