#!/usr/bin/env python3
"""Integration tests of the real `ofsearch index` / `ofsearch stats` binary.

usage: test_index_cli.py CASE OFSEARCH [EXTENSION.so]
CASE: cli | kill | reader | operate_first | tldr. EXTENSION (the ofs loadable module) lets the
stock sqlite3 shell run FTS5 'integrity-check'; without it (sanitizer builds) that part is
skipped. Exit 77 = skipped (with the reason printed).
"""
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import threading
import time

SKIP = 77
SRC = os.environ.get("OFS_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), ".."))
CORPORA = os.path.join(SRC, "..", "shared", "corpora")
if not os.path.isdir(CORPORA):
    CORPORA = "/work/shared/corpora"

failures = 0


def check(cond, what):
    global failures
    if not cond:
        failures += 1
        print("FAIL:", what, flush=True)


def run(ofs, *args, **kw):
    return subprocess.run([ofs, *args], capture_output=True, text=True, **kw)


def integrity(ext, db):
    """FTS5 integrity-check through the sqlite3 shell with the ofs tokenizer loaded; None when
    that is not possible here."""
    if not ext or not shutil.which("sqlite3"):
        return None
    p = subprocess.run(["sqlite3", db, ".load " + os.path.splitext(ext)[0],
                        "INSERT INTO fts(fts) VALUES('integrity-check');"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        print("integrity-check output:", p.stdout, p.stderr)
    return p.returncode == 0


def doc_paths(db):
    con = sqlite3.connect(db)
    try:
        return {r[0] for r in con.execute("SELECT path FROM documents")}
    finally:
        con.close()


# ---- generated documents ---------------------------------------------------------------------

WORDS = ("cluster node pod storage network operator quota alert metric dashboard route ingress "
         "secret volume backup restore deploy rollout canary tenant project namespace policy "
         "gateway service replica schedule budget latency throughput incident runbook").split()


def gen_doc(rng, i):
    parts = ["---\ntitle: Generated page %d\ntags: [gen, batch]\n---\n" % i,
             "Intro for page %d: %s.\n" % (i, " ".join(rng.choice(WORDS) for _ in range(40)))]
    for s in range(3):
        parts.append("\n## Part %d of %d\n\n" % (s, i))
        for _ in range(4):
            parts.append(" ".join(rng.choice(WORDS) for _ in range(60)) + ".\n\n")
        parts.append("```sh\nkubectl get %s -n ns%d\n```\n" % (rng.choice(WORDS), i))
    return "".join(parts)


def gen_tree(root, n, seed, start=0):
    rng = random.Random(seed)
    for i in range(start, start + n):
        d = os.path.join(root, "area%02d" % (i % 17))
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "page%05d.md" % i), "w") as f:
            f.write(gen_doc(rng, i))


# ---- cases -----------------------------------------------------------------------------------

def case_cli(ofs, ext, tmp):
    fx = os.path.join(SRC, "tests", "fixtures", "build")
    work = os.path.join(tmp, "fx")
    shutil.copytree(fx, work, symlinks=True)
    db = os.path.join(tmp, "cli.db")
    docs = os.path.join(work, "docs")
    data = os.path.join(work, "data.jsonl")

    p = run(ofs, "index", "--db", db, "--json", "--collection", "docs=%s@https://ex.com/h" % docs,
            data)
    print(p.stdout, p.stderr)
    check(p.returncode == 1, "fixtures with bad files exit 1, got %d" % p.returncode)
    s = json.loads(p.stdout)
    check(s["added"] == 9 and s["failed"] == 4 and s["documents"] == 9, "first summary %s" % s)
    for key in ("updated", "removed", "unchanged", "sections", "bytes", "seconds", "mb_per_s"):
        check(key in s, "summary has " + key)
    check("binary.md" in p.stderr and "data.jsonl:4:" in p.stderr, "warnings name file and line")
    check("\r" not in p.stderr and "\033[" not in p.stderr, "no progress bar when not a TTY")
    check(integrity(ext, db) in (True, None), "integrity after first build")

    p = run(ofs, "index", "--db", db, "--collection", "docs=%s@https://ex.com/h" % docs, data)
    check(p.returncode == 1, "re-run exit 1")
    check(p.stdout.startswith("0 added, 0 updated, 0 removed, 9 unchanged, 4 failed; 9 documents"),
          "text summary: " + p.stdout)
    check("MB/s" in p.stdout and p.stdout.count("\n") == 1, "one-line summary")

    p = run(ofs, "stats", "--db", db, "--json")
    check(p.returncode == 0, "stats exit 0: " + p.stderr)
    st = json.loads(p.stdout)
    check(st["documents"] == 9 and st["schema_version"] == 1 and st["terms"] > 20, "stats %s" % st)
    cols = {c["name"]: c for c in st["collections"]}
    check(set(cols) == {"docs", "data"}, "collection names %s" % cols)
    check(cols.get("data", {}).get("documents") == 3, "data documents")
    check(st["built_at"].endswith("Z") and st["size_bytes"] > 0, "built_at, size")
    p = run(ofs, "stats", "--db", db)
    check(p.returncode == 0 and "documents:" in p.stdout and "docs" in p.stdout, "stats text")

    # the plain tables are readable without the tokenizer
    con = sqlite3.connect(db)
    url = con.execute("SELECT url FROM sections WHERE title='Requirements'").fetchone()[0]
    con.close()
    check(url == "https://ex.com/h/guide/setup#requirements", "url " + url)

    # removing a file and editing one
    os.unlink(os.path.join(docs, "faq.md"))
    with open(os.path.join(docs, "guide", "README.md"), "a") as f:
        f.write("\nMore text about quasars.\n")
    p = run(ofs, "index", "--db", db, "--json", "--collection", "docs=%s@https://ex.com/h" % docs,
            data)
    s = json.loads(p.stdout)
    check(s["removed"] == 1 and s["updated"] == 1 and s["unchanged"] == 7, "incremental %s" % s)
    check(integrity(ext, db) in (True, None), "integrity after removal")

    # a clean tree exits 0; bare paths are named after their basename
    clean = os.path.join(tmp, "clean-docs")
    os.makedirs(clean)
    with open(os.path.join(clean, "a.md"), "w") as f:
        f.write("# A\n\ntext\n")
    db2 = os.path.join(tmp, "clean.db")
    p = run(ofs, "index", "--db", db2, clean)
    check(p.returncode == 0 and p.stderr == "", "clean exit 0: %d %s" % (p.returncode, p.stderr))
    check(json.loads(run(ofs, "stats", "--db", db2, "--json").stdout)["collections"][0]["name"]
          == "clean-docs", "bare path named after its basename")

    # no path: an existing index is updated from the collections it holds
    p = run(ofs, "index", "--db", db2, "--json")
    check(p.returncode == 0 and json.loads(p.stdout)["unchanged"] == 1,
          "re-index stored collections: %d %s %s" % (p.returncode, p.stdout, p.stderr))

    # errors: exit 2 with a message
    for args, needle in ((["index", "--db", os.path.join(tmp, "none.db")], "nothing to index"),
                         (["index", "--db", db2, "--bogus", clean], "unknown option"),
                         (["index", "--db", db2, "--depth", "9", clean], "--depth"),
                         (["index", "--db", db2, "/nonexistent/ofs"], "/nonexistent/ofs"),
                         (["index", "--db", db2, "--collection", "nopath", clean], "NAME=PATH"),
                         (["stats", "--db", os.path.join(tmp, "missing.db")], "no such file")):
        p = run(ofs, *args)
        check(p.returncode == 2 and needle in p.stderr, "%s -> %d %s" % (args, p.returncode,
                                                                          p.stderr))
    check(not os.path.exists(os.path.join(tmp, "missing.db")), "stats does not create an index")
    junk = os.path.join(tmp, "junk.db")
    with open(junk, "w") as f:
        f.write("not a database, just text " * 20)
    p = run(ofs, "index", "--db", junk, clean)
    check(p.returncode == 2 and "not an ofsearch index" in p.stderr, "junk db: " + p.stderr)
    p = run(ofs, "index", "--db", junk, "--rebuild", clean)
    check(p.returncode == 2 and "not overwriting" in p.stderr, "rebuild over junk: " + p.stderr)

    # schema mismatch -> exit 2, says to rebuild; --rebuild fixes it (and changes tokenizer)
    con = sqlite3.connect(db2)
    con.execute("UPDATE meta SET value='0' WHERE key='schema_version'")
    con.commit()
    con.close()
    p = run(ofs, "index", "--db", db2, clean)
    check(p.returncode == 2 and "--rebuild" in p.stderr, "schema mismatch: " + p.stderr)
    p = run(ofs, "stats", "--db", db2)
    check(p.returncode == 2 and "--rebuild" in p.stderr, "stats schema mismatch: " + p.stderr)
    p = run(ofs, "index", "--db", db2, "--rebuild", "--tokenizer", "stem english", clean)
    check(p.returncode == 0, "rebuild: " + p.stderr)
    st = json.loads(run(ofs, "stats", "--db", db2, "--json").stdout)
    check(st["tokenizer"] == "stem english" and st["documents"] == 1, "after rebuild %s" % st)
    check(not [n for n in os.listdir(tmp) if "rebuild-" in n], "no temp files left")
    p = run(ofs, "index", "--db", db2, "--rebuild", "--tokenizer", "nonsense 1", clean)
    check(p.returncode == 2 and "nonsense" in p.stderr, "bad tokenizer option: " + p.stderr)
    check(json.loads(run(ofs, "stats", "--db", db2, "--json").stdout)["tokenizer"]
          == "stem english", "failed rebuild keeps the old index")
    return 0


def case_kill(ofs, ext, tmp):
    """SIGKILL the indexer mid-run, several times: the previous index must stay intact."""
    docs = os.path.join(tmp, "docs")
    gen_tree(docs, 300, seed=1)
    db = os.path.join(tmp, "kill.db")
    p = run(ofs, "index", "--db", db, "--collection", "docs=" + docs)
    check(p.returncode == 0, "initial build: " + p.stderr)
    old = doc_paths(db)
    check(len(old) == 300, "initial documents %d" % len(old))
    # a big change: 6000 new files and every old one edited
    gen_tree(docs, 6000, seed=2, start=300)
    gen_tree(docs, 300, seed=3)
    rng = random.Random(7)
    killed = 0
    for attempt in range(12):
        if killed >= 5:
            break
        rebuild = attempt % 3 == 2  # the --rebuild path too
        args = [ofs, "index", "--db", db, "--collection", "docs=" + docs]
        if rebuild:
            args.append("--rebuild")
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, 1.2))
        if proc.poll() is not None:
            print("run %d finished before the kill (%.1fs); trying a new delay" % (attempt, 0))
            # it committed: restore the old state to keep testing from it
            shutil.rmtree(docs)
            gen_tree(docs, 300, seed=1)
            run(ofs, "index", "--db", db, "--collection", "docs=" + docs, "--rebuild")
            gen_tree(docs, 6000, seed=2, start=300)
            gen_tree(docs, 300, seed=3)
            continue
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        killed += 1
        now = doc_paths(db)
        check(now == old, "after kill %d (rebuild=%s): %d documents, want the old %d"
              % (killed, rebuild, len(now), len(old)))
        con = sqlite3.connect(db)
        ok = con.execute("PRAGMA integrity_check").fetchone()[0]
        n = con.execute("SELECT count(*) FROM sections WHERE document_id NOT IN"
                        " (SELECT id FROM documents)").fetchone()[0]
        con.close()
        check(ok == "ok" and n == 0, "sqlite integrity %s, orphan sections %d" % (ok, n))
        check(integrity(ext, db) in (True, None), "fts integrity-check after kill %d" % killed)
        st = run(ofs, "stats", "--db", db, "--json")
        check(st.returncode == 0 and json.loads(st.stdout)["documents"] == 300,
              "stats after kill: " + st.stdout + st.stderr)
    check(killed >= 3, "killed mid-run %d times" % killed)
    leftovers = [n for n in os.listdir(tmp) if ".rebuild-" in n]
    run(ofs, "index", "--db", db, "--rebuild", "--collection", "docs=" + docs)
    check(not [n for n in os.listdir(tmp) if ".rebuild-" in n],
          "a later --rebuild removes stale temp files %s" % leftovers)
    # the completed --rebuild above brought everything in; an update run changes nothing
    p = run(ofs, "index", "--db", db, "--json", "--collection", "docs=" + docs)
    s = json.loads(p.stdout)
    check(p.returncode == 0 and s["documents"] == 6300 and s["unchanged"] == 6300,
          "final run %s %s" % (s, p.stderr))
    check(integrity(ext, db) in (True, None), "integrity after the final run")
    print("killed %d runs mid-way; index intact each time" % killed)
    return 0


def case_reader(ofs, ext, tmp):
    """A reader polling during a run sees the old or the new index, never a mix."""
    docs = os.path.join(tmp, "docs")
    gen_tree(docs, 200, seed=11)
    db = os.path.join(tmp, "reader.db")
    check(run(ofs, "index", "--db", db, "--collection", "docs=" + docs).returncode == 0, "build")
    gen_tree(docs, 3000, seed=12, start=200)
    seen = set()
    stop = threading.Event()
    errors = []

    def reader():
        con = sqlite3.connect(db, timeout=30)
        while not stop.is_set():
            try:
                con.execute("BEGIN")
                d = con.execute("SELECT count(*) FROM documents").fetchone()[0]
                s = con.execute("SELECT count(*) FROM sections").fetchone()[0]
                o = con.execute("SELECT count(*) FROM sections WHERE document_id NOT IN"
                                " (SELECT id FROM documents)").fetchone()[0]
                con.execute("COMMIT")
                seen.add((d, s, o))
            except sqlite3.Error as e:
                errors.append(str(e))
                time.sleep(0.01)
        con.close()

    t = threading.Thread(target=reader)
    t.start()
    time.sleep(0.1)
    p = run(ofs, "index", "--db", db, "--json", "--collection", "docs=" + docs)
    time.sleep(0.2)
    stop.set()
    t.join()
    s = json.loads(p.stdout)
    docs_seen = {d for d, _, _ in seen}
    print("reader saw", sorted(seen), "errors", errors[:3])
    check(not errors, "reader errors: %s" % errors[:3])
    check(docs_seen <= {200, 3200} and 200 in docs_seen and 3200 in docs_seen,
          "reader saw old or new only: %s" % sorted(docs_seen))
    check(all(o == 0 for _, _, o in seen), "never orphan sections")
    # each generated page has 4 sections: the counts of one snapshot belong together
    check(all(sc == 4 * d for d, sc, _ in seen), "sections match documents in every snapshot")
    check(s["added"] == 3000, "summary %s" % s)
    return 0


def expect_clean(ofs, ext, db, path, name, want_docs=None):
    t0 = time.time()
    p = run(ofs, "index", "--db", db, "--json", "--collection", "%s=%s" % (name, path))
    print(p.stdout.strip(), "(%.1fs)" % (time.time() - t0))
    if p.stderr:
        print(p.stderr[:2000])
    check(p.returncode == 0, "exit %d" % p.returncode)
    s = json.loads(p.stdout) if p.stdout else {}
    check(s.get("failed") == 0, "no failures")
    if want_docs is not None:
        check(s.get("documents") == want_docs, "documents %s, want %d" % (s.get("documents"),
                                                                          want_docs))
    check(integrity(ext, db) in (True, None), "integrity")
    p = run(ofs, "index", "--db", db, "--json", "--collection", "%s=%s" % (name, path))
    s2 = json.loads(p.stdout)
    check(s2["unchanged"] == s.get("added") and s2["added"] == 0 and s2["updated"] == 0,
          "unchanged re-run %s" % s2)
    return s


def case_operate_first(ofs, ext, tmp):
    root = os.path.join(CORPORA, "operate-first")
    if not os.path.isdir(root):
        print("SKIP: %s not present" % root)
        return SKIP
    expect_clean(ofs, ext, os.path.join(tmp, "of.db"), root, "operate-first")
    return 0


def case_tldr(ofs, ext, tmp):
    if os.environ.get("OFS_SLOW_TESTS") == "0":
        print("SKIP: slow test (OFS_SLOW_TESTS=0, e.g. the sanitizer run)")
        return SKIP
    tarball = os.path.join(CORPORA, "tldr-pages.tar.xz")
    if not os.path.isfile(tarball):
        print("SKIP: %s not present" % tarball)
        return SKIP
    with tarfile.open(tarball) as tf:
        tf.extractall(tmp)
    root = os.path.join(tmp, "tldr")
    n = sum(1 for _, _, fs in os.walk(root) for f in fs if f.endswith(".md"))
    expect_clean(ofs, ext, os.path.join(tmp, "tldr.db"), root, "tldr", want_docs=n)
    return 0


CASES = {"cli": case_cli, "kill": case_kill, "reader": case_reader,
         "operate_first": case_operate_first, "tldr": case_tldr}


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in CASES:
        print(__doc__)
        return 2
    ofs = sys.argv[2]
    ext = sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] else None
    if not ext:
        print("note: no extension given; FTS5 integrity-check via the sqlite3 shell is skipped")
    with tempfile.TemporaryDirectory(prefix="ofs_index_cli_") as tmp:
        rc = CASES[sys.argv[1]](ofs, ext, tmp)
    if rc == SKIP:
        return SKIP
    print("%s: %s" % (sys.argv[1], "FAILED (%d)" % failures if failures else "ok"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
