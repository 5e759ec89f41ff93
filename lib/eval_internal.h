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
} ofs_qrel;

/* One qid's judgments: qrels->items[start .. start + count), sorted by docid. */
typedef struct {
    const char *qid;
    size_t start, count;
    long num_rel;
} ofs_qrels_query;

struct ofs_qrels {
    ofs_qrel *items; /* sorted by (qid, docid), one per pair */
    size_t n, cap;
    ofs_qrels_query *queries; /* sorted by qid (strcmp) */
    size_t nqueries;
};

typedef struct {
    char *qid, *docid;
    double score;
} ofs_run_line;

struct ofs_run {
    ofs_run_line *lines;
    size_t n, cap;
};

/* The qrels entry of a qid, or NULL. */
const ofs_qrels_query *ofs_qrels_find_query(const ofs_qrels *q, const char *qid);

/* trec_eval's order within a query: score descending, then docid descending (strcmp). */
int ofs_run_line_cmp_trec(const ofs_run_line *a, const ofs_run_line *b);

/* The run's lines sorted by (qid in natural order, trec order), input order among equal lines,
 * as a malloc'd array of *n pointers; NULL on no memory (or an empty run, with *n = 0). */
const ofs_run_line **ofs_run_sorted(const ofs_run *r, size_t *n);

/* Natural qid order: all-digit qids numerically, otherwise strcmp. */
int ofs_qid_cmp(const char *a, const char *b);

/* Puts r's queries in natural qid order and sets the means from them. */
void ofs_eval_result_finish(ofs_eval_result *r);

/* Reads a whole file (at most 1 GB) into a malloc'd buffer *buf of *len bytes. */
int ofs_eval_read_file(const char *path, char **buf, size_t *len, char **errmsg);

#endif
