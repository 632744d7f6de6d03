// ThreadGroup: a process. Holds what the threads of one process share (pid,
// place in the process tree, rlimits, signal dispositions, exit status) and
// the list of its tasks.
//
// Locking: the tree fields (parent, children, tasks, pgid/sid, state, exit
// status) are guarded by the kernel's tree mutex (Kernel::tree_mu(), Linux's
// tasklist_lock); they are only touched by Kernel and Task code holding it.
// Everything else has its own mutex `mu_`, which is never held while taking
// the tree mutex.
#ifndef SENTRY_KERNEL_THREAD_GROUP_H_
#define SENTRY_KERNEL_THREAD_GROUP_H_

#include <sys/types.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "abi/linux/resource.h"
#include "abi/linux/signal.h"
#include "sentry/kernel/credentials.h"
#include "sentry/kernel/signals.h"
#include "sentry/vfs/waiter.h"

namespace sentry {

class Kernel;
class Task;

inline constexpr int kNumRlimits = 16;

class ThreadGroup {
 public:
  enum class State { kRunning, kZombie, kDead };

  ThreadGroup(Kernel& kernel, pid_t tgid);

  Kernel& kernel() { return kernel_; }
  pid_t tgid() const { return tgid_; }

  // Snapshots for readers outside the tree lock (procfs, getppid...).
  pid_t ppid() const;
  pid_t pgid() const;
  pid_t sid() const;
  // 'R' running, 'Z' zombie, 'X' dead (as /proc/PID/stat shows them).
  char StateChar() const;
  // Live tasks, the leader first.
  std::vector<std::shared_ptr<Task>> Tasks() const;
  std::shared_ptr<Task> Leader() const;

  uapi::Rlimit GetRlimit(int resource) const;
  void SetRlimit(int resource, uapi::Rlimit lim);
  // RLIMIT_CPU's soft limit was reached: Linux raises it by one second so
  // SIGXCPU repeats every second (check_process_timers()). Only done if
  // the soft limit is still `seen` (a racing setrlimit wins).
  void AdvanceCpuSoftLimit(uint64_t seen);
  // Copies limits, comm, exe and dispositions from the parent on fork.
  void InheritFrom(const ThreadGroup& parent);

  std::string comm() const;
  void set_comm(std::string c);
  std::string exe_path() const;
  void set_exe_path(std::string p);

  // The process's credentials (shared by its threads, as glibc keeps them
  // in sync across threads).
  Credentials creds() const;
  void set_creds(const Credentials& c);
  // Scheduling: nice value and policy (recorded per process).
  int nice() const;
  void set_nice(int n);
  // sched_setscheduler(2)'s policy (SCHED_RESET_ON_FORK included), also
  // recorded per process; fork copies it.
  int sched_policy() const;
  void set_sched_policy(int policy);
  uint32_t personality() const;
  void set_personality(uint32_t p);
  bool dumpable() const;
  void set_dumpable(bool d);

  uapi::Sigaction GetSigaction(int sig) const;
  void SetSigaction(int sig, const uapi::Sigaction& act);
  // execve: handled signals go back to SIG_DFL, ignored ones stay ignored.
  void ResetHandlersForExec();

  // --- Signals. ---
  // Process-directed signal (kill). Takes the tree lock.
  void SendSignal(const uapi::Siginfo& info);
  // Same, with Kernel::tree_mu() held by the caller.
  void SendSignalLocked(const uapi::Siginfo& info);
  // SIGCONT's effect at generation, whoever it is sent to: resume a stopped
  // process and drop pending stop signals. Needs the tree and signal locks.
  void ContinueLocked();
  // Guards every task's mask and pending set, and `shared_pending`
  // (Linux's siglock). Taken after the tree mutex, before `mu_`.
  mutable absl::Mutex signal_mu;
  PendingSignals shared_pending;

  // --- The process tree: guarded by the kernel's tree mutex. ---
  ThreadGroup* parent = nullptr;
  std::set<ThreadGroup*> children;
  std::vector<Task*> tasks;  // live tasks
  std::shared_ptr<Task> leader;
  pid_t pgid_ = 0;
  pid_t sid_ = 0;
  State state = State::kRunning;
  std::atomic<bool> group_exiting{false};  // exit_group or a fatal signal
  int exit_status = 0;         // wait status once group_exiting/zombie
  int exit_signal = 17;        // SIGCHLD unless clone said otherwise
  // Job control: stopped by a stop signal until SIGCONT. The reports are
  // what wait(WUNTRACED / WCONTINUED) has not consumed yet.
  // Written under the tree mutex; atomic so the task loop can check it on
  // every trip without taking that (global) lock.
  std::atomic<bool> stopped{false};
  int stop_signal = 0;
  bool stop_report = false;
  bool continue_report = false;
  // Set (before exit_queue is notified) when the process becomes a zombie;
  // atomic so readiness checks never take the tree lock, which is held
  // while the queue's callbacks run.
  std::atomic<bool> exited{false};
  // Notified when the process exits (pidfd readiness).
  const std::shared_ptr<vfs::WaitQueue> exit_queue =
      std::make_shared<vfs::WaitQueue>();
  // PR_SET_PDEATHSIG and PR_SET_CHILD_SUBREAPER.
  int pdeath_signal = 0;
  bool child_subreaper = false;
  // CPU time of this process when it died, and of its reaped children
  // (getrusage RUSAGE_CHILDREN, times()).
  int64_t final_utime_ns = 0;
  int64_t final_stime_ns = 0;
  int64_t final_maxrss_kb = 0;
  int64_t children_utime_ns = 0;
  int64_t children_stime_ns = 0;
  int64_t children_maxrss_kb = 0;

 private:
  Kernel& kernel_;
  const pid_t tgid_;
  mutable absl::Mutex mu_;
  std::array<uapi::Rlimit, kNumRlimits> rlimits_ ABSL_GUARDED_BY(mu_);
  std::string comm_ ABSL_GUARDED_BY(mu_);
  std::string exe_path_ ABSL_GUARDED_BY(mu_);
  std::array<uapi::Sigaction, uapi::kNumSignals + 1> actions_
      ABSL_GUARDED_BY(mu_){};
  Credentials creds_ ABSL_GUARDED_BY(mu_);
  int nice_ ABSL_GUARDED_BY(mu_) = 0;
  int sched_policy_ ABSL_GUARDED_BY(mu_) = 0;  // SCHED_OTHER
  uint32_t personality_ ABSL_GUARDED_BY(mu_) = 0;
  bool dumpable_ ABSL_GUARDED_BY(mu_) = true;
};

}  // namespace sentry

#endif  // SENTRY_KERNEL_THREAD_GROUP_H_
