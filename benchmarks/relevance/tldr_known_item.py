#!/usr/bin/env python3
"""Builds the tldr-pages known-item task for `ofsearch eval` (docs/eval.md, "tldr-pages").

For each language directory (pages for English, pages.<lang> otherwise) it samples N pages with a
fixed seed and writes two topic files and one qrels file into OUT:
  <lang>.desc.tsv   query = the page's first description line (the first `> ` line), as a user
                    who remembers what the command does would type it, trailing period removed
  <lang>.name.tsv   query = the command name from the `# name` title line
  <lang>.qrels      the sampled page (its path under the language directory) is the one target
Only pages that can be a known item are sampled: a title and a description line, no backtick in
the description (alias and "superseded by `x`" stubs point at another page), and a description
no other page of the language shares.
Usage: tldr_known_item.py TLDR_ROOT OUT N SEED LANG...
"""
import os
import random
import sys


def pages_of(root):
    found = []
    for dirpath, _, files in os.walk(root):
        for name in files:
            if name.endswith(".md"):
                found.append(os.path.relpath(os.path.join(dirpath, name), root))
    return sorted(found)


def read_page(path):
    """(command name, first description line) or None when the page lacks one of them."""
    title = desc = None
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            line = line.strip()
            if title is None and line.startswith("# "):
                title = line[2:].strip()
            elif desc is None and line.startswith("> "):
                desc = line[2:].strip().rstrip(".").strip()
            if title and desc:
                return title, desc
    return None


def clean(text):
    return " ".join(text.replace("\t", " ").split())


def main(argv):
    if len(argv) < 6:
        print(__doc__, file=sys.stderr)
        return 2
    root, out, n, seed, langs = argv[1], argv[2], int(argv[3]), int(argv[4]), argv[5:]
    os.makedirs(out, exist_ok=True)
    for lang in langs:
        lang_dir = os.path.join(root, "pages" if lang == "en" else "pages." + lang)
        if not os.path.isdir(lang_dir):
            print(f"tldr: no {lang_dir}, skipping {lang}", file=sys.stderr)
            continue
        # Seeded per language so adding a language does not change another's sample.
        rnd = random.Random(seed * 1000003 + sum(lang.encode()))
        parsed = {rel: read_page(os.path.join(lang_dir, rel)) for rel in pages_of(lang_dir)}
        seen = {}
        for rel, p in parsed.items():
            if p:
                seen[p[1]] = seen.get(p[1], 0) + 1
        candidates = [rel for rel, p in parsed.items()
                      if p and "`" not in p[1] and seen[p[1]] == 1 and " " not in rel]
        sample = rnd.sample(candidates, min(n, len(candidates)))
        with open(os.path.join(out, lang + ".desc.tsv"), "w", encoding="utf-8") as d, \
             open(os.path.join(out, lang + ".name.tsv"), "w", encoding="utf-8") as t, \
             open(os.path.join(out, lang + ".qrels"), "w", encoding="utf-8") as q:
            for i, rel in enumerate(sample, 1):
                name, desc = parsed[rel]
                qid = f"{lang}-{i:03d}"
                d.write(f"{qid}\t{clean(desc)}\n")
                t.write(f"{qid}\t{clean(name)}\n")
                q.write(f"{qid} 0 {rel} 1\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
