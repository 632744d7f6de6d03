// `runsc serve`: the gRPC daemon (service runsc.v1.Sandboxes).
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "runsc-cli/commands.h"
#include "runsc-cli/serve/listener.h"
#include "runsc-cli/serve/manager.h"
#include "runsc-cli/serve/paths.h"
#include "runsc-cli/serve/service.h"
#include "runsc-cli/serve/wire.h"

namespace runsc {

namespace {

constexpr char kServeUsage[] =
    "usage: runsc serve [flags]\n"
    "\n"
    "Runs the gRPC daemon (service runsc.v1.Sandboxes, reflection on). Each\n"
    "sandbox is a sentry process of its own; records live in the state\n"
    "directory, and sandboxes keep running across a daemon restart.\n"
    "\n"
    "flags:\n"
    "  --listen ADDR             unix:PATH (mode 0600, peer uid checked) or\n"
    "                            tcp:HOST:PORT (needs TLS and a token); may be\n"
    "                            repeated (default unix:<default socket>)\n"
    "  --state-dir DIR           sandbox records (default /var/lib/runsc-cpp\n"
    "                            as root, else $XDG_STATE_HOME/runsc-cpp)\n"
    "  --tls-cert FILE --tls-key FILE\n"
    "                            server certificate and key (PEM) for tcp:\n"
    "  --tls-client-ca FILE      require client certificates signed by it\n"
    "  --token-file FILE         bearer token every tcp: call must carry\n"
    "  --max-sandboxes N         created+running sandboxes at once (64)\n"
    "  --max-message-bytes N     largest gRPC message either way (4194304)\n"
    "  --output-buffer-bytes N   output kept per process for Attach (1048576)\n"
    "  --sentry-linger-seconds N how long a finished sentry waits for a\n"
    "                            daemon that is down (30)\n";

struct ServeOptions {
  std::vector<std::string> listen;
  std::string state_dir;
  serve::TlsFiles tls;
  std::string token_file;
  int max_sandboxes = 64;
  int max_message = 4 << 20;
  int64_t output_buffer = 1 << 20;
  int linger = 30;
};

bool ParseServe(const std::vector<std::string>& args, ServeOptions* o,
                std::string* err, bool* help) {
  for (size_t i = 0; i < args.size(); i++) {
    std::string name = args[i], value;
    bool has_value = false;
    if (auto eq = name.find('='); eq != std::string::npos && name[0] == '-') {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
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
    auto number = [&](auto* out) -> bool {
      if (!take()) return false;
      if (!absl::SimpleAtoi(value, out) || *out <= 0) {
        *err = name + ": want a positive number, got \"" + value + "\"";
        return false;
      }
      return true;
    };
    if (name == "--help" || name == "-h") {
      *help = true;
      return true;
    } else if (name == "--listen") {
      if (!take()) return false;
      o->listen.push_back(value);
    } else if (name == "--state-dir") {
      if (!take()) return false;
      o->state_dir = value;
    } else if (name == "--tls-cert") {
      if (!take()) return false;
      o->tls.cert = value;
    } else if (name == "--tls-key") {
      if (!take()) return false;
      o->tls.key = value;
    } else if (name == "--tls-client-ca") {
      if (!take()) return false;
      o->tls.client_ca = value;
    } else if (name == "--token-file") {
      if (!take()) return false;
      o->token_file = value;
    } else if (name == "--max-sandboxes") {
      if (!number(&o->max_sandboxes)) return false;
    } else if (name == "--max-message-bytes") {
      if (!number(&o->max_message)) return false;
    } else if (name == "--output-buffer-bytes") {
      if (!number(&o->output_buffer)) return false;
    } else if (name == "--sentry-linger-seconds") {
      if (!number(&o->linger)) return false;
    } else {
      *err = "unknown flag \"" + args[i] + "\"";
      return false;
    }
  }
  return true;
}

}  // namespace

int CmdServe(const std::vector<std::string>& args) {
  ServeOptions o;
  std::string err;
  bool help = false;
  if (!ParseServe(args, &o, &err, &help)) {
    fprintf(stderr, "runsc serve: %s\n%s", err.c_str(), kServeUsage);
    return 2;
  }
  if (help) {
    fputs(kServeUsage, stdout);
    return 0;
  }
  if (o.listen.empty()) o.listen.push_back("unix:" + serve::DefaultSocketPath());
  if (o.state_dir.empty()) o.state_dir = serve::DefaultStateDir();

  std::vector<std::string> unix_paths, tcp_addrs;
  for (const std::string& l : o.listen) {
    if (l.rfind("unix:", 0) == 0) {
      unix_paths.push_back(l.substr(5));
    } else if (!l.empty() && l[0] == '/') {
      unix_paths.push_back(l);
    } else if (l.rfind("tcp:", 0) == 0) {
      tcp_addrs.push_back(l.substr(4));
    } else {
      fprintf(stderr, "runsc serve: --listen %s: want unix:PATH or tcp:HOST:PORT\n",
              l.c_str());
      return 2;
    }
  }
  std::string token;
  if (!tcp_addrs.empty()) {
    if (o.tls.cert.empty() || o.tls.key.empty() || o.token_file.empty()) {
      fprintf(stderr,
              "runsc serve: refusing to listen on tcp:%s without TLS and a "
              "token: give --tls-cert, --tls-key and --token-file\n",
              tcp_addrs[0].c_str());
      return 2;
    }
    if (!serve::ReadFile(o.token_file, &token)) {
      fprintf(stderr, "runsc serve: --token-file %s: %s\n", o.token_file.c_str(),
              strerror(errno));
      return 2;
    }
    token = std::string(absl::StripAsciiWhitespace(token));
    if (token.size() < 16) {
      fprintf(stderr, "runsc serve: --token-file %s: the token must have at "
                      "least 16 characters\n", o.token_file.c_str());
      return 2;
    }
  }

  if (!serve::MakeDirs(o.state_dir, 0700, &err)) {
    fprintf(stderr, "runsc serve: --state-dir: %s\n", err.c_str());
    return 1;
  }
  // One daemon per state directory.
  const std::string lock_path = o.state_dir + "/daemon.lock";
  int lock_fd = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0 || flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    fprintf(stderr, "runsc serve: %s is in use by another runsc serve\n",
            o.state_dir.c_str());
    return 1;
  }

  // Signals are taken synchronously (sigwait) by this thread; every thread
  // created from here on inherits the blocked mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  serve::ManagerOptions mo;
  mo.state_dir = o.state_dir;
  mo.max_sandboxes = o.max_sandboxes;
  mo.output_buffer_bytes = static_cast<size_t>(o.output_buffer);
  mo.sentry_linger_seconds = o.linger;
  auto manager = std::make_unique<serve::Manager>(mo);
  manager->Load();
  serve::SandboxesService service(manager.get());

  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.RegisterService(&service);
  builder.SetMaxReceiveMessageSize(o.max_message);
  builder.SetMaxSendMessageSize(o.max_message);
  std::vector<int> tcp_ports(tcp_addrs.size(), 0);
  for (size_t i = 0; i < tcp_addrs.size(); i++) {
    auto creds = serve::TcpCredentials(o.tls, token, &err);
    if (!creds) {
      fprintf(stderr, "runsc serve: %s\n", err.c_str());
      return 2;
    }
    builder.AddListeningPort(tcp_addrs[i], creds, &tcp_ports[i]);
  }
  std::vector<std::unique_ptr<serve::UnixListener>> unix_listeners;
  for (const std::string& path : unix_paths) {
    const size_t slash = path.rfind('/');
    if (slash != std::string::npos && slash > 0 &&
        !serve::MakeDirs(path.substr(0, slash), 0700, &err)) {
      fprintf(stderr, "runsc serve: --listen unix:%s: %s\n", path.c_str(), err.c_str());
      return 1;
    }
    auto l = std::make_unique<serve::UnixListener>();
    if (int r = l->Listen(path); r < 0) {
      fprintf(stderr, "runsc serve: --listen unix:%s: %s\n", path.c_str(),
              strerror(-r));
      return 1;
    }
    unix_listeners.push_back(std::move(l));
  }
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server) {
    fprintf(stderr, "runsc serve: the gRPC server did not start\n");
    return 1;
  }
  for (size_t i = 0; i < tcp_addrs.size(); i++) {
    if (tcp_ports[i] == 0) {
      fprintf(stderr, "runsc serve: --listen tcp:%s: cannot listen\n",
              tcp_addrs[i].c_str());
      return 1;
    }
  }
  for (auto& l : unix_listeners) l->Start(server.get());
  for (const auto& p : unix_paths) fprintf(stderr, "runsc serve: listening on unix:%s\n", p.c_str());
  for (size_t i = 0; i < tcp_addrs.size(); i++) {
    fprintf(stderr, "runsc serve: listening on tcp:%s (TLS, token; port %d)\n",
            tcp_addrs[i].c_str(), tcp_ports[i]);
  }
  fprintf(stderr, "runsc serve: state in %s\n", o.state_dir.c_str());

  int sig = 0;
  sigwait(&stop_signals, &sig);
  fprintf(stderr, "runsc serve: %s: stopping (sandboxes keep running)\n",
          strsignal(sig));
  for (auto& l : unix_listeners) l->Stop();
  manager->Shutdown();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  for (const auto& p : unix_paths) unlink(p.c_str());
  // Sentry supervisors are detached threads holding the manager: leave it.
  manager.release();
  return 0;
}

}  // namespace runsc
