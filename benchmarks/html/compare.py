"""HTML5 correctness of libxml2's HTML parser and of Gumbo, against html5lib (python3-html5lib, a
tree builder written to the WHATWG algorithm) as the reference. Each page's tree is written in
one canonical form (see html_parsers.c) by the three; compared are the whole tree and the text
as extraction sees it (the body's text in document order, outside script/style/template).
usage: compare.py HTML_PARSERS_BINARY LABEL FILE...   (prints per-file results for <= 20 files,
else totals)"""
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import html5lib

NS = {"http://www.w3.org/2000/svg": "svg ", "http://www.w3.org/1998/Math/MathML": "math "}
WS = re.compile(r"[ \t\n\f\r]+")  # HTML white space: not NBSP


def canon_html5lib(data):
    """html5lib's tree of data (bytes; UTF-8 unless the page says otherwise) in the canonical
    form, walked without recursion."""
    root = html5lib.HTMLParser(namespaceHTMLElements=False).parse(data, default_encoding="utf-8")
    out, text = [], []

    def flush(depth):
        t = WS.sub(" ", "".join(text)).strip(" ")
        if t:
            # Collapsed like the C side: leading/trailing white space becomes nothing.
            out.append("  " * depth + '"' + t + '"')
        text.clear()

    pending_depth = [0]

    def add_text(s, depth):
        if s:
            if text and pending_depth[0] != depth:
                flush(pending_depth[0])
            text.append(s)
            pending_depth[0] = depth

    stack = [(root, 0, False)]
    while stack:
        el, depth, closing = stack.pop()
        if closing:  # the element's tail belongs to its parent's level
            add_text(el.tail, depth)
            continue
        if el.tag is ET.Comment:
            flush(pending_depth[0])
            out.append("  " * depth + "<!-- " + (el.text or "").replace("\n", " ") + " -->")
            stack.append((el, depth, True))
            continue
        flush(pending_depth[0])
        tag = el.tag
        prefix = ""
        if tag.startswith("{"):
            ns, tag = tag[1:].split("}", 1)
            prefix = NS.get(ns, "")
        out.append("  " * depth + prefix + tag.lower())
        attrs = []
        for k, v in el.attrib.items():
            if k.startswith("{"):
                k = k.split("}", 1)[1]
            attrs.append((k, v))
        for k, v in sorted(attrs):
            out.append("  " * (depth + 1) + "@" + k + "=" + v.replace("\n", " "))
        stack.append((el, depth, True))
        for child in reversed(list(el)):
            stack.append((child, depth + 1, False))
        add_text(el.text, depth + 1)
    flush(pending_depth[0])
    return out


def canon_c(binary, parser, files):
    """{path: lines} from html_parsers dump; document-level comments left out (html5lib's tree
    starts at <html>), indentation rebased so <html> is at depth 0."""
    res = subprocess.run([binary, "dump", parser] + files, capture_output=True, check=True)
    trees, cur = {}, None
    for line in res.stdout.decode("utf-8", "replace").split("\n"):
        if line.startswith("#file "):
            cur = trees.setdefault(line[6:], [])
        elif cur is not None and line and not line.startswith("<!--"):
            cur.append(line)
    return trees


def body_text(lines):
    """Text lines under <body>, outside script/style/template, in order: what extraction reads."""
    out, skip_depth, in_body = [], None, False
    for line in lines:
        depth = (len(line) - len(line.lstrip(" "))) // 2
        s = line.strip()
        if skip_depth is not None and depth > skip_depth:
            continue
        skip_depth = None
        if depth == 1 and not s.startswith("@") and not s.startswith('"'):
            in_body = s == "body"
        if not in_body:
            continue
        if s in ("script", "style", "template", "noscript"):
            skip_depth = depth
        elif s.startswith('"'):
            out.append(s[1:-1])
    return WS.sub(" ", " ".join(out)).strip()


def diff_lines(a, b):
    """Lines in one tree and not the other (a multiset difference, cheap on big pages)."""
    from collections import Counter
    ca, cb = Counter(a), Counter(b)
    return sum(((ca - cb) + (cb - ca)).values())


def main():
    binary, label, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    trees = {p: canon_c(binary, p, files) for p in ("libxml2", "gumbo")}
    verbose = len(files) <= 20
    tot = {p: {"tree": 0, "text": 0, "lines": 0} for p in trees}
    ref_lines = 0
    for f in files:
        with open(f, "rb") as fh:
            ref = canon_html5lib(fh.read())
        ref_lines += len(ref)
        ref_text = body_text(ref)
        row = []
        for p in ("libxml2", "gumbo"):
            got = trees[p].get(f, [])
            tree_ok = got == ref
            text_ok = body_text(got) == ref_text
            d = diff_lines(got, ref)
            tot[p]["tree"] += tree_ok
            tot[p]["text"] += text_ok
            tot[p]["lines"] += d
            row.append("%s: tree %s, text %s (%d lines differ)" %
                       (p, "same" if tree_ok else "DIFF", "same" if text_ok else "DIFF", d))
        if verbose:
            print("  %-24s %s" % (f.rsplit("/", 1)[-1], " | ".join(row)))
    print("%s: %d pages, html5lib's trees have %d lines" % (label, len(files), ref_lines))
    for p in ("libxml2", "gumbo"):
        t = tot[p]
        print("  %-8s same tree as html5lib: %4d/%d pages; same body text: %4d/%d; "
              "%d tree lines differ (%.2f%%)" % (p, t["tree"], len(files), t["text"], len(files),
                                                 t["lines"], 100.0 * t["lines"] / max(ref_lines, 1)))


if __name__ == "__main__":
    main()
