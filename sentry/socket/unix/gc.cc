#include "sentry/socket/unix/gc.h"

#include <algorithm>
#include <cerrno>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/clock.h"
#include "sentry/kernel/credentials.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/thread_group.h"
#include "sentry/socket/unix/unix_socket.h"
#include "sentry/syscalls/sys_file_util.h"

namespace sentry::socket::unix_internal {

namespace {

struct Inflight {
  // Descriptors in flight per real uid (Linux's user->unix_inflight).
  absl::flat_hash_map<uint32_t, int64_t> per_uid;
  // Unix sockets in flight and how many times each is queued: every such
  // occurrence holds a reference.
  absl::flat_hash_map<UnixSocket*, int64_t> sockets;
  int64_t total_sockets = 0;
  bool gc_scheduled = false;
};

Inflight& State() ABSL_EXCLUSIVE_LOCKS_REQUIRED(unix_mu) {
  static Inflight* s = new Inflight();
  return *s;
}

// Calls `fn` for every queued message of `ep` (its receive queue and the
// queues of connections waiting in its accept queue).
template <typename Fn>
void ForEachQueued(UnixEndpoint& ep, Fn fn) ABSL_EXCLUSIVE_LOCKS_REQUIRED(unix_mu) {
  for (auto& m : ep.recvq) fn(m);
  for (auto& e : ep.accept_queue) {
    for (auto& m : e->recvq) fn(m);
  }
}

}  // namespace

RightsSender RightsSenderOf(Task& t) {
  sentry::Credentials c = t.thread_group().creds();
  constexpr int kCapSysAdmin = 21;
  return RightsSender{c.ruid, static_cast<int64_t>(NofileLimit(t)),
                      c.HasCap(kCapSysResource) || c.HasCap(kCapSysAdmin)};
}

// unix_attach_fds(): a user with more descriptors in flight than its
// RLIMIT_NOFILE may send no more, unless CAP_SYS_RESOURCE or
// CAP_SYS_ADMIN (too_many_unix_fds()). Charges `m`'s descriptors.
int64_t AttachRightsLocked(const RightsSender& who, UnixMessage& m)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(unix_mu) {
  if (m.rights.empty()) return 0;
  int64_t& n = State().per_uid[who.uid];
  if (n > who.limit && !who.privileged) return -ETOOMANYREFS;
  n += static_cast<int64_t>(m.rights.size());
  m.rights_uid = who.uid;
  for (const auto& f : m.rights) {
    if (auto* us = dynamic_cast<UnixSocket*>(f.get())) {
      ++State().sockets[us];
      ++State().total_sockets;
    }
  }
  // Many sockets in flight: look for cycles (Linux's
  // UNIX_INFLIGHT_TRIGGER_GC in wait_for_unix_gc()).
  if (State().total_sockets > kInflightTriggerGc) ScheduleGcLocked();
  return 0;
}

// The descriptors of `m` leave flight (received or dropped).
void UninflightLocked(UnixMessage& m) ABSL_EXCLUSIVE_LOCKS_REQUIRED(unix_mu) {
  if (m.rights.empty()) return;
  Inflight& names = State();
  int64_t& n = names.per_uid[m.rights_uid];
  n -= std::min<int64_t>(n, static_cast<int64_t>(m.rights.size()));
  for (const auto& f : m.rights) {
    auto* us = dynamic_cast<UnixSocket*>(f.get());
    if (!us) continue;
    auto it = names.sockets.find(us);
    if (it == names.sockets.end()) continue;
    --names.total_sockets;
    if (--it->second <= 0) names.sockets.erase(it);
  }
}

// Runs the collector soon on the timer thread, as Linux's gc work: a
// socket closed now may have been the last fd into a cycle whose other
// members' fds are being closed right after it.
void ScheduleGcLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(unix_mu) {
  Inflight& names = State();
  if (names.gc_scheduled) return;
  names.gc_scheduled = true;
  vfs::Timers::At(absl::Now() + absl::Milliseconds(20), [] {
    Deferred d;
    absl::MutexLock l(&unix_mu);
    State().gc_scheduled = false;
    CollectGarbageLocked(d);
  });
}

bool SocketsInFlightLocked() { return !State().sockets.empty(); }

// unix_gc(): sockets reachable only from the queues of sockets that are
// themselves reachable only that way (a socket sent over itself, two
// sockets sent over each other) can never be received again. Their
// queues are dropped, which closes the files in them, as Linux does.
// Candidates are in-flight sockets with no reference but their queued
// occurrences; a candidate also queued somewhere else, or reachable from
// such a one, is alive.
void CollectGarbageLocked(Deferred& d) ABSL_EXCLUSIVE_LOCKS_REQUIRED(unix_mu) {
  Inflight& names = State();
  if (names.sockets.empty()) return;
  absl::flat_hash_map<UnixSocket*, int64_t> internal;
  for (const auto& [s, n] : names.sockets) {
    if (s->weak_from_this().use_count() == n) internal[s] = 0;
  }
  if (internal.empty()) return;
  for (auto& [s, unused] : internal) {
    ForEachQueued(*s->endpoint(), [&internal](UnixMessage& m) {
      for (const auto& f : m.rights) {
        auto* us = dynamic_cast<UnixSocket*>(f.get());
        if (!us) continue;
        auto it = internal.find(us);
        if (it != internal.end()) ++it->second;
      }
    });
  }
  std::vector<UnixSocket*> live;
  for (const auto& [s, n] : internal) {
    if (names.sockets[s] > n) live.push_back(s);
  }
  absl::flat_hash_map<UnixSocket*, bool> alive;
  while (!live.empty()) {
    UnixSocket* s = live.back();
    live.pop_back();
    if (alive[s]) continue;
    alive[s] = true;
    ForEachQueued(*s->endpoint(), [&](UnixMessage& m) {
      for (const auto& f : m.rights) {
        auto* us = dynamic_cast<UnixSocket*>(f.get());
        if (us && internal.contains(us) && !alive[us]) live.push_back(us);
      }
    });
  }
  for (const auto& [s, unused] : internal) {
    if (alive[s]) continue;
    UnixEndpoint& ep = *s->endpoint();
    auto purge = [&d](std::deque<UnixMessage>& q) ABSL_NO_THREAD_SAFETY_ANALYSIS {
      for (auto& m : q) {
        UninflightLocked(m);
        UnchargeLocked(m, m.charge, d);
        d.msgs.push_back(std::move(m));
      }
      q.clear();
    };
    purge(ep.recvq);
    ep.recv_bytes = 0;
    for (auto& e : ep.accept_queue) purge(e->recvq);
  }
}

}  // namespace sentry::socket::unix_internal
