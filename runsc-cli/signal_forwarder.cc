#include "runsc-cli/signal_forwarder.h"

#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cstdint>

#include "sentry/kernel/kernel.h"

namespace runsc {

namespace {

sigset_t ForwardedSet() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGWINCH,
                  SIGCONT}) {
    sigaddset(&set, sig);
  }
  return set;
}

}  // namespace

void SignalForwarder::BlockForwardedSignals() {
  sigset_t set = ForwardedSet();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

SignalForwarder::SignalForwarder(sentry::Kernel* kernel) : kernel_(kernel) {
  sigset_t set = ForwardedSet();
  signal_fd_ = signalfd(-1, &set, SFD_CLOEXEC);
  stop_fd_ = eventfd(0, EFD_CLOEXEC);
  if (signal_fd_ >= 0 && stop_fd_ >= 0) thread_ = std::thread([this] { Run(); });
}

SignalForwarder::~SignalForwarder() {
  if (thread_.joinable()) {
    uint64_t one = 1;
    (void)!write(stop_fd_, &one, sizeof(one));
    thread_.join();
  }
  if (signal_fd_ >= 0) close(signal_fd_);
  if (stop_fd_ >= 0) close(stop_fd_);
}

void SignalForwarder::Run() {
  for (;;) {
    pollfd fds[2] = {{signal_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) continue;
    if (fds[1].revents) return;
    signalfd_siginfo si;
    if (read(signal_fd_, &si, sizeof(si)) != sizeof(si)) continue;
    const int sig = static_cast<int>(si.ssi_signo);
    if (sig == SIGINT || sig == SIGQUIT) {
      kernel_->KillProcessGroup(kernel_->InitProcessGroup(), sig);
    } else {
      kernel_->Kill(1, sig);
    }
  }
}

}  // namespace runsc
