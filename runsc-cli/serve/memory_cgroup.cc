#include "runsc-cli/serve/memory_cgroup.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace runsc::serve {

namespace {

struct Hierarchy {
  std::string dir;  // our own cgroup's directory in the hierarchy
  bool v2 = false;
};

std::string ReadFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

absl::Status WriteFile(const std::string& path, const std::string& value) {
  const int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return absl::ErrnoToStatus(errno, path);
  const ssize_t n = write(fd, value.data(), value.size());
  const int e = errno;
  close(fd);
  if (n != static_cast<ssize_t>(value.size())) {
    return absl::ErrnoToStatus(n < 0 ? e : EIO,
                               absl::StrCat("writing \"", value, "\" to ", path));
  }
  return absl::OkStatus();
}

// Our cgroup path in the memory hierarchy (v1) or the unified one (v2),
// from /proc/self/cgroup.
bool OwnCgroup(bool v2, std::string* out) {
  for (absl::string_view line : absl::StrSplit(ReadFile("/proc/self/cgroup"), '\n')) {
    std::vector<std::string> f = absl::StrSplit(line, absl::MaxSplits(':', 2));
    if (f.size() != 3) continue;
    if (v2 ? (f[0] == "0" && f[1].empty())
           : [&] {
               for (absl::string_view c : absl::StrSplit(f[1], ','))
                 if (c == "memory") return true;
               return false;
             }()) {
      *out = f[2];
      return true;
    }
  }
  return false;
}

// Finds the memory hierarchy from /proc/self/mountinfo: a cgroup v1 mount
// with the memory controller, or else a cgroup2 mount whose memory
// controller is available to our cgroup's children.
absl::StatusOr<Hierarchy> FindHierarchy() {
  std::string v1_dir, v2_dir;
  for (absl::string_view line : absl::StrSplit(ReadFile("/proc/self/mountinfo"), '\n')) {
    // id parent maj:min root mountpoint opts [optional...] - fstype src superopts
    std::vector<std::string> f = absl::StrSplit(line, ' ');
    size_t dash = 0;
    while (dash < f.size() && f[dash] != "-") dash++;
    if (dash + 3 >= f.size() || f.size() < 5) continue;
    const std::string& root = f[3];
    const std::string& mnt = f[4];
    const std::string& type = f[dash + 1];
    const bool v2 = type == "cgroup2";
    if (type == "cgroup") {
      bool mem = false;
      for (absl::string_view o : absl::StrSplit(f[dash + 3], ','))
        if (o == "memory") mem = true;
      if (!mem) continue;
    } else if (!v2) {
      continue;
    }
    std::string own;
    if (!OwnCgroup(v2, &own)) continue;
    // The mount shows the hierarchy from `root`; our path is below it
    // (inside a cgroup namespace both are "/").
    std::string rel = own;
    if (root != "/" && rel.rfind(root, 0) == 0) rel = rel.substr(root.size());
    const std::string dir = mnt + rel;
    if (v2) {
      if (v2_dir.empty()) v2_dir = dir;
    } else if (v1_dir.empty()) {
      v1_dir = dir;
    }
  }
  if (!v1_dir.empty()) return Hierarchy{v1_dir, false};
  if (!v2_dir.empty()) {
    const std::string ctl = ReadFile(v2_dir + "/cgroup.subtree_control");
    bool mem = false;
    for (absl::string_view c : absl::StrSplit(ctl, absl::ByAnyChar(" \n")))
      if (c == "memory") mem = true;
    if (!mem) {
      // Children get the controller only when our cgroup delegates it.
      if (!WriteFile(v2_dir + "/cgroup.subtree_control", "+memory").ok()) {
        return absl::FailedPreconditionError(absl::StrCat(
            "the memory controller is not enabled for children of ", v2_dir,
            " (cgroup.subtree_control) and cannot be enabled"));
      }
    }
    return Hierarchy{v2_dir, true};
  }
  return absl::FailedPreconditionError(
      "no memory cgroup hierarchy is mounted on this host");
}

uint64_t KeyValue(const std::string& text, absl::string_view key) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    std::vector<absl::string_view> kv = absl::StrSplit(line, ' ');
    if (kv.size() == 2 && kv[0] == key) return strtoull(std::string(kv[1]).c_str(), nullptr, 10);
  }
  return 0;
}

}  // namespace

absl::Status MemoryCgroup::Available() {
  absl::StatusOr<Hierarchy> h = FindHierarchy();
  if (!h.ok()) return h.status();
  if (access(h->dir.c_str(), W_OK) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot create memory cgroups under ", h->dir, ": ", strerror(errno)));
  }
  return absl::OkStatus();
}

absl::StatusOr<MemoryCgroup> MemoryCgroup::Find(const std::string& name) {
  absl::StatusOr<Hierarchy> h = FindHierarchy();
  if (!h.ok()) return h.status();
  return MemoryCgroup(absl::StrCat(h->dir, "/", name), h->v2);
}

absl::StatusOr<MemoryCgroup> MemoryCgroup::Create(const std::string& name,
                                                  uint64_t limit_bytes) {
  absl::StatusOr<MemoryCgroup> cg = Find(name);
  if (!cg.ok()) return cg.status();
  if (mkdir(cg->path_.c_str(), 0755) != 0 && errno != EEXIST) {
    return absl::FailedPreconditionError(
        absl::StrCat("mkdir ", cg->path_, ": ", strerror(errno)));
  }
  const std::string limit = absl::StrCat(limit_bytes);
  absl::Status st;
  if (cg->v2_) {
    st = WriteFile(cg->path_ + "/memory.max", limit);
    // No swap: the limit is on real memory use (ignored where swap
    // accounting is off).
    if (st.ok()) WriteFile(cg->path_ + "/memory.swap.max", "0").IgnoreError();
  } else {
    st = WriteFile(cg->path_ + "/memory.limit_in_bytes", limit);
    if (st.ok() && access((cg->path_ + "/memory.memsw.limit_in_bytes").c_str(), F_OK) == 0) {
      WriteFile(cg->path_ + "/memory.memsw.limit_in_bytes", limit).IgnoreError();
    }
  }
  if (!st.ok()) {
    rmdir(cg->path_.c_str());
    return absl::FailedPreconditionError(st.message());
  }
  return cg;
}

absl::Status MemoryCgroup::Enter(pid_t pid) const {
  return WriteFile(path_ + "/cgroup.procs", absl::StrCat(pid));
}

uint64_t MemoryCgroup::OomKills() const {
  // v2: memory.events "oom_kill N"; v1: memory.oom_control "oom_kill N".
  return KeyValue(ReadFile(path_ + (v2_ ? "/memory.events" : "/memory.oom_control")),
                  "oom_kill");
}

void MemoryCgroup::Remove() const {
  for (int i = 0; i < 100; i++) {  // up to 5 s
    if (rmdir(path_.c_str()) == 0 || errno == ENOENT) return;
    if (errno != EBUSY) return;
    usleep(50'000);
  }
}

}  // namespace runsc::serve
