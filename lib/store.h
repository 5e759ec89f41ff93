/* Store internals shared by store.c, build.c and search.c: opening a connection with the ofs
 * FTS5 pieces registered and the index's settings applied, and the ofs_index handle itself.
 * Not installed; the public face is include/ofsearch/index.h. */
#ifndef OFS_STORE_H
#define OFS_STORE_H

#include "ofsearch/index.h"

#include <sqlite3.h>

struct ofs_index {
    sqlite3 *db;
    char *path;
    char *tokenizer; /* the index's tokenizer options as stored in meta */
    int readonly;
};

/* Opens path with SQLite flags (SQLITE_OPEN_READONLY or READWRITE|CREATE), registers the ofs
 * tokenizer and snippet function, sets a busy timeout. Does not check the schema. On error
 * *out is NULL and *errmsg says why. */
int ofsi_store_connect(const char *path, int sqlite_flags, sqlite3 **out, char **errmsg);

/* Checks that db holds an ofsearch index of OFS_SCHEMA_VERSION. OFS_INVALID when the file is not
 * an index (or not a database), OFS_SCHEMA on another version. *tokenizer (may be NULL) gets the
 * stored tokenizer options, malloc'd. */
int ofsi_store_check(sqlite3 *db, const char *path, char **tokenizer, char **errmsg);

/* Creates the schema in an empty database, in one transaction. tokenizer_options: ofs options
 * ("stem english"), or "=NAME ARGS" to use a stock FTS5 tokenizer as is (benchmark baseline). */
int ofsi_store_create(sqlite3 *db, const char *tokenizer_options, char **errmsg);

/* Runs sql (no results) and turns a failure into an OFS_DB error with context. */
int ofsi_store_exec(sqlite3 *db, const char *sql, char **errmsg);

/* Sets meta(key) = value (inside the caller's transaction). */
int ofsi_store_set_meta(sqlite3 *db, const char *key, const char *value, char **errmsg);

/* The FTS5 tokenize= argument for tokenizer options (see ofsi_store_create); malloc'd. */
char *ofsi_store_tokenize_arg(const char *tokenizer_options);

/* build.c: the URL of a place in a Markdown document (see index.h): base_url + "/" + path
 * without extension (README/index stand for their directory; a front matter slug replaces the
 * file part, or the whole path when it starts with '/'), or rel as is without a base URL; then
 * "#anchor" if anchor is non-empty. Malloc'd. */
char *ofsi_build_url(const char *base_url, const char *rel, const char *slug, const char *anchor);

#endif
