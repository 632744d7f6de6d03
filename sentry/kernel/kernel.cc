#include "sentry/kernel/kernel.h"

#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <future>
#include <thread>

#include "abi/linux/signal_names.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "sentry/kernel/exec_setup.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/thread_group.h"
#include "sentry/kernel/timers.h"
#include "sentry/loader/loader.h"
#include "sentry/mm/memory_manager.h"
#include "sentry/syscalls/strace.h"
#include "sentry/vfs/fd_table.h"
#include "sentry/vfs/fs_context.h"
#include "sentry/vfs/vfs.h"

namespace sentry {

namespace {

int64_t MonotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1'000'000'000LL + ts.tv_nsec;
}

// The error for a program that could not be started: NotFound when the file
// is missing (shells exit 127), FailedPrecondition otherwise (126).
absl::Status ExecError(int err, const std::string& path, std::string message) {
  if (message.empty()) message = absl::StrCat(path, ": ", strerror(err));
  if (err == ENOENT) return absl::NotFoundError(message);
  return absl::FailedPreconditionError(message);
}

}  // namespace

Kernel::Kernel(KernelConfig config, std::unique_ptr<platform::Platform> platform,
               std::shared_ptr<vfs::VirtualFilesystem> vfs)
    : config_(std::move(config)),
      platform_(std::move(platform)),
      vfs_(std::move(vfs)),
      start_ns_(MonotonicNs()) {
  if (config_.strace) strace_ = std::make_unique<Strace>(config_.strace);
  timers_ = std::make_unique<TimerService>(*this);
}

Kernel::~Kernel() {
  // Every task thread must be gone before the kernel is (RunInit waits for
  // them); this is the backstop for other users.
  absl::MutexLock l(&tree_mu_);
  for (auto& [pid, tg] : thread_groups_) GroupExitLocked(*tg, SIGKILL);
  while (live_threads_ > 0) tree_cv_.Wait(&tree_mu_);
  // Idle sentry threads leave; wait for them (they use this object).
  absl::MutexLock pl(&pool_mu_);
  pool_stop_ = true;
  pool_cv_.SignalAll();
  while (pool_threads_ > 0) pool_cv_.Wait(&pool_mu_);
}

pid_t Kernel::AllocatePid() {
  absl::MutexLock l(&tree_mu_);
  // Like Linux, pids are handed out in increasing order and wrap at
  // pid_max, skipping those in use.
  constexpr pid_t kPidMax = 4194304;
  for (;;) {
    pid_t pid = next_pid_++;
    if (next_pid_ >= kPidMax) next_pid_ = 2;
    if (!tasks_.count(pid) && !thread_groups_.count(pid)) return pid;
  }
}

void Kernel::Debugf(const char* fmt, ...) const {
  if (!config_.debug) return;
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  fprintf(stderr, "runsc: %s\n", buf);
}

void Kernel::ReportUnimplemented(const SyscallArgs& args, const char* name) {
  std::string key = name ? name : absl::StrCat("syscall_", args.nr);
  if (args.arch == platform::Arch::kI386) key = "i386:" + key;
  bool first;
  {
    absl::MutexLock l(&report_mu_);
    first = unimplemented_[key]++ == 0;
  }
  if (first && config_.debug) {
    fprintf(stderr, "runsc: unimplemented syscall %s(%llu)\n", key.c_str(),
            static_cast<unsigned long long>(args.nr));
  }
}

void Kernel::CountPartial(const SyscallArgs& args, const char* name) {
  std::string key = name ? name : absl::StrCat("syscall_", args.nr);
  if (args.arch == platform::Arch::kI386) key = "i386:" + key;
  absl::MutexLock l(&report_mu_);
  partial_[key]++;
}

std::map<std::string, uint64_t> Kernel::UnimplementedCounts() const {
  absl::MutexLock l(&report_mu_);
  return unimplemented_;
}

std::map<std::string, uint64_t> Kernel::PartialCounts() const {
  absl::MutexLock l(&report_mu_);
  return partial_;
}

// ---------------------------------------------------------------------------
// The process tree

std::shared_ptr<Task> Kernel::FindTaskLocked(pid_t tid) {
  auto it = tasks_.find(tid);
  return it == tasks_.end() ? nullptr : it->second;
}

std::shared_ptr<Task> Kernel::FindTask(pid_t tid) {
  absl::MutexLock l(&tree_mu_);
  return FindTaskLocked(tid);
}

std::shared_ptr<ThreadGroup> Kernel::FindThreadGroupLocked(pid_t tgid) {
  auto it = thread_groups_.find(tgid);
  return it == thread_groups_.end() ? nullptr : it->second;
}

std::shared_ptr<ThreadGroup> Kernel::FindThreadGroup(pid_t tgid) {
  absl::MutexLock l(&tree_mu_);
  return FindThreadGroupLocked(tgid);
}

std::vector<pid_t> Kernel::ThreadGroupIds() {
  absl::MutexLock l(&tree_mu_);
  std::vector<pid_t> out;
  for (const auto& [pid, tg] : thread_groups_) out.push_back(pid);
  return out;
}

std::vector<std::shared_ptr<ThreadGroup>> Kernel::ThreadGroupsLocked() {
  std::vector<std::shared_ptr<ThreadGroup>> out;
  for (const auto& [pid, tg] : thread_groups_) out.push_back(tg);
  return out;
}

void Kernel::RegisterLocked(std::shared_ptr<Task> t,
                            std::shared_ptr<ThreadGroup> tg) {
  if (!thread_groups_.count(tg->tgid())) {
    thread_groups_[tg->tgid()] = tg;
    tg->leader = t;
  }
  tg->tasks.push_back(t.get());
  tasks_[t->tid()] = std::move(t);
}

bool Kernel::ChargeTask() {
  const uint64_t max = config_.max_tasks;
  uint64_t n = charged_tasks_.load(std::memory_order_relaxed);
  do {
    if (max != 0 && n >= max) {
      if (pids_limit_hits_.fetch_add(1, std::memory_order_relaxed) == 0) {
        Debugf("pids limit of %llu tasks reached: fork/clone fail with EAGAIN",
               static_cast<unsigned long long>(max));
      }
      return false;
    }
  } while (!charged_tasks_.compare_exchange_weak(n, n + 1,
                                                 std::memory_order_relaxed));
  return true;
}

void Kernel::UnchargeTask() {
  charged_tasks_.fetch_sub(1, std::memory_order_relaxed);
}

void Kernel::StartTaskThread(std::shared_ptr<Task> t,
                             std::function<bool(Task&)> setup) {
  {
    absl::MutexLock l(&tree_mu_);
    live_threads_++;
  }
  RunTaskThread([this, t = std::move(t), setup = std::move(setup)]() mutable {
    if (setup(*t)) {
      t->RunLoop();
    } else {
      t->Exit(W_EXITCODE(126, 0));
    }
    t->ExitPath();
    t.reset();
    UnchargeTask();
    absl::MutexLock l(&tree_mu_);
    live_threads_--;
    tree_cv_.SignalAll();
  });
}

namespace {
// Idle sentry threads kept for new tasks, and how long one waits for work.
constexpr int kMaxIdleTaskThreads = 16;
constexpr absl::Duration kIdleTaskThreadTimeout = absl::Seconds(5);
}  // namespace

void Kernel::RunTaskThread(std::function<void()> work) {
  {
    absl::MutexLock l(&pool_mu_);
    if (pool_idle_ > static_cast<int>(pool_work_.size())) {
      pool_work_.push_back(std::move(work));
      pool_cv_.Signal();
      return;
    }
    pool_threads_++;
  }
  std::thread([this, work = std::move(work)]() mutable {
    for (;;) {
      work();
      work = nullptr;
      absl::MutexLock l(&pool_mu_);
      if (pool_stop_ || pool_idle_ >= kMaxIdleTaskThreads) {
        pool_threads_--;
        pool_cv_.SignalAll();
        return;
      }
      pool_idle_++;
      const absl::Time deadline = absl::Now() + kIdleTaskThreadTimeout;
      while (pool_work_.empty() && !pool_stop_ && absl::Now() < deadline) {
        pool_cv_.WaitWithDeadline(&pool_mu_, deadline);
      }
      pool_idle_--;
      if (pool_work_.empty()) {
        pool_threads_--;
        pool_cv_.SignalAll();
        return;
      }
      work = std::move(pool_work_.back());
      pool_work_.pop_back();
    }
  }).detach();
}

// ---------------------------------------------------------------------------
// Processes started from outside

int64_t Kernel::FindExecutable(const vfs::FsContext& fs,
                               const std::string& name,
                               const std::string& path_env, std::string* out) {
  if (name.empty()) return -ENOENT;
  std::shared_ptr<vfs::FileDescription> file;
  if (name.find('/') != std::string::npos) {
    std::string resolved;
    int64_t r = vfs_->OpenForExec(fs, name, &file, &resolved);
    *out = name;
    return r < 0 ? r : 0;
  }
  int64_t best = -ENOENT;
  for (absl::string_view dir : absl::StrSplit(path_env, ':')) {
    std::string candidate = absl::StrCat(dir.empty() ? "." : dir, "/", name);
    std::string resolved;
    int64_t r = vfs_->OpenForExec(fs, candidate, &file, &resolved);
    if (r == 0) {
      *out = candidate;
      return 0;
    }
    // execvp keeps looking after EACCES but reports it if nothing else is
    // found.
    if (r == -EACCES) best = r;
  }
  return best;
}

absl::StatusOr<pid_t> Kernel::StartProcess(InitProcess init) {
  if (init.argv.empty()) return absl::InvalidArgumentError("no command given");
  std::string path;
  int64_t r = FindExecutable(*init.fs, init.argv[0], init.path_env, &path);
  if (r < 0) {
    if (r == -ENOENT && init.argv[0].find('/') == std::string::npos) {
      return absl::NotFoundError(
          absl::StrCat(init.argv[0], ": command not found"));
    }
    return ExecError(static_cast<int>(-r), init.argv[0], "");
  }
  if (!ChargeTask()) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "pids limit of ", config_.max_tasks, " tasks reached"));
  }

  const pid_t pid = AllocatePid();
  auto tg = std::make_shared<ThreadGroup>(*this, pid);
  auto task = std::make_shared<Task>(*this, tg, pid);
  task->set_fs(init.fs);
  task->set_fds(init.fds);
  {
    absl::MutexLock l(&tree_mu_);
    tg->pgid_ = pid;
    tg->sid_ = pid;
    RegisterLocked(task, tg);
  }

  // The task's sentry thread creates the address space (it must own the
  // stub), loads the program and runs the task loop.
  auto started = std::make_shared<std::promise<absl::Status>>();
  std::future<absl::Status> started_f = started->get_future();
  loader::ExecRequest req;
  req.path = path;
  req.argv = std::move(init.argv);
  req.envp = std::move(init.envp);
  req.uid = config_.uid;
  req.gid = config_.gid;
  StartTaskThread(task, [this, req, started](Task& t) {
    std::string error;
    int64_t lr = ExecInto(t, req, &error);
    if (lr < 0) {
      started->set_value(ExecError(static_cast<int>(-lr), req.path, error));
      return false;
    }
    started->set_value(absl::OkStatus());
    return true;
  });
  absl::Status st = started_f.get();
  if (!st.ok()) {
    WaitProcess(pid);
    return st;
  }
  return pid;
}

int Kernel::WaitProcess(pid_t pid) {
  absl::MutexLock l(&tree_mu_);
  for (;;) {
    auto it = thread_groups_.find(pid);
    if (it == thread_groups_.end() || it->second->parent) return -ECHILD;
    ThreadGroup& tg = *it->second;
    if (tg.state == ThreadGroup::State::kZombie) {
      const int status = tg.exit_status;
      ReleaseLocked(tg);
      return status;
    }
    tree_cv_.Wait(&tree_mu_);
  }
}

absl::StatusOr<int> Kernel::RunInit(InitProcess init) {
  absl::StatusOr<pid_t> pid = StartProcess(std::move(init));
  if (!pid.ok()) return pid.status();
  const int status = WaitProcess(*pid);
  {
    // Init's death killed everything else; wait for the last threads.
    absl::MutexLock l(&tree_mu_);
    while (live_threads_ > 0) tree_cv_.Wait(&tree_mu_);
  }
  if (strace_) {
    if (WIFSIGNALED(status)) {
      const char* name = uapi::SignalName(WTERMSIG(status));
      strace_->Line(absl::StrCat("+++ killed by ",
                                 name ? name : absl::StrCat(WTERMSIG(status)),
                                 WCOREDUMP(status) ? " (core dumped)" : "",
                                 " +++\n"));
    } else {
      strace_->Line(
          absl::StrCat("+++ exited with ", WEXITSTATUS(status), " +++\n"));
    }
  }
  return status;
}

int64_t Kernel::Kill(pid_t pid, int sig) {
  if (sig < 0 || sig > uapi::kNumSignals) return -EINVAL;
  absl::MutexLock l(&tree_mu_);
  const uapi::Siginfo info = MakeKillInfo(sig, SI_USER, 0, 0);
  if (pid == -1) {
    bool any = false;
    for (auto& [p, tg] : thread_groups_) {
      if (tg->state != ThreadGroup::State::kRunning) continue;
      any = true;
      if (sig) tg->SendSignalLocked(info);
    }
    return any ? 0 : -ESRCH;
  }
  auto tg = FindThreadGroupLocked(pid);
  if (!tg || tg->state != ThreadGroup::State::kRunning) return -ESRCH;
  if (sig) tg->SendSignalLocked(info);
  return 0;
}

int64_t Kernel::KillProcessGroup(pid_t pgid, int sig) {
  if (sig < 0 || sig > uapi::kNumSignals) return -EINVAL;
  absl::MutexLock l(&tree_mu_);
  const uapi::Siginfo info = MakeKillInfo(sig, SI_USER, 0, 0);
  bool any = false;
  for (auto& [p, tg] : thread_groups_) {
    if (tg->pgid_ != pgid || tg->state != ThreadGroup::State::kRunning)
      continue;
    any = true;
    if (sig) tg->SendSignalLocked(info);
  }
  return any ? 0 : -ESRCH;
}

pid_t Kernel::InitProcessGroup() {
  absl::MutexLock l(&tree_mu_);
  auto it = thread_groups_.find(1);
  return it == thread_groups_.end() ? 1 : it->second->pgid_;
}

std::vector<ProcessInfo> Kernel::Processes() {
  std::vector<std::shared_ptr<ThreadGroup>> tgs;
  std::vector<ProcessInfo> out;
  {
    absl::MutexLock l(&tree_mu_);
    tgs = ThreadGroupsLocked();
    for (auto& tg : tgs) {
      ProcessInfo p;
      p.pid = tg->tgid();
      p.ppid = tg->parent ? tg->parent->tgid() : 0;
      p.state = tg->state == ThreadGroup::State::kZombie ? 'Z' : 'R';
      out.push_back(p);
    }
  }
  for (size_t i = 0; i < tgs.size(); i++) {
    out[i].comm = tgs[i]->comm();
    out[i].exe = tgs[i]->exe_path();
  }
  return out;
}

}  // namespace sentry
