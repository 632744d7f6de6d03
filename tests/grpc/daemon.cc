#include "tests/grpc/daemon.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace runsc::testing {

std::string RunscBinary() {
  if (const char* b = getenv("RUNSC_BINARY"); b && *b) return b;
  return RUNSC_BINARY_PATH;
}

Daemon::Daemon() {
  char tmpl[] = "/tmp/runsc-grpc-test-XXXXXX";
  dir_ = mkdtemp(tmpl);
}

Daemon::~Daemon() {
  Stop();
  // Sandboxes left behind by a test must not outlive it.
  std::string out;
  RunCommand({"/bin/sh", "-c",
              "for f in " + state_dir() + "/sandboxes/*/record.json; do "
              "  p=$(sed -n 's/.*\"sentryPid\": *\\([0-9]*\\).*/\\1/p' \"$f\"); "
              "  [ -n \"$p\" ] && grep -q sandbox-run /proc/$p/cmdline 2>/dev/null && kill -9 $p; "
              "done; rm -rf " + dir_},
             &out);
}

std::string Daemon::log() const {
  std::ifstream f(dir_ + "/serve.log");
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

bool Daemon::Start(const std::vector<std::string>& extra) {
  const std::string bin = RunscBinary();
  std::vector<std::string> args = {bin, "serve", "--listen", "unix:" + socket(),
                                   "--state-dir", state_dir()};
  args.insert(args.end(), extra.begin(), extra.end());
  const std::string log_path = dir_ + "/serve.log";
  pid_ = fork();
  if (pid_ == 0) {
    // A test killed by its timeout must not leave its daemon behind.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    dup2(fd, 2);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  generation_++;
  // Ready when a List answers.
  for (int i = 0; i < 100; i++) {
    int st;
    if (waitpid(pid_, &st, WNOHANG) == pid_) {
      pid_ = 0;
      return false;
    }
    struct stat sb;
    if (stat(socket().c_str(), &sb) == 0) {
      auto stub = NewStub();
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
      runsc::v1::ListResponse resp;
      if (stub->List(&ctx, {}, &resp).ok()) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

void Daemon::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  waitpid(pid_, nullptr, 0);
  pid_ = 0;
}

void Daemon::Kill9() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = 0;
}

std::unique_ptr<runsc::v1::Sandboxes::Stub> Daemon::NewStub() const {
  return runsc::v1::Sandboxes::NewStub(
      grpc::CreateChannel("unix:" + socket(), grpc::InsecureChannelCredentials()));
}

int RunCommand(const std::vector<std::string>& argv, std::string* out) {
  int p[2];
  if (pipe(p) != 0) return -1;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(p[1], 1);
    dup2(p[1], 2);
    close(p[0]);
    close(p[1]);
    int null = open("/dev/null", O_RDONLY);
    dup2(null, 0);
    std::vector<char*> a;
    for (auto& s : const_cast<std::vector<std::string>&>(argv)) a.push_back(s.data());
    a.push_back(nullptr);
    execvp(a[0], a.data());
    _exit(127);
  }
  close(p[1]);
  out->clear();
  char buf[4096];
  ssize_t n;
  while ((n = read(p[0], buf, sizeof(buf))) > 0) out->append(buf, n);
  close(p[0]);
  int st = 0;
  waitpid(pid, &st, 0);
  return st;
}

long RssKb(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

}  // namespace runsc::testing
