#!/usr/bin/env python3
"""deploy/prometheus/alerts.yml and deploy/grafana/ofsearchd.json: `promtool check rules`, the
rules' unit tests (`promtool test rules alerts_test.yml`), a runbook entry in docs/operations.md
for every alert, and every metric they use exported by a real ofsearchd's /metrics — except the
ones phase B adds, listed here and in docs/operations.md. Skips without promtool.

usage: test_alerts.py OFSEARCH OFSEARCHD
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request

SRC = os.environ.get("OFS_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), ".."))
PROM = os.path.join(SRC, "deploy", "prometheus")
# Not exported yet (docs/operations.md, "Metrics"): the alerts and the dashboard are written
# against these names; phase B adds them to ofsearchd.
PLANNED = {"ofsearchd_searches_total", "ofsearchd_search_zero_results_total",
           "ofsearchd_search_relaxed_total", "ofsearchd_search_corrected_total",
           "ofsearchd_index_info"}
failures = 0


def check(cond, what):
    global failures
    if not cond:
        failures += 1
        print("FAIL:", what, flush=True)


def served_metrics(ofs, ofsd, tmp):
    db = os.path.join(tmp, "of.db")
    subprocess.run([ofs, "index", "--db", db, "--quiet", "--collection",
                    "of=" + os.path.join(SRC, "corpus", "operate-first")], check=True)
    p = subprocess.Popen([ofsd, "--db", db, "--listen", "127.0.0.1:0", "--threads", "1"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        base = p.stdout.readline().split()[-1].rstrip("/")
        with urllib.request.urlopen(base + "/metrics", timeout=10) as r:
            text = r.read().decode()
    finally:
        p.terminate()
        p.wait()
    names = set()
    for line in text.splitlines():
        m = re.match(r"# TYPE (\S+) (\S+)", line)
        if m:
            names.add(m.group(1))
            if m.group(2) == "histogram":
                names |= {m.group(1) + s for s in ("_bucket", "_sum", "_count")}
    return names


def main():
    if not shutil.which("promtool"):
        print("SKIP: promtool is missing (Debian package prometheus; scripts/deps.sh --test)")
        return 77
    ofs, ofsd = sys.argv[1], sys.argv[2]
    for args in (["check", "rules", "alerts.yml"], ["test", "rules", "alerts_test.yml"]):
        p = subprocess.run(["promtool", *args], cwd=PROM, capture_output=True, text=True)
        print(p.stdout.strip())
        check(p.returncode == 0, "promtool %s: %s%s" % (" ".join(args), p.stdout, p.stderr))

    with open(os.path.join(PROM, "alerts.yml")) as f:
        rules = f.read()
    with open(os.path.join(SRC, "deploy", "grafana", "ofsearchd.json")) as f:
        dash = json.load(f)
    with open(os.path.join(SRC, "docs", "operations.md")) as f:
        ops = f.read()
    alerts = re.findall(r"- alert: (\w+)", rules)
    check(len(alerts) >= 8, "alerts %s" % alerts)
    tested = open(os.path.join(PROM, "alerts_test.yml")).read()
    for a in alerts:
        check(re.search(r"^### %s$" % a, ops, re.M), "docs/operations.md has a runbook entry "
              "'### %s'" % a)
        check("runbook_url: docs/operations.md#%s" % a.lower() in rules, "%s links its entry" % a)
        check("alertname: %s" % a in tested, "alerts_test.yml tests %s" % a)

    exprs = rules + "\n".join(t["expr"] for p in dash["panels"] for t in p["targets"])
    used = set(re.findall(r"\bofsearchd_[a-z_]+\b", exprs))
    with tempfile.TemporaryDirectory(prefix="ofs_alerts_") as tmp:
        served = served_metrics(ofs, ofsd, tmp)
    missing = sorted(used - served - PLANNED)
    check(not missing, "metrics used but not exported by ofsearchd: %s" % missing)
    now_served = sorted(PLANNED & served)
    print("metrics used: %d exported, %d planned for phase B (%s)%s"
          % (len(used - PLANNED), len(used & PLANNED), ", ".join(sorted(used & PLANNED)),
             "; now exported: %s (drop them from PLANNED)" % now_served if now_served else ""))
    for name in PLANNED:
        check(name in ops, "docs/operations.md describes %s" % name)
    print("alerts: %s" % ("FAILED (%d)" % failures if failures else "ok"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
