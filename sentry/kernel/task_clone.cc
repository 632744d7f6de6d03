// clone(2): threads, fork, vfork. The platform makes the host side (a new
// thread in the stub, or a copy-on-write copy of the stub); the new task's
// own sentry thread adopts it and starts it with the parent's registers.
#include <sched.h>
#include <signal.h>

#include <cerrno>

#include "abi/linux/resource.h"
#include "absl/cleanup/cleanup.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/timers.h"
#include "sentry/kernel/thread_group.h"
#include "sentry/mm/memory_manager.h"
#include "sentry/vfs/fd_table.h"
#include "sentry/vfs/fs_context.h"

namespace sentry {

namespace {

// Namespace flags: not offered inside the sandbox (yet); Linux gives EPERM
// to callers without CAP_SYS_ADMIN, which is what applications expect.
constexpr uint64_t kNamespaceFlags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
                                     CLONE_NEWUSER | CLONE_NEWPID |
                                     CLONE_NEWNET | CLONE_NEWCGROUP |
                                     CLONE_NEWTIME;
constexpr uint64_t kCloneIntoCgroup = 0x200000000ULL;
constexpr uint64_t kCloneClearSighand = 0x100000000ULL;

}  // namespace

int64_t Task::Clone(const CloneArgs& args) {
  const uint64_t flags = args.flags;
  // The checks of copy_process(), in its order.
  if ((flags & (CLONE_NEWNS | CLONE_FS)) == (CLONE_NEWNS | CLONE_FS))
    return -EINVAL;
  if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND)) return -EINVAL;
  if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM)) return -EINVAL;
  if ((flags & CLONE_PARENT) && tg_->tgid() == 1) return -EINVAL;
  if ((flags & kCloneClearSighand) && (flags & CLONE_SIGHAND)) return -EINVAL;
  if (flags & kCloneIntoCgroup) return -EINVAL;
  if (flags & kNamespaceFlags) return -EPERM;
  if ((flags & CLONE_PIDFD) && (flags & CLONE_DETACHED)) return -EINVAL;
  if (flags & CLONE_PIDFD) return -EINVAL;  // pidfds come with pidfd_open
  const bool new_thread = flags & CLONE_THREAD;
  const int exit_signal = static_cast<int>(flags & CSIGNAL);
  if (exit_signal > uapi::kNumSignals) return -EINVAL;
  if (current_.arch == platform::Arch::kI386 && (flags & CLONE_SETTLS)) {
    // An i386 TLS argument is a user_desc for the GDT; not offered.
    return -EINVAL;
  }
  if ((flags & CLONE_SETTLS) && args.tls >= 0x7ffffffff000ULL) return -EPERM;

  // RLIMIT_NPROC: counted per real user; the sandbox's root (with
  // CAP_SYS_RESOURCE) is exempt, as on Linux.
  {
    const Credentials creds = tg_->creds();
    const uint64_t limit = tg_->GetRlimit(uapi::kRlimitNproc).cur;
    if (creds.ruid != 0 && !creds.HasCap(kCapSysResource) &&
        limit != uapi::kRlimInfinity) {
      uint64_t n = 0;
      absl::MutexLock l(&kernel_.tree_mu());
      for (const auto& g : kernel_.ThreadGroupsLocked()) {
        if (g->state != ThreadGroup::State::kRunning) continue;
        if (g->creds().ruid == creds.ruid) n += g->tasks.size();
      }
      if (n >= limit) return -EAGAIN;
    }
  }

  // The sandbox's pids limit (pids cgroup: EAGAIN).
  if (!kernel_.ChargeTask()) return -EAGAIN;
  absl::Cleanup uncharge = [this] { kernel_.UnchargeTask(); };

  // The host side.
  std::shared_ptr<MemoryManager> child_mm;
  std::shared_ptr<platform::AddressSpace> child_as;
  platform::ThreadHandle handle;
  if (flags & CLONE_VM) {
    auto h = mm_->address_space().NewThread();
    if (!h.ok()) return -EAGAIN;
    handle = *h;
    child_mm = mm_;
    child_as = mm_->shared_address_space();
  } else {
    auto f = mm_->address_space().Fork();
    if (!f.ok()) return -ENOMEM;
    handle = f->thread;
    child_as = f->as;
    child_mm = mm_->Fork(f->as);
  }

  const pid_t tid = kernel_.AllocatePid();
  std::shared_ptr<ThreadGroup> child_tg =
      new_thread ? tg_ : std::make_shared<ThreadGroup>(kernel_, tid);
  if (!new_thread) {
    child_tg->InheritFrom(*tg_);
    child_tg->exit_signal = exit_signal;
  }
  auto child = std::make_shared<Task>(kernel_, child_tg, tid);
  child->set_mm(child_mm);
  child->set_fds((flags & CLONE_FILES) ? fds_ : fds_->Fork());
  child->set_fs((flags & CLONE_FS) ? fs_ : fs_->Fork());
  child->mask_ = signal_mask();
  // A new thread sharing the memory but not vfork-waiting starts without
  // the parent's alternate signal stack (copy_process()).
  if (!((flags & CLONE_VM) && !(flags & CLONE_VFORK))) child->alt_stack = alt_stack;
  if (flags & CLONE_CHILD_CLEARTID) child->clear_child_tid = args.child_tid;

  // The child starts where the parent is, returning 0.
  uapi::UserRegs regs = ctx_->Regs();
  regs.rax = 0;
  regs.orig_rax = static_cast<uint64_t>(-1);
  if (args.stack) regs.rsp = args.stack;
  if (flags & CLONE_SETTLS) regs.fs_base = args.tls;

  if (flags & CLONE_PARENT_SETTID) {
    const int32_t v = tid;
    if (CopyOutObj(args.parent_tid, v) < 0) return -EFAULT;
  }
  if (flags & CLONE_CHILD_SETTID) {
    const int32_t v = tid;
    if (child_mm->CopyOut(args.child_tid, &v, sizeof(v)) < 0) return -EFAULT;
  }

  {
    absl::MutexLock l(&kernel_.tree_mu());
    if (tg_->group_exiting) return -EINTR;
    if (!new_thread) {
      ThreadGroup* parent =
          (flags & CLONE_PARENT) ? tg_->parent : tg_.get();
      child_tg->parent = parent;
      if (parent) parent->children.insert(child_tg.get());
      child_tg->pgid_ = tg_->pgid_;
      child_tg->sid_ = tg_->sid_;
    }
    kernel_.RegisterLocked(child, child_tg);
  }
  if (flags & CLONE_VFORK) child->vfork_parent = shared_from_this();
  // An inherited RLIMIT_CPU limits the child's own CPU time from zero.
  if (!new_thread &&
      child_tg->GetRlimit(uapi::kRlimitCpu).cur != uapi::kRlimInfinity) {
    kernel_.timers().OnCpuLimitChange(*child);
  }

  std::move(uncharge).Cancel();  // StartTaskThread owns the charge now
  kernel_.StartTaskThread(child, [child_as, handle, regs](Task& c) {
    auto ctx = c.kernel().platform().AdoptThread(child_as, handle);
    if (!ctx.ok()) {
      c.kernel().Debugf("clone: %s", std::string(ctx.status().message()).c_str());
      return false;
    }
    c.set_ctx(std::move(*ctx));
    c.ctx().MutableRegs() = regs;
    return true;
  });

  if (flags & CLONE_VFORK) {
    // The parent sleeps until the child execs or exits (killable only).
    absl::MutexLock l(&kernel_.tree_mu());
    while (!child->vfork_done.load(std::memory_order_acquire) && !exiting()) {
      kernel_.tree_cv().WaitWithTimeout(&kernel_.tree_mu(),
                                        absl::Milliseconds(100));
    }
  }
  return tid;
}

}  // namespace sentry
