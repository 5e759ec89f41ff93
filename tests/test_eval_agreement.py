#!/usr/bin/env python3
"""Checks that `ofsearch eval` (C) and tests/trec_eval_ref.py (Python) agree to 4 decimals on
every measure, per query and mean.

    test_eval_agreement.py synthetic OFSEARCH   # generated qrels + runs: ties, duplicates, ...
    test_eval_agreement.py cranfield OFSEARCH   # a real run: index Cranfield, search, compare

Exit 0 agree, 1 disagree, 77 skipped (says why).
"""
import json
import os
import random
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import trec_eval_ref  # noqa: E402

SKIP = 77
CRANFIELD = os.path.join(os.environ.get("OFS_SOURCE_ROOT", "."), "..", "shared", "corpora",
                         "cranfield")
if not os.path.isdir(CRANFIELD):
    CRANFIELD = "/work/shared/corpora/cranfield"


def c_eval(ofsearch, args):
    out = subprocess.run([ofsearch, "eval", "--json", "--per-query"] + args,
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"ofsearch eval {' '.join(args)} failed: {out.stderr.strip()}")
    return json.loads(out.stdout)["configs"][0]


def compare(label, c_result, qrels_path, run_path, topics=None, run_queries_only=False):
    """Returns the number of disagreements, printing each."""
    candidates = trec_eval_ref.load_topic_ids(topics) if topics else None
    per_query, means, counts = trec_eval_ref.evaluate(
        trec_eval_ref.load_qrels(qrels_path), trec_eval_ref.load_run(run_path), candidates,
        run_queries_only)
    errors = 0
    py = {q.decode(): v for q, v in per_query.items()}
    c_pq = c_result["per_query"]
    if set(py) != set(c_pq):
        print(f"{label}: query sets differ: only C {sorted(set(c_pq) - set(py))[:5]}, "
              f"only Python {sorted(set(py) - set(c_pq))[:5]}")
        errors += 1
    for qid in sorted(set(py) & set(c_pq)):
        for m in trec_eval_ref.MEASURES:
            if round(py[qid][m], 4) != round(c_pq[qid][m], 4) and abs(py[qid][m] - c_pq[qid][m]) > 5e-5:
                print(f"{label}: {m} q{qid}: C {c_pq[qid][m]:.6f} Python {py[qid][m]:.6f}")
                errors += 1
    for m in trec_eval_ref.MEASURES:
        if abs(means[m] - c_result["mean"][m]) > 5e-5:
            print(f"{label}: mean {m}: C {c_result['mean'][m]:.6f} Python {means[m]:.6f}")
            errors += 1
    for key in ("excluded_no_relevant", "missing_from_run"):
        if counts[key] != c_result[key]:
            print(f"{label}: {key}: C {c_result[key]} Python {counts[key]}")
            errors += 1
    print(f"{label}: {len(py)} queries, map {means['map']:.4f} ndcg_cut_10 "
          f"{means['ndcg_cut_10']:.4f}, {errors} disagreements")
    return errors


def synthetic_files(tmp, seed):
    """Qrels and a run exercising the edge cases: coarse scores (many ties), repeated docids,
    grade-0 and negative judgments, judged queries missing from the run, run queries without
    judgments, a query whose only judgments are 0, docids that sort differently as numbers."""
    rnd = random.Random(seed)
    docs = [f"d{i}" for i in range(60)] + [str(i) for i in range(1, 40)] + ["a#b", "Z", "é"]
    qrels, run = [], []
    for q in range(1, 31):
        qid = str(q)
        if q % 7 != 0:  # every 7th query: absent from the qrels
            judged = rnd.sample(docs, rnd.randint(1, 25))
            for d in judged:
                grade = rnd.choice([0, 0, 1, 2, 3, 4, -1]) if q % 11 else 0
                qrels.append(f"{qid} 0 {d} {grade}")
        if q % 5 == 0:  # every 5th query: absent from the run
            continue
        for rank, d in enumerate(rnd.sample(docs, rnd.randint(0, 80)), 1):
            score = rnd.choice([1, 2, 3, 5.5, 10]) if q % 2 else rnd.random() * 20
            run.append(f"{qid} Q0 {d} {rank} {score} synthetic")
            if rnd.random() < 0.05:  # a repeat of the same docid, placed anywhere
                run.append(f"{qid} Q0 {d} {rank} {rnd.choice([0, 1, 99])} synthetic")
    rnd.shuffle(run)
    qrels_path, run_path = os.path.join(tmp, f"q{seed}.qrels"), os.path.join(tmp, f"r{seed}.run")
    topics_path = os.path.join(tmp, f"t{seed}.tsv")
    with open(qrels_path, "w", encoding="utf-8") as f:
        f.write("\n".join(qrels) + "\n")
    with open(run_path, "w", encoding="utf-8") as f:
        f.write("\n".join(run) + "\n")
    with open(topics_path, "w", encoding="utf-8") as f:
        f.write("".join(f"{q}\tquery {q}\n" for q in range(1, 40, 2)))
    return qrels_path, run_path, topics_path


def synthetic(ofsearch):
    errors = 0
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(1, 9):
            qrels, run, topics = synthetic_files(tmp, seed)
            errors += compare(f"synthetic {seed}", c_eval(ofsearch, ["--qrels", qrels, "--run", run]),
                              qrels, run)
            errors += compare(f"synthetic {seed} run-queries-only",
                              c_eval(ofsearch, ["--qrels", qrels, "--run", run,
                                                "--run-queries-only"]),
                              qrels, run, run_queries_only=True)
            errors += compare(f"synthetic {seed} topics",
                              c_eval(ofsearch, ["--qrels", qrels, "--run", run, "--topics", topics]),
                              qrels, run, topics=topics)
    return errors


def cranfield(ofsearch):
    if not os.path.isfile(os.path.join(CRANFIELD, "docs.jsonl")):
        print(f"SKIP: Cranfield corpus not found at {CRANFIELD}")
        return SKIP
    with tempfile.TemporaryDirectory() as tmp:
        db, run = os.path.join(tmp, "cran.db"), os.path.join(tmp, "cran.run")
        built = subprocess.run([ofsearch, "index", "--db", db, "-q", "--collection",
                                "cranfield=" + os.path.join(CRANFIELD, "docs.jsonl")],
                               capture_output=True, text=True)
        if built.returncode != 0:
            print(f"SKIP: ofsearch index does not work yet: {built.stderr.strip()[:300]}")
            return SKIP
        qrels, topics = os.path.join(CRANFIELD, "qrels.txt"), os.path.join(CRANFIELD, "topics.tsv")
        probe = subprocess.run([ofsearch, "search", "--db", db, "--json", "wing"],
                               capture_output=True, text=True)
        if probe.returncode not in (0, 1):
            print(f"SKIP: ofsearch search does not work yet: {probe.stderr.strip()[:300]}")
            return SKIP
        result = c_eval(ofsearch, ["--db", db, "--topics", topics, "--qrels", qrels,
                                   "--run-out", run, "--depth", "1000"])
        errors = compare("cranfield", result, qrels, run, topics=topics)
        # Scoring the written run from the file must give what the in-memory run gave.
        errors += compare("cranfield re-read", c_eval(ofsearch, ["--qrels", qrels, "--run", run,
                                                                 "--topics", topics]),
                          qrels, run, topics=topics)
    return 1 if errors else 0


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("synthetic", "cranfield"):
        print(__doc__, file=sys.stderr)
        return 2
    if sys.argv[1] == "synthetic":
        return 1 if synthetic(sys.argv[2]) else 0
    return cranfield(sys.argv[2])


if __name__ == "__main__":
    sys.exit(main())
