// runsc subcommands. Each returns the process exit code.
#ifndef RUNSC_CLI_COMMANDS_H_
#define RUNSC_CLI_COMMANDS_H_

#include <string>
#include <vector>

namespace runsc {

int CmdDo(const std::vector<std::string>& args);
int CmdSyscalls(const std::vector<std::string>& args);
int CmdConformance(const std::vector<std::string>& args);

}  // namespace runsc

#endif  // RUNSC_CLI_COMMANDS_H_
