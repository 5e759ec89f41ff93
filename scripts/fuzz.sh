#!/bin/sh
# Builds one fuzz target (tests/fuzz/fuzz_<name>.c) with clang's libFuzzer, ASan and UBSan, and
# runs it for a while on its seed corpus. Findings land in tests/fuzz/out/<name>/ (git-ignored).
#   usage: scripts/fuzz.sh <name> [seconds=60] [extra libFuzzer flags...]
#   e.g.   scripts/fuzz.sh query 300 -jobs=2
set -eu

if [ $# -lt 1 ]; then
    echo "usage: $0 <target> [seconds] [libFuzzer flags...]" >&2
    echo "targets:" $(ls "$(dirname "$0")/../tests/fuzz" | sed -n 's/^fuzz_\(.*\)\.c$/\1/p') >&2
    exit 2
fi
name=$1
secs=${2:-60}
shift
[ $# -gt 0 ] && shift

root=$(cd "$(dirname "$0")/.." && pwd)
src=$root/tests/fuzz/fuzz_$name.c
seeds=$root/tests/fuzz/corpus/$name
out=$root/tests/fuzz/out/$name
[ -f "$src" ] || { echo "fuzz.sh: no target $src" >&2; exit 2; }
mkdir -p "$out/corpus" "$out/artifacts"

CC=${CC:-clang}
# The library minus the loadable-extension entry point (it is a separate shared module).
lib=$(ls "$root"/lib/*.c | grep -v '/extension\.c$')
deps="sqlite3 libcmark gumbo icu-uc icu-i18n jansson yaml-0.1 nettle"
bin=$out/fuzz_$name
# A target of a front end's reader names its other sources on a "fuzz-extra:" line.
extra=$(sed -n 's/^.*fuzz-extra: *\([^*]*\).*$/\1/p' "$src" | head -1)
extra_src=""
for f in $extra; do extra_src="$extra_src $root/$f"; done

echo "fuzz.sh: building $bin" >&2
# shellcheck disable=SC2086
$CC -std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$root/include" -I"$root/lib" -I"$root/searchd" -I"$root/indexer" \
    $(pkg-config --cflags $deps) \
    -o "$bin" "$src" $extra_src $lib \
    $(pkg-config --libs $deps) -lstemmer -lm -lpthread

echo "fuzz.sh: running $name for ${secs}s (corpus $out/corpus, seeds $seeds)" >&2
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
exec "$bin" -max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$out/artifacts/" "$@" "$out/corpus" "$seeds"
