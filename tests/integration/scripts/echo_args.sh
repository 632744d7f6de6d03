#!/bin/sh
# Executed directly (as a #! script) by the integration tests.
echo "script: $0"
echo "argc: $#"
for a in "$@"; do
  echo "arg: [$a]"
done
echo "to stderr" >&2
exit 5
