#!/bin/bash
# Checks how `runsc do` refuses a command that cannot be executed: a
# truncated ELF, an ELF for another machine, a directory, a file without
# execute permission, a missing command.
#
# The expected exit code comes from the native shell: `bash -c 'exec CMD'`
# exits 126 when the file exists but cannot be executed and 127 when it is
# not found; runsc do must give the same code. The test also requires that
# runsc
#   - names the file (its base name) in a message on stderr,
#   - finishes within the time limit (no hang),
#   - exits normally: no signal death, no core dump.
#
# usage: bad_input.sh [--runsc PATH] [--platform NAME] [--timeout SEC] -- CMD [ARGS...]
set -u

runsc=${RUNSC:-}
platform=${RUNSC_PLATFORM:-ptrace}
limit=20
runsc_flags=()

while [ $# -gt 0 ]; do
  case $1 in
    --runsc) runsc=$2; shift 2 ;;
    --platform) platform=$2; shift 2 ;;
    --timeout) limit=$2; shift 2 ;;
    --runsc-flag=*) runsc_flags+=("${1#--runsc-flag=}"); shift ;;
    --) shift; break ;;
    *) echo "bad_input.sh: unknown option: $1" >&2; exit 2 ;;
  esac
done
[ $# -gt 0 ] || { echo "usage: bad_input.sh [--runsc PATH] [--platform NAME] -- CMD [ARGS...]" >&2; exit 2; }
if [ -z "$runsc" ]; then
  runsc=$(command -v runsc) || { echo "bad_input.sh: no runsc (use --runsc or \$RUNSC)" >&2; exit 2; }
fi

out=$(mktemp -d "${TMPDIR:-/tmp}/bad_input.XXXXXX") || exit 2
trap 'rm -rf "$out"' EXIT

cmd=$1
name=$(basename -- "$cmd")

# The truth: what the native shell says about exec'ing this file.
bash -c 'exec "$@"' bash "$@" </dev/null >/dev/null 2>"$out/native.err"
expected=$?
echo "command: $*"
echo "native: bash exec exits $expected: $(head -n 1 "$out/native.err")"
if [ "$expected" != 126 ] && [ "$expected" != 127 ]; then
  echo "BROKEN TEST: '$cmd' is not a bad input natively (exit $expected, expected 126 or 127)"
  exit 1
fi

timeout --kill-after=5 "$limit" "$runsc" do "--platform=$platform" "${runsc_flags[@]}" -- "$@" \
  </dev/null >"$out/sandbox.out" 2>"$out/sandbox.err"
actual=$?
echo "sandbox: runsc do exits $actual"
echo "--- sandbox stderr:"
cat "$out/sandbox.err"
echo "---"

status=0
if [ "$actual" = 124 ] || [ "$actual" = 137 ]; then
  echo "FAIL: runsc do did not finish within ${limit}s (hang)"
  status=1
elif [ "$actual" -gt 128 ]; then
  echo "FAIL: runsc do died from signal $((actual - 128)) (crash)"
  status=1
elif [ "$actual" != "$expected" ]; then
  echo "FAIL: exit code $actual, expected $expected"
  status=1
fi
if grep -qiE 'core dumped|segmentation fault|assertion|terminate called' "$out/sandbox.err"; then
  echo "FAIL: runsc reported a crash on stderr"
  status=1
fi
if ! grep -qF -- "$name" "$out/sandbox.err"; then
  echo "FAIL: stderr does not name the file '$name'"
  status=1
fi
if [ -s "$out/sandbox.out" ]; then
  echo "FAIL: unexpected output on stdout:"
  cat "$out/sandbox.out"
  status=1
fi

[ "$status" = 0 ] && echo "OK"
exit "$status"
