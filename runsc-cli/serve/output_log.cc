#include "runsc-cli/serve/output_log.h"

namespace runsc::serve {

void OutputLog::Append(int fd, std::string data) {
  if (fd != 1 && fd != 2) return;
  if (data.empty()) return;
  Chunk c{next_seq_++, fd, total_[fd], std::move(data)};
  total_[fd] += c.data.size();
  held_ += c.data.size();
  chunks_.push_back(std::move(c));
  // Keep at least the newest chunk, however large.
  while (held_ > max_bytes_ && chunks_.size() > 1) {
    held_ -= chunks_.front().data.size();
    chunks_.pop_front();
  }
}

std::vector<OutputLog::Piece> OutputLog::Read(Cursor* c, size_t max_bytes) const {
  std::vector<Piece> out;
  if (chunks_.empty()) return out;
  const uint64_t first = chunks_.front().seq;
  size_t i = c->seq < first ? 0 : static_cast<size_t>(c->seq - first);
  size_t n = 0;
  for (; i < chunks_.size() && n < max_bytes; i++) {
    const Chunk& ch = chunks_[i];
    out.push_back({ch.fd, ch.data, ch.offset - c->offset[ch.fd]});
    c->offset[ch.fd] = ch.offset + ch.data.size();
    c->seq = ch.seq + 1;
    n += ch.data.size();
  }
  return out;
}

OutputLog::Cursor OutputLog::End() const {
  Cursor c;
  c.seq = next_seq_;
  c.offset[1] = total_[1];
  c.offset[2] = total_[2];
  return c;
}

}  // namespace runsc::serve
