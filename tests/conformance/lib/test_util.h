// Small helpers shared by the conformance binaries.
#ifndef TESTS_CONFORMANCE_LIB_TEST_UTIL_H_
#define TESTS_CONFORMANCE_LIB_TEST_UTIL_H_

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

namespace conformance {

// The process arguments as main() received them (lib/test_main.cc), for tests
// that compare kernel-provided data (auxv, AT_EXECFN) with argv/envp.
int OriginalArgc();
// argv before GoogleTest removed its own flags.
char** OriginalArgv();
// envp as passed to main(); the auxiliary vector follows its NULL terminator.
char** OriginalEnvp();

// True when a write(2) to standard output would not look at the buffer at all
// (stdout is /dev/null), so EFAULT cannot be observed through it.
inline bool StdoutDiscardsWrites() {
  struct stat st;
  if (fstat(STDOUT_FILENO, &st) != 0) return true;
  return S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3);
}

}  // namespace conformance

#endif  // TESTS_CONFORMANCE_LIB_TEST_UTIL_H_
