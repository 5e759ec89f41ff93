/* The build's internals (index.h's ofs_index_build and ofs_index_rebuild), one section per file
 * of the module, as searcher.h is for searching. Private to lib/.
 *   build.c    one build: options, content hashes, parsing in producer threads, writing rows,
 *              the transaction around it all
 *   walk.c     the Markdown files of a collection: its directory tree, or one file
 *   jsonl.c    a JSON Lines collection, one document per line
 *   rebuild.c  a fresh index built beside the live one and put in its place */
#ifndef OFSI_BUILD_INTERNAL_H
#define OFSI_BUILD_INTERNAL_H

#include "internal.h"
#include "store.h"

#include "ofsearch/index.h"
#include "ofsearch/markdown.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* ---- build.c --------------------------------------------------------------------------- */

/* A file of a collection, found by the walk. */
typedef struct {
    char *rel; /* relative to the collection root */
    long long size, mtime;
} ofsi_walk_file;

/* A collection being built. */
typedef struct {
    const ofs_collection_spec *spec;
    char *root;      /* directory relative paths start from, as given (for messages and I/O) */
    char *real_root; /* canonical root, stored in collections.root */
    int is_jsonl;
    ofsi_walk_file *files;
    size_t nfiles, capfiles;
    long long id; /* collections.id */
    int force;    /* re-parse everything: base URL, root or parser settings changed */
} ofsi_coll;

/* One run of ofs_index_build: its options, totals and write statements. */
typedef struct {
    ofs_index *idx;
    sqlite3 *db;
    const ofs_build_options *o;
    ofs_build_summary *sum;
    uint64_t seed;
    int depth_changed;
    double t0;
    ofs_progress prog;
    sqlite3_stmt *ins_doc, *upd_doc, *touch_doc, *del_doc, *ins_sec, *ins_fts, *del_fts,
        *del_secs;
} ofsi_build;

/* Reports a warning about file (line 0: the whole file) through the options' warn callback. */
void ofsi_build_warn(ofsi_build *b, const char *file, long line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Reports progress through the options' progress callback. */
void ofsi_build_progress(ofsi_build *b);

/* The content hash of a document's bytes, as 16 hex digits: FNV-1a seeded with the parser
 * settings (see build.c). */
void ofsi_content_hash(const void *data, size_t len, uint64_t seed, char out[17]);
/* Whether s[0..n) holds nothing but spaces, tabs and line breaks. */
int ofsi_only_space(const char *s, size_t n);

/* A collection's documents as the index holds them, sorted by path (or id) for lookups. */
typedef struct {
    char *path;
    long long id, size, mtime;
    char hash[17];
    int seen;
} ofsi_old_doc;

typedef struct {
    ofsi_old_doc *v;
    size_t n;
} ofsi_old_docs;

ofsi_old_doc *ofsi_find_old(ofsi_old_docs *o, const char *path);

/* A document's rows, ready to insert: one per section. */
#define OFSI_FTS_COLS 5 /* title, headings, body, code, meta */

typedef struct {
    int kind, level;
    const char *title, *headings, *anchor, *body, *code, *meta;
    char *url; /* owned */
} ofsi_sec_row;

typedef struct {
    char *docid, *url, *title, *description, *tags, *meta_json, *meta_text; /* owned */
    ofsi_sec_row *secs;
    size_t nsecs;
    ofs_page *page; /* owns the Markdown section strings */
    json_t *json;   /* owns the JSONL section strings */
    ofsi_token_stream **streams; /* OFSI_FTS_COLS per section, tokenized ahead by a parser thread */
} ofsi_doc_rows;

void ofsi_doc_rows_free(ofsi_doc_rows *d);
/* Inserts (old_id 0) or replaces a document and its sections. Returns SQLITE_CONSTRAINT as is
 * (duplicate path), other failures as OFS_DB. */
int ofsi_write_doc(ofsi_build *b, long long coll_id, const char *path, long long old_id,
                   const ofsi_doc_rows *d, const char *hash, long long size, long long mtime,
                   char **errmsg);

/* jansson's empty object, and an object as compact JSON text with sorted keys (malloc'd); a NULL
 * from jansson is out of memory and ends the process (alloc.c). */
json_t *ofsi_json_object(void);
char *ofsi_json_text(const json_t *obj);

/* ---- walk.c ---------------------------------------------------------------------------- */

/* a/b, with one '/' between them; malloc'd. */
char *ofsi_join_path(const char *a, const char *b);
/* Fills c->files (sorted by path) from the spec's path: a directory tree (hidden directories
 * and node_modules skipped, symlink loops seen through), one Markdown file, or a .jsonl file
 * (c->is_jsonl set). Unreadable directories are warnings; a missing path is OFS_IO. */
int ofsi_walk_collection(ofsi_build *b, ofsi_coll *c, char **errmsg);

/* ---- jsonl.c --------------------------------------------------------------------------- */

/* Brings a JSON Lines collection's documents up to date (marking each one seen in olds): a
 * line per document, bad lines are warnings. */
int ofsi_build_jsonl(ofsi_build *b, ofsi_coll *c, ofsi_old_docs *olds, char **errmsg);

#endif
