#include "platform/platform.h"

#include <cerrno>

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

void AddressSpace::MapBatch(MapRequest* reqs, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    MapRequest& q = reqs[i];
    switch (q.op) {
      case MapRequest::Op::kMap:
        q.result = Map(q.addr, q.len, q.prot, q.flags);
        break;
      case MapRequest::Op::kMapFile:
        q.result = MapFile(q.addr, q.len, q.prot, q.flags, q.host_fd, q.offset);
        break;
      case MapRequest::Op::kProtect:
        q.result = Protect(q.addr, q.len, q.prot);
        break;
      case MapRequest::Op::kUnmap:
        q.result = Unmap(q.addr, q.len);
        break;
    }
  }
}

int64_t AddressSpace::WriteV(const Range* remote, size_t n, const void* src) {
  const char* p = static_cast<const char*>(src);
  uint64_t done = 0;
  for (size_t i = 0; i < n; ++i) {
    int64_t w = Write(remote[i].addr, p + done, remote[i].len);
    if (w > 0) done += static_cast<uint64_t>(w);
    if (w != static_cast<int64_t>(remote[i].len)) break;
  }
  return done > 0 ? static_cast<int64_t>(done) : -EFAULT;
}

int64_t AddressSpace::ReadV(const Range* remote, size_t n, void* dst) {
  char* p = static_cast<char*>(dst);
  uint64_t done = 0;
  for (size_t i = 0; i < n; ++i) {
    int64_t r = Read(remote[i].addr, p + done, remote[i].len);
    if (r > 0) done += static_cast<uint64_t>(r);
    if (r != static_cast<int64_t>(remote[i].len)) break;
  }
  return done > 0 ? static_cast<int64_t>(done) : -EFAULT;
}

}  // namespace platform
