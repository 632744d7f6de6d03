# `python3 -m http.server` on 127.0.0.1 (a port the kernel picks), fetched
# with urllib from the same machine or sandbox: a file, a directory
# listing, a 404, a POST that the server refuses, and a 2 MiB body.
import os
import re
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

root = tempfile.mkdtemp()
with open(os.path.join(root, "hello.txt"), "w") as f:
    f.write("hello from the server\n")
big = bytes((i * 7 + 3) % 251 for i in range(2 << 20))
with open(os.path.join(root, "big.bin"), "wb") as f:
    f.write(big)

server = subprocess.Popen(
    [sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1",
     "--directory", root],
    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
try:
    line = server.stdout.readline()
    m = re.search(r"port (\d+)", line)
    assert m, line
    base = "http://127.0.0.1:%s/" % m.group(1)

    with urllib.request.urlopen(base + "hello.txt", timeout=20) as r:
        print(r.status, r.headers["Content-Type"], r.read().decode(), end="")
    with urllib.request.urlopen(base, timeout=20) as r:
        body = r.read().decode()
        print(r.status, "listing has hello.txt:", "hello.txt" in body,
              "big.bin:", "big.bin" in body)
    with urllib.request.urlopen(base + "big.bin", timeout=20) as r:
        data = r.read()
        print(r.status, "big.bin", len(data), data == big)
    try:
        urllib.request.urlopen(base + "missing", timeout=20)
    except urllib.error.HTTPError as e:
        print("missing:", e.code)
    try:
        urllib.request.urlopen(base, data=b"x=1", timeout=20)
    except urllib.error.HTTPError as e:
        print("post:", e.code)
finally:
    server.terminate()
    server.wait()
print("server exit", server.returncode)
