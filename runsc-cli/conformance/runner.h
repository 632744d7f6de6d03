// The conformance runner: finds the cases of each binary, runs each natively
// and then in a fresh sandbox per platform, in parallel, and classifies them.
#ifndef RUNSC_CLI_CONFORMANCE_RUNNER_H_
#define RUNSC_CLI_CONFORMANCE_RUNNER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "runsc-cli/conformance/gtest.h"
#include "runsc-cli/conformance/result.h"

namespace runsc::conformance {

struct Binary {
  std::string name;  // display name
  std::string path;  // absolute
  BinaryKind kind = BinaryKind::kOther;
  bool gtest = false;        // cases come from --gtest_list_tests
  std::string list_error;    // set when a GoogleTest binary could not be listed
  std::vector<std::string> cases;  // after --filter
};

struct Platform {
  std::string name;
  bool available = false;
  std::string reason;  // why it is unavailable
  // Syscalls a trivial program hits in this sandbox (libc start-up).
  std::map<std::string, uint64_t> background_unimplemented, background_partial;
};

struct RunnerOptions {
  std::vector<std::string> platforms{"ptrace", "seccomp"};
  int jobs = 1;
  double timeout_seconds = 60;
  std::string filter;  // GoogleTest-style: POS[:POS...][-NEG[:NEG...]], globs
  std::string runsc;   // the runsc binary whose `do` runs the sandboxed side
  std::vector<std::string> runsc_flags;  // extra flags for `runsc do`
  // Exit statuses of non-GoogleTest binaries that mean "skipped".
  std::vector<int> skip_exit_codes;
  // A trivial program run once per platform: proves the platform works and
  // measures the start-up syscalls of a libc program. "" to skip.
  std::string probe_program;
  bool progress = false;  // live progress line on stderr
  // Returns "" when the platform can be created, else why not.
  std::function<std::string(const std::string&)> platform_check;
  const std::atomic<bool>* cancel = nullptr;
};

struct RunReport {
  std::vector<Binary> binaries;
  std::vector<Platform> platforms;
  // Ordered by binary, then case (in listing order), then platform.
  std::vector<CaseResult> results;
  bool cancelled = false;
};

// Expands the command line's BINARY…|DIR arguments: a directory contributes
// its executable regular files (not hidden ones), sorted by name. Returns
// false with *error for a missing or non-executable argument.
bool ResolveInputs(const std::vector<std::string>& inputs, std::vector<Binary>* out,
                   std::string* error);

// GoogleTest --gtest_filter semantics with shell globs (`*`, `?`, `[...]`):
// "A*:B*-C*" selects names matching A* or B* but not C*. Empty = all.
bool MatchesFilter(const std::string& filter, const std::string& name);

// The environment the runner's children get: ours minus GTEST_* variables
// (sharding, output files, filters meant for the runner itself).
std::vector<std::string> ChildEnvironment();

RunReport RunConformance(const RunnerOptions& options, std::vector<Binary> binaries);

}  // namespace runsc::conformance

#endif  // RUNSC_CLI_CONFORMANCE_RUNNER_H_
