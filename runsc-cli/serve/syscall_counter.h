// Per-syscall counters without a kernel hook: a FILE* given to the kernel as
// its --strace output whose writes are parsed, not printed. Each strace line
// ("[pid N] name(args) = ret") counts one call of `name`. Used only when a
// spec asks for syscall_counters, since formatting every call costs time.
#ifndef RUNSC_CLI_SERVE_SYSCALL_COUNTER_H_
#define RUNSC_CLI_SERVE_SYSCALL_COUNTER_H_

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace runsc::serve {

class SyscallCounter {
 public:
  SyscallCounter();
  ~SyscallCounter();
  // The stream to put in KernelConfig::strace (owned by this object).
  FILE* stream() const { return stream_; }
  std::map<std::string, uint64_t> Counts() const;

  // Feeds text as the kernel wrote it (public for tests).
  void Feed(const char* data, size_t n);

 private:
  void CountLine(const std::string& line) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  FILE* stream_ = nullptr;
  mutable absl::Mutex mu_;
  std::string partial_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, uint64_t> counts_ ABSL_GUARDED_BY(mu_);
};

}  // namespace runsc::serve

#endif  // RUNSC_CLI_SERVE_SYSCALL_COUNTER_H_
