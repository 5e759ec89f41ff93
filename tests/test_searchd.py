#!/usr/bin/env python3
"""Integration tests of ofsearchd: the real daemon on port 0 over an index built by the real
`ofsearch index` from tests/fixtures/searchd. Covers the API, limits and hostile input, CORS,
metrics, logging, hot reload (SIGHUP, file watch, rebuild under load) and draining on SIGTERM.
Python stdlib only. Exit 0 pass, 1 fail, 77 skip."""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ROOT = os.environ.get("OFS_SOURCE_ROOT") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "searchd")


def find_bin(env, rel):
    path = os.environ.get(env)
    if path and os.path.exists(path):
        return path
    # Run by hand: the most recently built binary among the build directories.
    cands = [os.path.join(ROOT, b, rel) for b in os.listdir(ROOT) if b.startswith("build")]
    cands = [c for c in cands if os.path.exists(c)]
    return max(cands, key=os.path.getmtime) if cands else None


DAEMON = find_bin("OFSEARCHD_BIN", "searchd/ofsearchd")
INDEXER = find_bin("OFSEARCH_BIN", "indexer/ofsearch")
FAILURES = []
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                   "Sanitizer")


def check(cond, what):
    if cond:
        print("ok   - " + what)
    else:
        print("FAIL - " + what)
        FAILURES.append(what)
    return cond


def summary():
    """The closing line and the exit status of a test program built on check()."""
    print("%d failure(s)" % len(FAILURES))
    return 1 if FAILURES else 0


def build_index(db, docs_dir, rebuild=False):
    args = [INDEXER, "index", "--quiet", "--db", db, "--collection", "docs=" + docs_dir]
    if rebuild:
        args.append("--rebuild")
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    if r.returncode != 0:
        raise RuntimeError("ofsearch index failed: " + r.stderr.decode(errors="replace"))


class Daemon:
    """ofsearchd on a free port; stderr goes to a file so a chatty log never blocks it."""

    def __init__(self, tmp, db, *extra, name="daemon"):
        self.name = name
        self.errpath = os.path.join(tmp, name + ".stderr")
        self.err = open(self.errpath, "wb")
        args = [DAEMON, "--db", db, "--listen", "127.0.0.1:0", "--threads", "4"] + list(extra)
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.err)
        line = self.proc.stdout.readline().decode()
        m = re.fullmatch(r"listening on http://127\.0\.0\.1:(\d+)/\n", line)
        if not m:
            self.proc.kill()
            raise RuntimeError("unexpected first line %r; stderr: %s" % (line, self.log_text()))
        self.port = int(m.group(1))

    def request(self, method, path, headers=None, body=None, timeout=30):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read()
            return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data
        finally:
            c.close()

    def get(self, path, headers=None):
        return self.request("GET", path, headers)

    def get_json(self, path, headers=None):
        status, hdrs, data = self.get(path, headers)
        try:
            body = json.loads(data)
        except ValueError:
            body = None
        return status, hdrs, body

    def raw(self, payload, read=True, timeout=5):
        """Sends raw bytes; returns what came back before the server closed or timed out."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        try:
            s.sendall(payload)
            out = b""
            while read:
                try:
                    chunk = s.recv(65536)
                except socket.timeout:
                    break
                except ConnectionResetError:
                    break
                if not chunk:
                    break
                out += chunk
                if b"\r\n\r\n" in out and b"Connection: close" not in out and len(out) > 0:
                    # A keep-alive answer: wait no longer than needed for its body.
                    head, _, rest = out.partition(b"\r\n\r\n")
                    m = re.search(rb"Content-Length: (\d+)", head, re.I)
                    if m and len(rest) >= int(m.group(1)):
                        break
            return out
        finally:
            s.close()

    def alive(self):
        return self.proc.poll() is None

    def log_text(self):
        if not self.err.closed:
            self.err.flush()
        with open(self.errpath, "rb") as f:
            return f.read().decode(errors="replace")

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.proc.stdout.close()
        self.err.close()
        log = self.log_text()
        bad = [m for m in SANITIZER_MARKS if m in log]
        check(not bad, "no sanitizer report in the daemon's stderr" +
              (": " + log[-3000:] if bad else ""))
        if rc != 0:  # say how it ended: the caller's check only sees "not 0"
            print("note: %s daemon exit status %s; its log ends:\n%s" % (self.name, rc, log[-1500:]))
        return rc


def q(s):
    return urllib.parse.quote(s, safe="")


def suggest_texts(d, prefix):
    status, _, body = d.get_json("/api/suggest?q=" + q(prefix))
    return [s["text"] for s in body["suggestions"]] if status == 200 else ("status", status)


def inline_answers(d):
    _, _, data = d.get("/metrics")
    m = re.search(rb"^ofsearchd_suggest_inline_total (\d+)", data, re.M)
    return int(m.group(1)) if m else -1


def test_api(d):
    status, hdrs, body = d.get_json("/healthz")
    check(status == 200 and body == {"status": "ok"}, "/healthz is 200 {status: ok}")
    status, _, body = d.get_json("/readyz")
    check(status == 200 and body and body.get("status") == "ready" and body["documents"] == 5,
          "/readyz is 200 with 5 documents (%s %s)" % (status, body))

    status, hdrs, body = d.get_json("/api/search?q=log+rotation")
    ok = status == 200 and isinstance(body, dict)
    check(ok, "search 'log rotation' is 200 (%s)" % status)
    if ok:
        check(set(body) >= {"query", "hits", "total", "relaxed", "did_you_mean", "took_ms"},
              "search answer has query, hits, total, relaxed, did_you_mean, took_ms")
        check(body["query"] == "log rotation", "search echoes the query")
        hits = body["hits"]
        check(len(hits) >= 1 and body["total"] >= 1, "search finds hits")
        if hits:
            h = hits[0]
            check(set(h) >= {"collection", "path", "url", "title", "breadcrumb", "kind", "score",
                             "snippet"}, "a hit has all its fields")
            check(h["title"] == "Log rotation" and h["collection"] == "docs",
                  "first hit is the 'Log rotation' section (%s)" % h["title"])
            check("<mark>" in (h["snippet"] or ""), "the snippet marks matches with <mark>")
    check(hdrs.get("content-type", "").startswith("application/json"), "search is JSON")
    check(hdrs.get("x-content-type-options") == "nosniff", "nosniff on API answers")

    status, _, body = d.get_json("/api/search?q=" + q("<script>alert(1)</script> café"))
    check(status == 200, "search with markup in q is 200")
    if status == 200:
        for h in body["hits"]:
            check("<script" not in (h["snippet"] or ""), "snippets never carry raw markup")
    status, _, body = d.get_json("/api/search?q=caf%C3%A9+cr%C3%A8me")
    check(status == 200 and body["hits"] and "Café" in body["hits"][0]["title"],
          "UTF-8 query finds the café page")

    status, _, body = d.get_json("/api/search?q=lantern&limit=2")
    check(status == 200 and len(body["hits"]) == 2, "limit=2 returns two hits")
    if status == 200 and body["total"] > 2:
        s2, _, b2 = d.get_json("/api/search?q=lantern&limit=2&offset=2")
        check(s2 == 200 and b2["hits"] and b2["hits"][0]["url"] != body["hits"][0]["url"],
              "offset pages through results")
    status, _, body = d.get_json("/api/search?q=lantern&kind=page")
    check(status == 200 and body["hits"] and all(h["kind"] == "page" for h in body["hits"]),
          "kind=page returns pages only")
    status, _, body = d.get_json("/api/search?q=beacon&kind=term")
    check(status == 200 and [h["title"] for h in body["hits"]] == ["Beacon"],
          "kind=term finds the glossary entry")
    status, _, body = d.get_json("/api/search?q=lantern&collection=nope")
    check(status == 200 and body["hits"] == [], "unknown collection returns no hits")
    status, _, body = d.get_json("/api/search?q=")
    check(status == 200 and body["hits"] == [] and body["total"] == 0, "empty q returns no hits")
    status, _, body = d.get_json("/api/search?q=lightho&prefix=1")
    check(status == 200 and len(body["hits"]) >= 1, "prefix=1 completes the last word")
    status, _, body = d.get_json("/api/search?q=rotatoin")
    check(status == 200 and isinstance(body.get("did_you_mean"), (str, type(None))),
          "misspelt query answers (did_you_mean=%r)" % (body or {}).get("did_you_mean"))

    status, _, body = d.get_json("/api/suggest?q=Tid")
    check(status == 200 and isinstance(body.get("suggestions"), list),
          "suggest answers a list (%s %s)" % (status, body))
    if status == 200:
        texts = [s["text"] for s in body["suggestions"]]
        check("Tide cache" in texts, "suggest completes 'Tid' to 'Tide cache' (%s)" % texts)
    status, _, body = d.get_json("/api/suggest?q=")
    check(status == 200 and body["suggestions"] == [], "empty suggest is an empty list")

    status, _, body = d.get_json("/api/stats")
    check(status == 200 and body["documents"] == 5 and body["sections"] >= 10 and
          body["collections"][0]["name"] == "docs", "stats: 5 documents in collection docs")

    status, hdrs, data = d.get("/")
    check(status == 200 and b"<input" in data and hdrs["content-type"].startswith("text/html"),
          "/ serves the search page")
    csp = hdrs.get("content-security-policy", "")
    check("default-src 'none'" in csp and "script-src 'self' 'sha256-" in csp,
          "page has a hash-based Content-Security-Policy")
    check(b'rel="search"' in data, "page links the OpenSearch description")
    status, hdrs, data = d.get("/opensearch.xml")
    check(status == 200 and b"OpenSearchDescription" in data and
          ("127.0.0.1:%d/?q={searchTerms}" % d.port).encode() in data, "opensearch.xml")

    status, _, body = d.get_json("/nope")
    check(status == 404 and body["error"]["code"] == "not_found", "unknown path is 404 JSON")
    status, hdrs, data = d.request("POST", "/api/search?q=a", body=b"x")
    check(status == 405 and "GET" in hdrs.get("allow", ""), "POST is 405 with Allow")
    status, hdrs, data = d.request("DELETE", "/")
    check(status == 405, "DELETE / is 405")
    status, hdrs, data = d.request("HEAD", "/api/search?q=lantern")
    check(status == 200 and data == b"", "HEAD answers without a body")
    status, hdrs, data = d.request("OPTIONS", "/api/search")
    check(status == 204 and "OPTIONS" in hdrs.get("allow", ""), "OPTIONS lists allowed methods")


def expect_4xx_json(d, path, code, what):
    status, _, body = d.get_json(path)
    ok = status == code and body and "error" in body and body["error"].get("message")
    check(ok, "%s -> %d JSON error (%s %s)" % (what, code, status, body))


def test_limits_and_hostile(d):
    expect_4xx_json(d, "/api/search?q=" + "a" * 1025, 414, "1025-byte query")
    expect_4xx_json(d, "/api/search?q=a&limit=101", 400, "limit over --max-limit")
    expect_4xx_json(d, "/api/search?q=a&limit=0", 400, "limit=0")
    expect_4xx_json(d, "/api/search?q=a&limit=ten", 400, "limit=ten")
    expect_4xx_json(d, "/api/search?q=a&limit=-1", 400, "limit=-1")
    expect_4xx_json(d, "/api/search?q=a&offset=99999999999", 400, "huge offset")
    # Pages reach the 2000th hit at most: offset + limit <= 2000, refused as an argument.
    status, _, body = d.get_json("/api/search?q=lantern&offset=1991")
    check(status == 400 and body["error"]["code"] == "invalid_argument" and
          "1990" in body["error"]["message"], "offset past 2000 - limit is an invalid argument (%s %s)"
          % (status, body))
    check(d.get_json("/api/search?q=lantern&offset=1990")[0] == 200, "offset 2000 - limit is served")
    expect_4xx_json(d, "/api/search?q=a&kind=bogus", 400, "unknown kind")
    expect_4xx_json(d, "/api/search?q=a&prefix=2", 400, "prefix=2")
    for bad in ("%FF", "%C0%80", "%ED%A0%80", "abc%00def", "%F4%90%80%80", "%E2%82"):
        expect_4xx_json(d, "/api/search?q=" + bad, 400, "invalid UTF-8/NUL in q " + bad)
    expect_4xx_json(d, "/api/suggest?q=%FF", 400, "invalid UTF-8 in suggest q")
    expect_4xx_json(d, "/api/search?q=a&collection=%FF", 400, "invalid UTF-8 in collection")

    # Invalid percent-encoding is passed through literally by the server.
    for bad in ("%ZZ", "%", "%4", "100%", "%%%"):
        status, _, body = d.get_json("/api/search?q=" + bad)
        check(status in (200, 400) and body is not None, "invalid percent-encoding %r -> %d" % (bad, status))

    hostile = ['"', '""', '"unbalanced', "*", "**", "NEAR(", "NEAR(a b", "-", "--", ":", "a:b",
               "title:", "^", "(", ")", "AND", "OR NOT", "a AND", "{col}", "'", "\\",
               "🙂", "x" * 1000, "a " * 400, "\u202e\u200b"]
    for h in hostile:
        status, _, body = d.get_json("/api/search?q=" + q(h))
        check(status == 200 and isinstance(body.get("hits"), list),
              "hostile query %r answers 200 (%s)" % (h[:20], status))
        status, _, body = d.get_json("/api/search?prefix=1&q=" + q(h))
        check(status == 200, "hostile query %r with prefix=1 answers 200 (%s)" % (h[:20], status))
    # Suggestions on an idle daemon run on the HTTP thread itself: the same inputs, a lone
    # letter after each (the prefix path that tokenizes candidate titles), and bad UTF-8.
    before = inline_answers(d)
    for h in hostile + ["a b c d e f g h i j k l m n o p q r s t u v w x y z", "s " * 30]:
        for v in (h, h + " t"):
            status, _, body = d.get_json("/api/suggest?q=" + q(v))
            check(status == 200 and isinstance(body.get("suggestions"), list),
                  "hostile suggest %r answers 200 (%s)" % (v[:20], status))
    check(inline_answers(d) > before, "hostile suggestions were answered on the HTTP thread")
    for bad in ("%C0%80", "abc%00def", "%E2%82", "t%FF"):
        expect_4xx_json(d, "/api/suggest?q=" + bad, 400, "invalid UTF-8/NUL in suggest q " + bad)
    expect_4xx_json(d, "/api/suggest?q=" + "a" * 1025, 414, "1025-byte suggest prefix")
    expect_4xx_json(d, "/api/suggest?q=a&limit=0", 400, "suggest limit=0")
    garbage = bytes((i * 37 + 11) % 256 for i in range(10240))
    status, _, body = d.get_json("/api/suggest?q=" + q(garbage.decode("latin-1")))
    check(status in (400, 414), "10 kB of garbage in suggest is a clean 4xx (%s)" % status)
    status, _, body = d.get_json("/api/search?q=" + q(garbage.decode("latin-1")))
    check(status in (400, 414), "10 kB of garbage is a clean 4xx (%s)" % status)
    status, _, body = d.get_json("/api/search?q=" + q(garbage.decode("latin-1"))[:1000])
    check(status in (200, 400), "1 kB of garbage is 200 or 400 (%s)" % status)

    # Request body over --max-body-bytes (16 kB).
    status, _, data = d.request("POST", "/api/search", body=b"x" * 20000)
    check(status == 413, "20 kB body is 413 (%s)" % status)

    # Not HTTP at all, oversized URLs and headers: the daemon answers 4xx or closes, and lives.
    out = d.raw(bytes(range(256)) * 8 + b"\r\n\r\n")
    check(out == b"" or out.startswith(b"HTTP/1.1 4"), "garbage bytes get a 4xx or a close")
    out = d.raw(b"GET /api/search?q=" + b"a" * 100000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    check(out == b"" or out.split(b" ")[1][:1] == b"4", "100 kB URL: 4xx or close (%r)" % out[:30])
    out = d.raw(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 100000 + b"\r\n\r\n")
    check(out == b"" or out.split(b" ")[1][:1] == b"4", "100 kB header: 4xx or close (%r)" % out[:30])
    out = d.raw(b"GET / HTTP/1.1\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(5000)) + b"\r\n")
    check(out == b"" or out.split(b" ")[1][:1] == b"4", "5000 headers: 4xx or close")
    out = d.raw(b"GET /api/search?q=a HTTP/9.9\r\nHost: x\r\n\r\n")
    check(out == b"" or out.split(b" ")[1][:1] in (b"4", b"5"), "HTTP/9.9: error or close")
    out = d.raw(b"GET /api/search?q=lantern HTTP/1.0\r\n\r\n")
    check(out.startswith(b"HTTP/1.") and b" 200 " in out.split(b"\r\n")[0], "HTTP/1.0 request is served")

    # Searches whose clients leave at once (a page typing ahead drops its earlier requests):
    # answers made for nobody are freed (the sanitizer run's leak check at exit sees them) and
    # the daemon keeps serving.
    gone = []
    for i in range(60):
        s = socket.create_connection(("127.0.0.1", d.port))
        s.sendall(b"GET /api/search?q=lantern+%d&limit=50 HTTP/1.1\r\nHost: x\r\n\r\n" % i)
        gone.append(s)
    for s in gone:
        s.close()
    check(d.get_json("/api/search?q=lantern")[0] == 200, "served after 60 abandoned searches")

    # Framing a proxy could read differently (request smuggling) is refused, and an unknown
    # transfer coding is answered at once rather than waited on.
    out = d.raw(b"GET /api/search?q=lantern HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"
                b"content-length: 2\r\n\r\nab")
    check(out.startswith(b"HTTP/1.1 400 ") and b'"bad_request"' in out, "two Content-Lengths: 400")
    out = d.raw(b"GET /api/search?q=lantern HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
    check(out.startswith(b"HTTP/1.1 400 ") and b'"bad_request"' in out,
          "Content-Length beside Transfer-Encoding: 400 (%r)" % out[:40])
    out = d.raw(b"POST /api/search?q=lantern HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n"
                b"\r\nabc", timeout=10)
    check(out.startswith(b"HTTP/1.1 501 ") and b'"not_implemented"' in out,
          "an unknown transfer coding: 501 at once (%r)" % out[:40])
    out = d.raw(b"GET /api/search?q=lantern HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                b"Connection: close\r\n\r\n0\r\n\r\n")
    check(out.startswith(b"HTTP/1.1 200 "), "a chunked empty body is fine")

    # A connection that sends nothing (and one with half a request) must not block others.
    idle = socket.create_connection(("127.0.0.1", d.port))
    half = socket.create_connection(("127.0.0.1", d.port))
    half.sendall(b"GET /api/search?q=lan")
    t0 = time.time()
    ok = all(d.get_json("/api/search?q=lantern")[0] == 200 for _ in range(20))
    check(ok and time.time() - t0 < 10, "silent connections do not block other clients")
    idle.close()
    half.close()
    check(d.alive() and d.get_json("/healthz")[0] == 200, "daemon alive after hostile input")


def test_port_taken(d, db):
    """A second daemon on a port in use fails; it must not share the port with the first."""
    r = subprocess.run([DAEMON, "--db", db, "--listen", "127.0.0.1:%d" % d.port],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    check(r.returncode == 1 and b"cannot listen" in r.stderr,
          "a second daemon on a port in use exits 1 (%s: %r)" % (r.returncode, r.stderr[-300:]))
    check(all(d.get_json("/api/search?q=lantern")[0] == 200 for _ in range(10)),
          "the first daemon answers every request after that")


def test_thread_policies(d):
    """libmicrohttpd's thread runs SCHED_BATCH (it waits for a worker's time slice to end instead of
    preempting it); the workers and the main thread keep the ordinary policy."""
    tasks = "/proc/%d/task" % d.proc.pid
    policies = {}
    for tid in os.listdir(tasks):
        with open(os.path.join(tasks, tid, "comm")) as f:
            comm = f.read().strip()
        policies.setdefault(comm, []).append(os.sched_getscheduler(int(tid)))
    if "sched_batch_refused" in d.log_text():
        # A sandbox's system-call filter refused the switch: the daemon must say so and serve.
        print("note: this system refuses SCHED_BATCH; checked that the daemon logged it")
        check(policies.get("MHD-single") == [os.SCHED_OTHER],
              "libmicrohttpd's thread stays ordinary where SCHED_BATCH is refused (%r)" % policies)
    else:
        check(policies.get("MHD-single") == [os.SCHED_BATCH],
              "libmicrohttpd's thread runs SCHED_BATCH (%r)" % policies)
    others = [p for comm, ps in policies.items() if comm != "MHD-single" for p in ps]
    check(len(others) >= 5 and all(p == os.SCHED_OTHER for p in others),
          "the main thread and the 4 workers keep SCHED_OTHER (%r)" % policies)


def test_queue_budget(tmp, db):
    """A request that waited its whole time budget behind the workers is answered 504 unsearched;
    the rest are answered as usual."""
    d = Daemon(tmp, db, "--threads", "1", "--timeout-ms", "1", name="budget")
    socks = [socket.create_connection(("127.0.0.1", d.port), timeout=10) for _ in range(64)]
    for i, s in enumerate(socks):
        s.sendall(b"GET /api/search?q=lantern+%d HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % i)
    answers = []
    for s in socks:
        out = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
        except socket.timeout:
            pass
        s.close()
        answers.append(out)
    codes = [a.split(b" ")[1] if a.startswith(b"HTTP/1.1 ") else a[:20] for a in answers]
    check(all(c in (b"200", b"504") for c in codes), "64 searches behind one worker: 200 or 504 (%s)"
          % sorted(set(codes)))
    check(any(b"waited its whole time budget" in a for a in answers),
          "some waited the 1-ms budget in the queue and got 504 unsearched")
    check(d.get_json("/healthz")[0] == 200, "the daemon serves after that")
    check(d.stop() == 0, "budget daemon exits 0")


def test_idle_timeout(tmp, db):
    d = Daemon(tmp, db, "--timeout-ms", "1000", name="idle")
    s = socket.create_connection(("127.0.0.1", d.port))
    s.settimeout(10)
    t0 = time.time()
    try:
        data = s.recv(100)
    except (socket.timeout, ConnectionResetError):
        data = None
    took = time.time() - t0
    check(data == b"" and took < 5, "an idle connection is closed after --timeout-ms (%.1f s)" % took)
    s.close()
    check(d.stop() == 0, "idle daemon exits 0")


def test_connection_limit(tmp, db):
    d = Daemon(tmp, db, "--max-connections", "4", name="connlimit")
    socks = [socket.create_connection(("127.0.0.1", d.port)) for _ in range(6)]
    time.sleep(0.3)
    status, hdrs, body = d.get_json("/api/search?q=lantern")
    check(status == 503 and body["error"]["code"] == "overloaded",
          "over --max-connections -> 503 overloaded (%s)" % status)
    for s in socks:
        s.close()
    time.sleep(0.3)
    status, _, _ = d.get_json("/api/search?q=lantern")
    check(status == 200, "after connections close, requests are served again")
    check(d.stop() == 0, "connlimit daemon exits 0")


def test_cors(tmp, db):
    d = Daemon(tmp, db, "--cors-origin", "https://good.example", "--cors-origin",
               "http://also.example:8000", name="cors")
    good = {"Origin": "https://good.example"}
    status, hdrs, _ = d.get("/api/search?q=lantern", good)
    check(status == 200 and hdrs.get("access-control-allow-origin") == "https://good.example",
          "allowed origin is echoed")
    check("origin" in hdrs.get("vary", "").lower(), "Vary: Origin")
    status, hdrs, _ = d.get("/api/search?q=lantern", {"Origin": "https://evil.example"})
    check(status == 200 and "access-control-allow-origin" not in hdrs, "other origin gets no ACAO")
    status, hdrs, _ = d.get("/api/search?q=lantern", {"Origin": "https://good.example.evil"})
    check("access-control-allow-origin" not in hdrs, "origin match is exact")
    status, hdrs, _ = d.request("OPTIONS", "/api/search", dict(good, **{
        "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "content-type"}))
    check(status == 204 and hdrs.get("access-control-allow-origin") == "https://good.example" and
          "GET" in hdrs.get("access-control-allow-methods", ""), "preflight from allowed origin")
    status, hdrs, _ = d.request("OPTIONS", "/api/search", {
        "Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
    check(status == 403 and "access-control-allow-origin" not in hdrs, "preflight denied for others")
    status, hdrs, _ = d.get("/api/suggest?q=la", {"Origin": "http://also.example:8000"})
    check(hdrs.get("access-control-allow-origin") == "http://also.example:8000", "second origin allowed")
    check(d.stop() == 0, "cors daemon exits 0")


METRIC_LINE = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})?'
                         r' [-+]?([0-9.]+([eE][-+]?[0-9]+)?|Inf|NaN)$')


def test_metrics(d, tmp):
    status, hdrs, data = d.get("/metrics")
    text = data.decode()
    check(status == 200 and hdrs["content-type"].startswith("text/plain"), "/metrics is text")
    bad = [l for l in text.splitlines() if l and not l.startswith("#") and not METRIC_LINE.match(l)]
    check(not bad, "every metrics line parses (%s)" % bad[:3])
    for name in ("ofsearchd_requests_total", "ofsearchd_request_duration_seconds_bucket",
                 "ofsearchd_requests_in_flight", "ofsearchd_index_documents",
                 "ofsearchd_index_sections", "ofsearchd_index_age_seconds",
                 "ofsearchd_reloads_total", "ofsearchd_build_info",
                 "ofsearchd_suggest_inline_total"):
        check(re.search(r"^%s[{ ]" % name, text, re.M) is not None, "metric %s present" % name)
    m = re.search(r'^ofsearchd_requests_total\{route="/api/search",status="200"\} (\d+)', text, re.M)
    check(m and int(m.group(1)) > 10, "search 200s are counted")
    m = re.search(r'^ofsearchd_requests_total\{route="/api/search",status="400"\} (\d+)', text, re.M)
    check(m and int(m.group(1)) > 5, "search 400s are counted")
    check(re.search(r"^ofsearchd_index_documents 5$", text, re.M) is not None, "index documents gauge")
    # One client at a time, no search queued: suggestions are answered on the HTTP thread.
    before = inline_answers(d)
    check(suggest_texts(d, "Troub") == ["Troubleshooting"], "suggest on an idle daemon")
    check(inline_answers(d) == before + 1, "an idle daemon answers a suggestion without a worker "
          "(%d -> %d)" % (before, inline_answers(d)))
    promtool = shutil.which("promtool")
    if promtool:
        r = subprocess.run([promtool, "check", "metrics"], input=data, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        check(r.returncode == 0, "promtool check metrics passes: " + r.stdout.decode()[:500])
    else:
        print("skip - promtool not installed (Debian 'prometheus'); metrics checked by regex only")


def test_logs(d, logq):
    lines = [l for l in d.log_text().splitlines() if l.strip()]
    parsed = []
    for l in lines:
        try:
            parsed.append(json.loads(l))
        except ValueError:
            check(False, "log line is JSON: %r" % l[:200])
    reqs = [p for p in parsed if "route" in p]
    check(len(reqs) > 20, "one log line per request (%d)" % len(reqs))
    check(all({"time", "route", "status", "duration_ms"} <= set(p) for p in reqs),
          "request log lines have time, route, status, duration_ms")
    check(any(p.get("route") == "/api/search" and "hits" in p for p in reqs), "search lines carry hits")
    has_q = any("q" in p for p in reqs)
    check(has_q == logq, "query text logged only with --log-queries (%s)" % logq)


def concurrent_load(d, stop, stats, query, expect_title, route="search"):
    c = None
    while not stop.is_set():
        try:
            if c is None:
                c = http.client.HTTPConnection("127.0.0.1", d.port, timeout=30)
            c.request("GET", "/api/%s?q=%s" % (route, q(query)))
            r = c.getresponse()
            body = json.loads(r.read())
            found = [h["title"] for h in body["hits"]] if route == "search" else \
                [s["text"] for s in body["suggestions"]]
            if r.status == 200 and expect_title in found:
                stats["ok"] += 1
            else:
                stats["bad"].append((r.status, str(body)[:200]))
        except Exception as e:  # noqa: BLE001 -- every failure is a finding
            stats["bad"].append(("exception", repr(e)))
            if c:
                c.close()
            c = None
    if c:
        c.close()


def test_reload_under_load(tmp, db, docs):
    """100 clients query while `ofsearch index --rebuild` swaps the file; all must succeed."""
    d = Daemon(tmp, db, "--reload-interval", "0.2", "--threads", "4", name="load")
    stop = threading.Event()
    stats = {"ok": 0, "bad": []}
    # Suggestions too: some answered on the HTTP thread, some by workers, across handovers.
    threads = [threading.Thread(target=concurrent_load,
                                args=(d, stop, stats, "log rotation", "Log rotation"), daemon=True)
               for _ in range(90)]
    threads += [threading.Thread(target=concurrent_load, daemon=True,
                                 args=(d, stop, stats, "Troub", "Troubleshooting", "suggest"))
                for _ in range(10)]
    for t in threads:
        t.start()
    rebuilds = 0
    t_end = time.time() + 8
    try:  # a failed rebuild must end the clients too, or the test hangs instead of failing
        while time.time() < t_end:
            build_index(db, docs, rebuild=True)
            rebuilds += 1
            time.sleep(0.1)
        time.sleep(0.5)
    except RuntimeError as e:
        check(False, "rebuild %d under load: %s" % (rebuilds + 1, e))
    finally:
        stop.set()
        for t in threads:
            t.join()
    check(not stats["bad"], "100 clients during %d rebuilds: %d ok, %d bad %s" % (
        rebuilds, stats["ok"], len(stats["bad"]), stats["bad"][:3]))
    check(stats["ok"] > 200, "the load made progress (%d answers)" % stats["ok"])
    _, _, data = d.get("/metrics")
    m = re.search(rb"^ofsearchd_reloads_total (\d+)", data, re.M)
    check(m and int(m.group(1)) >= 1, "rebuilds were picked up as reloads (%s)" % (m and m.group(1)))
    check(d.alive(), "daemon survived the load")
    check(d.stop() == 0, "load daemon exits 0")


def test_reload_and_drain(tmp, db, docs):
    """SIGHUP and the file watch pick up a new index; SIGTERM drains and exits 0."""
    # One worker thread, so the searcher opened by the first request is the one later ones use.
    d = Daemon(tmp, db, "--reload-interval", "0", "--threads", "1", name="hup")
    status, _, body = d.get_json("/api/search?q=zebrafinch")
    check(status == 200 and body["hits"] == [], "zebrafinch absent before the reload")
    check(suggest_texts(d, "Zebraf") == [], "no zebrafinch suggestion before the reload")
    shutil.copy(os.path.join(FIXTURES, "extra", "zebrafinch.md"), docs)
    build_index(db, docs, rebuild=True)
    # A rebuild lands in the same file through its WAL: the open searcher sees the change and
    # reopens on its next request, with the watch off and no signal.
    status, _, body = d.get_json("/api/search?q=zebrafinch")
    check(status == 200 and body["hits"], "a rebuild is served at once with the watch off")
    # So does the HTTP thread's searcher, on its next suggestion (answered from the new
    # contents); from then on it leaves suggestions to a worker, which reopens, until a reload
    # hands it a new searcher.
    check(suggest_texts(d, "Zebraf") == ["Zebrafinch migration"],
          "a rebuild is suggested at once with the watch off (%s)" % (suggest_texts(d, "Zebraf"),))
    status, _, body = d.get_json("/api/stats")
    check(body.get("documents") == 5, "stats wait for a reload (%s)" % body.get("documents"))
    d.proc.send_signal(signal.SIGHUP)
    for _ in range(50):
        status, _, body = d.get_json("/api/stats")
        if body.get("documents") == 6:
            break
        time.sleep(0.1)
    check(body.get("documents") == 6, "stats follow the SIGHUP reload (%s)" % body.get("documents"))
    status, _, body = d.get_json("/api/search?q=zebrafinch")
    check(status == 200 and body["hits"], "the reloaded searchers serve the new index")
    before = inline_answers(d)
    check(suggest_texts(d, "Zebraf") == ["Zebrafinch migration"], "suggest after the SIGHUP reload")
    check(inline_answers(d) == before + 1, "the reload handed the HTTP thread a new searcher")

    # The file watch: a rebuild without the extra page is picked up without a signal.
    w = Daemon(tmp, db, "--reload-interval", "0.2", name="watch")
    os.remove(os.path.join(docs, "zebrafinch.md"))
    build_index(db, docs, rebuild=True)
    gone = False
    for _ in range(50):
        status, _, body = w.get_json("/api/search?q=zebrafinch")
        if status == 200 and not body["hits"]:
            gone = True
            break
        time.sleep(0.1)
    check(gone, "the file watch picks up a rebuilt index")
    check(suggest_texts(w, "Zebraf") == [], "suggestions follow the rebuilt index under the file watch")
    check(w.stop(signal.SIGINT) == 0, "SIGINT exits 0")

    # Missing index file: /readyz says 503, searches keep answering from the open index.
    moved = db + ".moved"
    os.rename(db, moved)
    d.proc.send_signal(signal.SIGHUP)
    time.sleep(0.5)
    status, _, body = d.get_json("/readyz")
    check(status == 503 and body["error"]["code"] == "not_ready", "readyz 503 when the index is gone")
    status, _, body = d.get_json("/api/search?q=lantern")
    check(status == 200 and body["hits"], "searches keep using the last good index (%s %s)" % (
        status, str(body)[:300]))
    urls = [h["url"] for h in body.get("hits", [])]
    check(urls and all(u.startswith("/doc/docs/") for u in urls),
          "hits keep their /doc/ links after a failed reload (%s)" % urls[:3])
    os.rename(moved, db)
    d.proc.send_signal(signal.SIGHUP)
    time.sleep(0.5)
    check(d.get_json("/readyz")[0] == 200, "readyz 200 again when the index is back")

    # SIGTERM while clients are busy: every answered request is complete, exit code 0.
    stop = threading.Event()
    stats = {"ok": 0, "bad": []}
    threads = [threading.Thread(target=concurrent_load,
                                args=(d, stop, stats, "lantern", "Installing the lantern server"))
               for _ in range(8)]
    for t in threads:
        t.start()
    time.sleep(1)
    t0 = time.time()
    rc = d.stop(signal.SIGTERM)
    stop.set()
    for t in threads:
        t.join()
    took = time.time() - t0
    # Under the 10 s drain deadline: busy keep-alive clients are told to close.
    check(rc == 0 and took < 8, "SIGTERM drains and exits 0 (rc %s, %.1f s)" % (rc, took))
    partial = [b for b in stats["bad"] if b[0] != "exception"]
    check(stats["ok"] > 0 and not partial, "no wrong answers while draining (%s)" % partial[:2])
    check('"event":"shutdown"' in d.log_text(), "shutdown is logged")


def test_bad_index(tmp):
    missing = os.path.join(tmp, "missing.db")
    d = Daemon(tmp, missing, name="missing")
    status, _, body = d.get_json("/readyz")
    check(status == 503, "readyz 503 without an index")
    status, _, body = d.get_json("/api/search?q=lantern")
    check(status == 503 and body["error"]["code"] == "index_unavailable", "search 503 without an index")
    check(d.get_json("/healthz")[0] == 200, "healthz 200 without an index")
    check(body.get("error", {}).get("message", "").find(missing) < 0,
          "the 503 does not show the server's file path")
    check('"event":"searcher_open_failed"' in d.log_text(), "the log says why search is 503")
    check(d.stop() == 0, "daemon without an index exits 0")
    corrupt = os.path.join(tmp, "corrupt.db")
    with open(corrupt, "wb") as f:
        f.write(b"SQLite format 3\x00" + b"\xff" * 8192)
    d = Daemon(tmp, corrupt, name="corrupt")
    status, _, body = d.get_json("/readyz")
    check(status == 503, "readyz 503 with a corrupt index")
    status, _, body = d.get_json("/api/search?q=lantern")
    check(status == 503, "search 503 with a corrupt index (%s)" % status)
    check(d.stop() == 0, "daemon with a corrupt index exits 0")


def test_cli(tmp, db):
    r = subprocess.run([DAEMON, "--db", db, "--threads", "zero"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    check(r.returncode == 2 and b"--threads" in r.stderr, "bad flag value: exit 2 with a message")
    r = subprocess.run([DAEMON], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=dict(os.environ, OFSEARCH_DB=""))
    check(r.returncode == 2 and b"--db" in r.stderr, "missing --db: exit 2")
    r = subprocess.run([DAEMON, "--bogus"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    check(r.returncode == 2 and b"unknown option '--bogus'" in r.stderr,
          "unknown option, even last: exit 2 saying so (%r)" % r.stderr[:200])
    r = subprocess.run([DAEMON, "--db", db, "--listen", "localhost:8080"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    check(r.returncode == 2 and b"--listen" in r.stderr, "a host name in --listen: usage error, exit 2")
    for bad in ("[::1:8080", "127.0.0.1:99999", "300.1.1.1:80", ":"):
        r = subprocess.run([DAEMON, "--db", db, "--listen", bad], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        check(r.returncode == 2, "--listen %s: usage error, exit 2 (%s)" % (bad, r.returncode))
    # A numeric IPv6 address is still accepted (where the machine has IPv6 loopback).
    p = subprocess.Popen([DAEMON, "--db", db, "--listen", "[::1]:0"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    line = p.stdout.readline().decode()
    p.terminate()
    _, err = p.communicate(timeout=30)
    if b"cannot listen" in err:
        print("note: no IPv6 loopback here; [::1] not checked")
    else:
        check(line.startswith("listening on http://[::1]:"), "--listen [::1]:0 serves (%r)" % line)
    r = subprocess.run([DAEMON, "--db", db, "--max-limit", "2001"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    check(r.returncode == 2 and b"--max-limit" in r.stderr, "--max-limit over 2000: exit 2")
    env = dict(os.environ, OFSEARCH_DB=db, OFSEARCH_LISTEN="127.0.0.1:0", OFSEARCH_MAX_LIMIT="5")
    p = subprocess.Popen([DAEMON], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    line = p.stdout.readline().decode()
    m = re.match(r"listening on http://127\.0\.0\.1:(\d+)/", line)
    check(m is not None, "configured from OFSEARCH_* variables")
    if m:
        c = http.client.HTTPConnection("127.0.0.1", int(m.group(1)), timeout=10)
        c.request("GET", "/api/search?q=a&limit=6")
        check(c.getresponse().status == 400, "OFSEARCH_MAX_LIMIT applies")
        c.close()
    p.send_signal(signal.SIGTERM)
    check(p.wait(timeout=30) == 0, "env-configured daemon exits 0")
    p.stdout.close()


def main():
    if not DAEMON or not INDEXER:
        print("skip: ofsearchd or ofsearch binary not found (set OFSEARCHD_BIN/OFSEARCH_BIN)")
        return 77
    tmp = tempfile.mkdtemp(prefix="ofsd-test-")
    try:
        docs = os.path.join(tmp, "docs")
        shutil.copytree(os.path.join(FIXTURES, "docs"), docs)
        db = os.path.join(tmp, "index.db")
        build_index(db, docs)

        d = Daemon(tmp, db, "--log-queries", name="main")
        test_api(d)
        test_limits_and_hostile(d)
        test_port_taken(d, db)
        test_thread_policies(d)
        test_metrics(d, tmp)
        check(d.stop() == 0, "main daemon exits 0 on SIGTERM")
        test_logs(d, True)

        plain = Daemon(tmp, db, name="plain")
        for _ in range(25):
            plain.get("/api/search?q=lantern")
        check(plain.stop() == 0, "plain daemon exits 0")
        test_logs(plain, False)

        test_cli(tmp, db)
        test_cors(tmp, db)
        test_connection_limit(tmp, db)
        test_idle_timeout(tmp, db)
        test_queue_budget(tmp, db)
        test_bad_index(tmp)
        test_reload_under_load(tmp, db, docs)
        test_reload_and_drain(tmp, db, docs)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d failure(s)" % len(FAILURES))
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
