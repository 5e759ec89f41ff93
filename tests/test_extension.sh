#!/bin/sh
# Integration test of lib/extension.c: the stock sqlite3 shell `.load`s the built module by path
# (default entry point sqlite3_ofsearchext_init, derived from the file name) and uses
# tokenize='ofs' in an FTS5 table. usage: test_extension.sh PATH/libofsearch_ext.so
set -u
ext=${1:?usage: test_extension.sh PATH/libofsearch_ext.so}
if ! command -v sqlite3 >/dev/null 2>&1; then
    echo "SKIP: no sqlite3 shell on PATH (Debian package sqlite3)"
    exit 77
fi
ext=${ext%.so}   # .load without the suffix, as users type it
out=$(sqlite3 :memory: 2>&1 <<SQL
.load $ext
CREATE VIRTUAL TABLE t USING fts5(body, tokenize='ofs stem english');
INSERT INTO t VALUES ('Le Café de Flore'), ('open file.txt now'), ('我们在北京大学学习'), ('running jobs');
SELECT 'cafe=' || count(*) FROM t WHERE t MATCH 'cafe';
SELECT 'file=' || count(*) FROM t WHERE t MATCH 'file';
SELECT 'beijing=' || count(*) FROM t WHERE t MATCH '北京';
SELECT 'run=' || count(*) FROM t WHERE t MATCH 'run';
SQL
)
echo "$out"
fail=0
for want in cafe=1 file=1 beijing=1 run=1; do
    echo "$out" | grep -qx "$want" || { echo "FAIL: expected $want"; fail=1; }
done
# Strict options reach the shell as an FTS5 error.
bad=$(printf ".load %s\nCREATE VIRTUAL TABLE b USING fts5(x, tokenize='ofs bogus 1');\n" "$ext" |
      sqlite3 :memory: 2>&1)
echo "$bad" | grep -q "error in tokenizer constructor" || { echo "FAIL: bogus option accepted: $bad"; fail=1; }
[ $fail = 0 ] && echo "extension: all checks passed"
exit $fail
