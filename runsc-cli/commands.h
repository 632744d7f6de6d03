// runsc subcommands. Each returns the process exit code.
#ifndef RUNSC_CLI_COMMANDS_H_
#define RUNSC_CLI_COMMANDS_H_

#include <string>
#include <vector>

namespace runsc {

int CmdDo(const std::vector<std::string>& args);
int CmdSyscalls(const std::vector<std::string>& args);

// `runsc serve`, its hidden `sandbox-run`, and the thin-client verbs
// (create, start, run, exec, attach, list, ps, kill, wait, events, delete):
// runs `cmd` and returns true with its exit code in *rc, or returns false
// when `cmd` is none of them (runsc-cli/serve, runsc-cli/client).
bool DispatchServeCommand(const std::string& cmd,
                          const std::vector<std::string>& args, int* rc);
int CmdConformance(const std::vector<std::string>& args);

}  // namespace runsc

#endif  // RUNSC_CLI_COMMANDS_H_
