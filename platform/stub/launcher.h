// Starting stub processes: the one place that creates host processes for
// application address spaces, shared by every platform.
//
// A StubLauncher holds a stub executable in a sealed memfd and starts copies
// of it inside the jail. Each started stub has exactly one fd, its control
// channel (kStubChannelFd), and nothing else of the sentry's.
//
// The jail (created once per launcher, i.e. per sandbox):
//   - A zygote process is cloned from the sentry into new user, mount, pid,
//     net, ipc and uts namespaces (each one only where the host allows it;
//     what is missing is logged with --debug). In the user namespace the
//     sentry's euid/egid are mapped to 0; the sentry, being the namespace's
//     owner in the parent namespace, holds every capability over it, which
//     is what lets it ptrace and process_vm_* the stubs after they made
//     themselves non-dumpable.
//   - Its root is an empty read-only tmpfs (pivot_root; the old root is
//     detached). It leaves the sentry's session, resets all signal
//     dispositions, ignores SIGCHLD (stubs are reaped by the host), sets
//     no_new_privs, locks the securebits (no root privilege on exec) and
//     drops every capability (effective, permitted, inheritable, ambient,
//     bounding), so neither it nor any stub has a capability even inside
//     its own namespaces.
//   - The zygote is pid 1 of the stubs' pid namespace: when it dies, every
//     stub dies. It dies when the launcher closes its control socket (or
//     the sentry process exits).
//   - For each Launch it vforks a child that moves the channel to fd 3,
//     closes every other fd, reports itself to the sentry over the channel
//     (SCM_CREDENTIALS gives the sentry its host pid), optionally waits for
//     the sentry to attach, sets the rlimits below and execs the image.
//   - rlimits of stubs: NOFILE 4 (fds 0-3: the channel and at most three fds
//     in flight), CORE 0, MSGQUEUE 0. NPROC is deliberately not set: stubs
//     fork for every application fork, and the host counts NPROC per uid
//     across every process of that uid, so any value would either break
//     the application's forks or limit nothing (root is exempt). The
//     sentry enforces the sandbox's own RLIMIT_NPROC; the stubs' raw fork
//     is not reachable by the application (ptrace: every syscall is
//     emulated; seccomp: filtered).
//
// What the launcher does NOT do: anything after the stub's exec. execve
// resets dumpability, so the stub image itself (or the platform, by
// injection) must call prctl(PR_SET_DUMPABLE, 0) first thing; see
// PtraceAddressSpace::Initialize.
//
// Thread safety: Launch() may be called from any thread at the same time.
#ifndef PLATFORM_STUB_LAUNCHER_H_
#define PLATFORM_STUB_LAUNCHER_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "platform/platform.h"

namespace platform {

// The control channel of a family of stubs (one launched stub and the
// stubs forked from it share it): a datagram socket whose other end is
// kStubChannelFd in every one of them. Host fds for file mappings travel
// over it; the mutex keeps one fd in flight at a time so the right stub
// receives it. Anything received from it is hostile input.
struct StubChannel {
  explicit StubChannel(int fd) : sentry_fd(fd) {}
  ~StubChannel();
  const int sentry_fd;
  absl::Mutex mu;
};
inline constexpr int kStubChannelFd = 3;

// What the jail could be made of on this host.
struct JailInfo {
  int namespaces = 0;        // CLONE_NEW* flags in effect
  bool empty_root = false;   // pivot_root into an empty read-only tmpfs
  bool caps_dropped = false; // capabilities and securebits locked
  std::string missing;       // what the host refused, for logs
};

class StubLauncher {
 public:
  // `image`..`image_end` is the stub executable (a static-pie ELF, usually
  // an .incbin blob); `name` names the memfd (visible in /proc/PID/exe).
  // Creates the zygote (the jail) right away, so that it exists before the
  // sentry drops its capabilities.
  static absl::StatusOr<std::unique_ptr<StubLauncher>> New(
      const char* image, const char* image_end, const std::string& name);
  ~StubLauncher();
  StubLauncher(const StubLauncher&) = delete;
  StubLauncher& operator=(const StubLauncher&) = delete;

  struct Options {
    // Trace the stub from the calling thread. The stub is attached
    // (PTRACE_SEIZE) before it execs the image, and Launch returns with it
    // stopped at the exit of its execve (registers: the image's entry
    // point and initial stack), traced by the calling thread with
    // `ptrace_options` set. Untraced stubs simply run from their entry.
    bool trace = false;
    uint64_t ptrace_options = 0;
  };
  struct Stub {
    pid_t pid = -1;  // host pid (in the sentry's pid namespace)
    std::shared_ptr<StubChannel> channel;
  };
  // Starts one stub. On error nothing is left running.
  absl::StatusOr<Stub> Launch(const Options& options);

  const JailInfo& jail() const { return jail_; }
  pid_t zygote_pid() const { return zygote_pid_; }

 private:
  StubLauncher(int image_fd, int zygote_fd, pid_t zygote_pid, JailInfo jail)
      : image_fd_(image_fd),
        zygote_fd_(zygote_fd),
        zygote_pid_(zygote_pid),
        jail_(std::move(jail)) {}
  const int image_fd_;   // sealed memfd with the stub image, fd >= 10
  const int zygote_fd_;  // SOCK_SEQPACKET to the zygote; requests
  const pid_t zygote_pid_;
  const JailInfo jail_;
};

// Drops every capability of the calling thread (and of threads it creates
// later) except those the sentry still needs once the jail exists:
//   CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_FSETID,
//   CAP_CHOWN      - host files it opens and changes on behalf of the
//                    sandbox's users (volumes, the root filesystem);
//   CAP_NET_BIND_SERVICE, CAP_NET_RAW - host sockets made for the sandbox
//                    (network stack / helper): low ports, ping;
//   CAP_SYS_PTRACE - only when the stubs are not in a user namespace the
//                    sentry owns (without one, tracing non-dumpable stubs
//                    and process_vm_* need it; with one, the sentry holds
//                    every capability over the stubs as the owner).
// Not kept: CAP_SYS_ADMIN, CAP_SYS_CHROOT (namespace set-up of later stubs
// is done by the zygote, created before this call), CAP_SETUID/SETGID
// (sandbox credentials are the sentry's own bookkeeping), CAP_KILL (the
// sentry signals only its own stubs), and all the rest. The bounding set is
// reduced to the same list. Call it before the sentry starts threads:
// capabilities are per thread. Without CAP_SETPCAP (rootless) there is
// nothing to drop and it returns OK.
absl::Status DropSentryCapabilities(const JailInfo& jail);

// clone() inside a stub returns the new task's id in the stubs' pid
// namespace; ptrace, kill and /proc want the host's. Returns the host id of
// the thread `ns_pid` of stub `stub` (thread), or of the child `ns_pid` of
// the stub's thread `parent_tid` (fork), or -1. The new task must not be
// able to exit meanwhile (parked), so that its id is not reused.
pid_t StubHostPid(pid_t stub, pid_t parent_tid, pid_t ns_pid, bool thread);

}  // namespace platform

#endif  // PLATFORM_STUB_LAUNCHER_H_
