// tcp_loop: TCP over 127.0.0.1 between two processes (fork), for the
// sandbox/native comparison of tcp_compare.sh.
//   tcp_loop pingpong N    N one-byte round trips (TCP_NODELAY); prints
//                          "pingpong_us <microseconds per round trip>"
//   tcp_loop stream MIB    MIB MiB written in 64 KiB writes and read in
//                          64 KiB reads; prints "stream_MBps <MB/s>"
//   tcp_loop ... unix      the same over an AF_UNIX stream socket (an
//                          abstract name, listen/accept as for TCP)
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char* what) {
  perror(what);
  exit(1);
}

// Blocking sockets never say EAGAIN on Linux, but gVisor's hostinet
// (release 20221219, --network=host) does: the call is retried after
// poll(2) so that peer can be measured at all (counted, reported on
// stderr), at a cost only to it.
static long eagains;

static ssize_t retry_read(int fd, void* p, size_t n) {
  for (;;) {
    ssize_t r = read(fd, p, n);
    if (r >= 0 || errno != EAGAIN) return r;
    eagains++;
    struct pollfd pf = {fd, POLLIN, 0};
    poll(&pf, 1, -1);
  }
}

static void full_write(int fd, const char* p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EAGAIN) {
      eagains++;
      struct pollfd pf = {fd, POLLOUT, 0};
      poll(&pf, 1, -1);
      continue;
    }
    if (w <= 0) die("write");
    p += w;
    n -= (size_t)w;
  }
}

int main(int argc, char** argv) {
  if (argc != 3 && !(argc == 4 && strcmp(argv[3], "unix") == 0)) {
    fprintf(stderr, "usage: tcp_loop pingpong N | stream MIB [unix]\n");
    return 2;
  }
  const int pingpong = strcmp(argv[1], "pingpong") == 0;
  const long n = atol(argv[2]);
  const int family = argc == 4 ? AF_UNIX : AF_INET;
  int l = socket(family, SOCK_STREAM, 0);
  struct sockaddr_storage a;
  memset(&a, 0, sizeof(a));
  socklen_t len;
  if (family == AF_INET) {
    struct sockaddr_in* in = (struct sockaddr_in*)&a;
    in->sin_family = AF_INET;
    in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    len = sizeof(*in);
  } else {
    // Abstract name unique to this process: no file to clean up.
    struct sockaddr_un* un = (struct sockaddr_un*)&a;
    un->sun_family = AF_UNIX;
    int k = snprintf(un->sun_path + 1, sizeof(un->sun_path) - 1,
                     "tcp_loop.%d", (int)getpid());
    len = offsetof(struct sockaddr_un, sun_path) + 1 + k;
  }
  if (l < 0 || bind(l, (struct sockaddr*)&a, len) < 0 || listen(l, 1) < 0 ||
      getsockname(l, (struct sockaddr*)&a, &len) < 0) {
    die("listen");
  }
  static char buf[65536];
  pid_t child = fork();
  if (child < 0) die("fork");
  if (child == 0) {
    int c = socket(family, SOCK_STREAM, 0);
    if (connect(c, (struct sockaddr*)&a, len) < 0) die("connect");
    int one = 1;
    if (family == AF_INET) setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (pingpong) {
      char b = 'p';
      double t0 = now();
      for (long i = 0; i < n; i++) {
        full_write(c, &b, 1);
        if (retry_read(c, &b, 1) != 1) die("read");
      }
      printf("pingpong_us %.2f\n", (now() - t0) * 1e6 / n);
      fflush(stdout);
    } else {
      memset(buf, 'x', sizeof(buf));
      for (long i = 0; i < n * 16; i++) full_write(c, buf, sizeof(buf));
    }
    close(c);
    if (eagains) fprintf(stderr, "tcp_loop: %ld EAGAIN on a blocking socket (client)\n", eagains);
    _exit(0);
  }
  int s = accept(l, NULL, NULL);
  if (s < 0) die("accept");
  int one = 1;
  if (family == AF_INET) setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (pingpong) {
    char b;
    for (;;) {
      ssize_t r = retry_read(s, &b, 1);
      if (r <= 0) break;
      full_write(s, &b, 1);
    }
  } else {
    double t0 = now();
    long long total = 0;
    for (;;) {
      ssize_t r = retry_read(s, buf, sizeof(buf));
      if (r < 0) die("read");
      if (r == 0) break;
      total += r;
    }
    double dt = now() - t0;
    if (total != (long long)n << 20) {
      fprintf(stderr, "short stream: %lld bytes\n", total);
      return 1;
    }
    printf("stream_MBps %.1f\n", total / dt / 1e6);
  }
  if (eagains) fprintf(stderr, "tcp_loop: %ld EAGAIN on a blocking socket (server)\n", eagains);
  int st;
  waitpid(child, &st, 0);
  return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}
