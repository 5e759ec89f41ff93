#!/usr/bin/env python3
"""Times `ofsearch index` runs (wall and CPU time of the child) for benchmarks/indexing/run.sh.
usage: bench.py OFSEARCH CORPUS_DIR TMP_DIR REPEATS"""
import json
import os
import resource
import subprocess
import statistics
import sys
import time

ofs, corpus, tmp, repeats = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])


def timed(args):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(args, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if p.returncode not in (0, 1):
        sys.exit("ofsearch failed: " + p.stderr)
    return json.loads(p.stdout), wall, cpu


def full_build(tok, tag):
    db = os.path.join(tmp, "%s.db" % tag)
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.unlink(db + suffix)
    args = [ofs, "index", "-q", "--json", "--db", db, "--collection", "tldr=" + corpus]
    if tok:
        args += ["--tokenizer", tok]
    return timed(args)


def summarize(tag, full):
    """Best of the full builds, then one unchanged re-run on the last index."""
    db = os.path.join(tmp, "%s.db" % tag)
    s, wall, _ = min(full, key=lambda r: r[1])
    cpu_best = min(r[2] for r in full)
    re_s, re_wall, re_cpu = timed([ofs, "index", "-q", "--json", "--db", db,
                                   "--collection", "tldr=" + corpus])
    size = os.path.getsize(db)
    mb = s["bytes"] / 1e6
    return {"tag": tag, "docs": s["documents"], "sections": s["sections"], "mb": mb,
            "failed": s["failed"], "wall": wall, "cpu": cpu_best,
            "mbps_wall": mb / wall, "mbps_cpu": mb / cpu_best, "docs_per_s": s["documents"] / wall,
            "rerun_wall": re_wall, "rerun_cpu": re_cpu, "rerun_unchanged": re_s["unchanged"],
            "rerun_docs_per_s": re_s["unchanged"] / re_wall,
            "index_mb": size / 1e6, "index_per_input_mb": size / 1e6 / mb,
            "median_wall": statistics.median(r[1] for r in full),
            "median_cpu": statistics.median(r[2] for r in full),
            "walls": [round(r[1], 2) for r in full], "cpus": [round(r[2], 2) for r in full]}


print("ofsearch indexing benchmark: tldr-pages, best of %d full builds" % repeats)
print("load average at start: %.2f %.2f %.2f (2-core machine: figures are noisy under load)"
      % os.getloadavg())
CONFIGS = (("=unicode61", "unicode61"), ("", "ofs"), ("stem english", "ofs-stem"))
runs = {tag: [] for _, tag in CONFIGS}
# Interleaved, so a burst of load from elsewhere hits every configuration alike.
for _ in range(repeats):
    for tok, tag in CONFIGS:
        runs[tag].append(full_build(tok, tag))
res = {}
for tok, tag in CONFIGS:
    r = summarize(tag, runs[tag])
    res[tag] = r
    print("%-10s %5d docs %6.1f MB | full: %5.2f s wall (%5.2f MB/s, %6.0f docs/s), %5.2f s CPU "
          "(%5.2f MB/s) | unchanged re-run: %4.2f s (%6.0f docs/s) | index %5.1f MB = %.2f MB/MB "
          "input | runs wall %s cpu %s"
          % (tag, r["docs"], r["mb"], r["wall"], r["mbps_wall"], r["docs_per_s"], r["cpu"],
             r["mbps_cpu"], r["rerun_wall"], r["rerun_docs_per_s"], r["index_mb"],
             r["index_per_input_mb"], r["walls"], r["cpus"]))
    if r["failed"] or r["rerun_unchanged"] != r["docs"]:
        print("  WARNING: failed=%d, unchanged on re-run=%d" % (r["failed"], r["rerun_unchanged"]))
base = res["unicode61"]
for tag in ("ofs", "ofs-stem"):
    r = res[tag]
    print("ratio %s/unicode61: best wall %.2f, median wall %.2f, best CPU %.2f, median CPU %.2f;"
          " target >= 0.75"
          % (tag, r["mbps_wall"] / base["mbps_wall"], base["median_wall"] / r["median_wall"],
             r["mbps_cpu"] / base["mbps_cpu"], base["median_cpu"] / r["median_cpu"]))
print("json:", json.dumps(res))
