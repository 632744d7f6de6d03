#include "sentry/kernel/pidfd.h"

#include <fcntl.h>

#include <cstring>

#include "sentry/kernel/kernel.h"
#include "sentry/kernel/thread_group.h"

namespace sentry {

namespace {
constexpr uint64_t kAnonInodeDev = 0x0e;  // makedev(0, 14)
}  // namespace

PidFdFile::PidFdFile(std::shared_ptr<ThreadGroup> tg, int flags)
    : FileDescription(O_RDWR | (flags & O_NONBLOCK)),
      tg_(tg),
      pid_(tg->tgid()),
      exit_queue_(tg->exit_queue) {}

int64_t PidFdFile::Stat(uapi::Stat* st) {
  std::memset(st, 0, sizeof(*st));
  st->st_dev = kAnonInodeDev;
  st->st_ino = static_cast<uint64_t>(pid_);
  st->st_nlink = 1;
  st->st_mode = 0600;
  st->st_blksize = 4096;
  return 0;
}

vfs::EventMask PidFdFile::Readiness(vfs::EventMask mask) {
  // pidfd_poll(): readable once the whole process has exited.
  std::shared_ptr<ThreadGroup> tg = tg_.lock();
  const bool exited = !tg || tg->exited.load(std::memory_order_acquire);
  return exited ? (mask & vfs::kReadableEvents) : 0;
}

void PidFdFile::EventRegister(vfs::WaitEntry* e) { exit_queue_->Register(e); }
void PidFdFile::EventUnregister(vfs::WaitEntry* e) {
  exit_queue_->Unregister(e);
}

}  // namespace sentry
