#include "sentry/vfs/directory_file.h"

#include <cerrno>
#include <cstring>
#include <utility>

#include "abi/linux/dirent.h"
#include "sentry/vfs/dentry.h"
#include "sentry/vfs/mount.h"

namespace sentry::vfs {

DirectoryFileDescription::DirectoryFileDescription(int status_flags)
    : FileDescription(status_flags) {}

int64_t DirectoryFileDescription::Snapshot() {
  std::vector<DirEntry> list;
  uapi::Stat st;
  int64_t r = Stat(&st);
  if (r < 0) return r;
  uint64_t dotdot_ino = st.st_ino;
  const VirtualDentry& vd = location();
  if (vd.ok()) {
    // ".." is the parent within the same filesystem, or the mountpoint's
    // parent for the root of a mount; the directory itself at the top.
    std::shared_ptr<Dentry> parent = vd.dentry->parent();
    if (!parent && vd.mount->mountpoint()) {
      parent = vd.mount->mountpoint()->parent();
      if (!parent) parent = vd.mount->mountpoint();
    }
    uapi::Stat pst;
    if (parent && parent->Stat(&pst) == 0) dotdot_ino = pst.st_ino;
  }
  list.push_back({".", st.st_ino, uapi::kDtDir});
  list.push_back({"..", dotdot_ino, uapi::kDtDir});
  r = ListEntries(&list);
  if (r < 0) return r;
  entries_ = std::move(list);
  have_snapshot_ = true;
  return 0;
}

int64_t DirectoryFileDescription::Seek(int64_t off, int whence) {
  absl::MutexLock l(&pos_mu_);
  int64_t result;
  switch (whence) {
    case SEEK_SET:
      result = off;
      break;
    case SEEK_CUR:
      if (__builtin_add_overflow(pos_, off, &result)) return -EINVAL;
      break;
    default:
      return -EINVAL;
  }
  if (result < 0) return -EINVAL;
  pos_ = result;
  // Rewinding forgets the snapshot: the next read lists afresh.
  if (result == 0) {
    have_snapshot_ = false;
    entries_.clear();
  }
  return result;
}

int64_t DirectoryFileDescription::Getdents64(void* buf, uint64_t n) {
  // A removed directory lists nothing at all (IS_DEADDIR).
  if (location().ok() && location().dentry->IsDeleted()) return -ENOENT;
  absl::MutexLock l(&pos_mu_);
  if (!have_snapshot_ || pos_ == 0) {
    int64_t r = Snapshot();
    if (r < 0) return r;
  }
  auto* out = static_cast<char*>(buf);
  uint64_t used = 0;
  while (pos_ >= 0 && static_cast<uint64_t>(pos_) < entries_.size()) {
    const DirEntry& e = entries_[static_cast<size_t>(pos_)];
    size_t reclen = uapi::Dirent64RecLen(e.name.size());
    if (used + reclen > n) {
      if (used == 0) return -EINVAL;  // not even one record fits
      break;
    }
    char* rec = out + used;
    std::memset(rec, 0, reclen);
    uapi::Dirent64 hdr{};
    hdr.d_ino = e.ino;
    hdr.d_off = pos_ + 1;
    hdr.d_reclen = static_cast<uint16_t>(reclen);
    hdr.d_type = e.type;
    std::memcpy(rec, &hdr, uapi::kDirent64NameOffset);
    std::memcpy(rec + uapi::kDirent64NameOffset, e.name.data(), e.name.size());
    used += reclen;
    ++pos_;
  }
  return static_cast<int64_t>(used);
}

}  // namespace sentry::vfs
