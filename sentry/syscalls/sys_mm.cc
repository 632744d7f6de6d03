// Memory syscalls. Validation of ranges and flags lives in MemoryManager so
// every caller (these handlers, the loader, later execve) gets Linux's
// errors; handlers only decode arguments and find the file.
#include "sentry/syscalls/sys_mm.h"

#include <sys/mman.h>
#include <sys/syscall.h>

#include <cerrno>

#include "abi/linux/resource.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/thread_group.h"
#include "sentry/mm/memory_manager.h"
#include "sentry/vfs/fd_table.h"
#include "sentry/vfs/file_description.h"

namespace sentry {

namespace {

// RLIMIT_AS: the address space may not grow past the limit (may_expand_vm()).
bool WithinAddressSpaceLimit(Task& t, uint64_t grow) {
  const uint64_t limit = t.thread_group().GetRlimit(uapi::kRlimitAs).cur;
  if (limit == uapi::kRlimInfinity) return true;
  const uint64_t cur = t.mm().MappedBytes();
  return grow <= limit && cur <= limit - grow;
}

int64_t DoMmap(Task& t, uint64_t addr, uint64_t len, int prot, int flags,
               int fd, uint64_t offset) {
  if (len && !WithinAddressSpaceLimit(t, PageRoundUp(len))) return -ENOMEM;
  MemoryManager::MMapOpts o;
  o.addr = addr;
  o.len = len;
  o.prot = prot;
  o.flags = flags;
  o.offset = offset;
  if (!(flags & MAP_ANONYMOUS)) {
    auto file = t.fds().Get(fd);
    if (!file) return -EBADF;
    // mmap(2): EACCES when the file is not open for reading.
    if (!file->IsReadable()) return -EACCES;
    o.file = std::move(file);
  } else {
    o.offset = 0;
  }
  return t.mm().MMap(o);
}

}  // namespace

int64_t SysMmap(Task& t, const SyscallArgs& a) {
  return DoMmap(t, a.Ptr(0), a.Size(1), a.Int(2), a.Int(3), a.Int(4),
                a.U64(5));
}

int64_t SysMmapPgoff(Task& t, const SyscallArgs& a) {
  // i386 mmap2: the offset is in 4096-byte units.
  return DoMmap(t, a.Ptr(0), a.Size(1), a.Int(2), a.Int(3), a.Int(4),
                a.U64(5) * kPageSize);
}

int64_t SysMunmap(Task& t, const SyscallArgs& a) {
  return t.mm().MUnmap(a.Ptr(0), a.Size(1));
}

int64_t SysMprotect(Task& t, const SyscallArgs& a) {
  return t.mm().MProtect(a.Ptr(0), a.Size(1), a.Int(2));
}

int64_t SysBrk(Task& t, const SyscallArgs& a) {
  // RLIMIT_DATA bounds the heap; a refused brk returns the old break.
  const uint64_t limit = t.thread_group().GetRlimit(uapi::kRlimitData).cur;
  const uint64_t cur = t.mm().Brk(0);
  const uint64_t want = a.Ptr(0);
  if (want > cur) {
    const uint64_t grow = PageRoundUp(want) - PageRoundUp(cur);
    if ((limit != uapi::kRlimInfinity && t.mm().BrkBytes() + grow > limit) ||
        !WithinAddressSpaceLimit(t, grow))
      return static_cast<int64_t>(cur);
  }
  return t.mm().Brk(want);
}

int64_t SysMremap(Task& t, const SyscallArgs& a) {
  if (a.Size(2) > a.Size(1) &&
      !WithinAddressSpaceLimit(t, PageRoundUp(a.Size(2)) - PageRoundUp(a.Size(1))))
    return -ENOMEM;
  return t.mm().MRemap(a.Ptr(0), a.Size(1), a.Size(2), a.Int(3), a.Ptr(4));
}

int64_t SysMadvise(Task& t, const SyscallArgs& a) {
  return t.mm().MAdvise(a.Ptr(0), a.Size(1), a.Int(2));
}

int64_t SysMincore(Task& t, const SyscallArgs& a) {
  return t.mm().MIncore(a.Ptr(0), a.Size(1), a.Ptr(2));
}

int64_t SysMsync(Task& t, const SyscallArgs& a) {
  return t.mm().MSync(a.Ptr(0), a.Size(1), a.Int(2));
}

int64_t SysMlock(Task& t, const SyscallArgs& a) {
  return t.mm().MLock(SYS_mlock, a.Ptr(0), a.Size(1), 0);
}

int64_t SysMunlock(Task& t, const SyscallArgs& a) {
  return t.mm().MLock(SYS_munlock, a.Ptr(0), a.Size(1), 0);
}

int64_t SysMlock2(Task& t, const SyscallArgs& a) {
  return t.mm().MLock(SYS_mlock2, a.Ptr(0), a.Size(1), a.Int(2));
}

int64_t SysMlockall(Task& t, const SyscallArgs& a) {
  return t.mm().MLock(SYS_mlockall, 0, 0, a.Int(0));
}

int64_t SysMunlockall(Task& t, const SyscallArgs&) {
  return t.mm().MLock(SYS_munlockall, 0, 0, 0);
}

}  // namespace sentry
