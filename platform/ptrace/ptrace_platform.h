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
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "platform/platform.h"
#include "platform/stub/launcher.h"

namespace platform {

class PtraceAddressSpace;

class PtracePlatform : public Platform {
 public:
  static absl::StatusOr<std::unique_ptr<Platform>> New();
  ~PtracePlatform() override;
  std::string Name() const override { return "ptrace"; }
  absl::StatusOr<NewSpace> NewAddressSpace() override;
  absl::StatusOr<std::unique_ptr<Context>> AdoptThread(
      std::shared_ptr<AddressSpace> as, ThreadHandle thread) override;
  absl::Status DropHostCapabilities() override {
    return DropSentryCapabilities(launcher_->jail());
  }
  const StubLauncher& launcher() const { return *launcher_; }

 private:
  PtracePlatform(std::unique_ptr<StubLauncher> launcher, bool undumpable)
      : launcher_(std::move(launcher)), undumpable_(undumpable) {}
  // A stub launched, set up and traced by the calling thread.
  absl::StatusOr<std::shared_ptr<PtraceAddressSpace>> StartStub();
  // The pool thread: keeps kPoolSize stubs started and parked, so that
  // NewAddressSpace (every execve) only has to adopt one.
  void PoolLoop();
  static constexpr size_t kPoolSize = 2;
  const std::unique_ptr<StubLauncher> launcher_;
  // Stubs make themselves non-dumpable: only when the sentry can still
  // trace them afterwards (it owns their user namespace, or has
  // CAP_SYS_PTRACE).
  const bool undumpable_;
  absl::Mutex pool_mu_;
  std::vector<std::shared_ptr<PtraceAddressSpace>> pool_
      ABSL_GUARDED_BY(pool_mu_);
  bool pool_started_ ABSL_GUARDED_BY(pool_mu_) = false;
  bool pool_stop_ ABSL_GUARDED_BY(pool_mu_) = false;
  std::thread pool_thread_;
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
  void MapBatch(MapRequest* reqs, size_t n) override;
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

  // Runs one host system call inside the stub, at the stub's own `syscall`
  // instruction, on the thread traced by the caller: what the platform does
  // for address-space operations, and what an application would get if it
  // ever executed that instruction itself. Used by the jail tests to show
  // what such a call can reach.
  int64_t RunSyscall(int nr, uint64_t a0 = 0, uint64_t a1 = 0,
                     uint64_t a2 = 0, uint64_t a3 = 0, uint64_t a4 = 0,
                     uint64_t a5 = 0) {
    return Inject(nr, a0, a1, a2, a3, a4, a5);
  }
  uint64_t SyscallGadget() const { return gadget_; }

  // Leaves a freshly started stub (traced by the caller, in a ptrace stop)
  // parked in pause() at the clone gadget's child path, untraced, for
  // another thread to adopt (Platform::AdoptThread with its pid).
  absl::Status Park();

  // Sets up a freshly started stub (non-dumpable if `undumpable`). Called
  // by the tracer of its first thread.
  absl::Status Initialize(bool undumpable);

 private:
  // Runs one syscall inside the stub on the thread traced by the caller,
  // at `gadget` (the plain or the clone gadget).
  // `rbx` is for the map gadget (its parameter block); the others
  // ignore it.
  int64_t InjectAt(uint64_t gadget, uint64_t rbx, int nr, uint64_t a0 = 0,
                   uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0,
                   uint64_t a4 = 0, uint64_t a5 = 0);
  int64_t Inject(int nr, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0,
                 uint64_t a3 = 0, uint64_t a4 = 0, uint64_t a5 = 0) {
    return InjectAt(gadget_, 0, nr, a0, a1, a2, a3, a4, a5);
  }
  pid_t CallerTracee();
  // One stop of the batch gadget for `reqs[0..n)`, which fit its block.
  void RunBatch(MapRequest* reqs, size_t n, const std::vector<int>& fds);

  const pid_t pid_;
  const uint64_t gadget_;        // `syscall; int3`
  const uint64_t clone_gadget_;  // `syscall; test; jz; int3` (+16)
  const uint64_t map_gadget_;    // recvmsg + mmap + close, one stop (+48)
  const uint64_t batch_gadget_;  // a list of calls, one stop (+192)
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
