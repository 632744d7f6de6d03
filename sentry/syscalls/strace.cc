#include "sentry/syscalls/strace.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "abi/linux/errno.h"
#include "abi/linux/fcntl.h"
#include "abi/linux/signal_names.h"
#include "abi/linux/stat.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "sentry/kernel/task.h"

namespace sentry {

namespace {

// strace's default -s: strings are cut after 32 bytes.
constexpr size_t kMaxString = 32;

struct FlagName {
  uint64_t bit;
  const char* name;
};

std::string JoinFlags(uint64_t v, const std::vector<FlagName>& names,
                      std::string first) {
  std::vector<std::string> parts;
  if (!first.empty()) parts.push_back(std::move(first));
  for (const auto& f : names) {
    if (f.bit && (v & f.bit) == f.bit) {
      parts.push_back(f.name);
      v &= ~f.bit;
    }
  }
  if (v) parts.push_back(absl::StrFormat("%#x", v));
  if (parts.empty()) return "0";
  return absl::StrJoin(parts, "|");
}

std::string Pointer(uint64_t v) {
  return v == 0 ? "NULL" : absl::StrFormat("%#x", v);
}

std::string ReadQuoted(Task& t, uint64_t addr, uint64_t len) {
  if (addr == 0) return "NULL";
  const uint64_t n = std::min<uint64_t>(len, kMaxString);
  std::string buf(n, '\0');
  if (n > 0 && t.CopyIn(addr, buf.data(), n) < 0) return Pointer(addr);
  std::string s = Strace::QuoteString(buf, kMaxString);
  if (len > kMaxString) s += "...";
  return s;
}

std::string ReadPath(Task& t, uint64_t addr) {
  if (addr == 0) return "NULL";
  std::string s;
  if (t.CopyInString(addr, 4096, &s) < 0) return Pointer(addr);
  std::string q = Strace::QuoteString(s, 4096);
  return q;
}

std::string ReadStringArray(Task& t, uint64_t addr) {
  if (addr == 0) return "NULL";
  std::vector<std::string> items;
  const bool i386 = t.current_syscall().arch == platform::Arch::kI386;
  for (int i = 0; i < 32; i++) {
    uint64_t p = 0;
    if (t.CopyIn(addr + i * (i386 ? 4 : 8), &p, i386 ? 4 : 8) < 0)
      return Pointer(addr);
    if (p == 0) return "[" + absl::StrJoin(items, ", ") + "]";
    std::string s;
    if (t.CopyInString(p, 4096, &s) < 0) {
      items.push_back(Pointer(p));
    } else {
      items.push_back(Strace::QuoteString(s, kMaxString) +
                      (s.size() > kMaxString ? "..." : ""));
    }
  }
  return "[" + absl::StrJoin(items, ", ") + ", ...]";
}

std::string StatOut(Task& t, uint64_t addr) {
  uapi::Stat st;
  if (t.CopyInObj(addr, &st) < 0) return Pointer(addr);
  const char* type = "S_IFREG";
  switch (st.st_mode & S_IFMT) {
    case S_IFDIR: type = "S_IFDIR"; break;
    case S_IFLNK: type = "S_IFLNK"; break;
    case S_IFCHR: type = "S_IFCHR"; break;
    case S_IFBLK: type = "S_IFBLK"; break;
    case S_IFIFO: type = "S_IFIFO"; break;
    case S_IFSOCK: type = "S_IFSOCK"; break;
  }
  if ((st.st_mode & S_IFMT) == S_IFCHR || (st.st_mode & S_IFMT) == S_IFBLK) {
    return absl::StrFormat("{st_mode=%s|%04o, st_rdev=makedev(%#x, %#x), ...}",
                           type, st.st_mode & 07777, (st.st_rdev >> 8) & 0xfff,
                           st.st_rdev & 0xff);
  }
  return absl::StrFormat("{st_mode=%s|%04o, st_size=%d, ...}", type,
                         st.st_mode & 07777, st.st_size);
}

// A socket address as strace shows it; unix names decoded.
std::string Sockaddr(Task& t, uint64_t addr, uint64_t len) {
  if (addr == 0) return "NULL";
  len = std::min<uint64_t>(len, 128);
  std::string raw(len, '\0');
  if (len < 2 || t.CopyIn(addr, raw.data(), len) < 0) return Pointer(addr);
  uint16_t fam;
  std::memcpy(&fam, raw.data(), 2);
  if (fam == AF_UNIX) {
    if (len == 2) return "{sa_family=AF_UNIX}";
    std::string path = raw.substr(2);
    if (!path.empty() && path[0] == '\0') {
      return "{sa_family=AF_UNIX, sun_path=@" +
             Strace::QuoteString(path.substr(1), 108) + "}";
    }
    size_t nul = path.find('\0');
    if (nul != std::string::npos) path.resize(nul);
    return "{sa_family=AF_UNIX, sun_path=" + Strace::QuoteString(path, 108) +
           "}";
  }
  if (fam == AF_INET && len >= 8) {
    const unsigned char* b = reinterpret_cast<const unsigned char*>(raw.data());
    return absl::StrFormat(
        "{sa_family=AF_INET, sin_port=htons(%d), sin_addr=inet_addr(\"%d.%d.%d.%d\")}",
        (b[2] << 8) | b[3], b[4], b[5], b[6], b[7]);
  }
  return absl::StrFormat("{sa_family=%d, ...}", fam);
}

bool IsOutput(ArgFmt f) {
  return f == ArgFmt::kOutBuf || f == ArgFmt::kStatOut ||
         f == ArgFmt::kSockaddrOut;
}

}  // namespace

std::string Strace::QuoteString(const std::string& s, size_t max) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size() && i < max; i++) {
    unsigned char c = s[i];
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '\f': out += "\\f"; break;
      case '\v': out += "\\v"; break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          out += static_cast<char>(c);
        } else {
          // Octal like strace; the shortest form unless a digit follows.
          bool digit_next = i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '7';
          out += digit_next ? absl::StrFormat("\\%03o", c)
                            : absl::StrFormat("\\%o", c);
        }
    }
  }
  out += "\"";
  return out;
}

std::string Strace::FormatFlags(uint64_t v, ArgFmt fmt) {
  switch (fmt) {
    case ArgFmt::kOpenFlags: {
      static const std::vector<FlagName> kOpen = {
          // Multi-bit flags first so they win over their parts.
          {uapi::kOTmpfileBit | O_DIRECTORY, "O_TMPFILE"},
          {uapi::kOSyncBit | O_DSYNC, "O_SYNC"},
          {O_CREAT, "O_CREAT"},         {O_EXCL, "O_EXCL"},
          {O_NOCTTY, "O_NOCTTY"},       {O_TRUNC, "O_TRUNC"},
          {O_APPEND, "O_APPEND"},       {O_NONBLOCK, "O_NONBLOCK"},
          {O_DSYNC, "O_DSYNC"},         {O_DIRECT, "O_DIRECT"},
          {uapi::kOLargefile, "O_LARGEFILE"}, {O_DIRECTORY, "O_DIRECTORY"},
          {O_NOFOLLOW, "O_NOFOLLOW"},   {O_NOATIME, "O_NOATIME"},
          {O_CLOEXEC, "O_CLOEXEC"},     {O_PATH, "O_PATH"}};
      const char* acc = (v & O_ACCMODE) == O_WRONLY ? "O_WRONLY"
                        : (v & O_ACCMODE) == O_RDWR ? "O_RDWR"
                                                    : "O_RDONLY";
      return JoinFlags(v & ~static_cast<uint64_t>(O_ACCMODE), kOpen, acc);
    }
    case ArgFmt::kProt: {
      static const std::vector<FlagName> kProt = {
          {PROT_READ, "PROT_READ"}, {PROT_WRITE, "PROT_WRITE"},
          {PROT_EXEC, "PROT_EXEC"}, {PROT_GROWSDOWN, "PROT_GROWSDOWN"},
          {PROT_GROWSUP, "PROT_GROWSUP"}};
      return v == 0 ? "PROT_NONE" : JoinFlags(v, kProt, "");
    }
    case ArgFmt::kMmapFlags: {
      static const std::vector<FlagName> kMap = {
          {MAP_FIXED, "MAP_FIXED"},         {MAP_ANONYMOUS, "MAP_ANONYMOUS"},
          {MAP_32BIT, "MAP_32BIT"},         {MAP_GROWSDOWN, "MAP_GROWSDOWN"},
          {MAP_DENYWRITE, "MAP_DENYWRITE"}, {MAP_EXECUTABLE, "MAP_EXECUTABLE"},
          {MAP_LOCKED, "MAP_LOCKED"},       {MAP_NORESERVE, "MAP_NORESERVE"},
          {MAP_POPULATE, "MAP_POPULATE"},   {MAP_NONBLOCK, "MAP_NONBLOCK"},
          {MAP_STACK, "MAP_STACK"},         {MAP_HUGETLB, "MAP_HUGETLB"},
          {MAP_FIXED_NOREPLACE, "MAP_FIXED_NOREPLACE"}};
      const uint64_t type = v & MAP_TYPE;
      std::string first = type == MAP_SHARED    ? "MAP_SHARED"
                          : type == MAP_PRIVATE ? "MAP_PRIVATE"
                          : type == MAP_SHARED_VALIDATE
                              ? "MAP_SHARED_VALIDATE"
                              : absl::StrFormat("%#x", type);
      return JoinFlags(v & ~static_cast<uint64_t>(MAP_TYPE), kMap, first);
    }
    case ArgFmt::kAtFlags: {
      static const std::vector<FlagName> kAt = {
          {AT_SYMLINK_NOFOLLOW, "AT_SYMLINK_NOFOLLOW"},
          {AT_REMOVEDIR, "AT_REMOVEDIR"},
          {AT_SYMLINK_FOLLOW, "AT_SYMLINK_FOLLOW"},
          {AT_NO_AUTOMOUNT, "AT_NO_AUTOMOUNT"},
          {AT_EMPTY_PATH, "AT_EMPTY_PATH"},
          {AT_EACCESS, "AT_EACCESS"}};
      return JoinFlags(v, kAt, "");
    }
    case ArgFmt::kAccessMode: {
      static const std::vector<FlagName> kAcc = {
          {R_OK, "R_OK"}, {W_OK, "W_OK"}, {X_OK, "X_OK"}};
      return v == 0 ? "F_OK" : JoinFlags(v, kAcc, "");
    }
    case ArgFmt::kArchPrctl:
      switch (v) {
        case 0x1001: return "ARCH_SET_GS";
        case 0x1002: return "ARCH_SET_FS";
        case 0x1003: return "ARCH_GET_FS";
        case 0x1004: return "ARCH_GET_GS";
        case 0x1011: return "ARCH_GET_CPUID";
        case 0x1012: return "ARCH_SET_CPUID";
      }
      return absl::StrFormat("%#x", v);
    case ArgFmt::kRlimitRes: {
      static const char* const kNames[] = {
          "RLIMIT_CPU",     "RLIMIT_FSIZE",   "RLIMIT_DATA",  "RLIMIT_STACK",
          "RLIMIT_CORE",    "RLIMIT_RSS",     "RLIMIT_NPROC", "RLIMIT_NOFILE",
          "RLIMIT_MEMLOCK", "RLIMIT_AS",      "RLIMIT_LOCKS", "RLIMIT_SIGPENDING",
          "RLIMIT_MSGQUEUE", "RLIMIT_NICE",   "RLIMIT_RTPRIO", "RLIMIT_RTTIME"};
      return v < 16 ? kNames[v] : absl::StrCat(v);
    }
    case ArgFmt::kSigmaskHow:
      switch (v) {
        case 0: return "SIG_BLOCK";
        case 1: return "SIG_UNBLOCK";
        case 2: return "SIG_SETMASK";
      }
      return absl::StrCat(v);
    case ArgFmt::kCloneFlags: {
      static const std::vector<FlagName> kClone = {
          {0x100, "CLONE_VM"},          {0x200, "CLONE_FS"},
          {0x400, "CLONE_FILES"},       {0x800, "CLONE_SIGHAND"},
          {0x1000, "CLONE_PIDFD"},      {0x2000, "CLONE_PTRACE"},
          {0x4000, "CLONE_VFORK"},      {0x8000, "CLONE_PARENT"},
          {0x10000, "CLONE_THREAD"},    {0x20000, "CLONE_NEWNS"},
          {0x40000, "CLONE_SYSVSEM"},   {0x80000, "CLONE_SETTLS"},
          {0x100000, "CLONE_PARENT_SETTID"},
          {0x200000, "CLONE_CHILD_CLEARTID"},
          {0x400000, "CLONE_DETACHED"}, {0x800000, "CLONE_UNTRACED"},
          {0x1000000, "CLONE_CHILD_SETTID"}};
      std::string out = JoinFlags(v & ~uint64_t{0xff}, kClone, "");
      if (v & 0xff) {
        const char* n = uapi::SignalName(static_cast<int>(v & 0xff));
        std::string sig = n ? n : absl::StrCat(v & 0xff);
        out = (v & ~uint64_t{0xff}) ? out + "|" + sig : sig;
      }
      return out;
    }
    case ArgFmt::kWaitOptions: {
      static const std::vector<FlagName> kWait = {
          {1, "WNOHANG"},        {2, "WUNTRACED"},    {4, "WEXITED"},
          {8, "WCONTINUED"},     {0x1000000, "WNOWAIT"},
          {0x20000000, "__WNOTHREAD"}, {0x40000000, "__WALL"},
          {0x80000000, "__WCLONE"}};
      return JoinFlags(v, kWait, "");
    }
    case ArgFmt::kFutexOp: {
      static const char* const kOps[] = {
          "FUTEX_WAIT",       "FUTEX_WAKE",        "FUTEX_FD",
          "FUTEX_REQUEUE",    "FUTEX_CMP_REQUEUE", "FUTEX_WAKE_OP",
          "FUTEX_LOCK_PI",    "FUTEX_UNLOCK_PI",   "FUTEX_TRYLOCK_PI",
          "FUTEX_WAIT_BITSET", "FUTEX_WAKE_BITSET", "FUTEX_WAIT_REQUEUE_PI",
          "FUTEX_CMP_REQUEUE_PI", "FUTEX_LOCK_PI2"};
      const uint64_t cmd = v & 127;
      std::string out = cmd < 14 ? kOps[cmd] : absl::StrCat(cmd);
      if (v & 128) out += "_PRIVATE";
      if (v & 256) out += "|FUTEX_CLOCK_REALTIME";
      return out;
    }
    case ArgFmt::kSockFamily:
      switch (v) {
        case AF_UNIX: return "AF_UNIX";
        case AF_INET: return "AF_INET";
        case AF_INET6: return "AF_INET6";
        case AF_NETLINK: return "AF_NETLINK";
        case AF_UNSPEC: return "AF_UNSPEC";
      }
      return absl::StrCat(v);
    case ArgFmt::kSockType: {
      static const std::vector<FlagName> kNames = {
          {SOCK_NONBLOCK, "SOCK_NONBLOCK"}, {SOCK_CLOEXEC, "SOCK_CLOEXEC"}};
      const char* types[] = {"0", "SOCK_STREAM", "SOCK_DGRAM", "SOCK_RAW",
                             "SOCK_RDM", "SOCK_SEQPACKET"};
      const uint64_t ty = v & 0xf;
      std::string first = ty < 6 ? types[ty] : absl::StrCat(ty);
      return JoinFlags(v & ~uint64_t{0xf}, kNames, first);
    }
    case ArgFmt::kWhence:
      switch (v) {
        case SEEK_SET: return "SEEK_SET";
        case SEEK_CUR: return "SEEK_CUR";
        case SEEK_END: return "SEEK_END";
        case SEEK_DATA: return "SEEK_DATA";
        case SEEK_HOLE: return "SEEK_HOLE";
      }
      return absl::StrCat(v);
    default:
      return absl::StrFormat("%#x", v);
  }
}

std::string Strace::FormatReturn(int64_t ret, ArgFmt fmt) {
  if (ret < 0 && ret > -4096) {
    const int err = static_cast<int>(-ret);
    const char* name = uapi::ErrnoName(err);
    if (name) return absl::StrFormat("-1 %s (%s)", name, strerror(err));
    return absl::StrFormat("-1 (errno %d)", err);
  }
  if (fmt == ArgFmt::kPtr || fmt == ArgFmt::kHex)
    return absl::StrFormat("%#x", static_cast<uint64_t>(ret));
  return absl::StrCat(ret);
}

void Strace::Line(const std::string& text) {
  absl::MutexLock l(&mu_);
  fputs(text.c_str(), out_);
  fflush(out_);
}

void Strace::Enter(Task& t, const SyscallEntry* e, const SyscallArgs& a,
                   StraceCall* call) {
  if (!e) return;
  for (int i = 0; i < e->nargs; i++) {
    const uint64_t v = a.a[i];
    switch (e->args[i]) {
      case ArgFmt::kNone:
        break;
      case ArgFmt::kHex:
        call->args[i] = absl::StrFormat("%#x", v);
        break;
      case ArgFmt::kInt:
        call->args[i] = absl::StrCat(static_cast<int>(v));
        break;
      case ArgFmt::kUInt:
        call->args[i] = absl::StrCat(a.Size(i));
        break;
      case ArgFmt::kFd:
        call->args[i] = static_cast<int>(v) == AT_FDCWD
                            ? "AT_FDCWD"
                            : absl::StrCat(static_cast<int>(v));
        break;
      case ArgFmt::kPath:
        call->args[i] = ReadPath(t, v);
        break;
      case ArgFmt::kInBuf:
        call->args[i] = ReadQuoted(t, v, i + 1 < 6 ? a.Size(i + 1) : 0);
        break;
      case ArgFmt::kMode:
        call->args[i] = absl::StrFormat("%#o", v);
        break;
      case ArgFmt::kSockaddr:
        call->args[i] = Sockaddr(t, v, i + 1 < 6 ? a.UInt(i + 1) : 0);
        break;
      case ArgFmt::kSignal: {
        const char* n = uapi::SignalName(static_cast<int>(v));
        call->args[i] = n ? n : absl::StrCat(static_cast<int>(v));
        break;
      }
      case ArgFmt::kPtr:
        call->args[i] = Pointer(v);
        break;
      case ArgFmt::kStringArray:
        call->args[i] = ReadStringArray(t, v);
        break;
      case ArgFmt::kSigset: {
        uapi::Sigset set;
        if (v == 0) {
          call->args[i] = "NULL";
        } else if (t.CopyInObj(v, &set) < 0) {
          call->args[i] = Pointer(v);
        } else {
          // strace prints [INT TERM], or ~[...] when most bits are set.
          const bool inverted = __builtin_popcountll(set) > 32;
          if (inverted) set = ~set;
          std::vector<std::string> names;
          for (int sig = 1; sig <= 64; sig++) {
            if (!(set & uapi::SigsetBit(sig))) continue;
            const char* n = uapi::SignalName(sig);
            std::string s = n ? n : absl::StrCat(sig);
            if (s.rfind("SIG", 0) == 0) s = s.substr(3);
            names.push_back(s);
          }
          call->args[i] = (inverted ? "~[" : "[") + absl::StrJoin(names, " ") + "]";
        }
        break;
      }
      case ArgFmt::kOutBuf:
      case ArgFmt::kStatOut:
        break;  // on exit
      default:
        call->args[i] = FormatFlags(v, e->args[i]);
    }
  }
}

void Strace::Exit(Task& t, const SyscallEntry* e, const SyscallArgs& a,
                  int64_t ret, StraceCall* call) {
  std::string line;
  if (t.tid() != 1) line = absl::StrFormat("[pid %5d] ", t.tid());
  std::string name =
      e && e->name ? e->name : absl::StrCat("syscall_", a.nr);
  std::vector<std::string> args;
  const int nargs = e ? e->nargs : 0;
  for (int i = 0; i < nargs; i++) {
    const ArgFmt f = e->args[i];
    if (!IsOutput(f)) {
      args.push_back(call->args[i]);
      continue;
    }
    if (ret < 0) {
      args.push_back(Pointer(a.a[i]));
    } else if (f == ArgFmt::kOutBuf) {
      args.push_back(ReadQuoted(t, a.a[i], static_cast<uint64_t>(ret)));
    } else if (f == ArgFmt::kSockaddrOut) {
      // The address's length is what the kernel stored at the next
      // argument (a socklen_t*), as strace shows [len].
      uint32_t len = 0;
      if (a.a[i] == 0 || i + 1 >= 6 || t.CopyInObj(a.a[i + 1], &len) < 0) {
        args.push_back(Pointer(a.a[i]));
      } else {
        args.push_back(Sockaddr(t, a.a[i], len));
      }
    } else {
      args.push_back(StatOut(t, a.a[i]));
    }
  }
  // exit and exit_group never return: strace prints "= ?".
  absl::StrAppend(&line, name, "(", absl::StrJoin(args, ", "), ") = ",
                  t.exiting() ? "?" : FormatReturn(ret, e ? e->ret : ArgFmt::kInt),
                  "\n");
  absl::MutexLock l(&mu_);
  fputs(line.c_str(), out_);
  fflush(out_);
}

}  // namespace sentry
