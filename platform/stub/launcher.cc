#include "platform/stub/launcher.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_format.h"

namespace platform {

namespace {

// Waits for `pid` to stop or exit, retrying on EINTR.
int WaitPid(pid_t pid, int* status) {
  for (;;) {
    int r = waitpid(pid, status, __WALL);
    if (r >= 0 || errno != EINTR) return r;
  }
}

void KillAndReap(pid_t pid) {
  int status;
  kill(pid, SIGKILL);
  WaitPid(pid, &status);
}

}  // namespace

StubChannel::~StubChannel() { close(sentry_fd); }

absl::StatusOr<std::unique_ptr<StubLauncher>> StubLauncher::New(
    const char* image, const char* image_end, const std::string& name) {
  int fd = memfd_create(name.c_str(), MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return absl::ErrnoToStatus(errno, "memfd_create for the stub");
  const size_t size = image_end - image;
  size_t done = 0;
  while (done < size) {
    ssize_t n = write(fd, image + done, size - done);
    if (n <= 0) {
      close(fd);
      return absl::ErrnoToStatus(errno, "writing the stub image");
    }
    done += n;
  }
  fcntl(fd, F_ADD_SEALS,
        F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
  // Keep the image away from the low fds: a new stub's channel becomes
  // fd 3 right before the image is exec'ed.
  int high = fcntl(fd, F_DUPFD_CLOEXEC, 10);
  close(fd);
  if (high < 0) return absl::ErrnoToStatus(errno, "moving the stub image fd");
  return std::unique_ptr<StubLauncher>(new StubLauncher(high));
}

StubLauncher::~StubLauncher() { close(image_fd_); }

absl::StatusOr<StubLauncher::Stub> StubLauncher::Launch(
    const Options& options) {
  static char arg0[] = "runsc-stub";
  static char* const argv[] = {arg0, nullptr};
  static char* const envp[] = {nullptr};
  const int image_fd = image_fd_;
  const bool trace = options.trace;
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) != 0)
    return absl::ErrnoToStatus(errno, "socketpair for the stub channel");
  Stub stub;
  stub.channel = std::make_shared<StubChannel>(sv[0]);
  const int stub_end = sv[1];
  // vfork: the child shares our memory until it execs, so it only issues
  // raw syscalls. A traced stub becomes traced by this very thread
  // (TRACEME links it to the forking thread). It leaves our session so
  // terminal signals reach only the sentry, and keeps no fds but the
  // channel across the exec.
  pid_t pid = vfork();
  if (pid == 0) {
    syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    syscall(SYS_setsid);
    if (trace && syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0) != 0) _exit(126);
    syscall(SYS_close_range, 0, ~0U, CLOSE_RANGE_CLOEXEC);
    if (stub_end != kStubChannelFd) syscall(SYS_dup2, stub_end, kStubChannelFd);
    syscall(SYS_fcntl, kStubChannelFd, F_SETFD, 0);
    syscall(SYS_execveat, image_fd, "", argv, envp, AT_EMPTY_PATH);
    _exit(127);
  }
  close(stub_end);
  if (pid < 0) return absl::ErrnoToStatus(errno, "vfork of the stub");
  if (trace) {
    int status = 0;
    if (WaitPid(pid, &status) != pid || !WIFSTOPPED(status) ||
        WSTOPSIG(status) != SIGTRAP) {
      KillAndReap(pid);
      return absl::InternalError(absl::StrFormat(
          "the stub did not start (wait status 0x%x)", status));
    }
    if (syscall(SYS_ptrace, PTRACE_SETOPTIONS, pid, 0,
                options.ptrace_options) != 0) {
      int err = errno;
      KillAndReap(pid);
      return absl::ErrnoToStatus(err, "PTRACE_SETOPTIONS on the stub");
    }
  }
  stub.pid = pid;
  return stub;
}

}  // namespace platform
