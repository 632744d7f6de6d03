#include "sentry/mm/memory_manager.h"

#include <sys/mman.h>
#include <sys/syscall.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/str_format.h"
#include "sentry/vfs/file_description.h"

namespace sentry {

namespace {

// Lowest address an application may map (vm.mmap_min_addr) and the end of
// the 47-bit user address space (TASK_SIZE_MAX).
constexpr uint64_t kMmapMinAddr = 0x10000;
constexpr uint64_t kTaskSize = 0x7ffffffff000ULL;
constexpr uint64_t kStackGap = 16 * kPageSize;
// Linux keeps at least 128 MiB between the stack and mmap_base.
constexpr uint64_t kMmapGap = 128ULL << 20;

constexpr int kProtMask = PROT_READ | PROT_WRITE | PROT_EXEC;

bool AddOverflows(uint64_t a, uint64_t b) { return a + b < a; }

}  // namespace

MemoryManager::MemoryManager(std::shared_ptr<platform::AddressSpace> as)
    : as_(std::move(as)) {
  uint64_t lowest = kTaskSize;
  for (const auto& r : as_->Reserved()) {
    // Only the platform's high mappings bound the layout; a stub mapped low
    // would simply be a hole.
    if (r.start >= (kTaskSize >> 1)) lowest = std::min(lowest, r.start);
  }
  stack_top_ = PageRoundDown(lowest) - kStackGap;
  mmap_top_ = stack_top_ - kMmapGap;
}

std::shared_ptr<MemoryManager> MemoryManager::Fork(
    std::shared_ptr<platform::AddressSpace> as) const {
  auto child = std::make_shared<MemoryManager>(std::move(as));
  absl::MutexLock l(&mu_);
  absl::MutexLock cl(&child->mu_);
  child->vmas_ = vmas_;
  child->brk_base_ = brk_base_;
  child->brk_ = brk_;
  child->stack_top_ = stack_top_;
  child->mmap_top_ = mmap_top_;
  child->arg_start = arg_start;
  child->arg_end = arg_end;
  child->env_start = env_start;
  child->env_end = env_end;
  child->auxv = auxv;
  return child;
}

bool MemoryManager::OverlapsReserved(uint64_t start, uint64_t end) const {
  for (const auto& r : as_->Reserved()) {
    if (start < r.end && r.start < end) return true;
  }
  return false;
}

bool MemoryManager::RangeFree(uint64_t start, uint64_t end) const {
  if (start < kMmapMinAddr || end > kTaskSize || start >= end) return false;
  if (OverlapsReserved(start, end)) return false;
  auto it = vmas_.upper_bound(start);
  if (it != vmas_.begin()) {
    auto prev = std::prev(it);
    if (prev->second.end > start) return false;
  }
  return it == vmas_.end() || it->second.start >= end;
}

bool MemoryManager::FullyMapped(uint64_t start, uint64_t end) const {
  uint64_t cur = start;
  auto it = vmas_.upper_bound(start);
  if (it != vmas_.begin()) --it;
  for (; it != vmas_.end() && cur < end; ++it) {
    if (it->second.end <= cur) continue;
    if (it->second.start > cur) return false;
    cur = it->second.end;
  }
  return cur >= end;
}

uint64_t MemoryManager::FindUnmappedIn(
    uint64_t len, uint64_t lo, uint64_t hi,
    const std::vector<std::pair<uint64_t, uint64_t>>* also_busy) const {
  lo = std::max(lo, kMmapMinAddr);
  std::vector<std::pair<uint64_t, uint64_t>> busy;
  if (also_busy != nullptr) busy = *also_busy;
  for (const auto& [s, v] : vmas_) busy.emplace_back(v.start, v.end);
  for (const auto& r : as_->Reserved()) busy.emplace_back(r.start, r.end);
  std::sort(busy.begin(), busy.end());
  // Walk the gaps from the top down, as Linux's top-down allocator does.
  uint64_t hole_end = hi;
  for (auto it = busy.rbegin(); it != busy.rend(); ++it) {
    if (it->first >= hole_end) continue;
    const uint64_t hole_start = std::max(it->second, lo);
    if (it->second < hole_end && hole_end >= hole_start + len) {
      return hole_end - len;
    }
    hole_end = std::min(hole_end, it->first);
    if (hole_end <= lo) return 0;
  }
  if (hole_end >= lo + len) return hole_end - len;
  return 0;
}

void MemoryManager::SplitAt(uint64_t addr) {
  auto it = vmas_.upper_bound(addr);
  if (it == vmas_.begin()) return;
  --it;
  Vma& v = it->second;
  if (v.start >= addr || v.end <= addr) return;
  Vma tail = v;
  tail.start = addr;
  if (tail.file) tail.offset = v.offset + (addr - v.start);
  v.end = addr;
  vmas_.emplace(addr, std::move(tail));
}

void MemoryManager::RemoveRange(uint64_t start, uint64_t end) {
  SplitAt(start);
  SplitAt(end);
  auto it = vmas_.lower_bound(start);
  while (it != vmas_.end() && it->second.start < end) it = vmas_.erase(it);
}

void MemoryManager::MergeAround(uint64_t start, uint64_t end) {
  auto compatible = [](const Vma& a, const Vma& b) {
    if (a.end != b.start || a.prot != b.prot || a.flags != b.flags ||
        a.name != b.name || a.file != b.file ||
        a.shared_anon != b.shared_anon || a.host_mapped != b.host_mapped ||
        a.may_write != b.may_write)
      return false;
    return !a.file || a.offset + (a.end - a.start) == b.offset;
  };
  auto it = vmas_.upper_bound(start);
  if (it != vmas_.begin()) --it;
  if (it != vmas_.begin()) --it;
  while (it != vmas_.end() && it->second.start <= end) {
    auto next = std::next(it);
    if (next != vmas_.end() && compatible(it->second, next->second)) {
      it->second.end = next->second.end;
      vmas_.erase(next);
      continue;
    }
    it = next;
  }
}

int64_t MemoryManager::FillFromFile(const Vma& vma, uint64_t start,
                                    uint64_t end) {
  if (!vma.file) return 0;
  std::vector<char> buf(std::min<uint64_t>(end - start, 1 << 20));
  uint64_t addr = start;
  int64_t off = static_cast<int64_t>(vma.offset + (start - vma.start));
  while (addr < end) {
    uint64_t want = std::min<uint64_t>(end - addr, buf.size());
    int64_t n = vma.file->PRead(buf.data(), want, off);
    if (n < 0) return n;
    if (n == 0) break;  // past end of file: the rest stays zero
    int64_t w = as_->Write(addr, buf.data(), n, /*force=*/true);
    if (w != n) return -EFAULT;
    addr += n;
    off += n;
  }
  return 0;
}

int64_t MemoryManager::PrepareMapLocked(const MMapOpts& opts,
                                        PreparedMap* pm) {
  // Files with a host fd the stub can map (host files, tmpfs/memfd memfds)
  // are mapped for real; others are filled with a copy.
  if (opts.file) {
    int64_t p = opts.file->PrepareMap((opts.flags & MAP_TYPE) != MAP_PRIVATE,
                                      opts.prot, &pm->may_write,
                                      &pm->writable_map);
    if (p < 0) return p;
  }
  pm->host_fd = opts.file ? opts.file->MappableHostFd() : -1;
  pm->host_prot = opts.prot;
  // A copied file is filled with the mapping writable, then protected.
  if (opts.file && pm->host_fd < 0) pm->host_prot |= PROT_WRITE;
  return 0;
}

platform::AddressSpace::MapRequest MemoryManager::HostRequest(
    const MMapOpts& opts, uint64_t addr, uint64_t len,
    const PreparedMap& pm) const {
  const bool shared = (opts.flags & MAP_TYPE) != MAP_PRIVATE;
  const int type_flag = shared ? MAP_SHARED : MAP_PRIVATE;
  const int extra = opts.flags & (MAP_NORESERVE | MAP_POPULATE | MAP_LOCKED);
  platform::AddressSpace::MapRequest q;
  q.addr = addr;
  q.len = len;
  q.prot = pm.host_prot;
  if (pm.host_fd >= 0) {
    q.op = platform::AddressSpace::MapRequest::Op::kMapFile;
    q.flags = type_flag | extra;
    q.host_fd = pm.host_fd;
    q.offset = opts.offset;
  } else {
    q.op = platform::AddressSpace::MapRequest::Op::kMap;
    q.flags = MAP_FIXED | type_flag | extra;
  }
  return q;
}

int64_t MemoryManager::CommitMapLocked(const MMapOpts& opts, uint64_t addr,
                                       uint64_t len, int64_t r,
                                       PreparedMap& pm,
                                       const uapi::Stat* file_stat) {
  if (r < 0) return r;
  if (static_cast<uint64_t>(r) != addr) {
    as_->Unmap(r, len);
    return -ENOMEM;
  }
  const bool shared = (opts.flags & MAP_TYPE) != MAP_PRIVATE;
  const int type_flag = shared ? MAP_SHARED : MAP_PRIVATE;
  RemoveRange(addr, addr + len);
  Vma v;
  v.start = addr;
  v.end = addr + len;
  v.prot = opts.prot;
  v.flags = type_flag | (opts.flags & (MAP_GROWSDOWN | MAP_LOCKED));
  v.file = opts.file;
  v.offset = opts.offset;
  v.name = opts.name;
  v.host_mapped = pm.host_fd >= 0;
  v.may_write = pm.may_write;
  v.writable_map = std::move(pm.writable_map);
  if (shared && !opts.file) v.shared_anon = std::make_shared<const int>(0);
  if (opts.file) {
    uapi::Stat st;
    if (file_stat != nullptr) {
      v.dev = file_stat->st_dev;
      v.ino = file_stat->st_ino;
    } else if (opts.file->Stat(&st) == 0) {
      v.dev = st.st_dev;
      v.ino = st.st_ino;
    }
    if (v.name.empty()) v.name = opts.file->Path();
    if (!v.host_mapped) {
      int64_t f = FillFromFile(v, v.start, v.end);
      if (f < 0) {
        as_->Unmap(addr, len);
        return f;
      }
      if (pm.host_prot != opts.prot) {
        int64_t p = as_->Protect(addr, len, opts.prot);
        if (p < 0) {
          as_->Unmap(addr, len);
          return p;
        }
      }
    }
  }
  vmas_.emplace(addr, std::move(v));
  MergeAround(addr, addr + len);
  return static_cast<int64_t>(addr);
}

int64_t MemoryManager::MapLocked(const MMapOpts& opts, uint64_t addr,
                                 uint64_t len) {
  PreparedMap pm;
  int64_t p = PrepareMapLocked(opts, &pm);
  if (p < 0) return p;
  platform::AddressSpace::MapRequest q = HostRequest(opts, addr, len, pm);
  as_->MapBatch(&q, 1);
  return CommitMapLocked(opts, addr, len, q.result, pm);
}

int64_t MemoryManager::CheckMMapArgs(const MMapOpts& opts, uint64_t* out_len) {
  if (opts.len == 0) return -EINVAL;
  if (opts.prot & ~kProtMask & ~(PROT_GROWSDOWN | PROT_GROWSUP)) return -EINVAL;
  const int type = opts.flags & MAP_TYPE;
  if (type != MAP_PRIVATE && type != MAP_SHARED && type != MAP_SHARED_VALIDATE)
    return -EINVAL;
  // Anonymous memory takes only MAP_PRIVATE or MAP_SHARED (do_mmap()).
  if (!opts.file && type == MAP_SHARED_VALIDATE) return -EINVAL;
  if (opts.offset & (kPageSize - 1)) return -EINVAL;
  if (AddOverflows(opts.len, kPageSize - 1)) return -ENOMEM;
  const uint64_t len = PageRoundUp(opts.len);
  if (len > kTaskSize) return -ENOMEM;
  if (opts.file && AddOverflows(opts.offset, len)) return -EOVERFLOW;
  // do_mmap(): a shared writable mapping needs a description open for
  // writing (the host fd behind a tmpfs file would allow it regardless).
  if (opts.file && type != MAP_PRIVATE && (opts.prot & PROT_WRITE) &&
      !opts.file->IsWritable()) {
    return -EACCES;
  }
  if (opts.file && type != MAP_PRIVATE && (opts.prot & PROT_WRITE) &&
      opts.file->MappableHostFd() < 0) {
    // A shared writable mapping needs the file's own pages; a file without
    // a host fd to map cannot give them.
    return -ENODEV;
  }
  *out_len = len;
  return 0;
}

int64_t MemoryManager::CheckFixedLocked(const MMapOpts& opts, uint64_t addr,
                                        uint64_t len) const {
  if (addr & (kPageSize - 1)) return -EINVAL;
  if (addr < kMmapMinAddr) return -EPERM;
  if (AddOverflows(addr, len) || addr + len > kTaskSize) return -ENOMEM;
  // The stub's own pages are not the application's to replace.
  if (OverlapsReserved(addr, addr + len)) return -ENOMEM;
  if ((opts.flags & MAP_FIXED_NOREPLACE) && !(opts.flags & MAP_FIXED) &&
      !RangeFree(addr, addr + len))
    return -EEXIST;
  return 0;
}

int64_t MemoryManager::MMap(const MMapOpts& opts) {
  uint64_t len = 0;
  if (int64_t c = CheckMMapArgs(opts, &len); c < 0) return c;

  absl::MutexLock l(&mu_);
  uint64_t addr;
  const bool fixed = opts.flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
  if (fixed) {
    addr = opts.addr;
    if (int64_t c = CheckFixedLocked(opts, addr, len); c < 0) return c;
  } else {
    uint64_t hint = PageRoundDown(opts.addr);
    if (hint && !AddOverflows(hint, len) && RangeFree(hint, hint + len)) {
      addr = hint;
    } else if (opts.flags & MAP_32BIT) {
      // x86-64 MAP_32BIT: the second GiB, so addresses fit in 31 bits.
      addr = FindUnmappedIn(len, 0x40000000, 0x80000000);
      if (addr == 0) return -ENOMEM;
    } else {
      addr = FindUnmapped(len);
      if (addr == 0) return -ENOMEM;
    }
  }
  return MapLocked(opts, addr, len);
}

void MemoryManager::MMapFixedBatch(const MMapOpts* opts, size_t n,
                                   int64_t* results) {
  absl::MutexLock l(&mu_);
  struct Pending {
    size_t index;
    uint64_t len;
    PreparedMap pm;
  };
  std::vector<Pending> pending;
  std::vector<platform::AddressSpace::MapRequest> reqs;
  auto flush = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (pending.empty()) return;
    as_->MapBatch(reqs.data(), reqs.size());
    // An image's segments are all of one file: its identity is asked for
    // once, not once per segment.
    const vfs::FileDescription* stat_of = nullptr;
    uapi::Stat st{};
    bool st_ok = false;
    for (size_t k = 0; k < pending.size(); ++k) {
      const size_t i = pending[k].index;
      const uapi::Stat* known = nullptr;
      if (opts[i].file && reqs[k].result >= 0) {
        if (opts[i].file.get() != stat_of) {
          stat_of = opts[i].file.get();
          st_ok = opts[i].file->Stat(&st) == 0;
        }
        if (st_ok) known = &st;
      }
      results[i] = CommitMapLocked(opts[i], opts[i].addr, pending[k].len,
                                   reqs[k].result, pending[k].pm, known);
    }
    pending.clear();
    reqs.clear();
  };
  for (size_t i = 0; i < n; ++i) {
    const MMapOpts& o = opts[i];
    uint64_t len = 0;
    int64_t c = CheckMMapArgs(o, &len);
    if (c == 0 && !(o.flags & (MAP_FIXED | MAP_FIXED_NOREPLACE))) c = -EINVAL;
    if (c == 0) c = CheckFixedLocked(o, o.addr, len);
    PreparedMap pm;
    if (c == 0) c = PrepareMapLocked(o, &pm);
    if (c < 0) {
      results[i] = c;
      continue;
    }
    if (o.file && pm.host_fd < 0) {
      // A copied file is filled between its map and its protect: on its
      // own, after what came before it.
      flush();
      platform::AddressSpace::MapRequest q = HostRequest(o, o.addr, len, pm);
      as_->MapBatch(&q, 1);
      results[i] = CommitMapLocked(o, o.addr, len, q.result, pm);
      continue;
    }
    reqs.push_back(HostRequest(o, o.addr, len, pm));
    pending.push_back({i, len, std::move(pm)});
  }
  flush();
}

uint64_t MemoryManager::FindFree(
    uint64_t len,
    const std::vector<std::pair<uint64_t, uint64_t>>& pending) const {
  absl::MutexLock l(&mu_);
  return FindUnmappedIn(len, 0, mmap_top_, &pending);
}

int64_t MemoryManager::MUnmap(uint64_t addr, uint64_t len) {
  if ((addr & (kPageSize - 1)) || len == 0) return -EINVAL;
  if (AddOverflows(len, kPageSize - 1)) return -EINVAL;
  len = PageRoundUp(len);
  if (addr > kTaskSize || len > kTaskSize - addr) return -EINVAL;
  absl::MutexLock l(&mu_);
  if (OverlapsReserved(addr, addr + len)) return -EINVAL;
  int64_t r = as_->Unmap(addr, len);
  if (r < 0) return r;
  RemoveRange(addr, addr + len);
  return 0;
}

int64_t MemoryManager::MProtect(uint64_t addr, uint64_t len, int prot) {
  if (addr & (kPageSize - 1)) return -EINVAL;
  if (prot & ~(kProtMask | PROT_GROWSDOWN | PROT_GROWSUP)) return -EINVAL;
  if ((prot & PROT_GROWSDOWN) && (prot & PROT_GROWSUP)) return -EINVAL;
  if (len == 0) return 0;
  if (AddOverflows(len, kPageSize - 1)) return -ENOMEM;
  len = PageRoundUp(len);
  if (AddOverflows(addr, len)) return -ENOMEM;
  prot &= kProtMask;
  absl::MutexLock l(&mu_);
  if (!FullyMapped(addr, addr + len)) return -ENOMEM;
  // A shared mapping of a file opened read-only can never become writable.
  {
    auto it = vmas_.upper_bound(addr);
    if (it != vmas_.begin()) --it;
    for (; it != vmas_.end() && it->second.start < addr + len; ++it) {
      const Vma& v = it->second;
      // A copied shared mapping can never become writable (writes would not
      // reach the file); a host-mapped one is the host's decision (EACCES
      // for a read-only fd).
      if (v.file && !v.host_mapped && (v.flags & MAP_SHARED) &&
          (prot & PROT_WRITE))
        return -EACCES;
      // Nor one whose file was not open for writing or is write-sealed:
      // the host fd behind a host-mapped tmpfs file is always writable.
      if (v.file && (v.flags & MAP_SHARED) && !v.may_write &&
          (prot & PROT_WRITE))
        return -EACCES;
    }
  }
  int64_t r = as_->Protect(addr, len, prot);
  if (r < 0) return r;
  SplitAt(addr);
  SplitAt(addr + len);
  for (auto it = vmas_.lower_bound(addr);
       it != vmas_.end() && it->second.start < addr + len; ++it) {
    it->second.prot = prot;
  }
  MergeAround(addr, addr + len);
  return 0;
}

void MemoryManager::SetBrkBase(uint64_t base) {
  absl::MutexLock l(&mu_);
  brk_base_ = brk_ = base;
}

int64_t MemoryManager::Brk(uint64_t addr) {
  absl::MutexLock l(&mu_);
  // brk(2): on failure the current break is returned unchanged.
  if (addr < brk_base_ || brk_base_ == 0) return static_cast<int64_t>(brk_);
  const uint64_t old_end = PageRoundUp(brk_);
  const uint64_t new_end = PageRoundUp(addr);
  if (new_end > mmap_top_) return static_cast<int64_t>(brk_);
  if (new_end > old_end) {
    if (!RangeFree(old_end, new_end)) return static_cast<int64_t>(brk_);
    MMapOpts o;
    o.prot = PROT_READ | PROT_WRITE;
    o.flags = MAP_PRIVATE | MAP_ANONYMOUS;
    o.name = "[heap]";
    int64_t r = MapLocked(o, old_end, new_end - old_end);
    if (r < 0) return static_cast<int64_t>(brk_);
  } else if (new_end < old_end) {
    if (as_->Unmap(new_end, old_end - new_end) < 0)
      return static_cast<int64_t>(brk_);
    RemoveRange(new_end, old_end);
  }
  brk_ = addr;
  return static_cast<int64_t>(brk_);
}

int64_t MemoryManager::MRemap(uint64_t old_addr, uint64_t old_len,
                              uint64_t new_len, int flags, uint64_t new_addr) {
  if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))
    return -EINVAL;
  if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE)) return -EINVAL;
  if (flags & MREMAP_DONTUNMAP) return -EINVAL;  // not supported yet
  if (old_addr & (kPageSize - 1)) return -EINVAL;
  if (AddOverflows(old_len, kPageSize - 1) ||
      AddOverflows(new_len, kPageSize - 1))
    return -EINVAL;
  old_len = PageRoundUp(old_len);
  new_len = PageRoundUp(new_len);
  if (new_len == 0) return -EINVAL;
  if (new_len > kTaskSize) return -ENOMEM;

  absl::MutexLock l(&mu_);
  auto it = vmas_.upper_bound(old_addr);
  if (it == vmas_.begin()) return -EFAULT;
  --it;
  Vma vma = it->second;
  if (vma.end <= old_addr) return -EFAULT;
  if (old_len == 0) {
    // mremap(2): old_size 0 makes a second mapping of the same pages, only
    // for shared mappings, and only when it may move.
    if (!(vma.flags & MAP_SHARED)) return -EINVAL;
    if (!(flags & MREMAP_MAYMOVE)) return -ENOMEM;
  }
  if (AddOverflows(old_addr, old_len) || old_addr + old_len > vma.end)
    return -EFAULT;
  if (flags & MREMAP_FIXED) {
    if (new_addr & (kPageSize - 1)) return -EINVAL;
    if (AddOverflows(new_addr, new_len) || new_addr + new_len > kTaskSize ||
        new_addr < kMmapMinAddr)
      return -EINVAL;
    if (new_addr < old_addr + old_len && old_addr < new_addr + new_len)
      return -EINVAL;
    if (OverlapsReserved(new_addr, new_addr + new_len)) return -ENOMEM;
  }

  const uint64_t old_end = old_addr + old_len;
  if (old_len == 0) {
    uint64_t dest = new_addr;
    if (!(flags & MREMAP_FIXED)) {
      dest = FindUnmapped(new_len);
      if (dest == 0) return -ENOMEM;
    }
    int64_t r = as_->Remap(old_addr, 0, new_len,
                           MREMAP_MAYMOVE | MREMAP_FIXED, dest);
    if (r < 0) return r;
    RemoveRange(dest, dest + new_len);
    Vma alias = vma;
    alias.start = dest;
    alias.end = dest + new_len;
    if (alias.file) alias.offset = vma.offset + (old_addr - vma.start);
    vmas_.emplace(dest, alias);
    MergeAround(dest, dest + new_len);
    return static_cast<int64_t>(dest);
  }
  if (!(flags & MREMAP_FIXED) && new_len <= old_len) {
    if (new_len < old_len) {
      int64_t r = as_->Unmap(old_addr + new_len, old_len - new_len);
      if (r < 0) return r;
      RemoveRange(old_addr + new_len, old_end);
    }
    return static_cast<int64_t>(old_addr);
  }
  // Grow in place when the pages after the range are free.
  if (!(flags & MREMAP_FIXED) && old_end == vma.end &&
      !AddOverflows(old_addr, new_len) &&
      RangeFree(old_end, old_addr + new_len)) {
    int64_t r = as_->Remap(old_addr, old_len, new_len, 0, 0);
    if (r >= 0) {
      SplitAt(old_addr);
      auto v = vmas_.find(old_addr);
      v->second.end = old_addr + new_len;
      Vma grown = v->second;
      if (grown.file && !grown.host_mapped)
        FillFromFile(grown, old_end, old_addr + new_len);
      MergeAround(old_addr, old_addr + new_len);
      return static_cast<int64_t>(old_addr);
    }
  }
  if (!(flags & MREMAP_MAYMOVE)) return -ENOMEM;
  uint64_t dest = new_addr;
  if (!(flags & MREMAP_FIXED)) {
    dest = FindUnmapped(new_len);
    if (dest == 0) return -ENOMEM;
  }
  int64_t r = as_->Remap(old_addr, old_len, new_len,
                         MREMAP_MAYMOVE | MREMAP_FIXED, dest);
  if (r < 0) return r;
  if (flags & MREMAP_FIXED) RemoveRange(dest, dest + new_len);
  Vma moved = vma;
  moved.start = dest;
  moved.end = dest + new_len;
  if (moved.file) moved.offset = vma.offset + (old_addr - vma.start);
  RemoveRange(old_addr, old_end);
  vmas_.emplace(dest, moved);
  if (moved.file && !moved.host_mapped && new_len > old_len)
    FillFromFile(moved, dest + old_len, dest + new_len);
  MergeAround(dest, dest + new_len);
  return static_cast<int64_t>(dest);
}

int64_t MemoryManager::MAdvise(uint64_t addr, uint64_t len, int advice) {
  if (addr & (kPageSize - 1)) return -EINVAL;
  switch (advice) {
    case MADV_NORMAL:
    case MADV_RANDOM:
    case MADV_SEQUENTIAL:
    case MADV_WILLNEED:
    case MADV_DONTNEED:
    case MADV_FREE:
    case MADV_DONTFORK:
    case MADV_DOFORK:
    case MADV_HUGEPAGE:
    case MADV_NOHUGEPAGE:
    case MADV_DONTDUMP:
    case MADV_DODUMP:
    case MADV_MERGEABLE:
    case MADV_UNMERGEABLE:
    case MADV_COLD:
    case MADV_PAGEOUT:
    case MADV_WIPEONFORK:
    case MADV_KEEPONFORK:
      break;
    default:
      return -EINVAL;
  }
  if (len == 0) return 0;
  if (AddOverflows(len, kPageSize - 1)) return -EINVAL;
  len = PageRoundUp(len);
  if (AddOverflows(addr, len)) return -EINVAL;
  absl::MutexLock l(&mu_);
  if (!FullyMapped(addr, addr + len)) return -ENOMEM;
  int64_t r = as_->Advise(addr, len, advice);
  if (r < 0) return r;
  if (advice == MADV_DONTNEED) {
    // Private file pages read back from the file, as Linux re-faults them.
    auto it = vmas_.upper_bound(addr);
    if (it != vmas_.begin()) --it;
    for (; it != vmas_.end() && it->second.start < addr + len; ++it) {
      const Vma& v = it->second;
      if (!v.file || v.host_mapped || !(v.flags & MAP_PRIVATE)) continue;
      FillFromFile(v, std::max(v.start, addr), std::min(v.end, addr + len));
    }
  }
  return 0;
}

int64_t MemoryManager::MSync(uint64_t addr, uint64_t len, int flags) {
  if (addr & (kPageSize - 1)) return -EINVAL;
  if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) return -EINVAL;
  if ((flags & MS_ASYNC) && (flags & MS_SYNC)) return -EINVAL;
  if (AddOverflows(len, kPageSize - 1)) return -ENOMEM;
  len = PageRoundUp(len);
  if (len == 0) return 0;
  if (AddOverflows(addr, len)) return -ENOMEM;
  absl::MutexLock l(&mu_);
  if (!FullyMapped(addr, addr + len)) return -ENOMEM;
  return 0;
}

int64_t MemoryManager::MLock(int op, uint64_t addr, uint64_t len, int flags) {
  if (op == SYS_mlockall || op == SYS_munlockall) {
    if (op == SYS_mlockall &&
        (flags == 0 || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT))))
      return -EINVAL;
    return as_->Lock(op, 0, 0, flags);
  }
  if (op == SYS_mlock2 && (flags & ~MLOCK_ONFAULT)) return -EINVAL;
  const uint64_t start = PageRoundDown(addr);
  if (AddOverflows(addr, len) || AddOverflows(addr + len, kPageSize - 1))
    return -ENOMEM;
  const uint64_t end = PageRoundUp(addr + len);
  if (start == end) return 0;
  absl::MutexLock l(&mu_);
  if (!FullyMapped(start, end)) return -ENOMEM;
  return as_->Lock(op, start, end - start, flags);
}

int64_t MemoryManager::MIncore(uint64_t addr, uint64_t len, uint64_t vec) {
  if (addr & (kPageSize - 1)) return -EINVAL;
  if (AddOverflows(len, kPageSize - 1)) return -ENOMEM;
  len = PageRoundUp(len);
  if (len == 0) return 0;
  if (AddOverflows(addr, len) || addr + len > kTaskSize) return -ENOMEM;
  absl::MutexLock l(&mu_);
  if (!FullyMapped(addr, addr + len)) return -ENOMEM;
  return as_->Incore(addr, len, vec);
}

int64_t MemoryManager::CopyIn(uint64_t addr, void* dst, uint64_t n) {
  if (n == 0) return 0;
  if (AddOverflows(addr, n) || addr + n > kTaskSize) return -EFAULT;
  int64_t r = as_->Read(addr, dst, n);
  return r == static_cast<int64_t>(n) ? r : -EFAULT;
}

uint64_t MemoryManager::WritablePrefix(uint64_t addr, uint64_t n) {
  if (n == 0 || addr >= kTaskSize) return 0;
  uint64_t end = AddOverflows(addr, n) ? kTaskSize : std::min(addr + n, kTaskSize);
  absl::MutexLock l(&mu_);
  uint64_t cur = addr;
  auto it = vmas_.upper_bound(addr);
  if (it != vmas_.begin()) --it;
  for (; it != vmas_.end() && cur < end; ++it) {
    if (it->second.end <= cur) continue;
    if (it->second.start > cur || !(it->second.prot & PROT_WRITE)) break;
    cur = it->second.end;
  }
  return std::min(cur, end) - addr;
}

int64_t MemoryManager::CopyOut(uint64_t addr, const void* src, uint64_t n) {
  if (n == 0) return 0;
  if (AddOverflows(addr, n) || addr + n > kTaskSize) return -EFAULT;
  int64_t r = as_->Write(addr, src, n, /*force=*/false);
  return r == static_cast<int64_t>(n) ? r : -EFAULT;
}

namespace {
// How many leading ranges lie wholly below the top of the task's address
// space: a range past it faults, like an unmapped one.
size_t UserRanges(const platform::AddressSpace::Range* r, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (AddOverflows(r[i].addr, r[i].len) || r[i].addr + r[i].len > kTaskSize) {
      return i;
    }
  }
  return n;
}
}  // namespace

int64_t MemoryManager::CopyOutVec(const platform::AddressSpace::Range* ranges,
                                  size_t n, const void* src) {
  size_t ok = UserRanges(ranges, n);
  if (ok == 0) return -EFAULT;
  return as_->WriteV(ranges, ok, src);
}

int64_t MemoryManager::CopyInVec(const platform::AddressSpace::Range* ranges,
                                 size_t n, void* dst) {
  size_t ok = UserRanges(ranges, n);
  if (ok == 0) return -EFAULT;
  return as_->ReadV(ranges, ok, dst);
}

int64_t MemoryManager::CopyOutForce(uint64_t addr, const void* src,
                                    uint64_t n) {
  if (n == 0) return 0;
  if (AddOverflows(addr, n) || addr + n > kTaskSize) return -EFAULT;
  int64_t r = as_->Write(addr, src, n, /*force=*/true);
  return r == static_cast<int64_t>(n) ? r : -EFAULT;
}

int64_t MemoryManager::CopyInString(uint64_t addr, uint64_t max,
                                    std::string* out) {
  out->clear();
  char buf[kPageSize];
  while (out->size() <= max) {
    // Read up to the end of the page so a string ending right before an
    // unmapped page does not fault.
    uint64_t chunk = kPageSize - (addr & (kPageSize - 1));
    chunk = std::min<uint64_t>(chunk, max + 1 - out->size());
    if (addr >= kTaskSize) return -EFAULT;
    int64_t n = as_->Read(addr, buf, chunk);
    if (n <= 0) return -EFAULT;
    const char* nul = static_cast<const char*>(std::memchr(buf, 0, n));
    if (nul) {
      out->append(buf, nul - buf);
      return static_cast<int64_t>(out->size());
    }
    out->append(buf, n);
    addr += n;
  }
  return -ENAMETOOLONG;
}

MemoryManager::SharedKey MemoryManager::FutexKeyFor(uint64_t addr) const {
  absl::MutexLock l(&mu_);
  auto it = vmas_.upper_bound(addr);
  if (it != vmas_.begin()) {
    const Vma& v = std::prev(it)->second;
    if (addr < v.end && (v.flags & MAP_SHARED)) {
      if (v.shared_anon) {
        return {v.shared_anon.get(), v.offset + (addr - v.start), 0, 0};
      }
      if (v.file) {
        return {nullptr, v.offset + (addr - v.start), v.dev, v.ino};
      }
    }
  }
  return {this, addr, 0, 0};
}

uint64_t MemoryManager::MappedBytes() const {
  absl::MutexLock l(&mu_);
  uint64_t n = 0;
  for (const auto& [s, v] : vmas_) n += v.end - v.start;
  return n;
}

uint64_t MemoryManager::BrkBytes() const {
  absl::MutexLock l(&mu_);
  return brk_ > brk_base_ ? brk_ - brk_base_ : 0;
}

std::vector<Vma> MemoryManager::Vmas() const {
  absl::MutexLock l(&mu_);
  std::vector<Vma> out;
  for (const auto& [s, v] : vmas_) out.push_back(v);
  return out;
}

std::string MemoryManager::MapsText() const {
  // Format of show_map_vma() in fs/proc/task_mmu.c.
  std::string out;
  for (const Vma& v : Vmas()) {
    std::string line = absl::StrFormat(
        "%08x-%08x %c%c%c%c %08x %02x:%02x %u ", v.start, v.end,
        (v.prot & PROT_READ) ? 'r' : '-', (v.prot & PROT_WRITE) ? 'w' : '-',
        (v.prot & PROT_EXEC) ? 'x' : '-', (v.flags & MAP_SHARED) ? 's' : 'p',
        v.file ? v.offset : 0, (v.dev >> 8) & 0xfff, v.dev & 0xff, v.ino);
    if (!v.name.empty()) {
      if (line.size() < 73) line.append(73 - line.size(), ' ');
      line += v.name;
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace sentry
