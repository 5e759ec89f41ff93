/* The `ofs` tokenizer: ICU word segmentation, NFKC case folding, optional diacritic folding and
 * Snowball stemming, with parts of technical compounds (file.txt, foo_bar, file1) emitted as
 * colocated tokens. Used by FTS5 (tokenize = 'ofs ...') and directly (ofsearch tokens). */
#ifndef OFSEARCH_TOKENIZER_H
#define OFSEARCH_TOKENIZER_H

#include <stddef.h>

#include "ofsearch/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sqlite3 sqlite3;
typedef struct ofs_tokenizer ofs_tokenizer;

/* Flags passed to the token callback. */
#define OFS_TOKEN_COLOCATED 0x0001 /* same position as the previous token (FTS5_TOKEN_COLOCATED) */

/* Why text is tokenized; mirrors FTS5_TOKENIZE_DOCUMENT / _QUERY / _PREFIX / _AUX. */
#define OFS_TOKENIZE_DOCUMENT 0x0004
#define OFS_TOKENIZE_QUERY 0x0001
#define OFS_TOKENIZE_PREFIX 0x0002
#define OFS_TOKENIZE_AUX 0x0008 /* for an auxiliary function: offsets matter, token text not */

/* Called once per token; token is folded text (not NUL-terminated), start/end are byte offsets
 * into the original input. A non-zero return stops tokenization and is returned by
 * ofs_tokenizer_run. */
typedef int (*ofs_token_fn)(void *ctx, int flags, const char *token, int ntoken, int start, int end);

/* Creates a tokenizer from FTS5-style options, e.g. {"diacritics","0","stem","english"}.
 * Options: diacritics 0|1 (default 1: fold), stem none|<snowball language> (default none),
 * compounds 0|1 (default 1). Unknown options or values are an OFS_INVALID error naming them. */
int ofs_tokenizer_new(const char *const *argv, int argc, ofs_tokenizer **out, char **errmsg);
void ofs_tokenizer_free(ofs_tokenizer *tok);

/* Creates a tokenizer from an options string as an index stores it ("stem english",
 * "ofs diacritics 0"; a leading "ofs" is skipped, words are separated by blanks). A stock FTS5
 * tokenizer ("=unicode61 ...") is OFS_NOTFOUND with no tokenizer: nothing of ours applies. */
int ofs_tokenizer_from_options(const char *options, ofs_tokenizer **out, char **errmsg);

/* Tokenizes len bytes of UTF-8 (invalid sequences and NUL bytes are tolerated). reason is one of
 * OFS_TOKENIZE_*. Not thread-safe per handle: use one handle per thread. */
int ofs_tokenizer_run(ofs_tokenizer *tok, int reason, const char *text, int len, ofs_token_fn fn, void *ctx);

/* Registers the `ofs` FTS5 tokenizer and the `ofs_snippet` auxiliary function with a
 * connection. Returns an SQLite result code. */
int ofs_fts5_register(sqlite3 *db);

#ifdef __cplusplus
}
#endif

#endif
