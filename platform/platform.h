// The platform boundary: the only way the sentry runs application code.
//
// A Platform creates AddressSpaces (one stub process each); a Context is one
// application thread inside an AddressSpace. The sentry never issues ptrace,
// seccomp or host memory calls itself: it asks these interfaces. A second
// implementation (seccomp-trap) implements the same three classes.
#ifndef PLATFORM_PLATFORM_H_
#define PLATFORM_PLATFORM_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "abi/linux/ptrace.h"

namespace platform {

// Which syscall ABI the application used to enter the kernel. A 64-bit task
// using `int 0x80` enters through the i386 table with i386 registers.
enum class Arch : uint8_t { kAmd64, kI386 };

// What stopped the application and handed control back to the sentry.
struct Event {
  enum class Kind : uint8_t {
    kSyscall,      // arch, sysno, args are valid; ip is after the instruction.
    kFault,        // signo/code/fault_addr: a synchronous fault (SIGSEGV...).
    kInterrupted,  // Context::Interrupt() was called, or a stray host stop.
    kExited,       // The host thread is gone (killed from outside).
  };
  Kind kind = Kind::kInterrupted;
  Arch arch = Arch::kAmd64;
  uint64_t sysno = 0;
  uint64_t args[6] = {};
  int signo = 0;
  int code = 0;
  uint64_t fault_addr = 0;
  int exit_status = 0;  // host wait status, for kExited.
};

// A range of the address space the platform itself uses (stub code, its
// stack, vdso). The sentry must never map over or unmap these.
struct ReservedRange {
  uint64_t start;
  uint64_t end;
  std::string name;
};

// A host thread created for the application but not yet owned by a sentry
// thread (see AddressSpace::NewThread / Fork and Platform::AdoptThread).
struct ThreadHandle {
  int64_t id = 0;
};

class AddressSpace;

struct ForkResult {
  std::shared_ptr<AddressSpace> as;
  ThreadHandle thread;
};

class AddressSpace {
 public:
  virtual ~AddressSpace() = default;

  // Address-space operations, executed inside the stub by the platform.
  // Each returns the host result: >= 0 on success or a negative errno.
  // `Map` only creates anonymous memory (private or shared per `flags`);
  // the sentry fills file contents itself.
  virtual int64_t Map(uint64_t addr, uint64_t len, int prot, int flags) = 0;
  // Maps `len` bytes of the host file `host_fd` (a file the sentry holds)
  // from `offset` at exactly `addr`; `flags` is MAP_SHARED or MAP_PRIVATE.
  // The stub receives its own copy of the fd only for the duration of the
  // call. The host's answer (EACCES for a writable shared mapping of a
  // read-only fd, ENODEV...) is returned as is.
  virtual int64_t MapFile(uint64_t addr, uint64_t len, int prot, int flags,
                          int host_fd, uint64_t offset) = 0;
  virtual int64_t Unmap(uint64_t addr, uint64_t len) = 0;
  virtual int64_t Protect(uint64_t addr, uint64_t len, int prot) = 0;
  virtual int64_t Remap(uint64_t old_addr, uint64_t old_len, uint64_t new_len,
                        int flags, uint64_t new_addr) = 0;
  virtual int64_t Advise(uint64_t addr, uint64_t len, int advice) = 0;
  virtual int64_t Sync(uint64_t addr, uint64_t len, int flags) = 0;
  // mlock/munlock/mlock2(flags): op is the amd64 syscall number to run.
  virtual int64_t Lock(int op, uint64_t addr, uint64_t len, int flags) = 0;
  // mincore: the residency vector is written to `vec` in the application's
  // own memory by the host, so an invalid `vec` faults like Linux.
  virtual int64_t Incore(uint64_t addr, uint64_t len, uint64_t vec) = 0;

  // One operation of a MapBatch: what Map, MapFile, Protect or Unmap would
  // do with the same arguments, and its result (the same value that call
  // would return) once the batch has run.
  struct MapRequest {
    enum class Op : uint8_t { kMap, kMapFile, kProtect, kUnmap };
    Op op = Op::kMap;
    uint64_t addr = 0;
    uint64_t len = 0;
    int prot = 0;
    int flags = 0;
    int host_fd = -1;     // kMapFile only
    uint64_t offset = 0;  // kMapFile only
    int64_t result = 0;   // out
  };
  // Runs `reqs[0..n)` in order, in as few host round trips as the platform
  // can (execve maps a dozen ranges in a row). Every request is attempted,
  // whatever the earlier ones returned: callers batch only independent
  // operations (fixed, non-overlapping ranges). The default runs them one
  // by one.
  virtual void MapBatch(MapRequest* reqs, size_t n);

  // Copies between sentry memory and application memory. Return the number
  // of bytes copied (short on a fault part-way) or -EFAULT when nothing could
  // be copied. Write honours page protections unless `force` is set (the
  // loader uses force to fill read-only segments).
  virtual int64_t Read(uint64_t addr, void* dst, uint64_t len) = 0;
  virtual int64_t Write(uint64_t addr, const void* src, uint64_t len,
                        bool force = false) = 0;
  // Scatter/gather forms: the application ranges `remote[0..n)` (each
  // {address, length}) filled from / gathered into one contiguous sentry
  // buffer, in one host call where the platform can. Return the number of
  // bytes copied, in order, up to the first range that faults (that range
  // may be copied partly or not at all), or -EFAULT when nothing was. The
  // default copies range by range.
  struct Range {
    uint64_t addr;
    uint64_t len;
  };
  virtual int64_t WriteV(const Range* remote, size_t n, const void* src);
  virtual int64_t ReadV(const Range* remote, size_t n, void* dst);

  // A new host thread in this address space (for clone(CLONE_VM)), parked
  // until a sentry thread adopts it. The caller must be the sentry thread
  // running a context of this address space.
  virtual absl::StatusOr<ThreadHandle> NewThread() = 0;
  // A copy-on-write copy of this whole address space in a new stub (fork),
  // with one parked thread. Same caller rule as NewThread.
  virtual absl::StatusOr<ForkResult> Fork() = 0;

  // Ranges the platform owns inside this address space.
  virtual const std::vector<ReservedRange>& Reserved() const = 0;

  // Host pid of the stub process (for diagnostics and /proc only).
  virtual pid_t StubPid() const = 0;
};

class Context {
 public:
  virtual ~Context() = default;

  // Runs application code until the next event. Must be called from the
  // sentry thread that owns this context.
  virtual Event Switch() = 0;

  // Full registers (user_regs_struct); fetched lazily after a syscall event.
  // Changes made through MutableRegs() are written back before the next
  // Switch().
  virtual const uapi::UserRegs& Regs() = 0;
  virtual uapi::UserRegs& MutableRegs() = 0;
  // Sets the syscall return value (rax) for the current syscall event.
  virtual void SetReturn(uint64_t value) = 0;
  // FP/SSE/AVX state in XSAVE layout (at least 512 bytes of FXSAVE).
  virtual absl::Status GetFpState(std::vector<uint8_t>* xstate) = 0;
  virtual absl::Status SetFpState(const std::vector<uint8_t>& xstate) = 0;

  // Forces a running Switch() to return kInterrupted. Safe from any thread;
  // if the context is not running, the next Switch() returns at once.
  virtual void Interrupt() = 0;

  virtual std::shared_ptr<AddressSpace> address_space() const = 0;
  // Host thread id of the application thread (diagnostics only).
  virtual pid_t HostTid() const = 0;
};

class Platform {
 public:
  virtual ~Platform() = default;
  static absl::StatusOr<std::unique_ptr<Platform>> Create(
      const std::string& name);

  virtual std::string Name() const = 0;

  // A fresh stub process with an empty application address space and one
  // thread, owned (traced) by the calling sentry thread.
  struct NewSpace {
    std::shared_ptr<AddressSpace> as;
    std::unique_ptr<Context> ctx;
  };
  virtual absl::StatusOr<NewSpace> NewAddressSpace() = 0;

  // Makes the calling sentry thread the owner of a parked thread and
  // returns its context (registers as the thread left them; the caller sets
  // them before the first Switch()).
  virtual absl::StatusOr<std::unique_ptr<Context>> AdoptThread(
      std::shared_ptr<AddressSpace> as, ThreadHandle thread) = 0;

  // Drops the host capabilities the sentry no longer needs once the
  // platform is set up (the jail for stubs exists). Process-wide in effect
  // only when called before the sentry starts threads (capabilities are
  // per thread). See DropSentryCapabilities in stub/launcher.h for the list.
  virtual absl::Status DropHostCapabilities() { return absl::OkStatus(); }
};

// Logging of platform set-up decisions (what the stub jail lacks on this
// host...), on stderr as "runsc: platform: ..." when enabled (--debug).
void SetPlatformDebug(bool on);
void PlatformDebugf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace platform

#endif  // PLATFORM_PLATFORM_H_
