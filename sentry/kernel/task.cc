#include "sentry/kernel/task.h"

#include <signal.h>
#include <sys/wait.h>

#include "abi/linux/errno.h"
#include "abi/syscalls.h"
#include "absl/time/clock.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/signal_frame.h"
#include "sentry/kernel/signalfd.h"
#include "sentry/kernel/thread_group.h"
#include "sentry/kernel/timers.h"
#include "sentry/syscalls/strace.h"
#include "sentry/syscalls/table.h"
#include "sentry/vfs/fd_table.h"
#include "sentry/vfs/fs_context.h"

namespace sentry {

namespace {

// Longest a blocked sentry wait sleeps before re-checking for interruption
// by itself (a backstop: Interrupt() wakes it directly).
constexpr absl::Duration kBlockRecheck = absl::Milliseconds(100);

}  // namespace

Task::Task(Kernel& kernel, std::shared_ptr<ThreadGroup> tg, pid_t tid)
    : kernel_(kernel), tg_(std::move(tg)), tid_(tid) {}

Task::~Task() = default;

void Task::set_ctx(std::unique_ptr<platform::Context> c) {
  std::unique_ptr<platform::Context> old;
  {
    absl::MutexLock l(&wake_mu_);
    old = std::move(ctx_);
    ctx_ = std::move(c);
    running_ctx_ = nullptr;
  }
  // Destroyed outside the lock: releasing a context talks to the host.
  old.reset();
}

// ---------------------------------------------------------------------------
// Exit requests

void Task::ExitGroup(int wait_status) {
  absl::MutexLock l(&kernel_.tree_mu());
  kernel_.GroupExitLocked(*tg_, wait_status);
}

void Task::Exit(int wait_status) {
  exit_status_ = wait_status;
  exited_.store(true, std::memory_order_release);
}

bool Task::exiting() const {
  return exited_.load(std::memory_order_acquire) ||
         tg_->group_exiting.load(std::memory_order_acquire);
}

// ---------------------------------------------------------------------------
// Interruption and blocking

void Task::Interrupt() {
  interrupt_.store(true, std::memory_order_release);
  absl::MutexLock l(&wake_mu_);
  if (running_ctx_) running_ctx_->Interrupt();
  if (blocked_cv_) blocked_cv_->SignalAll();
}

bool Task::Interrupted() const {
  if (exiting()) return true;
  absl::MutexLock l(&tg_->signal_mu);
  return ((pending_.set() | tg_->shared_pending.set()) & ~mask_) != 0;
}

int64_t Task::Block(absl::Mutex* mu, absl::CondVar* cv,
                    const std::function<bool()>& done,
                    std::optional<absl::Time> deadline) {
  while (!done()) {
    if (Interrupted()) return -uapi::kERESTARTSYS;
    const absl::Time now = absl::Now();
    if (deadline && now >= *deadline) return -ETIMEDOUT;
    absl::Time limit = now + kBlockRecheck;
    if (deadline && *deadline < limit) limit = *deadline;
    {
      absl::MutexLock l(&wake_mu_);
      blocked_cv_ = cv;
    }
    cv->WaitWithDeadline(mu, limit);
    {
      absl::MutexLock l(&wake_mu_);
      blocked_cv_ = nullptr;
    }
  }
  return 0;
}

int64_t Task::SleepUntil(absl::Time deadline) {
  absl::Mutex mu;
  absl::CondVar cv;
  absl::MutexLock l(&mu);
  int64_t r = Block(&mu, &cv, [] { return false; }, deadline);
  return r == -ETIMEDOUT ? 0 : r;
}

// ---------------------------------------------------------------------------
// Signals

uapi::Sigset Task::signal_mask() const {
  absl::MutexLock l(&tg_->signal_mu);
  return mask_;
}

void Task::set_signal_mask(uapi::Sigset mask) {
  mask &= ~kUnblockableSignals;
  {
    absl::MutexLock l(&tg_->signal_mu);
    mask_ = mask;
  }
  // Newly unblocked signals may be deliverable now.
  interrupt_.store(true, std::memory_order_release);
}

uapi::Sigset Task::PendingSet() const {
  absl::MutexLock l(&tg_->signal_mu);
  return pending_.set() | tg_->shared_pending.set();
}

bool Task::DequeueSignal(uapi::Sigset set, uapi::Siginfo* info) {
  {
    absl::MutexLock l(&tg_->signal_mu);
    if (!pending_.Dequeue(~set, info) &&
        !tg_->shared_pending.Dequeue(~set, info)) {
      return false;
    }
  }
  if (info->si_code == SI_TIMER) kernel_.timers().OnDequeue(*tg_, info);
  return true;
}

void Task::SendSignal(const uapi::Siginfo& info) {
  const int sig = info.si_signo;
  {
    absl::MutexLock tl(&kernel_.tree_mu());
    if (sig == SIGKILL) {
      kernel_.GroupExitLocked(*tg_, SIGKILL);
      return;
    }
    absl::MutexLock l(&tg_->signal_mu);
    // A thread-directed SIGCONT continues the whole process too.
    if (sig == SIGCONT) tg_->ContinueLocked();
    const uapi::Sigaction act = tg_->GetSigaction(sig);
    const bool ignored =
        act.handler == uapi::kSigIgn ||
        (act.handler == uapi::kSigDfl &&
         DefaultAction(sig) == SignalDefault::kIgnore);
    if (ignored && !(mask_ & uapi::SigsetBit(sig))) return;
    pending_.Enqueue(info);
  }
  Interrupt();
  NotifySignalfds(tg_.get());
}

void Task::RestartSyscall(bool restart_block) {
  uapi::UserRegs& r = ctx_->MutableRegs();
  // Both `syscall` and `int 0x80` are two bytes long.
  r.rip -= 2;
  if (restart_block) {
    r.rax = current_.arch == platform::Arch::kAmd64
                ? uapi::amd64::NR_restart_syscall
                : uapi::i386::NR_restart_syscall;
  } else {
    r.rax = current_.nr;
  }
}

void Task::ApplyRestart(const uapi::Sigaction* handler) {
  const int64_t code = pending_restart_;
  if (code == 0) return;
  pending_restart_ = 0;
  bool restart;
  if (handler) {
    // A handler runs: only SA_RESTART (for ERESTARTSYS) or ERESTARTNOINTR
    // bring the call back; the others fail with EINTR.
    restart = code == uapi::kERESTARTNOINTR ||
              (code == uapi::kERESTARTSYS && (handler->flags & uapi::kSaRestart));
  } else {
    restart = true;
  }
  if (!restart) {
    ctx_->SetReturn(static_cast<uint64_t>(-EINTR));
  } else {
    RestartSyscall(!handler && code == uapi::kERESTART_RESTARTBLOCK);
  }
}

Task::RunState Task::DeliverSignals() {
  for (;;) {
    uapi::Siginfo info;
    uapi::Sigaction act;
    {
      absl::MutexLock l(&tg_->signal_mu);
      if (!pending_.Dequeue(mask_, &info) &&
          !tg_->shared_pending.Dequeue(mask_, &info)) {
        break;
      }
      act = tg_->GetSigaction(info.si_signo);
    }
    if (info.si_code == SI_TIMER) kernel_.timers().OnDequeue(*tg_, &info);
    const int sig = info.si_signo;
    if (act.handler == uapi::kSigIgn) continue;
    if (act.handler == uapi::kSigDfl) {
      switch (DefaultAction(sig)) {
        case SignalDefault::kIgnore:
        case SignalDefault::kContinue:
          continue;
        case SignalDefault::kStop: {
          absl::MutexLock l(&kernel_.tree_mu());
          kernel_.StopGroupLocked(*tg_, sig);
          continue;
        }
        case SignalDefault::kTerminate:
          ExitGroup(sig);
          return RunState::kExit;
        case SignalDefault::kCoreDump:
          ExitGroup(sig | WCOREFLAG);
          return RunState::kExit;
      }
    }
    // A handler: restart rules first (they look at the handler's flags),
    // then the frame, then the mask the handler runs with.
    ApplyRestart(&act);
    uapi::Sigset old_mask;
    {
      absl::MutexLock l(&tg_->signal_mu);
      old_mask = saved_mask ? *saved_mask : mask_;
    }
    saved_mask.reset();
    if (!SetupSignalFrame(*this, info, act, old_mask)) {
      // The frame could not be written: Linux forces SIGSEGV.
      kernel_.Debugf("task %d: cannot write signal frame for %d", tid_, sig);
      ExitGroup(SIGSEGV | WCOREFLAG);
      return RunState::kExit;
    }
    {
      absl::MutexLock l(&tg_->signal_mu);
      mask_ |= act.mask;
      if (!(act.flags & uapi::kSaNodefer)) mask_ |= uapi::SigsetBit(sig);
      mask_ &= ~kUnblockableSignals;
    }
    if (act.flags & uapi::kSaResethand) {
      // Only the handler is reset; flags and mask stay (get_signal()).
      uapi::Sigaction dfl = act;
      dfl.handler = uapi::kSigDfl;
      tg_->SetSigaction(sig, dfl);
    }
    // Other deliverable signals get their frames on top of this one before
    // the application runs (exit_to_user_mode_loop()): the last one set up
    // runs first.
  }
  // No handler runs: a mask swapped in by a syscall (rt_sigsuspend) is put
  // back now (restore_saved_sigmask()).
  if (saved_mask) {
    absl::MutexLock l(&tg_->signal_mu);
    mask_ = *saved_mask & ~kUnblockableSignals;
    saved_mask.reset();
  }
  ApplyRestart(nullptr);
  return RunState::kRunApp;
}

// ---------------------------------------------------------------------------
// The task loop

void Task::WaitWhileStopped() {
  if (!tg_->stopped.load(std::memory_order_acquire)) return;
  absl::MutexLock l(&kernel_.tree_mu());
  while (tg_->stopped && !exiting()) {
    kernel_.tree_cv().WaitWithTimeout(&kernel_.tree_mu(),
                                      absl::Milliseconds(100));
  }
}

void Task::RunLoop() {
  RunState state = RunState::kRunApp;
  while (state != RunState::kExit) {
    if (exiting()) break;
    interrupt_.store(false, std::memory_order_release);
    WaitWhileStopped();
    if (exiting()) break;
    state = DeliverSignals();
    if (state == RunState::kExit || exiting()) break;
    {
      absl::MutexLock l(&wake_mu_);
      running_ctx_ = ctx_.get();
    }
    platform::Event ev;
    if (interrupt_.load(std::memory_order_acquire)) {
      ev.kind = platform::Event::Kind::kInterrupted;
    } else {
      ev = ctx_->Switch();
    }
    {
      absl::MutexLock l(&wake_mu_);
      running_ctx_ = nullptr;
    }
    switch (ev.kind) {
      case platform::Event::Kind::kSyscall:
        state = HandleSyscall(ev);
        break;
      case platform::Event::Kind::kFault:
        state = HandleFault(ev);
        break;
      case platform::Event::Kind::kInterrupted:
        state = RunState::kRunApp;
        break;
      case platform::Event::Kind::kExited:
        // The host thread was killed from outside the sentry.
        kernel_.Debugf("task %d: host thread vanished (status 0x%x)", tid_,
                       ev.exit_status);
        ExitGroup(SIGKILL);
        state = RunState::kExit;
        break;
    }
  }
}

Task::RunState Task::HandleSyscall(const platform::Event& ev) {
  current_.arch = ev.arch;
  current_.nr = ev.sysno;
  for (int i = 0; i < 6; i++) current_.a[i] = ev.args[i];

  const SyscallEntry* e = TableFor(ev.arch).Lookup(ev.sysno);
  Strace* strace = kernel_.strace();
  StraceCall call;
  if (strace) strace->Enter(*this, e, current_, &call);

  int64_t ret;
  if (e == nullptr || e->handler == nullptr) {
    kernel_.ReportUnimplemented(current_, e ? e->name : nullptr);
    ret = -(e ? e->unimplemented_errno : ENOSYS);
  } else {
    if (e->support == Support::kPartial) kernel_.CountPartial(current_, e->name);
    ret = e->handler(*this, current_);
  }

  if (strace) strace->Exit(*this, e, current_, ret, &call);
  if (exiting()) return RunState::kExit;

  if (regs_replaced) {
    regs_replaced = false;
    return RunState::kRunApp;
  }
  if (uapi::IsRestartErrno(static_cast<int>(-ret))) {
    // Decided at delivery time, when we know whether a handler runs.
    pending_restart_ = -ret;
    return RunState::kRunApp;
  }
  ctx_->SetReturn(static_cast<uint64_t>(ret));
  return RunState::kRunApp;
}

Task::RunState Task::HandleFault(const platform::Event& ev) {
  kernel_.Debugf("task %d: fault signal %d code %d addr 0x%lx", tid_, ev.signo,
                 ev.code, static_cast<unsigned long>(ev.fault_addr));
  uapi::Siginfo info{};
  info.si_signo = ev.signo;
  info.si_code = ev.code;
  info.sigfault.addr = ev.fault_addr;
  // force_sig_info(): a fault that is blocked or ignored cannot be
  // escaped: it is unblocked and its action reset to the default.
  {
    absl::MutexLock l(&tg_->signal_mu);
    const uapi::Sigaction act = tg_->GetSigaction(ev.signo);
    const bool blocked = mask_ & uapi::SigsetBit(ev.signo);
    if (blocked || act.handler == uapi::kSigIgn) {
      mask_ &= ~uapi::SigsetBit(ev.signo);
      tg_->SetSigaction(ev.signo, uapi::Sigaction{});
    }
    pending_.Enqueue(info);
  }
  return RunState::kRunApp;
}

}  // namespace sentry
