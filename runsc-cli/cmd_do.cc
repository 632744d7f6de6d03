// `runsc do [flags] -- CMD ARGS...`: run one command in a fresh sandbox with
// the host root read-only and stdio attached; exit with its status.
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "platform/platform.h"
#include "runsc-cli/commands.h"
#include "runsc-cli/signal_forwarder.h"
#include "sentry/fs/sandbox_fs.h"
#include "sentry/kernel/kernel.h"
#include "sentry/socket/netns/network.h"
#include "sentry/socket/netns/publisher.h"
#include "sentry/vfs/fd_table.h"
#include "sentry/vfs/fs_context.h"
#include "sentry/vfs/host_fd_file.h"
#include "sentry/vfs/vfs.h"

extern char** environ;

namespace runsc {

namespace {

constexpr char kDoUsage[] =
    "usage: runsc do [flags] -- CMD [ARGS...]\n"
    "\n"
    "Runs CMD (looked up on PATH like a shell does) in a fresh sandbox: the\n"
    "host root is visible read-only, stdio is the terminal's, and runsc exits\n"
    "with CMD's exit code (128+N when CMD is killed by signal N; 126 when it\n"
    "cannot be executed, 127 when it is not found).\n"
    "\n"
    "flags:\n"
    "  --platform=P             how syscalls are captured: seccomp (default;\n"
    "                           SIGSYS trap in the stub) or ptrace\n"
    "  --strace                 print every syscall to stderr, strace-style\n"
    "  --strace-log FILE        print them to FILE instead (implies --strace)\n"
    "  --debug                  log sandbox events to stderr\n"
    "  --report-unimplemented   list unimplemented and partially implemented\n"
    "                           syscalls hit, with counts, at exit\n"
    "  --cwd DIR                working directory inside the sandbox\n"
    "  --env K=V                set an environment variable (repeatable)\n"
    "  --clear-env              start from an empty environment\n"
    "  --hostname NAME          the sandbox's host name (default sandbox)\n"
    "  -v, --volume HOST:GUEST[:ro|rw]\n"
    "                           bind-mount a host directory or file at GUEST\n"
    "                           (read-only unless :rw; repeatable)\n"
    "  --tmpfs GUEST[:size=N[k|m|g]][,ro]\n"
    "                           a tmpfs of the sandbox's own at GUEST (repeatable;\n"
    "                           mounted in order with the volumes)\n"
    "  --root DIR               host directory shown as / (default /)\n"
    "  --root-rw                make the root writable (default read-only)\n"
    "  --network=loopback|host|none\n"
    "                           inet sockets: loopback (default) is a network\n"
    "                           namespace of the sandbox's own with only lo;\n"
    "                           host is the host's network; none has no\n"
    "                           AF_INET/AF_INET6 at all\n"
    "  -p, --publish [HOSTIP:]HOSTPORT:SANDBOXPORT[/tcp|/udp]\n"
    "                           forward TCP connections (or UDP datagrams,\n"
    "                           per client address, idle for 90 s at most)\n"
    "                           to HOSTIP:HOSTPORT on the host (default\n"
    "                           127.0.0.1) to the sandbox's\n"
    "                           127.0.0.1:SANDBOXPORT (loopback network;\n"
    "                           repeatable)\n"
    "Inside: / is the host root read-only, /tmp and /dev/shm are tmpfs,\n"
    "/dev holds null/zero/full/random/urandom/tty, /proc is the sandbox's.\n";

struct DoOptions {
  std::string platform = "seccomp";
  bool strace = false;
  std::string strace_log;
  bool debug = false;
  bool report_unimplemented = false;
  std::string cwd;
  std::vector<std::string> env;
  bool clear_env = false;
  std::string hostname = "sandbox";
  sentry::fs::SandboxFsOptions fs_opts;
  sentry::socket::NetworkMode network = sentry::socket::NetworkMode::kLoopback;
  std::vector<sentry::socket::PortMapping> ports;
  std::vector<std::string> argv;
};

// Parses flags; returns false with a message on error.
bool ParseDo(const std::vector<std::string>& args, DoOptions* o,
             std::string* err, bool* help) {
  size_t i = 0;
  for (; i < args.size(); i++) {
    const std::string& a = args[i];
    if (a == "--") {
      i++;
      break;
    }
    if (a.empty() || a[0] != '-') break;  // first non-flag starts CMD
    std::string name = a, value;
    bool has_value = false;
    if (auto eq = a.find('='); eq != std::string::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
      has_value = true;
    }
    auto take = [&]() -> bool {
      if (has_value) return true;
      if (i + 1 >= args.size()) {
        *err = name + " needs a value";
        return false;
      }
      value = args[++i];
      return true;
    };
    if (name == "--help" || name == "-h") {
      *help = true;
      return true;
    } else if (name == "--platform") {
      if (!take()) return false;
      o->platform = value;
    } else if (name == "--strace") {
      o->strace = true;
    } else if (name == "--strace-log") {
      if (!take()) return false;
      o->strace = true;
      o->strace_log = value;
    } else if (name == "--debug") {
      o->debug = true;
    } else if (name == "--report-unimplemented") {
      o->report_unimplemented = true;
    } else if (name == "--cwd") {
      if (!take()) return false;
      o->cwd = value;
    } else if (name == "--env") {
      if (!take()) return false;
      if (value.find('=') == std::string::npos) {
        *err = "--env wants K=V, got \"" + value + "\"";
        return false;
      }
      o->env.push_back(value);
    } else if (name == "--clear-env") {
      o->clear_env = true;
    } else if (name == "-v" || name == "--volume") {
      if (!take()) return false;
      auto b = sentry::fs::ParseBindMount(value);
      if (!b.ok()) {
        *err = std::string(b.status().message());
        return false;
      }
      o->fs_opts.binds.push_back(*b);
    } else if (name == "--tmpfs") {
      if (!take()) return false;
      auto b = sentry::fs::ParseTmpfsMount(value);
      if (!b.ok()) {
        *err = std::string(b.status().message());
        return false;
      }
      o->fs_opts.binds.push_back(*b);
    } else if (name == "--root") {
      if (!take()) return false;
      o->fs_opts.root = value;
    } else if (name == "--root-rw") {
      o->fs_opts.root_writable = true;
    } else if (name == "--network") {
      if (!take()) return false;
      auto m = sentry::socket::ParseNetworkMode(value);
      if (!m.ok()) {
        *err = "--network: " + std::string(m.status().message());
        return false;
      }
      o->network = *m;
    } else if (name == "-p" || name == "--publish") {
      if (!take()) return false;
      auto m = sentry::socket::ParsePortMapping(value);
      if (!m.ok()) {
        *err = name + ": " + std::string(m.status().message());
        return false;
      }
      o->ports.push_back(*m);
    } else if (name == "--hostname") {
      if (!take()) return false;
      o->hostname = value;
    } else {
      *err = "unknown flag \"" + a + "\"";
      return false;
    }
  }
  o->argv.assign(args.begin() + i, args.end());
  if (!o->ports.empty() && o->network != sentry::socket::NetworkMode::kLoopback) {
    *err = std::string("-p/--publish needs --network=loopback (with --network=") +
           sentry::socket::NetworkModeName(o->network) +
           " there is no sandbox namespace to publish from)";
    return false;
  }
  if (o->argv.empty()) {
    *err = "no command given";
    return false;
  }
  return true;
}

std::vector<std::string> BuildEnv(const DoOptions& o) {
  std::vector<std::string> env;
  if (!o.clear_env) {
    for (char** e = environ; *e; e++) env.push_back(*e);
  }
  for (const std::string& kv : o.env) {
    const std::string key = kv.substr(0, kv.find('=') + 1);
    std::erase_if(env, [&](const std::string& e) { return e.rfind(key, 0) == 0; });
    env.push_back(kv);
  }
  return env;
}

std::string PathOf(const std::vector<std::string>& env) {
  for (const std::string& e : env) {
    if (e.rfind("PATH=", 0) == 0) return e.substr(5);
  }
  // execvp's default search path.
  return "/bin:/usr/bin";
}

}  // namespace

int CmdDo(const std::vector<std::string>& args) {
  DoOptions o;
  std::string err;
  bool help = false;
  if (!ParseDo(args, &o, &err, &help)) {
    fprintf(stderr, "runsc do: %s\n%s", err.c_str(), kDoUsage);
    return 2;
  }
  if (help) {
    fputs(kDoUsage, stdout);
    return 0;
  }

  // Before any thread exists: host signals are for the sandbox.
  SignalForwarder::BlockForwardedSignals();

  sentry::KernelConfig config;
  config.hostname = o.hostname;
  config.debug = o.debug;
  config.report_unimplemented = o.report_unimplemented;
  FILE* strace_file = nullptr;
  if (o.strace) {
    if (o.strace_log.empty()) {
      config.strace = stderr;
    } else {
      strace_file = fopen(o.strace_log.c_str(), "we");
      if (!strace_file) {
        fprintf(stderr, "runsc do: cannot open strace log %s: %s\n",
                o.strace_log.c_str(), strerror(errno));
        return 125;
      }
      config.strace = strace_file;
    }
  }

  auto net = sentry::socket::Network::Create(o.network);
  if (!net.ok()) {
    fprintf(stderr, "runsc do: %s\n", std::string(net.status().message()).c_str());
    return 125;
  }
  if (absl::Status ps = (*net)->Publish(o.ports); !ps.ok()) {
    fprintf(stderr, "runsc do: -p: %s\n", std::string(ps.message()).c_str());
    return 125;
  }
  config.network = *net;

  auto vfs = sentry::fs::BuildSandboxVfs(o.fs_opts);
  if (!vfs.ok()) {
    fprintf(stderr, "runsc do: %s\n", vfs.status().ToString().c_str());
    return 125;
  }
  std::string cwd = o.cwd;
  if (cwd.empty()) {
    char buf[4096];
    cwd = getcwd(buf, sizeof(buf)) ? buf : "/";
  }
  auto fs = (*vfs)->NewFsContext(cwd);
  if (!fs.ok()) {
    if (!o.cwd.empty()) {
      fprintf(stderr, "runsc do: --cwd %s: %s\n", cwd.c_str(),
              std::string(fs.status().message()).c_str());
      return 125;
    }
    fs = (*vfs)->NewFsContext("/");
    if (!fs.ok()) {
      fprintf(stderr, "runsc do: %s\n", fs.status().ToString().c_str());
      return 125;
    }
  }
  auto fds = std::make_shared<sentry::vfs::FdTable>();
  static const char* kStdioNames[] = {"stdin", "stdout", "stderr"};
  for (int fd = 0; fd < 3; fd++) {
    auto file = sentry::vfs::NewHostFdFile(fd, kStdioNames[fd]);
    if (file) fds->InstallAt(fd, file, false);
  }

  platform::SetPlatformDebug(o.debug);
  auto platform = platform::Platform::Create(o.platform);
  if (!platform.ok()) {
    fprintf(stderr, "runsc do: --platform: %s\n",
            std::string(platform.status().message()).c_str());
    return 125;
  }
  // The stubs' jail exists now. Capabilities are per thread: the main
  // thread (whose later threads inherit its set) and the network thread,
  // which exists already (it needed CAP_SYS_ADMIN for its namespace), drop
  // theirs; no other thread has been started yet.
  absl::Status cs = (*platform)->DropHostCapabilities();
  if (cs.ok()) {
    (*net)->Run([&] { cs = (*platform)->DropHostCapabilities(); });
  }
  if (!cs.ok()) {
    fprintf(stderr, "runsc do: dropping capabilities: %s\n",
            cs.ToString().c_str());
    return 125;
  }
  sentry::Kernel kernel(config, std::move(*platform), *vfs);
  if (absl::Status ps = sentry::fs::MountProcfs(**vfs, kernel); !ps.ok()) {
    fprintf(stderr, "runsc do: /proc: %s\n", ps.ToString().c_str());
    return 125;
  }

  sentry::InitProcess init;
  init.argv = o.argv;
  init.envp = BuildEnv(o);
  init.path_env = PathOf(init.envp);
  init.fs = *fs;
  init.fds = fds;
  absl::StatusOr<int> status;
  {
    SignalForwarder forwarder(&kernel);
    status = kernel.RunInit(std::move(init));
  }

  if (o.report_unimplemented) {
    auto counts = kernel.UnimplementedCounts();
    if (counts.empty()) {
      fprintf(stderr, "runsc: no unimplemented syscalls were hit\n");
    } else {
      fprintf(stderr, "runsc: unimplemented syscalls hit:\n");
      for (const auto& [name, n] : counts) {
        fprintf(stderr, "  %-24s %llu\n", name.c_str(),
                static_cast<unsigned long long>(n));
      }
    }
    // Partially implemented ones (see `runsc syscalls` for what is
    // missing in each) explain misbehaviour just as often.
    auto partial = kernel.PartialCounts();
    if (!partial.empty()) {
      fprintf(stderr, "runsc: partially implemented syscalls hit:\n");
      for (const auto& [name, n] : partial) {
        fprintf(stderr, "  %-24s %llu\n", name.c_str(),
                static_cast<unsigned long long>(n));
      }
    }
  }
  if (strace_file) fclose(strace_file);

  if (!status.ok()) {
    fprintf(stderr, "runsc: %s\n", std::string(status.status().message()).c_str());
    // Shell conventions: 127 when the command is not found, 126 when it is
    // there but cannot be executed.
    return absl::IsNotFound(status.status()) ? 127 : 126;
  }
  const int ws = *status;
  if (WIFSIGNALED(ws)) return 128 + WTERMSIG(ws);
  return WEXITSTATUS(ws);
}

}  // namespace runsc
