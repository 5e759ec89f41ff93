#!/usr/bin/env python3
"""Integration tests of ofsearchd's /doc/ pages: an indexed Markdown file rendered as HTML with
heading ids equal to the anchors search hits point at, glossary <a id> anchors, no raw HTML,
confinement to the collection root (traversal, encoded dots and NULs, absolute paths, symlinks,
files not in the index), url rewriting in /api/search and /api/suggest, --no-doc-pages and
OFSEARCH_NO_DOC_PAGES. Fixtures are written here. Exit 0 pass, 1 fail, 77 skip."""
import html.parser
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_searchd as t  # noqa: E402  -- shares the daemon helpers

SECRET = "TOP-SECRET-OUTSIDE-THE-ROOT"

PAGES = {
    "guide.md": """---
title: The Guide
description: front matter must not show
---
# Guide

Intro text about lanterns. See [the glossary](sub/glossary.md#zephyr-term).

## Install

Install the lantern.

## Install

Again, for the second host.

### Café & crème

Accents.

## Custom anchor {#my-own-id}

Text.

<script>alert("pwned")</script>

<img src=x onerror="alert(1)">

[bad link](javascript:alert(2))
""",
    "sub/glossary.md": """# Glossary

<a id="zephyr-term"></a>**Zephyr** is a gentle lantern wind.

<a name="quasar_term"></a>**Quasar** is a bright lantern.

<a id="bad id" onclick="x()"></a>**Broken** is a term whose anchor is unsafe.
""",
    "with space/page one.md": "# Spaced page\n\nLantern in a spaced path.\n",
}


def write_fixtures(root):
    docs = os.path.join(root, "docs")
    for rel, text in PAGES.items():
        path = os.path.join(docs, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    with open(os.path.join(root, "secret.md"), "w") as f:
        f.write("# Secret\n\n" + SECRET + "\n")
    # A symlink pointing outside the root (the indexer may or may not follow it).
    os.symlink(os.path.join(root, "secret.md"), os.path.join(docs, "escape.md"))
    with open(os.path.join(docs, "victim.md"), "w") as f:
        f.write("# Victim\n\nIndexed, then swapped for a symlink.\n")
    return docs


class Ids(html.parser.HTMLParser):
    """Collects every id attribute, and whether any script/iframe/event handler appears."""

    def __init__(self):
        super().__init__()
        self.ids, self.bad = set(), []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "object", "embed", "img"):
            self.bad.append(tag)
        for k, v in attrs:
            if k == "id":
                self.ids.add(v)
            if k.startswith("on") or (k in ("href", "src") and v and
                                      v.strip().lower().startswith(("javascript:", "vbscript:"))):
                self.bad.append("%s=%s" % (k, v))


def ids_of(body):
    p = Ids()
    p.feed(body.decode("utf-8"))
    return p


def doc_path_of(url):
    """/doc/c/p#a -> (c, p, a) decoded."""
    m = re.fullmatch(r"/doc/([^/#]+)/([^#]+)(?:#(.*))?", url)
    if not m:
        return None
    return tuple(urllib.parse.unquote(g) if g else "" for g in m.groups())


def test_rewriting(d):
    s, _, b = d.get_json("/api/search?q=lantern&limit=50")
    hits = b["hits"] if s == 200 else []
    t.check(len(hits) >= 5, "search finds the fixture pages (%d hits)" % len(hits))
    ours = [h for h in hits if h["collection"] == "docs"]
    t.check(ours and all(h["url"].startswith("/doc/docs/") for h in ours),
            "every hit of a collection without base URL links to /doc/: %s" %
            [h["url"] for h in ours if not h["url"].startswith("/doc/")])
    spaced = [h for h in hits if h["path"] == "with space/page one.md"]
    t.check(spaced and spaced[0]["url"].startswith("/doc/docs/with%20space/page%20one.md"),
            "path segments are percent-encoded: %s" % (spaced[0]["url"] if spaced else None))
    s, _, b = d.get_json("/api/search?q=base+lantern&collection=web")
    t.check(s == 200 and b["hits"] and
            all(h["url"].startswith("https://example.org/web/") for h in b["hits"]),
            "hits of a collection with a base URL keep their absolute url")
    s, _, b = d.get_json("/api/suggest?q=zeph")
    urls = [x["url"] for x in b.get("suggestions", [])] if s == 200 else []
    t.check("/doc/docs/sub/glossary.md#zephyr-term" in urls,
            "suggestions link to /doc/ pages too: %s" % urls)
    # Its path alone (guide.md) also names a page of the first collection.
    s, _, b = d.get_json("/api/suggest?q=xyloph")
    urls = [x["url"] for x in b.get("suggestions", [])] if s == 200 else []
    t.check(len(urls) == 1 and doc_path_of(urls[0])[:2] == ("more", "guide.md"),
            "a suggestion links to its own collection's page: %s" % urls)
    t.check([x.get("collection") for x in b.get("suggestions", [])] == ["more"],
            "a suggestion names its collection: %s" % b.get("suggestions"))
    return hits


def test_anchors(d, hits):
    pages = {}
    for h in hits:
        parts = doc_path_of(h["url"])
        if not parts:
            continue
        coll, path, anchor = parts
        if path not in pages:
            s, hdrs, body = d.get(h["url"].split("#")[0])
            t.check(s == 200 and hdrs.get("content-type", "").startswith("text/html"),
                    "GET %s renders (%s)" % (h["url"], s))
            pages[path] = (hdrs, body)
        if anchor:
            t.check(anchor in ids_of(pages[path][1]).ids,
                    "anchor #%s of hit %r is an id in the page" % (anchor, h["title"]))
    hdrs, body = pages.get("guide.md", ({}, b""))
    p = ids_of(body)
    t.check({"install", "install-1", "café--crème", "my-own-id"} <= p.ids,
            "headings carry the indexer's slugs (dedup, Unicode, {#id}): %s" % sorted(p.ids))
    t.check(not p.bad and b"raw HTML omitted" in body, "raw HTML is not emitted: %s" % p.bad)
    t.check(b"<script" not in body and b"onerror" not in body and b"javascript:" not in body,
            "no <script>, event handler or javascript: link in the page")
    t.check(b"front matter must not show" not in body, "front matter is stripped")
    t.check(b"<title>The Guide</title>" in body, "page title from the index")
    t.check(b'href="../../"' in body, "header links back to the search page")
    t.check(b'href="sub/glossary.md#zephyr-term"' in body, "relative links kept as written")
    csp = hdrs.get("content-security-policy", "")
    t.check("default-src 'none'" in csp and "script-src" not in csp and "unsafe-inline" not in csp
            and "frame-ancestors 'none'" in csp, "strict CSP without scripts: %s" % csp)
    s, _, body = d.get("/doc/docs/sub/glossary.md")
    ids = ids_of(body).ids if s == 200 else set()
    t.check({"zephyr-term", "quasar_term", "glossary"} <= ids, "glossary anchors exist: %s" % ids)
    t.check(not any(" " in i for i in ids) and b"onclick" not in body, "unsafe <a id> dropped")
    s, _, _ = d.get("/doc/docs/with%20space/page%20one.md")
    t.check(s == 200, "percent-encoded path segments are decoded (%d)" % s)
    s, hdrs, body = d.request("HEAD", "/doc/docs/guide.md")
    t.check(s == 200 and body == b"", "HEAD works")


def raw_status(d, target):
    out = d.raw(("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % target).encode())
    m = re.match(rb"HTTP/1\.[01] (\d+)", out)
    return (int(m.group(1)) if m else 0), out


def test_confinement(d, tmp):
    bad = ["/doc/docs/../../etc/passwd", "/doc/docs/..%2f..%2fetc%2fpasswd",
           "/doc/docs/%2e%2e/%2e%2e/etc/passwd", "/doc/docs/%2E%2E/secret.md",
           "/doc/docs/sub/../../secret.md", "/doc/docs/guide.md%00.txt", "/doc/docs/%00",
           "/doc/docs//etc/passwd", "/doc/docs/%2Fetc%2Fpasswd", "/doc/docs/" + tmp + "/secret.md",
           "/doc/docs/sub%5c..%5c..%5csecret.md", "/doc/docs/./guide.md", "/doc/docs/guide.md/",
           "/doc/docs/escape.md", "/doc/docs/victim.md", "/doc/docs/secret.md", "/doc/docs/notindexed.md",
           "/doc/docs/sub/", "/doc/docs", "/doc/nope/guide.md", "/doc/docs/%zz.md",
           "/doc/docs/guide.txt", "/doc/web/base.md%ff", "/doc/docs/%C0%AE%C0%AE/secret.md"]
    with open(os.path.join(tmp, "docs", "notindexed.md"), "w") as f:
        f.write("# Not indexed\n\n" + SECRET + "\n")
    for target in bad:
        status, out = raw_status(d, target)
        t.check(status in (400, 404) and SECRET.encode() not in out and b"root:" not in out,
                "%s refused with %d, no file contents" % (target, status))


def test_no_doc_pages(tmp, db):
    for name, extra, env in (("flag", ["--no-doc-pages"], None),
                             ("env", [], {"OFSEARCH_NO_DOC_PAGES": "1"})):
        old = dict(os.environ)
        if env:
            os.environ.update(env)
        try:
            d = t.Daemon(tmp, db, *extra, name="nodoc-" + name)
        finally:
            os.environ.clear()
            os.environ.update(old)
        s, _, b = d.get_json("/api/search?q=zephyr")
        urls = [h["url"] for h in b["hits"]] if s == 200 else []
        t.check(urls and all(u.startswith("sub/glossary.md") for u in urls),
                "%s: urls stay relative paths: %s" % (name, urls))
        s, _, _ = d.get("/doc/docs/guide.md")
        t.check(s == 404, "%s: /doc/ route is off (%d)" % (name, s))
        t.check(d.stop() == 0, "%s: daemon exits 0" % name)


def test_repo_pages(tmp):
    """Every section anchor of the repository's own docs and demo corpus is an id on its page."""
    cols = [("demo", os.path.join(t.ROOT, "corpus", "operate-first")),
            ("ofsdocs", os.path.join(t.ROOT, "docs"))]
    cols = [c for c in cols if os.path.isdir(c[1])]
    if not cols:
        print("ok   - # skip repository pages: corpus/ and docs/ not found")
        return
    db = os.path.join(tmp, "repo.db")
    args = [t.INDEXER, "index", "--quiet", "--db", db]
    for name, path in cols:
        args += ["--collection", "%s=%s" % (name, path)]
    subprocess.run(args, check=True, stdout=subprocess.PIPE, timeout=300)
    d = t.Daemon(tmp, db, name="repo")
    missing, checked, pages = [], 0, {}
    for word in ("the", "cluster", "search", "index", "operate", "query", "glossary", "faq"):
        s, _, b = d.get_json("/api/search?q=%s&limit=100" % word)
        for h in (b["hits"] if s == 200 else []):
            parts = doc_path_of(h["url"])
            if not parts or not parts[2]:
                continue
            base = h["url"].split("#")[0]
            if base not in pages:
                st, _, body = d.get(base)
                pages[base] = ids_of(body).ids if st == 200 else set()
            checked += 1
            if parts[2] not in pages[base]:
                missing.append(h["url"])
    t.check(checked > 50 and not missing,
            "repository pages: %d hit anchors checked on %d pages, missing: %s" %
            (checked, len(pages), missing[:10]))
    t.check(d.stop() == 0, "repo daemon exits 0")


def main():
    if not t.DAEMON or not t.INDEXER:
        print("skip: ofsearchd or ofsearch binary not found (set OFSEARCHD_BIN/OFSEARCH_BIN)")
        return 77
    tmp = os.path.realpath(tempfile.mkdtemp(prefix="ofsd-docview-"))
    try:
        docs = write_fixtures(tmp)
        web = os.path.join(tmp, "web")
        os.makedirs(web)
        with open(os.path.join(web, "base.md"), "w") as f:
            f.write("# Base page\n\nBase lantern text.\n")
        # A second collection without a base URL with a file at the same path as one in docs.
        more = os.path.join(tmp, "more")
        os.makedirs(more)
        with open(os.path.join(more, "guide.md"), "w") as f:
            f.write("# Xylophone handbook\n\nMallets and bars.\n")
        db = os.path.join(tmp, "index.db")
        r = subprocess.run([t.INDEXER, "index", "--quiet", "--db", db, "--collection",
                            "docs=" + docs, "--collection", "web=%s@https://example.org/web" % web,
                            "--collection", "more=" + more],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
        t.check(r.returncode == 0, "index built: " + r.stderr.decode(errors="replace"))
        # Indexed as a regular file, now a symlink out of the root: only confinement stops it.
        victim = os.path.join(docs, "victim.md")
        os.unlink(victim)
        os.symlink(os.path.join(tmp, "secret.md"), victim)
        d = t.Daemon(tmp, db, name="docview")
        hits = test_rewriting(d)
        test_anchors(d, hits)
        test_confinement(d, tmp)
        t.check(d.stop() == 0, "daemon exits 0")
        test_no_doc_pages(tmp, db)
        test_repo_pages(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d failure(s)" % len(t.FAILURES))
    return 1 if t.FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
