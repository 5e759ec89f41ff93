/* Scale benchmark driver (issue 20, benchmarks/scale/run.sh): one index size, the same queries
 * through ofsearch in process, raw FTS5 bm25() and Xapian, interleaved query by query so that the
 * machine's changes of speed fall on every system alike. Each query's time, hits and whether it
 * needed any-word matching go to a TSV file; report.py turns those into the figures.
 *
 * usage: bench_scale build-fts INDEX.db FTS.db
 *          FTS.db gets table `base`: the index's sections (title, headings, body, code, meta) in
 *          an FTS5 unicode61 table, optimized; prints its build time
 *        bench_scale run INDEX.db FTS.db QUERIES.txt OUT.tsv [--xapian DRIVER XAPIAN_DIR]
 *          opens each system OPENS times (env, default 3; medians printed), runs every query once
 *          to warm up (its times go to OUT.tsv.first), then ROUNDS passes (env, default 3)
 *          measured: a query's time in OUT.tsv is the median of its rounds. Xapian runs in a
 *          child process (DRIVER serve XAPIAN_DIR, benchmarks/scale/xapian_scale.cc) that times
 *          itself, so the pipe is not counted.
 *
 * Every system answers as ofsearch does by default: all the words, top 10 with snippets, and
 * when fewer than 10 sections hold every word, the page topped up with sections holding any of
 * them ("relaxed"). ofsearch does this itself; the baselines run the OR query after the AND
 * query when it came back short. */
#include "ofsearch/ofsearch.h"
#include "ofsearch/search.h"

#include "../bench_util.h"

#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

enum { SYS_OFS, SYS_FTS, SYS_XAP, NSYS };

#define ROUNDS_MAX 15 /* of opens timed, of measured passes */

typedef struct {
    double ms;
    int relaxed;
    long hits;
} answer;

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return v[n / 2];
}

/* ---- raw FTS5 ---- */

static int build_fts(const char *index, const char *fts)
{
    unlink(fts);
    sqlite3 *h;
    if (sqlite3_open(fts, &h) != SQLITE_OK)
        return 2;
    char *sql = sqlite3_mprintf(
        "ATTACH %Q AS src;"
        "CREATE VIRTUAL TABLE base USING fts5(title, headings, body, code, meta,"
        " tokenize='unicode61 remove_diacritics 2');"
        "BEGIN;"
        "INSERT INTO base(rowid, title, headings, body, code, meta)"
        " SELECT id, title, headings, body, code, meta FROM src.sections;"
        "INSERT INTO base(base) VALUES('optimize');"
        "COMMIT;",
        index);
    double t0 = now_ms();
    char *err = NULL;
    int rc = sqlite3_exec(h, sql, NULL, NULL, &err);
    double ms = now_ms() - t0;
    sqlite3_free(sql);
    if (rc != SQLITE_OK) {
        /* The baseline reads ofsearch's sections table: a changed schema shows up here. */
        fprintf(stderr, "bench_scale: cannot build the FTS5 baseline from %s: %s\n", index, err);
        sqlite3_free(err);
        sqlite3_close(h);
        return 2;
    }
    sqlite3_close(h);
    printf("fts5_build_ms=%.0f\n", ms);
    return 0;
}

/* Quotes each word so FTS5 never sees syntax: `"a" "b"` (all words) or `"a" OR "b"`. */
static int fts_expr(const char *q, int any, char *out, size_t cap)
{
    size_t n = 0;
    int words = 0;
    for (const char *p = q; *p && n + 12 < cap;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        if (words++)
            n += (size_t)snprintf(out + n, cap - n, any ? " OR " : " ");
        out[n++] = '"';
        while (*p && *p != ' ' && n + 6 < cap) {
            if (*p == '"')
                out[n++] = '"';
            out[n++] = *p++;
        }
        out[n++] = '"';
    }
    out[n] = '\0';
    return words;
}

typedef struct {
    sqlite3 *db;
    sqlite3_stmt *st;
    size_t bytes; /* snippets' total length: keeps the work from being skipped */
} fts_system;

/* With the memory map and page cache ofs_searcher_open asks for, so the two differ in how
 * they search, not in how they read the file. */
static int fts_open(fts_system *f, const char *path)
{
    if (sqlite3_open_v2(path, &f->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_exec(f->db, "PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -32768;", NULL,
                     NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(f->db,
                           "SELECT rowid, snippet(base, -1, '<mark>', '</mark>', '…', 30)"
                           " FROM base WHERE base MATCH ?1 ORDER BY rank LIMIT 10",
                           -1, &f->st, NULL) != SQLITE_OK) {
        fprintf(stderr, "bench_scale: %s: %s\n", path, sqlite3_errmsg(f->db));
        return 2;
    }
    return 0;
}

static void fts_close(fts_system *f)
{
    sqlite3_finalize(f->st);
    sqlite3_close(f->db);
}

/* Steps expr's top 10 into rows[*n..9], skipping rowids already there; snippets are cut as
 * the rows are stepped. */
static void fts_run(fts_system *f, const char *expr, sqlite3_int64 *rows, long *n)
{
    sqlite3_bind_text(f->st, 1, expr, -1, SQLITE_TRANSIENT);
    while (*n < 10 && sqlite3_step(f->st) == SQLITE_ROW) {
        sqlite3_int64 id = sqlite3_column_int64(f->st, 0);
        f->bytes += (size_t)sqlite3_column_bytes(f->st, 1);
        long i = 0;
        while (i < *n && rows[i] != id)
            i++;
        if (i == *n)
            rows[(*n)++] = id;
    }
    sqlite3_reset(f->st);
}

static answer fts_search(fts_system *f, const char *q)
{
    char expr[8192];
    sqlite3_int64 rows[10];
    answer a = {0};
    double t = now_ms();
    int words = fts_expr(q, 0, expr, sizeof expr);
    fts_run(f, expr, rows, &a.hits);
    if (a.hits < 10 && words > 1) {
        long before = a.hits;
        fts_expr(q, 1, expr, sizeof expr);
        fts_run(f, expr, rows, &a.hits);
        a.relaxed = a.hits > before;
    }
    a.ms = now_ms() - t;
    return a;
}

/* ---- ofsearch ---- */

static answer ofs_answer(ofs_searcher *s, const char *q, int *errors)
{
    ofs_query_request req = {.q = q, .limit = 10, .snippet_mode = OFS_SNIPPET_HTML};
    ofs_results *r = NULL;
    answer a = {0};
    double t = now_ms();
    if (ofs_search(s, &req, &r, NULL) != OFS_OK) {
        (*errors)++;
    } else {
        a.hits = (long)r->nhits;
        a.relaxed = r->relaxed;
    }
    ofs_results_free(r);
    a.ms = now_ms() - t;
    return a;
}

/* ---- Xapian, in a child process ---- */

typedef struct {
    pid_t pid;
    FILE *to, *from;
} xap_system;

static int xap_start(xap_system *x, const char *driver, const char *dir, const char *opens)
{
    int in[2], out[2];
    if (pipe(in) != 0 || pipe(out) != 0)
        return 2;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addclose(&fa, in[1]);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    char *argv[] = {(char *)driver, "serve", (char *)dir, (char *)opens, NULL};
    int rc = posix_spawn(&x->pid, driver, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(in[0]);
    close(out[1]);
    if (rc != 0) {
        fprintf(stderr, "bench_scale: cannot start %s: %s\n", driver, strerror(rc));
        return 2;
    }
    x->to = fdopen(in[1], "w");
    x->from = fdopen(out[0], "r");
    return 0;
}

/* Sends one line, reads the child's one-line answer into line; 0 when it answered. */
static int xap_ask(xap_system *x, const char *q, char *line, size_t cap)
{
    if (fprintf(x->to, "%s\n", q) < 0 || fflush(x->to) != 0 || !fgets(line, (int)cap, x->from)) {
        fprintf(stderr, "bench_scale: the Xapian driver stopped answering\n");
        return 2;
    }
    return 0;
}

static answer xap_search(xap_system *x, const char *q, int *errors)
{
    char line[256];
    answer a = {0};
    if (xap_ask(x, q, line, sizeof line) != 0 ||
        sscanf(line, "%lf %ld %d", &a.ms, &a.hits, &a.relaxed) != 3)
        (*errors)++;
    return a;
}

static void xap_stop(xap_system *x)
{
    fclose(x->to); /* end of input: the child exits */
    fclose(x->from);
    waitpid(x->pid, NULL, 0);
}

/* ---- the run ---- */

/* Opens each system `opens` times, timing how long until the first query can run: ofsearch's
 * ofs_searcher_open (and that plus the first query), FTS5's connection plus its first query;
 * Xapian's Database open (and plus the first query) is timed by the child. Prints the medians. */
static int time_opens(const char *index, const char *fts, const char *q0, int opens)
{
    double ofs[ROUNDS_MAX], ofs1[ROUNDS_MAX], f1[ROUNDS_MAX];
    for (int i = 0; i < opens; i++) {
        ofs_searcher *s = NULL;
        char *err = NULL;
        double t0 = now_ms();
        if (ofs_searcher_open(index, NULL, &s, &err) != OFS_OK) {
            fprintf(stderr, "bench_scale: open %s: %s\n", index, err);
            free(err);
            return 2;
        }
        ofs[i] = now_ms() - t0;
        int errors = 0;
        ofs_answer(s, q0, &errors);
        ofs1[i] = now_ms() - t0;
        ofs_searcher_close(s);
        fts_system f = {0};
        t0 = now_ms();
        if (fts_open(&f, fts) != 0)
            return 2;
        fts_search(&f, q0);
        f1[i] = now_ms() - t0;
        fts_close(&f);
    }
    printf("open ofsearch_ms=%.2f ofsearch_first_ms=%.2f fts5_first_ms=%.2f\n",
           median(ofs, opens), median(ofs1, opens), median(f1, opens));
    return 0;
}

/* One pass over the queries, each asked of every system in an order that rotates from query
 * to query, so no system always runs first (on a cold cache) or last; into ans[n * NSYS]. */
static void pass(char **qs, size_t n, ofs_searcher *s, fts_system *f, xap_system *x,
                 answer *ans, int *errors)
{
    static const int orders[6][3] = {{0, 1, 2}, {1, 2, 0}, {2, 0, 1},
                                     {0, 2, 1}, {2, 1, 0}, {1, 0, 2}};
    for (size_t i = 0; i < n; i++) {
        for (int k = 0; k < NSYS; k++) {
            int sys = orders[i % 6][k];
            answer a = {0};
            if (sys == SYS_OFS)
                a = ofs_answer(s, qs[i], &errors[SYS_OFS]);
            else if (sys == SYS_FTS)
                a = fts_search(f, qs[i]);
            else if (x->pid)
                a = xap_search(x, qs[i], &errors[SYS_XAP]);
            if (ans)
                ans[i * NSYS + (size_t)sys] = a;
        }
    }
}

/* Each query's time becomes the median of its rounds (into the first round's answers): a whole
 * pass lies between two runs of one query, so a moment when the shared machine was busy moves
 * one of them, not the figure. */
static void median_rounds(answer *ans, size_t n, int rounds)
{
    double ms[ROUNDS_MAX];
    for (size_t i = 0; i < n * NSYS; i++) {
        for (int r = 0; r < rounds; r++)
            ms[r] = ans[(size_t)r * n * NSYS + i].ms;
        ans[i].ms = median(ms, rounds);
    }
}

/* A positive count from the environment, at most ROUNDS_MAX. */
static int env_count(const char *name, int fallback)
{
    const char *v = getenv(name);
    int k = v && atoi(v) > 0 ? atoi(v) : fallback;
    return k < ROUNDS_MAX ? k : ROUNDS_MAX;
}

static int write_tsv(const char *path, char **qs, size_t n, const answer *ans, int xapian)
{
    FILE *out = fopen(path, "w");
    if (!out)
        return 2;
    fprintf(out, "query\tofs_ms\tofs_relaxed\tofs_hits\tfts_ms\tfts_relaxed\tfts_hits\t"
                 "xap_ms\txap_relaxed\txap_hits\n");
    for (size_t i = 0; i < n; i++) {
        const answer *a = ans + i * NSYS;
        fprintf(out, "%s", qs[i]);
        for (int sys = 0; sys < NSYS; sys++) {
            if (sys == SYS_XAP && !xapian)
                fprintf(out, "\t\t\t");
            else
                fprintf(out, "\t%.4f\t%d\t%ld", a[sys].ms, a[sys].relaxed, a[sys].hits);
        }
        fprintf(out, "\n");
    }
    return fclose(out) == 0 ? 0 : 2;
}

static int run(int argc, char **argv)
{
    const char *index = argv[2], *fts = argv[3], *queries = argv[4], *out = argv[5];
    const char *driver = NULL, *xdir = NULL;
    if (argc == 9 && !strcmp(argv[6], "--xapian")) {
        driver = argv[7];
        xdir = argv[8];
    } else if (argc != 6) {
        fprintf(stderr, "usage: bench_scale run INDEX.db FTS.db QUERIES OUT.tsv "
                        "[--xapian DRIVER XAPIAN_DIR]\n");
        return 2;
    }
    int opens = env_count("OPENS", 3), rounds = env_count("ROUNDS", 3);
    char opens_arg[16];
    snprintf(opens_arg, sizeof opens_arg, "%d", opens);
    size_t n = 0;
    char **qs = read_lines(queries, &n);
    if (!qs || !n) {
        fprintf(stderr, "bench_scale: no queries in %s\n", queries);
        return 2;
    }
    if (time_opens(index, fts, qs[0], opens) != 0)
        return 2;
    xap_system x = {0};
    char line[256];
    if (driver) {
        /* The child's first line is the query its opens are timed with; it answers with them. */
        if (xap_start(&x, driver, xdir, opens_arg) != 0 || xap_ask(&x, qs[0], line, sizeof line))
            return 2;
        printf("open %s", line);
    }
    ofs_searcher *s = NULL;
    fts_system f = {0};
    char *err = NULL;
    if (ofs_searcher_open(index, NULL, &s, &err) != OFS_OK || fts_open(&f, fts) != 0) {
        fprintf(stderr, "bench_scale: open: %s\n", err ? err : "FTS5");
        return 2;
    }
    int errors[NSYS] = {0};
    answer *ans = calloc(n * NSYS * (size_t)rounds, sizeof *ans);
    /* The warm-up pass (page cache, statements, ofsearch's cache of words' frequencies) is
     * written too: every word is new to the searchers then, as a new query's are. */
    pass(qs, n, s, &f, &x, ans, errors);
    char *first = NULL;
    int rc = asprintf(&first, "%s.first", out) < 0 ? 2 : write_tsv(first, qs, n, ans, !!driver);
    free(first);
    memset(errors, 0, sizeof errors);
    double t0 = now_ms();
    for (int r = 0; r < rounds; r++)
        pass(qs, n, s, &f, &x, ans + (size_t)r * n * NSYS, errors);
    printf("queries=%zu rounds=%d wall_s=%.1f errors_ofsearch=%d errors_xapian=%d\n", n, rounds,
           (now_ms() - t0) / 1e3, errors[SYS_OFS], errors[SYS_XAP]);
    median_rounds(ans, n, rounds);
    if (rc == 0)
        rc = write_tsv(out, qs, n, ans, driver != NULL);
    if (driver)
        xap_stop(&x);
    ofs_searcher_close(s);
    fts_close(&f);
    free(ans);
    for (size_t i = 0; i < n; i++)
        free(qs[i]);
    free(qs);
    return rc;
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN); /* a Xapian driver that dies is reported, not fatal to us */
    if (argc == 4 && !strcmp(argv[1], "build-fts"))
        return build_fts(argv[2], argv[3]);
    if (argc >= 6 && !strcmp(argv[1], "run"))
        return run(argc, argv);
    fprintf(stderr, "usage: bench_scale build-fts INDEX.db FTS.db\n"
                    "       bench_scale run INDEX.db FTS.db QUERIES OUT.tsv "
                    "[--xapian DRIVER XAPIAN_DIR]\n");
    return 2;
}
