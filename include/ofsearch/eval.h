/* Relevance evaluation: read TREC topics, qrels and runs, score a run with trec_eval's definitions
 * (MAP, nDCG@10, P@10, Recall@100, MRR@10), compare runs with a paired randomization test, and
 * draw the comparison as an SVG chart. `ofsearch eval` is a thin front end over this module.
 *
 * Definitions (docs/eval.md states them in full):
 *  - A run is re-sorted as trec_eval does: score descending, ties by docid in descending strcmp
 *    order; the rank column of a run file is ignored. A docid repeated within a query keeps only
 *    its best-placed occurrence (trec_eval rejects such runs; we drop the later copies).
 *  - Relevant means grade > 0; unjudged documents are non-relevant; negative grades gain 0.
 *  - Queries with no relevant judgment are excluded (and counted). A query that is evaluated but
 *    absent from the run scores 0 on every metric (trec_eval -c), unless run_queries_only is set.
 */
#ifndef OFSEARCH_EVAL_H
#define OFSEARCH_EVAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ofsearch/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ofs_topics ofs_topics; /* qid -> query text, in file order */
typedef struct ofs_qrels ofs_qrels;   /* (qid, docid) -> grade */
typedef struct ofs_run ofs_run;       /* (qid, docid, score) lines */

/* ---- Topics ----
 * Reads `qid<TAB>query text` lines (blank lines and lines starting with '#' are skipped), or a
 * TREC topic file (<top> <num> Number: N <title> text ... </top>) when the text contains "<top>".
 * Fails with OFS_INVALID (message names the line) on a line without a tab, an empty qid, a
 * duplicate qid, or a NUL byte. */
int ofs_topics_read(const char *path, ofs_topics **out, char **errmsg);
int ofs_topics_parse(const char *text, size_t len, ofs_topics **out, char **errmsg);
size_t ofs_topics_count(const ofs_topics *t);
/* The i-th topic (file order); pointers owned by t. */
void ofs_topics_get(const ofs_topics *t, size_t i, const char **qid, const char **query);
void ofs_topics_free(ofs_topics *t);

/* ---- Qrels ----
 * Reads TREC qrels `qid iter docid grade` (whitespace separated; iter is ignored). A pair judged
 * twice keeps the higher grade. Fails with OFS_INVALID on a malformed line. */
int ofs_qrels_read(const char *path, ofs_qrels **out, char **errmsg);
int ofs_qrels_parse(const char *text, size_t len, ofs_qrels **out, char **errmsg);
/* Grade of (qid, docid); 0 when unjudged. *judged (may be NULL) says whether it was judged. */
int ofs_qrels_grade(const ofs_qrels *q, const char *qid, const char *docid, int *judged);
/* Number of documents with grade > 0 for qid. */
long ofs_qrels_num_relevant(const ofs_qrels *q, const char *qid);
/* Number of distinct qids with at least one judgment. */
size_t ofs_qrels_count_queries(const ofs_qrels *q);
void ofs_qrels_free(ofs_qrels *q);

/* ---- Runs ---- */
int ofs_run_new(ofs_run **out);
/* Appends one retrieved document. Strings are copied; whitespace in qid or docid is rejected
 * (OFS_INVALID) because it could not be written back; so is a NaN score. */
int ofs_run_add(ofs_run *r, const char *qid, const char *docid, double score, char **errmsg);
/* Reads TREC run lines `qid Q0 docid rank score tag`. Fails with OFS_INVALID on a malformed line
 * or a non-numeric / NaN score. */
int ofs_run_read(const char *path, ofs_run **out, char **errmsg);
int ofs_run_parse(const char *text, size_t len, ofs_run **out, char **errmsg);
/* Writes the run in TREC format, per query in trec_eval order (score desc, docid desc), ranks
 * 1..n, scores printed with %.17g so that reading the file back gives the same order. */
int ofs_run_write(const ofs_run *r, FILE *f, const char *tag, char **errmsg);
size_t ofs_run_size(const ofs_run *r); /* lines added or read */
void ofs_run_free(ofs_run *r);

/* ---- Metrics ---- */
enum {
    OFS_M_MAP = 0,    /* average precision over all judged relevant documents */
    OFS_M_NDCG10,     /* nDCG@10, gain = grade, discount log2(rank + 1) */
    OFS_M_P10,        /* precision at 10 */
    OFS_M_RECALL100,  /* recall at 100 */
    OFS_M_MRR10,      /* reciprocal rank of the first relevant document, 0 beyond rank 10 */
    OFS_M_COUNT
};
/* Short name as trec_eval prints it ("map", "ndcg_cut_10", "P_10", "recall_100"), and
 * "recip_rank_10" for MRR@10; and a label for tables ("MAP", "nDCG@10", ...). */
const char *ofs_eval_metric_name(int metric);
const char *ofs_eval_metric_label(int metric);

typedef struct {
    char *qid;
    double v[OFS_M_COUNT];
    long num_rel;     /* judged relevant */
    long num_ret;     /* retrieved (after duplicate removal) */
    long num_rel_ret; /* relevant among the retrieved */
} ofs_eval_query;

typedef struct {
    ofs_eval_query *queries; /* evaluated queries, qids in natural order (numbers numerically) */
    size_t nqueries;
    double mean[OFS_M_COUNT]; /* arithmetic mean over queries; 0 when there are none */
    size_t excluded_no_relevant; /* candidate queries without any relevant judgment */
    size_t missing_from_run;     /* evaluated queries with no retrieved document */
    size_t unjudged_run_queries; /* run queries with no judgment at all (ignored) */
    size_t duplicates_dropped;   /* repeated (qid, docid) lines removed from the run */
} ofs_eval_result;

typedef struct {
    /* Candidate queries: when qids is not NULL, only these (e.g. the topics) are considered;
     * otherwise every query in the qrels. */
    const char *const *qids;
    size_t nqids;
    int run_queries_only; /* skip candidates absent from the run (trec_eval without -c) */
} ofs_eval_options;

/* Scores run against qrels. opts may be NULL (all qrels queries, trec_eval -c). */
int ofs_eval_run(const ofs_qrels *qrels, const ofs_run *run, const ofs_eval_options *opts,
                 ofs_eval_result **out, char **errmsg);
void ofs_eval_result_free(ofs_eval_result *r);

/* ---- Comparison ---- */

/* Two-sided paired randomization (sign-flip) test of mean(a - b) == 0 over n pairs: the share of
 * `permutations` random sign assignments (xoshiro256** seeded by `seed`) whose |mean difference|
 * reaches the observed one, as p = (1 + hits) / (1 + permutations). n == 0 gives p = 1. */
double ofs_eval_randomization_test(const double *a, const double *b, size_t n, long permutations,
                                   uint64_t seed);

#define OFS_EVAL_PERMUTATIONS 10000
#define OFS_EVAL_SEED UINT64_C(20240601)

typedef struct {
    double delta[OFS_M_COUNT]; /* other.mean - base.mean over the paired queries */
    double p[OFS_M_COUNT];     /* two-sided randomization test p-value */
    size_t npaired;            /* queries evaluated in both */
} ofs_eval_comparison;

/* Pairs queries by qid and tests every metric. */
int ofs_eval_compare(const ofs_eval_result *base, const ofs_eval_result *other, long permutations,
                     uint64_t seed, ofs_eval_comparison *out, char **errmsg);

/* ---- Stored figures and the regression gate ----
 * A figures file is the JSON `ofsearch eval --json-out` writes: {"configs": [{"name": ...,
 * "mean": {measure: value}, "per_query": {qid: {measure: value}}}, ...]}, measures named as
 * ofs_eval_metric_name() says. It stores a scored run so that a later run can be tested against
 * it without the old binary, index or run file. */
typedef struct ofs_eval_figures ofs_eval_figures; /* named results, in file order */

/* Reads a figures file. Every configuration needs a unique non-empty name and per-query values
 * of all five measures in 0..1; the mean is recomputed from them and, when the file states one,
 * must agree with it to 1e-6 (a truncated or edited file is refused). Fails with OFS_INVALID
 * (the message names the file and the configuration), OFS_IO or OFS_TOOLONG (over 1 GB). */
int ofs_eval_figures_read(const char *path, ofs_eval_figures **out, char **errmsg);
int ofs_eval_figures_parse(const char *text, size_t len, ofs_eval_figures **out, char **errmsg);
size_t ofs_eval_figures_count(const ofs_eval_figures *f);
/* The i-th configuration's name and result (queries in natural qid order); owned by f. */
void ofs_eval_figures_get(const ofs_eval_figures *f, size_t i, const char **name,
                          const ofs_eval_result **result);
/* The result of the configuration called name, or NULL. */
const ofs_eval_result *ofs_eval_figures_find(const ofs_eval_figures *f, const char *name);
void ofs_eval_figures_free(ofs_eval_figures *f);

#define OFS_EVAL_GATE_ALPHA 0.05

typedef struct {
    ofs_eval_comparison cmp;  /* current - baseline over the paired queries, with p */
    int dropped[OFS_M_COUNT]; /* the measure fell by more than max_drop with p < alpha */
    size_t only_baseline;     /* baseline queries the current result lacks */
    size_t only_current;      /* current queries the baseline lacks */
    int mismatch;             /* the query sets differ, or none is paired: figures are stale */
    int failed;               /* a measure dropped, or mismatch */
} ofs_eval_gate;

/* The regression gate: pairs current with baseline by qid and fails when a measure's mean over
 * the paired queries drops by more than max_drop (>= 0) and the two-sided paired randomization
 * test gives p < OFS_EVAL_GATE_ALPHA, or when the two were not measured on the same queries. */
int ofs_eval_gate_check(const ofs_eval_result *baseline, const ofs_eval_result *current,
                        double max_drop, long permutations, uint64_t seed, ofs_eval_gate *out,
                        char **errmsg);

/* Writes a self-contained SVG: grouped bars (one group per metric, one bar per configuration),
 * a 0..1 y axis with gridlines, value labels and a legend. Names are XML-escaped. */
int ofs_eval_write_svg(FILE *f, const char *title, const char *const *names,
                       const ofs_eval_result *const *results, size_t n, char **errmsg);

/* ---- Running topics through the searcher ---- */
struct ofs_searcher;

typedef enum {
    OFS_DOCID_ID = 0,     /* hit->docid (JSONL id; relative path for Markdown) */
    OFS_DOCID_PATH = 1,   /* hit->path */
    OFS_DOCID_ANCHOR = 2  /* hit->path "#" anchor (from hit->url after '#'); path if none */
} ofs_docid_mode;

typedef struct {
    int depth;              /* results per topic, 1..1000 (default 100) */
    ofs_docid_mode docid;   /* how a hit becomes a judged docid */
    int prefix;             /* as-you-type: last query word is a prefix */
    const char *collection; /* NULL: all collections */
} ofs_eval_search_options;

void ofs_eval_search_options_default(ofs_eval_search_options *o);

/* Runs every topic through ofs_search (limit = depth, offset 0, no snippets) and collects the
 * hits as a run: docids mapped per o->docid, the first occurrence of a docid kept and later ones
 * dropped. The searcher must have been opened with max_limit >= depth. A query the searcher
 * rejects (e.g. OFS_TOOLONG, OFS_INVALID) yields no results for that topic and is counted in
 * *failed (may be NULL); other errors stop the run. */
int ofs_eval_search(struct ofs_searcher *s, const ofs_topics *topics,
                    const ofs_eval_search_options *o, ofs_run **out, size_t *failed,
                    char **errmsg);

/* The docid judged for a hit under mode; malloc'd. */
char *ofs_eval_hit_docid(const char *docid, const char *path, const char *url, ofs_docid_mode mode);

#ifdef __cplusplus
}
#endif

#endif
