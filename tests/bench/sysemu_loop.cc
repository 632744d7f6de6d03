// sysemu_loop [--bind] [--lean] N: the floor of the ptrace platform's cost.
//
// A bare PTRACE_SYSEMU tracer that answers getppid itself, with nothing else
// in the way: no sentry, no syscall table, no memory copies. The child asks
// to be traced, stops itself, then makes N raw getppid calls and exits. For
// every getppid the parent does what any ptrace-based sentry must do at a
// minimum per system call:
//
//   PTRACE_SYSEMU -> waitpid -> PTRACE_GETREGS -> set rax -> PTRACE_SETREGS
//
// Any other system call of the child (glibc's raise() restores the signal
// mask after the stop; exit_group at the end) is passed through to the host:
// a SYSEMU stop has already decided that the call is skipped, so the tracer
// rewinds rip over the 2-byte `syscall` instruction, restores rax to the
// number, and resumes with PTRACE_SYSCALL so the instruction runs again, this
// time for real. Resuming a skipped call with PTRACE_SYSCALL first reports an
// exit stop for the skipped call itself, then the entry and exit stops of the
// real one; PTRACE_GET_SYSCALL_INFO tells them apart, and after the real
// exit stop the tracer goes back to PTRACE_SYSEMU. Only the pass-through path
// pays for that extra request; the getppid path is the bare minimum.
//
// --lean: the cheapest register traffic instead of the whole register file:
// PTRACE_GET_SYSCALL_INFO (number and arguments, what a handler needs) and
// PTRACE_POKEUSER of rax alone for the answer.
//
// --bind: before each resume, pin the child to the CPU the tracer is running
// on when that changed (what gVisor's ptrace platform does for its stub
// threads). Tracer and tracee then hand the CPU to each other instead of
// waking each other across CPUs, which in a VM costs an IPI per direction.
//
// Output (one line, machine-readable for compare.sh):
//   sysemu_loop mode=free|bind|lean|lean+bind round_trips=N total_ns=T ns_per_round_trip=X
// The time is taken by the tracer between the first and the last emulated
// getppid, so the fork, the initial stop and the exit are not in it.
#include <sched.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

// The value the tracer answers getppid with; the child checks it, so an
// answer that did not arrive (the call ran natively) is caught.
constexpr long kAnswer = 0x5eed;

long long NowNs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "sysemu_loop: %s: %s\n", what, std::strerror(errno));
  std::exit(1);
}

// The traced child. Only raw system calls after the stop, so the sequence of
// calls the tracer sees is known: the tail of raise(), N getppid, exit_group.
[[noreturn]] void Child(long n) {
  if (ptrace(PTRACE_TRACEME, 0, nullptr, nullptr) != 0) _exit(100);
  raise(SIGSTOP);
  long bad = 0;
  for (long i = 0; i < n; i++) {
    if (syscall(SYS_getppid) != kAnswer) bad++;
  }
  syscall(SYS_exit_group, bad == 0 ? 0 : 1);
  __builtin_unreachable();
}

// --bind: keeps the child on the tracer's current CPU.
void BindToMyCpu(pid_t pid, int* bound_cpu) {
  int cpu = sched_getcpu();
  if (cpu < 0 || cpu == *bound_cpu) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  // Best effort, like gVisor: a failure only costs speed.
  if (sched_setaffinity(pid, sizeof(set), &set) == 0) *bound_cpu = cpu;
}

// Waits for the child; returns false if it is gone (status in *status).
bool WaitStop(pid_t pid, int* status) {
  for (;;) {
    if (waitpid(pid, status, __WALL) == pid) break;
    if (errno != EINTR) Die("waitpid");
  }
  return WIFSTOPPED(*status);
}

}  // namespace

int main(int argc, char** argv) {
  long n = 100000;
  bool bind = false, lean = false;
  int argi = 1;
  for (; argi < argc && argv[argi][0] == '-'; argi++) {
    if (std::strcmp(argv[argi], "--bind") == 0) {
      bind = true;
    } else if (std::strcmp(argv[argi], "--lean") == 0) {
      lean = true;
    } else {
      break;  // reported by the usage check below
    }
  }
  if (argi < argc) {
    char* end = nullptr;
    errno = 0;
    n = std::strtol(argv[argi], &end, 10);
    if (errno != 0 || end == argv[argi] || *end != '\0' || n < 2 ||
        argi + 1 != argc) {
      std::fprintf(stderr, "usage: %s [--bind] [--lean] [N>=2]\n", argv[0]);
      return 2;
    }
  }

  pid_t pid = fork();
  if (pid < 0) Die("fork");
  if (pid == 0) Child(n);

  int status = 0;
  if (!WaitStop(pid, &status) || WSTOPSIG(status) != SIGSTOP) {
    std::fprintf(stderr, "sysemu_loop: child did not stop (status %#x)\n",
                 status);
    return 1;
  }
  // Kill the child if we die; mark syscall stops with 0x80.
  if (ptrace(PTRACE_SETOPTIONS, pid, nullptr,
             reinterpret_cast<void*>(PTRACE_O_EXITKILL |
                                     PTRACE_O_TRACESYSGOOD)) != 0) {
    Die("PTRACE_SETOPTIONS");
  }

  long emulated = 0, passed = 0;
  long long t_first = 0, t_last = 0;
  long resume = PTRACE_SYSEMU;
  int deliver = 0;       // signal to deliver on resume
  bool entered = false;  // pass-through: the real call's entry stop was seen
  int bound_cpu = -1;
  struct user_regs_struct regs;
  for (;;) {
    if (bind) BindToMyCpu(pid, &bound_cpu);
    if (ptrace(static_cast<enum __ptrace_request>(resume), pid, nullptr,
               reinterpret_cast<void*>(static_cast<long>(deliver))) != 0) {
      Die("ptrace resume");
    }
    deliver = 0;
    if (!WaitStop(pid, &status)) break;  // exited or killed
    int sig = WSTOPSIG(status);
    if (sig != (SIGTRAP | 0x80)) {
      // A signal-delivery stop: hand the signal on, resume as before.
      deliver = sig;
      continue;
    }
    if (resume == PTRACE_SYSCALL) {
      // A stop of a passed-through call: the exit of the skipped call, then
      // the entry and the exit of the real one.
      struct __ptrace_syscall_info info;
      if (ptrace(PTRACE_GET_SYSCALL_INFO, pid,
                 reinterpret_cast<void*>(sizeof(info)), &info) <= 0) {
        Die("PTRACE_GET_SYSCALL_INFO");
      }
      if (info.op == PTRACE_SYSCALL_INFO_ENTRY) {
        entered = true;
      } else if (info.op == PTRACE_SYSCALL_INFO_EXIT && entered) {
        entered = false;
        resume = PTRACE_SYSEMU;
      }
      continue;
    }
    bool is_getppid;
    if (lean) {
      struct __ptrace_syscall_info info;
      if (ptrace(PTRACE_GET_SYSCALL_INFO, pid,
                 reinterpret_cast<void*>(sizeof(info)), &info) <= 0) {
        Die("PTRACE_GET_SYSCALL_INFO");
      }
      is_getppid = info.op == PTRACE_SYSCALL_INFO_ENTRY &&
                   info.entry.nr == SYS_getppid;
    } else {
      if (ptrace(PTRACE_GETREGS, pid, nullptr, &regs) != 0) Die("GETREGS");
      is_getppid = regs.orig_rax == SYS_getppid;
    }

    if (is_getppid) {
      if (lean) {
        if (ptrace(PTRACE_POKEUSER, pid,
                   reinterpret_cast<void*>(offsetof(struct user_regs_struct, rax)),
                   reinterpret_cast<void*>(kAnswer)) != 0) {
          Die("POKEUSER");
        }
      } else {
        regs.rax = kAnswer;
        if (ptrace(PTRACE_SETREGS, pid, nullptr, &regs) != 0) Die("SETREGS");
      }
      emulated++;
      if (emulated == 1) t_first = NowNs();
      if (emulated == n) t_last = NowNs();
      continue;
    }

    // The slow path needs the whole register file.
    if (lean && ptrace(PTRACE_GETREGS, pid, nullptr, &regs) != 0) {
      Die("GETREGS");
    }

    // Pass through: run the same `syscall` instruction again, traced but
    // not emulated.
    regs.rax = regs.orig_rax;
    regs.rip -= 2;
    if (ptrace(PTRACE_SETREGS, pid, nullptr, &regs) != 0) Die("SETREGS");
    passed++;
    resume = PTRACE_SYSCALL;
  }

  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr,
                 "sysemu_loop: child ended badly (status %#x, %ld emulated, "
                 "%ld passed through)\n",
                 status, emulated, passed);
    return 1;
  }
  if (emulated != n) {
    std::fprintf(stderr, "sysemu_loop: emulated %ld getppid calls, want %ld\n",
                 emulated, n);
    return 1;
  }
  long long total = t_last - t_first;
  // n emulations span n-1 round trips between the first and the last.
  std::printf(
      "sysemu_loop mode=%s round_trips=%ld total_ns=%lld "
      "ns_per_round_trip=%.1f\n",
      lean ? (bind ? "lean+bind" : "lean") : (bind ? "bind" : "free"), n - 1,
      total,
      static_cast<double>(total) / static_cast<double>(n - 1));
  return 0;
}
