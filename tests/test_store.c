/* Tests of lib/store.c: creating an index (schema, meta, WAL, tokenizer passthrough), opening
 * read-only, refusing files that are not an index, schema-version mismatch, statistics, URLs. */
#include "check.h"
#include "store.h"

#include "ofsearch/index.h"
#include "ofsearch/ofsearch.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[256];

static const char *tmp_path(const char *name)
{
    static char buf[8][512];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

static long long sql_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    long long v = -999;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static char *sql_text(sqlite3 *db, const char *sql)
{
    static char buf[2048];
    sqlite3_stmt *st = NULL;
    snprintf(buf, sizeof buf, "(error)");
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        snprintf(buf, sizeof buf, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return buf;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void test_create(void)
{
    ofs_index *idx = NULL;
    char *err = NULL;
    const char *path = tmp_path("new.db");
    CHECK_INT(ofs_index_open(path, OFS_OPEN_CREATE, "diacritics 0", &idx, &err), OFS_OK);
    CHECK(err == NULL);
    sqlite3 *db = ofs_index_db(idx);
    CHECK(db != NULL);
    CHECK_STR(sql_text(db, "SELECT value FROM meta WHERE key='schema_version'"), "1");
    CHECK_STR(sql_text(db, "SELECT value FROM meta WHERE key='tokenizer'"), "diacritics 0");
    CHECK_STR(sql_text(db, "SELECT value FROM meta WHERE key='version'"), OFS_VERSION);
    CHECK_STR(sql_text(db, "PRAGMA journal_mode"), "wal");
    CHECK(strstr(sql_text(db, "SELECT sql FROM sqlite_schema WHERE name='fts'"),
                 "tokenize='ofs diacritics 0', prefix='2 3'") != NULL);
    CHECK(strstr(sql_text(db, "SELECT sql FROM sqlite_schema WHERE name='fts'"),
                 "content='sections', content_rowid='id'") != NULL);
    CHECK_INT(sql_int(db, "SELECT count(*) FROM pragma_table_info('documents')"), 12);
    CHECK_INT(sql_int(db, "SELECT count(*) FROM pragma_table_info('sections')"), 12);
    CHECK_INT(sql_int(db, "SELECT count(*) FROM pragma_table_info('collections')"), 4);
    /* the ofs tokenizer is live on this connection */
    CHECK_INT(sql_int(db, "SELECT count(*) FROM fts WHERE fts MATCH 'anything'"), 0);
    ofs_index_close(idx);

    /* reopening keeps the stored options, whatever is passed */
    CHECK_INT(ofs_index_open(path, OFS_OPEN_CREATE, "stem english", &idx, &err), OFS_OK);
    CHECK_STR(sql_text(ofs_index_db(idx), "SELECT value FROM meta WHERE key='tokenizer'"),
              "diacritics 0");
    ofs_index_close(idx);

    /* read-only: reads work, writes fail */
    CHECK_INT(ofs_index_open(path, OFS_OPEN_READONLY, NULL, &idx, &err), OFS_OK);
    CHECK_INT(sql_int(ofs_index_db(idx), "SELECT count(*) FROM documents"), 0);
    CHECK(sqlite3_exec(ofs_index_db(idx), "INSERT INTO meta VALUES('x','y')", NULL, NULL, NULL) !=
          SQLITE_OK);
    ofs_build_summary sum;
    ofs_collection_spec spec = {"x", tmpdir, NULL};
    CHECK_INT(ofs_index_build(idx, &spec, 1, NULL, &sum, &err), OFS_INVALID);
    CHECK(err && strstr(err, "read-only"));
    free(err);
    err = NULL;
    ofs_index_close(idx);
}

static void test_passthrough_tokenizer(void)
{
    ofs_index *idx = NULL;
    char *err = NULL;
    CHECK_INT(ofs_index_open(tmp_path("u61.db"), OFS_OPEN_CREATE, "=unicode61 remove_diacritics 2",
                             &idx, &err),
              OFS_OK);
    if (idx) {
        CHECK(strstr(sql_text(ofs_index_db(idx), "SELECT sql FROM sqlite_schema WHERE name='fts'"),
                     "tokenize='unicode61 remove_diacritics 2'") != NULL);
        ofs_index_close(idx);
    }
    free(err);
    err = NULL;
    /* a quote in the options cannot break out of the SQL literal */
    idx = NULL;
    int rc = ofs_index_open(tmp_path("quote.db"), OFS_OPEN_CREATE, "stem 'x'); DROP TABLE meta;--",
                            &idx, &err);
    CHECK(rc != OFS_OK);
    CHECK(idx == NULL);
    CHECK(err != NULL);
    free(err);
    err = NULL;
    rc = ofs_index_open(tmp_path("badopt.db"), OFS_OPEN_CREATE, "nonsense 7", &idx, &err);
    CHECK_INT(rc, OFS_INVALID);
    CHECK(err && strstr(err, "nonsense 7"));
    /* the tokenizer's own message, naming the bad option, not FTS5's generic one */
    CHECK_MSG(err && strstr(err, "unknown option 'nonsense'"), "%s", err ? err : "");
    free(err);

    char *arg = ofsi_store_tokenize_arg("");
    CHECK_STR(arg, "ofs");
    free(arg);
    arg = ofsi_store_tokenize_arg("stem it's");
    CHECK_STR(arg, "ofs stem it''s");
    free(arg);
    arg = ofsi_store_tokenize_arg("=porter unicode61");
    CHECK_STR(arg, "porter unicode61");
    free(arg);
}

static void test_not_an_index(void)
{
    ofs_index *idx = NULL;
    char *err = NULL;
    CHECK_INT(ofs_index_open(tmp_path("missing.db"), OFS_OPEN_READONLY, NULL, &idx, &err), OFS_IO);
    CHECK(err && strstr(err, "no such file"));
    CHECK(access(tmp_path("missing.db"), F_OK) != 0);
    free(err);
    err = NULL;

    const char *text = tmp_path("text.db");
    write_file(text, "this is just some text, certainly not a SQLite database file at all.\n");
    CHECK_INT(ofs_index_open(text, OFS_OPEN_READONLY, NULL, &idx, &err), OFS_INVALID);
    CHECK(err && strstr(err, "not an ofsearch index"));
    free(err);
    err = NULL;
    CHECK_INT(ofs_index_open(text, OFS_OPEN_CREATE, NULL, &idx, &err), OFS_INVALID);
    CHECK(err && strstr(err, "not an ofsearch index"));
    free(err);
    err = NULL;

    /* another application's database is left alone */
    const char *other = tmp_path("other.db");
    sqlite3 *db = NULL;
    sqlite3_open(other, &db);
    sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES(1)", NULL, NULL, NULL);
    sqlite3_close(db);
    CHECK_INT(ofs_index_open(other, OFS_OPEN_CREATE, NULL, &idx, &err), OFS_INVALID);
    CHECK(err && strstr(err, "not an ofsearch index"));
    free(err);
    err = NULL;
    CHECK(idx == NULL);
    ofs_build_summary sum;
    CHECK_INT(ofs_index_rebuild(other, NULL, NULL, 0, NULL, &sum, &err), OFS_INVALID);
    CHECK(err && strstr(err, "not overwriting"));
    free(err);
    err = NULL;
    sqlite3_open(other, &db);
    CHECK_INT(sql_int(db, "SELECT x FROM t"), 1);
    sqlite3_close(db);

    CHECK_INT(ofs_index_open("", OFS_OPEN_CREATE, NULL, &idx, &err), OFS_INVALID);
    free(err);
}

static void test_schema_mismatch(void)
{
    const char *path = tmp_path("old.db");
    ofs_index *idx = NULL;
    char *err = NULL;
    CHECK_INT(ofs_index_open(path, OFS_OPEN_CREATE, NULL, &idx, &err), OFS_OK);
    sqlite3_exec(ofs_index_db(idx), "UPDATE meta SET value='0' WHERE key='schema_version'", NULL,
                 NULL, NULL);
    ofs_index_close(idx);
    idx = NULL;
    CHECK_INT(ofs_index_open(path, OFS_OPEN_READONLY, NULL, &idx, &err), OFS_SCHEMA);
    CHECK(idx == NULL);
    CHECK(err && strstr(err, "--rebuild"));
    CHECK(err && strstr(err, "version 0"));
    free(err);
    err = NULL;
    CHECK_INT(ofs_index_open(path, OFS_OPEN_CREATE, NULL, &idx, &err), OFS_SCHEMA);
    free(err);
    err = NULL;
    /* --rebuild replaces it with a current one */
    ofs_build_summary sum;
    CHECK_INT(ofs_index_rebuild(path, "stem english", NULL, 0, NULL, &sum, &err), OFS_OK);
    CHECK_INT(ofs_index_open(path, OFS_OPEN_READONLY, NULL, &idx, &err), OFS_OK);
    if (idx)
        CHECK_STR(sql_text(ofs_index_db(idx), "SELECT value FROM meta WHERE key='tokenizer'"),
                  "stem english");
    ofs_index_close(idx);
    free(err);
}

static void test_stats(void)
{
    const char *path = tmp_path("stats.db");
    ofs_index *idx = NULL;
    char *err = NULL;
    CHECK_INT(ofs_index_open(path, OFS_OPEN_CREATE, NULL, &idx, &err), OFS_OK);
    ofs_index_stats st;
    CHECK_INT(ofs_index_get_stats(idx, &st, &err), OFS_OK);
    CHECK_INT(st.documents, 0);
    CHECK_INT(st.sections, 0);
    CHECK_INT(st.terms, 0);
    CHECK_INT(st.ncollections, 0);
    CHECK_INT(st.schema_version, OFS_SCHEMA_VERSION);
    CHECK(st.size_bytes > 0);
    ofs_index_stats_free(&st);

    const char *dir = tmp_path("statsdocs");
    char cmd[600];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
    CHECK_INT(system(cmd), 0);
    write_file(tmp_path("statsdocs/a.md"), "# Alpha\n\nalpha beta gamma\n\n## Two\n\ndelta\n");
    write_file(tmp_path("statsdocs/b.md"), "# Beta\n\nbeta epsilon\n");
    ofs_collection_spec spec = {"stats", dir, NULL};
    ofs_build_summary sum;
    CHECK_INT(ofs_index_build(idx, &spec, 1, NULL, &sum, &err), OFS_OK);
    ofs_index_close(idx);
    CHECK_INT(ofs_index_open(path, OFS_OPEN_READONLY, NULL, &idx, &err), OFS_OK);
    CHECK_INT(ofs_index_get_stats(idx, &st, &err), OFS_OK);
    CHECK_INT(st.documents, 2);
    CHECK_INT(st.sections, 3);
    /* alpha beta gamma two delta epsilon (+ the titles' words, already counted) */
    CHECK(st.terms >= 6);
    CHECK_INT(st.ncollections, 1);
    if (st.ncollections == 1) {
        CHECK_STR(st.collections[0].name, "stats");
        CHECK_INT(st.collections[0].documents, 2);
        CHECK_INT(st.collections[0].sections, 3);
    }
    CHECK(strlen(st.built_at) == 20 && st.built_at[10] == 'T' && st.built_at[19] == 'Z');
    ofs_index_stats_free(&st);
    ofs_index_close(idx);
    free(err);
}

static void test_urls(void)
{
    struct {
        const char *base, *rel, *slug, *anchor, *want;
    } cases[] = {
        {NULL, "guide/install.md", "", "requirements", "guide/install.md#requirements"},
        {NULL, "guide/install.md", "setup", "", "guide/install.md"},
        {"", "a.md", NULL, NULL, "a.md"},
        {"https://x.org/docs", "guide/install.md", "", "req", "https://x.org/docs/guide/install#req"},
        {"https://x.org/docs/", "guide/install.md", "", "", "https://x.org/docs/guide/install"},
        {"https://x.org/docs", "guide/install.md", "setup", "", "https://x.org/docs/guide/setup"},
        {"https://x.org/docs", "guide/install.md", "/top/level", "a", "https://x.org/docs/top/level#a"},
        {"https://x.org/docs", "guide/README.md", "", "guide", "https://x.org/docs/guide#guide"},
        {"https://x.org/docs", "guide/index.mdx", "", "", "https://x.org/docs/guide"},
        {"https://x.org/docs", "README.md", "", "", "https://x.org/docs/"},
        {"https://x.org/docs", "index.md", "", "intro", "https://x.org/docs/#intro"},
        {"https://x.org", "v1.2/notes.markdown", "", "", "https://x.org/v1.2/notes"},
        {"https://x.org", "readme-extra.md", "", "", "https://x.org/readme-extra"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *u = ofsi_build_url(cases[i].base, cases[i].rel, cases[i].slug, cases[i].anchor);
        CHECK_STR(u, cases[i].want);
        free(u);
    }
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ofs_test_store_XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_create();
    test_passthrough_tokenizer();
    test_not_an_index();
    test_schema_mismatch();
    test_stats();
    test_urls();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return check_summary("test_store");
}
