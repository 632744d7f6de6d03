// Plumbing shared by the daemon and the sentry process: framed protobuf
// messages on a stream socket, unix sockets whose path may be longer than
// sun_path allows, and the peer-credential check.
#ifndef RUNSC_CLI_SERVE_WIRE_H_
#define RUNSC_CLI_SERVE_WIRE_H_

#include <sys/types.h>

#include <cstddef>
#include <string>

#include "google/protobuf/message_lite.h"

namespace runsc::serve {

// The largest frame either side accepts (a frame holds at most one output
// chunk or one spec, far below this).
inline constexpr size_t kMaxFrameBytes = 16 << 20;

// Writes `m` as a 4-byte little-endian length and the serialized bytes.
// Returns false (errno set) when the peer is gone or the write failed.
bool WriteFrame(int fd, const google::protobuf::MessageLite& m);

// Reads one frame into `m`: 1 on success, 0 on a clean EOF before a frame,
// -1 on an error, a truncated or oversized frame, or bytes that do not parse.
int ReadFrame(int fd, google::protobuf::MessageLite* m);

// A listening unix stream socket at `path` with mode 0600, replacing a
// stale socket file there (any other kind of file is EEXIST). The socket is
// bound inside a fresh 0700 directory, chmodded, then renamed into place, so
// it is never reachable with looser permissions. Returns the fd or -errno.
int ListenUnix(const std::string& path, int backlog);

// A connected unix stream socket to `path`, or -errno.
int ConnectUnix(const std::string& path);

// Whether the peer of unix socket `fd` may talk to us: same effective uid
// as this process, or root. `*who` describes the peer for log lines.
bool PeerAllowed(int fd, std::string* who);

// Time helpers.
int64_t UnixNowNs();

// Field 22 of /proc/PID/stat (start time in clock ticks since boot), or 0
// when the process does not exist.
uint64_t ProcessStartTicks(pid_t pid);

// Writes `data` to `path` atomically: a temporary file in the same
// directory, fsync, rename, fsync of the directory.
bool WriteFileAtomic(const std::string& path, const std::string& data,
                     std::string* err);
bool ReadFile(const std::string& path, std::string* out);

}  // namespace runsc::serve

#endif  // RUNSC_CLI_SERVE_WIRE_H_
