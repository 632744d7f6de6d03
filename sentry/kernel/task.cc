#include "sentry/kernel/task.h"

#include <signal.h>
#include <sys/wait.h>

#include "abi/linux/errno.h"
#include "abi/syscalls.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/thread_group.h"
#include "sentry/syscalls/strace.h"
#include "sentry/syscalls/table.h"
#include "sentry/vfs/fd_table.h"
#include "sentry/vfs/fs_context.h"

namespace sentry {

Task::Task(Kernel& kernel, std::shared_ptr<ThreadGroup> tg, pid_t tid)
    : kernel_(kernel), tg_(std::move(tg)), tid_(tid) {}

Task::~Task() = default;

void Task::ExitGroup(int wait_status) {
  tg_->SetExitStatus(wait_status);
  exiting_.store(true, std::memory_order_release);
}

void Task::Exit(int wait_status) {
  // A single-threaded group ends with its last task; threads come with the
  // process work, until then exit(2) ends the group as Linux does for the
  // last thread.
  ExitGroup(wait_status);
}

// The task loop. Each iteration is one trip through the states:
//   kRunApp:      (signals would be delivered here) then Switch() into the
//                 application until it traps back;
//   kSyscall:     dispatch through the arch's table, then set the result or
//                 restart the call;
//   kFault:       a synchronous fault becomes a signal (for now fatal);
//   kInterrupted: someone wants this task's attention: loop again;
//   kExit:        leave the loop and release the context.
void Task::RunLoop() {
  RunState state = RunState::kRunApp;
  while (state != RunState::kExit) {
    if (exiting() || tg_->exiting()) {
      state = RunState::kExit;
      break;
    }
    const platform::Event ev = ctx_->Switch();
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
        ExitGroup(W_EXITCODE(0, SIGKILL));
        state = RunState::kExit;
        break;
    }
  }
  ctx_.reset();
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
    ret = e->handler(*this, current_);
  }

  if (strace) strace->Exit(*this, e, current_, ret, &call);
  if (exiting()) return RunState::kExit;

  switch (-ret) {
    // No signal handler ran (signal delivery is not there yet), so every
    // restart code restarts the call, as Linux does when no handler is
    // invoked (arch_do_signal_or_restart).
    case uapi::kERESTARTSYS:
    case uapi::kERESTARTNOINTR:
    case uapi::kERESTARTNOHAND:
      RestartSyscall(false);
      return RunState::kRunApp;
    case uapi::kERESTART_RESTARTBLOCK:
      RestartSyscall(true);
      return RunState::kRunApp;
    default:
      break;
  }
  ctx_->SetReturn(static_cast<uint64_t>(ret));
  return RunState::kRunApp;
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

Task::RunState Task::HandleFault(const platform::Event& ev) {
  // Without signal handlers yet, a synchronous fault kills the group with
  // that signal, as the default action would (core-dumping signals set
  // the core flag in the wait status).
  kernel_.Debugf("task %d: fault signal %d code %d addr 0x%lx", tid_, ev.signo,
                 ev.code, static_cast<unsigned long>(ev.fault_addr));
  ExitGroup(ev.signo | WCOREFLAG);
  return RunState::kExit;
}

}  // namespace sentry
