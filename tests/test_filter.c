/* Tests for lib/filter.c (Meilisearch's filter syntax: what parses, to which tree, and the errors
 * with their positions) and for the search requests that use it: filters, facet counts,
 * placeholder listing, all-words matching, marked titles and marker snippets, on an index
 * built from tests/fixtures/search/ with the real indexer. */
#include "check.h"
#include "search_fixture.h"
#include "utf8.h"

#include "ofsearch/filter.h"
#include "ofsearch/index.h"
#include "ofsearch/markdown.h"
#include "ofsearch/ofsearch.h"
#include "ofsearch/search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The filter's canonical text, or "ERR: message" (first line), or "NONE". */
static char *parsed(const char *text)
{
    ofs_filter *f = NULL;
    char *err = NULL;
    int rc = ofs_filter_parse(text, strlen(text), &f, &err);
    char *out;
    if (rc != OFS_OK) {
        size_t n = err ? strlen(err) + 6 : 8;
        out = malloc(n);
        snprintf(out, n, "ERR: %s", err ? err : "?");
    } else if (!f) {
        out = strdup("NONE");
    } else {
        out = ofs_filter_text(f);
    }
    free(err);
    ofs_filter_free(f);
    return out;
}

#define CHECK_PARSE(text, want)                                                                 \
    do {                                                                                        \
        char *got_ = parsed(text);                                                              \
        CHECK_STR(got_, want);                                                                  \
        free(got_);                                                                             \
    } while (0)

/* The error's message contains part. */
#define CHECK_PARSE_ERR(text, part)                                                             \
    do {                                                                                        \
        char *got_ = parsed(text);                                                              \
        CHECK_MSG(strncmp(got_, "ERR: ", 5) == 0 && strstr(got_, part), "%s -> %s", text,    \
                  got_);                                                                        \
        free(got_);                                                                             \
    } while (0)

static void test_parse(void)
{
    CHECK_PARSE("", "NONE");
    CHECK_PARSE("   ", "NONE");
    CHECK_PARSE("collection = docs", "collection IN [\"docs\"]");
    CHECK_PARSE("kind != term", "NOT kind IN [\"term\"]");
    CHECK_PARSE_ERR("collection = \"my docs\" AND kind = 'it''s'",
                    "Found unexpected characters"); /* '' is not an escape */
    CHECK_PARSE("collection = 'it\\'s'", "collection IN [\"it's\"]");
    CHECK_PARSE("kind IN [page, \"section\"]", "kind IN [\"page\", \"section\"]");
    CHECK_PARSE("kind in [page,section]", "kind IN [\"page\", \"section\"]");
    CHECK_PARSE("kind NOT IN [term]", "NOT kind IN [\"term\"]");
    CHECK_PARSE("NOT kind = term", "NOT kind IN [\"term\"]");
    CHECK_PARSE_ERR("a = 1 OR kind = page", "Attribute `a` is not filterable.");
    /* precedence: NOT > AND > OR */
    CHECK_PARSE("kind = page OR kind = faq AND collection = docs",
                "(kind IN [\"page\"] OR (kind IN [\"faq\"] AND collection IN [\"docs\"]))");
    CHECK_PARSE("(kind = page OR kind = faq) and collection = docs",
                "((kind IN [\"page\"] OR kind IN [\"faq\"]) AND collection IN [\"docs\"])");
    CHECK_PARSE("kind EXISTS", "true");
    CHECK_PARSE("kind NOT EXISTS", "NOT true");
    CHECK_PARSE("kind IS NULL", "false");
    CHECK_PARSE("kind IS NOT EMPTY", "NOT false");
    CHECK_PARSE("collection = AND", "collection IN [\"AND\"]"); /* a value after = is a value */
    /* errors, with the position of what is wrong */
    CHECK_PARSE_ERR("title = x", "Attribute `title` is not filterable. Available filterable "
                                 "attributes are: `collection, kind`.\n1:6 title");
    CHECK_PARSE_ERR("kind > 3", "compares numbers");
    CHECK_PARSE_ERR("kind 1 TO 5", "Ranges");
    CHECK_PARSE_ERR("kind CONTAINS x", "not supported");
    CHECK_PARSE_ERR("_geoRadius(1, 2, 3)", "geo field");
    CHECK_PARSE_ERR("kind =", "Was expecting a value");
    CHECK_PARSE_ERR("kind", "Was expecting an operation");
    CHECK_PARSE_ERR("kind = page AND", "Was expecting a condition at the end");
    CHECK_PARSE_ERR("kind = page kind = faq", "forgot an `OR` or an `AND`");
    CHECK_PARSE_ERR("(kind = page", "closing delimiter");
    CHECK_PARSE_ERR("kind = 'page", "closing quote");
    CHECK_PARSE_ERR("kind IN page", "Expected `[`");
    CHECK_PARSE_ERR("kind IN [page", "Expected matching `]`");
    CHECK_PARSE_ERR("kind ! page", "lone `!`");
    CHECK_PARSE_ERR("kind = \xff", "not valid UTF-8");
    char nul[] = "kind = a\0b";
    ofs_filter *f = NULL;
    CHECK(ofs_filter_parse(nul, sizeof nul - 1, &f, NULL) == OFS_INVALID && !f);
    /* the column of an error counts characters, not bytes */
    CHECK_PARSE_ERR("collection = \"é\" AND nope = 1", "\n22:26 nope");
    /* a long name and a long excerpt are cut on a character boundary: the message stays UTF-8
     * (it is quoted into JSON; the old code cut them inside a character) */
    char name[400] = "a", rest[400] = "kind = x OR ", errs[2][800];
    for (int i = 0; i < 100; i++)
        strcat(name, "\xc3\xa9");
    strcat(name, " = x");
    for (int i = 0; i < 150; i++)
        strcat(rest, "\xc3\xa9");
    const char *longs[2] = {name, rest};
    for (int k = 0; k < 2; k++) {
        char *got = parsed(longs[k]);
        snprintf(errs[k], sizeof errs[k], "%s", got);
        CHECK_MSG(strncmp(got, "ERR: ", 5) == 0 && ofsi_utf8_valid(got, strlen(got)),
                  "long filter %d -> %s", k, got);
        free(got);
    }
    CHECK(strstr(errs[0], "Attribute `a\xc3\xa9") && strstr(errs[0], "` is not filterable"));
    /* bounds: nesting and values */
    char deep[200] = "";
    for (int i = 0; i < 40; i++)
        strcat(deep, "(");
    strcat(deep, "kind = page");
    CHECK_PARSE_ERR(deep, "deeper than 32");
    char many[4000] = "kind IN [";
    for (int i = 0; i < 300; i++)
        strcat(many, "a,");
    strcat(many, "b]");
    CHECK_PARSE_ERR(many, "more than 256 values");
}

static void test_fields_and_groups(void)
{
    CHECK(ofs_facet_field_count() == 2);
    CHECK_STR(ofs_facet_field_name(0), "collection");
    CHECK_STR(ofs_facet_field_name(1), "kind");
    CHECK(ofs_facet_field_name(2) == NULL);
    CHECK(ofs_facet_field_find("kind", 4) == 1);
    CHECK(ofs_facet_field_find("Kind", 4) == -1);
    /* the kind names the SQL of the kind field spells are the library's */
    for (int k = 0; k < 4; k++)
        CHECK(ofs_kind_name((ofs_kind)k) != NULL);
    ofs_filter *a = NULL, *b = NULL, *c = NULL, *g = NULL;
    ofs_filter_parse("kind = page", 11, &a, NULL);
    ofs_filter_parse("kind = faq", 10, &b, NULL);
    ofs_filter_parse("collection = docs", 17, &c, NULL);
    ofs_filter *inner[] = {a, NULL, b};
    CHECK(ofs_filter_group(OFS_FILTER_OR, inner, 3, &g) == OFS_OK && g);
    ofs_filter *outer[] = {g, c};
    ofs_filter *all = NULL;
    CHECK(ofs_filter_group(OFS_FILTER_AND, outer, 2, &all) == OFS_OK && all);
    char *t = ofs_filter_text(all);
    CHECK_STR(t, "((kind IN [\"page\"] OR kind IN [\"faq\"]) AND collection IN [\"docs\"])");
    free(t);
    ofs_filter_free(all);
    ofs_filter *none = NULL;
    ofs_filter *nulls[] = {NULL, NULL};
    CHECK(ofs_filter_group(OFS_FILTER_AND, nulls, 2, &none) == OFS_OK && none == NULL);
}

/* ---- searches -------------------------------------------------------------------------- */

static char dbpath[512];

static ofs_results *run(ofs_searcher *s, ofs_query_request *req, const char *filter)
{
    ofs_filter *f = NULL;
    char *err = NULL;
    if (filter && ofs_filter_parse(filter, strlen(filter), &f, &err) != OFS_OK) {
        fprintf(stderr, "filter %s: %s\n", filter, err);
        free(err);
        return NULL;
    }
    req->filter = f;
    ofs_results *r = NULL;
    int rc = ofs_search(s, req, &r, &err);
    if (rc != OFS_OK)
        fprintf(stderr, "search %s: %s\n", req->q, err ? err : "?");
    free(err);
    ofs_filter_free(f);
    req->filter = NULL;
    return r;
}

static long facet(const ofs_results *r, const char *field, const char *value)
{
    for (size_t i = 0; r && i < r->nfacets; i++)
        if (!strcmp(r->facets[i].field, field) && !strcmp(r->facets[i].value, value))
            return r->facets[i].count;
    return -1;
}

static void test_filtered_search(ofs_searcher *s)
{
    ofs_query_request req = {.q = "cluster", .limit = 50};
    ofs_results *all = run(s, &req, NULL);
    CHECK(all && all->nhits > 3);
    /* a filter keeps exactly the hits that pass it, in the same order */
    ofs_results *sec = run(s, &req, "kind = section AND collection = docs");
    CHECK(sec && sec->nhits > 0);
    size_t j = 0;
    for (size_t i = 0; all && sec && i < all->nhits; i++) {
        const ofs_hit *h = &all->hits[i];
        if (strcmp(h->kind, "section") || strcmp(h->collection, "docs"))
            continue;
        CHECK_MSG(j < sec->nhits && sec->hits[j].id == h->id, "hit %zu", i);
        j++;
    }
    CHECK(sec && j == sec->nhits && sec->total == (long)j);
    ofs_results_free(sec);
    /* OR, NOT and IN agree with each other */
    ofs_results *a = run(s, &req, "kind = term OR kind = faq");
    ofs_results *b = run(s, &req, "kind IN [TERM, faq]"); /* values ignore case */
    ofs_results *c = run(s, &req, "NOT kind IN [page, section]");
    CHECK(a && b && c && a->nhits > 0 && a->nhits == b->nhits && b->nhits == c->nhits);
    for (size_t i = 0; a && b && c && i < a->nhits && i < b->nhits && i < c->nhits; i++)
        CHECK(a->hits[i].id == b->hits[i].id && b->hits[i].id == c->hits[i].id);
    ofs_results_free(a);
    ofs_results_free(b);
    ofs_results_free(c);
    ofs_results *none = run(s, &req, "collection = nowhere");
    CHECK(none && none->nhits == 0 && none->total == 0);
    ofs_results_free(none);
    /* facets count every match, per value, in byte order; they add up to the total */
    int fields[] = {0, 1};
    req.facets = fields;
    req.nfacets = 2;
    ofs_results *fr = run(s, &req, NULL);
    CHECK(fr && fr->nfacets >= 3);
    long sum = 0;
    for (size_t i = 0; fr && i < fr->nfacets; i++) {
        if (!strcmp(fr->facets[i].field, "collection"))
            sum += fr->facets[i].count;
        if (i && !strcmp(fr->facets[i].field, fr->facets[i - 1].field))
            CHECK(strcmp(fr->facets[i - 1].value, fr->facets[i].value) < 0);
    }
    CHECK(fr && sum == fr->total);
    long terms = facet(fr, "kind", "term");
    ofs_results *tr = run(s, &req, "kind = term");
    CHECK(tr && terms > 0 && tr->total == terms && facet(tr, "kind", "term") == terms &&
          facet(tr, "kind", "section") == -1);
    ofs_results_free(tr);
    ofs_results_free(fr);
    ofs_results_free(all);
}

static void test_placeholder(ofs_searcher *s)
{
    long docs = 0, secs = 0;
    CHECK(ofs_searcher_counts(s, &docs, &secs) == OFS_OK && secs > 10);
    ofs_query_request req = {.q = "", .limit = 5, .placeholder = 1};
    ofs_results *r = run(s, &req, NULL);
    CHECK(r && r->nhits == 5 && r->total == secs);
    for (size_t i = 1; r && i < r->nhits; i++)
        CHECK(r->hits[i - 1].id < r->hits[i].id); /* index order */
    CHECK(r && r->nhits && r->hits[0].snippet && r->hits[0].score == 0.0);
    req.offset = 5;
    ofs_results *next = run(s, &req, NULL);
    CHECK(r && next && next->nhits == 5 && next->hits[0].id > r->hits[4].id);
    ofs_results_free(next);
    req.offset = 0;
    int fields[] = {1};
    req.facets = fields;
    req.nfacets = 1;
    ofs_results *f = run(s, &req, "collection = other");
    long sum = 0;
    for (size_t i = 0; f && i < f->nfacets; i++)
        sum += f->facets[i].count;
    CHECK(f && f->total > 0 && f->total < secs && sum == f->total);
    for (size_t i = 0; f && i < f->nhits; i++)
        CHECK_STR(f->hits[i].collection, "other");
    ofs_results_free(f);
    ofs_results_free(r);
    /* without placeholder, nothing to search for still finds nothing */
    ofs_query_request plain = {.q = "-cluster", .limit = 5};
    ofs_results *p = run(s, &plain, NULL);
    CHECK(p && p->nhits == 0 && p->total == 0);
    ofs_results_free(p);
}

static void test_all_words(ofs_searcher *s)
{
    /* no section has both words: all_words finds nothing where the default relaxes */
    ofs_query_request req = {.q = "quokka kubectl", .limit = 10};
    ofs_results *relaxed = run(s, &req, NULL);
    req.all_words = 1;
    ofs_results *strict = run(s, &req, NULL);
    CHECK(relaxed && relaxed->relaxed && relaxed->nhits > 0);
    CHECK(strict && !strict->relaxed && strict->nhits == 0);
    ofs_results_free(relaxed);
    ofs_results_free(strict);
}

static void test_marks(ofs_searcher *s)
{
    ofs_query_request req = {.q = "upgrades", .limit = 3, .mark_titles = 1,
                             .snippet_mode = OFS_SNIPPET_MARKERS, .snippet_tokens = 4};
    ofs_results *r = run(s, &req, NULL);
    CHECK(r && r->nhits > 0);
    const ofs_hit *h = r && r->nhits ? &r->hits[0] : NULL;
    CHECK(h && h->marked_title && h->marked_breadcrumb);
    if (h) {
        CHECK_STR(h->title, "Cluster upgrades");
        CHECK_STR(h->marked_title, "Cluster \001upgrades\002");
        CHECK_STR(h->marked_breadcrumb, "Operating guide");
        /* a four-word window with the match marked and cut ends as OFS_MARK_CUT */
        CHECK_MSG(strchr(h->snippet, OFS_MARK_OPEN) && strchr(h->snippet, OFS_MARK_CUT),
                  "%s", h->snippet);
        CHECK(!strchr(h->snippet, '<'));
    }
    ofs_results_free(r);
    /* a heading matched in the breadcrumb is marked there */
    ofs_query_request q2 = {.q = "operating", .limit = 10, .mark_titles = 1};
    r = run(s, &q2, "kind = section");
    int seen = 0;
    for (size_t i = 0; r && i < r->nhits; i++)
        if (strstr(r->hits[i].marked_breadcrumb, "\001Operating\002 guide"))
            seen = 1;
    CHECK(seen);
    ofs_results_free(r);
    /* without mark_titles, nothing is marked and nothing extra is allocated */
    ofs_query_request q3 = {.q = "upgrades", .limit = 3};
    r = run(s, &q3, NULL);
    CHECK(r && r->nhits && !r->hits[0].marked_title && !r->hits[0].marked_breadcrumb);
    ofs_results_free(r);
}

int main(void)
{
    test_parse();
    test_fields_and_groups();
    const char *root = getenv("OFS_SOURCE_ROOT");
    if (!root || build_search_fixture(root, dbpath, sizeof dbpath, NULL, 0) != OFS_OK) {
        fprintf(stderr, "cannot build the fixture index\n");
        return 1;
    }
    ofs_searcher *s = NULL;
    char *err = NULL;
    if (ofs_searcher_open(dbpath, NULL, &s, &err) != OFS_OK) {
        fprintf(stderr, "open: %s\n", err ? err : "?");
        return 1;
    }
    test_filtered_search(s);
    test_placeholder(s);
    test_all_words(s);
    test_marks(s);
    ofs_searcher_close(s);
    unlink(dbpath);
    return check_summary("filter");
}
