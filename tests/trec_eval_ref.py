#!/usr/bin/env python3
"""An independent reference for `ofsearch eval`: trec_eval's measures re-derived in plain Python.

Written apart from lib/eval.c on purpose (dicts and list comprehensions instead of sorted arrays
and binary search) so that two implementations of the same definitions can check each other.

    trec_eval_ref.py QRELS RUN [--topics TOPICS] [--run-queries-only] [--json]

prints `measure<TAB>qid<TAB>value` lines like trec_eval -q (qid "all" for the mean), or JSON.
Definitions are those of docs/eval.md: the run is ordered by score descending, ties by docid
descending (byte order), rank column ignored; a repeated docid keeps its first place; relevant
means grade > 0; queries without relevant judgments are excluded; a judged query absent from the
run scores 0 unless --run-queries-only.
"""
import argparse
import json
import math
import sys
from collections import defaultdict
from functools import cmp_to_key

MEASURES = ("map", "ndcg_cut_10", "P_10", "recall_100", "recip_rank_10")


def load_qrels(path):
    """{qid: {docid: grade}}, the higher grade winning for repeated pairs."""
    judgments = defaultdict(dict)
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, 1):
            parts = raw.split()
            if not parts:
                continue
            if len(parts) != 4:
                raise ValueError(f"qrels line {number}: {raw!r}")
            qid, _, doc, grade = parts
            grade = int(grade)
            judgments[qid][doc] = max(grade, judgments[qid].get(doc, grade))
    return judgments


def load_run(path):
    """{qid: [(score, docid), ...]} in file order."""
    retrieved = defaultdict(list)
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, 1):
            parts = raw.split()
            if not parts:
                continue
            if len(parts) != 6:
                raise ValueError(f"run line {number}: {raw!r}")
            score = float(parts[4])
            if math.isnan(score):
                raise ValueError(f"run line {number}: NaN score")
            retrieved[parts[0]].append((score, parts[2]))
    return retrieved


def load_topic_ids(path):
    ids = []
    with open(path, "rb") as fh:
        for raw in fh:
            line = raw.rstrip(b"\r\n")
            if not line.strip() or line.startswith(b"#"):
                continue
            ids.append(line.split(b"\t", 1)[0].strip())
    return ids


def trec_order(entries):
    """trec_eval's comp_sim_docno: higher score first, equal scores by docid descending.
    Python's sort is stable, so among identical (score, docid) the file order survives."""
    def compare(x, y):
        if x[0] != y[0]:
            return -1 if x[0] > y[0] else 1
        return (x[1] < y[1]) - (x[1] > y[1])
    ranked, seen = [], set()
    for score, doc in sorted(entries, key=cmp_to_key(compare)):
        if doc not in seen:
            seen.add(doc)
            ranked.append(doc)
    return ranked


def measures_for(ranked, judged):
    grades = [judged.get(doc, 0) for doc in ranked]
    relevant_total = sum(1 for g in judged.values() if g > 0)
    hits = [g > 0 for g in grades]

    precisions = [sum(hits[: i + 1]) / (i + 1) for i, hit in enumerate(hits) if hit]
    first = next((i + 1 for i, hit in enumerate(hits) if hit), None)
    gains = [max(g, 0) for g in grades[:10]]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sorted((g for g in judged.values() if g > 0), reverse=True)[:10]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return {
        "map": sum(precisions) / relevant_total,
        "ndcg_cut_10": dcg / idcg if idcg else 0.0,
        "P_10": sum(hits[:10]) / 10,
        "recall_100": sum(hits[:100]) / relevant_total,
        "recip_rank_10": 1 / first if first is not None and first <= 10 else 0.0,
    }


def natural_key(qid):
    digits = qid != "" and all(c in "0123456789" for c in qid)
    return (0, int(qid), qid) if digits else (1, 0, qid)


def evaluate(qrels, run, candidates=None, run_queries_only=False):
    """Returns ({qid: {measure: value}}, {measure: mean}, counts)."""
    if candidates is None:
        candidates = list(qrels)
    per_query, excluded, missing = {}, 0, 0
    for qid in candidates:
        judged = qrels.get(qid, {})
        if not any(g > 0 for g in judged.values()):
            excluded += 1
            continue
        if not run.get(qid):
            missing += 1
            if run_queries_only:
                continue
        per_query[qid] = measures_for(trec_order(run.get(qid, [])), judged)
    means = {m: (sum(v[m] for v in per_query.values()) / len(per_query) if per_query else 0.0)
             for m in MEASURES}
    counts = {"queries": len(per_query), "excluded_no_relevant": excluded,
              "missing_from_run": missing}
    return per_query, means, counts


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("qrels")
    ap.add_argument("run")
    ap.add_argument("--topics", help="evaluate only these qids (qid<TAB>text lines)")
    ap.add_argument("--run-queries-only", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    candidates = load_topic_ids(args.topics) if args.topics else None
    per_query, means, counts = evaluate(load_qrels(args.qrels), load_run(args.run), candidates,
                                        args.run_queries_only)
    text = lambda b: b.decode("utf-8", "surrogateescape")
    if args.json:
        json.dump({"mean": means, "counts": counts,
                   "per_query": {text(q): v for q, v in per_query.items()}}, sys.stdout, indent=1)
        print()
        return 0
    for qid in sorted(per_query, key=lambda q: natural_key(text(q))):
        for m in MEASURES:
            print(f"{m}\t{text(qid)}\t{per_query[qid][m]:.4f}")
    for m in MEASURES:
        print(f"{m}\tall\t{means[m]:.4f}")
    print(f"num_q\tall\t{counts['queries']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
