#!/usr/bin/env bash
# compare.sh BUILD_DIR [--quick] [--reps N]
#
# Measures the cost of running programs in our sandbox against the same
# programs run natively, against a bare PTRACE_SYSEMU tracer (the floor of any
# ptrace platform) and against gVisor's runsc (Debian package `runsc`) when it
# is installed and we are root. Run through `./x bench [--quick]`.
#
# Absolute times on shared VMs drift by 20% or more between runs, so every
# number is measured alternating within this one run (native, sysemu, ours,
# gVisor, then again), repeated REPS times, and the median is reported next
# to the ratios. See README.md for what each row means.
#
#   --quick    smaller loops and fewer start-up runs (about a minute)
#   --reps N   alternating rounds per measurement (default 3)
set -uo pipefail

usage() {
  sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

[ $# -ge 1 ] || usage
BUILD=$1
shift
[ -d "$BUILD" ] || { echo "compare.sh: no build directory $BUILD" >&2; exit 2; }
BUILD=$(cd "$BUILD" && pwd)

QUICK=0
REPS=3
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --reps) shift; REPS=${1:-}; [[ "$REPS" =~ ^[1-9][0-9]*$ ]] || usage ;;
    --reps=*) REPS=${1#--reps=}; [[ "$REPS" =~ ^[1-9][0-9]*$ ]] || usage ;;
    -h|--help) usage ;;
    *) echo "compare.sh: unknown argument $1" >&2; usage ;;
  esac
  shift
done

if [ "$QUICK" = 1 ]; then
  N_NATIVE=200000     # getppid calls natively (~0.2 µs each)
  N_TRAPPED=10000     # getppid calls sandboxed / traced (~10-50 µs each)
  WALL_RUNS=5         # `runsc do /bin/true` runs per sandbox
  GB_MIN_TIME=0.05    # Google Benchmark --benchmark_min_time, seconds
  N_FORKEXEC=10       # forkexec_loop iterations per run
else
  N_NATIVE=2000000
  N_TRAPPED=100000
  WALL_RUNS=10
  GB_MIN_TIME=0.3
  N_FORKEXEC=50
fi

BENCH=$BUILD/tests/bench
GETPPID=$BENCH/getppid_loop
SYSEMU=$BENCH/sysemu_loop
GBENCH=$BENCH/bench_syscalls
FORKEXEC=$BENCH/forkexec_loop
# The system's interpreter, not a shim in $PATH (pyenv's would not run
# sandboxed, and would measure itself).
PYTHON=/usr/bin/python3
OURS_BIN=$BUILD/runsc-cli/runsc
GVISOR_BIN=/usr/bin/runsc
OURS=("$OURS_BIN" "do" --platform=ptrace --)
OURS_SC=("$OURS_BIN" "do" --platform=seccomp --)
GVISOR=("$GVISOR_BIN" --platform=ptrace --network=none "do")

for b in "$GETPPID" "$SYSEMU" "$GBENCH" "$FORKEXEC"; do
  [ -x "$b" ] || { echo "compare.sh: $b is not built (ninja -C $BUILD)" >&2; exit 1; }
done

TMP=$(mktemp -d /tmp/runsc-bench.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# ---------------------------------------------------------------- helpers --

# median V...: the median of numeric arguments ("" when there are none).
median() {
  [ $# -gt 0 ] || { echo ""; return; }
  printf '%s\n' "$@" | sort -g | awk '
    { a[NR] = $1 }
    END {
      if (NR % 2) print a[(NR + 1) / 2];
      else printf "%.6g\n", (a[NR / 2] + a[NR / 2 + 1]) / 2;
    }'
}

# minimum V...: the smallest numeric argument ("" when there are none).
minimum() {
  [ $# -gt 0 ] || { echo ""; return; }
  printf '%s\n' "$@" | sort -g | head -n 1
}

# ratio A B: A/B with two decimals, "-" when either is missing or B is 0.
ratio() {
  awk -v a="${1:-}" -v b="${2:-}" 'BEGIN {
    if (a == "" || b == "" || b + 0 == 0) print "-";
    else printf "%.2f\n", a / b;
  }'
}

# fmt_ns V: a time in ns, rounded for a table ("-" when missing).
fmt_ns() {
  awk -v v="${1:-}" 'BEGIN {
    if (v == "") print "-";
    else if (v >= 100) printf "%.0f\n", v;
    else printf "%.1f\n", v;
  }'
}

# last_err FILE: the last non-empty line of a stderr capture, for a reason.
last_err() {
  grep -v '^[[:space:]]*$' "$1" 2>/dev/null | tail -n 1 | cut -c1-160
}

# run TIMEOUT CMD...: runs CMD with stdout in $TMP/out and stderr in
# $TMP/err; returns its exit code (124 on timeout).
run() {
  local t=$1
  shift
  timeout --kill-after=5 "$t" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
}

# field KEY: the value of KEY=V in the last line of $TMP/out.
field() {
  tail -n 1 "$TMP/out" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

now_ns() { date +%s%N; }

# ---------------------------------------------------------- environment --

echo "runsc benchmarks — $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "host: $(uname -sr), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "build: $BUILD"
echo "mode: $([ "$QUICK" = 1 ] && echo quick || echo full), $REPS alternating rounds, medians reported"
echo

# Is our sandbox usable? Probe with the benchmark program itself, so a
# sandbox that runs /bin/true but not this program is reported as such.
# probe CMD...: runs `CMD getppid_loop 10`; prints why it failed, if it did.
probe() {
  local rc=0
  run 120 "$@" "$GETPPID" 10 || rc=$?
  if [ "$rc" != 0 ]; then
    echo "probe run of getppid_loop failed (exit $rc): $(last_err "$TMP/err")"
  elif [ -z "$(field ns_per_call)" ]; then
    echo "probe printed no result: $(tail -n 1 "$TMP/out" | cut -c1-120)"
  fi
}

OURS_OK=0
if [ ! -x "$OURS_BIN" ]; then
  OURS_WHY="not built ($OURS_BIN missing)"
else
  OURS_WHY=$(probe "${OURS[@]}")
  [ -z "$OURS_WHY" ] && OURS_OK=1
fi
if [ "$OURS_OK" = 1 ]; then
  echo "ours:   $OURS_BIN do --platform=ptrace"
else
  echo "ours:   unavailable — $OURS_WHY"
fi
OURS_SC_OK=0
if [ -x "$OURS_BIN" ]; then
  OURS_SC_WHY=$(probe "${OURS_SC[@]}")
  [ -z "$OURS_SC_WHY" ] && OURS_SC_OK=1
else
  OURS_SC_WHY="not built ($OURS_BIN missing)"
fi
if [ "$OURS_SC_OK" = 1 ]; then
  echo "ours:   $OURS_BIN do --platform=seccomp"
else
  echo "ours (seccomp): unavailable — $OURS_SC_WHY"
fi

GVISOR_OK=0
if [ ! -x "$GVISOR_BIN" ]; then
  GVISOR_WHY="not installed (apt-get install runsc)"
elif [ "$(id -u)" != 0 ]; then
  GVISOR_WHY="needs root ($GVISOR_BIN do without --rootless)"
else
  GVISOR_WHY=$(probe "${GVISOR[@]}")
  if [ -z "$GVISOR_WHY" ]; then
    GVISOR_OK=1
    GVISOR_VERSION=$("$GVISOR_BIN" --version 2>/dev/null | head -n 1)
  fi
fi
if [ "$GVISOR_OK" = 1 ]; then
  echo "gVisor: $GVISOR_BIN --platform=ptrace --network=none do ($GVISOR_VERSION)"
else
  echo "gVisor: unavailable — $GVISOR_WHY"
fi
echo

# ------------------------------------------------- 1. getppid round trip --

# Samples of ns per call, one per round, per row.
declare -a S_NATIVE=() S_FREE=() S_LEAN=() S_BIND=() S_OURS=() S_OURS_SC=() S_GVISOR=()
declare -A FAIL=()

# sample ROW ARRAY KEY TIMEOUT CMD...: run once, append KEY's value to ARRAY,
# or remember why it failed.
sample() {
  local row=$1 key=$3 t=$4
  # shellcheck disable=SC2178  # a nameref to the caller's array
  local -n samples=$2
  shift 4
  local rc=0 v
  run "$t" "$@" || rc=$?
  if [ "$rc" != 0 ]; then
    FAIL[$row]="exit $rc: $(last_err "$TMP/err")"
    return
  fi
  v=$(field "$key")
  if [ -z "$v" ]; then
    FAIL[$row]="no $key in output: $(tail -n 1 "$TMP/out" | cut -c1-120)"
    return
  fi
  samples+=("$v")
}

echo "measuring getppid round trips ($REPS rounds)..." >&2
for ((r = 1; r <= REPS; r++)); do
  sample native S_NATIVE ns_per_call 120 "$GETPPID" "$N_NATIVE"
  sample free S_FREE ns_per_round_trip 300 "$SYSEMU" "$N_TRAPPED"
  sample lean S_LEAN ns_per_round_trip 300 "$SYSEMU" --lean "$N_TRAPPED"
  sample bind S_BIND ns_per_round_trip 300 "$SYSEMU" --bind "$N_TRAPPED"
  if [ "$OURS_OK" = 1 ]; then
    sample ours S_OURS ns_per_call 300 "${OURS[@]}" "$GETPPID" "$N_TRAPPED"
  fi
  if [ "$OURS_SC_OK" = 1 ]; then
    sample ours_sc S_OURS_SC ns_per_call 300 "${OURS_SC[@]}" "$GETPPID" "$N_TRAPPED"
  fi
  if [ "$GVISOR_OK" = 1 ]; then
    sample gvisor S_GVISOR ns_per_call 300 "${GVISOR[@]}" "$GETPPID" "$N_TRAPPED"
  fi
done

M_NATIVE=$(median "${S_NATIVE[@]}")
M_FREE=$(median "${S_FREE[@]}")
M_LEAN=$(median "${S_LEAN[@]}")
M_BIND=$(median "${S_BIND[@]}")
M_OURS=$(median "${S_OURS[@]}")
M_OURS_SC=$(median "${S_OURS_SC[@]}")
M_GVISOR=$(median "${S_GVISOR[@]}")

# row LABEL ROWKEY MEDIAN SAMPLES...: one line of the round-trip table.
row() {
  local label=$1 key=$2 med=$3
  shift 3
  local runs="" s
  for s in "$@"; do runs+="$(fmt_ns "$s") "; done
  if [ -n "$med" ]; then
    printf '  %-44s %10s %10s %10s   %s\n' "$label" "$(fmt_ns "$med")" \
      "$(ratio "$med" "$M_NATIVE")" "$(fmt_ns "$(minimum "$@")")" "${runs% }"
  fi
  # A row can have both samples and a failed round: say so.
  if [ -n "${FAIL[$key]:-}" ]; then
    printf '  %-44s %10s   failed: %s\n' "$([ -n "$med" ] || echo "$label")" "" \
      "${FAIL[$key]}"
  fi
}

# row_na LABEL WHY: a row that was not measured.
row_na() {
  printf '  %-44s %10s   %s\n' "$1" "-" "$2"
}

echo "== 1. getppid round trip: ns per call (median of $REPS; natively $N_NATIVE calls, else $N_TRAPPED) =="
printf '  %-44s %10s %10s %10s   %s\n' "" "ns/call" "x native" "best" "each round"
row "native getppid" native "$M_NATIVE" "${S_NATIVE[@]}"
row "bare PTRACE_SYSEMU tracer (sysemu_loop)" free "$M_FREE" "${S_FREE[@]}"
row "  same, GET_SYSCALL_INFO + POKEUSER (--lean)" lean "$M_LEAN" "${S_LEAN[@]}"
row "  same, tracee bound to tracer's CPU (--bind)" bind "$M_BIND" "${S_BIND[@]}"
if [ "$OURS_OK" = 1 ]; then
  row "ours: runsc do --platform=ptrace" ours "$M_OURS" "${S_OURS[@]}"
else
  row_na "ours: runsc do --platform=ptrace" "pending: $OURS_WHY"
fi
if [ "$OURS_SC_OK" = 1 ]; then
  row "ours: runsc do --platform=seccomp" ours_sc "$M_OURS_SC" "${S_OURS_SC[@]}"
else
  row_na "ours: runsc do --platform=seccomp" "pending: $OURS_SC_WHY"
fi
if [ "$GVISOR_OK" = 1 ]; then
  row "gVisor: runsc --platform=ptrace do" gvisor "$M_GVISOR" "${S_GVISOR[@]}"
else
  row_na "gVisor: runsc --platform=ptrace do" "skipped: $GVISOR_WHY"
fi
echo
# Ratios of the medians, and of the best rounds (less sensitive to a round
# that another process on the machine disturbed).
B_FREE=$(minimum "${S_FREE[@]}")
B_LEAN=$(minimum "${S_LEAN[@]}")
B_BIND=$(minimum "${S_BIND[@]}")
B_OURS=$(minimum "${S_OURS[@]}")
B_OURS_SC=$(minimum "${S_OURS_SC[@]}")
B_NATIVE=$(minimum "${S_NATIVE[@]}")
B_GVISOR=$(minimum "${S_GVISOR[@]}")
ratios() {  # ratios LABEL MEDIAN_A MEDIAN_B BEST_A BEST_B [NOTE]
  printf '  %-28s = %5s   (best rounds: %s)%s\n' "$1" "$(ratio "$2" "$3")" \
    "$(ratio "$4" "$5")" "${6:-}"
}
if [ -n "$M_OURS" ] && [ -n "$M_FREE" ]; then
  R=$(ratio "$M_OURS" "$M_FREE")
  VERDICT=$(awk -v r="$R" 'BEGIN { print (r <= 1.3) ? "ok" : "OVER TARGET" }')
  ratios "ours / bare sysemu" "$M_OURS" "$M_FREE" "$B_OURS" "$B_FREE" \
    "   target <= 1.3: $VERDICT"
  ratios "ours / bare sysemu (--lean)" "$M_OURS" "$M_LEAN" "$B_OURS" "$B_LEAN"
  ratios "ours / bare sysemu (--bind)" "$M_OURS" "$M_BIND" "$B_OURS" "$B_BIND"
else
  echo "  ours / bare sysemu           = pending"
fi
if [ -n "$M_OURS" ] && [ -n "$M_GVISOR" ]; then
  ratios "ours / gVisor" "$M_OURS" "$M_GVISOR" "$B_OURS" "$B_GVISOR" \
    "   < 1: faster than gVisor"
fi
if [ -n "$M_OURS_SC" ] && [ -n "$M_NATIVE" ]; then
  R=$(ratio "$M_OURS_SC" "$M_NATIVE")
  VERDICT=$(awk -v r="$R" 'BEGIN { print (r <= 25) ? "ok" : "OVER TARGET" }')
  ratios "seccomp / native" "$M_OURS_SC" "$M_NATIVE" "$B_OURS_SC" "$B_NATIVE" \
    "   target <= 25: $VERDICT"
fi
if [ -n "$M_OURS_SC" ] && [ -n "$M_OURS" ]; then
  R=$(ratio "$M_OURS_SC" "$M_OURS")
  VERDICT=$(awk -v r="$R" 'BEGIN { print (r <= 0.25) ? "ok" : "OVER TARGET" }')
  ratios "seccomp / ours ptrace" "$M_OURS_SC" "$M_OURS" "$B_OURS_SC" "$B_OURS" \
    "   target <= 0.25: $VERDICT"
fi
if [ -n "$M_OURS_SC" ] && [ -n "$M_GVISOR" ]; then
  ratios "seccomp / gVisor" "$M_OURS_SC" "$M_GVISOR" "$B_OURS_SC" "$B_GVISOR"
fi
if [ -n "$M_GVISOR" ] && [ -n "$M_FREE" ]; then
  ratios "gVisor / bare sysemu" "$M_GVISOR" "$M_FREE" "$B_GVISOR" "$B_FREE"
fi
echo

# --------------------------------------------------- 2. start-up time --

HAVE_HYPERFINE=0
command -v hyperfine >/dev/null 2>&1 && HAVE_HYPERFINE=1
echo "measuring start-up ($WALL_RUNS runs each)..." >&2

declare -a W_NATIVE=() W_OURS=() W_OURS_SC=() W_GVISOR=()
declare -A WFAIL=()

# wall ROW ARRAY CMD...: one timed run in ms, appended to ARRAY.
wall() {
  local row=$1
  # shellcheck disable=SC2178  # a nameref to the caller's array
  local -n samples=$2
  shift 2
  local t0 t1 rc=0
  t0=$(now_ns)
  run 120 "$@" || rc=$?
  t1=$(now_ns)
  if [ "$rc" = 0 ]; then
    samples+=("$(awk -v d=$((t1 - t0)) 'BEGIN { printf "%.2f\n", d / 1e6 }')")
  else
    WFAIL[$row]="exit $rc: $(last_err "$TMP/err")"
  fi
}

# hf_median ROW ARRAY CMD...: hyperfine's median in ms, as a single sample.
hf_median() {
  local row=$1
  # shellcheck disable=SC2178  # a nameref to the caller's array
  local -n samples=$2
  shift 2
  local cmd="" a
  for a in "$@"; do cmd+="$(printf '%q ' "$a")"; done
  if timeout 600 hyperfine --runs "$WALL_RUNS" --warmup 1 -N --style none \
      --export-csv "$TMP/hf.csv" "$cmd" >/dev/null 2>"$TMP/err"; then
    # CSV columns: command,mean,stddev,median,user,system,min,max (seconds)
    samples+=("$(awk -F, 'NR == 2 { printf "%.2f\n", $(NF - 4) * 1000 }' "$TMP/hf.csv")")
  else
    WFAIL[$row]="hyperfine failed: $(last_err "$TMP/err")"
  fi
}

if [ "$HAVE_HYPERFINE" = 1 ]; then
  WALL_HOW="hyperfine, median of $WALL_RUNS runs"
  hf_median native W_NATIVE /bin/true
  [ "$OURS_OK" = 1 ] && hf_median ours W_OURS "${OURS[@]}" /bin/true
  [ "$OURS_SC_OK" = 1 ] && hf_median ours_sc W_OURS_SC "${OURS_SC[@]}" /bin/true
  [ "$GVISOR_OK" = 1 ] && hf_median gvisor W_GVISOR "${GVISOR[@]}" /bin/true
else
  WALL_HOW="date +%s%N around each run, median of $WALL_RUNS alternating runs"
  for ((i = 1; i <= WALL_RUNS; i++)); do
    wall native W_NATIVE /bin/true
    [ "$OURS_OK" = 1 ] && wall ours W_OURS "${OURS[@]}" /bin/true
    [ "$OURS_SC_OK" = 1 ] && wall ours_sc W_OURS_SC "${OURS_SC[@]}" /bin/true
    [ "$GVISOR_OK" = 1 ] && wall gvisor W_GVISOR "${GVISOR[@]}" /bin/true
  done
fi
WM_NATIVE=$(median "${W_NATIVE[@]}")
WM_OURS=$(median "${W_OURS[@]}")
WM_OURS_SC=$(median "${W_OURS_SC[@]}")
WM_GVISOR=$(median "${W_GVISOR[@]}")

# wrow LABEL ROWKEY MEDIAN WHY SAMPLES...: one line of the start-up table.
wrow() {
  local label=$1 key=$2 med=$3 why=$4
  shift 4
  local runs="" v
  for v in "$@"; do runs+="$(printf '%.1f' "$v") "; done
  if [ -n "$med" ]; then
    printf '  %-44s %10.1f %10s   %s\n' "$label" "$med" \
      "$(ratio "$med" "$WM_NATIVE")" "${runs% }"
  elif [ -n "${WFAIL[$key]:-}" ]; then
    printf '  %-44s %10s   failed: %s\n' "$label" "-" "${WFAIL[$key]}"
  else
    printf '  %-44s %10s   %s\n' "$label" "-" "$why"
  fi
}

echo "== 2. start-up: wall time of /bin/true in ms ($WALL_HOW) =="
printf '  %-44s %10s %10s   %s\n' "" "ms" "x native" "each run"
wrow "native /bin/true" native "$WM_NATIVE" "" "${W_NATIVE[@]}"
wrow "ours: runsc do /bin/true" ours "$WM_OURS" "pending: ${OURS_WHY:-}" \
  "${W_OURS[@]}"
wrow "ours: runsc do --platform=seccomp /bin/true" ours_sc "$WM_OURS_SC" \
  "pending: ${OURS_SC_WHY:-}" "${W_OURS_SC[@]}"
wrow "gVisor: runsc do /bin/true" gvisor "$WM_GVISOR" \
  "skipped: ${GVISOR_WHY:-}" "${W_GVISOR[@]}"
if [ -n "$WM_OURS" ] && [ -n "$WM_GVISOR" ]; then
  echo "  ours / gVisor = $(ratio "$WM_OURS" "$WM_GVISOR")"
fi
echo

# ---------------------------------------- 3. Google Benchmark syscalls --

echo "measuring bench_syscalls ($REPS rounds)..." >&2
GB_ARGS=(--benchmark_format=csv "--benchmark_min_time=$GB_MIN_TIME")
declare -A GBFAIL=()

# gb MODE ROUND CMD...: one run of bench_syscalls, parsed to
# $TMP/gb.MODE.ROUND as lines "NAME NS" or "NAME ERR message".
gb() {
  local mode=$1 round=$2
  shift 2
  local rc=0
  run 600 "$@" "$GBENCH" "${GB_ARGS[@]}" || rc=$?
  [ "$rc" = 0 ] || GBFAIL[$mode]="exit $rc: $(last_err "$TMP/err")"
  cp "$TMP/out" "$TMP/gb.raw.$mode.$round"
  # Keep whatever rows were printed, even from a run that failed part way.
  awk -F, '
    /^name,/ { header = 1; next }
    !header || $1 !~ /^"/ { next }
    {
      name = $1; gsub(/"/, "", name)
      if ($9 == "true") {
        msg = $10; for (i = 11; i <= NF; i++) msg = msg "," $i
        gsub(/"/, "", msg)
        print name, "ERR", msg
        next
      }
      t = $3; u = $5
      if (u == "us") t *= 1e3; else if (u == "ms") t *= 1e6; else if (u == "s") t *= 1e9
      printf "%s %.6g\n", name, t
    }' "$TMP/out" >"$TMP/gb.$mode.$round"
}

GB_MODES=(native)
[ "$OURS_OK" = 1 ] && GB_MODES+=(ours)
[ "$OURS_SC_OK" = 1 ] && GB_MODES+=(ours_sc)
[ "$GVISOR_OK" = 1 ] && GB_MODES+=(gvisor)
for ((r = 1; r <= REPS; r++)); do
  gb native "$r"
  [ "$OURS_OK" = 1 ] && gb ours "$r" "${OURS[@]}"
  [ "$OURS_SC_OK" = 1 ] && gb ours_sc "$r" "${OURS_SC[@]}"
  [ "$GVISOR_OK" = 1 ] && gb gvisor "$r" "${GVISOR[@]}"
done

# gb_median MODE NAME: median ns over the rounds, or "ERR msg", or "".
gb_median() {
  local mode=$1 name=$2 vals=() err="" f line
  for f in "$TMP"/gb."$mode".*; do
    [ -f "$f" ] || continue
    line=$(awk -v n="$name" '$1 == n { $1 = ""; sub(/^ /, ""); print; exit }' "$f")
    case "$line" in
      "") ;;
      ERR*) err=$line ;;
      *) vals+=("$line") ;;
    esac
  done
  if [ ${#vals[@]} -gt 0 ]; then median "${vals[@]}"; else echo "$err"; fi
}

NAMES=$(cat "$TMP"/gb.native.* 2>/dev/null | awk '!seen[$1]++ { print $1 }')
echo "== 3. bench_syscalls (Google Benchmark): real time in ns per call (median of $REPS runs) =="
printf '  %-18s %10s %10s %9s %10s %9s %10s %9s %12s %12s\n' "benchmark" "native" \
  "ptrace" "x native" "seccomp" "x native" "gVisor" "x native" "ptrace/gV" "seccomp/gV"
if [ -z "$NAMES" ]; then
  echo "  native run failed: ${GBFAIL[native]:-no output}"
fi
# cell V: a table cell for a gb_median result; num V: its number or "".
cell() {
  case "$1" in
    "") echo "-" ;;
    ERR*) echo "error" ;;
    *) fmt_ns "$1" ;;
  esac
}
num() { case "$1" in "" | ERR*) echo "" ;; *) echo "$1" ;; esac; }

NOTES=()
for name in $NAMES; do
  n=$(gb_median native "$name")
  o=""
  c=""
  g=""
  [ "$OURS_OK" = 1 ] && o=$(gb_median ours "$name")
  [ "$OURS_SC_OK" = 1 ] && c=$(gb_median ours_sc "$name")
  [ "$GVISOR_OK" = 1 ] && g=$(gb_median gvisor "$name")
  printf '  %-18s %10s %10s %9s %10s %9s %10s %9s %12s %12s\n' "$name" "$(cell "$n")" \
    "$(cell "$o")" "$(ratio "$(num "$o")" "$(num "$n")")" \
    "$(cell "$c")" "$(ratio "$(num "$c")" "$(num "$n")")" \
    "$(cell "$g")" "$(ratio "$(num "$g")" "$(num "$n")")" \
    "$(ratio "$(num "$o")" "$(num "$g")")" "$(ratio "$(num "$c")" "$(num "$g")")"
  for pair in "native:$n" "ours:$o" "seccomp:$c" "gVisor:$g"; do
    case "${pair#*:}" in ERR*) NOTES+=("$name under ${pair%%:*}: ${pair#*:ERR }") ;; esac
  done
done
[ "$OURS_OK" = 1 ] || echo "  (ours pending: $OURS_WHY)"
[ "$GVISOR_OK" = 1 ] || echo "  (gVisor skipped: $GVISOR_WHY)"
for mode in "${GB_MODES[@]}"; do
  [ -n "${GBFAIL[$mode]:-}" ] && echo "  note: $mode run failed: ${GBFAIL[$mode]}"
done
for note in "${NOTES[@]}"; do echo "  error: $note"; done
echo

# ------------------------------------- 4. file benchmarks against the target --

# The files issue's target: each file benchmark within 1.3x of "the
# platform's bare syscall round trip plus the native work". The round trip is
# BM_getppid in the same sandbox (interception, dispatch and return, with no
# work); an iteration that makes K system calls (its "syscalls=K" label) is
# set against K round trips plus the same iteration natively:
#   x target = sandbox time / (K * sandbox getppid + native time).
TARGET=1.3
FILE_BENCHES=(BM_stat_deep BM_read_4k BM_pipe_64k BM_getdents_10k)
# gb_calls NAME: K from the label of the native runs.
gb_calls() {
  grep -h "^\"$1\"," "$TMP"/gb.raw.native.* 2>/dev/null | grep -o 'syscalls=[0-9]*' |
    head -n 1 | cut -d= -f2
}
echo "== 4. file benchmarks: sandbox time / (K x sandbox getppid + native), target <= $TARGET =="
printf '  %-16s %3s %11s %11s %11s %11s %7s  %s\n' "benchmark" "K" "native ns" \
  "getppid ns" "floor ns" "ours ns" "x floor" "verdict"
for mode in ours gvisor; do
  if [ "$mode" = ours ]; then ok=$OURS_OK; label=ours; else ok=$GVISOR_OK; label=gVisor; fi
  [ "$ok" = 1 ] || continue
  rt=$(num "$(gb_median "$mode" BM_getppid)")
  for name in "${FILE_BENCHES[@]}"; do
    n=$(num "$(gb_median native "$name")")
    o=$(num "$(gb_median "$mode" "$name")")
    k=$(gb_calls "$name")
    if [ -z "$n" ] || [ -z "$o" ] || [ -z "$rt" ] || [ -z "$k" ]; then
      printf '  %-16s %3s   not measured under %s\n' "$name" "${k:--}" "$label"
      continue
    fi
    floor=$(awk -v k="$k" -v r="$rt" -v n="$n" 'BEGIN { printf "%.6g\n", k * r + n }')
    x=$(ratio "$o" "$floor")
    verdict=$(awk -v x="$x" -v t="$TARGET" 'BEGIN { print (x <= t) ? "ok" : "OVER TARGET" }')
    printf '  %-16s %3s %11s %11s %11s %11s %7s  %s\n' "$name" "$k" "$(fmt_ns "$n")" \
      "$(fmt_ns "$rt")" "$(fmt_ns "$floor")" "$(fmt_ns "$o")" "$x" "$label: $verdict"
  done
done
echo

# ------------------------------- 5. exec-heavy: python start-up, fork+exec --

# The seccomp platform's targets: `python3 -c pass` and a fork+exec+wait
# loop at least 3x faster than gVisor's ptrace platform. Start-up is the wall
# time of the whole command (sandbox start included, as in section 2); the
# loop is timed inside the sandbox by forkexec_loop. Rounds alternate
# native, ours seccomp, ours ptrace, gVisor.
echo "measuring python start-up and fork+exec ($WALL_RUNS / $REPS rounds)..." >&2
declare -a P_NATIVE=() P_SC=() P_PT=() P_GV=()
declare -a F_NATIVE=() F_SC=() F_PT=() F_GV=()
HAVE_PYTHON=0
[ -x "$PYTHON" ] && HAVE_PYTHON=1
if [ "$HAVE_PYTHON" = 1 ]; then
  for ((i = 1; i <= WALL_RUNS; i++)); do
    wall py_native P_NATIVE "$PYTHON" -c pass
    [ "$OURS_SC_OK" = 1 ] && wall py_sc P_SC "${OURS_SC[@]}" "$PYTHON" -c pass
    [ "$OURS_OK" = 1 ] && wall py_pt P_PT "${OURS[@]}" "$PYTHON" -c pass
    [ "$GVISOR_OK" = 1 ] && wall py_gv P_GV "${GVISOR[@]}" "$PYTHON" -c pass
  done
fi
for ((r = 1; r <= REPS; r++)); do
  sample fe_native F_NATIVE ns_per_iter 300 "$FORKEXEC" "$N_FORKEXEC"
  [ "$OURS_SC_OK" = 1 ] && sample fe_sc F_SC ns_per_iter 300 "${OURS_SC[@]}" "$FORKEXEC" "$N_FORKEXEC"
  [ "$OURS_OK" = 1 ] && sample fe_pt F_PT ns_per_iter 300 "${OURS[@]}" "$FORKEXEC" "$N_FORKEXEC"
  [ "$GVISOR_OK" = 1 ] && sample fe_gv F_GV ns_per_iter 300 "${GVISOR[@]}" "$FORKEXEC" "$N_FORKEXEC"
done
# ns -> ms for the fork+exec samples.
to_ms() { local v; for v in "$@"; do awk -v v="$v" 'BEGIN { printf "%.3f\n", v / 1e6 }'; done; }
mapfile -t F_NATIVE < <(to_ms "${F_NATIVE[@]}")
mapfile -t F_SC < <(to_ms "${F_SC[@]}")
mapfile -t F_PT < <(to_ms "${F_PT[@]}")
mapfile -t F_GV < <(to_ms "${F_GV[@]}")

# xrow LABEL FAILKEY NATIVE_MEDIAN WHY SAMPLES...: one line (ms).
xrow() {
  local label=$1 key=$2 nat=$3 why=$4
  shift 4
  local runs="" v med
  med=$(median "$@")
  for v in "$@"; do runs+="$(printf '%.1f' "$v") "; done
  if [ -n "$med" ]; then
    printf '  %-44s %10.2f %10s   %s\n' "$label" "$med" "$(ratio "$med" "$nat")" "${runs% }"
  elif [ -n "${WFAIL[$key]:-}${FAIL[$key]:-}" ]; then
    printf '  %-44s %10s   failed: %s\n' "$label" "-" "${WFAIL[$key]:-${FAIL[$key]:-}}"
  else
    printf '  %-44s %10s   %s\n' "$label" "-" "$why"
  fi
}
# verdict3 LABEL OURS GVISOR: gVisor / ours against the 3x target.
verdict3() {
  local r
  r=$(ratio "$3" "$2")
  if [ "$r" = "-" ]; then
    printf '  %-34s = %5s\n' "$1" "-"
  else
    printf '  %-34s = %5s   target >= 3: %s\n' "$1" "$r" \
      "$(awk -v r="$r" 'BEGIN { print (r >= 3) ? "ok" : "UNDER TARGET" }')"
  fi
}

for what in python forkexec; do
  if [ "$what" = python ]; then
    echo "== 5a. start-up: wall time of python3 -c pass in ms (date +%s%N around each run, median of $WALL_RUNS alternating runs) =="
    if [ "$HAVE_PYTHON" = 0 ]; then echo "  skipped: no $PYTHON"; echo; continue; fi
    N=(P_NATIVE P_SC P_PT P_GV); K=(py_native py_sc py_pt py_gv)
  else
    echo "== 5b. fork + exec /bin/true + wait: ms per iteration (forkexec_loop $N_FORKEXEC, median of $REPS alternating rounds) =="
    N=(F_NATIVE F_SC F_PT F_GV); K=(fe_native fe_sc fe_pt fe_gv)
  fi
  declare -n a_nat=${N[0]} a_sc=${N[1]} a_pt=${N[2]} a_gv=${N[3]}
  m_nat=$(median "${a_nat[@]}")
  m_sc=$(median "${a_sc[@]}")
  m_pt=$(median "${a_pt[@]}")
  m_gv=$(median "${a_gv[@]}")
  printf '  %-44s %10s %10s   %s\n' "" "ms" "x native" "each run"
  xrow "native" "${K[0]}" "$m_nat" "" "${a_nat[@]}"
  xrow "ours: --platform=seccomp" "${K[1]}" "$m_nat" "pending: ${OURS_SC_WHY:-}" "${a_sc[@]}"
  xrow "ours: --platform=ptrace" "${K[2]}" "$m_nat" "pending: ${OURS_WHY:-}" "${a_pt[@]}"
  xrow "gVisor: --platform=ptrace" "${K[3]}" "$m_nat" "skipped: ${GVISOR_WHY:-}" "${a_gv[@]}"
  verdict3 "gVisor / ours seccomp" "$m_sc" "$m_gv"
  verdict3 "gVisor / ours ptrace" "$m_pt" "$m_gv"
  unset -n a_nat a_sc a_pt a_gv
  echo
done
exit 0
