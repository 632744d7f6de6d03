#!/bin/busybox sh
# A #! line with an interpreter argument ("sh"), run by busybox-static.
echo "busybox script: $0"
echo "argc: $#"
for a in "$@"; do
  echo "arg: [$a]"
done
exit 3
