// `runsc syscalls`: prints the syscall tables (number, name, support, note).
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "runsc-cli/commands.h"
#include "sentry/syscalls/table.h"

namespace runsc {

namespace {

const char* SupportName(sentry::Support s) {
  switch (s) {
    case sentry::Support::kSupported: return "supported";
    case sentry::Support::kPartial: return "partial";
    case sentry::Support::kUnimplemented: return "unimplemented";
  }
  return "?";
}

std::string JsonEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

int CmdSyscalls(const std::vector<std::string>& args) {
  std::string arch = "amd64", format = "table";
  for (size_t i = 0; i < args.size(); i++) {
    const std::string& a = args[i];
    auto value = [&](const std::string& name) -> std::string {
      if (a.rfind(name + "=", 0) == 0) return a.substr(name.size() + 1);
      if (a == name && i + 1 < args.size()) return args[++i];
      return "";
    };
    if (a.rfind("--arch", 0) == 0) {
      arch = value("--arch");
    } else if (a.rfind("--format", 0) == 0) {
      format = value("--format");
    } else {
      fprintf(stderr, "runsc syscalls: unknown flag \"%s\"\n", a.c_str());
      return 2;
    }
  }
  if (arch != "amd64" && arch != "i386") {
    fprintf(stderr, "runsc syscalls: --arch must be amd64 or i386\n");
    return 2;
  }
  if (format != "table" && format != "json" && format != "markdown") {
    fprintf(stderr, "runsc syscalls: --format must be table, json or markdown\n");
    return 2;
  }
  const auto& table = sentry::TableFor(arch == "amd64" ? platform::Arch::kAmd64
                                                       : platform::Arch::kI386);
  std::vector<const sentry::SyscallEntry*> rows;
  for (const auto& e : table.entries()) {
    if (e.name) rows.push_back(&e);
  }
  if (format == "json") {
    printf("[\n");
    for (size_t i = 0; i < rows.size(); i++) {
      const auto* e = rows[i];
      printf("  {\"nr\": %d, \"name\": \"%s\", \"support\": \"%s\", \"note\": \"%s\"}%s\n",
             e->nr, e->name, SupportName(e->support),
             JsonEscape(e->note).c_str(), i + 1 < rows.size() ? "," : "");
    }
    printf("]\n");
  } else if (format == "markdown") {
    printf("# %s syscalls\n\n", arch.c_str());
    printf("| nr | name | support | note |\n|---:|---|---|---|\n");
    for (const auto* e : rows) {
      printf("| %d | %s | %s | %s |\n", e->nr, e->name, SupportName(e->support),
             e->note);
    }
  } else {
    printf("%5s  %-24s %-14s %s\n", "NR", "NAME", "SUPPORT", "NOTE");
    for (const auto* e : rows) {
      printf("%5d  %-24s %-14s %s\n", e->nr, e->name, SupportName(e->support),
             e->note);
    }
  }
  return 0;
}

}  // namespace runsc
