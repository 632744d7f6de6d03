#!/bin/bash
# Shell process features: pipes, subshells, command substitution, here-docs,
# traps, background jobs and wait, a fork/exec loop. Prints only values that
# are the same natively and in the sandbox.
set -u
printf 'b\na\nc\n' | sort | tr 'a-z' 'A-Z' | head -2
x=$(echo sub; echo shell) ; echo "[$x]"
(cd / && pwd; exit 4); echo "subshell exit $?"
cat <<EOT
heredoc $((6 * 7))
EOT
trap 'echo got TERM' TERM
trap 'echo got INT' INT
kill -TERM $$
kill -INT $$
trap - TERM INT
sleep 0.2 & a=$!
sleep 0.1 & b=$!
wait $b; echo "b done $?"
wait $a; echo "a done $?"
( exit 7 ) & wait $!; echo "bg exit $?"
n=0; for i in $(seq 200); do /bin/true && n=$((n + 1)); done; echo "loop $n"
sleep 5 & s=$!; kill $s; wait $s; echo "killed sleep: $?"
echo done
