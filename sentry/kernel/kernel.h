// Kernel: one sandbox. Owns the platform, the VFS, the pid namespace, the
// sandbox's identity (uname, credentials) and the unimplemented-syscall
// report.
#ifndef SENTRY_KERNEL_KERNEL_H_
#define SENTRY_KERNEL_KERNEL_H_

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "platform/platform.h"
#include "sentry/kernel/futex.h"
#include "sentry/kernel/syscall_args.h"

namespace sentry {

class Strace;
class Task;
class ThreadGroup;
namespace vfs {
class VirtualFilesystem;
class FdTable;
class FsContext;
}  // namespace vfs

// What PID 1 starts with.
struct InitProcess {
  // argv[0] is looked up on `path_env` (a PATH value) when it has no '/',
  // like a shell does; the file is resolved inside the sandbox.
  std::vector<std::string> argv;
  std::vector<std::string> envp;
  std::string path_env;
  std::shared_ptr<vfs::FsContext> fs;
  std::shared_ptr<vfs::FdTable> fds;
};

struct KernelConfig {
  std::string hostname = "sandbox";
  std::string release;       // uname -r; empty: the host's
  std::string version;       // uname -v; empty: the host's
  uid_t uid = 0;
  gid_t gid = 0;
  bool debug = false;        // --debug: log to stderr
  FILE* strace = nullptr;    // --strace output, or null
  bool report_unimplemented = false;
};

class Kernel {
 public:
  Kernel(KernelConfig config, std::unique_ptr<platform::Platform> platform,
         std::shared_ptr<vfs::VirtualFilesystem> vfs);
  ~Kernel();

  const KernelConfig& config() const { return config_; }
  platform::Platform& platform() { return *platform_; }
  vfs::VirtualFilesystem& vfs() { return *vfs_; }

  // Runs PID 1 and waits until it has exited. Returns the wait status of
  // PID 1 (as waitpid encodes it), or an error if the program could not
  // start: the message names the file and the cause; the code is NotFound
  // for a missing command (shells exit 127) and another code for a file
  // that cannot be executed (126).
  absl::StatusOr<int> RunInit(InitProcess init);

  // Finds `name` as execvp(3) would: names with a '/' are taken as they
  // are; others are searched on `path_env`. Returns 0 and the sandbox path,
  // or a negative errno (ENOENT when nothing was found, EACCES when only
  // non-executable candidates were).
  int64_t FindExecutable(const vfs::FsContext& fs, const std::string& name,
                         const std::string& path_env, std::string* out);

  pid_t AllocatePid();

  // Called when a task hits an unimplemented syscall: counted, and reported
  // once per sandbox with --debug.
  void ReportUnimplemented(const SyscallArgs& args, const char* name);
  std::map<std::string, uint64_t> UnimplementedCounts() const;

  // Debug log line (only with --debug).
  void Debugf(const char* fmt, ...) const __attribute__((format(printf, 2, 3)));

  FutexManager& futexes() { return futexes_; }

  // The --strace printer, or null.
  Strace* strace() { return strace_.get(); }

  // Time the sandbox started (CLOCK_MONOTONIC ns), for uptime.
  int64_t start_time_ns() const { return start_ns_; }

 private:
  KernelConfig config_;
  std::unique_ptr<platform::Platform> platform_;
  std::shared_ptr<vfs::VirtualFilesystem> vfs_;
  std::unique_ptr<Strace> strace_;
  FutexManager futexes_;
  std::atomic<pid_t> next_pid_{1};
  int64_t start_ns_ = 0;
  mutable absl::Mutex report_mu_;
  std::map<std::string, uint64_t> unimplemented_ ABSL_GUARDED_BY(report_mu_);
};

}  // namespace sentry

#endif  // SENTRY_KERNEL_KERNEL_H_
