#!/bin/bash
# AF_UNIX names and the host (sandbox only; no native counterpart): a host
# socket file seen through a hostfs volume is never a way to the host
# socket (ECONNREFUSED), the host's abstract names are not the sandbox's,
# binding on a read-only mount is EROFS, and a socket the sandbox binds on
# a writable volume is a socket file on the host that no host process can
# connect to.
#
# usage: unix_socket_confinement.sh --runsc PATH [--platform NAME]
set -u
runsc=
platform=ptrace
while [ $# -gt 0 ]; do
  case $1 in
    --runsc) runsc=$2; shift 2 ;;
    --platform) platform=$2; shift 2 ;;
    *) echo "unix_socket_confinement.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -x "$runsc" ] || { echo "unix_socket_confinement.sh: no runsc" >&2; exit 2; }
py=/usr/bin/python3
[ -x "$py" ] || exit 77

h=$(mktemp -d /tmp/unix_confinement.XXXXXX)
hostpid=
cleanup() {
  [ -n "$hostpid" ] && kill "$hostpid" 2>/dev/null
  rm -rf "$h"
}
trap cleanup EXIT
mkdir -p "$h/vol"
abstract="runsc-host-abstract-$$"

# A host process listening on a pathname and an abstract socket; it writes
# "reached" to a file if anything ever connects.
"$py" - "$h/vol/host.sock" "$abstract" "$h/reached" <<'PY' &
import socket, sys, select
s1 = socket.socket(socket.AF_UNIX); s1.bind(sys.argv[1]); s1.listen(8)
s2 = socket.socket(socket.AF_UNIX); s2.bind("\0" + sys.argv[2]); s2.listen(8)
open(sys.argv[1] + ".ready", "w").close()
while True:
    r, _, _ = select.select([s1, s2], [], [])
    for s in r:
        c, _ = s.accept()
        open(sys.argv[3], "a").write("reached\n")
        c.close()
PY
hostpid=$!
for _ in $(seq 50); do [ -e "$h/vol/host.sock.ready" ] && break; sleep 0.1; done

fail=0
out=$("$runsc" do --platform="$platform" -v "$h/vol:/tmp/vol:rw" -- "$py" - "$abstract" <<'PY' 2>&1
import errno, os, socket, stat, sys
def attempt(name, f):
    try:
        f()
        print(name, "ok")
    except OSError as e:
        print(name, errno.errorcode[e.errno])
s = socket.socket(socket.AF_UNIX)
attempt("host-path", lambda: s.connect("/tmp/vol/host.sock"))
s = socket.socket(socket.AF_UNIX)
attempt("host-abstract", lambda: s.connect("\0" + sys.argv[1]))
s = socket.socket(socket.AF_UNIX)
attempt("bind-readonly", lambda: s.bind("/usr/runsc-test.sock"))
l = socket.socket(socket.AF_UNIX)
attempt("bind-volume", lambda: l.bind("/tmp/vol/sandbox.sock"))
l.listen(1)
print("volume-node", stat.S_ISSOCK(os.stat("/tmp/vol/sandbox.sock").st_mode))
c = socket.socket(socket.AF_UNIX)
attempt("connect-volume", lambda: c.connect("/tmp/vol/sandbox.sock"))
a, _ = l.accept()
c.sendall(b"x")
print("exchange", a.recv(1))
# Leave the socket file behind for the host-side check.
PY
)
expect="host-path ECONNREFUSED
host-abstract ECONNREFUSED
bind-readonly EROFS
bind-volume ok
volume-node True
connect-volume ok
exchange b'x'"
if [ "$out" != "$expect" ]; then
  echo "FAIL: sandbox saw:"; echo "$out"; echo "expected:"; echo "$expect"; fail=1
fi
if [ -e "$h/reached" ]; then
  echo "FAIL: the sandbox reached a host socket"; fail=1
fi
if [ -e /usr/runsc-test.sock ]; then
  echo "FAIL: a socket file appeared on the host's /usr"; rm -f /usr/runsc-test.sock; fail=1
fi
# The sandbox's socket is a plain socket file on the host: nobody listens.
if [ ! -S "$h/vol/sandbox.sock" ]; then
  echo "FAIL: no socket file on the volume"; fail=1
else
  r=$("$py" -c '
import socket, sys, errno
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1]); print("connected")
except OSError as e:
    print(errno.errorcode[e.errno])' "$h/vol/sandbox.sock")
  [ "$r" = ECONNREFUSED ] || { echo "FAIL: host connect to the sandbox socket: $r"; fail=1; }
fi
[ $fail = 0 ] && echo PASS
exit $fail
