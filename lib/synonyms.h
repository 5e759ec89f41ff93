/* What query.c uses of synonyms.c (private): folding text the way the synonyms table keys it,
 * and walking the members of a group. */
#ifndef OFS_SYNONYMS_H
#define OFS_SYNONYMS_H

#include "ofsearch/query.h"

int ofsi_synonyms_fold(ofs_tokenizer *tok, const char *text, size_t len, char **key, size_t *ntok);
size_t ofsi_synonyms_max_tokens(const ofs_synonyms *syn);
size_t ofsi_synonyms_each(const ofs_synonyms *syn, const char *key,
                         void (*fn)(void *ctx, const char *text, const char *mkey), void *ctx);

#endif
