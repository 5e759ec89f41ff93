/* ofs_snippet(fts, mode, ntokens): the FTS5 auxiliary function that shows why a row matched —
 * a window of about ntokens tokens around the densest cluster of hits, in plain text, HTML
 * (escaped, hits in <mark>), ANSI colour or bare markers for the caller's own tags. Output is
 * always valid UTF-8 on one line. ofs_highlight(fts, col) marks a whole column the same way.
 * Stateless apart from the call's own buffers, so any number of connections may use it at once. */
#include "alloc.h"
#include "buffer.h"
#include "internal.h"
#include "utf8.h"

#include <limits.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_TOKENS 30
#define MAX_TOKENS 1000
/* Source bytes shown per token of window at most: keeps a window that spans a blob the
 * tokenizer skipped (base64, a long rule of dashes) from becoming kilobytes of snippet. */
#define BYTES_PER_TOKEN 48

enum { COL_TITLE = 0, COL_BODY = 2 };
enum { MODE_PLAIN = 0, MODE_HTML = 1, MODE_ANSI = 2, MODE_MARKERS = 3 };

/* MODE_MARKERS: control characters, which put_char never lets through from the text, so a
 * caller can swap them for its own tags and crop marker (Meilisearch's highlightPreTag, …). */
static const char *const mark_open[] = {"", "<mark>", "\033[1;31m", "\001"};
static const char *const mark_close[] = {"", "</mark>", "\033[0m", "\002"};
static const char *const ellipsis[] = {"\xE2\x80\xA6", "\xE2\x80\xA6", "\xE2\x80\xA6", "\003"};

/* Byte range of one token position (the union of its colocated tokens). */
typedef struct {
    int start, end;
} span;

typedef struct {
    span *v;
    int n, cap;
    int textlen;
    int stop_at;   /* stop tokenizing after this many positions (0: never) */
    int truncated; /* tokenizing stopped early: text follows the last position */
} positions;

typedef struct {
    ofsi_buf b;
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
    if (p->stop_at > 0 && p->n >= p->stop_at) {
        p->truncated = 1;
        return SQLITE_DONE; /* past any window the snippet can show */
    }
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 256;
        p->v = ofsi_xreallocarray(p->v, (size_t)p->cap, sizeof *p->v);
    }
    p->v[p->n++] = (span){start, end};
    return SQLITE_OK;
}

static void out_put(out_buf *o, const char *s, size_t n)
{
    ofsi_buf_add(&o->b, s, n);
}

static void out_puts(out_buf *o, const char *s)
{
    out_put(o, s, strlen(s));
}

/* Writes a pending space, unless nothing has been written yet (no leading space). */
static void flush_space(out_buf *o)
{
    if (o->pending_space && o->b.n > 0)
        out_put(o, " ", 1);
    o->pending_space = 0;
}


/* Writes one character of document text at z (at most n bytes available); returns the bytes
 * consumed. Whitespace and control characters (C0, DEL, C1: a stray ESC must not reach a
 * terminal) collapse into one space; invalid bytes become U+FFFD; HTML mode escapes. */
static int put_char(out_buf *o, const unsigned char *z, int n, int mode)
{
    int k = (int)ofsi_utf8_len(z, n);
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

/* The row's phrase instances, read once: from FTS5 (xInst, when the statement has a MATCH) or
 * from a blob that ofs_insts() made of them in an earlier statement (see below). */
typedef struct {
    int phrase, col, off, size; /* size: tokens in the phrase */
} inst;

typedef struct {
    inst *v;
    int n;
    int nphrase;
} inst_list;

static int insts_from_fts5(const Fts5ExtensionApi *api, Fts5Context *fts, inst_list *l)
{
    int ninst = 0;
    if (api->xInstCount(fts, &ninst) != SQLITE_OK || ninst < 0)
        ninst = 0;
    l->nphrase = api->xPhraseCount(fts);
    l->v = ofsi_xreallocarray(NULL, (size_t)ninst, sizeof *l->v);
    for (int i = 0; i < ninst; i++) {
        inst x;
        if (api->xInst(fts, i, &x.phrase, &x.col, &x.off) != SQLITE_OK)
            continue;
        x.size = api->xPhraseSize(fts, x.phrase);
        l->v[l->n++] = x;
    }
    return SQLITE_OK;
}

/* The blob: "OFSI", then little-endian uint16 nphrase, uint16 ninst, nphrase phrase sizes
 * (uint8), ninst x (uint8 phrase, uint8 col, uint32 offset). Read from SQL, so anything may
 * arrive: a blob that is not exactly that is refused. */
#define INSTS_MAGIC "OFSI"
#define INSTS_MAX 4096
#define INSTS_MAX_PHRASE 255

static unsigned get_u16(const unsigned char *p)
{
    return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static unsigned long get_u32(const unsigned char *p)
{
    return (unsigned long)p[0] | (unsigned long)p[1] << 8 | (unsigned long)p[2] << 16 |
           (unsigned long)p[3] << 24;
}

static int insts_from_blob(const unsigned char *b, int n, int ncol, inst_list *l)
{
    if (n < 8 || memcmp(b, INSTS_MAGIC, 4))
        return SQLITE_MISMATCH;
    int nphrase = (int)get_u16(b + 4), ninst = (int)get_u16(b + 6);
    if (ninst > INSTS_MAX || n != 8 + nphrase + ninst * 6)
        return SQLITE_MISMATCH;
    const unsigned char *sizes = b + 8, *p = b + 8 + nphrase;
    l->nphrase = nphrase;
    l->v = ofsi_xreallocarray(NULL, (size_t)ninst, sizeof *l->v);
    for (int i = 0; i < ninst; i++, p += 6) {
        unsigned long off = get_u32(p + 2);
        if (p[0] >= nphrase || p[1] >= ncol || off > (unsigned long)INT32_MAX / 2)
            return SQLITE_MISMATCH;
        l->v[l->n++] = (inst){p[0], p[1], (int)off, sizes[p[0]]};
    }
    return SQLITE_OK;
}

/* The current row's phrase instances as ofs_insts() gives them: *blob (n bytes, malloc'd) or
 * NULL when there are too many to carry (ofs_snippet then needs the MATCH). Cheap enough to
 * compute for every row that can still make the page: it keeps those rows from needing a second
 * MATCH (an index lookup per phrase) to make their snippets. */
void ofsi_insts_blob(const Fts5ExtensionApi *api, Fts5Context *fts, unsigned char **blob, int *n)
{
    *blob = NULL;
    *n = 0;
    int ninst = 0, nphrase = api->xPhraseCount(fts);
    if (api->xInstCount(fts, &ninst) != SQLITE_OK || ninst > INSTS_MAX ||
        nphrase > INSTS_MAX_PHRASE || api->xColumnCount(fts) > 255)
        return;
    int size = 8 + nphrase + ninst * 6;
    unsigned char *b = ofsi_xmalloc((size_t)size);
    memcpy(b, INSTS_MAGIC, 4);
    b[4] = (unsigned char)nphrase, b[5] = (unsigned char)(nphrase >> 8);
    b[6] = (unsigned char)ninst, b[7] = (unsigned char)(ninst >> 8);
    for (int i = 0; i < nphrase; i++) {
        int psize = api->xPhraseSize(fts, i);
        b[8 + i] = (unsigned char)(psize < 0 ? 0 : psize > 255 ? 255 : psize);
    }
    unsigned char *p = b + 8 + nphrase;
    for (int i = 0; i < ninst; i++, p += 6) {
        int ip, ic, io;
        if (api->xInst(fts, i, &ip, &ic, &io) != SQLITE_OK || ip < 0 || ic < 0 || io < 0) {
            free(b);
            return;
        }
        p[0] = (unsigned char)ip, p[1] = (unsigned char)ic;
        for (int k = 0; k < 4; k++)
            p[2 + k] = (unsigned char)((unsigned)io >> (8 * k));
    }
    *blob = b;
    *n = size;
}

/* The column to show: the body if it has a hit, else the column with the most hits, else the
 * body (or the title when the body is empty). */
static int pick_column(const Fts5ExtensionApi *api, Fts5Context *fts, const inst_list *l)
{
    int ncol = api->xColumnCount(fts);
    int *hits = ofsi_xcalloc((size_t)(ncol > 0 ? ncol : 1), sizeof *hits);
    int best = -1;
    for (int i = 0; i < l->n; i++)
        if (l->v[i].col >= 0 && l->v[i].col < ncol)
            hits[l->v[i].col]++;
    if (ncol > COL_BODY && hits[COL_BODY] > 0)
        best = COL_BODY;
    for (int c = 0; best != COL_BODY && c < ncol; c++)
        if (hits[c] > 0 && (best < 0 || hits[c] > hits[best]))
            best = c;
    free(hits);
    if (best >= 0)
        return best;
    const char *z = NULL;
    int n = 0;
    if (ncol > COL_BODY && api->xColumnText(fts, COL_BODY, &z, &n) == SQLITE_OK && n > 0)
        return COL_BODY;
    return COL_TITLE;
}

/* A hit: one token position of a matched phrase in the shown column, and that phrase. */
typedef struct {
    int pos, phrase;
} hit;

static int cmp_hit(const void *a, const void *b)
{
    const hit *x = a, *y = b;
    return x->pos != y->pos ? (x->pos > y->pos) - (x->pos < y->pos) : x->phrase - y->phrase;
}

/* The hits of column col (every token of a matched phrase) below position npos, sorted. */
static hit *collect_hits(const inst_list *l, int col, int npos, int *nhits)
{
    int cap = 16, n = 0;
    hit *h = ofsi_xreallocarray(NULL, (size_t)cap, sizeof *h);
    for (int i = 0; i < l->n; i++) {
        const inst *x = &l->v[i];
        if (x->col != col || x->off < 0)
            continue;
        for (int k = 0; k < (x->size > 0 ? x->size : 1) && x->off < npos - k; k++) {
            if (n == cap)
                h = ofsi_xreallocarray(h, (size_t)(cap *= 2), sizeof *h);
            h[n++] = (hit){x->off + k, x->phrase};
        }
    }
    qsort(h, (size_t)n, sizeof *h, cmp_hit);
    *nhits = n;
    return h;
}

/* Numbers the words: a position inside the bytes of an earlier one (the `ofs` tokenizer's parts
 * of file.txt after the first) belongs to that word, so windows count and cut whole words. */
static int *number_words(const positions *p, int *nwords)
{
    int *word = ofsi_xreallocarray(NULL, (size_t)p->n, sizeof *word);
    int w = -1, maxend = 0;
    for (int k = 0; k < p->n; k++) {
        if (k == 0 || p->v[k].start >= maxend)
            w++;
        word[k] = w;
        if (p->v[k].end > maxend)
            maxend = p->v[k].end;
    }
    *nwords = w + 1;
    return word;
}

#define UNIT(word, pos) ((word) ? (word)[pos] : (pos))

/* First word of the best window of w words: the one holding the most distinct phrases, then the
 * most hits; shifted so its hits sit in the middle. word NULL: count token positions instead. */
static int best_window(const hit *h, int nhits, const int *word, int nphrase, int nwords, int w)
{
    if (nhits == 0 || nwords <= w)
        return 0;
    int *count = ofsi_xcalloc((size_t)nphrase, sizeof *count);
    long best_score = -1;
    int best_i = 0, best_j = 1, distinct = 0;
    for (int i = 0, j = 0; i < nhits; i++) {
        while (j < nhits && UNIT(word, h[j].pos) < UNIT(word, h[i].pos) + w) {
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
    int first = UNIT(word, h[best_i].pos), last = UNIT(word, h[best_j - 1].pos);
    int start = first - (w - (last - first + 1)) / 2;
    if (start > nwords - w)
        start = nwords - w;
    return start < 0 ? 0 : start;
}

static int cmp_span(const void *a, const void *b)
{
    const span *x = a, *y = b;
    return (x->start > y->start) - (x->start < y->start);
}

/* Byte ranges to mark: each phrase instance of column col that falls in positions [s, e),
 * clipped to them, sorted and with overlaps merged. */
static span *mark_ranges(const inst_list *l, int col, const positions *p, int s, int e, int *nr)
{
    span *r = ofsi_xreallocarray(NULL, (size_t)l->n, sizeof *r);
    int n = 0;
    for (int i = 0; i < l->n; i++) {
        const inst *x = &l->v[i];
        if (x->col != col || x->off < 0)
            continue;
        int a = x->off > s ? x->off : s, b = x->off + (x->size > 0 ? x->size : 1);
        if (b > e)
            b = e;
        if (a >= b)
            continue;
        span y = p->v[a];
        for (int k = a + 1; k < b; k++)
            if (p->v[k].end > y.end)
                y.end = p->v[k].end;
        r[n++] = y;
    }
    qsort(r, (size_t)n, sizeof *r, cmp_span);
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (m > 0 && r[i].start < r[m - 1].end) {
            if (r[i].end > r[m - 1].end)
                r[m - 1].end = r[i].end;
        } else
            r[m++] = r[i];
    }
    *nr = m;
    return r;
}

/* Writes text [b0, b1) of z with the byte ranges r wrapped in markers. */
static void write_window(out_buf *o, const char *z, int n, int b0, int b1, const span *r, int nr,
                         int mode)
{
    int ri = 0, in_mark = 0;
    for (int i = b0; i < b1;) {
        if (in_mark && i >= r[ri].end) {
            out_puts(o, mark_close[mode]);
            in_mark = 0;
            ri++;
        }
        while (!in_mark && ri < nr && r[ri].end <= i)
            ri++;
        if (!in_mark && ri < nr && i >= r[ri].start && mode != MODE_PLAIN) {
            flush_space(o);
            out_puts(o, mark_open[mode]);
            in_mark = 1;
        }
        i += put_char(o, (const unsigned char *)z + i, n - i, mode);
    }
    if (in_mark)
        out_puts(o, mark_close[mode]);
}

static int max_end(const positions *p, int s, int e)
{
    int m = 0;
    for (int k = s; k < e; k++)
        if (p->v[k].end > m)
            m = p->v[k].end;
    return m;
}

/* Chooses the window [*s, *e) of positions (whole words) and its bytes [*b0, *b1); returns
 * whether the bytes were cut short of the window's last word (over the byte budget). */
static int choose_window(const positions *p, const int *word, int nwords, const hit *h,
                         int nhits, int nphrase, int w, int n, int *s, int *e, int *b0, int *b1)
{
    int ws = best_window(h, nhits, word, nphrase, nwords, w), we = ws + w;
    *s = 0;
    while (*s < p->n && word[*s] < ws)
        (*s)++;
    *e = *s;
    while (*e < p->n && word[*e] < we)
        (*e)++;
    *b0 = *s == 0 ? 0 : p->v[*s].start;
    *b1 = *e == p->n ? n : max_end(p, *s, *e);
    /* A window stretched over text the tokenizer skipped is cut at a word end within budget. */
    int budget = w * BYTES_PER_TOKEN;
    while (*b1 - *b0 > budget && *e > *s + 1) {
        (*e)--;
        while (*e > *s + 1 && word[*e - 1] == word[*e])
            (*e)--;
        *b1 = max_end(p, *s, *e);
    }
    if (*b1 - *b0 > budget) {
        *b1 = *b0 + budget;
        return 1;
    }
    return 0;
}

/* Builds the snippet of column col into o. */
static int make_snippet(const Fts5ExtensionApi *api, Fts5Context *fts, int col,
                        const inst_list *l, int mode, int w, out_buf *o)
{
    const char *z = NULL;
    int n = 0;
    int rc = api->xColumnText(fts, col, &z, &n);
    if (rc != SQLITE_OK || !z || n <= 0)
        return rc;
    /* Tokenizing the text is most of a snippet's cost, and only the window is shown: find the
     * best cluster by token positions first (known without tokenizing), and tokenize no further
     * than a window of words can reach from it (a word spans one position, or a few for a
     * compound such as file.txt). */
    int nall = 0;
    hit *all = collect_hits(l, col, INT_MAX, &nall);
    int from = best_window(all, nall, NULL, l->nphrase, INT_MAX / 2, w);
    free(all);
    positions p = {.textlen = n, .stop_at = from + 3 * w + 2};
    rc = api->xTokenize(fts, z, n, &p, on_token);
    if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    if (rc != SQLITE_OK) {
        free(p.v);
        return rc;
    }
    int nwords = 0, nhits = 0, nr = 0;
    int *word = number_words(&p, &nwords);
    hit *h = collect_hits(l, col, p.n, &nhits);
    int s, e, b0, b1;
    int cut = choose_window(&p, word, nwords, h, nhits, l->nphrase, w, n, &s, &e, &b0, &b1);
    span *r = mark_ranges(l, col, &p, s, e, &nr);
    if (s > 0)
        out_puts(o, ellipsis[mode]);
    write_window(o, z, n, b0, b1, r, nr, mode);
    if (e < p.n || cut || p.truncated)
        out_puts(o, ellipsis[mode]);
    free(r);
    free(h);
    free(word);
    free(p.v);
    return SQLITE_OK;
}

/* The row's phrase instances: from insts (a blob from ofs_insts(), when given and not NULL) or
 * from the statement's MATCH. SQLITE_MISMATCH when insts is not such a blob (l is then empty). */
static int read_insts(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_value *insts,
                      inst_list *l)
{
    if (!insts || sqlite3_value_type(insts) == SQLITE_NULL)
        return insts_from_fts5(api, fts, l);
    int rc = sqlite3_value_type(insts) == SQLITE_BLOB
                 ? insts_from_blob(sqlite3_value_blob(insts), sqlite3_value_bytes(insts),
                                   api->xColumnCount(fts), l)
                 : SQLITE_MISMATCH;
    if (rc == SQLITE_MISMATCH) {
        free(l->v);
        *l = (inst_list){0};
    }
    return rc;
}

/* Hands the text built in o to SQLite as the function's result (taking it), or the error rc. */
static void set_result(sqlite3_context *ctx, int rc, out_buf *o)
{
    if (rc != SQLITE_OK) {
        free(o->b.s);
        sqlite3_result_error_code(ctx, rc);
    } else if (!o->b.s)
        sqlite3_result_text(ctx, "", 0, SQLITE_STATIC);
    else
        sqlite3_result_text(ctx, o->b.s, (int)o->b.n, free);
}

/* ofs_snippet(fts, mode, ntokens [, insts]): insts, a blob from ofs_insts() of the same row in
 * an earlier statement, stands in for the phrase instances of a MATCH, so the row can be read
 * by rowid alone. */
static void snippet_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
                           int nval, sqlite3_value **vals)
{
    int mode = nval > 0 ? sqlite3_value_int(vals[0]) : MODE_PLAIN;
    int w = nval > 1 ? sqlite3_value_int(vals[1]) : DEFAULT_TOKENS;
    if (nval > 3 || mode < MODE_PLAIN || mode > MODE_MARKERS) {
        sqlite3_result_error(ctx, "usage: ofs_snippet(fts, mode 0-3, ntokens [, insts])", -1);
        return;
    }
    if (w <= 0)
        w = DEFAULT_TOKENS;
    if (w > MAX_TOKENS)
        w = MAX_TOKENS;
    inst_list l = {0};
    int rc = read_insts(api, fts, nval > 2 ? vals[2] : NULL, &l);
    if (rc == SQLITE_MISMATCH) {
        sqlite3_result_error(ctx, "ofs_snippet: insts is not a blob from ofs_insts()", -1);
        return;
    }
    out_buf o = {0};
    if (rc == SQLITE_OK)
        rc = make_snippet(api, fts, pick_column(api, fts, &l), &l, mode, w, &o);
    free(l.v);
    set_result(ctx, rc, &o);
}

/* Column col of the row, whole, with its phrase instances between MODE_MARKERS markers and
 * whitespace collapsed as in snippets: a title or breadcrumb to show highlighted. */
static int mark_column(const Fts5ExtensionApi *api, Fts5Context *fts, int col,
                       const inst_list *l, out_buf *o)
{
    const char *z = NULL;
    int n = 0;
    int rc = api->xColumnText(fts, col, &z, &n);
    if (rc != SQLITE_OK || !z || n <= 0)
        return rc;
    positions p = {.textlen = n};
    rc = api->xTokenize(fts, z, n, &p, on_token);
    if (rc == SQLITE_OK) {
        int nr = 0;
        span *r = mark_ranges(l, col, &p, 0, p.n, &nr);
        write_window(o, z, n, 0, n, r, nr, MODE_MARKERS);
        free(r);
    }
    free(p.v);
    return rc;
}

/* ofs_highlight(fts, col [, insts]): column col with its matches marked (\001 … \002). */
static void highlight_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
                         int nval, sqlite3_value **vals)
{
    int col = nval > 0 ? sqlite3_value_int(vals[0]) : -1;
    if (nval < 1 || nval > 2 || col < 0 || col >= api->xColumnCount(fts)) {
        sqlite3_result_error(ctx, "usage: ofs_highlight(fts, column [, insts])", -1);
        return;
    }
    inst_list l = {0};
    int rc = read_insts(api, fts, nval > 1 ? vals[1] : NULL, &l);
    if (rc == SQLITE_MISMATCH) {
        sqlite3_result_error(ctx, "ofs_highlight: insts is not a blob from ofs_insts()", -1);
        return;
    }
    out_buf o = {0};
    if (rc == SQLITE_OK)
        rc = mark_column(api, fts, col, &l, &o);
    free(l.v);
    set_result(ctx, rc, &o);
}

/* ofs_insts(fts): the row's phrase instances as a blob for ofs_snippet's fourth argument, NULL
 * when there are too many to carry. */
static void insts_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
                         int nval, sqlite3_value **vals)
{
    (void)nval, (void)vals;
    unsigned char *b;
    int n;
    ofsi_insts_blob(api, fts, &b, &n);
    if (b)
        sqlite3_result_blob(ctx, b, n, free);
    else
        sqlite3_result_null(ctx);
}

int ofsi_snippet_register_fts5(fts5_api *api)
{
    if (!api)
        return SQLITE_ERROR;
    int rc = api->xCreateFunction(api, "ofs_snippet", NULL, snippet_fn, NULL);
    if (rc == SQLITE_OK)
        rc = api->xCreateFunction(api, "ofs_highlight", NULL, highlight_fn, NULL);
    return rc == SQLITE_OK ? api->xCreateFunction(api, "ofs_insts", NULL, insts_fn, NULL) : rc;
}
