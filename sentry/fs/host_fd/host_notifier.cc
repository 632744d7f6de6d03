#include "sentry/fs/host_fd/host_notifier.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

namespace sentry::fs {

HostNotifier& HostNotifier::Get() {
  static HostNotifier* n = new HostNotifier();
  return *n;
}

HostNotifier::HostNotifier() {
  epfd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epfd_ >= 0) std::thread([this] { Run(); }).detach();
}

void HostNotifier::Arm(int fd, vfs::EventMask events, vfs::WaitQueue* queue) {
  if (epfd_ < 0) return;
  absl::MutexLock l(&mu_);
  struct epoll_event ev = {};
  ev.events = (events & (EPOLLIN | EPOLLOUT | EPOLLPRI | EPOLLRDHUP)) |
              EPOLLONESHOT;
  ev.data.fd = fd;
  auto [it, inserted] = queues_.try_emplace(fd, Watch{queue, 0});
  it->second = Watch{queue, 0};
  if (epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev) < 0 && errno == ENOENT) {
    if (epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) < 0) {
      // Files the host cannot poll (regular files) are always ready.
      queue->Notify(vfs::kReadableEvents | vfs::kWritableEvents);
    }
  }
}

void HostNotifier::Remove(int fd) {
  if (epfd_ < 0) return;
  absl::MutexLock l(&mu_);
  if (queues_.erase(fd)) epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr);
}

void HostNotifier::Run() {
  struct epoll_event evs[64];
  for (;;) {
    int n = epoll_wait(epfd_, evs, 64, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    absl::MutexLock l(&mu_);
    for (int i = 0; i < n; ++i) {
      auto it = queues_.find(evs[i].data.fd);
      if (it == queues_.end()) continue;
      Watch& w = it->second;
      w.queue->Notify(evs[i].events);
      w.delivered |= evs[i].events;
      vfs::EventMask rest = w.queue->Interest() &
                            (EPOLLIN | EPOLLOUT | EPOLLPRI | EPOLLRDHUP) &
                            ~w.delivered;
      if (rest && !(evs[i].events & (EPOLLERR | EPOLLHUP))) {
        struct epoll_event ev = {};
        ev.events = rest | EPOLLONESHOT;
        ev.data.fd = evs[i].data.fd;
        epoll_ctl(epfd_, EPOLL_CTL_MOD, evs[i].data.fd, &ev);
      }
    }
  }
}

}  // namespace sentry::fs
