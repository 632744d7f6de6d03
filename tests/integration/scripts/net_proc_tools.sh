#!/bin/bash
# /proc/net through the tools that read it: inside the sandbox a python3
# process listens on TCP 127.0.0.1:8011 and on the abstract unix name
# @net_proc_tools, then runs `ss -tlnp` (its netlink query fails in the
# sandbox, so it reads /proc/net/tcp), `netstat -tlnp` and `netstat -xlp`;
# each must show the socket with its owning process (matched through the
# inode in /proc/net/* and the fds' "socket:[N]" links).
#   net_proc_tools.sh RUNSC PLATFORM
set -u
runsc=$1 platform=$2
out=$("$runsc" do --platform="$platform" -- /usr/bin/python3 -c '
import socket, subprocess
l = socket.socket(); l.bind(("127.0.0.1", 8011)); l.listen()
u = socket.socket(socket.AF_UNIX); u.bind("\0net_proc_tools"); u.listen()
for cmd in (["ss", "-tlnp"], ["netstat", "-tlnp"], ["netstat", "-xlp"]):
    print(subprocess.run(cmd, capture_output=True, text=True).stdout)
' 2>&1)
fail=0
check() {
  echo "$out" | grep -Eq "$1" || { echo "missing: $2"; fail=1; }
}
check 'LISTEN +0 +[0-9]+ +127\.0\.0\.1:8011 .*"python3",pid=1,fd=3' "ss -tlnp line"
check '^tcp +0 +0 127\.0\.0\.1:8011 +0\.0\.0\.0:\* +LISTEN +1/python3' "netstat -tlnp line"
check '^unix +2 +\[ ACC \] +STREAM +LISTENING +[0-9]+ +1/python3 +@net_proc_tools' "netstat -xlp line"
[ $fail = 0 ] && echo "net_proc_tools: ok" || echo "$out"
exit $fail
