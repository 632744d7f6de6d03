#include "runsc-cli/serve/paths.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace runsc::serve {

std::string DefaultSocketPath() {
  if (const char* s = getenv("RUNSC_SOCKET"); s && *s) return s;
  if (geteuid() == 0) return "/run/runsc-cpp/runsc.sock";
  if (const char* x = getenv("XDG_RUNTIME_DIR"); x && *x) {
    return absl::StrCat(x, "/runsc-cpp/runsc.sock");
  }
  return absl::StrCat("/tmp/runsc-cpp-", geteuid(), "/runsc.sock");
}

std::string DefaultStateDir() {
  if (geteuid() == 0) return "/var/lib/runsc-cpp";
  if (const char* x = getenv("XDG_STATE_HOME"); x && *x) {
    return absl::StrCat(x, "/runsc-cpp");
  }
  const char* home = getenv("HOME");
  return absl::StrCat(home && *home ? home : "/tmp", "/.local/state/runsc-cpp");
}

bool MakeDirs(const std::string& path, int mode, std::string* err) {
  std::string cur;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t next = path.find('/', pos);
    if (next == std::string::npos) next = path.size();
    cur = path.substr(0, next);
    pos = next + 1;
    if (cur.empty()) continue;
    if (mkdir(cur.c_str(), mode) != 0 && errno != EEXIST) {
      *err = absl::StrCat("mkdir ", cur, ": ", strerror(errno));
      return false;
    }
  }
  struct stat st;
  if (stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    *err = absl::StrCat(path, ": not a directory");
    return false;
  }
  return true;
}

namespace {

void RemoveAt(int dfd, const char* name) {
  if (unlinkat(dfd, name, 0) == 0 || errno == ENOENT) return;
  int sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (sub < 0) return;
  DIR* d = fdopendir(sub);
  if (!d) {
    close(sub);
    return;
  }
  while (dirent* e = readdir(d)) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    RemoveAt(dirfd(d), e->d_name);
  }
  closedir(d);
  unlinkat(dfd, name, AT_REMOVEDIR);
}

}  // namespace

void RemoveTree(const std::string& path) { RemoveAt(AT_FDCWD, path.c_str()); }

}  // namespace runsc::serve
