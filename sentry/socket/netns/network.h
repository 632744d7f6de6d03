// Network: the network namespace a sandbox's inet sockets live in, chosen by
// --network.
//
//   loopback (default)  a new network namespace with only `lo` up: servers
//                       and clients inside the sandbox reach each other and
//                       nothing else is reachable.
//   host                the sentry process's own (the host's) namespace.
//   none                socket(AF_INET/AF_INET6) fails with EAFNOSUPPORT,
//                       as on a kernel built without those families. Netlink
//                       still answers, from a fresh namespace whose `lo` is
//                       down (what an empty network namespace shows).
//
// Choice: the sentry process never changes its own namespace. Its control
// channels (the gRPC link to the daemon, the stubs' control sockets, abstract
// unix names) keep working because they stay in the namespace the process
// started in. For loopback and none, one dedicated "namespace thread" calls
// unshare(CLONE_NEWNET) (a per-thread operation Linux allows in a
// multi-threaded process) and stays there, creating the host sockets the
// sandbox asks for; a socket stays in the namespace it was created in
// whichever thread uses it later. unshare(CLONE_NEWNET) needs CAP_SYS_ADMIN:
// running rootless is not supported for loopback/none (Create fails with a
// message saying so; --network=host still works).
#ifndef SENTRY_SOCKET_NETNS_NETWORK_H_
#define SENTRY_SOCKET_NETNS_NETWORK_H_

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "sentry/socket/netns/publisher.h"

namespace sentry {
class Task;
}

namespace sentry::socket {

// Blocks every host signal in the calling (helper) thread.
void BlockAllSignals();

enum class NetworkMode { kLoopback, kHost, kNone };

// "loopback", "host" or "none" ("" means loopback).
absl::StatusOr<NetworkMode> ParseNetworkMode(absl::string_view s);
const char* NetworkModeName(NetworkMode m);

class Network : public std::enable_shared_from_this<Network> {
 public:
  static absl::StatusOr<std::shared_ptr<Network>> Create(NetworkMode mode);
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  // The network of the sandbox `t` belongs to (KernelConfig::network), or a
  // process-wide loopback network created on first use for kernels built
  // without one (tests).
  static Network& Of(Task& t);

  NetworkMode mode() const { return mode_; }

  // Runs `fn` with the calling context inside the sandbox's namespace (on
  // the namespace thread for loopback/none, directly for host) and waits
  // for it. `fn` must not block for long: every socket creation waits
  // behind it.
  void Run(const std::function<void()>& fn);

  // socket(2) inside the namespace, always non-blocking and close-on-exec
  // (the sentry does the blocking). Returns the host fd or -errno.
  int HostSocket(int domain, int type, int protocol);

  // -p: publishes `ports` of this (loopback) network on the host
  // (publisher.h) for as long as the network lives. Fails, naming the
  // port, when a host port cannot be bound.
  absl::Status Publish(const std::vector<PortMapping>& ports);

 private:
  explicit Network(NetworkMode mode) : mode_(mode) {}
  absl::Status StartThread();
  void ThreadMain(absl::Status* started, absl::Notification* ready);

  const NetworkMode mode_;
  std::unique_ptr<PortPublisher> publisher_;
  std::thread thread_;
  absl::Mutex mu_;
  absl::CondVar cv_;
  struct Job {
    const std::function<void()>* fn;
    bool done = false;
  };
  std::deque<Job*> jobs_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace sentry::socket

#endif  // SENTRY_SOCKET_NETNS_NETWORK_H_
