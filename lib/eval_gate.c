/* The regression gate of `ofsearch eval --baseline`: reading stored figures (the per-query
 * values `--json-out` writes) back into results, and deciding whether a new result dropped
 * significantly below them. Scoring and the randomization test are in eval.c. */
#include "eval_internal.h"

#include "ofsearch/ofsearch.h"

#include "alloc.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct ofs_eval_figures {
    char **names;
    ofs_eval_result **results;
    size_t n;
};

/* A stated mean may differ from the recomputed one by rounding in the file, no more. */
#define MEAN_TOLERANCE 1e-6

/* Reads one {measure: value} object into v; -1 when a measure is missing or out of 0..1. */
static int read_measures(json_t *o, double *v)
{
    if (!json_is_object(o))
        return -1;
    for (int m = 0; m < OFS_M_COUNT; m++) {
        json_t *x = json_object_get(o, ofs_eval_metric_name(m));
        if (!json_is_number(x))
            return -1;
        v[m] = json_number_value(x);
        if (!(v[m] >= 0 && v[m] <= 1)) /* also false for NaN */
            return -1;
    }
    return 0;
}

/* Builds the result of one configuration from its per_query object. */
static int read_config(json_t *cfg, const char *name, const char *what, ofs_eval_result **out,
                       char **errmsg)
{
    json_t *pq = json_object_get(cfg, "per_query");
    if (!json_is_object(pq))
        return ofs_set_error(errmsg, OFS_INVALID, "%s: configuration '%s' has no per_query "
                             "values (write figures with --json-out)", what, name);
    ofs_eval_result *r = ofsi_xcalloc(1, sizeof *r);
    r->queries = ofsi_xcalloc(json_object_size(pq), sizeof *r->queries);
    const char *qid;
    json_t *vals;
    json_object_foreach(pq, qid, vals) {
        ofs_eval_query *q = &r->queries[r->nqueries];
        if (!*qid || read_measures(vals, q->v)) {
            ofs_eval_result_free(r);
            return ofs_set_error(errmsg, OFS_INVALID, "%s: configuration '%s', query '%s': "
                                 "needs the five measures, each 0..1", what, name, qid);
        }
        q->qid = ofsi_xstrdup(qid);
        r->nqueries++;
    }
    ofsi_eval_result_finish(r);
    json_t *mean = json_object_get(cfg, "mean");
    double stated[OFS_M_COUNT];
    if (mean && read_measures(mean, stated) == 0) {
        for (int m = 0; m < OFS_M_COUNT; m++)
            if (fabs(stated[m] - r->mean[m]) > MEAN_TOLERANCE) {
                ofs_set_error(errmsg, OFS_INVALID, "%s: configuration '%s': the per-query %s "
                              "values average %.6f, not the stated mean %.6f", what, name,
                              ofs_eval_metric_name(m), r->mean[m], stated[m]);
                ofs_eval_result_free(r);
                return OFS_INVALID;
            }
    } else if (mean) {
        ofs_eval_result_free(r);
        return ofs_set_error(errmsg, OFS_INVALID, "%s: configuration '%s': bad mean", what,
                             name);
    }
    *out = r;
    return OFS_OK;
}

static int parse_configs(json_t *configs, ofs_eval_figures *f, const char *what, char **errmsg)
{
    size_t n = json_array_size(configs);
    f->names = ofsi_xcalloc(n, sizeof *f->names);
    f->results = ofsi_xcalloc(n, sizeof *f->results);
    for (size_t i = 0; i < n; i++) {
        json_t *cfg = json_array_get(configs, i);
        const char *name = json_string_value(json_object_get(cfg, "name"));
        if (!name || !*name)
            return ofs_set_error(errmsg, OFS_INVALID, "%s: configuration %zu has no name", what,
                                 i + 1);
        if (ofs_eval_figures_find(f, name))
            return ofs_set_error(errmsg, OFS_INVALID, "%s: two configurations named '%s'",
                                 what, name);
        ofs_eval_result *r = NULL;
        int rc = read_config(cfg, name, what, &r, errmsg);
        if (rc != OFS_OK)
            return rc;
        f->names[f->n] = ofsi_xstrdup(name);
        f->results[f->n++] = r;
    }
    return OFS_OK;
}

static int figures_parse(const char *text, size_t len, const char *what, ofs_eval_figures **out,
                         char **errmsg)
{
    *out = NULL;
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return ofs_set_error(errmsg, OFS_INVALID, "%s line %d: not a figures file: %s", what,
                             jerr.line, jerr.text);
    json_t *configs = json_object_get(root, "configs");
    if (!json_is_array(configs) || json_array_size(configs) == 0) {
        json_decref(root);
        return ofs_set_error(errmsg, OFS_INVALID, "%s: no \"configs\" array (write figures "
                             "with ofsearch eval --json-out)", what);
    }
    ofs_eval_figures *f = ofsi_xcalloc(1, sizeof *f);
    int rc = parse_configs(configs, f, what, errmsg);
    json_decref(root);
    if (rc != OFS_OK) {
        ofs_eval_figures_free(f);
        return rc;
    }
    *out = f;
    return OFS_OK;
}

int ofs_eval_figures_parse(const char *text, size_t len, ofs_eval_figures **out, char **errmsg)
{
    return figures_parse(text, len, "figures", out, errmsg);
}

int ofs_eval_figures_read(const char *path, ofs_eval_figures **out, char **errmsg)
{
    char *buf;
    size_t len;
    *out = NULL;
    int rc = ofsi_eval_read_file(path, &buf, &len, errmsg);
    if (rc != OFS_OK)
        return rc;
    rc = figures_parse(buf, len, path, out, errmsg);
    free(buf);
    return rc;
}

size_t ofs_eval_figures_count(const ofs_eval_figures *f)
{
    return f ? f->n : 0;
}

void ofs_eval_figures_get(const ofs_eval_figures *f, size_t i, const char **name,
                          const ofs_eval_result **result)
{
    *name = f->names[i];
    *result = f->results[i];
}

const ofs_eval_result *ofs_eval_figures_find(const ofs_eval_figures *f, const char *name)
{
    for (size_t i = 0; f && i < f->n; i++)
        if (!strcmp(f->names[i], name))
            return f->results[i];
    return NULL;
}

void ofs_eval_figures_free(ofs_eval_figures *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++) {
        free(f->names[i]);
        ofs_eval_result_free(f->results[i]);
    }
    free(f->names);
    free(f->results);
    free(f);
}

/* ---- the gate ---- */

/* Queries of a that b lacks (both in natural qid order). */
static size_t unpaired(const ofs_eval_result *a, const ofs_eval_result *b)
{
    size_t i = 0, j = 0, n = 0;
    while (i < a->nqueries) {
        int c = j < b->nqueries ? ofsi_qid_cmp(a->queries[i].qid, b->queries[j].qid) : -1;
        if (c < 0)
            n++, i++;
        else if (c > 0)
            j++;
        else
            i++, j++;
    }
    return n;
}

int ofs_eval_gate_check(const ofs_eval_result *baseline, const ofs_eval_result *current,
                        double max_drop, long permutations, uint64_t seed, ofs_eval_gate *out,
                        char **errmsg)
{
    memset(out, 0, sizeof *out);
    if (!(max_drop >= 0))
        return ofs_set_error(errmsg, OFS_INVALID, "eval: max_drop must be >= 0");
    int rc = ofs_eval_compare(baseline, current, permutations, seed, &out->cmp, errmsg);
    if (rc != OFS_OK)
        return rc;
    out->only_baseline = unpaired(baseline, current);
    out->only_current = unpaired(current, baseline);
    out->mismatch = out->only_baseline || out->only_current || out->cmp.npaired == 0;
    out->failed = out->mismatch;
    for (int m = 0; m < OFS_M_COUNT; m++) {
        out->dropped[m] = -out->cmp.delta[m] > max_drop && out->cmp.p[m] < OFS_EVAL_GATE_ALPHA;
        out->failed |= out->dropped[m];
    }
    return OFS_OK;
}
