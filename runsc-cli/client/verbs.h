// The client verbs. Each returns the process exit code: 0 on success, 1 on
// an error from the daemon, 2 on bad usage; run, exec and wait return the
// program's own code (125 when runsc itself failed before it ran).
#ifndef RUNSC_CLI_CLIENT_VERBS_H_
#define RUNSC_CLI_CLIENT_VERBS_H_

#include <string>
#include <vector>

#include "runsc-cli/client/connection.h"
#include "runsc-cli/client/flags.h"

namespace runsc::client {

using Args = std::vector<std::string>;

int CmdCreate(const Args& args);
int CmdStart(const Args& args);
int CmdRun(const Args& args);
int CmdExec(const Args& args);
int CmdAttach(const Args& args);
int CmdList(const Args& args);
int CmdPs(const Args& args);
int CmdKill(const Args& args);
int CmdWait(const Args& args);
int CmdEvents(const Args& args);
int CmdDelete(const Args& args);

// Shared by the verbs: parse `flags` + connection flags; on --help print
// `usage` and return 0 through *rc; on error print it and set *rc = 2.
bool ParseVerb(const char* verb, const char* usage, const Args& args,
               std::vector<Flag> flags, bool stop_at_positional,
               ConnectionOptions* conn, Args* positional, int* rc);

}  // namespace runsc::client

#endif  // RUNSC_CLI_CLIENT_VERBS_H_
