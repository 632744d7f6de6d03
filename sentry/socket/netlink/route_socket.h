// AF_NETLINK sockets of protocol NETLINK_ROUTE, emulated in the sentry.
//
// What is answered: read-only rtnetlink requests (RTM_GETLINK, RTM_GETADDR,
// RTM_GETROUTE, RTM_GETNEIGH, RTM_GETRULE, RTM_GETNETCONF, dumps or single
// lookups), which is what glibc's getifaddrs()/if_nameindex() and Python's
// socket.if_nameindex() send. Each such request is handed, unchanged, to a
// host NETLINK_ROUTE socket the sentry made in the sandbox's network
// namespace, and the host kernel's replies are queued for the application
// with its port id put in: the answers are Linux's own, about the sandbox's
// namespace (only `lo` under --network=loopback).
//
// What is refused: requests that change the namespace (RTM_NEW*/DEL*/SET*)
// get NLMSG_ERROR -EPERM (the sandbox has no CAP_NET_ADMIN, as rtnetlink's
// netlink_net_capable check); other types -EOPNOTSUPP. Multicast groups
// (nl_groups in bind, NETLINK_ADD_MEMBERSHIP) are -EPERM: no notifications
// are delivered, and saying yes would leave listeners waiting forever.
// Sending to another user port is -ECONNREFUSED. Other netlink protocols
// are EPROTONOSUPPORT at socket(2).
#ifndef SENTRY_SOCKET_NETLINK_ROUTE_SOCKET_H_
#define SENTRY_SOCKET_NETLINK_ROUTE_SOCKET_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "sentry/socket/socket.h"
#include "sentry/vfs/waiter.h"

namespace sentry::socket {

class Network;

class NetlinkRouteSocket : public Socket {
 public:
  // `host_fd`: a host NETLINK_ROUTE socket in the sandbox's namespace
  // (owned).
  NetlinkRouteSocket(int host_fd, int type, int status_flags);
  // The creating task's fsuid/fsgid, as the sockfs inode shows them.
  void SetCreator(Task& t);
  ~NetlinkRouteSocket() override;

  int64_t Bind(Task& t, const std::string& address) override;
  int64_t Listen(Task& t, int backlog) override { return -EOPNOTSUPP; }
  int64_t Accept(Task& t, int flags, std::shared_ptr<Socket>* out,
                 std::string* peer) override {
    return -EOPNOTSUPP;
  }
  int64_t Connect(Task& t, const std::string& address) override;
  int64_t Shutdown(Task& t, int how) override;
  int64_t GetSockName(std::string* address) override;
  int64_t GetPeerName(std::string* address) override;
  int64_t GetSockOpt(Task& t, int level, int name,
                     std::string* value) override;
  int64_t SetSockOpt(Task& t, int level, int name,
                     const std::string& value) override;
  int64_t SendMsg(Task& t, SendRequest& req) override;
  int64_t RecvMsg(Task& t, void* buf, uint64_t len, int flags,
                  RecvResult* out) override;

  int64_t Ioctl(Task& t, uint64_t cmd, uint64_t arg) override;
  vfs::EventMask Readiness(vfs::EventMask mask) override;
  void EventRegister(vfs::WaitEntry* e) override { queue_.Register(e); }
  void EventUnregister(vfs::WaitEntry* e) override { queue_.Unregister(e); }

 private:
  // Gives the socket a port id if it has none (Linux's netlink_autobind:
  // the process's pid first, then negative numbers).
  void AutobindLocked(Task& t) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Handles one request message; queues the replies.
  void HandleRequest(const char* msg, uint32_t len)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Queues an NLMSG_ERROR for `req` with `error` (0: an ack).
  void QueueError(const char* req, uint32_t len, int error)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Forwards a read-only request to the host socket and queues its replies.
  void Forward(const char* req, uint32_t len)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const int host_fd_;
  vfs::WaitQueue queue_;
  absl::Mutex mu_;
  uint32_t port_id_ ABSL_GUARDED_BY(mu_) = 0;
  bool bound_ ABSL_GUARDED_BY(mu_) = false;
  bool shut_rd_ ABSL_GUARDED_BY(mu_) = false;
  bool ext_ack_ ABSL_GUARDED_BY(mu_) = false;
  bool cap_ack_ ABSL_GUARDED_BY(mu_) = false;
  int rcvbuf_ ABSL_GUARDED_BY(mu_) = 212992;
  int sndbuf_ ABSL_GUARDED_BY(mu_) = 212992;
  // Queues one reply datagram, unless the queue holds more than the
  // receive buffer: then it is dropped and the next receive fails with
  // ENOBUFS, as an overrun netlink socket does.
  void QueueReply(std::string d) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Replies waiting to be read, one datagram each, and their bytes.
  std::deque<std::string> replies_ ABSL_GUARDED_BY(mu_);
  uint64_t queued_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  bool overrun_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace sentry::socket

#endif  // SENTRY_SOCKET_NETLINK_ROUTE_SOCKET_H_
