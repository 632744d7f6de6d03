#include "platform/platform.h"

#include "platform/ptrace/ptrace_platform.h"
#include "platform/seccomp/seccomp_platform.h"

namespace platform {

absl::StatusOr<std::unique_ptr<Platform>> Platform::Create(
    const std::string& name) {
  if (name == "ptrace") return PtracePlatform::New();
  if (name == "seccomp") return SeccompPlatform::New();
  return absl::InvalidArgumentError("unknown platform \"" + name +
                                    "\" (available: ptrace, seccomp)");
}

}  // namespace platform
