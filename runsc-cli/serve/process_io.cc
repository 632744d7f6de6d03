#include "runsc-cli/serve/process_io.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "sentry/vfs/host_fd_file.h"

namespace runsc::serve {

namespace {
constexpr size_t kChunk = 32 << 10;
// How long a relay keeps reading after the process exited before it
// decides nobody else holds the pipe's write end.
constexpr int kDrainQuietMs = 100;
}  // namespace

std::unique_ptr<ProcessIo> ProcessIo::Create(std::string* err) {
  std::unique_ptr<ProcessIo> io(new ProcessIo());
  int in[2], out[2], errp[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 ||
      pipe2(errp, O_CLOEXEC) != 0) {
    *err = absl::StrCat("pipe: ", strerror(errno));
    return nullptr;
  }
  io->stdin_w_ = in[1];
  io->stdout_r_ = out[0];
  io->stderr_r_ = errp[0];
  // The daemon side never blocks the sentry: non-blocking with poll.
  fcntl(io->stdin_w_, F_SETFL, O_NONBLOCK);
  io->fds_ = std::make_shared<sentry::vfs::FdTable>();
  static const char* kNames[] = {"stdin", "stdout", "stderr"};
  const int ends[] = {in[0], out[1], errp[1]};
  for (int fd = 0; fd < 3; fd++) {
    auto file = sentry::vfs::NewHostFdFile(ends[fd], kNames[fd]);  // dups
    close(ends[fd]);
    if (!file) {
      *err = absl::StrCat("stdio ", kNames[fd], ": ", strerror(errno));
      return nullptr;
    }
    io->fds_->InstallAt(fd, file, false);
  }
  return io;
}

ProcessIo::~ProcessIo() {
  {
    absl::MutexLock l(&mu_);
    stop_ = true;
  }
  exited_ = true;
  Join();
  if (in_thread_.joinable()) in_thread_.join();
  for (int fd : {stdin_w_, stdout_r_, stderr_r_}) {
    if (fd >= 0) close(fd);
  }
}

void ProcessIo::Start(int pid, SentryLink* link) {
  pid_ = pid;
  link_ = link;
  out_thread_ = std::thread([this] { Relay(stdout_r_, 1); });
  err_thread_ = std::thread([this] { Relay(stderr_r_, 2); });
  in_thread_ = std::thread([this] { StdinLoop(); });
}

void ProcessIo::Relay(int fd, int which) {
  std::string buf(kChunk, '\0');
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    const bool gone = exited_.load();
    int r = poll(&p, 1, gone ? kDrainQuietMs : 500);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) {
      if (gone) return;
      continue;
    }
    ssize_t n = read(fd, buf.data(), buf.size());
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return;  // EOF: every writer closed
    runsc::internal::FromSentry m;
    auto* o = m.mutable_output();
    o->set_pid(pid_);
    o->set_fd(which);
    o->set_data(buf.data(), static_cast<size_t>(n));
    link_->Send(std::move(m), /*flow_controlled=*/true);
  }
}

void ProcessIo::Stdin(std::string data, bool close) {
  absl::MutexLock l(&mu_);
  if (!data.empty()) stdin_q_.push_back(std::move(data));
  if (close) stdin_close_ = true;
}

void ProcessIo::StdinLoop() {
  for (;;) {
    std::string chunk;
    {
      absl::MutexLock l(&mu_);
      mu_.Await(absl::Condition(
          +[](ProcessIo* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu_) {
            return s->stop_ || s->stdin_close_ || !s->stdin_q_.empty();
          },
          this));
      if (stop_) return;
      if (stdin_q_.empty()) {  // closed and everything written
        close(stdin_w_);
        stdin_w_ = -1;
        return;
      }
      chunk = std::move(stdin_q_.front());
      stdin_q_.pop_front();
    }
    size_t off = 0;
    bool broken = false;
    while (off < chunk.size() && !broken) {
      ssize_t w = write(stdin_w_, chunk.data() + off, chunk.size() - off);
      if (w > 0) {
        off += static_cast<size_t>(w);
        continue;
      }
      if (w < 0 && errno == EINTR) continue;
      if (w < 0 && errno == EAGAIN) {
        pollfd p{stdin_w_, POLLOUT, 0};
        poll(&p, 1, 200);
        absl::MutexLock l(&mu_);
        if (stop_) return;
        continue;
      }
      broken = true;  // EPIPE: the process closed its stdin; drop the rest
    }
    runsc::internal::FromSentry m;
    m.mutable_stdin_ack()->set_pid(pid_);
    m.mutable_stdin_ack()->set_bytes(chunk.size());
    link_->Send(std::move(m));
  }
}

void ProcessIo::Exited() { exited_ = true; }

void ProcessIo::Join() {
  if (out_thread_.joinable()) out_thread_.join();
  if (err_thread_.joinable()) err_thread_.join();
}

}  // namespace runsc::serve
