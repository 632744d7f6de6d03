#include "runsc-cli/serve/validate.h"

#include <signal.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "platform/platform.h"
#include "runsc-cli/serve/memory_cgroup.h"
#include "sentry/socket/netns/network.h"
#include "sentry/socket/netns/publisher.h"

namespace runsc::serve {

namespace {

constexpr size_t kMaxArgs = 4096;
constexpr size_t kMaxArgBytes = 128 << 10;   // Linux's MAX_ARG_STRLEN
constexpr size_t kMaxArgvTotal = 2 << 20;
constexpr uint64_t kMinMemoryLimit = 32 << 20;

grpc::Status Invalid(const std::string& field, const std::string& why) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                      absl::StrCat(field, ": ", why));
}

grpc::Status CheckStrings(const google::protobuf::RepeatedPtrField<std::string>& v,
                          const std::string& field, bool env, size_t* total) {
  if (static_cast<size_t>(v.size()) > kMaxArgs) {
    return Invalid(field, absl::StrCat("more than ", kMaxArgs, " entries"));
  }
  for (int i = 0; i < v.size(); i++) {
    const std::string name = absl::StrCat(field, "[", i, "]");
    const std::string& s = v[i];
    if (s.find('\0') != std::string::npos) return Invalid(name, "contains a NUL byte");
    if (s.size() > kMaxArgBytes) {
      return Invalid(name, absl::StrCat("longer than ", kMaxArgBytes, " bytes"));
    }
    if (env && (s.empty() || s.find('=') == std::string::npos || s[0] == '=')) {
      return Invalid(name, absl::StrCat("want KEY=VALUE, got \"", s, "\""));
    }
    *total += s.size() + 1;
  }
  if (*total > kMaxArgvTotal) {
    return Invalid(field, "argv and env together exceed 2 MiB");
  }
  return grpc::Status::OK;
}

grpc::Status CheckPath(const std::string& p, const std::string& field) {
  if (p.find('\0') != std::string::npos) return Invalid(field, "contains a NUL byte");
  if (p.size() >= 4096) return Invalid(field, "longer than PATH_MAX");
  if (!p.empty() && p[0] != '/') {
    return Invalid(field, absl::StrCat("must be an absolute path, got \"", p, "\""));
  }
  return grpc::Status::OK;
}

grpc::Status CheckHostDir(const std::string& p, const std::string& field) {
  struct stat st;
  if (stat(p.c_str(), &st) != 0) {
    return Invalid(field, absl::StrCat(p, ": ", strerror(errno)));
  }
  if (!S_ISDIR(st.st_mode)) return Invalid(field, absl::StrCat(p, ": not a directory"));
  return grpc::Status::OK;
}

}  // namespace

grpc::Status ValidateId(const std::string& id, const std::string& field) {
  if (id.empty()) return Invalid(field, "must not be empty");
  if (id.size() > 64) return Invalid(field, "longer than 64 characters");
  for (size_t i = 0; i < id.size(); i++) {
    const char c = id[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                       (c >= '0' && c <= '9');
    if (alnum || (i > 0 && (c == '_' || c == '.' || c == '-'))) continue;
    return Invalid(field, absl::StrCat("\"", id,
                                       "\" is not [A-Za-z0-9][A-Za-z0-9_.-]*"));
  }
  return grpc::Status::OK;
}

grpc::Status ValidateSpec(const runsc::v1::SandboxSpec& spec) {
  if (spec.argv().empty()) return Invalid("spec.argv", "must not be empty");
  if (spec.argv(0).empty()) return Invalid("spec.argv[0]", "must not be empty");
  size_t total = 0;
  grpc::Status st = CheckStrings(spec.argv(), "spec.argv", false, &total);
  if (!st.ok()) return st;
  st = CheckStrings(spec.env(), "spec.env", true, &total);
  if (!st.ok()) return st;
  st = CheckPath(spec.cwd(), "spec.cwd");
  if (!st.ok()) return st;
  st = CheckPath(spec.rootfs(), "spec.rootfs");
  if (!st.ok()) return st;
  if (!spec.rootfs().empty()) {
    st = CheckHostDir(spec.rootfs(), "spec.rootfs");
    if (!st.ok()) return st;
  }
  for (int i = 0; i < spec.mounts_size(); i++) {
    const runsc::v1::Mount& m = spec.mounts(i);
    const std::string f = absl::StrCat("spec.mounts[", i, "]");
    if (m.type() == "tmpfs") {
      if (!m.source().empty()) return Invalid(f + ".source", "must be empty for tmpfs");
      if (m.destination().empty()) {
        return Invalid(f + ".destination", "must not be empty");
      }
      if (!(st = CheckPath(m.destination(), f + ".destination")).ok()) return st;
      continue;
    }
    if (!m.type().empty() && m.type() != "bind") {
      return Invalid(f + ".type", absl::StrCat("unknown type \"", m.type(),
                                               "\" (known: bind, tmpfs)"));
    }
    if (m.size_bytes() != 0) return Invalid(f + ".size_bytes", "only for tmpfs");
    if (m.source().empty()) return Invalid(f + ".source", "must not be empty");
    if (m.destination().empty()) {
      return Invalid(f + ".destination", "must not be empty");
    }
    if (!(st = CheckPath(m.source(), f + ".source")).ok()) return st;
    if (!(st = CheckPath(m.destination(), f + ".destination")).ok()) return st;
    struct stat sb;
    if (stat(m.source().c_str(), &sb) != 0) {
      return Invalid(f + ".source", absl::StrCat(m.source(), ": ", strerror(errno)));
    }
  }
  if (!spec.platform().empty()) {
    auto p = platform::Platform::Create(spec.platform());
    if (!p.ok()) return Invalid("spec.platform", std::string(p.status().message()));
  }
  auto net = sentry::socket::ParseNetworkMode(spec.network());
  if (!net.ok()) {
    return Invalid("spec.network", absl::StrCat("unknown network \"",
                                                spec.network(),
                                                "\" (loopback, host, none)"));
  }
  for (int i = 0; i < spec.ports_size(); i++) {
    const auto& p = spec.ports(i);
    const std::string f = absl::StrCat("spec.ports[", i, "]");
    if (p.protocol() != "" && p.protocol() != "tcp" && p.protocol() != "udp") {
      return Invalid(f + ".protocol", "want tcp or udp");
    }
    if (p.host_port() == 0 || p.host_port() > 65535) {
      return Invalid(f + ".host_port", "want 1..65535");
    }
    if (p.sandbox_port() == 0 || p.sandbox_port() > 65535) {
      return Invalid(f + ".sandbox_port", "want 1..65535");
    }
    auto m = sentry::socket::ParsePortMapping(absl::StrCat(
        p.host_ip().empty() ? "127.0.0.1" : p.host_ip(), ":", p.host_port(),
        ":", p.sandbox_port()));
    if (!m.ok() && p.host_ip().find(':') != std::string::npos) {
      m = sentry::socket::ParsePortMapping(absl::StrCat(
          "[", p.host_ip(), "]:", p.host_port(), ":", p.sandbox_port()));
    }
    if (!m.ok()) return Invalid(f + ".host_ip", std::string(m.status().message()));
  }
  if (spec.ports_size() > 0 && *net != sentry::socket::NetworkMode::kLoopback) {
    return Invalid("spec.ports", "publishing ports needs network \"loopback\"");
  }
  if (spec.hostname().size() > 64) {
    return Invalid("spec.hostname", "longer than 64 bytes");
  }
  if (spec.hostname().find('\0') != std::string::npos ||
      spec.hostname().find('/') != std::string::npos) {
    return Invalid("spec.hostname", "contains a NUL byte or '/'");
  }
  const runsc::v1::Limits& lim = spec.limits();
  if (lim.memory_bytes() > 0) {
    // The sentry itself needs some memory to boot the sandbox.
    if (lim.memory_bytes() < kMinMemoryLimit) {
      return Invalid("spec.limits.memory_bytes",
                     absl::StrCat("below the minimum of ", kMinMemoryLimit, " bytes"));
    }
    if (absl::Status st = MemoryCgroup::Available(); !st.ok()) {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          absl::StrCat("spec.limits.memory_bytes: ", st.message()));
    }
  }
  if (lim.pids() > (1u << 22)) return Invalid("spec.limits.pids", "above 4194304");
  if (lim.fds() > (1u << 20)) return Invalid("spec.limits.fds", "above 1048576");
  if (lim.cpu_time_seconds() > (1ull << 31)) {
    return Invalid("spec.limits.cpu_time_seconds", "too large");
  }
  if (lim.wall_clock_timeout_seconds() > (1ull << 31)) {
    return Invalid("spec.limits.wall_clock_timeout_seconds", "too large");
  }
  for (const auto& [k, v] : spec.labels()) {
    if (k.empty() || k.size() > 256) {
      return Invalid("spec.labels", "keys must be 1..256 bytes");
    }
    if (v.size() > 4096) {
      return Invalid(absl::StrCat("spec.labels[", k, "]"), "longer than 4096 bytes");
    }
  }
  return grpc::Status::OK;
}

grpc::Status ValidateProcess(const runsc::v1::ProcessSpec& p) {
  if (p.argv().empty()) return Invalid("process.argv", "must not be empty");
  if (p.argv(0).empty()) return Invalid("process.argv[0]", "must not be empty");
  size_t total = 0;
  grpc::Status st = CheckStrings(p.argv(), "process.argv", false, &total);
  if (!st.ok()) return st;
  st = CheckStrings(p.env(), "process.env", true, &total);
  if (!st.ok()) return st;
  return CheckPath(p.cwd(), "process.cwd");
}

grpc::Status ValidateSignal(int* sig) {
  if (*sig == 0) *sig = SIGTERM;
  if (*sig < 1 || *sig > 64) {
    return Invalid("signal", absl::StrCat(*sig, " is not a signal (1..64)"));
  }
  return grpc::Status::OK;
}

}  // namespace runsc::serve
