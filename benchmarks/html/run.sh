#!/usr/bin/env bash
# HTML ingestion (issue 19). 1) The parser choice (lib/html.c's opening comment): parse-only
# MB/s of libxml2's HTML parser and of Gumbo on the Python 3.11 docs and the PostgreSQL 15
# manual, and how close each one's trees are to html5lib's (python3-html5lib, written to the
# HTML5 tree-building algorithm) on the hand-written edge cases in benchmarks/html/cases/ and on
# every page of both manuals. 2) ofs_html_parse (page to sections) against Gumbo's parse-only
# time, with an FTS5 unicode61 insert of the sections: issue 19's throughput baseline.
# Needs python3.11-doc, postgresql-doc-15; part 1 also libxml2-dev and python3-html5lib.
# usage: benchmarks/html/run.sh [BUILD_DIR] [ROUNDS=3]   (SAMPLE=N: compare trees of every Nth page)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
rounds=${2:-3}
sample=${SAMPLE:-1}
here=$PWD/benchmarks/html
python_docs=/usr/share/doc/python3.11/html
pg_docs=/usr/share/doc/postgresql-doc-15/html

pages() { find "$1" -name '*.html' -type f | sort | awk -v n="$2" 'NR % n == 0'; }

echo "== 1. the parsers, parse-only and against html5lib =="
if ! ninja -C "$build" benchmarks/html_parsers >/dev/null 2>&1; then
    echo "skip: benchmarks/html_parsers not built (install libxml2-dev and reconfigure $build)"
else
    parsers=$PWD/$build/benchmarks/html_parsers
    for dir in "$python_docs" "$pg_docs"; do
        [ -d "$dir" ] || { echo "skip: $dir missing"; continue; }
        echo "-- parse-only, $dir"
        (cd "$dir" && "$parsers" time "$rounds" $(pages . 1))
    done
    if ! /usr/bin/python3 -c 'import html5lib' 2>/dev/null; then
        echo "skip: tree comparison needs python3-html5lib"
    else
        echo "-- trees against html5lib's: edge cases (html5lib 1.1 has no <template> support:"
        echo "   it keeps <template> in <body>, where the spec and Gumbo put it in <head>; Gumbo reads"
        echo "   UTF-8 only, so latin1.html differs here: lib/html_tree.c converts it through ICU first)"
        (cd "$here/cases" && /usr/bin/python3 "$here/compare.py" "$parsers" cases *.html)
        for dir in "$python_docs" "$pg_docs"; do
            [ -d "$dir" ] || continue
            (cd "$dir" && /usr/bin/python3 "$here/compare.py" "$parsers" "$dir" $(pages . "$sample"))
        done
    fi
fi

echo "== 2. ofs_html_parse against Gumbo's parse-only time =="
ninja -C "$build" benchmarks/bench_html >/dev/null
for dir in "$python_docs" "$pg_docs"; do
    [ -d "$dir" ] || { echo "skip: $dir missing"; continue; }
    echo "-- $dir"
    "$build/benchmarks/bench_html" "$dir" "$rounds"
done
