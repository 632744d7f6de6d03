#!/bin/bash
# A size-limited tmpfs at $D: natively made with unshare -m + mount, in the
# sandbox given by `runsc do --tmpfs $D:size=1m`. Both sides must behave
# the same: ENOSPC past the size, statfs showing it, files readable back.
D=/tmp/runsc-tmpfs-mount-test
body() {
  cd "$D" || exit 1
  stat -f -c 'type=%T blocks=%b bsize=%S' .
  stat -c 'mode=%a' .
  head -c 300000 /dev/zero > small && echo "small: $(wc -c < small)"
  if dd if=/dev/zero of=big bs=64k count=64 status=none 2>err; then
    echo "big: fitted"
  else
    echo "big: $(sed 's/^dd: //' err)"
  fi
  rm -f small big err
  echo done
}
if grep -q " $D tmpfs " /proc/mounts; then
  body
else
  [ "$(id -u)" = 0 ] || { echo "needs root natively" >&2; exit 1; }
  export -f body
  export D
  # A private mount namespace with its own /tmp: nothing is made on the
  # host, and parallel runs of this test cannot meet.
  exec unshare -m bash -c \
    "mount -t tmpfs tmpfs /tmp && mkdir -p $D && mount -t tmpfs -o size=1m,mode=1777 tmpfs $D && body"
fi
