// AF_INET / AF_INET6 sockets (TCP, UDP, and ICMP "ping" datagram sockets)
// backed by host sockets the sentry owns in the sandbox's network namespace
// (socket/netns/network.h).
//
// The host socket is always non-blocking: a blocking call waits in the
// sentry, on this socket's WaitQueue fed by the HostNotifier (the host's
// readiness), so it blocks only the calling task, honours SO_RCVTIMEO/
// SO_SNDTIMEO (kept here, not on the host) and is interrupted by signals.
// Addresses are passed to the host unchanged: the host kernel validates
// them exactly as Linux does (it is Linux). Socket options and control
// messages are allow-listed: only those whose values hold no pointers and
// no host privileges are passed on (see inet_options.cc).
#ifndef SENTRY_SOCKET_INET_INET_SOCKET_H_
#define SENTRY_SOCKET_INET_INET_SOCKET_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "sentry/socket/socket.h"
#include "sentry/vfs/waiter.h"

namespace sentry::socket {

class InetSocket : public Socket {
 public:
  // Takes ownership of `host_fd` (non-blocking).
  InetSocket(int host_fd, int family, int type, int protocol,
             int status_flags);
  ~InetSocket() override;

  int64_t Bind(Task& t, const std::string& address) override;
  int64_t Listen(Task& t, int backlog) override;
  int64_t Accept(Task& t, int flags, std::shared_ptr<Socket>* out,
                 std::string* peer) override;
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
  void EventRegister(vfs::WaitEntry* e) override;
  void EventUnregister(vfs::WaitEntry* e) override;

  int host_fd() const { return fd_; }
  // The creating task's fsuid/fsgid, as the sockfs inode shows them.
  void SetCreator(Task& t);

 private:
  bool stream() const { return type() == SOCK_STREAM; }
  // Waits until the host socket is ready for `events` (or in error/hung
  // up), up to `timeout` (infinite: no limit). 0, -EAGAIN when the timeout
  // passed, -ERESTARTSYS (no timeout) or -EINTR (a timeout was set, as
  // Linux's sock_intr_errno) when a signal came.
  int64_t WaitHost(Task& t, vfs::EventMask events, absl::Duration timeout);
  // After the host said EAGAIN: make sure waiters (epoll, poll) hear about
  // the next change.
  void ArmIfWaited(vfs::EventMask events);
  // One sendmsg attempt on the host; bytes or -errno.
  int64_t HostSend(const SendRequest& req, const char* data, uint64_t len,
                   bool first);
  int64_t HostRecv(Task& t, void* buf, uint64_t len, int flags,
                   RecvResult* out);
  int64_t TimeoutOption(Task& t, bool get, bool rcv, bool new_layout,
                        std::string* value);

  const int fd_;
  uint64_t host_ino_ = 0;  // the host socket's inode (proc_net.h index)
  vfs::WaitQueue queue_;
  mutable absl::Mutex mu_;
  // SO_RCVTIMEO/SO_SNDTIMEO: infinite when unset; zero when set to a
  // negative time (Linux then does not wait at all).
  absl::Duration rcv_timeout_ ABSL_GUARDED_BY(mu_) = absl::InfiniteDuration();
  absl::Duration snd_timeout_ ABSL_GUARDED_BY(mu_) = absl::InfiniteDuration();
};

}  // namespace sentry::socket

#endif  // SENTRY_SOCKET_INET_INET_SOCKET_H_
