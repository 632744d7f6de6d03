// `runsc sandbox-run --control-fd N --dir DIR`: the sentry process of one
// sandbox under `runsc serve` (hidden subcommand; the daemon spawns it).
//
// fd N is a listening unix socket (DIR/control.sock) the daemon created.
// The daemon connects and sends Boot{spec}; this process then builds the
// kernel the way `runsc do` does, with the sandbox's stdio on pipes relayed
// over the connection, and starts PID 1. Later the daemon sends stdin,
// exec, kill and ps requests. If the daemon dies, the sandbox keeps running
// and a restarted daemon reconnects (Hello). When PID 1 exits its status is
// written to DIR/exit.json (atomically) and sent; the process exits after
// the daemon says Bye, or after --linger-seconds without a daemon.
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/support/status.h"
#include "runsc-cli/commands.h"
#include "runsc-cli/serve/exit_status.h"
#include "runsc-cli/serve/kernel_ops.h"
#include "runsc-cli/serve/process_io.h"
#include "runsc-cli/serve/sandbox_setup.h"
#include "runsc-cli/serve/sentry_link.h"
#include "runsc-cli/serve/syscall_counter.h"
#include "runsc-cli/serve/wire.h"
#include "runsc/internal/control.pb.h"
#include "runsc/internal/record.pb.h"
#include "sentry/kernel/kernel.h"

namespace runsc {

namespace {

using runsc::internal::FromSentry;
using runsc::internal::ToSentry;
using serve::ProcessIo;
using serve::SentryLink;

// Host fds the sentry keeps besides the application's: the hostfs dentry
// cache (512), the control socket, pipes, the platform's.
constexpr uint64_t kSentryFdReserve = 600;

int64_t MonoMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000LL + ts.tv_nsec / 1'000'000;
}

class SentryRun {
 public:
  SentryRun(int listen_fd, std::string dir, int linger_s, int boot_timeout_s)
      : listen_fd_(listen_fd),
        dir_(std::move(dir)),
        linger_ms_(linger_s * 1000LL),
        boot_timeout_ms_(boot_timeout_s * 1000LL) {}

  int Main();

 private:
  // Accepts a connection whose peer may talk to us and reads its first
  // message; -1 on timeout.
  int AcceptDaemon(int timeout_ms, ToSentry* first);
  FromSentry StatusMessage();
  void Boot(const runsc::internal::Boot& boot);
  void BootFailed(const std::string& message);
  void InitExited(const runsc::v1::ExitStatus& st, const std::string& limit);
  void Handle(const ToSentry& m);
  void HandleExec(uint64_t request_id, const runsc::v1::ProcessSpec& p);
  void Reply(uint64_t request_id, const grpc::Status& st,
             FromSentry* partial = nullptr);
  void PollCounters();
  void ApplyLimits(const runsc::v1::Limits& lim);

  const int listen_fd_;
  const std::string dir_;
  const int64_t linger_ms_;
  const int64_t boot_timeout_ms_;

  SentryLink link_;
  runsc::v1::SandboxSpec spec_;
  std::unique_ptr<serve::SyscallCounter> counter_;
  std::unique_ptr<sentry::Kernel> kernel_;
  std::thread init_thread_;
  std::thread poll_thread_;
  std::atomic<bool> init_exited_{false};
  bool bye_ = false;

  absl::Mutex mu_;
  std::map<int, std::shared_ptr<ProcessIo>> procs_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, uint64_t> unimpl_sent_ ABSL_GUARDED_BY(mu_);
  uint64_t pids_hits_sent_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, uint64_t> counts_sent_ ABSL_GUARDED_BY(mu_);
};

int SentryRun::AcceptDaemon(int timeout_ms, ToSentry* first) {
  const int64_t deadline = timeout_ms < 0 ? -1 : MonoMs() + timeout_ms;
  for (;;) {
    int wait = -1;
    if (deadline >= 0) wait = std::max<int>(0, deadline - MonoMs());
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, wait) <= 0) {
      if (deadline >= 0 && MonoMs() >= deadline) return -1;
      continue;
    }
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::string who;
    if (!serve::PeerAllowed(fd, &who)) {
      fprintf(stderr, "runsc sandbox-run: refused control connection from %s\n",
              who.c_str());
      close(fd);
      continue;
    }
    // A peer that connects and says nothing must not wedge the sentry.
    timeval tv{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    const int r = serve::ReadFrame(fd, first);
    tv = {0, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (r == 1) return fd;
    close(fd);
  }
}

FromSentry SentryRun::StatusMessage() {
  FromSentry m;
  auto* s = m.mutable_status();
  s->set_sentry_pid(getpid());
  absl::MutexLock l(&mu_);
  for (const auto& [pid, io] : procs_) s->add_pids(pid);
  s->set_init_exited(init_exited_.load());
  return m;
}

void SentryRun::ApplyLimits(const runsc::v1::Limits& lim) {
  rlimit r;
  if (lim.fds() > 0) {
    r.rlim_cur = r.rlim_max = lim.fds() + kSentryFdReserve;
    if (setrlimit(RLIMIT_NOFILE, &r) != 0) {
      fprintf(stderr, "runsc sandbox-run: RLIMIT_NOFILE: %s\n", strerror(errno));
    }
  }
  if (lim.cpu_time_seconds() > 0) {
    r.rlim_cur = lim.cpu_time_seconds();
    r.rlim_max = lim.cpu_time_seconds() + 1;
    if (setrlimit(RLIMIT_CPU, &r) != 0) {
      fprintf(stderr, "runsc sandbox-run: RLIMIT_CPU: %s\n", strerror(errno));
    }
  }
}

void SentryRun::BootFailed(const std::string& message) {
  fprintf(stderr, "runsc sandbox-run: %s\n", message.c_str());
  InitExited(serve::ExitStatusSetupError(message), "");
}

void SentryRun::InitExited(const runsc::v1::ExitStatus& st,
                           const std::string& limit) {
  PollCounters();
  runsc::internal::ExitRecord rec;
  *rec.mutable_status() = st;
  rec.set_finished_at_ns(serve::UnixNowNs());
  rec.set_limit(limit);
  std::string json, err;
  google::protobuf::util::MessageToJsonString(rec, &json);
  if (!serve::WriteFileAtomic(dir_ + "/exit.json", json, &err)) {
    fprintf(stderr, "runsc sandbox-run: %s\n", err.c_str());
  }
  FromSentry m;
  m.mutable_exited()->set_pid(1);
  *m.mutable_exited()->mutable_status() = st;
  link_.Send(std::move(m));
  init_exited_ = true;
}

void SentryRun::Boot(const runsc::internal::Boot& boot) {
  spec_ = boot.spec();
  ApplyLimits(spec_.limits());
  if (spec_.syscall_counters()) {
    counter_ = std::make_unique<serve::SyscallCounter>();
  }
  auto parts = serve::BuildSandboxParts(
      spec_, counter_ ? counter_->stream() : nullptr);
  if (!parts.ok()) return BootFailed(std::string(parts.status().message()));
  auto fs = serve::NewFsContextAt(*parts->vfs, spec_.cwd());
  if (!fs.ok()) return BootFailed(std::string(fs.status().message()));
  std::string err;
  std::shared_ptr<ProcessIo> io = ProcessIo::Create(&err);
  if (!io) return BootFailed(err);

  kernel_ = std::make_unique<sentry::Kernel>(
      parts->config, std::move(parts->platform), parts->vfs);
  if (absl::Status st = serve::FinishSandboxFs(*parts->vfs, *kernel_); !st.ok()) {
    return BootFailed(std::string(st.message()));
  }
  sentry::InitProcess init;
  init.argv.assign(spec_.argv().begin(), spec_.argv().end());
  init.envp.assign(spec_.env().begin(), spec_.env().end());
  init.path_env = serve::PathOf(init.envp);
  init.fs = *fs;
  init.fds = io->fds();
  io->DropFdTable();
  {
    absl::MutexLock l(&mu_);
    procs_[1] = io;
  }
  io->Start(1, &link_);
  // PID 1 exists once StartProcess returns, before any later request
  // (exec, kill, ps) is read: they can never race with it.
  absl::StatusOr<pid_t> pid = kernel_->StartProcess(std::move(init));
  if (!pid.ok()) {
    io->Exited();
    io->Join();
    {
      absl::MutexLock l(&mu_);
      procs_.erase(1);
    }
    InitExited(serve::ExitStatusFromStartError(pid.status()), "");
    return;
  }
  init_thread_ = std::thread([this, io, pid = *pid] {
    const int ws = kernel_->WaitProcess(pid);
    io->Exited();
    io->Join();
    {
      absl::MutexLock l(&mu_);
      procs_.erase(1);
    }
    runsc::v1::ExitStatus st = serve::ExitStatusFromWait(ws);
    InitExited(st, st.signal() == SIGXCPU ? "cpu_time" : "");
  });
  poll_thread_ = std::thread([this] {
    while (!init_exited_) {
      PollCounters();
      usleep(250'000);
    }
  });
}

void SentryRun::PollCounters() {
  if (!kernel_) return;
  std::vector<FromSentry> out;
  {
    absl::MutexLock l(&mu_);
    for (const auto& [name, n] : kernel_->UnimplementedCounts()) {
      uint64_t& sent = unimpl_sent_[name];
      if (sent == n) continue;
      sent = n;
      FromSentry m;
      m.mutable_unimplemented()->set_name(name);
      m.mutable_unimplemented()->set_count(n);
      out.push_back(std::move(m));
    }
    if (const uint64_t hits = kernel_->PidsLimitHits(); hits != pids_hits_sent_) {
      pids_hits_sent_ = hits;
      FromSentry m;
      m.mutable_limit_hit()->set_resource("pids");
      m.mutable_limit_hit()->set_count(hits);
      m.mutable_limit_hit()->set_detail(absl::StrCat(
          "pids limit of ", spec_.limits().pids(), " reached: ", hits,
          " fork/clone call(s) failed with EAGAIN"));
      out.push_back(std::move(m));
    }
    if (counter_) {
      auto counts = counter_->Counts();
      if (counts != counts_sent_) {
        counts_sent_ = counts;
        FromSentry m;
        m.mutable_syscall_counts()->mutable_counts()->insert(counts.begin(),
                                                             counts.end());
        out.push_back(std::move(m));
      }
    }
  }
  for (auto& m : out) link_.Send(std::move(m));
}

void SentryRun::Reply(uint64_t request_id, const grpc::Status& st,
                      FromSentry* partial) {
  FromSentry m;
  if (partial) m = std::move(*partial);
  auto* r = m.mutable_reply();
  r->set_request_id(request_id);
  r->set_code(static_cast<int>(st.error_code()));
  r->set_message(st.error_message());
  link_.Send(std::move(m));
}

void SentryRun::HandleExec(uint64_t request_id,
                           const runsc::v1::ProcessSpec& p) {
  if (!kernel_ || init_exited_) {
    return Reply(request_id, grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                                          "the sandbox is not running"));
  }
  auto fs = serve::NewFsContextAt(kernel_->vfs(),
                                  p.cwd().empty() ? spec_.cwd() : p.cwd());
  if (!fs.ok()) {
    return Reply(request_id,
                 grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                              absl::StrCat("process.", fs.status().message())));
  }
  std::string err;
  std::shared_ptr<ProcessIo> io = ProcessIo::Create(&err);
  if (!io) return Reply(request_id, grpc::Status(grpc::StatusCode::INTERNAL, err));
  sentry::InitProcess proc;
  proc.argv.assign(p.argv().begin(), p.argv().end());
  proc.envp.assign(p.env().begin(), p.env().end());
  proc.path_env = serve::PathOf(proc.envp);
  proc.fs = *fs;
  proc.fds = io->fds();
  io->DropFdTable();
  absl::StatusOr<pid_t> pid = kernel_->StartProcess(std::move(proc));
  if (!pid.ok()) {
    // Not found: the shell's 127; cannot be executed: 126 (runsc exec).
    const auto code = absl::IsNotFound(pid.status())
                          ? grpc::StatusCode::NOT_FOUND
                          : grpc::StatusCode::FAILED_PRECONDITION;
    return Reply(request_id,
                 grpc::Status(code, std::string(pid.status().message())));
  }
  FromSentry ok;
  ok.mutable_reply()->set_pid(*pid);
  Reply(request_id, grpc::Status::OK, &ok);  // before any of its output
  {
    absl::MutexLock l(&mu_);
    procs_[*pid] = io;
  }
  io->Start(*pid, &link_);
  std::thread([this, io, pid = *pid] {
    const int ws = kernel_->WaitProcess(pid);
    io->Exited();
    io->Join();
    {
      absl::MutexLock l(&mu_);
      procs_.erase(pid);
    }
    FromSentry m;
    m.mutable_exited()->set_pid(pid);
    *m.mutable_exited()->mutable_status() = serve::ExitStatusFromWait(ws);
    link_.Send(std::move(m));
  }).detach();
}

void SentryRun::Handle(const ToSentry& m) {
  switch (m.kind_case()) {
    case ToSentry::kStdin: {
      std::shared_ptr<ProcessIo> io;
      {
        absl::MutexLock l(&mu_);
        auto it = procs_.find(m.stdin().pid());
        if (it != procs_.end()) io = it->second;
      }
      if (io) {
        io->Stdin(m.stdin().data(), m.stdin().close());
      } else if (!m.stdin().data().empty()) {
        FromSentry ack;  // nobody to write to: dropped, but acknowledged
        ack.mutable_stdin_ack()->set_pid(m.stdin().pid());
        ack.mutable_stdin_ack()->set_bytes(m.stdin().data().size());
        link_.Send(std::move(ack));
      }
      break;
    }
    case ToSentry::kExec:
      HandleExec(m.request_id(), m.exec());
      break;
    case ToSentry::kKill: {
      grpc::Status st;
      if (!kernel_ || init_exited_) {
        st = grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          "the sandbox is not running");
      } else {
        st = serve::KillInKernel(*kernel_, m.kill().all() ? -1 : m.kill().pid(),
                                 m.kill().signal());
      }
      Reply(m.request_id(), st);
      break;
    }
    case ToSentry::kProcesses: {
      FromSentry r;
      grpc::Status st;
      if (!kernel_ || init_exited_) {
        st = grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          "the sandbox is not running");
      } else {
        serve::ListInKernel(*kernel_, r.mutable_reply()->mutable_processes());
      }
      Reply(m.request_id(), st, &r);
      break;
    }
    case ToSentry::kBye:
      bye_ = true;
      break;
    default:
      break;
  }
}

int SentryRun::Main() {
  ToSentry first;
  int conn = AcceptDaemon(static_cast<int>(boot_timeout_ms_), &first);
  if (conn < 0 || !first.has_boot()) {
    fprintf(stderr, "runsc sandbox-run: no Boot from the daemon; exiting\n");
    return 1;
  }
  Boot(first.boot());
  link_.Connected(conn, StatusMessage());

  int64_t alone_since = -1;
  for (;;) {
    if (init_exited_) {
      if (bye_ || (conn < 0 && alone_since >= 0 &&
                   MonoMs() - alone_since > linger_ms_)) {
        link_.Drain(2000);
        fflush(stderr);
        _exit(0);
      }
    }
    pollfd p[2] = {{listen_fd_, POLLIN, 0}, {conn, POLLIN, 0}};
    int n = poll(p, conn >= 0 ? 2 : 1, 200);
    if (n <= 0) continue;
    if (p[0].revents & POLLIN) {
      ToSentry hello;
      int fd = AcceptDaemon(0, &hello);
      if (fd >= 0) {
        if (conn >= 0) link_.Disconnected(conn);  // closes the old one
        conn = fd;
        alone_since = -1;
        link_.Connected(conn, StatusMessage());
        if (!hello.has_hello()) Handle(hello);
      }
      continue;
    }
    if (conn >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      ToSentry m;
      if (serve::ReadFrame(conn, &m) != 1) {
        link_.Disconnected(conn);
        conn = -1;
        alone_since = MonoMs();
        continue;
      }
      Handle(m);
    }
  }
}

constexpr char kUsage[] =
    "usage: runsc sandbox-run --control-fd N --dir DIR [--linger-seconds S]\n"
    "                         [--boot-timeout-seconds S]\n"
    "(internal: the sentry process of one sandbox, started by runsc serve)\n";

}  // namespace

int CmdSandboxRun(const std::vector<std::string>& args) {
  int control_fd = -1, linger = 30, boot_timeout = 30;
  std::string dir;
  for (size_t i = 0; i < args.size(); i++) {
    const std::string& a = args[i];
    auto value = [&]() -> std::string {
      return i + 1 < args.size() ? args[++i] : std::string();
    };
    bool ok = true;
    if (a == "--control-fd") {
      ok = absl::SimpleAtoi(value(), &control_fd);
    } else if (a == "--dir") {
      dir = value();
    } else if (a == "--linger-seconds") {
      ok = absl::SimpleAtoi(value(), &linger);
    } else if (a == "--boot-timeout-seconds") {
      ok = absl::SimpleAtoi(value(), &boot_timeout);
    } else {
      ok = false;
    }
    if (!ok) {
      fprintf(stderr, "runsc sandbox-run: bad argument \"%s\"\n%s", a.c_str(),
              kUsage);
      return 2;
    }
  }
  if (control_fd < 0 || dir.empty()) {
    fputs(kUsage, stderr);
    return 2;
  }
  // A crashing sentry must not leave cores of sandbox memory behind.
  rlimit core{0, 0};
  setrlimit(RLIMIT_CORE, &core);
  SentryRun run(control_fd, dir, linger, boot_timeout);
  return run.Main();
}

}  // namespace runsc
