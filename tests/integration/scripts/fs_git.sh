#!/bin/bash
# git init/add/commit/log in /tmp with a fixed identity and dates.
set -eu
d=$(mktemp -d /tmp/it.XXXXXX)
trap 'rm -rf "$d"' EXIT
cd "$d"
export GIT_AUTHOR_NAME=Tester GIT_AUTHOR_EMAIL=t@example.com
export GIT_COMMITTER_NAME=Tester GIT_COMMITTER_EMAIL=t@example.com
export GIT_AUTHOR_DATE='2020-01-01T00:00:00Z' GIT_COMMITTER_DATE='2020-01-01T00:00:00Z'
export HOME=$d GIT_CONFIG_NOSYSTEM=1
git init -q -b main repo
cd repo
printf 'one\n' > a.txt
mkdir dir
printf 'two\n' > dir/b.txt
git add .
git commit -q -m first
printf 'three\n' >> a.txt
git mv dir/b.txt dir/c.txt
git commit -q -am second
git log --format='%H %s'
git status --porcelain
git ls-files
git show HEAD:a.txt
git gc -q
git fsck --no-progress 2>&1 | grep -v '^Checking' || true
