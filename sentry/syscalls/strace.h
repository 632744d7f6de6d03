// --strace: prints each syscall like strace(1) does:
//   openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 3
//   read(3, "root:x:0:0:root:/root:/bin/bash\n"..., 4096) = 1024
//   open("/nope", O_RDONLY) = -1 ENOENT (No such file or directory)
// Inputs are decoded on entry (a path may be gone after execve), outputs on
// exit; the line is written at once so lines of different tasks never mix.
#ifndef SENTRY_SYSCALLS_STRACE_H_
#define SENTRY_SYSCALLS_STRACE_H_

#include <cstdint>
#include <cstdio>
#include <string>

#include "absl/synchronization/mutex.h"
#include "sentry/kernel/syscall_args.h"
#include "sentry/syscalls/table.h"

namespace sentry {

class Task;

struct StraceCall {
  std::string args[6];  // decoded inputs; outputs are filled on exit
};

class Strace {
 public:
  explicit Strace(FILE* out) : out_(out) {}
  void Enter(Task& t, const SyscallEntry* e, const SyscallArgs& a,
             StraceCall* call);
  void Exit(Task& t, const SyscallEntry* e, const SyscallArgs& a, int64_t ret,
            StraceCall* call);

  // A line of its own ("+++ exited with 0 +++").
  void Line(const std::string& text);

  // Exposed for tests.
  static std::string QuoteString(const std::string& s, size_t max);
  static std::string FormatFlags(uint64_t v, ArgFmt fmt);
  static std::string FormatReturn(int64_t ret, ArgFmt fmt);

 private:
  FILE* out_;
  absl::Mutex mu_;
};

}  // namespace sentry

#endif  // SENTRY_SYSCALLS_STRACE_H_
