#!/usr/bin/env bash
# Builds ofsearch and runs every test twice: a normal build (all suites, slow ones included) and
# an AddressSanitizer + UndefinedBehaviorSanitizer build; then clang's static analyzer over a
# third build, counted as one more test. The last line is "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh --test || { echo "0 passed, 1 failed"; exit 1; }

passed=0 failed=0 skipped=0

# Counts the results meson recorded in DIR's testlog.json.
count() {
    python3 - "$1/meson-logs/testlog.json" <<'PY'
import json, sys
p = f = s = 0
try:
    for line in open(sys.argv[1]):
        t = json.loads(line)
        r = t["result"]
        if r in ("OK", "EXPECTEDFAIL"): p += 1
        elif r == "SKIP":
            s += 1
            why = [l for l in (t.get("stdout") or "").splitlines() if "skip" in l.lower()]
            print(f"skipped {t['name']}: {why[-1].strip() if why else '(no reason printed)'}",
                  file=sys.stderr)
        else: f += 1
except OSError:
    f = 1
print(p, f, s)
PY
}

# suite DIR [meson setup options...]: configure, build, test; adds to the totals.
suite() {
    local dir=$1; shift
    echo "== $dir: build" >&2
    if [ ! -d "$dir" ]; then
        meson setup "$dir" "$@" >/dev/null || { failed=$((failed + 1)); return; }
    fi
    if ! ninja -C "$dir" >/dev/null; then
        ninja -C "$dir" 2>&1 | tail -30
        echo "build of $dir failed" >&2
        failed=$((failed + 1))
        return
    fi
    echo "== $dir: test" >&2
    meson test -C "$dir" --print-errorlogs --num-processes 2 | grep -E '^ *[0-9]+/[0-9]+ |FAIL|SKIP' || true
    read -r p f s < <(count "$dir")
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
}

suite build -Dbuildtype=debugoptimized
OFS_SLOW_TESTS=0 suite build-asan -Dbuildtype=debug -Db_sanitize=address,undefined -Db_lundef=false

# clang's static analyzer over everything: one check, passed when every report is suppressed
# with a reason in scripts/scan-build.supp.
echo "== build-scan: scan-build" >&2
if scripts/scan-build.sh build-scan | grep -E '^scan-build: (REPORT|suppressed|[0-9]+ reports)'; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
fi

echo "($skipped skipped, reasons above)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
