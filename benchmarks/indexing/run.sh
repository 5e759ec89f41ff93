#!/usr/bin/env bash
# Indexing benchmark on tldr-pages (all languages, ~38k files, 18 MB): full build and unchanged
# re-run with the ofs tokenizer, and the same pipeline with FTS5's stock unicode61 tokenizer
# (--tokenizer =unicode61) as the baseline. Prints MB/s, documents/s, index size per MB of input
# and the ofs/unicode61 ratio (target >= 0.75).
# usage: benchmarks/indexing/run.sh [BUILD_DIR] [REPEATS]   (default: build, 3)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
repeats=${2:-3}
ofs=$build/indexer/ofsearch
tarball=${OFS_TLDR:-$root/../shared/corpora/tldr-pages.tar.xz}
[ -f "$tarball" ] || tarball=/work/shared/corpora/tldr-pages.tar.xz
[ -x "$ofs" ] || { echo "build $ofs first (ninja -C $build)" >&2; exit 2; }
[ -f "$tarball" ] || { echo "tldr-pages tarball not found" >&2; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ofs_bench_index.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
tar -xJf "$tarball" -C "$tmp"
mkdir -p "$root/benchmarks/out"
python3 "$here/bench.py" "$ofs" "$tmp/tldr" "$tmp" "$repeats" | tee "$root/benchmarks/out/indexing.txt"
