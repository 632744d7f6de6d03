#include "sentry/kernel/signals.h"

#include <signal.h>

#include <cstring>

namespace sentry {

SignalDefault DefaultAction(int sig) {
  switch (sig) {
    case SIGQUIT:
    case SIGILL:
    case SIGTRAP:
    case SIGABRT:
    case SIGBUS:
    case SIGFPE:
    case SIGSEGV:
    case SIGXCPU:
    case SIGXFSZ:
    case SIGSYS:
      return SignalDefault::kCoreDump;
    case SIGCHLD:
    case SIGURG:
    case SIGWINCH:
      return SignalDefault::kIgnore;
    case SIGSTOP:
    case SIGTSTP:
    case SIGTTIN:
    case SIGTTOU:
      return SignalDefault::kStop;
    case SIGCONT:
      return SignalDefault::kContinue;
    default:
      return SignalDefault::kTerminate;
  }
}

bool PendingSignals::Enqueue(const uapi::Siginfo& info) {
  const int sig = info.si_signo;
  const uapi::Sigset bit = uapi::SigsetBit(sig);
  if (sig < uapi::kSigRtMin && (set_ & bit)) return false;
  set_ |= bit;
  queue_.push_back(info);
  return true;
}

bool PendingSignals::DequeueSignal(int sig, uapi::Siginfo* out) {
  const uapi::Sigset bit = uapi::SigsetBit(sig);
  if (!(set_ & bit)) return false;
  bool found = false, more = false;
  for (auto it = queue_.begin(); it != queue_.end();) {
    if (it->si_signo != sig) {
      ++it;
      continue;
    }
    if (!found) {
      *out = *it;
      found = true;
      it = queue_.erase(it);
    } else {
      more = true;
      break;
    }
  }
  if (!more) set_ &= ~bit;
  return found;
}

bool PendingSignals::Dequeue(uapi::Sigset blocked, uapi::Siginfo* out) {
  uapi::Sigset ready = set_ & ~blocked;
  if (!ready) return false;
  if (ready & kSynchronousSignals) ready &= kSynchronousSignals;
  const int sig = __builtin_ctzll(ready) + 1;
  return DequeueSignal(sig, out);
}

void PendingSignals::Discard(uapi::Sigset mask) {
  set_ &= ~mask;
  for (auto it = queue_.begin(); it != queue_.end();) {
    if (mask & uapi::SigsetBit(it->si_signo)) {
      it = queue_.erase(it);
    } else {
      ++it;
    }
  }
}

uapi::Siginfo MakeKillInfo(int sig, int code, pid_t pid, uid_t uid) {
  uapi::Siginfo info;
  std::memset(&info, 0, sizeof(info));
  info.si_signo = sig;
  info.si_code = code;
  info.kill.pid = pid;
  info.kill.uid = uid;
  return info;
}

}  // namespace sentry
