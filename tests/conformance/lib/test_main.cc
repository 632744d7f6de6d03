// main() shared by every conformance binary: remembers argv/envp, then runs
// GoogleTest.
#include "test_util.h"

#include <gtest/gtest.h>

namespace conformance {
namespace {
int g_argc = 0;
char** g_argv = nullptr;
char** g_envp = nullptr;
}  // namespace

int OriginalArgc() { return g_argc; }
char** OriginalArgv() { return g_argv; }
char** OriginalEnvp() { return g_envp; }

}  // namespace conformance

int main(int argc, char** argv, char** envp) {
  conformance::g_argc = argc;
  conformance::g_argv = argv;
  conformance::g_envp = envp;
  // InitGoogleTest edits argc/argv in place; work on a copy of the pointer array.
  static char* argv_copy[256];
  int n = argc < 255 ? argc : 255;
  for (int i = 0; i < n; ++i) argv_copy[i] = argv[i];
  argv_copy[n] = nullptr;
  ::testing::InitGoogleTest(&n, argv_copy);
  return RUN_ALL_TESTS();
}
