// MemoryCgroup: the host memory cgroup that enforces a sandbox's
// memory limit (Limits.memory_bytes). The sentry process is moved into it
// before it boots, so its stubs (the application's memory) and its own
// memory (tmpfs and memfd pages, buffers) are all charged, and the host's
// OOM killer acts inside the sandbox only: an application process killed
// there dies of SIGKILL, as under a container's memory limit.
//
// Works with cgroup v1 (the memory hierarchy) and v2 (a unified hierarchy
// with the memory controller enabled for our cgroup's children). The
// cgroup is made under the daemon's own cgroup, so a daemon confined by its
// own limit cannot hand out more than it has.
#ifndef RUNSC_CLI_SERVE_MEMORY_CGROUP_H_
#define RUNSC_CLI_SERVE_MEMORY_CGROUP_H_

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace runsc::serve {

class MemoryCgroup {
 public:
  // Whether memory cgroups can be made here; FailedPrecondition naming the
  // reason otherwise.
  static absl::Status Available();
  // Makes (or reuses, after a daemon restart) the cgroup `name` with the
  // limit. Swap is limited too where the host allows, so the limit bounds
  // real memory use.
  static absl::StatusOr<MemoryCgroup> Create(const std::string& name,
                                             uint64_t limit_bytes);
  // The cgroup `name` as Create would have made it (it may not exist).
  static absl::StatusOr<MemoryCgroup> Find(const std::string& name);

  absl::Status Enter(pid_t pid) const;
  // Processes the OOM killer killed in this cgroup so far.
  uint64_t OomKills() const;
  // Removes the cgroup once its processes are gone (retries briefly: the
  // stubs of a sentry that just died may still be exiting).
  void Remove() const;
  const std::string& path() const { return path_; }

 private:
  MemoryCgroup(std::string path, bool v2) : path_(std::move(path)), v2_(v2) {}
  std::string path_;
  bool v2_ = false;
};

}  // namespace runsc::serve

#endif  // RUNSC_CLI_SERVE_MEMORY_CGROUP_H_
