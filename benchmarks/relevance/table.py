#!/usr/bin/env python3
"""Prints the relevance suite's one table (docs/eval.md, "The table") from the comparisons
run.sh wrote: per collection, ofsearch's defaults and every baseline on MAP, nDCG@10, P@10,
R@100 and MRR@10, each baseline value followed by the paired randomization test's p for its
difference from ofsearch. Also writes the table as Markdown and TSV next to the manifest.

    table.py MANIFEST   # lines: collection<TAB>compare.json (`ofsearch eval --run ... --json`)
The first run of every comparison is ofsearch's; the run file names say which baseline the
others are (fts5-unicode61-section.run, lunr-page.run, ...).
"""
import json
import os
import sys

MEASURES = (("map", "MAP"), ("ndcg_cut_10", "nDCG@10"), ("P_10", "P@10"),
            ("recall_100", "R@100"), ("recip_rank_10", "MRR@10"))
ALPHA = 0.05


def system_name(run_name):
    """'fts5-porter-page.run' -> 'fts5 porter (pages)'; 'ofsearch.run' -> 'ofsearch'."""
    base = run_name[:-4] if run_name.endswith(".run") else run_name
    page = base.endswith("-page")
    for suffix in ("-section", "-page"):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
    base = base.replace("fts5-", "fts5 ")
    return base + (" (pages)" if page else "")


def mark(delta, p):
    """'*': ofsearch significantly better; '!': the baseline significantly better."""
    if p >= ALPHA or delta == 0:
        return " "
    return "!" if delta > 0 else "*"


def rows_of(collection, compare):
    configs = compare["configs"]
    first = configs[0]
    rows = [(collection, system_name(first["name"]), first["queries"],
             [(first["mean"][m], None, None) for m, _ in MEASURES])]
    for c in configs[1:]:
        vs = c["vs_first"]
        rows.append((collection, system_name(c["name"]), c["queries"],
                     [(c["mean"][m], vs["delta"][m], vs["p"][m]) for m, _ in MEASURES]))
    return rows


def cell(value, delta, p):
    if p is None:
        return f"{value:.4f}"
    pt = f"{p:.4f}".lstrip("0") if p < 1 else "1.000"
    return f"{value:.4f} {pt}{mark(delta, p)}"


def md_cell(value, delta, p):
    if p is None:
        return f"{value:.4f}"
    m = {"*": r" \*", "!": " !", " ": ""}[mark(delta, p)]
    return f"{value:.4f} (p {p:.4f}){m}"


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    manifest = argv[1]
    rows = []
    with open(manifest, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                collection, path = line.rstrip("\n").split("\t")
                with open(path, encoding="utf-8") as jf:
                    rows.extend(rows_of(collection, json.load(jf)))
    if not rows:
        print("no collection was evaluated")
        return 1
    cw = max(len("collection"), *(len(r[0]) for r in rows))
    sw = max(len("system"), *(len(r[1]) for r in rows))
    head = f"{'collection':<{cw}}  {'system':<{sw}} {'q':>5}" + "".join(
        f"  {label:<13}" for _, label in MEASURES)
    print(head.rstrip())
    print("-" * len(head.rstrip()))
    prev = None
    for coll, system, q, cells in rows:
        shown = coll if coll != prev else ""
        prev = coll
        line = f"{shown:<{cw}}  {system:<{sw}} {q:>5}" + "".join(
            f"  {cell(*c):<13}" for c in cells)
        print(line.rstrip())
    print(f"Baseline cells: value, then p of the two-sided paired randomization test of its "
          f"difference from ofsearch (10,000 permutations);\n* ofsearch significantly better, "
          f"! ofsearch significantly worse (p < {ALPHA}).")

    losses = [(coll, system, label, c[0], c[1], c[2]) for coll, system, _, cells in rows
              for (_, label), c in zip(MEASURES, cells) if c[2] is not None
              and c[2] < ALPHA and c[1] > 0]
    print()
    if losses:
        print("Where ofsearch's defaults lose significantly:")
        for coll, system, label, value, delta, p in losses:
            print(f"  {coll}: {label} vs {system} {value:.4f} ({delta:+.4f}, p {p:.4f})")
    else:
        print("ofsearch's defaults lose significantly nowhere.")

    out = os.path.dirname(os.path.abspath(manifest))
    with open(os.path.join(out, "table.md"), "w", encoding="utf-8") as md, \
         open(os.path.join(out, "table.tsv"), "w", encoding="utf-8") as tsv:
        md.write("| collection | system | q | " + " | ".join(l for _, l in MEASURES) + " |\n")
        md.write("|---|---|---|" + "---|" * len(MEASURES) + "\n")
        tsv.write("collection\tsystem\tqueries\t" + "\t".join(
            f"{l}\t{l} delta\t{l} p" for _, l in MEASURES) + "\n")
        prev = None
        for coll, system, q, cells in rows:
            md.write(f"| {coll if coll != prev else ''} | {system} | {q} | "
                     + " | ".join(md_cell(*c) for c in cells) + " |\n")
            prev = coll
            tsv.write(f"{coll}\t{system}\t{q}\t" + "\t".join(
                f"{v:.4f}\t" + ("" if d is None else f"{d:+.4f}") + "\t" +
                ("" if p is None else f"{p:.4f}") for v, d, p in cells) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
