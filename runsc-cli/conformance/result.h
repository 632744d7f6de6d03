// Results of the conformance runner and how a run is classified.
#ifndef RUNSC_CLI_CONFORMANCE_RESULT_H_
#define RUNSC_CLI_CONFORMANCE_RESULT_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runsc-cli/conformance/process.h"

namespace runsc::conformance {

enum class Status {
  kPass,
  kFail,           // failed in the sandbox (not because of a known cause below)
  kTimeout,        // did not finish within --timeout in the sandbox
  kCrash,          // killed by a signal in the sandbox (or runsc itself died)
  kUnimplemented,  // failed in the sandbox after hitting syscalls it lacks
  kNativeFail,     // failed, crashed or hung natively: a broken test, not scored
  kSkipped,        // GTEST_SKIP natively or in the sandbox: not scored
  kUnavailable,    // the platform does not exist or does not work here
};

inline constexpr Status kAllStatuses[] = {
    Status::kPass,       Status::kFail,    Status::kTimeout,     Status::kCrash,
    Status::kUnimplemented, Status::kNativeFail, Status::kSkipped, Status::kUnavailable};

// "pass", "fail", "timeout", "crash", "unimplemented", "native-fail",
// "skipped", "unavailable".
const char* StatusName(Status s);
std::optional<Status> StatusFromName(std::string_view name);

// Counted as failures (and make the exit code 1).
inline bool IsFailure(Status s) {
  return s == Status::kFail || s == Status::kTimeout || s == Status::kCrash ||
         s == Status::kUnimplemented;
}
// Not part of the score at all.
inline bool IsExcluded(Status s) {
  return s == Status::kNativeFail || s == Status::kSkipped || s == Status::kUnavailable;
}

// The verdict of one run, before it is attached to a case.
struct Verdict {
  Status status = Status::kPass;
  std::string detail;  // one line: why
  // Syscalls the run hit beyond the binary's start-up noise.
  std::map<std::string, uint64_t> unimplemented;
  std::map<std::string, uint64_t> partial;
};

// The native run (the truth). Pass, skipped, or native-fail with the reason.
// `gtest_case` is the case name for GoogleTest binaries, "" otherwise; for
// those others, an exit status in `skip_exit_codes` means skipped (LTP's
// TCONF is 32).
Verdict ClassifyNative(const RunOutcome& run, const std::string& gtest_case,
                       double timeout_seconds, const std::vector<int>& skip_exit_codes = {});

// A run under `runsc do` of a case that passed natively. `background_*` are
// the syscalls the binary hits in the sandbox without running any case; only
// hits beyond them are attributed to the case.
Verdict ClassifySandbox(const RunOutcome& run, const std::string& gtest_case,
                        double timeout_seconds,
                        const std::map<std::string, uint64_t>& background_unimplemented,
                        const std::map<std::string, uint64_t>& background_partial,
                        const std::vector<int>& skip_exit_codes = {});

// "a, b×3, c" for the names (with counts above one).
std::string FormatSyscalls(const std::map<std::string, uint64_t>& counts);

struct CaseResult {
  std::string binary;    // display name (base name unless that is ambiguous)
  std::string path;      // the file run
  std::string name;      // "Suite.Case", or the binary's name when not GoogleTest
  std::string platform;
  Status status = Status::kPass;
  std::string detail;
  double seconds = 0;    // of the sandboxed run (native for native-fail)
  std::string output;    // kept for failures: the run's output
  std::map<std::string, uint64_t> unimplemented;
  std::map<std::string, uint64_t> partial;
};

}  // namespace runsc::conformance

#endif  // RUNSC_CLI_CONFORMANCE_RESULT_H_
