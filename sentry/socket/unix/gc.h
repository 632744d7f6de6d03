// Descriptors in flight in AF_UNIX queues: their count per user against
// RLIMIT_NOFILE (too_many_unix_fds()) and the garbage collector of sockets
// only reachable from each other's queues (unix_gc()).
#ifndef SENTRY_SOCKET_UNIX_GC_H_
#define SENTRY_SOCKET_UNIX_GC_H_

#include <cstdint>

#include "sentry/socket/unix/endpoint.h"

namespace sentry {
class Task;
}

namespace sentry::socket::unix_internal {

// Who sends descriptors, read before taking unix_mu (the thread group's
// lock is not taken under it).
struct RightsSender {
  uint32_t uid = 0;
  int64_t limit = 0;
  bool privileged = false;
};

RightsSender RightsSenderOf(Task& t);

// unix_attach_fds(): a user with more descriptors in flight than its
// RLIMIT_NOFILE may send no more, unless CAP_SYS_RESOURCE or
// CAP_SYS_ADMIN (too_many_unix_fds()). Charges `m`'s descriptors.
int64_t AttachRightsLocked(const RightsSender& who, UnixMessage& m)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(unix_mu);

// The descriptors of `m` leave flight (received or dropped).
void UninflightLocked(UnixMessage& m) ABSL_EXCLUSIVE_LOCKS_REQUIRED(unix_mu);

// unix_gc(): sockets reachable only from the queues of sockets that are
// themselves reachable only that way (a socket sent over itself, two
// sockets sent over each other) can never be received again. Their
// queues are dropped, which closes the files in them, as Linux does.
// Candidates are in-flight sockets with no reference but their queued
// occurrences; a candidate also queued somewhere else, or reachable from
// such a one, is alive.
void CollectGarbageLocked(Deferred& d) ABSL_EXCLUSIVE_LOCKS_REQUIRED(unix_mu);

// Runs the collector soon on the timer thread, as Linux's gc work: a
// socket closed now may have been the last fd into a cycle whose other
// members' fds are being closed right after it.
void ScheduleGcLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(unix_mu);

// Whether any unix socket is in flight (the collector may have work).
bool SocketsInFlightLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(unix_mu);

}  // namespace sentry::socket::unix_internal

#endif  // SENTRY_SOCKET_UNIX_GC_H_
