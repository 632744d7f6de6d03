#!/bin/bash
# Host terminals passed through: under script(1)'s pseudo-terminal, the same
# commands natively and in `runsc do` see a terminal on stdin/stdout
# (isatty: TCGETS) of the size the host set (TIOCGWINSZ), and stty reads
# its settings. Skipped (77) without script(1).
#
# usage: tty.sh --runsc PATH [--platform NAME]
set -u
runsc=
platform=ptrace
while [ $# -gt 0 ]; do
  case $1 in
    --runsc) runsc=$2; shift 2 ;;
    --platform) platform=$2; shift 2 ;;
    *) echo "tty.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
command -v script >/dev/null || { echo "tty.sh: SKIPPED: no script(1)"; exit 77; }
[ -x "$runsc" ] || { echo "tty.sh: no runsc" >&2; exit 2; }

inner='stty size; [ -t 0 ] && echo stdin-tty; [ -t 1 ] && echo stdout-tty; [ -t 2 ] || echo stderr-not-tty; stty -a | grep -o "rows [0-9]*; columns [0-9]*"; echo done'
# script gives the command a new pty; the size is set on it first.
run() {  # run PREFIX...: the inner commands under a pty, through PREFIX
  local prefix=
  [ $# -gt 0 ] && prefix=$(printf '%q ' "$@")
  timeout 60 script -qec "stty rows 33 cols 101; $prefix/bin/sh -c '$inner' 2>/dev/null" /dev/null </dev/null |
    tr -d '\r'
}
native=$(run)
sandbox=$(run "$runsc" do --platform="$platform" --)
if [ "$native" != "$sandbox" ]; then
  echo "FAIL: native and sandbox differ"
  diff <(echo "$native") <(echo "$sandbox")
  exit 1
fi
case $native in
  *"33 101"*stdin-tty*stdout-tty*done*) ;;
  *) echo "FAIL: broken test, native output: $native"; exit 1 ;;
esac
echo "tty: ok"
