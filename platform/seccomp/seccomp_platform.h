// The seccomp-trap platform: each address space is a stub process whose
// threads trap every application syscall into their own SIGSYS handler
// (SECCOMP_RET_TRAP), which hands the registers to the sentry through a
// slot of a shared memory region and carries out the sentry's answer.
//
// Threads: a SeccompContext is driven by one sentry thread (the task's).
// Address-space operations run as commands on the stub thread of the
// calling sentry thread's own context, which is parked in its handler while
// the sentry handles its event. Interrupt() may come from any thread.
// Memory is copied with process_vm_readv/writev from any thread.
//
// Trust: the shared region is writable by every application thread, and the
// application can jump to any instruction of the stub. The seccomp filters
// bound what the stub process can ever do on the host; the sentry treats
// every byte read from a slot as hostile (validated ranges, sequence numbers
// it owns, a stub that breaks the protocol is killed).
#ifndef PLATFORM_SECCOMP_SECCOMP_PLATFORM_H_
#define PLATFORM_SECCOMP_SECCOMP_PLATFORM_H_

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "abi/linux/signal.h"
#include "platform/platform.h"
#include "platform/seccomp/shared.h"
#include "platform/stub/launcher.h"

namespace platform {

class SeccompAddressSpace;

// One shared region: a sealed memfd mapped in the sentry (and, at
// `stub_base`, in the stub).
class SeccompRegion {
 public:
  static absl::StatusOr<std::unique_ptr<SeccompRegion>> Create();
  ~SeccompRegion();
  sc_slot* slot(int i) const {
    return reinterpret_cast<sc_slot*>(mem_ + i * SC_SLOT_SIZE);
  }
  uint8_t* slot_bytes(int i) const { return mem_ + i * SC_SLOT_SIZE; }
  int fd() const { return fd_; }
  void CloseFd();
  uint64_t stub_base = 0;

 private:
  SeccompRegion(int fd, uint8_t* mem) : fd_(fd), mem_(mem) {}
  int fd_;
  uint8_t* mem_;
};

class SeccompPlatform : public Platform {
 public:
  static absl::StatusOr<std::unique_ptr<Platform>> New();
  ~SeccompPlatform() override;
  std::string Name() const override { return "seccomp"; }
  absl::Status DropHostCapabilities() override {
    return DropSentryCapabilities(launcher_->jail());
  }
  absl::StatusOr<NewSpace> NewAddressSpace() override;
  absl::StatusOr<std::unique_ptr<Context>> AdoptThread(
      std::shared_ptr<AddressSpace> as, ThreadHandle thread) override;

 private:
  SeccompPlatform(std::unique_ptr<StubLauncher> launcher, bool undumpable)
      : launcher_(std::move(launcher)), undumpable_(undumpable) {}
  // A started, handshaken stub parked on its first event, not yet owned by
  // any sentry thread (a SeccompContext has no thread affinity until it is
  // registered).
  absl::StatusOr<NewSpace> StartStub();
  // The pool thread keeps kPoolSize stubs ready so exec does not wait for a
  // launch. Started by the first NewAddressSpace, i.e. after the sentry
  // dropped its capabilities (capabilities are per thread).
  void PoolLoop();
  static constexpr size_t kPoolSize = 2;

  const std::unique_ptr<StubLauncher> launcher_;
  // Stubs make themselves non-dumpable (the sentry can still reach them).
  const bool undumpable_;
  absl::Mutex pool_mu_;
  absl::CondVar pool_cv_;
  std::vector<NewSpace> pool_ ABSL_GUARDED_BY(pool_mu_);
  bool pool_started_ ABSL_GUARDED_BY(pool_mu_) = false;
  bool pool_stop_ ABSL_GUARDED_BY(pool_mu_) = false;
  std::thread pool_thread_;
};

class SeccompContext : public Context {
 public:
  SeccompContext(std::shared_ptr<SeccompAddressSpace> as, int slot, pid_t tid);
  ~SeccompContext() override;

  Event Switch() override;
  const uapi::UserRegs& Regs() override { return regs_; }
  uapi::UserRegs& MutableRegs() override { return regs_; }
  void SetReturn(uint64_t value) override { regs_.rax = value; }
  absl::Status GetFpState(std::vector<uint8_t>* xstate) override;
  absl::Status SetFpState(const std::vector<uint8_t>& xstate) override;
  void Interrupt() override;
  std::shared_ptr<AddressSpace> address_space() const override;
  pid_t HostTid() const override { return tid_; }

  // Runs `op` (an SC_OP_*) on this context's parked stub thread and returns
  // the stub's result, or -ESRCH when the thread is gone. Owner thread only.
  int64_t Command(uint32_t op, uint64_t nr, uint64_t a0 = 0, uint64_t a1 = 0,
                  uint64_t a2 = 0, uint64_t a3 = 0, uint64_t a4 = 0,
                  uint64_t a5 = 0);
  // Waits for the first event of a new thread (it parks by trapping).
  bool AwaitFirstEvent();
  int slot() const { return slot_; }

 private:
  enum class Wait { kOk, kDead };
  // Posts sentry_seq = ++seq_ (after checking the stub is parked).
  bool Post();
  // Waits for the stub's answer to the last post, spinning first if `spin`.
  Wait Await(bool for_app, bool spin);
  // Reads the event the stub reported; false if the slot is inconsistent.
  bool DecodeEvent(Event* ev);
  void FlushRegs();
  // Where the frame's FP state is in the slot, and its size.
  bool FpArea(uint64_t* off, uint64_t* size);
  void Dead();
  // Keeps the stub thread on another CPU than the calling sentry thread
  // while they spin, on the same CPU while they sleep.
  void PlaceStubThread(bool spin);

  const std::shared_ptr<SeccompAddressSpace> as_;
  const int slot_;
  const pid_t tid_;
  sc_slot* const s_;
  uint32_t seq_ = 0;
  uint64_t uc_off_ = 0;         // validated offset of the ucontext in the slot
  uapi::Ucontext uc_{};         // copy taken at the last event
  uapi::UserRegs regs_{};
  uint64_t event_fs_ = 0, event_gs_ = 0;
  bool dead_ = false;
  // Where this context's sentry thread ran, and where its stub thread was
  // put, at the last PlaceStubThread (-1 before).
  int sentry_cpu_ = -1;
  int stub_cpu_ = -1;
  std::atomic<bool> running_{false};
  std::atomic<bool> interrupt_{false};
  std::atomic<int64_t> interrupt_since_ns_{0};
};

class SeccompAddressSpace : public AddressSpace {
 public:
  SeccompAddressSpace(pid_t pid, bool own_child,
                      std::unique_ptr<SeccompRegion> region,
                      std::shared_ptr<StubChannel> channel);
  ~SeccompAddressSpace() override;

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
  int64_t Write(uint64_t addr, const void* src, uint64_t len,
                bool force) override;
  absl::StatusOr<ThreadHandle> NewThread() override;
  absl::StatusOr<ForkResult> Fork() override;
  const std::vector<ReservedRange>& Reserved() const override {
    return reserved_;
  }
  pid_t StubPid() const override { return pid_; }

  // Set once, before the address space is shared.
  void set_reserved(std::vector<ReservedRange> r) { reserved_ = std::move(r); }

  SeccompRegion& region() { return *region_; }
  int AllocSlot();
  void ReleaseSlot(int i, pid_t tid);

  // The calling sentry thread's context in this address space.
  void Register(SeccompContext* ctx);
  void Unregister(SeccompContext* ctx);
  SeccompContext* Caller();
  int Contexts();

  // A thread created by NewThread/Fork, waiting for AdoptThread.
  struct Pending {
    int slot;
    std::vector<uint8_t> fpstate;
  };
  void AddPending(pid_t tid, Pending p);
  bool TakePending(pid_t tid, Pending* p);

  bool Alive(pid_t tid);
  void Kill();

 private:
  int64_t Run(uint64_t nr, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0,
              uint64_t a3 = 0, uint64_t a4 = 0, uint64_t a5 = 0);

  const pid_t pid_;
  const bool own_child_;  // launched by us: reap it
  int pidfd_ = -1;
  const std::unique_ptr<SeccompRegion> region_;
  const std::shared_ptr<StubChannel> channel_;
  std::vector<ReservedRange> reserved_;
  absl::Mutex mu_;
  absl::flat_hash_map<pid_t, SeccompContext*> owners_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<pid_t, Pending> pending_ ABSL_GUARDED_BY(mu_);
  std::vector<pid_t> slot_tid_ ABSL_GUARDED_BY(mu_);  // 0 free, -1 reserved
  int mem_fd_ ABSL_GUARDED_BY(mu_) = -1;
  int contexts_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace platform

#endif  // PLATFORM_SECCOMP_SECCOMP_PLATFORM_H_
