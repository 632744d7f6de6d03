// The seccomp-trap platform on its own: the same events as the ptrace
// it, and every kind of event comes back as the interface promises.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "platform/platform.h"

namespace {

using platform::Arch;
using platform::Event;

class SeccompPlatformTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto p = platform::Platform::Create("seccomp");
    ASSERT_TRUE(p.ok()) << p.status();
    platform_ = std::move(*p);
    auto ns = platform_->NewAddressSpace();
    ASSERT_TRUE(ns.ok()) << ns.status();
    as_ = ns->as;
    ctx_ = std::move(ns->ctx);
  }

  // Maps `code` at a fresh executable page and points rip at it.
  uint64_t LoadCode(const std::vector<uint8_t>& code) {
    int64_t addr = as_->Map(0x100000, 0x1000, PROT_READ | PROT_WRITE | PROT_EXEC,
                            MAP_PRIVATE | MAP_FIXED);
    EXPECT_EQ(addr, 0x100000);
    EXPECT_EQ(as_->Write(addr, code.data(), code.size()),
              static_cast<int64_t>(code.size()));
    auto& r = ctx_->MutableRegs();
    r.rip = addr;
    r.rsp = addr + 0x1000;
    return addr;
  }

  std::unique_ptr<platform::Platform> platform_;
  std::shared_ptr<platform::AddressSpace> as_;
  std::unique_ptr<platform::Context> ctx_;
};

TEST_F(SeccompPlatformTest, SyscallInt80AndFault) {
  LoadCode({
      0xb8, 0x27, 0x00, 0x00, 0x00,  // mov eax, 39 (getpid)
      0x48, 0xc7, 0xc7, 0x07, 0x00, 0x00, 0x00,  // mov rdi, 7
      0x0f, 0x05,                    // syscall
      0x89, 0xc3,                    // mov ebx, eax (result -> ebx)
      0xb8, 0x14, 0x00, 0x00, 0x00,  // mov eax, 20 (i386 getpid)
      0xcd, 0x80,                    // int 0x80
      0x0f, 0x0b,                    // ud2
  });
  Event ev = ctx_->Switch();
  ASSERT_EQ(ev.kind, Event::Kind::kSyscall);
  EXPECT_EQ(ev.arch, Arch::kAmd64);
  EXPECT_EQ(ev.sysno, 39u);
  EXPECT_EQ(ev.args[0], 7u);
  ctx_->SetReturn(4321);

  ev = ctx_->Switch();
  ASSERT_EQ(ev.kind, Event::Kind::kSyscall);
  EXPECT_EQ(ev.arch, Arch::kI386);
  EXPECT_EQ(ev.sysno, 20u);
  EXPECT_EQ(ev.args[0], 4321u);  // ebx carries the first result
  ctx_->SetReturn(1);

  ev = ctx_->Switch();
  ASSERT_EQ(ev.kind, Event::Kind::kFault);
  EXPECT_EQ(ev.signo, SIGILL);
}

TEST_F(SeccompPlatformTest, MemoryAccessAndErrors) {
  int64_t addr = as_->Map(0x200000, 0x2000, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_FIXED);
  ASSERT_EQ(addr, 0x200000);
  const char msg[] = "hello";
  EXPECT_EQ(as_->Write(addr, msg, sizeof(msg)), 6);
  char buf[6] = {};
  EXPECT_EQ(as_->Read(addr, buf, sizeof(buf)), 6);
  EXPECT_STREQ(buf, "hello");
  // Unmapped memory faults instead of crashing anything.
  EXPECT_EQ(as_->Read(0x10, buf, 4), -EFAULT);
  // Read-only pages refuse normal writes but accept forced ones.
  ASSERT_EQ(as_->Protect(addr, 0x1000, PROT_READ), 0);
  EXPECT_EQ(as_->Write(addr, msg, 4), -EFAULT);
  EXPECT_EQ(as_->Write(addr, msg, 4, /*force=*/true), 4);
  // Injected syscalls report the host's errors.
  EXPECT_EQ(as_->Unmap(0x200001, 0x1000), -EINVAL);
  EXPECT_EQ(as_->Unmap(addr, 0x2000), 0);
  EXPECT_EQ(as_->Read(addr, buf, 4), -EFAULT);
}

TEST_F(SeccompPlatformTest, InterruptBeforeSwitchReturnsAtOnce) {
  LoadCode({0xeb, 0xfe});  // jmp . (spins forever)
  ctx_->Interrupt();
  Event ev = ctx_->Switch();
  EXPECT_EQ(ev.kind, Event::Kind::kInterrupted);
}

}  // namespace

namespace {

TEST_F(SeccompPlatformTest, ForkCopiesMemoryAndThreadsShareIt) {
  int64_t addr = as_->Map(0x300000, 0x1000, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_FIXED);
  ASSERT_EQ(addr, 0x300000);
  uint64_t v = 1;
  ASSERT_EQ(as_->Write(addr, &v, 8), 8);

  auto fork = as_->Fork();
  ASSERT_TRUE(fork.ok()) << fork.status();
  auto thread = as_->NewThread();
  ASSERT_TRUE(thread.ok()) << thread.status();

  // Adopt both from other sentry threads, as the kernel does.
  std::shared_ptr<platform::AddressSpace> child_as = fork->as;
  uint64_t child_seen = 0, thread_seen = 0;
  std::thread t1([&] {
    auto ctx = platform_->AdoptThread(child_as, fork->thread);
    ASSERT_TRUE(ctx.ok()) << ctx.status();
    // The child's memory is a copy: writes stay private to it.
    uint64_t w = 2;
    ASSERT_EQ(child_as->Write(addr, &w, 8), 8);
    ASSERT_EQ(child_as->Read(addr, &child_seen, 8), 8);
    // Injected calls work from the adopting thread.
    EXPECT_EQ(child_as->Map(0x400000, 0x1000, PROT_READ, MAP_PRIVATE | MAP_FIXED),
              0x400000);
  });
  t1.join();
  std::thread t2([&] {
    auto ctx = platform_->AdoptThread(as_, *thread);
    ASSERT_TRUE(ctx.ok()) << ctx.status();
    ASSERT_EQ(as_->Read(addr, &thread_seen, 8), 8);
    EXPECT_EQ(as_->Map(0x500000, 0x1000, PROT_READ, MAP_PRIVATE | MAP_FIXED),
              0x500000);
    // Releasing this context ends only its thread.
  });
  t2.join();
  EXPECT_EQ(child_seen, 2u);
  EXPECT_EQ(thread_seen, 1u);
  uint64_t parent_seen = 0;
  ASSERT_EQ(as_->Read(addr, &parent_seen, 8), 8);
  EXPECT_EQ(parent_seen, 1u);
  // The parent's stub is still alive and usable from its own thread.
  EXPECT_EQ(as_->Unmap(0x500000, 0x1000), 0);
}

}  // namespace

namespace {

TEST_F(SeccompPlatformTest, MapFileSharesPagesWithTheSentry) {
  int fd = memfd_create("maptest", MFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(ftruncate(fd, 8192), 0);
  ASSERT_EQ(pwrite(fd, "shared!", 7, 4096), 7);
  ASSERT_EQ(as_->MapFile(0x600000, 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
                         fd, 4096),
            0x600000);
  char buf[8] = {};
  ASSERT_EQ(as_->Read(0x600000, buf, 7), 7);
  EXPECT_STREQ(buf, "shared!");
  // A write through the application's mapping reaches the file.
  ASSERT_EQ(as_->Write(0x600000, "S", 1), 1);
  ASSERT_EQ(pread(fd, buf, 1, 4096), 1);
  EXPECT_EQ(buf[0], 'S');
  // A private mapping does not write back; bad offsets are the host's errors.
  ASSERT_EQ(as_->MapFile(0x700000, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE,
                         fd, 0),
            0x700000);
  ASSERT_EQ(as_->Write(0x700000, "P", 1), 1);
  ASSERT_EQ(pread(fd, buf, 1, 0), 1);
  EXPECT_EQ(buf[0], 0);
  EXPECT_EQ(as_->MapFile(0x800000, 4096, PROT_READ, MAP_SHARED, fd, 1), -EINVAL);
  close(fd);
}

}  // namespace

// ---------------------------------------------------------------------------
// What only the seccomp platform has to prove: faults carry their address,
// a spinning thread is interrupted, and the stub's own code and shared
// region give the application nothing (escape tests).

namespace {

constexpr uint64_t kRegionSize = 32ull << 20;  // SC_REGION_SIZE
constexpr uint64_t kThreadFlags = CLONE_VM | CLONE_FS | CLONE_FILES |
                                  CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM;

// The stub's shared region (32 MiB, aligned to its size), from Reserved().
struct StubLayout {
  uint64_t region = 0;
};

StubLayout FindLayout(platform::AddressSpace& as) {
  StubLayout l;
  for (const auto& r : as.Reserved()) {
    if (r.end - r.start == kRegionSize && r.start % kRegionSize == 0)
      l.region = r.start;
  }
  return l;
}

// Every `syscall` instruction (0f 05) inside the stub image's mappings.
std::vector<uint64_t> SyscallSites(platform::AddressSpace& as,
                                   bool want_ret = false) {
  std::vector<uint64_t> out;
  for (const auto& r : as.Reserved()) {
    if (r.name.find("runsc-seccomp-stub") == std::string::npos) continue;
    std::vector<uint8_t> bytes(r.end - r.start);
    if (as.Read(r.start, bytes.data(), bytes.size()) !=
        static_cast<int64_t>(bytes.size()))
      continue;
    for (size_t i = 0; i + 2 < bytes.size(); i++) {
      if (bytes[i] == 0x0f && bytes[i + 1] == 0x05 &&
          (!want_ret || bytes[i + 2] == 0xc3))
        out.push_back(r.start + i);
    }
  }
  return out;
}

int CountFds(pid_t pid) {
  int n = 0;
  std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] != '.') n++;
    }
    closedir(d);
  }
  return n;
}

TEST_F(SeccompPlatformTest, FaultCarriesItsAddress) {
  LoadCode({
      0x48, 0xa1, 0x08, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // mov rax,[0x1008]
  });
  Event ev = ctx_->Switch();
  ASSERT_EQ(ev.kind, Event::Kind::kFault);
  EXPECT_EQ(ev.signo, SIGSEGV);
  EXPECT_EQ(ev.fault_addr, 0x1008u);
  EXPECT_EQ(ev.code, SEGV_MAPERR);
  EXPECT_EQ(ctx_->Regs().rip, 0x100000u);  // the faulting instruction
}

TEST_F(SeccompPlatformTest, Int80UsesI386NumbersAndRegisters) {
  // eax=1 is exit on i386 but write on amd64; ebx/ecx carry the args.
  LoadCode({
      0xb8, 0x01, 0x00, 0x00, 0x00,  // mov eax, 1
      0xbb, 0x2a, 0x00, 0x00, 0x00,  // mov ebx, 42
      0x48, 0xc7, 0xc7, 0x07, 0x00, 0x00, 0x00,  // mov rdi, 7
      0xcd, 0x80,                    // int 0x80
  });
  Event ev = ctx_->Switch();
  ASSERT_EQ(ev.kind, Event::Kind::kSyscall);
  EXPECT_EQ(ev.arch, Arch::kI386);
  EXPECT_EQ(ev.sysno, 1u);
  EXPECT_EQ(ev.args[0], 42u);
}

TEST_F(SeccompPlatformTest, InterruptStopsASpinningThread) {
  LoadCode({0xeb, 0xfe});  // jmp .
  std::thread t([&] {
    usleep(100 * 1000);
    ctx_->Interrupt();
  });
  Event ev = ctx_->Switch();
  t.join();
  EXPECT_EQ(ev.kind, Event::Kind::kInterrupted);
  EXPECT_EQ(ctx_->Regs().rip, 0x100000u);
  // It runs again afterwards (and is interrupted again).
  std::thread t2([&] {
    usleep(50 * 1000);
    ctx_->Interrupt();
  });
  ev = ctx_->Switch();
  t2.join();
  EXPECT_EQ(ev.kind, Event::Kind::kInterrupted);
}

// The application abuses the stub's own code to block every host signal
// (rt_sigprocmask is allowed from the stub, for new threads) and spins:
// the interrupt cannot be delivered, so the stub is killed.
TEST_F(SeccompPlatformTest, ThreadBlockingHostSignalsIsKilled) {
  auto sites = SyscallSites(*as_, /*want_ret=*/true);
  ASSERT_EQ(sites.size(), 1u);  // stub_syscall6: syscall; ret
  // mask (all ones) at 0x100800, return address to `jmp .` at 0x100100;
  // the site is reached through rcx (rax holds the syscall number).
  std::vector<uint8_t> fixed = {
      0xb8, 0x0e, 0x00, 0x00, 0x00,              // mov eax, 14
      0xbf, 0x02, 0x00, 0x00, 0x00,              // mov edi, 2
      0xbe, 0x00, 0x08, 0x10, 0x00,              // mov esi, 0x100800
      0x31, 0xd2,                                // xor edx, edx
      0x41, 0xba, 0x08, 0x00, 0x00, 0x00,        // mov r10d, 8
      0x68, 0x00, 0x01, 0x10, 0x00,              // push 0x100100
      0x48, 0xb9, 0, 0, 0, 0, 0, 0, 0, 0,        // movabs rcx, site
      0xff, 0xe1,                                // jmp rcx
  };
  std::memcpy(&fixed[30], &sites[0], 8);
  const uint64_t code = LoadCode(fixed);
  const uint8_t spin[] = {0xeb, 0xfe};
  ASSERT_EQ(as_->Write(code + 0x100, spin, 2), 2);
  const uint64_t all = ~0ull;
  ASSERT_EQ(as_->Write(code + 0x800, &all, 8), 8);
  std::thread t([&] {
    usleep(100 * 1000);
    ctx_->Interrupt();
  });
  const auto start = std::chrono::steady_clock::now();
  Event ev = ctx_->Switch();
  t.join();
  const double secs = std::chrono::duration<double>(
                          std::chrono::steady_clock::now() - start)
                          .count();
  EXPECT_EQ(ev.kind, Event::Kind::kExited);
  EXPECT_LT(secs, 10.0);
  // Dead for good, and says so.
  EXPECT_EQ(ctx_->Switch().kind, Event::Kind::kExited);
}

// The application jumps straight to each of the stub's syscall
// instructions with the registers of a forbidden call: every one traps
// (comes back as a syscall event the sentry would emulate) instead of
// running on the host.
TEST_F(SeccompPlatformTest, StubSyscallSitesCannotReachTheHost) {
  auto sites = SyscallSites(*as_);
  ASSERT_GE(sites.size(), 5u);
  uint64_t code = LoadCode({0x0f, 0x0b});
  const char path[] = "/etc/passwd";
  ASSERT_EQ(as_->Write(code + 0x800, path, sizeof(path)),
            static_cast<int64_t>(sizeof(path)));
  // A host process the application must not be able to signal.
  pid_t victim = fork();
  if (victim == 0) {
    pause();
    _exit(0);
  }
  ASSERT_GT(victim, 0);
  const int fds_before = CountFds(as_->StubPid());
  struct Call {
    uint64_t nr, a0, a1, a2;
  };
  const Call calls[] = {
      {SYS_openat, static_cast<uint64_t>(AT_FDCWD), code + 0x800, O_RDONLY},
      {SYS_open, code + 0x800, O_RDONLY, 0},
      {SYS_socket, AF_INET, SOCK_STREAM, 0},
      {SYS_socket, AF_UNIX, SOCK_DGRAM, 0},
      {SYS_kill, static_cast<uint64_t>(victim), SIGKILL, 0},
      {SYS_tgkill, static_cast<uint64_t>(victim), static_cast<uint64_t>(victim), SIGKILL},
      {SYS_kill, static_cast<uint64_t>(-1), SIGKILL, 0},
      {SYS_execve, code + 0x800, 0, 0},
      {SYS_ptrace, PTRACE_ATTACH, static_cast<uint64_t>(victim), 0},
      {SYS_dup, 3, 0, 0},
      {SYS_sendmsg, 3, 0, 0},
      {SYS_recvmsg, 3, code + 0x800, 0},  // not the allowed flags
      {SYS_futex, code + 0x800, 1, 1},    // not in the region
      {SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0},
      // The stub's own fork and thread flags: only from its clone sites.
      {SYS_clone, SIGCHLD, 0, 0},
      {SYS_clone, kThreadFlags, 0, 0},
      {SYS_prctl, PR_SET_DUMPABLE, 1, 0},
      {SYS_seccomp, 0, 0, 0},
  };
  int fork_sites = 0, thread_sites = 0;
  for (uint64_t site : sites) {
    // The stub's two clone sites are followed by `test rax, rax` and then
    // jz (fork: the parent returns) or jnz (thread). Each may make its own
    // clone, and only that one.
    uint8_t next[4] = {};
    as_->Read(site + 2, next, 4);
    const bool clone_site = next[0] == 0x48 && next[1] == 0x85 && next[2] == 0xc0;
    const bool fork_site = clone_site && next[3] == 0x74;
    const bool thread_site = clone_site && next[3] == 0x75;
    fork_sites += fork_site;
    thread_sites += thread_site;
    for (const Call& c : calls) {
      if (fork_site && c.nr == SYS_clone && c.a0 == SIGCHLD) continue;
      if (thread_site && c.nr == SYS_clone && c.a0 == kThreadFlags) continue;
      auto& r = ctx_->MutableRegs();
      r.rip = site;
      r.rax = c.nr;
      r.rdi = c.a0;
      r.rsi = c.a1;
      r.rdx = c.a2;
      r.r10 = r.r8 = r.r9 = 0;
      Event ev = ctx_->Switch();
      ASSERT_EQ(ev.kind, Event::Kind::kSyscall)
          << "site 0x" << std::hex << site << " nr " << std::dec << c.nr;
      EXPECT_EQ(ev.sysno, c.nr);
      EXPECT_EQ(ev.arch, Arch::kAmd64);
    }
  }
  EXPECT_EQ(fork_sites, 1);
  EXPECT_EQ(thread_sites, 1);
  EXPECT_EQ(CountFds(as_->StubPid()), fds_before);
  EXPECT_EQ(kill(victim, 0), 0) << "the host process was signalled";
  kill(victim, SIGKILL);
  waitpid(victim, nullptr, 0);
}

// Another application thread writes a reply into a thread's slot while the
// sentry is still handling that thread's syscall, and wakes it through the
// stub's own futex call. The thread runs on without the sentry's answer;
// the sentry notices the broken hand-off and kills the stub instead of
// taking anything from the forged exchange.
TEST_F(SeccompPlatformTest, ForgedReplyIsRefused) {
  StubLayout layout = FindLayout(*as_);
  ASSERT_NE(layout.region, 0u);
  auto sites = SyscallSites(*as_, /*want_ret=*/true);
  ASSERT_EQ(sites.size(), 1u);
  // Thread A (ctx_): getpid, then copies the result to rbx and traps again.
  uint64_t code = LoadCode({
      0xb8, 0x27, 0x00, 0x00, 0x00,  // mov eax, 39
      0x0f, 0x05,                    // syscall
      0x48, 0x89, 0xc3,              // mov rbx, rax
      0xb8, 0x27, 0x00, 0x00, 0x00,  // mov eax, 39
      0x0f, 0x05,                    // syscall
      0x0f, 0x0b,                    // ud2
  });
  Event ev = ctx_->Switch();
  ASSERT_EQ(ev.kind, Event::Kind::kSyscall);  // A is parked in the sentry

  // Thread B: forge slot 0's command (op = RESUME, sentry_seq + 1), wake A
  // with the stub's futex(FUTEX_WAKE) site, then trap.
  std::vector<uint8_t> forger = {
      0x48, 0xbf, 0, 0, 0, 0, 0, 0, 0, 0,        // movabs rdi, slot0
      0xc7, 0x47, 0x10, 0x01, 0x00, 0x00, 0x00,  // mov dword [rdi+16], 1
      0x8b, 0x07,                                // mov eax, [rdi]
      0xff, 0xc0,                                // inc eax
      0x89, 0x07,                                // mov [rdi], eax
      0xb8, 0xca, 0x00, 0x00, 0x00,              // mov eax, 202 (futex)
      0xbe, 0x01, 0x00, 0x00, 0x00,              // mov esi, FUTEX_WAKE
      0xba, 0x01, 0x00, 0x00, 0x00,              // mov edx, 1
      0x68, 0x40, 0x02, 0x10, 0x00,              // push 0x100240
      0x48, 0xb9, 0, 0, 0, 0, 0, 0, 0, 0,        // movabs rcx, site
      0xff, 0xe1,                                // jmp rcx
  };
  std::memcpy(&forger[2], &layout.region, 8);
  std::memcpy(&forger[45], &sites[0], 8);
  ASSERT_EQ(as_->Write(code + 0x200, forger.data(), forger.size()),
            static_cast<int64_t>(forger.size()));
  const uint8_t after[] = {0xb8, 0x27, 0x00, 0x00, 0x00, 0x0f, 0x05};
  ASSERT_EQ(as_->Write(code + 0x240, after, sizeof(after)), 7);

  auto thread = as_->NewThread();
  ASSERT_TRUE(thread.ok()) << thread.status();
  std::thread tb([&] {
    auto ctx = platform_->AdoptThread(as_, *thread);
    ASSERT_TRUE(ctx.ok()) << ctx.status();
    auto& r = (*ctx)->MutableRegs();
    r.rip = code + 0x200;
    r.rsp = code + 0xf00;
    Event e = (*ctx)->Switch();
    // B's own getpid after the forgery.
    EXPECT_EQ(e.kind, Event::Kind::kSyscall)
        << "signo " << e.signo << " addr 0x" << std::hex << e.fault_addr
        << " rip 0x" << (*ctx)->Regs().rip;
    usleep(200 * 1000);  // A runs on and traps again meanwhile
    // Keep B's context until A has been judged.
    ctx->reset();
  });
  tb.join();
  ctx_->SetReturn(4242);
  ev = ctx_->Switch();
  EXPECT_EQ(ev.kind, Event::Kind::kExited);
}

}  // namespace
