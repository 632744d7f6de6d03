// What the runner knows about GoogleTest binaries and about what `runsc do`
// prints: case listing, per-case output, the syscall report.
#ifndef RUNSC_CLI_CONFORMANCE_GTEST_H_
#define RUNSC_CLI_CONFORMANCE_GTEST_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace runsc::conformance {

enum class BinaryKind {
  kGtest,    // an ELF file that links GoogleTest
  kElf,      // another ELF executable
  kScript,   // starts with #!
  kOther,    // anything else the kernel may be able to execute
};

// Looks at the file's contents: an ELF file is taken for a GoogleTest binary
// when it carries GoogleTest's own strings or symbols (static or shared
// libgtest). Returns false with *error when the file cannot be read.
bool InspectBinary(const std::string& path, BinaryKind* kind, std::string* error);

// Parses `--gtest_list_tests` output into full case names ("Suite.Case"),
// dropping the comments GoogleTest appends to typed and value-parameterized
// tests ("  # TypeParam = int", "  # GetParam() = 4"). Lines before the
// first suite that are not part of a list (gtest_main's "Running main()
// from ...") are skipped, and so are disabled cases (DISABLED_*), which
// GoogleTest lists but does not run; returns false with *error on any later line
// GoogleTest would not print.
bool ParseGtestList(std::string_view output, std::vector<std::string>* cases,
                    std::string* error);

// Whether the output of a run with --gtest_filter=`name` says the case was
// skipped (GTEST_SKIP), or that no case ran at all.
bool GtestCaseSkipped(std::string_view output, const std::string& name);
bool GtestRanNothing(std::string_view output);

// A one-line summary of the first GoogleTest failure in `output`
// ("foo_test.cc:12: Failure / Expected equality of these values: ..."), or
// "" when there is none.
std::string FirstGtestFailure(std::string_view output);

// The syscall report `runsc do --report-unimplemented` prints at exit:
//   runsc: unimplemented syscalls hit:
//     NAME    COUNT
// and, when the sentry reports them, partially implemented ones under
//   runsc: partially implemented syscalls hit:
// The last report in `output` counts. Missing sections leave maps empty.
struct SyscallReport {
  bool present = false;  // a report (even "no ... were hit") was printed
  std::map<std::string, uint64_t> unimplemented;
  std::map<std::string, uint64_t> partial;
};
SyscallReport ParseSyscallReport(std::string_view output);

// The message `runsc do` printed when it could not run the program at all
// (a line starting "runsc do: " or "runsc: " other than the syscall
// report), or "".
std::string RunscErrorLine(std::string_view output);

// Counts in `hits` above those in `background` (entries that end up at zero
// are dropped).
std::map<std::string, uint64_t> Excess(const std::map<std::string, uint64_t>& hits,
                                       const std::map<std::string, uint64_t>& background);

}  // namespace runsc::conformance

#endif  // RUNSC_CLI_CONFORMANCE_GTEST_H_
