#!/usr/bin/env python3
"""runsc.v1.Sandboxes driven by an independent client: Python grpcio, with
stubs generated from proto/ at test time by grpc_tools.protoc.

Usage: test_python_client.py --runsc BIN --proto-dir DIR
Exits 77 (CTest's skip code) when grpcio or grpc_tools is missing.
"""
import argparse
import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

try:
    import grpc
    from grpc_tools import protoc
except ImportError as e:  # pragma: no cover
    print(f"SKIP: {e}: install python3-grpcio and python3-grpc-tools "
          "(./x setup does)")
    sys.exit(77)

ARGS = None
pb = None
pb_grpc = None


def generate_stubs(proto_dir, out_dir):
    rc = protoc.main(["grpc_tools.protoc", f"-I{proto_dir}",
                      f"--python_out={out_dir}", f"--grpc_python_out={out_dir}",
                      os.path.join(proto_dir, "runsc/v1/sandboxes.proto")])
    if rc != 0:
        raise RuntimeError(f"grpc_tools.protoc failed ({rc})")
    for d in ("runsc", "runsc/v1"):
        open(os.path.join(out_dir, d, "__init__.py"), "a").close()
    sys.path.insert(0, out_dir)
    global pb, pb_grpc
    from runsc.v1 import sandboxes_pb2, sandboxes_pb2_grpc
    pb, pb_grpc = sandboxes_pb2, sandboxes_pb2_grpc


class Daemon:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="runsc-grpc-py-")
        self.sock = os.path.join(self.dir, "s.sock")
        self.proc = None

    def start(self):
        self.log = open(os.path.join(self.dir, "serve.log"), "ab")
        self.proc = subprocess.Popen(
            [ARGS.runsc, "serve", "--listen", "unix:" + self.sock,
             "--state-dir", os.path.join(self.dir, "state")],
            stdin=subprocess.DEVNULL, stderr=self.log,
            # A test killed by its timeout must not leave its daemon behind.
            preexec_fn=lambda: ctypes.CDLL(None).prctl(1, signal.SIGTERM))
        # Connect only once the socket exists: a failed first attempt would
        # put the channel into reconnect backoff.
        deadline = time.time() + 10
        while not os.path.exists(self.sock):
            if time.time() > deadline or self.proc.poll() is not None:
                raise RuntimeError("runsc serve did not come up")
            time.sleep(0.02)
        self.channel = grpc.insecure_channel("unix:" + self.sock)
        self.stub = pb_grpc.SandboxesStub(self.channel)
        self.stub.List(pb.ListRequest(), timeout=10, wait_for_ready=True)

    def stop(self):
        self.channel.close()
        self.log.close()
        if self.proc:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(10)
            self.proc = None
        # Sentries of sandboxes a failed test left running.
        stub_dir = os.path.join(self.dir, "state", "sandboxes")
        for sid in os.listdir(stub_dir) if os.path.isdir(stub_dir) else []:
            try:
                with open(os.path.join(stub_dir, sid, "record.json")) as f:
                    pid = int(json.load(f).get("sentryPid", 0))
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    ours = pid and b"sandbox-run" in f.read()
                if ours:
                    os.kill(pid, signal.SIGKILL)
            except (OSError, ValueError):
                pass
        shutil.rmtree(self.dir, ignore_errors=True)


def spec(*argv, **kw):
    s = pb.SandboxSpec(argv=list(argv), env=["PATH=/usr/bin:/bin"], cwd="/")
    for k, v in kw.items():
        setattr(s, k, v)
    return s


class SandboxesTest(unittest.TestCase):
    def setUp(self):
        self.d = Daemon()
        self.d.start()
        self.stub = self.d.stub

    def tearDown(self):
        self.d.stop()

    def attach(self, sid, stdin=b"", start=False, pid=0):
        """Attach (then Start), send stdin and close it; collect output."""
        started = threading.Event()

        def requests():
            yield pb.AttachRequest(open=pb.AttachOpen(id=sid, pid=pid))
            started.wait(10)
            if stdin:
                yield pb.AttachRequest(stdin=stdin)
            yield pb.AttachRequest(close_stdin=True)

        out, err, exit_status = b"", b"", None
        responses = self.stub.Attach(requests(), timeout=60)
        if start:
            self.stub.Start(pb.StartRequest(id=sid), timeout=30)
        started.set()
        for r in responses:
            kind = r.WhichOneof("kind")
            if kind == "stdout":
                out += r.stdout.data
            elif kind == "stderr":
                err += r.stderr.data
            elif kind == "exit":
                exit_status = r.exit
        return out, err, exit_status

    def test_life_cycle(self):
        r = self.stub.Create(pb.CreateRequest(
            id="py", spec=spec("/bin/sh", "-c", "echo hi; echo oops >&2; exit 2")))
        self.assertEqual(r.sandbox.state, pb.CREATED)
        out, err, st = self.attach("py", start=True)
        self.assertEqual(out, b"hi\n")
        self.assertEqual(err, b"oops\n")
        self.assertEqual(st.code, 2)
        w = self.stub.Wait(pb.WaitRequest(id="py"), timeout=30)
        self.assertEqual(w.state, pb.STOPPED)
        self.assertEqual(w.exit_status.code, 2)
        listed = self.stub.List(pb.ListRequest(), timeout=10)
        self.assertEqual([s.id for s in listed.sandboxes], ["py"])
        self.stub.Delete(pb.DeleteRequest(id="py"), timeout=10)
        with self.assertRaises(grpc.RpcError) as cm:
            self.stub.Get(pb.GetRequest(id="py"), timeout=10)
        self.assertEqual(cm.exception.code(), grpc.StatusCode.NOT_FOUND)

    def test_stdin_through_attach(self):
        self.stub.Create(pb.CreateRequest(id="cat", spec=spec("/bin/cat")))
        data = b"line one\nline two\n" * 1000
        out, _, st = self.attach("cat", stdin=data, start=True)
        self.assertEqual(out, data)
        self.assertEqual(st.code, 0)

    def test_two_concurrent_sandboxes(self):
        for sid in ("p", "q"):
            self.stub.Create(pb.CreateRequest(
                id=sid, spec=spec("/bin/sh", "-c", f"sleep 0.3; echo {sid}")))
        results = {}
        threads = [threading.Thread(
            target=lambda s=s: results.__setitem__(s, self.attach(s, start=True)))
            for s in ("p", "q")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(results["p"][0], b"p\n")
        self.assertEqual(results["q"][0], b"q\n")

    def test_exec_and_kill(self):
        self.stub.Create(pb.CreateRequest(id="k", spec=spec("/bin/sleep", "30")))
        self.stub.Start(pb.StartRequest(id="k"), timeout=30)
        try:
            e = self.stub.Exec(pb.ExecRequest(id="k", process=pb.ProcessSpec(
                argv=["/bin/echo", "from exec"], env=["PATH=/bin"])), timeout=30)
        except grpc.RpcError as err:
            if err.code() != grpc.StatusCode.UNIMPLEMENTED:
                raise
            self.skipTest("needs Kernel::StartProcess: " + err.details())
        out, _, st = self.attach("k", pid=e.pid)
        self.assertEqual(out, b"from exec\n")
        self.assertEqual(st.code, 0)
        self.stub.Kill(pb.KillRequest(id="k", signal=signal.SIGTERM), timeout=10)
        w = self.stub.Wait(pb.WaitRequest(id="k"), timeout=30)
        self.assertEqual(w.exit_status.signal, signal.SIGTERM)
        self.assertEqual(w.exit_status.code, 128 + signal.SIGTERM)

    def test_events_order(self):
        events = []
        call = self.stub.Events(pb.EventsRequest())

        def collect():
            try:
                for e in call:
                    if e.WhichOneof("kind") != "unimplemented":
                        events.append(e)
                    if e.WhichOneof("kind") == "deleted":
                        return
            except grpc.RpcError:
                pass
        t = threading.Thread(target=collect)
        t.start()
        time.sleep(0.3)
        self.stub.Create(pb.CreateRequest(id="ev", spec=spec("/bin/true")))
        self.stub.Start(pb.StartRequest(id="ev"))
        self.stub.Wait(pb.WaitRequest(id="ev"), timeout=30)
        self.stub.Delete(pb.DeleteRequest(id="ev"))
        t.join(20)
        call.cancel()
        self.assertEqual([e.WhichOneof("kind") for e in events],
                         ["created", "started", "exited", "deleted"])
        seqs = [e.sequence for e in events]
        self.assertEqual(seqs, sorted(seqs))

    def test_reflection_lists_the_service(self):
        # grpcurl-style discovery: ServerReflectionInfo with list_services
        # (field 7, empty string), decoded only as far as finding the name.
        call = self.d.channel.stream_stream(
            "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
            request_serializer=lambda b: b, response_deserializer=lambda b: b)
        replies = list(call(iter([b"\x3a\x00"]), timeout=10))
        self.assertTrue(replies)
        self.assertIn(b"runsc.v1.Sandboxes", replies[0])

    def test_errors(self):
        for call, req in ((self.stub.Get, pb.GetRequest(id="ghost")),
                          (self.stub.Start, pb.StartRequest(id="ghost")),
                          (self.stub.Wait, pb.WaitRequest(id="ghost")),
                          (self.stub.Kill, pb.KillRequest(id="ghost", signal=9)),
                          (self.stub.Delete, pb.DeleteRequest(id="ghost"))):
            with self.assertRaises(grpc.RpcError) as cm:
                call(req, timeout=10)
            self.assertEqual(cm.exception.code(), grpc.StatusCode.NOT_FOUND)
        with self.assertRaises(grpc.RpcError) as cm:
            self.stub.Create(pb.CreateRequest(id="e", spec=pb.SandboxSpec()))
        self.assertEqual(cm.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("spec.argv", cm.exception.details())
        with self.assertRaises(grpc.RpcError) as cm:
            self.stub.Create(pb.CreateRequest(
                id="e", spec=spec("/bin/true", cwd="not/absolute")))
        self.assertEqual(cm.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("spec.cwd", cm.exception.details())
        self.stub.Create(pb.CreateRequest(id="e", spec=spec("/bin/true")))
        with self.assertRaises(grpc.RpcError) as cm:
            self.stub.Create(pb.CreateRequest(id="e", spec=spec("/bin/true")))
        self.assertEqual(cm.exception.code(), grpc.StatusCode.ALREADY_EXISTS)


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--runsc", required=True)
    p.add_argument("--proto-dir", required=True)
    ARGS, rest = p.parse_known_args()
    gen = tempfile.mkdtemp(prefix="runsc-pystubs-")
    try:
        generate_stubs(ARGS.proto_dir, gen)
        prog = unittest.main(argv=[sys.argv[0]] + rest, exit=False, verbosity=2)
        r = prog.result
        print(f"{r.testsRun - len(r.failures) - len(r.errors) - len(r.skipped)} passed, "
              f"{len(r.failures) + len(r.errors)} failed, {len(r.skipped)} skipped")
        sys.exit(0 if r.wasSuccessful() else 1)
    finally:
        shutil.rmtree(gen, ignore_errors=True)


if __name__ == "__main__":
    main()
