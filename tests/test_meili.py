#!/usr/bin/env python3
"""ofsearchd's Meilisearch API over real HTTP, without node: the routes and their answers,
GET and POST agreeing, filters, facets, paging, placeholder search, highlight and crop, every
error in Meilisearch's format (unknown and unsupported parameters, bad types, bad filters,
unknown index, malformed or mistyped bodies, write routes, oversized bodies), the API key
(missing, wrong, right; /health and /api/* open; never in the log or /metrics) and CORS
preflights. The official clients run in test_meili_client.py. Exit 0 pass, 1 fail, 77 skip."""
import json
import os
import shutil
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_searchd as t  # noqa: E402  -- shares the daemon and binaries
from test_searchd import check  # noqa: E402

ROOT = t.ROOT
KEY = "s3cret-key_0123456789"


def build(tmp):
    """Two collections: docs (with a base URL) and other (without: /doc/ links)."""
    db = os.path.join(tmp, "index.db")
    fx = os.path.join(ROOT, "tests", "fixtures", "search")
    t.subprocess.run([t.INDEXER, "index", "--quiet", "--db", db,
                      "--collection", "docs=%s@https://example.org/docs" % os.path.join(fx, "docs"),
                      "--collection", "other=" + os.path.join(fx, "other")],
                     check=True, timeout=120, stdout=t.subprocess.DEVNULL)
    return db


def post(d, path, body, headers=None, raw=None):
    h = {"Content-Type": "application/json"}
    h.update(headers or {})
    status, hdrs, data = d.request("POST", path, h, raw if raw is not None else json.dumps(body))
    try:
        return status, hdrs, json.loads(data)
    except ValueError:
        return status, hdrs, data


def is_meili_error(body, code):
    return (isinstance(body, dict) and body.get("code") == code and
            set(body) == {"message", "code", "type", "link"} and
            body["link"].startswith("https://docs.meilisearch.com/errors"))


def expect_error(d, what, status, code, method="POST", path="/indexes/all/search", body=None,
                 raw=None, headers=None, contains=None):
    if method == "POST":
        s, _, b = post(d, path, body, headers, raw)
    else:
        s, _, b = d.get_json(path, headers)
    ok = s == status and is_meili_error(b, code) and (not contains or contains in b["message"])
    check(ok, "%s: %d %s%s" % (what, status, code, "" if ok else " (got %s %s)" % (s, b)))
    return b


def test_routes(d):
    s, _, b = d.get_json("/health")
    check(s == 200 and b == {"status": "available"}, "/health is available")
    s, _, b = d.get_json("/version")
    check(s == 200 and set(b) == {"commitSha", "commitDate", "pkgVersion"}, "/version")
    s, _, b = d.get_json("/indexes")
    uids = [i["uid"] for i in b["results"]] if s == 200 else []
    check(uids == ["all", "docs", "other"] and b["total"] == 3 and
          all(i["primaryKey"] == "objectID" for i in b["results"]), "/indexes lists all + collections")
    s, _, b = d.get_json("/indexes/docs")
    check(s == 200 and b["uid"] == "docs", "/indexes/docs")
    s, _, all_stats = d.get_json("/indexes/all/stats")
    s2, _, docs_stats = d.get_json("/indexes/docs/stats")
    s3, _, other_stats = d.get_json("/indexes/other/stats")
    check(s == s2 == s3 == 200 and all_stats["numberOfDocuments"] ==
          docs_stats["numberOfDocuments"] + other_stats["numberOfDocuments"] > 0 and
          all_stats["isIndexing"] is False, "index stats: all = docs + other sections")
    s, _, b = d.get_json("/stats")
    check(s == 200 and set(b["indexes"]) == {"all", "docs", "other"} and b["databaseSize"] > 0,
          "/stats")
    expect_error(d, "an unknown index", 404, "index_not_found", "GET", "/indexes/nope")
    expect_error(d, "stats of an unknown index", 404, "index_not_found", "GET", "/indexes/nope/stats")
    expect_error(d, "search of an unknown index", 404, "index_not_found",
                 path="/indexes/nope/search", body={"q": "cluster"})


def test_search(d):
    body = {"q": "cluster", "limit": 3, "filter": "collection = docs"}
    s, hdrs, p = post(d, "/indexes/all/search", body)
    check(s == 200 and hdrs.get("content-type", "").startswith("application/json"), "POST search 200")
    check(len(p["hits"]) == 3 and p["limit"] == 3 and p["offset"] == 0 and
          p["estimatedTotalHits"] >= 3 and p["query"] == "cluster" and
          isinstance(p["processingTimeMs"], int), "response fields: hits, limit, offset, "
          "estimatedTotalHits, query, processingTimeMs")
    s, _, g = d.get_json("/indexes/all/search?q=cluster&limit=3&filter=" +
                         urllib.parse.quote("collection = docs"))
    check(s == 200 and [h["objectID"] for h in g["hits"]] == [h["objectID"] for h in p["hits"]],
          "GET search finds the same hits as POST")
    s, _, same = post(d, "/indexes/docs/search", {"q": "cluster", "limit": 3})
    check([h["objectID"] for h in same["hits"]] == [h["objectID"] for h in p["hits"]],
          "index uid docs = filter collection = docs on all")
    h = p["hits"][0]
    want = ["objectID", "collection", "kind", "path", "title", "breadcrumb", "url", "anchor",
            "content", "type"] + ["hierarchy_lvl%d" % i for i in range(7)]
    check(list(h) == want, "a hit's attributes, DocSearch's included: %s" % list(h))
    check(h["hierarchy_lvl0"] == "docs" and h["hierarchy_lvl1"] and
          h["url"].startswith("https://example.org/docs") and "_formatted" not in h,
          "hierarchy starts with the collection, then the page title; no _formatted unasked")
    # other has no base URL: hits link to the daemon's /doc/ pages, absolutely
    s, _, o = post(d, "/indexes/other/search", {"q": "quokka", "limit": 1})
    check(s == 200 and o["hits"] and o["hits"][0]["url"].startswith(
        "http://127.0.0.1:%d/doc/other/" % d.port), "urls of collections without a base URL "
          "are absolute /doc/ links")
    # facets and their agreement with filters
    s, _, f = post(d, "/indexes/all/search", {"q": "cluster", "facets": ["kind", "collection"],
                                              "limit": 0})
    dist = f.get("facetDistribution", {})
    check(s == 200 and f["hits"] == [] and set(dist) == {"kind", "collection"} and
          sum(dist["collection"].values()) == f["estimatedTotalHits"] and "facetStats" in f,
          "facets count every match; limit 0 gives counts only")
    for kind, n in dist.get("kind", {}).items():
        s, _, k = post(d, "/indexes/all/search", {"q": "cluster", "filter": [["kind = " + kind]],
                                                  "limit": 50})
        check(k["estimatedTotalHits"] == n and all(x["kind"] == kind for x in k["hits"]),
              "filter kind = %s finds its facet count (%d)" % (kind, n))
    s, _, two = d.get_json("/indexes/all/search?q=cluster&filter=kind%20%3D%20term&filter=kind%20%3D%20faq")
    check(s == 200 and two["hits"] and all(x["kind"] == "faq" for x in two["hits"]),
          "a repeated GET filter: the last one counts (and the first is freed)")
    s, _, f = d.get_json("/indexes/all/search?q=cluster&facets=*&limit=0")
    check(set(f.get("facetDistribution", {})) == {"collection", "kind"}, "facets * on GET")
    # page pagination
    s, _, pg = post(d, "/indexes/all/search", {"q": "cluster", "hitsPerPage": 2, "page": 2})
    s1, _, all4 = post(d, "/indexes/all/search", {"q": "cluster", "limit": 4})
    check(s == 200 and pg["page"] == 2 and pg["hitsPerPage"] == 2 and
          pg["totalPages"] == (pg["totalHits"] + 1) // 2 and "estimatedTotalHits" not in pg and
          [x["objectID"] for x in pg["hits"]] == [x["objectID"] for x in all4["hits"][2:4]],
          "page/hitsPerPage: totalHits, totalPages, the second page of two")
    # placeholder search: every section, in index order
    s, _, ph = post(d, "/indexes/all/search", {"q": "", "limit": 5, "facets": ["collection"]})
    check(s == 200 and len(ph["hits"]) == 5 and
          ph["estimatedTotalHits"] == sum(ph["facetDistribution"]["collection"].values()),
          "placeholder search lists sections and counts them all")
    # highlight, crop, tags, matches positions
    s, _, hl = post(d, "/indexes/all/search", {
        "q": "upgrades", "limit": 1, "attributesToHighlight": ["title", "content"],
        "highlightPreTag": "[[", "highlightPostTag": "]]", "attributesToCrop": ["content:3"],
        "cropMarker": "~", "showMatchesPosition": True, "attributesToRetrieve": ["title", "content"]})
    x = hl["hits"][0] if s == 200 and hl["hits"] else {}
    fm = x.get("_formatted", {})
    check(list(x)[:2] == ["title", "content"] and "objectID" not in x, "attributesToRetrieve")
    check(fm.get("title") == "Cluster [[upgrades]]", "highlighted title: %r" % fm.get("title"))
    check("[[" in fm.get("content", "") and "~" in fm.get("content", "") and
          len(fm.get("content", "").split()) <= 6, "cropped content with tags and crop marker: %r"
          % fm.get("content"))
    mp = x.get("_matchesPosition", {}).get("title", [])
    check(mp and x["title"].encode()[mp[0]["start"]:mp[0]["start"] + mp[0]["length"]] ==
          b"upgrades", "_matchesPosition points at the match in bytes: %r" % mp)
    # matchingStrategy
    s, _, last = post(d, "/indexes/all/search", {"q": "quokka kubectl"})
    s2, _, strict = post(d, "/indexes/all/search", {"q": "quokka kubectl", "matchingStrategy": "all"})
    check(last["hits"] and not strict["hits"], "matchingStrategy all keeps only every-word hits")
    # multi-search
    s, _, m = post(d, "/multi-search", {"queries": [
        {"indexUid": "docs", "q": "cluster", "limit": 1},
        {"indexUid": "other", "q": "", "limit": 2, "attributesToRetrieve": ["collection"]}]})
    r = m.get("results", []) if s == 200 else []
    check(len(r) == 2 and r[0]["indexUid"] == "docs" and r[1]["hits"] ==
          [{"collection": "other"}] * 2, "multi-search answers each query")


def test_errors(d):
    b = expect_error(d, "an unknown field", 400, "bad_request", body={"q": "x", "foo": 1},
                     contains="Unknown field `foo`")
    expect_error(d, "sort (not supported)", 400, "invalid_search_sort", body={"sort": ["a:asc"]},
                 contains="ofsearch does not support `sort`")
    post_ok = post(d, "/indexes/all/search", {"q": "x", "sort": [], "distinct": None,
                                              "retrieveVectors": False})[0] == 200
    check(post_ok, "sort [], distinct null and retrieveVectors false mean not used: accepted")
    expect_error(d, "vector", 400, "invalid_search_vector", body={"vector": [1, 2]})
    expect_error(d, "showRankingScore true", 400, "invalid_search_show_ranking_score",
                 body={"showRankingScore": True})
    expect_error(d, "matchingStrategy frequency", 400, "invalid_search_matching_strategy",
                 body={"matchingStrategy": "frequency"})
    expect_error(d, "matchingStrategy nonsense", 400, "invalid_search_matching_strategy",
                 body={"matchingStrategy": "most"})
    expect_error(d, "limit of the wrong type", 400, "invalid_search_limit", body={"limit": "10"},
                 contains="Invalid value type at `.limit`")
    expect_error(d, "negative offset", 400, "invalid_search_offset", body={"offset": -1})
    expect_error(d, "GET limit not a number", 400, "invalid_search_limit", "GET",
                 "/indexes/all/search?limit=ten")
    expect_error(d, "GET unknown parameter", 400, "bad_request", "GET",
                 "/indexes/all/search?q=x&colour=red", contains="Unknown parameter `colour`")
    expect_error(d, "q not a string", 400, "invalid_search_q", body={"q": 5})
    expect_error(d, "q too long", 400, "invalid_search_q", body={"q": "a" * 5000})
    expect_error(d, "a filter on a field that is not filterable", 400, "invalid_search_filter",
                 body={"filter": "title = x"}, contains="is not filterable")
    expect_error(d, "a broken filter", 400, "invalid_search_filter", body={"filter": "kind ="})
    expect_error(d, "a filter nested three arrays deep", 400, "invalid_search_filter",
                 body={"filter": [[["kind = page"]]]})
    expect_error(d, "facets on a field that is not filterable", 400, "invalid_search_facets",
                 body={"facets": ["title"]})
    expect_error(d, "attributesToRetrieve not an array", 400,
                 "invalid_search_attributes_to_retrieve", body={"attributesToRetrieve": 3})
    expect_error(d, "malformed JSON", 400, "malformed_payload", raw="{\"q\": ")
    expect_error(d, "an empty body", 400, "missing_payload", raw="")
    expect_error(d, "a body that is not an object", 400, "bad_request", raw="[1,2]")
    s, _, data = d.request("POST", "/indexes/all/search", {}, b'{"q":"x"}')
    check(s == 415 and is_meili_error(json.loads(data), "missing_content_type"),
          "POST without Content-Type: 415 missing_content_type")
    expect_error(d, "Content-Type text/plain", 415, "invalid_content_type",
                 headers={"Content-Type": "text/plain"}, body={"q": "x"})
    expect_error(d, "multi-search: an error says which query", 400, "invalid_search_limit",
                 path="/multi-search", body={"queries": [{"indexUid": "all", "q": "x"},
                                                         {"indexUid": "all", "limit": "x"}]},
                 contains="Inside `.queries[1]`: ")
    expect_error(d, "multi-search without indexUid", 400, "missing_index_uid",
                 path="/multi-search", body={"queries": [{"q": "x"}]})
    expect_error(d, "federation", 400, "invalid_multi_search_federated", path="/multi-search",
                 body={"queries": [], "federation": {}})
    # the write side, and what is not there
    expect_error(d, "adding documents", 405, "read_only_index", path="/indexes/docs/documents",
                 body=[{"objectID": 1}], contains="read-only index built by `ofsearch index`")
    expect_error(d, "creating an index", 405, "read_only_index", path="/indexes",
                 body={"uid": "x"})
    s, _, data = d.request("DELETE", "/indexes/docs", {})
    check(s == 405 and is_meili_error(json.loads(data), "read_only_index"), "DELETE an index: 405")
    s, _, data = d.request("PATCH", "/indexes/docs/settings", {"Content-Type": "application/json"},
                           b"{}")
    check(s == 405 and is_meili_error(json.loads(data), "read_only_index"), "PATCH settings: 405")
    expect_error(d, "GET settings", 501, "not_supported", "GET", "/indexes/docs/settings")
    expect_error(d, "GET keys", 501, "not_supported", "GET", "/keys")
    expect_error(d, "facet search", 501, "not_supported", path="/indexes/docs/facet-search",
                 body={"facetName": "kind"})
    # a body over the limit is refused in Meilisearch's format too
    s, _, data = d.request("POST", "/indexes/all/search", {"Content-Type": "application/json"},
                           json.dumps({"q": "x" * 40000}).encode())
    check(s == 413 and is_meili_error(json.loads(data), "payload_too_large"),
          "a body over --max-body-bytes: 413 payload_too_large")
    # hostile bytes never crash it
    s, _, data = d.request("GET", "/indexes/all/search?q=%FF%FE", {})
    check(s == 400 and is_meili_error(json.loads(data), "invalid_search_q"), "q not UTF-8: 400")
    s, _, data = d.request("GET", "/indexes/all/search?q=a&%FF%FE=1", {})
    check(s == 400 and is_meili_error(json.loads(data), "bad_request"),
          "a parameter name that is not UTF-8: 400 in JSON (not a closed connection)")
    s, _, data = d.request("GET", "/indexes/%2F..%2Fx/search?q=a", {})
    check(s == 400 and is_meili_error(json.loads(data), "invalid_index_uid"), "an encoded / in a uid")
    s, _, _ = post(d, "/indexes/all/search", {"q": "(" * 300 + "\"", "filter": "(" * 20 + "kind = page" + ")" * 20})
    check(s == 200 and d.alive(), "hostile q and a deep (allowed) filter")


def test_key(tmp, db):
    keyfile = os.path.join(tmp, "key")
    with open(keyfile, "w") as f:
        f.write(KEY + "\n")
    d = t.Daemon(tmp, db, "--api-key-file", keyfile, "--cors-origin", "http://pages.test",
                 "--log-queries", name="keyed")
    try:
        expect_error(d, "no Authorization header", 401, "missing_authorization_header",
                     body={"q": "cluster"})
        expect_error(d, "a wrong key", 403, "invalid_api_key", body={"q": "cluster"},
                     headers={"Authorization": "Bearer " + KEY[:-1] + "X"})
        expect_error(d, "a longer key", 403, "invalid_api_key", body={"q": "cluster"},
                     headers={"Authorization": "Bearer " + KEY + "X"})
        expect_error(d, "not a bearer", 403, "invalid_api_key", body={"q": "cluster"},
                     headers={"Authorization": "Basic " + KEY})
        s, _, b = post(d, "/indexes/all/search", {"q": "cluster"},
                       {"Authorization": "Bearer " + KEY})
        check(s == 200 and b["hits"], "the right key: 200")
        s, _, b = d.get_json("/indexes", {"Authorization": "Bearer " + KEY})
        check(s == 200, "the right key on GET /indexes")
        expect_error(d, "GET /stats without the key", 401, "missing_authorization_header", "GET",
                     "/stats")
        check(d.get_json("/health")[0] == 200, "/health needs no key (as in Meilisearch)")
        check(d.get_json("/api/search?q=cluster")[0] == 200,
              "/api/search stays open (the embedded page and /doc/ pages use it without a key)")
        # a preflight carries no credentials and is answered without them
        s, h, _ = d.request("OPTIONS", "/indexes/all/search", {
            "Origin": "http://pages.test", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type, x-meilisearch-client"})
        check(s == 204 and h.get("access-control-allow-origin") == "http://pages.test" and
              "POST" in h.get("access-control-allow-methods", "") and
              "x-meilisearch-client" in h.get("access-control-allow-headers", ""),
              "CORS preflight of a POST search with the client's headers: %s %s" % (s, h))
        s, h, _ = d.request("OPTIONS", "/indexes/all/search", {
            "Origin": "http://evil.test", "Access-Control-Request-Method": "POST"})
        check(s == 403 and "access-control-allow-origin" not in h, "preflight from another origin")
        s, h, _ = post(d, "/indexes/all/search", {"q": "x"}, {"Authorization": "Bearer " + KEY,
                                                             "Origin": "http://pages.test"})
        check(h.get("access-control-allow-origin") == "http://pages.test", "CORS on the answer")
        metrics = d.get("/metrics")[2].decode()
        check(KEY not in metrics and 'route="/indexes/{uid}/search"' in metrics,
              "/metrics counts the Meilisearch routes and never shows the key")
    finally:
        check(d.stop() == 0, "keyed daemon exits 0")
    log = d.log_text()
    check(KEY not in log and "cluster" in log, "the log has the queries, never the key")
    # a bad key file is a usage error that does not echo the key
    bad = os.path.join(tmp, "badkey")
    with open(bad, "w") as f:
        f.write("has space\n")
    r = t.subprocess.run([t.DAEMON, "--db", db, "--api-key-file", bad, "--listen", "127.0.0.1:0"],
                         stdout=t.subprocess.PIPE, stderr=t.subprocess.PIPE, timeout=30)
    check(r.returncode == 2 and b"api-key-file" in r.stderr, "a key with a space: exit 2")
    r = t.subprocess.run([t.DAEMON, "--db", db, "--api-key", "bad key", "--listen", "127.0.0.1:0"],
                         stdout=t.subprocess.PIPE, stderr=t.subprocess.PIPE, timeout=30)
    check(r.returncode == 2 and b"bad key" not in r.stderr, "an invalid --api-key is not echoed")


def main():
    if not t.DAEMON or not t.INDEXER:
        print("skip: ofsearchd or ofsearch binary not found")
        return 77
    tmp = tempfile.mkdtemp(prefix="ofsd-meili-")
    try:
        db = build(tmp)
        d = t.Daemon(tmp, db, name="open")
        try:
            test_routes(d)
            test_search(d)
            test_errors(d)
        finally:
            check(d.stop() == 0, "daemon exits 0")
        test_key(tmp, db)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return t.summary()


if __name__ == "__main__":
    sys.exit(main())
