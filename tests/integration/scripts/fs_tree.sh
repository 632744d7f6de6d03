#!/bin/bash
# File tree operations in a scratch directory on a tmpfs (/dev/shm, a tmpfs
# natively and in the sandbox, so sizes and block counts agree): mkdir -p,
# files, hard and symbolic links, rename, chmod, touch -d, cp -a, ls -la,
# find, stat, du, rm -r. Prints only what does not depend on the run.
set -eu
d=$(mktemp -d /dev/shm/it.XXXXXX)
trap 'rm -rf "$d"' EXIT
cd "$d"
mkdir -p src/a/b/c src/empty
printf 'hello\n' > src/a/hello.txt
printf 'line %s\n' $(seq 1 500) > src/a/b/lines.txt
head -c 100000 /dev/zero > src/a/b/c/zeros.bin
ln -s ../hello.txt src/a/b/link
ln src/a/hello.txt src/hard
mv src/a/b/lines.txt src/a/b/renamed.txt
chmod 0640 src/a/hello.txt
chmod 0750 src/a/b
touch -h -d '2021-02-03 04:05:06' src src/a src/a/b src/a/b/c src/empty \
  src/a/hello.txt src/hard src/a/b/renamed.txt src/a/b/c/zeros.bin src/a/b/link
cp -a src copy
ls -laR --time-style=long-iso src | sed 's/^total .*/total/' | grep -v ' \.\.$'
find copy -printf '%y %m %n %s %TY-%Tm-%Td %p -> %l\n' | sort
stat -c '%n %s %h %a %F' src/hard copy/a/b/link
du -s --apparent-size src copy | sed 's/\t.*\//\t/'
cat copy/a/b/link
rm -r copy/a
ls copy
