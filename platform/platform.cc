#include "platform/platform.h"

#include "platform/ptrace/ptrace_platform.h"

namespace platform {

absl::StatusOr<std::unique_ptr<Platform>> Platform::Create(
    const std::string& name) {
  if (name == "ptrace") return PtracePlatform::New();
  return absl::InvalidArgumentError("unknown platform \"" + name +
                                    "\" (available: ptrace)");
}

}  // namespace platform
