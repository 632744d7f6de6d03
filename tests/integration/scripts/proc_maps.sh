#!/bin/bash
# The shape of /proc/self/maps as cat sees it: well-formed lines in
# ascending order, and which files are mapped (the vDSO pages, which the
# sandbox does not show in the same form, are left out).
set -eu
maps=$(cat /proc/self/maps)
bad=0
last=0
while read -r range perms off dev inode path; do
  # [vsyscall] lies above what bash arithmetic can hold.
  [[ $path == \[v* ]] && continue
  start=$((16#${range%-*}))
  end=$((16#${range#*-}))
  if [ "$start" -ge "$end" ] || [ "$start" -lt "$last" ]; then bad=1; fi
  last=$end
  [[ $perms =~ ^[r-][w-][x-][ps]$ ]] || bad=1
  [[ $dev =~ ^[0-9a-f]+:[0-9a-f]+$ ]] || bad=1
  [[ $inode =~ ^[0-9]+$ ]] || bad=1
done <<< "$maps"
[ "$bad" = 0 ] && echo well-formed || echo malformed
echo "$maps" | awk '$6 != "" && $6 !~ /^\[v/ { print $6 }' | sort -u | sed 's|.*/||'
echo "$maps" | grep -c ' /usr/bin/cat$' | awk '{ print ($1 >= 2) ? "cat mapped" : "cat missing" }'
