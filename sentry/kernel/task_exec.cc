// execve(2) done by the sentry: a new stub, the loader, then the point of no
// return (other threads die, close-on-exec files close, handlers reset).
#include <linux/futex.h>
#include <signal.h>

#include <cerrno>

#include "absl/status/statusor.h"
#include "sentry/kernel/exec_setup.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/thread_group.h"
#include "sentry/kernel/timers.h"
#include "sentry/mm/memory_manager.h"
#include "sentry/vfs/fd_table.h"
#include "sentry/vfs/credentials.h"
#include "sentry/vfs/fs_context.h"

namespace sentry {

int64_t ExecInto(Task& t, const loader::ExecRequest& req, std::string* error) {
  auto ns = t.kernel().platform().NewAddressSpace();
  if (!ns.ok()) {
    *error = std::string(ns.status().message());
    return -ENOMEM;
  }
  auto mm = std::make_shared<MemoryManager>(ns->as);
  loader::ExecImage image;
  int64_t r = loader::Load(t.kernel().vfs(), t.fs(), *mm, req, &image, error);
  if (r < 0) return r;  // ns->ctx goes out of scope: the new stub dies

  std::shared_ptr<MemoryManager> old_mm = t.shared_mm();
  t.set_mm(mm);
  t.set_ctx(std::move(ns->ctx));
  // Registers as start_thread() leaves them: only the entry point and the
  // stack; the segment selectors stay the host's user ones.
  uapi::UserRegs& regs = t.ctx().MutableRegs();
  const uint64_t cs = regs.cs, ss = regs.ss, ds = regs.ds, es = regs.es;
  regs = uapi::UserRegs{};
  regs.cs = cs;
  regs.ss = ss;
  regs.ds = ds;
  regs.es = es;
  regs.rip = image.entry;
  regs.rsp = image.stack_pointer;
  regs.eflags = 0x202;  // IF, plus the always-one bit
  regs.orig_rax = static_cast<uint64_t>(-1);
  t.thread_group().set_comm(image.comm);
  t.thread_group().set_exe_path(image.exe_path);
  return 0;
}

int64_t Task::Execve(const std::string& path, std::vector<std::string> argv,
                     std::vector<std::string> envp) {
  loader::ExecRequest req;
  req.path = path;
  req.argv = std::move(argv);
  req.envp = std::move(envp);
  const Credentials creds = tg_->creds();
  req.uid = creds.ruid;
  req.gid = creds.rgid;
  // The exec is opened as this task: its ids for the permission check,
  // itself for procfs's "self" (exec of /proc/self/exe).
  vfs::Credentials vcreds;
  vcreds.uid = creds.fsuid;
  vcreds.gid = creds.fsgid;
  vcreds.pid = tg_->tgid();
  vcreds.tid = tid_;
  vcreds.task = this;
  req.creds = &vcreds;

  std::shared_ptr<MemoryManager> old_mm = mm_;
  std::string error;
  int64_t r = ExecInto(*this, req, &error);
  if (r < 0) {
    kernel_.Debugf("execve %s: %s", path.c_str(), error.c_str());
    return r;
  }
  // The point of no return has passed. Other threads die now
  // (de_thread()): exec replaces the whole process.
  {
    absl::MutexLock l(&kernel_.tree_mu());
    for (Task* other : tg_->tasks) {
      if (other != this) {
        other->Exit(SIGKILL);
        other->Interrupt();
      }
    }
    while (tg_->tasks.size() > 1) {
      if (tg_->group_exiting) break;
      kernel_.tree_cv().WaitWithTimeout(&kernel_.tree_mu(),
                                        absl::Milliseconds(100));
    }
  }

  if (clear_child_tid && old_mm) {
    const uint32_t zero = 0;
    if (old_mm->CopyOut(clear_child_tid, &zero, 4) == 4) {
      kernel_.futexes().Wake(SharedFutexKey(*old_mm, clear_child_tid), 1,
                             FUTEX_BITSET_MATCH_ANY);
    }
  }
  clear_child_tid = 0;
  robust_list = 0;
  robust_list_len = 0;
  old_mm.reset();
  // A vfork child shared its parent's files only with CLONE_FILES; exec
  // unshares them before closing the close-on-exec ones.
  if (fds_.use_count() > 1) fds_ = fds_->Fork();
  fds_->CloseOnExec();
  tg_->ResetHandlersForExec();
  // POSIX timers die; interval timers move to the new stub's clocks.
  kernel_.timers().OnExec(*this);
  alt_stack = uapi::Stack{0, uapi::kSsDisable, 0, 0};
  ReleaseVforkParent();
  // A thread other than the leader takes over the process id.
  if (tid_ != tg_->tgid()) {
    absl::MutexLock l(&kernel_.tree_mu());
    kernel_.RetidLocked(*this, tg_->tgid());
  }
  regs_replaced = true;
  return 0;
}

}  // namespace sentry
