// runsc: run untrusted Linux programs in a user-mode kernel sandbox.
#include <signal.h>
#include <sys/resource.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "runsc-cli/commands.h"

namespace {

void Usage(FILE* out) {
  fputs(
      "usage: runsc COMMAND [flags] [args]\n"
      "\n"
      "commands:\n"
      "  do [flags] -- CMD ARGS...   run CMD in a fresh sandbox\n"
      "  syscalls [--arch amd64|i386] [--format table|json|markdown]\n"
      "                              print the syscall support table\n"
      "  serve [--listen unix:PATH|tcp:HOST:PORT] [flags]\n"
      "                              the gRPC daemon (runsc.v1.Sandboxes)\n"
      "  create|start|run|exec|attach|list|ps|kill|wait|events|delete\n"
      "                              manage sandboxes of a runsc serve\n"
      "  conformance [flags] BINARY...|DIR\n"
      "                              run test binaries natively and sandboxed,\n"
      "                              case by case, and compare\n"
      "\n"
      "run `runsc COMMAND --help` for the flags of a command.\n",
      out);
}

}  // namespace

// Process-wide settings of the sentry: a closed stdout must come back as
// EPIPE to the application, not kill the sentry; and every open file and
// cached dentry of the sandbox holds a host fd.
void SetUpSentryProcess() {
  signal(SIGPIPE, SIG_IGN);
  struct rlimit lim;
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

int main(int argc, char** argv) {
  SetUpSentryProcess();
  if (argc < 2) {
    Usage(stderr);
    return 2;
  }
  const std::string cmd = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  if (cmd == "do") return runsc::CmdDo(args);
  if (cmd == "syscalls") return runsc::CmdSyscalls(args);
  if (int rc; runsc::DispatchServeCommand(cmd, args, &rc)) return rc;
  if (cmd == "conformance") return runsc::CmdConformance(args);
  if (cmd == "help" || cmd == "--help" || cmd == "-h") {
    Usage(stdout);
    return 0;
  }
  fprintf(stderr, "runsc: unknown command \"%s\"\n", cmd.c_str());
  Usage(stderr);
  return 2;
}
