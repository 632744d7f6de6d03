#include "sentry/kernel/thread_group.h"

#include <signal.h>
#include <sys/resource.h>

#include <algorithm>

#include "sentry/kernel/kernel.h"
#include "sentry/kernel/signalfd.h"
#include "sentry/kernel/task.h"

namespace sentry {

ThreadGroup::ThreadGroup(Kernel& kernel, pid_t tgid)
    : kernel_(kernel), tgid_(tgid) {
  creds_ = Credentials::ForUser(kernel.config().uid, kernel.config().gid);
  // The sandbox starts with the limits `runsc` itself runs under, as a
  // process started from the same shell would.
  for (int r = 0; r < kNumRlimits; r++) {
    struct rlimit host;
    if (getrlimit(r, &host) == 0) {
      rlimits_[r] = {static_cast<uint64_t>(host.rlim_cur),
                     static_cast<uint64_t>(host.rlim_max)};
    } else {
      rlimits_[r] = {uapi::kRlimInfinity, uapi::kRlimInfinity};
    }
  }
}

pid_t ThreadGroup::ppid() const {
  absl::MutexLock l(&kernel_.tree_mu());
  return parent ? parent->tgid() : 0;
}

pid_t ThreadGroup::pgid() const {
  absl::MutexLock l(&kernel_.tree_mu());
  return pgid_;
}

pid_t ThreadGroup::sid() const {
  absl::MutexLock l(&kernel_.tree_mu());
  return sid_;
}

char ThreadGroup::StateChar() const {
  absl::MutexLock l(&kernel_.tree_mu());
  switch (state) {
    case State::kRunning:
      return 'R';
    case State::kZombie:
      return 'Z';
    case State::kDead:
      return 'X';
  }
  return '?';
}

std::vector<std::shared_ptr<Task>> ThreadGroup::Tasks() const {
  absl::MutexLock l(&kernel_.tree_mu());
  std::vector<std::shared_ptr<Task>> out;
  for (Task* t : tasks) {
    if (auto sp = kernel_.FindTaskLocked(t->tid())) out.push_back(sp);
  }
  std::stable_partition(out.begin(), out.end(), [this](const auto& t) {
    return t->tid() == tgid_;
  });
  return out;
}

std::shared_ptr<Task> ThreadGroup::Leader() const {
  absl::MutexLock l(&kernel_.tree_mu());
  return leader;
}

uapi::Rlimit ThreadGroup::GetRlimit(int resource) const {
  absl::MutexLock l(&mu_);
  return rlimits_[resource];
}

void ThreadGroup::SetRlimit(int resource, uapi::Rlimit lim) {
  absl::MutexLock l(&mu_);
  rlimits_[resource] = lim;
}

void ThreadGroup::AdvanceCpuSoftLimit(uint64_t seen) {
  absl::MutexLock l(&mu_);
  uapi::Rlimit& lim = rlimits_[uapi::kRlimitCpu];
  if (lim.cur == seen && seen != uapi::kRlimInfinity) lim.cur = seen + 1;
}

void ThreadGroup::InheritFrom(const ThreadGroup& parent) {
  if (&parent == this) return;
  absl::MutexLock l1(&parent.mu_);
  absl::MutexLock l2(&mu_);
  rlimits_ = parent.rlimits_;
  comm_ = parent.comm_;
  exe_path_ = parent.exe_path_;
  actions_ = parent.actions_;
  creds_ = parent.creds_;
  nice_ = parent.nice_;
  sched_policy_ = parent.sched_policy_;
  personality_ = parent.personality_;
  dumpable_ = parent.dumpable_;
}

Credentials ThreadGroup::creds() const {
  absl::MutexLock l(&mu_);
  return creds_;
}

void ThreadGroup::set_creds(const Credentials& c) {
  absl::MutexLock l(&mu_);
  creds_ = c;
}

int ThreadGroup::nice() const {
  absl::MutexLock l(&mu_);
  return nice_;
}

void ThreadGroup::set_nice(int n) {
  absl::MutexLock l(&mu_);
  nice_ = n;
}

int ThreadGroup::sched_policy() const {
  absl::MutexLock l(&mu_);
  return sched_policy_;
}

void ThreadGroup::set_sched_policy(int policy) {
  absl::MutexLock l(&mu_);
  sched_policy_ = policy;
}

uint32_t ThreadGroup::personality() const {
  absl::MutexLock l(&mu_);
  return personality_;
}

void ThreadGroup::set_personality(uint32_t p) {
  absl::MutexLock l(&mu_);
  personality_ = p;
}

bool ThreadGroup::dumpable() const {
  absl::MutexLock l(&mu_);
  return dumpable_;
}

void ThreadGroup::set_dumpable(bool d) {
  absl::MutexLock l(&mu_);
  dumpable_ = d;
}

std::string ThreadGroup::comm() const {
  absl::MutexLock l(&mu_);
  return comm_;
}

void ThreadGroup::set_comm(std::string c) {
  absl::MutexLock l(&mu_);
  comm_ = std::move(c);
}

std::string ThreadGroup::exe_path() const {
  absl::MutexLock l(&mu_);
  return exe_path_;
}

void ThreadGroup::set_exe_path(std::string p) {
  absl::MutexLock l(&mu_);
  exe_path_ = std::move(p);
}

uapi::Sigaction ThreadGroup::GetSigaction(int sig) const {
  absl::MutexLock l(&mu_);
  return actions_[sig];
}

void ThreadGroup::SetSigaction(int sig, const uapi::Sigaction& act) {
  absl::MutexLock l(&mu_);
  actions_[sig] = act;
}

void ThreadGroup::ResetHandlersForExec() {
  absl::MutexLock l(&mu_);
  for (auto& a : actions_) {
    if (a.handler != uapi::kSigIgn) a = uapi::Sigaction{};
    a.flags = 0;
    a.restorer = 0;
    a.mask = 0;
  }
}

}  // namespace sentry

namespace sentry {

namespace {

// sig_ignored(): a signal whose action is to do nothing is dropped when it
// is generated, unless it is blocked (the mask may change before delivery).
bool IgnoredLocked(const ThreadGroup& tg, int sig) {
  const uapi::Sigaction act = tg.GetSigaction(sig);
  if (act.handler == uapi::kSigIgn) return sig != SIGKILL && sig != SIGSTOP;
  if (act.handler == uapi::kSigDfl) {
    return DefaultAction(sig) == SignalDefault::kIgnore;
  }
  return false;
}

}  // namespace

void ThreadGroup::ContinueLocked() {
  if (stopped) {
    stopped = false;
    continue_report = true;
    stop_report = false;
    kernel_.NotifyParentLocked(*this, CLD_CONTINUED, SIGCONT);
    kernel_.tree_cv().SignalAll();
  }
  // Continuing discards pending stop signals.
  const uapi::Sigset stops = uapi::SigsetBit(SIGSTOP) | uapi::SigsetBit(SIGTSTP) |
                             uapi::SigsetBit(SIGTTIN) | uapi::SigsetBit(SIGTTOU);
  shared_pending.Discard(stops);
  for (Task* t : tasks) t->pending_.Discard(stops);
}

void ThreadGroup::SendSignal(const uapi::Siginfo& info) {
  absl::MutexLock l(&kernel_.tree_mu());
  SendSignalLocked(info);
}

void ThreadGroup::SendSignalLocked(const uapi::Siginfo& info) {
  const int sig = info.si_signo;
  if (state != State::kRunning || group_exiting) return;
  if (sig == SIGKILL) {
    kernel_.GroupExitLocked(*this, SIGKILL);
    return;
  }
  Task* target = nullptr;
  {
    absl::MutexLock l(&signal_mu);
    bool blocked_everywhere = true;
    for (Task* t : tasks) {
      if (!(t->mask_ & uapi::SigsetBit(sig))) blocked_everywhere = false;
    }
    if (!blocked_everywhere && IgnoredLocked(*this, sig)) return;
    if (sig == SIGCONT) {
      // SIGCONT continues a stopped process when it is generated, even
      // if it is blocked or ignored (prepare_signal()).
      ContinueLocked();
    }
    shared_pending.Enqueue(info);
    // Wake a thread that can take it: the leader first, as Linux tries the
    // main thread first (complete_signal()).
    for (Task* t : tasks) {
      if (!(t->mask_ & uapi::SigsetBit(sig))) {
        target = t;
        break;
      }
    }
  }
  if (target) {
    target->Interrupt();
  } else {
    // Blocked everywhere: a thread may be waiting for it in
    // rt_sigtimedwait or on a signalfd.
    for (Task* t : tasks) t->Interrupt();
  }
  NotifySignalfds(this);
}

}  // namespace sentry
