// The ptrace platform: each address space is a stub process whose threads
// are traced by the sentry threads that run them.
//
// Threads and trust: every ptrace request for a stub thread is issued by
// its tracer, the sentry thread that created (or adopted) it. Address-space
// operations are injected into a stub thread traced by the *calling* sentry
// thread. Memory is copied with process_vm_readv/writev from any thread.
// Nothing read from the stub (memory, registers) is trusted.
#ifndef PLATFORM_PTRACE_PTRACE_PLATFORM_H_
#define PLATFORM_PTRACE_PTRACE_PLATFORM_H_

#include <sys/types.h>

#include <atomic>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "platform/platform.h"

namespace platform {

class PtraceAddressSpace;

// The control channel of a family of stubs (one exec'ed stub and the stubs
// forked from it share it): a datagram socket whose other end is fd 3 in
// every one of them. Host fds for file mappings travel over it; the mutex
// keeps one fd in flight at a time so the right stub receives it.
struct StubChannel {
  explicit StubChannel(int fd) : sentry_fd(fd) {}
  ~StubChannel();
  const int sentry_fd;
  absl::Mutex mu;
};
inline constexpr int kStubChannelFd = 3;

class PtracePlatform : public Platform {
 public:
  static absl::StatusOr<std::unique_ptr<Platform>> New();
  std::string Name() const override { return "ptrace"; }
  absl::StatusOr<NewSpace> NewAddressSpace() override;
  absl::StatusOr<std::unique_ptr<Context>> AdoptThread(
      std::shared_ptr<AddressSpace> as, ThreadHandle thread) override;

 private:
  explicit PtracePlatform(int stub_fd) : stub_fd_(stub_fd) {}
  int stub_fd_;  // sealed memfd holding the stub executable
};

class PtraceContext : public Context {
 public:
  PtraceContext(std::shared_ptr<PtraceAddressSpace> as, pid_t tid);
  ~PtraceContext() override;

  Event Switch() override;
  const uapi::UserRegs& Regs() override;
  uapi::UserRegs& MutableRegs() override;
  void SetReturn(uint64_t value) override;
  absl::Status GetFpState(std::vector<uint8_t>* xstate) override;
  absl::Status SetFpState(const std::vector<uint8_t>& xstate) override;
  void Interrupt() override;
  std::shared_ptr<AddressSpace> address_space() const override;
  pid_t HostTid() const override { return tid_; }

 private:
  bool FlushRegs();

  std::shared_ptr<PtraceAddressSpace> as_;
  const pid_t tid_;
  uapi::UserRegs regs_{};
  bool regs_valid_ = false;  // regs_ mirrors the host thread
  bool regs_dirty_ = false;  // regs_ must be written before running
  bool ret_dirty_ = false;   // only rax changed (one POKEUSER)
  uint64_t ret_ = 0;
  std::atomic<bool> interrupt_{false};
  bool exited_ = false;
  int bound_cpu_ = -1;  // CPU the stub thread is pinned to (see Switch)
};

class PtraceAddressSpace : public AddressSpace {
 public:
  PtraceAddressSpace(pid_t pid, uint64_t entry, uint64_t scratch,
                     std::shared_ptr<StubChannel> channel,
                     std::vector<ReservedRange> reserved);
  ~PtraceAddressSpace() override;

  int64_t Map(uint64_t addr, uint64_t len, int prot, int flags) override;
  int64_t MapFile(uint64_t addr, uint64_t len, int prot, int flags,
                  int host_fd, uint64_t offset) override;
  int64_t Unmap(uint64_t addr, uint64_t len) override;
  int64_t Protect(uint64_t addr, uint64_t len, int prot) override;
  int64_t Remap(uint64_t old_addr, uint64_t old_len, uint64_t new_len,
                int flags, uint64_t new_addr) override;
  int64_t Advise(uint64_t addr, uint64_t len, int advice) override;
  int64_t Sync(uint64_t addr, uint64_t len, int flags) override;
  int64_t Lock(int op, uint64_t addr, uint64_t len, int flags) override;
  int64_t Incore(uint64_t addr, uint64_t len, uint64_t vec) override;
  int64_t Read(uint64_t addr, void* dst, uint64_t len) override;
  int64_t ReadV(const Range* remote, size_t n, void* dst) override;
  int64_t WriteV(const Range* remote, size_t n, const void* src) override;
  int64_t Write(uint64_t addr, const void* src, uint64_t len,
                bool force) override;
  absl::StatusOr<ThreadHandle> NewThread() override;
  absl::StatusOr<ForkResult> Fork() override;
  const std::vector<ReservedRange>& Reserved() const override {
    return reserved_;
  }
  pid_t StubPid() const override { return pid_; }

  // Records that `tracee` (a thread of this stub) is traced by the calling
  // sentry thread, so injected syscalls from this thread can use it.
  void RegisterTracee(pid_t tracee);
  void UnregisterTracee();

  // Ends the calling thread's tracee: only that host thread when other
  // contexts still use this address space, else the whole stub.
  void ReleaseThread(pid_t tracee);

  // Sets up a freshly started stub (SIGCHLD ignored so forked stubs are
  // reaped by the host). Called by the tracer of its first thread.
  absl::Status Initialize();

 private:
  // Runs one syscall inside the stub on the thread traced by the caller,
  // at `gadget` (the plain or the clone gadget).
  int64_t InjectAt(uint64_t gadget, int nr, uint64_t a0 = 0, uint64_t a1 = 0,
                   uint64_t a2 = 0, uint64_t a3 = 0, uint64_t a4 = 0,
                   uint64_t a5 = 0);
  int64_t Inject(int nr, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0,
                 uint64_t a3 = 0, uint64_t a4 = 0, uint64_t a5 = 0) {
    return InjectAt(gadget_, nr, a0, a1, a2, a3, a4, a5);
  }
  pid_t CallerTracee();

  const pid_t pid_;
  const uint64_t gadget_;        // `syscall; int3`
  const uint64_t clone_gadget_;  // `syscall; test; jz; int3` (+16)
  const uint64_t scratch_;       // stub stack memory for injected structs
  const std::shared_ptr<StubChannel> channel_;
  const std::vector<ReservedRange> reserved_;
  absl::Mutex mu_;
  // tracer (sentry thread tid) -> tracee (stub thread tid)
  absl::flat_hash_map<pid_t, pid_t> tracees_ ABSL_GUARDED_BY(mu_);
  int mem_fd_ ABSL_GUARDED_BY(mu_) = -1;  // /proc/PID/mem, opened lazily
  int contexts_ ABSL_GUARDED_BY(mu_) = 0;  // live contexts (threads)
};

}  // namespace platform

#endif  // PLATFORM_PTRACE_PTRACE_PLATFORM_H_
