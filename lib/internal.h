/* Internals shared between library modules; not installed, not part of the public API. */
#ifndef OFS_INTERNAL_H
#define OFS_INTERNAL_H

#include <sqlite3.h>

/* fts5_api of a connection, or NULL (see https://sqlite.org/fts5.html#extending_fts5). */
typedef struct fts5_api fts5_api;
fts5_api *ofs_fts5_api(sqlite3 *db);

/* Each registers one piece with FTS5; return SQLite codes. */
int ofs_tokenizer_register_fts5(fts5_api *api);   /* tokenizer.c: the `ofs` tokenizer */
int ofs_snippet_register_fts5(fts5_api *api);     /* snippet.c: ofs_snippet(fts, mode, ntokens) */
int ofs_rank_register_fts5(fts5_api *api);        /* rank.c: ofs_bm25f(fts, k1, b, weights...) */

#endif
