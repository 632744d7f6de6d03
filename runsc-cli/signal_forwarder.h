// Host signals sent to `runsc` reach the sandbox: Ctrl-C (SIGINT) and
// SIGQUIT go to PID 1's process group, as a terminal sends them to its
// foreground group; SIGTERM, SIGHUP, SIGUSR1/2, SIGWINCH and SIGCONT go to
// PID 1, as a container runtime forwards them.
#ifndef RUNSC_CLI_SIGNAL_FORWARDER_H_
#define RUNSC_CLI_SIGNAL_FORWARDER_H_

#include <thread>

namespace sentry {
class Kernel;
}

namespace runsc {

class SignalForwarder {
 public:
  // Blocks the forwarded signals. Call before any thread is started, so
  // every sentry thread inherits the mask and only the forwarder sees them.
  static void BlockForwardedSignals();

  explicit SignalForwarder(sentry::Kernel* kernel);
  ~SignalForwarder();
  SignalForwarder(const SignalForwarder&) = delete;
  SignalForwarder& operator=(const SignalForwarder&) = delete;

 private:
  void Run();
  sentry::Kernel* kernel_;
  int signal_fd_ = -1;
  int stop_fd_ = -1;
  std::thread thread_;
};

}  // namespace runsc

#endif  // RUNSC_CLI_SIGNAL_FORWARDER_H_
