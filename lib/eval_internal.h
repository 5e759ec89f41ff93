/* Internals shared by the eval module's files (eval_io.c reads and writes the data, eval.c scores
 * it): the layouts behind the opaque ofs_topics, ofs_qrels and ofs_run handles. */
#ifndef OFS_EVAL_INTERNAL_H
#define OFS_EVAL_INTERNAL_H

#include "ofsearch/eval.h"

#include <stddef.h>

struct ofs_topics {
    char **qids, **queries;
    size_t n, cap;
};

typedef struct {
    char *qid, *docid;
    int grade;
} ofsi_qrel;

/* One qid's judgments: qrels->items[start .. start + count), sorted by docid. */
typedef struct {
    const char *qid;
    size_t start, count;
    long num_rel;
} ofsi_qrels_query;

struct ofs_qrels {
    ofsi_qrel *items; /* sorted by (qid, docid), one per pair */
    size_t n, cap;
    ofsi_qrels_query *queries; /* sorted by qid (strcmp) */
    size_t nqueries;
};

typedef struct {
    char *qid, *docid;
    double score;
} ofsi_run_line;

struct ofs_run {
    ofsi_run_line *lines;
    size_t n, cap;
};

/* The qrels entry of a qid, or NULL. */
const ofsi_qrels_query *ofsi_qrels_find_query(const ofs_qrels *q, const char *qid);

/* trec_eval's order within a query: score descending, then docid descending (strcmp). */
int ofsi_run_line_cmp_trec(const ofsi_run_line *a, const ofsi_run_line *b);

/* The run's lines sorted by (qid in natural order, trec order), input order among equal lines,
 * as a malloc'd array of *n pointers; NULL for an empty run (*n = 0). */
const ofsi_run_line **ofsi_run_sorted(const ofs_run *r, size_t *n);

/* Natural qid order: all-digit qids numerically, otherwise strcmp. */
int ofsi_qid_cmp(const char *a, const char *b);

/* Puts r's queries in natural qid order and sets the means from them. */
void ofsi_eval_result_finish(ofs_eval_result *r);

/* Reads a whole file (at most 1 GB) into a malloc'd buffer *buf of *len bytes. */
int ofsi_eval_read_file(const char *path, char **buf, size_t *len, char **errmsg);

#endif
