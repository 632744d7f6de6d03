#include "sentry/kernel/timers.h"

#include <signal.h>
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <optional>
#include <climits>
#include <cstring>
#include <vector>

#include "abi/linux/resource.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/thread_group.h"

namespace sentry {

namespace {

constexpr int64_t kNsPerSec = 1'000'000'000;

// The host's per-process CPU clocks (MAKE_PROCESS_CPUCLOCK in
// include/linux/posix-timers.h).
enum CpuClock { kCpuProf = 0, kCpuVirt = 1, kCpuSched = 2 };

clockid_t ProcessCpuClock(pid_t pid, int which) {
  return static_cast<clockid_t>((~static_cast<unsigned>(pid) << 3) | which);
}

int64_t ToNs(const timespec& ts) {
  return static_cast<int64_t>(ts.tv_sec) * kNsPerSec + ts.tv_nsec;
}

int64_t MonotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ToNs(ts);
}

// Saturating a + b for deadlines (values come from the application).
int64_t AddNs(int64_t a, int64_t b) {
  if (b > 0 && a > INT64_MAX - b) return INT64_MAX;
  return a + b;
}

int ClampOverrun(int64_t n) {
  // DELAYTIMER_MAX: overruns beyond INT_MAX are reported as INT_MAX.
  return n > INT_MAX ? INT_MAX : static_cast<int>(n);
}

// Whether a signal generated now would be dropped (sig_ignored()), judged
// by the disposition only.
bool DispositionIgnores(ThreadGroup& tg, int sig) {
  const uapi::Sigaction act = tg.GetSigaction(sig);
  if (act.handler == uapi::kSigIgn) return true;
  return act.handler == uapi::kSigDfl &&
         DefaultAction(sig) == SignalDefault::kIgnore;
}

}  // namespace

struct TimerService::Timer {
  // Which clock the deadline is on: CLOCK_MONOTONIC for wall timers, or
  // one of the stub's CPU clocks.
  bool cpu = false;
  int cpu_clock = kCpuSched;
  int clock_id = CLOCK_MONOTONIC;  // as the application named it
  bool armed = false;
  int64_t deadline = 0;
  int64_t interval = 0;
  // Interval timers report their interval even while disarmed.
  bool keep_interval = false;
  TimerNotify notify;
  std::weak_ptr<Task> target;  // notify.kind == kThread
  // POSIX timers: the id, and the overrun bookkeeping (see timers.h).
  bool posix = false;
  int32_t id = 0;
  bool queued = false;
  int64_t overrun = 0;
  int64_t overrun_last = 0;
};

struct TimerService::Process {
  std::weak_ptr<ThreadGroup> tg;
  pid_t stub = 0;
  // Last value read from each CPU clock of the stub (kCpuProf..kCpuSched).
  int64_t last_cpu[3] = {0, 0, 0};
  Timer itimers[3];
  std::map<int32_t, Timer> posix;
  int32_t next_id = 0;
  // RLIMIT_CPU (seconds; copies of the thread group's, updated through
  // OnCpuLimitChange and when SIGXCPU advances the soft limit).
  bool cpu_limited = false;
  uint64_t cpu_soft = 0;
  uint64_t cpu_hard = 0;
  // CPU time of the process's earlier images (stubs replaced by exec).
  int64_t cpu_base = 0;
};

TimerService::TimerService(Kernel& kernel) : kernel_(kernel) {
  thread_ = std::thread([this] { Run(); });
}

TimerService::~TimerService() {
  {
    absl::MutexLock l(&mu_);
    stop_ = true;
    cv_.SignalAll();
  }
  thread_.join();
}

TimerService::Process* TimerService::FindProcess(ThreadGroup& tg) {
  auto it = processes_.find(&tg);
  if (it == processes_.end()) return nullptr;
  // The address may belong to a new process once the old one is gone.
  if (it->second->tg.lock().get() != &tg) {
    processes_.erase(it);
    return nullptr;
  }
  return it->second.get();
}

TimerService::Process& TimerService::ProcessFor(Task& t) {
  ThreadGroup& tg = t.thread_group();
  if (Process* p = FindProcess(tg)) return *p;
  auto p = std::make_unique<Process>();
  p->tg = t.shared_thread_group();
  p->stub = t.mm().address_space().StubPid();
  // VIRTUAL and PROF both count the stub's scheduler run time: precise,
  // where the host's user/system split is sampled at ticks, and all of it
  // is the application's own code (its system calls run in the sentry).
  const int itimer_clock[3] = {-1, kCpuSched, kCpuSched};
  for (int i = 0; i < 3; i++) {
    Timer& tm = p->itimers[i];
    tm.keep_interval = true;
    tm.cpu = itimer_clock[i] >= 0;
    if (tm.cpu) tm.cpu_clock = itimer_clock[i];
    tm.notify.kind = TimerNotify::Kind::kProcess;
    tm.notify.signo = i == kItimerReal      ? SIGALRM
                      : i == kItimerVirtual ? SIGVTALRM
                                            : SIGPROF;
  }
  Process& ref = *p;
  processes_[&tg] = std::move(p);
  return ref;
}

bool TimerService::Now(Process& p, const Timer& tm, int64_t* now) {
  if (!tm.cpu) {
    *now = MonotonicNs();
    return true;
  }
  timespec ts;
  if (clock_gettime(ProcessCpuClock(p.stub, tm.cpu_clock), &ts) < 0) {
    return false;
  }
  *now = ToNs(ts);
  p.last_cpu[tm.cpu_clock] = *now;
  return true;
}

void TimerService::Forward(Timer& tm, int64_t now) {
  if (!tm.armed || !tm.interval || now < tm.deadline) return;
  const int64_t n = 1 + (now - tm.deadline) / tm.interval;
  tm.deadline = AddNs(tm.deadline, n * tm.interval);
  tm.overrun += n;
}

void TimerService::Arm(Process& p, Timer& tm, const TimerSetting& set) {
  tm.overrun = 0;
  tm.overrun_last = 0;
  if (set.value_ns <= 0) {
    tm.armed = false;
    tm.interval = tm.keep_interval ? set.interval_ns : 0;
    return;
  }
  int64_t now = 0;
  if (!Now(p, tm, &now)) {
    tm.armed = false;
    return;
  }
  tm.deadline = AddNs(now, set.value_ns);
  tm.interval = set.interval_ns;
  tm.armed = true;
  cv_.Signal();
}

TimerSetting TimerService::Read(Process& p, Timer& tm) {
  TimerSetting out;
  out.interval_ns = tm.interval;
  if (!tm.armed) {
    if (!tm.keep_interval) out.interval_ns = 0;
    return out;
  }
  int64_t now = 0;
  if (!Now(p, tm, &now)) return out;
  const bool none = tm.notify.kind == TimerNotify::Kind::kNone;
  if (none && !tm.interval && now >= tm.deadline) {
    // SIGEV_NONE timers are not run by the thread; an expired one-shot
    // one reads as 0.
    tm.armed = false;
    out.interval_ns = 0;
    return out;
  }
  // Timers the thread leaves alone (SIGEV_NONE, or a signal still
  // queued) are moved forward now (common_timer_get()).
  if (none || tm.queued) Forward(tm, now);
  // An armed timer never reads as 0 (Linux reports 1 ns / 1 us while
  // the expiry is being handled).
  const int64_t min = tm.posix ? 1 : 1000;
  out.value_ns = std::max(tm.deadline - now, min);
  return out;
}

// ---------------------------------------------------------------------------
// Interval timers

void TimerService::SetItimer(Task& t, int which, const TimerSetting& set,
                             TimerSetting* old) {
  absl::MutexLock l(&mu_);
  Process& p = ProcessFor(t);
  Timer& tm = p.itimers[which];
  if (old) *old = Read(p, tm);
  TimerSetting s = set;
  // A CPU timer set to expire is pushed one tick out (set_cpu_itimer()).
  if (tm.cpu && s.value_ns > 0) {
    s.value_ns = AddNs(s.value_ns, absl::ToInt64Nanoseconds(kCpuPollInterval));
  }
  Arm(p, tm, s);
}

TimerSetting TimerService::GetItimer(Task& t, int which) {
  absl::MutexLock l(&mu_);
  Process* p = FindProcess(t.thread_group());
  if (!p) return {};
  return Read(*p, p->itimers[which]);
}

// ---------------------------------------------------------------------------
// POSIX timers

int64_t TimerService::Create(Task& t, const TimerClock& clock,
                             const TimerNotify& notify) {
  std::shared_ptr<Task> target;
  if (notify.kind == TimerNotify::Kind::kThread) {
    target = kernel_.FindTask(notify.tid);
    if (!target || &target->thread_group() != &t.thread_group()) return -EINVAL;
  }
  const uint64_t limit = t.thread_group().GetRlimit(RLIMIT_SIGPENDING).cur;
  absl::MutexLock l(&mu_);
  Process& p = ProcessFor(t);
  if (p.posix.size() >= limit) return -EAGAIN;
  // Ids count up from 0 and are not reused until they wrap
  // (posix_timer_add()).
  int32_t id = p.next_id;
  while (p.posix.count(id)) id = id == INT_MAX ? 0 : id + 1;
  p.next_id = id == INT_MAX ? 0 : id + 1;
  Timer& tm = p.posix[id];
  tm.posix = true;
  tm.id = id;
  tm.clock_id = clock.wall_id;
  tm.cpu = clock.cpu;
  // Every CPU clock counts the stub's run time (see SetItimer).
  tm.cpu_clock = kCpuSched;
  tm.notify = notify;
  if (notify.value_is_id) {
    tm.notify.value.sival_ptr = 0;
    tm.notify.value.sival_int = id;
  }
  tm.target = target;
  return id;
}

int64_t TimerService::Settime(Task& t, int32_t id, bool abstime,
                              const TimerSetting& set, TimerSetting* old) {
  absl::MutexLock l(&mu_);
  Process* p = FindProcess(t.thread_group());
  if (!p) return -EINVAL;
  auto it = p->posix.find(id);
  if (it == p->posix.end()) return -EINVAL;
  Timer& tm = it->second;
  if (old) *old = Read(*p, tm);
  TimerSetting s = set;
  if (abstime && s.value_ns > 0) {
    // Turn the absolute time into a relative one on the timer's clock; a
    // time already past fires at once.
    int64_t now = 0;
    if (tm.cpu) {
      if (!Now(*p, tm, &now)) now = 0;
    } else {
      timespec ts;
      clock_gettime(tm.clock_id, &ts);
      now = ToNs(ts);
    }
    s.value_ns = std::max<int64_t>(s.value_ns - now, 1);
  }
  Arm(*p, tm, s);
  return 0;
}

int64_t TimerService::Gettime(Task& t, int32_t id, TimerSetting* cur) {
  absl::MutexLock l(&mu_);
  Process* p = FindProcess(t.thread_group());
  if (!p) return -EINVAL;
  auto it = p->posix.find(id);
  if (it == p->posix.end()) return -EINVAL;
  *cur = Read(*p, it->second);
  return 0;
}

int64_t TimerService::Getoverrun(Task& t, int32_t id) {
  absl::MutexLock l(&mu_);
  Process* p = FindProcess(t.thread_group());
  if (!p) return -EINVAL;
  auto it = p->posix.find(id);
  if (it == p->posix.end()) return -EINVAL;
  return ClampOverrun(it->second.overrun_last);
}

int64_t TimerService::Delete(Task& t, int32_t id) {
  absl::MutexLock l(&mu_);
  Process* p = FindProcess(t.thread_group());
  if (!p) return -EINVAL;
  return p->posix.erase(id) ? 0 : -EINVAL;
}

void TimerService::OnCpuLimitChange(Task& t) {
  const uapi::Rlimit lim = t.thread_group().GetRlimit(uapi::kRlimitCpu);
  absl::MutexLock l(&mu_);
  Process* p = FindProcess(t.thread_group());
  if (lim.cur == uapi::kRlimInfinity) {
    if (p) p->cpu_limited = false;
    return;
  }
  if (!p) p = &ProcessFor(t);
  p->cpu_limited = true;
  p->cpu_soft = lim.cur;
  p->cpu_hard = lim.max;
  cv_.Signal();
}

void TimerService::OnExec(Task& t) {
  absl::MutexLock l(&mu_);
  Process* p = FindProcess(t.thread_group());
  if (!p) return;
  p->posix.clear();
  // The new image runs in a new stub whose CPU clocks start near zero:
  // keep what each CPU interval timer had left.
  const pid_t stub = t.mm().address_space().StubPid();
  if (stub == p->stub) return;
  int64_t left[3] = {0, 0, 0};
  for (Timer& tm : p->itimers) {
    if (tm.cpu && tm.armed) {
      left[tm.cpu_clock] = std::max<int64_t>(tm.deadline - p->last_cpu[tm.cpu_clock], 1);
    }
  }
  // The old image's CPU time still counts against RLIMIT_CPU: its last
  // reading (at most one poll interval old if the stub is already gone).
  {
    timespec ts;
    if (clock_gettime(ProcessCpuClock(p->stub, kCpuSched), &ts) == 0) {
      p->last_cpu[kCpuSched] = ToNs(ts);
    }
    p->cpu_base = AddNs(p->cpu_base, p->last_cpu[kCpuSched]);
    p->last_cpu[kCpuSched] = 0;
  }
  p->stub = stub;
  for (Timer& tm : p->itimers) {
    if (!tm.cpu || !tm.armed) continue;
    int64_t now = 0;
    if (!Now(*p, tm, &now)) {
      tm.armed = false;
      continue;
    }
    tm.deadline = AddNs(now, left[tm.cpu_clock]);
  }
  cv_.Signal();
}

void TimerService::OnDequeue(ThreadGroup& tg, uapi::Siginfo* info) {
  absl::MutexLock l(&mu_);
  Process* p = FindProcess(tg);
  if (!p) return;
  auto it = p->posix.find(info->timer.tid);
  if (it == p->posix.end()) return;
  Timer& tm = it->second;
  if (!tm.queued) return;  // a copy queued by someone else
  // Expiries while the signal waited are overruns; the timer runs again
  // from the next one (posixtimer_rearm()).
  int64_t now = 0;
  if (tm.armed && Now(*p, tm, &now)) Forward(tm, now);
  info->timer.overrun = ClampOverrun(tm.overrun);
  tm.overrun_last = tm.overrun;
  tm.overrun = 0;
  tm.queued = false;
  cv_.Signal();
}

// ---------------------------------------------------------------------------
// The timer thread

void TimerService::Run() {
  struct Fire {
    std::shared_ptr<ThreadGroup> tg;
    std::shared_ptr<Task> task;  // thread-directed
    uapi::Siginfo info;
    // SIGXCPU: the soft limit (seconds) to advance before sending.
    std::optional<uint64_t> advance_cpu_soft;
  };
  absl::MutexLock l(&mu_);
  while (!stop_) {
    std::vector<Fire> fires;
    absl::Duration wait = absl::InfiniteDuration();
    bool cpu_armed = false;
    for (auto it = processes_.begin(); it != processes_.end();) {
      Process& p = *it->second;
      std::shared_ptr<ThreadGroup> tg = p.tg.lock();
      if (!tg || tg->group_exiting.load(std::memory_order_acquire)) {
        // Timers die with their process.
        it = processes_.erase(it);
        continue;
      }
      auto visit = [&](Timer& tm) {
        // SIGEV_NONE timers are read lazily; a timer whose signal is
        // still queued waits for OnDequeue.
        if (!tm.armed || tm.notify.kind == TimerNotify::Kind::kNone ||
            tm.queued) {
          return;
        }
        int64_t now = 0;
        if (!Now(p, tm, &now)) {
          // The stub is gone (the process is exiting or exec'ing); OnExec
          // re-bases, exit drops the process.
          cpu_armed = true;
          return;
        }
        if (now >= tm.deadline) {
          int64_t n = 1;
          if (tm.interval > 0) {
            n += (now - tm.deadline) / tm.interval;
            tm.deadline = AddNs(tm.deadline, n * tm.interval);
          } else {
            tm.armed = false;
          }
          Fire f;
          std::memset(&f.info, 0, sizeof(f.info));
          f.info.si_signo = tm.notify.signo;
          if (!tm.posix) {
            // it_real_fn() and the CPU itimers send SEND_SIG_PRIV.
            f.info.si_code = SI_KERNEL;
            f.tg = tg;
            fires.push_back(std::move(f));
          } else {
            tm.overrun += n - 1;
            f.info.si_code = SI_TIMER;
            f.info.timer.tid = tm.id;
            f.info.timer.sigval = tm.notify.value;
            if (tm.notify.kind == TimerNotify::Kind::kThread) {
              f.task = tm.target.lock();
            } else {
              f.tg = tg;
            }
            // A signal that will be dropped is never dequeued: do not
            // wait for it.
            tm.queued = (f.tg || f.task) && !DispositionIgnores(*tg, tm.notify.signo);
            if (f.tg || f.task) fires.push_back(std::move(f));
          }
        }
        if (tm.armed) {
          if (tm.cpu) {
            cpu_armed = true;
          } else {
            wait = std::min(wait, absl::Nanoseconds(tm.deadline - now));
          }
        }
      };
      for (Timer& tm : p.itimers) visit(tm);
      for (auto& [id, tm] : p.posix) visit(tm);
      if (p.cpu_limited) {
        // RLIMIT_CPU, as check_process_timers() does it: the hard limit
        // first (SIGKILL, and nothing more to watch), then the soft one.
        timespec ts;
        if (clock_gettime(ProcessCpuClock(p.stub, kCpuSched), &ts) == 0) {
          p.last_cpu[kCpuSched] = ToNs(ts);
          const int64_t used = AddNs(p.cpu_base, ToNs(ts));
          auto reached = [used](uint64_t limit_s) {
            return limit_s != uapi::kRlimInfinity &&
                   limit_s <= static_cast<uint64_t>(INT64_MAX / kNsPerSec) &&
                   used >= static_cast<int64_t>(limit_s) * kNsPerSec;
          };
          Fire f;
          std::memset(&f.info, 0, sizeof(f.info));
          f.info.si_code = SI_KERNEL;  // SEND_SIG_PRIV
          f.tg = tg;
          if (reached(p.cpu_hard)) {
            f.info.si_signo = SIGKILL;
            p.cpu_limited = false;
            fires.push_back(std::move(f));
          } else if (reached(p.cpu_soft)) {
            f.info.si_signo = SIGXCPU;
            f.advance_cpu_soft = p.cpu_soft;
            p.cpu_soft++;
            fires.push_back(std::move(f));
          }
        }
        // A stub that cannot be read is exiting or being replaced by exec.
        if (p.cpu_limited) cpu_armed = true;
      }
      ++it;
    }
    if (!fires.empty()) {
      mu_.Unlock();
      for (Fire& f : fires) {
        if (f.advance_cpu_soft) f.tg->AdvanceCpuSoftLimit(*f.advance_cpu_soft);
        if (f.task) {
          f.task->SendSignal(f.info);
        } else {
          f.tg->SendSignal(f.info);
        }
      }
      fires.clear();
      mu_.Lock();
      continue;  // deadlines may have passed meanwhile
    }
    if (cpu_armed) wait = std::min(wait, kCpuPollInterval);
    cv_.WaitWithTimeout(&mu_, wait);
  }
}

}  // namespace sentry
