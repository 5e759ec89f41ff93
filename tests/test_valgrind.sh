#!/usr/bin/env bash
# Runs the CLI paths (index, search, tokens, stats, eval) under valgrind's memcheck on the search
# fixtures: any leak or memory error fails the test. Skips when valgrind is absent.
# usage: test_valgrind.sh OFSEARCH_BINARY SOURCE_ROOT
set -u
bin=$1 root=$2
command -v valgrind >/dev/null || { echo "skip: valgrind not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
vg=(valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect,possible
    --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99)
fail=0
# check EXPECTED_STATUS ARGS...: runs one command under valgrind.
check() {
    local want=$1; shift
    "${vg[@]}" "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
    local got=$?
    if [ "$got" -ne "$want" ]; then
        echo "FAIL (exit $got, want $want): ofsearch $*"; sed 's/^/  /' "$tmp/err" | head -40
        fail=1
    else
        echo "ok: ofsearch $*"
    fi
}
db=$tmp/v.db
fx=$root/tests/fixtures/search
check 0 index --db "$db" --collection docs="$fx/docs" --collection other="$fx/other"
check 0 index --db "$db" --collection docs="$fx/docs" --collection other="$fx/other"
check 0 index --db "$db"   # the collections it already holds
grep -q "0 added, 0 updated, 0 removed, 6 unchanged" "$tmp/out" ||
    { echo "FAIL: re-index of stored collections: $(cat "$tmp/out")"; fail=1; }
check 2 index --db "$tmp/none.db"
check 0 search --db "$db" --synonyms "$fx/synonyms.txt" MOC
check 0 search --db "$db" --json --prefix kube
check 1 search --db "$db" xylophonequartzzz
check 0 search --db "$db" kubernetse
check 0 search --db "$db" '"open source' 'NEAR(' '-' ':'
check 2 search --db "$tmp/missing.db" x
check 2 search --db "$db" --limit abc x
check 2 search --db "$db" --limit 100000 x
check 2 search --db "$db" --kind bogus x
check 2 search --db "$db" "$(head -c 3000 /dev/zero | tr '\0' 'q')"
check 2 search --db "$db"
check 0 tokens 'Café file.txt 开源软件'
check 2 tokens --bogus x
check 0 stats --db "$db"
printf 'q1\tkubernetes\nq2\tzero cluster\n' > "$tmp/topics.tsv"
printf 'q1 0 glossary.md 1\nq2 0 glossary.md 2\n' > "$tmp/qrels.txt"
check 0 eval --db "$db" --topics "$tmp/topics.tsv" --qrels "$tmp/qrels.txt" --docid path
exit $fail
