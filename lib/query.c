/* The query language for people (see docs/query-syntax.md), compiled to FTS5 expressions.
 * Every piece of user text reaches FTS5 inside a quoted string with `"` doubled, and all the
 * operators are ours, so no input can produce an FTS5 syntax error.
 * Pipeline: clean UTF-8 → lex into items → tokenize each once, dropping empty words → resolve
 * OR → as-you-type prefix → synonym expansion → clauses → render match_all / match_any.
 * The clauses are kept: the searcher asks for the any-word form again without the words it
 * finds common (ofsi_query_leave_out), and reads what the one tokenization learnt (internal.h)
 * instead of tokenizing the query again. */
#include "ofsearch/ofsearch.h"
#include "ofsearch/query.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "buffer.h"
#include "internal.h"
#include "synonyms.h"
#include "utf8.h"
#include "util.h"

/* Bounds that keep a long query from turning into a huge expression or a slow parse. */
#define MAX_ITEMS 256       /* items lexed; the rest of the text is ignored */
#define MAX_CLAUSES 32      /* FTS5 strings in the expression, synonyms and OR operands included */
#define MAX_SYN_MEMBERS 16  /* alternatives one synonym expansion may add */

/* A phrase string this long or longer is not looked up as a term (the searcher's bound). */
#define MAX_TERM_PHRASE 511
/* A token this long or longer is not kept as a term. */
#define MAX_TERM 256

/* What one tokenization of a text gives: token positions (colocated parts of a compound share
 * one), tokens in all, and the first position's token, folded (NULL when none or too long). */
typedef struct {
    int npos, ntok;
    char *first;
} tally;

typedef struct {
    char *text;  /* content: a word without its `-`, `title:` or `*`; a phrase without quotes */
    int phrase;  /* came from "quotes" */
    int neg;     /* -excluded */
    int title;   /* title: filter */
    int prefix;  /* prefix* */
    int or_cand; /* a bare uppercase OR: an operator if it stands between two clauses */
    int is_or;   /* resolved as the operator */
    tally t;     /* of text (with a tokenizer; else zero) */
} item;

/* One FTS5 string or group of them, with what the searcher needs of each string. */
typedef struct {
    char *expr;      /* rendered: "x", "x"*, title:"x", or alternatives joined by OR */
    char **terms;    /* per string of expr, in order: the one indexed term it is, or NULL */
    size_t nterms;
    size_t nalts;    /* OR alternatives it holds (positive clauses) */
    int stop;        /* a lone stop word: the any-word form leaves it out */
    char *word_term; /* the term of the lone bare word it was made of (one that may be left out
                        as common), or NULL */
    size_t word_len; /* that word's length in bytes */
} clause;

typedef struct {
    clause *v;
    size_t n;
} clauses;

/* A rendered expression and its strings' terms (internal.h: ofsi_query_form). */
typedef struct {
    char *match;
    char **terms;
    size_t nterms;
} form;

struct ofs_query {
    form forms[3]; /* OFSI_FORM_ALL, _ANY, _LEAN */
    char *collection, *kind, *text;
    char **words, **word_terms;
    size_t nwords;
    int positions;     /* token positions of text */
    clauses pos;       /* positive clauses; an OR group is one clause */
    clauses title;     /* title: filters (always required) */
    clauses excl;      /* exclusions */
    int drop_stop;     /* ofs_query_options.drop_stopwords */
};

static void clause_free(clause *c)
{
    free(c->expr);
    for (size_t i = 0; i < c->nterms; i++)
        free(c->terms[i]);
    free(c->terms);
    free(c->word_term);
}

static void clauses_free(clauses *l)
{
    for (size_t i = 0; i < l->n; i++)
        clause_free(&l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

static void clauses_push(clauses *l, clause c)
{
    l->v = ofsi_xreallocarray(l->v, l->n + 1, sizeof *l->v);
    l->v[l->n++] = c;
}

static void form_free(form *f)
{
    free(f->match);
    for (size_t i = 0; i < f->nterms; i++)
        free(f->terms[i]);
    free(f->terms);
    memset(f, 0, sizeof *f);
}

static void push_term(char ***terms, size_t *n, const char *term)
{
    *terms = ofsi_xreallocarray(*terms, *n + 1, sizeof **terms);
    (*terms)[(*n)++] = term ? ofsi_xstrdup(term) : NULL;
}

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
        if (ofsi_starts_with_ci(s + p, n - p, "title:\"") && memchr(s + p + 7, '"', n - p - 7)) {
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

static int tally_token(void *ctx, int flags, const char *token, int ntoken, int start, int end)
{
    (void)start, (void)end;
    tally *t = ctx;
    t->ntok++;
    if (flags & OFS_TOKEN_COLOCATED)
        return 0;
    if (++t->npos == 1 && ntoken < MAX_TERM)
        t->first = ofsi_xstrndup(token, (size_t)ntoken);
    return 0;
}

/* Tokenizes text as the index folds a query (tok may be NULL: an empty tally). */
static tally tally_text(ofs_tokenizer *tok, const char *text)
{
    tally t = {0, 0, NULL};
    size_t n = strlen(text);
    if (tok && n <= 0x7fffffff)
        ofs_tokenizer_run(tok, OFS_TOKENIZE_QUERY, text, (int)n, tally_token, &t);
    return t;
}

/* The indexed term an FTS5 string of text is, if it is one: a single token, not a prefix, not
 * under a column filter (the searcher knows such a term's document frequency ahead). */
static const char *string_term(const tally *t, const char *text, int prefix, int filtered)
{
    if (prefix || filtered || strlen(text) >= MAX_TERM_PHRASE || t->ntok != 1)
        return NULL;
    return t->first;
}

/* Tokenizes every item once (with a tokenizer), dropping empty items ("") and items with no
 * searchable token (pure punctuation). */
static void tokenize_items(parser *P)
{
    ofs_tokenizer *tok = P->opts->tok;
    size_t k = 0;
    for (size_t i = 0; i < P->nitems; i++) {
        item *it = &P->items[i];
        int keep = it->text[0] != 0;
        if (tok && keep) {
            it->t = tally_text(tok, it->text);
            keep = it->t.ntok > 0;
        }
        if (keep) {
            P->items[k++] = *it;
        } else {
            free(it->text);
            free(it->t.first);
        }
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
    free(P->items[i].t.first);
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

/* Renders one item as a clause: "text", "text"*, title:"text". */
static clause item_clause(const item *it)
{
    clause c = {0};
    c.expr = render_item(it);
    c.nalts = 1;
    push_term(&c.terms, &c.nterms, string_term(&it->t, it->text, it->prefix, it->title));
    return c;
}

typedef struct {
    strlist alts;   /* rendered alternatives, the matched span first */
    strlist texts;  /* their text */
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
    sl_push(&c->texts, ofsi_xstrdup(text));
}

/* The clause of a synonym group: its alternatives joined by OR, each text's term. */
static clause group_clause(parser *P, const syn_collect *g)
{
    clause c = {0};
    ofsi_buf b = {0};
    sb_join(&b, &g->alts, " OR ", 1);
    c.expr = ofsi_buf_take(&b);
    c.nalts = 1;
    for (size_t i = 0; i < g->texts.n; i++) {
        tally t = tally_text(P->opts->tok, g->texts.v[i]);
        push_term(&c.terms, &c.nterms, string_term(&t, g->texts.v[i], 0, 0));
        free(t.first);
    }
    return c;
}

/* Tries to expand the longest run of bare words starting at item i that is a synonym member.
 * On success stores the group in *out and returns the number of items used; 0 if no run
 * matches. */
static size_t expand_synonyms(parser *P, size_t i, clause *out)
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
        syn_collect g = {0};
        ofsi_buf first = {0};
        ofsi_buf_quoted(&first, text);
        sl_push(&g.alts, ofsi_buf_take(&first));
        sl_push(&g.texts, text);
        sl_push(&g.keys, key);
        size_t groups = ofsi_synonyms_each(syn, key, collect_member, &g);
        if (groups > 0)
            *out = group_clause(P, &g);
        sl_free(&g.alts);
        sl_free(&g.texts);
        sl_free(&g.keys);
        if (groups > 0)
            return k;
    }
    return 0;
}

/* What build_clauses fills in the query besides the clauses. */
typedef struct {
    ofsi_buf text;  /* ofs_query_text */
    strlist words;  /* ofs_query_word */
    strlist word_terms;
} positive_text;

static int has_clause(const clauses *l, const char *expr)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->v[i].expr, expr))
            return 1;
    return 0;
}

/* Adds a positive clause, or appends it as one more alternative of the last one (after OR). */
static void add_positive(clauses *l, clause c, int join)
{
    if (join && l->n > 0) {
        clause *last = &l->v[l->n - 1];
        ofsi_buf b = {0};
        ofsi_buf_puts(&b, last->expr);
        ofsi_buf_puts(&b, " OR ");
        ofsi_buf_puts(&b, c.expr);
        free(last->expr);
        last->expr = ofsi_buf_take(&b);
        last->nalts++;
        for (size_t i = 0; i < c.nterms; i++)
            push_term(&last->terms, &last->nterms, c.terms[i]);
        clause_free(&c);
        return;
    }
    clauses_push(l, c);
}

/* Records the positive text of items [i, i+used) for ofs_query_text / ofs_query_word. */
static void add_text(parser *P, positive_text *T, size_t i, size_t used)
{
    for (size_t j = i; j < i + used; j++) {
        const item *it = &P->items[j];
        if (T->text.n)
            ofsi_buf_add(&T->text, " ", 1);
        ofsi_buf_puts(&T->text, it->text);
        P->q->positions += it->t.npos;
        if (bare_word(it)) {
            sl_push(&T->words, ofsi_xstrdup(it->text));
            sl_push(&T->word_terms, it->t.npos == 1 && it->t.first ? ofsi_xstrdup(it->t.first)
                                                                    : NULL);
        }
    }
}

/* Turns items into clauses: a synonym run becomes one alternative group, OR joins neighbours.
 * A clause of one bare word is a stop word to leave out of the any-word form (when asked), and
 * keeps its term for the searcher to leave it out if it is common. */
static void build_clauses(parser *P, positive_text *T)
{
    ofs_query *q = P->q;
    int join = 0;
    size_t nstrings = 0; /* items rendered so far, against MAX_CLAUSES */
    for (size_t i = 0; i < P->nitems && nstrings < MAX_CLAUSES; i++) {
        item *it = &P->items[i];
        if (it->is_or) {
            join = 1;
            continue;
        }
        clause c = {0};
        size_t used = 0;
        if (bare_word(it) && P->opts->synonyms)
            used = expand_synonyms(P, i, &c);
        if (!used) {
            c = item_clause(it);
            used = 1;
        }
        nstrings++;
        if (it->neg) {
            clauses_push(&q->excl, c);
        } else {
            add_text(P, T, i, used);
            if (it->title) {
                clauses_push(&q->title, c);
            } else if (P->opts->dedupe && !join && has_clause(&q->pos, c.expr)) {
                clause_free(&c);
            } else {
                if (used == 1 && bare_word(it)) {
                    c.stop = P->opts->drop_stopwords && ofs_is_stopword(it->text, strlen(it->text));
                    c.word_len = strlen(it->text);
                    if (it->t.npos == 1 && it->t.first)
                        c.word_term = ofsi_xstrdup(it->t.first);
                }
                add_positive(&q->pos, c, join);
            }
        }
        join = 0;
        i += used - 1;
    }
}

/* Appends clause c's expression to b, and its strings' terms to f. */
static void put_clause(ofsi_buf *b, form *f, const clause *c)
{
    ofsi_buf_puts(b, c->expr);
    for (size_t i = 0; i < c->nterms; i++)
        if (f->nterms < OFSI_MAX_PHRASE_DF)
            push_term(&f->terms, &f->nterms, c->terms[i]);
}

/* Renders the required part (all: every clause; any: one of the positive clauses, without
 * those marked in drop when drop_stop is set) followed by the exclusions, into f. f->match
 * stays NULL when there is no positive clause. */
static void render(const ofs_query *q, int any, const unsigned char *drop, int drop_stop,
                   form *f)
{
    memset(f, 0, sizeof *f);
    const clauses *pos = &q->pos, *title = &q->title, *excl = &q->excl;
    size_t nparts = pos->n + title->n;
    if (nparts == 0)
        return;
    ofsi_buf b = {0};
    size_t top = 0; /* top-level operands, to know when NOT needs parentheses */
    if (pos->n > 0) {
        if (any) {
            ofsi_buf a = {0};
            size_t kept = 0;
            for (size_t i = 0; i < pos->n; i++)
                kept += !drop[i];
            int skip = drop_stop && kept > 0;
            for (size_t i = 0, n = 0; i < pos->n; i++) {
                if (skip && drop[i])
                    continue;
                if (n++)
                    ofsi_buf_puts(&a, " OR ");
                put_clause(&a, f, &pos->v[i]);
            }
            int paren = (pos->n > 1 || pos->v[0].nalts > 1) && title->n > 0;
            if (paren)
                ofsi_buf_putc(&b, '(');
            ofsi_buf_add(&b, a.s ? a.s : "", a.n);
            if (paren)
                ofsi_buf_putc(&b, ')');
            free(a.s);
            top = (pos->n > 1 || pos->v[0].nalts > 1) && !paren ? 2 : 1;
        } else {
            for (size_t i = 0; i < pos->n; i++) {
                if (i)
                    ofsi_buf_puts(&b, " AND ");
                int paren = pos->v[i].nalts > 1 && nparts > 1;
                if (paren)
                    ofsi_buf_putc(&b, '(');
                put_clause(&b, f, &pos->v[i]);
                if (paren)
                    ofsi_buf_putc(&b, ')');
            }
            top = pos->n > 1 || pos->v[0].nalts > 1 ? 2 : 1;
        }
    }
    for (size_t i = 0; i < title->n; i++) {
        if (b.n)
            ofsi_buf_puts(&b, " AND ");
        put_clause(&b, f, &title->v[i]);
        top++;
    }
    if (excl->n > 0) {
        ofsi_buf x = {0};
        if (top > 1)
            ofsi_buf_putc(&x, '(');
        ofsi_buf_add(&x, b.s ? b.s : "", b.n);
        if (top > 1)
            ofsi_buf_putc(&x, ')');
        ofsi_buf_puts(&x, " NOT ");
        if (excl->n > 1)
            ofsi_buf_putc(&x, '(');
        for (size_t i = 0; i < excl->n; i++) {
            if (i)
                ofsi_buf_puts(&x, " OR ");
            put_clause(&x, f, &excl->v[i]);
        }
        if (excl->n > 1)
            ofsi_buf_putc(&x, ')');
        free(b.s);
        b = x;
    }
    f->match = ofsi_buf_take(&b);
}

/* The stop flags of the positive clauses (NULL-safe for none). */
static unsigned char *stop_flags(const ofs_query *q)
{
    unsigned char *stop = ofsi_xmalloc(q->pos.n);
    for (size_t i = 0; i < q->pos.n; i++)
        stop[i] = (unsigned char)q->pos.v[i].stop;
    return stop;
}

void ofs_query_free(ofs_query *q)
{
    if (!q)
        return;
    for (int i = 0; i < 3; i++)
        form_free(&q->forms[i]);
    free(q->collection);
    free(q->kind);
    free(q->text);
    for (size_t i = 0; i < q->nwords; i++) {
        free(q->words[i]);
        free(q->word_terms[i]);
    }
    free(q->words);
    free(q->word_terms);
    clauses_free(&q->pos);
    clauses_free(&q->title);
    clauses_free(&q->excl);
    free(q);
}

/* Renders the two forms and moves the positive text into q. */
static void finish(ofs_query *q, positive_text *T)
{
    unsigned char *stop = stop_flags(q);
    render(q, 0, stop, q->drop_stop, &q->forms[OFSI_FORM_ALL]);
    render(q, 1, stop, q->drop_stop, &q->forms[OFSI_FORM_ANY]);
    free(stop);
    q->text = ofsi_buf_take(&T->text);
    q->words = T->words.v;
    q->word_terms = T->word_terms.v;
    q->nwords = T->words.n;
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
    q->drop_stop = opts->drop_stopwords;
    lex(P);
    tokenize_items(P);
    resolve_or_and_prefix(P);
    positive_text T = {{0}, {0}, {0}};
    build_clauses(P, &T);
    finish(q, &T);
    for (size_t i = 0; i < P->nitems; i++) {
        free(P->items[i].text);
        free(P->items[i].t.first);
    }
    free(s);
    free(P);
    *out = q;
    return OFS_OK;
}

const char *ofs_query_match_all(const ofs_query *q)
{
    return q ? q->forms[OFSI_FORM_ALL].match : NULL;
}

const char *ofs_query_match_any(const ofs_query *q)
{
    return q ? q->forms[OFSI_FORM_ANY].match : NULL;
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

/* ---- what the searcher reads (internal.h) ---------------------------------------------- */

void ofsi_query_get_form(const ofs_query *q, int which, ofsi_query_form *out)
{
    const form *f = &q->forms[which];
    out->match = f->match;
    out->terms = (const char *const *)f->terms;
    out->nterms = (int)f->nterms;
}

int ofsi_query_positions(const ofs_query *q)
{
    return q->positions;
}

const char *ofsi_query_word_term(const ofs_query *q, size_t i)
{
    return i < q->nwords ? q->word_terms[i] : NULL;
}

size_t ofsi_query_nclauses(const ofs_query *q)
{
    return q->pos.n;
}

const char *ofsi_query_clause_term(const ofs_query *q, size_t i, size_t *word_len)
{
    const clause *c = &q->pos.v[i];
    *word_len = c->word_len;
    return c->stop ? NULL : c->word_term;
}

void ofsi_query_leave_out(ofs_query *q, const unsigned char *common)
{
    unsigned char *drop = stop_flags(q);
    for (size_t i = 0; i < q->pos.n; i++)
        drop[i] |= common[i] != 0;
    form_free(&q->forms[OFSI_FORM_LEAN]);
    render(q, 1, drop, 1, &q->forms[OFSI_FORM_LEAN]);
    free(drop);
}
