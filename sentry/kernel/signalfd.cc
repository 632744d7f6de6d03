#include "sentry/kernel/signalfd.h"

#include <fcntl.h>
#include <signal.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>

#include "sentry/kernel/signals.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/thread_group.h"

namespace sentry {

namespace {

// anon_inode_fs: every anonymous-inode file shares one inode.
constexpr uint64_t kAnonInodeDev = 0x0e;  // makedev(0, 14)
constexpr uint64_t kAnonInodeIno = 1;

// The signalfds of each process, to tell them about new signals; the count
// spares signal senders the lock when there are none.
std::atomic<int> registry_size{0};
absl::Mutex registry_mu(absl::kConstInit);
std::multimap<ThreadGroup*, SignalFdFile*>& Registry() {
  static auto* r = new std::multimap<ThreadGroup*, SignalFdFile*>;
  return *r;
}

bool IsFaultSignal(int sig) {
  return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE ||
         sig == SIGTRAP;
}

}  // namespace

SignalfdSiginfo ToSignalfdSiginfo(const uapi::Siginfo& in) {
  SignalfdSiginfo out;
  std::memset(&out, 0, sizeof(out));
  out.ssi_signo = static_cast<uint32_t>(in.si_signo);
  out.ssi_errno = in.si_errno;
  out.ssi_code = in.si_code;
  // siginfo_layout(): signal-specific layouts for kernel codes, the timer
  // and rt layouts for negative codes, kill's for SI_USER and SI_KERNEL.
  const int code = in.si_code;
  const int sig = in.si_signo;
  if (code > SI_USER && code < SI_KERNEL) {
    if (IsFaultSignal(sig)) {
      out.ssi_addr = in.sigfault.addr;
      out.ssi_addr_lsb = static_cast<uint16_t>(in.sigfault.addr_lsb);
    } else if (sig == SIGCHLD) {
      out.ssi_pid = static_cast<uint32_t>(in.sigchld.pid);
      out.ssi_uid = in.sigchld.uid;
      out.ssi_status = in.sigchld.status;
      out.ssi_utime = static_cast<uint64_t>(in.sigchld.utime);
      out.ssi_stime = static_cast<uint64_t>(in.sigchld.stime);
    } else if (sig == SIGIO) {
      out.ssi_band = static_cast<uint32_t>(in.sigpoll.band);
      out.ssi_fd = in.sigpoll.fd;
    } else if (sig == SIGSYS) {
      out.ssi_call_addr = in.sigsys.call_addr;
      out.ssi_syscall = in.sigsys.syscall;
      out.ssi_arch = in.sigsys.arch;
    } else {
      out.ssi_pid = static_cast<uint32_t>(in.kill.pid);
      out.ssi_uid = in.kill.uid;
    }
  } else if (code == SI_TIMER) {
    out.ssi_tid = static_cast<uint32_t>(in.timer.tid);
    out.ssi_overrun = static_cast<uint32_t>(in.timer.overrun);
    out.ssi_ptr = in.timer.sigval.sival_ptr;
    out.ssi_int = in.timer.sigval.sival_int;
  } else if (code < 0) {
    out.ssi_pid = static_cast<uint32_t>(in.rt.pid);
    out.ssi_uid = in.rt.uid;
    out.ssi_ptr = in.rt.sigval.sival_ptr;
    out.ssi_int = in.rt.sigval.sival_int;
  } else {
    out.ssi_pid = static_cast<uint32_t>(in.kill.pid);
    out.ssi_uid = in.kill.uid;
  }
  return out;
}

SignalFdFile::SignalFdFile(std::shared_ptr<Task> owner, uapi::Sigset mask,
                           int flags)
    : FileDescription(O_RDWR | (flags & O_NONBLOCK)),
      owner_(owner),
      group_(&owner->thread_group()),
      mask_(mask & ~kUnblockableSignals) {
  absl::MutexLock l(&registry_mu);
  Registry().emplace(group_, this);
  registry_size.fetch_add(1, std::memory_order_relaxed);
}

SignalFdFile::~SignalFdFile() {
  absl::MutexLock l(&registry_mu);
  auto [lo, hi] = Registry().equal_range(group_);
  for (auto it = lo; it != hi; ++it) {
    if (it->second == this) {
      Registry().erase(it);
      registry_size.fetch_sub(1, std::memory_order_relaxed);
      break;
    }
  }
}

uapi::Sigset SignalFdFile::mask() const {
  absl::MutexLock l(&mu_);
  return mask_;
}

void SignalFdFile::set_mask(uapi::Sigset mask) {
  {
    absl::MutexLock l(&mu_);
    mask_ = mask & ~kUnblockableSignals;
  }
  // Signals already pending may match the new mask.
  Notify();
}

int64_t SignalFdFile::Read(Task& t, void* buf, uint64_t n) {
  const uint64_t max = n / sizeof(SignalfdSiginfo);
  if (max == 0) return -EINVAL;
  auto* out = static_cast<SignalfdSiginfo*>(buf);
  uint64_t got = 0;
  while (got < max) {
    const uapi::Sigset set = mask();
    uapi::Siginfo info;
    if (t.DequeueSignal(set, &info)) {
      out[got++] = ToSignalfdSiginfo(info);
      continue;
    }
    // Only the first record is waited for.
    if (got > 0) break;
    if (nonblocking()) return -EAGAIN;
    absl::Mutex mu;
    absl::CondVar cv;
    absl::MutexLock l(&mu);
    const int64_t r =
        t.Block(&mu, &cv, [&] { return (t.PendingSet() & mask()) != 0; });
    if (r < 0) return r;  // -ERESTARTSYS: a handler or a kill comes first
  }
  return static_cast<int64_t>(got * sizeof(SignalfdSiginfo));
}

int64_t SignalFdFile::Stat(uapi::Stat* st) {
  std::memset(st, 0, sizeof(*st));
  st->st_dev = kAnonInodeDev;
  st->st_ino = kAnonInodeIno;
  st->st_nlink = 1;
  st->st_mode = 0600;  // anonymous inodes have no file type
  st->st_blksize = 4096;
  return 0;
}

vfs::EventMask SignalFdFile::Readiness(vfs::EventMask mask) {
  std::shared_ptr<Task> owner = owner_.lock();
  if (!owner) return 0;
  const bool ready = (owner->PendingSet() & this->mask()) != 0;
  return ready ? (vfs::kEventIn & mask) : 0;
}

void NotifySignalfds(ThreadGroup* tg) {
  if (registry_size.load(std::memory_order_relaxed) == 0) return;
  absl::MutexLock l(&registry_mu);
  auto [lo, hi] = Registry().equal_range(tg);
  for (auto it = lo; it != hi; ++it) it->second->Notify();
}

}  // namespace sentry
