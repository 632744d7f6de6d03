// Runs one child process for the conformance runner: its own process group,
// stdin from /dev/null, stdout and stderr captured together, a deadline after
// which the whole group is killed.
#ifndef RUNSC_CLI_CONFORMANCE_PROCESS_H_
#define RUNSC_CLI_CONFORMANCE_PROCESS_H_

#include <atomic>
#include <string>
#include <vector>

namespace runsc::conformance {

struct RunSpec {
  std::vector<std::string> argv;  // argv[0] is the file executed (no PATH search)
  std::vector<std::string> env;
  double timeout_seconds = 60;
  // Checked while waiting: when it becomes true the group is killed.
  const std::atomic<bool>* cancel = nullptr;
};

struct RunOutcome {
  bool started = false;
  std::string start_error;  // why the program could not be started
  bool timed_out = false;
  bool cancelled = false;
  bool signaled = false;    // killed by signal `signo`
  int signo = 0;
  int exit_code = 0;        // when exited normally
  double seconds = 0;
  // stdout and stderr, interleaved as written. Very long output keeps its
  // beginning and its end, with a marker where the middle was dropped.
  std::string output;
};

RunOutcome RunProcess(const RunSpec& spec);

// "SIGSEGV" for 11, "signal 77" for what has no name.
std::string SignalName(int signo);

}  // namespace runsc::conformance

#endif  // RUNSC_CLI_CONFORMANCE_PROCESS_H_
