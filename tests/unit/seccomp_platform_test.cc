// The seccomp-trap platform on its own: the same events as the ptrace
// it, and every kind of event comes back as the interface promises.
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
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
