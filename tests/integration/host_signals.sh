#!/bin/bash
# Signals from the host reach the sandbox as they reach a process tree on
# Linux: Ctrl-C (SIGINT to runsc) goes to the sandbox's foreground process
# group, SIGTERM and SIGHUP to its first process. The same command runs
# natively (in its own session, signalled the way a terminal or a service
# manager would: the process group for SIGINT, the process otherwise) and
# under runsc (runsc is signalled); output and exit status must agree.
#
# usage: host_signals.sh --runsc BIN [--platform P] [--runsc-flag=F]... int|term|hup
set -u

runsc=""
platform=ptrace
extra=()
case_name=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runsc) runsc=$2; shift 2 ;;
    --platform) platform=$2; shift 2 ;;
    --runsc-flag=*) extra+=("${1#--runsc-flag=}"); shift ;;
    --*) echo "unknown flag $1" >&2; exit 2 ;;
    *) case_name=$1; shift ;;
  esac
done
[ -n "$runsc" ] && [ -n "$case_name" ] || { echo "usage: $0 --runsc BIN CASE" >&2; exit 2; }

fail() { echo "FAIL: $*" >&2; exit 1; }

# The shell ignores SIGINT; its foreground child (same process group) has a
# handler and exits 7 from it. SIGTERM and SIGHUP are trapped by the shell
# itself, which is the sandbox's first process.
child='import signal, sys, time
def on(s, f):
    print("child got", signal.Signals(s).name, flush=True)
    sys.exit(7)
signal.signal(signal.SIGINT, on)
print("ready", flush=True)
time.sleep(60)
print("child timed out", flush=True)'
case "$case_name" in
  int)
    sig=INT
    script="trap '' INT; /usr/bin/python3 -c '$child'; echo \"parent saw \$?\"" ;;
  term|hup)
    sig=$(echo "$case_name" | tr a-z A-Z)
    script="trap 'echo shell got $sig; exit 4' $sig; echo ready; while :; do sleep 0.1; done" ;;
  *) fail "unknown case $case_name" ;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run_one NAME CMD...: starts CMD with output to $tmp/NAME.out, waits for
# "ready", sends the signal (to the process group for the native SIGINT),
# then waits at most 20 s for the exit status.
run_one() {
  local name=$1 target pid status
  shift
  "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null &
  pid=$!
  for _ in $(seq 200); do
    grep -q ready "$tmp/$name.out" 2>/dev/null && break
    sleep 0.1
  done
  grep -q ready "$tmp/$name.out" || { kill -KILL "$pid"; fail "$name: never ready"; }
  sleep 0.2
  target=$pid
  if [ "$name" = native ] && [ "$sig" = INT ]; then target=-$pid; fi
  kill -"$sig" -- "$target"
  for _ in $(seq 200); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL -- "$target" 2>/dev/null
    kill -KILL "$pid" 2>/dev/null
    fail "$name: still running 20 s after SIG$sig"
  fi
  wait "$pid"
  status=$?
  echo "exit $status" >>"$tmp/$name.out"
}

# Natively: setsid gives the shell its own session and process group, so
# the group signal reaches only this tree. A background job of this
# (non-interactive) script is no group leader, so setsid does not fork and
# $! is the shell itself.
run_one native setsid --wait /bin/sh -c "$script"
run_one sandbox "$runsc" do --platform="$platform" "${extra[@]}" -- /bin/sh -c "$script"

if ! diff -u "$tmp/native.out" "$tmp/sandbox.out"; then
  echo "--- sandbox stderr:" >&2
  cat "$tmp/sandbox.err" >&2
  fail "SIG$sig: sandbox output differs from native"
fi
cat "$tmp/sandbox.out"
echo "PASS: SIG$sig from the host ($case_name)"
