#!/usr/bin/env python3
"""Replicated tldr-pages corpora and the query set of the scale benchmark (benchmarks/scale/run.sh).

  corpus.py copies TARBALL WORK N     WORK/copies/c00 .. c{N-1}: the tarball's pages, each copy
                                      with one extra word a page (copy 0 is perturbed too)
  corpus.py queries WORK/copies/c00 N OUT   N distinct one-to-three-word queries drawn from
                                      copy 0's pages, one a line (OUT.kinds: the kind of each)

Everything is seeded, so the same tarball always gives the same bytes: copy k depends only on k,
so the 4x corpus holds the 1x one, and the queries (from copy 0) are valid at every size.
"""
import os
import random
import re
import shutil
import sys
import tarfile

SEED = "ofs-scale-1"  # changing it (or this file's rules) changes every figure: bump the name
WORD = re.compile(r"[^\W\d_]+")  # runs of letters, any script


def read_pages(tarball):
    """(path, text) of every Markdown page in the tarball, sorted by path."""
    pages = []
    with tarfile.open(tarball, "r:*") as tar:
        for m in tar:
            if m.isfile() and m.name.endswith(".md"):
                pages.append((m.name, tar.extractfile(m).read().decode("utf-8", "replace")))
    pages.sort()
    return pages


def words(text):
    """The words of 3-20 letters all ASCII, lowercased: what every system tokenizes alike (a word
    with an accent is left out whole, not cut at the accent)."""
    return [w.lower() for w in WORD.findall(text) if w.isascii() and 3 <= len(w) <= 20]


def perturb(text, extra, rng):
    """The page with `extra` inserted among the words of its first description line ("> ..."),
    after a word chosen by rng, or appended as a line when there is none."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("> "):
            parts = line[2:].split(" ")
            at = rng.randint(1, len(parts))
            lines[i] = "> " + " ".join(parts[:at] + [extra] + parts[at:])
            return "\n".join(lines)
    return text.rstrip("\n") + "\n\n> " + extra + "\n"


def make_copies(tarball, work, n):
    pages = read_pages(tarball)
    vocab = sorted({w for _, text in pages for w in words(text)})
    st = os.stat(tarball)
    made = "%s %s %d %d" % (SEED, os.path.basename(tarball), st.st_size, len(pages))
    for k in range(n):
        root = os.path.join(work, "copies", "c%02d" % k)
        stamp = os.path.join(root, ".made")
        if os.path.exists(stamp) and open(stamp).read() == made:
            continue
        tmp = root + ".tmp"
        for old in (tmp, root):
            shutil.rmtree(old, ignore_errors=True)
        for path, text in pages:
            rng = random.Random("%s:%d:%s" % (SEED, k, path))
            out = os.path.join(tmp, path)
            os.makedirs(os.path.dirname(out), exist_ok=True)
            with open(out, "w", encoding="utf-8") as f:
                f.write(perturb(text, vocab[rng.randrange(len(vocab))], rng))
        with open(os.path.join(tmp, ".made"), "w") as f:
            f.write(made)
        os.rename(tmp, root)
        print("copy %d: %d pages" % (k, len(pages)), file=sys.stderr)


def make_queries(copy0, n, out):
    """A mix of what people type: words in a row from one page (phrase), words from anywhere in
    one page (page), words from different pages (mixed: often no section holds them all, so the
    any-word fallback runs), and words drawn from the vocabulary regardless of frequency (rare).
    Words drawn from running text are frequency-weighted, so common words come often."""
    pages = []
    for dirpath, dirnames, filenames in os.walk(copy0):
        dirnames.sort()
        for name in sorted(filenames):
            if name.endswith(".md"):
                with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                    w = words(f.read())
                if w:
                    pages.append(w)
    vocab = sorted({w for p in pages for w in p})
    rng = random.Random(SEED + ":queries")
    seen, queries = set(), []
    while len(queries) < n:
        k = rng.randint(1, 3)
        r = rng.random()
        page = rng.choice(pages)
        if r < 0.35:
            kind = "phrase"
            start = rng.randrange(len(page))
            q = page[start:start + k]
        elif r < 0.65:
            kind = "page"
            q = [rng.choice(page) for _ in range(k)]
        elif r < 0.85:
            kind = "mixed"
            q = [rng.choice(rng.choice(pages)) for _ in range(max(k, 2))]
        else:
            kind = "rare"
            q = [rng.choice(vocab) for _ in range(k)]
        text = " ".join(q)
        if text in seen:
            continue
        seen.add(text)
        queries.append((kind, text))
    with open(out, "w") as f:
        f.writelines(text + "\n" for _, text in queries)
    with open(out + ".kinds", "w") as f:
        f.writelines(kind + "\n" for kind, _ in queries)


def main(argv):
    if len(argv) == 5 and argv[1] == "copies":
        make_copies(argv[2], argv[3], int(argv[4]))
    elif len(argv) == 5 and argv[1] == "queries":
        make_queries(argv[2], int(argv[3]), argv[4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
