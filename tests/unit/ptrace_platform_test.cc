// The ptrace platform on its own: a stub is created, code is written into
// it, and every kind of event comes back as the interface promises.
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <dirent.h>

#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "platform/platform.h"

namespace {

using platform::Arch;
using platform::Event;

class PtracePlatformTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto p = platform::Platform::Create("ptrace");
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

TEST_F(PtracePlatformTest, SyscallInt80AndFault) {
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

TEST_F(PtracePlatformTest, MemoryAccessAndErrors) {
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

TEST_F(PtracePlatformTest, InterruptBeforeSwitchReturnsAtOnce) {
  LoadCode({0xeb, 0xfe});  // jmp . (spins forever)
  ctx_->Interrupt();
  Event ev = ctx_->Switch();
  EXPECT_EQ(ev.kind, Event::Kind::kInterrupted);
}

}  // namespace

namespace {

TEST_F(PtracePlatformTest, ForkCopiesMemoryAndThreadsShareIt) {
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

TEST_F(PtracePlatformTest, MapFileSharesPagesWithTheSentry) {
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

// Open fds of host process `pid`.
int CountFds(pid_t pid) {
  DIR* d = opendir(("/proc/" + std::to_string(pid) + "/fd").c_str());
  if (d == nullptr) return -1;
  int n = 0;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] != '.') n++;
  }
  closedir(d);
  return n;
}

// A batch runs every request, whatever the others return, each with the
// result the single call would give; the host fds it carries into the stub
// do not stay there.
TEST_F(PtracePlatformTest, MapBatchRunsEveryRequest) {
  using Req = platform::AddressSpace::MapRequest;
  int fa = memfd_create("batch-a", MFD_CLOEXEC);
  int fb = memfd_create("batch-b", MFD_CLOEXEC);
  ASSERT_GE(fa, 0);
  ASSERT_GE(fb, 0);
  ASSERT_EQ(ftruncate(fa, 8192), 0);
  ASSERT_EQ(ftruncate(fb, 8192), 0);
  ASSERT_EQ(pwrite(fa, "A0", 2, 0), 2);
  ASSERT_EQ(pwrite(fa, "A1", 2, 4096), 2);
  ASSERT_EQ(pwrite(fb, "B1", 2, 4096), 2);
  const int fds_before = CountFds(as_->StubPid());
  ASSERT_GT(fds_before, 0);

  auto map = [](uint64_t addr, uint64_t len, int prot) {
    Req q;
    q.op = Req::Op::kMap;
    q.addr = addr;
    q.len = len;
    q.prot = prot;
    q.flags = MAP_PRIVATE | MAP_FIXED;
    return q;
  };
  auto map_file = [](uint64_t addr, int prot, int flags, int fd,
                     uint64_t off) {
    Req q;
    q.op = Req::Op::kMapFile;
    q.addr = addr;
    q.len = 4096;
    q.prot = prot;
    q.flags = flags;
    q.host_fd = fd;
    q.offset = off;
    return q;
  };
  std::vector<Req> reqs;
  reqs.push_back(map(0x900000, 8192, PROT_READ | PROT_WRITE));
  reqs.push_back(map_file(0xa00000, PROT_READ, MAP_PRIVATE, fa, 0));
  reqs.push_back(map_file(0xb00000, PROT_READ, MAP_SHARED, fb, 4096));
  reqs.push_back(map_file(0xa01000, PROT_READ, MAP_PRIVATE, fa, 4096));
  Req prot;
  prot.op = Req::Op::kProtect;
  prot.addr = 0x900000;
  prot.len = 4096;
  prot.prot = PROT_READ;
  reqs.push_back(prot);
  Req unmap;
  unmap.op = Req::Op::kUnmap;
  unmap.addr = 0x901000;
  unmap.len = 4096;
  reqs.push_back(unmap);
  // Failures in the middle: the host's errors, and the rest still runs.
  reqs.push_back(map_file(0xc00000, PROT_READ, MAP_SHARED, fb, 1));
  Req bad = prot;
  bad.addr = 0x900123;
  reqs.push_back(bad);
  reqs.push_back(map(0xd00000, 4096, PROT_READ | PROT_WRITE));
  as_->MapBatch(reqs.data(), reqs.size());

  EXPECT_EQ(reqs[0].result, 0x900000);
  EXPECT_EQ(reqs[1].result, 0xa00000);
  EXPECT_EQ(reqs[2].result, 0xb00000);
  EXPECT_EQ(reqs[3].result, 0xa01000);
  EXPECT_EQ(reqs[4].result, 0);
  EXPECT_EQ(reqs[5].result, 0);
  EXPECT_EQ(reqs[6].result, -EINVAL);
  EXPECT_EQ(reqs[7].result, -EINVAL);
  EXPECT_EQ(reqs[8].result, 0xd00000);

  char buf[3] = {};
  ASSERT_EQ(as_->Read(0xa00000, buf, 2), 2);
  EXPECT_STREQ(buf, "A0");
  ASSERT_EQ(as_->Read(0xa01000, buf, 2), 2);
  EXPECT_STREQ(buf, "A1");
  ASSERT_EQ(as_->Read(0xb00000, buf, 2), 2);
  EXPECT_STREQ(buf, "B1");
  // Protected read-only, and unmapped.
  EXPECT_EQ(as_->Write(0x900000, "x", 1), -EFAULT);
  EXPECT_EQ(as_->Read(0x901000, buf, 1), -EFAULT);
  EXPECT_EQ(as_->Write(0xd00000, "x", 1), 1);
  EXPECT_EQ(CountFds(as_->StubPid()), fds_before);

  // More requests than one stop of the gadget takes: split, all done.
  std::vector<Req> many;
  for (int i = 0; i < 70; i++) {
    many.push_back(i % 3 == 0 ? map_file(0x1000000 + i * 0x2000, PROT_READ,
                                         MAP_PRIVATE, i % 2 ? fa : fb, 4096)
                              : map(0x1000000 + i * 0x2000, 4096, PROT_READ));
  }
  as_->MapBatch(many.data(), many.size());
  for (int i = 0; i < 70; i++) {
    EXPECT_EQ(many[i].result, 0x1000000 + i * 0x2000) << i;
  }
  ASSERT_EQ(as_->Read(0x1000000, buf, 2), 2);
  EXPECT_STREQ(buf, "B1");
  ASSERT_EQ(as_->Read(0x1000000 + 3 * 0x2000, buf, 2), 2);
  EXPECT_STREQ(buf, "A1");
  EXPECT_EQ(CountFds(as_->StubPid()), fds_before);
  close(fa);
  close(fb);
}

}  // namespace
