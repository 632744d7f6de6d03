// -p/--publish: a TCP port of the sandbox's loopback network reachable from
// the host. The sentry listens on HOSTIP:HOSTPORT (default 127.0.0.1) in
// its own (the host's) namespace and, for each connection, connects to
// 127.0.0.1:SANDBOXPORT inside the sandbox's namespace and copies bytes
// both ways. An end-of-stream on one side is passed on as a shutdown of
// the other side's writing half, so half-closed protocols work; the pair
// is closed when both directions are done or either fails (the failing
// side's error becomes a reset of the other, as closing with unread data
// does). One acceptor thread per publisher, one thread per connection.
//
// A UDP mapping (".../udp") binds a datagram socket on the host side. Each
// host client address gets its own association: a datagram socket inside
// the sandbox's namespace connected to 127.0.0.1:SANDBOXPORT, so the
// sandboxed server sees one peer per client and its replies go back to
// that client from the published address. An association unused (no
// datagram either way) for kUdpIdle is closed, as container runtimes'
// UDP proxies do; at most kMaxUdpAssociations live per publisher (the
// least recently used goes first). One thread serves all UDP mappings.
#ifndef SENTRY_SOCKET_NETNS_PUBLISHER_H_
#define SENTRY_SOCKET_NETNS_PUBLISHER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sentry::socket {

class Network;

struct PortMapping {
  std::string host_ip = "127.0.0.1";
  uint16_t host_port = 0;
  uint16_t sandbox_port = 0;
  bool udp = false;  // "/udp" suffix; TCP otherwise
};

// "HOSTPORT:SANDBOXPORT" or "HOSTIP:HOSTPORT:SANDBOXPORT" (HOSTIP an IPv4
// address, or an IPv6 one in brackets), optionally followed by "/tcp" or
// "/udp" as docker's -p. Errors say what is wrong with the
// spec (the caller names the flag).
absl::StatusOr<PortMapping> ParsePortMapping(absl::string_view spec);

class PortPublisher {
 public:
  // Binds every host port now (so a port in use is an error at start-up)
  // and starts forwarding into `net` (Network::Publish; the network owns
  // the publisher, connections hold the network while they last).
  static absl::StatusOr<std::unique_ptr<PortPublisher>> Start(
      std::weak_ptr<Network> net, const std::vector<PortMapping>& ports);
  ~PortPublisher();
  PortPublisher(const PortPublisher&) = delete;
  PortPublisher& operator=(const PortPublisher&) = delete;

 private:
  PortPublisher() = default;
  void AcceptLoop();
  void UdpLoop();

  std::weak_ptr<Network> net_;
  // The same network for the UDP thread, which never owns it: the network
  // destroys this publisher (joining that thread) before anything else, so
  // it outlives the thread, and the thread can never be the one running
  // the network's destructor (which would join itself).
  Network* udp_net_ = nullptr;
  struct Listener {
    int fd;
    PortMapping mapping;
  };
  std::vector<Listener> listeners_;      // TCP
  std::vector<Listener> udp_listeners_;
  int stop_fd_ = -1;  // eventfd: wakes the acceptor to stop
  std::thread acceptor_;
  std::thread udp_;
};

}  // namespace sentry::socket

#endif  // SENTRY_SOCKET_NETNS_PUBLISHER_H_
