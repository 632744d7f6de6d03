#!/bin/bash
# Runs one command natively and under `runsc do`, then compares stdout, the
# exit code and (unless --no-stderr) stderr. Prints a unified diff of what
# differs and exits 0 only when everything matches.
#
# usage: compare.sh [options] -- CMD [ARGS...]
#   --runsc PATH       runsc binary (default: $RUNSC, else runsc in PATH)
#   --runsc-flag=F    extra flag for runsc do (repeatable), e.g. a --volume
#   --platform NAME    runsc --platform value (default: $RUNSC_PLATFORM or ptrace)
#   --clear-env        start from an empty environment (native: env -i;
#                      sandbox: runsc do --clear-env)
#   --env K=V          set a variable on both sides (repeatable)
#   --cwd DIR          working directory on both sides
#   --stdin FILE       standard input on both sides (default /dev/null)
#   --no-stderr        do not compare stderr
#   --expect-exit N    also require the native exit code to be N, to catch a
#                      broken test (a command that fails natively)
#   --timeout SEC      per-run limit (default 30); a timeout is a failure
#   --keep DIR         keep the captured outputs in DIR (for debugging)
set -u

usage() {
  sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
}

runsc=${RUNSC:-}
platform=${RUNSC_PLATFORM:-ptrace}
clear_env=0
envs=()
cwd=
stdin=/dev/null
compare_stderr=1
expect_exit=
limit=30
keep=
runsc_flags=()

while [ $# -gt 0 ]; do
  case $1 in
    --runsc) runsc=$2; shift 2 ;;
    --platform) platform=$2; shift 2 ;;
    --clear-env) clear_env=1; shift ;;
    --env) envs+=("$2"); shift 2 ;;
    --cwd) cwd=$2; shift 2 ;;
    --stdin) stdin=$2; shift 2 ;;
    --no-stderr) compare_stderr=0; shift ;;
    --expect-exit) expect_exit=$2; shift 2 ;;
    --timeout) limit=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    --runsc-flag=*) runsc_flags+=("${1#--runsc-flag=}"); shift ;;
    --) shift; break ;;
    -h|--help) usage ;;
    *) echo "compare.sh: unknown option: $1" >&2; usage ;;
  esac
done
[ $# -gt 0 ] || usage
if [ -z "$runsc" ]; then
  runsc=$(command -v runsc) || { echo "compare.sh: no runsc (use --runsc or \$RUNSC)" >&2; exit 2; }
fi

if [ -n "$keep" ]; then
  out=$keep
  mkdir -p "$out"
else
  out=$(mktemp -d "${TMPDIR:-/tmp}/compare.XXXXXX") || exit 2
  trap 'rm -rf "$out"' EXIT
fi

# Native: env(1) applies the same environment changes runsc is asked for.
native_cmd=(env)
[ "$clear_env" = 1 ] && native_cmd+=(-i)
native_cmd+=("${envs[@]}" "$@")

sandbox_cmd=("$runsc" do "--platform=$platform" "${runsc_flags[@]}")
[ "$clear_env" = 1 ] && sandbox_cmd+=(--clear-env)
for e in "${envs[@]}"; do sandbox_cmd+=(--env "$e"); done
[ -n "$cwd" ] && sandbox_cmd+=(--cwd "$cwd")
sandbox_cmd+=(-- "$@")

# run NAME CMD...: captures NAME.out, NAME.err, NAME.code.
run() {
  local name=$1
  shift
  (
    if [ -n "$cwd" ]; then cd "$cwd" || exit 125; fi
    exec timeout --kill-after=5 "$limit" "$@"
  ) <"$stdin" >"$out/$name.out" 2>"$out/$name.err"
  echo $? >"$out/$name.code"
}

run native "${native_cmd[@]}"
run sandbox "${sandbox_cmd[@]}"

native_code=$(cat "$out/native.code")
sandbox_code=$(cat "$out/sandbox.code")
status=0

echo "command: $*"
echo "native exit $native_code, sandbox exit $sandbox_code ($runsc, platform $platform)"

if [ -n "$expect_exit" ] && [ "$native_code" != "$expect_exit" ]; then
  echo "BROKEN TEST: native exit code $native_code, expected $expect_exit"
  echo "--- native stderr:"; cat "$out/native.err"
  exit 1
fi
if [ "$native_code" = 124 ]; then
  echo "BROKEN TEST: the native run timed out after ${limit}s"
  exit 1
fi
if { [ "$sandbox_code" = 124 ] || [ "$sandbox_code" = 137 ]; } && [ "$native_code" != "$sandbox_code" ]; then
  echo "MISMATCH: the sandboxed run timed out after ${limit}s (hang)"
  status=1
elif [ "$native_code" != "$sandbox_code" ]; then
  echo "MISMATCH: exit code native=$native_code sandbox=$sandbox_code"
  status=1
fi

if ! diff -u --label native.stdout --label sandbox.stdout "$out/native.out" "$out/sandbox.out"; then
  echo "MISMATCH: stdout differs"
  status=1
fi

if [ "$compare_stderr" = 1 ]; then
  if ! diff -u --label native.stderr --label sandbox.stderr "$out/native.err" "$out/sandbox.err"; then
    echo "MISMATCH: stderr differs"
    status=1
  fi
elif [ "$status" != 0 ]; then
  echo "--- sandbox stderr (not compared):"
  cat "$out/sandbox.err"
fi

[ "$status" = 0 ] && echo "OK: outputs and exit code match"
exit "$status"
