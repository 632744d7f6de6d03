// read/write and their positioned and vectored forms, lseek.
//
// Data moves through a sentry buffer of at most kIoChunk bytes at a time:
// a read fills it from the file and copies it out to the iovecs, a write
// gathers the iovecs into it. A transfer continues with the next chunk only
// while chunks come back full, so a pipe or terminal read returns what is
// available instead of waiting for more.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <memory>
#include <vector>

#include "abi/linux/uio.h"
#include "sentry/kernel/signals.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/memory_manager.h"
#include "sentry/kernel/thread_group.h"
#include <signal.h>
#include "sentry/socket/socket.h"
#include "sentry/syscalls/sys_file.h"
#include "sentry/syscalls/sys_file_util.h"
#include "sentry/vfs/file_description.h"
#include "sentry/vfs/fsnotify.h"

namespace sentry {

int64_t RaiseSigpipe(Task& t, int64_t result) {
  if (result == -EPIPE) {
    t.SendSignal(MakeKillInfo(SIGPIPE, 0 /* SI_USER */,
                              t.thread_group().tgid(), FileCredentials(t).uid));
  }
  return result;
}

namespace {

constexpr uint64_t kIoChunk = 1 << 20;

// preadv2/pwritev2 flags (RWF_*).
constexpr int kRwfHipri = 0x01;
constexpr int kRwfDsync = 0x02;
constexpr int kRwfSync = 0x04;

struct IoSeg {
  uint64_t base;
  uint64_t len;
};

// import_iovec(): reads `count` iovecs of the task's layout, rejects
// negative lengths and more than UIO_MAXIOV entries (-EINVAL), and clamps
// the total to MAX_RW_COUNT.
int64_t ImportIovecs(Task& t, uint64_t addr, int64_t count, bool compat,
                     std::vector<IoSeg>* out) {
  if (count < 0 || count > uapi::kUioMaxIov) return -EINVAL;
  out->clear();
  if (count == 0) return 0;
  std::vector<IoSeg> segs(static_cast<size_t>(count));
  if (compat) {
    std::vector<uapi::Iovec32> raw(static_cast<size_t>(count));
    if (t.CopyIn(addr, raw.data(), raw.size() * sizeof(raw[0])) < 0) {
      return -EFAULT;
    }
    for (size_t i = 0; i < raw.size(); ++i) {
      if (static_cast<int32_t>(raw[i].len) < 0) return -EINVAL;
      segs[i] = IoSeg{raw[i].base, raw[i].len};
    }
  } else {
    std::vector<uapi::Iovec> raw(static_cast<size_t>(count));
    if (t.CopyIn(addr, raw.data(), raw.size() * sizeof(raw[0])) < 0) {
      return -EFAULT;
    }
    for (size_t i = 0; i < raw.size(); ++i) {
      if (static_cast<int64_t>(raw[i].len) < 0) return -EINVAL;
      segs[i] = IoSeg{raw[i].base, raw[i].len};
    }
  }
  uint64_t total = 0;
  for (IoSeg& s : segs) {
    if (s.len > kMaxRwCount - total) s.len = kMaxRwCount - total;
    total += s.len;
  }
  *out = std::move(segs);
  return 0;
}

// The sentry-side buffer of one transfer, never zero-filled (every byte
// handed on was first written by the file or the copy-in). Transfers of up
// to kCachedBuf bytes reuse one buffer per sentry thread (each task's
// syscalls run on its own thread, one at a time), so the common small and
// pipe-sized I/O allocates nothing.
class IoBuffer {
 public:
  static constexpr uint64_t kCachedBuf = 64 * 1024;
  explicit IoBuffer(uint64_t n) : size_(n) {
    if (n <= kCachedBuf) {
      thread_local std::unique_ptr<char[]> cached;
      if (!cached) cached.reset(new char[kCachedBuf]);
      data_ = cached.get();
    } else {
      owned_.reset(new char[n]);
      data_ = owned_.get();
    }
  }
  char* data() { return data_; }
  uint64_t size() const { return size_; }

 private:
  std::unique_ptr<char[]> owned_;
  char* data_;
  uint64_t size_;
};

uint64_t TotalLen(const std::vector<IoSeg>& segs) {
  uint64_t total = 0;
  for (const IoSeg& s : segs) total += s.len;
  return total;
}

// A position in a list of iovecs.
struct SegCursor {
  size_t seg = 0;
  uint64_t off = 0;
};

// The application ranges of the next `n` bytes of `segs` from `cur`
// (empty iovecs skipped).
void RangesFor(const std::vector<IoSeg>& segs, SegCursor cur, uint64_t n,
               std::vector<platform::AddressSpace::Range>* out) {
  out->clear();
  while (n > 0 && cur.seg < segs.size()) {
    uint64_t take = std::min(segs[cur.seg].len - cur.off, n);
    if (take > 0) out->push_back({segs[cur.seg].base + cur.off, take});
    n -= take;
    ++cur.seg;
    cur.off = 0;
  }
}

void Advance(const std::vector<IoSeg>& segs, SegCursor* cur, uint64_t n) {
  while (n > 0 && cur->seg < segs.size()) {
    uint64_t take = std::min(segs[cur->seg].len - cur->off, n);
    cur->off += take;
    n -= take;
    if (cur->off == segs[cur->seg].len) {
      ++cur->seg;
      cur->off = 0;
    }
  }
}

// How many of the next `n` bytes of `segs` from `cur` can be written
// without a fault, counting from `cur` up to the first byte that cannot
// (empty iovecs skipped).
uint64_t WritableRun(Task& t, const std::vector<IoSeg>& segs, SegCursor cur,
                     uint64_t n) {
  uint64_t ok = 0;
  while (ok < n && cur.seg < segs.size()) {
    uint64_t take = std::min(segs[cur.seg].len - cur.off, n - ok);
    if (take > 0) {
      uint64_t w = t.mm().WritablePrefix(segs[cur.seg].base + cur.off, take);
      ok += w;
      if (w < take) break;
    }
    ++cur.seg;
    cur.off = 0;
  }
  return ok;
}

// Copies `n` bytes of `data` out to the iovecs at `cur` — one host call for
// all of them where the platform can (readv batching) — and advances `cur`
// past what was copied. Returns the bytes copied (short on a fault).
uint64_t ScatterOut(Task& t, const std::vector<IoSeg>& segs, SegCursor* cur,
                    const char* data, uint64_t n) {
  uint64_t copied = 0;
  if (cur->seg < segs.size() && segs[cur->seg].len - cur->off >= n) {
    // All within one iovec (every read(2)).
    if (t.CopyOut(segs[cur->seg].base + cur->off, data, n) == static_cast<int64_t>(n)) {
      copied = n;
    }
  } else {
    thread_local std::vector<platform::AddressSpace::Range> ranges;
    RangesFor(segs, *cur, n, &ranges);
    int64_t r = t.mm().CopyOutVec(ranges.data(), ranges.size(), data);
    copied = r > 0 ? static_cast<uint64_t>(r) : 0;
  }
  Advance(segs, cur, copied);
  return copied;
}

// Gathers up to `n` bytes from the iovecs at `cur` into `data` (writev
// batching); advances `cur`. Returns the bytes gathered (short on a fault).
uint64_t GatherIn(Task& t, const std::vector<IoSeg>& segs, SegCursor* cur,
                  char* data, uint64_t n) {
  uint64_t got = 0;
  if (cur->seg < segs.size() && segs[cur->seg].len - cur->off >= n) {
    if (t.CopyIn(segs[cur->seg].base + cur->off, data, n) == static_cast<int64_t>(n)) {
      got = n;
    }
  } else {
    thread_local std::vector<platform::AddressSpace::Range> ranges;
    RangesFor(segs, *cur, n, &ranges);
    int64_t r = t.mm().CopyInVec(ranges.data(), ranges.size(), data);
    got = r > 0 ? static_cast<uint64_t>(r) : 0;
  }
  Advance(segs, cur, got);
  return got;
}

// Reads into `segs`: at the file offset when `pos` < 0, else at `pos`.
int64_t DoRead(Task& t, vfs::FileDescription& f,
               const std::vector<IoSeg>& segs, int64_t pos) {
  uint64_t total = TotalLen(segs);
  if (total == 0) {
    char dummy;
    return pos < 0 ? f.Read(t, &dummy, 0) : f.PRead(&dummy, 0, pos);
  }
  IoBuffer buf(std::min(total, kIoChunk));
  uint64_t done = 0;
  SegCursor cur;
  // Stream sockets keep what a faulting read would have taken (see
  // WritableRun); datagrams are consumed by Linux even then.
  const auto* sock = dynamic_cast<const socket::Socket*>(&f);
  const bool keep_on_fault = sock && sock->type() == SOCK_STREAM;
  while (done < total) {
    uint64_t want = std::min<uint64_t>(total - done, buf.size());
    if (keep_on_fault) {
      want = WritableRun(t, segs, cur, want);
      if (want == 0) return done ? static_cast<int64_t>(done) : -EFAULT;
    }
    int64_t n = pos < 0 ? f.Read(t, buf.data(), want)
                        : f.PRead(buf.data(), want, pos + static_cast<int64_t>(done));
    if (n < 0) return done ? static_cast<int64_t>(done) : n;
    uint64_t copied = ScatterOut(t, segs, &cur, buf.data(), static_cast<uint64_t>(n));
    if (copied < static_cast<uint64_t>(n)) {
      // Bytes that never reached the application are not consumed: put
      // the file offset back (a no-op error for unseekable files).
      if (pos < 0) f.Seek(-static_cast<int64_t>(static_cast<uint64_t>(n) - copied), SEEK_CUR);
      done += copied;
      return done ? static_cast<int64_t>(done) : -EFAULT;
    }
    done += static_cast<uint64_t>(n);
    if (static_cast<uint64_t>(n) < want) break;
  }
  return static_cast<int64_t>(done);
}

// Writes from `segs`: at the file offset when `pos` < 0, else at `pos`.
int64_t DoWrite(Task& t, vfs::FileDescription& f,
                const std::vector<IoSeg>& segs, int64_t pos) {
  uint64_t total = TotalLen(segs);
  if (total == 0) {
    char dummy = 0;
    return pos < 0 ? f.Write(t, &dummy, 0) : f.PWrite(&dummy, 0, pos);
  }
  IoBuffer buf(std::min(total, kIoChunk));
  uint64_t done = 0;
  SegCursor cur;
  while (done < total) {
    // Gather the next chunk.
    uint64_t want = std::min<uint64_t>(total - done, buf.size());
    uint64_t got = GatherIn(t, segs, &cur, buf.data(), want);
    const bool fault = got < want;
    if (got == 0) return done ? static_cast<int64_t>(done) : -EFAULT;
    int64_t n = pos < 0 ? f.Write(t, buf.data(), got)
                        : f.PWrite(buf.data(), got, pos + static_cast<int64_t>(done));
    if (n < 0) return done ? static_cast<int64_t>(done) : n;
    done += static_cast<uint64_t>(n);
    if (fault || static_cast<uint64_t>(n) < got) break;
  }
  return static_cast<int64_t>(done);
}

// EPIPE from a write raises SIGPIPE, except for sockets: their families
// decide (Linux raises it for stream sockets only, in the protocol).
int64_t WriteSigpipe(Task& t, vfs::FileDescription& f, int64_t r) {
  if (dynamic_cast<socket::Socket*>(&f)) return r;
  return RaiseSigpipe(t, r);
}

// The descriptor for a read (EBADF unless open for reading).
// (A write that failed with EPIPE also raises SIGPIPE: see RaiseSigpipe.)
int64_t ReadableFile(Task& t, int fd, std::shared_ptr<vfs::FileDescription>* f) {
  *f = GetFile(t, fd);
  if (!*f) return -EBADF;
  return (*f)->CheckReadable();
}

int64_t WritableFile(Task& t, int fd, std::shared_ptr<vfs::FileDescription>* f) {
  *f = GetFile(t, fd);
  if (!*f) return -EBADF;
  return (*f)->CheckWritable();
}

int64_t ReadCommon(Task& t, int fd, uint64_t buf, uint64_t count, int64_t pos) {
  std::shared_ptr<vfs::FileDescription> f;
  int64_t r = ReadableFile(t, fd, &f);
  if (r < 0) return r;
  std::vector<IoSeg> segs{{buf, std::min(count, kMaxRwCount)}};
  r = DoRead(t, *f, segs, pos);
  if (r > 0) vfs::fsnotify::Notify(f->location(), vfs::kInAccess);
  return r;
}

int64_t WriteCommon(Task& t, int fd, uint64_t buf, uint64_t count,
                    int64_t pos) {
  std::shared_ptr<vfs::FileDescription> f;
  int64_t r = WritableFile(t, fd, &f);
  if (r < 0) return r;
  std::vector<IoSeg> segs{{buf, std::min(count, kMaxRwCount)}};
  r = WriteSigpipe(t, *f, DoWrite(t, *f, segs, pos));
  if (r > 0) vfs::fsnotify::Notify(f->location(), vfs::kInModify);
  return r;
}

// readv/preadv/preadv2 and the write side. `pos` -1 means the file
// offset; `positioned` says whether the call was a p*v one (where -1 is
// only allowed for the v2 forms, checked by the callers).
int64_t ReadvCommon(Task& t, int fd, uint64_t iov, int64_t count, bool compat,
                    int64_t pos) {
  std::shared_ptr<vfs::FileDescription> f;
  int64_t r = ReadableFile(t, fd, &f);
  if (r < 0) return r;
  std::vector<IoSeg> segs;
  r = ImportIovecs(t, iov, count, compat, &segs);
  if (r < 0) return r;
  r = DoRead(t, *f, segs, pos);
  if (r > 0) vfs::fsnotify::Notify(f->location(), vfs::kInAccess);
  return r;
}

int64_t WritevCommon(Task& t, int fd, uint64_t iov, int64_t count,
                     bool compat, int64_t pos) {
  std::shared_ptr<vfs::FileDescription> f;
  int64_t r = WritableFile(t, fd, &f);
  if (r < 0) return r;
  std::vector<IoSeg> segs;
  r = ImportIovecs(t, iov, count, compat, &segs);
  if (r < 0) return r;
  r = WriteSigpipe(t, *f, DoWrite(t, *f, segs, pos));
  if (r > 0) vfs::fsnotify::Notify(f->location(), vfs::kInModify);
  return r;
}

// RWF_* flags accepted by preadv2/pwritev2: the ones that need nothing
// from the sentry (polling hints, sync for files that have no cache).
int64_t CheckRwFlags(int flags) {
  if (flags & ~(kRwfHipri | kRwfDsync | kRwfSync)) return -EOPNOTSUPP;
  return 0;
}

int64_t Pos64(uint64_t lo, uint64_t hi) {
  return static_cast<int64_t>((hi << 32) | (lo & 0xffffffffu));
}

int64_t PreadvCommon(Task& t, int fd, uint64_t iov, int64_t count,
                     bool compat, int64_t pos, int flags, bool v2) {
  if (v2) {
    int64_t r = CheckRwFlags(flags);
    if (r < 0) return r;
    if (pos < -1) return -EINVAL;
  } else if (pos < 0) {
    return -EINVAL;
  }
  return ReadvCommon(t, fd, iov, count, compat, pos);
}

int64_t PwritevCommon(Task& t, int fd, uint64_t iov, int64_t count,
                      bool compat, int64_t pos, int flags, bool v2) {
  if (v2) {
    int64_t r = CheckRwFlags(flags);
    if (r < 0) return r;
    if (pos < -1) return -EINVAL;
  } else if (pos < 0) {
    return -EINVAL;
  }
  return WritevCommon(t, fd, iov, count, compat, pos);
}

}  // namespace

int64_t SysRead(Task& t, const SyscallArgs& a) {
  return ReadCommon(t, a.Int(0), a.Ptr(1), a.Size(2), -1);
}

int64_t SysWrite(Task& t, const SyscallArgs& a) {
  return WriteCommon(t, a.Int(0), a.Ptr(1), a.Size(2), -1);
}

int64_t SysPread64(Task& t, const SyscallArgs& a) {
  int64_t pos = static_cast<int64_t>(a.U64(3));
  if (pos < 0) return -EINVAL;
  return ReadCommon(t, a.Int(0), a.Ptr(1), a.Size(2), pos);
}

int64_t SysPwrite64(Task& t, const SyscallArgs& a) {
  int64_t pos = static_cast<int64_t>(a.U64(3));
  if (pos < 0) return -EINVAL;
  return WriteCommon(t, a.Int(0), a.Ptr(1), a.Size(2), pos);
}

int64_t SysPread64I386(Task& t, const SyscallArgs& a) {
  int64_t pos = Pos64(a.U64(3), a.U64(4));
  if (pos < 0) return -EINVAL;
  return ReadCommon(t, a.Int(0), a.Ptr(1), a.Size(2), pos);
}

int64_t SysPwrite64I386(Task& t, const SyscallArgs& a) {
  int64_t pos = Pos64(a.U64(3), a.U64(4));
  if (pos < 0) return -EINVAL;
  return WriteCommon(t, a.Int(0), a.Ptr(1), a.Size(2), pos);
}

int64_t SysReadv(Task& t, const SyscallArgs& a) {
  return ReadvCommon(t, a.Int(0), a.Ptr(1), a.Long(2), false, -1);
}

int64_t SysWritev(Task& t, const SyscallArgs& a) {
  return WritevCommon(t, a.Int(0), a.Ptr(1), a.Long(2), false, -1);
}

int64_t SysReadvI386(Task& t, const SyscallArgs& a) {
  return ReadvCommon(t, a.Int(0), a.Ptr(1), a.Long(2), true, -1);
}

int64_t SysWritevI386(Task& t, const SyscallArgs& a) {
  return WritevCommon(t, a.Int(0), a.Ptr(1), a.Long(2), true, -1);
}

// amd64 preadv(fd, iov, vlen, pos_l, pos_h): the whole offset is pos_l.
int64_t SysPreadv(Task& t, const SyscallArgs& a) {
  return PreadvCommon(t, a.Int(0), a.Ptr(1), a.Long(2), false,
                      static_cast<int64_t>(a.U64(3)), 0, false);
}

int64_t SysPwritev(Task& t, const SyscallArgs& a) {
  return PwritevCommon(t, a.Int(0), a.Ptr(1), a.Long(2), false,
                       static_cast<int64_t>(a.U64(3)), 0, false);
}

int64_t SysPreadv2(Task& t, const SyscallArgs& a) {
  return PreadvCommon(t, a.Int(0), a.Ptr(1), a.Long(2), false,
                      static_cast<int64_t>(a.U64(3)), a.Int(5), true);
}

int64_t SysPwritev2(Task& t, const SyscallArgs& a) {
  return PwritevCommon(t, a.Int(0), a.Ptr(1), a.Long(2), false,
                       static_cast<int64_t>(a.U64(3)), a.Int(5), true);
}

int64_t SysPreadvI386(Task& t, const SyscallArgs& a) {
  return PreadvCommon(t, a.Int(0), a.Ptr(1), a.Long(2), true,
                      Pos64(a.U64(3), a.U64(4)), 0, false);
}

int64_t SysPwritevI386(Task& t, const SyscallArgs& a) {
  return PwritevCommon(t, a.Int(0), a.Ptr(1), a.Long(2), true,
                       Pos64(a.U64(3), a.U64(4)), 0, false);
}

int64_t SysPreadv2I386(Task& t, const SyscallArgs& a) {
  return PreadvCommon(t, a.Int(0), a.Ptr(1), a.Long(2), true,
                      Pos64(a.U64(3), a.U64(4)), a.Int(5), true);
}

int64_t SysPwritev2I386(Task& t, const SyscallArgs& a) {
  return PwritevCommon(t, a.Int(0), a.Ptr(1), a.Long(2), true,
                       Pos64(a.U64(3), a.U64(4)), a.Int(5), true);
}

int64_t SysLseek(Task& t, const SyscallArgs& a) {
  auto f = GetFile(t, a.Int(0));
  if (!f) return -EBADF;
  int whence = a.Int(2);
  if (whence < SEEK_SET || whence > SEEK_HOLE) return -EINVAL;
  // An i386 off_t is 32 bits: Long() sign-extends it.
  return f->Seek(a.Long(1), whence);
}

// _llseek(fd, offset_high, offset_low, loff_t* result, whence).
int64_t SysLlseekI386(Task& t, const SyscallArgs& a) {
  auto f = GetFile(t, a.Int(0));
  if (!f) return -EBADF;
  int whence = a.Int(4);
  if (whence < SEEK_SET || whence > SEEK_HOLE) return -EINVAL;
  int64_t r = f->Seek(Pos64(a.U64(2), a.U64(1)), whence);
  if (r < 0) return r;
  if (t.CopyOutObj(a.Ptr(3), r) < 0) return -EFAULT;
  return 0;
}

}  // namespace sentry
