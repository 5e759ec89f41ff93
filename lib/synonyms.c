/* Synonym groups for query expansion: `A = B = C` per line, `#` comments. Each member is folded
 * the way the index folds text (the `ofs` tokenizer, or ASCII lowercase without one) so lookups
 * ignore case and diacritics; query.c expands bare words through ofsi_synonyms_each(), after
 * folding them the same way (ofsi_synonyms_fold). */
#include "ofsearch/ofsearch.h"
#include "ofsearch/query.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "buffer.h"
#include "synonyms.h"
#include "utf8.h"
#include "util.h"

/* Largest synonyms file accepted; a word list this big is surely a mistake. */
#define SYN_MAX_FILE (16u << 20)

typedef struct {
    char *text; /* as written in the file (trimmed, valid UTF-8) */
    char *key;  /* folded */
    size_t group;
} syn_member;

struct ofs_synonyms {
    syn_member *members; /* in file order; a group's members are contiguous */
    size_t nmembers;
    size_t *group_start; /* index of a group's first member; group_start[ngroups] == nmembers */
    size_t ngroups;
    size_t *by_key;      /* member indexes sorted by key, for binary search */
    size_t max_tokens;
};

typedef struct {
    ofsi_buf b;   /* the key; b.s stays NULL while no token was added */
    size_t ntok;
} fold_ctx;

static void fold_append(fold_ctx *f, const char *s, size_t n)
{
    if (f->ntok > 0)
        ofsi_buf_add(&f->b, " ", 1);
    ofsi_buf_add(&f->b, s, n);
    f->ntok++;
}

static int fold_token(void *ctx, int flags, const char *token, int ntoken, int start, int end)
{
    (void)start;
    (void)end;
    /* Colocated tokens are alternative spellings of the same position (parts of file.txt); the
     * key keeps one token per position, as a phrase match would. */
    if (flags & OFS_TOKEN_COLOCATED)
        return 0;
    if (ntoken > 0)
        fold_append(ctx, token, (size_t)ntoken);
    return 0;
}

/* Folds text into a lookup key: its tokens joined by single spaces (tok), or its
 * whitespace-separated words in ASCII lowercase (tok NULL). *key is malloc'd, or NULL when the
 * text has no token; *ntok is the number of tokens. */
int ofsi_synonyms_fold(ofs_tokenizer *tok, const char *text, size_t len, char **key, size_t *ntok)
{
    fold_ctx f = {0};
    *key = NULL;
    *ntok = 0;
    if (tok) {
        if (len > (size_t)0x7fffffff)
            return OFS_TOOLONG;
        int rc = ofs_tokenizer_run(tok, OFS_TOKENIZE_QUERY, text, (int)len, fold_token, &f);
        if (rc != 0) {
            free(f.b.s);
            return OFS_ERROR;
        }
    } else {
        size_t i = 0;
        while (i < len) {
            while (i < len && ofsi_is_blank((unsigned char)text[i]))
                i++;
            size_t s = i;
            while (i < len && !ofsi_is_blank((unsigned char)text[i]))
                i++;
            if (i > s) {
                fold_append(&f, text + s, i - s);
                for (size_t k = f.b.n - (i - s); k < f.b.n; k++)
                    f.b.s[k] = (char)tolower((unsigned char)f.b.s[k]);
            }
        }
    }
    *key = f.b.s;
    *ntok = f.ntok;
    return OFS_OK;
}

void ofs_synonyms_free(ofs_synonyms *syn)
{
    if (!syn)
        return;
    for (size_t i = 0; i < syn->nmembers; i++) {
        free(syn->members[i].text);
        free(syn->members[i].key);
    }
    free(syn->members);
    free(syn->group_start);
    free(syn->by_key);
    free(syn);
}

static void add_member(ofs_synonyms *syn, size_t *cap, char *text, char *key, size_t group)
{
    if (syn->nmembers == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        syn->members = ofsi_xreallocarray(syn->members, *cap, sizeof *syn->members);
    }
    syn->members[syn->nmembers++] = (syn_member){text, key, group};
}

/* Where a line's content ends: at a `#` that begins the line or follows whitespace (so `C#`
 * stays a member). */
static const char *comment_start(const char *s, const char *e)
{
    for (const char *p = s; p < e; p++)
        if (*p == '#' && (p == s || ofsi_is_blank((unsigned char)p[-1])))
            return p;
    return e;
}

/* Parses one line's members into syn as a new group. */
static int parse_line(ofs_synonyms *syn, size_t *cap, const char *s, const char *e, long lineno,
                      ofs_tokenizer *tok, char **errmsg)
{
    size_t first = syn->nmembers, group = syn->ngroups;
    const char *p = s;
    for (;;) {
        const char *eq = memchr(p, '=', (size_t)(e - p));
        const char *ms = p;
        size_t mn = (size_t)((eq ? eq : e) - p);
        ofsi_trim(&ms, &mn);
        if (mn == 0)
            return ofs_set_error(errmsg, OFS_INVALID, "synonyms line %ld: empty member", lineno);
        char *text = ofsi_utf8_clean(ms, mn, NULL);
        char *key = NULL;
        size_t ntok = 0;
        int rc = ofsi_synonyms_fold(tok, text, strlen(text), &key, &ntok);
        if (rc != OFS_OK || !key) {
            free(text);
            free(key);
            if (rc != OFS_OK)
                return ofs_set_error(errmsg, rc, "synonyms line %ld: cannot tokenize a member",
                                     lineno);
            return ofs_set_error(errmsg, OFS_INVALID,
                                 "synonyms line %ld: member \"%.*s\" has no searchable word",
                                 lineno, (int)mn, ms);
        }
        /* A member repeated on its own line adds nothing; drop it quietly. */
        int dup = 0;
        for (size_t i = first; i < syn->nmembers && !dup; i++)
            dup = strcmp(syn->members[i].key, key) == 0;
        if (dup) {
            free(text);
            free(key);
        } else {
            add_member(syn, cap, text, key, group);
        }
        if (ntok > syn->max_tokens)
            syn->max_tokens = ntok;
        if (!eq)
            break;
        p = eq + 1;
    }
    if (syn->nmembers - first < 2 && memchr(s, '=', (size_t)(e - s)) == NULL)
        return ofs_set_error(errmsg, OFS_INVALID,
                             "synonyms line %ld: expected `word = synonym`, got no `=`", lineno);
    syn->group_start = ofsi_xreallocarray(syn->group_start, syn->ngroups + 2,
                                          sizeof *syn->group_start);
    syn->group_start[syn->ngroups++] = first;
    return OFS_OK;
}

static int cmp_key(const void *a, const void *b, void *ctx)
{
    const ofs_synonyms *syn = ctx;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    int c = strcmp(syn->members[i].key, syn->members[j].key);
    if (c == 0)
        c = i < j ? -1 : i > j;
    return c;
}

int ofs_synonyms_parse(const char *text, size_t len, ofs_tokenizer *tok, ofs_synonyms **out,
                       char **errmsg)
{
    *out = NULL;
    if (!text && len)
        return ofs_set_error(errmsg, OFS_INVALID, "synonyms: no text");
    ofs_synonyms *syn = ofsi_xcalloc(1, sizeof *syn);
    size_t cap = 0;
    long lineno = 0;
    const char *p = text, *end = text + len;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        p += 3; /* a byte-order mark some editors write */
    int rc = OFS_OK;
    while (len && p < end && rc == OFS_OK) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        lineno++;
        const char *ts = p;
        size_t tn = (size_t)(comment_start(p, le) - p);
        ofsi_trim(&ts, &tn);
        if (tn > 0)
            rc = parse_line(syn, &cap, ts, ts + tn, lineno, tok, errmsg);
        p = nl ? nl + 1 : end;
    }
    if (rc == OFS_OK && syn->nmembers) {
        syn->by_key = ofsi_xreallocarray(NULL, syn->nmembers, sizeof *syn->by_key);
        for (size_t i = 0; i < syn->nmembers; i++)
            syn->by_key[i] = i;
        qsort_r(syn->by_key, syn->nmembers, sizeof *syn->by_key, cmp_key, syn);
    }
    if (rc == OFS_OK && !syn->group_start)
        syn->group_start = ofsi_xmalloc(sizeof *syn->group_start);
    if (rc != OFS_OK) {
        ofs_synonyms_free(syn);
        return rc;
    }
    syn->group_start[syn->ngroups] = syn->nmembers;
    *out = syn;
    return OFS_OK;
}

int ofs_synonyms_load(const char *path, ofs_tokenizer *tok, ofs_synonyms **out, char **errmsg)
{
    *out = NULL;
    char *buf;
    size_t n;
    int e = ofsi_read_file(path, SYN_MAX_FILE, &buf, &n, NULL);
    if (e == EFBIG)
        return ofs_set_error(errmsg, OFS_TOOLONG, "%s: synonyms file over %u bytes", path,
                             SYN_MAX_FILE);
    if (e)
        return ofs_set_error(errmsg, OFS_IO, "%s: %s", path, strerror(e));
    int rc = ofs_synonyms_parse(buf, n, tok, out, errmsg);
    free(buf);
    if (rc != OFS_OK && errmsg && *errmsg) {
        char *m = *errmsg;
        *errmsg = NULL;
        ofs_set_error(errmsg, rc, "%s: %s", path, m);
        free(m);
    }
    return rc;
}

/* The longest member in tokens: query.c never needs to try longer runs of words. */
size_t ofsi_synonyms_max_tokens(const ofs_synonyms *syn)
{
    return syn ? syn->max_tokens : 0;
}

/* Calls fn(ctx, text, key) for every member of every group that holds key (the matching member
 * included; a member in two groups is reported from each). Returns how many groups matched. */
size_t ofsi_synonyms_each(const ofs_synonyms *syn, const char *key,
                         void (*fn)(void *ctx, const char *text, const char *mkey), void *ctx)
{
    if (!syn || !key || !syn->nmembers)
        return 0;
    size_t lo = 0, hi = syn->nmembers;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(syn->members[syn->by_key[mid]].key, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t groups = 0;
    for (size_t k = lo; k < syn->nmembers; k++) {
        const syn_member *m = &syn->members[syn->by_key[k]];
        if (strcmp(m->key, key) != 0)
            break;
        groups++;
        for (size_t i = syn->group_start[m->group]; i < syn->group_start[m->group + 1]; i++)
            fn(ctx, syn->members[i].text, syn->members[i].key);
    }
    return groups;
}
