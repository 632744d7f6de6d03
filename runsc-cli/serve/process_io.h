// The stdio of one sandbox process, on host pipes whose far ends the
// sandbox sees as fds 0, 1 and 2: stdout and stderr are relayed to the
// daemon as Output messages; stdin arrives as Stdin messages, is written by
// a thread of its own (a process that does not read its stdin blocks only
// that thread) and acknowledged with StdinAck for the daemon's flow control.
#ifndef RUNSC_CLI_SERVE_PROCESS_IO_H_
#define RUNSC_CLI_SERVE_PROCESS_IO_H_

#include <atomic>
#include <deque>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "runsc-cli/serve/sentry_link.h"
#include "sentry/vfs/fd_table.h"

namespace runsc::serve {

class ProcessIo {
 public:
  // Creates the pipes; null with `*err` set on failure.
  static std::unique_ptr<ProcessIo> Create(std::string* err);
  ~ProcessIo();

  // The fd table holding the sandbox's ends as 0, 1, 2 (the only reference
  // is the caller's, so the pipes close when the process's table goes).
  std::shared_ptr<sentry::vfs::FdTable> fds() const { return fds_; }
  void DropFdTable() { fds_.reset(); }

  // Starts the relay and stdin threads for sandbox pid `pid`.
  void Start(int pid, SentryLink* link);
  // Queues stdin bytes, or closes stdin once what is queued is written.
  void Stdin(std::string data, bool close);
  // The process is gone: relays stop once its pipes are drained.
  void Exited();
  // Waits for the relays (all output sent to the link).
  void Join();

 private:
  ProcessIo() = default;
  void Relay(int fd, int which);
  void StdinLoop();

  int pid_ = 0;
  SentryLink* link_ = nullptr;
  int stdin_w_ = -1, stdout_r_ = -1, stderr_r_ = -1;
  std::shared_ptr<sentry::vfs::FdTable> fds_;
  std::atomic<bool> exited_{false};
  std::thread out_thread_, err_thread_, in_thread_;

  absl::Mutex mu_;
  std::deque<std::string> stdin_q_ ABSL_GUARDED_BY(mu_);
  bool stdin_close_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace runsc::serve

#endif  // RUNSC_CLI_SERVE_PROCESS_IO_H_
