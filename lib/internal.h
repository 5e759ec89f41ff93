/* Internals shared between library modules; not installed, not part of the public API. */
#ifndef OFS_INTERNAL_H
#define OFS_INTERNAL_H

#include <sqlite3.h>
#include <stddef.h>

/* fts5_api of a connection, or NULL (see https://sqlite.org/fts5.html#extending_fts5). */
typedef struct fts5_api fts5_api;
fts5_api *ofsi_fts5_api(sqlite3 *db);

/* Each registers one piece with FTS5; return SQLite codes. */
int ofsi_tokenizer_register_fts5(fts5_api *api);   /* tokenizer.c: the `ofs` tokenizer */
int ofsi_snippet_register_fts5(fts5_api *api);     /* snippet.c: ofs_snippet(fts, mode, ntokens) */
int ofsi_rank_register_fts5(fts5_api *api);        /* rank.c: ofs_bm25f(fts, k1, b, weights...) */

/* tokenizer.c: turns the pure-ASCII segmentation shortcut off (1: on, the default), so tests can
 * compare it with ICU's. */
typedef struct ofs_tokenizer ofs_tokenizer;
void ofsi_tokenizer_set_ascii_fast(ofs_tokenizer *tok, int on);

/* tokenizer.c: the tokens of one text, recorded by any thread, replayed by the `ofs` FTS5
 * tokenizer of the thread that inserts that text. The indexer's parser threads tokenize, the
 * SQLite thread only inserts: tokenizing is the largest cost of a build after SQLite's own. */
typedef struct ofsi_token_stream ofsi_token_stream;
int ofsi_token_stream_record(ofs_tokenizer *tok, const char *text, int len, ofsi_token_stream **out);
void ofsi_token_stream_free(ofsi_token_stream *ts);
/* Until called again with n = 0, this thread's `ofs` tokenizers replay a stream instead of
 * tokenizing when FTS5 asks for a document text equal to the stream's. */
void ofsi_tokenizer_replay(ofsi_token_stream *const *streams, int n);

/* rank.c: every row's column sizes, loaded once from fts_docsize (NULL *out when the index is
 * empty or too large to cache), for rankers written in C (ofsi_bm25f_row); and an ofs_bm25f
 * under another name that reads them (test_rank checks it against FTS5's own sizes). */
typedef struct ofsi_doclens ofsi_doclens;
typedef struct Fts5ExtensionApi Fts5ExtensionApi;
typedef struct Fts5Context Fts5Context;
int ofsi_doclens_load(sqlite3 *db, ofsi_doclens **out);
void ofsi_doclens_free(ofsi_doclens *d);
int ofsi_doclens_column_size(const Fts5ExtensionApi *api, Fts5Context *fts, const ofsi_doclens *d,
                            int col, int *len);
int ofsi_rank_register_cached(fts5_api *api, const char *name, ofsi_doclens *lens);

/* Document frequencies of a query's phrases, in FTS5's phrase order, known before the query
 * runs (-1: unknown, ofsi_bm25f_row counts it itself): counting a common word's rows costs more
 * than scoring a page. The same struct counts the rows scored, so a ranked pass needs no second
 * count of its matches. */
#define OFSI_MAX_PHRASE_DF 64
typedef struct {
    int n;
    long long df[OFSI_MAX_PHRASE_DF];
    long long rows; /* ofsi_bm25f_row adds one per row it scores */
} ofsi_phrase_df;

/* BM25F of the current row (see rank.c), for rankers written in C: the same score as
 * ofs_bm25f(fts, k1, b, w..., proximity, known), without going through SQL values. known may
 * be NULL; its rows counter is bumped. title_hits (may be NULL): phrase instances in column 0. */
#define OFSI_RANK_MAX_COLS 8
typedef struct {
    double k1, b, proximity;
    double w[OFSI_RANK_MAX_COLS];
} ofsi_bm25f_params;
int ofsi_bm25f_row(const Fts5ExtensionApi *api, Fts5Context *fts, const ofsi_doclens *lens,
                  const ofsi_bm25f_params *p, ofsi_phrase_df *known, double *score,
                  int *title_hits);

/* query.c: what the searcher reads of a compiled query besides query.h, all worked out by the
 * one parse (which tokenizes each word once, when its options give a tokenizer).
 * A form is an FTS5 expression with, per string in it (FTS5's phrase order, at most
 * OFSI_MAX_PHRASE_DF), the one indexed term the string is, or NULL when it is not one plain
 * term (several tokens, a prefix, a column filter): the term's document frequency can be known
 * before the expression runs. Pointers are owned by the query. */
typedef struct ofs_query ofs_query;
enum {
    OFSI_FORM_ALL,  /* ofs_query_match_all */
    OFSI_FORM_ANY,  /* ofs_query_match_any */
    OFSI_FORM_LEAN  /* the any-word form after ofsi_query_leave_out (match NULL before) */
};
typedef struct {
    const char *match; /* NULL when the query has no positive clause */
    const char *const *terms;
    int nterms;
} ofsi_query_form;
void ofsi_query_get_form(const ofs_query *q, int which, ofsi_query_form *out);
/* Token positions in ofs_query_text(q) (0 without a tokenizer). */
int ofsi_query_positions(const ofs_query *q);
/* The term ofs_query_word(q, i) folds to when it is one token position, else NULL. */
const char *ofsi_query_word_term(const ofs_query *q, size_t i);
/* The positive clauses, i < ofsi_query_nclauses: the term of the lone bare word clause i was
 * made of, which the any-word form could do without if it is common (NULL when the clause is
 * not one such word, or is left out already as a stop word); *word_len gets the word's bytes. */
size_t ofsi_query_nclauses(const ofs_query *q);
const char *ofsi_query_clause_term(const ofs_query *q, size_t i, size_t *word_len);
/* Renders OFSI_FORM_LEAN: the any-word form also without the clauses common marks (one flag
 * per positive clause), unless that would leave none. */
void ofsi_query_leave_out(ofs_query *q, const unsigned char *common);

/* snippet.c: the current row's phrase instances as ofs_insts() gives them, malloc'd into *blob
 * (n bytes), or *blob NULL when they are too many to carry. */
void ofsi_insts_blob(const Fts5ExtensionApi *api, Fts5Context *fts, unsigned char **blob, int *n);

#endif
