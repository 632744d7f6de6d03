#include "sentry/socket/unix/endpoint.h"

#include <algorithm>
#include <cerrno>

#include "sentry/socket/unix/gc.h"
#include "sentry/socket/unix/names.h"

namespace sentry::socket::unix_internal {

ABSL_CONST_INIT absl::Mutex unix_mu(absl::kConstInit);

void Wake(const std::shared_ptr<UnixEndpoint>& ep, vfs::EventMask ev,
          Deferred& d) ABSL_EXCLUSIVE_LOCKS_REQUIRED(unix_mu) {
  ep->cv.SignalAll();
  d.notify.emplace_back(ep, ev);
}

// The sk_buff truesize Linux charges for `len` bytes: the sk_buff itself
// and the kmalloc'ed head (data plus skb_shared_info) below a page; page
// fragments beyond it. SIOCOUTQ reports the sum, as Linux's
// sk_wmem_alloc.
uint64_t Truesize(uint64_t len) {
  constexpr uint64_t kSkbStruct = 256;
  constexpr uint64_t kSharedInfo = 320;
  uint64_t head = ((len + 63) & ~uint64_t{63}) + kSharedInfo;
  if (head <= 4096) {
    uint64_t k = 32;
    while (k < head) k <<= 1;
    return kSkbStruct + k;
  }
  return kSkbStruct + 1024 + ((len + 4095) & ~uint64_t{4095});
}

// Consumed `charge` bytes of `m`'s sender's send buffer.
void UnchargeLocked(UnixMessage& m, uint64_t charge, Deferred& d)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(unix_mu) {
  if (charge == 0) return;
  if (auto s = m.sender.lock()) {
    s->wmem -= std::min(s->wmem, charge);
    Wake(s, kOutEvents, d);
    d.eps.push_back(std::move(s));
  }
}

// Drops the socket's names and state (unix_release_sock). `embryo`: a
// connection never accepted, whose client then sees ECONNRESET.
void ReleaseLocked(const std::shared_ptr<UnixEndpoint>& ep, bool embryo,
                   Deferred& d) ABSL_EXCLUSIVE_LOCKS_REQUIRED(unix_mu) {
  ep->released = true;
  ep->shutdown = kShutdownMask;
  DropNamesLocked(ep, d);
  std::shared_ptr<UnixEndpoint> skpair = std::move(ep->peer);
  ep->peer.reset();
  if (skpair) {
    if (Connection(ep->type)) {
      if (!ep->recvq.empty() || embryo) skpair->err = ECONNRESET;
      skpair->shutdown = kShutdownMask;
      Wake(skpair, kAllEvents, d);
    }
    d.eps.push_back(std::move(skpair));
  }
  ep->state = UnixEndpoint::State::kClosed;
  for (auto& e : ep->accept_queue) {
    ReleaseLocked(e, /*embryo=*/true, d);
    d.eps.push_back(std::move(e));
  }
  ep->accept_queue.clear();
  for (auto& m : ep->recvq) {
    if (auto s = m.sender.lock()) {
      s->wmem -= std::min(s->wmem, m.charge);
      Wake(s, kOutEvents, d);
      d.eps.push_back(std::move(s));
    }
    UninflightLocked(m);
    d.msgs.push_back(std::move(m));
  }
  ep->recvq.clear();
  ep->recv_bytes = 0;
  ep->cv.SignalAll();
}

// unix_writable(): a quarter of the send buffer or less in flight.
bool WritableLocked(const UnixEndpoint& ep)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(unix_mu) {
  return ep.state != UnixEndpoint::State::kListening &&
         ep.wmem * 4 <= static_cast<uint64_t>(ep.sndbuf);
}

// unix_recvq_full(): more datagrams (or pending connections) queued than
// the backlog allows.
bool RecvqFullLocked(const UnixEndpoint& ep)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(unix_mu) {
  size_t n = ep.state == UnixEndpoint::State::kListening
                 ? ep.accept_queue.size()
                 : ep.recvq.size();
  return n > static_cast<size_t>(ep.backlog);
}

}  // namespace sentry::socket::unix_internal
