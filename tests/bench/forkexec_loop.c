// forkexec_loop N [PROGRAM]: N times fork(), execv of PROGRAM (default
// /bin/true) in the child, waitpid in the parent; prints the mean wall time
// of one iteration. What a shell or a build tool does all day.
//
// The clock is read with raw clock_gettime calls (the sandbox has no vDSO),
// exactly twice, outside the loop; one iteration runs first, untimed.
//
// Output (one line, machine-readable for compare.sh):
//   forkexec_loop iterations=N total_ns=T ns_per_iter=X
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
  struct timespec ts;
  if (syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts) != 0) {
    perror("clock_gettime");
    exit(1);
  }
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

// One fork + exec + wait; 0 when the child ran PROGRAM and exited 0.
static int once(const char* prog) {
  pid_t pid = fork();
  if (pid < 0) {
    perror("fork");
    return -1;
  }
  if (pid == 0) {
    execl(prog, prog, (char*)NULL);
    _exit(127);
  }
  int status;
  if (waitpid(pid, &status, 0) != pid) {
    perror("waitpid");
    return -1;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fprintf(stderr, "forkexec_loop: %s exited with status %#x\n", prog, status);
    return -1;
  }
  return 0;
}

int main(int argc, char** argv) {
  long n = 100;
  if (argc > 1) {
    char* end = NULL;
    errno = 0;
    n = strtol(argv[1], &end, 10);
    if (errno != 0 || end == argv[1] || *end != '\0' || n <= 0) {
      fprintf(stderr, "usage: %s [N>0] [PROGRAM]\n", argv[0]);
      return 2;
    }
  }
  const char* prog = argc > 2 ? argv[2] : "/bin/true";
  if (once(prog) != 0) return 1;
  long long t0 = now_ns();
  for (long i = 0; i < n; i++) {
    if (once(prog) != 0) return 1;
  }
  long long t1 = now_ns();
  printf("forkexec_loop iterations=%ld total_ns=%lld ns_per_iter=%lld\n", n,
         t1 - t0, (t1 - t0) / n);
  return 0;
}
