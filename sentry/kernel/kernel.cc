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
#include "sentry/kernel/task.h"
#include "sentry/kernel/thread_group.h"
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
}

Kernel::~Kernel() = default;

pid_t Kernel::AllocatePid() { return next_pid_.fetch_add(1); }

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

std::map<std::string, uint64_t> Kernel::UnimplementedCounts() const {
  absl::MutexLock l(&report_mu_);
  return unimplemented_;
}

int64_t Kernel::FindExecutable(const vfs::FsContext& fs,
                               const std::string& name,
                               const std::string& path_env, std::string* out) {
  if (name.empty()) return -ENOENT;
  std::shared_ptr<vfs::FileDescription> file;
  if (name.find('/') != std::string::npos) {
    int64_t r = vfs_->OpenForExec(fs, name, &file, out);
    *out = name;
    return r < 0 ? r : 0;
  }
  int64_t best = -ENOENT;
  for (absl::string_view dir : absl::StrSplit(path_env, ':')) {
    std::string candidate =
        absl::StrCat(dir.empty() ? "." : dir, "/", name);
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

absl::StatusOr<int> Kernel::RunInit(InitProcess init) {
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

  const pid_t pid = AllocatePid();
  auto tg = std::make_shared<ThreadGroup>(pid, 0);
  auto task = std::make_shared<Task>(*this, tg, pid);
  task->set_fs(init.fs);
  task->set_fds(init.fds);

  // The task's sentry thread creates the address space (it must be the
  // tracer of the stub), loads the program and runs the task loop.
  std::promise<absl::Status> started;
  std::future<absl::Status> started_f = started.get_future();
  tg->TaskStarted();
  std::thread thread([this, task, tg, path, &init, &started]() {
    auto ns = platform_->NewAddressSpace();
    if (!ns.ok()) {
      started.set_value(ns.status());
      tg->SetExitStatus(W_EXITCODE(127, 0));
      tg->TaskExited();
      return;
    }
    auto mm = std::make_shared<MemoryManager>(ns->as);
    task->set_mm(mm);
    task->set_ctx(std::move(ns->ctx));
    loader::ExecRequest req;
    req.path = path;
    req.argv = init.argv;
    req.envp = init.envp;
    req.uid = config_.uid;
    req.gid = config_.gid;
    loader::ExecImage image;
    std::string error;
    int64_t lr = loader::Load(*vfs_, *init.fs, *mm, req, &image, &error);
    if (lr < 0) {
      started.set_value(ExecError(static_cast<int>(-lr), path, error));
      task->set_ctx(nullptr);
      tg->SetExitStatus(W_EXITCODE(126, 0));
      tg->TaskExited();
      return;
    }
    tg->set_comm(image.comm);
    tg->set_exe_path(image.exe_path);
    // The application starts with clean registers apart from the entry
    // point and the stack, as after execve (start_thread()).
    uapi::UserRegs& regs = task->ctx().MutableRegs();
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
    started.set_value(absl::OkStatus());
    task->RunLoop();
    task->set_mm(nullptr);
    tg->TaskExited();
  });
  absl::Status st = started_f.get();
  const int status = tg->WaitExit();
  thread.join();
  if (!st.ok()) return st;
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

}  // namespace sentry
