#include "sentry/socket/netns/network.h"

#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/socket/netns/publisher.h"

namespace sentry::socket {

absl::StatusOr<NetworkMode> ParseNetworkMode(absl::string_view s) {
  if (s.empty() || s == "loopback") return NetworkMode::kLoopback;
  if (s == "host") return NetworkMode::kHost;
  if (s == "none") return NetworkMode::kNone;
  return absl::InvalidArgumentError(absl::StrCat(
      "network \"", s, "\" is not one of loopback, host, none"));
}

const char* NetworkModeName(NetworkMode m) {
  switch (m) {
    case NetworkMode::kLoopback:
      return "loopback";
    case NetworkMode::kHost:
      return "host";
    case NetworkMode::kNone:
      return "none";
  }
  return "?";
}

absl::StatusOr<std::shared_ptr<Network>> Network::Create(NetworkMode mode) {
  std::shared_ptr<Network> n(new Network(mode));
  if (mode != NetworkMode::kHost) {
    if (absl::Status s = n->StartThread(); !s.ok()) return s;
  }
  return n;
}

Network& Network::Of(Task& t) {
  const std::shared_ptr<Network>& n = t.kernel().config().network;
  if (n) return *n;
  static Network* fallback = [] {
    auto c = Create(NetworkMode::kLoopback);
    // Without the privilege to make a namespace, the only honest fallback
    // is no network at all.
    if (!c.ok()) return new Network(NetworkMode::kNone);
    auto* raw = new std::shared_ptr<Network>(*c);  // lives for the process
    return raw->get();
  }();
  return *fallback;
}

absl::Status Network::StartThread() {
  absl::Status started;
  absl::Notification ready;
  thread_ = std::thread([this, &started, &ready] { ThreadMain(&started, &ready); });
  ready.WaitForNotification();
  if (!started.ok()) {
    thread_.join();
    return started;
  }
  return absl::OkStatus();
}

absl::Status Network::Publish(const std::vector<PortMapping>& ports) {
  if (ports.empty()) return absl::OkStatus();
  if (mode_ != NetworkMode::kLoopback) {
    return absl::InvalidArgumentError(absl::StrCat(
        "publishing ports needs --network=loopback, not ",
        NetworkModeName(mode_)));
  }
  if (publisher_) return absl::FailedPreconditionError("ports already published");
  auto p = PortPublisher::Start(weak_from_this(), ports);
  if (!p.ok()) return p.status();
  publisher_ = std::move(*p);
  return absl::OkStatus();
}

Network::~Network() {
  // Stop accepting first: the acceptor uses this network.
  publisher_.reset();
  if (!thread_.joinable()) return;
  {
    absl::MutexLock l(&mu_);
    stop_ = true;
    cv_.SignalAll();
  }
  thread_.join();
}

void BlockAllSignals() {
  // Helper threads of the sentry take no host signals: those are for the
  // threads that handle them (forwarding, platform).
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, nullptr);
}

void Network::ThreadMain(absl::Status* started, absl::Notification* ready) {
  BlockAllSignals();
  // Only this thread moves: the rest of the sentry stays where it was.
  if (unshare(CLONE_NEWNET) < 0) {
    int e = errno;
    *started = absl::FailedPreconditionError(absl::StrCat(
        "--network=", NetworkModeName(mode_),
        ": cannot create a network namespace (unshare(CLONE_NEWNET): ",
        strerror(e), e == EPERM ? "; it needs CAP_SYS_ADMIN, run as root "
                                  "or use --network=host"
                                : "",
        ")"));
    ready->Notify();
    return;
  }
  if (mode_ == NetworkMode::kLoopback) {
    // A new namespace's lo exists but is down: bring it up (ip link set lo
    // up), which also gives it 127.0.0.1/8 and ::1.
    int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct ifreq ifr;
    std::memset(&ifr, 0, sizeof(ifr));
    std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    int r = s < 0 ? -1 : ioctl(s, SIOCGIFFLAGS, &ifr);
    if (r == 0) {
      ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
      r = ioctl(s, SIOCSIFFLAGS, &ifr);
    }
    int e = errno;
    if (s >= 0) close(s);
    if (r < 0) {
      *started = absl::FailedPreconditionError(
          absl::StrCat("--network=loopback: cannot bring lo up: ", strerror(e)));
      ready->Notify();
      return;
    }
  }
  ready->Notify();
  absl::MutexLock l(&mu_);
  for (;;) {
    while (jobs_.empty() && !stop_) cv_.Wait(&mu_);
    if (jobs_.empty()) return;
    Job* j = jobs_.front();
    jobs_.pop_front();
    mu_.Unlock();
    (*j->fn)();
    mu_.Lock();
    j->done = true;
    cv_.SignalAll();
  }
}

void Network::Run(const std::function<void()>& fn) {
  if (!thread_.joinable()) {
    fn();
    return;
  }
  Job j{&fn};
  absl::MutexLock l(&mu_);
  jobs_.push_back(&j);
  cv_.SignalAll();
  while (!j.done) cv_.Wait(&mu_);
}

int Network::HostSocket(int domain, int type, int protocol) {
  int fd = -1;
  Run([&] {
    fd = ::socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
    if (fd < 0) fd = -errno;
  });
  return fd;
}

}  // namespace sentry::socket
