#!/bin/bash
# sqlite3 creating and querying a database in /tmp (journal, locks, fsync).
set -eu
d=$(mktemp -d /tmp/it.XXXXXX)
trap 'rm -rf "$d"' EXIT
db=$d/test.db
sqlite3 "$db" <<'SQL'
CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, n INTEGER);
BEGIN;
INSERT INTO t(name, n) VALUES ('a', 1), ('b', 2), ('c', 3);
COMMIT;
CREATE INDEX t_n ON t(n);
UPDATE t SET n = n * 10 WHERE name != 'b';
SQL
sqlite3 "$db" "SELECT name, n FROM t ORDER BY n;"
sqlite3 "$db" "PRAGMA journal_mode=WAL; INSERT INTO t(name, n) VALUES ('d', 4); SELECT count(*), sum(n) FROM t;"
sqlite3 "$db" "PRAGMA integrity_check;"
