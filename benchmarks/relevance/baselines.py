#!/usr/bin/env python3
"""Baseline runs for the relevance suite (docs/eval.md, "Baselines"): the text units an ofsearch
index holds, searched by plain SQLite FTS5 with bm25() (tokenizers `unicode61` and
`porter unicode61`), written as TREC runs that `ofsearch eval --run` scores beside ofsearch's own.

The units are read out of the ofsearch index (its `sections` table: title, headings, body, code,
meta), so every system sees the same sections and the same extracted text:
  section  one unit per indexed section, judged docid as `ofsearch eval --docid MODE` maps a hit
  page     one unit per document (all its sections' text joined), docid = id or path
A document's later sections that map to a docid already ranked are dropped, as ofsearch eval does.

    baselines.py --db OFS.db --topics T.tsv --docid id|path|anchor --depth N --out DIR
                 [--collection NAME] [--granularity section,page]
writes DIR/units-<g>.jsonl (read by lunr_run.js) and DIR/fts5-unicode61-<g>.run,
DIR/fts5-porter-<g>.run. Python stdlib only (its sqlite3 has FTS5).
"""
import argparse
import json
import os
import sqlite3
import sys

FIELDS = ("title", "headings", "body", "code", "meta")
TOKENIZERS = {"fts5-unicode61": "unicode61", "fts5-porter": "porter unicode61"}


def encode_part(s):
    """Percent-encodes whitespace and '%', as lib/eval_io.c does for docids in TREC files."""
    out = []
    for ch in s:
        if ch in " \t\n\r\v\f%":
            out.append("".join(f"%{b:02X}" for b in ch.encode()))
        else:
            out.append(ch)
    return "".join(out)


def hit_docid(docid, path, url, mode):
    """ofs_eval_hit_docid() in Python: the judged docid of a section."""
    base = docid if mode == "id" and docid else (path or "")
    frag = None
    if mode == "anchor" and url and "#" in url:
        frag = url[url.index("#") + 1:] or None
    return encode_part(base) + ("#" + encode_part(frag) if frag else "")


def read_units(db, collection, mode, granularity):
    """The index's sections (or pages) as dicts: docid plus the five text fields."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    sql = ("SELECT d.id, d.docid, d.path, d.title, s.url, s.title, s.headings, s.body, s.code,"
           " s.meta FROM sections s JOIN documents d ON d.id = s.document_id"
           " JOIN collections c ON c.id = d.collection_id"
           + (" WHERE c.name = ?" if collection else "") + " ORDER BY d.id, s.ord")
    rows = con.execute(sql, (collection,) if collection else ()).fetchall()
    con.close()
    units = []
    if granularity == "section":
        for _, docid, path, _, url, title, headings, body, code, meta in rows:
            units.append({"docid": hit_docid(docid, path, url, mode), "title": title or "",
                          "headings": headings or "", "body": body or "", "code": code or "",
                          "meta": meta or ""})
        return units
    # One unit per page: the document's title; its sections' titles as headings; bodies, code
    # and meta joined. Page docids never carry an anchor.
    page_mode = "path" if mode == "anchor" else mode
    by_doc = {}
    for did, docid, path, dtitle, url, title, _, body, code, meta in rows:
        u = by_doc.get(did)
        if u is None:
            u = by_doc[did] = {"docid": hit_docid(docid, path, None, page_mode),
                               "title": dtitle or title or "", "headings": [], "body": [],
                               "code": [], "meta": []}
        if title and title != u["title"]:
            u["headings"].append(title)
        for k, v in (("body", body), ("code", code), ("meta", meta)):
            if v:
                u[k].append(v)
    for u in by_doc.values():
        for k in ("headings", "body", "code", "meta"):
            u[k] = "\n".join(u[k])
        units.append(u)
    return units


def read_topics(path):
    topics = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n").rstrip("\r")
            if not line.strip() or line.startswith("#") or "\t" not in line:
                continue
            qid, query = line.split("\t", 1)
            topics.append((qid.strip(), query))
    return topics


class Fts5Baseline:
    """An in-memory FTS5 table over the units with one tokenizer; queries are the OR of the
    query's words as unicode61 splits them (each word quoted, so nothing is FTS5 syntax), ranked
    by bm25() with FTS5's defaults (every column weight 1)."""

    def __init__(self, units, tokenize):
        self.con = sqlite3.connect(":memory:")
        self.con.execute(f"CREATE VIRTUAL TABLE fts USING fts5({', '.join(FIELDS)},"
                         f" tokenize='{tokenize}')")
        self.con.executemany(f"INSERT INTO fts(rowid, {', '.join(FIELDS)}) VALUES (?,?,?,?,?,?)",
                             ((i, *(u[f] for f in FIELDS)) for i, u in enumerate(units)))
        # The query's words: unicode61's own split, read back through fts5vocab.
        self.con.execute("CREATE VIRTUAL TABLE q USING fts5(x, tokenize='unicode61')")
        self.con.execute("CREATE VIRTUAL TABLE qv USING fts5vocab(q, 'instance')")
        self.units = units

    def words(self, query):
        self.con.execute("DELETE FROM q")
        self.con.execute("INSERT INTO q(rowid, x) VALUES (1, ?)", (query,))
        seen, out = set(), []
        for (term,) in self.con.execute("SELECT term FROM qv ORDER BY offset"):
            if term not in seen:
                seen.add(term)
                out.append(term)
        return out

    def search(self, query, depth):
        words = self.words(query)
        if not words:
            return []
        expr = " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
        # Sections of one docid collapse to the best-ranked: ask for more than depth.
        rows = self.con.execute("SELECT rowid, bm25(fts) FROM fts WHERE fts MATCH ?"
                                " ORDER BY bm25(fts), rowid LIMIT ?", (expr, depth * 20))
        hits, seen = [], set()
        for rowid, score in rows:
            d = self.units[rowid]["docid"]
            if d and d not in seen:
                seen.add(d)
                hits.append((d, -score))
                if len(hits) == depth:
                    break
        return hits


def write_run(path, tag, topics, search, depth):
    with open(path, "w", encoding="utf-8") as out:
        for qid, query in topics:
            for rank, (docid, score) in enumerate(search(query, depth), 1):
                out.write(f"{qid} Q0 {docid} {rank} {score:.17g} {tag}\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--topics", required=True)
    ap.add_argument("--docid", choices=("id", "path", "anchor"), default="id")
    ap.add_argument("--depth", type=int, default=100)
    ap.add_argument("--collection")
    ap.add_argument("--granularity", default="section")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    topics = read_topics(a.topics)
    for g in a.granularity.split(","):
        if g not in ("section", "page"):
            ap.error(f"granularity is section or page, not {g}")
        units = read_units(a.db, a.collection, a.docid, g)
        if not units:
            print(f"baselines: no sections in {a.db}"
                  + (f" for collection {a.collection}" if a.collection else ""), file=sys.stderr)
            return 1
        with open(os.path.join(a.out, f"units-{g}.jsonl"), "w", encoding="utf-8") as fh:
            for u in units:
                fh.write(json.dumps(u, ensure_ascii=False) + "\n")
        for name, tokenize in TOKENIZERS.items():
            b = Fts5Baseline(units, tokenize)
            write_run(os.path.join(a.out, f"{name}-{g}.run"), f"{name}-{g}", topics, b.search,
                      a.depth)
    return 0


if __name__ == "__main__":
    sys.exit(main())
