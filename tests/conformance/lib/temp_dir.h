// A scratch directory under /tmp (writable both natively and in the
// sandbox, where /tmp is a tmpfs), removed with everything in it at the
// end of the scope; and an fd closed at the end of the scope.
#ifndef TESTS_CONFORMANCE_LIB_TEMP_DIR_H_
#define TESTS_CONFORMANCE_LIB_TEMP_DIR_H_

#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

namespace conformance {

class TempDir {
 public:
  explicit TempDir(const char* base = "/tmp") {
    std::string tmpl = std::string(base) + "/conformance.XXXXXX";
    char* p = mkdtemp(tmpl.data());
    if (p) path_ = p;
  }
  ~TempDir() {
    if (path_.empty()) return;
    // Make everything removable, then remove depth-first.
    nftw(path_.c_str(), [](const char* p, const struct stat* st, int type,
                           struct FTW*) {
      if (type == FTW_D || type == FTW_DP) chmod(p, 0700);
      return 0;
    }, 16, FTW_PHYS);
    nftw(path_.c_str(), [](const char* p, const struct stat*, int type,
                           struct FTW*) {
      return (type == FTW_DP ? rmdir(p) : unlink(p)) == 0 ? 0 : 0;
    }, 16, FTW_PHYS | FTW_DEPTH);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  bool ok() const { return !path_.empty(); }
  const std::string& path() const { return path_; }
  // path()/name
  std::string Join(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

class FdCloser {
 public:
  explicit FdCloser(int fd = -1) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) close(fd_);
  }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;
  int get() const { return fd_; }
  void reset(int fd) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

// Writes `data` to a new file at `path` (mode 0644).
inline bool WriteFile(const std::string& path, const std::string& data) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return false;
  bool ok = write(fd, data.data(), data.size()) ==
            static_cast<ssize_t>(data.size());
  close(fd);
  return ok;
}

inline std::string ReadFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0) return "<open failed>";
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) out.append(buf, n);
  close(fd);
  return out;
}

}  // namespace conformance

#endif  // TESTS_CONFORMANCE_LIB_TEMP_DIR_H_
