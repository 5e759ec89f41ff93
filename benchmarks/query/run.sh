#!/usr/bin/env bash
# Query benchmark (issue: search): 1,000 queries of 1-3 words drawn from a tldr-pages index;
# p50/p99 latency and queries/s of full ofs_search in-process, against raw FTS5
# `MATCH ... ORDER BY rank LIMIT 10` on a unicode61 table of the same sections, in the same run.
# usage: benchmarks/query/run.sh [BUILD_DIR]   (needs ../shared/corpora/tldr-pages.tar.xz)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
tarball=${TLDR_TARBALL:-../shared/corpora/tldr-pages.tar.xz}
[ -f "$tarball" ] || { echo "skip: $tarball not found"; exit 0; }
ninja -C "$build" indexer/ofsearch benchmarks/bench_query >/dev/null
work=${BENCH_WORK:-/tmp/ofs-bench}
mkdir -p "$work"
if [ ! -d "$work/tldr" ]; then
    mkdir -p "$work/tldr" && tar -xJf "$tarball" -C "$work/tldr"
fi
db=$work/tldr-query.db
[ -f "$db" ] || "$build/indexer/ofsearch" index --db "$db" --collection tldr="$work/tldr" >/dev/null
"$build/benchmarks/bench_query" "$db" --make-queries 1000 > "$work/queries.txt"
echo "index: $db ($(du -h "$db" | cut -f1)); queries: $work/queries.txt"
"$build/benchmarks/bench_query" "$db" "$work/queries.txt"
