#!/usr/bin/env python3
"""`ofsearch mcp` and `ofsearch show` on an index of the default corpus.
  protocol: the MCP server over a pipe with raw JSON-RPC lines, no node: both lifecycles
            (initialize for 2025-11-25, server/discover and _meta for 2026-07-28), tools/list,
            both tools, and bad input (malformed JSON, a batch, a wrong jsonrpc, a null id,
            unknown method, params not an object, an unsupported protocol version, an oversized
            line, notifications and responses left unanswered, invalid UTF-8, long non-ASCII
            names quoted in answers); and `ofsearch show` (a section, a page, a term without a
            heading, errors and exit statuses).
  sdk:      the official MCP TypeScript SDK (1.x and the v2 client) through tests/mcp_client.mjs,
            from the npm cache (skips without node or the registry).
Exit 0 pass, 1 fail, 77 skip."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import npm_env  # noqa: E402
import test_searchd as t  # noqa: E402
from test_searchd import check  # noqa: E402

LIMIT = 1024 * 1024


def build(tmp):
    db = os.path.join(tmp, "index.db")
    subprocess.run([t.INDEXER, "index", "--quiet", "--db", db, os.path.join(t.ROOT, "corpus")],
                   check=True, timeout=120, stdout=subprocess.DEVNULL)
    return db


def exchange(db, lines):
    """Sends the lines (bytes or objects) to one `ofsearch mcp` and returns its answers."""
    data = b"".join((l if isinstance(l, bytes) else json.dumps(l).encode()) + b"\n" for l in lines)
    r = subprocess.run([t.INDEXER, "mcp", "--db", db], input=data, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120)
    check(r.returncode == 0, "mcp exits 0 at end of input (%s)" % r.stderr.decode()[-300:])
    bad = [m for m in t.SANITIZER_MARKS if m in r.stderr.decode(errors="replace")]
    check(not bad, "no sanitizer report from mcp")
    out = []
    for line in r.stdout.split(b"\n"):
        if line:
            out.append(json.loads(line))
    return out


def req(i, method, params=None, meta=None):
    m = {"jsonrpc": "2.0", "id": i, "method": method}
    if params is not None or meta is not None:
        m["params"] = dict(params or {})
        if meta:
            m["params"]["_meta"] = {"io.modelcontextprotocol/protocolVersion": meta,
                                    "io.modelcontextprotocol/clientCapabilities": {}}
    return m


def test_protocol(db):
    a = exchange(db, [
        req(1, "initialize", {"protocolVersion": "2025-11-25", "capabilities": {},
                              "clientInfo": {"name": "t", "version": "1"}}),
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        req(2, "tools/list", {}),
        req(3, "tools/call", {"name": "search", "arguments": {"query": "argo cd", "limit": 2}}),
        req(4, "ping"),
        req(5, "initialize", {"protocolVersion": "1999-01-01"}),
    ])
    byid = {m.get("id"): m for m in a}
    check(len(a) == 5, "five requests, five answers, the notification unanswered: %d" % len(a))
    init = byid.get(1, {}).get("result", {})
    check(init.get("protocolVersion") == "2025-11-25" and init.get("capabilities", {}).get("tools")
          is not None and init.get("serverInfo", {}).get("name") == "ofsearch",
          "initialize 2025-11-25: version, tools capability, serverInfo")
    check(byid.get(5, {}).get("result", {}).get("protocolVersion") == "2025-11-25",
          "initialize with an unknown version: the server answers its newest")
    tools = byid.get(2, {}).get("result", {}).get("tools", [])
    check(sorted(x["name"] for x in tools) == ["read_section", "search"] and
          "resultType" not in byid[2]["result"], "tools/list (legacy: no resultType)")
    hits = byid.get(3, {}).get("result", {}).get("structuredContent", {}).get("hits", [])
    check(len(hits) == 2 and all(set(h) >= {"title", "breadcrumb", "url", "section", "snippet"}
                                 for h in hits), "tools/call search: hits")
    check(byid.get(4, {}).get("result") == {}, "ping")
    # the stateless revision
    b = exchange(db, [
        req(1, "server/discover", {}, meta="2026-07-28"),
        req(2, "tools/list", {}, meta="2026-07-28"),
        req(3, "tools/call", {"name": "read_section",
                              "arguments": {"section": hits[0]["section"] if hits else "x"}},
            meta="2026-07-28"),
        req(4, "tools/list", {}, meta="2099-01-01"),
    ])
    byid = {m.get("id"): m for m in b}
    disc = byid.get(1, {}).get("result", {})
    check(disc.get("resultType") == "complete" and "2026-07-28" in disc.get("supportedVersions", [])
          and "tools" in disc.get("capabilities", {}) and "ttlMs" in disc and
          disc.get("cacheScope") == "public", "server/discover (2026-07-28)")
    tl = byid.get(2, {}).get("result", {})
    check(tl.get("resultType") == "complete" and "ttlMs" in tl and len(tl.get("tools", [])) == 2,
          "tools/list with _meta: resultType and cache hints")
    rs = byid.get(3, {}).get("result", {})
    check(rs.get("resultType") == "complete" and not rs.get("isError") and
          rs.get("content", [{}])[0].get("text", "").strip() != "", "read_section (2026-07-28)")
    e = byid.get(4, {}).get("error", {})
    check(e.get("code") == -32022 and e.get("data", {}).get("requested") == "2099-01-01" and
          "2026-07-28" in e.get("data", {}).get("supported", []),
          "an unsupported protocol version: -32022 with supported and requested")


def test_bad_input(db):
    big = b'{"jsonrpc":"2.0","id":9,"method":"ping","params":{"x":"' + b"a" * (LIMIT + 10) + b'"}}'
    a = exchange(db, [
        b"{not json",
        b"[" + json.dumps(req(1, "ping")).encode() + b"]",
        {"jsonrpc": "1.0", "id": 2, "method": "ping"},
        {"jsonrpc": "2.0", "id": None, "method": "ping"},
        {"jsonrpc": "2.0", "id": {"x": 1}, "method": "ping"},
        req(3, "no/such/method"),
        {"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": [1, 2]},
        {"jsonrpc": "2.0", "id": 5, "method": 7},
        {"jsonrpc": "2.0", "id": 6, "result": {}},          # a response: not answered
        {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 1}},
        req(7, "tools/call", {"name": "nope"}),
        req(8, "tools/call", {"name": "search", "arguments": "x"}),
        big,
        b"   ",
        b'{"jsonrpc":"2.0","id":10,"method":"tools/call","params":{"name":"search","arguments":'
        b'{"query":"\xff\xfe"}}}',
        req(11, "tools/call", {"name": "search", "arguments": {"query": "x" * 2000}}),
        req(12, "ping"),
    ])
    codes = [(m.get("id"), m.get("error", {}).get("code")) for m in a]
    want = [(None, -32700), (None, -32600), (2, -32600), (None, -32600), (None, -32600),
            (3, -32601), (4, -32602), (5, -32600), (7, -32602), (8, -32602), (None, -32600),
            (None, -32700), (11, None), (12, None)]
    check(codes == want, "bad input gets the JSON-RPC codes, in order: %s" % codes)
    check(all(m.get("jsonrpc") == "2.0" for m in a), "every answer is JSON-RPC 2.0")
    over = [m for m in a if "at most 1048576" in m.get("error", {}).get("message", "")]
    check(len(over) == 1, "an oversized line is refused, and the next line is read")
    long_q = a[-2].get("result", {}) if len(a) >= 2 else {}
    check(long_q.get("isError") is True, "a query over the limit is a tool error the model reads")


def test_long_names(db):
    """Names from the request quoted in an answer are cut on a character boundary: the old code
    cut them inside a character, so jansson refused the answer (an argument: -32603 "out of
    memory"; a method: no answer at all)."""
    e = "\u00e9"
    a = exchange(db, [
        req(1, "tools/call", {"name": "search", "arguments": {"query": "x", "a" + e * 40: 1}}),
        req(2, "a" + e * 80),
        req(3, "tools/call", {"name": "a" + e * 80}),
        req(4, "tools/call", {"name": "read_section", "arguments": {"a" + e * 40: 1}}),
        req(5, "tools/call", {"name": "search", "arguments": {"query": "x",
                                                              "filter": "a" + e * 100 + " = x"}}),
    ])
    check([m.get("id") for m in a] == [1, 2, 3, 4, 5], "every long name is answered: %s"
          % [m.get("id") for m in a])
    by_id = {m.get("id"): m for m in a}
    for i in (1, 4, 5):
        r = by_id.get(i, {}).get("result", {})
        check(r.get("isError") is True and ("a" + e * 20) in r.get("content", [{}])[0].get("text", ""),
              "request %d: a tool error quoting the name: %s" % (i, by_id.get(i)))
    check(by_id.get(2, {}).get("error", {}).get("code") == -32601 and
          by_id[2]["error"]["message"].startswith("Method not found: a" + e * 49),
          "a long unknown method: -32601 with its name cut: %s" % by_id.get(2))
    check(by_id.get(3, {}).get("error", {}).get("code") == -32602 and
          by_id[3]["error"]["message"].startswith("Unknown tool: a" + e * 49),
          "a long unknown tool: -32602 with its name cut: %s" % by_id.get(3))


def test_show(db):
    def show(*args):
        return subprocess.run([t.INDEXER, "show", "--db", db] + list(args), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=60)
    r = show("operate-first/README.md#where-to-start")
    out = r.stdout.decode()
    check(r.returncode == 0 and out.startswith("corpus:operate-first/README.md#where-to-start") and
          "\n## Where to start\n" in out and "### If you are new" in out and
          "## Map of the pages" not in out, "show: a section runs to the next heading of its level")
    r2 = show("corpus:operate-first/README.md#if-you-are-new")
    o2 = r2.stdout.decode()
    check(r2.returncode == 0 and "### If you are new" in o2 and "### If you have a project" not in o2,
          "show collection:path#anchor, a level-3 section")
    r3 = show("operate-first/README.md")
    check(r3.returncode == 0 and "## Map of the pages" in r3.stdout.decode() and
          not r3.stdout.decode().split("\n", 2)[2].startswith("---"), "show a whole page, "
          "front matter left out")
    r4 = show("operate-first/glossary.md#argo-cd")
    check(r4.returncode == 0 and "Argo CD" in r4.stdout.decode(), "show a glossary entry")
    r5 = show("operate-first/README.md#no-such-anchor")
    check(r5.returncode == 1 and b"no section" in r5.stderr, "show a missing anchor: exit 1")
    r6 = show("nothing.md")
    check(r6.returncode == 1, "show a missing page: exit 1")
    r7 = show("--max-bytes", "40", "operate-first/README.md")
    check(r7.returncode == 0 and b"[\xe2\x80\xa6 cut at" in r7.stdout, "show --max-bytes cuts")
    r8 = subprocess.run([t.INDEXER, "show"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                        timeout=60)
    check(r8.returncode == 2, "show without a reference: exit 2")


def test_sdk(db):
    cache, why = npm_env.ensure("client")
    if not cache:
        print("skip: " + why)
        return 77
    script = os.path.join(cache, "mcp_client.mjs")
    shutil.copyfile(os.path.join(HERE, "mcp_client.mjs"), script)
    r = subprocess.run(["node", script, os.path.abspath(t.INDEXER), db], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=300)
    text = r.stdout.decode(errors="replace")
    print(text)
    check(r.returncode == 0 and "FAIL" not in text and text.count("ok   - ") >= 49,
          "the MCP SDK clients' checks pass (%d ok)" % text.count("ok   - "))
    return 0


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "protocol"
    if not t.INDEXER:
        print("skip: ofsearch binary not found")
        return 77
    tmp = tempfile.mkdtemp(prefix="ofs-mcp-")
    try:
        db = build(tmp)
        if mode == "sdk":
            if test_sdk(db) == 77:
                return 77
        else:
            test_protocol(db)
            test_bad_input(db)
            test_long_names(db)
            test_show(db)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return t.summary()


if __name__ == "__main__":
    sys.exit(main())
