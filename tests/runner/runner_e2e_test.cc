// End-to-end test of `runsc conformance`: runs it over fixtures/ (built into
// $RUNNER_FIXTURES) with the runsc binary $RUNSC, and checks that every case
// gets the class it was written for, in the table, the JSON and the JUnit.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "runsc-cli/conformance/json.h"
#include "runsc-cli/conformance/process.h"
#include "runsc-cli/conformance/report.h"
#include "runsc-cli/conformance/runner.h"
#include "runsc-cli/conformance/text.h"

namespace runsc::conformance {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The hanging fixture costs this long on every run that includes it.
constexpr char kTimeout[] = "5";

std::string Env(const char* name) {
  const char* v = getenv(name);
  return v ? v : "";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct CliRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

CliRun Conformance(const std::vector<std::string>& args) {
  RunSpec spec;
  spec.argv = {Env("RUNSC"), "conformance"};
  // The build tree may live under the host's /tmp, which the sandbox
  // replaces with its own tmpfs: bind it (comma-separated HOST:GUEST:ro).
  std::string volumes = Env("RUNSC_TEST_VOLUMES");
  for (size_t start = 0; !volumes.empty() && start <= volumes.size();) {
    size_t end = volumes.find(',', start);
    if (end == std::string::npos) end = volumes.size();
    if (end > start) {
      spec.argv.push_back("--runsc-flag=--volume=" +
                          volumes.substr(start, end - start));
    }
    start = end + 1;
  }
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.env = ChildEnvironment();
  spec.timeout_seconds = 180;
  RunOutcome r = RunProcess(spec);
  EXPECT_TRUE(r.started) << r.start_error;
  EXPECT_FALSE(r.timed_out);
  EXPECT_FALSE(r.signaled) << "runsc conformance died of " << SignalName(r.signo);
  return {r.exit_code, r.output};
}

std::string Describe(const std::vector<std::string>& args, const CliRun& r) {
  std::string s = "runsc conformance";
  for (const auto& a : args) s += " " + a;
  return s + "\nexit " + std::to_string(r.exit_code) + "\n" + r.output;
}

class RunnerE2E : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_FALSE(Env("RUNSC").empty()) << "set RUNSC to the runsc binary";
    ASSERT_FALSE(Env("RUNNER_FIXTURES").empty()) << "set RUNNER_FIXTURES";
    mkdir("runner-e2e", 0755);
    args_ = new std::vector<std::string>{"--platform=ptrace,no-such-platform",
                                         "--timeout", kTimeout,
                                         "--jobs", "4",
                                         "--junit", "runner-e2e/all.xml",
                                         "--save", "runner-e2e/all.json",
                                         Env("RUNNER_FIXTURES")};
    run_ = new CliRun(Conformance(*args_));
    std::string err;
    json_ = new JsonValue();
    ASSERT_TRUE(ParseJson(ReadFile("runner-e2e/all.json"), json_, &err))
        << err << "\n" << Describe(*args_, *run_);
  }
  static void TearDownTestSuite() {
    delete run_;
    delete json_;
    delete args_;
  }

  static std::string What() { return Describe(*args_, *run_); }

  // (binary, case, platform) -> status, from --save.
  static std::map<ResultKey, std::string> Statuses() {
    std::map<ResultKey, std::string> out;
    for (const JsonValue& r : json_->Find("results")->array) {
      out[ResultKey(r.StringOr("binary", ""), r.StringOr("case", ""),
                    r.StringOr("platform", ""))] = r.StringOr("status", "");
    }
    return out;
  }

  static const JsonValue* Result(const std::string& binary, const std::string& name,
                                 const std::string& platform) {
    for (const JsonValue& r : json_->Find("results")->array) {
      if (r.StringOr("binary", "") == binary && r.StringOr("case", "") == name &&
          r.StringOr("platform", "") == platform) {
        return &r;
      }
    }
    return nullptr;
  }

  static std::vector<std::string>* args_;
  static CliRun* run_;
  static JsonValue* json_;
};

std::vector<std::string>* RunnerE2E::args_ = nullptr;
CliRun* RunnerE2E::run_ = nullptr;
JsonValue* RunnerE2E::json_ = nullptr;

// What each fixture case is for.
const std::map<std::pair<std::string, std::string>, std::string>& Expected() {
  static const auto* expected = new std::map<std::pair<std::string, std::string>, std::string>{
      {{"fixture_test", "Fixture.Passes"}, "pass"},
      {{"fixture_test", "Fixture.FailsInSandbox"}, "fail"},
      {{"fixture_test", "Fixture.FailsNatively"}, "native-fail"},
      {{"fixture_test", "Fixture.HangsInSandbox"}, "timeout"},
      {{"fixture_test", "Fixture.CrashesInSandbox"}, "crash"},
      {{"fixture_test", "Fixture.UnimplementedInSandbox"}, "unimplemented"},
      {{"fixture_test", "Fixture.Skipped"}, "skipped"},
      {{"fixture_test", "TypedFixture/0.Passes"}, "pass"},
      {{"fixture_test", "TypedFixture/1.Passes"}, "pass"},
      {{"fixture_test", "Small/ParamFixture.Passes/0"}, "pass"},
      {{"fixture_test", "Small/ParamFixture.Passes/1"}, "pass"},
      {{"fixture_test", "Named/ParamFixture.Passes/three"}, "pass"},
      {{"exit0", "exit0"}, "pass"},
      {{"exit1", "exit1"}, "native-fail"},
      {{"exit1_in_sandbox", "exit1_in_sandbox"}, "fail"},
      {{"script.sh", "script.sh"}, "pass"},
  };
  return *expected;
}

TEST_F(RunnerE2E, ExitsOneBecauseCasesFailed) { EXPECT_EQ(run_->exit_code, 1) << What(); }

TEST_F(RunnerE2E, EveryCaseHasItsClass) {
  std::map<ResultKey, std::string> want;
  for (const auto& [key, status] : Expected()) {
    want[ResultKey(key.first, key.second, "ptrace")] = status;
    want[ResultKey(key.first, key.second, "no-such-platform")] = "unavailable";
  }
  EXPECT_EQ(Statuses(), want) << What();
}

TEST_F(RunnerE2E, DetailsSayWhy) {
  auto detail = [](const std::string& name) {
    const JsonValue* r = Result("fixture_test", name, "ptrace");
    return r ? r->StringOr("detail", "") : "(no result)";
  };
  EXPECT_THAT(detail("Fixture.FailsInSandbox"), HasSubstr("fixture_test.cc"));
  EXPECT_THAT(detail("Fixture.FailsInSandbox"), HasSubstr("Failure"));
  EXPECT_THAT(detail("Fixture.FailsNatively"), HasSubstr("fails natively"));
  EXPECT_EQ(detail("Fixture.HangsInSandbox"), std::string("no result after ") + kTimeout + "s");
  EXPECT_EQ(detail("Fixture.CrashesInSandbox"), "killed by SIGSEGV");
  EXPECT_THAT(detail("Fixture.UnimplementedInSandbox"), HasSubstr("syscall_400"));
  const JsonValue* exit1 = Result("exit1", "exit1", "ptrace");
  ASSERT_NE(exit1, nullptr);
  EXPECT_EQ(exit1->StringOr("detail", ""), "fails natively: exit status 1");
  const JsonValue* unavailable = Result("exit0", "exit0", "no-such-platform");
  ASSERT_NE(unavailable, nullptr);
  EXPECT_THAT(unavailable->StringOr("detail", ""), HasSubstr("unknown platform"));
}

TEST_F(RunnerE2E, UnimplementedSyscallsAreTheCasesOwn) {
  const JsonValue* r = Result("fixture_test", "Fixture.UnimplementedInSandbox", "ptrace");
  ASSERT_NE(r, nullptr);
  const JsonValue* hits = r->Find("unimplemented");
  ASSERT_NE(hits, nullptr);
  ASSERT_NE(hits->Find("syscall_400"), nullptr) << What();
  EXPECT_EQ(hits->Find("syscall_400")->number, 1);
  // What every program hits at start-up (glibc's rseq registration, for
  // one) is subtracted: no other case is blamed on a missing syscall.
  for (const JsonValue& res : json_->Find("results")->array) {
    if (res.StringOr("case", "") == "Fixture.UnimplementedInSandbox") continue;
    EXPECT_TRUE(res.Find("unimplemented")->object.empty())
        << res.StringOr("case", "") << ": " << res.StringOr("detail", "");
  }
}

TEST_F(RunnerE2E, JunitSaysTheSame) {
  const std::string xml = ReadFile("runner-e2e/all.xml");
  Baseline b;
  std::string err;
  ASSERT_TRUE(ParseBaseline(xml, &b, &err)) << err;
  std::map<ResultKey, std::string> from_junit;
  for (const auto& [key, status] : b.status) from_junit[key] = StatusName(status);
  EXPECT_EQ(from_junit, Statuses());
  EXPECT_THAT(xml, HasSubstr("<testsuite name=\"fixture_test [ptrace]\" tests=\"12\" "
                             "failures=\"2\" errors=\"2\" skipped=\"2\""));
  EXPECT_THAT(xml, HasSubstr("<failure type=\"fail\""));
  EXPECT_THAT(xml, HasSubstr("<failure type=\"unimplemented\""));
  EXPECT_THAT(xml, HasSubstr("<error type=\"timeout\""));
  EXPECT_THAT(xml, HasSubstr("<error type=\"crash\" message=\"crash: killed by SIGSEGV\""));
  EXPECT_THAT(xml, HasSubstr("<skipped type=\"native-fail\""));
  EXPECT_THAT(xml, HasSubstr("<skipped type=\"skipped\""));
  EXPECT_THAT(xml, HasSubstr("<skipped type=\"unavailable\""));
  // A failure carries the case's output.
  EXPECT_THAT(xml, HasSubstr("this case fails where it runs as PID 1"));
}

TEST_F(RunnerE2E, PrintsProblemsTableAndFinalLine) {
  const std::string& out = run_->output;
  EXPECT_THAT(out, Not(HasSubstr("\r"))) << "no progress line when stderr is not a tty";
  EXPECT_THAT(out, HasSubstr("BINARY"));
  EXPECT_THAT(out, HasSubstr("UNIMPL"));
  EXPECT_THAT(out, HasSubstr("(platform unavailable)"));
  EXPECT_THAT(out, HasSubstr("platform no-such-platform is unavailable: unknown platform"));
  EXPECT_THAT(out, HasSubstr("unimplemented syscalls behind failures: syscall_400 (1 case)"));
  for (const char* label : {"FAIL ", "TIMEOUT ", "CRASH ", "UNIMPLEMENTED ", "NATIVE-FAIL "}) {
    EXPECT_THAT(out, HasSubstr(label)) << What();
  }
  // Table rows: binary, platform, cases, then pass fail timeout crash unimpl
  // native-fail skipped.
  std::vector<std::string> fields;
  for (std::string_view line : SplitLines(out)) {
    if (!line.starts_with("fixture_test ") || line.find(" ptrace ") == std::string::npos) continue;
    std::istringstream in{std::string(line)};
    for (std::string f; in >> f;) fields.push_back(f);
  }
  EXPECT_EQ(fields, (std::vector<std::string>{"fixture_test", "ptrace", "12", "6", "1", "1", "1",
                                              "1", "1", "1"}))
      << What();
  EXPECT_EQ(std::string(LastLines(out, 1)),
            "8 passed, 5 failed (not counted: 2 native-fail, 1 skipped, 16 unavailable)")
      << What();
}

TEST(RunnerBaseline, SameResultsShowNoChange) {
  // A JUnit baseline (written by the suite above, or by a run of our own).
  mkdir("runner-e2e", 0755);
  std::vector<std::string> first = {"--platform=ptrace", "--filter=-*Hangs*",
                                    "--junit", "runner-e2e/baseline.xml",
                                    Env("RUNNER_FIXTURES")};
  CliRun r1 = Conformance(first);
  ASSERT_EQ(r1.exit_code, 1) << Describe(first, r1);
  std::vector<std::string> again = {"--platform=ptrace", "--filter=-*Hangs*",
                                    "--baseline", "runner-e2e/baseline.xml",
                                    "--new-failures-only", Env("RUNNER_FIXTURES")};
  CliRun r2 = Conformance(again);
  EXPECT_EQ(r2.exit_code, 0) << Describe(again, r2);
  EXPECT_THAT(r2.output, HasSubstr("no changes since runner-e2e/baseline.xml"));
  // Without --new-failures-only, failures still fail the run.
  again.erase(again.begin() + 4);
  CliRun r3 = Conformance(again);
  EXPECT_EQ(r3.exit_code, 1) << Describe(again, r3);
}

TEST(RunnerBaseline, ShowsOnlyWhatChanged) {
  mkdir("runner-e2e", 0755);
  // A stored result in which Fixture.Passes failed and Fixture.FailsInSandbox
  // passed: now one is fixed and the other regressed.
  std::ofstream("runner-e2e/crafted.json") << R"({"results": [
    {"binary": "fixture_test", "case": "Fixture.Passes", "platform": "ptrace", "status": "fail"},
    {"binary": "fixture_test", "case": "Fixture.FailsInSandbox", "platform": "ptrace", "status": "pass"},
    {"binary": "fixture_test", "case": "Fixture.Skipped", "platform": "ptrace", "status": "skipped"}
  ]})";
  std::vector<std::string> args = {"--platform=ptrace",
                                   "--filter=Fixture.Passes:Fixture.FailsInSandbox:Fixture.Skipped",
                                   "--baseline", "runner-e2e/crafted.json", "--new-failures-only",
                                   Env("RUNNER_FIXTURES") + "/fixture_test"};
  CliRun r = Conformance(args);
  EXPECT_EQ(r.exit_code, 1) << Describe(args, r);
  EXPECT_THAT(r.output, HasSubstr("2 changes since runner-e2e/crafted.json: 1 regressions, 1 fixed"));
  EXPECT_THAT(r.output, HasSubstr("pass -> fail"));
  EXPECT_THAT(r.output, HasSubstr("fail -> pass"));
  EXPECT_THAT(r.output, Not(HasSubstr("Fixture.Skipped"))) << "unchanged cases are not shown";
  EXPECT_EQ(std::string(LastLines(r.output, 1)), "1 passed, 1 failed (not counted: 1 skipped)");
}

TEST(RunnerCli, ListsCasesWithoutRunningThem) {
  std::vector<std::string> args = {"--list", Env("RUNNER_FIXTURES")};
  CliRun r = Conformance(args);
  EXPECT_EQ(r.exit_code, 0) << Describe(args, r);
  EXPECT_THAT(r.output, HasSubstr("fixture_test\tFixture.Passes\n"));
  EXPECT_THAT(r.output, HasSubstr("fixture_test\tTypedFixture/1.Passes\n"));
  EXPECT_THAT(r.output, HasSubstr("fixture_test\tSmall/ParamFixture.Passes/1\n"));
  EXPECT_THAT(r.output, HasSubstr("fixture_test\tNamed/ParamFixture.Passes/three\n"));
  EXPECT_THAT(r.output, HasSubstr("script.sh\tscript.sh\t(not a GoogleTest binary"));
  EXPECT_THAT(r.output, Not(HasSubstr("DISABLED")));
}

TEST(RunnerCli, UsageErrorsExitTwo) {
  const std::string fixture = Env("RUNNER_FIXTURES") + "/fixture_test";
  for (const auto& args : std::vector<std::vector<std::string>>{
           {},
           {"/nonexistent/binary"},
           {"--jobs", "0", fixture},
           {"--timeout", "soon", fixture},
           {"--bogus", fixture},
           {"--baseline", "/nonexistent/baseline.json", fixture},
           {"--filter", "NoSuchCase.*", fixture},
       }) {
    CliRun r = Conformance(args);
    EXPECT_EQ(r.exit_code, 2) << Describe(args, r);
  }
}

TEST(RunnerCli, OnlyUnavailablePlatformsIsAnError) {
  std::vector<std::string> args = {"--platform=seccomp-not-yet", "--filter=Fixture.Passes",
                                   Env("RUNNER_FIXTURES") + "/fixture_test"};
  CliRun r = Conformance(args);
  EXPECT_EQ(r.exit_code, 2) << Describe(args, r);
  EXPECT_THAT(r.output, HasSubstr("platform seccomp-not-yet is unavailable"));
  EXPECT_THAT(r.output, HasSubstr("no requested platform is available"));
}

}  // namespace
}  // namespace runsc::conformance
