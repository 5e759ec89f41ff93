/* The index store: one SQLite file holding collections, documents, sections and the FTS5 table
 * over sections, and the incremental, atomic build that fills it.
 *
 * Schema (version OFS_SCHEMA_VERSION; the searcher and `ofsearch stats` read it directly):
 *   meta(key TEXT PRIMARY KEY, value TEXT)      -- schema_version, tokenizer, built_at, version
 *   collections(id INTEGER PRIMARY KEY, name TEXT UNIQUE, root TEXT, base_url TEXT)
 *   documents(id INTEGER PRIMARY KEY, collection_id INTEGER, path TEXT, docid TEXT, url TEXT,
 *             title TEXT, description TEXT, tags TEXT, meta TEXT, hash TEXT, size INTEGER,
 *             mtime INTEGER, UNIQUE(collection_id, path))
 *   sections(id INTEGER PRIMARY KEY, document_id INTEGER, ord INTEGER, kind INTEGER,
 *            level INTEGER, title TEXT, headings TEXT, anchor TEXT, url TEXT, body TEXT,
 *            code TEXT, meta TEXT)
 *   fts USING fts5(title, headings, body, code, meta, content='sections', content_rowid='id',
 *                  tokenize='ofs ...', prefix='2 3')
 * sections.headings is the breadcrumb (" › "-joined parents); sections.meta holds searchable
 * metadata text (front matter description and tags, extra JSONL string fields);
 * documents.docid is the JSONL `id` (or the path for Markdown); sections.url is the full URL with
 * anchor (base URL + path without extension, or the relative path when there is no base URL).
 */
#ifndef OFSEARCH_INDEX_H
#define OFSEARCH_INDEX_H

#include <stddef.h>

#include "ofsearch/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sqlite3 sqlite3;
typedef struct ofs_index ofs_index;

#define OFS_OPEN_READONLY 0
#define OFS_OPEN_CREATE 1 /* read-write, create if missing */

/* Tokenizer options of a new index when none are given: English stemming (applied to Latin
 * script only) won on every judged set (docs/eval.md). "" means the tokenizer's own defaults. */
#define OFS_DEFAULT_TOKENIZER "stem english"

/* Opens (or creates) an index. tokenizer_options ("diacritics 1 stem english", may be NULL for
 * OFS_DEFAULT_TOKENIZER) is used only when creating; an existing index keeps its own. Opening an index of
 * another schema version fails with OFS_SCHEMA and a message saying to rebuild. */
int ofs_index_open(const char *path, int flags, const char *tokenizer_options, ofs_index **out,
                   char **errmsg);
void ofs_index_close(ofs_index *idx);
/* The underlying connection (ofs tokenizer and functions registered). Owned by idx. */
sqlite3 *ofs_index_db(ofs_index *idx);

typedef struct {
    const char *name;     /* collection name */
    const char *path;     /* directory, Markdown file, or .jsonl file */
    const char *base_url; /* may be NULL */
} ofs_collection_spec;

typedef struct {
    long files_done, files_total;
    double bytes_done, bytes_total;
    double seconds;
} ofs_progress;

typedef void (*ofs_progress_fn)(void *ctx, const ofs_progress *p);
typedef void (*ofs_build_warn_fn)(void *ctx, const char *file, long line, const char *msg);

typedef struct {
    int max_depth;          /* heading depth for sections (default 3) */
    long max_file_bytes;    /* larger files are skipped with a warning (default 10 MiB) */
    ofs_progress_fn progress; /* may be NULL */
    ofs_build_warn_fn warn;   /* may be NULL */
    void *ctx;
    int optimize;           /* run FTS5 'optimize' after the build (default 1) */
} ofs_build_options;

void ofs_build_options_default(ofs_build_options *o);

typedef struct {
    long added, updated, removed, unchanged, failed;
    long documents, sections; /* totals in the index after the build */
    double bytes;             /* bytes of input read and parsed */
    double seconds;
} ofs_build_summary;

/* Brings the index up to date with the given collections in one transaction: re-parses only
 * files whose content changed, removes documents whose files are gone. Collections not named
 * are left alone. Readers keep seeing the previous index until the commit. */
int ofs_index_build(ofs_index *idx, const ofs_collection_spec *specs, size_t nspecs,
                    const ofs_build_options *opts, ofs_build_summary *summary, char **errmsg);

/* Builds a fresh index of the given collections in a temporary file next to path, then puts it
 * in place atomically: renamed to path when there is no index yet, else copied into the live
 * file in one transaction through its WAL (readers see the old index or the new one; renaming
 * over a live WAL database would leave its readers sharing one -wal/-shm pair between two files).
 * The way to change tokenizer options or move to a new schema version. tokenizer_options as for
 * ofs_index_open ("=NAME ARGS" selects a stock FTS5 tokenizer as is, for baselines). path must
 * be missing, empty or an ofsearch index (of any schema version): anything else is refused. */
int ofs_index_rebuild(const char *path, const char *tokenizer_options,
                      const ofs_collection_spec *specs, size_t nspecs,
                      const ofs_build_options *opts, ofs_build_summary *summary, char **errmsg);

typedef struct {
    char name[128];
    long documents, sections;
} ofs_collection_stats;

typedef struct {
    long documents, sections, terms;
    long long size_bytes;
    char tokenizer[256];
    char built_at[64];       /* ISO 8601 UTC */
    int schema_version;
    ofs_collection_stats *collections; /* malloc'd, free with ofs_index_stats_free */
    size_t ncollections;
} ofs_index_stats;

int ofs_index_get_stats(ofs_index *idx, ofs_index_stats *st, char **errmsg);
void ofs_index_stats_free(ofs_index_stats *st);

/* ---- collections and document sources (for showing indexed pages, e.g. ofsearchd /doc/) ---- */

typedef struct {
    char *name;
    char *root;     /* canonical path indexed: a directory, or the file of a one-file collection */
    char *base_url; /* NULL when indexed without a base URL (urls are then relative paths) */
} ofs_collection_info;

/* All collections of the index, in id order. *out is malloc'd (NULL when *n is 0); free with
 * ofs_collection_infos_free. */
int ofs_index_collections(ofs_index *idx, ofs_collection_info **out, size_t *n, char **errmsg);
void ofs_collection_infos_free(ofs_collection_info *v, size_t n);

/* Largest source ofs_index_read_source returns by default: the build's file limit. */
#define OFS_SOURCE_MAX_BYTES (10L * 1024 * 1024)

typedef struct {
    char *text;  /* the file's bytes, NUL-terminated (may hold other NULs; use len) */
    size_t len;
    char *title; /* the indexed page title */
} ofs_document_source;

/* Reads the Markdown source of an indexed document from its collection's root, for showing it.
 * Untrusted input is fine: path must be relative, '/'-separated, without empty, "." or ".."
 * segments, backslashes or control characters (else OFS_INVALID); it must name a .md,
 * .markdown or .mdx document of the collection in the index, and resolve (symlinks followed)
 * to a regular file inside the root (else OFS_NOTFOUND); files over max_bytes (0: the default)
 * give OFS_TOOLONG, a failed read OFS_IO. On success free out with ofs_document_source_clear. */
int ofs_index_read_source(ofs_index *idx, const char *collection, const char *path,
                          size_t max_bytes, ofs_document_source *out, char **errmsg);
void ofs_document_source_clear(ofs_document_source *src);

/* ---- one section's Markdown (lib/section.c: `ofsearch show`, the MCP server) ---- */

typedef struct {
    char *collection, *path;
    char *anchor;    /* "" for a whole page */
    char *title;     /* the section's title, or the page's for a whole page */
    char *url;       /* as the index has it */
    char *markdown;  /* the section's Markdown (NUL-terminated, len bytes) */
    size_t len;
    int truncated;   /* cut at max_bytes */
} ofs_section_text;

/* The Markdown of the section ref names: a hit's url as the index has it, a /doc/ link, or
 * "path#anchor" / "collection:path#anchor" ("path" alone: the whole page). For a heading, the
 * lines of its source file from it to the next heading of the same or a higher level (front
 * matter left out); for an entry without a heading of its own (a glossary term, a Q:/A:), a
 * JSONL record, or a source that can no longer be read, the text the index holds. Up to
 * max_bytes (0: 64 KiB), cut on a character boundary. OFS_NOTFOUND when nothing is named so,
 * OFS_INVALID for an empty or ambiguous ref (a path in several collections). On success free
 * out with ofs_section_text_clear. */
int ofs_index_read_section(ofs_index *idx, const char *ref, size_t max_bytes,
                           ofs_section_text *out, char **errmsg);
void ofs_section_text_clear(ofs_section_text *s);

#ifdef __cplusplus
}
#endif

#endif
