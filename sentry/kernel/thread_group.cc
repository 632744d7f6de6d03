#include "sentry/kernel/thread_group.h"

#include <sys/resource.h>

namespace sentry {

ThreadGroup::ThreadGroup(pid_t tgid, pid_t ppid) : tgid_(tgid), ppid_(ppid) {
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

void ThreadGroup::SetExitStatus(int wait_status) {
  absl::MutexLock l(&mu_);
  if (exiting_) return;
  exiting_ = true;
  exit_status_ = wait_status;
  exit_cv_.SignalAll();
}

bool ThreadGroup::exiting() const {
  absl::MutexLock l(&mu_);
  return exiting_;
}

int ThreadGroup::exit_status() const {
  absl::MutexLock l(&mu_);
  return exit_status_;
}

int ThreadGroup::WaitExit() {
  absl::MutexLock l(&mu_);
  while (!exiting_ || live_tasks_ > 0) exit_cv_.Wait(&mu_);
  return exit_status_;
}

void ThreadGroup::TaskStarted() {
  absl::MutexLock l(&mu_);
  live_tasks_++;
}

void ThreadGroup::TaskExited() {
  absl::MutexLock l(&mu_);
  live_tasks_--;
  exit_cv_.SignalAll();
}

uapi::Rlimit ThreadGroup::GetRlimit(int resource) const {
  absl::MutexLock l(&mu_);
  return rlimits_[resource];
}

void ThreadGroup::SetRlimit(int resource, uapi::Rlimit lim) {
  absl::MutexLock l(&mu_);
  rlimits_[resource] = lim;
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

}  // namespace sentry
