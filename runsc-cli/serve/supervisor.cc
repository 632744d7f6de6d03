// The daemon's side of each sentry process: spawning it, reading what it
// sends, noticing when it is gone (and why), re-attaching after a daemon
// restart, and killing it when the whole sandbox must die.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"
#include "runsc-cli/serve/exit_status.h"
#include "runsc-cli/serve/manager.h"
#include "runsc-cli/serve/memory_cgroup.h"
#include "runsc-cli/serve/wire.h"

extern char** environ;

namespace runsc::serve {

namespace {

using grpc::Status;
using grpc::StatusCode;

std::string DescribeWait(int ws) {
  if (WIFSIGNALED(ws)) {
    return absl::StrCat("was killed by ", SignalName(WTERMSIG(ws)));
  }
  return absl::StrCat("exited with status ", WEXITSTATUS(ws));
}

// The memory cgroup of a sandbox with a memory limit: named by id and by
// its state directory, so two daemons never share one.
std::string CgroupName(const Sandbox& sb) {
  return absl::StrCat("runsc-", sb.id, "-",
                      absl::Hex(std::hash<std::string>{}(sb.dir) & 0xffffffff));
}

uint64_t MemoryLimit(const Sandbox& sb) ABSL_SHARED_LOCKS_REQUIRED(sb.mu) {
  return sb.rec.sandbox().spec().limits().memory_bytes();
}

// Publishes a `limit` event for OOM kills not reported yet; true when the
// sandbox's memory cgroup saw any.
}  // namespace

bool Manager::CheckOom(Sandbox& sb) {
  if (MemoryLimit(sb) == 0) return false;
  absl::StatusOr<MemoryCgroup> cg = MemoryCgroup::Find(CgroupName(sb));
  if (!cg.ok()) return false;
  const uint64_t kills = cg->OomKills();
  if (kills > sb.oom_reported) {
    sb.oom_reported = kills;
    runsc::v1::Event e;
    e.mutable_limit()->set_resource("memory");
    e.mutable_limit()->set_detail(absl::StrCat(
        "memory limit of ", MemoryLimit(sb), " bytes reached: the OOM killer "
        "killed ", kills, " process(es) of the sandbox"));
    Publish(sb.id, std::move(e));
  }
  return kills > 0;
}

grpc::Status Manager::SpawnSentry(const std::shared_ptr<Sandbox>& self) {
  Sandbox& sb = *self;
  const std::string sock = sb.dir + "/control.sock";
  unlink((sb.dir + "/exit.json").c_str());
  int lfd = ListenUnix(sock, 4);
  if (lfd < 0) {
    return Status(StatusCode::INTERNAL,
                  absl::StrCat("control socket ", sock, ": ", strerror(-lfd)));
  }
  const std::string log = sb.dir + "/sentry.log";
  int log_fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log_fd < 0) {
    const int e = errno;
    close(lfd);
    return Status(StatusCode::INTERNAL, absl::StrCat(log, ": ", strerror(e)));
  }
  std::optional<MemoryCgroup> cgroup;
  if (const uint64_t limit = MemoryLimit(sb); limit > 0) {
    absl::StatusOr<MemoryCgroup> cg = MemoryCgroup::Create(CgroupName(sb), limit);
    if (!cg.ok()) {
      close(lfd);
      close(log_fd);
      return Status(StatusCode::FAILED_PRECONDITION,
                    absl::StrCat("spec.limits.memory_bytes: ", cg.status().message()));
    }
    cgroup = *cg;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, log_fd, 1);
  posix_spawn_file_actions_adddup2(&fa, log_fd, 2);
  posix_spawn_file_actions_adddup2(&fa, lfd, 3);
  posix_spawn_file_actions_addclosefrom_np(&fa, 4);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  // Its own session: terminal signals aimed at the daemon spare sandboxes.
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK |
                                      POSIX_SPAWN_SETSIGDEF);
  std::vector<std::string> args = {
      "runsc", "sandbox-run", "--control-fd", "3", "--dir", sb.dir,
      "--linger-seconds", absl::StrCat(opts_.sentry_linger_seconds)};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int err = posix_spawn(&pid, opts_.runsc_path.c_str(), &fa, &attr,
                              argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  close(log_fd);
  close(lfd);
  if (err != 0) {
    return Status(StatusCode::INTERNAL,
                  absl::StrCat("spawn ", opts_.runsc_path, ": ", strerror(err)));
  }
  // Into the memory cgroup before it boots (it waits for the Boot message
  // below), so every stub it creates is charged there too.
  if (cgroup) {
    if (absl::Status st = cgroup->Enter(pid); !st.ok()) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
      cgroup->Remove();
      return Status(StatusCode::FAILED_PRECONDITION,
                    absl::StrCat("spec.limits.memory_bytes: ", st.message()));
    }
  }
  int conn = ConnectUnix(sock);
  if (conn < 0) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    if (cgroup) cgroup->Remove();
    return Status(StatusCode::INTERNAL,
                  absl::StrCat("connect ", sock, ": ", strerror(-conn)));
  }
  auto* s = sb.rec.mutable_sandbox();
  s->set_state(runsc::v1::RUNNING);
  s->set_started_at_ns(UnixNowNs());
  sb.rec.set_sentry_pid(pid);
  sb.rec.set_sentry_start_ticks(ProcessStartTicks(pid));
  const uint64_t timeout = s->spec().limits().wall_clock_timeout_seconds();
  if (timeout > 0) {
    sb.rec.set_deadline_ns(s->started_at_ns() +
                           static_cast<int64_t>(timeout) * 1'000'000'000LL);
  }
  Persist(sb);
  sb.our_child = true;
  sb.supervised = true;
  {
    absl::MutexLock w(&sb.write_mu);
    sb.conn = conn;
  }
  runsc::internal::ToSentry boot;
  boot.mutable_boot()->set_id(sb.id);
  *boot.mutable_boot()->mutable_spec() = s->spec();
  SendToSentry(sb, boot);

  std::thread([this, self, conn, pid] { Supervise(self, conn, pid); }).detach();
  runsc::v1::Event e;
  e.mutable_started()->set_sentry_pid(pid);
  Publish(sb.id, std::move(e));
  return Status::OK;
}

void Manager::Reattach(const std::shared_ptr<Sandbox>& sb) {
  absl::MutexLock l(&sb->mu);
  runsc::internal::ExitRecord er;
  if (ReadExitRecord(*sb, &er)) {
    Finish(*sb, runsc::v1::STOPPED, er.status(), "", er.finished_at_ns());
    return;
  }
  const pid_t pid = sb->rec.sentry_pid();
  const bool alive = pid > 0 && ProcessStartTicks(pid) != 0 &&
                     ProcessStartTicks(pid) == sb->rec.sentry_start_ticks();
  int conn = alive ? ConnectUnix(sb->dir + "/control.sock") : -1;
  if (conn >= 0) {
    sb->supervised = true;
    sb->our_child = false;
    {
      absl::MutexLock w(&sb->write_mu);
      sb->conn = conn;
    }
    runsc::internal::ToSentry hello;
    hello.mutable_hello();
    if (SendToSentry(*sb, hello)) {
      std::thread([this, sb, conn] { Supervise(sb, conn, 0); }).detach();
      runsc::v1::Event e;
      e.mutable_reattached()->set_sentry_pid(pid);
      Publish(sb->id, std::move(e));
      return;
    }
    absl::MutexLock w(&sb->write_mu);
    sb->conn = -1;
    close(conn);
    sb->supervised = false;
  }
  if (ReadExitRecord(*sb, &er)) {  // it finished while we looked
    Finish(*sb, runsc::v1::STOPPED, er.status(), "", er.finished_at_ns());
    return;
  }
  const std::string reason =
      alive ? absl::StrCat("lost: the sentry (pid ", pid,
                           ") is alive but does not answer on its control socket")
            : absl::StrCat("lost: the sentry (pid ", pid,
                           ") ended while the daemon was down and left no exit "
                           "record (it crashed or was killed)");
  if (alive) KillSentry(*sb, reason, "");
  Finish(*sb, runsc::v1::FAILED, FailedExit(reason), reason, UnixNowNs());
}

bool Manager::ReadExitRecord(Sandbox& sb, runsc::internal::ExitRecord* out) {
  std::string json;
  if (!ReadFile(sb.dir + "/exit.json", &json)) return false;
  return google::protobuf::util::JsonStringToMessage(json, out).ok();
}

bool Manager::SendToSentry(Sandbox& sb, const runsc::internal::ToSentry& m) {
  absl::MutexLock w(&sb.write_mu);
  if (sb.conn < 0) return false;
  return WriteFrame(sb.conn, m);
}

grpc::Status Manager::Call(Sandbox& sb, runsc::internal::ToSentry m,
                           runsc::internal::Reply* reply) {
  uint64_t id;
  {
    absl::MutexLock l(&sb.mu);
    if (!sb.supervised) {
      return Status(StatusCode::UNAVAILABLE,
                    absl::StrCat("sandbox ", sb.id, ": no connection to its sentry"));
    }
    id = sb.next_request++;
    sb.pending[id];
    m.set_request_id(id);
    if (!SendToSentry(sb, m)) {
      sb.pending.erase(id);
      return Status(StatusCode::UNAVAILABLE,
                    absl::StrCat("sandbox ", sb.id, ": its sentry went away"));
    }
  }
  absl::MutexLock l(&sb.mu);
  Sandbox* s = &sb;
  auto answered = [s, id]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu) {
    return s->pending[id].has_value() || !s->supervised;
  };
  sb.mu.AwaitWithTimeout(absl::Condition(&answered), absl::Seconds(30));
  std::optional<runsc::internal::Reply> r = std::move(sb.pending[id]);
  sb.pending.erase(id);
  if (!r) {
    return Status(StatusCode::UNAVAILABLE,
                  absl::StrCat("sandbox ", sb.id, ": its sentry did not answer"));
  }
  *reply = std::move(*r);
  return Status(static_cast<StatusCode>(reply->code()), reply->message());
}

void Manager::KillSentry(Sandbox& sb, const std::string& reason,
                         const std::string& limit) {
  if (sb.kill_reason.empty()) {
    sb.kill_reason = reason;
    sb.kill_limit = limit;
  }
  const pid_t pid = sb.rec.sentry_pid();
  // Never a reused pid: the start time must still match.
  if (pid > 0 && ProcessStartTicks(pid) == sb.rec.sentry_start_ticks()) {
    kill(pid, SIGKILL);
  }
}

void Manager::Finish(Sandbox& sb, runsc::v1::State state,
                     const runsc::v1::ExitStatus& status,
                     const std::string& reason, int64_t finished_ns) {
  auto* s = sb.rec.mutable_sandbox();
  s->set_state(state);
  s->set_finished_at_ns(finished_ns ? finished_ns : UnixNowNs());
  *s->mutable_exit_status() = status;
  s->set_failure_reason(reason);
  // PID 1 gone: the pid namespace dies with it, as in Linux.
  for (auto& [pid, p] : sb.procs) {
    if (p->exited) continue;
    p->exited = true;
    p->status = pid == 1 ? status : ExitStatusFromWait(SIGKILL);
  }
  Persist(sb);
  runsc::v1::Event e;
  if (state == runsc::v1::FAILED) {
    e.mutable_failed()->set_reason(reason);
  } else {
    e.mutable_exited()->set_pid(1);
    *e.mutable_exited()->mutable_status() = status;
  }
  Publish(sb.id, std::move(e));
}

void Manager::HandleMessage(Sandbox& sb, const runsc::internal::FromSentry& m) {
  using runsc::internal::FromSentry;
  switch (m.kind_case()) {
    case FromSentry::kStatus: {
      for (int pid : m.status().pids()) Proc(sb, pid);
      if (m.status().init_exited() && !sb.Final()) {
        runsc::internal::ExitRecord er;
        if (ReadExitRecord(sb, &er)) {
          Finish(sb, runsc::v1::STOPPED, er.status(), "", er.finished_at_ns());
        }
      }
      if (sb.Final()) {
        runsc::internal::ToSentry bye;
        bye.mutable_bye();
        SendToSentry(sb, bye);
      }
      break;
    }
    case FromSentry::kOutput: {
      const auto& o = m.output();
      Proc(sb, o.pid())->log.Append(o.fd(), o.data());
      if (o.fd() == 1) {
        sb.counters.set_stdout_bytes(sb.counters.stdout_bytes() + o.data().size());
      } else {
        sb.counters.set_stderr_bytes(sb.counters.stderr_bytes() + o.data().size());
      }
      break;
    }
    case FromSentry::kStdinAck: {
      auto p = Proc(sb, m.stdin_ack().pid());
      p->stdin_acked += m.stdin_ack().bytes();
      break;
    }
    case FromSentry::kExited: {
      const int pid = m.exited().pid();
      if (pid == 1) {
        if (!sb.Final()) {
          runsc::v1::ExitStatus st = m.exited().status();
          if (CheckOom(sb) && st.signal() == SIGKILL && st.error().empty()) {
            st.set_error(absl::StrCat("killed by the OOM killer (memory limit of ",
                                      MemoryLimit(sb), " bytes)"));
          }
          if (st.signal() == SIGXCPU) {
            runsc::v1::Event e;
            e.mutable_limit()->set_resource("cpu_time");
            e.mutable_limit()->set_detail(absl::StrCat(
                "RLIMIT_CPU of ", sb.rec.sandbox().spec().limits().cpu_time_seconds(),
                "s reached"));
            Publish(sb.id, std::move(e));
          }
          Finish(sb, runsc::v1::STOPPED, st, "", UnixNowNs());
        }
        runsc::internal::ToSentry bye;
        bye.mutable_bye();
        SendToSentry(sb, bye);
      } else {
        auto p = Proc(sb, pid);
        if (!p->exited) {
          p->exited = true;
          p->status = m.exited().status();
          runsc::v1::Event e;
          e.mutable_exited()->set_pid(pid);
          *e.mutable_exited()->mutable_status() = p->status;
          Publish(sb.id, std::move(e));
        }
      }
      break;
    }
    case FromSentry::kReply: {
      auto it = sb.pending.find(m.reply().request_id());
      if (it != sb.pending.end()) it->second = m.reply();
      break;
    }
    case FromSentry::kUnimplemented: {
      (*sb.counters.mutable_unimplemented_syscalls())[m.unimplemented().name()] =
          m.unimplemented().count();
      runsc::v1::Event e;
      e.mutable_unimplemented()->set_name(m.unimplemented().name());
      e.mutable_unimplemented()->set_count(m.unimplemented().count());
      Publish(sb.id, std::move(e));
      break;
    }
    case FromSentry::kLimitHit: {
      runsc::v1::Event e;
      e.mutable_limit()->set_resource(m.limit_hit().resource());
      e.mutable_limit()->set_detail(m.limit_hit().detail());
      Publish(sb.id, std::move(e));
      break;
    }
    case FromSentry::kSyscallCounts:
      *sb.counters.mutable_syscalls() = m.syscall_counts().counts();
      break;
    default:
      break;
  }
}

void Manager::Supervise(std::shared_ptr<Sandbox> sb, int conn, pid_t child) {
  for (;;) {
    runsc::internal::FromSentry m;
    if (ReadFrame(conn, &m) != 1) break;
    absl::MutexLock l(&sb->mu);
    HandleMessage(*sb, m);
  }
  {
    absl::MutexLock w(&sb->write_mu);
    if (sb->conn == conn) sb->conn = -1;
    close(conn);
  }
  if (stop_) {  // daemon shutting down: the sentry stays for the next one
    absl::MutexLock l(&sb->mu);
    sb->supervised = false;
    return;
  }
  // The sentry closes its end when it exits (or crashes); reap it.
  int ws = 0;
  bool have_ws = false;
  if (child > 0) {
    for (int i = 0; i < 200; i++) {  // 10 s, then it is made to go
      pid_t r = waitpid(child, &ws, WNOHANG);
      if (r == child) {
        have_ws = true;
        break;
      }
      if (r < 0 && errno != EINTR) break;
      usleep(50'000);
    }
    if (!have_ws) {
      kill(child, SIGKILL);
      have_ws = waitpid(child, &ws, 0) == child;
    }
  }
  absl::MutexLock l(&sb->mu);
  sb->supervised = false;
  const bool oom = CheckOom(*sb);
  if (MemoryLimit(*sb) > 0) {
    // The stubs die with their tracer; then the cgroup can go.
    if (absl::StatusOr<MemoryCgroup> cg = MemoryCgroup::Find(CgroupName(*sb)); cg.ok()) {
      cg->Remove();
    }
  }
  if (sb->Final()) return;
  runsc::internal::ExitRecord er;
  if (ReadExitRecord(*sb, &er)) {
    Finish(*sb, runsc::v1::STOPPED, er.status(), "", er.finished_at_ns());
    return;
  }
  const pid_t pid = sb->rec.sentry_pid();
  if (!sb->kill_reason.empty()) {
    runsc::v1::ExitStatus st = ExitStatusFromWait(SIGKILL);
    st.set_error(sb->kill_reason);
    Finish(*sb, runsc::v1::STOPPED, st, "", UnixNowNs());
    return;
  }
  if (have_ws && WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL && oom) {
    runsc::v1::ExitStatus st = ExitStatusFromWait(SIGKILL);
    st.set_error(absl::StrCat("the sentry was killed by the OOM killer (memory "
                              "limit of ", MemoryLimit(*sb), " bytes)"));
    Finish(*sb, runsc::v1::STOPPED, st, "", UnixNowNs());
    return;
  }
  if (have_ws && WIFSIGNALED(ws) && WTERMSIG(ws) == SIGXCPU &&
      sb->rec.sandbox().spec().limits().cpu_time_seconds() > 0) {
    runsc::v1::Event e;
    e.mutable_limit()->set_resource("cpu_time");
    e.mutable_limit()->set_detail("RLIMIT_CPU reached by the sentry");
    Publish(sb->id, std::move(e));
    runsc::v1::ExitStatus st = ExitStatusFromWait(SIGXCPU);
    st.set_error("CPU time limit reached (RLIMIT_CPU)");
    Finish(*sb, runsc::v1::STOPPED, st, "", UnixNowNs());
    return;
  }
  const std::string reason = absl::StrCat(
      "the sentry (pid ", pid, ") ",
      have_ws ? DescribeWait(ws)
              : std::string("went away (not our child: its status is unknown)"),
      " before PID 1 exited; see ", sb->dir, "/sentry.log");
  Finish(*sb, runsc::v1::FAILED, FailedExit(reason), reason, UnixNowNs());
}

}  // namespace runsc::serve
