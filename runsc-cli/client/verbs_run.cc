// run (create + attach + start), exec, attach.
#include <unistd.h>

#include <cstdio>

#include "runsc-cli/client/attach_stream.h"
#include "runsc-cli/client/spec_flags.h"
#include "runsc-cli/client/verbs.h"

namespace runsc::client {

namespace {

// What run/exec/attach return when the stream ended without an exit status.
int StreamFailed(const char* verb, const grpc::Status& st) {
  if (!st.ok()) {
    PrintError(verb, st);
  } else {
    fprintf(stderr, "runsc %s: the stream ended without an exit status\n", verb);
  }
  return 125;
}

}  // namespace

int CmdRun(const Args& args) {
  static const std::string usage =
      std::string(
          "usage: runsc run [--rm] [--detach] [--no-stdin] [flags] [--] CMD [ARGS...]\n"
          "Creates a sandbox, starts it and relays its stdio; exits with CMD's\n"
          "code (128+N when killed by signal N, 127 not found, 126 not\n"
          "executable, 125 when runsc failed).\n"
          "  --rm          delete the sandbox once it has exited\n"
          "  --detach      print the id and return once started\n"
          "  --no-stdin    do not forward this terminal's stdin\n\n") +
      kSpecFlagsHelp;
  SpecFlags s;
  bool rm = false, detach = false, no_stdin = false;
  std::vector<Flag> flags = {{"--rm", false, SetTrue(&rm)},
                             {"--detach", false, SetTrue(&detach)},
                             {"-d", false, SetTrue(&detach)},
                             {"--no-stdin", false, SetTrue(&no_stdin)}};
  AddSpecFlags(&s, &flags);
  ConnectionOptions co;
  Args pos;
  int rc;
  if (!ParseVerb("run", usage.c_str(), args, flags, true, &co, &pos, &rc)) return rc;
  runsc::v1::CreateRequest req;
  std::string err;
  if (!BuildCreateRequest(s, pos, &req, &err)) {
    fprintf(stderr, "runsc run: %s\n", err.c_str());
    return 2;
  }
  auto conn = Connection::Open(co, &err);
  if (!conn) {
    fprintf(stderr, "runsc run: %s\n", err.c_str());
    return 125;
  }
  runsc::v1::CreateResponse created;
  {
    grpc::ClientContext ctx;
    conn->Prepare(&ctx);
    grpc::Status st = conn->stub().Create(&ctx, req, &created);
    if (!st.ok()) {
      PrintError("run", st);
      return 125;
    }
  }
  const std::string id = created.sandbox().id();
  auto start = [&]() -> grpc::Status {
    grpc::ClientContext ctx;
    conn->Prepare(&ctx);
    runsc::v1::StartRequest sr;
    sr.set_id(id);
    runsc::v1::StartResponse resp;
    return conn->stub().Start(&ctx, sr, &resp);
  };
  auto remove = [&] {
    grpc::ClientContext ctx;
    conn->Prepare(&ctx);
    runsc::v1::DeleteRequest dr;
    dr.set_id(id);
    dr.set_force(true);
    runsc::v1::DeleteResponse resp;
    grpc::Status st = conn->stub().Delete(&ctx, dr, &resp);
    if (!st.ok()) PrintError("run", st);
  };
  if (detach) {
    grpc::Status st = start();
    if (!st.ok()) {
      PrintError("run", st);
      return 125;
    }
    printf("%s\n", id.c_str());
    return 0;
  }
  runsc::v1::ExitStatus exit;
  bool got_exit = false;
  grpc::Status st = AttachAndRelay(*conn, id, 0, !no_stdin, start, &exit, &got_exit);
  const int code = got_exit ? ExitCodeOf(exit, "run") : StreamFailed("run", st);
  if (rm) remove();
  return code;
}

int CmdExec(const Args& args) {
  static const char usage[] =
      "usage: runsc exec [--env K=V] [--cwd DIR] [--no-stdin] [flags] ID [--] CMD [ARGS...]\n"
      "Runs CMD as a new process of a running sandbox and relays its stdio;\n"
      "exits with its code.\n\n";
  std::vector<std::string> env;
  std::string cwd;
  bool no_stdin = false;
  ConnectionOptions co;
  Args pos;
  int rc;
  if (!ParseVerb("exec", usage, args,
                 {{"--env", true, AppendString(&env)},
                  {"--cwd", true, SetString(&cwd)},
                  {"--no-stdin", false, SetTrue(&no_stdin)}},
                 true, &co, &pos, &rc)) {
    return rc;
  }
  if (!pos.empty() && pos.size() >= 2 && pos[1] == "--") pos.erase(pos.begin() + 1);
  if (pos.size() < 2) {
    fprintf(stderr, "runsc exec: want ID and CMD\n%s", usage);
    return 2;
  }
  std::string err;
  auto conn = Connection::Open(co, &err);
  if (!conn) {
    fprintf(stderr, "runsc exec: %s\n", err.c_str());
    return 125;
  }
  runsc::v1::ExecRequest req;
  req.set_id(pos[0]);
  for (size_t i = 1; i < pos.size(); i++) req.mutable_process()->add_argv(pos[i]);
  for (const auto& e : env) req.mutable_process()->add_env(e);
  if (env.empty()) req.mutable_process()->add_env("PATH=/usr/local/bin:/usr/bin:/bin");
  req.mutable_process()->set_cwd(cwd);
  runsc::v1::ExecResponse resp;
  grpc::ClientContext ctx;
  conn->Prepare(&ctx);
  grpc::Status st = conn->stub().Exec(&ctx, req, &resp);
  if (!st.ok()) {
    PrintError("exec", st);
    if (st.error_code() == grpc::StatusCode::NOT_FOUND &&
        st.error_message().find("command not found") != std::string::npos) {
      return 127;
    }
    return 125;
  }
  runsc::v1::ExitStatus exit;
  bool got_exit = false;
  st = AttachAndRelay(*conn, pos[0], resp.pid(), !no_stdin, nullptr, &exit, &got_exit);
  return got_exit ? ExitCodeOf(exit, "exec") : StreamFailed("exec", st);
}

int CmdAttach(const Args& args) {
  static const char usage[] =
      "usage: runsc attach [--pid N] [--no-stdin] [flags] ID\n"
      "Relays the stdio of PID 1 (or --pid N), replaying the output the\n"
      "daemon still holds; exits with the process's code.\n\n";
  int pid = 0;
  bool no_stdin = false;
  ConnectionOptions co;
  Args pos;
  int rc;
  if (!ParseVerb("attach", usage, args,
                 {{"--pid", true, SetInt(&pid)}, {"--no-stdin", false, SetTrue(&no_stdin)}},
                 false, &co, &pos, &rc)) {
    return rc;
  }
  if (pos.size() != 1) {
    fprintf(stderr, "runsc attach: want one ID\n%s", usage);
    return 2;
  }
  std::string err;
  auto conn = Connection::Open(co, &err);
  if (!conn) {
    fprintf(stderr, "runsc attach: %s\n", err.c_str());
    return 125;
  }
  runsc::v1::ExitStatus exit;
  bool got_exit = false;
  grpc::Status st = AttachAndRelay(*conn, pos[0], pid, !no_stdin, nullptr, &exit, &got_exit);
  return got_exit ? ExitCodeOf(exit, "attach") : StreamFailed("attach", st);
}

}  // namespace runsc::client
