// Unit tests of the conformance runner's pieces (runsc-cli/conformance/).
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "runsc-cli/conformance/gtest.h"
#include "runsc-cli/conformance/json.h"
#include "runsc-cli/conformance/process.h"
#include "runsc-cli/conformance/report.h"
#include "runsc-cli/conformance/result.h"
#include "runsc-cli/conformance/runner.h"
#include "runsc-cli/conformance/text.h"
#include "runsc-cli/conformance/xml.h"

namespace runsc::conformance {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::StartsWith;

// --- text ----------------------------------------------------------------

TEST(Text, SanitizeUtf8KeepsValidAndReplacesInvalid) {
  EXPECT_EQ(SanitizeUtf8("plain é ✓ 𝄞"), "plain é ✓ 𝄞");
  EXPECT_EQ(SanitizeUtf8("a\xff" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(SanitizeUtf8("\xC0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong NUL
  EXPECT_EQ(SanitizeUtf8("\xE2\x9C"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // cut short
  EXPECT_EQ(SanitizeUtf8("\xED\xA0\x80"),                             // surrogate
            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(Text, Escapes) {
  EXPECT_EQ(JsonEscape("a\"b\\c\nd\x01"), "a\\\"b\\\\c\\nd\\u0001");
  EXPECT_EQ(XmlEscape("<a & 'b'>\"\x01\t"), "&lt;a &amp; &apos;b&apos;&gt;&quot;\\x01\t");
}

TEST(Text, LinesAndTruncation) {
  EXPECT_THAT(SplitLines("a\r\nb\n\nc"), ElementsAre("a", "b", "", "c"));
  EXPECT_EQ(LastLines("1\n2\n3\n4\n", 2), "3\n4");
  EXPECT_EQ(LastLines("1\n2", 5), "1\n2");
  EXPECT_EQ(LastLines("x", 0), "");
  EXPECT_EQ(Truncate("abcdef", 3), "abc...");
  EXPECT_EQ(Truncate("ab", 3), "ab");
  EXPECT_EQ(Truncate("a\xC3\xA9", 2), "a...");  // never cuts inside é
  EXPECT_EQ(Trim("  x y \n"), "x y");
}

// --- JSON and XML readers --------------------------------------------------

TEST(Json, ParsesDocuments) {
  JsonValue v;
  std::string err;
  ASSERT_TRUE(ParseJson(R"( {"a": [1, -2.5e1, true, false, null],
                             "s": "x\"\\\/\n\u00e9\ud834\udd1e", "o": {}} )",
                        &v, &err))
      << err;
  const JsonValue* a = v.Find("a");
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->array.size(), 5u);
  EXPECT_EQ(a->array[0].number, 1);
  EXPECT_EQ(a->array[1].number, -25);
  EXPECT_TRUE(a->array[2].boolean);
  EXPECT_EQ(a->array[4].kind, JsonValue::Kind::kNull);
  EXPECT_EQ(v.StringOr("s", ""), "x\"\\/\n\xC3\xA9\xF0\x9D\x84\x9E");
  EXPECT_EQ(v.StringOr("missing", "dflt"), "dflt");
  EXPECT_EQ(v.Find("o")->kind, JsonValue::Kind::kObject);
}

TEST(Json, RejectsMalformedDocuments) {
  JsonValue v;
  std::string err;
  for (const char* bad : {"", "{", "[1,]", "{\"a\" 1}", "\"unterminated", "tru", "{} x",
                          "[01x]", "\"\\q\""}) {
    EXPECT_FALSE(ParseJson(bad, &v, &err)) << bad;
    EXPECT_THAT(err, HasSubstr("at byte")) << bad;
  }
}

TEST(Xml, ReadsTagsAndAttributes) {
  XmlReader r(R"(<?xml version="1.0"?><!-- c --><!DOCTYPE x>
    <a k="1 &amp; 2" q='&lt;&#65;&#x42;&gt;'><b/>text<![CDATA[<nope/>]]></a>)");
  XmlTag t;
  ASSERT_TRUE(r.Next(&t));
  EXPECT_EQ(t.name, "a");
  EXPECT_EQ(t.kind, XmlTag::Kind::kStart);
  EXPECT_EQ(t.Attr("k"), "1 & 2");
  EXPECT_EQ(t.Attr("q"), "<AB>");
  ASSERT_TRUE(r.Next(&t));
  EXPECT_EQ(t.name, "b");
  EXPECT_EQ(t.kind, XmlTag::Kind::kEmpty);
  ASSERT_TRUE(r.Next(&t));
  EXPECT_EQ(t.name, "a");
  EXPECT_EQ(t.kind, XmlTag::Kind::kEnd);
  EXPECT_FALSE(r.Next(&t));
  EXPECT_THAT(r.error(), IsEmpty());
}

TEST(Xml, ReportsSyntaxErrors) {
  XmlTag t;
  XmlReader r("<a b=c>");
  EXPECT_FALSE(r.Next(&t));
  EXPECT_THAT(r.error(), HasSubstr("quoted value"));
  XmlReader r2("<a b=\"x");
  EXPECT_FALSE(r2.Next(&t));
  EXPECT_THAT(r2.error(), HasSubstr("unterminated"));
}

// --- GoogleTest listing and output ----------------------------------------

TEST(GtestList, PlainTypedAndParameterizedNames) {
  const char* listing =
      "Fixture.\n"
      "  Passes\n"
      "  Fails\n"
      "TypedFixture/0.  # TypeParam = int\n"
      "  Passes\n"
      "TypedFixture/1.  # TypeParam = std::pair<int, char>\n"
      "  Passes\n"
      "Small/ParamFixture.\n"
      "  Passes/0  # GetParam() = 1\n"
      "  Passes/1  # GetParam() = \"two words  # and a hash\"\n"
      "Named/ParamFixture.\n"
      "  Passes/three  # GetParam() = 3\n"
      "\n";
  std::vector<std::string> cases;
  std::string err;
  ASSERT_TRUE(ParseGtestList(listing, &cases, &err)) << err;
  EXPECT_THAT(cases, ElementsAre("Fixture.Passes", "Fixture.Fails", "TypedFixture/0.Passes",
                                 "TypedFixture/1.Passes", "Small/ParamFixture.Passes/0",
                                 "Small/ParamFixture.Passes/1",
                                 "Named/ParamFixture.Passes/three"));
}

TEST(GtestList, SkipsWhatMainPrintsFirst) {
  std::vector<std::string> cases;
  std::string err;
  ASSERT_TRUE(ParseGtestList("Running main() from ./googletest/src/gtest_main.cc\n"
                             "I1122 02:59:00.1 init.cc:12] starting\n"
                             "A.\n  b\n",
                             &cases, &err))
      << err;
  EXPECT_THAT(cases, ElementsAre("A.b"));
}

TEST(GtestList, LeavesDisabledCasesOut) {
  std::vector<std::string> cases;
  std::string err;
  ASSERT_TRUE(ParseGtestList("A.\n  DISABLED_x\n  y\nDISABLED_B.\n  z\n"
                             "P/DISABLED_C.\n  w\nP/D.\n  v/DISABLED_1\n  v/0\n",
                             &cases, &err))
      << err;
  EXPECT_THAT(cases, ElementsAre("A.y", "P/D.v/0"));
}

TEST(GtestList, EmptyListingIsValid) {
  std::vector<std::string> cases;
  std::string err;
  EXPECT_TRUE(ParseGtestList("", &cases, &err));
  EXPECT_THAT(cases, IsEmpty());
}

TEST(GtestList, RejectsWhatGoogleTestDoesNotPrint) {
  std::vector<std::string> cases;
  std::string err;
  EXPECT_FALSE(ParseGtestList("A.\n  b\nusage: foo [-v]\n", &cases, &err));
  EXPECT_THAT(err, HasSubstr("line 3"));
  EXPECT_FALSE(ParseGtestList("usage: foo [-v]\n", &cases, &err));
  EXPECT_THAT(err, HasSubstr("no test suite listed"));
  EXPECT_TRUE(ParseGtestList("Running main() from gtest_main.cc\n", &cases, &err));
  EXPECT_THAT(cases, IsEmpty());
  EXPECT_FALSE(ParseGtestList("  Orphan\n", &cases, &err));
  EXPECT_THAT(err, HasSubstr("outside any suite"));
  EXPECT_FALSE(ParseGtestList("Suite.\n  Case extra words\n", &cases, &err));
  EXPECT_FALSE(ParseGtestList("Suite. trailing\n", &cases, &err));
}

TEST(GtestOutput, SkipsFailuresAndEmptyRuns) {
  const std::string skipped =
      "[ RUN      ] A.B\nfoo.cc:3: Skipped\nwhy\n\n[  SKIPPED ] A.B (0 ms)\n"
      "[  SKIPPED ] 1 test, listed below:\n[  SKIPPED ] A.B\n";
  EXPECT_TRUE(GtestCaseSkipped(skipped, "A.B"));
  EXPECT_FALSE(GtestCaseSkipped(skipped, "A.Bc"));
  EXPECT_FALSE(GtestCaseSkipped("[       OK ] A.B (0 ms)\n", "A.B"));
  EXPECT_TRUE(GtestRanNothing("[==========] 0 tests from 0 test suites ran. (0 ms total)\n"));
  EXPECT_FALSE(GtestRanNothing("[==========] 1 test from 1 test suite ran. (0 ms total)\n"));

  const std::string failed =
      "[ RUN      ] A.B\n"
      "x_test.cc:12: Failure\n"
      "Expected equality of these values:\n"
      "  1\n"
      "  2\n"
      "[  FAILED  ] A.B (0 ms)\n";
  EXPECT_EQ(FirstGtestFailure(failed),
            "x_test.cc:12: Failure / Expected equality of these values: / 1 / 2");
  EXPECT_EQ(FirstGtestFailure("all good\n"), "");
}

TEST(SyscallReport, ParsesTheReportRunscDoPrints) {
  SyscallReport r = ParseSyscallReport(
      "test output\n"
      "runsc: unimplemented syscalls hit:\n"
      "  rseq                     1\n"
      "  i386:fork                3\n"
      "runsc: partially implemented syscalls hit:\n"
      "  ioctl                    7\n");
  EXPECT_TRUE(r.present);
  EXPECT_THAT(r.unimplemented, ElementsAre(Pair("i386:fork", 3u), Pair("rseq", 1u)));
  EXPECT_THAT(r.partial, ElementsAre(Pair("ioctl", 7u)));

  SyscallReport none = ParseSyscallReport("runsc: no unimplemented syscalls were hit\n");
  EXPECT_TRUE(none.present);
  EXPECT_THAT(none.unimplemented, IsEmpty());
  EXPECT_FALSE(ParseSyscallReport("nothing\n").present);

  // Only the last report counts (a test may print text that looks like one).
  SyscallReport last = ParseSyscallReport(
      "runsc: unimplemented syscalls hit:\n  fake 9\nmore output\n"
      "runsc: unimplemented syscalls hit:\n  real 2\n");
  EXPECT_THAT(last.unimplemented, ElementsAre(Pair("real", 2u)));
}

TEST(SyscallReport, ExcessOverBackground) {
  EXPECT_THAT(Excess({{"rseq", 1}, {"kill", 2}, {"ioctl", 5}}, {{"rseq", 1}, {"ioctl", 3}}),
              ElementsAre(Pair("ioctl", 2u), Pair("kill", 2u)));
}

TEST(SyscallReport, RunscErrorLine) {
  EXPECT_EQ(RunscErrorLine("runsc do: --platform: unknown platform \"x\"\nusage...\n"),
            "runsc do: --platform: unknown platform \"x\"");
  EXPECT_EQ(RunscErrorLine("runsc: unimplemented syscalls hit:\n  rseq 1\n"
                           "runsc: /x: No such file or directory\n"),
            "runsc: /x: No such file or directory");
  EXPECT_EQ(RunscErrorLine("runsc: unimplemented syscalls hit:\n  rseq 1\n"), "");
}

// --- filter ------------------------------------------------------------------

TEST(Filter, GoogleTestSyntaxWithGlobs) {
  EXPECT_TRUE(MatchesFilter("", "A.B"));
  EXPECT_TRUE(MatchesFilter("A.*", "A.B"));
  EXPECT_FALSE(MatchesFilter("A.*", "B.A"));
  EXPECT_TRUE(MatchesFilter("X.*:A.?", "A.B"));
  EXPECT_FALSE(MatchesFilter("*-A.B", "A.B"));
  EXPECT_TRUE(MatchesFilter("-A.B", "A.C"));
  EXPECT_FALSE(MatchesFilter("-*Hangs*:*Crash*", "Fixture.HangsInSandbox"));
  EXPECT_TRUE(MatchesFilter("Typed*/[01].*", "TypedFixture/1.Passes"));
  EXPECT_TRUE(MatchesFilter("*Passes/*", "Small/ParamFixture.Passes/0"));
}

// --- classification ----------------------------------------------------------

RunOutcome Exited(int code, std::string output = "") {
  RunOutcome r;
  r.started = true;
  r.exit_code = code;
  r.output = std::move(output);
  return r;
}

TEST(ClassifyNative, TheTruth) {
  EXPECT_EQ(ClassifyNative(Exited(0), "A.B", 5).status, Status::kPass);
  EXPECT_EQ(ClassifyNative(Exited(0), "", 5).status, Status::kPass);

  Verdict skip = ClassifyNative(Exited(0, "[  SKIPPED ] A.B (0 ms)\n"), "A.B", 5);
  EXPECT_EQ(skip.status, Status::kSkipped);

  Verdict fail = ClassifyNative(Exited(1, "a.cc:1: Failure\nboom\n"), "A.B", 5);
  EXPECT_EQ(fail.status, Status::kNativeFail);
  EXPECT_EQ(fail.detail, "fails natively: a.cc:1: Failure / boom");

  Verdict plain = ClassifyNative(Exited(3, "last words\n"), "", 5);
  EXPECT_EQ(plain.status, Status::kNativeFail);
  EXPECT_EQ(plain.detail, "fails natively: exit status 3: last words");

  RunOutcome crashed = Exited(0);
  crashed.signaled = true;
  crashed.signo = SIGABRT;
  EXPECT_EQ(ClassifyNative(crashed, "A.B", 5).detail, "crashes natively: killed by SIGABRT");

  RunOutcome hung = Exited(0);
  hung.timed_out = true;
  hung.signaled = true;
  hung.signo = SIGKILL;
  EXPECT_EQ(ClassifyNative(hung, "A.B", 2.5).detail,
            "times out natively (no result after 2.5s)");

  RunOutcome missing;
  missing.start_error = "cannot execute /x: No such file or directory";
  EXPECT_EQ(ClassifyNative(missing, "", 5).status, Status::kNativeFail);

  // LTP's TCONF (32) with --skip-exit 32; GoogleTest binaries never skip so.
  EXPECT_EQ(ClassifyNative(Exited(32), "", 5, {32}).status, Status::kSkipped);
  EXPECT_EQ(ClassifyNative(Exited(32), "", 5, {}).status, Status::kNativeFail);
  EXPECT_EQ(ClassifyNative(Exited(32), "A.B", 5, {32}).status, Status::kNativeFail);

  EXPECT_EQ(ClassifyNative(Exited(0, "[==========] 0 tests from 0 test suites ran.\n"), "A.B", 5)
                .status,
            Status::kNativeFail);
}

TEST(ClassifySandbox, EveryOutcome) {
  const std::map<std::string, uint64_t> bg = {{"rseq", 1}};
  const std::string report_rseq = "runsc: unimplemented syscalls hit:\n  rseq 1\n";

  // Start-up noise (rseq) is not the case's fault.
  EXPECT_EQ(ClassifySandbox(Exited(0, report_rseq), "A.B", 5, bg, {}).status, Status::kPass);
  Verdict fail = ClassifySandbox(Exited(1, "a.cc:2: Failure\nno\n" + report_rseq), "A.B", 5, bg, {});
  EXPECT_EQ(fail.status, Status::kFail);
  EXPECT_EQ(fail.detail, "a.cc:2: Failure / no");
  EXPECT_THAT(fail.unimplemented, IsEmpty());

  Verdict unimpl = ClassifySandbox(
      Exited(1, "a.cc:2: Failure\nno\nrunsc: unimplemented syscalls hit:\n  rseq 1\n  kill 2\n"),
      "A.B", 5, bg, {});
  EXPECT_EQ(unimpl.status, Status::kUnimplemented);
  EXPECT_EQ(unimpl.detail, "kill x2 (then a.cc:2: Failure / no)");
  EXPECT_THAT(unimpl.unimplemented, ElementsAre(Pair("kill", 2u)));

  // A case that passes despite a missing syscall passes, with the hit kept.
  Verdict pass = ClassifySandbox(Exited(0, "runsc: unimplemented syscalls hit:\n  kill 1\n"), "A.B",
                                 5, bg, {});
  EXPECT_EQ(pass.status, Status::kPass);
  EXPECT_THAT(pass.unimplemented, ElementsAre(Pair("kill", 1u)));

  Verdict crash = ClassifySandbox(Exited(128 + SIGSEGV, report_rseq), "A.B", 5, bg, {});
  EXPECT_EQ(crash.status, Status::kCrash);
  EXPECT_EQ(crash.detail, "killed by SIGSEGV");

  RunOutcome runsc_died = Exited(0);
  runsc_died.signaled = true;
  runsc_died.signo = SIGABRT;
  EXPECT_EQ(ClassifySandbox(runsc_died, "A.B", 5, bg, {}).detail, "runsc was killed by SIGABRT");

  RunOutcome hung = Exited(0);
  hung.timed_out = true;
  Verdict timeout = ClassifySandbox(hung, "A.B", 4, bg, {});
  EXPECT_EQ(timeout.status, Status::kTimeout);
  EXPECT_EQ(timeout.detail, "no result after 4s");

  Verdict setup = ClassifySandbox(
      Exited(125, "runsc do: --platform: unknown platform \"kvm\" (available: ptrace)\n"), "A.B",
      5, bg, {});
  EXPECT_EQ(setup.status, Status::kFail);
  EXPECT_EQ(setup.detail,
            "runsc could not run it (exit 125): runsc do: --platform: unknown platform \"kvm\" "
            "(available: ptrace)");

  Verdict skipped = ClassifySandbox(Exited(0, "[  SKIPPED ] A.B (1 ms)\n"), "A.B", 5, bg, {});
  EXPECT_EQ(skipped.status, Status::kSkipped);
  EXPECT_EQ(ClassifySandbox(Exited(32), "", 5, bg, {}, {32}).status, Status::kSkipped);
  EXPECT_EQ(ClassifySandbox(Exited(32), "", 5, bg, {}, {}).status, Status::kFail);

  Verdict partial = ClassifySandbox(
      Exited(1, "x\nruntime error\nrunsc: partially implemented syscalls hit:\n  ioctl 4\n"), "",
      5, bg, {{"ioctl", 1}});
  EXPECT_EQ(partial.status, Status::kFail);
  EXPECT_EQ(partial.detail, "exit status 1: runtime error; partial syscalls hit: ioctl x3");
}

TEST(Status, NamesRoundTrip) {
  for (Status s : kAllStatuses) EXPECT_EQ(StatusFromName(StatusName(s)), s);
  EXPECT_EQ(StatusFromName("bogus"), std::nullopt);
  EXPECT_TRUE(IsFailure(Status::kUnimplemented));
  EXPECT_FALSE(IsFailure(Status::kNativeFail));
  EXPECT_TRUE(IsExcluded(Status::kUnavailable));
}

// --- processes ---------------------------------------------------------------

RunSpec Shell(const std::string& script, double timeout = 30) {
  RunSpec s;
  s.argv = {"/bin/sh", "-c", script};
  s.env = {"PATH=/usr/bin:/bin"};
  s.timeout_seconds = timeout;
  return s;
}

TEST(Process, ExitCodeAndInterleavedOutput) {
  RunOutcome r = RunProcess(Shell("echo out; echo err >&2; echo out2; exit 3"));
  ASSERT_TRUE(r.started) << r.start_error;
  EXPECT_FALSE(r.signaled);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.output, "out\nerr\nout2\n");
}

TEST(Process, StdinIsEmptyAndItsOwnProcessGroup) {
  RunOutcome r = RunProcess(Shell("cat; cut -d' ' -f5 /proc/$$/stat; echo $$"));
  ASSERT_TRUE(r.started);
  std::vector<std::string_view> lines = SplitLines(r.output);
  ASSERT_EQ(lines.size(), 2u) << r.output;
  EXPECT_EQ(lines[0], lines[1]) << "the child leads its own process group";
}

TEST(Process, Signals) {
  RunOutcome r = RunProcess(Shell("kill -SEGV $$"));
  EXPECT_TRUE(r.signaled);
  EXPECT_EQ(r.signo, SIGSEGV);
  EXPECT_EQ(SignalName(SIGSEGV), "SIGSEGV");
}

TEST(Process, TimeoutKillsTheWholeGroup) {
  // The shell's background child also holds the output pipe open: the
  // runner must kill it too, or it would wait for it.
  RunOutcome r = RunProcess(Shell("sleep 100 & echo started; sleep 100", 0.5));
  EXPECT_TRUE(r.timed_out);
  EXPECT_TRUE(r.signaled);
  EXPECT_EQ(r.signo, SIGKILL);
  EXPECT_LT(r.seconds, 5);
  EXPECT_EQ(r.output, "started\n");
}

TEST(Process, CancelKillsTheRun) {
  std::atomic<bool> cancel{true};
  RunSpec s = Shell("sleep 100");
  s.cancel = &cancel;
  RunOutcome r = RunProcess(s);
  EXPECT_TRUE(r.cancelled);
  EXPECT_LT(r.seconds, 5);
}

TEST(Process, LeftoverChildrenDoNotHoldTheRunner) {
  // The program exits at once but leaves a child in its group.
  RunOutcome r = RunProcess(Shell("sleep 100 & echo bye", 30));
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_LT(r.seconds, 5);
  EXPECT_EQ(r.output, "bye\n");
}

TEST(Process, CannotExecute) {
  RunSpec s;
  s.argv = {"/nonexistent/program"};
  RunOutcome r = RunProcess(s);
  EXPECT_FALSE(r.started);
  EXPECT_THAT(r.start_error, HasSubstr("No such file or directory"));
}

TEST(Process, HugeOutputKeepsBothEnds) {
  RunOutcome r = RunProcess(Shell("echo FIRST; head -c 5000000 /dev/zero | tr '\\0' x; echo; echo LAST"));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.output, StartsWith("FIRST\n"));
  EXPECT_THAT(r.output, HasSubstr("bytes of output elided"));
  EXPECT_THAT(r.output, ::testing::EndsWith("LAST\n"));
  EXPECT_LT(r.output.size(), 200000u);
}

// --- inputs ------------------------------------------------------------------

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/runner_unit_XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  const std::string& path() const { return path_; }
  std::string Write(const std::string& name, const std::string& contents, mode_t mode) {
    std::string p = path_ + "/" + name;
    std::ofstream(p) << contents;
    chmod(p.c_str(), mode);
    return p;
  }

 private:
  std::string path_;
};

TEST(Inputs, DirectoriesGiveTheirExecutablesSorted) {
  TempDir d;
  d.Write("b_test", "#!/bin/sh\n", 0755);
  d.Write("a_test", "#!/bin/sh\n", 0755);
  d.Write("data.txt", "x", 0644);
  d.Write(".hidden", "#!/bin/sh\n", 0755);
  mkdir((d.path() + "/sub").c_str(), 0755);
  std::vector<Binary> bins;
  std::string err;
  ASSERT_TRUE(ResolveInputs({d.path()}, &bins, &err)) << err;
  ASSERT_EQ(bins.size(), 2u);
  EXPECT_EQ(bins[0].name, "a_test");
  EXPECT_EQ(bins[0].path, d.path() + "/a_test");
  EXPECT_EQ(bins[1].name, "b_test");
}

TEST(Inputs, AmbiguousBaseNamesKeepTheirPaths) {
  TempDir d;
  mkdir((d.path() + "/x").c_str(), 0755);
  mkdir((d.path() + "/y").c_str(), 0755);
  d.Write("x/t", "#!/bin/sh\n", 0755);
  d.Write("y/t", "#!/bin/sh\n", 0755);
  std::vector<Binary> bins;
  std::string err;
  ASSERT_TRUE(ResolveInputs({d.path() + "/x/t", d.path() + "/y/t", d.path() + "/x/t"}, &bins,
                            &err));
  ASSERT_EQ(bins.size(), 2u);  // the same file twice runs once
  EXPECT_EQ(bins[0].name, d.path() + "/x/t");
  EXPECT_EQ(bins[1].name, d.path() + "/y/t");
}

TEST(Inputs, Errors) {
  TempDir d;
  d.Write("plain", "x", 0644);
  std::vector<Binary> bins;
  std::string err;
  EXPECT_FALSE(ResolveInputs({d.path() + "/missing"}, &bins, &err));
  EXPECT_THAT(err, HasSubstr("No such file"));
  EXPECT_FALSE(ResolveInputs({d.path() + "/plain"}, &bins, &err));
  EXPECT_THAT(err, HasSubstr("not executable"));
  mkdir((d.path() + "/empty").c_str(), 0755);
  EXPECT_FALSE(ResolveInputs({d.path() + "/empty"}, &bins, &err));
  EXPECT_THAT(err, HasSubstr("no executable files"));
}

TEST(Inputs, InspectBinary) {
  TempDir d;
  BinaryKind kind;
  std::string err;
  ASSERT_TRUE(InspectBinary(d.Write("s", "#!/bin/sh\nexit 0\n", 0755), &kind, &err));
  EXPECT_EQ(kind, BinaryKind::kScript);
  ASSERT_TRUE(InspectBinary(d.Write("o", "just text", 0755), &kind, &err));
  EXPECT_EQ(kind, BinaryKind::kOther);
  ASSERT_TRUE(InspectBinary("/proc/self/exe", &kind, &err));  // this very test
  EXPECT_EQ(kind, BinaryKind::kGtest);
  for (const char* t : {"/usr/bin/true", "/bin/true"}) {
    if (access(t, X_OK) != 0) continue;
    ASSERT_TRUE(InspectBinary(t, &kind, &err));
    EXPECT_EQ(kind, BinaryKind::kElf);
    break;
  }
  EXPECT_FALSE(InspectBinary(d.path(), &kind, &err));
}

// --- reports -----------------------------------------------------------------

RunReport SampleReport() {
  RunReport r;
  Binary b;
  b.name = "x_test";
  b.path = "/abs/x_test";
  b.gtest = true;
  r.binaries.push_back(b);
  Platform ptrace;
  ptrace.name = "ptrace";
  ptrace.available = true;
  Platform seccomp;
  seccomp.name = "seccomp";
  seccomp.reason = "unknown platform \"seccomp\"";
  r.platforms = {ptrace, seccomp};
  int i = 0;
  for (Status s : kAllStatuses) {
    if (s == Status::kUnavailable) continue;
    for (const Platform& p : r.platforms) {
      CaseResult c;
      c.binary = "x_test";
      c.path = "/abs/x_test";
      c.name = "Suite.Case" + std::to_string(i);
      c.platform = p.name;
      c.status = p.available ? s : Status::kUnavailable;
      c.detail = p.available ? std::string("why <") + StatusName(s) + "> & \"so\"" : p.reason;
      c.seconds = 0.25;
      if (s != Status::kPass) c.output = "out\x01put ]]> <tag> \xff\n";
      if (s == Status::kUnimplemented) c.unimplemented = {{"kill", 2}};
      r.results.push_back(c);
    }
    i++;
  }
  return r;
}

TEST(Report, CountsAndFinalLine) {
  RunReport r = SampleReport();
  Totals t = Count(r.results);
  EXPECT_EQ(t.passed, 1u);
  EXPECT_EQ(t.failed, 4u);
  EXPECT_EQ(FinalLine(t), "1 passed, 4 failed (not counted: 1 native-fail, 1 skipped, 7 unavailable)");
  Totals clean;
  clean.passed = 3;
  EXPECT_EQ(FinalLine(clean), "3 passed, 0 failed");
}

TEST(Report, JunitIsWellFormedAndReadsBack) {
  RunReport r = SampleReport();
  std::string xml = JunitXml(r);
  EXPECT_THAT(xml, HasSubstr("<testsuites name=\"runsc conformance\" tests=\"14\" failures=\"2\" "
                             "errors=\"2\" skipped=\"9\""));
  EXPECT_THAT(xml, HasSubstr("<testsuite name=\"x_test [ptrace]\""));
  EXPECT_THAT(xml, HasSubstr("<property name=\"platform-unavailable\""));
  EXPECT_THAT(xml, HasSubstr("classname=\"x_test.ptrace\""));
  EXPECT_THAT(xml, HasSubstr("<failure type=\"unimplemented\""));
  EXPECT_THAT(xml, HasSubstr("<error type=\"timeout\""));
  EXPECT_THAT(xml, HasSubstr("<skipped type=\"native-fail\""));
  // The awkward output is escaped, not raw.
  EXPECT_THAT(xml, HasSubstr("out\\x01put ]]&gt; &lt;tag&gt; \xEF\xBF\xBD"));

  Baseline b;
  std::string err;
  ASSERT_TRUE(ParseBaseline(xml, &b, &err)) << err;
  ASSERT_EQ(b.status.size(), r.results.size());
  for (const CaseResult& c : r.results) {
    EXPECT_EQ(b.status[ResultKey(c.binary, c.name, c.platform)], c.status) << c.name;
  }
}

TEST(Report, JsonReadsBack) {
  RunReport r = SampleReport();
  std::string json = ResultJson(r);
  JsonValue doc;
  std::string err;
  ASSERT_TRUE(ParseJson(json, &doc, &err)) << err << "\n" << json;
  EXPECT_EQ(doc.StringOr("format", ""), "runsc-conformance-1");
  EXPECT_EQ(doc.Find("totals")->Find("passed")->number, 1);
  Baseline b;
  ASSERT_TRUE(ParseBaseline(json, &b, &err)) << err;
  for (const CaseResult& c : r.results) {
    EXPECT_EQ(b.status[ResultKey(c.binary, c.name, c.platform)], c.status) << c.name;
  }
}

TEST(Report, ForeignJunitUsesElementNames) {
  Baseline b;
  std::string err;
  ASSERT_TRUE(ParseBaseline(
      "<testsuites><testsuite><testcase classname=\"t.ptrace\" name=\"A.a\"/>"
      "<testcase classname=\"t.ptrace\" name=\"A.b\"><failure message=\"m\">x</failure></testcase>"
      "<testcase classname=\"t.ptrace\" name=\"A.c\"><error/></testcase>"
      "<testcase classname=\"t.ptrace\" name=\"A.d\"><skipped/></testcase>"
      "</testsuite></testsuites>",
      &b, &err))
      << err;
  EXPECT_EQ(b.status[ResultKey("t", "A.a", "ptrace")], Status::kPass);
  EXPECT_EQ(b.status[ResultKey("t", "A.b", "ptrace")], Status::kFail);
  EXPECT_EQ(b.status[ResultKey("t", "A.c", "ptrace")], Status::kCrash);
  EXPECT_EQ(b.status[ResultKey("t", "A.d", "ptrace")], Status::kSkipped);
  EXPECT_FALSE(ParseBaseline("<testsuites/>", &b, &err));
  EXPECT_FALSE(ParseBaseline("garbage", &b, &err));
  EXPECT_FALSE(ParseBaseline("{\"no\": 1}", &b, &err));
}

TEST(Report, CompareFindsRegressionsFixesNewAndGone) {
  Baseline base;
  base.status[ResultKey("t", "A.same", "ptrace")] = Status::kPass;
  base.status[ResultKey("t", "A.regressed", "ptrace")] = Status::kPass;
  base.status[ResultKey("t", "A.fixed", "ptrace")] = Status::kCrash;
  base.status[ResultKey("t", "A.gone", "ptrace")] = Status::kPass;
  base.status[ResultKey("other", "B.x", "ptrace")] = Status::kPass;  // not run now: ignored
  auto result = [](const std::string& name, Status s) {
    CaseResult c;
    c.binary = "t";
    c.name = name;
    c.platform = "ptrace";
    c.status = s;
    return c;
  };
  std::vector<CaseResult> now = {result("A.same", Status::kPass),
                                 result("A.regressed", Status::kTimeout),
                                 result("A.fixed", Status::kPass),
                                 result("A.new", Status::kFail)};
  Comparison c = Compare(base, now);
  EXPECT_EQ(c.regressions, 2u);  // A.regressed, A.new
  EXPECT_EQ(c.fixes, 1u);
  ASSERT_EQ(c.changes.size(), 4u);
  EXPECT_EQ(std::get<1>(c.changes[0].key), "A.new");
  EXPECT_EQ(std::get<1>(c.changes[1].key), "A.regressed");
  EXPECT_EQ(std::get<1>(c.changes[2].key), "A.fixed");
  EXPECT_EQ(std::get<1>(c.changes[3].key), "A.gone");
  EXPECT_FALSE(c.changes[3].after.has_value());

  EXPECT_EQ(Compare(base, now, /*report_gone=*/false).changes.size(), 3u);
}

}  // namespace
}  // namespace runsc::conformance
