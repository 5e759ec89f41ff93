/* The index store: opening/creating the SQLite file, the schema of include/ofsearch/index.h,
 * schema-version checks, and the statistics `ofsearch stats` prints. The build that fills the
 * tables lives in build.c. */
#include "store.h"

#include "alloc.h"

#include "ofsearch/ofsearch.h"
#include "ofsearch/tokenizer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A writer may hold the database for a whole build; readers and a second indexer wait this long
 * before giving up with a "locked" error. */
#define BUSY_TIMEOUT_MS 10000

static const char *const schema_sql =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
    "CREATE TABLE collections(id INTEGER PRIMARY KEY, name TEXT UNIQUE, root TEXT,"
    " base_url TEXT);"
    "CREATE TABLE documents(id INTEGER PRIMARY KEY, collection_id INTEGER, path TEXT,"
    " docid TEXT, url TEXT, title TEXT, description TEXT, tags TEXT, meta TEXT, hash TEXT,"
    " size INTEGER, mtime INTEGER, UNIQUE(collection_id, path));"
    "CREATE TABLE sections(id INTEGER PRIMARY KEY, document_id INTEGER, ord INTEGER,"
    " kind INTEGER, level INTEGER, title TEXT, headings TEXT, anchor TEXT, url TEXT, body TEXT,"
    " code TEXT, meta TEXT);"
    /* Removing or replacing a document finds its sections through this index. */
    "CREATE INDEX sections_document ON sections(document_id, ord);";

int ofsi_store_exec(sqlite3 *db, const char *sql, char **errmsg)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        ofs_set_error(errmsg, OFS_DB, "sqlite: %s", err ? err : sqlite3_errmsg(db));
        sqlite3_free(err);
        return OFS_DB;
    }
    return OFS_OK;
}

int ofsi_store_set_meta(sqlite3 *db, const char *key, const char *value, char **errmsg)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)", -1,
                                &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
        rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_OK)
        return ofs_set_error(errmsg, OFS_DB, "cannot write meta %s: %s", key, sqlite3_errmsg(db));
    return OFS_OK;
}

int ofsi_store_connect(const char *path, int sqlite_flags, sqlite3 **out, char **errmsg)
{
    *out = NULL;
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, sqlite_flags, NULL);
    if (rc != SQLITE_OK) {
        int e = errno;
        int missing = (sqlite_flags & SQLITE_OPEN_CREATE) == 0 && access(path, F_OK) != 0;
        if (missing)
            ofs_set_error(errmsg, OFS_IO,
                          "cannot open index %s: no such file (build it with `ofsearch index`)",
                          path);
        else
            ofs_set_error(errmsg, OFS_IO, "cannot open index %s: %s%s%s", path,
                          db ? sqlite3_errmsg(db) : "out of memory", e ? ": " : "",
                          e ? strerror(e) : "");
        sqlite3_close(db);
        return OFS_IO;
    }
    sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
    sqlite3_extended_result_codes(db, 1);
    if (ofs_fts5_register(db) != SQLITE_OK) {
        ofs_set_error(errmsg, OFS_DB, "cannot register the ofs tokenizer with %s: %s", path,
                      sqlite3_errmsg(db));
        sqlite3_close(db);
        return OFS_DB;
    }
    *out = db;
    return OFS_OK;
}

/* Number of schema objects; -1 when the file is not a database (or unreadable). */
static int count_schema_objects(sqlite3 *db, char **errmsg, const char *path)
{
    sqlite3_stmt *st = NULL;
    int n = -1;
    int rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_schema", -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    if (n < 0) {
        if ((rc & 0xff) == SQLITE_NOTADB)
            ofs_set_error(errmsg, OFS_INVALID, "%s is not an ofsearch index (not a database)",
                          path);
        else
            ofs_set_error(errmsg, OFS_DB, "cannot read %s: %s", path, sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    return n;
}

/* meta value for key, malloc'd; NULL when absent. *rc_out is SQLite's code of the query. */
static char *get_meta(sqlite3 *db, const char *key, int *rc_out)
{
    sqlite3_stmt *st = NULL;
    char *val = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?1", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            const char *v = (const char *)sqlite3_column_text(st, 0);
            val = ofsi_xstrdup(v ? v : "");
            rc = SQLITE_OK;
        } else if (rc == SQLITE_DONE) {
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(st);
    if (rc_out)
        *rc_out = rc;
    return val;
}

int ofsi_store_check(sqlite3 *db, const char *path, char **tokenizer, char **errmsg)
{
    if (tokenizer)
        *tokenizer = NULL;
    int n = count_schema_objects(db, errmsg, path);
    if (n < 0)
        return errmsg && *errmsg && strstr(*errmsg, "not an ofsearch") ? OFS_INVALID : OFS_DB;
    int rc = SQLITE_OK;
    char *version = n > 0 ? get_meta(db, "schema_version", &rc) : NULL;
    if (!version)
        return ofs_set_error(errmsg, OFS_INVALID,
                             "%s is not an ofsearch index (%s)", path,
                             n == 0 ? "empty database" : "no schema_version in a meta table");
    int v = atoi(version);
    free(version);
    if (v != OFS_SCHEMA_VERSION)
        return ofs_set_error(errmsg, OFS_SCHEMA,
                             "%s has index schema version %d, this ofsearch uses %d: rebuild it "
                             "with `ofsearch index --rebuild`",
                             path, v, OFS_SCHEMA_VERSION);
    if (tokenizer) {
        *tokenizer = get_meta(db, "tokenizer", &rc);
        if (!*tokenizer)
            *tokenizer = ofsi_xstrdup("");
    }
    return OFS_OK;
}

char *ofsi_store_tokenize_arg(const char *opts)
{
    if (!opts)
        opts = "";
    const char *prefix = "ofs ";
    if (opts[0] == '=') { /* a stock FTS5 tokenizer, e.g. "=unicode61 remove_diacritics 2" */
        prefix = "";
        opts++;
    }
    /* Doubled quotes: the value sits inside an SQL string literal. */
    size_t n = strlen(prefix) + 1;
    for (const char *p = opts; *p; p++)
        n += *p == '\'' ? 2 : 1;
    char *out = ofsi_xmalloc(n);
    char *w = out + strlen(prefix);
    memcpy(out, prefix, strlen(prefix));
    for (const char *p = opts; *p; p++) {
        *w++ = *p;
        if (*p == '\'')
            *w++ = '\'';
    }
    *w = '\0';
    /* "ofs " with no options: drop the trailing space. */
    if (w > out && w[-1] == ' ')
        w[-1] = '\0';
    return out;
}

/* FTS5 reports any tokenizer constructor failure as "error in tokenizer constructor"; building
 * the tokenizer here first gives the user the tokenizer's own message, naming the bad option. */
static int check_tokenizer_options(const char *options, char **errmsg)
{
    ofs_tokenizer *tok = NULL;
    char *err = NULL;
    int rc = ofs_tokenizer_from_options(options, &tok, &err);
    ofs_tokenizer_free(tok);
    if (rc == OFS_NOTFOUND)
        rc = OFS_OK; /* a stock FTS5 tokenizer: FTS5 checks it */
    else if (rc != OFS_OK)
        rc = ofs_set_error(errmsg, OFS_INVALID, "tokenizer options '%s': %s", options,
                           err ? err : "invalid");
    free(err);
    return rc;
}

int ofsi_store_create(sqlite3 *db, const char *tokenizer_options, char **errmsg)
{
    if (!tokenizer_options)
        tokenizer_options = OFS_DEFAULT_TOKENIZER;
    int vrc = check_tokenizer_options(tokenizer_options, errmsg);
    if (vrc != OFS_OK)
        return vrc;
    char *tok = ofsi_store_tokenize_arg(tokenizer_options);
    char *fts = sqlite3_mprintf(
        "CREATE VIRTUAL TABLE fts USING fts5(title, headings, body, code, meta,"
        " content='sections', content_rowid='id', tokenize='%s', prefix='2 3');",
        tok);
    free(tok);
    if (!fts)
        return ofs_set_error(errmsg, OFS_NOMEM, "out of memory");
    char version[16];
    snprintf(version, sizeof version, "%d", OFS_SCHEMA_VERSION);
    int rc = ofsi_store_exec(db, "BEGIN IMMEDIATE", errmsg);
    if (rc == OFS_OK)
        rc = ofsi_store_exec(db, schema_sql, errmsg);
    if (rc == OFS_OK && ofsi_store_exec(db, fts, errmsg) != OFS_OK)
        rc = ofs_set_error(errmsg, OFS_INVALID, "cannot create the full-text table with "
                           "tokenizer options '%s': %s", tokenizer_options, sqlite3_errmsg(db));
    /* FTS5 flushes its pending terms to a new segment whenever they pass 'hashsize' (1 MB by
     * default); 32 MB means far fewer segments to merge during and after a large build. */
    if (rc == OFS_OK)
        rc = ofsi_store_exec(db, "INSERT INTO fts(fts, rank) VALUES('hashsize', 33554432)",
                            errmsg);
    if (rc == OFS_OK)
        rc = ofsi_store_set_meta(db, "schema_version", version, errmsg);
    if (rc == OFS_OK)
        rc = ofsi_store_set_meta(db, "tokenizer", tokenizer_options, errmsg);
    if (rc == OFS_OK)
        rc = ofsi_store_set_meta(db, "version", OFS_VERSION, errmsg);
    if (rc == OFS_OK)
        rc = ofsi_store_set_meta(db, "built_at", "", errmsg);
    if (rc == OFS_OK)
        rc = ofsi_store_exec(db, "COMMIT", errmsg);
    else
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_free(fts);
    return rc;
}

/* Connection settings for a writer: WAL so readers keep the old snapshot during a build,
 * synchronous=NORMAL (safe against a killed process in WAL mode; only power loss may drop the
 * last commit), and a large page cache so a build rarely spills. */
static int set_writer_pragmas(sqlite3 *db, char **errmsg)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &st, NULL);
    const char *mode = NULL;
    if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        mode = (const char *)sqlite3_column_text(st, 0);
    int ok = mode && !strcmp(mode, "wal");
    sqlite3_finalize(st);
    if (!ok)
        return ofs_set_error(errmsg, OFS_DB, "cannot switch the index to WAL mode: %s",
                             sqlite3_errmsg(db));
    return ofsi_store_exec(db,
                          "PRAGMA synchronous=NORMAL; PRAGMA cache_size=-262144;"
                          " PRAGMA temp_store=MEMORY;",
                          errmsg);
}

int ofs_index_open(const char *path, int flags, const char *tokenizer_options, ofs_index **out,
                   char **errmsg)
{
    *out = NULL;
    if (!path || !*path)
        return ofs_set_error(errmsg, OFS_INVALID, "no index path given");
    int create = flags == OFS_OPEN_CREATE;
    int sflags = create ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
    sqlite3 *db = NULL;
    int rc = ofsi_store_connect(path, sflags, &db, errmsg);
    if (rc != OFS_OK)
        return rc;
    char *tok = NULL;
    if (create) {
        int n = count_schema_objects(db, errmsg, path);
        if (n < 0)
            rc = errmsg && *errmsg && strstr(*errmsg, "not an ofsearch") ? OFS_INVALID : OFS_DB;
        else
            rc = set_writer_pragmas(db, errmsg);
        if (rc == OFS_OK && n == 0)
            rc = ofsi_store_create(db, tokenizer_options, errmsg);
    }
    if (rc == OFS_OK)
        rc = ofsi_store_check(db, path, &tok, errmsg);
    if (rc != OFS_OK) {
        free(tok);
        sqlite3_close(db);
        return rc;
    }
    ofs_index *idx = ofsi_xcalloc(1, sizeof *idx);
    idx->path = ofsi_xstrdup(path);
    idx->db = db;
    idx->tokenizer = tok;
    idx->readonly = !create;
    *out = idx;
    return OFS_OK;
}

void ofs_index_close(ofs_index *idx)
{
    if (!idx)
        return;
    sqlite3_close(idx->db);
    free(idx->path);
    free(idx->tokenizer);
    free(idx);
}

sqlite3 *ofs_index_db(ofs_index *idx)
{
    return idx ? idx->db : NULL;
}

/* Runs a one-integer query; -1 on error. */
static long long query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int load_collection_stats(sqlite3 *db, ofs_index_stats *st, char **errmsg)
{
    static const char *sql =
        "SELECT c.name, (SELECT count(*) FROM documents d WHERE d.collection_id = c.id),"
        " (SELECT count(*) FROM sections s JOIN documents d ON s.document_id = d.id"
        "  WHERE d.collection_id = c.id)"
        " FROM collections c ORDER BY c.name";
    long long n = query_int(db, "SELECT count(*) FROM collections");
    if (n < 0)
        return ofs_set_error(errmsg, OFS_DB, "cannot read collections: %s", sqlite3_errmsg(db));
    st->collections = ofsi_xcalloc((size_t)n + 1, sizeof *st->collections);
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        return ofs_set_error(errmsg, OFS_DB, "cannot read collections: %s", sqlite3_errmsg(db));
    while (st->ncollections < (size_t)n && sqlite3_step(q) == SQLITE_ROW) {
        ofs_collection_stats *c = &st->collections[st->ncollections++];
        const char *name = (const char *)sqlite3_column_text(q, 0);
        snprintf(c->name, sizeof c->name, "%s", name ? name : "");
        c->documents = sqlite3_column_int64(q, 1);
        c->sections = sqlite3_column_int64(q, 2);
    }
    sqlite3_finalize(q);
    return OFS_OK;
}

/* Distinct terms in the full-text index, read through a TEMP fts5vocab table so a read-only
 * index is not modified. */
static long count_terms(sqlite3 *db)
{
    if (sqlite3_exec(db,
                     "CREATE VIRTUAL TABLE IF NOT EXISTS temp.ofs_vocab"
                     " USING fts5vocab(main, 'fts', 'row')",
                     NULL, NULL, NULL) != SQLITE_OK)
        return -1;
    return (long)query_int(db, "SELECT count(*) FROM temp.ofs_vocab");
}

int ofs_index_get_stats(ofs_index *idx, ofs_index_stats *st, char **errmsg)
{
    memset(st, 0, sizeof *st);
    sqlite3 *db = idx->db;
    /* One read transaction: every figure comes from the same snapshot. */
    if (ofsi_store_exec(db, "BEGIN", errmsg) != OFS_OK)
        return OFS_DB;
    st->documents = (long)query_int(db, "SELECT count(*) FROM documents");
    st->sections = (long)query_int(db, "SELECT count(*) FROM sections");
    st->size_bytes = query_int(db, "SELECT page_count * page_size FROM pragma_page_count(),"
                                   " pragma_page_size()");
    st->schema_version = OFS_SCHEMA_VERSION;
    int rc = OFS_OK;
    char *built = get_meta(db, "built_at", &rc);
    snprintf(st->built_at, sizeof st->built_at, "%s", built ? built : "");
    free(built);
    snprintf(st->tokenizer, sizeof st->tokenizer, "%s", idx->tokenizer ? idx->tokenizer : "");
    rc = load_collection_stats(db, st, errmsg);
    if (rc == OFS_OK) {
        st->terms = count_terms(db);
        if (st->terms < 0 || st->documents < 0 || st->sections < 0)
            rc = ofs_set_error(errmsg, OFS_DB, "cannot read index statistics: %s",
                               sqlite3_errmsg(db));
    }
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (rc != OFS_OK)
        ofs_index_stats_free(st);
    return rc;
}

void ofs_index_stats_free(ofs_index_stats *st)
{
    if (!st)
        return;
    free(st->collections);
    st->collections = NULL;
    st->ncollections = 0;
}
