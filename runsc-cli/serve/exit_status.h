// Wait statuses as the API reports them (runsc.v1.ExitStatus).
#ifndef RUNSC_CLI_SERVE_EXIT_STATUS_H_
#define RUNSC_CLI_SERVE_EXIT_STATUS_H_

#include <string>

#include "absl/status/status.h"
#include "runsc/v1/sandboxes.pb.h"

namespace runsc::serve {

// From a waitpid(2)-encoded status: code is the exit code or 128+signal.
runsc::v1::ExitStatus ExitStatusFromWait(int wait_status);

// A program that never ran: 127 when it was not found (NotFound), 126 when
// it could not be executed, with the message as `error`.
runsc::v1::ExitStatus ExitStatusFromStartError(const absl::Status& st);

// A failure of runsc itself before the program could run (bad cwd, no
// platform): code 125, as `runsc do` exits.
runsc::v1::ExitStatus ExitStatusSetupError(const std::string& message);

// "exited with 3", "killed by SIGKILL (core dumped)", "not run: ...".
std::string DescribeExit(const runsc::v1::ExitStatus& st);

// Signal numbers and names ("KILL", "SIGKILL", "9") for the CLI.
int ParseSignal(const std::string& s);
std::string SignalName(int sig);

}  // namespace runsc::serve

#endif  // RUNSC_CLI_SERVE_EXIT_STATUS_H_
