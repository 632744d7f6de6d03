#!/bin/bash
# --network modes seen from inside the sandbox, against a listener the host
# runs on 127.0.0.1 (a free port):
#   loopback (default)  the host's listener is unreachable (ECONNREFUSED:
#                       the sandbox's own lo has nothing there), and only
#                       `lo` is listed
#   host                the host's listener answers
#   none                socket(AF_INET) and socket(AF_INET6) fail with
#                       EAFNOSUPPORT; AF_UNIX still works
set -u
runsc=$1 platform=$2

dir=$(mktemp -d "${TMPDIR:-/tmp}/net_modes.XXXXXX")
srv=
cleanup() {
  [ -n "$srv" ] && kill "$srv" 2>/dev/null && wait "$srv" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT

python3 -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept(); c.sendall(b"host says hi\n"); c.close()
' > "$dir/port" &
srv=$!
for _ in $(seq 50); do [ -s "$dir/port" ] && break; sleep 0.1; done
port=$(cat "$dir/port")

probe='
import errno, socket, sys
port = int(sys.argv[1])
try:
    c = socket.create_connection(("127.0.0.1", port), timeout=10)
    print("connected:", c.recv(100).decode().strip())
except OSError as e:
    print("connect:", errno.errorcode.get(e.errno, e.errno))
print("interfaces:", [n for _, n in socket.if_nameindex()] if len(sys.argv) < 3 else "-")
'
fail=0
check() {  # check NAME EXPECTED ACTUAL
  if [ "$2" != "$3" ]; then
    echo "$1: expected:"; echo "$2"; echo "got:"; echo "$3"; fail=1
  fi
}

got=$("$runsc" do --platform="$platform" -- python3 -c "$probe" "$port" 2>&1)
check loopback "connect: ECONNREFUSED
interfaces: ['lo']" "$got"

got=$("$runsc" do --platform="$platform" --network=host -- python3 -c "$probe" "$port" x 2>&1)
check host "connected: host says hi
interfaces: -" "$got"

got=$("$runsc" do --platform="$platform" --network=none -- python3 -c '
import errno, socket
for fam in (socket.AF_INET, socket.AF_INET6):
    try:
        socket.socket(fam, socket.SOCK_STREAM)
        print("created")
    except OSError as e:
        print(errno.errorcode[e.errno])
a, b = socket.socketpair()
a.send(b"unix ok"); print(b.recv(10).decode())
' 2>&1)
check none "EAFNOSUPPORT
EAFNOSUPPORT
unix ok" "$got"

[ $fail = 0 ] && echo "net_modes: ok"
exit $fail
