/* Query benchmark: latency of full ofs_search (parsing, ranking, snippets, fallback,
 * did-you-mean) over a query file, against the raw baseline measured in the same run: FTS5
 * `MATCH ? ORDER BY rank LIMIT 10` on a unicode61 table holding the same sections.
 *
 * usage: bench_query INDEX.db QUERIES.txt [--ofs-only] | INDEX.db --make-queries N
 *   --make-queries N  print N queries of 1-3 consecutive words sampled from the index (seeded)
 *   otherwise         run every query once (after one warm-up pass) and print p50/p99/qps;
 *   --ofs-only        only ofs_search, once, no baseline (for profilers) */
#include "ofsearch/ofsearch.h"
#include "ofsearch/search.h"

#include "../bench_util.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Samples n queries: 1-3 consecutive ASCII-letter words from random section bodies. */
static int make_queries(const char *db, int n)
{
    sqlite3 *h;
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        return 1;
    sqlite3_stmt *st;
    sqlite3_prepare_v2(h, "SELECT body FROM sections WHERE id = ?1", -1, &st, NULL);
    sqlite3_stmt *mx;
    sqlite3_prepare_v2(h, "SELECT max(id) FROM sections", -1, &mx, NULL);
    sqlite3_step(mx);
    int64_t maxid = sqlite3_column_int64(mx, 0);
    sqlite3_finalize(mx);
    srand(42);
    int made = 0;
    while (made < n && maxid > 0) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, 1 + rand() % maxid);
        if (sqlite3_step(st) != SQLITE_ROW)
            continue;
        const char *body = (const char *)sqlite3_column_text(st, 0);
        if (!body)
            continue;
        /* Split into ASCII words of 3+ letters. */
        char words[64][32];
        int nw = 0;
        for (const char *p = body; *p && nw < 64;) {
            while (*p && !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
                p++;
            int len = 0;
            while ((p[len] >= 'a' && p[len] <= 'z') || (p[len] >= 'A' && p[len] <= 'Z'))
                len++;
            if (len >= 3 && len < 32) {
                memcpy(words[nw], p, (size_t)len);
                words[nw++][len] = '\0';
            }
            p += len;
        }
        if (nw == 0)
            continue;
        int k = 1 + rand() % 3, start = rand() % nw;
        if (start + k > nw)
            k = nw - start;
        for (int i = 0; i < k; i++)
            printf("%s%s", i ? " " : "", words[start + i]);
        printf("\n");
        made++;
    }
    sqlite3_finalize(st);
    sqlite3_close(h);
    return made == n ? 0 : 1;
}

/* The baseline: a unicode61 FTS5 table with the same sections, in a temporary database. */
static sqlite3 *open_baseline(const char *db, double *build_ms)
{
    sqlite3 *h;
    if (sqlite3_open(":memory:", &h) != SQLITE_OK)
        return NULL;
    char sql[1024];
    snprintf(sql, sizeof sql, "ATTACH '%s' AS src;", db);
    double t0 = now_ms();
    if (sqlite3_exec(h, sql, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(h,
                     "CREATE VIRTUAL TABLE base USING fts5(title, headings, body, code, meta,"
                     " tokenize='unicode61 remove_diacritics 2');"
                     "INSERT INTO base(rowid, title, headings, body, code, meta)"
                     " SELECT id, title, headings, body, code, meta FROM src.sections;"
                     "INSERT INTO base(base) VALUES('optimize');",
                     NULL, NULL, NULL) != SQLITE_OK) {
        fprintf(stderr, "baseline: %s\n", sqlite3_errmsg(h));
        sqlite3_close(h);
        return NULL;
    }
    *build_ms = now_ms() - t0;
    return h;
}

/* Quotes each word so the baseline never sees FTS5 syntax: `"a" "b"` (implicit AND). */
static void quote_words(const char *q, char *out, size_t cap)
{
    size_t n = 0;
    const char *p = q;
    while (*p && n + 8 < cap) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        out[n++] = '"';
        while (*p && *p != ' ' && n + 4 < cap) {
            if (*p == '"')
                out[n++] = '"';
            out[n++] = *p++;
        }
        out[n++] = '"';
        out[n++] = ' ';
    }
    out[n] = '\0';
}

typedef struct {
    double p50, p99, qps, hits_avg;
} figures;

static figures summarize(double *lat, size_t n, double total_ms, double hits)
{
    qsort(lat, n, sizeof *lat, cmp_double);
    figures f = {lat[n / 2], lat[(size_t)(n * 0.99)], n / (total_ms / 1e3), hits / n};
    return f;
}

static figures run_baseline(sqlite3 *h, char **qs, size_t n)
{
    sqlite3_stmt *st;
    sqlite3_prepare_v2(h, "SELECT rowid FROM base WHERE base MATCH ?1 ORDER BY rank LIMIT 10", -1,
                       &st, NULL);
    double *lat = malloc(n * sizeof *lat), hits = 0, t0 = now_ms();
    for (size_t i = 0; i < n; i++) {
        char expr[8192];
        quote_words(qs[i], expr, sizeof expr);
        double t = now_ms();
        sqlite3_bind_text(st, 1, expr, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW)
            hits++;
        sqlite3_reset(st);
        lat[i] = now_ms() - t;
    }
    figures f = summarize(lat, n, now_ms() - t0, hits);
    free(lat);
    sqlite3_finalize(st);
    return f;
}

static int no_snippets; /* BENCH_NO_SNIPPETS=1: how much of the time snippets take */

static figures run_ofs(ofs_searcher *s, char **qs, size_t n, size_t *errors)
{
    double *lat = malloc(n * sizeof *lat), hits = 0, t0 = now_ms();
    for (size_t i = 0; i < n; i++) {
        ofs_query_request req = {.q = qs[i], .limit = 10, .snippet_mode = OFS_SNIPPET_HTML,
                                 .no_snippets = no_snippets};
        ofs_results *r = NULL;
        double t = now_ms();
        if (ofs_search(s, &req, &r, NULL) != OFS_OK)
            (*errors)++;
        else
            hits += r->nhits;
        ofs_results_free(r);
        lat[i] = now_ms() - t;
    }
    /* BENCH_DUMP=FILE: each query's latency, to look at the tail or the median closely. */
    const char *dump = getenv("BENCH_DUMP");
    FILE *df = dump && *dump ? fopen(dump, "w") : NULL;
    for (size_t i = 0; df && i < n; i++)
        fprintf(df, "%.3f\t%s\n", lat[i], qs[i]);
    if (df)
        fclose(df);
    figures f = summarize(lat, n, now_ms() - t0, hits);
    free(lat);
    return f;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_query INDEX.db QUERIES.txt | INDEX.db --make-queries N\n");
        return 2;
    }
    if (!strcmp(argv[2], "--make-queries"))
        return make_queries(argv[1], argc > 3 ? atoi(argv[3]) : 1000);
    const char *ns = getenv("BENCH_NO_SNIPPETS");
    no_snippets = ns && *ns == '1';
    size_t n = 0;
    char **qs = read_lines(argv[2], &n);
    if (!qs || !n) {
        fprintf(stderr, "no queries in %s\n", argv[2]);
        return 2;
    }
    ofs_searcher *s = NULL;
    char *err = NULL;
    if (ofs_searcher_open(argv[1], NULL, &s, &err) != OFS_OK) {
        fprintf(stderr, "open: %s\n", err);
        return 2;
    }
    if (argc > 3 && !strcmp(argv[3], "--ofs-only")) { /* for profilers: no baseline */
        size_t errors = 0;
        figures o = run_ofs(s, qs, n, &errors);
        printf("ofs_search: p50 %.3f ms, p99 %.3f ms, %.0f q/s, %zu errors\n", o.p50, o.p99, o.qps,
               errors);
        ofs_searcher_close(s);
        return 0;
    }
    double build_ms = 0;
    sqlite3 *base = open_baseline(argv[1], &build_ms);
    if (!base)
        return 2;
    size_t errors = 0;
    run_baseline(base, qs, n); /* warm-up passes: page cache and statement caches */
    run_ofs(s, qs, n, &errors);
    figures b = run_baseline(base, qs, n);
    errors = 0;
    figures o = run_ofs(s, qs, n, &errors);
    printf("queries: %zu (errors %zu)\n", n, errors);
    printf("%-34s %9s %9s %10s %8s\n", "", "p50 ms", "p99 ms", "queries/s", "hits");
    printf("%-34s %9.3f %9.3f %10.0f %8.1f\n", "baseline FTS5 unicode61 rank", b.p50, b.p99, b.qps,
           b.hits_avg);
    printf("%-34s %9.3f %9.3f %10.0f %8.1f\n", "ofs_search (full)", o.p50, o.p99, o.qps,
           o.hits_avg);
    printf("ratio ofs/baseline: p50 %.2fx, p99 %.2fx, qps %.2fx\n", o.p50 / b.p50, o.p99 / b.p99,
           o.qps / b.qps);
    printf("targets: p50 within 2x (%s), p99 no worse (%s)\n", o.p50 <= 2 * b.p50 ? "met" : "MISSED",
           o.p99 <= b.p99 ? "met" : "MISSED");
    for (size_t i = 0; i < n; i++)
        free(qs[i]);
    free(qs);
    sqlite3_close(base);
    ofs_searcher_close(s);
    return 0;
}
