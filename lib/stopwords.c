/* English stop words: function words that carry little meaning on their own. The query module
 * leaves them out of the any-word (relaxed) form, where each one would otherwise pull in most of
 * the index; all-words queries and phrases keep them. English only: the relevance benchmark
 * measures the list on Cranfield (docs/eval.md); other languages' words never match it. */
#include "ofsearch/query.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Sorted (strcmp order) for bsearch. */
static const char *const stopwords[] = {
    "a",     "about",  "above", "after", "again", "against", "all",   "also",   "am",
    "an",    "and",    "any",   "are",   "as",    "at",      "be",    "been",   "before",
    "being", "below",  "between", "both", "but",  "by",      "can",   "could",  "did",
    "do",    "does",   "doing", "done",  "down",  "during",  "each",  "few",    "for",
    "from",  "further", "had",  "has",   "have",  "having",  "he",    "her",    "here",
    "hers",  "him",    "his",   "how",   "i",     "if",      "in",    "into",   "is",
    "it",    "its",    "itself", "just", "may",   "me",      "might", "more",   "most",
    "must",  "my",     "no",    "nor",   "not",   "now",     "of",    "off",    "on",
    "once",  "only",   "or",    "other", "our",   "out",     "over",  "own",    "same",
    "shall", "she",    "should", "so",   "some",  "such",    "than",  "that",   "the",
    "their", "them",   "then",  "there", "these", "they",    "this",  "those",  "through",
    "to",    "too",    "under", "until", "up",    "upon",    "us",    "very",   "was",
    "we",    "were",   "what",  "when",  "where", "which",   "while", "who",    "whom",
    "why",   "will",   "with",  "would", "you",   "your",
};

static int cmp(const void *key, const void *elem)
{
    return strcmp((const char *)key, *(const char *const *)elem);
}

int ofs_is_stopword(const char *word, size_t len)
{
    char low[16];
    if (len == 0 || len >= sizeof low)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)word[i];
        if (c >= 0x80)
            return 0;
        low[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    low[len] = '\0';
    return bsearch(low, stopwords, sizeof stopwords / sizeof stopwords[0], sizeof stopwords[0],
                   cmp) != NULL;
}
