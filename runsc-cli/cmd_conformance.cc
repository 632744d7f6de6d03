// `runsc conformance [flags] BINARY…|DIR`: runs syscall test binaries case by
// case natively and in a fresh sandbox per platform, and reports where the
// sandbox differs from Linux. See docs/conformance.md.
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "platform/platform.h"
#include "runsc-cli/commands.h"
#include "runsc-cli/conformance/report.h"
#include "runsc-cli/conformance/runner.h"

namespace runsc {

namespace {

namespace rc = runsc::conformance;

constexpr char kConformanceUsage[] =
    "usage: runsc conformance [flags] BINARY... | DIR\n"
    "\n"
    "Runs each case of each GoogleTest binary (found with --gtest_list_tests)\n"
    "natively first, then in a fresh sandbox per platform, and classifies it:\n"
    "pass, fail, timeout, crash, unimplemented (names the missing syscalls),\n"
    "native-fail (the test is broken: not counted), skipped (not counted).\n"
    "A binary that is not a GoogleTest binary is one case: exit 0 = pass.\n"
    "A DIR contributes its executable files. Exit status: 0 when nothing\n"
    "failed, 1 when something did, 2 on usage errors or when no platform\n"
    "works.\n"
    "\n"
    "flags:\n"
    "  --platform=P[,P...]    sandbox platforms (default ptrace,seccomp); ones that do\n"
    "                         not exist here are reported as unavailable\n"
    "  --jobs N, -j N         cases run in parallel (default: number of CPUs)\n"
    "  --timeout S            seconds per case and per run (default 60)\n"
    "  --filter GLOB          cases to run, GoogleTest style: 'A*:B*-C*'\n"
    "                         (a non-GoogleTest binary's case is its name)\n"
    "  --junit FILE           write JUnit XML\n"
    "  --save FILE            write the results as JSON (for --baseline)\n"
    "  --baseline FILE        show only what changed since a result stored\n"
    "                         with --save or --junit\n"
    "  --new-failures-only    with --baseline: exit 1 only for failures the\n"
    "                         baseline did not have\n"
    "  --skip-exit N[,N...]   exit statuses of non-GoogleTest binaries that\n"
    "                         mean skipped (LTP: 32, TCONF)\n"
    "  --runsc-flag FLAG      pass FLAG to `runsc do` (repeatable)\n"
    "  --verbose, -v          print the last lines of output of each problem\n"
    "  --list                 list the cases and exit\n";

std::atomic<bool> g_interrupted{false};

void OnInterrupt(int) { g_interrupted.store(true); }

struct Flags {
  rc::RunnerOptions runner;
  std::vector<std::string> inputs;
  std::string junit, save, baseline;
  bool new_failures_only = false;
  bool verbose = false;
  bool list = false;
};

int DefaultJobs() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<int>(n) : 1;
}

bool ParseSeconds(const std::string& s, double* out) {
  std::string v = s;
  if (!v.empty() && v.back() == 's') v.pop_back();
  char* end = nullptr;
  errno = 0;
  double d = strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || errno != 0 || !(d > 0) || d > 86400 * 7) return false;
  *out = d;
  return true;
}

bool ParseFlags(const std::vector<std::string>& args, Flags* f, std::string* err,
                bool* help) {
  f->runner.jobs = DefaultJobs();
  bool platform_given = false;
  for (size_t i = 0; i < args.size(); i++) {
    const std::string& a = args[i];
    if (a == "--") {
      f->inputs.insert(f->inputs.end(), args.begin() + i + 1, args.end());
      break;
    }
    if (a.empty() || a[0] != '-') {
      f->inputs.push_back(a);
      continue;
    }
    std::string name = a, value;
    bool has_value = false;
    if (auto eq = a.find('='); eq != std::string::npos && a.starts_with("--")) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
      has_value = true;
    } else if (a.starts_with("-j") && a.size() > 2) {  // -j4
      name = "-j";
      value = a.substr(2);
      has_value = true;
    }
    auto take = [&]() -> bool {
      if (has_value) return true;
      if (i + 1 >= args.size()) {
        *err = name + " needs a value";
        return false;
      }
      value = args[++i];
      return true;
    };
    if (name == "--help" || name == "-h") {
      *help = true;
      return true;
    } else if (name == "--platform") {
      if (!take()) return false;
      if (!platform_given) f->runner.platforms.clear();
      platform_given = true;
      size_t start = 0;
      while (start <= value.size()) {
        size_t comma = value.find(',', start);
        if (comma == std::string::npos) comma = value.size();
        std::string p = value.substr(start, comma - start);
        if (!p.empty() && std::find(f->runner.platforms.begin(), f->runner.platforms.end(), p) ==
                              f->runner.platforms.end()) {
          f->runner.platforms.push_back(p);
        }
        start = comma + 1;
      }
      if (f->runner.platforms.empty()) {
        *err = "--platform names no platform";
        return false;
      }
    } else if (name == "--jobs" || name == "-j") {
      if (!take()) return false;
      char* end = nullptr;
      long n = strtol(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || n < 1 || n > 1024) {
        *err = "--jobs wants a number from 1 to 1024, got \"" + value + "\"";
        return false;
      }
      f->runner.jobs = static_cast<int>(n);
    } else if (name == "--timeout") {
      if (!take()) return false;
      if (!ParseSeconds(value, &f->runner.timeout_seconds)) {
        *err = "--timeout wants a positive number of seconds, got \"" + value + "\"";
        return false;
      }
    } else if (name == "--filter") {
      if (!take()) return false;
      f->runner.filter = value;
    } else if (name == "--junit") {
      if (!take()) return false;
      f->junit = value;
    } else if (name == "--save" || name == "--json") {
      if (!take()) return false;
      f->save = value;
    } else if (name == "--baseline") {
      if (!take()) return false;
      f->baseline = value;
    } else if (name == "--new-failures-only") {
      f->new_failures_only = true;
    } else if (name == "--skip-exit") {
      if (!take()) return false;
      size_t start = 0;
      while (start <= value.size()) {
        size_t comma = value.find(',', start);
        if (comma == std::string::npos) comma = value.size();
        std::string code = value.substr(start, comma - start);
        char* end = nullptr;
        long n = strtol(code.c_str(), &end, 10);
        if (code.empty() || *end != '\0' || n < 1 || n > 255) {
          *err = "--skip-exit wants exit statuses from 1 to 255, got \"" + value + "\"";
          return false;
        }
        f->runner.skip_exit_codes.push_back(static_cast<int>(n));
        start = comma + 1;
      }
    } else if (name == "--runsc-flag") {
      if (!take()) return false;
      f->runner.runsc_flags.push_back(value);
    } else if (name == "--verbose" || name == "-v") {
      f->verbose = true;
    } else if (name == "--list") {
      f->list = true;
    } else {
      *err = "unknown flag \"" + a + "\"";
      return false;
    }
  }
  if (f->inputs.empty()) {
    *err = "no test binary or directory given";
    return false;
  }
  if (f->new_failures_only && f->baseline.empty()) {
    *err = "--new-failures-only needs --baseline";
    return false;
  }
  return true;
}

std::string SelfPath() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return "";
  buf[n] = '\0';
  return buf;
}

std::string CheckPlatform(const std::string& name) {
  auto p = platform::Platform::Create(name);
  if (p.ok()) return "";
  return std::string(p.status().message());
}

bool WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
  out.close();
  if (!out) {
    fprintf(stderr, "runsc conformance: cannot write %s: %s\n", path.c_str(), strerror(errno));
    return false;
  }
  return true;
}

}  // namespace

int CmdConformance(const std::vector<std::string>& args) {
  Flags f;
  std::string err;
  bool help = false;
  if (!ParseFlags(args, &f, &err, &help)) {
    fprintf(stderr, "runsc conformance: %s\n%s", err.c_str(), kConformanceUsage);
    return 2;
  }
  if (help) {
    fputs(kConformanceUsage, stdout);
    return 0;
  }
  std::vector<rc::Binary> binaries;
  if (!rc::ResolveInputs(f.inputs, &binaries, &err)) {
    fprintf(stderr, "runsc conformance: %s\n", err.c_str());
    return 2;
  }
  rc::Baseline baseline;
  if (!f.baseline.empty() && !rc::LoadBaseline(f.baseline, &baseline, &err)) {
    fprintf(stderr, "runsc conformance: --baseline %s\n", err.c_str());
    return 2;
  }

  f.runner.runsc = SelfPath();
  if (f.runner.runsc.empty()) {
    fprintf(stderr, "runsc conformance: cannot find the runsc binary (/proc/self/exe)\n");
    return 2;
  }
  for (const char* probe : {"/usr/bin/true", "/bin/true"}) {
    if (access(probe, X_OK) == 0) {
      f.runner.probe_program = probe;
      break;
    }
  }
  f.runner.platform_check = CheckPlatform;
  f.runner.progress = !f.list && isatty(STDERR_FILENO);
  f.runner.cancel = &g_interrupted;

  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = OnInterrupt;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &sa, nullptr);

  if (f.list) {
    int status = 0;
    std::vector<std::string> env = rc::ChildEnvironment();
    for (rc::Binary& b : binaries) {
      std::string error;
      if (!rc::InspectBinary(b.path, &b.kind, &error)) {
        fprintf(stderr, "runsc conformance: %s\n", error.c_str());
        status = 1;
        continue;
      }
      if (b.kind != rc::BinaryKind::kGtest) {
        if (rc::MatchesFilter(f.runner.filter, b.name)) {
          printf("%s\t%s\t(not a GoogleTest binary: one case)\n", b.name.c_str(), b.name.c_str());
        }
        continue;
      }
      rc::RunSpec spec;
      spec.argv = {b.path, "--gtest_list_tests"};
      spec.env = env;
      spec.timeout_seconds = f.runner.timeout_seconds;
      spec.cancel = &g_interrupted;
      rc::RunOutcome run = rc::RunProcess(spec);
      std::vector<std::string> cases;
      if (!run.started || run.timed_out || run.signaled || run.exit_code != 0 ||
          !rc::ParseGtestList(run.output, &cases, &error)) {
        fprintf(stderr, "runsc conformance: %s: cannot list the cases\n", b.name.c_str());
        status = 1;
        continue;
      }
      for (const std::string& c : cases) {
        if (rc::MatchesFilter(f.runner.filter, c)) printf("%s\t%s\n", b.name.c_str(), c.c_str());
      }
    }
    return status;
  }

  rc::RunReport report = rc::RunConformance(f.runner, std::move(binaries));
  if (report.cancelled) {
    fprintf(stderr, "runsc conformance: interrupted\n");
    return 130;
  }
  if (report.results.empty()) {
    fprintf(stderr, "runsc conformance: no case to run%s\n",
            f.runner.filter.empty() ? "" : " (--filter matched nothing)");
    return 2;
  }

  const rc::Totals totals = rc::Count(report.results);
  if (!f.baseline.empty()) {
    rc::Comparison c = rc::Compare(baseline, report.results, f.runner.filter.empty());
    rc::PrintComparison(stdout, f.baseline, c);
    printf("\n");
  } else if (rc::PrintProblems(stdout, report, f.verbose ? 20 : 0) > 0) {
    printf("\n");
  }
  rc::PrintSummaryTable(stdout, report);
  printf("\n%s\n", rc::FinalLine(totals).c_str());
  fflush(stdout);

  bool wrote = true;
  if (!f.junit.empty()) wrote &= WriteFile(f.junit, rc::JunitXml(report));
  if (!f.save.empty()) wrote &= WriteFile(f.save, rc::ResultJson(report));

  bool any_platform = false;
  for (const rc::Platform& p : report.platforms) any_platform |= p.available;
  if (!any_platform) {
    fprintf(stderr, "runsc conformance: no requested platform is available\n");
    return 2;
  }
  if (!wrote) return 2;
  if (f.new_failures_only) {
    return rc::Compare(baseline, report.results, f.runner.filter.empty()).regressions > 0 ? 1 : 0;
  }
  return totals.failed > 0 ? 1 : 0;
}

}  // namespace runsc
