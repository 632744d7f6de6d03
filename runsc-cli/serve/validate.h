// Checks of client requests before anything is done with them. A bad
// request gets INVALID_ARGUMENT whose message starts with the field's path
// ("spec.env[2]: want KEY=VALUE"); a valid one asking for something not
// supported yet gets UNIMPLEMENTED, also naming the field.
#ifndef RUNSC_CLI_SERVE_VALIDATE_H_
#define RUNSC_CLI_SERVE_VALIDATE_H_

#include <string>

#include "grpcpp/support/status.h"
#include "runsc/v1/sandboxes.pb.h"

namespace runsc::serve {

grpc::Status ValidateId(const std::string& id, const std::string& field);
grpc::Status ValidateSpec(const runsc::v1::SandboxSpec& spec);
grpc::Status ValidateProcess(const runsc::v1::ProcessSpec& p);
// 0 becomes SIGTERM.
grpc::Status ValidateSignal(int* sig);

}  // namespace runsc::serve

#endif  // RUNSC_CLI_SERVE_VALIDATE_H_
