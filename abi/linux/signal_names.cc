#include "abi/linux/signal_names.h"

#include <csignal>

#include "abi/linux/signal.h"

namespace uapi {
namespace {

static_assert(SIGHUP == 1 && SIGKILL == 9 && SIGSEGV == 11 && SIGCHLD == 17);
static_assert(SIGBUS == 7 && SIGUSR1 == 10 && SIGSTKFLT == 16 && SIGSYS == 31);

constexpr const char* kNames[kNumSignals + 1] = {
    nullptr,      // 0
    "SIGHUP",     // 1
    "SIGINT",     // 2
    "SIGQUIT",    // 3
    "SIGILL",     // 4
    "SIGTRAP",    // 5
    "SIGABRT",    // 6
    "SIGBUS",     // 7
    "SIGFPE",     // 8
    "SIGKILL",    // 9
    "SIGUSR1",    // 10
    "SIGSEGV",    // 11
    "SIGUSR2",    // 12
    "SIGPIPE",    // 13
    "SIGALRM",    // 14
    "SIGTERM",    // 15
    "SIGSTKFLT",  // 16
    "SIGCHLD",    // 17
    "SIGCONT",    // 18
    "SIGSTOP",    // 19
    "SIGTSTP",    // 20
    "SIGTTIN",    // 21
    "SIGTTOU",    // 22
    "SIGURG",     // 23
    "SIGXCPU",    // 24
    "SIGXFSZ",    // 25
    "SIGVTALRM",  // 26
    "SIGPROF",    // 27
    "SIGWINCH",   // 28
    "SIGIO",      // 29
    "SIGPWR",     // 30
    "SIGSYS",     // 31
    "SIGRTMIN",   // 32
    "SIGRT_1",  "SIGRT_2",  "SIGRT_3",  "SIGRT_4",  "SIGRT_5",  "SIGRT_6",
    "SIGRT_7",  "SIGRT_8",  "SIGRT_9",  "SIGRT_10", "SIGRT_11", "SIGRT_12",
    "SIGRT_13", "SIGRT_14", "SIGRT_15", "SIGRT_16", "SIGRT_17", "SIGRT_18",
    "SIGRT_19", "SIGRT_20", "SIGRT_21", "SIGRT_22", "SIGRT_23", "SIGRT_24",
    "SIGRT_25", "SIGRT_26", "SIGRT_27", "SIGRT_28", "SIGRT_29", "SIGRT_30",
    "SIGRT_31", "SIGRT_32",
};

}  // namespace

const char* SignalName(int sig) {
  if (sig <= 0 || sig > kNumSignals) return nullptr;
  return kNames[sig];
}

}  // namespace uapi
