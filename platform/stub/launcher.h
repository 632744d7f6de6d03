// Starting stub processes: the one place that creates host processes for
// application address spaces, shared by every platform.
//
// A StubLauncher holds a stub executable in a sealed memfd and starts copies
// of it. Each started stub has exactly one fd, its control channel
// (kStubChannelFd), and nothing else of the sentry's. The launcher is also
// where the jail lives (namespaces, empty root, rlimits, no_new_privs), so a
// platform that starts its stubs here gets it without doing anything.
//
// What the launcher does NOT do: anything after the stub's exec. The stub
// image itself (or the platform, by injection) must make the stub
// non-dumpable (PR_SET_DUMPABLE 0) once it runs, because execve resets
// dumpability; see PtraceAddressSpace::Initialize.
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

class StubLauncher {
 public:
  // `image`..`image_end` is the stub executable (a static-pie ELF, usually
  // an .incbin blob); `name` names the memfd (visible in /proc/PID/exe).
  static absl::StatusOr<std::unique_ptr<StubLauncher>> New(
      const char* image, const char* image_end, const std::string& name);
  ~StubLauncher();
  StubLauncher(const StubLauncher&) = delete;
  StubLauncher& operator=(const StubLauncher&) = delete;

  struct Options {
    // Trace the stub from the calling thread. The stub is attached before
    // it execs the image, and Launch returns with it stopped right after
    // the exec (registers: the image's entry point and initial stack),
    // traced by the calling thread with `ptrace_options` set. Untraced
    // stubs simply run from their entry point.
    bool trace = false;
    uint64_t ptrace_options = 0;
  };
  struct Stub {
    pid_t pid = -1;  // host pid (in the sentry's pid namespace)
    std::shared_ptr<StubChannel> channel;
  };
  // Starts one stub. On error nothing is left running.
  absl::StatusOr<Stub> Launch(const Options& options);

 private:
  explicit StubLauncher(int image_fd) : image_fd_(image_fd) {}
  const int image_fd_;  // sealed memfd with the stub image, fd >= 10
};

}  // namespace platform

#endif  // PLATFORM_STUB_LAUNCHER_H_
