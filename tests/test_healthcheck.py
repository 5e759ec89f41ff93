#!/usr/bin/env python3
"""`ofsearch healthcheck` (the container image's HEALTHCHECK) against a real ofsearchd on an
ephemeral loopback port: 200 -> 0; /readyz of a daemon without an index, an unknown path, a closed
port and a server that never answers -> 1 (the last within the timeout); usage errors -> 2.

usage: test_healthcheck.py OFSEARCH OFSEARCHD
"""
import os
import socket
import subprocess
import sys
import tempfile
import time

SRC = os.environ.get("OFS_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), ".."))
failures = 0


def check(cond, what):
    global failures
    if not cond:
        failures += 1
        print("FAIL:", what, flush=True)


def start_daemon(ofsd, db):
    p = subprocess.Popen([ofsd, "--db", db, "--listen", "127.0.0.1:0", "--threads", "1"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = p.stdout.readline()
    port = int(line.rstrip().rstrip("/").rsplit(":", 1)[1])
    return p, port


def hc(ofs, *args, env=None):
    t0 = time.monotonic()
    p = subprocess.run([ofs, "healthcheck", *args], capture_output=True, text=True, env=env,
                       timeout=30)
    return p.returncode, p.stdout + p.stderr, time.monotonic() - t0


def main():
    ofs, ofsd = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory(prefix="ofs_healthcheck_") as tmp:
        db = os.path.join(tmp, "of.db")
        subprocess.run([ofs, "index", "--db", db, "--quiet", "--collection",
                        "of=" + os.path.join(SRC, "corpus", "operate-first")], check=True)
        d, port = start_daemon(ofsd, db)
        nodb, port2 = start_daemon(ofsd, os.path.join(tmp, "missing.db"))
        try:
            rc, out, _ = hc(ofs, "--listen", "127.0.0.1:%d" % port)
            check(rc == 0 and "200" in out, "healthz: %d %s" % (rc, out))
            env = dict(os.environ, OFSEARCH_LISTEN="0.0.0.0:%d" % port)
            rc, out, _ = hc(ofs, "--path", "/readyz", env=env)
            check(rc == 0, "readyz via OFSEARCH_LISTEN on the wildcard address: %s" % out)
            rc, out, _ = hc(ofs, "--listen", "127.0.0.1:%d" % port2, "--path", "/readyz")
            check(rc == 1 and "503" in out, "readyz without an index: %d %s" % (rc, out))
            rc, out, _ = hc(ofs, "--listen", "127.0.0.1:%d" % port2)
            check(rc == 0, "healthz without an index is still 200: %s" % out)
            rc, out, _ = hc(ofs, "--listen", "127.0.0.1:%d" % port, "--path", "/nope")
            check(rc == 1 and "404" in out, "unknown path: %s" % out)
        finally:
            for p in (d, nodb):
                p.terminate()
                p.wait()
        rc, out, _ = hc(ofs, "--listen", "127.0.0.1:%d" % port)
        check(rc == 1 and "cannot connect" in out, "closed port: %d %s" % (rc, out))
        # A listener that accepts and never answers.
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen(4)
        rc, out, took = hc(ofs, "--listen", "127.0.0.1:%d" % s.getsockname()[1],
                           "--timeout-ms", "300")
        s.close()
        check(rc == 1 and took < 5, "silent server: %d after %.1fs: %s" % (rc, took, out))
        for args in (["--bogus"], ["--listen", "nocolon"], ["--path", "healthz"],
                     ["--timeout-ms", "0"], ["--timeout-ms", "300x"], ["--listen", "[::1:80"]):
            rc, out, _ = hc(ofs, *args)
            check(rc == 2, "usage %s -> %d" % (args, rc))
    print("healthcheck: %s" % ("FAILED (%d)" % failures if failures else "ok"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
