// Which runsc subcommands live in runsc-cli/serve and runsc-cli/client.
#include <cstdio>

#include "runsc-cli/client/connection.h"
#include "runsc-cli/client/flags.h"
#include "runsc-cli/client/verbs.h"
#include "runsc-cli/commands.h"

namespace runsc {

int CmdServe(const std::vector<std::string>& args);
int CmdSandboxRun(const std::vector<std::string>& args);

bool DispatchServeCommand(const std::string& cmd,
                          const std::vector<std::string>& args, int* rc) {
  using namespace runsc::client;
  struct Entry {
    const char* name;
    int (*fn)(const std::vector<std::string>&);
  };
  static const Entry kEntries[] = {
      {"serve", CmdServe},       {"sandbox-run", CmdSandboxRun},
      {"create", CmdCreate},     {"start", CmdStart},
      {"run", CmdRun},           {"exec", CmdExec},
      {"attach", CmdAttach},     {"list", CmdList},
      {"ps", CmdPs},             {"kill", CmdKill},
      {"wait", CmdWait},         {"events", CmdEvents},
      {"delete", CmdDelete},
  };
  for (const Entry& e : kEntries) {
    if (cmd == e.name) {
      *rc = e.fn(args);
      return true;
    }
  }
  return false;
}

namespace client {

bool ParseVerb(const char* verb, const char* usage, const Args& args,
               std::vector<Flag> flags, bool stop_at_positional,
               ConnectionOptions* conn, Args* positional, int* rc) {
  AddConnectionFlags(conn, &flags);
  bool help = false;
  std::string err;
  if (!ParseFlags(args, flags, stop_at_positional, positional, &help, &err)) {
    fprintf(stderr, "runsc %s: %s\n%s", verb, err.c_str(), usage);
    *rc = 2;
    return false;
  }
  if (help) {
    fputs(usage, stdout);
    fputs(kConnectionFlagsHelp, stdout);
    *rc = 0;
    return false;
  }
  return true;
}

}  // namespace client

}  // namespace runsc
