// runsc: run untrusted Linux programs in a user-mode kernel sandbox.
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
      "\n"
      "run `runsc COMMAND --help` for the flags of a command.\n",
      out);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    Usage(stderr);
    return 2;
  }
  const std::string cmd = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  if (cmd == "do") return runsc::CmdDo(args);
  if (cmd == "syscalls") return runsc::CmdSyscalls(args);
  if (cmd == "help" || cmd == "--help" || cmd == "-h") {
    Usage(stdout);
    return 0;
  }
  fprintf(stderr, "runsc: unknown command \"%s\"\n", cmd.c_str());
  Usage(stderr);
  return 2;
}
