// MemoryManager: the sentry's view of one application address space.
//
// The pages live in the stub (host memory); the sentry keeps the exact VMA
// list (what /proc/PID/maps prints), decides every placement itself, and asks
// the platform to carry out the host-side operation. All access to
// application memory goes through CopyIn/CopyOut, which return -EFAULT for
// bad addresses instead of crashing.
//
// Locking: mu_ protects the VMA list and brk; it is held across the platform
// call so the list and the host page tables change together.
#ifndef SENTRY_MM_MEMORY_MANAGER_H_
#define SENTRY_MM_MEMORY_MANAGER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "abi/linux/stat.h"
#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "platform/platform.h"

namespace sentry {

namespace vfs {
class FileDescription;
}

inline constexpr uint64_t kPageSize = 4096;
inline uint64_t PageRoundDown(uint64_t x) { return x & ~(kPageSize - 1); }
inline uint64_t PageRoundUp(uint64_t x) {
  return (x + kPageSize - 1) & ~(kPageSize - 1);
}

struct Vma {
  uint64_t start = 0;
  uint64_t end = 0;
  int prot = 0;   // PROT_*
  int flags = 0;  // MAP_PRIVATE or MAP_SHARED, plus MAP_GROWSDOWN, MAP_LOCKED
  std::shared_ptr<vfs::FileDescription> file;  // null for anonymous memory
  uint64_t offset = 0;                         // file offset of `start`
  uint64_t dev = 0, ino = 0;                   // for /proc/PID/maps
  std::string name;  // path, "[heap]", "[stack]", or empty
  // Identity of shared anonymous memory: kept across splits and fork, so
  // shared futexes of related processes find each other.
  std::shared_ptr<const int> shared_anon;
  // The pages map the file's host fd in the stub (the host pages them in
  // and writes shared ones back); otherwise they are a copy the sentry made.
  bool host_mapped = false;
  // A shared file mapping that may be made writable (Linux's VM_MAYWRITE:
  // the file was open for writing and is not write-sealed).
  bool may_write = true;
  // Kept while the mapping exists, for files that count their writable
  // shared mappings (memfd seals; FileDescription::PrepareMap).
  std::shared_ptr<const void> writable_map;
};

class MemoryManager {
 public:
  explicit MemoryManager(std::shared_ptr<platform::AddressSpace> as);

  // fork(2): the same layout over `as`, the platform's copy-on-write copy
  // of this address space.
  std::shared_ptr<MemoryManager> Fork(
      std::shared_ptr<platform::AddressSpace> as) const;

  platform::AddressSpace& address_space() { return *as_; }
  std::shared_ptr<platform::AddressSpace> shared_address_space() { return as_; }

  struct MMapOpts {
    uint64_t addr = 0;
    uint64_t len = 0;
    int prot = 0;
    int flags = 0;  // MAP_* as mmap(2)
    std::shared_ptr<vfs::FileDescription> file;
    uint64_t offset = 0;
    std::string name;  // overrides the name shown in maps ("[stack]")
  };
  // mmap(2) semantics: returns the address or a negative errno.
  int64_t MMap(const MMapOpts& opts);
  // Several fixed mappings at once (execve's stack, segments and bss):
  // each as MMap(opts[i]) with MAP_FIXED would, with the host work in as few
  // platform round trips as it allows (AddressSpace::MapBatch). results[i]
  // receives what MMap would return. The ranges must not overlap each
  // other; every one is attempted whatever the others return.
  void MMapFixedBatch(const MMapOpts* opts, size_t n, int64_t* results);
  // Where MMap without an address would put `len` bytes (top-down below
  // mmap_top), also avoiding the ranges [first, second) of `pending`
  // (mappings about to be made); 0 if there is no room.
  uint64_t FindFree(uint64_t len,
                    const std::vector<std::pair<uint64_t, uint64_t>>& pending)
      const;
  int64_t MUnmap(uint64_t addr, uint64_t len);
  int64_t MProtect(uint64_t addr, uint64_t len, int prot);
  int64_t MRemap(uint64_t old_addr, uint64_t old_len, uint64_t new_len,
                 int flags, uint64_t new_addr);
  int64_t Brk(uint64_t addr);
  int64_t MAdvise(uint64_t addr, uint64_t len, int advice);
  int64_t MSync(uint64_t addr, uint64_t len, int flags);
  int64_t MLock(int op, uint64_t addr, uint64_t len, int flags);
  int64_t MIncore(uint64_t addr, uint64_t len, uint64_t vec);

  // Layout, set by the loader for a fresh image.
  void SetBrkBase(uint64_t base);
  // Top of the application stack region; mmap allocations go below
  // `mmap_top`.
  uint64_t StackTop() const { return stack_top_; }
  uint64_t MmapTop() const { return mmap_top_; }

  // Application memory access. CopyIn/CopyOut copy all `n` bytes or return
  // -EFAULT. CopyInString reads a NUL-terminated string of at most `max`
  // bytes (excluding the NUL): -EFAULT or -ENAMETOOLONG on failure.
  int64_t CopyIn(uint64_t addr, void* dst, uint64_t n);
  int64_t CopyOut(uint64_t addr, const void* src, uint64_t n);
  // How many of the `n` bytes at `addr` lie in writable mappings, from
  // `addr` on: a read checks this before taking data it could not
  // deliver, so a fault leaves the data where it was (Linux copies before
  // it consumes: pipe_read, unix_stream_read_generic, tcp_recvmsg).
  uint64_t WritablePrefix(uint64_t addr, uint64_t n);
  // Scatter/gather (readv/writev): the ranges filled from / gathered into
  // one sentry buffer in as few host calls as the platform allows. Return
  // the bytes copied in order up to the first fault (possibly short), or
  // -EFAULT when none were.
  int64_t CopyOutVec(const platform::AddressSpace::Range* ranges, size_t n,
                     const void* src);
  int64_t CopyInVec(const platform::AddressSpace::Range* ranges, size_t n,
                    void* dst);
  // Writes even to read-only pages (loader only).
  int64_t CopyOutForce(uint64_t addr, const void* src, uint64_t n);
  int64_t CopyInString(uint64_t addr, uint64_t max, std::string* out);

  // The key of a futex at `addr` (futex(2) without FUTEX_PRIVATE_FLAG):
  // the shared object and offset when `addr` is in a MAP_SHARED mapping,
  // else this address space and the address.
  struct SharedKey {
    const void* object;
    uint64_t offset;
    uint64_t dev, ino;
  };
  SharedKey FutexKeyFor(uint64_t addr) const;

  // Bytes mapped in all (RLIMIT_AS) and in the heap (RLIMIT_DATA).
  uint64_t MappedBytes() const;
  uint64_t BrkBytes() const;

  // Contents of /proc/PID/maps.
  std::string MapsText() const;
  std::vector<Vma> Vmas() const;

  // Where argv/envp strings lie (for /proc/PID/cmdline and environ).
  uint64_t arg_start = 0, arg_end = 0, env_start = 0, env_end = 0;
  std::vector<uint64_t> auxv;  // saved auxv (pairs), for /proc/PID/auxv

 private:
  // Finds a free range of `len` bytes, top-down below mmap_top_.
  uint64_t FindUnmapped(uint64_t len) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return FindUnmappedIn(len, 0, mmap_top_);
  }
  // Same, within [lo, hi) (MAP_32BIT asks for the second GiB).
  uint64_t FindUnmappedIn(
      uint64_t len, uint64_t lo, uint64_t hi,
      const std::vector<std::pair<uint64_t, uint64_t>>* also_busy =
          nullptr) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool RangeFree(uint64_t start, uint64_t end) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool OverlapsReserved(uint64_t start, uint64_t end) const;
  // Splits VMAs so that `addr` is a boundary.
  void SplitAt(uint64_t addr) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RemoveRange(uint64_t start, uint64_t end)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void MergeAround(uint64_t start, uint64_t end)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool FullyMapped(uint64_t start, uint64_t end) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  int64_t FillFromFile(const Vma& vma, uint64_t start, uint64_t end)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  int64_t MapLocked(const MMapOpts& opts, uint64_t addr, uint64_t len)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // MapLocked in three steps, so that MMapFixedBatch can do the host part
  // of several at once: what the file says about the mapping, the host
  // request, and the bookkeeping once the host answered `r`.
  struct PreparedMap {
    bool may_write = true;
    std::shared_ptr<const void> writable_map;
    int host_fd = -1;
    int host_prot = 0;
  };
  int64_t PrepareMapLocked(const MMapOpts& opts, PreparedMap* pm)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  platform::AddressSpace::MapRequest HostRequest(const MMapOpts& opts,
                                                 uint64_t addr, uint64_t len,
                                                 const PreparedMap& pm) const;
  // `file_stat` is the file's Stat when the caller already has it.
  int64_t CommitMapLocked(const MMapOpts& opts, uint64_t addr, uint64_t len,
                          int64_t r, PreparedMap& pm,
                          const uapi::Stat* file_stat = nullptr)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // mmap(2)'s argument checks; `*len` receives the page-rounded length.
  static int64_t CheckMMapArgs(const MMapOpts& opts, uint64_t* len);
  // The checks of a fixed address.
  int64_t CheckFixedLocked(const MMapOpts& opts, uint64_t addr, uint64_t len)
      const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  std::shared_ptr<platform::AddressSpace> as_;
  mutable absl::Mutex mu_;
  std::map<uint64_t, Vma> vmas_ ABSL_GUARDED_BY(mu_);  // keyed by start
  uint64_t brk_base_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t brk_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t stack_top_ = 0;
  uint64_t mmap_top_ = 0;
};

}  // namespace sentry

#endif  // SENTRY_MM_MEMORY_MANAGER_H_
