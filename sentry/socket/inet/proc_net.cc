#include "sentry/socket/inet/proc_net.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <unordered_map>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "sentry/socket/inet/inet_socket.h"
#include "sentry/socket/netns/network.h"

namespace sentry::socket {

namespace {

struct Owner {
  uint64_t ino;
  uint32_t uid;
};

absl::Mutex index_mu;
// Host socket inode -> the InetSocket using it. Entries are removed by the
// socket's destructor under index_mu, so a pointer found here is alive
// while the lock is held.
std::unordered_map<uint64_t, InetSocket*>& Index()
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(index_mu) {
  static auto* m = new std::unordered_map<uint64_t, InetSocket*>();
  return *m;
}

bool LookUp(uint64_t host_ino, Owner* out) {
  absl::MutexLock l(&index_mu);
  auto it = Index().find(host_ino);
  if (it == Index().end()) return false;
  out->ino = it->second->ino();
  out->uid = it->second->owner_uid();
  return true;
}

bool IsSocketTable(const std::string& name) {
  return name == "tcp" || name == "tcp6" || name == "udp" || name == "udp6";
}

// One table line split into (separator, token) pairs, so that tokens can be
// replaced while the rest keeps its spacing.
struct Field {
  std::string sep;
  std::string tok;
};

std::vector<Field> SplitFields(const std::string& line) {
  std::vector<Field> f;
  size_t i = 0;
  while (i < line.size()) {
    size_t s = i;
    while (i < line.size() && line[i] == ' ') i++;
    size_t t = i;
    while (i < line.size() && line[i] != ' ') i++;
    f.push_back({line.substr(s, t - s), line.substr(t, i - t)});
  }
  return f;
}

// Columns of tcp_seq_show/udp_seq_show lines (every kind: listening and
// established sockets, requests, time-wait): 7 uid ("%5u"), 9 inode
// ("%lu"), 11 the kernel address ("%pK").
constexpr size_t kUid = 7, kInode = 9, kAddr = 11;

std::string TranslateLine(const std::string& line) {
  std::vector<Field> f = SplitFields(line);
  if (f.size() <= kAddr) return line;
  uint64_t host_ino = 0;
  Owner o{0, 0};
  if (absl::SimpleAtoi(f[kInode].tok, &host_ino) && host_ino != 0) {
    LookUp(host_ino, &o);
  }
  f[kUid] = {" ", absl::StrFormat("%5u", o.uid)};
  f[kInode] = {" ", absl::StrCat(o.ino)};
  f[kAddr].tok = std::string(f[kAddr].tok.size(), '0');
  std::string out;
  for (const Field& x : f) out += x.sep + x.tok;
  // tcp lines are padded to a fixed width (seq_pad): keep the line's
  // length when the new numbers are shorter or longer than the host's.
  size_t end = out.find_last_not_of(' ');
  out.resize(end == std::string::npos ? 0 : end + 1);
  if (line.size() > 0 && line.back() == ' ' && out.size() < line.size()) {
    out.resize(line.size(), ' ');
  }
  return out;
}

}  // namespace

void RegisterHostInode(uint64_t host_ino, InetSocket* s) {
  absl::MutexLock l(&index_mu);
  Index()[host_ino] = s;
}

void UnregisterHostInode(uint64_t host_ino) {
  absl::MutexLock l(&index_mu);
  Index().erase(host_ino);
}

bool IsNetTable(const std::string& name) {
  return IsSocketTable(name) || name == "dev" || name == "if_inet6" ||
         name == "route";
}

int64_t NetTableText(Network& net, const std::string& name, std::string* out) {
  if (!IsNetTable(name)) return -ENOENT;
  std::string raw;
  int64_t err = 0;
  // The namespace is the reading thread's: /proc/thread-self/net.
  net.Run([&] {
    const std::string path = "/proc/thread-self/net/" + name;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      err = -errno;
      return;
    }
    char buf[16384];
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof(buf));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) err = -errno;
      if (n <= 0) break;
      raw.append(buf, n);
    }
    ::close(fd);
  });
  if (err < 0) return err;
  if (!IsSocketTable(name)) {
    *out = std::move(raw);
    return 0;
  }
  out->clear();
  size_t pos = 0;
  bool header = true;
  while (pos < raw.size()) {
    size_t nl = raw.find('\n', pos);
    if (nl == std::string::npos) nl = raw.size();
    std::string line = raw.substr(pos, nl - pos);
    *out += header ? line : TranslateLine(line);
    *out += '\n';
    header = false;
    pos = nl + 1;
  }
  return 0;
}

}  // namespace sentry::socket
