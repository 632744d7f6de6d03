#include "runsc-cli/serve/exit_status.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace runsc::serve {

runsc::v1::ExitStatus ExitStatusFromWait(int ws) {
  runsc::v1::ExitStatus st;
  st.set_wait_status(ws);
  if (WIFSIGNALED(ws)) {
    st.set_signal(WTERMSIG(ws));
    st.set_code(128 + WTERMSIG(ws));
    st.set_core_dumped(WCOREDUMP(ws));
  } else {
    st.set_code(WEXITSTATUS(ws));
  }
  return st;
}

runsc::v1::ExitStatus ExitStatusFromStartError(const absl::Status& s) {
  runsc::v1::ExitStatus st;
  st.set_code(absl::IsNotFound(s) ? 127 : 126);
  st.set_error(std::string(s.message()));
  return st;
}

runsc::v1::ExitStatus ExitStatusSetupError(const std::string& message) {
  runsc::v1::ExitStatus st;
  st.set_code(125);
  st.set_error(message);
  return st;
}

std::string DescribeExit(const runsc::v1::ExitStatus& st) {
  std::string out;
  if (st.signal() != 0) {
    out = absl::StrCat("killed by ", SignalName(st.signal()),
                       st.core_dumped() ? " (core dumped)" : "");
  } else if (!st.error().empty() && st.wait_status() == 0 && st.code() != 0) {
    out = absl::StrCat("not run (", st.code(), ")");
  } else {
    out = absl::StrCat("exited with ", st.code());
  }
  if (!st.error().empty()) absl::StrAppend(&out, ": ", st.error());
  return out;
}

int ParseSignal(const std::string& in) {
  int n;
  if (absl::SimpleAtoi(in, &n)) return (n >= 1 && n <= 64) ? n : -1;
  std::string s = absl::AsciiStrToUpper(in);
  if (s.rfind("SIG", 0) == 0) s = s.substr(3);
  for (int sig = 1; sig < 32; sig++) {
    const char* abbrev = sigabbrev_np(sig);
    if (abbrev && s == abbrev) return sig;
  }
  if (s.rfind("RTMIN+", 0) == 0 && absl::SimpleAtoi(s.substr(6), &n)) {
    return SIGRTMIN + n <= SIGRTMAX ? SIGRTMIN + n : -1;
  }
  return -1;
}

std::string SignalName(int sig) {
  const char* abbrev = (sig > 0 && sig < 32) ? sigabbrev_np(sig) : nullptr;
  return abbrev ? absl::StrCat("SIG", abbrev) : absl::StrCat("signal ", sig);
}

}  // namespace runsc::serve
