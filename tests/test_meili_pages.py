#!/usr/bin/env python3
"""InstantSearch.js + instant-meilisearch and meilisearch-docsearch, on plain static pages from
another origin (tests/fixtures/meili_pages/, served here on a second loopback port with the npm
packages beside them), pointed at a live ofsearchd with an API key and a CORS allow-list, in
headless Chromium driven by playwright-core (tests/meili_pages.mjs says what a person does
there). Screenshots go to tests/artifacts/. Skips without chromium, node or the npm registry.
Exit 0 pass, 1 fail, 77 skip."""
import functools
import http.server
import os
import shutil
import subprocess
import sys
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import npm_env  # noqa: E402
import test_meili as tm  # noqa: E402
import test_page  # noqa: E402
import test_searchd as t  # noqa: E402
from test_searchd import check  # noqa: E402

PAGES = os.path.join(HERE, "fixtures", "meili_pages")


class Site(http.server.SimpleHTTPRequestHandler):
    """The pages (HOST and KEY filled in) and /nm/ = the ui packages' node_modules."""
    host = key = node_modules = None

    def translate_path(self, path):
        path = path.split("?", 1)[0]
        if path.startswith("/nm/"):
            return os.path.join(self.node_modules, os.path.normpath(path[4:]).lstrip("/."))
        return os.path.join(PAGES, os.path.basename(path))

    def do_GET(self):
        if self.path.endswith(".html"):
            with open(self.translate_path(self.path), encoding="utf-8") as f:
                body = f.read().replace("HOST", self.host).replace("KEY", self.key).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def log_message(self, *args):
        pass


def main():
    if not t.DAEMON or not t.INDEXER:
        print("skip: ofsearchd or ofsearch binary not found")
        return 77
    browser = test_page.chromium()
    if not browser:
        print("skip: no chromium")
        return 77
    client, why = npm_env.ensure("client")
    ui, why2 = npm_env.ensure("ui") if client else (None, None)
    if not client or not ui:
        print("skip: " + (why or why2))
        return 77
    tmp = tempfile.mkdtemp(prefix="ofsd-meili-pages-")
    site = None
    try:
        # collections without a base URL: hits link to the daemon's /doc/ pages, which show the
        # section the hit names
        db = os.path.join(tmp, "index.db")
        fx = os.path.join(t.ROOT, "tests", "fixtures", "search")
        subprocess.run([t.INDEXER, "index", "--quiet", "--db", db,
                        "--collection", "docs=" + os.path.join(fx, "docs"),
                        "--collection", "other=" + os.path.join(fx, "other")],
                       check=True, timeout=120, stdout=subprocess.DEVNULL)
        handler = type("Handler", (Site,), {"node_modules": os.path.join(ui, "node_modules"),
                                            "key": tm.KEY})
        site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=site.serve_forever, daemon=True).start()
        pages = "http://127.0.0.1:%d" % site.server_address[1]
        keyfile = os.path.join(tmp, "key")
        with open(keyfile, "w") as f:
            f.write(tm.KEY)
        d = t.Daemon(tmp, db, "--api-key-file", keyfile, "--cors-origin", pages, name="pages")
        try:
            daemon = "http://127.0.0.1:%d" % d.port
            handler.host = daemon
            out = os.path.join(t.ROOT, "tests", "artifacts")
            os.makedirs(out, exist_ok=True)
            script = os.path.join(client, "meili_pages.mjs")
            shutil.copyfile(os.path.join(HERE, "meili_pages.mjs"), script)
            r = subprocess.run(["node", script, pages, daemon, out, browser],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
            text = r.stdout.decode(errors="replace")
            print(text)
            check(r.returncode == 0 and "FAIL" not in text and text.count("ok   - ") >= 14,
                  "InstantSearch and DocSearch pages work against ofsearchd in Chromium")
        finally:
            check(d.stop() == 0, "daemon exits 0")
    finally:
        if site:
            site.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)
    return t.summary()


if __name__ == "__main__":
    sys.exit(main())
