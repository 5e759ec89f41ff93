// Drives a live ofsearchd with the official Meilisearch JS client (meilisearch 0.62), as a site
// would: search (POST and GET), multiSearch, filters in both syntaxes, facets, highlight, crop,
// both paginations, placeholder search, the index and stats routes, an API key (right, wrong,
// missing) and an unsupported parameter. Run by test_meili_client.py from the npm cache
// directory: node meili_client.mjs URL KEY. Prints "ok - …" / "FAIL - …"; exit 1 on a failure.
import { Meilisearch, MeilisearchApiError } from "meilisearch";

const [host, key] = process.argv.slice(2);
let failures = 0;
function check(cond, what, detail) {
  console.log(`${cond ? "ok  " : "FAIL"} - ${what}${cond || detail === undefined ? "" : ": " + JSON.stringify(detail)}`);
  if (!cond) failures++;
}

async function apiError(promise) {
  try {
    await promise;
    return null;
  } catch (e) {
    return e instanceof MeilisearchApiError ? e.cause : { notApiError: String(e) };
  }
}

const client = new Meilisearch({ host, apiKey: key });
const docs = client.index("docs");
const all = client.index("all");

// the key: missing, wrong, right
const noKey = new Meilisearch({ host });
let err = await apiError(noKey.index("all").search("cluster"));
check(err && err.code === "missing_authorization_header" && err.type === "auth",
  "no key: missing_authorization_header", err);
const badKey = new Meilisearch({ host, apiKey: key + "x" });
err = await apiError(badKey.index("all").search("cluster"));
check(err && err.code === "invalid_api_key", "a wrong key: invalid_api_key", err);
check(await client.isHealthy(), "isHealthy");

// indexes, stats, version
const indexes = await client.getIndexes();
check(indexes.results.map((i) => i.uid).join() === "all,docs,other", "getIndexes", indexes);
const info = await docs.getRawInfo();
check(info.uid === "docs" && info.primaryKey === "objectID", "index info", info);
const allStats = await all.getStats();
const docsStats = await docs.getStats();
check(allStats.numberOfDocuments > docsStats.numberOfDocuments && docsStats.numberOfDocuments > 0,
  "index stats", [allStats.numberOfDocuments, docsStats.numberOfDocuments]);
const stats = await client.getStats();
check(Object.keys(stats.indexes).length === 3, "global stats", Object.keys(stats.indexes));
const version = await client.getVersion();
check(typeof version.pkgVersion === "string", "version", version);

// a search, POST and GET
const res = await docs.search("cluster", { limit: 5 });
check(res.hits.length === 5 && res.estimatedTotalHits >= 5 && res.query === "cluster" &&
  res.limit === 5 && res.offset === 0 && typeof res.processingTimeMs === "number",
  "search: hits and totals", { n: res.hits.length, total: res.estimatedTotalHits });
const first = res.hits[0] ?? {};
check(first.hierarchy_lvl0 === "docs" && first.hierarchy_lvl1 && first.url && first.objectID &&
  first.type && "content" in first, "a hit has DocSearch's fields", first);
const viaGet = await docs.searchGet("cluster", { limit: 5 });
check(JSON.stringify(viaGet.hits) === JSON.stringify(res.hits), "searchGet = search");

// filters: string, array (AND of ORs), and agreement with facets
const faceted = await all.search("cluster", { facets: ["kind", "collection"], limit: 0 });
const kinds = faceted.facetDistribution?.kind ?? {};
check(Object.keys(kinds).length >= 2 && faceted.hits.length === 0, "facetDistribution", faceted);
for (const [kind, count] of Object.entries(kinds)) {
  const f = await all.search("cluster", { filter: `kind = ${kind}`, limit: 100 });
  check(f.estimatedTotalHits === count && f.hits.every((h) => h.kind === kind),
    `filter kind = ${kind} matches its facet count`, [f.estimatedTotalHits, count]);
}
const two = Object.keys(kinds).slice(0, 2);
const arr = await all.search("cluster", {
  filter: [["kind = " + two[0], "kind = " + two[1]], "collection = docs"], limit: 100,
});
check(arr.hits.length > 0 && arr.hits.every((h) => two.includes(h.kind) && h.collection === "docs"),
  "array filter: (a OR b) AND c", arr.hits.map((h) => [h.kind, h.collection]));
const expr = await all.search("cluster", {
  filter: `(kind = ${two[0]} OR kind = ${two[1]}) AND collection = docs`, limit: 100,
});
check(JSON.stringify(expr.hits.map((h) => h.objectID)) === JSON.stringify(arr.hits.map((h) => h.objectID)),
  "the same filter as a string");
err = await apiError(all.search("cluster", { filter: "title = x" }));
check(err && err.code === "invalid_search_filter" && /not filterable/.test(err.message),
  "a filter on a field that is not filterable", err);

// highlight and crop
const hl = await docs.search("upgrades", {
  attributesToHighlight: ["*"], attributesToCrop: ["content"], cropLength: 5,
  highlightPreTag: "<mark>", highlightPostTag: "</mark>", cropMarker: "[…]", limit: 1,
});
const f = hl.hits[0]?._formatted ?? {};
check(f.title === "Cluster <mark>upgrades</mark>", "highlighted title", f.title);
check(/<mark>/.test(f.content) && /\[…\]/.test(f.content) && f.content.split(/\s+/).length <= 9,
  "cropped, highlighted content", f.content);
const pos = await docs.search("upgrades", { showMatchesPosition: true, limit: 1 });
const mp = pos.hits[0]?._matchesPosition?.title?.[0];
check(mp && Buffer.from(pos.hits[0].title).subarray(mp.start, mp.start + mp.length).toString() === "upgrades",
  "_matchesPosition", pos.hits[0]?._matchesPosition);

// paging: offset/limit and page/hitsPerPage agree
const page2 = await all.search("cluster", { hitsPerPage: 3, page: 2 });
const window = await all.search("cluster", { offset: 3, limit: 3 });
check(page2.page === 2 && page2.hitsPerPage === 3 && page2.totalPages === Math.ceil(page2.totalHits / 3) &&
  JSON.stringify(page2.hits) === JSON.stringify(window.hits), "page 2 of 3 = offset 3 limit 3");

// placeholder search
const ph = await all.search("", { limit: 3 });
check(ph.hits.length === 3 && ph.estimatedTotalHits === allStats.numberOfDocuments,
  "placeholder search lists every section", ph.estimatedTotalHits);

// matchingStrategy
const strict = await all.search("quokka kubectl", { matchingStrategy: "all" });
const relaxed = await all.search("quokka kubectl", { matchingStrategy: "last" });
check(strict.hits.length === 0 && relaxed.hits.length > 0, "matchingStrategy all / last");

// multiSearch
const multi = await client.multiSearch({
  queries: [
    { indexUid: "docs", q: "cluster", limit: 2 },
    { indexUid: "other", q: "quokka", limit: 1, attributesToRetrieve: ["title"] },
  ],
});
check(multi.results.length === 2 && multi.results[0].indexUid === "docs" &&
  multi.results[0].hits.length === 2 && Object.keys(multi.results[1].hits[0] ?? {}).join() === "title",
  "multiSearch", multi.results.map((r) => [r.indexUid, r.hits.length]));

// unsupported parameters are errors, not ignored
err = await apiError(all.search("cluster", { sort: ["title:asc"] }));
check(err && err.code === "invalid_search_sort" && /does not support `sort`/.test(err.message),
  "sort is refused with its own code", err);
err = await apiError(all.search("cluster", { distinct: "path" }));
check(err && err.code === "invalid_search_distinct", "distinct is refused", err);
err = await apiError(client.index("nope").search("cluster"));
check(err && err.code === "index_not_found", "an unknown index", err);
// the write side is refused with a clear message
err = await apiError(docs.addDocuments([{ objectID: "1" }]));
check(err && err.code === "read_only_index" && /ofsearch index/.test(err.message),
  "addDocuments: read-only index", err);

process.exit(failures ? 1 : 0);
