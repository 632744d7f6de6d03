#include "runsc-cli/conformance/runner.h"

#include <dirent.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>

#include "runsc-cli/conformance/process.h"
#include "runsc-cli/conformance/text.h"

extern char** environ;

namespace runsc::conformance {

namespace {

std::string Absolute(const std::string& path) {
  if (!path.empty() && path[0] == '/') return path;
  char buf[4096];
  if (!getcwd(buf, sizeof(buf))) return path;
  std::string cwd = buf;
  std::string rel = path;
  while (rel.starts_with("./")) rel.erase(0, 2);
  return cwd == "/" ? "/" + rel : cwd + "/" + rel;
}

std::string BaseName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool IsExecutableFile(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(path.c_str(), X_OK) == 0;
}

// Runs fn(0..n-1) on up to `jobs` threads.
void ParallelFor(size_t n, int jobs, const std::function<void(size_t)>& fn) {
  if (n == 0) return;
  const size_t threads = std::max<size_t>(1, std::min<size_t>(n, jobs));
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i; (i = next.fetch_add(1)) < n;) fn(i);
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; t++) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
}

// The live line on stderr: "[ 12/140] 10 pass 1 fail ... | running: x".
class Progress {
 public:
  explicit Progress(bool enabled) : enabled_(enabled) {}

  void Phase(const std::string& what) {
    if (!enabled_) return;
    std::lock_guard<std::mutex> l(mu_);
    phase_ = what;
    DrawLocked();
  }

  void Start(size_t total) {
    std::lock_guard<std::mutex> l(mu_);
    total_ = total;
    phase_.clear();
    if (enabled_) DrawLocked();
  }

  void Running(const std::string& what) {
    if (!enabled_) return;
    std::lock_guard<std::mutex> l(mu_);
    current_ = what;
    // At most 20 redraws a second for what is merely starting.
    const auto now = std::chrono::steady_clock::now();
    if (now - last_draw_ < std::chrono::milliseconds(50)) return;
    DrawLocked();
  }

  void Done(const std::vector<Status>& statuses) {
    std::lock_guard<std::mutex> l(mu_);
    done_++;
    for (Status s : statuses) counts_[s]++;
    if (enabled_) DrawLocked();
  }

  void Clear() {
    if (!enabled_) return;
    std::lock_guard<std::mutex> l(mu_);
    fputs("\r\x1b[K", stderr);
    fflush(stderr);
  }

 private:
  void DrawLocked() {
    std::string line;
    if (!phase_.empty()) {
      line = phase_;
    } else {
      char head[64];
      snprintf(head, sizeof(head), "[%zu/%zu]", done_, total_);
      line = head;
      for (Status s : kAllStatuses) {
        if (counts_[s] > 0) line += " " + std::to_string(counts_[s]) + " " + StatusName(s);
      }
      if (!current_.empty() && done_ < total_) line += " | " + current_;
    }
    // Keep to one terminal line.
    fprintf(stderr, "\r\x1b[K%s", Truncate(line, 150).c_str());
    fflush(stderr);
    last_draw_ = std::chrono::steady_clock::now();
  }

  const bool enabled_;
  std::mutex mu_;
  std::string phase_, current_;
  size_t done_ = 0, total_ = 0;
  std::map<Status, size_t> counts_;
  std::chrono::steady_clock::time_point last_draw_;
};

std::vector<std::string> SandboxArgv(const RunnerOptions& o, const std::string& platform,
                                     const std::vector<std::string>& program) {
  std::vector<std::string> argv = {o.runsc, "do", "--platform=" + platform,
                                   "--report-unimplemented"};
  argv.insert(argv.end(), o.runsc_flags.begin(), o.runsc_flags.end());
  argv.push_back("--");
  argv.insert(argv.end(), program.begin(), program.end());
  return argv;
}

// What a sandboxed run that should have done nothing went wrong with.
std::string DescribeFailedRun(const RunOutcome& run, double timeout) {
  if (!run.started) return run.start_error;
  if (run.timed_out) return "no result after " + std::to_string(static_cast<int>(timeout)) + "s";
  if (run.signaled) return "killed by " + SignalName(run.signo);
  std::string msg = RunscErrorLine(run.output);
  std::string out = "exit status " + std::to_string(run.exit_code);
  if (!msg.empty()) out += ": " + msg;
  return out;
}

}  // namespace

bool ResolveInputs(const std::vector<std::string>& inputs, std::vector<Binary>* out,
                   std::string* error) {
  std::vector<std::pair<std::string, std::string>> found;  // (as given, absolute)
  for (const std::string& input : inputs) {
    struct stat st;
    if (stat(input.c_str(), &st) != 0) {
      *error = input + ": " + strerror(errno);
      return false;
    }
    if (S_ISDIR(st.st_mode)) {
      DIR* dir = opendir(input.c_str());
      if (!dir) {
        *error = input + ": " + strerror(errno);
        return false;
      }
      std::vector<std::string> names;
      while (struct dirent* e = readdir(dir)) {
        if (e->d_name[0] == '.') continue;
        names.push_back(e->d_name);
      }
      closedir(dir);
      std::sort(names.begin(), names.end());
      size_t before = found.size();
      for (const std::string& name : names) {
        std::string path = input + (input.ends_with("/") ? "" : "/") + name;
        if (IsExecutableFile(path)) found.emplace_back(path, Absolute(path));
      }
      if (found.size() == before) {
        *error = input + ": no executable files in this directory";
        return false;
      }
    } else if (!S_ISREG(st.st_mode)) {
      *error = input + ": not a regular file or a directory";
      return false;
    } else if (access(input.c_str(), X_OK) != 0) {
      *error = input + ": not executable";
      return false;
    } else {
      found.emplace_back(input, Absolute(input));
    }
  }
  // Base names unless two binaries share one; then the paths as given.
  std::map<std::string, int> uses;
  for (const auto& f : found) uses[BaseName(f.second)]++;
  std::set<std::string> seen;
  out->clear();
  for (const auto& [given, abs] : found) {
    if (!seen.insert(abs).second) continue;  // the same file twice
    Binary b;
    b.path = abs;
    b.name = uses[BaseName(abs)] > 1 ? given : BaseName(abs);
    out->push_back(std::move(b));
  }
  return true;
}

bool MatchesFilter(const std::string& filter, const std::string& name) {
  if (filter.empty()) return true;
  std::string positive = filter, negative;
  if (size_t dash = filter.find('-'); dash != std::string::npos) {
    positive = filter.substr(0, dash);
    negative = filter.substr(dash + 1);
  }
  auto any = [&](const std::string& patterns) {
    size_t start = 0;
    while (start <= patterns.size()) {
      size_t colon = patterns.find(':', start);
      if (colon == std::string::npos) colon = patterns.size();
      std::string p = patterns.substr(start, colon - start);
      if (!p.empty() && fnmatch(p.c_str(), name.c_str(), 0) == 0) return true;
      start = colon + 1;
    }
    return false;
  };
  if (positive.empty()) positive = "*";
  return any(positive) && !any(negative);
}

std::vector<std::string> ChildEnvironment() {
  std::vector<std::string> env;
  for (char** e = environ; *e; e++) {
    if (strncmp(*e, "GTEST_", 6) == 0) continue;
    env.push_back(*e);
  }
  return env;
}

RunReport RunConformance(const RunnerOptions& o, std::vector<Binary> binaries) {
  RunReport report;
  Progress progress(o.progress);
  const std::vector<std::string> env = ChildEnvironment();
  auto cancelled = [&] { return o.cancel && o.cancel->load(); };
  auto spec = [&](std::vector<std::string> argv) {
    RunSpec s;
    s.argv = std::move(argv);
    s.env = env;
    s.timeout_seconds = o.timeout_seconds;
    s.cancel = o.cancel;
    return s;
  };

  // 1. Platforms: can they be created, and does a trivial program run?
  progress.Phase("checking platforms and listing cases...");
  for (const std::string& name : o.platforms) {
    Platform p;
    p.name = name;
    p.reason = o.platform_check ? o.platform_check(name) : "";
    p.available = p.reason.empty();
    report.platforms.push_back(std::move(p));
  }
  // 2. In parallel with the probes: what each binary is, and its cases.
  const size_t nplat = report.platforms.size();
  ParallelFor(nplat + binaries.size(), o.jobs, [&](size_t i) {
    if (cancelled()) return;
    if (i < nplat) {
      Platform& p = report.platforms[i];
      if (!p.available || o.probe_program.empty()) return;
      RunOutcome run = RunProcess(spec(SandboxArgv(o, p.name, {o.probe_program})));
      if (run.cancelled) return;
      if (!run.started || run.timed_out || run.signaled || run.exit_code != 0) {
        p.available = false;
        p.reason = "runsc do --platform=" + p.name + " -- " + o.probe_program +
                   " failed: " + DescribeFailedRun(run, o.timeout_seconds);
        return;
      }
      SyscallReport r = ParseSyscallReport(run.output);
      p.background_unimplemented = r.unimplemented;
      p.background_partial = r.partial;
      return;
    }
    Binary& b = binaries[i - nplat];
    std::string error;
    if (!InspectBinary(b.path, &b.kind, &error)) {
      b.list_error = error;
      b.gtest = true;  // reported as a binary that cannot be listed
      return;
    }
    b.gtest = b.kind == BinaryKind::kGtest;
    if (!b.gtest) {
      if (MatchesFilter(o.filter, b.name)) b.cases = {b.name};
      return;
    }
    RunOutcome run = RunProcess(spec({b.path, "--gtest_list_tests"}));
    std::vector<std::string> cases;
    if (run.cancelled) return;
    if (!run.started) {
      b.list_error = run.start_error;
    } else if (run.timed_out || run.signaled || run.exit_code != 0) {
      b.list_error = "--gtest_list_tests: " + DescribeFailedRun(run, o.timeout_seconds);
    } else if (!ParseGtestList(run.output, &cases, &error)) {
      b.list_error = "--gtest_list_tests printed something else than a list: " + error;
    }
    for (const std::string& c : cases) {
      if (MatchesFilter(o.filter, c)) b.cases.push_back(c);
    }
  });

  // 3. Per GoogleTest binary and platform, what starting the binary without
  // running any case hits in the sandbox; a binary that cannot even do that
  // fails every case the same way.
  struct Background {
    std::map<std::string, uint64_t> unimplemented, partial;
    bool failed = false;
    Verdict failure;
    RunOutcome run;
  };
  std::vector<Background> background(binaries.size() * nplat);
  if (!cancelled()) progress.Phase("starting each binary in the sandbox...");
  ParallelFor(background.size(), o.jobs, [&](size_t i) {
    const Binary& b = binaries[i / nplat];
    const Platform& p = report.platforms[i % nplat];
    Background& bg = background[i];
    bg.unimplemented = p.background_unimplemented;
    bg.partial = p.background_partial;
    if (cancelled() || !p.available || !b.gtest || !b.list_error.empty() || b.cases.empty()) {
      return;
    }
    bg.run = RunProcess(spec(SandboxArgv(o, p.name, {b.path, "--gtest_filter=-*"})));
    if (bg.run.cancelled) return;
    Verdict v = ClassifySandbox(bg.run, "", o.timeout_seconds, p.background_unimplemented,
                                p.background_partial);
    if (v.status == Status::kPass) {
      SyscallReport r = ParseSyscallReport(bg.run.output);
      bg.unimplemented = r.unimplemented;
      bg.partial = r.partial;
    } else {
      bg.failed = true;
      v.detail = "fails in the sandbox before any case runs: " + v.detail;
      bg.failure = v;
    }
  });

  // 4. The cases.
  struct Job {
    size_t binary;
    std::string name;  // case name ("" = the binary could not be listed)
    size_t first_result;
  };
  std::vector<Job> jobs;
  for (size_t bi = 0; bi < binaries.size(); bi++) {
    const Binary& b = binaries[bi];
    if (!b.list_error.empty()) {
      if (MatchesFilter(o.filter, b.name)) jobs.push_back({bi, "", 0});
      continue;
    }
    for (const std::string& c : b.cases) jobs.push_back({bi, c, 0});
  }
  report.results.resize(jobs.size() * nplat);
  for (size_t j = 0; j < jobs.size(); j++) {
    jobs[j].first_result = j * nplat;
    const Binary& b = binaries[jobs[j].binary];
    for (size_t pi = 0; pi < nplat; pi++) {
      CaseResult& r = report.results[j * nplat + pi];
      r.binary = b.name;
      r.path = b.path;
      r.name = jobs[j].name.empty() ? b.name : jobs[j].name;
      r.platform = report.platforms[pi].name;
    }
  }
  progress.Start(jobs.size());
  ParallelFor(jobs.size(), o.jobs, [&](size_t j) {
    const Job& job = jobs[j];
    const Binary& b = binaries[job.binary];
    CaseResult* results = &report.results[job.first_result];
    std::vector<Status> statuses;
    auto set_all = [&](const Verdict& v, double seconds, const std::string& output) {
      for (size_t pi = 0; pi < nplat; pi++) {
        results[pi].status = report.platforms[pi].available ? v.status : Status::kUnavailable;
        results[pi].detail =
            report.platforms[pi].available ? v.detail : report.platforms[pi].reason;
        results[pi].seconds = seconds;
        if (report.platforms[pi].available && v.status != Status::kPass) {
          results[pi].output = output;
        }
        statuses.push_back(results[pi].status);
      }
    };
    if (cancelled()) return;
    if (job.name.empty()) {  // a GoogleTest binary that cannot be listed
      Verdict v;
      v.status = Status::kNativeFail;
      v.detail = "cannot list the cases: " + b.list_error;
      set_all(v, 0, "");
      progress.Done(statuses);
      return;
    }
    const std::string gtest_case = b.gtest ? job.name : "";
    std::vector<std::string> program = {b.path};
    if (b.gtest) program.push_back("--gtest_filter=" + job.name);

    progress.Running(b.name + " " + (b.gtest ? job.name : "") + " [native]");
    RunOutcome native = RunProcess(spec(program));
    if (native.cancelled) return;
    Verdict nv = ClassifyNative(native, gtest_case, o.timeout_seconds, o.skip_exit_codes);
    if (nv.status != Status::kPass) {
      set_all(nv, native.seconds, native.output);
      progress.Done(statuses);
      return;
    }
    for (size_t pi = 0; pi < nplat; pi++) {
      const Platform& p = report.platforms[pi];
      CaseResult& r = results[pi];
      if (!p.available) {
        r.status = Status::kUnavailable;
        r.detail = p.reason;
        statuses.push_back(r.status);
        continue;
      }
      const Background& bg = background[job.binary * nplat + pi];
      if (bg.failed) {
        r.status = bg.failure.status;
        r.detail = bg.failure.detail;
        r.unimplemented = bg.failure.unimplemented;
        r.partial = bg.failure.partial;
        r.seconds = bg.run.seconds;
        r.output = bg.run.output;
        statuses.push_back(r.status);
        continue;
      }
      progress.Running(b.name + " " + (b.gtest ? job.name : "") + " [" + p.name + "]");
      RunOutcome run = RunProcess(spec(SandboxArgv(o, p.name, program)));
      if (run.cancelled) return;
      Verdict v = ClassifySandbox(run, gtest_case, o.timeout_seconds, bg.unimplemented,
                                  bg.partial, o.skip_exit_codes);
      r.status = v.status;
      r.detail = v.detail;
      r.unimplemented = v.unimplemented;
      r.partial = v.partial;
      r.seconds = run.seconds;
      if (v.status != Status::kPass) r.output = std::move(run.output);
      statuses.push_back(r.status);
    }
    progress.Done(statuses);
  });
  progress.Clear();
  report.cancelled = cancelled();
  report.binaries = std::move(binaries);
  return report;
}

}  // namespace runsc::conformance
