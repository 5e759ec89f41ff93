#!/usr/bin/python3
"""Which unicode61 words does the `ofs` tokenizer fail to find? Indexes the English tldr pages
three times (unicode61, ofs, ofs compounds 0), draws 1,000 random words from unicode61's
vocabulary (fts5vocab, fixed seed) and counts the words with zero hits on each ofs table.
usage: compounds.py PATH/libofsearch_ext.so TLDR_DIR [N] [SEED]   (needs Debian's python3, whose
sqlite3 module can load extensions)"""
import os
import random
import sqlite3
import sys


def main():
    ext, root = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    pages = os.path.join(root, "pages")
    docs = []
    for d, _, files in os.walk(pages):
        for f in sorted(files):
            if f.endswith(".md"):
                with open(os.path.join(d, f), encoding="utf-8", errors="replace") as fh:
                    docs.append((fh.read(),))
    db = sqlite3.connect(":memory:")
    db.enable_load_extension(True)
    db.load_extension(ext.removesuffix(".so"))
    db.executescript("""
        CREATE VIRTUAL TABLE u USING fts5(body, tokenize='unicode61');
        CREATE VIRTUAL TABLE o USING fts5(body, tokenize='ofs');
        CREATE VIRTUAL TABLE n USING fts5(body, tokenize='ofs compounds 0');
        CREATE VIRTUAL TABLE uv USING fts5vocab(u, 'row');""")
    for t in "uon":
        db.executemany(f"INSERT INTO {t}(body) VALUES (?)", docs)
    vocab = sorted(r[0] for r in db.execute("SELECT term FROM uv"))
    words = random.Random(seed).sample(vocab, min(n, len(vocab)))
    print(f"{len(docs)} English pages, {len(vocab)} unicode61 terms, {len(words)} sampled (seed {seed})")
    for table, label in (("u", "unicode61 (sanity)"), ("o", "ofs (compounds 1)"),
                         ("n", "ofs compounds 0 (plain ICU words)")):
        missed = []
        for w in words:
            q = '"' + w.replace('"', '""') + '"'
            if db.execute(f"SELECT count(*) FROM {table} WHERE {table} MATCH ?", (q,)).fetchone()[0] == 0:
                missed.append(w)
        print(f"{label:36s} {len(missed):4d} of {len(words)} words found nothing")
        if missed and os.environ.get("VERBOSE"):
            print("   ", " ".join(missed[:60]))


if __name__ == "__main__":
    main()
