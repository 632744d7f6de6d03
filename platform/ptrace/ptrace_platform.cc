#include "platform/ptrace/ptrace_platform.h"

#include <elf.h>
#include <fcntl.h>
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

#include <cerrno>
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

}  // namespace

// ---------------------------------------------------------------------------
// PtracePlatform

absl::StatusOr<std::unique_ptr<Platform>> PtracePlatform::New() {
  int fd = memfd_create("runsc-stub", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return absl::ErrnoToStatus(errno, "memfd_create for the stub");
  const size_t size = platform_stub_image_end - platform_stub_image;
  size_t done = 0;
  while (done < size) {
    ssize_t n = write(fd, platform_stub_image + done, size - done);
    if (n <= 0) {
      close(fd);
      return absl::ErrnoToStatus(errno, "writing the stub image");
    }
    done += n;
  }
  fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
  // Keep the image away from the low fds: a new stub's channel becomes
  // fd 3 right before the image is exec'ed.
  int high = fcntl(fd, F_DUPFD_CLOEXEC, 10);
  close(fd);
  if (high < 0) return absl::ErrnoToStatus(errno, "moving the stub image fd");
  return std::unique_ptr<Platform>(new PtracePlatform(high));
}

absl::StatusOr<Platform::NewSpace> PtracePlatform::NewAddressSpace() {
  // vfork: the child shares our memory until it execs, so it only issues raw
  // syscalls. It becomes traced by this very thread (TRACEME links it to the
  // forking thread), leaves our session so terminal signals reach only the
  // sentry, and keeps no fds at all across the exec.
  static char arg0[] = "runsc-stub";
  static char* const argv[] = {arg0, nullptr};
  static char* const envp[] = {nullptr};
  const int stub_fd = stub_fd_;
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) != 0)
    return absl::ErrnoToStatus(errno, "socketpair for the stub channel");
  auto channel = std::make_shared<StubChannel>(sv[0]);
  const int stub_end = sv[1];
  pid_t pid = vfork();
  if (pid == 0) {
    syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    syscall(SYS_setsid);
    if (syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0) != 0) _exit(126);
    // Nothing survives the exec but the channel, as fd 3.
    syscall(SYS_close_range, 0, ~0U, CLOSE_RANGE_CLOEXEC);
    if (stub_end != kStubChannelFd) syscall(SYS_dup2, stub_end, kStubChannelFd);
    syscall(SYS_fcntl, kStubChannelFd, F_SETFD, 0);
    syscall(SYS_execveat, stub_fd, "", argv, envp, AT_EMPTY_PATH);
    _exit(127);
  }
  close(stub_end);
  if (pid < 0) return absl::ErrnoToStatus(errno, "vfork of the stub");

  int status = 0;
  if (WaitTid(pid, &status) != pid || !WIFSTOPPED(status) ||
      WSTOPSIG(status) != SIGTRAP) {
    kill(pid, SIGKILL);
    WaitTid(pid, &status);
    return absl::InternalError(
        absl::StrFormat("the stub did not start (wait status 0x%x)", status));
  }
  if (Ptrace(PTRACE_SETOPTIONS, pid, 0,
             PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL) != 0) {
    int err = errno;
    kill(pid, SIGKILL);
    WaitTid(pid, &status);
    return absl::ErrnoToStatus(err, "PTRACE_SETOPTIONS on the stub");
  }
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
  if (absl::Status st = as->Initialize(); !st.ok()) {
    as->UnregisterTracee();
    kill(pid, SIGKILL);
    WaitTid(pid, &status);
    return st;
  }
  NewSpace ns;
  ns.ctx = std::make_unique<PtraceContext>(as, pid);
  ns.as = std::move(as);
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

StubChannel::~StubChannel() { close(sentry_fd); }

PtraceAddressSpace::PtraceAddressSpace(pid_t pid, uint64_t entry,
                                       uint64_t scratch,
                                       std::shared_ptr<StubChannel> channel,
                                       std::vector<ReservedRange> reserved)
    : pid_(pid),
      gadget_(entry),
      clone_gadget_(entry + kCloneGadgetOffset),
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

absl::Status PtraceAddressSpace::Initialize() {
  // SIGCHLD ignored in the stub: stubs forked from it are reaped by the
  // host as soon as their tracer has seen them exit, and no SIGCHLD ever
  // interrupts a stub thread.
  pid_t tid = CallerTracee();
  if (tid < 0) return absl::InternalError("stub not traced by this thread");
  uapi::UserRegs regs;
  iovec iov = {&regs, sizeof(regs)};
  if (Ptrace(PTRACE_GETREGSET, tid, NT_PRSTATUS, reinterpret_cast<uint64_t>(&iov)) != 0)
    return absl::ErrnoToStatus(errno, "reading the stub's registers");
  struct {
    uint64_t handler, flags, restorer, mask;
  } act = {reinterpret_cast<uint64_t>(SIG_IGN), 0, 0, 0};
  const uint64_t addr = scratch_;
  if (Write(addr, &act, sizeof(act), false) != sizeof(act))
    return absl::InternalError("cannot write to the stub's stack");
  int64_t r = Inject(SYS_rt_sigaction, SIGCHLD, addr, 0, 8);
  if (r < 0) return absl::ErrnoToStatus(-r, "rt_sigaction in the stub");
  return absl::OkStatus();
}

absl::StatusOr<ThreadHandle> PtraceAddressSpace::NewThread() {
  const uint64_t flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
                         CLONE_THREAD | CLONE_SYSVSEM;
  int64_t tid = InjectAt(clone_gadget_, SYS_clone, flags, 0, 0, 0, 0);
  if (tid < 0) return absl::ErrnoToStatus(-tid, "clone in the stub");
  return ThreadHandle{tid};
}

absl::StatusOr<ForkResult> PtraceAddressSpace::Fork() {
  int64_t pid = InjectAt(clone_gadget_, SYS_clone, SIGCHLD, 0, 0, 0, 0);
  if (pid < 0) return absl::ErrnoToStatus(-pid, "fork of the stub");
  ForkResult r;
  r.as = std::make_shared<PtraceAddressSpace>(
      static_cast<pid_t>(pid), gadget_, scratch_, channel_, reserved_);
  r.thread = ThreadHandle{pid};
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
    WaitTid(tracee, &status);
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

int64_t PtraceAddressSpace::InjectAt(uint64_t gadget, int nr, uint64_t a0,
                                     uint64_t a1, uint64_t a2, uint64_t a3,
                                     uint64_t a4, uint64_t a5) {
  const pid_t tid = CallerTracee();
  if (tid < 0) return -EPERM;
  const uint64_t stop = gadget + (gadget == gadget_ ? kGadgetStop : kCloneGadgetStop);
  uapi::UserRegs saved, regs;
  iovec iov = {&saved, sizeof(saved)};
  if (Ptrace(PTRACE_GETREGSET, tid, NT_PRSTATUS, reinterpret_cast<uint64_t>(&iov)) != 0)
    return -ESRCH;
  regs = saved;
  regs.rip = gadget;
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

  // 2. The stub receives it: a msghdr laid out in its scratch memory.
  struct Layout {
    msghdr msg;
    iovec iov;
    char data[8];
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  } lay = {};
  const uint64_t base = scratch_;
  lay.iov.iov_base = reinterpret_cast<void*>(base + offsetof(Layout, data));
  lay.iov.iov_len = sizeof(lay.data);
  lay.msg.msg_iov = reinterpret_cast<iovec*>(base + offsetof(Layout, iov));
  lay.msg.msg_iovlen = 1;
  lay.msg.msg_control =
      reinterpret_cast<void*>(base + offsetof(Layout, control));
  lay.msg.msg_controllen = sizeof(lay.control);
  if (Write(base, &lay, sizeof(lay), true) != sizeof(lay)) return -EFAULT;
  int64_t r = Inject(SYS_recvmsg, kStubChannelFd, base, MSG_CMSG_CLOEXEC |
                                                          MSG_DONTWAIT);
  if (r < 0) return r;
  if (Read(base, &lay, sizeof(lay)) != sizeof(lay)) return -EFAULT;
  // Read back where the stub's kernel put the new fd; never trust more
  // than the one int we asked for.
  int stub_fd = -1;
  {
    msghdr local = lay.msg;
    local.msg_control = lay.control;
    cmsghdr* rc = CMSG_FIRSTHDR(&local);
    if (!rc || rc->cmsg_type != SCM_RIGHTS ||
        rc->cmsg_len != CMSG_LEN(sizeof(int)))
      return -EIO;
    std::memcpy(&stub_fd, CMSG_DATA(rc), sizeof(int));
  }
  // 3. Map it, then close the stub's copy whatever happened.
  int64_t m = Inject(SYS_mmap, addr, len, prot, flags | MAP_FIXED, stub_fd,
                     offset);
  Inject(SYS_close, stub_fd);
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
