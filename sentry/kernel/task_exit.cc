// The exit path of a task (Linux's do_exit/exit_notify) and of a whole
// process: release of what the task holds, zombies, re-parenting, SIGCHLD.
#include <linux/futex.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>

#include "sentry/kernel/cpu_time.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/thread_group.h"
#include "sentry/vfs/fd_table.h"
#include "sentry/vfs/fs_context.h"

namespace sentry {

void Task::ReleaseVforkParent() {
  if (!vfork_parent) return;
  vfork_done.store(true, std::memory_order_release);
  vfork_parent.reset();
  absl::MutexLock l(&kernel_.tree_mu());
  kernel_.tree_cv().SignalAll();
}

void Task::ExitRobustList() {
  // struct robust_list_head: list.next, futex_offset, list_op_pending.
  struct Head {
    uint64_t next;
    int64_t futex_offset;
    uint64_t pending;
  } head;
  if (mm_->CopyIn(robust_list, &head, sizeof(head)) < 0) return;
  auto release = [&](uint64_t entry) {
    const uint64_t uaddr = entry + head.futex_offset;
    uint32_t word;
    if (mm_->CopyIn(uaddr, &word, 4) < 0) return;
    if ((word & FUTEX_TID_MASK) != static_cast<uint32_t>(tid_)) return;
    const uint32_t nv = (word & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
    if (mm_->CopyOut(uaddr, &nv, 4) < 0) return;
    if (word & FUTEX_WAITERS) {
      kernel_.futexes().Wake(SharedFutexKey(*mm_, uaddr), 1,
                             FUTEX_BITSET_MATCH_ANY);
    }
  };
  // ROBUST_LIST_LIMIT entries at most, so a looped list cannot hang us.
  uint64_t entry = head.next;
  for (int i = 0; i < 2048 && entry && entry != robust_list; i++) {
    uint64_t next;
    if (mm_->CopyIn(entry, &next, 8) < 0) break;
    if (entry != head.pending) release(entry);
    entry = next;
  }
  if (head.pending) release(head.pending);
}

void Task::ExitPath() {
  // CLONE_CHILD_CLEARTID / set_tid_address: zero the word and wake one
  // futex waiter on it (mm_release()), so pthread_join returns.
  if (clear_child_tid && mm_) {
    const uint32_t zero = 0;
    if (mm_->CopyOut(clear_child_tid, &zero, sizeof(zero)) == sizeof(zero)) {
      kernel_.futexes().Wake(SharedFutexKey(*mm_, clear_child_tid), 1,
                             FUTEX_BITSET_MATCH_ANY);
    }
  }
  // Robust futexes held by this thread are marked dead and one waiter
  // woken (exit_robust_list()).
  if (robust_list && mm_) ExitRobustList();
  // Leave the process's task list first: the task that empties it is the
  // last, and only it reads the process's CPU time (seven host calls other
  // thread exits need not pay), while its stub still exists, i.e. before
  // its own context is released (the last release kills the stub).
  ThreadGroup& tg = *tg_;
  bool last;
  {
    absl::MutexLock l(&kernel_.tree_mu());
    std::erase(tg.tasks, this);
    last = tg.tasks.empty();
  }
  CpuTimes times;
  if (last && mm_) times = HostProcessTimes(mm_->address_space().StubPid());
  // The host thread goes away on this (its tracer) thread.
  set_ctx(nullptr);
  ReleaseVforkParent();
  // Files close now (a pipe's reader sees EOF when the last writer exits).
  mm_.reset();
  fds_.reset();
  fs_.reset();

  absl::MutexLock l(&kernel_.tree_mu());
  if (tid_ != tg.tgid()) kernel_.ReleaseTaskLocked(tid_);
  if (!last) {
    kernel_.tree_cv().SignalAll();
    return;
  }
  // The last task: the process becomes a zombie.
  tg.final_utime_ns = times.user_ns;
  tg.final_stime_ns = times.sys_ns;
  tg.final_maxrss_kb = times.maxrss_kb;
  if (!tg.group_exiting) {
    tg.exit_status = exit_status_;
    tg.group_exiting = true;
  }
  kernel_.ZombieLocked(tg);
}

void Kernel::ReleaseTaskLocked(pid_t tid) { tasks_.erase(tid); }

void Kernel::RetidLocked(Task& t, pid_t new_tid) {
  std::shared_ptr<Task> self = FindTaskLocked(t.tid());
  tasks_.erase(t.tid());
  t.tid_ = new_tid;
  tasks_[new_tid] = self;
  t.thread_group().leader = self;
}

void Kernel::ZombieLocked(ThreadGroup& tg) {
  tg.state = ThreadGroup::State::kZombie;
  tg.exited.store(true, std::memory_order_release);
  tg.exit_queue->Notify(vfs::kReadableEvents);
  // Orphans go to init, as in a pid namespace; when init itself dies the
  // whole namespace is killed (zap_pid_ns_processes()).
  ThreadGroup* init = nullptr;
  if (auto it = thread_groups_.find(1); it != thread_groups_.end() &&
                                        it->second.get() != &tg &&
                                        it->second->state ==
                                            ThreadGroup::State::kRunning) {
    init = it->second.get();
  }
  // The nearest living ancestor that is a child subreaper adopts them
  // before init does (find_new_reaper()).
  ThreadGroup* reaper = init;
  for (ThreadGroup* a = tg.parent; a; a = a->parent) {
    if (a->child_subreaper && a->state == ThreadGroup::State::kRunning) {
      reaper = a;
      break;
    }
  }
  for (ThreadGroup* child : std::set<ThreadGroup*>(tg.children)) {
    child->parent = reaper;
    tg.children.erase(child);
    if (child->pdeath_signal && child->state == ThreadGroup::State::kRunning) {
      child->SendSignalLocked(
          MakeKillInfo(child->pdeath_signal, SI_USER, tg.tgid(), 0));
    }
    if (reaper) {
      reaper->children.insert(child);
      if (child->state == ThreadGroup::State::kZombie) {
        reaper->SendSignalLocked(
            MakeKillInfo(SIGCHLD, CLD_EXITED, child->tgid(), 0));
      }
    } else if (child->state == ThreadGroup::State::kZombie) {
      ReleaseLocked(*child);
    }
  }
  if (tg.tgid() == 1) {
    for (auto& [pid, other] : thread_groups_) {
      if (other.get() != &tg) GroupExitLocked(*other, SIGKILL);
    }
  }
  if (ThreadGroup* parent = tg.parent) {
    const uapi::Sigaction act = parent->GetSigaction(SIGCHLD);
    const bool autoreap =
        tg.exit_signal == SIGCHLD &&
        (act.handler == uapi::kSigIgn || (act.flags & uapi::kSaNocldwait));
    if (tg.exit_signal > 0) {
      uapi::Siginfo info{};
      info.si_signo = tg.exit_signal;
      const int st = tg.exit_status;
      if (WIFSIGNALED(st)) {
        info.si_code = WCOREDUMP(st) ? CLD_DUMPED : CLD_KILLED;
        info.sigchld.status = WTERMSIG(st);
      } else {
        info.si_code = CLD_EXITED;
        info.sigchld.status = WEXITSTATUS(st);
      }
      info.sigchld.pid = tg.tgid();
      info.sigchld.uid = config_.uid;
      parent->SendSignalLocked(info);
    }
    if (autoreap) ReleaseLocked(tg);
  }
  tree_cv_.SignalAll();
}

void Kernel::ReleaseLocked(ThreadGroup& tg) {
  tg.state = ThreadGroup::State::kDead;
  if (ThreadGroup* p = tg.parent) {
    // The parent inherits the dead child's times (and its children's).
    p->children_utime_ns += tg.final_utime_ns + tg.children_utime_ns;
    p->children_stime_ns += tg.final_stime_ns + tg.children_stime_ns;
    p->children_maxrss_kb = std::max({p->children_maxrss_kb,
                                      tg.final_maxrss_kb,
                                      tg.children_maxrss_kb});
  }
  if (tg.parent) tg.parent->children.erase(&tg);
  tg.parent = nullptr;
  // Children still listed (only when no init could adopt them) lose their
  // parent; the dead ones go with it.
  for (ThreadGroup* child : std::set<ThreadGroup*>(tg.children)) {
    child->parent = nullptr;
    tg.children.erase(child);
    if (child->state == ThreadGroup::State::kZombie) ReleaseLocked(*child);
  }
  const pid_t pid = tg.tgid();
  tasks_.erase(pid);
  tg.leader.reset();
  thread_groups_.erase(pid);  // may destroy tg
}

void Kernel::StopGroupLocked(ThreadGroup& tg, int sig) {
  if (tg.stopped || tg.group_exiting) return;
  tg.stopped = true;
  tg.stop_signal = sig;
  tg.stop_report = true;
  tg.continue_report = false;
  NotifyParentLocked(tg, CLD_STOPPED, sig);
  for (Task* t : tg.tasks) t->Interrupt();
  tree_cv_.SignalAll();
}

void Kernel::NotifyParentLocked(ThreadGroup& tg, int code, int status) {
  ThreadGroup* parent = tg.parent;
  if (!parent) return;
  const uapi::Sigaction act = parent->GetSigaction(SIGCHLD);
  if ((code == CLD_STOPPED || code == CLD_CONTINUED) &&
      (act.flags & uapi::kSaNocldstop))
    return;
  uapi::Siginfo info{};
  info.si_signo = SIGCHLD;
  info.si_code = code;
  info.sigchld.pid = tg.tgid();
  info.sigchld.uid = config_.uid;
  info.sigchld.status = status;
  parent->SendSignalLocked(info);
}

void Kernel::GroupExitLocked(ThreadGroup& tg, int wait_status) {
  if (tg.group_exiting || tg.state != ThreadGroup::State::kRunning) return;
  tg.exit_status = wait_status;
  tg.group_exiting = true;
  for (Task* t : tg.tasks) t->Interrupt();
}

}  // namespace sentry
