#include "sentry/fs/anon/inotify.h"

#include <sys/ioctl.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "sentry/kernel/task.h"
#include "sentry/vfs/dentry.h"

namespace sentry::fs {

namespace {

constexpr uint64_t kEventHeader = 16;       // struct inotify_event
constexpr size_t kMaxQueuedEvents = 16384;  // max_queued_events

}  // namespace

InotifyFile::InotifyFile(int status_flags) : AnonFile(status_flags, "inotify") {}

InotifyFile::~InotifyFile() { vfs::fsnotify::RemoveWatcher(this); }

uint64_t InotifyFile::Size(const Ev& e) {
  // The name is NUL-terminated and padded to a multiple of the header.
  uint64_t len = e.name.empty()
                     ? 0
                     : (e.name.size() + 1 + kEventHeader - 1) / kEventHeader *
                           kEventHeader;
  return kEventHeader + len;
}

void InotifyFile::PurgeLocked() {
  std::vector<int> dead;
  {
    absl::MutexLock l(&ev_mu_);
    dead.swap(dead_wds_);
  }
  for (int wd : dead) {
    auto it = watches_.find(wd);
    if (it == watches_.end()) continue;
    for (auto b = by_inode_.begin(); b != by_inode_.end(); ++b) {
      if (b->second == wd) {
        by_inode_.erase(b);
        break;
      }
    }
    watches_.erase(it);
  }
}

int64_t InotifyFile::AddWatch(const std::shared_ptr<vfs::Dentry>& d,
                              uint32_t mask) {
  vfs::fsnotify::InodeKey key;
  if (!vfs::fsnotify::KeyOf(*d, &key)) return -ENOENT;
  absl::MutexLock l(&mu_);
  PurgeLocked();
  auto it = by_inode_.find(key);
  if (it != by_inode_.end()) {
    if (mask & vfs::kInMaskCreate) return -EEXIST;
    int wd = it->second;
    vfs::fsnotify::AddWatch(d, this, wd, mask);
    return wd;
  }
  int wd = next_wd_++;
  watches_[wd] = d;
  by_inode_[key] = wd;
  vfs::fsnotify::AddWatch(d, this, wd, mask);
  return wd;
}

int64_t InotifyFile::RemoveWatch(int wd) {
  std::shared_ptr<vfs::Dentry> d;
  {
    absl::MutexLock l(&mu_);
    PurgeLocked();
    auto it = watches_.find(wd);
    if (it == watches_.end()) return -EINVAL;
    d = it->second;
    watches_.erase(it);
    for (auto b = by_inode_.begin(); b != by_inode_.end(); ++b) {
      if (b->second == wd) {
        by_inode_.erase(b);
        break;
      }
    }
  }
  // A watch already dropped by its dentry's removal (IN_IGNORED sent) is
  // gone from the registry too.
  if (!vfs::fsnotify::RemoveWatch(d, this)) return -EINVAL;
  return 0;
}

void InotifyFile::Event(int wd, uint32_t mask, uint32_t cookie,
                        const std::string& name) {
  {
    absl::MutexLock l(&ev_mu_);
    if (!events_.empty()) {
      // Identical consecutive events merge, as Linux's do.
      const Ev& last = events_.back();
      if (last.wd == wd && last.mask == mask && last.cookie == cookie &&
          last.name == name) {
        return;
      }
    }
    if (events_.size() >= kMaxQueuedEvents) {
      if (events_.back().mask != vfs::kInQOverflow) {
        Ev ov{-1, vfs::kInQOverflow, 0, ""};
        bytes_ += Size(ov);
        events_.push_back(ov);
      }
    } else {
      Ev e{wd, mask, cookie, name};
      bytes_ += Size(e);
      events_.push_back(std::move(e));
    }
    // The watch is gone (rm_watch, one-shot, or its file was removed);
    // the wd map is cleaned at the next add or remove (mu_ comes before
    // the registry lock we are called under).
    if (mask & vfs::kInIgnored) dead_wds_.push_back(wd);
    ev_cv_.SignalAll();
  }
  Notify(vfs::kReadableEvents);
}

int64_t InotifyFile::Read(Task& t, void* buf, uint64_t n) {
  std::vector<Ev> out;
  {
    absl::MutexLock l(&ev_mu_);
    if (events_.empty()) {
      if (nonblocking()) return -EAGAIN;
      int64_t r = vfs::BlockTask(&t, &ev_mu_, &ev_cv_,
                                 [this]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
                                   return !events_.empty();
                                 });
      if (r < 0) return r;
    }
    if (Size(events_.front()) > n) return -EINVAL;
    uint64_t used = 0;
    while (!events_.empty() && used + Size(events_.front()) <= n) {
      used += Size(events_.front());
      bytes_ -= Size(events_.front());
      out.push_back(std::move(events_.front()));
      events_.pop_front();
    }
  }
  char* p = static_cast<char*>(buf);
  uint64_t used = 0;
  for (const Ev& e : out) {
    uint64_t size = Size(e);
    std::memset(p + used, 0, size);
    int32_t wd = e.wd;
    uint32_t len = static_cast<uint32_t>(size - kEventHeader);
    std::memcpy(p + used, &wd, 4);
    std::memcpy(p + used + 4, &e.mask, 4);
    std::memcpy(p + used + 8, &e.cookie, 4);
    std::memcpy(p + used + 12, &len, 4);
    std::memcpy(p + used + kEventHeader, e.name.data(), e.name.size());
    used += size;
  }
  return static_cast<int64_t>(used);
}

int64_t InotifyFile::Ioctl(Task& t, uint64_t cmd, uint64_t arg) {
  if (cmd != FIONREAD) return -ENOTTY;
  int avail;
  {
    absl::MutexLock l(&ev_mu_);
    avail = static_cast<int>(bytes_);
  }
  return t.CopyOutObj(arg, avail) < 0 ? -EFAULT : 0;
}

vfs::EventMask InotifyFile::Readiness(vfs::EventMask mask) {
  absl::MutexLock l(&ev_mu_);
  return events_.empty() ? 0 : (mask & vfs::kReadableEvents);
}

}  // namespace sentry::fs
