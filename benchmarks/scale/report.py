#!/usr/bin/env python3
"""The scale benchmark's table (benchmarks/scale/run.sh): reads RESULTS/run.env, and for each size
N RESULTS/Nx.env (build, open, daemon and memory figures) and RESULTS/Nx.tsv (each query's time,
hits and relaxed flag per system, from bench_scale), prints Markdown.

usage: report.py RESULTS
"""
import csv
import math
import os
import sys

SYSTEMS = [("ofs", "ofsearch"), ("xap", "Xapian"), ("fts", "FTS5 bm25()")]


def read_env(path):
    env = {}
    if os.path.exists(path):
        for line in open(path):
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                env[k] = v
    return env


def pct(values, p):
    """The same rank bench_query uses: the value below which a share p of the others fall."""
    v = sorted(values)
    return v[min(len(v) - 1, int(len(v) * p))] if v else float("nan")


def read_tsv(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    out = {}
    for key, _ in SYSTEMS:
        if rows and rows[0][key + "_ms"]:
            out[key] = [(float(r[key + "_ms"]), r[key + "_relaxed"] == "1", r["query"])
                        for r in rows]
    return out


def figures(answers):
    ms = [a[0] for a in answers]
    return {"p50": pct(ms, 0.5), "p95": pct(ms, 0.95), "p99": pct(ms, 0.99), "max": max(ms),
            "qps": len(ms) / (sum(ms) / 1e3), "relaxed": sum(a[1] for a in answers)}


def num(x, digits=2):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if isinstance(x, float) and abs(x) >= 100:
        return "{:,.0f}".format(x)
    return "{:.{}f}".format(x, digits)


def mib(env, key, kib=False):
    v = env.get(key)
    if v is None:
        return None
    return float(v) / (1024.0 if kib else 1024.0 * 1024.0)


def slope(xs, ys):
    """Least-squares slope of log y against log x: the exponent k in y ~ x^k."""
    pts = [(math.log(x), math.log(y)) for x, y in zip(xs, ys) if x > 0 and y > 0]
    if len(pts) < 2:
        return None
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    den = sum((p[0] - mx) ** 2 for p in pts)
    return sum((p[0] - mx) * (p[1] - my) for p in pts) / den if den else None


def table(header, rows):
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for r in rows:
        print("| " + " | ".join(r) + " |")
    print()


def main(results):
    run = read_env(os.path.join(results, "run.env"))
    sizes = run.get("sizes", "").split()
    envs = {n: read_env(os.path.join(results, n + "x.env")) for n in sizes}
    data = {n: read_tsv(os.path.join(results, n + "x.tsv")) for n in sizes}
    figs = {n: {k: figures(v) for k, v in data[n].items()} for n in sizes}
    systems = [(k, name) for k, name in SYSTEMS if all(k in data[n] for n in sizes)]
    sec = {n: int(envs[n].get("sections", 0)) for n in sizes}
    label = {n: "%sx (%s)" % (n, "{:,}".format(sec[n])) for n in sizes}

    print("## Scale benchmark: tldr-pages replicated, %s queries (sha256 %s…)\n"
          % (run.get("queries"), run.get("queries_sha256")))
    print("Tree %s; Xapian %s; %s CPUs; load average %s at the start, %s at the end; %s s.\n"
          % (run.get("commit"), run.get("xapian", "not measured"), run.get("cpus"),
             run.get("load_start"), run.get("load_end"), run.get("duration_s")))

    print("### Indexes (build time s / size MB)\n")
    rows = []
    for n in sizes:
        e = envs[n]
        mb = lambda k: num(float(e[k]) / 1e6, 0) if k in e else "–"
        sec_ = lambda k, d=1: num(float(e[k]) / d, 1) if k in e else "–"
        rows.append([label[n], sec_("ofs_index_s") + " / " + mb("ofs_bytes"),
                     sec_("xapian_build_ms", 1e3) + " / " + mb("xapian_bytes"),
                     sec_("fts5_build_ms", 1e3) + " / " + mb("fts_bytes")])
    table(["size (sections)", "ofsearch index", "Xapian", "FTS5 (from the sections)"], rows)
    if any(envs[n].get("reused") for n in sizes):
        print("Indexes reused (REUSE=1): these build figures are the run's that built them.\n")

    print("### Opening a searcher (ms, median of the opens; warm page cache)\n")
    rows = []
    for n in sizes:
        e = envs[n]
        g = lambda k: num(float(e[k])) if k in e else "–"
        rows.append([label[n], g("ofsearch_ms"), g("ofsearch_first_ms"), g("xapian_ms"),
                     g("xapian_first_ms"), g("fts5_first_ms")])
    table(["size", "ofsearch open", "ofsearch open + 1st query", "Xapian open",
           "Xapian open + 1st query", "FTS5 open + 1st query"], rows)

    print("### Queries in process, top 10 with snippets, one thread (ms, each query's the median "
          "of %s rounds; q/s = queries / their time)\n" % envs[sizes[0]].get("rounds", "1"))
    rows = []
    for n in sizes:
        for k, name in systems:
            f = figs[n][k]
            rows.append([label[n], name, num(f["p50"]), num(f["p95"]), num(f["p99"]),
                         num(f["max"], 1), num(f["qps"], 0), str(f["relaxed"])])
    table(["size", "system", "p50", "p95", "p99", "max", "q/s", "relaxed"], rows)

    print("### Ratios, ofsearch ÷ baseline (times: < 1 is ofsearch faster; q/s: > 1 is)\n")
    rows = []
    for n in sizes:
        o = figs[n]["ofs"]
        for k, name in systems[1:]:
            b = figs[n][k]
            rows.append([label[n], "÷ " + name] + [num(o[p] / b[p]) for p in ("p50", "p95", "p99")]
                        + [num(o["qps"] / b["qps"])])
    table(["size", "ofsearch", "p50", "p95", "p99", "q/s"], rows)

    first = {n: read_tsv(os.path.join(results, n + "x.tsv.first")) for n in sizes
             if os.path.exists(os.path.join(results, n + "x.tsv.first"))}
    if first:
        print("### First pass: each query's first run, its words new to every searcher "
              "(ofsearch's cache of words' frequencies cold; one run, noisier)\n")
        rows = []
        for n in first:
            f = {k: figures(first[n][k]) for k, _ in systems if k in first[n]}
            row = [label[n]] + [num(f[k]["p50"]) + " / " + num(f[k]["p99"]) for k, _ in systems]
            if "xap" in f:
                row.append(num(f["ofs"]["p50"] / f["xap"]["p50"]) + " / "
                           + num(f["ofs"]["p99"] / f["xap"]["p99"]))
            rows.append(row)
        table(["size"] + [name + " p50 / p99" for _, name in systems]
              + (["ofsearch ÷ Xapian p50 / p99"] if "xap" in figs[sizes[0]] else []), rows)

    print("### Relaxed (any-word top-up) against all-words queries: p99 ms, by ofsearch's flag\n")
    rows = []
    for n in sizes:
        rel = [i for i, a in enumerate(data[n]["ofs"]) if a[1]]
        allw = [i for i, a in enumerate(data[n]["ofs"]) if not a[1]]
        row = [label[n], "%d / %d" % (len(rel), len(allw))]
        for k, _ in systems:
            r = pct([data[n][k][i][0] for i in rel], 0.99)
            a = pct([data[n][k][i][0] for i in allw], 0.99)
            row += [num(r) + " / " + num(a)]
        o_r = pct([data[n]["ofs"][i][0] for i in rel], 0.99)
        o_a = pct([data[n]["ofs"][i][0] for i in allw], 0.99)
        row.append(num(o_r / o_a))
        rows.append(row)
    table(["size", "queries relaxed / all-words"]
          + [name + " p99 relaxed / all-words" for _, name in systems]
          + ["ofsearch relaxed ÷ all-words"], rows)

    xs = [sec[n] for n in sizes]
    if len(sizes) > 1:
        print("### Growth exponent k in time ~ sections^k (least squares over the sizes)\n")
        rows = []
        for k, name in systems:
            rows.append([name] + [num(slope(xs, [figs[n][k][p] for n in sizes]))
                                  for p in ("p50", "p99")])
        rows.append(["ofsearch open", "", num(slope(xs, [float(envs[n].get("ofsearch_ms", 0))
                                                          for n in sizes]))])
        table(["system", "p50", "p99 (open: its time)"], rows)

    if any("wrk_rps" in envs[n] for n in sizes):
        print("### ofsearchd under wrk (%s connections, 2 threads, the same queries) and its "
              "memory (MiB, /proc/PID/smaps_rollup)\n" % "32")
        rows = []
        for n in sizes:
            e = envs[n]
            if "wrk_rps" not in e:
                continue
            errs = sum(int(e.get("wrk_errors_" + x, 0))
                       for x in ("connect", "read", "write", "status", "timeout"))
            priv = (float(e["mem_Private_Clean"]) + float(e["mem_Private_Dirty"])) / 1024.0
            rows.append([label[n], num(float(e["wrk_rps"]), 0), num(float(e["wrk_p50_ms"])),
                         num(float(e["wrk_p99_ms"])), str(errs),
                         num(mib(e, "mem_Rss", True), 0), num(mib(e, "mem_Pss", True), 0),
                         num(priv, 0), num(mib(e, "mem_Anonymous", True), 0),
                         num(float(e["ofs_bytes"]) / 1048576.0, 0)])
        table(["size", "requests/s", "p50 ms", "p99 ms", "errors", "RSS", "PSS", "private",
               "anonymous (heap)", "index file"], rows)

    n = sizes[-1]
    print("### The 5 slowest ofsearch queries at %s (ms)\n" % label[n])
    order = sorted(range(len(data[n]["ofs"])), key=lambda i: -data[n]["ofs"][i][0])[:5]
    rows = []
    for i in order:
        q = data[n]["ofs"][i]
        rows.append(["`%s`" % q[2], "relaxed" if q[1] else "all words"]
                    + [num(data[n][k][i][0]) for k, _ in systems])
    table(["query", "ofsearch's pass"] + [name for _, name in systems], rows)

    print("### Issue 20's targets\n")
    ok = lambda c: "met" if c else "MISSED"
    rows = []
    if "xap" in figs[n]:
        for m in sizes:
            o, x = figs[m]["ofs"], figs[m]["xap"]
            rows.append(["p99 <= Xapian's p99, p50 below Xapian's, at %s" % label[m],
                         "%s / %s ms, %s / %s ms" % (num(o["p99"]), num(x["p99"]), num(o["p50"]),
                                                     num(x["p50"])),
                         ok(o["p99"] <= x["p99"] and o["p50"] < x["p50"])])
    rel = [a[0] for a in data[n]["ofs"] if a[1]]
    allw = [a[0] for a in data[n]["ofs"] if not a[1]]
    r = pct(rel, 0.99) / pct(allw, 0.99)
    rows.append(["relaxed p99 <= 2x all-words p99 at %s" % label[n], num(r) + "x", ok(r <= 2)])
    if "ofsearch_ms" in envs[n]:
        t = float(envs[n]["ofsearch_ms"])
        rows.append(["searcher open <= 20 ms at %s" % label[n], num(t) + " ms", ok(t <= 20)])
    if "wrk_p99_ms" in envs[n]:
        t = float(envs[n]["wrk_p99_ms"])
        rows.append(["ofsearchd p99 < 50 ms at %s, 32 connections" % label[n], num(t) + " ms",
                     ok(t < 50)])
    table(["target", "measured", ""], rows)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
