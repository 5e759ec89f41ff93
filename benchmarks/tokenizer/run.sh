#!/usr/bin/env bash
# Tokenizer benchmarks (issue: tokenizer). 1) Throughput over all tldr-pages languages: MB/s and
# tokens/s of ofs (default, stem english, compounds 0), FTS5 unicode61 and a bare ICU word-break +
# case-fold pass, with ratios to bare ICU. 2) The compound experiment: of 1,000 random unicode61
# words of the English pages, how many find nothing with ofs (compounds 1 and 0).
# usage: benchmarks/tokenizer/run.sh [BUILD_DIR] [SECONDS_PER_MODE]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
secs=${2:-5}
tarball=${TLDR_TARBALL:-../shared/corpora/tldr-pages.tar.xz}
[ -f "$tarball" ] || { echo "skip: $tarball not found"; exit 0; }
ninja -C "$build" benchmarks/bench_tokenizer lib/libofsearch_ext.so >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xJf "$tarball" -C "$work"
echo "== throughput (all languages) =="
"$build/benchmarks/bench_tokenizer" "$work/tldr" "$secs"
echo "== compound experiment (English pages) =="
if /usr/bin/python3 -c 'import sqlite3; sqlite3.connect(":memory:").enable_load_extension(True)' 2>/dev/null; then
    for seed in 1 2 3; do
        /usr/bin/python3 benchmarks/tokenizer/compounds.py "$build/lib/libofsearch_ext.so" "$work/tldr" 1000 "$seed"
    done
else
    echo "skip: /usr/bin/python3 cannot load SQLite extensions"
fi
