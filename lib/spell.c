/* Did-you-mean: for each query word the index does not hold, the closest indexed term (an
 * optimal-string-alignment distance of 1 for short words, 2 for longer ones, among the terms
 * sharing its first character; ties go to the term in more rows), shown as people write it
 * (the stem "kubernet" as "kubernetes", read back from a document where it occurs).
 * The index's vocabulary in memory: fts5vocab computes each term's row count by walking its
 * postings, 3 ms per corrected word on tldr-pages, where reading all 90k terms once costs 70 ms.
 * A searcher that corrects words often (a daemon's) reads them once, after VOCAB_AFTER_CALLS
 * corrections; one that corrects a word or two (the CLI) keeps asking fts5vocab. */
#include "searcher.h"

#include "alloc.h"
#include "buffer.h"
#include "utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define VOCAB_AFTER_CALLS 3
#define VOCAB_MAX_TERMS 4000000
#define MAX_WORDS 16 /* words of a query corrected */

int ofsi_spell_open(ofsi_spell *sp, sqlite3 *db)
{
    int rc = sqlite3_prepare_v3(db,
                                "SELECT term, doc FROM temp.ofs_vocab"
                                " WHERE term >= ?1 AND term < ?2",
                                -1, SQLITE_PREPARE_PERSISTENT, &sp->range, NULL);
    /* A text where an indexed term occurs, the occurrence marked, to show a stemmed term as a
     * word people write ("kubernet" -> "kubernetes"). */
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v3(db,
                                "SELECT highlight(fts, 0, char(1), char(2)),"
                                " highlight(fts, 2, char(1), char(2))"
                                " FROM fts WHERE fts MATCH ?1 LIMIT 1",
                                -1, SQLITE_PREPARE_PERSISTENT, &sp->surface, NULL);
    return rc;
}

static void vocab_free(ofsi_vocab *v)
{
    free(v->text);
    free(v->off);
    free(v->docs);
    memset(v, 0, sizeof *v);
}

void ofsi_spell_clear(ofsi_spell *sp)
{
    vocab_free(&sp->vocab);
    sp->calls = 0;
}

void ofsi_spell_close(ofsi_spell *sp)
{
    ofsi_spell_clear(sp);
    sqlite3_finalize(sp->range);
    sqlite3_finalize(sp->surface);
    memset(sp, 0, sizeof *sp);
}

/* Decodes UTF-8 into at most max code points (the input came out of the tokenizer, so it is
 * valid; a byte that were not would count as one U+FFFD). */
static int to_codepoints(const char *s, int len, uint32_t *out, int max)
{
    int n = 0;
    for (int i = 0; i < len && n < max;) {
        size_t k = ofsi_utf8_decode(s + i, (size_t)(len - i), &out[n++]);
        i += k ? (int)k : 1;
    }
    return n;
}

/* Optimal-string-alignment distance (Damerau-Levenshtein with adjacent transpositions), bounded:
 * returns max+1 as soon as the distance must exceed max. Words are short (≤ 64 code points). */
static int edit_distance(const uint32_t *a, int na, const uint32_t *b, int nb, int max)
{
    if (abs(na - nb) > max)
        return max + 1;
    int d[66][66];
    for (int i = 0; i <= na; i++)
        d[i][0] = i;
    for (int j = 0; j <= nb; j++)
        d[0][j] = j;
    for (int i = 1; i <= na; i++) {
        int rowmin = max + 1;
        for (int j = 1; j <= nb; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
            if (v < rowmin)
                rowmin = v;
        }
        if (rowmin > max)
            return max + 1;
    }
    return d[na][nb];
}

/* Reads the whole vocabulary into v; 0 (and state -1) when it cannot or is too big. */
static int vocab_load(ofsi_vocab *v, sqlite3 *db)
{
    ofsi_buf text = {0};
    size_t cap = 0;
    sqlite3_stmt *st = NULL;
    int ok = sqlite3_prepare_v2(db, "SELECT term, doc FROM temp.ofs_vocab", -1, &st, NULL) ==
             SQLITE_OK;
    int rc = SQLITE_DONE;
    while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (v->n == cap) {
            cap = cap ? cap * 2 : 4096;
            if (cap > VOCAB_MAX_TERMS) {
                ok = 0;
                break;
            }
            v->off = ofsi_xreallocarray(v->off, cap, sizeof *v->off);
            v->docs = ofsi_xreallocarray(v->docs, cap, sizeof *v->docs);
        }
        v->off[v->n] = text.n;
        v->docs[v->n] = (long)sqlite3_column_int64(st, 1);
        ofsi_buf_add(&text, (const char *)sqlite3_column_blob(st, 0),
                    (size_t)sqlite3_column_bytes(st, 0));
        ofsi_buf_add(&text, "", 1);
        v->n++;
    }
    if (rc != SQLITE_DONE)
        ok = 0;
    sqlite3_finalize(st);
    v->text = ofsi_buf_take(&text);
    if (!ok) {
        free(v->text), free(v->off), free(v->docs);
        memset(v, 0, sizeof *v);
        v->state = -1;
        return 0;
    }
    v->state = 1;
    return 1;
}

/* First index of a term >= key (byte order, as FTS5 sorts). */
static size_t vocab_lower_bound(const ofsi_vocab *v, const char *key)
{
    size_t lo = 0, hi = v->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(v->text + v->off[mid], key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* A candidate of closest_term: keeps it when nearer (or as near and in more rows). */
typedef struct {
    const uint32_t *wcp;
    int nw, wlen, max;
    char *best;
    int best_d;
    long best_docs;
} closest;

static void consider(closest *c, const char *t, int tlen, long docs)
{
    uint32_t ccp[64];
    if (!t || tlen > 4 * 64 || abs(tlen - c->wlen) > 2 * c->max * 4)
        return;
    int nc = to_codepoints(t, tlen, ccp, 64);
    int d = edit_distance(c->wcp, c->nw, ccp, nc, c->best_d < c->max ? c->best_d : c->max);
    if (d <= c->max && (d < c->best_d || (d == c->best_d && docs > c->best_docs))) {
        free(c->best);
        c->best = ofsi_xstrndup(t, (size_t)tlen);
        c->best_d = d;
        c->best_docs = docs;
    }
}

/* The closest vocabulary term to `word` (folded), or NULL. Candidates share the first character
 * (a typo there is rare, and it turns a vocabulary scan into a range scan); the distance allowed
 * grows with length; ties go to the more frequent term. */
static char *closest_term(ofs_searcher *s, const char *word, int wlen)
{
    uint32_t wcp[64];
    int nw = to_codepoints(word, wlen, wcp, 64);
    if (nw < 3 || nw >= 64)
        return NULL;
    int first = 1;
    while (first < wlen && ((unsigned char)word[first] & 0xC0) == 0x80)
        first++;
    char lo[8], hi[8];
    memcpy(lo, word, (size_t)first);
    lo[first] = '\0';
    memcpy(hi, word, (size_t)first);
    hi[first] = '\0';
    hi[first - 1]++; /* the next string after every term starting with lo */
    closest c = {.wcp = wcp, .nw = nw, .wlen = wlen, .max = nw <= 4 ? 1 : 2};
    c.best_d = c.max + 1;
    ofsi_spell *sp = &s->spell;
    if (sp->vocab.state == 0 && ++sp->calls >= VOCAB_AFTER_CALLS)
        vocab_load(&sp->vocab, s->db);
    if (sp->vocab.state == 1) {
        const ofsi_vocab *v = &sp->vocab;
        for (size_t i = vocab_lower_bound(v, lo); i < v->n; i++) {
            const char *t = v->text + v->off[i];
            if (strcmp(t, hi) >= 0)
                break;
            consider(&c, t, (int)strlen(t), v->docs[i]);
        }
        return c.best;
    }
    sqlite3_stmt *st = sp->range;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, lo, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, hi, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW)
        consider(&c, (const char *)sqlite3_column_text(st, 0), sqlite3_column_bytes(st, 0),
                 (long)sqlite3_column_int64(st, 1));
    sqlite3_reset(st);
    return c.best;
}

/* The first marked word (between \1 and \2) of a highlight() text, lower-cased, or NULL. */
static char *marked_word(const char *t)
{
    const char *a = t ? strchr(t, 1) : NULL;
    const char *b = a ? strchr(a + 1, 2) : NULL;
    if (!b || b - a - 1 <= 0 || b - a - 1 > 255)
        return NULL;
    char *w = ofsi_xstrndup(a + 1, (size_t)(b - a - 1));
    for (char *p = w; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p + 32);
    return w;
}

typedef struct {
    const char *term;
    int len, start, end; /* the span of the first token equal to term; start -1: none */
} term_span;

static int find_term(void *ctx, int flags, const char *t, int n, int start, int end)
{
    (void)flags;
    term_span *p = ctx;
    if (p->start < 0 && n == p->len && memcmp(t, p->term, (size_t)n) == 0) {
        p->start = start;
        p->end = end;
    }
    return 0;
}

/* highlight() marks the whole compound a term is a part of ("argocd.md" for "argocd": the
 * part is a colocated token, which highlight() skips); the part of word that is term, as the
 * tokenizer splits it. Takes ownership of word. */
static char *term_part(ofs_searcher *s, char *word, const char *term)
{
    term_span p = {term, (int)strlen(term), -1, -1};
    int len = (int)strlen(word);
    if (s->tok)
        ofs_tokenizer_run(s->tok, OFS_TOKENIZE_DOCUMENT, word, len, find_term, &p);
    if (p.start < 0 || (p.start == 0 && p.end >= len) || p.end <= p.start || p.end > len)
        return word;
    char *part = ofsi_xstrndup(word + p.start, (size_t)(p.end - p.start));
    free(word);
    return part;
}

/* The word as written in a document for an indexed term (a stem when the index stems); the
 * term itself when no occurrence can be found. Takes ownership of term. */
static char *surface_form(ofs_searcher *s, char *term)
{
    ofsi_buf q = {0};
    ofsi_buf_quoted(&q, term);
    char *expr = ofsi_buf_take(&q);
    sqlite3_stmt *st = s->spell.surface;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, expr, -1, SQLITE_STATIC);
    char *word = NULL;
    if (sqlite3_step(st) == SQLITE_ROW) {
        word = marked_word((const char *)sqlite3_column_text(st, 0));
        if (!word)
            word = marked_word((const char *)sqlite3_column_text(st, 1));
    }
    sqlite3_reset(st);
    free(expr);
    if (!word)
        return term;
    word = term_part(s, word, term);
    free(term);
    return word;
}

char *ofsi_spell_correct(ofs_searcher *s, const ofs_query *q)
{
    if (!s->tok || !s->cfg.did_you_mean)
        return NULL;
    size_t nw = ofs_query_nwords(q);
    ofsi_buf out = {0};
    int changed = 0;
    for (size_t i = 0; i < nw && i < MAX_WORDS; i++) {
        const char *w = ofs_query_word(q, i);
        const char *term = ofsi_query_word_term(q, i); /* folded by the parse, as the index does */
        char *fix = NULL;
        if (term && ofsi_term_docs(&s->terms, term) == 0)
            fix = closest_term(s, term, (int)strlen(term));
        if (fix)
            fix = surface_form(s, fix);
        if (out.n)
            ofsi_buf_putc(&out, ' ');
        if (fix) {
            ofsi_buf_puts(&out, fix);
            changed = 1;
            free(fix);
        } else {
            ofsi_buf_puts(&out, w);
        }
    }
    if (!changed) {
        free(out.s);
        return NULL;
    }
    return ofsi_buf_take(&out);
}
