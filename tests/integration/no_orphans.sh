#!/bin/bash
# No host process outlives its sandbox: runs a sandbox whose shell starts a
# tree of sleeping processes (every one a stub process on the host), then
# ends the sandbox in one of three ways and checks from the host that every
# stub it had is gone:
#   kill     SIGKILL to runsc (the sentry dies without cleaning up)
#   term     SIGTERM to runsc (forwarded; the sandbox's shell dies of it)
#   exit     the sandbox's first process exits, leaving its children behind
#
# usage: no_orphans.sh --runsc BIN [--platform P] [--runsc-flag=F...] CASE
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

# The host processes that belong to sandbox `root` (runsc's pid): its
# descendants (stubs are children of the sentry, or of a jail zygote it
# started) and anything traced by one of its threads. Printed as
# "pid:starttime" so that a recycled pid is not mistaken for a survivor.
sandbox_procs() {
  local root=$1
  # One pass over every process's status: pid, parent, tracer (a thread id)
  # and thread-group id; then the tracer's thread group is looked up.
  grep -s -H -E '^(Tgid|PPid|TracerPid):' /proc/[0-9]*/status |
    awk -F'[/:\t ]+' -v root="$root" '
      { pid = $3; v = $NF
        if ($5 == "Tgid") tgid[pid] = v
        else if ($5 == "PPid") ppid[pid] = v
        else tracer[pid] = v }
      END {
        mine[root] = 1
        for (p in ppid) {
          t = tracer[p]
          tg = (t != "" && t != 0) ? tgid[t] : ""
          # A tracer thread is not listed under /proc: ask its process.
          if (t != "" && t != 0 && tg == "") {
            f = "/proc/" t "/status"
            while ((getline line < f) > 0)
              if (line ~ /^Tgid:/) { split(line, a, /[\t ]+/); tg = a[2] }
            close(f)
          }
          if (tg == root) mine[p] = 1
        }
        # Descendants of runsc or of anything it traces, to a fixed point.
        do {
          grew = 0
          for (p in ppid) if (!(p in mine) && (ppid[p] in mine)) { mine[p] = 1; grew = 1 }
        } while (grew)
        for (p in mine) if (p != root) print p
      }' |
    while read -r p; do
      start=$(awk '{print $22}' "/proc/$p/stat" 2>/dev/null) && echo "$p:$start"
    done
}

alive() {  # pid:starttime -> true if that very process still exists
  local p=${1%%:*} start=${1##*:} now
  now=$(awk '{print $22}' "/proc/$p/stat" 2>/dev/null) || return 1
  [ "$now" = "$start" ]
}

# Three subshells with two sleepers each, plus the shell's own sleep: eight
# sandbox processes at least (the shell, three subshells, seven sleeps).
tree='for i in 1 2 3; do (sleep 300 & sleep 300; wait) & done; '
case "$case_name" in
  kill|term) script="${tree} sleep 300" ;;
  exit) script="${tree} sleep 1; exit 0" ;;
  *) fail "unknown case $case_name" ;;
esac

"$runsc" do --platform="$platform" "${extra[@]}" -- /bin/sh -c "$script" \
  </dev/null >/dev/null 2>&1 &
rpid=$!

# Wait until the whole tree runs (10 processes), at most 20 s.
procs=()
deadline=$((SECONDS + 20))
while [ "$SECONDS" -lt "$deadline" ]; do
  mapfile -t procs < <(sandbox_procs "$rpid")
  [ "${#procs[@]}" -ge 10 ] && break
  kill -0 "$rpid" 2>/dev/null || break
  sleep 0.1
done
[ "${#procs[@]}" -ge 10 ] || { kill -KILL "$rpid" 2>/dev/null; fail "only ${#procs[@]} sandbox processes appeared"; }
echo "sandbox $rpid: ${#procs[@]} host processes"

case "$case_name" in
  kill) kill -KILL "$rpid" ;;
  term) kill -TERM "$rpid" ;;
  exit) ;;
esac

# runsc must end by itself (within 20 s), then every process it had must
# be gone within 5 s more (the host reaps killed tracees asynchronously).
for _ in $(seq 200); do
  kill -0 "$rpid" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$rpid" 2>/dev/null; then
  kill -KILL "$rpid"
  fail "runsc did not exit after the '$case_name' end"
fi
wait "$rpid"
echo "runsc exited with status $?"

left=()
for _ in $(seq 50); do
  left=()
  for p in "${procs[@]}"; do alive "$p" && left+=("${p%%:*}"); done
  [ "${#left[@]}" -eq 0 ] && break
  sleep 0.1
done
if [ "${#left[@]}" -ne 0 ]; then
  for p in "${left[@]}"; do
    echo "left behind: $p $(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null)" >&2
    kill -KILL "$p" 2>/dev/null
  done
  fail "${#left[@]} host processes outlived the sandbox"
fi
echo "PASS: no host process left behind ($case_name)"
