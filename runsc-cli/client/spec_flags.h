// The flags of `runsc create` and `runsc run` that make a SandboxSpec.
#ifndef RUNSC_CLI_CLIENT_SPEC_FLAGS_H_
#define RUNSC_CLI_CLIENT_SPEC_FLAGS_H_

#include <string>
#include <vector>

#include "runsc-cli/client/flags.h"
#include "runsc/v1/sandboxes.pb.h"

namespace runsc::client {

struct SpecFlags {
  std::string id;
  std::string cwd, rootfs, hostname, platform, network;
  std::vector<std::string> ports;  // -p/--publish specs
  std::vector<std::string> env, mounts, tmpfs, labels;
  bool clear_env = false;
  bool syscall_counters = false;
  uint64_t uid = 0, gid = 0;
  uint64_t memory = 0, pids = 0, fds = 0, cpu_seconds = 0, timeout = 0;
};

void AddSpecFlags(SpecFlags* s, std::vector<Flag>* flags);
extern const char kSpecFlagsHelp[];

// Builds the request; `argv` is the command. False with *err on bad flags.
bool BuildCreateRequest(const SpecFlags& s, const std::vector<std::string>& argv,
                        runsc::v1::CreateRequest* req, std::string* err);

}  // namespace runsc::client

#endif  // RUNSC_CLI_CLIENT_SPEC_FLAGS_H_
