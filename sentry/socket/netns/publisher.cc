#include "sentry/socket/netns/publisher.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "sentry/socket/netns/network.h"

namespace sentry::socket {

namespace {

absl::StatusOr<uint16_t> ParsePort(absl::string_view s, const char* what) {
  uint32_t v;
  if (s.empty() || !absl::SimpleAtoi(s, &v) || v == 0 || v > 65535 ||
      s.find_first_not_of("0123456789") != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, " \"", s, "\" is not a port number (1-65535)"));
  }
  return static_cast<uint16_t>(v);
}

// Fills `ss` with ip:port; false if `ip` is not an address.
bool MakeAddress(const std::string& ip, uint16_t port, sockaddr_storage* ss,
                 socklen_t* len) {
  std::memset(ss, 0, sizeof(*ss));
  auto* in = reinterpret_cast<sockaddr_in*>(ss);
  if (inet_pton(AF_INET, ip.c_str(), &in->sin_addr) == 1) {
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    *len = sizeof(*in);
    return true;
  }
  auto* in6 = reinterpret_cast<sockaddr_in6*>(ss);
  if (inet_pton(AF_INET6, ip.c_str(), &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    *len = sizeof(*in6);
    return true;
  }
  return false;
}

// Copies between a host-side and a sandbox-side connection until both
// directions are done.
void Proxy(int a, int b) {
  struct Dir {
    int from, to;
    std::string buf;
    size_t off = 0;
    bool eof = false;  // `from` reached end of stream
    bool done = false;  // and everything was written, `to` shut down
  };
  Dir dirs[2] = {{a, b, {}, 0, false, false}, {b, a, {}, 0, false, false}};
  constexpr size_t kBuf = 256 << 10;
  for (Dir& d : dirs) d.buf.reserve(kBuf);
  bool failed = false;
  while (!failed && !(dirs[0].done && dirs[1].done)) {
    struct pollfd p[2] = {{a, 0, 0}, {b, 0, 0}};
    for (Dir& d : dirs) {
      struct pollfd& pf = p[d.from == a ? 0 : 1];
      struct pollfd& pt = p[d.to == a ? 0 : 1];
      if (d.done) continue;
      if (d.off < d.buf.size()) {
        pt.events |= POLLOUT;
      } else if (!d.eof) {
        pf.events |= POLLIN;
      }
    }
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (Dir& d : dirs) {
      if (d.done) continue;
      if (d.off == d.buf.size() && !d.eof) {
        d.buf.resize(kBuf);
        ssize_t r = recv(d.from, d.buf.data(), kBuf, MSG_DONTWAIT);
        if (r > 0) {
          d.buf.resize(r);
          d.off = 0;
        } else {
          d.buf.clear();
          d.off = 0;
          if (r == 0) {
            d.eof = true;
          } else if (errno != EAGAIN && errno != EINTR) {
            failed = true;
          }
        }
      }
      if (d.off < d.buf.size()) {
        ssize_t w = send(d.to, d.buf.data() + d.off, d.buf.size() - d.off,
                         MSG_DONTWAIT | MSG_NOSIGNAL);
        if (w > 0) {
          d.off += w;
        } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
          failed = true;
        }
      }
      if (d.eof && d.off == d.buf.size() && !d.done) {
        shutdown(d.to, SHUT_WR);
        d.done = true;
      }
    }
  }
  if (failed) {
    // Pass the failure on as a reset rather than a clean end.
    struct linger l{1, 0};
    setsockopt(a, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
    setsockopt(b, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
  }
  close(a);
  close(b);
}

// Connections being forwarded, all publishers together: each has a thread
// and two host fds, so a flood of host connections is cut off here.
constexpr int kMaxConnections = 1024;
std::atomic<int> live_connections{0};

void Connection(std::shared_ptr<Network> net, int client, uint16_t port) {
  BlockAllSignals();
  struct Count {
    ~Count() { live_connections.fetch_sub(1); }
  } count;
  int s = net->HostSocket(AF_INET, SOCK_STREAM, 0);
  if (s < 0) {
    close(client);
    return;
  }
  sockaddr_in to = {};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int r = connect(s, reinterpret_cast<sockaddr*>(&to), sizeof(to));
  if (r < 0 && errno == EINPROGRESS) {
    struct pollfd p{s, POLLOUT, 0};
    int pr;
    do {
      pr = poll(&p, 1, 10000);
    } while (pr < 0 && errno == EINTR);
    int err = pr == 1 ? 0 : ETIMEDOUT;
    socklen_t len = sizeof(err);
    if (pr == 1) getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
    r = err ? -1 : 0;
  }
  if (r < 0) {
    // Nothing listens in the sandbox: refuse the host's connection with a
    // reset, as a closed port would.
    struct linger l{1, 0};
    setsockopt(client, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
    close(client);
    close(s);
    return;
  }
  int one = 1;
  setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  Proxy(client, s);
}

}  // namespace

absl::StatusOr<PortMapping> ParsePortMapping(absl::string_view spec) {
  PortMapping m;
  absl::string_view rest = spec;
  if (size_t slash = rest.rfind('/'); slash != absl::string_view::npos) {
    absl::string_view proto = rest.substr(slash + 1);
    if (proto == "udp") {
      m.udp = true;
    } else if (proto != "tcp") {
      return absl::InvalidArgumentError(absl::StrCat(
          "\"", spec, "\": protocol \"", proto, "\" is not tcp or udp"));
    }
    rest = rest.substr(0, slash);
  }
  if (!rest.empty() && rest[0] == '[') {
    size_t close = rest.find(']');
    if (close == absl::string_view::npos || close + 1 >= rest.size() ||
        rest[close + 1] != ':') {
      return absl::InvalidArgumentError(absl::StrCat(
          "\"", spec, "\": want [IPV6]:HOSTPORT:SANDBOXPORT"));
    }
    m.host_ip = std::string(rest.substr(1, close - 1));
    rest = rest.substr(close + 2);
  } else {
    std::vector<absl::string_view> parts = absl::StrSplit(rest, ':');
    if (parts.size() == 3) {
      m.host_ip = std::string(parts[0]);
      rest = rest.substr(parts[0].size() + 1);
    } else if (parts.size() != 2) {
      return absl::InvalidArgumentError(absl::StrCat(
          "\"", spec, "\": want HOSTPORT:SANDBOXPORT or "
                      "HOSTIP:HOSTPORT:SANDBOXPORT"));
    }
  }
  std::vector<absl::string_view> ports = absl::StrSplit(rest, ':');
  if (ports.size() != 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "\"", spec, "\": want HOSTPORT:SANDBOXPORT or "
                    "HOSTIP:HOSTPORT:SANDBOXPORT"));
  }
  auto hp = ParsePort(ports[0], "host port");
  if (!hp.ok()) return hp.status();
  auto sp = ParsePort(ports[1], "sandbox port");
  if (!sp.ok()) return sp.status();
  m.host_port = *hp;
  m.sandbox_port = *sp;
  sockaddr_storage ss;
  socklen_t len;
  if (!MakeAddress(m.host_ip, m.host_port, &ss, &len)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "\"", spec, "\": host address \"", m.host_ip,
        "\" is not an IPv4 or IPv6 address"));
  }
  return m;
}

absl::StatusOr<std::unique_ptr<PortPublisher>> PortPublisher::Start(
    std::weak_ptr<Network> net, const std::vector<PortMapping>& ports) {
  std::unique_ptr<PortPublisher> p(new PortPublisher());
  p->net_ = std::move(net);
  for (const PortMapping& m : ports) {
    sockaddr_storage ss;
    socklen_t len;
    if (!MakeAddress(m.host_ip, m.host_port, &ss, &len)) {
      return absl::InvalidArgumentError(
          absl::StrCat("host address \"", m.host_ip, "\" is not an address"));
    }
    // Created by this thread: in the sentry's own (the host's) namespace.
    int fd = ::socket(ss.ss_family,
                      (m.udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC |
                          SOCK_NONBLOCK,
                      0);
    if (fd < 0) return absl::ErrnoToStatus(errno, "socket");
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, reinterpret_cast<sockaddr*>(&ss), len) < 0 ||
        (!m.udp && listen(fd, SOMAXCONN) < 0)) {
      int e = errno;
      close(fd);
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot ", m.udp ? "bind" : "listen on", " ", m.host_ip, ":",
          m.host_port, m.udp ? "/udp" : "", ": ", strerror(e)));
    }
    (m.udp ? p->udp_listeners_ : p->listeners_).push_back({fd, m});
  }
  p->stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (p->stop_fd_ < 0) return absl::ErrnoToStatus(errno, "eventfd");
  PortPublisher* raw = p.get();
  p->acceptor_ = std::thread([raw] { raw->AcceptLoop(); });
  if (!p->udp_listeners_.empty()) {
    std::shared_ptr<Network> n = p->net_.lock();
    if (!n) return absl::FailedPreconditionError("network gone");
    p->udp_net_ = n.get();
    p->udp_ = std::thread([raw] { raw->UdpLoop(); });
  }
  return p;
}

PortPublisher::~PortPublisher() {
  // The eventfd stays readable once written: both threads see it.
  uint64_t one = 1;
  if (stop_fd_ >= 0) (void)!write(stop_fd_, &one, sizeof(one));
  if (acceptor_.joinable()) acceptor_.join();
  if (udp_.joinable()) udp_.join();
  for (Listener& l : listeners_) close(l.fd);
  for (Listener& l : udp_listeners_) close(l.fd);
  if (stop_fd_ >= 0) close(stop_fd_);
}

void PortPublisher::AcceptLoop() {
  BlockAllSignals();
  std::vector<struct pollfd> p;
  for (Listener& l : listeners_) p.push_back({l.fd, POLLIN, 0});
  p.push_back({stop_fd_, POLLIN, 0});
  for (;;) {
    if (poll(p.data(), p.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (p.back().revents) return;
    for (size_t i = 0; i < listeners_.size(); i++) {
      if (!p[i].revents) continue;
      for (;;) {
        int c = accept4(listeners_[i].fd, nullptr, nullptr, SOCK_CLOEXEC);
        if (c < 0) break;
        std::shared_ptr<Network> net = net_.lock();
        if (!net || live_connections.fetch_add(1) >= kMaxConnections) {
          if (net) live_connections.fetch_sub(1);
          close(c);
          continue;
        }
        std::thread(Connection, std::move(net), c,
                    listeners_[i].mapping.sandbox_port)
            .detach();
      }
    }
  }
}

namespace {
// Docker's userland proxy keeps an idle UDP association for 90 s.
constexpr auto kUdpIdle = std::chrono::seconds(90);
constexpr size_t kMaxUdpAssociations = 1024;
constexpr size_t kMaxDatagram = 65536;
}  // namespace

void PortPublisher::UdpLoop() {
  BlockAllSignals();
  using Clock = std::chrono::steady_clock;
  struct Association {
    int fd;                  // in the sandbox namespace, connected
    size_t listener;         // index into udp_listeners_
    std::string client;      // the client's sockaddr
    Clock::time_point last;  // last datagram either way
  };
  // Keyed by listener index and client address.
  std::map<std::pair<size_t, std::string>, Association> assoc;
  std::vector<char> buf(kMaxDatagram);
  auto drop = [&](auto it) {
    close(it->second.fd);
    return assoc.erase(it);
  };
  for (;;) {
    std::vector<struct pollfd> p;
    for (Listener& l : udp_listeners_) p.push_back({l.fd, POLLIN, 0});
    p.push_back({stop_fd_, POLLIN, 0});
    std::vector<decltype(assoc)::iterator> order;
    for (auto it = assoc.begin(); it != assoc.end(); ++it) {
      p.push_back({it->second.fd, POLLIN, 0});
      order.push_back(it);
    }
    // Wake at least every few seconds to expire idle associations.
    int r = poll(p.data(), p.size(), 5000);
    if (r < 0 && errno != EINTR) break;
    if (p[udp_listeners_.size()].revents) break;
    const Clock::time_point now = Clock::now();
    // Replies from the sandbox go back to their client through the
    // published socket (so they come from HOSTIP:HOSTPORT).
    for (size_t i = 0; r > 0 && i < order.size(); i++) {
      short re = p[udp_listeners_.size() + 1 + i].revents;
      if (!re) continue;
      Association& a = order[i]->second;
      for (;;) {
        ssize_t n = recv(a.fd, buf.data(), buf.size(), MSG_DONTWAIT);
        if (n < 0) break;  // EAGAIN, or an ICMP error (nothing listens yet)
        a.last = now;
        sendto(udp_listeners_[a.listener].fd, buf.data(), n, MSG_DONTWAIT,
               reinterpret_cast<const sockaddr*>(a.client.data()),
               a.client.size());
      }
    }
    for (size_t li = 0; r > 0 && li < udp_listeners_.size(); li++) {
      if (!p[li].revents) continue;
      for (;;) {
        sockaddr_storage ss;
        socklen_t len = sizeof(ss);
        ssize_t n = recvfrom(udp_listeners_[li].fd, buf.data(), buf.size(),
                             MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&ss),
                             &len);
        if (n < 0) {
          if (errno == EAGAIN || errno == EWOULDBLOCK) break;
          continue;  // a pending error (ICMP) on the host side: go on
        }
        std::string client(reinterpret_cast<const char*>(&ss), len);
        auto key = std::make_pair(li, client);
        auto it = assoc.find(key);
        if (it == assoc.end()) {
          if (assoc.size() >= kMaxUdpAssociations) {
            auto lru = assoc.begin();
            for (auto j = assoc.begin(); j != assoc.end(); ++j) {
              if (j->second.last < lru->second.last) lru = j;
            }
            drop(lru);
          }
          int fd = udp_net_->HostSocket(AF_INET, SOCK_DGRAM, 0);
          if (fd < 0) continue;
          sockaddr_in to = {};
          to.sin_family = AF_INET;
          to.sin_port = htons(udp_listeners_[li].mapping.sandbox_port);
          to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
          if (connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof(to)) < 0) {
            close(fd);
            continue;
          }
          it = assoc.emplace(key, Association{fd, li, client, now}).first;
        }
        it->second.last = now;
        // A datagram the sandbox cannot take now is dropped, as UDP may.
        send(it->second.fd, buf.data(), n, MSG_DONTWAIT);
      }
    }
    for (auto it = assoc.begin(); it != assoc.end();) {
      if (now - it->second.last >= kUdpIdle) {
        it = drop(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& [key, a] : assoc) close(a.fd);
}

}  // namespace sentry::socket
