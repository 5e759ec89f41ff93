#!/usr/bin/env python3
"""Drives the site-search page of ofsearchd in headless Chromium: loads /?q=... (the page reads
the query from the URL, searches and renders), dumps the DOM after the page settled and checks
the first result, the no-results state and the "did you mean" link; keeps a screenshot under
tests/artifacts/. Exit 0 pass, 1 fail, 77 skip (no chromium)."""
import html
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_searchd as t  # noqa: E402  -- shares the daemon and index helpers

CHROME_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--virtual-time-budget=5000"]


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def run_chrome(browser, profile, url, *extra):
    args = [browser] + CHROME_FLAGS + ["--user-data-dir=" + profile] + list(extra) + [url]
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    return r.stdout.decode(errors="replace")


def results_of(dom):
    """(title, breadcrumb, snippet html) of each rendered hit, in order."""
    out = []
    for m in re.finditer(r'<a class="hit[^"]*" href="[^"]*" id="hit-\d+">(.*?)</a>', dom, re.S):
        inner = m.group(1)
        title = re.search(r'<div class="title">(.*?)(<span|</div>)', inner, re.S)
        crumb = re.search(r'<div class="crumb">(.*?)</div>', inner, re.S)
        snip = re.search(r'<p class="snippet">(.*?)</p>', inner, re.S)
        out.append((html.unescape(title.group(1)) if title else "",
                    html.unescape(crumb.group(1)) if crumb else "",
                    snip.group(1) if snip else ""))
    return out


def main():
    browser = chromium()
    if not browser:
        print("skip: chromium not installed (Debian package 'chromium'); page not tested")
        return 77
    if not t.DAEMON or not t.INDEXER:
        print("skip: ofsearchd or ofsearch binary not found")
        return 77
    tmp = tempfile.mkdtemp(prefix="ofsd-page-")
    artifacts = os.path.join(t.ROOT, "tests", "artifacts")
    os.makedirs(artifacts, exist_ok=True)
    try:
        db = os.path.join(tmp, "index.db")
        t.build_index(db, os.path.join(t.FIXTURES, "docs"))
        d = t.Daemon(tmp, db, name="page")
        base = "http://127.0.0.1:%d/" % d.port
        profile = os.path.join(tmp, "profile")

        dom = run_chrome(browser, profile, base + "?q=log%20rotation", "--dump-dom")
        hits = results_of(dom)
        t.check(len(hits) >= 1, "the page renders results for ?q=log rotation (%d)" % len(hits))
        if hits:
            t.check(hits[0][0].strip() == "Log rotation", "first result is 'Log rotation' (%r)" % hits[0][0])
            t.check("<mark>" in hits[0][2], "the snippet shows highlighted matches")
            t.check("Configuration reference" in hits[0][1], "the breadcrumb names the page (%r)" % hits[0][1])
        status = re.search(r'<div id="status"[^>]*>(.*?)</div>', dom, re.S)
        t.check(status and re.search(r"\d+ results? for “log rotation”", status.group(1)),
                "aria-live status announces the count for the query (%r)" % (status and status.group(1)))

        dom = run_chrome(browser, profile, base + "?q=qwxzzyv", "--dump-dom")
        t.check("No results" in dom and 'class="empty"' in dom, "no-results state for a nonsense query")

        dom = run_chrome(browser, profile, base + "?q=lighthuose", "--dump-dom")
        m = re.search(r'<p id="dym">.*?<a id="dym-link"[^>]*>(.*?)</a>', dom, re.S)
        t.check(m is not None or 'id="dym" hidden' in dom, "did-you-mean renders or stays hidden")
        if m:
            t.check("lighthouse" in m.group(1), "did-you-mean suggests lighthouse (%r)" % m.group(1))

        dom = run_chrome(browser, profile, base + "?q=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
                         "--dump-dom")
        t.check("<img src=\"x\"" not in dom and "<img src=x" not in dom, "markup in q is not injected")

        shot = os.path.join(artifacts, "page.png")
        run_chrome(browser, profile, base + "?q=lantern", "--screenshot=" + shot,
                   "--window-size=1000,900", "--hide-scrollbars")
        t.check(os.path.exists(shot) and os.path.getsize(shot) > 1000, "screenshot saved to " + shot)
        t.check(d.stop(signal.SIGTERM) == 0, "daemon exits 0")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d failure(s)" % len(t.FAILURES))
    return 1 if t.FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
