/* Scoring a run against qrels with trec_eval's definitions (MAP, nDCG@10, P@10, Recall@100,
 * MRR@10), and comparing two scored runs with a paired randomization test. Reading the files is
 * in eval_io.c, the chart in eval_svg.c, running topics through the searcher in eval_search.c. */
#include "eval_internal.h"

#include "alloc.h"

#include "ofsearch/ofsearch.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const metric_names[OFS_M_COUNT] = {"map", "ndcg_cut_10", "P_10", "recall_100",
                                                      "recip_rank_10"};
static const char *const metric_labels[OFS_M_COUNT] = {"MAP", "nDCG@10", "P@10", "R@100",
                                                       "MRR@10"};

const char *ofs_eval_metric_name(int m)
{
    return m >= 0 && m < OFS_M_COUNT ? metric_names[m] : "?";
}

const char *ofs_eval_metric_label(int m)
{
    return m >= 0 && m < OFS_M_COUNT ? metric_labels[m] : "?";
}

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* A total order: all-digit qids first, numerically (ties by strcmp, so "01" != "1"), then the
 * rest by strcmp. Mixing the two rules pairwise would not be transitive. */
int ofsi_qid_cmp(const char *a, const char *b)
{
    int da = all_digits(a), db = all_digits(b);
    if (da != db)
        return da ? -1 : 1;
    if (da) {
        const char *x = a, *y = b;
        while (*x == '0' && x[1])
            x++;
        while (*y == '0' && y[1])
            y++;
        size_t lx = strlen(x), ly = strlen(y);
        if (lx != ly)
            return lx < ly ? -1 : 1;
        int c = strcmp(x, y);
        if (c)
            return c;
    }
    return strcmp(a, b);
}

/* ---- scoring one query ---- */

typedef struct {
    const ofsi_run_line **lines; /* this query's lines in trec order */
    size_t n;
} run_group;

typedef struct {
    const ofsi_run_line *line;
    size_t pos; /* rank - 1 */
} placed_line;

static int cmp_placed(const void *a, const void *b)
{
    const placed_line *x = a, *y = b;
    int c = strcmp(x->line->docid, y->line->docid);
    return c ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

/* Removes later occurrences of a docid from g, keeping the order; returns how many. */
static size_t drop_duplicates(run_group *g)
{
    if (g->n < 2)
        return 0;
    placed_line *p = ofsi_xreallocarray(NULL, g->n, sizeof *p);
    char *drop = ofsi_xcalloc(g->n, 1);
    for (size_t k = 0; k < g->n; k++)
        p[k] = (placed_line){g->lines[k], k};
    qsort(p, g->n, sizeof *p, cmp_placed);
    size_t dropped = 0;
    for (size_t i = 1; i < g->n; i++)
        if (!strcmp(p[i - 1].line->docid, p[i].line->docid)) {
            drop[p[i].pos] = 1; /* sorted by position within a docid: p[i] is placed later */
            dropped++;
        }
    size_t w = 0;
    for (size_t k = 0; k < g->n; k++)
        if (!drop[k])
            g->lines[w++] = g->lines[k];
    g->n = w;
    free(p);
    free(drop);
    return dropped;
}

static int cmp_int_desc(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x < y) - (x > y);
}

/* Ideal DCG@10 from all judged grades of the query (positive ones, best first). */
static double ideal_dcg10(const ofs_qrels *q, const ofsi_qrels_query *e)
{
    int *g = ofsi_xreallocarray(NULL, e->count, sizeof *g);
    for (size_t i = 0; i < e->count; i++)
        g[i] = q->items[e->start + i].grade;
    qsort(g, e->count, sizeof *g, cmp_int_desc);
    double dcg = 0;
    for (size_t i = 0; i < e->count && i < 10 && g[i] > 0; i++)
        dcg += g[i] / log2((double)i + 2.0);
    free(g);
    return dcg;
}

static void score_query(const ofs_qrels *q, const ofsi_qrels_query *e, const run_group *g,
                        double idcg, ofs_eval_query *out)
{
    double ap_sum = 0, dcg = 0, rr = 0;
    long rel_so_far = 0, rel10 = 0, rel100 = 0;
    for (size_t i = 0; i < g->n; i++) {
        long rank = (long)i + 1;
        int grade = ofs_qrels_grade(q, e->qid, g->lines[i]->docid, NULL);
        if (rank <= 10 && grade > 0)
            dcg += grade / log2((double)rank + 1.0);
        if (grade <= 0)
            continue;
        rel_so_far++;
        ap_sum += (double)rel_so_far / (double)rank;
        if (rank <= 10) {
            rel10++;
            if (rr == 0)
                rr = 1.0 / (double)rank;
        }
        if (rank <= 100)
            rel100++;
    }
    out->num_rel = e->num_rel;
    out->num_ret = (long)g->n;
    out->num_rel_ret = rel_so_far;
    out->v[OFS_M_MAP] = ap_sum / (double)e->num_rel;
    out->v[OFS_M_NDCG10] = idcg > 0 ? dcg / idcg : 0;
    out->v[OFS_M_P10] = (double)rel10 / 10.0;
    out->v[OFS_M_RECALL100] = (double)rel100 / (double)e->num_rel;
    out->v[OFS_M_MRR10] = rr;
}

/* ---- scoring a run ---- */

typedef struct {
    const ofsi_run_line **sorted;
    size_t nsorted;
    run_group *groups; /* per run qid, in natural qid order */
    size_t ngroups;
} run_view;

static void run_view_build(const ofs_run *run, run_view *v)
{
    memset(v, 0, sizeof *v);
    v->sorted = ofsi_run_sorted(run, &v->nsorted);
    v->groups = ofsi_xreallocarray(NULL, v->nsorted, sizeof *v->groups);
    for (size_t i = 0; i < v->nsorted; i++) {
        if (i == 0 || strcmp(v->sorted[i - 1]->qid, v->sorted[i]->qid)) {
            v->groups[v->ngroups].lines = &v->sorted[i];
            v->groups[v->ngroups].n = 0;
            v->ngroups++;
        }
        v->groups[v->ngroups - 1].n++;
    }
}

static void run_view_free(run_view *v)
{
    free(v->sorted);
    free(v->groups);
}

static run_group *run_view_find(run_view *v, const char *qid)
{
    size_t lo = 0, hi = v->ngroups;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = ofsi_qid_cmp(v->groups[mid].lines[0]->qid, qid);
        if (c == 0)
            return &v->groups[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static int cmp_eval_query(const void *a, const void *b)
{
    return ofsi_qid_cmp(((const ofs_eval_query *)a)->qid, ((const ofs_eval_query *)b)->qid);
}

/* Scores one candidate qid into r (appending) unless it is excluded. */
static void eval_candidate(const ofs_qrels *qrels, run_view *v, const char *qid,
                          const ofs_eval_options *opts, ofs_eval_result *r)
{
    const ofsi_qrels_query *e = ofsi_qrels_find_query(qrels, qid);
    if (!e || e->num_rel == 0) {
        r->excluded_no_relevant++;
        return;
    }
    run_group empty = {NULL, 0};
    run_group *g = run_view_find(v, qid);
    if (!g || g->n == 0) {
        r->missing_from_run++;
        if (opts && opts->run_queries_only)
            return;
        g = &empty;
    }
    r->duplicates_dropped += drop_duplicates(g);
    double idcg = ideal_dcg10(qrels, e);
    ofs_eval_query *out = &r->queries[r->nqueries++];
    memset(out, 0, sizeof *out);
    out->qid = ofsi_xstrdup(qid);
    score_query(qrels, e, g, idcg, out);
}

int ofs_eval_run(const ofs_qrels *qrels, const ofs_run *run, const ofs_eval_options *opts,
                 ofs_eval_result **out, char **errmsg)
{
    (void)errmsg; /* nothing here can fail */
    *out = NULL;
    run_view v;
    ofs_eval_result *r = ofsi_xcalloc(1, sizeof *r);
    run_view_build(run, &v);
    size_t ncand = opts && opts->qids ? opts->nqids : qrels->nqueries;
    r->queries = ofsi_xcalloc(ncand, sizeof *r->queries);
    for (size_t i = 0; i < ncand; i++) {
        const char *qid = opts && opts->qids ? opts->qids[i] : qrels->queries[i].qid;
        eval_candidate(qrels, &v, qid, opts, r);
    }
    for (size_t i = 0; i < v.ngroups; i++)
        if (!ofsi_qrels_find_query(qrels, v.groups[i].lines[0]->qid))
            r->unjudged_run_queries++;
    run_view_free(&v);
    ofsi_eval_result_finish(r);
    *out = r;
    return OFS_OK;
}

void ofsi_eval_result_finish(ofs_eval_result *r)
{
    qsort(r->queries, r->nqueries, sizeof *r->queries, cmp_eval_query);
    for (int m = 0; m < OFS_M_COUNT; m++) {
        double sum = 0;
        for (size_t i = 0; i < r->nqueries; i++)
            sum += r->queries[i].v[m];
        r->mean[m] = r->nqueries ? sum / (double)r->nqueries : 0;
    }
}

void ofs_eval_result_free(ofs_eval_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nqueries; i++)
        free(r->queries[i].qid);
    free(r->queries);
    free(r);
}

/* ---- significance ---- */

/* xoshiro256** (Blackman & Vigna), seeded through splitmix64: fast, and the same stream on every
 * platform, so p-values are reproducible. */
typedef struct {
    uint64_t s[4];
} rng;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double ofs_eval_randomization_test(const double *a, const double *b, size_t n, long permutations,
                                   uint64_t seed)
{
    if (n == 0 || permutations <= 0)
        return 1.0;
    double *d = ofsi_xreallocarray(NULL, n, sizeof *d);
    double observed = 0, scale = 0;
    for (size_t i = 0; i < n; i++) {
        d[i] = a[i] - b[i];
        observed += d[i];
        scale += fabs(d[i]);
    }
    observed = fabs(observed);
    /* Sums that equal the observed one up to rounding count as "as extreme". */
    double eps = 1e-9 * (scale > 1 ? scale : 1);
    rng r;
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r.s[i] = splitmix64(&x);
    long hits = 0;
    for (long p = 0; p < permutations; p++) {
        double sum = 0;
        uint64_t bits = 0;
        for (size_t i = 0; i < n; i++) {
            if (i % 64 == 0)
                bits = rng_next(&r);
            sum += (bits & 1) ? -d[i] : d[i];
            bits >>= 1;
        }
        if (fabs(sum) >= observed - eps)
            hits++;
    }
    free(d);
    return (double)(hits + 1) / (double)(permutations + 1);
}

int ofs_eval_compare(const ofs_eval_result *base, const ofs_eval_result *other, long permutations,
                     uint64_t seed, ofs_eval_comparison *out, char **errmsg)
{
    memset(out, 0, sizeof *out);
    size_t cap = base->nqueries < other->nqueries ? base->nqueries : other->nqueries;
    (void)errmsg; /* nothing here can fail */
    double *a = ofsi_xreallocarray(NULL, cap * OFS_M_COUNT, sizeof *a);
    double *b = ofsi_xreallocarray(NULL, cap * OFS_M_COUNT, sizeof *b);
    /* Both query lists are in natural qid order: merge them. a/b are metric-major. */
    size_t i = 0, j = 0, n = 0;
    while (i < base->nqueries && j < other->nqueries) {
        int c = ofsi_qid_cmp(base->queries[i].qid, other->queries[j].qid);
        if (c < 0) {
            i++;
        } else if (c > 0) {
            j++;
        } else {
            for (int m = 0; m < OFS_M_COUNT; m++) {
                a[(size_t)m * cap + n] = other->queries[j].v[m];
                b[(size_t)m * cap + n] = base->queries[i].v[m];
            }
            n++, i++, j++;
        }
    }
    out->npaired = n;
    for (int m = 0; m < OFS_M_COUNT; m++) {
        double sa = 0, sb = 0;
        for (size_t k = 0; k < n; k++) {
            sa += a[(size_t)m * cap + k];
            sb += b[(size_t)m * cap + k];
        }
        out->delta[m] = n ? (sa - sb) / (double)n : 0;
        out->p[m] = ofs_eval_randomization_test(a + (size_t)m * cap, b + (size_t)m * cap, n,
                                                permutations, seed);
    }
    free(a);
    free(b);
    return OFS_OK;
}
