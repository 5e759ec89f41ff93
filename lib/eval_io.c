/* Reading and writing the evaluation files: topics (TSV or TREC <top> format), TREC qrels and
 * TREC runs. Parsers take a buffer with its length so that NUL bytes and missing final newlines
 * are handled explicitly; every malformed line is reported with its line number. */
#include "eval_internal.h"

#include "ofsearch/ofsearch.h"

#include "alloc.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Inputs larger than this are refused rather than slurped (a run of 1000 hits for 10^5 queries
 * is ~5 GB; we aim at test collections). */
#define EVAL_MAX_FILE_BYTES (1L << 30)
#define EVAL_MAX_FIELDS 8

/* ---- small helpers ---- */

int ofsi_eval_read_file(const char *path, char **buf, size_t *len, char **errmsg)
{
    int e = ofsi_read_file(path, EVAL_MAX_FILE_BYTES, buf, len, NULL);
    if (e == EFBIG)
        return ofs_set_error(errmsg, OFS_TOOLONG, "%s: larger than %ld bytes", path,
                             EVAL_MAX_FILE_BYTES);
    if (e)
        return ofs_set_error(errmsg, OFS_IO, "%s: %s", path, strerror(e));
    return OFS_OK;
}

/* Fails on a NUL byte: our formats are text, and a NUL would silently truncate strings. */
static int check_no_nul(const char *text, size_t len, const char *what, char **errmsg)
{
    const char *z = memchr(text, '\0', len);
    if (!z)
        return OFS_OK;
    long line = 1;
    for (const char *p = text; p < z; p++)
        line += *p == '\n';
    return ofs_set_error(errmsg, OFS_INVALID, "%s line %ld: NUL byte", what, line);
}

/* Iterates the lines of text[0..len): sets *line, *n (no "\n", "\r\n"); 0 at the end. */
static int next_line(const char *text, size_t len, size_t *pos, const char **line, size_t *n)
{
    if (*pos >= len)
        return 0;
    const char *start = text + *pos;
    const char *nl = memchr(start, '\n', len - *pos);
    size_t l = nl ? (size_t)(nl - start) : len - *pos;
    *pos += l + (nl ? 1 : 0);
    if (l > 0 && start[l - 1] == '\r')
        l--;
    *line = start;
    *n = l;
    return 1;
}

/* Splits a line into up to max whitespace-separated fields (copied into one malloc'd buffer
 * at *store); returns the number of fields, or -1 when there are more than max. */
static int split_fields(const char *line, size_t n, char **fields, int max, char **store)
{
    char *buf = ofsi_xmemdup(line, n);
    *store = buf;
    int nf = 0;
    char *p = buf;
    for (;;) {
        while (*p && ofsi_is_blank(*p))
            p++;
        if (!*p)
            break;
        if (nf == max)
            return -1;
        fields[nf++] = p;
        while (*p && !ofsi_is_blank(*p))
            p++;
        if (*p)
            *p++ = '\0';
    }
    return nf;
}

static int line_is_blank(const char *line, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!ofsi_is_blank(line[i]))
            return 0;
    return 1;
}

/* ---- topics ---- */

static void topics_add(ofs_topics *t, const char *qid, size_t qlen, const char *q, size_t len)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->qids = ofsi_xreallocarray(t->qids, t->cap, sizeof *t->qids);
        t->queries = ofsi_xreallocarray(t->queries, t->cap, sizeof *t->queries);
    }
    t->qids[t->n] = ofsi_xmemdup(qid, qlen);
    t->queries[t->n] = ofsi_xmemdup(q, len);
    t->n++;
}

static int cmp_str_ptr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int topics_check_duplicates(const ofs_topics *t, char **errmsg)
{
    if (t->n < 2)
        return OFS_OK;
    char **ids = ofsi_xreallocarray(NULL, t->n, sizeof *ids);
    memcpy(ids, t->qids, t->n * sizeof *ids);
    qsort(ids, t->n, sizeof *ids, cmp_str_ptr);
    int rc = OFS_OK;
    for (size_t i = 1; i < t->n && rc == OFS_OK; i++)
        if (!strcmp(ids[i - 1], ids[i]))
            rc = ofs_set_error(errmsg, OFS_INVALID, "topics: duplicate qid '%s'", ids[i]);
    free(ids);
    return rc;
}

static int parse_topics_tsv(ofs_topics *t, const char *text, size_t len, char **errmsg)
{
    size_t pos = 0, n;
    const char *line;
    long lineno = 0;
    while (next_line(text, len, &pos, &line, &n)) {
        lineno++;
        if (line_is_blank(line, n) || line[0] == '#')
            continue;
        const char *tab = memchr(line, '\t', n);
        if (!tab)
            return ofs_set_error(errmsg, OFS_INVALID, "topics line %ld: expected qid<TAB>query",
                                 lineno);
        const char *qid = line, *q = tab + 1;
        size_t qlen = (size_t)(tab - line), len2 = n - qlen - 1;
        ofsi_trim(&qid, &qlen);
        ofsi_trim(&q, &len2);
        if (qlen == 0)
            return ofs_set_error(errmsg, OFS_INVALID, "topics line %ld: empty qid", lineno);
        for (size_t i = 0; i < qlen; i++)
            if (ofsi_is_blank(qid[i]))
                return ofs_set_error(errmsg, OFS_INVALID, "topics line %ld: space in qid",
                                     lineno);
        topics_add(t, qid, qlen, q, len2);
    }
    return OFS_OK;
}

/* Finds tag (e.g. "<num>") in [p, end); returns a pointer just after it, or NULL. */
static const char *find_tag(const char *p, const char *end, const char *tag)
{
    size_t tl = strlen(tag);
    for (; p + tl <= end; p++)
        if (!strncasecmp(p, tag, tl))
            return p + tl;
    return NULL;
}

/* The text after a TREC field tag up to the next '<', trimmed and with a label such as
 * "Number:" or "Topic:" removed; whitespace runs (line breaks) become single spaces. */
static char *trec_field(const char *p, const char *end, const char *label, size_t *outlen)
{
    const char *e = memchr(p, '<', (size_t)(end - p));
    if (!e)
        e = end;
    size_t n = (size_t)(e - p);
    ofsi_trim(&p, &n);
    size_t ll = strlen(label);
    if (n >= ll && !strncasecmp(p, label, ll)) {
        p += ll;
        n -= ll;
        ofsi_trim(&p, &n);
    }
    char *s = ofsi_xmalloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (ofsi_is_blank(p[i])) {
            if (o && s[o - 1] != ' ')
                s[o++] = ' ';
        } else {
            s[o++] = p[i];
        }
    }
    s[o] = '\0';
    *outlen = o;
    return s;
}

static int parse_topics_trec(ofs_topics *t, const char *text, size_t len, char **errmsg)
{
    const char *p = text, *end = text + len;
    long ntop = 0;
    while ((p = find_tag(p, end, "<top>")) != NULL) {
        ntop++;
        const char *close = find_tag(p, end, "</top>");
        const char *tend = close ? close - 6 : end;
        const char *num = find_tag(p, tend, "<num>");
        const char *title = find_tag(p, tend, "<title>");
        if (!num || !title)
            return ofs_set_error(errmsg, OFS_INVALID,
                                 "topics: <top> number %ld lacks <num> or <title>", ntop);
        size_t ql, tl;
        char *qid = trec_field(num, tend, "Number:", &ql);
        char *q = trec_field(title, tend, "Topic:", &tl);
        int rc = OFS_OK;
        if (ql == 0 || memchr(qid, ' ', ql))
            rc = ofs_set_error(errmsg, OFS_INVALID, "topics: <top> number %ld: bad <num>", ntop);
        else
            topics_add(t, qid, ql, q, tl);
        free(qid);
        free(q);
        if (rc != OFS_OK)
            return rc;
        p = close ? close : end;
    }
    return OFS_OK;
}

int ofs_topics_parse(const char *text, size_t len, ofs_topics **out, char **errmsg)
{
    *out = NULL;
    int rc = check_no_nul(text, len, "topics", errmsg);
    if (rc != OFS_OK)
        return rc;
    ofs_topics *t = ofsi_xcalloc(1, sizeof *t);
    if (find_tag(text, text + len, "<top>"))
        rc = parse_topics_trec(t, text, len, errmsg);
    else
        rc = parse_topics_tsv(t, text, len, errmsg);
    if (rc == OFS_OK)
        rc = topics_check_duplicates(t, errmsg);
    if (rc != OFS_OK) {
        ofs_topics_free(t);
        return rc;
    }
    *out = t;
    return OFS_OK;
}

int ofs_topics_read(const char *path, ofs_topics **out, char **errmsg)
{
    char *buf;
    size_t len;
    *out = NULL;
    int rc = ofsi_eval_read_file(path, &buf, &len, errmsg);
    if (rc != OFS_OK)
        return rc;
    rc = ofs_topics_parse(buf, len, out, errmsg);
    free(buf);
    return rc;
}

size_t ofs_topics_count(const ofs_topics *t)
{
    return t ? t->n : 0;
}

void ofs_topics_get(const ofs_topics *t, size_t i, const char **qid, const char **query)
{
    *qid = i < t->n ? t->qids[i] : NULL;
    *query = i < t->n ? t->queries[i] : NULL;
}

void ofs_topics_free(ofs_topics *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++) {
        free(t->qids[i]);
        free(t->queries[i]);
    }
    free(t->qids);
    free(t->queries);
    free(t);
}

/* ---- qrels ---- */

static int cmp_qrel(const void *a, const void *b)
{
    const ofsi_qrel *x = a, *y = b;
    int c = strcmp(x->qid, y->qid);
    return c ? c : strcmp(x->docid, y->docid);
}

static void qrels_push(ofs_qrels *q, const char *qid, const char *docid, int grade)
{
    if (q->n == q->cap) {
        q->cap = q->cap ? q->cap * 2 : 256;
        q->items = ofsi_xreallocarray(q->items, q->cap, sizeof *q->items);
    }
    ofsi_qrel *it = &q->items[q->n++];
    it->qid = ofsi_xstrdup(qid);
    it->docid = ofsi_xstrdup(docid);
    it->grade = grade;
}

/* Sorts, merges repeated pairs (keeping the higher grade) and builds the per-query index. */
static void qrels_finish(ofs_qrels *q)
{
    if (q->n)
        qsort(q->items, q->n, sizeof *q->items, cmp_qrel);
    size_t w = 0;
    for (size_t i = 0; i < q->n; i++) {
        if (w && !cmp_qrel(&q->items[w - 1], &q->items[i])) {
            if (q->items[i].grade > q->items[w - 1].grade)
                q->items[w - 1].grade = q->items[i].grade;
            free(q->items[i].qid);
            free(q->items[i].docid);
            continue;
        }
        q->items[w++] = q->items[i];
    }
    q->n = w;
    q->queries = ofsi_xreallocarray(NULL, w, sizeof *q->queries);
    for (size_t i = 0; i < w; i++) {
        if (!q->nqueries || strcmp(q->queries[q->nqueries - 1].qid, q->items[i].qid)) {
            ofsi_qrels_query *e = &q->queries[q->nqueries++];
            e->qid = q->items[i].qid;
            e->start = i;
            e->count = 0;
            e->num_rel = 0;
        }
        ofsi_qrels_query *e = &q->queries[q->nqueries - 1];
        e->count++;
        e->num_rel += q->items[i].grade > 0;
    }
}

int ofs_qrels_parse(const char *text, size_t len, ofs_qrels **out, char **errmsg)
{
    *out = NULL;
    int rc = check_no_nul(text, len, "qrels", errmsg);
    if (rc != OFS_OK)
        return rc;
    ofs_qrels *q = ofsi_xcalloc(1, sizeof *q);
    size_t pos = 0, n;
    const char *line;
    long lineno = 0;
    while (rc == OFS_OK && next_line(text, len, &pos, &line, &n)) {
        lineno++;
        if (line_is_blank(line, n))
            continue;
        char *f[EVAL_MAX_FIELDS], *store = NULL;
        int nf = split_fields(line, n, f, EVAL_MAX_FIELDS, &store);
        long grade;
        if (nf != 4 || ofsi_parse_long(f[3], -1000000, 1000000, &grade))
            rc = ofs_set_error(errmsg, OFS_INVALID,
                               "qrels line %ld: expected 'qid iter docid grade'", lineno);
        else
            qrels_push(q, f[0], f[2], (int)grade);
        free(store);
    }
    if (rc == OFS_OK)
        qrels_finish(q);
    if (rc != OFS_OK) {
        ofs_qrels_free(q);
        return rc;
    }
    *out = q;
    return OFS_OK;
}

int ofs_qrels_read(const char *path, ofs_qrels **out, char **errmsg)
{
    char *buf;
    size_t len;
    *out = NULL;
    int rc = ofsi_eval_read_file(path, &buf, &len, errmsg);
    if (rc != OFS_OK)
        return rc;
    rc = ofs_qrels_parse(buf, len, out, errmsg);
    free(buf);
    return rc;
}

const ofsi_qrels_query *ofsi_qrels_find_query(const ofs_qrels *q, const char *qid)
{
    size_t lo = 0, hi = q->nqueries;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(q->queries[mid].qid, qid);
        if (c == 0)
            return &q->queries[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

int ofs_qrels_grade(const ofs_qrels *q, const char *qid, const char *docid, int *judged)
{
    if (judged)
        *judged = 0;
    const ofsi_qrels_query *e = ofsi_qrels_find_query(q, qid);
    if (!e)
        return 0;
    size_t lo = e->start, hi = e->start + e->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(q->items[mid].docid, docid);
        if (c == 0) {
            if (judged)
                *judged = 1;
            return q->items[mid].grade;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

long ofs_qrels_num_relevant(const ofs_qrels *q, const char *qid)
{
    const ofsi_qrels_query *e = ofsi_qrels_find_query(q, qid);
    return e ? e->num_rel : 0;
}

size_t ofs_qrels_count_queries(const ofs_qrels *q)
{
    return q ? q->nqueries : 0;
}

void ofs_qrels_free(ofs_qrels *q)
{
    if (!q)
        return;
    for (size_t i = 0; i < q->n; i++) {
        free(q->items[i].qid);
        free(q->items[i].docid);
    }
    free(q->items);
    free(q->queries);
    free(q);
}

/* ---- runs ---- */

int ofs_run_new(ofs_run **out)
{
    *out = ofsi_xcalloc(1, sizeof **out);
    return OFS_OK;
}

static int has_space_or_empty(const char *s)
{
    if (!*s)
        return 1;
    for (; *s; s++)
        if (ofsi_is_blank(*s))
            return 1;
    return 0;
}

int ofs_run_add(ofs_run *r, const char *qid, const char *docid, double score, char **errmsg)
{
    if (has_space_or_empty(qid) || has_space_or_empty(docid))
        return ofs_set_error(errmsg, OFS_INVALID, "run: empty or whitespace in qid/docid '%s'",
                             docid);
    if (isnan(score))
        return ofs_set_error(errmsg, OFS_INVALID, "run: NaN score for '%s'", docid);
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 1024;
        r->lines = ofsi_xreallocarray(r->lines, r->cap, sizeof *r->lines);
    }
    ofsi_run_line *l = &r->lines[r->n++];
    l->qid = ofsi_xstrdup(qid);
    l->docid = ofsi_xstrdup(docid);
    l->score = score;
    return OFS_OK;
}

static int parse_score(const char *s, double *v)
{
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (end == s || *end || isnan(x))
        return 0;
    *v = x;
    return 1;
}

int ofs_run_parse(const char *text, size_t len, ofs_run **out, char **errmsg)
{
    *out = NULL;
    int rc = check_no_nul(text, len, "run", errmsg);
    if (rc != OFS_OK)
        return rc;
    ofs_run *r;
    ofs_run_new(&r);
    size_t pos = 0, n;
    const char *line;
    long lineno = 0;
    while (rc == OFS_OK && next_line(text, len, &pos, &line, &n)) {
        lineno++;
        if (line_is_blank(line, n))
            continue;
        char *f[EVAL_MAX_FIELDS], *store = NULL;
        int nf = split_fields(line, n, f, EVAL_MAX_FIELDS, &store);
        double score;
        if (nf != 6 || !parse_score(f[4], &score))
            rc = ofs_set_error(errmsg, OFS_INVALID,
                               "run line %ld: expected 'qid Q0 docid rank score tag'", lineno);
        else
            rc = ofs_run_add(r, f[0], f[2], score, errmsg);
        free(store);
    }
    if (rc != OFS_OK) {
        ofs_run_free(r);
        return rc;
    }
    *out = r;
    return OFS_OK;
}

int ofs_run_read(const char *path, ofs_run **out, char **errmsg)
{
    char *buf;
    size_t len;
    *out = NULL;
    int rc = ofsi_eval_read_file(path, &buf, &len, errmsg);
    if (rc != OFS_OK)
        return rc;
    rc = ofs_run_parse(buf, len, out, errmsg);
    free(buf);
    return rc;
}

int ofsi_run_line_cmp_trec(const ofsi_run_line *a, const ofsi_run_line *b)
{
    if (a->score > b->score)
        return -1;
    if (a->score < b->score)
        return 1;
    return strcmp(b->docid, a->docid);
}

static int cmp_line_ptr(const void *a, const void *b)
{
    const ofsi_run_line *x = *(const ofsi_run_line *const *)a;
    const ofsi_run_line *y = *(const ofsi_run_line *const *)b;
    int c = ofsi_qid_cmp(x->qid, y->qid);
    if (c)
        return c;
    c = ofsi_run_line_cmp_trec(x, y);
    if (c)
        return c;
    /* Equal lines (a duplicate): keep input order, so "first occurrence" is well defined;
     * the pointers are into one array, so their order is the input order. */
    return x < y ? -1 : x > y;
}

const ofsi_run_line **ofsi_run_sorted(const ofs_run *r, size_t *n)
{
    *n = r->n;
    if (!r->n)
        return NULL;
    const ofsi_run_line **v = ofsi_xreallocarray(NULL, r->n, sizeof *v);
    for (size_t i = 0; i < r->n; i++)
        v[i] = &r->lines[i];
    qsort(v, r->n, sizeof *v, cmp_line_ptr);
    return v;
}

int ofs_run_write(const ofs_run *r, FILE *f, const char *tag, char **errmsg)
{
    size_t n;
    const ofsi_run_line **v = ofsi_run_sorted(r, &n);
    if (!tag || has_space_or_empty(tag))
        tag = "ofsearch";
    long rank = 0;
    for (size_t i = 0; i < n; i++) {
        const ofsi_run_line *l = v[i];
        if (i == 0 || strcmp(v[i - 1]->qid, l->qid))
            rank = 0;
        fprintf(f, "%s Q0 %s %ld %.17g %s\n", l->qid, l->docid, ++rank, l->score, tag);
    }
    free(v);
    if (ferror(f))
        return ofs_set_error(errmsg, OFS_IO, "run: write error");
    return OFS_OK;
}

size_t ofs_run_size(const ofs_run *r)
{
    return r ? r->n : 0;
}

void ofs_run_free(ofs_run *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++) {
        free(r->lines[i].qid);
        free(r->lines[i].docid);
    }
    free(r->lines);
    free(r);
}

/* ---- docids of search hits ---- */

/* Appends s[0..n) to b at *o, percent-encoding whitespace and '%' (TREC files are
 * whitespace-separated, so a path with a space must not split into two fields). */
static size_t put_docid_part(char *b, size_t o, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (ofsi_is_blank((char)c) || c == '%') {
            static const char hex[] = "0123456789ABCDEF";
            b[o++] = '%';
            b[o++] = hex[c >> 4];
            b[o++] = hex[c & 15];
        } else {
            b[o++] = (char)c;
        }
    }
    return o;
}

char *ofs_eval_hit_docid(const char *docid, const char *path, const char *url, ofs_docid_mode mode)
{
    const char *base = mode == OFS_DOCID_ID && docid && *docid ? docid : path ? path : "";
    const char *frag = NULL;
    if (mode == OFS_DOCID_ANCHOR && url) {
        frag = strchr(url, '#');
        if (frag && !frag[1])
            frag = NULL;
    }
    size_t bl = strlen(base), fl = frag ? strlen(frag) : 0;
    char *b = ofsi_xmalloc(3 * (bl + fl) + 1);
    size_t o = put_docid_part(b, 0, base, bl);
    if (frag) {
        b[o++] = '#';
        o = put_docid_part(b, o, frag + 1, fl - 1);
    }
    b[o] = '\0';
    return b;
}
