// Kernel: one sandbox. Owns the platform, the VFS, the pid namespace and
// the process tree, the sandbox's identity (uname, credentials), futexes and
// the unimplemented-syscall report.
//
// Locking order: Kernel::tree_mu_ (the process tree, Linux's
// tasklist_lock) before any ThreadGroup::mu_ or Task signal lock. The report
// and futex locks are leaves.
#ifndef SENTRY_KERNEL_KERNEL_H_
#define SENTRY_KERNEL_KERNEL_H_

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "abi/linux/signal.h"
#include "platform/platform.h"
#include "sentry/kernel/futex.h"
#include "sentry/kernel/syscall_args.h"

namespace sentry {

class Strace;
class TimerService;
class Task;
class ThreadGroup;
namespace socket {
class Network;
}
namespace vfs {
class VirtualFilesystem;
class FdTable;
class FsContext;
}  // namespace vfs

// What a process started from outside the sandbox (PID 1, or a process
// exec'ed into a running sandbox) starts with.
struct InitProcess {
  // argv[0] is looked up on `path_env` (a PATH value) when it has no '/',
  // like a shell does; the file is resolved inside the sandbox.
  std::vector<std::string> argv;
  std::vector<std::string> envp;
  std::string path_env;
  std::shared_ptr<vfs::FsContext> fs;
  std::shared_ptr<vfs::FdTable> fds;
};

struct KernelConfig {
  std::string hostname = "sandbox";
  std::string release;       // uname -r; empty: the host's
  std::string version;       // uname -v; empty: the host's
  uid_t uid = 0;
  gid_t gid = 0;
  bool debug = false;        // --debug: log to stderr
  FILE* strace = nullptr;    // --strace output, or null
  bool report_unimplemented = false;
  // --network: the namespace inet sockets live in (socket/netns/network.h);
  // null: a loopback network created on first use.
  std::shared_ptr<socket::Network> network;
  // The sandbox's pids limit: most tasks (threads included) alive at once,
  // as Linux's pids cgroup (pids.max); 0 is no limit.
  uint64_t max_tasks = 0;
};

struct ProcessInfo {
  pid_t pid = 0;
  pid_t ppid = 0;
  char state = 'R';
  std::string comm;
  std::string exe;
};

class Kernel {
 public:
  Kernel(KernelConfig config, std::unique_ptr<platform::Platform> platform,
         std::shared_ptr<vfs::VirtualFilesystem> vfs);
  ~Kernel();

  const KernelConfig& config() const { return config_; }
  platform::Platform& platform() { return *platform_; }
  vfs::VirtualFilesystem& vfs() { return *vfs_; }
  FutexManager& futexes() { return futexes_; }
  // The --strace printer, or null.
  Strace* strace() { return strace_.get(); }
  // setitimer/alarm and POSIX timers (timers.h).
  TimerService& timers() { return *timers_; }

  // Runs PID 1 and waits until it has exited and every other task of the
  // sandbox is gone (Linux kills the whole pid namespace with its init).
  // Returns PID 1's wait status, or an error if the program could not
  // start: the message names the file and the cause; the code is NotFound
  // for a missing command (shells exit 127) and another code for a file
  // that cannot be executed (126).
  absl::StatusOr<int> RunInit(InitProcess init);

  // Starts a process with no parent inside the sandbox (PID 1 first; later
  // ones are processes exec'ed into a running sandbox). Returns its pid
  // once it runs, or the error that kept it from starting.
  absl::StatusOr<pid_t> StartProcess(InitProcess p);
  // Waits for a process started by StartProcess to exit and reaps it.
  // Returns its wait status, or -ECHILD if there is no such process.
  int WaitProcess(pid_t pid);
  // kill(2) from outside: pid > 0 one process, -1 every process.
  int64_t Kill(pid_t pid, int sig);
  // kill(-pgid, sig) from outside.
  int64_t KillProcessGroup(pid_t pgid, int sig);
  // The process group of PID 1 (the "foreground" group of `runsc do`).
  pid_t InitProcessGroup();
  std::vector<ProcessInfo> Processes();

  // Finds `name` as execvp(3) would: names with a '/' are taken as they
  // are; others are searched on `path_env`. Returns 0 and the sandbox path,
  // or a negative errno (ENOENT when nothing was found, EACCES when only
  // non-executable candidates were).
  int64_t FindExecutable(const vfs::FsContext& fs, const std::string& name,
                         const std::string& path_env, std::string* out);

  // --- The process tree. ---
  absl::Mutex& tree_mu() ABSL_LOCK_RETURNED(tree_mu_) { return tree_mu_; }
  absl::CondVar& tree_cv() { return tree_cv_; }
  std::shared_ptr<Task> FindTask(pid_t tid);
  std::shared_ptr<Task> FindTaskLocked(pid_t tid)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(tree_mu_);
  std::shared_ptr<ThreadGroup> FindThreadGroup(pid_t tgid);
  std::shared_ptr<ThreadGroup> FindThreadGroupLocked(pid_t tgid)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(tree_mu_);
  std::vector<pid_t> ThreadGroupIds();
  std::vector<std::shared_ptr<ThreadGroup>> ThreadGroupsLocked()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(tree_mu_);

  pid_t AllocatePid();
  // Adds a task (and its thread group if new) to the tree.
  void RegisterLocked(std::shared_ptr<Task> t, std::shared_ptr<ThreadGroup> tg)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(tree_mu_);
  // Runs `t` on a sentry thread: `setup` (which adopts or creates the
  // context) then the task loop, then the exit path. The thread is an idle
  // one left by a task that ended, or a new one (see RunTaskThread).
  void StartTaskThread(std::shared_ptr<Task> t,
                       std::function<bool(Task&)> setup);
  // Removes a reaped thread group from the tree.
  void ReleaseLocked(ThreadGroup& tg) ABSL_EXCLUSIVE_LOCKS_REQUIRED(tree_mu_);
  // The last task of `tg` has exited: make it a zombie, re-parent its
  // children, tell its parent (task_exit.cc).
  void ZombieLocked(ThreadGroup& tg) ABSL_EXCLUSIVE_LOCKS_REQUIRED(tree_mu_);
  void ReleaseTaskLocked(pid_t tid) ABSL_EXCLUSIVE_LOCKS_REQUIRED(tree_mu_);
  // A non-leader thread that execs becomes the leader under the group's id.
  void RetidLocked(Task& t, pid_t new_tid) ABSL_EXCLUSIVE_LOCKS_REQUIRED(tree_mu_);
  // Job control: stops every task of `tg` (a stop signal's default
  // action) and tells the parent.
  void StopGroupLocked(ThreadGroup& tg, int sig)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(tree_mu_);
  // Sends SIGCHLD with `code` (CLD_*) to tg's parent, honouring
  // SA_NOCLDSTOP for stops and continues.
  void NotifyParentLocked(ThreadGroup& tg, int code, int status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(tree_mu_);
  // Ends every task of `tg` with `wait_status` (exit_group, fatal signal).
  void GroupExitLocked(ThreadGroup& tg, int wait_status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(tree_mu_);

  // Called when a task hits an unimplemented syscall: counted, and reported
  // once per sandbox with --debug. Partially implemented ones are counted
  // too (for --report-unimplemented).
  void ReportUnimplemented(const SyscallArgs& args, const char* name);
  void CountPartial(const SyscallArgs& args, const char* name);
  std::map<std::string, uint64_t> UnimplementedCounts() const;
  std::map<std::string, uint64_t> PartialCounts() const;

  // The pids limit (KernelConfig::max_tasks), charged as Linux's pids
  // cgroup does in copy_process(): a slot per task from clone (or
  // StartProcess) until its sentry thread ends. ChargeTask returns false,
  // and counts a limit hit, when the sandbox is full; fork/clone then fail
  // with EAGAIN. StartTaskThread takes over the charge of the task it runs.
  bool ChargeTask();
  void UnchargeTask();
  uint64_t PidsLimitHits() const {
    return pids_limit_hits_.load(std::memory_order_relaxed);
  }

  // Debug log line (only with --debug).
  void Debugf(const char* fmt, ...) const __attribute__((format(printf, 2, 3)));

  // Time the sandbox started (CLOCK_MONOTONIC ns), for uptime.
  int64_t start_time_ns() const { return start_ns_; }

 private:
  KernelConfig config_;
  std::unique_ptr<platform::Platform> platform_;
  std::shared_ptr<vfs::VirtualFilesystem> vfs_;
  std::unique_ptr<Strace> strace_;
  FutexManager futexes_;
  int64_t start_ns_ = 0;

  absl::Mutex tree_mu_;
  absl::CondVar tree_cv_;
  pid_t next_pid_ ABSL_GUARDED_BY(tree_mu_) = 1;
  std::map<pid_t, std::shared_ptr<Task>> tasks_ ABSL_GUARDED_BY(tree_mu_);
  std::map<pid_t, std::shared_ptr<ThreadGroup>> thread_groups_
      ABSL_GUARDED_BY(tree_mu_);
  int live_threads_ ABSL_GUARDED_BY(tree_mu_) = 0;
  std::atomic<uint64_t> charged_tasks_{0};
  std::atomic<uint64_t> pids_limit_hits_{0};

  // Sentry threads whose task ended wait a while for the next task instead
  // of exiting: starting a host thread costs more host calls (clone3, signal
  // mask, robust list, rseq, stack) than a thread create in the sandbox
  // should. A leaf lock.
  void RunTaskThread(std::function<void()> work);
  absl::Mutex pool_mu_;
  absl::CondVar pool_cv_;
  std::vector<std::function<void()>> pool_work_ ABSL_GUARDED_BY(pool_mu_);
  int pool_idle_ ABSL_GUARDED_BY(pool_mu_) = 0;     // waiting for work
  int pool_threads_ ABSL_GUARDED_BY(pool_mu_) = 0;  // alive, busy or idle
  bool pool_stop_ ABSL_GUARDED_BY(pool_mu_) = false;

  mutable absl::Mutex report_mu_;
  std::map<std::string, uint64_t> unimplemented_ ABSL_GUARDED_BY(report_mu_);
  std::map<std::string, uint64_t> partial_ ABSL_GUARDED_BY(report_mu_);

  // Last, so that it is destroyed first: its thread sends signals through
  // the process tree.
  std::unique_ptr<TimerService> timers_;
};

}  // namespace sentry

#endif  // SENTRY_KERNEL_KERNEL_H_
