/* The query language for people, compiled to FTS5 expressions that can never be a syntax error.
 *   words (all must match) · "exact phrase" · -excluded · a OR b · prefix* ·
 *   title:word · collection:name · kind:term|faq|section|page
 * Anything else is literal text. Synonyms expand at compile time. See docs/query-syntax.md. */
#ifndef OFSEARCH_QUERY_H
#define OFSEARCH_QUERY_H

#include <stddef.h>

#include "ofsearch/common.h"
#include "ofsearch/tokenizer.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ofs_synonyms ofs_synonyms;
typedef struct ofs_query ofs_query;

/* Loads a synonyms file (format in docs/query-syntax.md: `MOC = Mass Open Cloud`, one group per
 * line, `#` comments). tok folds the entries the way the index does (may be NULL). */
int ofs_synonyms_load(const char *path, ofs_tokenizer *tok, ofs_synonyms **out, char **errmsg);
int ofs_synonyms_parse(const char *text, size_t len, ofs_tokenizer *tok, ofs_synonyms **out,
                       char **errmsg);
void ofs_synonyms_free(ofs_synonyms *syn);

typedef struct {
    int prefix_last;             /* as-you-type: the last bare word becomes a prefix */
    size_t max_bytes;            /* 0: no limit; longer input fails with OFS_TOOLONG */
    const ofs_synonyms *synonyms; /* may be NULL */
    ofs_tokenizer *tok;          /* drops words that yield no tokens; may be NULL */
    int drop_stopwords;          /* any-word form: leave out English stop words (lib/stopwords.c)
                                    unless nothing else is left */
    int dedupe;                  /* a word repeated in the query counts once */
} ofs_query_options;

/* 1 when the word (any case) is in ofsearch's English stop-word list. */
int ofs_is_stopword(const char *word, size_t len);

int ofs_query_parse(const char *text, size_t len, const ofs_query_options *opts, ofs_query **out,
                    char **errmsg);
void ofs_query_free(ofs_query *q);

/* FTS5 MATCH expression requiring every positive clause; NULL when the query has no positive
 * clause (nothing to search for). */
const char *ofs_query_match_all(const ofs_query *q);
/* The relaxed form: any positive clause matches; exclusions and title: filters still apply. */
const char *ofs_query_match_any(const ofs_query *q);
/* Filters taken out of the text (NULL when absent). kind is validated: an unknown kind: value is
 * literal text. */
const char *ofs_query_collection(const ofs_query *q);
const char *ofs_query_kind(const ofs_query *q);
/* The positive bare words (no phrases, filters or prefixes), in order, for did-you-mean. */
size_t ofs_query_nwords(const ofs_query *q);
const char *ofs_query_word(const ofs_query *q, size_t i);
/* The positive text as typed, space-joined (for matching term/faq titles as a whole). */
const char *ofs_query_text(const ofs_query *q);

#ifdef __cplusplus
}
#endif

#endif
