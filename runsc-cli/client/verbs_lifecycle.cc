// create, start, kill, wait, delete.
#include <cstdio>

#include "absl/strings/numbers.h"
#include "runsc-cli/client/attach_stream.h"
#include "runsc-cli/client/spec_flags.h"
#include "runsc-cli/client/verbs.h"
#include "runsc-cli/serve/exit_status.h"

namespace runsc::client {

namespace {

std::unique_ptr<Connection> Dial(const char* verb, const ConnectionOptions& o) {
  std::string err;
  auto c = Connection::Open(o, &err);
  if (!c) fprintf(stderr, "runsc %s: %s\n", verb, err.c_str());
  return c;
}

}  // namespace

int CmdCreate(const Args& args) {
  static const std::string usage =
      std::string("usage: runsc create [flags] [--] CMD [ARGS...]\n"
                  "Records a sandbox that will run CMD; prints its id.\n\n") +
      kSpecFlagsHelp;
  SpecFlags s;
  std::vector<Flag> flags;
  AddSpecFlags(&s, &flags);
  ConnectionOptions co;
  Args pos;
  int rc;
  if (!ParseVerb("create", usage.c_str(), args, flags, true, &co, &pos, &rc)) return rc;
  runsc::v1::CreateRequest req;
  std::string err;
  if (!BuildCreateRequest(s, pos, &req, &err)) {
    fprintf(stderr, "runsc create: %s\n", err.c_str());
    return 2;
  }
  auto conn = Dial("create", co);
  if (!conn) return 1;
  grpc::ClientContext ctx;
  conn->Prepare(&ctx);
  runsc::v1::CreateResponse resp;
  grpc::Status st = conn->stub().Create(&ctx, req, &resp);
  if (!st.ok()) {
    PrintError("create", st);
    return 1;
  }
  printf("%s\n", resp.sandbox().id().c_str());
  return 0;
}

int CmdStart(const Args& args) {
  static const char usage[] = "usage: runsc start [flags] ID\n"
                              "Starts a created sandbox (its PID 1).\n\n";
  ConnectionOptions co;
  Args pos;
  int rc;
  if (!ParseVerb("start", usage, args, {}, false, &co, &pos, &rc)) return rc;
  if (pos.size() != 1) {
    fprintf(stderr, "runsc start: want one ID\n%s", usage);
    return 2;
  }
  auto conn = Dial("start", co);
  if (!conn) return 1;
  grpc::ClientContext ctx;
  conn->Prepare(&ctx);
  runsc::v1::StartRequest req;
  req.set_id(pos[0]);
  runsc::v1::StartResponse resp;
  grpc::Status st = conn->stub().Start(&ctx, req, &resp);
  if (!st.ok()) {
    PrintError("start", st);
    return 1;
  }
  return 0;
}

int CmdKill(const Args& args) {
  static const char usage[] =
      "usage: runsc kill [--all] [--pid N] [flags] ID [SIGNAL]\n"
      "Sends SIGNAL (name or number; default TERM) to PID 1, to --pid N, or\n"
      "with --all to every process of the sandbox.\n\n";
  bool all = false;
  int pid = 0;
  ConnectionOptions co;
  Args pos;
  int rc;
  if (!ParseVerb("kill", usage, args,
                 {{"--all", false, SetTrue(&all)}, {"--pid", true, SetInt(&pid)}},
                 false, &co, &pos, &rc)) {
    return rc;
  }
  if (pos.empty() || pos.size() > 2) {
    fprintf(stderr, "runsc kill: want ID [SIGNAL]\n%s", usage);
    return 2;
  }
  int sig = 15;
  if (pos.size() == 2 && (sig = serve::ParseSignal(pos[1])) < 0) {
    fprintf(stderr, "runsc kill: %s: not a signal\n", pos[1].c_str());
    return 2;
  }
  auto conn = Dial("kill", co);
  if (!conn) return 1;
  grpc::ClientContext ctx;
  conn->Prepare(&ctx);
  runsc::v1::KillRequest req;
  req.set_id(pos[0]);
  req.set_signal(sig);
  req.set_pid(pid);
  req.set_all(all);
  runsc::v1::KillResponse resp;
  grpc::Status st = conn->stub().Kill(&ctx, req, &resp);
  if (!st.ok()) {
    PrintError("kill", st);
    return 1;
  }
  return 0;
}

int CmdWait(const Args& args) {
  static const char usage[] =
      "usage: runsc wait [--pid N] [flags] ID\n"
      "Waits for PID 1 (or --pid N) to exit; prints how it ended and exits\n"
      "with its code.\n\n";
  int pid = 0;
  ConnectionOptions co;
  Args pos;
  int rc;
  if (!ParseVerb("wait", usage, args, {{"--pid", true, SetInt(&pid)}}, false, &co,
                 &pos, &rc)) {
    return rc;
  }
  if (pos.size() != 1) {
    fprintf(stderr, "runsc wait: want one ID\n%s", usage);
    return 2;
  }
  auto conn = Dial("wait", co);
  if (!conn) return 125;
  grpc::ClientContext ctx;
  conn->Prepare(&ctx);
  runsc::v1::WaitRequest req;
  req.set_id(pos[0]);
  req.set_pid(pid);
  runsc::v1::WaitResponse resp;
  grpc::Status st = conn->stub().Wait(&ctx, req, &resp);
  if (!st.ok()) {
    PrintError("wait", st);
    return 125;
  }
  if (resp.state() == runsc::v1::FAILED) {
    fprintf(stderr, "runsc wait: sandbox failed: %s\n", resp.failure_reason().c_str());
  } else {
    fprintf(stderr, "%s\n", serve::DescribeExit(resp.exit_status()).c_str());
  }
  return resp.exit_status().code();
}

int CmdDelete(const Args& args) {
  static const char usage[] =
      "usage: runsc delete [--force] [flags] ID...\n"
      "Forgets sandboxes; --force kills running ones first.\n\n";
  bool force = false;
  ConnectionOptions co;
  Args pos;
  int rc;
  if (!ParseVerb("delete", usage, args, {{"--force", false, SetTrue(&force)}}, false,
                 &co, &pos, &rc)) {
    return rc;
  }
  if (pos.empty()) {
    fprintf(stderr, "runsc delete: want at least one ID\n%s", usage);
    return 2;
  }
  auto conn = Dial("delete", co);
  if (!conn) return 1;
  int status = 0;
  for (const std::string& id : pos) {
    grpc::ClientContext ctx;
    conn->Prepare(&ctx);
    runsc::v1::DeleteRequest req;
    req.set_id(id);
    req.set_force(force);
    runsc::v1::DeleteResponse resp;
    grpc::Status st = conn->stub().Delete(&ctx, req, &resp);
    if (!st.ok()) {
      PrintError("delete", st);
      status = 1;
    }
  }
  return status;
}

}  // namespace runsc::client
