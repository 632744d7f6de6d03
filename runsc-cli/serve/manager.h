// The daemon's sandboxes: their records (kept in the state directory), their
// sentry processes (spawned, supervised, re-attached after a restart) and
// what the API needs of them (output buffers, waiters, events). The gRPC
// service (service.cc) is a thin layer over this class.
#ifndef RUNSC_CLI_SERVE_MANAGER_H_
#define RUNSC_CLI_SERVE_MANAGER_H_

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/support/status.h"
#include "runsc-cli/serve/event_log.h"
#include "runsc-cli/serve/output_log.h"
#include "runsc/internal/control.pb.h"
#include "runsc/internal/record.pb.h"
#include "runsc/v1/sandboxes.pb.h"

namespace runsc::serve {

struct ManagerOptions {
  std::string state_dir;
  // The runsc binary spawned as `runsc sandbox-run`.
  std::string runsc_path = "/proc/self/exe";
  // CREATED + RUNNING sandboxes at once.
  int max_sandboxes = 64;
  // Output bytes held per process for Attach.
  size_t output_buffer_bytes = 1 << 20;
  // Bytes of stdin in flight to one process before Attach stops reading.
  uint64_t stdin_window_bytes = 256 << 10;
  // How long a sentry stays after PID 1 exited without a daemon.
  int sentry_linger_seconds = 30;
};

// One sandbox process as the daemon sees it.
struct ProcState {
  explicit ProcState(size_t cap) : log(cap) {}
  OutputLog log;
  bool exited = false;
  runsc::v1::ExitStatus status;
  uint64_t stdin_sent = 0;
  uint64_t stdin_acked = 0;
  bool stdin_closed = false;
};

struct Sandbox {
  Sandbox(std::string id, std::string dir) : id(std::move(id)), dir(std::move(dir)) {}

  const std::string id;
  const std::string dir;  // <state>/sandboxes/<id>

  absl::Mutex mu;
  runsc::internal::SandboxRecord rec ABSL_GUARDED_BY(mu);
  std::map<int, std::shared_ptr<ProcState>> procs ABSL_GUARDED_BY(mu);
  runsc::v1::Counters counters ABSL_GUARDED_BY(mu);
  bool supervised ABSL_GUARDED_BY(mu) = false;
  // The sentry is our child (false after a re-attach).
  bool our_child ABSL_GUARDED_BY(mu) = false;
  // The daemon killed the sentry on purpose (kill -9 all, timeout, delete).
  std::string kill_reason ABSL_GUARDED_BY(mu);
  std::string kill_limit ABSL_GUARDED_BY(mu);
  uint64_t next_request ABSL_GUARDED_BY(mu) = 1;
  std::map<uint64_t, std::optional<runsc::internal::Reply>> pending
      ABSL_GUARDED_BY(mu);
  bool deleted ABSL_GUARDED_BY(mu) = false;
  // OOM kills in the sandbox's memory cgroup already reported as events.
  uint64_t oom_reported ABSL_GUARDED_BY(mu) = 0;

  // Connection to the sentry (-1: none); one frame at a time. Taken after
  // mu when both are held, never before.
  absl::Mutex write_mu;
  int conn ABSL_GUARDED_BY(write_mu) = -1;

  bool Final() const ABSL_SHARED_LOCKS_REQUIRED(mu) {
    return rec.sandbox().state() == runsc::v1::STOPPED ||
           rec.sandbox().state() == runsc::v1::FAILED;
  }
};

class Manager {
 public:
  explicit Manager(ManagerOptions opts);
  ~Manager();

  // Reads the state directory: every recorded sandbox comes back, running
  // ones re-attached or marked FAILED (lost) with the reason.
  void Load();
  // Stops background threads and drops sentry connections; sentries keep
  // running for the next daemon.
  void Shutdown();

  grpc::Status Create(const runsc::v1::CreateRequest& req, runsc::v1::Sandbox* out);
  grpc::Status Start(const std::string& id, runsc::v1::Sandbox* out);
  grpc::Status Exec(const runsc::v1::ExecRequest& req, int* pid);
  grpc::Status Wait(const runsc::v1::WaitRequest& req,
                    const std::function<bool()>& cancelled,
                    runsc::v1::WaitResponse* out);
  grpc::Status Kill(const runsc::v1::KillRequest& req);
  grpc::Status List(const runsc::v1::ListRequest& req, runsc::v1::ListResponse* out);
  grpc::Status Get(const std::string& id, runsc::v1::Sandbox* out);
  grpc::Status Processes(const std::string& id, runsc::v1::ProcessesResponse* out);
  grpc::Status Delete(const runsc::v1::DeleteRequest& req);

  // For Attach and Events (service.cc).
  grpc::Status Find(const std::string& id, std::shared_ptr<Sandbox>* sb);
  // Sends stdin to `pid`, waiting (until `cancelled`) for window room.
  grpc::Status SendStdin(Sandbox& sb, int pid, const std::string& data,
                         bool close, const std::function<bool()>& cancelled);
  EventLog& events() { return events_; }
  void Publish(const std::string& id, runsc::v1::Event e);
  static runsc::v1::ExitStatus FailedExit(const std::string& reason);

 private:
  std::string SandboxDir(const std::string& id) const;
  void Persist(Sandbox& sb) ABSL_EXCLUSIVE_LOCKS_REQUIRED(sb.mu);
  void Snapshot(Sandbox& sb, runsc::v1::Sandbox* out)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(sb.mu);
  std::shared_ptr<ProcState> Proc(Sandbox& sb, int pid)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(sb.mu);
  int LiveCount();

  // supervisor.cc
  grpc::Status SpawnSentry(const std::shared_ptr<Sandbox>& self)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->mu);
  void Reattach(const std::shared_ptr<Sandbox>& sb);
  void Supervise(std::shared_ptr<Sandbox> sb, int conn, pid_t child);
  void HandleMessage(Sandbox& sb, const runsc::internal::FromSentry& m)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(sb.mu);
  void SentryGone(Sandbox& sb, pid_t child) ABSL_EXCLUSIVE_LOCKS_REQUIRED(sb.mu);
  // Publishes a `memory` limit event for OOM kills in the sandbox's memory
  // cgroup not reported yet; true when there were any.
  bool CheckOom(Sandbox& sb) ABSL_EXCLUSIVE_LOCKS_REQUIRED(sb.mu);
  void Finish(Sandbox& sb, runsc::v1::State state,
              const runsc::v1::ExitStatus& status, const std::string& reason,
              int64_t finished_ns) ABSL_EXCLUSIVE_LOCKS_REQUIRED(sb.mu);
  bool ReadExitRecord(Sandbox& sb, runsc::internal::ExitRecord* out);
  bool SendToSentry(Sandbox& sb, const runsc::internal::ToSentry& m)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(sb.mu);
  // A request that the sentry answers with a Reply.
  grpc::Status Call(Sandbox& sb, runsc::internal::ToSentry m,
                    runsc::internal::Reply* reply);
  // SIGKILL to the sentry (every process of the sandbox dies with it).
  void KillSentry(Sandbox& sb, const std::string& reason, const std::string& limit)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(sb.mu);
  void TimerLoop();

  const ManagerOptions opts_;
  EventLog events_;
  absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<Sandbox>> sandboxes_ ABSL_GUARDED_BY(mu_);
  std::atomic<bool> stop_{false};
  std::thread timer_;
};

}  // namespace runsc::serve

#endif  // RUNSC_CLI_SERVE_MANAGER_H_
