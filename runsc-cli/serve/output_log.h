// The output of one sandbox process as the daemon holds it: stdout and
// stderr chunks in the order the sentry sent them, bounded in bytes (the
// oldest chunks go first). Each Attach reads it through its own cursor, so
// an Attach made before Start sees everything and a late one sees what is
// still held, told how many bytes it missed.
#ifndef RUNSC_CLI_SERVE_OUTPUT_LOG_H_
#define RUNSC_CLI_SERVE_OUTPUT_LOG_H_

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace runsc::serve {

class OutputLog {
 public:
  explicit OutputLog(size_t max_bytes) : max_bytes_(max_bytes) {}

  struct Chunk {
    uint64_t seq;
    int fd;             // 1 or 2
    uint64_t offset;    // byte offset of data within its stream
    std::string data;
  };
  struct Cursor {
    uint64_t seq = 0;   // next chunk to read
    uint64_t offset[3] = {0, 0, 0};
  };
  struct Piece {
    int fd;
    std::string data;
    uint64_t dropped;   // bytes of this stream skipped before data
  };

  void Append(int fd, std::string data);
  // Chunks after `c`, advancing it (at most `max_bytes` of data).
  std::vector<Piece> Read(Cursor* c, size_t max_bytes) const;
  // A cursor positioned after everything held now (follow only).
  Cursor End() const;
  bool HasMore(const Cursor& c) const { return c.seq < next_seq_; }
  uint64_t total(int fd) const { return total_[fd]; }

 private:
  const size_t max_bytes_;
  std::deque<Chunk> chunks_;
  size_t held_ = 0;
  uint64_t next_seq_ = 0;
  uint64_t total_[3] = {0, 0, 0};
};

}  // namespace runsc::serve

#endif  // RUNSC_CLI_SERVE_OUTPUT_LOG_H_
