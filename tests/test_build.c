/* Tests of lib/build.c on tests/fixtures/build (copied to a temp dir so they can be changed):
 * the documents/sections rows, bad input warnings, URLs, and incremental behaviour — touched,
 * modified, deleted and added files give the right counts and the FTS index never keeps stale
 * rows ('integrity-check' after every run, searches for removed words find nothing). */
#include "check.h"
#include "store.h"

#include "ofsearch/index.h"
#include "ofsearch/markdown.h"
#include "ofsearch/ofsearch.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

static char tmpdir[256];
static char docs[512], jsonl[512], dbpath[512];

typedef struct {
    char text[64][300];
    int n;
} warnings;

static void on_warn(void *ctx, const char *file, long line, const char *msg)
{
    warnings *w = ctx;
    if (w->n < 64)
        snprintf(w->text[w->n++], sizeof w->text[0], "%s:%ld: %s",
                 strrchr(file, '/') ? strrchr(file, '/') + 1 : file, line, msg);
}

static int warned(const warnings *w, const char *needle1, const char *needle2)
{
    for (int i = 0; i < w->n; i++)
        if (strstr(w->text[i], needle1) && (!needle2 || strstr(w->text[i], needle2)))
            return 1;
    return 0;
}

static long long sql_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    long long v = -999;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    else
        fprintf(stderr, "sql failed: %s: %s\n", sql, sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return v;
}

static const char *sql_text(sqlite3 *db, const char *sql)
{
    static char buf[4][2048];
    static int k;
    k = (k + 1) % 4;
    sqlite3_stmt *st = NULL;
    snprintf(buf[k], sizeof buf[k], "(no row)");
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        snprintf(buf[k], sizeof buf[k], "%s",
                 sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : "(null)");
    sqlite3_finalize(st);
    return buf[k];
}

static int integrity_ok(sqlite3 *db)
{
    char *err = NULL;
    int rc = sqlite3_exec(db, "INSERT INTO fts(fts) VALUES('integrity-check')", NULL, NULL, &err);
    if (rc != SQLITE_OK)
        fprintf(stderr, "integrity-check: %s\n", err);
    sqlite3_free(err);
    return rc == SQLITE_OK;
}

static long hits(sqlite3 *db, const char *word)
{
    char *sql = sqlite3_mprintf("SELECT count(*) FROM fts WHERE fts MATCH %Q", word);
    long n = (long)sql_int(db, sql);
    sqlite3_free(sql);
    return n;
}

static void write_file(const char *rel, const char *text)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
    FILE *f = fopen(path, "wb");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* Sets a file's mtime to now + delta seconds without changing it. */
static void touch_file(const char *rel, int delta)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
    struct timeval tv[2];
    gettimeofday(&tv[0], NULL);
    tv[0].tv_sec += delta;
    tv[1] = tv[0];
    utimes(path, tv);
}

static void rm_file(const char *rel)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
    unlink(path);
}

typedef struct {
    ofs_index *idx;
    ofs_build_summary sum;
    warnings w;
    int rc;
    char *err;
} run;

static void build_with(run *r, const ofs_collection_spec *specs, size_t n, int depth)
{
    ofs_build_options o;
    ofs_build_options_default(&o);
    memset(&r->w, 0, sizeof r->w);
    o.warn = on_warn;
    o.ctx = &r->w;
    if (depth)
        o.max_depth = depth;
    free(r->err);
    r->err = NULL;
    r->rc = ofs_index_build(r->idx, specs, n, &o, &r->sum, &r->err);
    if (r->rc != OFS_OK)
        fprintf(stderr, "build: %s\n", r->err ? r->err : "?");
}

static void check_counts(const run *r, long added, long updated, long removed, long unchanged,
                         long failed, int line)
{
    if (r->sum.added != added || r->sum.updated != updated || r->sum.removed != removed ||
        r->sum.unchanged != unchanged || r->sum.failed != failed) {
        check_failures++;
        fprintf(stderr,
                "test_build.c:%d: counts: got a%ld u%ld r%ld s%ld f%ld, want a%ld u%ld r%ld s%ld "
                "f%ld\n",
                line, r->sum.added, r->sum.updated, r->sum.removed, r->sum.unchanged,
                r->sum.failed, added, updated, removed, unchanged, failed);
    }
    check_count++;
}
#define COUNTS(r, a, u, rm, s, f) check_counts(r, a, u, rm, s, f, __LINE__)

static void test_first_build(run *r, sqlite3 *db, const ofs_collection_spec *specs)
{
    build_with(r, specs, 2, 0);
    CHECK_INT(r->rc, OFS_OK);
    /* 6 Markdown pages + 3 JSONL documents; binary.md, a broken line, a line without id and a
     * duplicate id fail; empty.md is skipped with a warning but is no failure */
    COUNTS(r, 9, 0, 0, 0, 4);
    CHECK_INT(r->sum.documents, 9);
    CHECK_INT(r->sum.sections, sql_int(db, "SELECT count(*) FROM sections"));
    CHECK(r->sum.bytes > 1000);
    CHECK(warned(&r->w, "binary.md", "binary"));
    CHECK(warned(&r->w, "empty.md", "empty"));
    CHECK(warned(&r->w, "data.jsonl:4:", "invalid JSON"));
    CHECK(warned(&r->w, "data.jsonl:5:", "id"));
    CHECK(warned(&r->w, "data.jsonl:6:", "duplicate id \"w-1\""));
    CHECK(integrity_ok(db));

    /* hidden and node_modules directories and non-Markdown files are not indexed */
    CHECK_INT(sql_int(db, "SELECT count(*) FROM documents WHERE path LIKE '%secret%' OR path LIKE"
                          " '%node_modules%' OR path LIKE '%.txt'"),
              0);
    CHECK_STR(sql_text(db, "SELECT group_concat(path, ',') FROM (SELECT path FROM documents"
                           " WHERE collection_id=1 ORDER BY path)"),
              "bad-utf8.md,faq.md,glossary.md,guide/README.md,guide/install.md,index.md");

    /* front matter */
    CHECK_STR(sql_text(db, "SELECT title FROM documents WHERE path='index.md'"), "Widget Handbook");
    CHECK_STR(sql_text(db, "SELECT description FROM documents WHERE path='index.md'"),
              "How the widget service is run");
    CHECK_STR(sql_text(db, "SELECT tags FROM documents WHERE path='index.md'"),
              "widgets, operations");
    CHECK_STR(sql_text(db, "SELECT meta FROM documents WHERE path='index.md'"),
              "{\"owner\":\"platform-team\"}");
    CHECK_STR(sql_text(db, "SELECT docid FROM documents WHERE path='guide/install.md'"),
              "guide/install.md");
    CHECK_INT(hits(db, "meta:operations"), 1);

    /* nested headings, breadcrumbs, depth 3: the H4 stays inside its H3 section */
    CHECK_INT(sql_int(db, "SELECT count(*) FROM sections s JOIN documents d ON d.id=s.document_id"
                          " WHERE d.path='guide/install.md'"),
              4);
    CHECK_STR(sql_text(db, "SELECT headings FROM sections WHERE title='Optional extras'"),
              "Installing the widget service › Requirements");
    CHECK(strstr(sql_text(db, "SELECT body FROM sections WHERE title='Optional extras'"),
                 "level-four heading") != NULL);
    CHECK_STR(sql_text(db, "SELECT code FROM sections WHERE title='Starting'"),
              "widgetd --config /etc/widgetd.conf");
    CHECK_INT(hits(db, "code:widgetd"), 1);

    /* glossary terms and FAQ entries */
    CHECK_INT(sql_int(db, "SELECT count(*) FROM sections WHERE kind=2"), 2);
    CHECK_STR(sql_text(db, "SELECT group_concat(title, '|') FROM sections WHERE kind=2"),
              "Sprocket|Polisher");
    CHECK_INT(sql_int(db, "SELECT count(*) FROM sections WHERE kind=3"), 2);

    /* URLs: with a base URL (README, slug) */
    CHECK_STR(sql_text(db, "SELECT url FROM sections WHERE title='Requirements'"),
              "https://ex.com/h/guide/setup#requirements");
    CHECK_STR(sql_text(db, "SELECT url FROM documents WHERE path='guide/README.md'"),
              "https://ex.com/h/guide");
    CHECK_STR(sql_text(db, "SELECT url FROM documents WHERE path='index.md'"), "https://ex.com/h/");
    CHECK_STR(sql_text(db, "SELECT url FROM sections WHERE title='Intake'"),
              "https://ex.com/h/#intake");

    /* invalid UTF-8 is sanitized, not fatal */
    CHECK(strstr(sql_text(db, "SELECT body FROM sections s JOIN documents d ON d.id=s.document_id"
                              " WHERE d.path='bad-utf8.md'"),
                 "broken bytes") != NULL);
    CHECK_INT(sql_int(db, "SELECT count(*) FROM sections WHERE NOT body GLOB '*'"), 0);

    /* JSONL: one PAGE section per line, extra string fields into meta, url default */
    CHECK_STR(sql_text(db, "SELECT url FROM documents WHERE docid='w-1'"), "https://example.com/w/1");
    CHECK_STR(sql_text(db, "SELECT meta FROM documents WHERE docid='w-1'"), "{\"team\":\"paint\"}");
    CHECK_STR(sql_text(db, "SELECT meta FROM documents WHERE docid='w-2'"),
              "{\"audience\":\"buyers\"}");
    CHECK_STR(sql_text(db, "SELECT url FROM documents WHERE docid='w-2'"), "w-2");
    CHECK_STR(sql_text(db, "SELECT title FROM documents WHERE docid='42'"), "Numeric id");
    CHECK_STR(sql_text(db, "SELECT body FROM sections WHERE title='Widget sizes'"),
              "Small, medium and enormous widgets.");
    CHECK_INT(sql_int(db, "SELECT kind FROM sections WHERE title='Widget sizes'"), OFS_KIND_PAGE);
    CHECK_INT(hits(db, "meta:buyers"), 1);
    CHECK_INT(hits(db, "teal"), 1);
    CHECK_INT(hits(db, "rejected"), 0); /* the duplicate line */
}

static void test_incremental(run *r, sqlite3 *db, const ofs_collection_spec *specs)
{
    build_with(r, specs, 2, 0);
    COUNTS(r, 0, 0, 0, 9, 4);
    CHECK_INT(r->sum.documents, 9);

    /* touched but identical: the hash says unchanged, and the next run only stats it */
    touch_file("docs/faq.md", 5);
    build_with(r, specs, 2, 0);
    COUNTS(r, 0, 0, 0, 9, 4);
    CHECK(r->sum.bytes >= 161 && r->sum.bytes < 1000); /* faq.md and data.jsonl were read */

    long long sec_id = sql_int(db, "SELECT id FROM sections WHERE title='Requirements'");
    write_file("docs/guide/install.md",
               "# Installing the widget service\n\nNow with zeppelins.\n\n## Requirements\n\n"
               "A gyroscope.\n");
    touch_file("docs/guide/install.md", 10);
    rm_file("docs/glossary.md");
    write_file("docs/new.md", "# New page\n\nAardvarks live here.\n");
    write_file("data.jsonl",
               "{\"id\": \"w-1\", \"title\": \"Widget colours\", \"body\": \"Widgets come in teal "
               "and amber.\", \"url\": \"https://example.com/w/1\", \"team\": \"paint\"}\n"
               "{\"id\": \"w-2\", \"title\": \"Widget sizes\", \"text\": \"Only colossal widgets "
               "now.\", \"audience\": \"buyers\"}\n");
    build_with(r, specs, 2, 0);
    /* install.md and w-2 updated; glossary.md and id 42 removed; new.md added */
    COUNTS(r, 1, 2, 2, 5, 1);
    CHECK_INT(r->sum.documents, 8);
    CHECK(integrity_ok(db));
    CHECK_INT(hits(db, "zeppelins"), 1);
    CHECK_INT(hits(db, "sprocket AND feed"), 0); /* old install.md text */
    CHECK_INT(hits(db, "polisher"), 1);          /* only faq.md still says it */
    CHECK_INT(hits(db, "colossal"), 1);
    CHECK_INT(hits(db, "enormous"), 0);
    CHECK_INT(hits(db, "aardvarks"), 1);
    CHECK_INT(hits(db, "answer"), 0);
    CHECK_INT(sql_int(db, "SELECT count(*) FROM sections WHERE document_id NOT IN"
                          " (SELECT id FROM documents)"),
              0);
    CHECK(sql_int(db, "SELECT id FROM sections WHERE title='Requirements'") != sec_id);
    CHECK_INT(sql_int(db, "SELECT count(*) FROM documents WHERE path='guide/install.md'"), 1);

    /* a file that turns binary fails and keeps its previous version */
    write_file("docs/new.md", "# New page\n\0binary now");
    {
        char p[600];
        snprintf(p, sizeof p, "%s/docs/new.md", tmpdir);
        FILE *f = fopen(p, "wb");
        fwrite("# New page\n\0binary", 1, 18, f);
        fclose(f);
    }
    build_with(r, specs, 2, 0);
    COUNTS(r, 0, 0, 0, 7, 2);
    CHECK_INT(hits(db, "aardvarks"), 1);
    CHECK(warned(&r->w, "new.md", "binary"));

    /* an emptied file is dropped */
    write_file("docs/new.md", "\n  \n");
    build_with(r, specs, 2, 0);
    COUNTS(r, 0, 0, 1, 7, 1);
    CHECK_INT(hits(db, "aardvarks"), 0);
    CHECK(integrity_ok(db));

    /* another heading depth re-parses every page */
    build_with(r, specs, 2, 2);
    CHECK_INT(r->sum.updated, 7);
    CHECK_INT(sql_int(db, "SELECT count(*) FROM sections WHERE level=3"), 0);
    build_with(r, specs, 2, 2);
    COUNTS(r, 0, 0, 0, 7, 1);
    build_with(r, specs, 2, 0);
    CHECK_INT(r->sum.updated, 7);
    CHECK(integrity_ok(db));
}

static void test_collections(run *r, sqlite3 *db, ofs_collection_spec *specs)
{
    /* only the JSONL collection named: the docs collection is left alone */
    build_with(r, specs + 1, 1, 0);
    COUNTS(r, 0, 0, 0, 2, 0);
    CHECK_INT(r->sum.documents, 7);

    /* a missing path is fatal and changes nothing */
    ofs_collection_spec bad = {"docs", "/nonexistent/ofs/docs", NULL};
    build_with(r, &bad, 1, 0);
    CHECK_INT(r->rc, OFS_IO);
    CHECK(r->err && strstr(r->err, "/nonexistent/ofs/docs"));
    CHECK_INT(sql_int(db, "SELECT count(*) FROM documents"), 7);

    /* the same name twice is refused */
    ofs_collection_spec twice[2] = {specs[0], specs[0]};
    build_with(r, twice, 2, 0);
    CHECK_INT(r->rc, OFS_INVALID);

    /* dropping the base URL rewrites every URL of the collection */
    specs[0].base_url = NULL;
    build_with(r, specs, 2, 0);
    CHECK_INT(r->rc, OFS_OK);
    CHECK_INT(r->sum.updated, 5);
    CHECK_STR(sql_text(db, "SELECT url FROM sections WHERE title='Requirements'"),
              "guide/install.md#requirements");
    CHECK_STR(sql_text(db, "SELECT url FROM documents WHERE path='guide/README.md'"),
              "guide/README.md");
    CHECK(sql_int(db, "SELECT base_url IS NULL FROM collections WHERE name='docs'") == 1);
    CHECK(integrity_ok(db));

    /* a second collection over the same files keeps its own documents */
    ofs_collection_spec more[3] = {specs[0], specs[1], {"copy", docs, "https://copy.example"}};
    build_with(r, more, 3, 0);
    COUNTS(r, 5, 0, 0, 7, 2); /* binary.md fails in both */
    CHECK_INT(sql_int(db, "SELECT count(*) FROM collections"), 3);
    CHECK_INT(hits(db, "zeppelins"), 2);

    /* a single Markdown file as a collection */
    char single[600];
    snprintf(single, sizeof single, "%s/guide/install.md", docs);
    ofs_collection_spec one = {"one", single, NULL};
    build_with(r, &one, 1, 0);
    COUNTS(r, 1, 0, 0, 0, 0);
    CHECK_STR(sql_text(db, "SELECT path FROM documents d JOIN collections c ON"
                           " c.id=d.collection_id WHERE c.name='one'"),
              "install.md");
}

static void test_limits(void)
{
    char path[600];
    snprintf(path, sizeof path, "%s/limits.db", tmpdir);
    char dir[600];
    snprintf(dir, sizeof dir, "%s/limits", tmpdir);
    mkdir(dir, 0755);
    write_file("limits/small.md", "# Small\n\nfits\n");
    char big[5000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    memcpy(big, "# Big\n\n", 7);
    write_file("limits/big.md", big);
    /* a directory symlink loop must not hang the walk */
    char link[700];
    snprintf(link, sizeof link, "%s/limits/loop", tmpdir);
    CHECK(symlink(".", link) == 0);
    snprintf(link, sizeof link, "%s/limits/dangling.md", tmpdir);
    CHECK(symlink("/nonexistent/x.md", link) == 0);

    run r = {0};
    CHECK_INT(ofs_index_open(path, OFS_OPEN_CREATE, NULL, &r.idx, &r.err), OFS_OK);
    ofs_build_options o;
    ofs_build_options_default(&o);
    o.max_file_bytes = 1000;
    o.warn = on_warn;
    o.ctx = &r.w;
    ofs_collection_spec spec = {"limits", dir, NULL};
    CHECK_INT(ofs_index_build(r.idx, &spec, 1, &o, &r.sum, &r.err), OFS_OK);
    COUNTS(&r, 1, 0, 0, 0, 2);
    CHECK(warned(&r.w, "big.md", "larger than 1000 bytes"));
    CHECK(warned(&r.w, "dangling.md", NULL));
    o.max_depth = 9;
    CHECK_INT(ofs_index_build(r.idx, &spec, 1, &o, &r.sum, &r.err), OFS_INVALID);
    ofs_index_close(r.idx);
    free(r.err);
}

/* A collection directory with no Markdown file in it: an empty collection, not an error (the walk
 * sorted its empty file list with qsort(NULL, 0, ...), which UBSan stops on). A second build
 * after a page appeared and went again empties it. */
static void test_empty_dir(void)
{
    char path[600], dir[600];
    snprintf(path, sizeof path, "%s/empty.db", tmpdir);
    snprintf(dir, sizeof dir, "%s/nothing", tmpdir);
    mkdir(dir, 0755);
    write_file("nothing/notes.txt", "not Markdown\n");
    run r = {0};
    CHECK_INT(ofs_index_open(path, OFS_OPEN_CREATE, NULL, &r.idx, &r.err), OFS_OK);
    ofs_collection_spec spec = {"nothing", dir, NULL};
    build_with(&r, &spec, 1, 0);
    CHECK_INT(r.rc, OFS_OK);
    COUNTS(&r, 0, 0, 0, 0, 0);
    CHECK_INT(r.sum.documents, 0);
    write_file("nothing/page.md", "# Page\n\ntext\n");
    build_with(&r, &spec, 1, 0);
    COUNTS(&r, 1, 0, 0, 0, 0);
    rm_file("nothing/page.md");
    build_with(&r, &spec, 1, 0);
    CHECK_INT(r.rc, OFS_OK);
    COUNTS(&r, 0, 0, 1, 0, 0);
    CHECK_INT(r.sum.documents, 0);
    ofs_index_close(r.idx);
    free(r.err);
}

static void test_rebuild(void)
{
    char path[600];
    snprintf(path, sizeof path, "%s/rebuilt.db", tmpdir);
    ofs_collection_spec spec = {"docs", docs, NULL};
    ofs_build_summary sum;
    char *err = NULL;
    CHECK_INT(ofs_index_rebuild(path, "=unicode61", &spec, 1, NULL, &sum, &err), OFS_OK);
    CHECK(sum.added >= 5);
    ofs_index *idx = NULL;
    CHECK_INT(ofs_index_open(path, OFS_OPEN_READONLY, NULL, &idx, &err), OFS_OK);
    if (idx) {
        sqlite3 *db = ofs_index_db(idx);
        CHECK_STR(sql_text(db, "SELECT value FROM meta WHERE key='tokenizer'"), "=unicode61");
        CHECK_STR(sql_text(db, "PRAGMA journal_mode"), "wal");
        CHECK_INT(sql_int(db, "SELECT count(*) FROM documents"), (long long)sum.added);
        CHECK_INT(hits(db, "zeppelins"), 1);
        ofs_index_close(idx);
    }
    /* no temporary files are left next to it */
    char cmd[800];
    snprintf(cmd, sizeof cmd, "ls %s | grep -c rebuild- >/dev/null", tmpdir);
    CHECK(system(cmd) != 0);
    free(err);
}

int main(void)
{
    const char *root = getenv("OFS_SOURCE_ROOT");
    char fixtures[600];
    snprintf(fixtures, sizeof fixtures, "%s/tests/fixtures/build", root ? root : ".");
    if (access(fixtures, F_OK) != 0) {
        fprintf(stderr, "fixtures not found at %s (set OFS_SOURCE_ROOT)\n", fixtures);
        return 1;
    }
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ofs_test_build_XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "cp -R %s/. %s/", fixtures, tmpdir);
    if (system(cmd) != 0)
        return 1;
    snprintf(docs, sizeof docs, "%s/docs", tmpdir);
    snprintf(jsonl, sizeof jsonl, "%s/data.jsonl", tmpdir);
    snprintf(dbpath, sizeof dbpath, "%s/index.db", tmpdir);

    ofs_collection_spec specs[2] = {{"docs", docs, "https://ex.com/h/"}, {"data", jsonl, NULL}};
    run r = {0};
    /* "": the tokenizer without stemming, so word counts below do not depend on the default */
    CHECK_INT(ofs_index_open(dbpath, OFS_OPEN_CREATE, "", &r.idx, &r.err), OFS_OK);
    if (r.idx) {
        sqlite3 *db = ofs_index_db(r.idx);
        test_first_build(&r, db, specs);
        test_incremental(&r, db, specs);
        test_collections(&r, db, specs);
        CHECK(integrity_ok(db));
        ofs_index_close(r.idx);
    }
    free(r.err);
    test_limits();
    test_empty_dir();
    test_rebuild();
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return check_summary("test_build");
}
