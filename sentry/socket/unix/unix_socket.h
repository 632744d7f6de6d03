// AF_UNIX sockets, implemented in the sentry (Linux's net/unix/af_unix.c).
//
// A UnixSocket (the open file description) holds an Endpoint: the socket's
// state (peer, receive queue, address, options). Endpoints outlive their
// description while queued messages or a peer refer to them; closing the
// description releases the endpoint (unix_release_sock): names are
// dropped, the peer sees both directions shut down, queued messages and
// the files in flight in them are released.
//
// The pieces: endpoint.h (the state, unix_mu and the release path),
// names.h (pathname nodes in the VFS, the abstract namespace, autobind,
// finding a peer), gc.h (descriptors in flight: RLIMIT_NOFILE and the
// garbage collector). Blocked callers wait on the endpoint's condition
// variable through vfs::BlockTask.
#ifndef SENTRY_SOCKET_UNIX_UNIX_SOCKET_H_
#define SENTRY_SOCKET_UNIX_UNIX_SOCKET_H_

#include <cstdint>
#include <memory>
#include <string>

#include "sentry/socket/socket.h"

namespace sentry::socket {

struct UnixEndpoint;

// /proc/net/unix (unix_seq_show): one line per open AF_UNIX socket of the
// sandbox (the sentry serves one sandbox), with Linux's header. Connections
// still waiting in a listener's queue (not yet accepted, so without an
// inode of their own here) are not listed.
std::string UnixProcNetText();

class UnixSocket : public Socket {
 public:
  UnixSocket(int type, int status_flags, std::shared_ptr<UnixEndpoint> ep);
  ~UnixSocket() override;

  int64_t Bind(Task& t, const std::string& address) override;
  int64_t Listen(Task& t, int backlog) override;
  int64_t Accept(Task& t, int flags, std::shared_ptr<Socket>* out,
                 std::string* peer) override;
  int64_t Connect(Task& t, const std::string& address) override;
  int64_t ConnectPair(Task& t, Socket& other) override;
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

  const std::shared_ptr<UnixEndpoint>& endpoint() const { return ep_; }
  // The creator's ids for fstat.
  void SetCreator(uint32_t uid, uint32_t gid) { SetOwner(uid, gid); }

 private:
  int64_t SendStream(Task& t, SendRequest& req);
  int64_t SendDgram(Task& t, SendRequest& req);
  int64_t RecvStream(Task& t, char* buf, uint64_t len, int flags,
                     RecvResult* out);
  int64_t RecvDgram(Task& t, char* buf, uint64_t len, int flags,
                    RecvResult* out);
  bool NonBlocking(int flags) const {
    return (flags & MSG_DONTWAIT) || nonblocking();
  }

  const std::shared_ptr<UnixEndpoint> ep_;
};

}  // namespace sentry::socket

#endif  // SENTRY_SOCKET_UNIX_UNIX_SOCKET_H_
