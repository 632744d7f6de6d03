#include "runsc-cli/conformance/result.h"

#include <cstdio>

#include "runsc-cli/conformance/gtest.h"
#include "runsc-cli/conformance/text.h"

namespace runsc::conformance {

const char* StatusName(Status s) {
  switch (s) {
    case Status::kPass: return "pass";
    case Status::kFail: return "fail";
    case Status::kTimeout: return "timeout";
    case Status::kCrash: return "crash";
    case Status::kUnimplemented: return "unimplemented";
    case Status::kNativeFail: return "native-fail";
    case Status::kSkipped: return "skipped";
    case Status::kUnavailable: return "unavailable";
  }
  return "?";
}

std::optional<Status> StatusFromName(std::string_view name) {
  for (Status s : kAllStatuses) {
    if (name == StatusName(s)) return s;
  }
  return std::nullopt;
}

std::string FormatSyscalls(const std::map<std::string, uint64_t>& counts) {
  std::string out;
  for (const auto& [name, n] : counts) {
    if (!out.empty()) out += ", ";
    out += name;
    if (n > 1) out += " x" + std::to_string(n);
  }
  return out;
}

namespace {

std::string Seconds(double s) {
  char buf[32];
  snprintf(buf, sizeof(buf), "%g", s);
  return std::string(buf) + "s";
}

// Why a finished run failed, in one line.
std::string FailureDetail(const RunOutcome& run, bool gtest) {
  std::string why;
  if (gtest) why = FirstGtestFailure(run.output);
  if (why.empty()) {
    why = "exit status " + std::to_string(run.exit_code);
    // The last meaningful line usually says more than the status.
    std::string last;
    for (std::string_view line : SplitLines(run.output)) {
      std::string_view t = Trim(line);
      if (t.empty() || t.starts_with("runsc: no unimplemented")) continue;
      if (t.starts_with("runsc: unimplemented syscalls hit:") ||
          t.starts_with("runsc: partially implemented syscalls hit:")) {
        break;  // the report starts; what follows are counts
      }
      last = std::string(t);
    }
    if (!last.empty()) why += ": " + Truncate(last, 200);
  }
  return why;
}

bool IsSkipCode(int code, const std::vector<int>& codes) {
  for (int c : codes) {
    if (c == code) return true;
  }
  return false;
}

}  // namespace

Verdict ClassifyNative(const RunOutcome& run, const std::string& gtest_case,
                       double timeout_seconds, const std::vector<int>& skip_exit_codes) {
  Verdict v;
  const bool gtest = !gtest_case.empty();
  v.status = Status::kNativeFail;
  if (!run.started) {
    v.detail = "cannot run natively: " + run.start_error;
  } else if (run.timed_out) {
    v.detail = "times out natively (no result after " + Seconds(timeout_seconds) + ")";
  } else if (run.signaled) {
    v.detail = "crashes natively: killed by " + SignalName(run.signo);
  } else if (!gtest && IsSkipCode(run.exit_code, skip_exit_codes)) {
    v.status = Status::kSkipped;
    v.detail = "skipped natively (exit status " + std::to_string(run.exit_code) + ")";
  } else if (run.exit_code != 0) {
    v.detail = "fails natively: " + FailureDetail(run, gtest);
  } else if (gtest && GtestCaseSkipped(run.output, gtest_case)) {
    v.status = Status::kSkipped;
    v.detail = "skipped natively";
  } else if (gtest && GtestRanNothing(run.output)) {
    v.detail = "the case did not run natively (--gtest_filter matched nothing)";
  } else {
    v.status = Status::kPass;
  }
  return v;
}

Verdict ClassifySandbox(const RunOutcome& run, const std::string& gtest_case,
                        double timeout_seconds,
                        const std::map<std::string, uint64_t>& background_unimplemented,
                        const std::map<std::string, uint64_t>& background_partial,
                        const std::vector<int>& skip_exit_codes) {
  Verdict v;
  const bool gtest = !gtest_case.empty();
  if (!run.started) {
    v.status = Status::kFail;
    v.detail = "cannot start runsc: " + run.start_error;
    return v;
  }
  if (run.timed_out) {
    // Killed before runsc could print its report: nothing more to say.
    v.status = Status::kTimeout;
    v.detail = "no result after " + Seconds(timeout_seconds);
    return v;
  }
  SyscallReport report = ParseSyscallReport(run.output);
  v.unimplemented = Excess(report.unimplemented, background_unimplemented);
  v.partial = Excess(report.partial, background_partial);

  // runsc do's conventions: 125 = runsc could not set up the sandbox,
  // 126/127 = the program could not be executed, 128+N = killed by signal N.
  // runsc itself killed by a signal is a crash too.
  std::string outcome;
  Status status;
  if (run.signaled) {
    status = Status::kCrash;
    outcome = "runsc was killed by " + SignalName(run.signo);
  } else if (run.exit_code == 0) {
    if (gtest && GtestCaseSkipped(run.output, gtest_case)) {
      v.status = Status::kSkipped;
      v.detail = "skipped in the sandbox only";
    } else {
      v.status = Status::kPass;
    }
    return v;
  } else if (!gtest && IsSkipCode(run.exit_code, skip_exit_codes)) {
    v.status = Status::kSkipped;
    v.detail = "skipped in the sandbox only (exit status " + std::to_string(run.exit_code) + ")";
    return v;
  } else if (run.exit_code > 128 && run.exit_code < 128 + 65) {
    status = Status::kCrash;
    outcome = "killed by " + SignalName(run.exit_code - 128);
  } else if (run.exit_code >= 125 && run.exit_code <= 127) {
    status = Status::kFail;
    std::string msg = RunscErrorLine(run.output);
    outcome = "runsc could not run it (exit " + std::to_string(run.exit_code) + ")";
    if (!msg.empty()) outcome += ": " + msg;
  } else {
    status = Status::kFail;
    outcome = FailureDetail(run, gtest);
  }
  if (!v.unimplemented.empty()) {
    v.status = Status::kUnimplemented;
    v.detail = FormatSyscalls(v.unimplemented) + " (then " + outcome + ")";
  } else {
    v.status = status;
    v.detail = outcome;
  }
  if (!v.partial.empty()) v.detail += "; partial syscalls hit: " + FormatSyscalls(v.partial);
  return v;
}

}  // namespace runsc::conformance
