// getppid_loop N: makes N raw getppid system calls and prints the mean cost
// of one call in nanoseconds.
//
// Everything is a raw syscall(2): the sandbox gives the application no vDSO,
// so clock_gettime through libc would be a real system call there anyway;
// using the raw call on both sides keeps native and sandboxed runs
// comparable. The clock is read exactly twice, outside the loop.
//
// Output (one line, machine-readable for compare.sh):
//   getppid_loop calls=N total_ns=T ns_per_call=X
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
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

int main(int argc, char** argv) {
  long n = 1000000;
  if (argc > 1) {
    char* end = NULL;
    errno = 0;
    n = strtol(argv[1], &end, 10);
    if (errno != 0 || end == argv[1] || *end != '\0' || n <= 0) {
      fprintf(stderr, "usage: %s [N>0]\n", argv[0]);
      return 2;
    }
  }
  // One call before timing so that a lazily-set-up path (first syscall of
  // this number in the sandbox) is not in the measurement.
  long expect = syscall(SYS_getppid);

  long long t0 = now_ns();
  long bad = 0;
  for (long i = 0; i < n; i++) {
    if (syscall(SYS_getppid) != expect) bad++;
  }
  long long t1 = now_ns();

  if (bad != 0) {
    fprintf(stderr, "getppid_loop: %ld calls returned an unexpected value\n",
            bad);
    return 1;
  }
  long long total = t1 - t0;
  printf("getppid_loop calls=%ld total_ns=%lld ns_per_call=%.1f\n", n, total,
         (double)total / (double)n);
  return 0;
}
