#!/usr/bin/env python3
"""The official Meilisearch JS client (npm meilisearch 0.62.0) against a live ofsearchd with an
API key, in node: tests/meili_client.mjs says what it checks. The package comes from the npm
cache (tests/npm_env.py); without node or the registry the test skips. Exit 0 pass, 1 fail,
77 skip."""
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import npm_env  # noqa: E402
import test_meili as tm  # noqa: E402
import test_searchd as t  # noqa: E402
from test_searchd import check  # noqa: E402


def main():
    if not t.DAEMON or not t.INDEXER:
        print("skip: ofsearchd or ofsearch binary not found")
        return 77
    cache, why = npm_env.ensure("client")
    if not cache:
        print("skip: " + why)
        return 77
    tmp = tempfile.mkdtemp(prefix="ofsd-meili-js-")
    try:
        db = tm.build(tmp)
        keyfile = os.path.join(tmp, "key")
        with open(keyfile, "w") as f:
            f.write(tm.KEY)
        d = t.Daemon(tmp, db, "--api-key-file", keyfile, name="js")
        try:
            # the driver runs from the cache so its imports find node_modules there
            script = os.path.join(cache, "meili_client.mjs")
            shutil.copyfile(os.path.join(HERE, "meili_client.mjs"), script)
            r = subprocess.run(["node", script, "http://127.0.0.1:%d" % d.port, tm.KEY],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
            out = r.stdout.decode(errors="replace")
            print(out)
            n_ok = out.count("\nok   - ") + out.startswith("ok   - ")
            check(r.returncode == 0 and "FAIL" not in out and n_ok >= 25,
                  "the meilisearch client's checks pass (%d ok)" % n_ok)
        finally:
            check(d.stop() == 0, "daemon exits 0")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return t.summary()


if __name__ == "__main__":
    sys.exit(main())
