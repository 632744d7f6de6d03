// The state behind an AF_UNIX socket (Linux's struct unix_sock and the
// sk_buffs on its queues), shared by the files of unix/; internal to the
// family.
//
// Locking: unix_mu guards every endpoint's state and the family's tables
// (names, descriptors in flight). It is a leaf below the VFS (bind and
// connect walk paths before taking it). Work that can take it again --
// releasing a file description, notifying a wait queue -- is collected in
// a Deferred and done once it is dropped.
#ifndef SENTRY_SOCKET_UNIX_ENDPOINT_H_
#define SENTRY_SOCKET_UNIX_ENDPOINT_H_

#include <sys/socket.h>

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "sentry/socket/socket.h"
#include "sentry/vfs/virtual_dentry.h"
#include "sentry/vfs/waiter.h"

namespace sentry::socket {

struct UnixEndpoint;

namespace unix_internal {

// sk_shutdown bits.
inline constexpr int kRcvShutdown = 1;
inline constexpr int kSendShutdown = 2;
inline constexpr int kShutdownMask = 3;

// net.core.{w,r}mem_default/_max and the minimums of sock_setsockopt.
inline constexpr int kWmemDefault = 212992;
inline constexpr int kRmemDefault = 212992;
inline constexpr int kWmemMax = 212992;
inline constexpr int kRmemMax = 212992;
inline constexpr int kSockMinSndbuf = 4608;
inline constexpr int kSockMinRcvbuf = 2304;
// net.unix.max_dgram_qlen: how many datagrams wait in a receive queue
// before senders (other than its peer) block.
inline constexpr int kMaxDgramQlen = 10;
// net.core.somaxconn.
inline constexpr int kSomaxconn = 4096;
// UNIX_INFLIGHT_TRIGGER_GC: sockets in flight beyond which sends run the
// garbage collector.
inline constexpr int64_t kInflightTriggerGc = 16000;

extern absl::Mutex unix_mu;

}  // namespace unix_internal

// One queued message (Linux's sk_buff on a receive queue).
struct UnixMessage {
  std::string data;
  uint64_t off = 0;  // bytes already read (streams)
  std::vector<std::shared_ptr<vfs::FileDescription>> rights;
  std::optional<Credentials> creds;
  std::string from;      // sender's address (datagrams)
  uint64_t charge = 0;   // bytes charged to the sender's send buffer
  std::weak_ptr<UnixEndpoint> sender;
  uint32_t rights_uid = 0;  // whose in-flight count `rights` are in
};

struct UnixEndpoint {
  explicit UnixEndpoint(int t) : type(t) {}
  const int type;
  vfs::WaitQueue queue;
  absl::CondVar cv;

  enum class State { kClosed, kListening, kConnected };
  State state ABSL_GUARDED_BY(unix_internal::unix_mu) = State::kClosed;
  bool released ABSL_GUARDED_BY(unix_internal::unix_mu) = false;  // SOCK_DEAD
  std::shared_ptr<UnixEndpoint> peer ABSL_GUARDED_BY(unix_internal::unix_mu);
  // The address as getsockname returns it; empty when unbound.
  std::string addr ABSL_GUARDED_BY(unix_internal::unix_mu);
  bool path_bound ABSL_GUARDED_BY(unix_internal::unix_mu) = false;
  std::pair<uint64_t, uint64_t> inode ABSL_GUARDED_BY(unix_internal::unix_mu);
  vfs::VirtualDentry bound_vd ABSL_GUARDED_BY(unix_internal::unix_mu);
  std::string abstract_key ABSL_GUARDED_BY(unix_internal::unix_mu);

  std::deque<UnixMessage> recvq ABSL_GUARDED_BY(unix_internal::unix_mu);
  uint64_t recv_bytes ABSL_GUARDED_BY(unix_internal::unix_mu) = 0;
  uint64_t wmem ABSL_GUARDED_BY(unix_internal::unix_mu) = 0;
  int sndbuf ABSL_GUARDED_BY(unix_internal::unix_mu) = unix_internal::kWmemDefault;
  int rcvbuf ABSL_GUARDED_BY(unix_internal::unix_mu) = unix_internal::kRmemDefault;
  int shutdown ABSL_GUARDED_BY(unix_internal::unix_mu) = 0;
  int err ABSL_GUARDED_BY(unix_internal::unix_mu) = 0;
  bool passcred ABSL_GUARDED_BY(unix_internal::unix_mu) = false;
  std::optional<Credentials> peercred ABSL_GUARDED_BY(unix_internal::unix_mu);
  int backlog ABSL_GUARDED_BY(unix_internal::unix_mu) = unix_internal::kMaxDgramQlen;
  std::deque<std::shared_ptr<UnixEndpoint>> accept_queue
      ABSL_GUARDED_BY(unix_internal::unix_mu);
  // SO_RCVTIMEO/SO_SNDTIMEO: infinite when unset; zero (a negative
  // setting) makes calls behave as non-blocking, as Linux.
  absl::Duration rcvtimeo ABSL_GUARDED_BY(unix_internal::unix_mu) = absl::InfiniteDuration();
  absl::Duration sndtimeo ABSL_GUARDED_BY(unix_internal::unix_mu) = absl::InfiniteDuration();
  // Generic SOL_SOCKET options that only need remembering for unix
  // sockets (SO_REUSEADDR, SO_KEEPALIVE, SO_PRIORITY...).
  std::map<int, int> int_opts ABSL_GUARDED_BY(unix_internal::unix_mu);
  int linger_onoff ABSL_GUARDED_BY(unix_internal::unix_mu) = 0;
  int linger_secs ABSL_GUARDED_BY(unix_internal::unix_mu) = 0;
  // Datagram senders that found this queue full while polling for
  // POLLOUT (unix_dgram_peer_wake_me()): woken when it drains.
  std::vector<std::weak_ptr<UnixEndpoint>> peer_wake ABSL_GUARDED_BY(unix_internal::unix_mu);
};

namespace unix_internal {

// Work that must wait until unix_mu is released: notifying wait queues
// (their callbacks may take other locks) and dropping references whose
// destruction may release a file description (which takes unix_mu).
// Declare it before the MutexLock so it runs after the unlock.
struct Deferred {
  std::vector<std::pair<std::shared_ptr<UnixEndpoint>, vfs::EventMask>> notify;
  std::vector<std::shared_ptr<UnixEndpoint>> eps;
  std::vector<UnixMessage> msgs;
  std::vector<std::shared_ptr<vfs::FileDescription>> files;
  std::vector<vfs::VirtualDentry> vds;
  ~Deferred() {
    for (auto& [ep, ev] : notify) ep->queue.Notify(ev);
  }
};

// Wakes `ep`'s blocked callers now and its pollers (`ev`) after the unlock.
void Wake(const std::shared_ptr<UnixEndpoint>& ep, vfs::EventMask ev,
          Deferred& d) ABSL_EXCLUSIVE_LOCKS_REQUIRED(unix_mu);

inline constexpr vfs::EventMask kInEvents = vfs::kEventIn | vfs::kEventRdNorm;
inline constexpr vfs::EventMask kOutEvents =
    vfs::kEventOut | vfs::kEventWrNorm | vfs::kEventWrBand;
inline constexpr vfs::EventMask kAllEvents = ~0u;

// Stream and seqpacket sockets are connection-oriented.
inline bool Connection(int type) {
  return type == SOCK_STREAM || type == SOCK_SEQPACKET;
}

// The sk_buff truesize Linux charges for `len` bytes: the sk_buff itself
// and the kmalloc'ed head (data plus skb_shared_info) below a page; page
// fragments beyond it. SIOCOUTQ reports the sum, as Linux's
// sk_wmem_alloc.
uint64_t Truesize(uint64_t len);

// Consumed `charge` bytes of `m`'s sender's send buffer.
void UnchargeLocked(UnixMessage& m, uint64_t charge, Deferred& d)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(unix_mu);

// Drops the socket's names and state (unix_release_sock). `embryo`: a
// connection never accepted, whose client then sees ECONNRESET.
void ReleaseLocked(const std::shared_ptr<UnixEndpoint>& ep, bool embryo,
                   Deferred& d) ABSL_EXCLUSIVE_LOCKS_REQUIRED(unix_mu);

// unix_writable(): a quarter of the send buffer or less in flight.
bool WritableLocked(const UnixEndpoint& ep)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(unix_mu);

// unix_recvq_full(): more datagrams (or pending connections) queued than
// the backlog allows.
bool RecvqFullLocked(const UnixEndpoint& ep)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(unix_mu);

}  // namespace unix_internal
}  // namespace sentry::socket

#endif  // SENTRY_SOCKET_UNIX_ENDPOINT_H_
