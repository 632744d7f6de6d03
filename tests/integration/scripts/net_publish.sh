#!/bin/bash
# -p HOSTPORT:SANDBOXPORT: a server in the sandbox's loopback network is
# reached from the host through the sentry's port publisher.
#   net_publish.sh RUNSC PLATFORM http   python3 -m http.server, fetched
#                                        with curl (file, 404, 1 MiB body)
#   net_publish.sh RUNSC PLATFORM redis  redis-server, redis-benchmark -q
#                                        -n 2000 and redis-cli on the host
#   net_publish.sh RUNSC PLATFORM udp    -p HOSTPORT:SANDBOXPORT/udp: a
#                                        python3 UDP echo server, two host
#                                        clients (each its own peer inside)
# Everything stays on 127.0.0.1; the ports are picked free on the host.
set -u
runsc=$1 platform=$2 what=$3

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

dir=$(mktemp -d "${TMPDIR:-/tmp}/net_publish.XXXXXX")
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT

hp=$(free_port)
# Wait until the published port answers (the server inside may take a
# moment to listen: until then the publisher resets connections).
wait_up() {
  for _ in $(seq 100); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    kill -0 "$pid" 2>/dev/null || { echo "sandbox exited early"; cat "$dir/log"; return 1; }
    sleep 0.1
  done
  echo "timed out waiting for the published port"; cat "$dir/log"; return 1
}

fail=0
case $what in
  http)
    mkdir -p "$dir/www"
    echo "published hello" > "$dir/www/hello.txt"
    head -c 1048576 /dev/urandom > "$dir/www/big.bin"
    "$runsc" do --platform="$platform" --volume="$dir/www:$dir/www:ro" \
      -p "$hp:8000" -- python3 -m http.server 8000 --bind 127.0.0.1 \
      --directory "$dir/www" >"$dir/log" 2>&1 &
    pid=$!
    wait_up curl -sf "http://127.0.0.1:$hp/hello.txt" || exit 1
    got=$(curl -sf "http://127.0.0.1:$hp/hello.txt")
    [ "$got" = "published hello" ] || { echo "hello.txt: got '$got'"; fail=1; }
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$hp/missing")
    [ "$code" = 404 ] || { echo "missing: got $code"; fail=1; }
    curl -sf -o "$dir/got.bin" "http://127.0.0.1:$hp/big.bin"
    cmp -s "$dir/got.bin" "$dir/www/big.bin" || { echo "big.bin differs"; fail=1; }
    # Several at once.
    for i in 1 2 3 4 5 6; do
      curl -sf "http://127.0.0.1:$hp/hello.txt" > "$dir/par.$i" &
    done
    wait $(jobs -p | grep -v "^$pid\$") 2>/dev/null
    for i in 1 2 3 4 5 6; do
      [ "$(cat "$dir/par.$i")" = "published hello" ] || { echo "parallel $i: $(cat "$dir/par.$i")"; fail=1; }
    done
    ;;
  redis)
    command -v redis-server >/dev/null || { echo "redis-server not installed"; exit 1; }
    "$runsc" do --platform="$platform" -p "$hp:6379" -- redis-server \
      --bind 127.0.0.1 --port 6379 --save '' --appendonly no \
      >"$dir/log" 2>&1 &
    pid=$!
    wait_up redis-cli -p "$hp" ping || exit 1
    [ "$(redis-cli -p "$hp" set greeting hello)" = OK ] || fail=1
    [ "$(redis-cli -p "$hp" get greeting)" = hello ] || { echo "get failed"; fail=1; }
    timeout 120 redis-benchmark -p "$hp" -q -n 2000 -t set,get,incr,lpush,lpop \
      > "$dir/bench" 2>&1 || { echo "redis-benchmark failed"; fail=1; }
    cat "$dir/bench" | tr '\r' '\n' | grep -E "requests per second" || fail=1
    n=$(tr '\r' '\n' < "$dir/bench" | grep -c "requests per second")
    [ "$n" = 5 ] || { echo "expected 5 results, got $n"; fail=1; }
    [ "$(redis-cli -p "$hp" dbsize)" -ge 1 ] || fail=1
    ;;
  udp)
    hp=$(python3 -c 'import socket; s=socket.socket(type=socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    # Echoes "PEERPORT DATA" (upper-cased) to whoever sent DATA.
    "$runsc" do --platform="$platform" -p "$hp:9999/udp" -- python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 9999))
while True:
    d, a = s.recvfrom(65536)
    s.sendto(b"%d %s" % (a[1], d.upper()), a)
' >"$dir/log" 2>&1 &
    pid=$!
    cat > "$dir/client.py" <<'PY'
import socket, sys
hp = int(sys.argv[1])
dst = ("127.0.0.1", hp)
def ask(s, msg):
    s.sendto(msg, dst)
    d, a = s.recvfrom(70000)
    assert a == dst, "reply from %r" % (a,)
    port, _, body = d.partition(b" ")
    return int(port), body
if sys.argv[2] == "ping":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.3)
    ask(s, b"ping")
    sys.exit(0)
c1 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
c2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for c in (c1, c2):
    c.settimeout(10)
p1, b1 = ask(c1, b"one")
p2, b2 = ask(c2, b"two")
p3, b3 = ask(c1, b"three")
big = bytes(range(97, 123)) * 2000  # 52000 bytes: one datagram
p4, b4 = ask(c2, big)
assert (b1, b2, b3) == (b"ONE", b"TWO", b"THREE"), (b1, b2, b3)
assert b4 == big.upper(), len(b4)
assert p1 == p3 and p2 == p4 and p1 != p2, (p1, p2, p3, p4)
print("udp ok")
PY
    wait_up python3 "$dir/client.py" "$hp" ping || exit 1
    python3 "$dir/client.py" "$hp" check || { echo "udp exchange failed"; fail=1; }
    ;;
  *) echo "unknown case $what"; exit 2 ;;
esac
[ $fail = 0 ] && echo "net_publish $what: ok"
exit $fail
