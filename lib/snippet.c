/* ofs_snippet(fts, mode, ntokens): the FTS5 auxiliary function that shows why a row matched —
 * a window of about ntokens tokens around the densest cluster of hits, in plain text, HTML
 * (escaped, hits in <mark>) or ANSI colour. Output is always valid UTF-8 on one line.
 * Stateless apart from the call's own buffers, so any number of connections may use it at once. */
#include "internal.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_TOKENS 30
#define MAX_TOKENS 1000
/* Source bytes shown per token of window at most: keeps a window that spans a blob the
 * tokenizer skipped (base64, a long rule of dashes) from becoming kilobytes of snippet. */
#define BYTES_PER_TOKEN 48

enum { COL_TITLE = 0, COL_BODY = 2 };
enum { MODE_PLAIN = 0, MODE_HTML = 1, MODE_ANSI = 2 };

static const char *const mark_open[] = {"", "<mark>", "\033[1;31m"};
static const char *const mark_close[] = {"", "</mark>", "\033[0m"};
static const char ellipsis[] = "\xE2\x80\xA6";

/* Byte range of one token position (the union of its colocated tokens). */
typedef struct {
    int start, end;
} span;

typedef struct {
    span *v;
    int n, cap;
    int textlen;
    int oom;
} positions;

typedef struct {
    char *s;
    size_t n, cap;
    int oom;
    int pending_space; /* whitespace seen since the last character written */
} out_buf;

/* Records each token position the way FTS5 counts them: a colocated token shares the position
 * of the token before it. */
static int on_token(void *ctx, int tflags, const char *token, int ntoken, int start, int end)
{
    positions *p = ctx;
    (void)token;
    (void)ntoken;
    if (start < 0)
        start = 0;
    if (end > p->textlen)
        end = p->textlen;
    if (end < start)
        end = start;
    if ((tflags & FTS5_TOKEN_COLOCATED) && p->n > 0) {
        span *last = &p->v[p->n - 1];
        if (start < last->start)
            last->start = start;
        if (end > last->end)
            last->end = end;
        return SQLITE_OK;
    }
    if (p->n == p->cap) {
        int cap = p->cap ? p->cap * 2 : 256;
        span *nv = realloc(p->v, (size_t)cap * sizeof *nv);
        if (!nv) {
            p->oom = 1;
            return SQLITE_NOMEM;
        }
        p->v = nv;
        p->cap = cap;
    }
    p->v[p->n++] = (span){start, end};
    return SQLITE_OK;
}

static void out_put(out_buf *o, const char *s, size_t n)
{
    if (o->oom)
        return;
    if (o->n + n + 1 > o->cap) {
        size_t cap = o->cap ? o->cap : 256;
        while (cap < o->n + n + 1)
            cap *= 2;
        char *ns = realloc(o->s, cap);
        if (!ns) {
            o->oom = 1;
            return;
        }
        o->s = ns;
        o->cap = cap;
    }
    memcpy(o->s + o->n, s, n);
    o->n += n;
    o->s[o->n] = 0;
}

static void out_puts(out_buf *o, const char *s)
{
    out_put(o, s, strlen(s));
}

/* Writes a pending space, unless nothing has been written yet (no leading space). */
static void flush_space(out_buf *o)
{
    if (o->pending_space && o->n > 0)
        out_put(o, " ", 1);
    o->pending_space = 0;
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if invalid. Kept local so snippet.c
 * stands alone as an extension piece. */
static int utf8_len(const unsigned char *s, int n)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    int len;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        lo = c == 0xE0 ? 0xA0 : 0x80;
        hi = c == 0xED ? 0x9F : 0xBF;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF;
    } else
        return 0;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (int i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return len;
}

/* Writes one character of document text at z (at most n bytes available); returns the bytes
 * consumed. Whitespace and control characters (C0, DEL, C1: a stray ESC must not reach a
 * terminal) collapse into one space; invalid bytes become U+FFFD; HTML mode escapes. */
static int put_char(out_buf *o, const unsigned char *z, int n, int mode)
{
    int k = utf8_len(z, n);
    unsigned c = z[0];
    int blank = (k == 1 && (c <= 0x20 || c == 0x7F)) || (k == 2 && c == 0xC2 && z[1] < 0xA0);
    if (blank) {
        o->pending_space = 1;
        return k;
    }
    flush_space(o);
    if (k == 0) {
        out_put(o, "\xEF\xBF\xBD", 3);
        return 1;
    }
    if (mode == MODE_HTML && k == 1) {
        switch (c) {
        case '&': out_puts(o, "&amp;"); return 1;
        case '<': out_puts(o, "&lt;"); return 1;
        case '>': out_puts(o, "&gt;"); return 1;
        case '"': out_puts(o, "&quot;"); return 1;
        case '\'': out_puts(o, "&#39;"); return 1;
        default: break;
        }
    }
    out_put(o, (const char *)z, (size_t)k);
    return k;
}

/* The column to show: the body if it has a hit, else the column with the most hits, else the
 * body (or the title when the body is empty). */
static int pick_column(const Fts5ExtensionApi *api, Fts5Context *fts, int ninst)
{
    int ncol = api->xColumnCount(fts);
    int *hits = calloc((size_t)(ncol > 0 ? ncol : 1), sizeof *hits);
    int best = -1;
    if (hits) {
        for (int i = 0; i < ninst; i++) {
            int ip, ic, io;
            if (api->xInst(fts, i, &ip, &ic, &io) == SQLITE_OK && ic >= 0 && ic < ncol)
                hits[ic]++;
        }
        if (ncol > COL_BODY && hits[COL_BODY] > 0)
            best = COL_BODY;
        for (int c = 0; best != COL_BODY && c < ncol; c++)
            if (hits[c] > 0 && (best < 0 || hits[c] > hits[best]))
                best = c;
        free(hits);
    }
    if (best >= 0)
        return best;
    const char *z = NULL;
    int n = 0;
    if (ncol > COL_BODY && api->xColumnText(fts, COL_BODY, &z, &n) == SQLITE_OK && n > 0)
        return COL_BODY;
    return COL_TITLE;
}

/* A hit: a token position in the shown column and the query phrase it belongs to. */
typedef struct {
    int pos, phrase;
} hit;

static int cmp_hit(const void *a, const void *b)
{
    const hit *x = a, *y = b;
    return x->pos != y->pos ? (x->pos > y->pos) - (x->pos < y->pos) : x->phrase - y->phrase;
}

/* Collects the hits of column col (every token of a matched phrase), sorted by position, and
 * marks their positions in marked[0..npos). */
static hit *collect_hits(const Fts5ExtensionApi *api, Fts5Context *fts, int ninst, int col,
                         int npos, unsigned char *marked, int *nhits)
{
    int cap = 16, n = 0;
    hit *h = malloc((size_t)cap * sizeof *h);
    for (int i = 0; h && i < ninst; i++) {
        int ip, ic, io;
        if (api->xInst(fts, i, &ip, &ic, &io) != SQLITE_OK || ic != col || io < 0)
            continue;
        int size = api->xPhraseSize(fts, ip);
        for (int k = 0; k < (size > 0 ? size : 1) && io + k < npos; k++) {
            if (n == cap) {
                hit *nh = realloc(h, (size_t)(cap *= 2) * sizeof *nh);
                if (!nh) {
                    free(h);
                    return NULL;
                }
                h = nh;
            }
            h[n++] = (hit){io + k, ip};
            marked[io + k] = 1;
        }
    }
    if (h)
        qsort(h, (size_t)n, sizeof *h, cmp_hit);
    *nhits = n;
    return h;
}

/* First token of the best window of w positions: the one holding the most distinct phrases,
 * then the most hits; then shifted so the hits sit in the middle of the window. */
static int best_window(const hit *h, int nhits, int nphrase, int npos, int w)
{
    if (nhits == 0 || npos <= w)
        return 0;
    int *count = calloc((size_t)(nphrase > 0 ? nphrase : 1), sizeof *count);
    if (!count)
        return h[0].pos;
    long best_score = -1;
    int best_i = 0, best_j = 0, distinct = 0;
    for (int i = 0, j = 0; i < nhits; i++) {
        while (j < nhits && h[j].pos < h[i].pos + w) {
            if (h[j].phrase >= 0 && h[j].phrase < nphrase && count[h[j].phrase]++ == 0)
                distinct++;
            j++;
        }
        long score = (long)distinct * 1000 + (j - i);
        if (score > best_score) {
            best_score = score;
            best_i = i;
            best_j = j;
        }
        if (h[i].phrase >= 0 && h[i].phrase < nphrase && --count[h[i].phrase] == 0)
            distinct--;
    }
    free(count);
    int first = h[best_i].pos, last = h[best_j - 1].pos;
    int start = first - (w - (last - first + 1)) / 2;
    if (start > npos - w)
        start = npos - w;
    return start < 0 ? 0 : start;
}

/* Writes text [b0, b1) of z with the marked positions of [s, e) wrapped in markers. */
static void write_window(out_buf *o, const char *z, int n, const positions *p,
                         const unsigned char *marked, int s, int e, int b0, int b1, int mode)
{
    int k = s, in_mark = 0, mark_end = 0;
    for (int i = b0; i < b1;) {
        if (in_mark && i >= mark_end) {
            out_puts(o, mark_close[mode]);
            in_mark = 0;
        }
        while (k < e && p->v[k].end <= i)
            k++;
        if (!in_mark && k < e && marked[k] && i >= p->v[k].start && mode != MODE_PLAIN) {
            int last = k;
            while (last + 1 < e && marked[last + 1])
                last++;
            mark_end = p->v[last].end;
            flush_space(o);
            out_puts(o, mark_open[mode]);
            in_mark = 1;
            k = last + 1;
        }
        i += put_char(o, (const unsigned char *)z + i, n - i, mode);
    }
    if (in_mark)
        out_puts(o, mark_close[mode]);
}

/* Builds the snippet of column col into o. */
static int make_snippet(const Fts5ExtensionApi *api, Fts5Context *fts, int col, int ninst,
                        int mode, int w, out_buf *o)
{
    const char *z = NULL;
    int n = 0;
    int rc = api->xColumnText(fts, col, &z, &n);
    if (rc != SQLITE_OK || !z || n <= 0)
        return rc;
    positions p = {.textlen = n};
    rc = api->xTokenize(fts, z, n, &p, on_token);
    if (p.oom)
        rc = SQLITE_NOMEM;
    unsigned char *marked = rc == SQLITE_OK ? calloc((size_t)p.n + 1, 1) : NULL;
    int nhits = 0;
    hit *h = marked ? collect_hits(api, fts, ninst, col, p.n, marked, &nhits) : NULL;
    if (rc == SQLITE_OK && !h)
        rc = SQLITE_NOMEM;
    if (rc == SQLITE_OK) {
        int s = best_window(h, nhits, api->xPhraseCount(fts), p.n, w);
        int e = s + w < p.n ? s + w : p.n;
        int b0 = s == 0 ? 0 : p.v[s].start;
        int b1 = e == p.n ? n : p.v[e - 1].end;
        /* A window stretched over text the tokenizer skipped is cut at a token end in budget. */
        int budget = w * BYTES_PER_TOKEN;
        while (b1 - b0 > budget && e > s + 1 && e - 1 > s) {
            e--;
            b1 = p.v[e - 1].end;
        }
        int cut_bytes = b1 - b0 > budget;
        if (cut_bytes)
            b1 = b0 + budget;
        if (s > 0)
            out_puts(o, ellipsis);
        write_window(o, z, n, &p, marked, s, e, b0, b1, mode);
        if (e < p.n || cut_bytes)
            out_puts(o, ellipsis);
        if (o->oom)
            rc = SQLITE_NOMEM;
    }
    free(h);
    free(marked);
    free(p.v);
    return rc;
}

static void ofs_snippet_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
                           int nval, sqlite3_value **vals)
{
    int mode = nval > 0 ? sqlite3_value_int(vals[0]) : MODE_PLAIN;
    int w = nval > 1 ? sqlite3_value_int(vals[1]) : DEFAULT_TOKENS;
    if (nval > 2 || mode < MODE_PLAIN || mode > MODE_ANSI) {
        sqlite3_result_error(ctx, "usage: ofs_snippet(fts, mode 0|1|2, ntokens)", -1);
        return;
    }
    if (w <= 0)
        w = DEFAULT_TOKENS;
    if (w > MAX_TOKENS)
        w = MAX_TOKENS;
    int ninst = 0;
    if (api->xInstCount(fts, &ninst) != SQLITE_OK)
        ninst = 0;
    out_buf o = {0};
    int rc = make_snippet(api, fts, pick_column(api, fts, ninst), ninst, mode, w, &o);
    if (rc != SQLITE_OK) {
        free(o.s);
        sqlite3_result_error_code(ctx, rc);
        return;
    }
    if (!o.s)
        sqlite3_result_text(ctx, "", 0, SQLITE_STATIC);
    else
        sqlite3_result_text(ctx, o.s, (int)o.n, free);
}

int ofs_snippet_register_fts5(fts5_api *api)
{
    if (!api)
        return SQLITE_ERROR;
    return api->xCreateFunction(api, "ofs_snippet", NULL, ofs_snippet_fn, NULL);
}
