#include "runsc-cli/client/spec_flags.h"

#include <unistd.h>

#include "absl/strings/str_split.h"
#include "sentry/fs/sandbox_fs.h"
#include "sentry/socket/netns/publisher.h"

extern char** environ;

namespace runsc::client {

const char kSpecFlagsHelp[] =
    "sandbox flags:\n"
    "  --id ID                 the sandbox's id (default: the daemon picks)\n"
    "  --cwd DIR               working directory inside (default: /, as a\n"
    "                          container's; the client's own directory may not\n"
    "                          exist in the sandbox)\n"
    "  --env K=V               environment variable (repeatable)\n"
    "  --clear-env             do not pass this shell's environment\n"
    "  --rootfs DIR            host directory shown read-only as / (default /)\n"
    "  --mount SRC:DST[:ro]    read-only bind mount of a host directory\n"
    "  --tmpfs DST[:size=N]    a tmpfs of the sandbox's own (after the binds)\n"
    "  --hostname NAME         the sandbox's host name\n"
    "  --platform NAME         seccomp (default) or ptrace\n"
    "  --network NAME          loopback (default: own namespace, only lo),\n"
    "                          host, or none (no inet sockets)\n"
    "  -p, --publish [IP:]HOSTPORT:SANDBOXPORT\n"
    "                          publish a sandbox TCP port on the host\n"
    "                          (loopback network; repeatable)\n"
    "  --uid N --gid N         credentials inside (default 0)\n"
    "  --label K=V             label shown by list (repeatable)\n"
    "  --memory BYTES          memory limit (host memory cgroup)\n"
    "  --pids N                tasks alive at once (fork fails with EAGAIN)\n"
    "  --fds N                 open-file limit\n"
    "  --cpu-seconds N         CPU time limit (RLIMIT_CPU)\n"
    "  --timeout SECONDS       wall-clock limit, then SIGKILL\n"
    "  --syscall-counters      count every system call by name\n";

void AddSpecFlags(SpecFlags* s, std::vector<Flag>* f) {
  f->push_back({"--id", true, SetString(&s->id)});
  f->push_back({"--cwd", true, SetString(&s->cwd)});
  f->push_back({"--env", true, AppendString(&s->env)});
  f->push_back({"--clear-env", false, SetTrue(&s->clear_env)});
  f->push_back({"--rootfs", true, SetString(&s->rootfs)});
  f->push_back({"--mount", true, AppendString(&s->mounts)});
  f->push_back({"--tmpfs", true, AppendString(&s->tmpfs)});
  f->push_back({"--hostname", true, SetString(&s->hostname)});
  f->push_back({"--platform", true, SetString(&s->platform)});
  f->push_back({"--network", true, SetString(&s->network)});
  f->push_back({"--publish", true, AppendString(&s->ports)});
  f->push_back({"-p", true, AppendString(&s->ports)});
  f->push_back({"--uid", true, SetUint(&s->uid)});
  f->push_back({"--gid", true, SetUint(&s->gid)});
  f->push_back({"--label", true, AppendString(&s->labels)});
  f->push_back({"--memory", true, SetUint(&s->memory)});
  f->push_back({"--pids", true, SetUint(&s->pids)});
  f->push_back({"--fds", true, SetUint(&s->fds)});
  f->push_back({"--cpu-seconds", true, SetUint(&s->cpu_seconds)});
  f->push_back({"--timeout", true, SetUint(&s->timeout)});
  f->push_back({"--syscall-counters", false, SetTrue(&s->syscall_counters)});
}

bool BuildCreateRequest(const SpecFlags& s, const std::vector<std::string>& argv,
                        runsc::v1::CreateRequest* req, std::string* err) {
  if (argv.empty()) {
    *err = "no command given";
    return false;
  }
  req->set_id(s.id);
  runsc::v1::SandboxSpec* spec = req->mutable_spec();
  for (const auto& a : argv) spec->add_argv(a);
  // Like `runsc do`: this shell's environment, then --env on top.
  std::vector<std::string> env;
  if (!s.clear_env) {
    for (char** e = environ; *e; e++) env.push_back(*e);
  }
  for (const std::string& kv : s.env) {
    const std::string key = kv.substr(0, kv.find('=') + 1);
    std::erase_if(env, [&](const std::string& e) { return e.rfind(key, 0) == 0; });
    env.push_back(kv);
  }
  for (const auto& e : env) spec->add_env(e);
  std::string cwd = s.cwd.empty() ? "/" : s.cwd;
  spec->set_cwd(cwd);
  spec->set_rootfs(s.rootfs);
  for (const std::string& m : s.mounts) {
    std::vector<std::string> parts = absl::StrSplit(m, ':');
    if (parts.size() < 2 || parts.size() > 3 ||
        (parts.size() == 3 && parts[2] != "ro" && parts[2] != "rw")) {
      *err = "--mount " + m + ": want SRC:DST[:ro|rw]";
      return false;
    }
    auto* mount = spec->add_mounts();
    mount->set_type("bind");
    mount->set_source(parts[0]);
    mount->set_destination(parts[1]);
    mount->set_read_only(parts.size() == 2 || parts[2] == "ro");
  }
  for (const std::string& t : s.tmpfs) {
    absl::StatusOr<sentry::fs::BindMount> b = sentry::fs::ParseTmpfsMount(t);
    if (!b.ok()) {
      *err = "--tmpfs: " + std::string(b.status().message());
      return false;
    }
    auto* mount = spec->add_mounts();
    mount->set_type("tmpfs");
    mount->set_destination(b->guest);
    mount->set_read_only(!b->writable);
    mount->set_size_bytes(b->tmpfs_size);
  }
  spec->set_hostname(s.hostname);
  spec->set_platform(s.platform);
  spec->set_network(s.network);
  for (const std::string& p : s.ports) {
    auto m = sentry::socket::ParsePortMapping(p);
    if (!m.ok()) {
      *err = "--publish " + p + ": " + std::string(m.status().message());
      return false;
    }
    auto* pm = spec->add_ports();
    pm->set_protocol("tcp");
    pm->set_host_ip(m->host_ip);
    pm->set_host_port(m->host_port);
    pm->set_sandbox_port(m->sandbox_port);
  }
  spec->set_uid(static_cast<uint32_t>(s.uid));
  spec->set_gid(static_cast<uint32_t>(s.gid));
  for (const std::string& l : s.labels) {
    const size_t eq = l.find('=');
    if (eq == std::string::npos) {
      *err = "--label " + l + ": want K=V";
      return false;
    }
    (*spec->mutable_labels())[l.substr(0, eq)] = l.substr(eq + 1);
  }
  auto* lim = spec->mutable_limits();
  lim->set_memory_bytes(s.memory);
  lim->set_pids(static_cast<uint32_t>(s.pids));
  lim->set_fds(static_cast<uint32_t>(s.fds));
  lim->set_cpu_time_seconds(s.cpu_seconds);
  lim->set_wall_clock_timeout_seconds(s.timeout);
  spec->set_syscall_counters(s.syscall_counters);
  return true;
}

}  // namespace runsc::client
