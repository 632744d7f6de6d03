#!/bin/bash
# Confinement of the sandbox's filesystem view (sandbox only; there is no
# native counterpart): symlinks pointing out of the root or of a bind
# mount, `..` above mounts, hard links and renames across mounts, writes to
# read-only mounts, and a rename race against path walks. A secret file
# next to the sandbox root must never be read, and nothing outside the
# writable volume may change on the host.
#
# usage: confinement.sh --runsc PATH [--platform NAME] [--busybox PATH]
set -u
runsc=
platform=ptrace
busybox=/bin/busybox
while [ $# -gt 0 ]; do
  case $1 in
    --runsc) runsc=$2; shift 2 ;;
    --platform) platform=$2; shift 2 ;;
    --busybox) busybox=$2; shift 2 ;;
    *) echo "confinement.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -x "$runsc" ] || { echo "confinement.sh: no runsc" >&2; exit 2; }
[ -x "$busybox" ] || { echo "confinement.sh: no busybox at $busybox" >&2; exit 77; }

h=$(mktemp -d /tmp/confinement.XXXXXX)
trap 'rm -rf "$h"' EXIT
secret=SECRET-$$-$RANDOM
printf '%s\n' "$secret" > "$h/secret"
mkdir -p "$h/root/bin" "$h/root/etc" "$h/root/tmp" "$h/root/proc" "$h/root/dev" \
  "$h/root/mnt" "$h/root/dir/sub" "$h/vol/inner" "$h/vol/race/deep/er" "$h/outside"
# Where a host-side `..` from a directory moved out of the volume would
# land: must never be read either.
printf '%s\n' "$secret" > "$h/outside/secret"
cp "$busybox" "$h/root/bin/busybox"
for a in sh cat grep ls mv ln rm mkdir touch echo pwd; do
  ln -s busybox "$h/root/bin/$a"
done
printf 'inside\n' > "$h/root/etc/file"
ln -s /../../secret "$h/root/abs_up"
ln -s ../../../../../../secret "$h/root/rel_up"
ln -s "$h/secret" "$h/root/host_abs"
ln -s ../../../.. "$h/root/dir/sub/up4"
ln -s ../secret "$h/vol/out"
ln -s / "$h/vol/slash"
printf 'vol\n' > "$h/vol/inner/v"
snapshot() {  # everything outside the volume and the host-side mover's area
  (cd "$h" && find . \( -path ./vol -o -path ./outside \) -prune -o -printf '%p %s %T@\n' | sort)
}
before=$(snapshot)

fail=0
run() {  # run <expect-exit|any> <cmd...>: in the sandbox, output captured
  local want=$1
  shift
  out=$(timeout 60 "$runsc" do --platform="$platform" --root "$h/root" \
    -v "$h/vol:/mnt:rw" --env PATH=/bin -- /bin/busybox "$@" 2>&1)
  rc=$?
  if [ "$want" != any ] && [ "$rc" != "$want" ]; then
    echo "FAIL: busybox $* exited $rc, want $want: $out"
    fail=1
  fi
  if [[ $out == *"$secret"* ]]; then
    echo "FAIL: busybox $* read the secret: $out"
    fail=1
  fi
}

run 0 cat /etc/file
for p in /abs_up /rel_up /host_abs /dir/sub/up4/secret /../secret /mnt/out \
         /mnt/../secret /mnt/slash/../secret /proc/self/root/../secret \
         /proc/self/cwd/../../secret; do
  run 1 cat "$p"
done
# `..` above a mount and above the root stays inside.
run 0 sh -c '[ "$(cd /mnt/.. && pwd)" = / ] && [ "$(cd /../.. && ls -d /etc)" = /etc ]'
run 0 sh -c 'ls /mnt/.. | grep -q dir'
# The read-only root refuses writes; the volume takes them.
run 1 touch /newfile
run 1 sh -c 'echo x > /etc/file'
run 0 sh -c 'echo written > /mnt/inner/new && cat /mnt/inner/new'
# Writes through a link pointing out of the volume land inside the
# sandbox's view (the read-only root), never on the host.
run 1 sh -c 'echo x > /mnt/out'
run 1 sh -c 'echo x > /mnt/slash/etc/file'
# Hard links across mounts (EXDEV); renames inside the volume.
run 1 ln /etc/file /mnt/hard
run 1 ln /mnt/inner/v /tmp/hard
run 0 sh -c 'mv /mnt/inner/v /mnt/v2 && mv /mnt/v2 /mnt/inner/v'
# A rename race: one process swaps a directory and a symlink to / while
# another walks through the name; no walk may reach the secret.
run any sh -c '
  cd /mnt
  mkdir d; echo ok > d/f
  ( i=0; while [ $i -lt 300 ]; do
      mv d d.tmp; ln -s / d; rm d; mv d.tmp d; i=$((i+1)); done ) &
  j=0; while [ $j -lt 300 ]; do cat d/f d/../secret d/secret 2>/dev/null; j=$((j+1)); done
  wait'

# A race inside the sandbox: one process renames a directory back and
# forth (and through another parent) while another walks `..` chains from
# inside it and from its old and new names.
run any sh -c '
  cd /mnt && mkdir -p x/y/z p && echo inside > x/y/z/f
  ( i=0; while [ $i -lt 300 ]; do
      mv x/y p/y; mv p/y x/y; mv x x2; mv x2 x; i=$((i+1)); done ) &
  ( cd x/y/z 2>/dev/null || exit 0; j=0; while [ $j -lt 300 ]; do
      cat ../../../../secret ../../../../../secret ../../../secret f 2>/dev/null
      ls ../../../.. >/dev/null 2>&1; j=$((j+1)); done ) &
  k=0; while [ $k -lt 300 ]; do
    cat x/y/z/../../../../secret p/y/z/../../../../secret x2/y/../../../secret 2>/dev/null
    k=$((k+1)); done
  wait'
# A race with the host: the host moves a directory of the volume out of it
# (next to a secret) and back while the sandbox sits inside it and walks
# `..`. The sentry's `..` follows its own parents, never the host's.
( i=0; while [ $i -lt 200 ] && [ ! -e "$h/outside/stop" ]; do
    mv "$h/vol/race/deep" "$h/outside/deep" 2>/dev/null
    mv "$h/outside/deep" "$h/vol/race/deep" 2>/dev/null
    i=$((i+1)); done ) &
mover=$!
run any sh -c '
  cd /mnt/race/deep/er || exit 0
  j=0; while [ $j -lt 300 ]; do
    cat ../secret ../../secret ../../../secret ../../../../secret 2>/dev/null
    ls ../.. ../../.. 2>/dev/null | grep -q secret && echo "LISTED secret"
    j=$((j+1)); done
  pwd'
if [[ $out == *"LISTED secret"* ]]; then
  echo "FAIL: a directory listing outside the volume was reachable: $out"
  fail=1
fi
touch "$h/outside/stop"
wait "$mover"
mv "$h/outside/deep" "$h/vol/race/deep" 2>/dev/null

after=$(snapshot)
if [ "$before" != "$after" ]; then
  echo "FAIL: files outside the volume changed on the host"
  diff <(echo "$before") <(echo "$after")
  fail=1
fi
[ "$(cat "$h/secret")" = "$secret" ] || { echo "FAIL: secret changed"; fail=1; }
[ -e "$h/vol/inner/new" ] || { echo "FAIL: write to the rw volume missing"; fail=1; }
[ "$fail" = 0 ] && echo "confinement: ok"
exit $fail
