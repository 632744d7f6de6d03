#!/bin/bash
# `runsc do --root DIR` with a Debian tree as the root: the same commands run
# with `chroot DIR` natively and under `runsc do --root DIR`, outputs compared.
#
# The tree is made once by `debootstrap --variant=minbase bookworm` from the
# apt mirror this machine is configured with, and cached outside the build
# tree (default /var/cache/runsc-tests/debian-bookworm-minbase, override with
# --cache), so later runs and other build trees reuse it. When the tree is
# not cached and cannot be made (no debootstrap, not root, mirror
# unreachable) the test is skipped (exit 77) with the reason.
#
# usage: debian_root.sh --runsc PATH [--platform NAME] [--cache DIR] [--build-only]
set -u
runsc=
platform=ptrace
cache=/var/cache/runsc-tests/debian-bookworm-minbase
build_only=0
while [ $# -gt 0 ]; do
  case $1 in
    --runsc) runsc=$2; shift 2 ;;
    --platform) platform=$2; shift 2 ;;
    --cache) cache=$2; shift 2 ;;
    --build-only) build_only=1; shift ;;
    *) echo "debian_root.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
skip() { echo "debian_root.sh: SKIPPED: $*"; exit 77; }

# mirror: the first http(s) Debian URI of this machine's apt sources.
mirror() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.sources \
           /etc/apt/sources.list.d/*.list; do
    [ -r "$f" ] || continue
    case $f in *.disabled*) continue ;; esac
    sed -n -e 's/^URIs:[[:space:]]*\(http[^ ]*\/debian\)\/\{0,1\}$/\1/p' \
           -e 's/^deb[[:space:]]\{1,\}\(\[[^]]*\][[:space:]]\{1,\}\)\{0,1\}\(http[^ ]*\/debian\)\/\{0,1\}[[:space:]].*/\2/p' "$f"
  done | head -n 1
}

build_tree() {
  [ "$(id -u)" = 0 ] || skip "making the Debian tree needs root"
  command -v debootstrap >/dev/null || skip "debootstrap is not installed (apt-get install debootstrap)"
  local m
  m=$(mirror)
  [ -n "$m" ] || skip "no Debian mirror in /etc/apt/sources.list*"
  mkdir -p "$(dirname "$cache")" || skip "cannot create $(dirname "$cache")"
  # One builder at a time (ctest -j, several build trees); the tree appears
  # under its final name only when complete.
  exec 9>"$cache.lock"
  flock 9
  [ -f "$cache/.complete" ] && return 0
  local tmp="$cache.tmp.$$"
  rm -rf "$tmp"
  echo "debian_root.sh: debootstrap --variant=minbase bookworm from $m (once)" >&2
  if ! timeout 900 debootstrap --variant=minbase bookworm "$tmp" "$m" >"$tmp.log" 2>&1; then
    local why
    why=$(grep -v '^[[:space:]]*$' "$tmp.log" | tail -n 2 | tr '\n' ' ')
    rm -rf "$tmp" "$tmp.log"
    skip "debootstrap from $m failed (mirror unreachable?): $why"
  fi
  rm -f "$tmp.log"
  touch "$tmp/.complete"
  rm -rf "$cache"
  mv "$tmp" "$cache"
}

[ -f "$cache/.complete" ] || build_tree
[ "$build_only" = 1 ] && { echo "debian_root.sh: tree at $cache"; exit 0; }
[ -x "$runsc" ] || { echo "debian_root.sh: no runsc" >&2; exit 2; }

# The commands, run by the tree's own /bin/sh. Nothing is written to the
# tree: the sandbox's root is read-only and its /tmp a tmpfs; natively the
# writes go to a private tmpfs mounted on the tree's /tmp in a new mount
# namespace (unshare -m), so the cache stays as debootstrap made it.
script='
set -e
cat /etc/debian_version
. /etc/os-release; echo "$PRETTY_NAME"
ls /usr/bin | wc -l
ls -la --time-style=long-iso /etc/apt | sed "s/^total .*/total/"
dpkg-query -W -f "\${Package} \${Version}\n" | sort | head -n 40
dpkg-query -W | wc -l
find /usr/share/doc/dpkg -printf "%y %m %s %p -> %l\n" | sort
sha256sum /usr/bin/dpkg /etc/passwd
grep -c . /var/lib/dpkg/status
readlink /bin /lib /sbin 2>/dev/null || true
id -un; getent passwd root
cd /tmp && d=$(mktemp -d /tmp/deb.XXXXXX) && cd "$d"
printf "b\na\nb\n" > f && sort f | uniq -c
tar -C /usr/share/doc/dpkg -cf - . | tar -tf - | sort | head -n 5
cp -a /etc/apt "$d/apt" && ls -la --time-style=long-iso "$d/apt" | sed "s/^total .*/total/" | grep -v " \.\.\$"
cd / && rm -rf "$d"
test -w /etc/passwd && echo writable || echo not-writable
( echo x > /etc/runsc-test-file ) 2>/dev/null && echo created || echo refused
'

native_out=$(mktemp)
sandbox_out=$(mktemp)
[ -n "${KEEP:-}" ] || trap 'rm -f "$native_out" "$sandbox_out"' EXIT
# Natively: the tree is read-only too (a read-only bind in a new mount
# namespace) with a fresh tmpfs on /tmp, as in the sandbox.
unshare -m --propagation private /bin/sh -c '
  set -e
  mount --bind "$1" "$1"
  mount -o remount,bind,ro "$1"
  mount -t tmpfs tmpfs "$1/tmp"
  exec chroot "$1" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
    LC_ALL=C HOME=/root /bin/sh -c "$2"' sh "$cache" "$script" >"$native_out" 2>&1
native_rc=$?
timeout 120 "$runsc" do --platform="$platform" --root "$cache" --clear-env \
  --env PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin --env LC_ALL=C --env HOME=/root \
  -- /bin/sh -c "$script" >"$sandbox_out" 2>&1
sandbox_rc=$?
fail=0
if [ "$native_rc" != 0 ]; then
  echo "FAIL: native chroot run exited $native_rc (broken test):"
  cat "$native_out"
  fail=1
fi
if [ "$sandbox_rc" != "$native_rc" ]; then
  echo "FAIL: exit code native $native_rc, sandbox $sandbox_rc"
  fail=1
fi
if ! diff -u --label native --label sandbox "$native_out" "$sandbox_out"; then
  echo "FAIL: outputs differ"
  fail=1
fi
[ "$fail" = 0 ] && { echo "debian_root: ok ($(head -n 1 "$native_out"), $(sed -n 3p "$native_out") programs in /usr/bin)"; }
exit $fail
