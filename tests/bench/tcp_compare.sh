#!/usr/bin/env bash
# tcp_compare.sh BUILD_DIR [--reps N] [--pingpong N] [--mib N]
#
# Sockets between two processes (tcp_loop): one-byte ping-pong and a
# 64 KiB-write stream, over TCP on 127.0.0.1 and over an AF_UNIX stream
# socket, natively, in our sandbox (ptrace: default --network=loopback and
# --network=host; seccomp when it runs here) and in gVisor's runsc
# (--platform=ptrace --network=host) when it is installed. gVisor's `do`
# sets up a veth pair with iptables NAT unless --rootless, which with
# --network=host keeps it in the caller's network namespace: that is how it
# is run here (as root, so nothing else changes), and no iptables is needed.
# Its hostinet (release 20221219) returns EAGAIN from blocking reads and
# writes; tcp_loop polls and retries then (counted on stderr).
# Rounds alternate the runners REPS times (default 3); medians and ratios
# to native are printed. Not part of CTest; `./x bench` runs it.
set -uo pipefail

[ $# -ge 1 ] || { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
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
if out=$(timeout 60 "$OURS" do --platform=seccomp -- "$LOOP" pingpong 10 2>&1) &&
   [[ $out == pingpong_us* ]]; then
  CMD[ours_seccomp]="$OURS do --platform=seccomp --"
  runners+=(ours_seccomp)
else
  echo "ours --platform=seccomp skipped: $(echo "$out" | tail -1)"
fi
GV="/usr/bin/runsc --rootless --platform=ptrace --network=host do"
if [ -x /usr/bin/runsc ] && [ "$(id -u)" = 0 ]; then
  if out=$(timeout 60 $GV "$LOOP" pingpong 10 2>&1) && [[ $out == pingpong_us* ]]; then
    CMD[gvisor]=$GV
    runners+=(gvisor)
  else
    echo "gVisor --network=host skipped: $(echo "$out" | tail -1)"
  fi
else
  echo "gVisor skipped: /usr/bin/runsc not installed or not root"
fi

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'; }

# Measurements: name, tcp_loop arguments, the key it prints.
tests=(tcp_pp tcp_st unix_pp unix_st)
declare -A ARGS KEY
ARGS[tcp_pp]="pingpong $PP" KEY[tcp_pp]=pingpong_us
ARGS[tcp_st]="stream $MIB" KEY[tcp_st]=stream_MBps
ARGS[unix_pp]="pingpong $PP unix" KEY[unix_pp]=pingpong_us
ARGS[unix_st]="stream $MIB unix" KEY[unix_st]=stream_MBps

declare -A V
for ((r = 0; r < REPS; r++)); do
  for who in "${runners[@]}"; do
    for x in "${tests[@]}"; do
      v=$(${CMD[$who]} "$LOOP" ${ARGS[$x]} 2>/dev/null | awk -v k="${KEY[$x]}" '$1 == k {print $2}')
      V[$who.$x]+="${v:-nan} "
    done
  done
done

ratio() {  # value native kind: ping-pong as a slowdown, throughput as a share
  if [ "$3" = pp ]; then awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2fx", a/b}'
  else awk -v a="$1" -v b="$2" 'BEGIN {printf "%.0f%%", 100*a/b}'; fi
}
echo "ping-pong: microseconds per one-byte round trip (x native); stream: MB/s in 64 KiB writes (% of native)"
printf '%-13s %9s %7s %9s %5s %9s %7s %9s %5s\n' runner tcp_pp "" tcp_MBps "" unix_pp "" unix_MBps ""
for who in "${runners[@]}"; do
  line=$(printf '%-13s' "$who")
  for x in "${tests[@]}"; do
    m=$(median ${V[$who.$x]})
    n=$(median ${V[native.$x]})
    kind=st; [[ $x == *_pp ]] && kind=pp
    line+=$(printf ' %9s %7s' "$m" "$(ratio "$m" "$n" $kind)")
  done
  echo "$line"
done
echo "rounds:"
for who in "${runners[@]}"; do
  for x in "${tests[@]}"; do echo "  $who $x: ${V[$who.$x]}"; done
done
