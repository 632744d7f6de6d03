#include "runsc-cli/serve/syscall_counter.h"

#include <cctype>
#include <cstring>

namespace runsc::serve {

namespace {

ssize_t CookieWrite(void* cookie, const char* buf, size_t n) {
  static_cast<SyscallCounter*>(cookie)->Feed(buf, n);
  return static_cast<ssize_t>(n);
}

}  // namespace

SyscallCounter::SyscallCounter() {
  cookie_io_functions_t io{};
  io.write = CookieWrite;
  stream_ = fopencookie(this, "w", io);
  if (stream_) setvbuf(stream_, nullptr, _IONBF, 0);
}

SyscallCounter::~SyscallCounter() {
  if (stream_) fclose(stream_);
}

void SyscallCounter::Feed(const char* data, size_t n) {
  absl::MutexLock l(&mu_);
  partial_.append(data, n);
  size_t start = 0;
  for (size_t nl; (nl = partial_.find('\n', start)) != std::string::npos;
       start = nl + 1) {
    CountLine(partial_.substr(start, nl - start));
  }
  partial_.erase(0, start);
  // A line never grows without bound (strace truncates arguments).
  if (partial_.size() > (1 << 20)) partial_.clear();
}

void SyscallCounter::CountLine(const std::string& line) {
  size_t i = 0;
  if (line.rfind("[pid ", 0) == 0) {
    i = line.find("] ");
    if (i == std::string::npos) return;
    i += 2;
  }
  const size_t begin = i;
  while (i < line.size() &&
         (std::isalnum(static_cast<unsigned char>(line[i])) || line[i] == '_' ||
          line[i] == ':')) {
    i++;
  }
  if (i == begin || i >= line.size() || line[i] != '(') return;
  counts_[line.substr(begin, i - begin)]++;
}

std::map<std::string, uint64_t> SyscallCounter::Counts() const {
  absl::MutexLock l(&mu_);
  return counts_;
}

}  // namespace runsc::serve
