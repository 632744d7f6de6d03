#include "runsc-cli/serve/sentry_link.h"

#include <sys/socket.h>
#include <unistd.h>

#include <utility>

#include "absl/time/time.h"
#include "runsc-cli/serve/wire.h"

namespace runsc::serve {

namespace {
size_t OutputBytes(const runsc::internal::FromSentry& m) {
  return m.has_output() ? m.output().data().size() : 0;
}
}  // namespace

SentryLink::Conn::~Conn() { close(fd); }

SentryLink::SentryLink() : writer_([this] { WriterLoop(); }) {}

SentryLink::~SentryLink() {
  {
    absl::MutexLock l(&mu_);
    stop_ = true;
    if (conn_) shutdown(conn_->fd, SHUT_RDWR);
  }
  writer_.join();
}

void SentryLink::Send(runsc::internal::FromSentry m, bool flow_controlled) {
  absl::MutexLock l(&mu_);
  if (flow_controlled) {
    mu_.Await(absl::Condition(
        +[](SentryLink* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu_) {
          return s->queued_output_ < kMaxQueuedOutput || s->stop_;
        },
        this));
  }
  queued_output_ += OutputBytes(m);
  queue_.push_back(std::move(m));
}

void SentryLink::Connected(int fd, runsc::internal::FromSentry first) {
  absl::MutexLock l(&mu_);
  if (conn_) shutdown(conn_->fd, SHUT_RDWR);  // the old daemon is gone
  conn_ = std::make_shared<Conn>(fd);
  queue_.push_front(std::move(first));
}

void SentryLink::Disconnected(int fd) {
  absl::MutexLock l(&mu_);
  if (conn_ && conn_->fd == fd) {
    shutdown(fd, SHUT_RDWR);
    conn_.reset();
  }
}

bool SentryLink::connected() const {
  absl::MutexLock l(&mu_);
  return conn_ != nullptr;
}

bool SentryLink::Drain(int timeout_ms) {
  absl::MutexLock l(&mu_);
  auto empty = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return queue_.empty() && !writing_;
  };
  mu_.AwaitWithTimeout(absl::Condition(&empty), absl::Milliseconds(timeout_ms));
  return empty();
}

void SentryLink::WriterLoop() {
  for (;;) {
    std::shared_ptr<Conn> conn;
    runsc::internal::FromSentry m;
    {
      absl::MutexLock l(&mu_);
      mu_.Await(absl::Condition(
          +[](SentryLink* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu_) {
            return s->stop_ || (s->conn_ && !s->queue_.empty());
          },
          this));
      if (stop_) return;
      conn = conn_;
      m = std::move(queue_.front());
      queue_.pop_front();
      writing_ = true;
    }
    const bool ok = WriteFrame(conn->fd, m);
    absl::MutexLock l(&mu_);
    writing_ = false;
    if (ok) {
      queued_output_ -= OutputBytes(m);
      continue;
    }
    // The daemon went away mid-write: keep the message for the next one.
    queue_.push_front(std::move(m));
    if (conn_ == conn) {
      shutdown(conn->fd, SHUT_RDWR);
      conn_.reset();
    }
  }
}

}  // namespace runsc::serve
