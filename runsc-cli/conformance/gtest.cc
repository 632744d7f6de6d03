#include "runsc-cli/conformance/gtest.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "runsc-cli/conformance/text.h"

namespace runsc::conformance {

namespace {

// Strings every GoogleTest binary carries: the sharding variable (static
// libgtest), the testing:: namespace in mangled names (static or shared).
constexpr std::string_view kGtestMarkers[] = {"GTEST_SHARD_INDEX", "_ZN7testing8internal",
                                              "gtest_list_tests"};

bool Contains(const char* data, size_t size, std::string_view needle) {
  return memmem(data, size, needle.data(), needle.size()) != nullptr;
}

bool IsSpaceChar(char c) { return c == ' ' || c == '\t'; }

// First whitespace-delimited token of `s` and what follows it.
std::string_view FirstToken(std::string_view s, std::string_view* rest) {
  size_t b = 0;
  while (b < s.size() && IsSpaceChar(s[b])) b++;
  size_t e = b;
  while (e < s.size() && !IsSpaceChar(s[e])) e++;
  *rest = s.substr(e);
  return s.substr(b, e - b);
}

// After a name, GoogleTest prints nothing or "  # comment".
bool IsCommentOrEmpty(std::string_view rest) {
  rest = Trim(rest);
  return rest.empty() || rest[0] == '#';
}

// GoogleTest's rule: a suite or case named DISABLED_* or */DISABLED_*.
bool IsDisabled(std::string_view name) {
  return name.starts_with("DISABLED_") || name.find("/DISABLED_") != std::string_view::npos;
}

}  // namespace

bool InspectBinary(const std::string& path, BinaryKind* kind, std::string* error) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = path + ": " + strerror(errno);
    return false;
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    *error = path + ": " + strerror(errno);
    close(fd);
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    *error = path + ": not a regular file";
    close(fd);
    return false;
  }
  char head[4] = {};
  ssize_t n = pread(fd, head, sizeof(head), 0);
  if (n >= 2 && head[0] == '#' && head[1] == '!') {
    *kind = BinaryKind::kScript;
  } else if (n == 4 && memcmp(head, "\x7f" "ELF", 4) == 0) {
    *kind = BinaryKind::kElf;
    void* map = mmap(nullptr, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map != MAP_FAILED) {
      const char* data = static_cast<const char*>(map);
      for (std::string_view marker : kGtestMarkers) {
        if (Contains(data, st.st_size, marker)) {
          *kind = BinaryKind::kGtest;
          break;
        }
      }
      munmap(map, st.st_size);
    }
  } else {
    *kind = BinaryKind::kOther;
  }
  close(fd);
  return true;
}

bool ParseGtestList(std::string_view output, std::vector<std::string>* cases,
                    std::string* error) {
  cases->clear();
  std::string suite;
  std::string skipped;  // the last line skipped before the first suite
  int lineno = 0;
  for (std::string_view line : SplitLines(output)) {
    lineno++;
    if (Trim(line).empty()) continue;
    std::string_view rest;
    std::string_view token = FirstToken(line, &rest);
    if (!IsSpaceChar(line[0])) {
      // "Suite." or "Prefix/Suite/0.  # TypeParam = int"
      if (token.size() < 2 || token.back() != '.' || !IsCommentOrEmpty(rest)) {
        // What main() prints before GoogleTest lists (gtest_main's
        // "Running main() from ...", a log line) is not part of the list.
        if (suite.empty()) {
          if (!line.starts_with("Running main() from ")) skipped = std::string(line);
          continue;
        }
        *error = "line " + std::to_string(lineno) + " is not a test suite: \"" +
                 Truncate(line, 80) + "\"";
        return false;
      }
      suite = std::string(token.substr(0, token.size() - 1));
    } else {
      // "  Case" or "  Case/3  # GetParam() = (1, 2)"
      if (suite.empty()) {
        *error = "line " + std::to_string(lineno) + " names a case outside any suite";
        return false;
      }
      if (token.empty() || !IsCommentOrEmpty(rest)) {
        *error = "line " + std::to_string(lineno) + " is not a test case: \"" +
                 Truncate(line, 80) + "\"";
        return false;
      }
      // GoogleTest lists disabled cases but never runs them (without
      // --gtest_also_run_disabled_tests): leave them out, as its runs do.
      if (IsDisabled(suite) || IsDisabled(token)) continue;
      cases->push_back(suite + "." + std::string(token));
    }
  }
  if (suite.empty() && !skipped.empty()) {
    // Output, but no list at all: not what --gtest_list_tests prints.
    *error = "no test suite listed, but: \"" + Truncate(skipped, 80) + "\"";
    return false;
  }
  return true;
}

bool GtestCaseSkipped(std::string_view output, const std::string& name) {
  const std::string marker = "[  SKIPPED ] " + name;
  for (std::string_view line : SplitLines(output)) {
    if (line.starts_with(marker) &&
        (line.size() == marker.size() || line[marker.size()] == ' ')) {
      return true;
    }
  }
  return false;
}

bool GtestRanNothing(std::string_view output) {
  for (std::string_view line : SplitLines(output)) {
    if (line.starts_with("[==========] 0 tests from ")) return true;
  }
  return false;
}

std::string FirstGtestFailure(std::string_view output) {
  std::vector<std::string_view> lines = SplitLines(output);
  for (size_t i = 0; i < lines.size(); i++) {
    std::string_view line = Trim(lines[i]);
    if (!line.ends_with(": Failure") && line != "Failure") continue;
    std::string summary(line);
    int taken = 0;
    for (size_t k = i + 1; k < lines.size() && taken < 4; k++) {
      std::string_view next = Trim(lines[k]);
      if (next.empty()) continue;
      if (next.starts_with("[ ") || next.starts_with("[==") || next.starts_with("[--") ||
          next.starts_with("runsc: ")) {
        break;
      }
      summary += " / ";
      summary += next;
      taken++;
    }
    return Truncate(summary, 300);
  }
  return "";
}

namespace {

constexpr std::string_view kUnimplementedHeader = "runsc: unimplemented syscalls hit:";
constexpr std::string_view kPartialHeader = "runsc: partially implemented syscalls hit:";
constexpr std::string_view kNoneLine = "runsc: no unimplemented syscalls were hit";

// Reads "  NAME   COUNT" lines from lines[i+1...].
std::map<std::string, uint64_t> ReadCounts(const std::vector<std::string_view>& lines,
                                           size_t header) {
  std::map<std::string, uint64_t> counts;
  for (size_t k = header + 1; k < lines.size(); k++) {
    std::string_view line = lines[k];
    if (line.empty() || !IsSpaceChar(line[0])) break;
    std::string_view rest;
    std::string_view name = FirstToken(line, &rest);
    std::string_view count = Trim(rest);
    if (name.empty() || count.empty() ||
        count.find_first_not_of("0123456789") != std::string_view::npos) {
      break;
    }
    counts[std::string(name)] += strtoull(std::string(count).c_str(), nullptr, 10);
  }
  return counts;
}

}  // namespace

SyscallReport ParseSyscallReport(std::string_view output) {
  SyscallReport report;
  std::vector<std::string_view> lines = SplitLines(output);
  // The report is the tail of the output: find the last header of each kind.
  size_t unimpl = lines.size(), partial = lines.size();
  for (size_t i = 0; i < lines.size(); i++) {
    if (lines[i] == kUnimplementedHeader) unimpl = i;
    if (lines[i] == kPartialHeader) partial = i;
    if (lines[i].starts_with(kNoneLine)) {
      report.present = true;
      unimpl = lines.size();
      report.unimplemented.clear();
    }
  }
  if (unimpl < lines.size()) {
    report.present = true;
    report.unimplemented = ReadCounts(lines, unimpl);
  }
  if (partial < lines.size()) {
    report.present = true;
    report.partial = ReadCounts(lines, partial);
  }
  return report;
}

std::string RunscErrorLine(std::string_view output) {
  std::string found;
  for (std::string_view line : SplitLines(output)) {
    if (!line.starts_with("runsc do: ") && !line.starts_with("runsc: ")) continue;
    if (line == kUnimplementedHeader || line == kPartialHeader ||
        line.starts_with(kNoneLine) || line.starts_with("runsc: no partially")) {
      continue;
    }
    found = std::string(line);  // the last one is the final word
  }
  return Truncate(found, 300);
}

std::map<std::string, uint64_t> Excess(const std::map<std::string, uint64_t>& hits,
                                       const std::map<std::string, uint64_t>& background) {
  std::map<std::string, uint64_t> out;
  for (const auto& [name, n] : hits) {
    auto it = background.find(name);
    const uint64_t base = it == background.end() ? 0 : it->second;
    if (n > base) out[name] = n - base;
  }
  return out;
}

}  // namespace runsc::conformance
