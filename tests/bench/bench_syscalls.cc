// Google Benchmark microbenchmarks of single system calls, meant to run both
// natively and inside a sandbox (`runsc do -- bench_syscalls`), so that
// compare.sh can print the sandbox/native ratio per call.
//
// Every call is a raw syscall(2), so libc caching or vDSO shortcuts never hide
// the system call. Only files that exist on any Debian host and are visible
// read-only in the sandbox are touched (/etc/passwd, /etc). A call that fails
// (for instance one the sandbox does not implement yet) marks its benchmark
// as errored instead of measuring an error path.
#include <dirent.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <benchmark/benchmark.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <thread>
#include <cstring>
#include <string>

namespace {

constexpr char kFile[] = "/etc/passwd";

std::string ErrnoMessage(const char* what) {
  return std::string(what) + ": " + std::strerror(errno);
}

// Opens kFile read-only, or marks the benchmark as errored.
int OpenFileOrSkip(benchmark::State& state) {
  int fd = static_cast<int>(
      syscall(SYS_openat, AT_FDCWD, kFile, O_RDONLY | O_CLOEXEC));
  if (fd < 0) state.SkipWithError(ErrnoMessage("open /etc/passwd").c_str());
  return fd;
}

// The cheapest system call: no arguments, no memory access. This is the pure
// interception round trip.
void BM_getppid(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(syscall(SYS_getppid));
  }
}
BENCHMARK(BM_getppid);

// A small read of a regular file at a fixed offset: fd lookup, file read,
// and a copy-out of `range(0)` bytes to the caller.
void BM_pread(benchmark::State& state) {
  int fd = OpenFileOrSkip(state);
  if (fd < 0) return;
  const size_t len = static_cast<size_t>(state.range(0));
  char buf[4096];
  for (auto _ : state) {
    long n = syscall(SYS_pread64, fd, buf, len, 0L);
    if (n < 0) {
      state.SkipWithError(ErrnoMessage("pread").c_str());
      break;
    }
    benchmark::DoNotOptimize(n);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          state.range(0));
  syscall(SYS_close, fd);
}
BENCHMARK(BM_pread)->Arg(1)->Arg(64)->Arg(1024);

// fstat on an open file: fd lookup and a 144-byte copy-out.
void BM_fstat(benchmark::State& state) {
  int fd = OpenFileOrSkip(state);
  if (fd < 0) return;
  struct stat st;
  for (auto _ : state) {
    if (syscall(SYS_fstat, fd, &st) != 0) {
      state.SkipWithError(ErrnoMessage("fstat").c_str());
      break;
    }
    benchmark::DoNotOptimize(st.st_size);
  }
  syscall(SYS_close, fd);
}
BENCHMARK(BM_fstat);

// open + close of /etc/passwd: copy-in of the path, a two-component path
// walk from the root, fd allocation and release.
void BM_open_close(benchmark::State& state) {
  for (auto _ : state) {
    long fd = syscall(SYS_openat, AT_FDCWD, kFile, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      state.SkipWithError(ErrnoMessage("open").c_str());
      break;
    }
    syscall(SYS_close, fd);
  }
}
BENCHMARK(BM_open_close);

// stat by path: the path walk without the fd table.
void BM_stat(benchmark::State& state) {
  struct stat st;
  for (auto _ : state) {
    if (syscall(SYS_newfstatat, AT_FDCWD, kFile, &st, 0) != 0) {
      state.SkipWithError(ErrnoMessage("stat").c_str());
      break;
    }
    benchmark::DoNotOptimize(st.st_size);
  }
}
BENCHMARK(BM_stat);

// A failing path walk: ENOENT on the last component (shells and dynamic
// loaders do many of these while searching PATH and library directories).
void BM_stat_enoent(benchmark::State& state) {
  struct stat st;
  for (auto _ : state) {
    long r = syscall(SYS_newfstatat, AT_FDCWD, "/etc/no-such-file-here", &st, 0);
    if (r == 0 || errno != ENOENT) {
      state.SkipWithError("stat of a missing file did not fail with ENOENT");
      break;
    }
  }
}
BENCHMARK(BM_stat_enoent);

// An anonymous private page mapped and unmapped: the memory-manager path, and
// on a ptrace platform an operation the sentry has to run inside the stub.
void BM_mmap_munmap(benchmark::State& state) {
  const size_t len = 4096;
  for (auto _ : state) {
    long p = syscall(SYS_mmap, nullptr, len, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1L, 0L);
    if (p == -1) {
      state.SkipWithError(ErrnoMessage("mmap").c_str());
      break;
    }
    syscall(SYS_munmap, p, len);
  }
}
BENCHMARK(BM_mmap_munmap);

}  // namespace

// --- Processes, threads, futexes, signals (issue: processes) -------------

// fork + exec of /bin/true + wait.
void BM_fork_exec_wait(benchmark::State& state) {
  for (auto _ : state) {
    pid_t pid = fork();
    if (pid == 0) {
      execl("/bin/true", "true", nullptr);
      _exit(127);
    }
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) != pid) {
      state.SkipWithError("fork/wait failed");
      return;
    }
  }
}
BENCHMARK(BM_fork_exec_wait)->UseRealTime();

void BM_thread_create_join(benchmark::State& state) {
  for (auto _ : state) {
    std::thread t([] {});
    t.join();
  }
}
BENCHMARK(BM_thread_create_join)->UseRealTime();

// Two threads hand a token back and forth with futex wait/wake; one
// iteration is one round trip.
void BM_futex_pingpong(benchmark::State& state) {
  std::atomic<int> turn{0};
  std::atomic<bool> stop{false};
  auto wait_for = [&](int want) {
    int cur;
    while ((cur = turn.load()) != want && !stop.load()) {
      syscall(SYS_futex, &turn, FUTEX_WAIT_PRIVATE, cur, nullptr, nullptr, 0);
    }
  };
  auto pass = [&](int to) {
    turn.store(to);
    syscall(SYS_futex, &turn, FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
  };
  std::thread peer([&] {
    while (!stop.load()) {
      wait_for(1);
      if (stop.load()) break;
      pass(0);
    }
  });
  for (auto _ : state) {
    pass(1);
    wait_for(0);
  }
  stop.store(true);
  pass(1);
  peer.join();
}
BENCHMARK(BM_futex_pingpong)->UseRealTime();

volatile sig_atomic_t g_signals = 0;
void OnSignal(int) { g_signals = g_signals + 1; }

// raise() to a handler and back.
void BM_signal_delivery(benchmark::State& state) {
  struct sigaction sa = {};
  sa.sa_handler = OnSignal;
  sigaction(SIGUSR1, &sa, nullptr);
  for (auto _ : state) raise(SIGUSR1);
  signal(SIGUSR1, SIG_DFL);
}
BENCHMARK(BM_signal_delivery);

// --- Files (issue: files) -----------------------------------------------

// stat of a path eight components deep.
void BM_stat_deep(benchmark::State& state) {
  const char* path = "/usr/share/doc/../../lib/x86_64-linux-gnu/../../bin/../lib/../bin/true";
  struct stat st;
  for (auto _ : state) {
    if (stat(path, &st) != 0) {
      state.SkipWithError("stat failed");
      return;
    }
  }
  state.SetLabel("syscalls=1");
}
BENCHMARK(BM_stat_deep);

// 64 KiB through a pipe: write then read it back.
void BM_pipe_64k(benchmark::State& state) {
  int fds[2];
  if (pipe(fds) != 0) {
    state.SkipWithError("pipe failed");
    return;
  }
  std::string buf(65536, 'x');
  long calls = 0;
  for (auto _ : state) {
    if (write(fds[1], buf.data(), buf.size()) != 65536) {
      state.SkipWithError("write failed");
      break;
    }
    calls = 1;
    size_t got = 0;
    while (got < buf.size()) {
      ssize_t n = read(fds[0], buf.data(), buf.size() - got);
      calls++;
      if (n <= 0) break;
      got += n;
    }
  }
  state.SetBytesProcessed(state.iterations() * 65536);
  state.SetLabel("syscalls=" + std::to_string(calls));
  close(fds[0]);
  close(fds[1]);
}
BENCHMARK(BM_pipe_64k);

// Listing a large host directory with getdents64.
void BM_getdents_usr_bin(benchmark::State& state) {
  for (auto _ : state) {
    DIR* d = opendir("/usr/bin");
    if (!d) {
      state.SkipWithError("opendir failed");
      return;
    }
    while (readdir(d) != nullptr) {
    }
    closedir(d);
  }
}
BENCHMARK(BM_getdents_usr_bin);

// The file benchmarks of the files issue, each labelled "syscalls=N" with the
// number of system calls one iteration makes, so that compare.sh can set them
// against N sandboxed round trips plus the native time.

// A 4 KiB read of a file the host has cached: pread at offset 0 of a program
// every Debian host has (read-only hostfs in the sandbox).
void BM_read_4k(benchmark::State& state) {
  const char* path = "/usr/bin/true";
  int fd = static_cast<int>(syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC));
  if (fd < 0) {
    state.SkipWithError(ErrnoMessage("open /usr/bin/true").c_str());
    return;
  }
  alignas(64) char buf[4096];
  for (auto _ : state) {
    long n = syscall(SYS_pread64, fd, buf, sizeof(buf), 0L);
    if (n != static_cast<long>(sizeof(buf))) {
      state.SkipWithError(ErrnoMessage("pread 4096").c_str());
      break;
    }
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * 4096);
  state.SetLabel("syscalls=1");
  syscall(SYS_close, fd);
}
BENCHMARK(BM_read_4k);

// A directory of 10,000 empty files made once per process in a fresh
// directory under /dev/shm (a tmpfs natively and in the sandbox, so both
// list the same kind of directory; /tmp if that fails) and removed at exit.
class TenThousandDir {
 public:
  static constexpr int kEntries = 10000;
  // The directory's path, or "" (errno set) when it could not be made.
  static const std::string& Path() {
    static TenThousandDir* dir = new TenThousandDir();
    return dir->path_;
  }

 private:
  TenThousandDir() {
    char shm[] = "/dev/shm/bench-getdents.XXXXXX";
    char tmp[] = "/tmp/bench-getdents.XXXXXX";
    const char* made = mkdtemp(shm);
    if (made == nullptr) made = mkdtemp(tmp);
    if (made == nullptr) return;
    std::string path = made;
    for (int i = 0; i < kEntries; i++) {
      std::string name = path + "/entry-" + std::to_string(i);
      int fd = static_cast<int>(syscall(SYS_openat, AT_FDCWD, name.c_str(),
                                        O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
      if (fd < 0) {
        Remove(path, i);
        return;
      }
      syscall(SYS_close, fd);
    }
    path_ = path;
    created_ = path;
    std::atexit([] { Remove(created_, kEntries); });
  }
  static void Remove(const std::string& path, int n) {
    for (int i = 0; i < n; i++) unlink((path + "/entry-" + std::to_string(i)).c_str());
    rmdir(path.c_str());
  }
  std::string path_;
  static inline std::string created_;
};

// getdents64 of the 10,000-entry directory with glibc's 32 KiB buffer:
// open, getdents64 until it returns 0, close.
void BM_getdents_10k(benchmark::State& state) {
  const std::string& path = TenThousandDir::Path();
  if (path.empty()) {
    state.SkipWithError(ErrnoMessage("making a 10k-entry directory").c_str());
    return;
  }
  alignas(8) static char buf[32768];
  long calls = 0;
  for (auto _ : state) {
    int fd = static_cast<int>(syscall(SYS_openat, AT_FDCWD, path.c_str(),
                                      O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd < 0) {
      state.SkipWithError(ErrnoMessage("open directory").c_str());
      return;
    }
    long entries = 0;
    calls = 2;
    for (;;) {
      long n = syscall(SYS_getdents64, fd, buf, sizeof(buf));
      calls++;
      if (n < 0) {
        state.SkipWithError(ErrnoMessage("getdents64").c_str());
        syscall(SYS_close, fd);
        return;
      }
      if (n == 0) break;
      for (long off = 0; off < n;) {
        auto* d = reinterpret_cast<struct dirent64*>(buf + off);
        off += d->d_reclen;
        entries++;
      }
    }
    syscall(SYS_close, fd);
    if (entries != TenThousandDir::kEntries + 2) {
      state.SkipWithError(("listed " + std::to_string(entries) + " entries").c_str());
      return;
    }
  }
  state.SetLabel("syscalls=" + std::to_string(calls));
}
BENCHMARK(BM_getdents_10k);
// --- Sockets (issue: sockets) -------------------------------------------

// One byte to a forked echo process over a unix stream socketpair and back:
// a round trip is two sends, two receives and two wake-ups.
void BM_unix_stream_pingpong(benchmark::State& state) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
    state.SkipWithError("socketpair failed");
    return;
  }
  pid_t pid = fork();
  if (pid == 0) {
    close(sv[0]);
    char c;
    while (read(sv[1], &c, 1) == 1) {
      if (write(sv[1], &c, 1) != 1) break;
    }
    _exit(0);
  }
  close(sv[1]);
  char c = 'p';
  for (auto _ : state) {
    if (write(sv[0], &c, 1) != 1 || read(sv[0], &c, 1) != 1) {
      state.SkipWithError("ping-pong failed");
      break;
    }
  }
  close(sv[0]);
  waitpid(pid, nullptr, 0);
}
BENCHMARK(BM_unix_stream_pingpong)->UseRealTime();

// 64 KiB to a forked reader over a unix stream socketpair, which answers
// one byte once it has it all: throughput between two processes.
void BM_unix_stream_64k(benchmark::State& state) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
    state.SkipWithError("socketpair failed");
    return;
  }
  constexpr size_t kChunk = 65536;
  pid_t pid = fork();
  if (pid == 0) {
    close(sv[0]);
    std::string buf(kChunk, '\0');
    for (;;) {
      size_t got = 0;
      while (got < kChunk) {
        ssize_t n = read(sv[1], buf.data(), kChunk - got);
        if (n <= 0) _exit(0);
        got += n;
      }
      if (write(sv[1], "k", 1) != 1) _exit(1);
    }
  }
  close(sv[1]);
  std::string buf(kChunk, 'x');
  for (auto _ : state) {
    char ack;
    if (write(sv[0], buf.data(), kChunk) != static_cast<ssize_t>(kChunk) ||
        read(sv[0], &ack, 1) != 1) {
      state.SkipWithError("transfer failed");
      break;
    }
  }
  state.SetBytesProcessed(state.iterations() * kChunk);
  close(sv[0]);
  waitpid(pid, nullptr, 0);
}
BENCHMARK(BM_unix_stream_64k)->UseRealTime();

BENCHMARK_MAIN();
