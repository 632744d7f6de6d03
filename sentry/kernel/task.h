// Task: one application thread, run by its own sentry thread.
//
// The task loop (task_run.cc) is an explicit state machine:
//   kRunApp -> (Switch) -> kSyscall -> kRunApp | kExit
//                       -> kFault / kInterrupted -> kRunApp | kExit
// Everything a syscall handler needs is reachable from the Task.
#ifndef SENTRY_KERNEL_TASK_H_
#define SENTRY_KERNEL_TASK_H_

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "abi/linux/signal.h"
#include "platform/platform.h"
#include "sentry/kernel/syscall_args.h"
#include "sentry/mm/memory_manager.h"

namespace sentry {

class Kernel;
class ThreadGroup;
namespace vfs {
class FdTable;
class FsContext;
}  // namespace vfs

class Task {
 public:
  Task(Kernel& kernel, std::shared_ptr<ThreadGroup> tg, pid_t tid);
  ~Task();

  Kernel& kernel() { return kernel_; }
  ThreadGroup& thread_group() { return *tg_; }
  std::shared_ptr<ThreadGroup> shared_thread_group() { return tg_; }
  pid_t tid() const { return tid_; }

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
  void set_ctx(std::unique_ptr<platform::Context> c) { ctx_ = std::move(c); }

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
  // Blocked signals and the alternate signal stack (recorded; delivery
  // comes with the signals work).
  uapi::Sigset signal_mask = 0;
  uapi::Stack alt_stack{0, uapi::kSsDisable, 0, 0};

  // Runs the task loop on a new sentry thread; the first Switch() must
  // happen on the thread that created the context, so Start() is only for
  // tasks whose context is created on that thread (see Kernel::RunInit).
  void RunLoop();

  // Ends the whole thread group with a wait status (exit_group / fatal
  // signal). Handlers call this and then return; the loop sees exiting().
  void ExitGroup(int wait_status);
  // Ends only this task (exit(2)).
  void Exit(int wait_status);
  bool exiting() const { return exiting_.load(std::memory_order_acquire); }

 private:
  enum class RunState { kRunApp, kSyscall, kFault, kInterrupted, kExit };
  RunState HandleSyscall(const platform::Event& ev);
  RunState HandleFault(const platform::Event& ev);
  // Makes the application re-issue the current syscall (restart codes).
  void RestartSyscall(bool restart_block);

  Kernel& kernel_;
  std::shared_ptr<ThreadGroup> tg_;
  pid_t tid_;
  std::shared_ptr<MemoryManager> mm_;
  std::shared_ptr<vfs::FdTable> fds_;
  std::shared_ptr<vfs::FsContext> fs_;
  std::unique_ptr<platform::Context> ctx_;
  SyscallArgs current_;
  std::atomic<bool> exiting_{false};
};

}  // namespace sentry

#endif  // SENTRY_KERNEL_TASK_H_
