// The working directory and directory listing.
#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "abi/linux/dirent.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/sys_file.h"
#include "sentry/syscalls/sys_file_util.h"
#include "sentry/vfs/dentry.h"
#include "sentry/vfs/fs_context.h"
#include "sentry/vfs/vfs.h"

namespace sentry {

namespace {

// Largest sentry buffer one getdents call fills (glibc asks for 32 KiB).
constexpr uint64_t kMaxDirentBuf = 1 << 20;

int64_t SetCwdChecked(Task& t, const vfs::VirtualDentry& vd) {
  if (!vd.dentry->IsDir()) return -ENOTDIR;
  uapi::Stat st;
  int64_t r = vd.dentry->Stat(&st);
  if (r < 0) return r;
  r = vfs::CheckPermission(FileCredentials(t), st.st_mode, st.st_uid,
                           st.st_gid, vfs::kMayExec);
  if (r < 0) return r;
  t.fs().SetCwd(vd);
  return 0;
}

// Reads linux_dirent64 records from the directory at `fd` into a sentry
// buffer of at most `count` bytes.
int64_t ReadDirents64(Task& t, int fd, uint64_t count, std::vector<char>* buf) {
  auto f = GetFile(t, fd);
  if (!f) return -EBADF;
  buf->resize(std::min(count, kMaxDirentBuf));
  return f->Getdents64(buf->data(), buf->size());
}

// Re-encodes linux_dirent64 records as the old linux_dirent (amd64) or
// compat_linux_dirent (i386). Both are never larger than the dirent64 form,
// so everything read fits in `count`.
int64_t ConvertDirents(const std::vector<char>& in, int64_t n, bool compat,
                       std::vector<char>* out) {
  out->assign(static_cast<size_t>(n), 0);
  size_t ipos = 0, opos = 0;
  while (ipos < static_cast<size_t>(n)) {
    uapi::Dirent64 hdr;
    std::memcpy(&hdr, in.data() + ipos, uapi::kDirent64NameOffset);
    const char* name = in.data() + ipos + uapi::kDirent64NameOffset;
    size_t len = strnlen(name, hdr.d_reclen - uapi::kDirent64NameOffset);
    char* rec = out->data() + opos;
    size_t reclen;
    if (compat) {
      if (hdr.d_ino > 0xffffffffu) return -EOVERFLOW;
      reclen = uapi::Dirent32RecLen(len);
      uint32_t ino = static_cast<uint32_t>(hdr.d_ino);
      int32_t off = static_cast<int32_t>(hdr.d_off);
      uint16_t rl = static_cast<uint16_t>(reclen);
      std::memcpy(rec, &ino, 4);
      std::memcpy(rec + 4, &off, 4);
      std::memcpy(rec + 8, &rl, 2);
      std::memcpy(rec + uapi::kDirent32NameOffset, name, len);
    } else {
      reclen = uapi::DirentRecLen(len);
      uint16_t rl = static_cast<uint16_t>(reclen);
      std::memcpy(rec, &hdr.d_ino, 8);
      std::memcpy(rec + 8, &hdr.d_off, 8);
      std::memcpy(rec + 16, &rl, 2);
      std::memcpy(rec + uapi::kDirentNameOffset, name, len);
    }
    rec[reclen - 1] = static_cast<char>(hdr.d_type);
    opos += reclen;
    ipos += hdr.d_reclen;
  }
  return static_cast<int64_t>(opos);
}

int64_t DoGetdentsOld(Task& t, const SyscallArgs& a, bool compat) {
  std::vector<char> buf;
  int64_t n = ReadDirents64(t, a.Int(0), a.UInt(2), &buf);
  if (n <= 0) return n;
  std::vector<char> out;
  int64_t m = ConvertDirents(buf, n, compat, &out);
  if (m < 0) return m;
  if (t.CopyOut(a.Ptr(1), out.data(), static_cast<uint64_t>(m)) < 0) {
    return -EFAULT;
  }
  return m;
}

}  // namespace

int64_t SysGetcwd(Task& t, const SyscallArgs& a) {
  // The working directory was removed: Linux's getcwd fails.
  if (t.fs().cwd().dentry->IsDeleted()) return -ENOENT;
  bool reachable = true;
  std::string path =
      vfs::VirtualFilesystem::PathOf(t.fs().root(), t.fs().cwd(), &reachable);
  if (!reachable) path = "(unreachable)" + path;
  uint64_t len = path.size() + 1;
  if (len > a.Size(1)) return -ERANGE;
  if (t.CopyOut(a.Ptr(0), path.c_str(), len) < 0) return -EFAULT;
  return static_cast<int64_t>(len);
}

int64_t SysChdir(Task& t, const SyscallArgs& a) {
  std::string path;
  int64_t r = CopyInPath(t, a.Ptr(0), &path);
  if (r < 0) return r;
  if (path.empty()) return -ENOENT;
  vfs::VirtualDentry vd;
  r = t.kernel().vfs().GetDentryAt(t.fs().root(), t.fs().cwd(), path,
                                   vfs::LookupOptions{}, FileCredentials(t),
                                   &vd);
  if (r < 0) return r;
  return SetCwdChecked(t, vd);
}

int64_t SysFchdir(Task& t, const SyscallArgs& a) {
  auto f = GetFile(t, a.Int(0));
  if (!f) return -EBADF;
  if (!f->location().ok()) return -ENOTDIR;
  return SetCwdChecked(t, f->location());
}

int64_t SysGetdents64(Task& t, const SyscallArgs& a) {
  auto f = GetFile(t, a.Int(0));
  if (!f) return -EBADF;
  // The records are built in a sentry buffer that is never zero-filled
  // (each record is written whole, padding included) and, up to 64 KiB
  // (glibc's readdir asks for 32 KiB), reused per sentry thread.
  constexpr uint64_t kCached = 64 * 1024;
  const uint64_t size = std::min<uint64_t>(a.UInt(2), kMaxDirentBuf);
  thread_local std::unique_ptr<char[]> cached;
  std::unique_ptr<char[]> owned;
  char* buf;
  if (size <= kCached) {
    if (!cached) cached.reset(new char[kCached]);
    buf = cached.get();
  } else {
    owned.reset(new char[size]);
    buf = owned.get();
  }
  int64_t n = f->Getdents64(buf, size);
  if (n <= 0) return n;
  if (t.CopyOut(a.Ptr(1), buf, static_cast<uint64_t>(n)) < 0) {
    return -EFAULT;
  }
  return n;
}

int64_t SysGetdents(Task& t, const SyscallArgs& a) {
  return DoGetdentsOld(t, a, false);
}

int64_t SysGetdentsI386(Task& t, const SyscallArgs& a) {
  return DoGetdentsOld(t, a, true);
}

}  // namespace sentry
