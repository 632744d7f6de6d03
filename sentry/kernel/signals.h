// Pending signals: the per-task and per-process queues (Linux's struct
// sigpending). Standard signals are pending at most once; real-time
// signals queue every instance with its siginfo.
#ifndef SENTRY_KERNEL_SIGNALS_H_
#define SENTRY_KERNEL_SIGNALS_H_

#include <sys/types.h>

#include <deque>

#include "abi/linux/signal.h"

namespace sentry {

// The default action of a signal (signal(7)).
enum class SignalDefault { kTerminate, kCoreDump, kIgnore, kStop, kContinue };
SignalDefault DefaultAction(int sig);

// Signals that cannot be caught, blocked or ignored.
inline constexpr uapi::Sigset kUnblockableSignals =
    uapi::SigsetBit(9) | uapi::SigsetBit(19);  // SIGKILL, SIGSTOP

// Synchronous fault signals are dequeued first (Linux's SYNCHRONOUS_MASK).
inline constexpr uapi::Sigset kSynchronousSignals =
    uapi::SigsetBit(11) | uapi::SigsetBit(7) | uapi::SigsetBit(4) |
    uapi::SigsetBit(5) | uapi::SigsetBit(8) | uapi::SigsetBit(31);

class PendingSignals {
 public:
  uapi::Sigset set() const { return set_; }
  // Adds a signal; returns false when a standard signal was already
  // pending (it is not queued twice).
  bool Enqueue(const uapi::Siginfo& info);
  // Takes the next deliverable signal not in `blocked`: synchronous ones
  // first, then the lowest number (next_signal() in kernel/signal.c).
  bool Dequeue(uapi::Sigset blocked, uapi::Siginfo* out);
  // Takes a specific signal if pending.
  bool DequeueSignal(int sig, uapi::Siginfo* out);
  // Drops every pending instance of the signals in `mask`.
  void Discard(uapi::Sigset mask);
  int Count() const { return static_cast<int>(queue_.size()); }

 private:
  uapi::Sigset set_ = 0;
  std::deque<uapi::Siginfo> queue_;
};

// A siginfo for a signal sent by kill(2)-like calls.
uapi::Siginfo MakeKillInfo(int sig, int code, pid_t pid, uid_t uid);

}  // namespace sentry

#endif  // SENTRY_KERNEL_SIGNALS_H_
