// The sentry operations behind Exec, Kill and Processes, on the kernel's
// process API (sentry/kernel/kernel.h): StartProcess/WaitProcess, Kill and
// Processes. Errors come back as the gRPC status to give the client.
#ifndef RUNSC_CLI_SERVE_KERNEL_OPS_H_
#define RUNSC_CLI_SERVE_KERNEL_OPS_H_

#include <sys/types.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/repeated_field.h"
#include "grpcpp/support/status.h"
#include "runsc/v1/sandboxes.pb.h"
#include "sentry/kernel/kernel.h"

namespace runsc::serve {

// `pid` -1: every process of the sandbox.
inline grpc::Status KillInKernel(sentry::Kernel& kernel, pid_t pid, int sig) {
  const int64_t r = kernel.Kill(pid, sig);
  if (r >= 0) return grpc::Status::OK;
  if (r == -ESRCH) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        pid < 0 ? std::string("no process is left in the sandbox")
                                : absl::StrCat("pid ", pid, ": no such process"));
  }
  if (r == -EINVAL) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrCat("signal: invalid signal ", sig));
  }
  return grpc::Status(grpc::StatusCode::INTERNAL,
                      absl::StrCat("kill: ", strerror(static_cast<int>(-r))));
}

inline void ListInKernel(
    sentry::Kernel& kernel,
    google::protobuf::RepeatedPtrField<runsc::v1::ProcessInfo>* out) {
  for (const sentry::ProcessInfo& p : kernel.Processes()) {
    runsc::v1::ProcessInfo* info = out->Add();
    info->set_pid(p.pid);
    info->set_ppid(p.ppid);
    info->set_comm(p.comm);
    info->set_exe(p.exe);
    info->set_state(std::string(1, p.state));
  }
}

}  // namespace runsc::serve

#endif  // RUNSC_CLI_SERVE_KERNEL_OPS_H_
