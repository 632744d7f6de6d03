#!/bin/bash
# tar czf | tar xzf round trip in /tmp, cp -a of a host tree into /tmp,
# checksums of a large file, a sort | uniq -c pipeline and dd from /dev/zero.
set -eu
d=$(mktemp -d /tmp/it.XXXXXX)
trap 'rm -rf "$d"' EXIT
cd "$d"
mkdir -p in/sub
for i in $(seq 1 40); do printf 'file %s\n' "$i" > "in/f$i"; done
seq 1 200000 | sed 's/$/ some text to make it bigger/' > in/sub/big.txt
tar -C in -czf a.tgz .
mkdir out
tar -C in -cf - . | tar -C out -xf -
tar -tzf a.tgz | sort | head -5
diff -r in out && echo same
# cp -a from the (read-only) host into /tmp keeps modes, sizes, times and
# links; directory sizes and blocks depend on the filesystem: not printed.
cp -a /usr/share/doc/coreutils cpa
find cpa \( -type f -o -type l \) -printf '%y %m %s %T+ %p -> %l\n' | sort
find cpa -type d -printf '%m %T+ %p\n' | sort
diff -r /usr/share/doc/coreutils cpa && echo cp-same
sha256sum in/sub/big.txt | cut -d' ' -f1
md5sum < in/sub/big.txt
printf 'b\na\nc\na\nb\na\n' | sort | uniq -c
dd if=/dev/zero bs=1M count=64 status=none | md5sum
dd if=/dev/zero of=zero.img bs=1M count=64 status=none
md5sum < zero.img
stat -c %s zero.img
