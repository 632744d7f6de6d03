// runsc.v1.Sandboxes driven through the generated C++ client against a real
// `runsc serve` on a temporary unix socket.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "runsc/v1/sandboxes.grpc.pb.h"
#include "tests/grpc/daemon.h"

namespace runsc::testing {
namespace {

using ::testing::HasSubstr;
using runsc::v1::Sandboxes;

runsc::v1::SandboxSpec Spec(std::vector<std::string> argv) {
  runsc::v1::SandboxSpec s;
  for (auto& a : argv) s.add_argv(a);
  s.add_env("PATH=/usr/local/bin:/usr/bin:/bin");
  s.set_cwd("/");
  return s;
}

std::unique_ptr<grpc::ClientContext> Ctx(int seconds = 30) {
  auto c = std::make_unique<grpc::ClientContext>();
  c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
  return c;
}

grpc::Status Create(Sandboxes::Stub& stub, const std::string& id,
                    const runsc::v1::SandboxSpec& spec, runsc::v1::Sandbox* out = nullptr) {
  runsc::v1::CreateRequest req;
  req.set_id(id);
  *req.mutable_spec() = spec;
  runsc::v1::CreateResponse resp;
  auto st = stub.Create(Ctx().get(), req, &resp);
  if (out) *out = resp.sandbox();
  return st;
}

grpc::Status Start(Sandboxes::Stub& stub, const std::string& id) {
  runsc::v1::StartRequest req;
  req.set_id(id);
  runsc::v1::StartResponse resp;
  return stub.Start(Ctx().get(), req, &resp);
}

runsc::v1::Sandbox Get(Sandboxes::Stub& stub, const std::string& id,
                       grpc::Status* st = nullptr) {
  runsc::v1::GetRequest req;
  req.set_id(id);
  runsc::v1::GetResponse resp;
  auto s = stub.Get(Ctx().get(), req, &resp);
  if (st) *st = s;
  return resp.sandbox();
}

runsc::v1::WaitResponse Wait(Sandboxes::Stub& stub, const std::string& id, int pid = 0) {
  runsc::v1::WaitRequest req;
  req.set_id(id);
  req.set_pid(pid);
  runsc::v1::WaitResponse resp;
  auto st = stub.Wait(Ctx(60).get(), req, &resp);
  EXPECT_TRUE(st.ok()) << st.error_message();
  return resp;
}

grpc::Status Kill(Sandboxes::Stub& stub, const std::string& id, int sig, bool all = false,
                  int pid = 0) {
  runsc::v1::KillRequest req;
  req.set_id(id);
  req.set_signal(sig);
  req.set_all(all);
  req.set_pid(pid);
  runsc::v1::KillResponse resp;
  return stub.Kill(Ctx().get(), req, &resp);
}

struct Outcome {
  std::string out, err;
  runsc::v1::ExitStatus exit;
  bool got_exit = false;
  grpc::Status status;
};

// Attaches to `pid` of `id` (optionally starting the sandbox once the
// stream is open), sends `stdin` then closes it, and reads to the end.
Outcome AttachAll(Sandboxes::Stub& stub, const std::string& id, int pid,
                  const std::string& stdin_data, bool start, bool close_stdin = true) {
  Outcome o;
  auto ctx = Ctx(60);
  auto stream = stub.Attach(ctx.get());
  runsc::v1::AttachRequest open;
  open.mutable_open()->set_id(id);
  open.mutable_open()->set_pid(pid);
  EXPECT_TRUE(stream->Write(open));
  if (start) EXPECT_TRUE(Start(stub, id).ok());
  std::thread writer([&] {
    for (size_t off = 0; off < stdin_data.size(); off += 60000) {
      runsc::v1::AttachRequest r;
      r.set_stdin(stdin_data.substr(off, 60000));
      if (!stream->Write(r)) return;
    }
    if (close_stdin) {
      runsc::v1::AttachRequest r;
      r.set_close_stdin(true);
      stream->Write(r);
    }
  });
  runsc::v1::AttachResponse resp;
  while (stream->Read(&resp)) {
    if (resp.has_stdout()) o.out += resp.stdout().data();
    if (resp.has_stderr()) o.err += resp.stderr().data();
    if (resp.has_exit()) {
      o.exit = resp.exit();
      o.got_exit = true;
      break;
    }
  }
  writer.join();
  stream->WritesDone();
  while (stream->Read(&resp)) {
  }
  o.status = stream->Finish();
  return o;
}

class SandboxesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(daemon_.Start()) << daemon_.log();
    stub_ = daemon_.NewStub();
  }
  Daemon daemon_;
  std::unique_ptr<Sandboxes::Stub> stub_;
};

TEST_F(SandboxesTest, FullLifeCycle) {
  runsc::v1::Sandbox sb;
  ASSERT_TRUE(Create(*stub_, "life", Spec({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}),
                     &sb).ok());
  EXPECT_EQ(sb.id(), "life");
  EXPECT_EQ(sb.state(), runsc::v1::CREATED);
  EXPECT_GT(sb.created_at_ns(), 0);

  Outcome o = AttachAll(*stub_, "life", 0, "", /*start=*/true);
  ASSERT_TRUE(o.got_exit) << o.status.error_message();
  EXPECT_TRUE(o.status.ok()) << o.status.error_message();
  EXPECT_EQ(o.out, "out\n");
  EXPECT_EQ(o.err, "err\n");
  EXPECT_EQ(o.exit.code(), 3);
  EXPECT_EQ(o.exit.signal(), 0);

  auto w = Wait(*stub_, "life");
  EXPECT_EQ(w.state(), runsc::v1::STOPPED);
  EXPECT_EQ(w.exit_status().code(), 3);

  sb = Get(*stub_, "life");
  EXPECT_EQ(sb.state(), runsc::v1::STOPPED);
  EXPECT_GT(sb.started_at_ns(), 0);
  EXPECT_GE(sb.finished_at_ns(), sb.started_at_ns());
  EXPECT_EQ(sb.counters().stdout_bytes(), 4u);
  EXPECT_EQ(sb.counters().stderr_bytes(), 4u);
  EXPECT_TRUE(sb.counters().syscalls().empty());  // not asked for

  // Per-syscall counters, on request.
  auto counted = Spec({"/bin/sh", "-c", "echo a; echo b"});
  counted.set_syscall_counters(true);
  ASSERT_TRUE(Create(*stub_, "counted", counted).ok());
  ASSERT_TRUE(Start(*stub_, "counted").ok());
  Wait(*stub_, "counted");
  const auto calls = Get(*stub_, "counted").counters().syscalls();
  ASSERT_TRUE(calls.count("write")) << ::testing::PrintToString(calls.size());
  EXPECT_EQ(calls.at("write"), 2u);

  runsc::v1::ListResponse list;
  ASSERT_TRUE(stub_->List(Ctx().get(), {}, &list).ok());
  ASSERT_EQ(list.sandboxes_size(), 2);
  EXPECT_EQ(list.sandboxes(0).id(), "counted");
  EXPECT_EQ(list.sandboxes(1).id(), "life");

  // A late Attach replays the buffered output and the status.
  o = AttachAll(*stub_, "life", 0, "", false);
  EXPECT_EQ(o.out, "out\n");
  EXPECT_EQ(o.exit.code(), 3);

  runsc::v1::DeleteRequest del;
  del.set_id("life");
  runsc::v1::DeleteResponse dr;
  ASSERT_TRUE(stub_->Delete(Ctx().get(), del, &dr).ok());
  grpc::Status st;
  Get(*stub_, "life", &st);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
  struct stat unused;
  EXPECT_NE(stat((daemon_.state_dir() + "/sandboxes/life").c_str(), &unused), 0);
}

TEST_F(SandboxesTest, CommandNotFoundIs127) {
  ASSERT_TRUE(Create(*stub_, "nf", Spec({"no-such-command-here"})).ok());
  Outcome o = AttachAll(*stub_, "nf", 0, "", true);
  ASSERT_TRUE(o.got_exit);
  EXPECT_EQ(o.exit.code(), 127);
  EXPECT_THAT(o.exit.error(), HasSubstr("command not found"));
}

TEST_F(SandboxesTest, TwoConcurrentSandboxes) {
  ASSERT_TRUE(Create(*stub_, "a", Spec({"/bin/sh", "-c", "sleep 0.5; echo A; exit 1"})).ok());
  ASSERT_TRUE(Create(*stub_, "b", Spec({"/bin/sh", "-c", "sleep 0.5; echo B; exit 2"})).ok());
  Outcome oa, ob;
  std::thread ta([&] { oa = AttachAll(*stub_, "a", 0, "", true); });
  std::thread tb([&] { ob = AttachAll(*stub_, "b", 0, "", true); });
  // Both run at the same time.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  runsc::v1::ListRequest lr;
  lr.set_state(runsc::v1::RUNNING);
  runsc::v1::ListResponse running;
  ASSERT_TRUE(stub_->List(Ctx().get(), lr, &running).ok());
  EXPECT_EQ(running.sandboxes_size(), 2);
  ta.join();
  tb.join();
  EXPECT_EQ(oa.out, "A\n");
  EXPECT_EQ(ob.out, "B\n");
  EXPECT_EQ(oa.exit.code(), 1);
  EXPECT_EQ(ob.exit.code(), 2);
  EXPECT_NE(Get(*stub_, "a").sentry_pid(), -1);
}

TEST_F(SandboxesTest, StdinThroughAttach) {
  ASSERT_TRUE(Create(*stub_, "cat", Spec({"/bin/cat"})).ok());
  Outcome o = AttachAll(*stub_, "cat", 0, "hello through attach\n", true);
  ASSERT_TRUE(o.got_exit);
  EXPECT_EQ(o.out, "hello through attach\n");
  EXPECT_EQ(o.exit.code(), 0);

  // More than the flow-control window and the pipes hold.
  const std::string big(3 << 20, 'x');
  ASSERT_TRUE(Create(*stub_, "wc", Spec({"/usr/bin/wc", "-c"})).ok());
  o = AttachAll(*stub_, "wc", 0, big, true);
  ASSERT_TRUE(o.got_exit);
  EXPECT_EQ(o.out, std::to_string(big.size()) + "\n");
  EXPECT_EQ(Get(*stub_, "wc").counters().stdin_bytes(), big.size());
}

TEST_F(SandboxesTest, ExecIntoRunningSandbox) {
  ASSERT_TRUE(Create(*stub_, "host", Spec({"/bin/sleep", "30"})).ok());
  ASSERT_TRUE(Start(*stub_, "host").ok());
  runsc::v1::ExecRequest req;
  req.set_id("host");
  req.mutable_process()->add_argv("/bin/sh");
  req.mutable_process()->add_argv("-c");
  req.mutable_process()->add_argv("read x; echo got $x; exit 5");
  runsc::v1::ExecResponse resp;
  grpc::Status st = stub_->Exec(Ctx().get(), req, &resp);
  if (st.error_code() == grpc::StatusCode::UNIMPLEMENTED) {
    GTEST_SKIP() << "needs Kernel::StartProcess: " << st.error_message();
  }
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_GT(resp.pid(), 1);
  Outcome o = AttachAll(*stub_, "host", resp.pid(), "line\n", false);
  ASSERT_TRUE(o.got_exit);
  EXPECT_EQ(o.out, "got line\n");
  EXPECT_EQ(o.exit.code(), 5);
  EXPECT_EQ(Wait(*stub_, "host", resp.pid()).exit_status().code(), 5);

  runsc::v1::ProcessesRequest pr;
  pr.set_id("host");
  runsc::v1::ProcessesResponse ps;
  st = stub_->Processes(Ctx().get(), pr, &ps);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_GE(ps.processes_size(), 1);
  EXPECT_EQ(ps.processes(0).pid(), 1);
  EXPECT_THAT(ps.processes(0).exe(), HasSubstr("sleep"));

  ASSERT_TRUE(Kill(*stub_, "host", SIGKILL, /*all=*/true).ok());
  auto w = Wait(*stub_, "host");
  EXPECT_EQ(w.exit_status().signal(), SIGKILL);
  EXPECT_EQ(w.exit_status().code(), 128 + SIGKILL);

  // Exec into a stopped sandbox.
  st = stub_->Exec(Ctx().get(), req, &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(SandboxesTest, KillWithSignalYieldsItsStatus) {
  ASSERT_TRUE(Create(*stub_, "term", Spec({"/bin/sleep", "30"})).ok());
  ASSERT_TRUE(Start(*stub_, "term").ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  grpc::Status st = Kill(*stub_, "term", SIGTERM);
  if (st.error_code() == grpc::StatusCode::UNIMPLEMENTED) {
    Kill(*stub_, "term", SIGKILL, true);
    GTEST_SKIP() << "needs Kernel::Kill: " << st.error_message();
  }
  ASSERT_TRUE(st.ok()) << st.error_message();
  auto w = Wait(*stub_, "term");
  EXPECT_EQ(w.state(), runsc::v1::STOPPED);
  EXPECT_EQ(w.exit_status().signal(), SIGTERM);
  EXPECT_EQ(w.exit_status().code(), 128 + SIGTERM);

  // A handled signal: the program decides its status.
  ASSERT_TRUE(Create(*stub_, "trap",
                     Spec({"/bin/sh", "-c", "trap 'exit 42' USR1; echo ready; "
                                            "while :; do sleep 0.05; done"}))
                  .ok());
  std::atomic<bool> done{false};
  Outcome o;
  std::thread t([&] {
    o = AttachAll(*stub_, "trap", 0, "", true, false);
    done = true;
  });
  for (int i = 0; i < 100 && Get(*stub_, "trap").counters().stdout_bytes() == 0; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(Kill(*stub_, "trap", SIGUSR1).ok());
  t.join();
  EXPECT_EQ(o.out, "ready\n");
  EXPECT_EQ(o.exit.code(), 42);

  // Not running any more.
  EXPECT_EQ(Kill(*stub_, "trap", SIGTERM).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(SandboxesTest, WallClockTimeout) {
  auto spec = Spec({"/bin/sleep", "30"});
  spec.mutable_limits()->set_wall_clock_timeout_seconds(1);
  ASSERT_TRUE(Create(*stub_, "slow", spec).ok());
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(Start(*stub_, "slow").ok());
  auto w = Wait(*stub_, "slow");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
  EXPECT_EQ(w.exit_status().signal(), SIGKILL);
  EXPECT_THAT(w.exit_status().error(), HasSubstr("wall-clock timeout"));
}

// An application that blocks every signal it can and spins on all its
// threads is still ended, on both platforms: by the wall-clock limit, and
// by a SIGKILL.
TEST_F(SandboxesTest, SpinnerBlockingAllSignalsIsTimedOutAndKilled) {
  const std::vector<std::string> spinner = {
      "/usr/bin/python3", "-c",
      "import signal, sys, threading\n"
      "signal.pthread_sigmask(signal.SIG_BLOCK, range(1, signal.NSIG))\n"
      "def spin():\n"
      "    while True: pass\n"
      "threading.Thread(target=spin, daemon=True).start()\n"
      "print('spinning', flush=True)\n"
      "spin()\n"};
  for (const char* platform : {"seccomp", "ptrace"}) {
    SCOPED_TRACE(platform);
    const std::string timed = std::string("spin-timeout-") + platform;
    auto spec = Spec(spinner);
    spec.set_platform(platform);
    spec.mutable_limits()->set_wall_clock_timeout_seconds(2);
    ASSERT_TRUE(Create(*stub_, timed, spec).ok());
    auto t0 = std::chrono::steady_clock::now();
    ASSERT_TRUE(Start(*stub_, timed).ok());
    auto w = Wait(*stub_, timed);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(15));
    EXPECT_EQ(w.exit_status().signal(), SIGKILL);
    EXPECT_THAT(w.exit_status().error(), HasSubstr("wall-clock timeout"));

    const std::string killed = std::string("spin-kill-") + platform;
    spec.mutable_limits()->set_wall_clock_timeout_seconds(0);
    ASSERT_TRUE(Create(*stub_, killed, spec).ok());
    ASSERT_TRUE(Start(*stub_, killed).ok());
    for (int i = 0; i < 100 && Get(*stub_, killed).counters().stdout_bytes() == 0; i++) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    t0 = std::chrono::steady_clock::now();
    ASSERT_TRUE(Kill(*stub_, killed, SIGKILL, /*all=*/true).ok());
    w = Wait(*stub_, killed);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
    EXPECT_EQ(w.exit_status().signal(), SIGKILL);
  }
}

// Events of `id` replayed to its exit, as (kind, limit resource) pairs.
std::vector<runsc::v1::Event> EventsUntilExit(Sandboxes::Stub& stub, const std::string& id) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  runsc::v1::EventsRequest req;
  req.set_id(id);
  req.set_replay(true);
  req.set_until_exit(true);
  auto r = stub.Events(&ctx, req);
  std::vector<runsc::v1::Event> out;
  runsc::v1::Event e;
  while (r->Read(&e)) out.push_back(e);
  r->Finish();
  return out;
}

bool HasLimitEvent(const std::vector<runsc::v1::Event>& events, const std::string& resource,
                   std::string* detail) {
  for (const auto& e : events) {
    if (e.has_limit() && e.limit().resource() == resource) {
      *detail = e.limit().detail();
      return true;
    }
  }
  return false;
}

// Limits.pids: as Linux's pids cgroup, forks beyond the limit fail with
// EAGAIN, and a `limit` event says so.
TEST_F(SandboxesTest, PidsLimitMakesForkFailWithEagain) {
  auto spec = Spec({"/usr/bin/python3", "-c",
                    "import os, errno, time\n"
                    "kids = []\n"
                    "try:\n"
                    "    for i in range(10):\n"
                    "        pid = os.fork()\n"
                    "        if pid == 0:\n"
                    "            time.sleep(1); os._exit(0)\n"
                    "        kids.append(pid)\n"
                    "except OSError as e:\n"
                    "    print('forked', len(kids), errno.errorcode[e.errno])\n"
                    "for k in kids: os.waitpid(k, 0)\n"});
  spec.mutable_limits()->set_pids(4);
  ASSERT_TRUE(Create(*stub_, "pids", spec).ok());
  Outcome o = AttachAll(*stub_, "pids", 0, "", /*start=*/true);
  ASSERT_TRUE(o.got_exit) << o.err;
  EXPECT_EQ(o.exit.code(), 0) << o.err;
  // PID 1 plus three children fill the four slots.
  EXPECT_EQ(o.out, "forked 3 EAGAIN\n") << o.err;
  std::string detail;
  EXPECT_TRUE(HasLimitEvent(EventsUntilExit(*stub_, "pids"), "pids", &detail));
  EXPECT_THAT(detail, HasSubstr("pids limit of 4"));
}

// Limits.memory_bytes: a program that touches more memory than the limit
// is killed by the host's OOM killer inside the sandbox's memory cgroup.
TEST_F(SandboxesTest, MemoryLimitOomKillsTheProgram) {
  auto spec = Spec({"/usr/bin/python3", "-c",
                    "b = b'x' * (400 << 20)\nprint(len(b))\n"});
  spec.mutable_limits()->set_memory_bytes(128 << 20);
  grpc::Status st = Create(*stub_, "oom", spec);
  if (st.error_code() == grpc::StatusCode::FAILED_PRECONDITION) {
    GTEST_SKIP() << "no memory cgroup here: " << st.error_message();
  }
  ASSERT_TRUE(st.ok()) << st.error_message();
  Outcome o = AttachAll(*stub_, "oom", 0, "", /*start=*/true);
  ASSERT_TRUE(o.got_exit) << o.err;
  EXPECT_EQ(o.exit.signal(), SIGKILL) << o.out << o.err;
  EXPECT_THAT(o.exit.error(), HasSubstr("OOM")) << o.exit.DebugString();
  std::string detail;
  EXPECT_TRUE(HasLimitEvent(EventsUntilExit(*stub_, "oom"), "memory", &detail));
  EXPECT_THAT(detail, HasSubstr("memory limit of 134217728 bytes"));

  // Within the limit the same program runs.
  auto ok = Spec({"/usr/bin/python3", "-c", "b = b'x' * (16 << 20)\nprint(len(b))\n"});
  ok.mutable_limits()->set_memory_bytes(128 << 20);
  ASSERT_TRUE(Create(*stub_, "fits", ok).ok());
  o = AttachAll(*stub_, "fits", 0, "", /*start=*/true);
  EXPECT_EQ(o.exit.code(), 0) << o.err;
  EXPECT_EQ(o.out, "16777216\n");
}

TEST_F(SandboxesTest, EventsInOrder) {
  grpc::ClientContext ctx;
  runsc::v1::EventsRequest req;
  auto reader = stub_->Events(&ctx, req);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // subscribed
  ASSERT_TRUE(Create(*stub_, "ev", Spec({"/bin/sh", "-c", "exit 4"})).ok());
  ASSERT_TRUE(Start(*stub_, "ev").ok());
  Wait(*stub_, "ev");
  runsc::v1::DeleteRequest del;
  del.set_id("ev");
  runsc::v1::DeleteResponse dr;
  ASSERT_TRUE(stub_->Delete(Ctx().get(), del, &dr).ok());

  std::vector<std::string> kinds;
  uint64_t last = 0;
  runsc::v1::Event e;
  while (reader->Read(&e)) {
    EXPECT_EQ(e.sandbox_id(), "ev");
    EXPECT_GT(e.sequence(), last);
    last = e.sequence();
    if (e.has_unimplemented()) continue;  // may come anywhere while running
    kinds.push_back(e.GetDescriptor()->FindFieldByNumber(e.kind_case())->name());
    if (e.has_exited()) {
      EXPECT_EQ(e.exited().pid(), 1);
      EXPECT_EQ(e.exited().status().code(), 4);
    }
    if (e.has_deleted()) break;
  }
  ctx.TryCancel();
  EXPECT_THAT(kinds, ::testing::ElementsAre("created", "started", "exited", "deleted"));

  // until_exit with replay ends by itself.
  ASSERT_TRUE(Create(*stub_, "ev2", Spec({"/bin/true"})).ok());
  ASSERT_TRUE(Start(*stub_, "ev2").ok());
  grpc::ClientContext ctx2;
  ctx2.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  req.set_id("ev2");
  req.set_replay(true);
  req.set_until_exit(true);
  auto r2 = stub_->Events(&ctx2, req);
  bool exited = false;
  while (r2->Read(&e)) exited |= e.has_exited();
  EXPECT_TRUE(r2->Finish().ok());
  EXPECT_TRUE(exited);
}

TEST_F(SandboxesTest, ErrorsForUnknownIdsAndBadSpecs) {
  grpc::Status st;
  Get(*stub_, "nope", &st);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Start(*stub_, "nope").error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Kill(*stub_, "nope", SIGKILL).error_code(), grpc::StatusCode::NOT_FOUND);
  runsc::v1::WaitRequest wr;
  wr.set_id("nope");
  runsc::v1::WaitResponse wresp;
  EXPECT_EQ(stub_->Wait(Ctx().get(), wr, &wresp).error_code(), grpc::StatusCode::NOT_FOUND);
  runsc::v1::DeleteRequest dr;
  dr.set_id("nope");
  runsc::v1::DeleteResponse dresp;
  EXPECT_EQ(stub_->Delete(Ctx().get(), dr, &dresp).error_code(),
            grpc::StatusCode::NOT_FOUND);
  Outcome o = AttachAll(*stub_, "nope", 0, "", false);
  EXPECT_EQ(o.status.error_code(), grpc::StatusCode::NOT_FOUND);

  auto expect_invalid = [&](const std::string& id, const runsc::v1::SandboxSpec& spec,
                            const std::string& field) {
    grpc::Status s = Create(*stub_, id, spec);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << field;
    EXPECT_THAT(s.error_message(), HasSubstr(field));
  };
  expect_invalid("x1", Spec({}), "spec.argv");
  auto spec = Spec({"/bin/true"});
  spec.add_env("NOEQUALS");
  expect_invalid("x2", spec, "spec.env[1]");
  spec = Spec({"/bin/true"});
  spec.set_cwd("relative");
  expect_invalid("x3", spec, "spec.cwd");
  spec = Spec({"/bin/true"});
  spec.set_rootfs("/no/such/dir");
  expect_invalid("x4", spec, "spec.rootfs");
  spec = Spec({"/bin/true"});
  spec.set_platform("warp");
  expect_invalid("x5", spec, "spec.platform");
  expect_invalid("bad id!", Spec({"/bin/true"}), "id");
  spec = Spec({"/bin/true"});
  spec.add_mounts()->set_source("/tmp");
  expect_invalid("x6", spec, "spec.mounts[0].destination");

  spec = Spec({"/bin/true"});
  spec.mutable_limits()->set_memory_bytes(1 << 20);
  st = Create(*stub_, "x7", spec);  // below the 32 MiB minimum
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("spec.limits.memory_bytes"));

  // Nothing was created by the bad requests.
  runsc::v1::ListResponse list;
  ASSERT_TRUE(stub_->List(Ctx().get(), {}, &list).ok());
  EXPECT_EQ(list.sandboxes_size(), 0);

  ASSERT_TRUE(Create(*stub_, "dup", Spec({"/bin/sleep", "30"})).ok());
  EXPECT_EQ(Create(*stub_, "dup", Spec({"/bin/true"})).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  ASSERT_TRUE(Start(*stub_, "dup").ok());
  EXPECT_EQ(Start(*stub_, "dup").error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  dr.set_id("dup");
  EXPECT_EQ(stub_->Delete(Ctx().get(), dr, &dresp).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Kill(*stub_, "dup", 99).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  wr.set_id("dup");
  wr.set_pid(77);
  EXPECT_EQ(stub_->Wait(Ctx().get(), wr, &wresp).error_code(), grpc::StatusCode::NOT_FOUND);
  dr.set_force(true);
  EXPECT_TRUE(stub_->Delete(Ctx().get(), dr, &dresp).ok());
}

TEST_F(SandboxesTest, CliVerbsExitWithTheProgramsCode) {
  auto cli = [&](std::vector<std::string> args, std::string* out) {
    std::vector<std::string> argv = {RunscBinary(), args[0], "--server",
                                     "unix:" + daemon_.socket()};
    argv.insert(argv.end(), args.begin() + 1, args.end());
    const int ws = RunCommand(argv, out);
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : 1000 + WTERMSIG(ws);
  };
  std::string out;
  EXPECT_EQ(cli({"run", "--rm", "--", "/bin/sh", "-c", "echo via-cli; exit 7"}, &out), 7);
  EXPECT_THAT(out, HasSubstr("via-cli"));
  EXPECT_EQ(cli({"run", "--rm", "--", "no-such-command-xyz"}, &out), 127);
  EXPECT_EQ(cli({"create", "--id", "c", "--", "/bin/sh", "-c", "exit 5"}, &out), 0) << out;
  EXPECT_EQ(cli({"list", "--format", "json"}, &out), 0);
  EXPECT_THAT(out, HasSubstr("\"id\": \"c\""));
  EXPECT_EQ(cli({"start", "c"}, &out), 0) << out;
  EXPECT_EQ(cli({"wait", "c"}, &out), 5) << out;
  EXPECT_EQ(cli({"list"}, &out), 0);
  EXPECT_THAT(out, HasSubstr("exited with 5"));
  EXPECT_EQ(cli({"events", "--replay", "--until-exit", "c"}, &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("\"exited\""));
  EXPECT_EQ(cli({"run", "-d", "--id", "bg", "--", "/bin/sleep", "30"}, &out), 0) << out;
  EXPECT_EQ(cli({"exec", "bg", "--", "/bin/sh", "-c", "exit 3"}, &out), 3) << out;
  EXPECT_EQ(cli({"ps", "bg"}, &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("sleep"));
  EXPECT_EQ(cli({"kill", "bg", "KILL"}, &out), 0) << out;
  EXPECT_EQ(cli({"wait", "bg"}, &out), 128 + SIGKILL) << out;
  EXPECT_EQ(cli({"delete", "c", "bg"}, &out), 0) << out;
  EXPECT_EQ(cli({"kill", "nope"}, &out), 1);
  EXPECT_THAT(out, HasSubstr("NOT_FOUND"));
}

TEST(SandboxesLimitsTest, MaxSandboxesIsResourceExhausted) {
  Daemon d;
  ASSERT_TRUE(d.Start({"--max-sandboxes", "2"})) << d.log();
  auto stub = d.NewStub();
  ASSERT_TRUE(Create(*stub, "one", Spec({"/bin/true"})).ok());
  ASSERT_TRUE(Create(*stub, "two", Spec({"/bin/true"})).ok());
  EXPECT_EQ(Create(*stub, "three", Spec({"/bin/true"})).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  ASSERT_TRUE(Start(*stub, "one").ok());
  Wait(*stub, "one");  // stopped sandboxes do not count
  EXPECT_TRUE(Create(*stub, "three", Spec({"/bin/true"})).ok());
}

TEST(SandboxesLimitsTest, OversizedMessageIsRefused) {
  Daemon d;
  ASSERT_TRUE(d.Start({"--max-message-bytes", "65536"})) << d.log();
  auto stub = d.NewStub();
  auto spec = Spec({"/bin/true", std::string(100000, 'a')});
  EXPECT_EQ(Create(*stub, "big", spec).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
}

TEST_F(SandboxesTest, SentryCrashFailsOnlyThatSandbox) {
  ASSERT_TRUE(Create(*stub_, "victim", Spec({"/bin/sleep", "30"})).ok());
  ASSERT_TRUE(Create(*stub_, "bystander", Spec({"/bin/sh", "-c", "sleep 1; echo fine"})).ok());
  ASSERT_TRUE(Start(*stub_, "victim").ok());
  Outcome o;
  std::thread t([&] { o = AttachAll(*stub_, "bystander", 0, "", true); });
  const pid_t sentry = Get(*stub_, "victim").sentry_pid();
  ASSERT_GT(sentry, 0);
  ASSERT_EQ(kill(sentry, SIGSEGV), 0);
  auto w = Wait(*stub_, "victim");
  EXPECT_EQ(w.state(), runsc::v1::FAILED);
  EXPECT_THAT(w.failure_reason(), HasSubstr("SIGSEGV"));
  EXPECT_EQ(w.exit_status().code(), 125);
  t.join();
  EXPECT_EQ(o.out, "fine\n");
  EXPECT_EQ(o.exit.code(), 0);
  EXPECT_EQ(Get(*stub_, "victim").state(), runsc::v1::FAILED);
}

TEST(SandboxesRestartTest, RecordsSurviveKill9OfTheDaemon) {
  Daemon d;
  ASSERT_TRUE(d.Start()) << d.log();
  auto stub = d.NewStub();
  ASSERT_TRUE(Create(*stub, "finished", Spec({"/bin/sh", "-c", "exit 9"})).ok());
  ASSERT_TRUE(Start(*stub, "finished").ok());
  ASSERT_EQ(Wait(*stub, "finished").exit_status().code(), 9);
  ASSERT_TRUE(
      Create(*stub, "running", Spec({"/bin/sh", "-c", "sleep 2; echo late; exit 6"})).ok());
  ASSERT_TRUE(Start(*stub, "running").ok());
  ASSERT_TRUE(Create(*stub, "lost", Spec({"/bin/sleep", "30"})).ok());
  ASSERT_TRUE(Start(*stub, "lost").ok());
  ASSERT_TRUE(Create(*stub, "created", Spec({"/bin/true"})).ok());
  const pid_t lost_sentry = Get(*stub, "lost").sentry_pid();
  const pid_t running_sentry = Get(*stub, "running").sentry_pid();

  d.Kill9();
  // While the daemon is down, one sentry dies without leaving a record.
  ASSERT_EQ(kill(lost_sentry, SIGKILL), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ASSERT_TRUE(d.Start()) << d.log();
  stub = d.NewStub();

  runsc::v1::ListResponse list;
  ASSERT_TRUE(stub->List(Ctx().get(), {}, &list).ok());
  EXPECT_EQ(list.sandboxes_size(), 4);

  auto fin = Get(*stub, "finished");
  EXPECT_EQ(fin.state(), runsc::v1::STOPPED);
  EXPECT_EQ(fin.exit_status().code(), 9);
  EXPECT_EQ(fin.spec().argv(2), "exit 9");

  auto run = Get(*stub, "running");
  EXPECT_EQ(run.state(), runsc::v1::RUNNING);
  EXPECT_EQ(run.sentry_pid(), running_sentry);

  auto lost = Get(*stub, "lost");
  EXPECT_EQ(lost.state(), runsc::v1::FAILED);
  EXPECT_THAT(lost.failure_reason(), HasSubstr("lost"));

  EXPECT_EQ(Get(*stub, "created").state(), runsc::v1::CREATED);

  // The re-attached sandbox finishes normally, and its output still flows.
  Outcome o = AttachAll(*stub, "running", 0, "", false);
  ASSERT_TRUE(o.got_exit);
  EXPECT_EQ(o.exit.code(), 6);
  EXPECT_EQ(o.out, "late\n");
  EXPECT_EQ(Wait(*stub, "running").exit_status().code(), 6);
  // And the created one can still start.
  ASSERT_TRUE(Start(*stub, "created").ok());
  EXPECT_EQ(Wait(*stub, "created").exit_status().code(), 0);
}

TEST(SandboxesLoadTest, HundredSandboxesEightAtATime) {
  Daemon d;
  ASSERT_TRUE(d.Start({"--max-sandboxes", "16"})) << d.log();
  std::atomic<int> next{0}, ok{0};
  std::vector<std::string> failures;
  std::mutex mu;
  long rss_after_warmup = 0;
  auto worker = [&] {
    auto stub = d.NewStub();
    for (int i; (i = next++) < 100;) {
      const std::string id = "load-" + std::to_string(i);
      grpc::Status st = Create(*stub, id, Spec({"/bin/true"}));
      if (st.ok()) st = Start(*stub, id);
      runsc::v1::WaitResponse w;
      if (st.ok()) {
        runsc::v1::WaitRequest wr;
        wr.set_id(id);
        st = stub->Wait(Ctx(60).get(), wr, &w);
      }
      if (st.ok() && w.state() == runsc::v1::STOPPED && w.exit_status().code() == 0 &&
          w.exit_status().wait_status() == 0) {
        ok++;
        runsc::v1::DeleteRequest dr;
        dr.set_id(id);
        runsc::v1::DeleteResponse dresp;
        stub->Delete(Ctx().get(), dr, &dresp);
      } else {
        std::lock_guard<std::mutex> l(mu);
        failures.push_back(id + ": " + st.error_message() + " " +
                           w.exit_status().DebugString());
      }
      if (i == 20) rss_after_warmup = RssKb(d.pid());
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; t++) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 100) << ::testing::PrintToString(failures);
  const long rss = RssKb(d.pid());
  RecordProperty("daemon_rss_kb", std::to_string(rss));
  EXPECT_GT(rss, 0);
  // Bounded: finished, deleted sandboxes leave nothing behind that grows.
  EXPECT_LT(rss, rss_after_warmup + 20 * 1024) << "warm-up " << rss_after_warmup;
  EXPECT_LT(rss, 200 * 1024);
  runsc::v1::ListResponse list;
  ASSERT_TRUE(d.NewStub()->List(Ctx().get(), {}, &list).ok());
  EXPECT_EQ(list.sandboxes_size(), 0);
}

TEST(SandboxesSecurityTest, SecondUidCannotConnect) {
  Daemon d;
  ASSERT_TRUE(d.Start()) << d.log();
  struct stat st;
  ASSERT_EQ(stat(d.socket().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  // Let uid 65534 reach the socket file at all, so that what refuses it is
  // the permission of the socket and then the daemon's peer check.
  ASSERT_EQ(chmod(d.dir().c_str(), 0755), 0);
  if (access("/usr/bin/setpriv", X_OK) != 0 || geteuid() != 0) {
    GTEST_SKIP() << "needs root and setpriv to act as a second uid";
  }
  const std::vector<std::string> as_nobody = {
      "setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups",
      RunscBinary(), "list", "--server", "unix:" + d.socket()};
  std::string out;
  int ws = RunCommand(as_nobody, &out);
  EXPECT_TRUE(WIFEXITED(ws) && WEXITSTATUS(ws) != 0) << out;
  EXPECT_THAT(out, HasSubstr("UNAVAILABLE"));
  // Even with the file opened up, the daemon refuses the peer's uid.
  ASSERT_EQ(chmod(d.socket().c_str(), 0666), 0);
  ws = RunCommand(as_nobody, &out);
  EXPECT_TRUE(WIFEXITED(ws) && WEXITSTATUS(ws) != 0) << out;
  EXPECT_THAT(d.log(), HasSubstr("refused a connection"));
  // The daemon's own uid still gets in.
  ws = RunCommand({RunscBinary(), "list", "--server", "unix:" + d.socket()}, &out);
  EXPECT_TRUE(WIFEXITED(ws) && WEXITSTATUS(ws) == 0) << out;
}

TEST(SandboxesSecurityTest, TcpNeedsTlsAndToken) {
  Daemon d;
  // Plain TCP: the daemon refuses to start.
  std::string out;
  int ws = RunCommand({RunscBinary(), "serve", "--listen", "tcp:127.0.0.1:0", "--state-dir",
                       d.dir() + "/plain"},
                      &out);
  EXPECT_TRUE(WIFEXITED(ws) && WEXITSTATUS(ws) == 2) << out;
  EXPECT_THAT(out, HasSubstr("refusing to listen on tcp"));

  if (access("/usr/bin/openssl", X_OK) != 0) GTEST_SKIP() << "needs openssl";
  const std::string key = d.dir() + "/key.pem", cert = d.dir() + "/cert.pem";
  ws = RunCommand({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                   "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                   "-keyout", key, "-out", cert},
                  &out);
  ASSERT_TRUE(WIFEXITED(ws) && WEXITSTATUS(ws) == 0) << out;
  const std::string token = "0123456789abcdef-test-token";
  {
    std::ofstream(d.dir() + "/token") << token << "\n";
  }
  // Without a token file, TLS alone is refused too.
  ws = RunCommand({RunscBinary(), "serve", "--listen", "tcp:127.0.0.1:0", "--tls-cert", cert,
                   "--tls-key", key, "--state-dir", d.dir() + "/notoken"},
                  &out);
  EXPECT_TRUE(WIFEXITED(ws) && WEXITSTATUS(ws) == 2) << out;

  ASSERT_TRUE(d.Start({"--listen", "tcp:127.0.0.1:0", "--tls-cert", cert, "--tls-key", key,
                       "--token-file", d.dir() + "/token"}))
      << d.log();
  const std::string log = d.log();
  const size_t at = log.find("(TLS, token; port ");
  ASSERT_NE(at, std::string::npos) << log;
  const int port = atoi(log.c_str() + at + 18);
  ASSERT_GT(port, 0);
  const std::string target = "localhost:" + std::to_string(port);

  std::string ca;
  {
    std::ifstream f(cert);
    ca.assign(std::istreambuf_iterator<char>(f), {});
  }
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = ca;
  auto tls = runsc::v1::Sandboxes::NewStub(grpc::CreateChannel(target, grpc::SslCredentials(ssl)));
  auto list = [&](runsc::v1::Sandboxes::Stub& s, const std::string& bearer) {
    auto ctx = Ctx(5);
    if (!bearer.empty()) ctx->AddMetadata("authorization", "Bearer " + bearer);
    runsc::v1::ListResponse resp;
    return s.List(ctx.get(), {}, &resp).error_code();
  };
  EXPECT_EQ(list(*tls, ""), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(list(*tls, "wrong-token-wrong-token"), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(list(*tls, token), grpc::StatusCode::OK);
  // Plaintext to the TLS port gets nowhere.
  auto plain = runsc::v1::Sandboxes::NewStub(
      grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
  EXPECT_EQ(list(*plain, token), grpc::StatusCode::UNAVAILABLE);
}

}  // namespace
}  // namespace runsc::testing
