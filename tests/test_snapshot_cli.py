#!/usr/bin/env python3
"""Integration tests of the real `ofsearch snapshot` / `ofsearch verify` binary.

usage: test_snapshot_cli.py CASE OFSEARCH
CASE: cli        options, output, every documented exit status of verify, same answers as the
                 source index
      concurrent snapshots taken while `ofsearch index` rewrites the source (in place and with
                 --rebuild) each verify and hold one of the source's states, never a mix
      kill       SIGKILL mid-snapshot: OUT is absent or verifies, never a half file; the next
                 snapshot removes the killed one's temporary files
Exit 77 = skipped (with the reason printed).
"""
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_index_cli import gen_tree  # noqa: E402  (the generated-corpus helper, one copy)

SKIP = 77
SRC = os.environ.get("OFS_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), ".."))
failures = 0


def check(cond, what):
    global failures
    if not cond:
        failures += 1
        print("FAIL:", what, flush=True)


def run(ofs, *args):
    return subprocess.run([ofs, *args], capture_output=True, text=True)


def manifest(path):
    with open(path + ".json") as f:
        return json.load(f)


def write_manifest(path, m):
    with open(path + ".json", "w") as f:
        json.dump(m, f)


def rehash(path):
    """Rewrites path's manifest to its current bytes, so verify gets past the hash."""
    import hashlib
    m = manifest(path)
    with open(path, "rb") as f:
        data = f.read()
    m["sha256"], m["size_bytes"] = hashlib.sha256(data).hexdigest(), len(data)
    write_manifest(path, m)


def copy(src, dst, with_manifest=True):
    for suffix in ("", ".json") if with_manifest else ("",):
        with open(src + suffix, "rb") as f, open(dst + suffix, "wb") as g:
            g.write(f.read())


def temps(d):
    return sorted(n for n in os.listdir(d) if ".tmp-" in n)


# ---- cases -----------------------------------------------------------------------------------

def case_cli(ofs, tmp):
    db = os.path.join(tmp, "of.db")
    p = run(ofs, "index", "--db", db, "--collection",
            "of=" + os.path.join(SRC, "corpus", "operate-first"))
    check(p.returncode == 0, "index: " + p.stderr)
    snap = os.path.join(tmp, "of-1.db")

    # usage
    for args, code in ((["snapshot"], 2), (["snapshot", "--db", db], 2),
                       (["snapshot", "--bogus", snap], 2), (["verify"], 2),
                       (["verify", "a", "b"], 2), (["verify", "--bogus", snap], 2)):
        p = run(ofs, *args)
        check(p.returncode == code, "%s -> %d, want %d" % (args, p.returncode, code))
    h = run(ofs, "verify", "--help")
    check(h.returncode == 0 and all("  %d  " % c in h.stdout for c in range(7)),
          "verify --help lists exit statuses 0-6: " + h.stdout)
    check("--force" in run(ofs, "snapshot", "--help").stdout, "snapshot --help")

    # a snapshot, its manifest, and the same answers as the source
    p = run(ofs, "snapshot", "--db", db, snap)
    check(p.returncode == 0 and p.stdout.startswith(snap + ": 16 documents, 302 sections"),
          "snapshot: %d %s %s" % (p.returncode, p.stdout, p.stderr))
    m = manifest(snap)
    check(m["format"] == "ofsearch-snapshot/1" and m["file"] == "of-1.db" and
          m["schema_version"] == 1 and m["documents"] == 16 and m["sections"] == 302 and
          m["size_bytes"] == os.path.getsize(snap) and m["collections"][0]["name"] == "of",
          "manifest %s" % m)
    v = run(ofs, "verify", snap)
    check(v.returncode == 0 and "verified" in v.stdout and m["sha256"] in v.stdout,
          "verify: %s %s" % (v.stdout, v.stderr))
    check(run(ofs, "verify", "--quiet", snap).stdout == "", "verify --quiet prints nothing")
    for q in ("argocd sync", "zero cluster", "runbook prometheus"):
        a = json.loads(run(ofs, "search", "--db", db, "--json", q).stdout)
        b = json.loads(run(ofs, "search", "--db", snap, "--json", q).stdout)
        check([x["url"] for x in a["hits"]] == [x["url"] for x in b["hits"]] and a["hits"],
              "same hits for %r from the snapshot" % q)
    check(sorted(os.listdir(tmp)) == ["of-1.db", "of-1.db.json", "of.db", "of.db-shm",
                                      "of.db-wal"], "files left: %s" % os.listdir(tmp))
    with open(os.path.join(tmp, "of-1.db"), "rb") as f:
        check(f.read(20)[18:20] == b"\x01\x01", "rollback-journal mode in the header")

    # an existing OUT
    p = run(ofs, "snapshot", "--db", db, snap)
    check(p.returncode == 1 and "--force" in p.stderr, "existing OUT refused: " + p.stderr)
    p = run(ofs, "snapshot", "--db", db, "--force", "--quiet", snap)
    check(p.returncode == 0 and p.stdout == "", "--force --quiet: %s" % p.stderr)
    check(run(ofs, "verify", snap).returncode == 0, "verify after --force")
    p = run(ofs, "snapshot", "--db", os.path.join(tmp, "none.db"), os.path.join(tmp, "x.db"))
    check(p.returncode == 1 and not os.path.exists(os.path.join(tmp, "x.db")),
          "missing source: %d %s" % (p.returncode, p.stderr))

    # a directory of snapshots: own names, --keep, and --db DIR takes the newest that verifies
    d = os.path.join(tmp, "snaps")
    os.mkdir(d)
    written = []
    for _ in range(3):
        p = run(ofs, "snapshot", "--db", db, "--keep", "2", d)
        check(p.returncode == 0 and p.stdout.startswith(d + "/index-"), "into DIR: " + p.stderr)
        written.append(p.stdout.split(":")[0])
    left = sorted(n for n in os.listdir(d) if n.endswith(".db"))
    check(len(left) == 2 and os.path.basename(written[-1]) in left, "--keep 2 left %s" % left)
    copy_to = os.path.join(tmp, "pod.db")
    p = run(ofs, "snapshot", "--db", d, copy_to)
    check(p.returncode == 0 and ("from " + written[-1]) in p.stdout, "--db DIR: " + p.stdout)
    check(run(ofs, "verify", copy_to).returncode == 0, "the copy of the newest verifies")
    p = run(ofs, "snapshot", "--db", os.path.join(tmp, "of-1.db"), "--keep", "1", copy_to + "2")
    check(p.returncode == 2, "--keep with a file OUT is a usage error")
    p = run(ofs, "snapshot", "--db", db, "--keep", "2x", d)
    check(p.returncode == 2 and len(os.listdir(d)) == 4, "--keep 2x is a usage error")
    p = run(ofs, "snapshot", "--db", os.path.join(tmp, "empty-dir-missing"), copy_to + "3")
    check(p.returncode == 1, "missing source")
    os.mkdir(os.path.join(tmp, "empty"))
    p = run(ofs, "snapshot", "--db", os.path.join(tmp, "empty"), copy_to + "3")
    check(p.returncode == 1 and "no verified snapshot" in p.stderr, "empty DIR: " + p.stderr)

    # verify's exit statuses, one per failed check
    def status(path):
        p = run(ofs, "verify", path)
        check(p.stderr.startswith("ofsearch verify: ") and p.stdout == "" or p.returncode == 0,
              "a failure is one line on stderr: %r %r" % (p.stdout, p.stderr))
        return p.returncode

    check(status(os.path.join(tmp, "gone.db")) == 1, "missing snapshot -> 1")
    bad = os.path.join(tmp, "bad.db")
    copy(snap, bad, with_manifest=False)
    check(status(bad) == 3, "missing manifest -> 3")
    with open(bad + ".json", "w") as f:
        f.write("{not json")
    check(status(bad) == 3, "malformed manifest -> 3")
    copy(snap, bad)
    m = manifest(bad)
    m["sha256"] = "0" * 64
    write_manifest(bad, m)
    check(status(bad) == 4, "wrong hash -> 4")
    copy(snap, bad)
    size = os.path.getsize(bad)
    with open(bad, "r+b") as f:  # the last page turned to garbage
        f.seek(size - 4096)
        f.write(b"\x5a" * 4096)
    check(status(bad) == 4, "corrupt snapshot, original manifest -> 4")
    rehash(bad)
    check(status(bad) == 5, "corrupt snapshot, manifest rehashed -> 5")
    copy(snap, bad)
    con = sqlite3.connect(bad)
    con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    rehash(bad)
    check(status(bad) == 6, "another schema version -> 6")
    con = sqlite3.connect(bad)
    con.execute("DROP TABLE meta")
    con.commit()
    con.close()
    rehash(bad)
    check(status(bad) == 6, "not an ofsearch index -> 6")
    return 0


def sections_by_docs(ofs, db):
    st = json.loads(run(ofs, "stats", "--db", db, "--json").stdout)
    return st["documents"], st["sections"]


def case_concurrent(ofs, tmp):
    """The source alternates between two states (300 and 150 generated pages), written by
    `ofsearch index` in place and by `--rebuild`; every snapshot must be one of the two."""
    full, half = os.path.join(tmp, "full"), os.path.join(tmp, "half")
    gen_tree(full, 300, seed=11)
    gen_tree(half, 150, seed=11)
    states = {}
    for name, d in (("full", full), ("half", half)):
        ref = os.path.join(tmp, name + ".db")
        check(run(ofs, "index", "--db", ref, "--collection", "docs=" + d).returncode == 0,
              "reference " + name)
        states[sections_by_docs(ofs, ref)] = name
    check(len(states) == 2, "two distinct states %s" % states)
    db = os.path.join(tmp, "live.db")
    run(ofs, "index", "--db", db, "--collection", "docs=" + full)
    stop = threading.Event()
    busy = []  # [start, end or None while running] of every writer run

    def writer():
        i = 0
        while not stop.is_set():
            src = half if i % 2 == 0 else full
            args = ["index", "--db", db, "--quiet", "--collection", "docs=" + src]
            if i % 4 >= 2:
                args.append("--rebuild")
            span = [time.monotonic(), None]
            busy.append(span)
            p = run(ofs, *args)
            span[1] = time.monotonic()
            check(p.returncode == 0, "writer run %d: %s" % (i, p.stderr))
            i += 1

    t = threading.Thread(target=writer)
    t.start()
    seen, overlapped = {}, 0
    try:
        for k in range(16):
            out = os.path.join(tmp, "snap-%02d.db" % k)
            t0 = time.monotonic()
            p = run(ofs, "snapshot", "--db", db, "--quiet", out)
            t1 = time.monotonic()
            overlapped += any(a < t1 and (b is None or b > t0) for a, b in list(busy)[-3:])
            check(p.returncode == 0, "snapshot %d: %s" % (k, p.stderr))
            v = run(ofs, "verify", out)
            check(v.returncode == 0, "verify snapshot %d: %s" % (k, v.stderr))
            m = manifest(out)
            state = states.get((m["documents"], m["sections"]))
            check(state is not None, "snapshot %d holds %d documents, %d sections: neither state"
                  % (k, m["documents"], m["sections"]))
            check(sections_by_docs(ofs, out) == (m["documents"], m["sections"]),
                  "snapshot %d holds what its manifest says" % k)
            seen[state] = seen.get(state, 0) + 1
            time.sleep(random.uniform(0, 0.05))
    finally:
        stop.set()
        t.join()
    print("snapshots by state: %s; %d of 16 overlapped a writer run; %d writer runs"
          % (seen, overlapped, len(busy)))
    check(len(busy) >= 4, "the writer ran during the snapshots (%d runs)" % len(busy))
    check(temps(tmp) == [], "no temporary files left: %s" % temps(tmp))
    return 0


def case_kill(ofs, tmp):
    docs = os.path.join(tmp, "docs")
    gen_tree(docs, 3000, seed=5)
    db = os.path.join(tmp, "big.db")
    check(run(ofs, "index", "--db", db, "--quiet", "--collection", "docs=" + docs).returncode == 0,
          "index")
    out = os.path.join(tmp, "snap.db")
    t0 = time.monotonic()
    check(run(ofs, "snapshot", "--db", db, "--quiet", out).returncode == 0, "first snapshot")
    took = time.monotonic() - t0
    os.remove(out)
    os.remove(out + ".json")
    rng = random.Random(3)
    killed = absent = stale = 0
    for attempt in range(8):
        proc = subprocess.Popen([ofs, "snapshot", "--db", db, "--quiet", out],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, 0.9) * took)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.wait()
        stale += len(temps(tmp))  # the next attempt removes them
        if os.path.exists(out):
            v = run(ofs, "verify", out)
            check(v.returncode == 0, "after kill %d OUT exists and must verify: %s"
                  % (attempt, v.stderr))
            for f in (out, out + ".json"):
                if os.path.exists(f):
                    os.remove(f)
        else:
            absent += 1
            check(not os.path.exists(out + ".json"), "a manifest without its snapshot")
    p = run(ofs, "snapshot", "--db", db, "--quiet", out)
    check(p.returncode == 0 and run(ofs, "verify", out).returncode == 0, "snapshot after kills")
    print("snapshot takes %.2fs; killed %d of 8 mid-way, OUT absent %d times; temporary files "
          "seen after the kills: %d, after the last snapshot: %d" % (took, killed, absent, stale,
                                                                   len(temps(tmp))))
    check(killed >= 3, "killed mid-way %d times" % killed)
    check(temps(tmp) == [], "the next snapshot removes stale temporary files: %s" % temps(tmp))
    return 0


CASES = {"cli": case_cli, "concurrent": case_concurrent, "kill": case_kill}


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in CASES:
        print(__doc__)
        return 2
    with tempfile.TemporaryDirectory(prefix="ofs_snapshot_cli_") as tmp:
        rc = CASES[sys.argv[1]](sys.argv[2], tmp)
    if rc == SKIP:
        return SKIP
    print("%s: %s" % (sys.argv[1], "FAILED (%d)" % failures if failures else "ok"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
