/* The query language for people (see docs/query-syntax.md), compiled to FTS5 expressions.
 * Every piece of user text reaches FTS5 inside a quoted string with `"` doubled, and all the
 * operators are ours, so no input can produce an FTS5 syntax error.
 * Pipeline: sanitize UTF-8 → lex into items → drop empty words → resolve OR → as-you-type
 * prefix → synonym expansion → render match_all / match_any. */
#include "ofsearch/ofsearch.h"
#include "ofsearch/query.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "buffer.h"
#include "synonyms.h"
#include "utf8.h"
#include "util.h"

/* Bounds that keep a long query from turning into a huge expression or a slow parse. */
#define MAX_ITEMS 256       /* items lexed; the rest of the text is ignored */
#define MAX_CLAUSES 32      /* FTS5 strings in the expression, synonyms and OR operands included */
#define MAX_SYN_MEMBERS 16  /* alternatives one synonym expansion may add */

typedef struct {
    char *text;  /* content: a word without its `-`, `title:` or `*`; a phrase without quotes */
    int phrase;  /* came from "quotes" */
    int neg;     /* -excluded */
    int title;   /* title: filter */
    int prefix;  /* prefix* */
    int or_cand; /* a bare uppercase OR: an operator if it stands between two clauses */
    int is_or;   /* resolved as the operator */
} item;

struct ofs_query {
    char *match_all, *match_any, *collection, *kind, *text;
    char **words;
    size_t nwords;
};

typedef struct {
    char **v;
    size_t n;
} strlist;

static void sl_push(strlist *l, char *s)
{
    l->v = ofsi_xreallocarray(l->v, l->n + 1, sizeof *l->v);
    l->v[l->n++] = s;
}

static void sl_free(strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

/* Appends l's strings joined by sep, in parentheses when there are several and paren is set. */
static void sb_join(ofsi_buf *b, const strlist *l, const char *sep, int paren)
{
    int p = paren && l->n > 1;
    if (p)
        ofsi_buf_add(b, "(", 1);
    for (size_t i = 0; i < l->n; i++) {
        if (i)
            ofsi_buf_puts(b, sep);
        ofsi_buf_puts(b, l->v[i]);
    }
    if (p)
        ofsi_buf_add(b, ")", 1);
}

typedef struct {
    const ofs_query_options *opts;
    const char *s; /* sanitized input */
    size_t n;
    item items[MAX_ITEMS];
    size_t nitems;
    ofs_query *q;
} parser;

static int has_prefix_ci(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && strncasecmp(s, prefix, k) == 0;
}

static void push_item(parser *P, item it, const char *text, size_t len)
{
    it.text = ofsi_xstrndup(text, len);
    P->items[P->nitems++] = it;
}

static void set_filter(char **slot, const char *v, size_t len, int lower)
{
    char *s = ofsi_xstrndup(v, len);
    for (char *c = s; lower && *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    free(*slot);
    *slot = s;
}

static int is_kind(const char *v, size_t len)
{
    static const char *const kinds[] = {"term", "faq", "section", "page"};
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (strlen(kinds[i]) == len && strncasecmp(v, kinds[i], len) == 0)
            return 1;
    return 0;
}

/* Classifies one whitespace-delimited word: a filter taken out of the text, or an item. */
static void lex_word(parser *P, item it, const char *w, size_t len)
{
    const char *colon = memchr(w, ':', len);
    if (colon && !it.neg) {
        size_t nlen = (size_t)(colon - w), vlen = len - nlen - 1;
        const char *v = colon + 1;
        if (nlen == 10 && vlen && strncasecmp(w, "collection", 10) == 0) {
            set_filter(&P->q->collection, v, vlen, 0);
            return;
        }
        if (nlen == 4 && strncasecmp(w, "kind", 4) == 0 && is_kind(v, vlen)) {
            set_filter(&P->q->kind, v, vlen, 1);
            return;
        }
    }
    if (colon && colon - w == 5 && len > 6 && strncasecmp(w, "title", 5) == 0) {
        it.title = 1;
        w += 6;
        len -= 6;
    }
    if (!it.neg && !it.title && len == 2 && w[0] == 'O' && w[1] == 'R')
        it.or_cand = 1;
    size_t stem = len;
    while (stem > 0 && w[stem - 1] == '*')
        stem--;
    if (stem > 0 && stem < len) {
        it.prefix = 1;
        len = stem;
    }
    push_item(P, it, w, len);
}

/* Splits the sanitized input into items. An unbalanced quote is ignored; a quote inside a word
 * is part of the word. */
static void lex(parser *P)
{
    const char *s = P->s;
    size_t n = P->n, p = 0;
    while (p < n && P->nitems < MAX_ITEMS) {
        while (p < n && ofsi_is_blank((unsigned char)s[p]))
            p++;
        if (p >= n)
            break;
        item it = {0};
        if (s[p] == '-' && p + 1 < n && !ofsi_is_blank((unsigned char)s[p + 1])) {
            it.neg = 1;
            p++;
        }
        if (has_prefix_ci(s + p, n - p, "title:\"") && memchr(s + p + 7, '"', n - p - 7)) {
            it.title = 1;
            p += 6;
        }
        if (s[p] == '"') {
            const char *close = memchr(s + p + 1, '"', n - p - 1);
            if (close) {
                it.phrase = 1;
                size_t start = p + 1, end = (size_t)(close - s);
                p = end + 1;
                if (p < n && s[p] == '*') {
                    it.prefix = 1;
                    while (p < n && s[p] == '*')
                        p++;
                }
                push_item(P, it, s + start, end - start);
                continue;
            }
            p++; /* unbalanced: the quote is dropped, what follows is read as words */
            if (p >= n || ofsi_is_blank((unsigned char)s[p]))
                continue;
        }
        size_t start = p;
        while (p < n && !ofsi_is_blank((unsigned char)s[p]))
            p++;
        lex_word(P, it, s + start, p - start);
    }
}

static int count_token(void *ctx, int flags, const char *token, int ntoken, int start, int end)
{
    (void)flags;
    (void)token;
    (void)ntoken;
    (void)start;
    (void)end;
    ++*(int *)ctx;
    return 1; /* one is enough */
}

/* Drops empty items (""), and items with no searchable token (pure punctuation) when a
 * tokenizer is given. */
static void drop_empty(parser *P)
{
    ofs_tokenizer *tok = P->opts->tok;
    size_t k = 0;
    for (size_t i = 0; i < P->nitems; i++) {
        item *it = &P->items[i];
        int ntok = it->text[0] != 0;
        if (tok && ntok) {
            ntok = 0;
            ofs_tokenizer_run(tok, OFS_TOKENIZE_QUERY, it->text, (int)strlen(it->text),
                              count_token, &ntok);
        }
        if (ntok > 0)
            P->items[k++] = *it;
        else
            free(it->text);
    }
    P->nitems = k;
}

/* A positive, unfiltered item that an OR can join. */
static int or_operand(const item *it)
{
    return !it->neg && !it->title && !it->is_or;
}

static void remove_item(parser *P, size_t i)
{
    free(P->items[i].text);
    memmove(P->items + i, P->items + i + 1, (P->nitems - i - 1) * sizeof *P->items);
    P->nitems--;
}

/* OR is the operator only between two OR-able items; anywhere else it is the word "or".
 * While typing, the last word becomes a prefix (unless the text ends in a space: the word is
 * finished), and a trailing OR waits for its right-hand side instead of matching "or". */
static void resolve_or_and_prefix(parser *P)
{
    for (size_t i = 0; i < P->nitems; i++) {
        item *it = &P->items[i];
        if (it->or_cand && i > 0 && i + 1 < P->nitems && or_operand(&P->items[i - 1]) &&
            or_operand(&P->items[i + 1]) && !P->items[i + 1].or_cand)
            it->is_or = 1;
    }
    if (!P->opts->prefix_last || P->nitems == 0 || ofsi_is_blank((unsigned char)P->s[P->n - 1]))
        return;
    if (P->nitems > 1 && P->items[P->nitems - 1].or_cand)
        remove_item(P, P->nitems - 1);
    item *last = &P->items[P->nitems - 1];
    if (!last->phrase && !last->neg)
        last->prefix = 1;
}

/* A bare word: what synonyms expand and did-you-mean corrects. */
static int bare_word(const item *it)
{
    return !it->phrase && !it->neg && !it->title && !it->prefix && !it->is_or;
}

/* Renders one item: "text", "text"*, title:"text". */
static char *render_item(const item *it)
{
    ofsi_buf b = {0};
    if (it->title)
        ofsi_buf_puts(&b, "title:");
    ofsi_buf_quoted(&b, it->text);
    if (it->prefix)
        ofsi_buf_add(&b, "*", 1);
    return ofsi_buf_take(&b);
}

typedef struct {
    strlist alts;   /* rendered alternatives, the matched span first */
    strlist keys;   /* their folded keys, for de-duplication */
} syn_collect;

static void collect_member(void *ctx, const char *text, const char *mkey)
{
    syn_collect *c = ctx;
    if (c->alts.n >= MAX_SYN_MEMBERS + 1)
        return;
    for (size_t i = 0; i < c->keys.n; i++)
        if (strcmp(c->keys.v[i], mkey) == 0)
            return;
    sl_push(&c->keys, ofsi_xstrdup(mkey));
    ofsi_buf b = {0};
    ofsi_buf_quoted(&b, text);
    sl_push(&c->alts, ofsi_buf_take(&b));
}

/* Tries to expand the longest run of bare words starting at item i that is a synonym member.
 * On success stores the rendered group in *expr and returns the number of items used; 0 if
 * no run matches. */
static size_t expand_synonyms(parser *P, size_t i, char **expr)
{
    const ofs_synonyms *syn = P->opts->synonyms;
    size_t maxk = ofsi_synonyms_max_tokens(syn), run = 0;
    while (i + run < P->nitems && run < maxk && bare_word(&P->items[i + run]))
        run++;
    for (size_t k = run; k > 0; k--) {
        ofsi_buf span = {0};
        for (size_t j = i; j < i + k; j++) {
            if (j > i)
                ofsi_buf_add(&span, " ", 1);
            ofsi_buf_puts(&span, P->items[j].text);
        }
        char *text = ofsi_buf_take(&span), *key = NULL;
        size_t ntok = 0;
        int rc = ofsi_synonyms_fold(P->opts->tok, text, strlen(text), &key, &ntok);
        if (rc != OFS_OK || !key) {
            /* No key (nothing to look up) or a tokenizer failure: no expansion for this run. */
            free(text);
            free(key);
            continue;
        }
        syn_collect c = {0};
        ofsi_buf first = {0};
        ofsi_buf_quoted(&first, text);
        sl_push(&c.alts, ofsi_buf_take(&first));
        sl_push(&c.keys, ofsi_xstrdup(key));
        size_t groups = ofsi_synonyms_each(syn, key, collect_member, &c);
        free(text);
        free(key);
        if (groups > 0) {
            ofsi_buf b = {0};
            sb_join(&b, &c.alts, " OR ", 1);
            *expr = ofsi_buf_take(&b);
        }
        sl_free(&c.alts);
        sl_free(&c.keys);
        if (groups > 0)
            return k;
    }
    return 0;
}

typedef struct {
    strlist pos;     /* positive clauses; an OR group is one clause */
    size_t *nalts;   /* per positive clause: how many OR alternatives it holds */
    unsigned char *stop; /* per positive clause: a lone stop word (left out of the any form) */
    int drop_stop;   /* ofs_query_options.drop_stopwords */
    strlist title;   /* title: filters (always required) */
    strlist excl;    /* exclusions */
    ofsi_buf text;       /* ofs_query_text */
    strlist words;   /* ofs_query_word */
    size_t nstrings; /* items rendered so far, against MAX_CLAUSES */
} clauses;

static void clauses_free(clauses *C)
{
    sl_free(&C->pos);
    sl_free(&C->title);
    sl_free(&C->excl);
    sl_free(&C->words);
    free(C->nalts);
    free(C->stop);
    free(C->text.s);
}

static int has_clause(const clauses *C, const char *expr)
{
    for (size_t i = 0; i < C->pos.n; i++)
        if (!strcmp(C->pos.v[i], expr))
            return 1;
    return 0;
}

/* Adds a positive clause, or appends it as one more alternative of the last one (after OR).
 * stop marks a clause that is a lone stop word. */
static void add_positive(clauses *C, char *expr, int join, int stop)
{
    if (join && C->pos.n > 0) {
        ofsi_buf b = {0};
        ofsi_buf_puts(&b, C->pos.v[C->pos.n - 1]);
        ofsi_buf_puts(&b, " OR ");
        ofsi_buf_puts(&b, expr);
        free(expr);
        char *joined = ofsi_buf_take(&b);
        free(C->pos.v[C->pos.n - 1]);
        C->pos.v[C->pos.n - 1] = joined;
        C->nalts[C->pos.n - 1]++;
        return;
    }
    C->nalts = ofsi_xreallocarray(C->nalts, C->pos.n + 1, sizeof *C->nalts);
    C->stop = ofsi_xrealloc(C->stop, C->pos.n + 1);
    C->nalts[C->pos.n] = 1;
    C->stop[C->pos.n] = (unsigned char)stop;
    if (join && C->pos.n > 0)
        C->stop[C->pos.n - 1] = 0;
    sl_push(&C->pos, expr);
}

/* Records the positive text of items [i, i+used) for ofs_query_text / ofs_query_word. */
static void add_text(parser *P, clauses *C, size_t i, size_t used)
{
    for (size_t j = i; j < i + used; j++) {
        const item *it = &P->items[j];
        if (C->text.n)
            ofsi_buf_add(&C->text, " ", 1);
        ofsi_buf_puts(&C->text, it->text);
        if (bare_word(it))
            sl_push(&C->words, ofsi_xstrdup(it->text));
    }
}

/* A word the any-word form can do without: a stop word, or one the caller calls common. */
static int weak_word(const parser *P, const char *w)
{
    size_t n = strlen(w);
    return (P->opts->drop_stopwords && ofs_is_stopword(w, n)) ||
           (P->opts->is_common && P->opts->is_common(P->opts->common_ctx, w, n));
}

/* Turns items into clauses: a synonym run becomes one alternative group, OR joins neighbours. */
static void build_clauses(parser *P, clauses *C)
{
    int join = 0;
    for (size_t i = 0; i < P->nitems && C->nstrings < MAX_CLAUSES; i++) {
        item *it = &P->items[i];
        if (it->is_or) {
            join = 1;
            continue;
        }
        char *expr = NULL;
        size_t used = 0;
        if (bare_word(it) && P->opts->synonyms)
            used = expand_synonyms(P, i, &expr);
        if (!used) {
            expr = render_item(it);
            used = 1;
        }
        C->nstrings++;
        if (it->neg)
            sl_push(&C->excl, expr);
        else {
            add_text(P, C, i, used);
            if (it->title)
                sl_push(&C->title, expr);
            else if (P->opts->dedupe && !join && has_clause(C, expr))
                free(expr);
            else
                add_positive(C, expr, join, used == 1 && bare_word(it) && weak_word(P, it->text));
        }
        join = 0;
        i += used - 1;
    }
}

/* Renders the required part (all: every clause; any: one of the positive clauses) followed by
 * the exclusions. NULL (and no error) when there is no positive clause. */
static char *render(const clauses *C, int any)
{
    size_t nparts = C->pos.n + C->title.n;
    if (nparts == 0)
        return NULL;
    ofsi_buf b = {0};
    size_t top = 0; /* top-level operands, to know when NOT needs parentheses */
    if (C->pos.n > 0) {
        if (any) {
            ofsi_buf a = {0};
            size_t kept = 0;
            for (size_t i = 0; i < C->pos.n; i++)
                kept += !C->stop[i];
            int skip_stop = C->drop_stop && kept > 0;
            for (size_t i = 0, n = 0; i < C->pos.n; i++) {
                if (skip_stop && C->stop[i])
                    continue;
                if (n++)
                    ofsi_buf_puts(&a, " OR ");
                ofsi_buf_puts(&a, C->pos.v[i]);
            }
            int paren = (C->pos.n > 1 || C->nalts[0] > 1) && C->title.n > 0;
            if (paren)
                ofsi_buf_add(&b, "(", 1);
            ofsi_buf_add(&b, a.s ? a.s : "", a.n);
            if (paren)
                ofsi_buf_add(&b, ")", 1);
            free(a.s);
            top = (C->pos.n > 1 || C->nalts[0] > 1) && !paren ? 2 : 1;
        } else {
            for (size_t i = 0; i < C->pos.n; i++) {
                if (i)
                    ofsi_buf_puts(&b, " AND ");
                int paren = C->nalts[i] > 1 && nparts > 1;
                if (paren)
                    ofsi_buf_add(&b, "(", 1);
                ofsi_buf_puts(&b, C->pos.v[i]);
                if (paren)
                    ofsi_buf_add(&b, ")", 1);
            }
            top = C->pos.n > 1 || C->nalts[0] > 1 ? 2 : 1;
        }
    }
    for (size_t i = 0; i < C->title.n; i++) {
        if (b.n)
            ofsi_buf_puts(&b, " AND ");
        ofsi_buf_puts(&b, C->title.v[i]);
        top++;
    }
    if (C->excl.n > 0) {
        ofsi_buf x = {0};
        if (top > 1)
            ofsi_buf_add(&x, "(", 1);
        ofsi_buf_add(&x, b.s ? b.s : "", b.n);
        if (top > 1)
            ofsi_buf_add(&x, ")", 1);
        ofsi_buf_puts(&x, " NOT ");
        sb_join(&x, &C->excl, " OR ", 1);
        free(b.s);
        b = x;
    }
    return ofsi_buf_take(&b);
}

void ofs_query_free(ofs_query *q)
{
    if (!q)
        return;
    free(q->match_all);
    free(q->match_any);
    free(q->collection);
    free(q->kind);
    free(q->text);
    for (size_t i = 0; i < q->nwords; i++)
        free(q->words[i]);
    free(q->words);
    free(q);
}

/* Moves the compiled clauses into q. */
static void finish(parser *P, clauses *C)
{
    ofs_query *q = P->q;
    q->match_all = render(C, 0);
    q->match_any = render(C, 1);
    q->text = ofsi_buf_take(&C->text);
    q->words = C->words.v;
    q->nwords = C->words.n;
    C->words.v = NULL;
    C->words.n = 0;
}

/* The query as valid UTF-8 (utf8.c). A NUL separates words, as a blank does: the query
 * language's rule, applied before cleaning would make it U+FFFD inside a word. */
static char *clean_query(const char *text, size_t len, size_t *outlen)
{
    if (!memchr(text, '\0', len))
        return ofsi_utf8_clean(text, len, outlen);
    char *copy = ofsi_xmemdup(text, len);
    for (size_t i = 0; i < len; i++)
        if (copy[i] == '\0')
            copy[i] = ' ';
    char *s = ofsi_utf8_clean(copy, len, outlen);
    free(copy);
    return s;
}

int ofs_query_parse(const char *text, size_t len, const ofs_query_options *opts, ofs_query **out,
                    char **errmsg)
{
    static const ofs_query_options defaults = {0};
    *out = NULL;
    if (!opts)
        opts = &defaults;
    if (!text && len)
        return ofs_set_error(errmsg, OFS_INVALID, "query: NULL text");
    if (opts->max_bytes && len > opts->max_bytes)
        return ofs_set_error(errmsg, OFS_TOOLONG, "query is %zu bytes; the limit is %zu", len,
                             opts->max_bytes);
    parser *P = ofsi_xcalloc(1, sizeof *P);
    ofs_query *q = ofsi_xcalloc(1, sizeof *q);
    char *s = clean_query(text ? text : "", len, &P->n);
    P->opts = opts;
    P->s = s;
    P->q = q;
    lex(P);
    drop_empty(P);
    resolve_or_and_prefix(P);
    clauses C = {0};
    C.drop_stop = opts->drop_stopwords || opts->is_common;
    build_clauses(P, &C);
    finish(P, &C);
    clauses_free(&C);
    for (size_t i = 0; i < P->nitems; i++)
        free(P->items[i].text);
    free(s);
    free(P);
    *out = q;
    return OFS_OK;
}

const char *ofs_query_match_all(const ofs_query *q)
{
    return q ? q->match_all : NULL;
}

const char *ofs_query_match_any(const ofs_query *q)
{
    return q ? q->match_any : NULL;
}

const char *ofs_query_collection(const ofs_query *q)
{
    return q ? q->collection : NULL;
}

const char *ofs_query_kind(const ofs_query *q)
{
    return q ? q->kind : NULL;
}

size_t ofs_query_nwords(const ofs_query *q)
{
    return q ? q->nwords : 0;
}

const char *ofs_query_word(const ofs_query *q, size_t i)
{
    return q && i < q->nwords ? q->words[i] : NULL;
}

const char *ofs_query_text(const ofs_query *q)
{
    return q ? q->text : NULL;
}
