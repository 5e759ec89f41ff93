#!/usr/bin/env bash
# clang's static analyzer (scan-build, Debian clang-tools) over a fresh build of the whole
# project: library, CLI, daemon, tests, fuzz targets, benchmarks. Prints every report; exits 1
# when one is not in scripts/scan-build.supp (each entry there says why it is not a bug).
#   usage: scripts/scan-build.sh [BUILD_DIR=build-scan]
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$root/build-scan}
command -v scan-build >/dev/null || { echo "scan-build: not installed (clang-tools)"; exit 1; }
# Fresh each time: the analyzer sees only what ninja compiles, and an incremental build would
# leave out the files that did not change.
rm -rf "$dir"
scan-build meson setup "$dir" -Dbuildtype=debug >/dev/null || exit 1
scan-build -o "$dir/reports" ninja -C "$dir" -j 2 >"$dir/scan.log" 2>&1 || {
    tail -30 "$dir/scan.log"
    exit 1
}
python3 - "$root" "$dir/reports" "$root/scripts/scan-build.supp" <<'PY'
import glob, os, re, sys
root, reports, supp = sys.argv[1:]
allowed = []
for line in open(supp):
    line = line.strip()
    if line and not line.startswith("#"):
        path, kind, function, reason = (f.strip() for f in line.split("|", 3))
        allowed.append((path, kind, function, reason))
found = bad = 0
for f in sorted(glob.glob(os.path.join(reports, "*", "report-*.html"))):
    text = open(f, errors="replace").read()
    field = lambda k: (re.search(r"<!-- %s (.*?) -->" % k, text) or [None, "?"])[1]
    path = os.path.relpath(os.path.normpath(field("BUGFILE")), root)
    if path.startswith(".."):  # the analyzer sees sources through the build directory
        path = re.sub(r"^(\.\./)+.*?/" + re.escape(os.path.basename(root)) + "/", "", field("BUGFILE"))
    kind, function, line = field("BUGTYPE"), field("FUNCTIONNAME"), field("BUGLINE")
    found += 1
    why = [r for p, k, fn, r in allowed if p == path and k == kind and fn == function]
    if why:
        print(f"scan-build: suppressed: {path}:{line} {kind} in {function}: {why[0]}")
    else:
        bad += 1
        print(f"scan-build: REPORT: {path}:{line} {kind} in {function}: {field('BUGDESC')}")
print(f"scan-build: {found} reports, {found - bad} suppressed, {bad} to fix")
sys.exit(1 if bad else 0)
PY
