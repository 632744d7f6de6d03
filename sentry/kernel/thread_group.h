// ThreadGroup: a process. Holds what threads of one process share (pid,
// parent, rlimits, exit status) and the list of its tasks.
#ifndef SENTRY_KERNEL_THREAD_GROUP_H_
#define SENTRY_KERNEL_THREAD_GROUP_H_

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "abi/linux/resource.h"
#include "abi/linux/signal.h"

namespace sentry {

class Task;

inline constexpr int kNumRlimits = 16;

class ThreadGroup {
 public:
  explicit ThreadGroup(pid_t tgid, pid_t ppid);

  pid_t tgid() const { return tgid_; }
  pid_t ppid() const { return ppid_; }

  // Exit: the first status recorded wins (exit_group or fatal signal).
  void SetExitStatus(int wait_status);
  bool exiting() const;
  int exit_status() const;
  // Blocks until SetExitStatus has been called and all tasks have left.
  int WaitExit();
  void TaskStarted();
  void TaskExited();

  uapi::Rlimit GetRlimit(int resource) const;
  void SetRlimit(int resource, uapi::Rlimit lim);

  std::string comm() const;
  void set_comm(std::string c);
  std::string exe_path() const;
  void set_exe_path(std::string p);

  // Signal dispositions (signal delivery itself comes with the signals
  // work; the table is already shared by the group as Linux's sighand).
  uapi::Sigaction GetSigaction(int sig) const;
  void SetSigaction(int sig, const uapi::Sigaction& act);

 private:
  const pid_t tgid_;
  const pid_t ppid_;
  mutable absl::Mutex mu_;
  bool exiting_ ABSL_GUARDED_BY(mu_) = false;
  int exit_status_ ABSL_GUARDED_BY(mu_) = 0;
  int live_tasks_ ABSL_GUARDED_BY(mu_) = 0;
  std::array<uapi::Rlimit, kNumRlimits> rlimits_ ABSL_GUARDED_BY(mu_);
  std::string comm_ ABSL_GUARDED_BY(mu_);
  std::string exe_path_ ABSL_GUARDED_BY(mu_);
  std::array<uapi::Sigaction, uapi::kNumSignals + 1> actions_ ABSL_GUARDED_BY(mu_){};
  absl::CondVar exit_cv_;
};

}  // namespace sentry

#endif  // SENTRY_KERNEL_THREAD_GROUP_H_
