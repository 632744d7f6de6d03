// What the conformance runner prints and writes: the list of problems, the
// summary table, the final count line, JUnit XML, its own JSON result file,
// and the comparison against a stored result (--baseline).
#ifndef RUNSC_CLI_CONFORMANCE_REPORT_H_
#define RUNSC_CLI_CONFORMANCE_REPORT_H_

#include <cstdio>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "runsc-cli/conformance/result.h"
#include "runsc-cli/conformance/runner.h"

namespace runsc::conformance {

struct Totals {
  size_t passed = 0, failed = 0;
  std::map<Status, size_t> by_status;
};
Totals Count(const std::vector<CaseResult>& results);

// One line per case that did not pass (native failures once, not per
// platform); with `output_lines` > 0 also the last lines of each one's output.
// Returns how many cases it listed.
size_t PrintProblems(FILE* out, const RunReport& report, size_t output_lines);

// The table: one row per binary and platform, a total per platform when
// there is more than one binary, then why unavailable platforms are.
void PrintSummaryTable(FILE* out, const RunReport& report);

// "N passed, N failed" and, in parentheses, what was not counted.
std::string FinalLine(const Totals& totals);

// JUnit XML: one <testsuite> per binary and platform named
// "<binary> [<platform>]", one <testcase> per case with
// classname="<binary>.<platform>". Failures are <failure type="fail|
// unimplemented">, timeouts and crashes <error type="timeout|crash">, and
// native-fail / skipped / unavailable cases <skipped type="...">.
std::string JunitXml(const RunReport& report);

// The runner's own result file (--save): every case with its status.
std::string ResultJson(const RunReport& report);

// A stored result, keyed by (binary, case, platform).
using ResultKey = std::tuple<std::string, std::string, std::string>;
struct Baseline {
  std::map<ResultKey, Status> status;
  std::map<ResultKey, std::string> detail;
};
// Reads a --save JSON file or a JUnit XML file (ours, or any JUnit whose
// testcases have classname="<binary>.<platform>"). False with *error on
// unreadable or malformed input.
bool LoadBaseline(const std::string& path, Baseline* out, std::string* error);
bool ParseBaseline(const std::string& text, Baseline* out, std::string* error);

struct Change {
  ResultKey key;
  std::optional<Status> before, after;  // nullopt: absent on that side
  std::string detail;                   // of the new result
};
struct Comparison {
  std::vector<Change> changes;
  size_t regressions = 0;  // now a failure, and was not (or is new)
  size_t fixes = 0;        // was a failure, is not any more (or is gone)
};
// Cases of the baseline missing now are reported as gone when
// `report_gone` (they are expected to be missing after a --filter).
Comparison Compare(const Baseline& baseline, const std::vector<CaseResult>& results,
                   bool report_gone = true);
void PrintComparison(FILE* out, const std::string& baseline_path, const Comparison& c);

}  // namespace runsc::conformance

#endif  // RUNSC_CLI_CONFORMANCE_REPORT_H_
