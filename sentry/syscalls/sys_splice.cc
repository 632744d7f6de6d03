// sendfile, splice, tee, copy_file_range: data moved between two open
// files inside the sentry, through a bounded buffer (the application never
// sees it). Pipes are read without consuming first (Pipe::Peek) so that
// bytes the destination does not take stay in the pipe, as with Linux's
// page moves.
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "sentry/fs/pipe/pipe_file.h"
#include "sentry/kernel/task.h"
#include "sentry/socket/socket.h"
#include "sentry/syscalls/sys_file.h"
#include "sentry/syscalls/sys_file_util.h"
#include "sentry/vfs/file_description.h"

namespace sentry {

namespace {

constexpr uint64_t kChunk = 1 << 16;
constexpr unsigned kSpliceMove = 1;
constexpr unsigned kSpliceNonblock = 2;
constexpr unsigned kSpliceMore = 4;
constexpr unsigned kSpliceGift = 8;

fs::PipeFile* AsPipe(vfs::FileDescription* f) {
  return dynamic_cast<fs::PipeFile*>(f);
}

// Reads up to `n` bytes from `in` at *off (or its offset when off is null).
int64_t ReadFrom(Task& t, vfs::FileDescription& in, char* buf, uint64_t n,
                 int64_t* off) {
  if (off) {
    int64_t r = in.PRead(buf, n, *off);
    if (r > 0) *off += r;
    return r;
  }
  return in.Read(t, buf, n);
}

int64_t WriteTo(Task& t, vfs::FileDescription& out, const char* buf,
                uint64_t n, int64_t* off, bool nonblock = false) {
  if (nonblock) {
    if (fs::PipeFile* p = AsPipe(&out)) return p->pipe().Write(&t, buf, n, true);
  }
  if (off) {
    int64_t r = out.PWrite(buf, n, *off);
    if (r > 0) *off += r;
    return r;
  }
  return out.Write(t, buf, n);
}

// Copies from a seekable input at `*in_off` (advanced by what the output
// took) to `out`.
int64_t CopySeekable(Task& t, vfs::FileDescription& in, int64_t* in_off,
                     vfs::FileDescription& out, int64_t* out_off,
                     uint64_t len, bool nonblock = false) {
  std::vector<char> buf(std::min(len, kChunk));
  uint64_t done = 0;
  while (done < len) {
    uint64_t want = std::min<uint64_t>(len - done, buf.size());
    int64_t n = in.PRead(buf.data(), want, *in_off);
    if (n < 0) return done ? static_cast<int64_t>(done) : n;
    if (n == 0) break;
    int64_t w = WriteTo(t, out, buf.data(), static_cast<uint64_t>(n), out_off,
                        nonblock);
    if (w < 0) return done ? static_cast<int64_t>(done) : w;
    *in_off += w;
    done += static_cast<uint64_t>(w);
    if (w < n || static_cast<uint64_t>(n) < want) break;
  }
  return static_cast<int64_t>(done);
}

// Copies from the pipe `in` to `out`, consuming only what `out` took.
// Blocks for data like a read unless `nonblock`.
int64_t CopyFromPipe(Task& t, fs::PipeFile& in, vfs::FileDescription& out,
                     int64_t* out_off, uint64_t len, bool nonblock,
                     bool consume) {
  fs::Pipe& p = in.pipe();
  // Wait for data (or EOF) the way a read would, without taking it.
  if (p.Available() == 0) {
    if (p.writers() == 0) return 0;
    if (nonblock) return -EAGAIN;
    vfs::TaskWaiter w(vfs::kReadableEvents | vfs::kEventHup);
    in.EventRegister(&w);
    while (p.Available() == 0 && p.writers() > 0) {
      int64_t r = w.Wait(&t);
      if (r < 0) {
        in.EventUnregister(&w);
        return r;
      }
      w.Reset();
    }
    in.EventUnregister(&w);
    if (p.Available() == 0) return 0;
  }
  std::vector<char> buf(std::min<uint64_t>(len, std::max<uint64_t>(p.Available(), 1)));
  uint64_t n = p.Peek(buf.data(), buf.size(), 0);
  if (n == 0) return 0;
  int64_t w = WriteTo(t, out, buf.data(), n, out_off, nonblock);
  if (w <= 0) return w;
  if (consume) {
    std::vector<char> sink(static_cast<size_t>(w));
    p.Read(&t, sink.data(), sink.size(), true);
  }
  return w;
}

int64_t CopyInOffset(Task& t, uint64_t addr, int64_t* off) {
  if (t.CopyInObj(addr, off) < 0) return -EFAULT;
  return *off < 0 ? -EINVAL : 0;
}

int64_t DoSendfile(Task& t, int out_fd, int in_fd, uint64_t off_addr,
                   uint64_t count, bool off32) {
  auto in = GetFile(t, in_fd);
  auto out = GetFile(t, out_fd);
  if (!in || !in->IsReadable()) return -EBADF;
  if (!out || !out->IsWritable()) return -EBADF;
  if (out->status_flags() & O_APPEND) return -EINVAL;
  count = std::min(count, kMaxRwCount);
  int64_t off = 0;
  if (off_addr) {
    if (off32) {
      int32_t o;
      if (t.CopyInObj(off_addr, &o) < 0) return -EFAULT;
      off = o;
      if (off < 0) return -EINVAL;
    } else {
      int64_t r = CopyInOffset(t, off_addr, &off);
      if (r < 0) return r;
    }
  }
  int64_t r;
  if (auto* p = AsPipe(in.get())) {
    if (off_addr) return -ESPIPE;
    r = CopyFromPipe(t, *p, *out, nullptr, count, in->nonblocking(), true);
  } else {
    int64_t pos = off_addr ? off : in->offset();
    // Check the input is positionable at all.
    char probe;
    int64_t pr = in->PRead(&probe, 0, pos);
    if (pr == -ESPIPE || pr == -EINVAL) return -EINVAL;
    int64_t start = pos;
    r = CopySeekable(t, *in, &pos, *out, nullptr, count);
    if (!off_addr && pos != start) in->Seek(pos, SEEK_SET);
    off = pos;
  }
  if (off_addr && r >= 0) {
    if (off32) {
      int32_t o = static_cast<int32_t>(off);
      if (t.CopyOutObj(off_addr, o) < 0) return -EFAULT;
    } else if (t.CopyOutObj(off_addr, off) < 0) {
      return -EFAULT;
    }
  }
  return r;
}

}  // namespace

int64_t SysSendfile(Task& t, const SyscallArgs& a) {
  return RaiseSigpipe(
      t, DoSendfile(t, a.Int(0), a.Int(1), a.Ptr(2), a.Size(3), false));
}

int64_t SysSendfileI386(Task& t, const SyscallArgs& a) {
  return RaiseSigpipe(
      t, DoSendfile(t, a.Int(0), a.Int(1), a.Ptr(2), a.Size(3), true));
}

int64_t SysSendfile64I386(Task& t, const SyscallArgs& a) {
  return RaiseSigpipe(
      t, DoSendfile(t, a.Int(0), a.Int(1), a.Ptr(2), a.Size(3), false));
}

// splice(fd_in, off_in, fd_out, off_out, len, flags).
int64_t DoSplice(Task& t, const SyscallArgs& a);

int64_t SysSplice(Task& t, const SyscallArgs& a) {
  return RaiseSigpipe(t, DoSplice(t, a));
}

int64_t DoSplice(Task& t, const SyscallArgs& a) {
  unsigned flags = a.UInt(5);
  if (flags & ~(kSpliceMove | kSpliceNonblock | kSpliceMore | kSpliceGift)) {
    return -EINVAL;
  }
  auto in = GetFile(t, a.Int(0));
  auto out = GetFile(t, a.Int(2));
  if (!in || !out) return -EBADF;
  uint64_t len = std::min<uint64_t>(a.Size(4), kMaxRwCount);
  fs::PipeFile* pin = AsPipe(in.get());
  fs::PipeFile* pout = AsPipe(out.get());
  if (!pin && !pout) return -EINVAL;
  if (!in->IsReadable() || !out->IsWritable()) return -EBADF;
  if (pin && a.Ptr(1)) return -ESPIPE;
  if (pout && a.Ptr(3)) return -ESPIPE;
  if (pin && pout && &pin->pipe() == &pout->pipe()) return -EINVAL;
  if (!pout && (out->status_flags() & O_APPEND)) return -EINVAL;
  if (len == 0) return 0;
  const bool nonblock = flags & kSpliceNonblock;
  int64_t out_off = 0, in_off = 0;
  if (a.Ptr(3)) {
    int64_t r = CopyInOffset(t, a.Ptr(3), &out_off);
    if (r < 0) return r;
  }
  if (a.Ptr(1)) {
    int64_t r = CopyInOffset(t, a.Ptr(1), &in_off);
    if (r < 0) return r;
  }
  int64_t r;
  if (auto* sock = dynamic_cast<socket::Socket*>(in.get()); sock && pout) {
    // A socket into a pipe: one receive of what the pipe has room for (at
    // least a page), as Linux's splice_read of a socket; a full pipe then
    // blocks the write like any pipe write.
    if (a.Ptr(1)) return -ESPIPE;
    fs::Pipe& p = pout->pipe();
    uint64_t room = p.Capacity() > p.Available() ? p.Capacity() - p.Available() : 0;
    std::vector<char> buf(std::min<uint64_t>(len, std::max<uint64_t>(room, 4096)));
    socket::RecvResult res;
    int rflags = (nonblock || in->nonblocking()) ? MSG_DONTWAIT : 0;
    r = sock->RecvMsg(t, buf.data(), buf.size(), rflags, &res);
    if (r < 0) return r;
    if (res.len == 0) return 0;
    return WriteTo(t, *out, buf.data(), res.len, nullptr, false);
  }
  if (pin) {
    // The write side of a pipe output honours SPLICE_F_NONBLOCK too; a
    // non-blocking pipe write is what the flag asks for.
    r = CopyFromPipe(t, *pin, *out, a.Ptr(3) ? &out_off : nullptr, len,
                     nonblock || in->nonblocking(), true);
  } else {
    int64_t pos = a.Ptr(1) ? in_off : in->offset();
    int64_t start = pos;
    r = CopySeekable(t, *in, &pos, *out, nullptr, len, nonblock);
    if (!a.Ptr(1) && pos != start) in->Seek(pos, SEEK_SET);
    in_off = pos;
  }
  if (r < 0) return r;
  if (a.Ptr(1) && t.CopyOutObj(a.Ptr(1), in_off) < 0) return -EFAULT;
  if (a.Ptr(3) && t.CopyOutObj(a.Ptr(3), out_off) < 0) return -EFAULT;
  return r;
}

// tee(fd_in, fd_out, len, flags): duplicates pipe data without consuming.
int64_t SysTee(Task& t, const SyscallArgs& a) {
  unsigned flags = a.UInt(3);
  if (flags & ~(kSpliceMove | kSpliceNonblock | kSpliceMore | kSpliceGift)) {
    return -EINVAL;
  }
  auto in = GetFile(t, a.Int(0));
  auto out = GetFile(t, a.Int(1));
  if (!in || !out) return -EBADF;
  fs::PipeFile* pin = AsPipe(in.get());
  fs::PipeFile* pout = AsPipe(out.get());
  if (!pin || !pout) return -EINVAL;
  if (!in->IsReadable() || !out->IsWritable()) return -EBADF;
  if (&pin->pipe() == &pout->pipe()) return -EINVAL;
  uint64_t len = std::min<uint64_t>(a.Size(2), kMaxRwCount);
  if (len == 0) return 0;
  return RaiseSigpipe(t, CopyFromPipe(t, *pin, *out, nullptr, len,
                                      (flags & kSpliceNonblock) != 0, false));
}

// copy_file_range(fd_in, off_in, fd_out, off_out, len, flags).
int64_t SysCopyFileRange(Task& t, const SyscallArgs& a) {
  if (a.UInt(5) != 0) return -EINVAL;
  auto in = GetFile(t, a.Int(0));
  auto out = GetFile(t, a.Int(2));
  if (!in || !out) return -EBADF;
  if (!in->IsReadable() || !out->IsWritable()) return -EBADF;
  if (out->status_flags() & O_APPEND) return -EBADF;
  uapi::Stat sin, sout;
  int64_t r = in->Stat(&sin);
  if (r < 0) return r;
  r = out->Stat(&sout);
  if (r < 0) return r;
  if (S_ISDIR(sin.st_mode) || S_ISDIR(sout.st_mode)) return -EISDIR;
  if (!S_ISREG(sin.st_mode) || !S_ISREG(sout.st_mode)) return -EINVAL;
  int64_t in_off = in->offset(), out_off = out->offset();
  if (a.Ptr(1)) {
    r = CopyInOffset(t, a.Ptr(1), &in_off);
    if (r < 0) return r;
  }
  if (a.Ptr(3)) {
    r = CopyInOffset(t, a.Ptr(3), &out_off);
    if (r < 0) return r;
  }
  uint64_t len = std::min<uint64_t>(a.Size(4), kMaxRwCount);
  int64_t end;
  if (__builtin_add_overflow(in_off, static_cast<int64_t>(len), &end) ||
      __builtin_add_overflow(out_off, static_cast<int64_t>(len), &end)) {
    return -EOVERFLOW;
  }
  if (sin.st_dev == sout.st_dev && sin.st_ino == sout.st_ino &&
      in_off < out_off + static_cast<int64_t>(len) &&
      out_off < in_off + static_cast<int64_t>(len)) {
    return -EINVAL;
  }
  if (len == 0) return 0;
  int64_t in_start = in_off;
  // Without an output offset the write goes through the file offset (and
  // so works for files whose offset the host keeps, like stdio).
  r = CopySeekable(t, *in, &in_off, *out, a.Ptr(3) ? &out_off : nullptr, len);
  if (r < 0) return r;
  if (a.Ptr(1)) {
    if (t.CopyOutObj(a.Ptr(1), in_off) < 0) return -EFAULT;
  } else if (in_off != in_start) {
    in->Seek(in_off, SEEK_SET);
  }
  if (a.Ptr(3) && t.CopyOutObj(a.Ptr(3), out_off) < 0) return -EFAULT;
  return r;
}

}  // namespace sentry
