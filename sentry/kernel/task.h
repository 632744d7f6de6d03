// Task: one application thread, run by its own sentry thread.
//
// The task loop (task_run.cc) is an explicit state machine:
//   kRunApp:      deliver pending signals, then Switch() into the app;
//   kSyscall:     dispatch, set the result or prepare a restart;
//   kFault:       turn a synchronous fault into a signal;
//   kInterrupted: someone wants this task's attention;
//   kExit:        leave the loop; the exit path (task_exit.cc) follows.
// Everything a syscall handler needs is reachable from the Task.
//
// Threads: a Task's fields are used by its own sentry thread, except those
// marked otherwise. Signal state is guarded by the thread group's signal
// mutex (`thread_group().signal_mu`).
#ifndef SENTRY_KERNEL_TASK_H_
#define SENTRY_KERNEL_TASK_H_

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "abi/linux/signal.h"
#include "platform/platform.h"
#include "sentry/kernel/signals.h"
#include "sentry/kernel/syscall_args.h"
#include "sentry/mm/memory_manager.h"

namespace sentry {

class Kernel;
class ThreadGroup;
namespace vfs {
class FdTable;
class FsContext;
}  // namespace vfs

class Task : public std::enable_shared_from_this<Task> {
 public:
  Task(Kernel& kernel, std::shared_ptr<ThreadGroup> tg, pid_t tid);
  ~Task();

  Kernel& kernel() { return kernel_; }
  ThreadGroup& thread_group() { return *tg_; }
  std::shared_ptr<ThreadGroup> shared_thread_group() { return tg_; }
  pid_t tid() const { return tid_; }

  // May be null after the task has exited (procfs must check).
  MemoryManager& mm() { return *mm_; }
  std::shared_ptr<MemoryManager> shared_mm() { return mm_; }
  vfs::FdTable& fds() { return *fds_; }
  std::shared_ptr<vfs::FdTable> shared_fds() { return fds_; }
  vfs::FsContext& fs() { return *fs_; }
  std::shared_ptr<vfs::FsContext> shared_fs() { return fs_; }
  platform::Context& ctx() { return *ctx_; }

  void set_mm(std::shared_ptr<MemoryManager> mm) { mm_ = std::move(mm); }
  void set_fds(std::shared_ptr<vfs::FdTable> f) { fds_ = std::move(f); }
  void set_fs(std::shared_ptr<vfs::FsContext> f) { fs_ = std::move(f); }
  // Replaces the context (exec, adoption). Safe against Interrupt().
  void set_ctx(std::unique_ptr<platform::Context> c);

  // Application memory, through the task's MemoryManager.
  int64_t CopyIn(uint64_t addr, void* dst, uint64_t n) {
    return mm_->CopyIn(addr, dst, n);
  }
  int64_t CopyOut(uint64_t addr, const void* src, uint64_t n) {
    return mm_->CopyOut(addr, src, n);
  }
  template <typename T>
  int64_t CopyInObj(uint64_t addr, T* obj) {
    return mm_->CopyIn(addr, obj, sizeof(T));
  }
  template <typename T>
  int64_t CopyOutObj(uint64_t addr, const T& obj) {
    return mm_->CopyOut(addr, &obj, sizeof(T));
  }
  int64_t CopyInString(uint64_t addr, uint64_t max, std::string* out) {
    return mm_->CopyInString(addr, max, out);
  }

  // The syscall being handled (for handlers that need the raw registers).
  const SyscallArgs& current_syscall() const { return current_; }

  // Address given to set_tid_address / CLONE_CHILD_CLEARTID.
  uint64_t clear_child_tid = 0;
  uint64_t robust_list = 0;
  uint64_t robust_list_len = 0;
  // The alternate signal stack.
  uapi::Stack alt_stack{0, uapi::kSsDisable, 0, 0};
  // vfork: the parent blocked until this task execs or exits.
  std::shared_ptr<Task> vfork_parent;
  // Set by handlers that wrote every register themselves (rt_sigreturn,
  // execve): the task loop then leaves rax alone.
  bool regs_replaced = false;
  // restart_syscall(2): what to run again after ERESTART_RESTARTBLOCK.
  std::function<int64_t(Task&)> restart_block;

  // --- Signals (guarded by the thread group's signal lock). ---
  uapi::Sigset signal_mask() const;
  void set_signal_mask(uapi::Sigset mask);
  // Thread-directed signal (tkill, faults, timers for this thread).
  void SendSignal(const uapi::Siginfo& info);
  uapi::Sigset PendingSet() const;
  // Takes a pending signal in `set` (blocked or not) off this task's queue,
  // then the process's (rt_sigtimedwait, signalfd). False if none.
  bool DequeueSignal(uapi::Sigset set, uapi::Siginfo* info);
  // The mask to restore after a handler when a syscall (sigsuspend,
  // pselect, ppoll) swapped it temporarily.
  std::optional<uapi::Sigset> saved_mask;

  // --- Interruption: safe from any thread. ---
  // Makes the task notice new state: a running Switch() returns, a blocked
  // wait in the sentry wakes up.
  void Interrupt();
  // True when a blocking syscall must stop waiting: the task is being
  // killed or has an unblocked signal pending.
  bool Interrupted() const;
  // The group is exiting (exit_group, fatal signal) or this task exited.
  bool exiting() const;

  // Waits on `cv` with `mu` held until `done()`, the deadline, or an
  // interruption. Returns 0, -ETIMEDOUT, or -ERESTARTSYS (interrupted; the
  // syscall decides which restart code to return instead).
  int64_t Block(absl::Mutex* mu, absl::CondVar* cv,
                const std::function<bool()>& done,
                std::optional<absl::Time> deadline = std::nullopt)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // Sleeps until the deadline or an interruption: 0 or -ERESTARTSYS.
  int64_t SleepUntil(absl::Time deadline);

  // --- Life cycle. ---
  void RunLoop();
  // Ends the whole thread group (exit_group / fatal signal).
  void ExitGroup(int wait_status);
  // Ends only this task (exit(2)).
  void Exit(int wait_status);
  // Runs after RunLoop on the task's own thread: releases the context,
  // memory and files, and updates the process tree.
  void ExitPath();
  void ExitRobustList();
  int exit_status() const { return exit_status_; }

  // clone(2), execve(2): task_clone.cc, task_exec.cc.
  struct CloneArgs {
    uint64_t flags = 0;  // CLONE_* | exit signal
    uint64_t stack = 0;
    uint64_t parent_tid = 0;
    uint64_t child_tid = 0;
    uint64_t tls = 0;
    uint64_t pidfd = 0;
  };
  int64_t Clone(const CloneArgs& args);
  int64_t Execve(const std::string& path, std::vector<std::string> argv,
                 std::vector<std::string> envp);
  // Task is done with vfork's parent (exec or exit): wake it.
  void ReleaseVforkParent();
  std::atomic<bool> vfork_done{false};

 private:
  enum class RunState { kRunApp, kSyscall, kFault, kInterrupted, kExit };
  RunState HandleSyscall(const platform::Event& ev);
  RunState HandleFault(const platform::Event& ev);
  // Delivers pending signals before returning to the application. Returns
  // kExit when a signal ended the task.
  RunState DeliverSignals();
  // Job control: parks the task while its process is stopped.
  void WaitWhileStopped();
  // Applies a pending ERESTART* result now that we know whether a handler
  // runs (Linux's arch_do_signal_or_restart).
  void ApplyRestart(const uapi::Sigaction* handler);
  void RestartSyscall(bool restart_block);

  Kernel& kernel_;
  std::shared_ptr<ThreadGroup> tg_;
  pid_t tid_;  // changes only when a non-leader thread execs
  std::shared_ptr<MemoryManager> mm_;
  std::shared_ptr<vfs::FdTable> fds_;
  std::shared_ptr<vfs::FsContext> fs_;
  std::unique_ptr<platform::Context> ctx_;
  SyscallArgs current_;
  int64_t pending_restart_ = 0;  // an ERESTART* code awaiting delivery
  std::atomic<bool> exited_{false};
  int exit_status_ = 0;

  // Signal state (guarded by the thread group's signal_mu).
  uapi::Sigset mask_ = 0;
  PendingSignals pending_;

  // Interrupt plumbing.
  mutable absl::Mutex wake_mu_;
  absl::CondVar* blocked_cv_ ABSL_GUARDED_BY(wake_mu_) = nullptr;
  platform::Context* running_ctx_ ABSL_GUARDED_BY(wake_mu_) = nullptr;
  std::atomic<bool> interrupt_{false};
  friend class ThreadGroup;
  friend class Kernel;
};

}  // namespace sentry

#endif  // SENTRY_KERNEL_TASK_H_
