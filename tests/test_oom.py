#!/usr/bin/env python3
"""The out-of-memory policy (lib/alloc.c), tried on the real CLI with tests/oom_shim.c preloaded:

- every allocation the program makes itself (the library and the CLI), when it fails, ends the
  process with SIGABRT and "ofsearch: out of memory" on stderr: no crash, no error path that
  carries on with a NULL;
- an allocation SQLite makes, when it fails, is an error SQLite reports and the program handles:
  it exits with a status, never a signal.

Workloads: `ofsearch index` of the build fixtures (Markdown and JSON Lines), `ofsearch search`
with a misspelt word (ranking, snippets, did-you-mean) and `ofsearch eval` of two topics. For
each, a first run counts the allocations, then runs fail one of them, spread evenly over the
first nine tenths of the count (threads may interleave so that a run makes fewer): 120 of the
program's own (a third to all of them) and 50 of SQLite's.

usage: test_oom.py OFSEARCH_BIN SHIM_SO"""
import os
import resource
import signal
import subprocess
import sys
import tempfile

ofs, shim = sys.argv[1], sys.argv[2]
root = os.environ.get("OFS_SOURCE_ROOT", ".")
fixtures = os.path.join(root, "tests", "fixtures", "build")
SAMPLES = {"exe": 120, "sqlite": 50}  # failing runs per workload and mode
failures = 0


def run(args, mode=None, fail=0):
    env = dict(os.environ, OFSEARCH_SYNONYMS="")
    if mode:
        env.update(LD_PRELOAD=shim, OFS_OOM_FROM=mode, OFS_OOM_FAIL=str(fail))
    # No core files: hundreds of runs abort on purpose.
    return subprocess.run([ofs] + args, env=env, capture_output=True, timeout=120,
                          preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_CORE, (0, 0)))


def counted(p):
    for line in p.stderr.decode(errors="replace").splitlines():
        if line.startswith("oom_shim: "):
            return int(line.split()[1])
    return 0


def bad(msg):
    global failures
    failures += 1
    print("FAIL:", msg)


def spread(n, k):
    """Up to k allocation numbers from 1 to n, evenly spread, both ends included."""
    if n <= k:
        return list(range(1, n + 1))
    return sorted({1 + round(i * (n - 1) / (k - 1)) for i in range(k)})


def check(name, args_for, expect):
    for mode in ("exe", "sqlite"):
        p = run(args_for(), mode, 0)
        n = counted(p)
        if p.returncode not in (0, 1) or n == 0:
            bad(f"{name}/{mode}: counting run exited {p.returncode}, counted {n}: "
                f"{p.stderr.decode(errors='replace')[-300:]}")
            continue
        seen = {}
        # The last few may not be reached when threads interleave differently.
        for k in spread(max(1, n * 9 // 10), SAMPLES[mode]):
            p = run(args_for(), mode, k)
            err = p.stderr.decode(errors="replace")
            outcome = expect(mode, p.returncode, err)
            seen[outcome] = seen.get(outcome, 0) + 1
            if outcome.startswith("bad"):
                bad(f"{name}/{mode}: allocation {k} of {n}: exit {p.returncode}: {err[-400:]}")
        print(f"{name}/{mode}: {n} allocations counted; failing runs: "
              + ", ".join(f"{v} {k}" for k, v in sorted(seen.items())))


def expect(mode, rc, err):
    if mode == "exe":
        # Ours: abort with the message.
        if rc == -signal.SIGABRT and "ofsearch: out of memory" in err:
            return "aborted"
        return "bad"
    # SQLite's: an error exit (or SQLite coped), never a signal.
    if rc < 0:
        return "bad (signal)"
    return "ok" if rc in (0, 1) else "error exit"


with tempfile.TemporaryDirectory() as tmp:
    db = os.path.join(tmp, "fixtures.db")
    spec = ["--collection", "docs=" + os.path.join(fixtures, "docs"),
            "--collection", "data=" + os.path.join(fixtures, "data.jsonl")]
    p = run(["index", "--db", db, "-q"] + spec)  # exit 1: some fixtures fail on purpose
    if p.returncode not in (0, 1):
        print("cannot build the fixture index:", p.stderr.decode(errors="replace"))
        sys.exit(1)
    probe = run(["search", "--db", db, "widget"], "exe", 0)
    if counted(probe) == 0:
        print("SKIP: the allocation shim does not take effect here (LD_PRELOAD refused?)")
        sys.exit(77)

    fresh = os.path.join(tmp, "fresh.db")

    def index_args():
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(fresh + suffix):
                os.unlink(fresh + suffix)
        return ["index", "--db", fresh, "-q"] + spec

    check("index", index_args, expect)
    check("search", lambda: ["search", "--db", db, "--json", "widgte service"], expect)
    topics = os.path.join(tmp, "topics.tsv")
    qrels = os.path.join(tmp, "qrels.txt")
    with open(topics, "w") as f:
        f.write("1\twidget intake\n2\tglossary sprocket\n")
    with open(qrels, "w") as f:
        f.write("1 0 index.md 1\n2 0 glossary.md 2\n")
    check("eval", lambda: ["eval", "--db", db, "--qrels", qrels, "--topics", topics,
                           "--docid", "path", "--permutations", "50"], expect)

print(f"{failures} failures")
sys.exit(1 if failures else 0)
