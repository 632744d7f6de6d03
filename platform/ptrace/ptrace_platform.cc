#include "platform/ptrace/ptrace_platform.h"

#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/ptrace.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

extern "C" const char platform_stub_image[];
extern "C" const char platform_stub_image_end[];

namespace platform {

namespace {

// The calling sentry thread's host tid, asked of the host once per thread
// (it keys tracees_ on every injected call and context release).
pid_t CurrentTid() {
  thread_local const pid_t tid = static_cast<pid_t>(syscall(SYS_gettid));
  return tid;
}

// Layout of the stub's gadgets (platform/stub/stub.S): where each one sits
// relative to _start and where the thread stops after its int3.
constexpr uint64_t kCloneGadgetOffset = 16;
constexpr uint64_t kGadgetStop = 3;       // syscall(2) int3(1)
constexpr uint64_t kCloneGadgetStop = 8;  // syscall(2) test(3) jz(2) int3(1)
constexpr uint64_t kCloneGadgetPark = 8;  // the child's pause() loop
constexpr uint64_t kMapGadgetOffset = 48;
constexpr uint64_t kMapGadgetStop = 177;  // its int3 is at _start+176

long Ptrace(int req, pid_t tid, uint64_t addr, uint64_t data) {
  return syscall(SYS_ptrace, req, tid, addr, data);
}

// Waits for `tid` to stop or exit, retrying on EINTR.
int WaitTid(pid_t tid, int* status) {
  for (;;) {
    int r = waitpid(tid, status, __WALL);
    if (r >= 0 || errno != EINTR) return r;
  }
}

absl::StatusOr<std::vector<ReservedRange>> ReadStubMaps(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/maps"));
  if (!in) return absl::InternalError("cannot read the stub's maps");
  std::vector<ReservedRange> out;
  std::string line;
  while (std::getline(in, line)) {
    unsigned long long start, end;
    if (std::sscanf(line.c_str(), "%llx-%llx", &start, &end) != 2) continue;
    std::string name;
    auto pos = line.find_last_of(' ');
    if (pos != std::string::npos) name = line.substr(pos + 1);
    out.push_back({start, end, name});
  }
  return out;
}

// Keeps stub thread `tid` on the CPU the calling sentry thread runs on
// (same-CPU hand-offs cost a fraction of cross-CPU wake-ups on these VMs).
// Remembers the last thread pinned by this sentry thread, so repeated
// injections cost one vDSO getcpu.
thread_local pid_t t_pinned_tid = -1;
thread_local int t_pinned_cpu = -1;

void PinToCurrentCpu(pid_t tid) {
  const int cpu = sched_getcpu();
  if (cpu < 0 || (tid == t_pinned_tid && cpu == t_pinned_cpu)) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(tid, sizeof(set), &set) == 0) {
    t_pinned_tid = tid;
    t_pinned_cpu = cpu;
  }
}

// Killed stubs this thread traced and has not reaped yet. A stub's exit
// (tearing down a forked copy of an address space) takes long enough to
// matter on every execve, and nothing waits for it: the zombie is collected
// on a later release, or when this thread exits (the host then hands it to
// its parent, which ignores SIGCHLD). Bounded, so a task that execs in a
// loop does not pile up zombies.
thread_local std::vector<pid_t> t_unreaped;

void DeferReap(pid_t tid) {
  std::erase_if(t_unreaped, [](pid_t p) {
    int status;
    // Exit events only: a stub that is still dying reports nothing else
    // (it was SIGKILLed), and 0 means not yet.
    return waitpid(p, &status, __WALL | WNOHANG) != 0;
  });
  t_unreaped.push_back(tid);
  while (t_unreaped.size() > 4) {
    int status;
    WaitTid(t_unreaped.front(), &status);
    t_unreaped.erase(t_unreaped.begin());
  }
}

// The map gadget's parameter block (platform/stub/stub.S): the offsets are
// the gadget's.
struct MapBlock {
  uint64_t addr, len, prot, flags, offset;
  uint64_t results[3];  // recvmsg, mmap, close
  msghdr msg;
  iovec iov;
  char data[8];
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
};
static_assert(offsetof(MapBlock, results) == 40);
static_assert(offsetof(MapBlock, msg) == 64);
static_assert(offsetof(MapBlock, control) + sizeof(cmsghdr) == 160);

}  // namespace

// ---------------------------------------------------------------------------
// PtracePlatform

absl::StatusOr<std::unique_ptr<Platform>> PtracePlatform::New() {
  auto launcher = StubLauncher::New(platform_stub_image,
                                    platform_stub_image_end, "runsc-stub");
  if (!launcher.ok()) return launcher.status();
  bool undumpable = ((*launcher)->jail().namespaces & CLONE_NEWUSER) != 0;
  if (!undumpable) {
    __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct caps[2] = {};
    undumpable = syscall(SYS_capget, &hdr, caps) == 0 &&
                 (caps[0].effective & (1u << CAP_SYS_PTRACE));
    if (!undumpable) {
      PlatformDebugf(
          "stubs stay dumpable: no user namespace and no CAP_SYS_PTRACE "
          "to trace them otherwise");
    }
  }
  return std::unique_ptr<Platform>(
      new PtracePlatform(std::move(*launcher), undumpable));
}

PtracePlatform::~PtracePlatform() {
  {
    absl::MutexLock l(&pool_mu_);
    pool_stop_ = true;
  }
  if (pool_thread_.joinable()) pool_thread_.join();
  {
    absl::MutexLock l(&pool_mu_);
    pool_.clear();  // kills the parked stubs
  }
  // Stubs this thread killed but did not reap: the zygote, pid 1 of their
  // namespace, cannot finish exiting while they are unreaped zombies.
  for (pid_t p : t_unreaped) {
    int status;
    WaitTid(p, &status);
  }
  t_unreaped.clear();
}

absl::StatusOr<std::shared_ptr<PtraceAddressSpace>>
PtracePlatform::StartStub() {
  StubLauncher::Options opts;
  opts.trace = true;
  opts.ptrace_options = PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL;
  auto stub = launcher_->Launch(opts);
  if (!stub.ok()) return stub.status();
  const pid_t pid = stub->pid;
  auto channel = std::move(stub->channel);
  int status = 0;
  uapi::UserRegs regs;
  iovec iov = {&regs, sizeof(regs)};
  if (Ptrace(PTRACE_GETREGSET, pid, NT_PRSTATUS, reinterpret_cast<uint64_t>(&iov)) != 0) {
    int err = errno;
    kill(pid, SIGKILL);
    WaitTid(pid, &status);
    return absl::ErrnoToStatus(err, "reading the stub's registers");
  }
  auto reserved = ReadStubMaps(pid);
  if (!reserved.ok()) {
    kill(pid, SIGKILL);
    WaitTid(pid, &status);
    return reserved.status();
  }
  // Scratch space for structures the injected calls use (recvmsg's
  // msghdr): the stub's own stack, which it never uses below its start.
  const uint64_t scratch = (regs.rsp - 4096) & ~uint64_t{15};
  auto as = std::make_shared<PtraceAddressSpace>(
      pid, regs.rip, scratch, std::move(channel), std::move(*reserved));
  as->RegisterTracee(pid);
  if (absl::Status st = as->Initialize(undumpable_); !st.ok()) {
    as->UnregisterTracee();
    kill(pid, SIGKILL);
    WaitTid(pid, &status);
    return st;
  }
  return as;
}

void PtracePlatform::PoolLoop() {
  for (;;) {
    {
      absl::MutexLock l(&pool_mu_);
      pool_mu_.Await(absl::Condition(
          +[](PtracePlatform* p) ABSL_EXCLUSIVE_LOCKS_REQUIRED(p->pool_mu_) {
            return p->pool_stop_ || p->pool_.size() < kPoolSize;
          },
          this));
      if (pool_stop_) return;
    }
    auto as = StartStub();
    if (!as.ok()) {
      // Execs start their stubs themselves (and report the error).
      PlatformDebugf("stub pool stopped: %s",
                     std::string(as.status().message()).c_str());
      return;
    }
    if (absl::Status st = (*as)->Park(); !st.ok()) {
      PlatformDebugf("stub pool: parking failed: %s",
                     std::string(st.message()).c_str());
      continue;  // the address space's destructor kills the stub
    }
    absl::MutexLock l(&pool_mu_);
    pool_.push_back(std::move(*as));
  }
}

absl::StatusOr<Platform::NewSpace> PtracePlatform::NewAddressSpace() {
  // A parked stub from the pool when there is one: starting a stub (the
  // zygote's vfork and exec, the handshake, set-up) is the most expensive
  // part of an execve, and the pool thread does it ahead of time.
  std::shared_ptr<PtraceAddressSpace> pooled;
  {
    absl::MutexLock l(&pool_mu_);
    if (!pool_.empty()) {
      pooled = std::move(pool_.back());
      pool_.pop_back();
    }
    if (!pool_started_) {
      pool_started_ = true;
      pool_thread_ = std::thread([this] { PoolLoop(); });
    }
  }
  if (pooled) {
    auto ctx = AdoptThread(pooled, ThreadHandle{pooled->StubPid()});
    if (ctx.ok()) {
      NewSpace ns;
      ns.ctx = std::move(*ctx);
      ns.as = std::move(pooled);
      return ns;
    }
    PlatformDebugf("pooled stub lost: %s",
                   std::string(ctx.status().message()).c_str());
  }
  auto as = StartStub();
  if (!as.ok()) return as.status();
  NewSpace ns;
  ns.ctx = std::make_unique<PtraceContext>(*as, (*as)->StubPid());
  ns.as = std::move(*as);
  return ns;
}

absl::StatusOr<std::unique_ptr<Context>> PtracePlatform::AdoptThread(
    std::shared_ptr<AddressSpace> as, ThreadHandle thread) {
  auto pas = std::dynamic_pointer_cast<PtraceAddressSpace>(as);
  if (!pas) return absl::InvalidArgumentError("not a ptrace address space");
  const pid_t tid = static_cast<pid_t>(thread.id);
  // The parked thread sits in pause(): seize it from this thread and stop
  // it with PTRACE_INTERRUPT; it then belongs to this sentry thread.
  if (Ptrace(PTRACE_SEIZE, tid, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL) != 0)
    return absl::ErrnoToStatus(errno, "PTRACE_SEIZE of a new stub thread");
  // On our CPU before it wakes up: the stop and every injected call that
  // follows (an execve's loader runs before the first Switch) are then
  // same-CPU hand-offs (see PtraceContext::Switch).
  PinToCurrentCpu(tid);
  if (Ptrace(PTRACE_INTERRUPT, tid, 0, 0) != 0)
    return absl::ErrnoToStatus(errno, "PTRACE_INTERRUPT of a new stub thread");
  for (;;) {
    int status;
    if (WaitTid(tid, &status) != tid || !WIFSTOPPED(status))
      return absl::InternalError("a new stub thread died before it started");
    if ((status >> 16) == PTRACE_EVENT_STOP) break;
    // A signal-delivery stop first (e.g. a stray SIGSTOP): suppress it and
    // wait for the interrupt.
    Ptrace(PTRACE_CONT, tid, 0, 0);
  }
  pas->RegisterTracee(tid);
  return std::unique_ptr<Context>(new PtraceContext(pas, tid));
}

// ---------------------------------------------------------------------------
// PtraceAddressSpace

PtraceAddressSpace::PtraceAddressSpace(pid_t pid, uint64_t entry,
                                       uint64_t scratch,
                                       std::shared_ptr<StubChannel> channel,
                                       std::vector<ReservedRange> reserved)
    : pid_(pid),
      gadget_(entry),
      clone_gadget_(entry + kCloneGadgetOffset),
      map_gadget_(entry + kMapGadgetOffset),
      scratch_(scratch),
      channel_(std::move(channel)),
      reserved_(std::move(reserved)) {}

PtraceAddressSpace::~PtraceAddressSpace() {
  {
    absl::MutexLock l(&mu_);
    if (mem_fd_ >= 0) close(mem_fd_);
  }
  // The stub dies with its address space. Reap it if it is our child and
  // not traced by another thread (the tracer reaps traced threads).
  kill(pid_, SIGKILL);
  int status;
  waitpid(pid_, &status, __WALL | WNOHANG);
}

void PtraceAddressSpace::RegisterTracee(pid_t tracee) {
  absl::MutexLock l(&mu_);
  tracees_[CurrentTid()] = tracee;
  contexts_++;
}

pid_t PtraceAddressSpace::CallerTracee() {
  absl::MutexLock l(&mu_);
  auto it = tracees_.find(CurrentTid());
  return it == tracees_.end() ? -1 : it->second;
}

absl::Status PtraceAddressSpace::Initialize(bool undumpable) {
  // exec made the stub dumpable again: make it non-dumpable first thing,
  // so that no process of the same uid can ptrace it or read its memory
  // (the sentry can: it owns the stub's user namespace, or is root).
  // SIGCHLD is already ignored (the launcher's zygote ignores it and exec
  // keeps that): stubs forked from this one are reaped by the host as
  // soon as their tracer has seen them exit.
  if (CallerTracee() < 0)
    return absl::InternalError("stub not traced by this thread");
  if (!undumpable) return absl::OkStatus();
  int64_t r = Inject(SYS_prctl, PR_SET_DUMPABLE, 0, 0, 0, 0);
  if (r < 0) return absl::ErrnoToStatus(-r, "PR_SET_DUMPABLE in the stub");
  return absl::OkStatus();
}

absl::Status PtraceAddressSpace::Park() {
  const pid_t tid = CallerTracee();
  if (tid < 0) return absl::InternalError("stub not traced by this thread");
  uapi::UserRegs regs;
  iovec iov = {&regs, sizeof(regs)};
  if (Ptrace(PTRACE_GETREGSET, tid, NT_PRSTATUS, reinterpret_cast<uint64_t>(&iov)) != 0)
    return absl::ErrnoToStatus(errno, "reading the stub's registers");
  regs.rip = clone_gadget_ + kCloneGadgetPark;
  regs.orig_rax = static_cast<uint64_t>(-1);
  if (Ptrace(PTRACE_SETREGSET, tid, NT_PRSTATUS, reinterpret_cast<uint64_t>(&iov)) != 0)
    return absl::ErrnoToStatus(errno, "parking the stub");
  UnregisterTracee();
  if (Ptrace(PTRACE_DETACH, tid, 0, 0) != 0)
    return absl::ErrnoToStatus(errno, "PTRACE_DETACH of a parked stub");
  return absl::OkStatus();
}

absl::StatusOr<ThreadHandle> PtraceAddressSpace::NewThread() {
  const uint64_t flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
                         CLONE_THREAD | CLONE_SYSVSEM;
  int64_t tid = InjectAt(clone_gadget_, 0, SYS_clone, flags, 0, 0, 0, 0);
  if (tid < 0) return absl::ErrnoToStatus(-tid, "clone in the stub");
  const pid_t host = StubHostPid(pid_, CallerTracee(), static_cast<pid_t>(tid),
                               /*thread=*/true);
  if (host < 0) return absl::InternalError("new stub thread not found");
  return ThreadHandle{host};
}

absl::StatusOr<ForkResult> PtraceAddressSpace::Fork() {
  int64_t pid = InjectAt(clone_gadget_, 0, SYS_clone, SIGCHLD, 0, 0, 0, 0);
  if (pid < 0) return absl::ErrnoToStatus(-pid, "fork of the stub");
  const pid_t host = StubHostPid(pid_, CallerTracee(), static_cast<pid_t>(pid),
                               /*thread=*/false);
  if (host < 0) return absl::InternalError("forked stub not found");
  ForkResult r;
  r.as = std::make_shared<PtraceAddressSpace>(host, gadget_, scratch_,
                                              channel_, reserved_);
  r.thread = ThreadHandle{host};
  return r;
}

void PtraceAddressSpace::ReleaseThread(pid_t tracee) {
  bool last;
  {
    absl::MutexLock l(&mu_);
    last = --contexts_ <= 0;
    tracees_.erase(CurrentTid());
  }
  int status;
  if (last) {
    kill(pid_, SIGKILL);
    DeferReap(tracee);
    return;
  }
  // Other threads still run in this stub: end only this one, with exit(2)
  // run by the thread itself (SIGKILL would take the whole stub).
  uapi::UserRegs regs;
  iovec iov = {&regs, sizeof(regs)};
  if (Ptrace(PTRACE_GETREGSET, tracee, NT_PRSTATUS, reinterpret_cast<uint64_t>(&iov)) == 0) {
    regs.rip = gadget_;
    regs.rax = SYS_exit;
    regs.orig_rax = static_cast<uint64_t>(-1);
    regs.rdi = 0;
    Ptrace(PTRACE_SETREGSET, tracee, NT_PRSTATUS, reinterpret_cast<uint64_t>(&iov));
  }
  for (int i = 0; i < 100; i++) {
    if (Ptrace(PTRACE_CONT, tracee, 0, 0) != 0 && errno == ESRCH) {
      // Not stopped (or gone): collect it if it has exited.
      if (waitpid(tracee, &status, __WALL | WNOHANG) != 0) return;
      usleep(1000);
      continue;
    }
    if (WaitTid(tracee, &status) != tracee) return;
    if (WIFEXITED(status) || WIFSIGNALED(status)) return;
  }
}

void PtraceAddressSpace::UnregisterTracee() {
  absl::MutexLock l(&mu_);
  if (tracees_.erase(CurrentTid())) contexts_--;
}

int64_t PtraceAddressSpace::InjectAt(uint64_t gadget, uint64_t rbx, int nr,
                                     uint64_t a0, uint64_t a1, uint64_t a2,
                                     uint64_t a3, uint64_t a4, uint64_t a5) {
  const pid_t tid = CallerTracee();
  if (tid < 0) return -EPERM;
  PinToCurrentCpu(tid);
  const uint64_t stop =
      gadget == gadget_         ? gadget + kGadgetStop
      : gadget == clone_gadget_ ? gadget + kCloneGadgetStop
                                : gadget_ + kMapGadgetStop;
  uapi::UserRegs saved, regs;
  iovec iov = {&saved, sizeof(saved)};
  if (Ptrace(PTRACE_GETREGSET, tid, NT_PRSTATUS, reinterpret_cast<uint64_t>(&iov)) != 0)
    return -ESRCH;
  regs = saved;
  regs.rip = gadget;
  regs.rbx = rbx;
  regs.rax = nr;
  regs.orig_rax = static_cast<uint64_t>(-1);
  regs.rdi = a0;
  regs.rsi = a1;
  regs.rdx = a2;
  regs.r10 = a3;
  regs.r8 = a4;
  regs.r9 = a5;
  iov = {&regs, sizeof(regs)};
  if (Ptrace(PTRACE_SETREGSET, tid, NT_PRSTATUS, reinterpret_cast<uint64_t>(&iov)) != 0)
    return -ESRCH;
  int64_t result = -EINTR;
  for (;;) {
    if (Ptrace(PTRACE_CONT, tid, 0, 0) != 0) return -ESRCH;
    int status;
    if (WaitTid(tid, &status) != tid) return -ESRCH;
    if (!WIFSTOPPED(status)) return -ESRCH;  // the stub died
    if (WSTOPSIG(status) == SIGTRAP) {
      iov = {&regs, sizeof(regs)};
      if (Ptrace(PTRACE_GETREGSET, tid, NT_PRSTATUS, reinterpret_cast<uint64_t>(&iov)) != 0)
        return -ESRCH;
      if (regs.rip != stop) return -EFAULT;  // not our int3
      result = static_cast<int64_t>(regs.rax);
      break;
    }
    // Another signal (an Interrupt()'s SIGSTOP) arrived first: it is
    // suppressed here; the context notices the interrupt flag itself.
  }
  iov = {&saved, sizeof(saved)};
  if (Ptrace(PTRACE_SETREGSET, tid, NT_PRSTATUS, reinterpret_cast<uint64_t>(&iov)) != 0)
    return -ESRCH;
  return result;
}

int64_t PtraceAddressSpace::Map(uint64_t addr, uint64_t len, int prot,
                                int flags) {
  return Inject(SYS_mmap, addr, len, prot, flags | MAP_ANONYMOUS,
                static_cast<uint64_t>(-1), 0);
}
int64_t PtraceAddressSpace::MapFile(uint64_t addr, uint64_t len, int prot,
                                    int flags, int host_fd, uint64_t offset) {
  absl::MutexLock l(&channel_->mu);
  // 1. The fd goes into the channel.
  char byte = 0;
  iovec siov = {&byte, 1};
  alignas(cmsghdr) char sbuf[CMSG_SPACE(sizeof(int))] = {};
  msghdr smsg = {};
  smsg.msg_iov = &siov;
  smsg.msg_iovlen = 1;
  smsg.msg_control = sbuf;
  smsg.msg_controllen = sizeof(sbuf);
  cmsghdr* c = CMSG_FIRSTHDR(&smsg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &host_fd, sizeof(int));
  if (sendmsg(channel_->sentry_fd, &smsg, MSG_DONTWAIT) != 1) return -errno;

  // 2. The stub receives, maps and closes it in one stop of the map
  // gadget, driven by a parameter block in its scratch memory.
  MapBlock blk = {};
  const uint64_t base = scratch_;
  blk.addr = addr;
  blk.len = len;
  blk.prot = static_cast<uint64_t>(prot);
  blk.flags = static_cast<uint64_t>(flags | MAP_FIXED);
  blk.offset = offset;
  blk.results[0] = blk.results[1] = blk.results[2] = static_cast<uint64_t>(-EINTR);
  blk.iov.iov_base = reinterpret_cast<void*>(base + offsetof(MapBlock, data));
  blk.iov.iov_len = sizeof(blk.data);
  blk.msg.msg_iov = reinterpret_cast<iovec*>(base + offsetof(MapBlock, iov));
  blk.msg.msg_iovlen = 1;
  blk.msg.msg_control =
      reinterpret_cast<void*>(base + offsetof(MapBlock, control));
  blk.msg.msg_controllen = sizeof(blk.control);
  const int no_fd = -1;  // what mmap gets if no fd arrives
  std::memcpy(blk.control + sizeof(cmsghdr), &no_fd, sizeof(no_fd));
  if (Write(base, &blk, sizeof(blk), true) != sizeof(blk)) return -EFAULT;
  // The gadget ends with rax = 0; anything else is InjectAt's own failure
  // (the stub died or stopped elsewhere).
  int64_t r = InjectAt(map_gadget_, base, 0);
  if (r != 0) return r < 0 ? r : -EFAULT;
  if (Read(base, &blk, sizeof(blk)) != sizeof(blk)) return -EFAULT;
  const int64_t received = static_cast<int64_t>(blk.results[0]);
  if (received < 0) return received;
  // Check what the stub's kernel delivered: exactly one fd, as sent. If
  // not, whatever mmap did with it is undone.
  msghdr local = blk.msg;
  local.msg_control = blk.control;
  cmsghdr* rc = CMSG_FIRSTHDR(&local);
  const int64_t m = static_cast<int64_t>(blk.results[1]);
  if (!rc || rc->cmsg_level != SOL_SOCKET || rc->cmsg_type != SCM_RIGHTS ||
      rc->cmsg_len != CMSG_LEN(sizeof(int))) {
    if (m >= 0) Inject(SYS_munmap, addr, len);
    return -EIO;
  }
  return m;
}

int64_t PtraceAddressSpace::Unmap(uint64_t addr, uint64_t len) {
  return Inject(SYS_munmap, addr, len);
}
int64_t PtraceAddressSpace::Protect(uint64_t addr, uint64_t len, int prot) {
  return Inject(SYS_mprotect, addr, len, prot);
}
int64_t PtraceAddressSpace::Remap(uint64_t old_addr, uint64_t old_len,
                                  uint64_t new_len, int flags,
                                  uint64_t new_addr) {
  return Inject(SYS_mremap, old_addr, old_len, new_len, flags, new_addr);
}
int64_t PtraceAddressSpace::Advise(uint64_t addr, uint64_t len, int advice) {
  return Inject(SYS_madvise, addr, len, advice);
}
int64_t PtraceAddressSpace::Sync(uint64_t addr, uint64_t len, int flags) {
  return Inject(SYS_msync, addr, len, flags);
}
int64_t PtraceAddressSpace::Lock(int op, uint64_t addr, uint64_t len,
                                 int flags) {
  switch (op) {
    case SYS_mlock:
    case SYS_munlock:
      return Inject(op, addr, len);
    case SYS_mlock2:
      return Inject(op, addr, len, flags);
    case SYS_mlockall:
      return Inject(op, flags);
    case SYS_munlockall:
      return Inject(op);
  }
  return -EINVAL;
}
int64_t PtraceAddressSpace::Incore(uint64_t addr, uint64_t len, uint64_t vec) {
  return Inject(SYS_mincore, addr, len, vec);
}

int64_t PtraceAddressSpace::Read(uint64_t addr, void* dst, uint64_t len) {
  if (len == 0) return 0;
  iovec local = {dst, len};
  iovec remote = {reinterpret_cast<void*>(addr), len};
  ssize_t n = process_vm_readv(pid_, &local, 1, &remote, 1, 0);
  if (n > 0) return n;
  return -EFAULT;
}

namespace {

// process_vm_readv/writev of `remote` against one local buffer, at most
// IOV_MAX ranges per host call.
template <typename Fn>
int64_t VectoredCopy(const AddressSpace::Range* remote, size_t n, char* local,
                     Fn host_call) {
  constexpr size_t kMaxIov = 1024;  // IOV_MAX
  iovec riov[kMaxIov];
  uint64_t done = 0;
  for (size_t i = 0; i < n;) {
    size_t batch = std::min(n - i, kMaxIov);
    uint64_t want = 0;
    for (size_t j = 0; j < batch; ++j) {
      riov[j] = {reinterpret_cast<void*>(remote[i + j].addr), remote[i + j].len};
      want += remote[i + j].len;
    }
    iovec liov = {local + done, want};
    ssize_t got = host_call(&liov, riov, batch);
    if (got > 0) done += static_cast<uint64_t>(got);
    if (got != static_cast<ssize_t>(want)) break;
    i += batch;
  }
  return done > 0 ? static_cast<int64_t>(done) : -EFAULT;
}

}  // namespace

int64_t PtraceAddressSpace::ReadV(const Range* remote, size_t n, void* dst) {
  return VectoredCopy(remote, n, static_cast<char*>(dst),
                      [this](iovec* l, iovec* r, size_t nr) {
                        return process_vm_readv(pid_, l, 1, r, nr, 0);
                      });
}

int64_t PtraceAddressSpace::WriteV(const Range* remote, size_t n,
                                   const void* src) {
  return VectoredCopy(remote, n, const_cast<char*>(static_cast<const char*>(src)),
                      [this](iovec* l, iovec* r, size_t nr) {
                        return process_vm_writev(pid_, l, 1, r, nr, 0);
                      });
}

int64_t PtraceAddressSpace::Write(uint64_t addr, const void* src, uint64_t len,
                                  bool force) {
  if (len == 0) return 0;
  iovec local = {const_cast<void*>(src), len};
  iovec remote = {reinterpret_cast<void*>(addr), len};
  ssize_t n = process_vm_writev(pid_, &local, 1, &remote, 1, 0);
  if (n == static_cast<ssize_t>(len) || (!force && n > 0)) return n;
  if (!force) return -EFAULT;
  // /proc/PID/mem writes through page protections (FOLL_FORCE), which the
  // loader needs for read-only segments. Never used for application copies.
  int fd;
  {
    absl::MutexLock l(&mu_);
    if (mem_fd_ < 0) {
      mem_fd_ = open(absl::StrCat("/proc/", pid_, "/mem").c_str(),
                     O_RDWR | O_CLOEXEC);
    }
    fd = mem_fd_;
  }
  if (fd < 0) return n > 0 ? n : -EFAULT;
  uint64_t done = n > 0 ? n : 0;
  while (done < len) {
    ssize_t w = pwrite(fd, static_cast<const char*>(src) + done, len - done,
                       static_cast<off_t>(addr + done));
    if (w <= 0) break;
    done += w;
  }
  return done > 0 ? static_cast<int64_t>(done) : -EFAULT;
}

// ---------------------------------------------------------------------------
// PtraceContext

PtraceContext::PtraceContext(std::shared_ptr<PtraceAddressSpace> as, pid_t tid)
    : as_(std::move(as)), tid_(tid) {}

PtraceContext::~PtraceContext() {
  if (!exited_) {
    as_->ReleaseThread(tid_);
  } else {
    as_->UnregisterTracee();
  }
}

std::shared_ptr<AddressSpace> PtraceContext::address_space() const {
  return as_;
}

const uapi::UserRegs& PtraceContext::Regs() {
  if (!regs_valid_) {
    iovec iov = {&regs_, sizeof(regs_)};
    if (Ptrace(PTRACE_GETREGSET, tid_, NT_PRSTATUS, reinterpret_cast<uint64_t>(&iov)) == 0) {
      regs_valid_ = true;
    }
    if (ret_dirty_) regs_.rax = ret_;
  }
  return regs_;
}

uapi::UserRegs& PtraceContext::MutableRegs() {
  Regs();
  regs_dirty_ = true;
  ret_dirty_ = false;
  return regs_;
}

void PtraceContext::SetReturn(uint64_t value) {
  if (regs_dirty_ || regs_valid_) {
    regs_.rax = value;
    if (regs_valid_) {
      regs_dirty_ = true;
      return;
    }
  }
  ret_ = value;
  ret_dirty_ = true;
}

bool PtraceContext::FlushRegs() {
  if (regs_dirty_) {
    iovec iov = {&regs_, sizeof(regs_)};
    if (Ptrace(PTRACE_SETREGSET, tid_, NT_PRSTATUS, reinterpret_cast<uint64_t>(&iov)) != 0)
      return false;
  } else if (ret_dirty_) {
    if (Ptrace(PTRACE_POKEUSR, tid_, offsetof(uapi::UserRegs, rax), ret_) != 0)
      return false;
  }
  regs_dirty_ = ret_dirty_ = false;
  return true;
}

absl::Status PtraceContext::GetFpState(std::vector<uint8_t>* xstate) {
  xstate->assign(4096, 0);
  iovec iov = {xstate->data(), xstate->size()};
  if (Ptrace(PTRACE_GETREGSET, tid_, NT_X86_XSTATE, reinterpret_cast<uint64_t>(&iov)) != 0)
    return absl::ErrnoToStatus(errno, "PTRACE_GETREGSET NT_X86_XSTATE");
  xstate->resize(iov.iov_len);
  return absl::OkStatus();
}

absl::Status PtraceContext::SetFpState(const std::vector<uint8_t>& xstate) {
  iovec iov = {const_cast<uint8_t*>(xstate.data()), xstate.size()};
  if (Ptrace(PTRACE_SETREGSET, tid_, NT_X86_XSTATE, reinterpret_cast<uint64_t>(&iov)) != 0)
    return absl::ErrnoToStatus(errno, "PTRACE_SETREGSET NT_X86_XSTATE");
  return absl::OkStatus();
}

void PtraceContext::Interrupt() {
  interrupt_.store(true, std::memory_order_release);
  syscall(SYS_tgkill, as_->StubPid(), tid_, SIGSTOP);
}

Event PtraceContext::Switch() {
  Event ev;
  if (exited_) {
    ev.kind = Event::Kind::kExited;
    return ev;
  }
  if (interrupt_.exchange(false, std::memory_order_acq_rel)) {
    ev.kind = Event::Kind::kInterrupted;
    return ev;
  }
  // Keep the stub thread on the CPU this sentry thread runs on, as gVisor's
  // ptrace platform does: every event is a hand-off between the two, and a
  // cross-CPU wake-up costs several times a same-CPU one on these VMs. The
  // sentry thread itself is free to migrate; the stub follows it.
  const int cpu = sched_getcpu();
  if (cpu >= 0 && cpu != bound_cpu_) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(tid_, sizeof(set), &set) == 0) bound_cpu_ = cpu;
  }
  if (!FlushRegs() ||
      Ptrace(PTRACE_SYSEMU, tid_, 0, 0) != 0) {
    // The thread is gone (killed from outside the sentry).
    int status = 0;
    WaitTid(tid_, &status);
    exited_ = true;
    ev.kind = Event::Kind::kExited;
    ev.exit_status = status;
    return ev;
  }
  regs_valid_ = false;
  int status = 0;
  if (WaitTid(tid_, &status) != tid_ || !WIFSTOPPED(status)) {
    exited_ = true;
    ev.kind = Event::Kind::kExited;
    ev.exit_status = status;
    return ev;
  }
  const int sig = WSTOPSIG(status);
  if (status >> 16) {
    // A ptrace event stop (PTRACE_INTERRUPT, group stop): nothing of the
    // application's.
    ev.kind = Event::Kind::kInterrupted;
    return ev;
  }
  if (sig == (SIGTRAP | 0x80)) {
    uapi::PtraceSyscallInfo info;
    long n = Ptrace(uapi::kPtraceGetSyscallInfo, tid_, sizeof(info),
                    reinterpret_cast<uint64_t>(&info));
    if (n > 0 && info.op == uapi::kPtraceSyscallInfoEntry) {
      ev.kind = Event::Kind::kSyscall;
      ev.arch = info.arch == uapi::kAuditArchI386 ? Arch::kI386 : Arch::kAmd64;
      ev.sysno = info.entry.nr;
      for (int i = 0; i < 6; i++) {
        ev.args[i] = ev.arch == Arch::kI386
                         ? static_cast<uint32_t>(info.entry.args[i])
                         : info.entry.args[i];
      }
      return ev;
    }
    ev.kind = Event::Kind::kInterrupted;
    return ev;
  }
  if (sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL ||
      sig == SIGTRAP) {
    siginfo_t si;
    std::memset(&si, 0, sizeof(si));
    Ptrace(PTRACE_GETSIGINFO, tid_, 0, reinterpret_cast<uint64_t>(&si));
    ev.kind = Event::Kind::kFault;
    ev.signo = sig;
    ev.code = si.si_code;
    ev.fault_addr = reinterpret_cast<uint64_t>(si.si_addr);
    return ev;
  }
  // SIGSTOP from Interrupt(), or any other host signal: suppressed (we
  // resume with signal 0) and reported as an interruption.
  interrupt_.store(false, std::memory_order_release);
  ev.kind = Event::Kind::kInterrupted;
  return ev;
}

}  // namespace platform
