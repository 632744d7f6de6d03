// Relaying a process's stdio over Attach: this terminal's stdin to the
// process (closing it at EOF), its stdout/stderr to ours, until its exit
// status arrives.
#ifndef RUNSC_CLI_CLIENT_ATTACH_STREAM_H_
#define RUNSC_CLI_CLIENT_ATTACH_STREAM_H_

#include <functional>
#include <string>

#include "grpcpp/support/status.h"
#include "runsc-cli/client/connection.h"

namespace runsc::client {

// Attaches to `pid` (0: PID 1) of sandbox `id`. `after_open` (may be
// empty) runs once the stream is open — `runsc run` starts the sandbox
// there, so no output can be missed. Returns the RPC status; *exit is set
// when the stream delivered the exit status.
grpc::Status AttachAndRelay(Connection& conn, const std::string& id, int pid,
                            bool forward_stdin,
                            const std::function<grpc::Status()>& after_open,
                            runsc::v1::ExitStatus* exit, bool* got_exit);

// The exit code a verb returns for a process's status (its code), printing
// why it did not run when it did not.
int ExitCodeOf(const runsc::v1::ExitStatus& st, const char* verb);

}  // namespace runsc::client

#endif  // RUNSC_CLI_CLIENT_ATTACH_STREAM_H_
