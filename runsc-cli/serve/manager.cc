// The API operations on sandboxes. The sentry side of things (spawning,
// supervising, re-attaching) is in supervisor.cc.
#include "runsc-cli/serve/manager.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"
#include "runsc-cli/serve/exit_status.h"
#include "runsc-cli/serve/paths.h"
#include "runsc-cli/serve/validate.h"
#include "runsc-cli/serve/wire.h"

namespace runsc::serve {

namespace {

using grpc::Status;
using grpc::StatusCode;

std::string StateName(runsc::v1::State s) {
  return runsc::v1::State_Name(s);
}

std::string RandomId() {
  unsigned char b[8];
  if (getrandom(b, sizeof(b), 0) != sizeof(b)) {
    const uint64_t t = static_cast<uint64_t>(UnixNowNs());
    memcpy(b, &t, sizeof(b));
  }
  std::string id;
  for (unsigned char c : b) absl::StrAppend(&id, absl::Hex(c, absl::kZeroPad2));
  return id;
}

Status NotRunning(const Sandbox& sb, runsc::v1::State s) {
  return Status(StatusCode::FAILED_PRECONDITION,
                absl::StrCat("sandbox ", sb.id, " is ", StateName(s),
                             ", not RUNNING"));
}

}  // namespace

Manager::Manager(ManagerOptions opts) : opts_(std::move(opts)) {
  timer_ = std::thread([this] { TimerLoop(); });
}

Manager::~Manager() { Shutdown(); }

std::string Manager::SandboxDir(const std::string& id) const {
  return absl::StrCat(opts_.state_dir, "/sandboxes/", id);
}

runsc::v1::ExitStatus Manager::FailedExit(const std::string& reason) {
  runsc::v1::ExitStatus st;
  st.set_code(125);
  st.set_error(reason);
  return st;
}

void Manager::Publish(const std::string& id, runsc::v1::Event e) {
  e.set_sandbox_id(id);
  events_.Publish(std::move(e));
}

void Manager::Persist(Sandbox& sb) {
  std::string json, err;
  google::protobuf::util::JsonPrintOptions o;
  o.add_whitespace = true;
  google::protobuf::util::MessageToJsonString(sb.rec, &json, o);
  if (!WriteFileAtomic(sb.dir + "/record.json", json, &err)) {
    fprintf(stderr, "runsc serve: sandbox %s: cannot save its record: %s\n",
            sb.id.c_str(), err.c_str());
  }
}

std::shared_ptr<ProcState> Manager::Proc(Sandbox& sb, int pid) {
  auto& p = sb.procs[pid];
  if (!p) p = std::make_shared<ProcState>(opts_.output_buffer_bytes);
  return p;
}

void Manager::Snapshot(Sandbox& sb, runsc::v1::Sandbox* out) {
  *out = sb.rec.sandbox();
  const bool running = out->state() == runsc::v1::RUNNING;
  out->set_sentry_pid(running ? sb.rec.sentry_pid() : 0);
  out->clear_pids();
  if (running) {
    for (const auto& [pid, p] : sb.procs) {
      if (!p->exited) out->add_pids(pid);
    }
  }
  *out->mutable_counters() = sb.counters;
}

int Manager::LiveCount() {
  int n = 0;
  for (auto& [id, sb] : sandboxes_) {
    absl::MutexLock l(&sb->mu);
    const auto s = sb->rec.sandbox().state();
    if (s == runsc::v1::CREATED || s == runsc::v1::RUNNING) n++;
  }
  return n;
}

grpc::Status Manager::Find(const std::string& id, std::shared_ptr<Sandbox>* sb) {
  Status st = ValidateId(id, "id");
  if (!st.ok()) return st;
  absl::MutexLock l(&mu_);
  auto it = sandboxes_.find(id);
  if (it == sandboxes_.end()) {
    return Status(StatusCode::NOT_FOUND, absl::StrCat("no sandbox \"", id, "\""));
  }
  *sb = it->second;
  return Status::OK;
}

grpc::Status Manager::Create(const runsc::v1::CreateRequest& req,
                             runsc::v1::Sandbox* out) {
  std::string id = req.id();
  if (!id.empty()) {
    Status st = ValidateId(id, "id");
    if (!st.ok()) return st;
  }
  Status st = ValidateSpec(req.spec());
  if (!st.ok()) return st;

  absl::MutexLock l(&mu_);
  if (id.empty()) {
    do id = RandomId(); while (sandboxes_.count(id));
  }
  if (sandboxes_.count(id)) {
    return Status(StatusCode::ALREADY_EXISTS,
                  absl::StrCat("sandbox \"", id, "\" already exists"));
  }
  if (LiveCount() >= opts_.max_sandboxes) {
    return Status(StatusCode::RESOURCE_EXHAUSTED,
                  absl::StrCat("the daemon already holds ", opts_.max_sandboxes,
                               " created or running sandboxes (--max-sandboxes)"));
  }
  auto sb = std::make_shared<Sandbox>(id, SandboxDir(id));
  std::string err;
  RemoveTree(sb->dir);  // leftovers of a sandbox deleted mid-way
  if (!MakeDirs(sb->dir, 0700, &err)) return Status(StatusCode::INTERNAL, err);
  {
    absl::MutexLock sl(&sb->mu);
    auto* s = sb->rec.mutable_sandbox();
    s->set_id(id);
    *s->mutable_spec() = req.spec();
    s->set_state(runsc::v1::CREATED);
    s->set_created_at_ns(UnixNowNs());
    Proc(*sb, 1);
    Persist(*sb);
    Snapshot(*sb, out);
  }
  sandboxes_[id] = sb;
  runsc::v1::Event e;
  e.mutable_created();
  Publish(id, std::move(e));
  return Status::OK;
}

grpc::Status Manager::Start(const std::string& id, runsc::v1::Sandbox* out) {
  std::shared_ptr<Sandbox> sb;
  Status st = Find(id, &sb);
  if (!st.ok()) return st;
  absl::MutexLock l(&sb->mu);
  const auto state = sb->rec.sandbox().state();
  if (state != runsc::v1::CREATED) {
    return Status(StatusCode::FAILED_PRECONDITION,
                  absl::StrCat("sandbox ", id, " is ", StateName(state),
                               ": only a CREATED sandbox can be started"));
  }
  st = SpawnSentry(sb);
  if (!st.ok()) return st;
  Snapshot(*sb, out);
  return Status::OK;
}

grpc::Status Manager::Exec(const runsc::v1::ExecRequest& req, int* pid) {
  Status st = ValidateProcess(req.process());
  if (!st.ok()) return st;
  std::shared_ptr<Sandbox> sb;
  if (!(st = Find(req.id(), &sb)).ok()) return st;
  {
    absl::MutexLock l(&sb->mu);
    if (sb->rec.sandbox().state() != runsc::v1::RUNNING) {
      return NotRunning(*sb, sb->rec.sandbox().state());
    }
  }
  runsc::internal::ToSentry m;
  *m.mutable_exec() = req.process();
  runsc::internal::Reply reply;
  if (!(st = Call(*sb, std::move(m), &reply)).ok()) return st;
  *pid = reply.pid();
  absl::MutexLock l(&sb->mu);
  Proc(*sb, *pid);
  sb->counters.set_execs(sb->counters.execs() + 1);
  runsc::v1::Event e;
  e.mutable_process_started()->set_pid(*pid);
  *e.mutable_process_started()->mutable_argv() = req.process().argv();
  Publish(sb->id, std::move(e));
  return Status::OK;
}

grpc::Status Manager::Wait(const runsc::v1::WaitRequest& req,
                           const std::function<bool()>& cancelled,
                           runsc::v1::WaitResponse* out) {
  std::shared_ptr<Sandbox> sb;
  Status st = Find(req.id(), &sb);
  if (!st.ok()) return st;
  const int pid = req.pid() == 0 ? 1 : req.pid();
  absl::MutexLock l(&sb->mu);
  auto it = sb->procs.find(pid);
  if (it == sb->procs.end()) {
    return Status(StatusCode::NOT_FOUND,
                  absl::StrCat("pid: sandbox ", sb->id, " has no process ", pid,
                               " started through the API"));
  }
  std::shared_ptr<ProcState> p = it->second;
  Sandbox* s = sb.get();
  auto done = [s, p]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu) {
    return s->Final() || p->exited || s->deleted;
  };
  while (!done()) {
    sb->mu.AwaitWithTimeout(absl::Condition(&done), absl::Milliseconds(250));
    if (!done() && cancelled()) {
      return Status(StatusCode::CANCELLED, "the client went away");
    }
  }
  if (sb->deleted) {
    return Status(StatusCode::NOT_FOUND,
                  absl::StrCat("sandbox ", sb->id, " was deleted"));
  }
  out->set_state(sb->rec.sandbox().state());
  if (pid == 1) {
    *out->mutable_exit_status() = sb->rec.sandbox().exit_status();
    out->set_failure_reason(sb->rec.sandbox().failure_reason());
  } else {
    *out->mutable_exit_status() = p->status;
  }
  return Status::OK;
}

grpc::Status Manager::Kill(const runsc::v1::KillRequest& req) {
  std::shared_ptr<Sandbox> sb;
  Status st = Find(req.id(), &sb);
  if (!st.ok()) return st;
  int sig = req.signal();
  if (!(st = ValidateSignal(&sig)).ok()) return st;
  if (req.pid() < 0) return Status(StatusCode::INVALID_ARGUMENT, "pid: must be >= 0");
  const int pid = req.pid() == 0 ? 1 : req.pid();
  {
    absl::MutexLock l(&sb->mu);
    if (sb->rec.sandbox().state() != runsc::v1::RUNNING) {
      return NotRunning(*sb, sb->rec.sandbox().state());
    }
  }
  runsc::internal::ToSentry m;
  m.mutable_kill()->set_pid(pid);
  m.mutable_kill()->set_all(req.all());
  m.mutable_kill()->set_signal(sig);
  runsc::internal::Reply reply;
  return Call(*sb, std::move(m), &reply);
}

grpc::Status Manager::List(const runsc::v1::ListRequest& req,
                           runsc::v1::ListResponse* out) {
  std::vector<std::shared_ptr<Sandbox>> all;
  {
    absl::MutexLock l(&mu_);
    for (auto& [id, sb] : sandboxes_) all.push_back(sb);
  }
  for (auto& sb : all) {
    absl::MutexLock l(&sb->mu);
    const auto& s = sb->rec.sandbox();
    if (req.state() != runsc::v1::STATE_UNSPECIFIED && s.state() != req.state()) {
      continue;
    }
    bool match = true;
    for (const auto& [k, v] : req.labels()) {
      auto it = s.spec().labels().find(k);
      if (it == s.spec().labels().end() || it->second != v) match = false;
    }
    if (match) Snapshot(*sb, out->add_sandboxes());
  }
  return Status::OK;
}

grpc::Status Manager::Get(const std::string& id, runsc::v1::Sandbox* out) {
  std::shared_ptr<Sandbox> sb;
  Status st = Find(id, &sb);
  if (!st.ok()) return st;
  absl::MutexLock l(&sb->mu);
  Snapshot(*sb, out);
  return Status::OK;
}

grpc::Status Manager::Processes(const std::string& id,
                                runsc::v1::ProcessesResponse* out) {
  std::shared_ptr<Sandbox> sb;
  Status st = Find(id, &sb);
  if (!st.ok()) return st;
  {
    absl::MutexLock l(&sb->mu);
    if (sb->rec.sandbox().state() != runsc::v1::RUNNING) {
      return NotRunning(*sb, sb->rec.sandbox().state());
    }
  }
  runsc::internal::ToSentry m;
  m.mutable_processes();
  runsc::internal::Reply reply;
  if (!(st = Call(*sb, std::move(m), &reply)).ok()) return st;
  *out->mutable_processes() = reply.processes();
  return Status::OK;
}

grpc::Status Manager::Delete(const runsc::v1::DeleteRequest& req) {
  std::shared_ptr<Sandbox> sb;
  Status st = Find(req.id(), &sb);
  if (!st.ok()) return st;
  {
    absl::MutexLock l(&sb->mu);
    if (sb->rec.sandbox().state() == runsc::v1::RUNNING) {
      if (!req.force()) {
        return Status(StatusCode::FAILED_PRECONDITION,
                      absl::StrCat("sandbox ", sb->id,
                                   " is RUNNING: kill it first or delete with force"));
      }
      KillSentry(*sb, "killed by SIGKILL (deleted with force)", "");
    }
    Sandbox* s = sb.get();
    auto quiet = [s]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu) { return !s->supervised; };
    if (!sb->mu.AwaitWithTimeout(absl::Condition(&quiet), absl::Seconds(10))) {
      return Status(StatusCode::DEADLINE_EXCEEDED,
                    absl::StrCat("sandbox ", sb->id, ": its sentry did not exit"));
    }
    sb->deleted = true;
  }
  {
    absl::MutexLock l(&mu_);
    sandboxes_.erase(sb->id);
  }
  RemoveTree(sb->dir);
  runsc::v1::Event e;
  e.mutable_deleted();
  Publish(sb->id, std::move(e));
  return Status::OK;
}

grpc::Status Manager::SendStdin(Sandbox& sb, int pid, const std::string& data,
                                bool close,
                                const std::function<bool()>& cancelled) {
  std::shared_ptr<ProcState> p;
  {
    absl::MutexLock l(&sb.mu);
    auto it = sb.procs.find(pid);
    if (it == sb.procs.end()) {
      return Status(StatusCode::NOT_FOUND, absl::StrCat("pid ", pid, ": unknown"));
    }
    p = it->second;
    Sandbox* s = &sb;
    const uint64_t window = opts_.stdin_window_bytes;
    auto room = [s, p, window]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu) {
      if (s->Final() || p->exited || s->deleted) return true;
      return s->rec.sandbox().state() == runsc::v1::RUNNING && s->supervised &&
             p->stdin_sent - p->stdin_acked < window;
    };
    while (!room()) {
      sb.mu.AwaitWithTimeout(absl::Condition(&room), absl::Milliseconds(250));
      if (!room() && cancelled()) {
        return Status(StatusCode::CANCELLED, "the client went away");
      }
    }
    if (sb.Final() || p->exited || sb.deleted) return Status::OK;  // nobody reads
    if (p->stdin_closed) {
      return Status(StatusCode::FAILED_PRECONDITION, "stdin: already closed");
    }
    p->stdin_sent += data.size();
    sb.counters.set_stdin_bytes(sb.counters.stdin_bytes() + data.size());
    if (close) p->stdin_closed = true;
  }
  runsc::internal::ToSentry m;
  m.mutable_stdin()->set_pid(pid);
  m.mutable_stdin()->set_data(data);
  m.mutable_stdin()->set_close(close);
  absl::MutexLock l(&sb.mu);
  SendToSentry(sb, m);
  return Status::OK;
}

void Manager::Load() {
  const std::string root = opts_.state_dir + "/sandboxes";
  std::string err;
  if (!MakeDirs(root, 0700, &err)) {
    fprintf(stderr, "runsc serve: %s\n", err.c_str());
    return;
  }
  DIR* d = opendir(root.c_str());
  if (!d) return;
  std::vector<std::string> ids;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    if (!ValidateId(e->d_name, "id").ok()) continue;
    ids.push_back(e->d_name);
  }
  closedir(d);
  for (const std::string& id : ids) {
    auto sb = std::make_shared<Sandbox>(id, SandboxDir(id));
    std::string json;
    bool ok = ReadFile(sb->dir + "/record.json", &json);
    {
      absl::MutexLock l(&sb->mu);
      if (ok) {
        ok = google::protobuf::util::JsonStringToMessage(json, &sb->rec).ok();
      }
      auto* s = sb->rec.mutable_sandbox();
      if (!ok) {
        // A record cut short cannot be trusted; say so rather than guess.
        sb->rec.Clear();
        s->set_id(id);
        s->set_state(runsc::v1::FAILED);
        s->set_failure_reason(absl::StrCat("lost: the record ", sb->dir,
                                           "/record.json is missing or unreadable"));
        *s->mutable_exit_status() = FailedExit(s->failure_reason());
      }
      s->set_id(id);
      auto p = Proc(*sb, 1);
      if (sb->Final()) {
        p->exited = true;
        p->status = s->exit_status();
      }
    }
    {
      absl::MutexLock l(&mu_);
      sandboxes_[id] = sb;
    }
    bool running;
    {
      absl::MutexLock l(&sb->mu);
      running = sb->rec.sandbox().state() == runsc::v1::RUNNING;
      if (sb->rec.sandbox().state() == runsc::v1::STATE_UNSPECIFIED) {
        Finish(*sb, runsc::v1::FAILED, {}, "lost: the record has no state", 0);
      }
    }
    if (running) Reattach(sb);
  }
}

void Manager::Shutdown() {
  if (stop_.exchange(true)) return;
  if (timer_.joinable()) timer_.join();
  // Close sentry connections so supervisors end; the sentries stay.
  absl::MutexLock l(&mu_);
  for (auto& [id, sb] : sandboxes_) {
    absl::MutexLock w(&sb->write_mu);
    if (sb->conn >= 0) shutdown(sb->conn, SHUT_RDWR);
  }
}

void Manager::TimerLoop() {
  while (!stop_) {
    usleep(200'000);
    std::vector<std::shared_ptr<Sandbox>> all;
    {
      absl::MutexLock l(&mu_);
      for (auto& [id, sb] : sandboxes_) all.push_back(sb);
    }
    const int64_t now = UnixNowNs();
    for (auto& sb : all) {
      absl::MutexLock l(&sb->mu);
      if (sb->rec.sandbox().state() != runsc::v1::RUNNING) continue;
      if (sb->rec.deadline_ns() == 0 || now < sb->rec.deadline_ns()) continue;
      if (!sb->kill_reason.empty()) continue;
      const uint64_t secs =
          sb->rec.sandbox().spec().limits().wall_clock_timeout_seconds();
      const std::string why = absl::StrCat("wall-clock timeout of ", secs, "s");
      runsc::v1::Event e;
      e.mutable_limit()->set_resource("wall_clock");
      e.mutable_limit()->set_detail(why);
      Publish(sb->id, std::move(e));
      KillSentry(*sb, absl::StrCat("killed by SIGKILL: ", why), "wall_clock");
    }
  }
}

}  // namespace runsc::serve
