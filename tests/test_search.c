/* Result tests for lib/search.c: an index is built from tests/fixtures/search/ with the real
 * indexer, then queries check ranking, phrases, exclusions, prefixes, filters, synonyms,
 * did-you-mean, other scripts, HTML escaping, paging and hostile input. */
#include "check.h"
#include "search_fixture.h"

#include "ofsearch/index.h"
#include "ofsearch/ofsearch.h"
#include "ofsearch/search.h"

#include <stdio.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dbpath[512];
static char synpath[512];
static char docspath[512];

static int build_index(const char *root)
{
    snprintf(synpath, sizeof synpath, "%s/tests/fixtures/search/synonyms.txt", root);
    return build_search_fixture(root, dbpath, sizeof dbpath, docspath, sizeof docspath);
}

static ofs_searcher *open_searcher(void)
{
    ofs_search_config cfg;
    ofs_search_config_default(&cfg);
    cfg.synonyms_path = synpath;
    ofs_searcher *s = NULL;
    char *err = NULL;
    if (ofs_searcher_open(dbpath, &cfg, &s, &err) != OFS_OK)
        fprintf(stderr, "open failed: %s\n", err ? err : "?");
    free(err);
    return s;
}

/* Runs a query; returns results (caller frees) or NULL on error, with *rc set. */
static ofs_results *run(ofs_searcher *s, const char *q, const char *kind, const char *coll,
                        int prefix, ofs_snippet_mode mode, int *rc)
{
    ofs_query_request req = {.q = q, .limit = 10, .kind = kind, .collection = coll,
                             .prefix = prefix, .snippet_mode = mode};
    ofs_results *r = NULL;
    char *err = NULL;
    *rc = ofs_search(s, &req, &r, &err);
    if (*rc != OFS_OK && *rc != OFS_TOOLONG)
        fprintf(stderr, "query [%.60s] failed: %s\n", q, err ? err : "?");
    free(err);
    return r;
}

static ofs_results *q1(ofs_searcher *s, const char *q)
{
    int rc;
    return run(s, q, NULL, NULL, 0, OFS_SNIPPET_PLAIN, &rc);
}

static int has_path(const ofs_results *r, const char *path)
{
    for (size_t i = 0; r && i < r->nhits; i++)
        if (strstr(r->hits[i].path, path))
            return 1;
    return 0;
}

static int has_title(const ofs_results *r, const char *title)
{
    for (size_t i = 0; r && i < r->nhits; i++)
        if (!strcmp(r->hits[i].title, title))
            return 1;
    return 0;
}

static void test_term_first(ofs_searcher *s)
{
    ofs_results *r = q1(s, "MOC");
    CHECK(r && r->nhits > 0);
    if (r && r->nhits) {
        CHECK_STR(r->hits[0].kind, "term");
        CHECK_STR(r->hits[0].title, "MOC");
        CHECK(strstr(r->hits[0].url, "https://example.org/docs/glossary#") == r->hits[0].url);
    }
    ofs_results_free(r);
    r = q1(s, "zero cluster");
    CHECK(r && r->nhits > 0);
    if (r && r->nhits) {
        CHECK_STR(r->hits[0].kind, "term");
        CHECK_STR(r->hits[0].title, "Zero cluster");
    }
    ofs_results_free(r);
}

static void test_phrase_and_words(ofs_searcher *s)
{
    ofs_results *words = q1(s, "open source services");
    ofs_results *phrase = q1(s, "\"open source services\"");
    CHECK(words && phrase);
    if (words && phrase) {
        CHECK(has_title(words, "Open services"));
        CHECK(has_title(words, "Scattered words"));
        CHECK(has_title(phrase, "Open services"));
        CHECK(!has_title(phrase, "Scattered words"));
        CHECK(!phrase->relaxed);
    }
    ofs_results_free(words);
    ofs_results_free(phrase);
}

static void test_exclusion_and_or(ofs_searcher *s)
{
    ofs_results *r = q1(s, "cluster -zero");
    CHECK(r && r->nhits > 0);
    for (size_t i = 0; r && i < r->nhits; i++)
        CHECK_MSG(strcmp(r->hits[i].title, "Zero cluster") != 0 &&
                      strcmp(r->hits[i].title, "Cluster upgrades") != 0,
                  "excluded section %s returned", r->hits[i].title);
    ofs_results_free(r);
    r = q1(s, "café OR runbook");
    CHECK(r && has_title(r, "Accents") && has_title(r, "Runbook"));
    ofs_results_free(r);
}

static void test_prefix(ofs_searcher *s)
{
    int rc;
    ofs_results *r = run(s, "kuber", NULL, NULL, 1, OFS_SNIPPET_PLAIN, &rc);
    CHECK(r && has_title(r, "Kubernetes"));
    ofs_results_free(r);
    r = run(s, "kuber", NULL, NULL, 0, OFS_SNIPPET_PLAIN, &rc);
    CHECK(r && !has_title(r, "Kubernetes"));
    ofs_results_free(r);
    r = q1(s, "upgrad*");
    CHECK(r && has_title(r, "Cluster upgrades"));
    ofs_results_free(r);
}

static void test_filters(ofs_searcher *s)
{
    int rc;
    ofs_results *r = run(s, "cluster", "faq", NULL, 0, OFS_SNIPPET_PLAIN, &rc);
    CHECK(r && r->nhits > 0);
    for (size_t i = 0; r && i < r->nhits; i++)
        CHECK_STR(r->hits[i].kind, "faq");
    ofs_results_free(r);
    r = q1(s, "kind:faq cluster");
    CHECK(r && r->nhits > 0);
    for (size_t i = 0; r && i < r->nhits; i++)
        CHECK_STR(r->hits[i].kind, "faq");
    ofs_results_free(r);
    r = run(s, "kubernetes", NULL, "other", 0, OFS_SNIPPET_PLAIN, &rc);
    CHECK(r && r->nhits > 0);
    for (size_t i = 0; r && i < r->nhits; i++)
        CHECK_STR(r->hits[i].collection, "other");
    ofs_results_free(r);
    r = q1(s, "collection:docs kubernetes");
    CHECK(r && r->nhits > 0 && !has_path(r, "notes.md"));
    ofs_results_free(r);
    r = q1(s, "title:upgrades cluster");
    CHECK(r && r->nhits == 1 && has_title(r, "Cluster upgrades"));
    ofs_results_free(r);
    r = run(s, "cluster", "bogus", NULL, 0, OFS_SNIPPET_PLAIN, &rc);
    CHECK_INT(rc, OFS_INVALID);
    ofs_results_free(r);
}

static void test_synonyms(ofs_searcher *s)
{
    ofs_results *r = q1(s, "k8s");
    CHECK(r && has_title(r, "Kubernetes"));
    ofs_results_free(r);
    r = q1(s, "Mass Open Cloud");
    CHECK(r && has_title(r, "MOC"));
    ofs_results_free(r);
}

static void test_did_you_mean(ofs_searcher *s)
{
    ofs_results *r = q1(s, "kubernetse");
    CHECK(r && r->did_you_mean && !strcmp(r->did_you_mean, "kubernetes"));
    CHECK(r && r->corrected && has_title(r, "Kubernetes"));
    ofs_results_free(r);
    r = q1(s, "kubernetes");
    CHECK(r && !r->did_you_mean && !r->corrected);
    ofs_results_free(r);
    /* A word found only inside a file name is offered as the word, not the whole name. */
    r = q1(s, "wombatcof");
    CHECK_MSG(r && r->did_you_mean && !strcmp(r->did_you_mean, "wombatconf"), "wombatcof -> %s",
              r && r->did_you_mean ? r->did_you_mean : "(none)");
    ofs_results_free(r);
    /* After a few corrections the searcher reads the vocabulary into memory: the answers must
     * stay those of the fts5vocab scan. */
    static const char *const typos[][2] = {
        {"kubernetse", "kubernetes"}, {"openshfit", NULL}, {"kubernets", NULL},
        {"zzqxw", NULL}, {"kubernetse", "kubernetes"},
    };
    char *first[5] = {0};
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < 5; i++) {
            r = q1(s, typos[i][0]);
            CHECK(r != NULL);
            const char *dym = r ? r->did_you_mean : NULL;
            if (typos[i][1])
                CHECK_MSG(dym && !strcmp(dym, typos[i][1]), "%s -> %s", typos[i][0],
                          dym ? dym : "(none)");
            if (round == 0)
                first[i] = dym ? strdup(dym) : NULL;
            else
                CHECK_MSG((!dym && !first[i]) || (dym && first[i] && !strcmp(dym, first[i])),
                          "%s: %s then %s", typos[i][0], first[i] ? first[i] : "(none)",
                          dym ? dym : "(none)");
            ofs_results_free(r);
        }
    for (int i = 0; i < 5; i++)
        free(first[i]);
}

static void test_scripts(ofs_searcher *s)
{
    ofs_results *r = q1(s, "开源");
    CHECK(r && has_title(r, "Chinese"));
    ofs_results_free(r);
    r = q1(s, "ค้นหา");
    CHECK(r && has_title(r, "Thai"));
    ofs_results_free(r);
    r = q1(s, "CAFE");
    CHECK(r && has_title(r, "Accents"));
    ofs_results_free(r);
}

static void test_html_escaping(ofs_searcher *s)
{
    int rc;
    ofs_results *r = run(s, "script tag", NULL, NULL, 0, OFS_SNIPPET_HTML, &rc);
    CHECK(r && r->nhits > 0);
    if (r && r->nhits) {
        const char *sn = r->hits[0].snippet;
        CHECK_MSG(strstr(sn, "&lt;") != NULL && strstr(sn, "&gt;") != NULL, "snippet: %s", sn);
        CHECK_MSG(strstr(sn, "<script") == NULL, "snippet: %s", sn);
        CHECK_MSG(strstr(sn, "<mark>") != NULL, "snippet: %s", sn);
    }
    ofs_results_free(r);
}

static void test_relaxed_and_paging(ofs_searcher *s)
{
    ofs_results *r = q1(s, "kubernetes xylophonequartz");
    CHECK(r && r->relaxed && has_title(r, "Kubernetes"));
    ofs_results_free(r);
    ofs_query_request req = {.q = "cluster", .limit = 2};
    ofs_results *p1 = NULL, *p2 = NULL, *all = NULL;
    char *err = NULL;
    CHECK_INT(ofs_search(s, &req, &p1, &err), OFS_OK);
    req.offset = 2;
    CHECK_INT(ofs_search(s, &req, &p2, &err), OFS_OK);
    req.offset = 0;
    req.limit = 4;
    CHECK_INT(ofs_search(s, &req, &all, &err), OFS_OK);
    if (p1 && p2 && all && all->nhits == 4 && p1->nhits == 2 && p2->nhits == 2) {
        CHECK_STR(p1->hits[1].url, all->hits[1].url);
        CHECK_STR(p2->hits[0].url, all->hits[2].url);
        CHECK(all->total >= 4);
    } else {
        CHECK(!"paging returned too few hits");
    }
    free(err);
    ofs_results_free(p1);
    ofs_results_free(p2);
    ofs_results_free(all);
    req.limit = 100000;
    ofs_results *big = NULL;
    err = NULL;
    CHECK_INT(ofs_search(s, &req, &big, &err), OFS_INVALID);
    free(err);
}

static void test_hostile(ofs_searcher *s)
{
    const char *inputs[] = {"\"", "*", "NEAR(", "-", ":", "(", ")", "^", "\"\"", "a:\"",
                            "NEAR(a b", "AND OR NOT", "- - -", "title:", "kind:", "{title}:x",
                            "col* \"unterminated", "\xff\xfe\x80 cluster", "\xe4\xb8",
                            "cluster\"*:^()", "OR", "-cluster", "*cluster*"};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        for (int prefix = 0; prefix < 2; prefix++) {
            int rc;
            ofs_results *r = run(s, inputs[i], NULL, NULL, prefix, OFS_SNIPPET_HTML, &rc);
            CHECK_MSG(rc == OFS_OK, "input %zu gave %d", i, rc);
            ofs_results_free(r);
        }
    }
    /* NUL bytes inside the query are data, not terminators. */
    ofs_query_request req = {.q = "clu\0ster", .qlen = 8, .limit = 10};
    ofs_results *r = NULL;
    char *err = NULL;
    CHECK_INT(ofs_search(s, &req, &r, &err), OFS_OK);
    ofs_results_free(r);
    char *big = malloc(10001);
    for (int i = 0; i < 10000; i++)
        big[i] = "\"*()-:^ aZ\xc3"[i % 11];
    big[10000] = '\0';
    req = (ofs_query_request){.q = big, .limit = 10};
    r = NULL;
    CHECK_INT(ofs_search(s, &req, &r, &err), OFS_TOOLONG);
    CHECK(err && strstr(err, "too long"));
    free(err);
    ofs_results_free(r);
    free(big);
}

static void test_suggest(ofs_searcher *s)
{
    ofs_suggestions *sg = NULL;
    char *err = NULL;
    CHECK_INT(ofs_suggest(s, "kube", 4, 5, &sg, &err), OFS_OK);
    int found = 0;
    for (size_t i = 0; sg && i < sg->n; i++)
        found |= !strcmp(sg->items[i], "Kubernetes");
    CHECK(found);
    ofs_suggestions_free(sg);
    sg = NULL;
    CHECK_INT(ofs_suggest(s, "\"(*", 3, 5, &sg, &err), OFS_OK);
    ofs_suggestions_free(sg);
    /* A file with no front matter is titled by its first heading, which is its first row. */
    sg = NULL;
    CHECK_INT(ofs_suggest(s, "quok", 4, 5, &sg, &err), OFS_OK);
    CHECK(sg && sg->n == 1 && !strcmp(sg->items[0], "Quokka tool"));
    /* Where it leads: as a hit would, with its collection and document path. */
    if (sg && sg->n == 1) {
        CHECK_STR(sg->collections[0], "other");
        CHECK_STR(sg->paths[0], "quokka.md");
        CHECK(sg->urls[0] && !strncmp(sg->urls[0], "quokka.md", 9));
    }
    ofs_suggestions_free(sg);
    /* A last word of one letter after others is checked on each title, not expanded. */
    sg = NULL;
    CHECK_INT(ofs_suggest(s, "Quokka T", 8, 5, &sg, &err), OFS_OK);
    CHECK(sg && sg->n == 1 && !strcmp(sg->items[0], "Quokka tool"));
    ofs_suggestions_free(sg);
    sg = NULL;
    CHECK_INT(ofs_suggest(s, "quokka x", 8, 5, &sg, &err), OFS_OK);
    CHECK(sg && sg->n == 0);
    ofs_suggestions_free(sg);
    /* One-character prefixes are remembered: the second answer is the first one. */
    ofs_suggestions *a = NULL, *b = NULL;
    CHECK_INT(ofs_suggest(s, "Q", 1, 20, &a, &err), OFS_OK);
    CHECK_INT(ofs_suggest(s, "Q", 1, 20, &b, &err), OFS_OK);
    CHECK(a && b && a->n == b->n && a->n > 1);
    found = 0;
    for (size_t i = 0; a && b && i < a->n && i < b->n; i++) {
        CHECK_STR(a->items[i], b->items[i]);
        CHECK_STR(a->urls[i], b->urls[i]);
        CHECK_STR(a->collections[i], b->collections[i]);
        CHECK_STR(a->paths[i], b->paths[i]);
        found |= !strcmp(a->items[i], "Quokka tool");
    }
    CHECK(found);
    ofs_suggestions_free(a);
    ofs_suggestions_free(b);
    /* Bad prefixes, including the forms with a one-letter last word and one-character ones. */
    char big[10010];
    memset(big, 'x', sizeof big);
    memcpy(big + sizeof big - 3, " z", 3);
    const struct {
        const char *s;
        size_t n;
    } bad[] = {{"\"", 1},      {"*", 1},          {"NEAR(", 5},    {"-", 1},
               {":", 1},        {"\xff", 1},      {"\xc3", 1},    {"\" c", 3},
               {"NEAR( c", 7},  {"title: c", 8},   {"- c", 3},      {"a\0 c", 4},
               {" c", 2},       {"\t\tc", 3},    {"the a", 5},    {"\xff\xfe c", 4},
               {"quokka \xc3", 8}, {big, sizeof big - 1}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sg = NULL;
        int rc = ofs_suggest(s, bad[i].s, bad[i].n, 5, &sg, &err);
        CHECK_MSG(rc == OFS_OK || rc == OFS_TOOLONG, "bad prefix %zu: %d", i, rc);
        for (size_t j = 0; sg && j < sg->n; j++)
            CHECK(sg->items[j] && *sg->items[j]);
        ofs_suggestions_free(sg);
        free(err);
        err = NULL;
    }
    long docs = 0, secs = 0;
    CHECK_INT(ofs_searcher_counts(s, &docs, &secs), OFS_OK);
    CHECK_INT(docs, 6);
    CHECK(secs > 10);
    free(err);
}

/* Document frequencies remembered by the searcher must give exactly the scores ofs_bm25f gets
 * by counting rows itself: the phrase order they are passed in must match FTS5's. */
static void test_df_cache(void)
{
    ofs_search_config cfg;
    ofs_search_config_default(&cfg);
    cfg.synonyms_path = synpath;
    ofs_searcher *cached = NULL, *counted = NULL;
    CHECK_INT(ofs_searcher_open(dbpath, &cfg, &cached, NULL), OFS_OK);
    cfg.df_cache = 0;
    CHECK_INT(ofs_searcher_open(dbpath, &cfg, &counted, NULL), OFS_OK);
    const char *queries[] = {"cluster", "zero cluster", "MOC", "\"open source services\"",
                             "cluster -zero", "café OR runbook", "upgrad*", "title:upgrades cluster",
                             "k8s scheduling", "Mass Open Cloud", "kubectl get pods",
                             "open \"zero cluster\" -café services", "file.txt cluster",
                             "the cluster of the zero", "xylophone cluster"};
    for (size_t i = 0; cached && counted && i < sizeof queries / sizeof queries[0]; i++) {
        for (int twice = 0; twice < 2; twice++) { /* the second time from the cache */
            ofs_query_request req = {.q = queries[i], .limit = 20, .no_snippets = 1};
            ofs_results *a = NULL, *b = NULL;
            CHECK_INT(ofs_search(cached, &req, &a, NULL), OFS_OK);
            CHECK_INT(ofs_search(counted, &req, &b, NULL), OFS_OK);
            int same = a && b && a->nhits == b->nhits;
            for (size_t k = 0; same && k < a->nhits; k++)
                same = !strcmp(a->hits[k].url, b->hits[k].url) &&
                       a->hits[k].score - b->hits[k].score < 1e-9 &&
                       b->hits[k].score - a->hits[k].score < 1e-9;
            CHECK_MSG(same, "query [%s]: cached and counted frequencies rank differently",
                      queries[i]);
            ofs_results_free(a);
            ofs_results_free(b);
        }
    }
    ofs_searcher_close(cached);
    ofs_searcher_close(counted);
}

static void test_open_errors(void)
{
    ofs_searcher *s = NULL;
    char *err = NULL;
    CHECK(ofs_searcher_open("/nonexistent/dir/x.db", NULL, &s, &err) != OFS_OK);
    CHECK(err != NULL && s == NULL);
    free(err);
    /* Tokenizer options the searcher cannot take whole are refused, not read cut short (the
     * first 511 bytes of these would leave "stem english" out and fold queries otherwise). */
    sqlite3 *db = NULL;
    char *opts = sqlite3_mprintf("compounds 1%600sstem english", "");
    char *sql = sqlite3_mprintf("UPDATE meta SET value = %Q WHERE key = 'tokenizer'", opts);
    CHECK(sqlite3_open(dbpath, &db) == SQLITE_OK && sqlite3_exec(db, sql, 0, 0, 0) == SQLITE_OK);
    sqlite3_close(db);
    err = NULL;
    CHECK(ofs_searcher_open(dbpath, NULL, &s, &err) == OFS_INVALID);
    CHECK_MSG(s == NULL && err && strstr(err, "too long"), "%s", err ? err : "(no error)");
    ofs_searcher_close(s);
    free(err);
    sqlite3_free(sql);
    sqlite3_free(opts);
}

static int suggests(ofs_searcher *s, const char *prefix, const char *title)
{
    ofs_suggestions *sg = NULL;
    int found = 0;
    if (ofs_suggest(s, prefix, strlen(prefix), 20, &sg, NULL) == OFS_OK)
        for (size_t i = 0; i < sg->n; i++)
            found |= !strcmp(sg->items[i], title);
    ofs_suggestions_free(sg);
    return found;
}

/* A rebuild lands in the live file while a searcher has it open: the searcher sees the new
 * contents at once and says it should be reopened; a reopened one does not. */
static void test_changed_by_rebuild(ofs_searcher *s)
{
    CHECK(suggests(s, "Q", "Quokka tool")); /* remembered for one-character prefixes */
    CHECK_INT(ofs_searcher_changed(s), 0);
    int rc;
    ofs_results *r = run(s, "kubernetes", NULL, "other", 0, OFS_SNIPPET_PLAIN, &rc);
    CHECK(r && r->nhits > 0);
    ofs_results_free(r);
    ofs_collection_spec only_docs[] = {{"docs", docspath, "https://example.org/docs"}};
    ofs_build_options o;
    ofs_build_options_default(&o);
    ofs_build_summary sum;
    char *err = NULL;
    CHECK_INT(ofs_index_rebuild(dbpath, NULL, only_docs, 1, &o, &sum, &err), OFS_OK);
    free(err);
    CHECK_INT(ofs_searcher_stale(s), 0); /* nothing has looked yet */
    CHECK(!suggests(s, "Q", "Quokka tool")); /* its collection is gone: nothing remembered */
    r = run(s, "kubernetes", NULL, "other", 0, OFS_SNIPPET_PLAIN, &rc);
    CHECK(rc == OFS_OK && r && r->nhits == 0);
    ofs_results_free(r);
    CHECK_INT(ofs_searcher_stale(s), 1); /* the search noticed, and ranked without the caches */
    CHECK_INT(ofs_searcher_changed(s), 1);
    r = run(s, "kubernetes", NULL, NULL, 0, OFS_SNIPPET_PLAIN, &rc);
    CHECK(rc == OFS_OK && r && r->nhits > 0 && !strcmp(r->hits[0].collection, "docs"));
    ofs_results_free(r);
    ofs_searcher *fresh = open_searcher();
    CHECK(fresh != NULL);
    if (fresh) {
        CHECK_INT(ofs_searcher_changed(fresh), 0);
        r = run(fresh, "kubernetes", NULL, NULL, 0, OFS_SNIPPET_PLAIN, &rc);
        CHECK(rc == OFS_OK && r && r->nhits > 0);
        ofs_results_free(r);
    }
    ofs_searcher_close(fresh);
}

int main(void)
{
    const char *root = getenv("OFS_SOURCE_ROOT");
    if (!root)
        root = ".";
    if (build_index(root) != OFS_OK) {
        CHECK(!"index build");
        return check_summary("search");
    }
    ofs_searcher *s = open_searcher();
    CHECK(s != NULL);
    if (s) {
        test_term_first(s);
        test_phrase_and_words(s);
        test_exclusion_and_or(s);
        test_prefix(s);
        test_filters(s);
        test_synonyms(s);
        test_did_you_mean(s);
        test_scripts(s);
        test_html_escaping(s);
        test_relaxed_and_paging(s);
        test_hostile(s);
        test_suggest(s);
        test_changed_by_rebuild(s);
    }
    ofs_searcher_close(s);
    test_df_cache();
    test_open_errors();
    unlink(dbpath);
    return check_summary("search");
}
