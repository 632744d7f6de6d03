#include "runsc-cli/serve/service.h"

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "runsc-cli/serve/validate.h"

namespace runsc::serve {

namespace {

using grpc::Status;
using grpc::StatusCode;

constexpr size_t kAttachChunk = 64 << 10;

}  // namespace

Status SandboxesService::Create(grpc::ServerContext*, const runsc::v1::CreateRequest* req,
                                runsc::v1::CreateResponse* resp) {
  return m_->Create(*req, resp->mutable_sandbox());
}

Status SandboxesService::Start(grpc::ServerContext*, const runsc::v1::StartRequest* req,
                               runsc::v1::StartResponse* resp) {
  return m_->Start(req->id(), resp->mutable_sandbox());
}

Status SandboxesService::Exec(grpc::ServerContext*, const runsc::v1::ExecRequest* req,
                              runsc::v1::ExecResponse* resp) {
  int pid = 0;
  Status st = m_->Exec(*req, &pid);
  resp->set_pid(pid);
  return st;
}

Status SandboxesService::Wait(grpc::ServerContext* ctx, const runsc::v1::WaitRequest* req,
                              runsc::v1::WaitResponse* resp) {
  return m_->Wait(*req, [ctx] { return ctx->IsCancelled(); }, resp);
}

Status SandboxesService::Kill(grpc::ServerContext*, const runsc::v1::KillRequest* req,
                              runsc::v1::KillResponse*) {
  return m_->Kill(*req);
}

Status SandboxesService::List(grpc::ServerContext*, const runsc::v1::ListRequest* req,
                              runsc::v1::ListResponse* resp) {
  return m_->List(*req, resp);
}

Status SandboxesService::Get(grpc::ServerContext*, const runsc::v1::GetRequest* req,
                             runsc::v1::GetResponse* resp) {
  return m_->Get(req->id(), resp->mutable_sandbox());
}

Status SandboxesService::Processes(grpc::ServerContext*,
                                   const runsc::v1::ProcessesRequest* req,
                                   runsc::v1::ProcessesResponse* resp) {
  return m_->Processes(req->id(), resp);
}

Status SandboxesService::Delete(grpc::ServerContext*, const runsc::v1::DeleteRequest* req,
                                runsc::v1::DeleteResponse*) {
  return m_->Delete(*req);
}

Status SandboxesService::Attach(
    grpc::ServerContext* ctx,
    grpc::ServerReaderWriter<runsc::v1::AttachResponse, runsc::v1::AttachRequest>*
        stream) {
  runsc::v1::AttachRequest first;
  if (!stream->Read(&first)) return Status(StatusCode::CANCELLED, "no request");
  if (!first.has_open()) {
    return Status(StatusCode::INVALID_ARGUMENT,
                  "open: the first AttachRequest must be `open`");
  }
  std::shared_ptr<Sandbox> sb;
  Status st = m_->Find(first.open().id(), &sb);
  if (!st.ok()) return st;
  const int pid = first.open().pid() == 0 ? 1 : first.open().pid();
  std::shared_ptr<ProcState> p;
  OutputLog::Cursor cursor;
  {
    absl::MutexLock l(&sb->mu);
    auto it = sb->procs.find(pid);
    if (it == sb->procs.end()) {
      return Status(StatusCode::NOT_FOUND,
                    absl::StrCat("open.pid: sandbox ", sb->id, " has no process ",
                                 pid, " started through the API"));
    }
    p = it->second;
    if (first.open().skip_buffered()) cursor = p->log.End();
  }

  // Client -> process: its own thread, since Read blocks.
  std::atomic<bool> reader_done{false};
  Status reader_status = Status::OK;
  auto cancelled = [ctx] { return ctx->IsCancelled(); };
  std::thread reader([&] {
    runsc::v1::AttachRequest req;
    while (stream->Read(&req)) {
      Status s;
      if (req.has_stdin()) {
        s = m_->SendStdin(*sb, pid, req.stdin(), false, cancelled);
      } else if (req.has_close_stdin()) {
        s = m_->SendStdin(*sb, pid, "", true, cancelled);
      } else if (req.has_open()) {
        s = Status(StatusCode::INVALID_ARGUMENT, "open: sent twice");
      }
      if (!s.ok()) {
        reader_status = s;
        break;
      }
    }
    reader_done = true;
  });

  // Process -> client, ending with its exit status.
  Sandbox* s = sb.get();
  bool sent_exit = false;
  while (!ctx->IsCancelled()) {
    std::vector<OutputLog::Piece> pieces;
    bool finished = false;
    runsc::v1::ExitStatus exit;
    {
      absl::MutexLock l(&sb->mu);
      const OutputLog::Cursor* c = &cursor;
      auto ready = [s, p, c]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu) {
        return p->log.HasMore(*c) || p->exited || s->deleted;
      };
      sb->mu.AwaitWithTimeout(absl::Condition(&ready), absl::Milliseconds(200));
      pieces = p->log.Read(&cursor, kAttachChunk * 4);
      if (pieces.empty() && (p->exited || sb->deleted)) {
        finished = true;
        exit = p->status;
      }
    }
    if (reader_done && !reader_status.ok()) break;
    bool ok = true;
    for (auto& piece : pieces) {
      runsc::v1::AttachResponse r;
      auto* chunk = piece.fd == 1 ? r.mutable_stdout() : r.mutable_stderr();
      chunk->set_data(std::move(piece.data));
      chunk->set_dropped_bytes(piece.dropped);
      if (!stream->Write(r)) {
        ok = false;
        break;
      }
    }
    if (!ok) break;
    if (finished) {
      runsc::v1::AttachResponse r;
      *r.mutable_exit() = exit;
      stream->Write(r);
      sent_exit = true;
      break;
    }
  }
  // The client half-closes after the exit status; one that does not is cut
  // off so the reader thread can end.
  for (int i = 0; i < 40 && !reader_done; i++) usleep(50'000);
  if (!reader_done) ctx->TryCancel();
  reader.join();
  if (!reader_status.ok()) return reader_status;
  if (!sent_exit) return Status(StatusCode::CANCELLED, "attach ended early");
  return Status::OK;
}

Status SandboxesService::Events(grpc::ServerContext* ctx,
                                const runsc::v1::EventsRequest* req,
                                grpc::ServerWriter<runsc::v1::Event>* writer) {
  std::shared_ptr<Sandbox> only;
  if (!req->id().empty()) {
    Status st = m_->Find(req->id(), &only);
    if (!st.ok()) return st;
  } else if (req->until_exit()) {
    return Status(StatusCode::INVALID_ARGUMENT, "until_exit: needs an id");
  }
  const uint32_t interval = req->syscall_counters_interval_ms();
  if (interval != 0 && interval < 100) {
    return Status(StatusCode::INVALID_ARGUMENT,
                  "syscall_counters_interval_ms: at least 100");
  }
  EventLog& log = m_->events();
  uint64_t next = req->replay() ? log.FirstHeld() : log.NextSequence();
  absl::Time next_counters = absl::Now() + absl::Milliseconds(interval);
  while (!ctx->IsCancelled()) {
    for (const runsc::v1::Event& e : log.Read(&next, absl::Milliseconds(200))) {
      if (only && e.sandbox_id() != only->id) continue;
      if (!writer->Write(e)) return Status::OK;
      if (req->until_exit() && (e.has_failed() || e.has_deleted() ||
                                (e.has_exited() && e.exited().pid() == 1))) {
        return Status::OK;
      }
    }
    if (req->until_exit()) {
      // Stopped before this stream began (and not replayed).
      absl::MutexLock l(&only->mu);
      if ((only->Final() || only->deleted) && !req->replay()) return Status::OK;
    }
    if (interval != 0 && absl::Now() >= next_counters) {
      next_counters = absl::Now() + absl::Milliseconds(interval);
      runsc::v1::ListRequest lr;
      lr.set_state(runsc::v1::RUNNING);
      runsc::v1::ListResponse running;
      m_->List(lr, &running);
      for (const auto& sbx : running.sandboxes()) {
        if (only && sbx.id() != only->id) continue;
        runsc::v1::Event e;
        e.set_sandbox_id(sbx.id());
        e.set_time_ns(absl::ToUnixNanos(absl::Now()));
        *e.mutable_counters() = sbx.counters();
        if (!writer->Write(e)) return Status::OK;
      }
    }
  }
  return Status::OK;
}

}  // namespace runsc::serve
