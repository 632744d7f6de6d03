#include "platform/seccomp/seccomp_platform.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

extern "C" const char platform_seccomp_stub_image[];
extern "C" const char platform_seccomp_stub_image_end[];

namespace platform {

namespace {

static_assert(sizeof(sc_slot) <= SC_SCRATCH_OFF);

pid_t CurrentTid() { return static_cast<pid_t>(syscall(SYS_gettid)); }

int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

// How long each side spins before sleeping on the futex: a fixed budget,
// not an adaptive one. A hand-off through a futex sleep costs 10-20 µs on
// these VMs (more across CPUs: the wake-up of an idle vCPU), a spinning one
// ~1 µs; spinning at most as long as a sleeping hand-off costs wastes at most
// about that much per event, whatever the application does. (An earlier
// adaptive budget, halved when a spin was not answered, settled with both
// sides at zero: a side that sleeps answers too late for the other's probe,
// so neither probe ever succeeded again; thread creation cost 2 ms instead
// of 0.25.) With a single CPU nobody spins (the other side cannot run).
constexpr int64_t kSpinNs = 30000;
// Futex sleeps are bounded so a dead stub is noticed.
constexpr int64_t kSleepSliceNs = 20 * 1000 * 1000;
// An interrupted thread that does not report within this long has made
// itself uninterruptible (only possible by abusing the stub's own code to
// block the host signal): the stub process is killed.
constexpr int64_t kInterruptGraceNs = 2000LL * 1000 * 1000;
// Start-up handshake limit.
constexpr int kStartTimeoutMs = 10000;

// The CPUs this process may run on, read once (the sentry's threads
// inherit it; a stub thread is placed on one of them).
const cpu_set_t& AllowedCpus() {
  static const cpu_set_t set = [] {
    cpu_set_t s;
    CPU_ZERO(&s);
    if (sched_getaffinity(0, sizeof(s), &s) != 0) CPU_SET(0, &s);
    return s;
  }();
  return set;
}

// Spinning needs the two sides on different CPUs.
bool CanSpin() {
  static const bool can = CPU_COUNT(&AllowedCpus()) >= 2;
  return can;
}

// Spinning pairs (a sentry thread and its stub thread, two CPUs) allowed at
// once: with more, spinners only take CPU from the threads they wait for
// (64 threads ping-ponging through futexes on 2 CPUs took minutes instead
// of seconds with every pair spinning). A context spins for the current
// event only when it holds one of these tokens.
std::atomic<int> g_spinning{0};
int SpinTokens() {
  static const int n = std::max(1, CPU_COUNT(&AllowedCpus()) / 2);
  return n;
}
bool TakeSpinToken() {
  if (!CanSpin()) return false;
  int v = g_spinning.load(std::memory_order_relaxed);
  while (v < SpinTokens()) {
    if (g_spinning.compare_exchange_weak(v, v + 1, std::memory_order_acquire))
      return true;
  }
  return false;
}
void ReturnSpinToken() { g_spinning.fetch_sub(1, std::memory_order_release); }

// The next allowed CPU after `cpu` (cyclically), or -1 when none other.
int OtherCpu(int cpu) {
  const cpu_set_t& set = AllowedCpus();
  for (int i = 1; i < CPU_SETSIZE; i++) {
    const int c = (cpu + i) % CPU_SETSIZE;
    if (c != cpu && CPU_ISSET(c, &set)) return c;
  }
  return -1;
}

// ns per `pause` iteration, measured once.
uint32_t PauseIterations(int64_t budget_ns) {
  static const double ns_per_pause = [] {
    constexpr int kN = 20000;
    const int64_t t0 = NowNs();
    for (int i = 0; i < kN; i++) __builtin_ia32_pause();
    const int64_t t1 = NowNs();
    double v = static_cast<double>(t1 - t0) / kN;
    return v < 0.5 ? 0.5 : v;
  }();
  return static_cast<uint32_t>(budget_ns / ns_per_pause);
}

uint32_t Features() {
  // HWCAP2_FSGSBASE: the kernel lets user space use {rd,wr}{fs,gs}base.
  return (getauxval(AT_HWCAP2) & 2) ? SC_FEATURE_FSGSBASE : 0;
}

uint32_t Load(const uint32_t* p) {
  return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}
void Store(uint32_t* p, uint32_t v) { __atomic_store_n(p, v, __ATOMIC_SEQ_CST); }

long Futex(uint32_t* addr, int op, uint32_t val, const timespec* ts) {
  return syscall(SYS_futex, addr, op, val, ts, nullptr, 0);
}

absl::StatusOr<std::vector<ReservedRange>> ReadStubMaps(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/maps"));
  if (!in) return absl::InternalError("cannot read the stub's maps");
  std::vector<ReservedRange> out;
  std::string line;
  while (std::getline(in, line)) {
    unsigned long long start, end;
    if (std::sscanf(line.c_str(), "%llx-%llx", &start, &end) != 2) continue;
    // The name is everything after the fifth field (it may hold spaces,
    // as in "/memfd:runsc-seccomp-stub (deleted)").
    std::string name;
    std::istringstream fields(line);
    std::string f;
    for (int i = 0; i < 5 && fields >> f; i++) {
    }
    std::getline(fields >> std::ws, name);
    out.push_back({start, end, name});
  }
  return out;
}

// The instruction-pointer filter: a syscall may run only when it comes from
// one of the stub's syscall sites (and is a native x86_64 call), and clone
// only from the two clone sites; everything else traps. The policy filter
// then narrows what those sites may do.
absl::StatusOr<std::vector<sock_filter>> IpFilter(const sc_hello& h) {
  const uint32_t hi = static_cast<uint32_t>(h.sites[0] >> 32);
  if (h.nsites <= SC_SITE_FORK)
    return absl::InternalError("stub syscall sites missing");
  for (uint32_t i = 0; i < h.nsites; i++) {
    if (static_cast<uint32_t>(h.sites[i] >> 32) != hi || h.sites[i] == 0)
      return absl::InternalError("stub syscall sites out of range");
  }
  auto lo = [&](int i) { return static_cast<uint32_t>(h.sites[i]); };
  const uint32_t n = h.nsites;
  constexpr uint32_t kThreadFlags = CLONE_VM | CLONE_FS | CLONE_FILES |
                                    CLONE_SIGHAND | CLONE_THREAD |
                                    CLONE_SYSVSEM;
  // Layout (indexes); clone's flags are checked per site (low word; the
  // high word must be 0):
  //  0 ld arch         1 jeq x86_64 ? 2 : TRAP
  //  2 ld ip_hi        3 jeq hi ? 4 : TRAP
  //  4 ld nr           5 jeq clone ? 6 : 15
  //  6 ld args[0].hi   7 jeq 0 ? 8 : TRAP
  //  8 ld ip_lo       9 jeq thread site ? 10 : 12
  // 10 ld args[0].lo  11 jeq thread flags ? ALLOW : TRAP
  // 12 jeq fork ? 13 : TRAP
  // 13 ld args[0].lo  14 jeq SIGCHLD ? ALLOW : TRAP
  // 15 ld ip_lo       16.. jeq site_i ? ALLOW : next
  //  TRAP = 16 + n     ALLOW = 17 + n
  const uint32_t trap = 16 + n, allow = 17 + n;
  auto jump = [](uint32_t from, uint32_t to) {
    return static_cast<uint8_t>(to - from - 1);
  };
  const uint32_t ip_lo = offsetof(seccomp_data, instruction_pointer);
  const uint32_t a0_lo = offsetof(seccomp_data, args);
  std::vector<sock_filter> f;
  f.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)));
  f.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0,
                       jump(1, trap)));
  f.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ip_lo + 4));
  f.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, hi, 0, jump(3, trap)));
  f.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
  f.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 0, jump(5, 15)));
  f.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, a0_lo + 4));            // 6
  f.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, jump(7, trap)));  // 7
  f.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ip_lo));                 // 8
  f.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, lo(SC_SITE_CLONE_THREAD),
                       0, jump(9, 12)));                                  // 9
  f.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, a0_lo));                 // 10
  f.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kThreadFlags,
                       jump(11, allow), jump(11, trap)));                 // 11
  f.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, lo(SC_SITE_FORK), 0,
                       jump(12, trap)));                                  // 12
  f.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, a0_lo));                 // 13
  f.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SIGCHLD, jump(14, allow),
                       jump(14, trap)));                                  // 14
  f.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ip_lo));                 // 15
  for (uint32_t i = 0; i < n; i++) {
    f.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, lo(i),
                         jump(16 + i, allow), 0));
  }
  f.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP));
  f.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  return f;
}

// The policy (libseccomp): what the stub's own sites may call. Everything
// else, every other arch (int 0x80 is AUDIT_ARCH_I386) and x32 traps. No
// file, socket-creating, signal-sending, exec or ptrace call is allowed,
// whatever the registers.
absl::StatusOr<std::vector<sock_filter>> PolicyFilter(uint64_t region) {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
  if (!ctx) return absl::InternalError("seccomp_init");
  struct Guard {
    scmp_filter_ctx c;
    ~Guard() { seccomp_release(c); }
  } guard{ctx};
  int rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_TRAP);
  auto add = [&](int nr, std::initializer_list<scmp_arg_cmp> args) {
    if (rc != 0) return;
    rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, args.size(),
                                args.size() ? args.begin() : nullptr);
  };
  const uint64_t mask = ~(SC_REGION_SIZE - 1);
  // Leaving the handler, and the hand-off futexes of the region only.
  add(SCMP_SYS(rt_sigreturn), {});
  add(SCMP_SYS(futex), {SCMP_A0(SCMP_CMP_MASKED_EQ, mask, region),
                        SCMP_A1(SCMP_CMP_EQ, FUTEX_WAIT)});
  add(SCMP_SYS(futex), {SCMP_A0(SCMP_CMP_MASKED_EQ, mask, region),
                        SCMP_A1(SCMP_CMP_EQ, FUTEX_WAKE)});
  // Address-space operations the sentry commands.
  for (int nr : {SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mprotect),
                 SCMP_SYS(mremap), SCMP_SYS(madvise), SCMP_SYS(msync),
                 SCMP_SYS(mlock), SCMP_SYS(munlock), SCMP_SYS(mlock2),
                 SCMP_SYS(mlockall), SCMP_SYS(munlockall),
                 SCMP_SYS(mincore)}) {
    add(nr, {});
  }
  // File mappings: receive one fd from the control channel, close it.
  add(SCMP_SYS(recvmsg),
      {SCMP_A0(SCMP_CMP_EQ, kStubChannelFd),
       SCMP_A2(SCMP_CMP_EQ, MSG_CMSG_CLOEXEC | MSG_DONTWAIT)});
  add(SCMP_SYS(close), {SCMP_A0(SCMP_CMP_NE, kStubChannelFd)});
  // New threads and forks of the stub, with exactly the stub's flags.
  add(SCMP_SYS(clone), {SCMP_A0(SCMP_CMP_EQ, CLONE_VM | CLONE_FS |
                                                 CLONE_FILES | CLONE_SIGHAND |
                                                 CLONE_THREAD | CLONE_SYSVSEM)});
  add(SCMP_SYS(clone), {SCMP_A0(SCMP_CMP_EQ, SIGCHLD)});
  add(SCMP_SYS(exit), {});
  // A new thread arms its alternate stack (in the region) and unblocks.
  add(SCMP_SYS(sigaltstack), {SCMP_A0(SCMP_CMP_MASKED_EQ, mask, region)});
  add(SCMP_SYS(rt_sigprocmask), {SCMP_A0(SCMP_CMP_EQ, SIG_SETMASK)});
  // fs/gs base without FSGSBASE.
  for (uint64_t code : {0x1001ull, 0x1002ull, 0x1003ull, 0x1004ull})
    add(SCMP_SYS(arch_prctl), {SCMP_A0(SCMP_CMP_EQ, code)});
  if (rc != 0) return absl::InternalError(absl::StrCat("libseccomp rule: ", rc));

  int fd = memfd_create("runsc-seccomp-bpf", MFD_CLOEXEC);
  if (fd < 0) return absl::ErrnoToStatus(errno, "memfd for the filter");
  rc = seccomp_export_bpf(ctx, fd);
  std::vector<sock_filter> out;
  if (rc == 0) {
    off_t size = lseek(fd, 0, SEEK_END);
    if (size > 0 && size % sizeof(sock_filter) == 0) {
      out.resize(size / sizeof(sock_filter));
      if (pread(fd, out.data(), size, 0) != size) out.clear();
    }
  }
  close(fd);
  if (out.empty()) return absl::InternalError("seccomp_export_bpf");
  return out;
}

// StubHostPid (the launcher's namespace id -> host id), retried: right
// after clone() returns, the new task is not always listed in /proc yet
// (seen under load: the listing shows only older tasks for a moment, and
// thread creation failed with EAGAIN).
pid_t HostIdRetrying(pid_t stub, pid_t parent_tid, pid_t ns_id, bool thread) {
  for (int i = 0; i < 100; i++) {
    const pid_t id = StubHostPid(stub, parent_tid, ns_id, thread);
    if (id > 0) return id;
    usleep(i < 20 ? 100 : 1000);
  }
  return -1;
}

int SendFd(int sock, int fd) {
  char byte = 0;
  iovec iov = {&byte, 1};
  alignas(cmsghdr) char buf[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = buf;
  msg.msg_controllen = sizeof(buf);
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &fd, sizeof(int));
  return sendmsg(sock, &msg, MSG_DONTWAIT | MSG_NOSIGNAL) == 1 ? 0 : -errno;
}

// Prepares a slot for a thread that will report its first event (which
// answers sequence 1). Must happen before the thread can trap into it.
void InitSlot(sc_slot* s) {
  std::memset(s, 0, sizeof(*s));
  s->features = Features();
  s->spin_iterations = 0;  // set before each post
  Store(&s->sentry_seq, 1);
}

void KillAndReap(pid_t pid) {
  kill(pid, SIGKILL);
  int status;
  while (waitpid(pid, &status, __WALL) < 0 && errno == EINTR) {
  }
}

}  // namespace

// ---------------------------------------------------------------------------
// SeccompRegion

absl::StatusOr<std::unique_ptr<SeccompRegion>> SeccompRegion::Create() {
  int fd = memfd_create("runsc-seccomp-region", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return absl::ErrnoToStatus(errno, "memfd_create for the region");
  if (ftruncate(fd, SC_REGION_SIZE) != 0) {
    int err = errno;
    close(fd);
    return absl::ErrnoToStatus(err, "sizing the region");
  }
  // Its size never changes: the sentry's own mapping can never SIGBUS.
  fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
  void* mem = mmap(nullptr, SC_REGION_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
                   fd, 0);
  if (mem == MAP_FAILED) {
    int err = errno;
    close(fd);
    return absl::ErrnoToStatus(err, "mapping the region");
  }
  return std::unique_ptr<SeccompRegion>(
      new SeccompRegion(fd, static_cast<uint8_t*>(mem)));
}

SeccompRegion::~SeccompRegion() {
  CloseFd();
  munmap(mem_, SC_REGION_SIZE);
}

void SeccompRegion::CloseFd() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

// ---------------------------------------------------------------------------
// SeccompPlatform

absl::StatusOr<std::unique_ptr<Platform>> SeccompPlatform::New() {
  auto launcher =
      StubLauncher::New(platform_seccomp_stub_image,
                        platform_seccomp_stub_image_end, "runsc-seccomp-stub");
  if (!launcher.ok()) return launcher.status();
  PauseIterations(0);  // calibrate now, not on the first hand-off
  CanSpin();
  // Non-dumpable stubs stay reachable for process_vm_* and /proc/PID/mem
  // only if the sentry owns their user namespace or has CAP_SYS_PTRACE.
  bool undumpable = ((*launcher)->jail().namespaces & CLONE_NEWUSER) != 0;
  if (!undumpable) {
    __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct caps[2] = {};
    undumpable = syscall(SYS_capget, &hdr, caps) == 0 &&
                 (caps[0].effective & (1u << CAP_SYS_PTRACE));
  }
  return std::unique_ptr<Platform>(
      new SeccompPlatform(std::move(*launcher), undumpable));
}

SeccompPlatform::~SeccompPlatform() {
  {
    absl::MutexLock l(&pool_mu_);
    pool_stop_ = true;
    pool_cv_.SignalAll();
  }
  if (pool_thread_.joinable()) pool_thread_.join();
  absl::MutexLock l(&pool_mu_);
  pool_.clear();  // their stubs are killed with their address spaces
}

void SeccompPlatform::PoolLoop() {
  for (;;) {
    {
      absl::MutexLock l(&pool_mu_);
      while (!pool_stop_ && pool_.size() >= kPoolSize) pool_cv_.Wait(&pool_mu_);
      if (pool_stop_) return;
    }
    auto ns = StartStub();
    absl::MutexLock l(&pool_mu_);
    if (!ns.ok()) {
      // Let callers start their own (and see the error); retry later.
      pool_cv_.WaitWithTimeout(&pool_mu_, absl::Seconds(1));
      continue;
    }
    pool_.push_back(std::move(*ns));
  }
}

absl::StatusOr<Platform::NewSpace> SeccompPlatform::NewAddressSpace() {
  NewSpace ns;
  bool have = false;
  {
    absl::MutexLock l(&pool_mu_);
    if (!pool_started_) {
      pool_started_ = true;
      pool_thread_ = std::thread([this] { PoolLoop(); });
    }
    if (!pool_.empty()) {
      ns = std::move(pool_.back());
      pool_.pop_back();
      have = true;
    }
    pool_cv_.Signal();
  }
  if (!have) {
    auto started = StartStub();
    if (!started.ok()) return started.status();
    ns = std::move(*started);
  }
  // From now on the calling thread owns the context.
  auto* sas = static_cast<SeccompAddressSpace*>(ns.as.get());
  sas->Register(static_cast<SeccompContext*>(ns.ctx.get()));
  return ns;
}

absl::StatusOr<Platform::NewSpace> SeccompPlatform::StartStub() {
  auto region = SeccompRegion::Create();
  if (!region.ok()) return region.status();
  auto stub = launcher_->Launch(StubLauncher::Options{});
  if (!stub.ok()) return stub.status();
  const pid_t pid = stub->pid;
  std::shared_ptr<StubChannel> channel = std::move(stub->channel);
  auto fail = [&](absl::Status st) {
    KillAndReap(pid);
    return st;
  };

  // Handshake (the stub runs only its own code until it traps).
  sc_hello hello = {};
  InitSlot((*region)->slot(0));
  if (undumpable_) (*region)->slot(0)->features |= SC_FEATURE_UNDUMPABLE;
  {
    absl::MutexLock l(&channel->mu);
    if (int r = SendFd(channel->sentry_fd, (*region)->fd()); r < 0)
      return fail(absl::ErrnoToStatus(-r, "sending the region to the stub"));
    pollfd p = {channel->sentry_fd, POLLIN, 0};
    int n;
    do {
      n = poll(&p, 1, kStartTimeoutMs);
    } while (n < 0 && errno == EINTR);
    ssize_t got = n == 1 ? recv(channel->sentry_fd, &hello, sizeof(hello),
                                MSG_DONTWAIT)
                         : -1;
    if (got != sizeof(hello) || hello.magic != SC_HELLO_MAGIC ||
        hello.nsites == 0 || hello.nsites > SC_MAX_SITES ||
        hello.region % SC_REGION_SIZE != 0 || hello.region == 0 ||
        hello.region >= (1ull << 47))
      return fail(absl::InternalError("the seccomp stub did not start"));
    auto ip = IpFilter(hello);
    if (!ip.ok()) return fail(ip.status());
    auto policy = PolicyFilter(hello.region);
    if (!policy.ok()) return fail(policy.status());
    if (ip->size() + policy->size() > SC_MAX_FILTER_INSNS)
      return fail(absl::InternalError("seccomp filters too long"));
    std::vector<uint8_t> msg(sizeof(sc_filters));
    sc_filters hdr = {SC_FILTER_MAGIC, static_cast<uint16_t>(ip->size()),
                      static_cast<uint16_t>(policy->size())};
    std::memcpy(msg.data(), &hdr, sizeof(hdr));
    auto append = [&](const std::vector<sock_filter>& f) {
      const uint8_t* b = reinterpret_cast<const uint8_t*>(f.data());
      msg.insert(msg.end(), b, b + f.size() * sizeof(sock_filter));
    };
    append(*ip);
    append(*policy);
    (*region)->stub_base = hello.region;
    (*region)->CloseFd();
    // Slot 0 must be ready before the stub traps into it.
    if (send(channel->sentry_fd, msg.data(), msg.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(msg.size()))
      return fail(absl::ErrnoToStatus(errno, "sending the seccomp filters"));
  }
  auto as = std::make_shared<SeccompAddressSpace>(pid, true, std::move(*region),
                                                  std::move(channel));
  auto ctx = std::make_unique<SeccompContext>(as, 0, pid);
  if (!ctx->AwaitFirstEvent())
    return absl::InternalError("the seccomp stub did not trap");
  auto reserved = ReadStubMaps(pid);
  if (!reserved.ok()) return reserved.status();
  as->set_reserved(std::move(*reserved));
  NewSpace ns;
  ns.ctx = std::move(ctx);
  ns.as = std::move(as);
  return ns;
}

absl::StatusOr<std::unique_ptr<Context>> SeccompPlatform::AdoptThread(
    std::shared_ptr<AddressSpace> as, ThreadHandle thread) {
  auto sas = std::dynamic_pointer_cast<SeccompAddressSpace>(as);
  if (!sas) return absl::InvalidArgumentError("not a seccomp address space");
  SeccompAddressSpace::Pending p;
  const pid_t tid = static_cast<pid_t>(thread.id);
  if (!sas->TakePending(tid, &p))
    return absl::InvalidArgumentError("no such parked stub thread");
  auto ctx = std::make_unique<SeccompContext>(sas, p.slot, tid);
  if (!ctx->AwaitFirstEvent())
    return absl::InternalError("a new stub thread died before it started");
  sas->Register(ctx.get());
  if (!p.fpstate.empty()) {
    if (absl::Status st = ctx->SetFpState(p.fpstate); !st.ok()) return st;
  }
  return std::unique_ptr<Context>(std::move(ctx));
}

// ---------------------------------------------------------------------------
// SeccompAddressSpace

SeccompAddressSpace::SeccompAddressSpace(pid_t pid, bool own_child,
                                         std::unique_ptr<SeccompRegion> region,
                                         std::shared_ptr<StubChannel> channel)
    : pid_(pid),
      own_child_(own_child),
      region_(std::move(region)),
      channel_(std::move(channel)) {
  pidfd_ = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  absl::MutexLock l(&mu_);
  slot_tid_.assign(SC_MAX_SLOTS, 0);
  slot_tid_[0] = -1;  // the first thread's
}

SeccompAddressSpace::~SeccompAddressSpace() {
  {
    absl::MutexLock l(&mu_);
    if (mem_fd_ >= 0) close(mem_fd_);
  }
  if (own_child_) {
    KillAndReap(pid_);
  } else {
    // A forked stub is its parent stub's child (auto-reaped there).
    if (pidfd_ >= 0) {
      syscall(SYS_pidfd_send_signal, pidfd_, SIGKILL, nullptr, 0);
    } else {
      kill(pid_, SIGKILL);
    }
  }
  if (pidfd_ >= 0) close(pidfd_);
}

int SeccompAddressSpace::AllocSlot() {
  absl::MutexLock l(&mu_);
  for (int i = 1; i < static_cast<int>(SC_MAX_SLOTS); i++) {
    pid_t t = slot_tid_[i];
    if (t < 0) continue;
    // A released slot is reused only once its old thread is gone (it may
    // still be leaving through the exit(2) it was told to make).
    if (t > 0 && syscall(SYS_tgkill, pid_, t, 0) == 0) continue;
    slot_tid_[i] = -1;
    return i;
  }
  return -1;
}

void SeccompAddressSpace::ReleaseSlot(int i, pid_t tid) {
  absl::MutexLock l(&mu_);
  if (i >= 0 && i < static_cast<int>(SC_MAX_SLOTS)) slot_tid_[i] = tid;
}

void SeccompAddressSpace::Register(SeccompContext* ctx) {
  absl::MutexLock l(&mu_);
  owners_[CurrentTid()] = ctx;
  contexts_++;
}

void SeccompAddressSpace::Unregister(SeccompContext* ctx) {
  absl::MutexLock l(&mu_);
  for (auto it = owners_.begin(); it != owners_.end(); ++it) {
    if (it->second == ctx) {
      owners_.erase(it);
      contexts_--;
      break;
    }
  }
}

SeccompContext* SeccompAddressSpace::Caller() {
  absl::MutexLock l(&mu_);
  auto it = owners_.find(CurrentTid());
  return it == owners_.end() ? nullptr : it->second;
}

int SeccompAddressSpace::Contexts() {
  absl::MutexLock l(&mu_);
  return contexts_;
}

void SeccompAddressSpace::AddPending(pid_t tid, Pending p) {
  absl::MutexLock l(&mu_);
  pending_[tid] = std::move(p);
}

bool SeccompAddressSpace::TakePending(pid_t tid, Pending* p) {
  absl::MutexLock l(&mu_);
  auto it = pending_.find(tid);
  if (it == pending_.end()) return false;
  *p = std::move(it->second);
  pending_.erase(it);
  return true;
}

bool SeccompAddressSpace::Alive(pid_t tid) {
  if (pidfd_ >= 0) {
    pollfd p = {pidfd_, POLLIN, 0};
    if (poll(&p, 1, 0) == 1) return false;  // the process has exited
  }
  return !(syscall(SYS_tgkill, pid_, tid, 0) != 0 && errno == ESRCH);
}

void SeccompAddressSpace::Kill() {
  if (pidfd_ >= 0) {
    syscall(SYS_pidfd_send_signal, pidfd_, SIGKILL, nullptr, 0);
  } else {
    kill(pid_, SIGKILL);
  }
}

int64_t SeccompAddressSpace::Run(uint64_t nr, uint64_t a0, uint64_t a1,
                                 uint64_t a2, uint64_t a3, uint64_t a4,
                                 uint64_t a5) {
  SeccompContext* c = Caller();
  if (!c) return -EPERM;
  return c->Command(SC_OP_SYSCALL, nr, a0, a1, a2, a3, a4, a5);
}

int64_t SeccompAddressSpace::Map(uint64_t addr, uint64_t len, int prot,
                                 int flags) {
  return Run(SYS_mmap, addr, len, prot, flags | MAP_ANONYMOUS,
             static_cast<uint64_t>(-1), 0);
}

int64_t SeccompAddressSpace::MapFile(uint64_t addr, uint64_t len, int prot,
                                     int flags, int host_fd, uint64_t offset) {
  SeccompContext* c = Caller();
  if (!c) return -EPERM;
  // One fd in flight per channel; the stub receives, maps and closes it in
  // one hand-off. Its answer is only a number (an address or -errno).
  absl::MutexLock l(&channel_->mu);
  if (int r = SendFd(channel_->sentry_fd, host_fd); r < 0) return r;
  return c->Command(SC_OP_MAPFILE, 0, addr, len, prot, flags, offset);
}

int64_t SeccompAddressSpace::Unmap(uint64_t addr, uint64_t len) {
  return Run(SYS_munmap, addr, len);
}
int64_t SeccompAddressSpace::Protect(uint64_t addr, uint64_t len, int prot) {
  return Run(SYS_mprotect, addr, len, prot);
}
int64_t SeccompAddressSpace::Remap(uint64_t old_addr, uint64_t old_len,
                                   uint64_t new_len, int flags,
                                   uint64_t new_addr) {
  return Run(SYS_mremap, old_addr, old_len, new_len, flags, new_addr);
}
int64_t SeccompAddressSpace::Advise(uint64_t addr, uint64_t len, int advice) {
  return Run(SYS_madvise, addr, len, advice);
}
int64_t SeccompAddressSpace::Sync(uint64_t addr, uint64_t len, int flags) {
  return Run(SYS_msync, addr, len, flags);
}
int64_t SeccompAddressSpace::Lock(int op, uint64_t addr, uint64_t len,
                                  int flags) {
  switch (op) {
    case SYS_mlock:
    case SYS_munlock:
      return Run(op, addr, len);
    case SYS_mlock2:
      return Run(op, addr, len, flags);
    case SYS_mlockall:
      return Run(op, flags);
    case SYS_munlockall:
      return Run(op);
  }
  return -EINVAL;
}
int64_t SeccompAddressSpace::Incore(uint64_t addr, uint64_t len, uint64_t vec) {
  return Run(SYS_mincore, addr, len, vec);
}

int64_t SeccompAddressSpace::Read(uint64_t addr, void* dst, uint64_t len) {
  if (len == 0) return 0;
  iovec local = {dst, len};
  iovec remote = {reinterpret_cast<void*>(addr), len};
  ssize_t n = process_vm_readv(pid_, &local, 1, &remote, 1, 0);
  if (n > 0) return n;
  return -EFAULT;
}

int64_t SeccompAddressSpace::Write(uint64_t addr, const void* src,
                                   uint64_t len, bool force) {
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

absl::StatusOr<ThreadHandle> SeccompAddressSpace::NewThread() {
  SeccompContext* c = Caller();
  if (!c) return absl::FailedPreconditionError("no context of this thread");
  const int slot = AllocSlot();
  if (slot < 0) {
    PlatformDebugf("seccomp: no free slot for a new thread of stub %d", pid_);
    return absl::ResourceExhaustedError("no free stub slot");
  }
  InitSlot(region_->slot(slot));
  const uint64_t stack =
      region_->stub_base + slot * SC_SLOT_SIZE + SC_INIT_STACK_TOP;
  const int64_t ns_tid = c->Command(SC_OP_CLONE_THREAD, 0, stack);
  const pid_t tid =
      ns_tid > 0 ? HostIdRetrying(pid_, c->HostTid(),
                                  static_cast<pid_t>(ns_tid), true)
                 : -1;
  if (tid <= 0) {
    PlatformDebugf("seccomp: clone in stub %d: %ld (host id %d)", pid_,
                   static_cast<long>(ns_tid), tid);
    ReleaseSlot(slot, 0);
    return absl::ErrnoToStatus(ns_tid < 0 ? -ns_tid : ESRCH,
                               "clone in the stub");
  }
  Pending p;
  p.slot = slot;
  // Linux gives a new thread its creator's FP state (control words too).
  (void)c->GetFpState(&p.fpstate);
  AddPending(static_cast<pid_t>(tid), std::move(p));
  return ThreadHandle{tid};
}

absl::StatusOr<ForkResult> SeccompAddressSpace::Fork() {
  SeccompContext* c = Caller();
  if (!c) return absl::FailedPreconditionError("no context of this thread");
  auto region = SeccompRegion::Create();
  if (!region.ok()) return region.status();
  (*region)->stub_base = region_->stub_base;
  InitSlot((*region)->slot(0));
  int64_t pid;
  {
    absl::MutexLock l(&channel_->mu);
    if (int r = SendFd(channel_->sentry_fd, (*region)->fd()); r < 0)
      return absl::ErrnoToStatus(-r, "region to the stub");
    pid = c->Command(SC_OP_FORK, 0);
  }
  (*region)->CloseFd();
  if (pid > 0)
    pid = HostIdRetrying(pid_, c->HostTid(), static_cast<pid_t>(pid), false);
  if (pid <= 0)
    return absl::ErrnoToStatus(pid < 0 && pid != -1 ? -pid : ESRCH,
                               "fork of the stub");
  auto child = std::make_shared<SeccompAddressSpace>(
      static_cast<pid_t>(pid), false, std::move(*region), channel_);
  child->set_reserved(reserved_);
  Pending p;
  p.slot = 0;
  (void)c->GetFpState(&p.fpstate);
  child->AddPending(static_cast<pid_t>(pid), std::move(p));
  ForkResult r;
  r.as = std::move(child);
  r.thread = ThreadHandle{pid};
  return r;
}

// ---------------------------------------------------------------------------
// SeccompContext

SeccompContext::SeccompContext(std::shared_ptr<SeccompAddressSpace> as,
                               int slot, pid_t tid)
    : as_(std::move(as)),
      slot_(slot),
      tid_(tid),
      s_(as_->region().slot(slot)) {}

SeccompContext::~SeccompContext() {
  as_->Unregister(this);
  if (dead_) {
    as_->ReleaseSlot(slot_, tid_);
    return;
  }
  if (as_->Contexts() == 0) {
    // The last thread: the whole stub goes (the address space reaps it).
    as_->Kill();
  } else {
    // Others still run in this stub: only this thread leaves, by exit(2)
    // from its handler (SIGKILL would take the whole stub).
    s_->op = SC_OP_EXIT;
    Post();
  }
  as_->ReleaseSlot(slot_, tid_);
}

std::shared_ptr<AddressSpace> SeccompContext::address_space() const {
  return as_;
}

void SeccompContext::Dead() {
  if (!dead_) {
    dead_ = true;
    as_->Kill();
  }
}

bool SeccompContext::Post() {
  if (dead_) return false;
  // The stub must be parked on our last message: anything else means the
  // slot was written by someone else (another application thread forging
  // a reply). That is refused: the stub process is killed.
  if (Load(&s_->stub_seq) != seq_) {
    Dead();
    return false;
  }
  if (++seq_ == 0) seq_ = 1;
  Store(&s_->sentry_seq, seq_);
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  if (Load(&s_->stub_sleeping)) Futex(&s_->sentry_seq, FUTEX_WAKE, 1, nullptr);
  return true;
}

SeccompContext::Wait SeccompContext::Await(bool for_app, bool spin) {
  const uint32_t want = seq_;
  // Spin first (see kSpinNs), then sleep.
  static const uint32_t max = CanSpin() ? PauseIterations(kSpinNs) : 0;
  const uint32_t budget = spin ? max : 0;
  for (uint32_t i = 0; i < budget; i++) {
    if (Load(&s_->stub_seq) == want) return Wait::kOk;
    __builtin_ia32_pause();
  }
  const int64_t slow_start = NowNs();
  for (;;) {
    Store(&s_->sentry_sleeping, 1);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    const uint32_t v = Load(&s_->stub_seq);
    if (v == want) {
      Store(&s_->sentry_sleeping, 0);
      return Wait::kOk;
    }
    timespec ts = {0, kSleepSliceNs};
    long r = Futex(&s_->stub_seq, FUTEX_WAIT, v, &ts);
    Store(&s_->sentry_sleeping, 0);
    if (Load(&s_->stub_seq) == want) return Wait::kOk;
    if (r == 0 || errno != ETIMEDOUT) continue;
    if (!as_->Alive(tid_)) return Wait::kDead;
    if (interrupt_.load(std::memory_order_acquire)) {
      // The sentry wants this thread back (a signal, a kill) and it does
      // not come: past the grace period the stub is killed.
      const int64_t since =
          std::max(interrupt_since_ns_.load(), slow_start);
      if (NowNs() - since > kInterruptGraceNs) {
        as_->Kill();
        return Wait::kDead;
      }
      if (for_app)
        syscall(SYS_tgkill, as_->StubPid(), tid_, SC_INTERRUPT_SIGNAL);
    }
  }
}

int64_t SeccompContext::Command(uint32_t op, uint64_t nr, uint64_t a0,
                                uint64_t a1, uint64_t a2, uint64_t a3,
                                uint64_t a4, uint64_t a5) {
  if (dead_) return -ESRCH;
  s_->op = op;
  s_->nr = nr;
  s_->args[0] = a0;
  s_->args[1] = a1;
  s_->args[2] = a2;
  s_->args[3] = a3;
  s_->args[4] = a4;
  s_->args[5] = a5;
  // A command is short (one host call in the stub) and so is what the
  // sentry does with its result: both sides spin, token or not.
  s_->spin_iterations = CanSpin() ? PauseIterations(kSpinNs) : 0;
  if (!Post()) return -ESRCH;
  if (Await(false, CanSpin()) != Wait::kOk) {
    Dead();
    return -ESRCH;
  }
  int64_t r;
  __atomic_load(&s_->result, &r, __ATOMIC_ACQUIRE);
  return r;
}

bool SeccompContext::AwaitFirstEvent() {
  seq_ = 1;
  if (Await(false, false) != Wait::kOk) {
    Dead();
    return false;
  }
  Event ev;
  if (!DecodeEvent(&ev)) {
    Dead();
    return false;
  }
  return true;
}

bool SeccompContext::DecodeEvent(Event* ev) {
  // One copy of everything; nothing is read twice from the slot.
  const int32_t signo = __atomic_load_n(&s_->signo, __ATOMIC_RELAXED);
  uapi::Siginfo info;
  std::memcpy(&info, s_->siginfo, sizeof(info));
  const uint64_t uc_addr = s_->uc_addr;
  event_fs_ = s_->fs_base;
  event_gs_ = s_->gs_base;
  const uint64_t slot_addr = as_->region().stub_base + slot_ * SC_SLOT_SIZE;
  if (uc_addr < slot_addr + SC_ALTSTACK_OFF ||
      uc_addr > slot_addr + SC_SLOT_SIZE - sizeof(uapi::Ucontext) ||
      uc_addr % 8 != 0)
    return false;
  uc_off_ = uc_addr - slot_addr;
  std::memcpy(&uc_, as_->region().slot_bytes(slot_) + uc_off_, sizeof(uc_));
  const uapi::Sigcontext64& sc = uc_.uc_mcontext;
  uapi::UserRegs& r = regs_;
  r = uapi::UserRegs{};
  r.r8 = sc.r8;
  r.r9 = sc.r9;
  r.r10 = sc.r10;
  r.r11 = sc.r11;
  r.r12 = sc.r12;
  r.r13 = sc.r13;
  r.r14 = sc.r14;
  r.r15 = sc.r15;
  r.rdi = sc.rdi;
  r.rsi = sc.rsi;
  r.rbp = sc.rbp;
  r.rbx = sc.rbx;
  r.rdx = sc.rdx;
  r.rax = sc.rax;
  r.rcx = sc.rcx;
  r.rsp = sc.rsp;
  r.rip = sc.rip;
  r.eflags = sc.eflags;
  r.cs = sc.cs;
  r.ss = (uc_.uc_flags & uapi::kUcSigcontextSs) ? sc.ss : 0x2b;
  r.fs_base = event_fs_;
  r.gs_base = event_gs_;
  r.orig_rax = static_cast<uint64_t>(-1);

  ev->kind = Event::Kind::kInterrupted;
  if (signo == SIGSYS && info.si_signo == SIGSYS && info.si_code == 1) {
    // SYS_SECCOMP: the syscall did not run; rip is past the instruction.
    ev->kind = Event::Kind::kSyscall;
    ev->arch = info.sigsys.arch == uapi::kAuditArchI386 ? Arch::kI386
                                                         : Arch::kAmd64;
    ev->sysno = static_cast<uint32_t>(info.sigsys.syscall);
    const uint64_t a[6] = {r.rdi, r.rsi, r.rdx, r.r10, r.r8, r.r9};
    const uint64_t b[6] = {r.rbx, r.rcx, r.rdx, r.rsi, r.rdi, r.rbp};
    for (int i = 0; i < 6; i++) {
      ev->args[i] = ev->arch == Arch::kI386 ? static_cast<uint32_t>(b[i]) : a[i];
    }
    // As at a ptrace syscall-entry stop.
    r.orig_rax = ev->sysno;
    r.rax = static_cast<uint64_t>(-ENOSYS);
  } else if ((signo == SIGSEGV || signo == SIGBUS || signo == SIGFPE ||
              signo == SIGILL || signo == SIGTRAP) &&
             info.si_signo == signo && info.si_code > 0) {
    ev->kind = Event::Kind::kFault;
    ev->signo = signo;
    ev->code = info.si_code;
    ev->fault_addr = info.sigfault.addr;
  }
  return true;
}

void SeccompContext::FlushRegs() {
  uint8_t* ucp = as_->region().slot_bytes(slot_) + uc_off_;
  uapi::Ucontext& uc = uc_;
  uapi::Sigcontext64& sc = uc.uc_mcontext;
  const uapi::UserRegs& r = regs_;
  sc.r8 = r.r8;
  sc.r9 = r.r9;
  sc.r10 = r.r10;
  sc.r11 = r.r11;
  sc.r12 = r.r12;
  sc.r13 = r.r13;
  sc.r14 = r.r14;
  sc.r15 = r.r15;
  sc.rdi = r.rdi;
  sc.rsi = r.rsi;
  sc.rbp = r.rbp;
  sc.rbx = r.rbx;
  sc.rdx = r.rdx;
  sc.rax = r.rax;
  sc.rcx = r.rcx;
  sc.rsp = r.rsp;
  sc.rip = r.rip;
  sc.eflags = r.eflags;
  // Only the user code segments (64- or 32-bit) and the user stack segment.
  sc.cs = (r.cs == 0x23 || r.cs == 0x33) ? static_cast<uint16_t>(r.cs) : 0x33;
  sc.ss = 0x2b;
  uc.uc_flags |= uapi::kUcSigcontextSs | uapi::kUcStrictRestoreSs;
  // Whatever happened to the stub's host state, the thread goes back with
  // nothing blocked (interrupts must reach it) and its own alternate stack.
  uc.uc_sigmask = 0;
  uc.uc_stack.ss_sp =
      as_->region().stub_base + slot_ * SC_SLOT_SIZE + SC_ALTSTACK_OFF;
  uc.uc_stack.ss_flags = 0;
  uc.uc_stack.ss_size = SC_ALTSTACK_SIZE;
  std::memcpy(ucp, &uc, sizeof(uc));
  uint32_t flags = 0;
  if (r.fs_base != event_fs_) {
    s_->fs_base_in = r.fs_base;
    flags |= SC_FLAG_SET_FS;
  }
  if (r.gs_base != event_gs_) {
    s_->gs_base_in = r.gs_base;
    flags |= SC_FLAG_SET_GS;
  }
  s_->flags = flags;
}

bool SeccompContext::FpArea(uint64_t* off, uint64_t* size) {
  const uint64_t slot_addr = as_->region().stub_base + slot_ * SC_SLOT_SIZE;
  const uint64_t fp = uc_.uc_mcontext.fpstate;
  if (fp < slot_addr + SC_ALTSTACK_OFF || fp % 64 != 0 ||
      fp + uapi::kFxsaveSize + uapi::kXstateHeaderSize > slot_addr + SC_SLOT_SIZE)
    return false;
  *off = fp - slot_addr;
  uapi::FpxSwBytes sw;
  std::memcpy(&sw, as_->region().slot_bytes(slot_) + *off + uapi::kFpxSwBytesOffset,
              sizeof(sw));
  if (sw.magic1 != uapi::kFpXstateMagic1 ||
      sw.xstate_size < uapi::kFxsaveSize + uapi::kXstateHeaderSize ||
      *off + sw.xstate_size > SC_SLOT_SIZE)
    return false;
  *size = sw.xstate_size;
  return true;
}

absl::Status SeccompContext::GetFpState(std::vector<uint8_t>* xstate) {
  uint64_t off, size;
  if (dead_ || !FpArea(&off, &size))
    return absl::InternalError("no FP state in the stub's frame");
  const uint8_t* p = as_->region().slot_bytes(slot_) + off;
  xstate->assign(p, p + size);
  return absl::OkStatus();
}

absl::Status SeccompContext::SetFpState(const std::vector<uint8_t>& xstate) {
  uint64_t off, size;
  if (dead_ || !FpArea(&off, &size))
    return absl::InternalError("no FP state in the stub's frame");
  if (xstate.size() < uapi::kFxsaveSize + uapi::kXstateHeaderSize)
    return absl::InvalidArgumentError("short FP state");
  uint8_t* p = as_->region().slot_bytes(slot_) + off;
  uapi::FpxSwBytes sw;
  std::memcpy(&sw, p + uapi::kFpxSwBytesOffset, sizeof(sw));
  const uint64_t n = std::min<uint64_t>(size, xstate.size());
  // The software bytes stay the kernel's: they tell sigreturn the layout.
  std::memcpy(p, xstate.data(), uapi::kFpxSwBytesOffset);
  std::memcpy(p + uapi::kFxsaveSize, xstate.data() + uapi::kFxsaveSize,
              n - uapi::kFxsaveSize);
  // A header the kernel accepts: standard format, frame's features only.
  uapi::XstateHeader h;
  std::memcpy(&h, p + uapi::kFxsaveSize, sizeof(h));
  h.xfeatures &= sw.xfeatures;
  h.xcomp_bv = 0;
  std::memset(h.reserved, 0, sizeof(h.reserved));
  std::memcpy(p + uapi::kFxsaveSize, &h, sizeof(h));
  return absl::OkStatus();
}

void SeccompContext::PlaceStubThread(bool spin) {
  // Spinning sides must not share a CPU: spinning on the CPU the other side
  // needs only delays the answer until the spinner's time slice ends
  // (measured: 70-160 µs per getppid with both threads left to the
  // scheduler, 5-10 µs on different CPUs, on this 2-CPU VM under load).
  // Sleeping sides should: a futex wake-up of a thread on another (idle)
  // vCPU costs far more than a switch on this one (thread create+join with
  // futex hand-offs: 1.5 ms unplaced, 0.25 ms on the same CPU). So the stub
  // thread goes to another CPU than this sentry thread's while they spin,
  // to the same one otherwise, and follows the sentry thread when it moves.
  const int cpu = sched_getcpu();
  if (cpu < 0) return;
  const int want = spin ? OtherCpu(cpu) : cpu;
  if (want < 0 || (cpu == sentry_cpu_ && want == stub_cpu_)) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(want, &set);
  // Fails only when the thread is gone, which the hand-off notices.
  if (sched_setaffinity(tid_, sizeof(set), &set) == 0) {
    sentry_cpu_ = cpu;
    stub_cpu_ = want;
  }
}

void SeccompContext::Interrupt() {
  interrupt_.store(true, std::memory_order_seq_cst);
  int64_t zero = 0;
  interrupt_since_ns_.compare_exchange_strong(zero, NowNs());
  if (running_.load(std::memory_order_seq_cst))
    syscall(SYS_tgkill, as_->StubPid(), tid_, SC_INTERRUPT_SIGNAL);
}

Event SeccompContext::Switch() {
  Event ev;
  if (dead_) {
    ev.kind = Event::Kind::kExited;
    return ev;
  }
  running_.store(true, std::memory_order_seq_cst);
  if (interrupt_.exchange(false, std::memory_order_seq_cst)) {
    running_.store(false);
    interrupt_since_ns_.store(0);
    ev.kind = Event::Kind::kInterrupted;
    return ev;
  }
  // Spin for this event only with a token (see SpinTokens); the stub then
  // spins too, for the answer to the event it will report.
  const bool spin = TakeSpinToken();
  PlaceStubThread(spin);
  FlushRegs();
  s_->op = SC_OP_RESUME;
  s_->spin_iterations = spin ? PauseIterations(kSpinNs) : 0;
  Wait w = Post() ? Await(true, spin) : Wait::kDead;
  if (spin) ReturnSpinToken();
  running_.store(false, std::memory_order_seq_cst);
  if (w != Wait::kOk || !DecodeEvent(&ev)) {
    Dead();
    ev = Event{};
    ev.kind = Event::Kind::kExited;
    ev.exit_status = SIGKILL;
    return ev;
  }
  // The thread answered: it is interruptible.
  interrupt_since_ns_.store(0);
  if (ev.kind == Event::Kind::kInterrupted) interrupt_.store(false);
  return ev;
}

}  // namespace platform
