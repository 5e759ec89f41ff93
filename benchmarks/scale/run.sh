#!/usr/bin/env bash
# Performance at scale (issue 20): tldr-pages replicated 1x, 4x and 16x (38k, 154k, 614k
# sections) into distinct paths, each copy with one extra word a page; the same 1,000 queries at
# every size; ofsearch in process against raw FTS5 bm25() and Xapian 1.4 BM25, all top 10 with
# snippets, interleaved query by query in the same run; then ofsearchd under wrk and its memory.
# Prints one table (report.py): index time and size, open time, p50/p95/p99 and queries/s, the
# ratios ofsearch/Xapian and ofsearch/FTS5, relaxed against all-words p99, p99's growth exponent,
# the daemon's requests/s, p99 and RSS against PSS. See docs/performance.md.
#
#   benchmarks/scale/run.sh [BUILD_DIR]     # 1x, 4x, 16x, 1,000 queries (about 13 min, 2 cores)
#   QUICK=1 benchmarks/scale/run.sh         # 1x and 4x, the first 300 queries (about 3 min)
#   SCALE=26 benchmarks/scale/run.sh        # also 26x: about 1M sections
#   SIZES="1 2" benchmarks/scale/run.sh     # exactly these sizes
#
# env: SCALE_WORK (/tmp/ofs-scale: corpora, indexes, results; outside the tree), TLDR_TARBALL,
#      QUERIES (1000, or 300 with QUICK), DURATION (wrk seconds a size, 20), CONNECTIONS (32),
#      WRK_THREADS (2), OPENS (3: opens timed a system, the median), ROUNDS (3: measured passes
#      over the queries; a query's time is the median of its rounds), REUSE=1 (keep the indexes
#      of an earlier run and its recorded build figures; by default every index is rebuilt).
# Needs tldr-pages.tar.xz (skips without it), python3; Xapian when libxapian-dev and a C++
# compiler are installed, wrk (Debian packages) for the daemon figures: each is left out of the
# table with a message when missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
build=$(cd "${1:-build}" && pwd)
here=$root/benchmarks/scale
tarball=${TLDR_TARBALL:-$root/../shared/corpora/tldr-pages.tar.xz}
[ -f "$tarball" ] || tarball=/work/shared/corpora/tldr-pages.tar.xz
[ -f "$tarball" ] || { echo "skip: tldr-pages.tar.xz not found (set TLDR_TARBALL)"; exit 0; }
work=${SCALE_WORK:-/tmp/ofs-scale}
case "$work" in "$root"/*) echo "run.sh: SCALE_WORK must be outside the tree" >&2; exit 2 ;; esac
if [ "${QUICK:-0}" = 1 ]; then
    sizes=${SIZES:-"1 4"}
    nq=${QUERIES:-300}
else
    sizes=${SIZES:-"1 4 16"}
    nq=${QUERIES:-1000}
fi
[ -n "${SCALE:-}" ] && [ -z "${SIZES:-}" ] && [ "$SCALE" -gt 16 ] && sizes="$sizes $SCALE"
duration=${DURATION:-20}
connections=${CONNECTIONS:-32}
wrk_threads=${WRK_THREADS:-2}
started=$(date +%s)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

ninja -C "$build" indexer/ofsearch searchd/ofsearchd benchmarks/bench_scale >/dev/null
ofsearch=$build/indexer/ofsearch
mkdir -p "$work/bin" "$work/results"
results=$work/results
rm -f "$results"/*

# The Xapian driver is compiled here, not by Meson, so that the main build never needs Xapian.
xapian=$work/bin/xapian_scale
if command -v xapian-config >/dev/null && command -v "${CXX:-c++}" >/dev/null; then
    if [ ! -x "$xapian" ] || [ "$here/xapian_scale.cc" -nt "$xapian" ]; then
        # shellcheck disable=SC2046
        "${CXX:-c++}" -O2 -std=c++17 -Wall -Wextra -o "$xapian" "$here/xapian_scale.cc" \
            $(xapian-config --cxxflags --libs) $(pkg-config --cflags --libs sqlite3)
    fi
    echo "xapian=$(xapian-config --version | awk '{print $NF}')" >> "$results/run.env"
else
    echo "Xapian: left out (needs xapian-config from libxapian-dev and a C++ compiler)"
    xapian=
fi
command -v wrk >/dev/null || echo "daemon: left out (needs wrk, Debian package 'wrk')"

max=0
for n in $sizes; do [ "$n" -gt "$max" ] && max=$n; done
echo "== corpora: $max copies of $(basename "$tarball") in $work/copies"
python3 "$here/corpus.py" copies "$tarball" "$work" "$max"
python3 "$here/corpus.py" queries "$work/copies/c00" 1000 "$work/queries-1000.txt"
head -n "$nq" "$work/queries-1000.txt" > "$work/queries.txt"
head -n "$nq" "$work/queries-1000.txt.kinds" > "$work/queries.txt.kinds"
{
    echo "queries=$nq"
    echo "queries_sha256=$(sha256sum < "$work/queries.txt" | cut -c1-16)"
    echo "cpus=$(nproc)"
    changed=$(git -C "$root" diff --quiet HEAD -- lib searchd include || echo " with changes")
    echo "commit=$(git -C "$root" rev-parse --short HEAD)$changed"
} >> "$results/run.env"

# size_dir N: the Nx corpus, copies c00..c(N-1) hard-linked into one collection root.
size_dir() {
    local dir=$work/sizes/$1x k
    if [ ! -f "$dir/.made" ] || [ "$(cat "$dir/.made")" != "$(cat "$work/copies/c00/.made")" ]; then
        rm -rf "$dir"
        mkdir -p "$dir"
        for k in $(seq 0 $(($1 - 1))); do
            cp -al "$work/copies/$(printf c%02d "$k")" "$dir/"
        done
        cp "$work/copies/c00/.made" "$dir/.made"
    fi
    echo "$dir"
}

bytes() { du -sb "$1" | cut -f1; }

# build N: the three indexes of size N, their build time (s) and size (bytes) into N.env.
build_indexes() {
    local n=$1 env=$results/$1x.env dir
    local db=$work/idx-$n.db fts=$work/fts-$n.db xdir=$work/xap-$n
    if [ "${REUSE:-0}" = 1 ] && [ -f "$work/build-$n.env" ] && [ -f "$db" ]; then
        cat "$work/build-$n.env" >> "$env"
        echo "reused=1" >> "$env"
        return
    fi
    dir=$(size_dir "$n")
    rm -rf "$db" "$db-wal" "$db-shm" "$fts" "$xdir"
    local t0 t1
    t0=$(date +%s.%N)
    "$ofsearch" index --quiet --db "$db" --collection tldr="$dir" >/dev/null
    t1=$(date +%s.%N)
    {
        echo "ofs_index_s=$(echo "$t1 - $t0" | bc)"
        echo "ofs_bytes=$(bytes "$db")"
        "$ofsearch" stats --db "$db" --json | sed -n 's/^  "sections": \([0-9]*\),/sections=\1/p'
        "$build/benchmarks/bench_scale" build-fts "$db" "$fts"
        echo "fts_bytes=$(bytes "$fts")"
        if [ -n "$xapian" ]; then
            "$xapian" build "$db" "$xdir" | tr ' ' '\n'
            echo "xapian_bytes=$(bytes "$xdir")"
        fi
    } > "$work/build-$n.env"
    cat "$work/build-$n.env" >> "$env"
}

# daemon N: ofsearchd on the size-N index under wrk (32 connections, 2 threads, the same
# queries), then its memory from /proc/PID/smaps_rollup while it still holds its searchers.
daemon() {
    local n=$1 env=$results/$1x.env db=$work/idx-$1.db out=$work/ofsearchd.out
    command -v wrk >/dev/null || return 0
    "$build/searchd/ofsearchd" --db "$db" --listen 127.0.0.1:0 --reload-interval 0 \
        > "$out" 2> "$work/ofsearchd.log" &
    local pid=$! url="" r
    trap 'kill -TERM '"$pid"' 2>/dev/null || true' EXIT
    for _ in $(seq 600); do
        url=$(sed -n 's/^listening on \(http:\/\/[^ ]*\)$/\1/p' "$out" | head -1)
        [ -n "$url" ] && curl -sf "${url%/}/readyz" >/dev/null 2>&1 && break
        sleep 0.1
    done
    [ -n "$url" ] || { echo "ofsearchd did not start:"; cat "$work/ofsearchd.log"; exit 1; }
    url=${url%/}
    wrk -t"$wrk_threads" -c"$connections" -d3s -s benchmarks/load/queries.lua "$url" -- \
        "$work/queries.txt" >/dev/null
    r=$(wrk -t"$wrk_threads" -c"$connections" -d"${duration}s" --timeout 5s \
        -s benchmarks/load/queries.lua "$url" -- "$work/queries.txt" | grep '^LOAD')
    {
        echo "$r" | tr ' ' '\n' | sed -n 's/^\([a-z0-9_]*=\)/wrk_\1/p'
        awk -F'[: ]+' '/^(Rss|Pss|Pss_Anon|Pss_File|Private_Clean|Private_Dirty|Anonymous):/ {
            print "mem_" $1 "=" $2 }' "/proc/$pid/smaps_rollup"
        awk '/^VmHWM/ {print "mem_VmHWM=" $2} /^Threads/ {print "daemon_threads=" $2}' \
            "/proc/$pid/status"
    } >> "$env"
    kill -TERM "$pid"
    wait "$pid" || { echo "ofsearchd exited with $?"; cat "$work/ofsearchd.log"; exit 1; }
    trap - EXIT
}

for n in $sizes; do
    echo "== ${n}x: indexes"
    build_indexes "$n"
    sections=$(sed -n 's/^sections=//p' "$results/${n}x.env")
    echo "== ${n}x: $sections sections; $nq queries, interleaved"
    args=()
    [ -n "$xapian" ] && args=(--xapian "$xapian" "$work/xap-$n")
    "$build/benchmarks/bench_scale" run "$work/idx-$n.db" "$work/fts-$n.db" \
        "$work/queries.txt" "$results/${n}x.tsv" "${args[@]}" | tr ' ' '\n' | grep '=' \
        >> "$results/${n}x.env"
    echo "== ${n}x: ofsearchd under wrk, ${duration}s"
    daemon "$n"
done

{
    echo "sizes=$sizes"
    echo "load_start=$load_start"
    echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "duration_s=$(($(date +%s) - started))"
} >> "$results/run.env"
python3 "$here/report.py" "$results" | tee "$results/table.md"
