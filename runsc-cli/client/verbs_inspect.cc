// list, ps, events.
#include <time.h>

#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"
#include "runsc-cli/client/verbs.h"
#include "runsc-cli/serve/exit_status.h"

namespace runsc::client {

namespace {

std::string Json(const google::protobuf::Message& m, bool pretty) {
  google::protobuf::util::JsonPrintOptions o;
  o.add_whitespace = pretty;
  o.preserve_proto_field_names = true;
  std::string out;
  google::protobuf::util::MessageToJsonString(m, &out, o);
  return out;
}

std::string When(int64_t ns) {
  if (ns == 0) return "-";
  const time_t t = static_cast<time_t>(ns / 1'000'000'000);
  struct tm tm;
  localtime_r(&t, &tm);
  char buf[32];
  strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::string StateWord(runsc::v1::State s) {
  std::string n = runsc::v1::State_Name(s);
  for (char& c : n) c = static_cast<char>(tolower(c));
  return n;
}

std::string Shorten(std::string s, size_t n) {
  if (s.size() > n) s = s.substr(0, n - 3) + "...";
  return s;
}

bool FormatFlag(const std::string& f, std::string* err) {
  if (f == "table" || f == "json") return true;
  *err = "--format: want table or json";
  return false;
}

}  // namespace

int CmdList(const Args& args) {
  static const char usage[] =
      "usage: runsc list [--format table|json] [--state S] [flags]\n"
      "Lists every sandbox the daemon knows.\n\n";
  std::string format = "table", state;
  ConnectionOptions co;
  Args pos;
  int rc;
  if (!ParseVerb("list", usage, args,
                 {{"--format", true, SetString(&format)}, {"--state", true, SetString(&state)}},
                 false, &co, &pos, &rc)) {
    return rc;
  }
  std::string err;
  if (!FormatFlag(format, &err) || !pos.empty()) {
    fprintf(stderr, "runsc list: %s\n%s", err.empty() ? "no arguments wanted" : err.c_str(), usage);
    return 2;
  }
  runsc::v1::ListRequest req;
  if (!state.empty()) {
    runsc::v1::State s;
    std::string upper = state;
    for (char& c : upper) c = static_cast<char>(toupper(c));
    if (!runsc::v1::State_Parse(upper, &s)) {
      fprintf(stderr, "runsc list: --state %s: want created, running, stopped or failed\n",
              state.c_str());
      return 2;
    }
    req.set_state(s);
  }
  auto conn = Connection::Open(co, &err);
  if (!conn) {
    fprintf(stderr, "runsc list: %s\n", err.c_str());
    return 1;
  }
  grpc::ClientContext ctx;
  conn->Prepare(&ctx);
  runsc::v1::ListResponse resp;
  grpc::Status st = conn->stub().List(&ctx, req, &resp);
  if (!st.ok()) {
    PrintError("list", st);
    return 1;
  }
  if (format == "json") {
    printf("%s\n", Json(resp, true).c_str());
    return 0;
  }
  printf("%-20s %-8s %-8s %-19s %-24s %s\n", "ID", "STATE", "SENTRY", "CREATED",
         "STATUS", "COMMAND");
  for (const auto& s : resp.sandboxes()) {
    std::string status = "-";
    if (s.state() == runsc::v1::STOPPED) status = serve::DescribeExit(s.exit_status());
    if (s.state() == runsc::v1::FAILED) status = s.failure_reason();
    printf("%-20s %-8s %-8s %-19s %-24s %s\n", Shorten(s.id(), 20).c_str(),
           StateWord(s.state()).c_str(),
           s.sentry_pid() ? std::to_string(s.sentry_pid()).c_str() : "-",
           When(s.created_at_ns()).c_str(), Shorten(status, 24).c_str(),
           Shorten(absl::StrJoin(s.spec().argv(), " "), 40).c_str());
  }
  return 0;
}

int CmdPs(const Args& args) {
  static const char usage[] =
      "usage: runsc ps [--format table|json] [flags] ID\n"
      "Lists the processes inside a running sandbox.\n\n";
  std::string format = "table";
  ConnectionOptions co;
  Args pos;
  int rc;
  if (!ParseVerb("ps", usage, args, {{"--format", true, SetString(&format)}}, false,
                 &co, &pos, &rc)) {
    return rc;
  }
  std::string err;
  if (!FormatFlag(format, &err) || pos.size() != 1) {
    fprintf(stderr, "runsc ps: %s\n%s", err.empty() ? "want one ID" : err.c_str(), usage);
    return 2;
  }
  auto conn = Connection::Open(co, &err);
  if (!conn) {
    fprintf(stderr, "runsc ps: %s\n", err.c_str());
    return 1;
  }
  grpc::ClientContext ctx;
  conn->Prepare(&ctx);
  runsc::v1::ProcessesRequest req;
  req.set_id(pos[0]);
  runsc::v1::ProcessesResponse resp;
  grpc::Status st = conn->stub().Processes(&ctx, req, &resp);
  if (!st.ok()) {
    PrintError("ps", st);
    return 1;
  }
  if (format == "json") {
    printf("%s\n", Json(resp, true).c_str());
    return 0;
  }
  printf("%-7s %-7s %-5s %s\n", "PID", "PPID", "STAT", "COMMAND");
  for (const auto& p : resp.processes()) {
    const std::string cmd = !p.argv().empty() ? absl::StrJoin(p.argv(), " ")
                            : !p.exe().empty() ? p.exe()
                                               : p.comm();
    printf("%-7d %-7d %-5s %s\n", p.pid(), p.ppid(), p.state().c_str(), cmd.c_str());
  }
  return 0;
}

int CmdEvents(const Args& args) {
  static const char usage[] =
      "usage: runsc events [--replay] [--until-exit] [--counters-ms N] [flags] [ID]\n"
      "Follows the daemon's events (of one sandbox, or all), one JSON object\n"
      "per line, until interrupted (or, with --until-exit, until the sandbox\n"
      "stops). --replay starts with the events the daemon still holds.\n\n";
  bool replay = false, until_exit = false;
  int counters_ms = 0;
  ConnectionOptions co;
  Args pos;
  int rc;
  if (!ParseVerb("events", usage, args,
                 {{"--replay", false, SetTrue(&replay)},
                  {"--until-exit", false, SetTrue(&until_exit)},
                  {"--counters-ms", true, SetInt(&counters_ms)}},
                 false, &co, &pos, &rc)) {
    return rc;
  }
  if (pos.size() > 1) {
    fprintf(stderr, "runsc events: at most one ID\n%s", usage);
    return 2;
  }
  std::string err;
  auto conn = Connection::Open(co, &err);
  if (!conn) {
    fprintf(stderr, "runsc events: %s\n", err.c_str());
    return 1;
  }
  grpc::ClientContext ctx;
  conn->Prepare(&ctx);
  runsc::v1::EventsRequest req;
  if (!pos.empty()) req.set_id(pos[0]);
  req.set_replay(replay);
  req.set_until_exit(until_exit);
  req.set_syscall_counters_interval_ms(static_cast<uint32_t>(counters_ms));
  auto reader = conn->stub().Events(&ctx, req);
  runsc::v1::Event e;
  while (reader->Read(&e)) {
    printf("%s\n", Json(e, false).c_str());
    fflush(stdout);
  }
  grpc::Status st = reader->Finish();
  if (!st.ok()) {
    PrintError("events", st);
    return 1;
  }
  return 0;
}

}  // namespace runsc::client
