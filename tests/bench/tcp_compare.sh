#!/usr/bin/env bash
# tcp_compare.sh BUILD_DIR [--reps N] [--pingpong N] [--mib N]
#
# TCP over 127.0.0.1 (tcp_loop: one-byte ping-pong and a 64 KiB-write
# stream between two processes), natively, in our sandbox (default
# --network=loopback, and --network=host) and in gVisor's runsc
# (--platform=ptrace --network=host) when it is installed and can run it
# (else, for reference, gVisor --network=none: its netstack's loopback).
# Rounds alternate the runners REPS times (default 3); medians and ratios
# to native are printed. Not part of CTest.
set -uo pipefail

[ $# -ge 1 ] || { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
BUILD=$(cd "$1" && pwd) || exit 2
shift
REPS=3 PP=5000 MIB=256
while [ $# -gt 0 ]; do
  case $1 in
    --reps) REPS=$2; shift 2 ;;
    --pingpong) PP=$2; shift 2 ;;
    --mib) MIB=$2; shift 2 ;;
    *) echo "tcp_compare.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
LOOP=$BUILD/tests/bench/tcp_loop
OURS=$BUILD/runsc-cli/runsc
[ -x "$LOOP" ] || { echo "build tcp_loop first (ninja -C $BUILD tcp_loop)" >&2; exit 1; }

runners=(native ours ours_host)
declare -A CMD
CMD[native]=""
CMD[ours]="$OURS do --platform=ptrace --"
CMD[ours_host]="$OURS do --platform=ptrace --network=host --"
if [ -x /usr/bin/runsc ] && [ "$(id -u)" = 0 ]; then
  if out=$(timeout 60 /usr/bin/runsc --platform=ptrace --network=host do "$LOOP" pingpong 10 2>&1) &&
     [[ $out == pingpong_us* ]]; then
    CMD[gvisor]="/usr/bin/runsc --platform=ptrace --network=host do"
    runners+=(gvisor)
  else
    echo "gVisor --network=host skipped: $(echo "$out" | tail -1)"
    # Its own netstack's loopback still works with --network=none: a
    # different stack (not host TCP), shown for reference.
    if out=$(timeout 60 /usr/bin/runsc --platform=ptrace --network=none do "$LOOP" pingpong 10 2>&1) &&
       [[ $out == pingpong_us* ]]; then
      CMD[gvisor_none]="/usr/bin/runsc --platform=ptrace --network=none do"
      runners+=(gvisor_none)
    fi
  fi
else
  echo "gVisor skipped: /usr/bin/runsc not installed or not root"
fi

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'; }

declare -A PPV STV
for ((r = 0; r < REPS; r++)); do
  for who in "${runners[@]}"; do
    v=$(${CMD[$who]} "$LOOP" pingpong "$PP" 2>/dev/null | awk '/pingpong_us/ {print $2}')
    PPV[$who]+="${v:-nan} "
    v=$(${CMD[$who]} "$LOOP" stream "$MIB" 2>/dev/null | awk '/stream_MBps/ {print $2}')
    STV[$who]+="${v:-nan} "
  done
done

pp_native=$(median ${PPV[native]})
st_native=$(median ${STV[native]})
printf '%-12s %14s %8s %16s %8s   rounds (ping-pong | stream)\n' runner "ping-pong us" "/native" "64KiB MB/s" "/native"
for who in "${runners[@]}"; do
  pp=$(median ${PPV[$who]})
  st=$(median ${STV[$who]})
  printf '%-12s %14s %8s %16s %8s   %s| %s\n' "$who" "$pp" \
    "$(awk -v a="$pp" -v b="$pp_native" 'BEGIN {printf "%.2fx", a/b}')" "$st" \
    "$(awk -v a="$st" -v b="$st_native" 'BEGIN {printf "%.0f%%", 100*a/b}')" \
    "${PPV[$who]}" "${STV[$who]}"
done
