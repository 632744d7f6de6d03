#include "sentry/vfs/fd_table.h"

#include <algorithm>
#include <cerrno>
#include <utility>

#include "sentry/vfs/file_description.h"
#include "sentry/vfs/lock.h"

namespace sentry::vfs {

FdTable::FdTable() = default;

FdTable::~FdTable() { LockManager::Get().ReleaseOwner(this); }

void FdTable::Released(const std::shared_ptr<FileDescription>& f) {
  // Closing any fd of a file drops this table's record locks on it.
  if (f) LockManager::Get().ReleaseOnClose(this, *f);
}

int64_t FdTable::FindFree(int min_fd, uint64_t limit) const {
  uint64_t lim = std::min(limit, kNrOpen);
  // Nothing below first_free_ is free.
  size_t start = std::max(static_cast<size_t>(std::max(min_fd, 0)), first_free_);
  for (size_t fd = start; fd < lim; ++fd) {
    if (fd >= entries_.size() || !entries_[fd].file) {
      return static_cast<int64_t>(fd);
    }
  }
  return -1;
}

std::shared_ptr<FileDescription> FdTable::SetLocked(
    int fd, std::shared_ptr<FileDescription> f, bool cloexec) {
  size_t i = static_cast<size_t>(fd);
  if (i >= entries_.size()) {
    entries_.resize(std::max(i + 1, entries_.size() * 2));
  }
  std::shared_ptr<FileDescription> old = std::move(entries_[i].file);
  if (!old && f) ++count_;
  if (old && !f) --count_;
  entries_[i].file = std::move(f);
  entries_[i].cloexec = entries_[i].file ? cloexec : false;
  if (entries_[i].file) {
    if (i == first_free_) {
      while (first_free_ < entries_.size() && entries_[first_free_].file) {
        ++first_free_;
      }
    }
  } else if (i < first_free_) {
    first_free_ = i;
  }
  return old;
}

int64_t FdTable::Install(std::shared_ptr<FileDescription> file, bool cloexec,
                         uint64_t limit, int min_fd) {
  absl::MutexLock l(&mu_);
  int64_t fd = FindFree(min_fd, limit);
  if (fd < 0) return -EMFILE;
  SetLocked(static_cast<int>(fd), std::move(file), cloexec);
  return fd;
}

int64_t FdTable::InstallAt(int fd, std::shared_ptr<FileDescription> file,
                           bool cloexec, uint64_t limit) {
  if (fd < 0 || static_cast<uint64_t>(fd) >= std::min(limit, kNrOpen)) {
    return -EBADF;
  }
  std::shared_ptr<FileDescription> old;
  {
    absl::MutexLock l(&mu_);
    old = SetLocked(fd, std::move(file), cloexec);
  }
  Released(old);
  // `old` is released here, outside the lock.
  return fd;
}

std::shared_ptr<FileDescription> FdTable::Get(int fd, bool* cloexec) const {
  absl::ReaderMutexLock l(&mu_);
  if (fd < 0 || static_cast<size_t>(fd) >= entries_.size()) return nullptr;
  const Entry& e = entries_[static_cast<size_t>(fd)];
  if (cloexec) *cloexec = e.cloexec;
  return e.file;
}

std::shared_ptr<FileDescription> FdTable::Remove(int fd) {
  std::shared_ptr<FileDescription> old;
  {
    absl::MutexLock l(&mu_);
    if (fd < 0 || static_cast<size_t>(fd) >= entries_.size()) return nullptr;
    if (!entries_[static_cast<size_t>(fd)].file) return nullptr;
    old = SetLocked(fd, nullptr, false);
  }
  Released(old);
  return old;
}

int64_t FdTable::Close(int fd) {
  std::shared_ptr<FileDescription> old = Remove(fd);
  return old ? 0 : -EBADF;
}

int64_t FdTable::Dup(int oldfd, int min_fd, bool cloexec, uint64_t limit) {
  absl::MutexLock l(&mu_);
  if (oldfd < 0 || static_cast<size_t>(oldfd) >= entries_.size() ||
      !entries_[static_cast<size_t>(oldfd)].file) {
    return -EBADF;
  }
  int64_t fd = FindFree(min_fd, limit);
  if (fd < 0) return -EMFILE;
  SetLocked(static_cast<int>(fd), entries_[static_cast<size_t>(oldfd)].file,
            cloexec);
  return fd;
}

int64_t FdTable::Dup2(int oldfd, int newfd, bool cloexec, uint64_t limit) {
  std::shared_ptr<FileDescription> old;
  {
    absl::MutexLock l(&mu_);
    if (oldfd < 0 || static_cast<size_t>(oldfd) >= entries_.size() ||
        !entries_[static_cast<size_t>(oldfd)].file) {
      return -EBADF;
    }
    if (newfd < 0 || static_cast<uint64_t>(newfd) >= std::min(limit, kNrOpen)) {
      return -EBADF;
    }
    old = SetLocked(newfd, entries_[static_cast<size_t>(oldfd)].file, cloexec);
  }
  Released(old);
  return newfd;
}

int64_t FdTable::SetCloseOnExec(int fd, bool cloexec) {
  absl::MutexLock l(&mu_);
  if (fd < 0 || static_cast<size_t>(fd) >= entries_.size() ||
      !entries_[static_cast<size_t>(fd)].file) {
    return -EBADF;
  }
  entries_[static_cast<size_t>(fd)].cloexec = cloexec;
  return 0;
}

void FdTable::CloseRange(unsigned first, unsigned last, bool only_cloexec) {
  std::vector<std::shared_ptr<FileDescription>> closed;
  {
    absl::MutexLock l(&mu_);
    size_t end = std::min<size_t>(entries_.size(),
                                  static_cast<size_t>(last) + 1);
    for (size_t fd = first; fd < end; ++fd) {
      if (!entries_[fd].file) continue;
      if (only_cloexec) {
        entries_[fd].cloexec = true;
      } else {
        closed.push_back(SetLocked(static_cast<int>(fd), nullptr, false));
      }
    }
  }
  for (const auto& f : closed) Released(f);
}

void FdTable::CloseOnExec() {
  std::vector<std::shared_ptr<FileDescription>> closed;
  {
    absl::MutexLock l(&mu_);
    for (size_t fd = 0; fd < entries_.size(); ++fd) {
      if (entries_[fd].file && entries_[fd].cloexec) {
        closed.push_back(SetLocked(static_cast<int>(fd), nullptr, false));
      }
    }
  }
  for (const auto& f : closed) Released(f);
  // `closed` is released here, outside the lock.
}

void FdTable::CloseAll() {
  std::vector<Entry> old;
  {
    absl::MutexLock l(&mu_);
    old.swap(entries_);
    count_ = 0;
    first_free_ = 0;
  }
  LockManager::Get().ReleaseOwner(this);
}

std::shared_ptr<FdTable> FdTable::Fork() const {
  auto copy = std::make_shared<FdTable>();
  absl::ReaderMutexLock l(&mu_);
  absl::MutexLock cl(&copy->mu_);
  copy->entries_ = entries_;
  copy->count_ = count_;
  copy->first_free_ = first_free_;
  return copy;
}

std::vector<int> FdTable::Fds() const {
  std::vector<int> out;
  absl::ReaderMutexLock l(&mu_);
  for (size_t fd = 0; fd < entries_.size(); ++fd) {
    if (entries_[fd].file) out.push_back(static_cast<int>(fd));
  }
  return out;
}

size_t FdTable::Count() const {
  absl::ReaderMutexLock l(&mu_);
  return count_;
}

}  // namespace sentry::vfs
