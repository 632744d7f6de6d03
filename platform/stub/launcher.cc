#include "platform/stub/launcher.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <linux/securebits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace platform {

namespace {

std::atomic<bool> g_debug{false};

// Waits for `pid` to stop or exit, retrying on EINTR.
int WaitPid(pid_t pid, int* status) {
  for (;;) {
    int r = waitpid(pid, status, __WALL);
    if (r >= 0 || errno != EINTR) return r;
  }
}

void KillAndReap(pid_t pid) {
  int status;
  kill(pid, SIGKILL);
  WaitPid(pid, &status);
}

struct NsFlag {
  int flag;
  const char* name;
};
// In the order they are probed when the whole set is refused: the user
// namespace first, because without root it is what allows the others.
constexpr NsFlag kNamespaces[] = {
    {CLONE_NEWUSER, "user"}, {CLONE_NEWNS, "mount"}, {CLONE_NEWPID, "pid"},
    {CLONE_NEWNET, "net"},   {CLONE_NEWIPC, "ipc"},  {CLONE_NEWUTS, "uts"},
};

// The zygote's report after its set-up (sent once over its socket).
struct ZygoteReport {
  int32_t empty_root_errno;  // 0: pivot_root into the empty tmpfs worked
  int32_t caps_errno;        // 0: securebits locked and caps dropped
};

// The kernel's struct sigaction (rt_sigaction), for raw calls.
struct KernelSigaction {
  uintptr_t handler;
  unsigned long flags;
  uintptr_t restorer;
  uint64_t mask;
};

long Sys(long nr, long a = 0, long b = 0, long c = 0, long d = 0, long e = 0,
         long f = 0) {
  return syscall(nr, a, b, c, d, e, f);
}

// Everything below until ZygoteMain's end runs in the zygote or in its vfork
// children: a copy (or a vfork share) of a multi-threaded sentry, where no
// lock another thread held may be taken. Raw system calls and the stack
// only: no malloc, no stdio, no absl.

int SetUpEmptyRoot() {
  if (Sys(SYS_mount, 0, reinterpret_cast<long>("/"), 0, MS_REC | MS_PRIVATE,
          0) != 0)
    return errno;
  // Any directory that exists serves as the mount point: the mount is only
  // in our private mount namespace.
  static const char* const kDirs[] = {"/tmp", "/proc", "/"};
  const char* dir = nullptr;
  int err = 0;
  for (const char* d : kDirs) {
    if (Sys(SYS_mount, reinterpret_cast<long>("runsc-jail"),
            reinterpret_cast<long>(d), reinterpret_cast<long>("tmpfs"),
            MS_NOSUID | MS_NODEV | MS_NOEXEC,
            reinterpret_cast<long>("size=4k,nr_inodes=2,mode=0555")) == 0) {
      dir = d;
      break;
    }
    err = errno;
  }
  if (!dir) return err;
  if (Sys(SYS_chdir, reinterpret_cast<long>(dir)) != 0) return errno;
  // pivot_root(".", "."): the old root ends up stacked under the new one
  // and is detached right away.
  if (Sys(SYS_pivot_root, reinterpret_cast<long>("."),
          reinterpret_cast<long>(".")) != 0)
    return errno;
  if (Sys(SYS_umount2, reinterpret_cast<long>("."), MNT_DETACH) != 0)
    return errno;
  if (Sys(SYS_chdir, reinterpret_cast<long>("/")) != 0) return errno;
  if (Sys(SYS_mount, 0, reinterpret_cast<long>("/"), 0,
          MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
          0) != 0)
    return errno;
  return 0;
}

int DropAllCapabilities() {
  // No privilege from uid 0 on exec, ever (the stubs are uid 0 in their
  // user namespace), and no way to undo that.
  const long bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
                    SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED |
                    SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE |
                    SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
  int err = 0;
  if (Sys(SYS_prctl, PR_SET_SECUREBITS, bits) != 0) err = errno;
  for (int cap = 0; cap < 64; cap++) {
    if (Sys(SYS_prctl, PR_CAPBSET_DROP, cap) != 0 && errno == EINVAL) break;
  }
  Sys(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL);
  __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (Sys(SYS_capset, reinterpret_cast<long>(&hdr),
          reinterpret_cast<long>(data)) != 0 && err == 0)
    err = errno;
  return err;
}

// The vfork child of the zygote that becomes one stub.
[[noreturn]] void StubChild(int image, int chan, bool trace) {
  static char arg0[] = "runsc-stub";
  static char* const argv[] = {arg0, nullptr};
  static char* const envp[] = {nullptr};
  // The image goes high (closed by the exec: close-on-exec works for ELF
  // images), the channel becomes fd 3, everything else goes.
  int img = static_cast<int>(Sys(SYS_fcntl, image, F_DUPFD_CLOEXEC, 16));
  if (img < 0) Sys(SYS_exit_group, 120);
  if (chan != kStubChannelFd) {
    if (Sys(SYS_dup3, chan, kStubChannelFd, 0) != kStubChannelFd)
      Sys(SYS_exit_group, 121);
  } else {
    Sys(SYS_fcntl, kStubChannelFd, F_SETFD, 0);
  }
  Sys(SYS_close_range, 0, kStubChannelFd - 1, 0);
  Sys(SYS_close_range, kStubChannelFd + 1, ~0U, CLOSE_RANGE_CLOEXEC);
  // Tell the sentry who we are: it has SO_PASSCRED on its end, so the host
  // adds our pid, translated into the sentry's pid namespace.
  char byte = 'p';
  if (Sys(SYS_sendto, kStubChannelFd, reinterpret_cast<long>(&byte), 1, 0, 0,
          0) != 1)
    Sys(SYS_exit_group, 122);
  if (trace) {
    // Wait until the sentry has attached, so that it sees the exec.
    pollfd p = {kStubChannelFd, POLLIN, 0};
    if (Sys(SYS_poll, reinterpret_cast<long>(&p), 1, 10000) != 1 ||
        Sys(SYS_recvfrom, kStubChannelFd, reinterpret_cast<long>(&byte), 1,
            MSG_DONTWAIT, 0, 0) != 1)
      Sys(SYS_exit_group, 123);
  }
  const rlimit nofile = {kStubChannelFd + 1, kStubChannelFd + 1};
  const rlimit zero = {0, 0};
  Sys(SYS_setrlimit, RLIMIT_NOFILE, reinterpret_cast<long>(&nofile));
  Sys(SYS_setrlimit, RLIMIT_CORE, reinterpret_cast<long>(&zero));
  Sys(SYS_setrlimit, RLIMIT_MSGQUEUE, reinterpret_cast<long>(&zero));
  Sys(SYS_execveat, img, reinterpret_cast<long>(""),
      reinterpret_cast<long>(argv), reinterpret_cast<long>(envp),
      AT_EMPTY_PATH);
  Sys(SYS_exit_group, 127);
  __builtin_unreachable();
}

[[noreturn]] void ZygoteMain(int ctl, int namespaces) {
  // Nothing of the sentry's but the control socket.
  if (ctl > 0) Sys(SYS_close_range, 0, ctl - 1, 0);
  Sys(SYS_close_range, ctl + 1, ~0U, 0);
  // Default dispositions (the sentry's handlers are not ours to run),
  // nothing blocked, SIGCHLD ignored so the host reaps exited stubs.
  for (int sig = 1; sig <= 64; sig++) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    KernelSigaction sa = {};
    sa.handler = reinterpret_cast<uintptr_t>(sig == SIGCHLD ? SIG_IGN : SIG_DFL);
    Sys(SYS_rt_sigaction, sig, reinterpret_cast<long>(&sa), 0, 8);
  }
  uint64_t none = 0;
  Sys(SYS_rt_sigprocmask, SIG_SETMASK, reinterpret_cast<long>(&none), 0, 8);
  Sys(SYS_setsid);
  // Wait until the sentry has written our uid/gid maps.
  char byte;
  if (Sys(SYS_recvfrom, ctl, reinterpret_cast<long>(&byte), 1, 0, 0, 0) != 1)
    Sys(SYS_exit_group, 0);
  ZygoteReport report = {};
  if (namespaces & CLONE_NEWUSER) {
    // No namespaces nested in ours: a stub that ran its own syscalls could
    // otherwise gain capabilities in a user namespace of its own. These
    // limits are per user namespace (ours), never the host's.
    static const char* const kLimits[] = {
        "/proc/sys/user/max_user_namespaces",
        "/proc/sys/user/max_mnt_namespaces",
        "/proc/sys/user/max_net_namespaces",
        "/proc/sys/user/max_pid_namespaces",
        "/proc/sys/user/max_ipc_namespaces",
        "/proc/sys/user/max_uts_namespaces",
        "/proc/sys/user/max_cgroup_namespaces",
        "/proc/sys/user/max_time_namespaces"};
    for (const char* path : kLimits) {
      long fd = Sys(SYS_openat, AT_FDCWD, reinterpret_cast<long>(path),
                    O_WRONLY | O_CLOEXEC);
      if (fd < 0) continue;
      Sys(SYS_write, fd, reinterpret_cast<long>("0\n"), 2);
      Sys(SYS_close, fd);
    }
  }
  report.empty_root_errno =
      (namespaces & CLONE_NEWNS) ? SetUpEmptyRoot() : ENOSYS;
  if (namespaces & CLONE_NEWUTS)
    Sys(SYS_sethostname, reinterpret_cast<long>("runsc-stub"), 10);
  Sys(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1);
  report.caps_errno = DropAllCapabilities();
  Sys(SYS_sendto, ctl, reinterpret_cast<long>(&report), sizeof(report), 0, 0,
      0);

  for (;;) {
    // A request: one byte ('t' traced, 'r' not), the image and the stub's
    // end of its channel.
    char data[1];
    iovec iov = {data, sizeof(data)};
    alignas(cmsghdr) char cbuf[CMSG_SPACE(2 * sizeof(int))];
    msghdr msg = {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = cbuf;
    msg.msg_controllen = sizeof(cbuf);
    long n = Sys(SYS_recvmsg, ctl, reinterpret_cast<long>(&msg),
                 MSG_CMSG_CLOEXEC);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) Sys(SYS_exit_group, 0);  // the sentry is gone
    int fds[2] = {-1, -1};
    int nfds = 0;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      nfds = static_cast<int>((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
      if (nfds > 2) nfds = 2;
      std::memcpy(fds, CMSG_DATA(c), nfds * sizeof(int));
    }
    if (nfds == 2) {
      // vfork: the child borrows our memory and stack until it execs.
      pid_t pid = vfork();
      if (pid == 0) StubChild(fds[0], fds[1], data[0] == 't');
    }
    for (int i = 0; i < nfds; i++) Sys(SYS_close, fds[i]);
  }
}

bool WriteProcFile(pid_t pid, const char* name, const std::string& text) {
  int fd = open(absl::StrCat("/proc/", pid, "/", name).c_str(),
                O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = write(fd, text.data(), text.size()) ==
            static_cast<ssize_t>(text.size());
  close(fd);
  return ok;
}

// Can a child be created in these namespaces? Forks a child that exits
// at once (only used when the full set was refused).
bool CanClone(int flags) {
  long pid = Sys(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
  if (pid == 0) Sys(SYS_exit_group, 0);
  if (pid < 0) return false;
  int status;
  WaitPid(static_cast<pid_t>(pid), &status);
  return true;
}

std::string NamespaceNames(int flags) {
  std::string out;
  for (const NsFlag& ns : kNamespaces) {
    if (flags & ns.flag) absl::StrAppend(&out, out.empty() ? "" : ",", ns.name);
  }
  return out.empty() ? "none" : out;
}

// Creates the zygote: a child of the sentry in the namespaces the host
// allows, with its uid/gid maps written, set up, and reporting back.
absl::Status StartZygote(int* ctl_out, pid_t* pid_out, JailInfo* jail,
                         int exclude) {
  int all = 0;
  for (const NsFlag& ns : kNamespaces) all |= ns.flag;
  int flags = all & ~exclude;
  if (!CanClone(flags)) {
    // Probe one namespace at a time, on top of a user namespace if the
    // host gives us one.
    flags = !(exclude & CLONE_NEWUSER) && CanClone(CLONE_NEWUSER)
                ? CLONE_NEWUSER
                : 0;
    for (const NsFlag& ns : kNamespaces) {
      if (ns.flag != CLONE_NEWUSER && !(exclude & ns.flag) &&
          CanClone(flags | ns.flag))
        flags |= ns.flag;
    }
  }
  jail->namespaces = flags;
  if (flags != all) {
    jail->missing = absl::StrCat("namespaces not available: ",
                                 NamespaceNames(all & ~flags));
  }

  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
    return absl::ErrnoToStatus(errno, "socketpair for the stub zygote");
  const uid_t uid = geteuid();
  const gid_t gid = getegid();
  long pid = Sys(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
  if (pid == 0) ZygoteMain(sv[1], flags);
  close(sv[1]);
  if (pid < 0) {
    int err = errno;
    close(sv[0]);
    return absl::ErrnoToStatus(err, "clone of the stub zygote");
  }
  auto fail = [&](absl::Status st) {
    close(sv[0]);
    KillAndReap(static_cast<pid_t>(pid));
    return st;
  };
  if (flags & CLONE_NEWUSER) {
    // Our own ids become 0 inside; setgroups must be denied before an
    // unprivileged process may write gid_map.
    if (!WriteProcFile(pid, "uid_map", absl::StrCat("0 ", uid, " 1\n")) ||
        !WriteProcFile(pid, "setgroups", "deny") ||
        !WriteProcFile(pid, "gid_map", absl::StrCat("0 ", gid, " 1\n")))
      return fail(absl::ErrnoToStatus(errno, "writing the zygote's id maps"));
  }
  char go = 'g';
  if (send(sv[0], &go, 1, MSG_NOSIGNAL) != 1)
    return fail(absl::ErrnoToStatus(errno, "starting the stub zygote"));
  ZygoteReport report;
  pollfd p = {sv[0], POLLIN, 0};
  if (poll(&p, 1, 10000) != 1 ||
      recv(sv[0], &report, sizeof(report), 0) != sizeof(report))
    return fail(absl::InternalError("the stub zygote did not set up"));
  jail->empty_root = report.empty_root_errno == 0;
  jail->caps_dropped = report.caps_errno == 0;
  if (!jail->empty_root) {
    absl::StrAppend(&jail->missing, jail->missing.empty() ? "" : "; ",
                    "no empty root: ", strerror(report.empty_root_errno));
  }
  if (!jail->caps_dropped) {
    absl::StrAppend(&jail->missing, jail->missing.empty() ? "" : "; ",
                    "capabilities not dropped: ", strerror(report.caps_errno));
  }
  *ctl_out = sv[0];
  *pid_out = static_cast<pid_t>(pid);
  return absl::OkStatus();
}

// Reads a small /proc file into `buf` (NUL-terminated); returns its length
// or -1. Raw calls: this is on the fork path and iostreams cost more than
// the read itself.
ssize_t ReadSmallFile(const char* path, char* buf, size_t size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, size - 1);
  close(fd);
  if (n < 0) return -1;
  buf[n] = 0;
  return n;
}

// The last pid on the NSpid line of /proc/PID/status: the pid as seen in
// the task's own (innermost) pid namespace, or -1.
pid_t InnermostPid(const char* status_path) {
  char buf[4096];
  if (ReadSmallFile(status_path, buf, sizeof(buf)) < 0) return -1;
  const char* line = strstr(buf, "\nNSpid:");
  if (!line) return -1;
  line += 7;
  long last = -1;
  for (;;) {
    char* end;
    long v = strtol(line, &end, 10);
    if (end == line) break;
    last = v;
    line = end;
    if (*line == '\n' || *line == 0) break;
  }
  return static_cast<pid_t>(last);
}

}  // namespace

// clone() inside a stub returns the new task's id in the stubs' pid
// namespace; ptrace wants the host's. Finds the host id among the threads
// of `stub` (thread) or the children of its thread `parent_tid` (fork),
// newest first (the kernel lists children oldest first, and a new thread
// usually has the highest tid): the new task is parked, so it cannot have
// exited and its id is not reused.
pid_t StubHostPid(pid_t stub, pid_t parent_tid, pid_t ns_pid, bool thread) {
  std::vector<pid_t> candidates;
  char path[96];
  if (thread) {
    snprintf(path, sizeof(path), "/proc/%d/task", stub);
    if (DIR* d = opendir(path)) {
      while (dirent* e = readdir(d)) {
        if (e->d_name[0] >= '0' && e->d_name[0] <= '9')
          candidates.push_back(static_cast<pid_t>(atoi(e->d_name)));
      }
      closedir(d);
    }
    std::sort(candidates.begin(), candidates.end());
  } else {
    snprintf(path, sizeof(path), "/proc/%d/task/%d/children", stub,
             parent_tid);
    char buf[4096];
    if (ReadSmallFile(path, buf, sizeof(buf)) > 0) {
      const char* p = buf;
      for (;;) {
        char* end;
        long v = strtol(p, &end, 10);
        if (end == p) break;
        candidates.push_back(static_cast<pid_t>(v));
        p = end;
      }
    }
  }
  // The new child is alive and a child of that thread: when it is the only
  // one, it is the one.
  if (!thread && candidates.size() == 1) return candidates[0];
  for (auto it = candidates.rbegin(); it != candidates.rend(); ++it) {
    if (thread) {
      snprintf(path, sizeof(path), "/proc/%d/task/%d/status", stub, *it);
    } else {
      snprintf(path, sizeof(path), "/proc/%d/status", *it);
    }
    if (InnermostPid(path) == ns_pid) return *it;
  }
  return -1;
}

void SetPlatformDebug(bool on) { g_debug.store(on); }

void PlatformDebugf(const char* fmt, ...) {
  if (!g_debug.load()) return;
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  fprintf(stderr, "runsc: platform: %s\n", buf);
}

StubChannel::~StubChannel() { close(sentry_fd); }

absl::StatusOr<std::unique_ptr<StubLauncher>> StubLauncher::New(
    const char* image, const char* image_end, const std::string& name) {
  int fd = memfd_create(name.c_str(), MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return absl::ErrnoToStatus(errno, "memfd_create for the stub");
  const size_t size = image_end - image;
  size_t done = 0;
  while (done < size) {
    ssize_t n = write(fd, image + done, size - done);
    if (n <= 0) {
      close(fd);
      return absl::ErrnoToStatus(errno, "writing the stub image");
    }
    done += n;
  }
  fcntl(fd, F_ADD_SEALS,
        F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
  int high = fcntl(fd, F_DUPFD_CLOEXEC, 10);
  close(fd);
  if (high < 0) return absl::ErrnoToStatus(errno, "moving the stub image fd");

  int ctl = -1;
  pid_t zpid = -1;
  JailInfo jail;
  absl::Status st = StartZygote(&ctl, &zpid, &jail, 0);
  if (!st.ok()) {
    // A user namespace the host let us create but not set up (id maps):
    // without one, then without any, rather than no sandbox at all.
    PlatformDebugf("stub jail: %s; retrying without a user namespace",
                   std::string(st.message()).c_str());
    jail = JailInfo();
    st = StartZygote(&ctl, &zpid, &jail, CLONE_NEWUSER);
    if (!st.ok()) {
      PlatformDebugf("stub jail: %s; retrying without namespaces",
                     std::string(st.message()).c_str());
      jail = JailInfo();
      int all = 0;
      for (const NsFlag& ns : kNamespaces) all |= ns.flag;
      st = StartZygote(&ctl, &zpid, &jail, all);
    }
  }
  if (!st.ok()) {
    close(high);
    return st;
  }
  PlatformDebugf("stub jail: namespaces %s, empty root %s, capabilities %s",
                 NamespaceNames(jail.namespaces).c_str(),
                 jail.empty_root ? "yes" : "no",
                 jail.caps_dropped ? "dropped" : "kept");
  if (!jail.missing.empty())
    PlatformDebugf("stub jail degraded: %s", jail.missing.c_str());
  return std::unique_ptr<StubLauncher>(
      new StubLauncher(high, ctl, zpid, std::move(jail)));
}

StubLauncher::~StubLauncher() {
  // The zygote exits on EOF; as pid 1 of the stubs' pid namespace it takes
  // every stub with it.
  close(zygote_fd_);
  kill(zygote_pid_, SIGKILL);
  // As pid 1 of a namespace it finishes exiting only once every stub in it
  // has been reaped, by their tracers, which may be sentry threads still
  // running: do not wait for that forever (the host reaps it when the
  // sentry exits, as our child).
  for (int i = 0; i < 200; i++) {
    int status;
    if (waitpid(zygote_pid_, &status, __WALL | WNOHANG) != 0) break;
    usleep(5000);
  }
  close(image_fd_);
}

absl::StatusOr<StubLauncher::Stub> StubLauncher::Launch(
    const Options& options) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) != 0)
    return absl::ErrnoToStatus(errno, "socketpair for the stub channel");
  Stub stub;
  stub.channel = std::make_shared<StubChannel>(sv[0]);
  const int one = 1;
  if (setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) != 0) {
    close(sv[1]);
    return absl::ErrnoToStatus(errno, "SO_PASSCRED on the stub channel");
  }
  {
    char kind = options.trace ? 't' : 'r';
    iovec iov = {&kind, 1};
    alignas(cmsghdr) char cbuf[CMSG_SPACE(2 * sizeof(int))] = {};
    msghdr msg = {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = cbuf;
    msg.msg_controllen = sizeof(cbuf);
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(2 * sizeof(int));
    const int fds[2] = {image_fd_, sv[1]};
    std::memcpy(CMSG_DATA(c), fds, sizeof(fds));
    ssize_t n = sendmsg(zygote_fd_, &msg, MSG_NOSIGNAL);
    int err = errno;
    close(sv[1]);
    if (n != 1) return absl::ErrnoToStatus(err, "asking the stub zygote");
  }
  // The child's report; only it holds the other end at this point, so the
  // credentials are the child's own (the host checks them anyway).
  char byte;
  iovec iov = {&byte, 1};
  alignas(cmsghdr) char cbuf[CMSG_SPACE(sizeof(ucred))];
  msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = cbuf;
  msg.msg_controllen = sizeof(cbuf);
  pollfd p = {sv[0], POLLIN, 0};
  int pr;
  do {
    pr = poll(&p, 1, 10000);
  } while (pr < 0 && errno == EINTR);
  if (pr != 1 || recvmsg(sv[0], &msg, MSG_DONTWAIT) != 1)
    return absl::InternalError("the stub did not start (no report)");
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_CREDENTIALS ||
      c->cmsg_len != CMSG_LEN(sizeof(ucred)))
    return absl::InternalError("the stub's report has no credentials");
  ucred cred;
  std::memcpy(&cred, CMSG_DATA(c), sizeof(cred));
  const pid_t pid = cred.pid;
  if (pid <= 0) return absl::InternalError("the stub's pid is not visible");
  // Credentials are needed only once.
  const int zero = 0;
  setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &zero, sizeof(zero));

  if (options.trace) {
    if (syscall(SYS_ptrace, PTRACE_SEIZE, pid, 0,
               options.ptrace_options | PTRACE_O_TRACEEXEC) != 0) {
      int err = errno;
      kill(pid, SIGKILL);
      return absl::ErrnoToStatus(err, "PTRACE_SEIZE of a new stub");
    }
    char go = 'g';
    if (send(sv[0], &go, 1, MSG_DONTWAIT) != 1) {
      int err = errno;
      KillAndReap(pid);
      return absl::ErrnoToStatus(err, "releasing a new stub");
    }
    int status = 0;
    if (WaitPid(pid, &status) != pid ||
        status >> 8 != (SIGTRAP | (PTRACE_EVENT_EXEC << 8))) {
      KillAndReap(pid);
      return absl::InternalError(absl::StrFormat(
          "the stub did not start (wait status 0x%x)", status));
    }
    // The exec event stop is inside execve, whose return would overwrite
    // rax: let it finish and stop at its syscall exit, where the registers
    // are the image's entry state and changes to them hold.
    if (syscall(SYS_ptrace, PTRACE_SYSCALL, pid, 0, 0) != 0 ||
        WaitPid(pid, &status) != pid || !WIFSTOPPED(status) ||
        (WSTOPSIG(status) & 0x7f) != SIGTRAP) {
      KillAndReap(pid);
      return absl::InternalError(absl::StrFormat(
          "the stub did not finish its exec (wait status 0x%x)", status));
    }
    if ((options.ptrace_options & PTRACE_O_TRACEEXEC) == 0 &&
        syscall(SYS_ptrace, PTRACE_SETOPTIONS, pid, 0, options.ptrace_options) != 0) {
      int err = errno;
      KillAndReap(pid);
      return absl::ErrnoToStatus(err, "PTRACE_SETOPTIONS on a new stub");
    }
  }
  stub.pid = pid;
  return stub;
}

absl::Status DropSentryCapabilities(const JailInfo& jail) {
  std::vector<int> keep = {CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER,
                           CAP_FSETID,       CAP_CHOWN,           CAP_NET_BIND_SERVICE,
                           CAP_NET_RAW};
  if (!(jail.namespaces & CLONE_NEWUSER)) keep.push_back(CAP_SYS_PTRACE);
  __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capget, &hdr, data) != 0)
    return absl::ErrnoToStatus(errno, "capget");
  if (!(data[0].effective & (1u << CAP_SETPCAP))) return absl::OkStatus();
  for (int cap = 0; cap < 64; cap++) {
    bool kept = false;
    for (int k : keep) kept |= k == cap;
    if (kept) continue;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno == EINVAL) break;
  }
  __user_cap_data_struct want[2] = {};
  for (int k : keep) {
    const uint32_t bit = 1u << (k % 32);
    if (data[k / 32].permitted & bit) {
      want[k / 32].permitted |= bit;
      want[k / 32].effective |= bit;
    }
  }
  if (syscall(SYS_capset, &hdr, want) != 0)
    return absl::ErrnoToStatus(errno, "capset");
  return absl::OkStatus();
}

}  // namespace platform
