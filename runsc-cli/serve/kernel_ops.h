// The sentry operations behind Exec, Kill and Processes, written against
// the kernel API the lead is adding for issue 4 (sentry/kernel/kernel.h):
//
//   absl::StatusOr<pid_t> Kernel::StartProcess(InitProcess);
//   int Kernel::WaitProcess(pid_t);                  // wait status
//   int64_t Kernel::Kill(pid_t pid_or_minus1, int sig);  // 0 or -errno
//   std::vector<ProcessInfo> Kernel::Processes();
//
// Each operation is compiled only when the kernel has the member (checked
// with a concept); until then it answers UNIMPLEMENTED naming what is
// missing. Nothing here pretends to succeed.
#ifndef RUNSC_CLI_SERVE_KERNEL_OPS_H_
#define RUNSC_CLI_SERVE_KERNEL_OPS_H_

#include <sys/types.h>

#include <cerrno>
#include <concepts>
#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/repeated_field.h"
#include "grpcpp/support/status.h"
#include "runsc/v1/sandboxes.pb.h"
#include "sentry/kernel/kernel.h"

namespace runsc::serve {

template <typename K>
concept KernelCanStartProcess =
    requires(K& k, sentry::InitProcess p, pid_t pid) {
      { k.StartProcess(std::move(p)) } -> std::convertible_to<absl::StatusOr<pid_t>>;
      { k.WaitProcess(pid) } -> std::convertible_to<int>;
    };

template <typename K>
concept KernelCanKill = requires(K& k, pid_t pid, int sig) {
  { k.Kill(pid, sig) } -> std::convertible_to<int64_t>;
};

template <typename K>
concept KernelCanListProcesses = requires(K& k) {
  { k.Processes().size() } -> std::convertible_to<size_t>;
  { k.Processes()[0].pid } -> std::convertible_to<int64_t>;
};

inline constexpr char kNeedStartProcess[] =
    "exec into a running sandbox needs Kernel::StartProcess and "
    "Kernel::WaitProcess (sentry/kernel/kernel.h, issue 4), which this "
    "build of the sentry does not have yet";
inline constexpr char kNeedKill[] =
    "signals to processes in a sandbox need Kernel::Kill "
    "(sentry/kernel/kernel.h, issue 4), which this build of the sentry does "
    "not have yet; only SIGKILL to the whole sandbox works (it ends the "
    "sentry)";
inline constexpr char kNeedProcesses[] =
    "listing the processes of a sandbox needs Kernel::Processes "
    "(sentry/kernel/kernel.h, issue 4), which this build of the sentry does "
    "not have yet";

template <typename K>
constexpr bool kCanExec = KernelCanStartProcess<K>;

template <typename K>
absl::StatusOr<pid_t> StartInKernel(K& kernel, sentry::InitProcess p) {
  if constexpr (KernelCanStartProcess<K>) {
    return kernel.StartProcess(std::move(p));
  } else {
    return absl::UnimplementedError(kNeedStartProcess);
  }
}

template <typename K>
int WaitInKernel(K& kernel, pid_t pid) {
  if constexpr (KernelCanStartProcess<K>) {
    return kernel.WaitProcess(pid);
  } else {
    return 0;  // never reached: nothing was started
  }
}

// `pid` -1: every process. Returns OK or the error to give the client.
template <typename K>
grpc::Status KillInKernel(K& kernel, pid_t pid, int sig) {
  if constexpr (KernelCanKill<K>) {
    const int64_t r = kernel.Kill(pid, sig);
    if (r >= 0) return grpc::Status::OK;
    if (r == -ESRCH) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND,
                          absl::StrCat("pid ", pid, ": no such process"));
    }
    if (r == -EINVAL) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          absl::StrCat("signal: invalid signal ", sig));
    }
    return grpc::Status(grpc::StatusCode::INTERNAL,
                        absl::StrCat("kill: errno ", -r));
  } else {
    return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, kNeedKill);
  }
}

template <typename K>
grpc::Status ListInKernel(
    K& kernel,
    google::protobuf::RepeatedPtrField<runsc::v1::ProcessInfo>* out) {
  if constexpr (KernelCanListProcesses<K>) {
    for (const auto& p : kernel.Processes()) {
      runsc::v1::ProcessInfo* info = out->Add();
      info->set_pid(static_cast<int32_t>(p.pid));
      if constexpr (requires { p.ppid; }) info->set_ppid(static_cast<int32_t>(p.ppid));
      if constexpr (requires { std::string(p.comm); }) info->set_comm(std::string(p.comm));
      if constexpr (requires { p.argv.begin(); }) {
        for (const auto& a : p.argv) info->add_argv(std::string(a));
      }
      if constexpr (requires { std::string(p.state); }) {
        info->set_state(std::string(p.state));
      } else if constexpr (requires { char(p.state); }) {
        info->set_state(std::string(1, static_cast<char>(p.state)));
      }
    }
    return grpc::Status::OK;
  } else {
    return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, kNeedProcesses);
  }
}

}  // namespace runsc::serve

#endif  // RUNSC_CLI_SERVE_KERNEL_OPS_H_
