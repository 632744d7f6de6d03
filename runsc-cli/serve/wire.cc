#include "runsc-cli/serve/wire.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace runsc::serve {

namespace {

bool WriteAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == ENOTSOCK) {
        w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
      }
      if (w < 0) return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// 1: all read; 0: EOF before the first byte; -1: error or EOF midway.
int ReadAll(int fd, char* p, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, p + got, n - got);
    if (r < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (r == 0) return got == 0 ? 0 : -1;
    got += static_cast<size_t>(r);
  }
  return 1;
}

// Splits `path` into its directory (opened O_PATH) and final name.
int OpenParent(const std::string& path, std::string* base) {
  const size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  if (dir.empty()) dir = "/";
  *base = slash == std::string::npos ? path : path.substr(slash + 1);
  if (base->empty()) return -EINVAL;
  int dfd = open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  return dfd < 0 ? -errno : dfd;
}

bool FillAddr(const std::string& path, sockaddr_un* addr) {
  memset(addr, 0, sizeof(*addr));
  addr->sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr->sun_path)) return false;
  memcpy(addr->sun_path, path.data(), path.size());
  return true;
}

}  // namespace

bool WriteFrame(int fd, const google::protobuf::MessageLite& m) {
  std::string buf;
  const size_t n = m.ByteSizeLong();
  if (n > kMaxFrameBytes) {
    errno = EMSGSIZE;
    return false;
  }
  buf.resize(4);
  buf[0] = static_cast<char>(n & 0xff);
  buf[1] = static_cast<char>((n >> 8) & 0xff);
  buf[2] = static_cast<char>((n >> 16) & 0xff);
  buf[3] = static_cast<char>((n >> 24) & 0xff);
  if (!m.AppendToString(&buf)) {
    errno = EINVAL;
    return false;
  }
  return WriteAll(fd, buf.data(), buf.size());
}

int ReadFrame(int fd, google::protobuf::MessageLite* m) {
  unsigned char hdr[4];
  int r = ReadAll(fd, reinterpret_cast<char*>(hdr), 4);
  if (r <= 0) return r;
  const size_t n = hdr[0] | (hdr[1] << 8) | (hdr[2] << 16) |
                   (static_cast<size_t>(hdr[3]) << 24);
  if (n > kMaxFrameBytes) return -1;
  std::string buf(n, '\0');
  if (n > 0 && ReadAll(fd, buf.data(), n) != 1) return -1;
  return m->ParseFromString(buf) ? 1 : -1;
}

int ListenUnix(const std::string& path, int backlog) {
  std::string base;
  int dfd = OpenParent(path, &base);
  if (dfd < 0) return dfd;
  const std::string dir = absl::StrCat("/proc/self/fd/", dfd);
  struct stat st;
  if (fstatat(dfd, base.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
      !S_ISSOCK(st.st_mode)) {
    close(dfd);
    return -EEXIST;
  }
  std::string tmpl = dir + "/.runsc-sock-XXXXXX";
  if (!mkdtemp(tmpl.data())) {
    int e = errno;
    close(dfd);
    return -e;
  }
  const std::string tmp_sock = tmpl + "/s";
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int err = fd < 0 ? errno : 0;
  sockaddr_un addr;
  if (!err && !FillAddr(tmp_sock, &addr)) err = ENAMETOOLONG;
  if (!err && bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0)
    err = errno;
  if (!err && chmod(tmp_sock.c_str(), 0600) != 0) err = errno;
  if (!err && rename(tmp_sock.c_str(), (dir + "/" + base).c_str()) != 0)
    err = errno;
  if (!err && listen(fd, backlog) != 0) err = errno;
  unlink(tmp_sock.c_str());
  rmdir(tmpl.c_str());
  close(dfd);
  if (err) {
    if (fd >= 0) close(fd);
    return -err;
  }
  return fd;
}

int ConnectUnix(const std::string& path) {
  std::string base;
  int dfd = -1;
  std::string target = path;
  sockaddr_un addr;
  if (path.size() >= sizeof(addr.sun_path)) {
    dfd = OpenParent(path, &base);
    if (dfd < 0) return dfd;
    target = absl::StrCat("/proc/self/fd/", dfd, "/", base);
  }
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int err = fd < 0 ? errno : 0;
  if (!err && !FillAddr(target, &addr)) err = ENAMETOOLONG;
  while (!err &&
         connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    if (errno != EINTR) err = errno;
  }
  if (dfd >= 0) close(dfd);
  if (err) {
    if (fd >= 0) close(fd);
    return -err;
  }
  return fd;
}

bool PeerAllowed(int fd, std::string* who) {
  ucred cred;
  socklen_t len = sizeof(cred);
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
    *who = absl::StrCat("unknown peer (", strerror(errno), ")");
    return false;
  }
  *who = absl::StrCat("pid ", cred.pid, " uid ", cred.uid);
  return cred.uid == geteuid() || cred.uid == 0;
}

int64_t UnixNowNs() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return ts.tv_sec * 1'000'000'000LL + ts.tv_nsec;
}

uint64_t ProcessStartTicks(pid_t pid) {
  std::string stat;
  if (pid <= 0 || !ReadFile(absl::StrCat("/proc/", pid, "/stat"), &stat)) {
    return 0;
  }
  // comm (field 2) may hold spaces and parentheses: fields after it start
  // after the last ')'.
  const size_t rp = stat.rfind(')');
  if (rp == std::string::npos) return 0;
  std::vector<std::string> f =
      absl::StrSplit(stat.substr(rp + 2), ' ', absl::SkipEmpty());
  // f[0] is field 3 (state); field 22 is f[19].
  if (f.size() < 20) return 0;
  return strtoull(f[19].c_str(), nullptr, 10);
}

bool WriteFileAtomic(const std::string& path, const std::string& data,
                     std::string* err) {
  const std::string tmp = path + ".tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    *err = absl::StrCat("open ", tmp, ": ", strerror(errno));
    return false;
  }
  size_t off = 0;
  while (off < data.size()) {
    ssize_t w = write(fd, data.data() + off, data.size() - off);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      *err = absl::StrCat("write ", tmp, ": ", strerror(errno));
      close(fd);
      unlink(tmp.c_str());
      return false;
    }
    off += static_cast<size_t>(w);
  }
  if (fsync(fd) != 0) {
    *err = absl::StrCat("fsync ", tmp, ": ", strerror(errno));
    close(fd);
    unlink(tmp.c_str());
    return false;
  }
  close(fd);
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    *err = absl::StrCat("rename ", tmp, ": ", strerror(errno));
    unlink(tmp.c_str());
    return false;
  }
  // The rename itself is durable once the directory is synced.
  const size_t slash = path.rfind('/');
  const std::string dir =
      slash == std::string::npos ? "." : path.substr(0, slash ? slash : 1);
  int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  return true;
}

bool ReadFile(const std::string& path, std::string* out) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  out->clear();
  char buf[8192];
  for (;;) {
    ssize_t r = read(fd, buf, sizeof(buf));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      close(fd);
      return false;
    }
    if (r == 0) break;
    out->append(buf, static_cast<size_t>(r));
  }
  close(fd);
  return true;
}

}  // namespace runsc::serve
