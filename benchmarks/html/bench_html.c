/* Throughput of ofs_html_parse (page to sections) against its parser alone, on every .html file
 * under DIR: Gumbo's parse-only time (its own allocator, the tree freed) is the baseline, as
 * issue 19 states its target. Also an FTS5 insert of the sections with the stock unicode61
 * tokenizer, the other half of that target's baseline, so the module's share of the full
 * pipeline's budget can be read off. CPU time, best of ROUNDS interleaved rounds.
 * Usage: bench_html DIR [ROUNDS=3] */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gumbo.h>
#include <sqlite3.h>

#include "ofsearch/html.h"
#include "ofsearch/ofsearch.h"

typedef struct {
    char *text;
    size_t len;
} doc;

static doc *docs;
static size_t ndocs, capdocs;
static double total_bytes;

static int add_file(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)ftw;
    if (type != FTW_F || !ofs_is_html_path(path) || sb->st_size <= 0)
        return 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    char *buf = malloc((size_t)sb->st_size);
    size_t n = buf ? fread(buf, 1, (size_t)sb->st_size, f) : 0;
    fclose(f);
    if (ndocs == capdocs) {
        capdocs = capdocs ? capdocs * 2 : 1024;
        docs = realloc(docs, capdocs * sizeof *docs);
    }
    docs[ndocs++] = (doc){buf, n};
    total_bytes += (double)n;
    return 0;
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double run_gumbo(void)
{
    double t0 = cpu_now();
    for (size_t i = 0; i < ndocs; i++) {
        GumboOutput *out = gumbo_parse_with_options(&kGumboDefaultOptions, docs[i].text,
                                                    docs[i].len);
        gumbo_destroy_output(&kGumboDefaultOptions, out);
    }
    return cpu_now() - t0;
}

/* ofs_html_parse over every page; keeps the pages when keep is not NULL. */
static double run_module(ofs_html_page **keep, long *sections)
{
    double t0 = cpu_now();
    for (size_t i = 0; i < ndocs; i++) {
        ofs_html_page *h = NULL;
        if (ofs_html_parse(docs[i].text, docs[i].len, "bench.html", NULL, &h, NULL) != OFS_OK)
            h = NULL;
        if (sections && h)
            *sections += (long)h->page->nsections;
        if (keep)
            keep[i] = h;
        else
            ofs_html_page_free(h);
    }
    return cpu_now() - t0;
}

/* Inserts every section into a fresh in-memory FTS5 table tokenized by unicode61. */
static double run_insert(ofs_html_page **pages)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    sqlite3_open(":memory:", &db);
    sqlite3_exec(db, "CREATE VIRTUAL TABLE fts USING fts5(title, headings, body, code, "
                     "tokenize='unicode61')", NULL, NULL, NULL);
    sqlite3_prepare_v2(db, "INSERT INTO fts VALUES (?, ?, ?, ?)", -1, &st, NULL);
    double t0 = cpu_now();
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    for (size_t i = 0; i < ndocs; i++) {
        for (size_t k = 0; pages[i] && k < pages[i]->page->nsections; k++) {
            const ofs_section *s = &pages[i]->page->sections[k];
            sqlite3_bind_text(st, 1, s->title, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, s->breadcrumb, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 3, s->body, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 4, s->code, -1, SQLITE_STATIC);
            sqlite3_step(st);
            sqlite3_reset(st);
        }
    }
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    double t = cpu_now() - t0;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return t;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR [ROUNDS]\n", argv[0]);
        return 2;
    }
    int rounds = argc > 2 && atoi(argv[2]) > 0 ? atoi(argv[2]) : 3;
    nftw(argv[1], add_file, 16, FTW_PHYS);
    if (!ndocs) {
        fprintf(stderr, "no .html files under %s\n", argv[1]);
        return 1;
    }
    ofs_html_page **pages = calloc(ndocs, sizeof *pages);
    long sections = 0;
    run_module(pages, &sections);
    double g = 1e30, m = 1e30, ins = 1e30;
    for (int r = 0; r < rounds; r++) { /* interleaved: the same machine load for each */
        double t = run_gumbo();
        g = t < g ? t : g;
        t = run_module(NULL, NULL);
        m = t < m ? t : m;
        t = run_insert(pages);
        ins = t < ins ? t : ins;
    }
    double mb = total_bytes / 1e6;
    printf("%zu pages, %.1f MB, %ld sections; CPU time, best of %d rounds\n", ndocs, mb,
           sections, rounds);
    printf("  gumbo parse-only (baseline):       %6.1f MB/s  %.3f s\n", mb / g, g);
    printf("  ofs_html_parse (page -> sections): %6.1f MB/s  %.3f s  = %.2fx the baseline's "
           "throughput\n", mb / m, m, g / m);
    printf("  FTS5 insert, unicode61:            %6.1f MB/s  %.3f s\n", mb / ins, ins);
    printf("  issue 19's baseline (parse-only + insert) %.3f s; ofs_html_parse + the same "
           "insert %.3f s: %.2fx\n", g + ins, m + ins, (g + ins) / (m + ins));
    /* The full build must reach 0.75x the baseline: what is left after this module for the
     * rest (tokenizing, storing), in units of unicode61's insert time. */
    double left = (g + ins) / 0.75 - m;
    printf("  at 0.75x the baseline, the rest of the build may take %.2fx unicode61's insert "
           "time\n", left > 0 ? left / ins : 0.0);
    for (size_t i = 0; i < ndocs; i++) {
        ofs_html_page_free(pages[i]);
        free(docs[i].text);
    }
    free(pages);
    free(docs);
    return 0;
}
