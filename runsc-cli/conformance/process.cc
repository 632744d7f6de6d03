#include "runsc-cli/conformance/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace runsc::conformance {

namespace {

constexpr size_t kHeadBytes = 32 * 1024;
constexpr size_t kTailBytes = 96 * 1024;

// Collects output, keeping the first kHeadBytes and the last kTailBytes.
class OutputBuffer {
 public:
  void Append(const char* data, size_t n) {
    if (head_.size() < kHeadBytes) {
      size_t take = std::min(n, kHeadBytes - head_.size());
      head_.append(data, take);
      data += take;
      n -= take;
    }
    if (n == 0) return;
    tail_.append(data, n);
    if (tail_.size() > 2 * kTailBytes) {
      size_t drop = tail_.size() - kTailBytes;
      tail_.erase(0, drop);
      dropped_ += drop;
    }
  }

  std::string Take() {
    if (tail_.size() > kTailBytes) {
      dropped_ += tail_.size() - kTailBytes;
      tail_.erase(0, tail_.size() - kTailBytes);
    }
    std::string out = std::move(head_);
    if (dropped_ > 0) {
      out += "\n[runsc conformance: " + std::to_string(dropped_) +
             " bytes of output elided]\n";
    }
    out += tail_;
    return out;
  }

 private:
  std::string head_, tail_;
  size_t dropped_ = 0;
};

double SecondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

std::vector<char*> CStrings(const std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  for (const std::string& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

// Whether `pid` has exited, without reaping it.
bool HasExited(pid_t pid) {
  siginfo_t info;
  memset(&info, 0, sizeof(info));
  if (waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT) != 0) return errno == ECHILD;
  return info.si_pid == pid;
}

}  // namespace

std::string SignalName(int signo) {
  const char* abbrev = sigabbrev_np(signo);
  if (abbrev) return std::string("SIG") + abbrev;
  return "signal " + std::to_string(signo);
}

RunOutcome RunProcess(const RunSpec& spec) {
  RunOutcome out;
  const auto start = std::chrono::steady_clock::now();
  if (spec.argv.empty()) {
    out.start_error = "empty command";
    return out;
  }
  std::vector<char*> argv = CStrings(spec.argv);
  std::vector<char*> envp = CStrings(spec.env);

  int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  int out_pipe[2], err_pipe[2];
  if (devnull < 0 || pipe2(out_pipe, O_CLOEXEC) != 0) {
    out.start_error = std::string("cannot set up the child's stdio: ") + strerror(errno);
    if (devnull >= 0) close(devnull);
    return out;
  }
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    out.start_error = std::string("pipe: ") + strerror(errno);
    close(devnull);
    close(out_pipe[0]);
    close(out_pipe[1]);
    return out;
  }
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    // Child: only async-signal-safe calls until execve.
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (getppid() != parent) _exit(127);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    for (int sig : {SIGPIPE, SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGCHLD}) {
      sigaction(sig, &dfl, nullptr);
    }
    dup2(devnull, 0);
    dup2(out_pipe[1], 1);
    dup2(out_pipe[1], 2);
    execve(argv[0], argv.data(), envp.data());
    int e = errno;
    ssize_t ignored = write(err_pipe[1], &e, sizeof(e));
    (void)ignored;
    _exit(127);
  }
  close(devnull);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (pid < 0) {
    out.start_error = std::string("fork: ") + strerror(errno);
    close(out_pipe[0]);
    close(err_pipe[0]);
    return out;
  }
  setpgid(pid, pid);  // also here, so the group exists before we might kill it

  int child_errno = 0;
  ssize_t n;
  do {
    n = read(err_pipe[0], &child_errno, sizeof(child_errno));
  } while (n < 0 && errno == EINTR);
  close(err_pipe[0]);
  if (n == sizeof(child_errno)) {
    out.start_error = std::string("cannot execute ") + spec.argv[0] + ": " + strerror(child_errno);
    close(out_pipe[0]);
    waitpid(pid, nullptr, 0);
    out.seconds = SecondsSince(start);
    return out;
  }
  out.started = true;

  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  int out_fd = out_pipe[0];
  OutputBuffer buffer;
  char chunk[16384];
  const auto deadline =
      start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                  std::chrono::duration<double>(spec.timeout_seconds));
  bool exited = false, killed = false;

  auto kill_group = [&] {
    if (!killed) {
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
      killed = true;
    }
  };

  while (!exited) {
    const auto now = std::chrono::steady_clock::now();
    if (!killed && now >= deadline) {
      out.timed_out = true;
      kill_group();
    }
    if (!killed && spec.cancel && spec.cancel->load()) {
      out.cancelled = true;
      kill_group();
    }
    int wait_ms = 100;
    if (!killed) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
      wait_ms = static_cast<int>(std::max<int64_t>(0, std::min<int64_t>(left + 1, 100)));
    }
    if (pidfd < 0) wait_ms = std::min(wait_ms, 10);
    struct pollfd fds[2];
    int nfds = 0;
    int out_index = -1, pid_index = -1;
    if (out_fd >= 0) {
      out_index = nfds;
      fds[nfds++] = {out_fd, POLLIN, 0};
    }
    if (pidfd >= 0) {
      pid_index = nfds;
      fds[nfds++] = {pidfd, POLLIN, 0};
    }
    int r = poll(fds, nfds, wait_ms);
    if (r < 0 && errno != EINTR) break;
    if (r > 0 && out_index >= 0 && (fds[out_index].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t got = read(out_fd, chunk, sizeof(chunk));
      if (got > 0) {
        buffer.Append(chunk, got);
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        close(out_fd);
        out_fd = -1;
      }
    }
    if (pid_index >= 0 ? (r > 0 && (fds[pid_index].revents & POLLIN)) : HasExited(pid)) {
      exited = true;
    }
  }

  // The child is a zombie now (not yet reaped, so its pid still names the
  // group): sweep whatever else of the group is left, then read what they
  // wrote until the pipe closes, for a short while at most.
  kill(-pid, SIGKILL);
  if (out_fd >= 0) {
    fcntl(out_fd, F_SETFL, fcntl(out_fd, F_GETFL) | O_NONBLOCK);
    const auto drain_deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
    while (std::chrono::steady_clock::now() < drain_deadline) {
      ssize_t got = read(out_fd, chunk, sizeof(chunk));
      if (got > 0) {
        buffer.Append(chunk, got);
        continue;
      }
      if (got == 0) break;
      if (errno == EINTR) continue;
      if (errno != EAGAIN) break;
      struct pollfd p = {out_fd, POLLIN, 0};
      poll(&p, 1, 20);
    }
    close(out_fd);
  }
  if (pidfd >= 0) close(pidfd);

  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  out.seconds = SecondsSince(start);
  if (WIFSIGNALED(status)) {
    out.signaled = true;
    out.signo = WTERMSIG(status);
  } else {
    out.exit_code = WEXITSTATUS(status);
  }
  out.output = buffer.Take();
  return out;
}

}  // namespace runsc::conformance
