#!/usr/bin/env python3
"""`ofsearch eval --baseline` as a regression gate, through the real CLI (docs/eval.md, "The
gate").

    test_eval_gate.py gate OFSEARCH       # the gate itself, on the default corpus: an unchanged
                                          # run passes, a weakened one fails, bad input exits 2
    test_eval_gate.py committed OFSEARCH  # today's defaults against tests/relevance/figures/
    test_eval_gate.py refresh OFSEARCH    # rewrite tests/relevance/figures/ (a ranking change
                                          # that is meant: see docs/eval.md)

The committed collections are the small ones: Cranfield and CACM (from ../shared/corpora, each
skipped when absent), the default corpus's judged topics, and the real Operate First topics
when their judgments exist. Exit 0 pass, 1 fail, 77 skipped (says why).
"""
import json
import os
import subprocess
import sys
import tempfile

SKIP = 77
ROOT = os.environ.get("OFS_SOURCE_ROOT") or os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))
CORPORA = os.path.join(ROOT, "..", "shared", "corpora")
if not os.path.isdir(CORPORA):
    CORPORA = "/work/shared/corpora"
REL = os.path.join(ROOT, "tests", "relevance")
FIGURES = os.path.join(REL, "figures")
CORPUS = os.path.join(ROOT, "corpus", "operate-first")
# The CI tolerance: a drop smaller than this passes even when significant (docs/eval.md).
MAX_DROP = "0.005"
# What the search runs with is the defaults; variables that change them are not ours to inherit.
ENV = {k: v for k, v in os.environ.items() if k not in ("OFSEARCH_SYNONYMS", "OFSEARCH_DB")}


def run(ofsearch, *args):
    return subprocess.run([ofsearch, *args], capture_output=True, text=True, env=ENV)


def index(ofsearch, db, collection):
    r = run(ofsearch, "index", "--db", db, "-q", "--collection", collection)
    if r.returncode != 0:
        raise RuntimeError(f"ofsearch index {collection} failed: {r.stderr.strip()}")


def collections(tmp):
    """(name, index source, topics, qrels, docid mode, depth) of each collection present, and
    the messages for those skipped."""
    found, skipped = [], []
    for name in ("cranfield", "cacm"):
        src = os.path.join(CORPORA, name)
        if os.path.isfile(os.path.join(src, "docs.jsonl")):
            found.append((name, f"{name}={src}/docs.jsonl", f"{src}/topics.tsv",
                          f"{src}/qrels.txt", "id", "1000"))
        else:
            skipped.append(f"{name}: {src}/docs.jsonl not found")
    words = os.path.join(tmp, "corpus-words.tsv")
    with open(os.path.join(REL, "operate-first.topics.tsv"), encoding="utf-8") as src, \
         open(words, "w", encoding="utf-8") as out:
        out.writelines(line for line in src if not line.startswith("of-p"))  # as-you-type
    found.append(("corpus-words", f"operate-first={CORPUS}", words,
                  os.path.join(REL, "operate-first.qrels"), "anchor", "1000"))
    found.append(("corpus-terms", f"operate-first={CORPUS}",
                  os.path.join(REL, "operate-first-terms.topics.tsv"),
                  os.path.join(REL, "operate-first-terms.qrels"), "anchor", "1000"))
    real, topics = os.path.join(CORPORA, "operate-first"), os.path.join(
        REL, "operate-first-real.topics.tsv")
    for name, qrels, mode in (("real-pages", "operate-first-real.qrels", "path"),
                              ("real-sections", "operate-first-real-sections.qrels", "anchor")):
        qrels = os.path.join(REL, qrels)
        if not os.path.isdir(real):
            skipped.append(f"{name}: {real} not found")
        elif not (os.path.isfile(topics) and os.path.isfile(qrels)):
            skipped.append(f"{name}: no judgments ({qrels})")
        else:
            found.append((name, f"operate-first={real}", topics, qrels, mode, "1000"))
    return found, skipped


def eval_args(db, topics, qrels, mode, depth):
    return ["eval", "--db", db, "--topics", topics, "--qrels", qrels, "--docid", mode,
            "--depth", depth]


def each_collection(ofsearch, tmp, need_figures):
    """Yields (name, the `ofsearch eval` arguments that search it, mode, depth) of each
    collection present, indexed into tmp (one index per source); says which are skipped."""
    found, skipped = collections(tmp)
    for s in skipped:
        print(f"skipped {s}")
    dbs = {}
    for name, source, topics, qrels, mode, depth in found:
        if need_figures and not os.path.isfile(os.path.join(FIGURES, name + ".json")):
            print(f"{name}: no committed figures in {FIGURES}; write them with "
                  f"`tests/test_eval_gate.py refresh {ofsearch}`")
            continue
        if source not in dbs:
            dbs[source] = os.path.join(tmp, f"ix{len(dbs)}.db")
            index(ofsearch, dbs[source], source)
        yield name, eval_args(dbs[source], topics, qrels, mode, depth), mode, depth


def committed(ofsearch):
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, args, _, _ in each_collection(ofsearch, tmp, True):
            figures = os.path.join(FIGURES, name + ".json")
            r = run(ofsearch, *args, "--baseline", figures, "--max-drop", MAX_DROP)
            verdict = {0: "passed", 1: "FAILED"}.get(r.returncode, f"error {r.returncode}")
            print(f"{name}: {verdict}")
            if r.returncode != 0:
                print(r.stdout + r.stderr)
                failures += 1
    return 1 if failures else 0


def refresh(ofsearch):
    os.makedirs(FIGURES, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, args, mode, depth in each_collection(ofsearch, tmp, False):
            out = os.path.join(tmp, name + ".json")
            r = run(ofsearch, *args, "--json-out", out)
            if r.returncode != 0:
                print(f"{name}: ofsearch eval failed: {r.stderr.strip()}")
                return 1
            with open(out, encoding="utf-8") as fh:
                c = json.load(fh)["configs"][0]
            # Only what the gate reads, one query a line: a refresh's diff shows which queries
            # a ranking change moved, and nothing else (no timings).
            pq = ",\n".join(f"    {json.dumps(q)}: {json.dumps(v)}"
                            for q, v in c["per_query"].items())
            with open(os.path.join(FIGURES, name + ".json"), "w", encoding="utf-8") as fh:
                fh.write(f'{{"collection": {json.dumps(name)}, "depth": {depth}, '
                         f'"docid": "{mode}",\n "configs": [{{\n'
                         f'  "name": {json.dumps(c["name"])}, "queries": {c["queries"]},\n'
                         f'  "mean": {json.dumps(c["mean"])},\n'
                         f'  "per_query": {{\n{pq}\n  }}\n }}]\n}}\n')
            print(f"{name}: {c['queries']} queries, MAP {c['mean']['map']:.4f}, "
                  f"nDCG@10 {c['mean']['ndcg_cut_10']:.4f}")
    return 0


class Checks:
    def __init__(self):
        self.failed = 0

    def expect(self, what, r, status, stdout_has=None, stderr_has=None):
        ok = r.returncode == status
        ok = ok and (stdout_has is None or stdout_has in r.stdout)
        ok = ok and (stderr_has is None or stderr_has in r.stderr)
        print(f"{'ok' if ok else 'FAIL'}: {what} (exit {r.returncode})")
        if not ok:
            self.failed += 1
            print(f"  wanted exit {status}, stdout with {stdout_has!r}, stderr with "
                  f"{stderr_has!r}\n  stdout: {r.stdout[-1500:]}\n  stderr: {r.stderr[-800:]}")


def degrade(run_path, out_path):
    """The same run with each query's best hit moved to the bottom: a real ranking loss."""
    by_q = {}
    with open(run_path, encoding="utf-8") as fh:
        for line in fh:
            q, _, d, _, s, _ = line.split()
            by_q.setdefault(q, []).append((d, float(s)))
    with open(out_path, "w", encoding="utf-8") as out:
        for q, hits in by_q.items():
            hits.sort(key=lambda h: -h[1])
            low = min(s for _, s in hits) - 1
            for d, s in hits[1:] + [(hits[0][0], low)]:
                out.write(f"{q} Q0 {d} 0 {s!r} degraded\n")


def gate(ofsearch):
    c = Checks()
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "corpus.db")
        index(ofsearch, db, f"operate-first={CORPUS}")
        found, _ = collections(tmp)
        topics, qrels = next((f[2], f[3]) for f in found if f[0] == "corpus-words")
        base = ["eval", "--db", db, "--topics", topics, "--qrels", qrels, "--docid", "anchor"]
        figures, base_run = os.path.join(tmp, "figures.json"), os.path.join(tmp, "base.run")
        r = run(ofsearch, *base, "--json-out", figures, "--run-out", base_run)
        c.expect("figures written by --json-out", r, 0)
        with open(figures, encoding="utf-8") as fh:
            per_query = json.load(fh)["configs"][0].get("per_query", {})
        print(f"{'ok' if len(per_query) > 40 else 'FAIL'}: --json-out has per-query values")
        c.failed += len(per_query) <= 40

        c.expect("an unchanged run passes", run(ofsearch, *base, "--baseline", figures),
                 0, stdout_has="passed")
        # The top-up fallback off loses the queries no section matches in full: a regression.
        weak = run(ofsearch, *base, "--config", "weak:fallback=0", "--baseline", figures,
                   "--max-drop", "0.01")
        c.expect("a weakened configuration fails", weak, 1, stdout_has="DROP",
                 stderr_has="gate failed: weak")
        c.expect("... unless the drop is within --max-drop",
                 run(ofsearch, *base, "--config", "weak:fallback=0", "--baseline", figures,
                     "--max-drop", "0.5"), 0)
        j = run(ofsearch, *base, "--config", "default", "--config", "weak:fallback=0",
                "--baseline", figures, "--json")
        c.expect("--json: both configurations gated, one fails", j, 1)
        if j.returncode == 1:
            g = [x["gate"] for x in json.loads(j.stdout)["configs"]]
            ok = g[0]["passed"] and not g[1]["passed"] and "map" in g[1]["dropped"]
            print(f"{'ok' if ok else 'FAIL'}: --json gate verdicts {g[0]['passed']} "
                  f"{g[1]['passed']} {g[1]['dropped']}")
            c.failed += not ok

        # A TREC run as the baseline, and runs as the current result.
        degraded = os.path.join(tmp, "degraded.run")
        degrade(base_run, degraded)
        c.expect("a run against itself passes",
                 run(ofsearch, "eval", "--qrels", qrels, "--topics", topics, "--run", base_run,
                     "--baseline", base_run), 0)
        c.expect("a degraded run fails",
                 run(ofsearch, "eval", "--qrels", qrels, "--topics", topics, "--run", degraded,
                     "--baseline", base_run), 1, stderr_has="MAP")

        # Stale figures: the topics changed since they were written.
        fewer = os.path.join(tmp, "fewer.tsv")
        with open(topics, encoding="utf-8") as src, open(fewer, "w", encoding="utf-8") as out:
            out.writelines(src.readlines()[1:])
        c.expect("figures of other queries fail",
                 run(ofsearch, "eval", "--db", db, "--topics", fewer, "--qrels", qrels,
                     "--docid", "anchor", "--baseline", figures), 1, stderr_has="refresh")

        # Bad input: usage and input errors are 2, never a pass.
        c.expect("--max-drop without --baseline", run(ofsearch, *base, "--max-drop", "0.1"), 2)
        for bad in ("-1", "abc", "2"):
            c.expect(f"--max-drop {bad}",
                     run(ofsearch, *base, "--baseline", figures, "--max-drop", bad), 2)
        c.expect("a missing baseline file",
                 run(ofsearch, *base, "--baseline", os.path.join(tmp, "none.json")), 2,
                 stderr_has="none.json")
        no_pq = os.path.join(tmp, "no-per-query.json")
        with open(no_pq, "w", encoding="utf-8") as fh:
            json.dump({"configs": [{"name": "default", "mean": {}}]}, fh)
        c.expect("figures without per-query values",
                 run(ofsearch, *base, "--baseline", no_pq), 2, stderr_has="per_query")
        two = os.path.join(tmp, "two.json")
        r = run(ofsearch, *base, "--config", "a", "--config", "b:k1=2", "--json-out", two)
        c.expect("figures of two configurations", r, 0)
        c.expect("a configuration the figures do not have",
                 run(ofsearch, *base, "--config", "c", "--baseline", two), 2,
                 stderr_has="no figures for configuration 'c'")
        c.expect("configurations matched by name",
                 run(ofsearch, *base, "--config", "b:k1=2", "--config", "a", "--baseline", two),
                 0, stdout_has="b vs b")
    print(f"{c.failed} checks failed")
    return 1 if c.failed else 0


def main():
    modes = {"gate": gate, "committed": committed, "refresh": refresh}
    if len(sys.argv) != 3 or sys.argv[1] not in modes:
        print(__doc__, file=sys.stderr)
        return 2
    if not os.path.isdir(CORPUS):
        print(f"SKIP: the default corpus is missing ({CORPUS})")
        return SKIP
    return modes[sys.argv[1]](sys.argv[2])


if __name__ == "__main__":
    sys.exit(main())
