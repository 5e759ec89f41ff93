#!/usr/bin/env python3
"""Drives the site-search page of ofsearchd in headless Chromium: loads /?q=... (the page reads
the query from the URL, searches and renders), dumps the DOM after the page settled and checks
the first result, the no-results state and the "did you mean" link; keeps a screenshot under
tests/artifacts/. Exit 0 pass, 1 fail, 77 skip (no chromium)."""
import base64
import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import select

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


class Cdp:
    """A minimal Chrome DevTools Protocol client over --remote-debugging-pipe (fd 3 in, fd 4 out,
    JSON messages ended by NUL), so the test can type into the page like a user."""

    def __init__(self, browser, profile):
        cmd_r, self.cmd_w = os.pipe()
        self.out_r, out_w = os.pipe()

        def child_fds():
            os.dup2(cmd_r, 3)
            os.dup2(out_w, 4)

        flags = [f for f in CHROME_FLAGS if not f.startswith("--virtual-time")]
        self.proc = subprocess.Popen([browser] + flags + ["--user-data-dir=" + profile,
                                      "--remote-debugging-pipe", "about:blank"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     preexec_fn=child_fds, close_fds=False)
        os.close(cmd_r)
        os.close(out_w)
        self.buf = b""
        self.next_id = 0
        self.session = None

    def call(self, method, params=None, timeout=30):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if self.session:
            msg["sessionId"] = self.session
        os.write(self.cmd_w, json.dumps(msg).encode() + b"\0")
        deadline = time.time() + timeout
        while time.time() < deadline:
            while b"\0" not in self.buf:
                r, _, _ = select.select([self.out_r], [], [], max(0.0, deadline - time.time()))
                if not r:
                    raise TimeoutError(method)
                chunk = os.read(self.out_r, 65536)
                if not chunk:
                    raise EOFError("chromium closed the pipe")
                self.buf += chunk
            raw, self.buf = self.buf.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError("%s: %s" % (method, reply["error"]))
                return reply.get("result", {})
        raise TimeoutError(method)

    def evaluate(self, expr):
        r = self.call("Runtime.evaluate", {"expression": expr, "returnByValue": True})
        return r.get("result", {}).get("value")

    def close(self):
        try:
            self.session = None
            self.call("Browser.close", timeout=5)
        except Exception:  # noqa: BLE001 -- closing is best effort; the process is killed below
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        os.close(self.cmd_w)
        os.close(self.out_r)


def type_query(browser, profile, url, text, shot):
    """Opens the page, types text key by key into the search box, waits for the results and
    returns the first result's title (and saves a screenshot)."""
    cdp = Cdp(browser, profile)
    try:
        target = cdp.call("Target.createTarget", {"url": url})["targetId"]
        cdp.session = cdp.call("Target.attachToTarget",
                               {"targetId": target, "flatten": True})["sessionId"]
        deadline = time.time() + 20
        while time.time() < deadline and not cdp.evaluate(
                "document.readyState === 'complete' && !!document.getElementById('q')"):
            time.sleep(0.1)
        cdp.evaluate("document.getElementById('q').focus()")
        for ch in text:
            cdp.call("Input.dispatchKeyEvent", {"type": "keyDown", "text": ch, "key": ch})
            cdp.call("Input.dispatchKeyEvent", {"type": "keyUp", "key": ch})
        first = ""
        deadline = time.time() + 20
        while time.time() < deadline and not first:
            first = cdp.evaluate("(() => { const t = document.querySelector('#results .title');"
                                 " return t ? t.firstChild.textContent : ''; })()") or ""
            time.sleep(0.1)
        typed = cdp.evaluate("document.getElementById('q').value")
        png = cdp.call("Page.captureScreenshot", {"format": "png"}).get("data")
        if png:
            with open(shot, "wb") as f:
                f.write(base64.b64decode(png))
        return first.strip(), typed
    finally:
        cdp.close()


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

        typed_shot = os.path.join(artifacts, "page-typed.png")
        first, typed = type_query(browser, os.path.join(tmp, "profile-cdp"), base, "log rotation",
                                  typed_shot)
        t.check(typed == "log rotation", "the query was typed into the search box (%r)" % typed)
        t.check(first == "Log rotation", "typing shows results as you type; first is 'Log rotation'"
                " (%r)" % first)
        t.check(os.path.exists(typed_shot) and os.path.getsize(typed_shot) > 1000,
                "screenshot after typing saved to " + typed_shot)

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
