// Timers that deliver signals: the interval timers of setitimer(2) and
// alarm(2) (ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF) and the POSIX timers
// of timer_create(2). One TimerService per Kernel runs one sentry thread
// that sleeps until the next deadline and sends the signals through
// ThreadGroup::SendSignal / Task::SendSignal.
//
// Clocks:
//   - wall timers (ITIMER_REAL; POSIX timers on CLOCK_REALTIME, MONOTONIC,
//     BOOTTIME, TAI) are kept as CLOCK_MONOTONIC deadlines; absolute
//     REALTIME/BOOTTIME/TAI settings are converted when they are set (a
//     later step of the realtime clock does not move them);
//   - CPU timers (ITIMER_VIRTUAL, ITIMER_PROF, POSIX timers on
//     CLOCK_PROCESS_CPUTIME_ID / CLOCK_THREAD_CPUTIME_ID) count the CPU time
//     of the process's stub on the host: its scheduler run time (the host's
//     CPUCLOCK_SCHED), which is precise and is all application code; the
//     application's system time is spent in the sentry and is not counted,
//     so PROF runs like VIRTUAL. The host cannot arm a timer on another
//     process's CPU clock, so the service polls it every kCpuPollInterval
//     while such a timer is armed: they fire up to that late (Linux checks
//     them at every tick, 4 ms at HZ=250). Thread CPU clocks count the whole
//     process, as clock_gettime does here.
//
// RLIMIT_CPU is watched the same way (check_process_timers()): while the
// process's soft limit is finite, its CPU time (all its images since fork:
// exec adds the old stub's time to a base) is polled; at the hard limit the
// process gets SIGKILL, at the soft limit SIGXCPU and the soft limit moves
// one second on, so SIGXCPU repeats every second until the hard limit.
//
// Lifetime: timers belong to a process (its ThreadGroup). They are dropped
// when the process exits (noticed lazily, at the next expiry), and exec
// deletes the POSIX timers and keeps the interval timers (OnExec). fork
// does not copy them: the child is a new process.
//
// Overruns follow Linux: while a POSIX timer's signal is queued and not yet
// taken, further expirations only count as overruns; the count is written
// into the siginfo when the signal is dequeued (OnDequeue) and is what
// timer_getoverrun(2) then returns.
//
// Locking: the service mutex is a leaf. It is never held while signals are
// sent (which takes the tree and signal locks).
#ifndef SENTRY_KERNEL_TIMERS_H_
#define SENTRY_KERNEL_TIMERS_H_

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "abi/linux/signal.h"

namespace sentry {

class Kernel;
class Task;
class ThreadGroup;

// A timer's setting in nanoseconds: time to the next expiry (0: disarmed)
// and the reload interval (0: one shot).
struct TimerSetting {
  int64_t value_ns = 0;
  int64_t interval_ns = 0;
};

// The clock of a POSIX timer, as decoded by the syscall layer: a wall clock
// id (CLOCK_REALTIME, MONOTONIC, BOOTTIME, TAI), or one of the process's
// CPU clocks (CPUCLOCK_PROF = 0, VIRT = 1, SCHED = 2).
struct TimerClock {
  bool cpu = false;
  int cpu_which = 2;  // recorded; every CPU timer counts CPUCLOCK_SCHED
  int wall_id = 1;  // CLOCK_MONOTONIC
};

// How a POSIX timer tells the process it expired (struct sigevent, as
// decoded and checked by the syscall layer).
struct TimerNotify {
  enum class Kind { kNone, kProcess, kThread };
  Kind kind = Kind::kProcess;
  int signo = 0;
  uapi::Sigval value{};
  pid_t tid = 0;  // kThread: a thread of the calling process
  // timer_create without a sigevent: the value is the new timer's id.
  bool value_is_id = false;
};

class TimerService {
 public:
  // The interval timers (setitimer(2)'s `which`).
  static constexpr int kItimerReal = 0;
  static constexpr int kItimerVirtual = 1;
  static constexpr int kItimerProf = 2;

  // How often armed CPU-time timers look at the stub's CPU clock.
  static constexpr absl::Duration kCpuPollInterval = absl::Milliseconds(4);

  explicit TimerService(Kernel& kernel);
  ~TimerService();
  TimerService(const TimerService&) = delete;
  TimerService& operator=(const TimerService&) = delete;

  // setitimer(2)/getitimer(2) for the calling task's process. `which` is
  // checked by the caller. `old` gets the previous setting.
  void SetItimer(Task& t, int which, const TimerSetting& set, TimerSetting* old);
  TimerSetting GetItimer(Task& t, int which);

  // POSIX timers. Create returns the new timer id, -EAGAIN when the
  // process has too many, or -EINVAL for a SIGEV_THREAD_ID thread outside
  // the process.
  int64_t Create(Task& t, const TimerClock& clock, const TimerNotify& notify);
  // `abstime`: set.value_ns is an absolute time on the timer's clock.
  // Returns 0 or -EINVAL (no such timer).
  int64_t Settime(Task& t, int32_t id, bool abstime, const TimerSetting& set,
                  TimerSetting* old);
  int64_t Gettime(Task& t, int32_t id, TimerSetting* cur);
  int64_t Getoverrun(Task& t, int32_t id);
  int64_t Delete(Task& t, int32_t id);

  // The process's RLIMIT_CPU changed (setrlimit, or a fork that
  // inherited a finite one): start, update or stop watching it. Must be
  // called without the thread group's locks held.
  void OnCpuLimitChange(Task& t);

  // execve(2) passed its point of no return: POSIX timers die, CPU interval
  // timers move to the new stub's clock with the time they had left.
  void OnExec(Task& t);
  // A timer signal (si_code SI_TIMER) of `tg` was taken off a pending
  // queue: fills in si_overrun and lets the timer queue its next signal.
  // Must be called without the signal lock held.
  void OnDequeue(ThreadGroup& tg, uapi::Siginfo* info);

 private:
  struct Timer;
  struct Process;

  Process& ProcessFor(Task& t) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Process* FindProcess(ThreadGroup& tg) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The current time of a timer's clock (monotonic ns, or the stub's CPU
  // clock); false when the CPU clock cannot be read (stub gone).
  bool Now(Process& p, const Timer& tm, int64_t* now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Moves an interval timer's deadline past `now`, counting overruns.
  void Forward(Timer& tm, int64_t now);
  void Arm(Process& p, Timer& tm, const TimerSetting& set)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  TimerSetting Read(Process& p, Timer& tm) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Run();

  Kernel& kernel_;
  absl::Mutex mu_;
  absl::CondVar cv_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::map<ThreadGroup*, std::unique_ptr<Process>> processes_
      ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace sentry

#endif  // SENTRY_KERNEL_TIMERS_H_
