#include "runsc-cli/client/attach_stream.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <memory>
#include <thread>

#include "absl/synchronization/mutex.h"

namespace runsc::client {

namespace {

bool WriteAllFd(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t w = write(fd, data.data() + off, data.size() - off);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return false;
    off += static_cast<size_t>(w);
  }
  return true;
}

// Shared by the stdin thread and the main thread; outlives both (the stdin
// thread may stay blocked in read(2) until the process exits).
struct Shared {
  absl::Mutex mu;
  bool closed = false;  // no more writes on the stream
  std::unique_ptr<grpc::ClientContext> ctx;
  std::unique_ptr<grpc::ClientReaderWriter<runsc::v1::AttachRequest,
                                           runsc::v1::AttachResponse>> stream;
};

}  // namespace

grpc::Status AttachAndRelay(Connection& conn, const std::string& id, int pid,
                            bool forward_stdin,
                            const std::function<grpc::Status()>& after_open,
                            runsc::v1::ExitStatus* exit, bool* got_exit) {
  *got_exit = false;
  auto sh = std::make_shared<Shared>();
  sh->ctx = std::make_unique<grpc::ClientContext>();
  conn.Prepare(sh->ctx.get());
  sh->stream = conn.stub().Attach(sh->ctx.get());
  runsc::v1::AttachRequest open;
  open.mutable_open()->set_id(id);
  open.mutable_open()->set_pid(pid);
  if (!sh->stream->Write(open)) return sh->stream->Finish();
  if (after_open) {
    grpc::Status st = after_open();
    if (!st.ok()) {
      sh->ctx->TryCancel();
      return st;
    }
  }
  if (forward_stdin) {
    std::thread([sh] {
      std::string buf(32 << 10, '\0');
      for (;;) {
        ssize_t n = read(0, buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        absl::MutexLock l(&sh->mu);
        if (sh->closed) return;
        runsc::v1::AttachRequest r;
        if (n <= 0) {
          r.set_close_stdin(true);
          sh->stream->Write(r);
          return;
        }
        r.set_stdin(buf.data(), static_cast<size_t>(n));
        if (!sh->stream->Write(r)) return;
      }
    }).detach();
  }
  runsc::v1::AttachResponse resp;
  while (sh->stream->Read(&resp)) {
    if (resp.has_stdout() || resp.has_stderr()) {
      const auto& chunk = resp.has_stdout() ? resp.stdout() : resp.stderr();
      if (chunk.dropped_bytes() > 0) {
        fprintf(stderr, "runsc: [%llu bytes of output were dropped]\n",
                static_cast<unsigned long long>(chunk.dropped_bytes()));
      }
      WriteAllFd(resp.has_stdout() ? 1 : 2, chunk.data());
    } else if (resp.has_exit()) {
      *exit = resp.exit();
      *got_exit = true;
      break;
    }
  }
  {
    absl::MutexLock l(&sh->mu);
    sh->closed = true;
    sh->stream->WritesDone();
  }
  // Drain to the end of the stream, then its status.
  while (sh->stream->Read(&resp)) {
  }
  return sh->stream->Finish();
}

int ExitCodeOf(const runsc::v1::ExitStatus& st, const char* verb) {
  if (!st.error().empty() && st.wait_status() == 0) {
    fprintf(stderr, "runsc %s: %s\n", verb, st.error().c_str());
  }
  return st.code();
}

}  // namespace runsc::client
