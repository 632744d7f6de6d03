// A real `runsc serve` for tests: started on a unix socket in a fresh
// temporary directory, stopped (or killed with SIGKILL) on demand.
#ifndef TESTS_GRPC_DAEMON_H_
#define TESTS_GRPC_DAEMON_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "grpcpp/channel.h"
#include "runsc/v1/sandboxes.grpc.pb.h"

namespace runsc::testing {

// The runsc binary under test.
std::string RunscBinary();

class Daemon {
 public:
  // A temporary directory holding the socket (s.sock) and the state dir.
  Daemon();
  ~Daemon();

  // Starts `runsc serve --listen unix:<dir>/s.sock --state-dir <dir>/state`
  // plus `extra` flags, and waits until it answers. False on failure.
  bool Start(const std::vector<std::string>& extra = {});
  // SIGTERM and wait.
  void Stop();
  // SIGKILL and wait (sandboxes are left running).
  void Kill9();

  pid_t pid() const { return pid_; }
  const std::string& dir() const { return dir_; }
  std::string socket() const { return dir_ + "/s.sock"; }
  std::string state_dir() const { return dir_ + "/state"; }
  std::string log() const;  // the daemon's stderr so far

  std::unique_ptr<runsc::v1::Sandboxes::Stub> NewStub() const;

 private:
  std::string dir_;
  pid_t pid_ = 0;
  int generation_ = 0;
};

// Runs a command, returning its exit status (as waitpid) and output.
int RunCommand(const std::vector<std::string>& argv, std::string* out);

// Kilobytes of resident memory of `pid` (VmRSS), or -1.
long RssKb(pid_t pid);

}  // namespace runsc::testing

#endif  // TESTS_GRPC_DAEMON_H_
