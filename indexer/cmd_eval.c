/* `ofsearch eval`: run judged topics through the searcher (or read existing TREC runs) and score
 * them with trec_eval's measures; several configurations side by side with deltas, paired
 * randomization tests and an SVG chart. All the work is in lib/eval*.c; this parses and prints. */
#include "commands.h"

#include "alloc.h"
#include "util.h"
#include "ofsearch/eval.h"
#include "ofsearch/ofsearch.h"
#include "ofsearch/search.h"

#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_CONFIGS 32

static void eval_usage(FILE *f)
{
    fprintf(f,
        "usage: ofsearch eval --qrels FILE --topics FILE [--db PATH] [--config SPEC]...\n"
        "                     [--depth N] [--docid id|path|anchor] [--prefix] [--collection C]\n"
        "                     [--synonyms FILE | --no-synonyms] [--run-out FILE]\n"
        "                     [--per-query] [--json] [--json-out FILE] [--svg FILE]\n"
        "                     [--permutations N] [--baseline FILE [--max-drop X]]\n"
        "       ofsearch eval --qrels FILE --run RUN [--run RUN2]... [--run-queries-only]\n"
        "                     [--baseline FILE [--max-drop X]]\n"
        "Scores with trec_eval's definitions: MAP, nDCG@10, P@10, R@100, MRR@10 (docs/eval.md).\n"
        "SPEC is NAME or NAME:key=value,...; keys: db, w_title, w_headings, w_body, w_code,\n"
        "w_meta, entry_boost, fallback (0/1/2), did_you_mean, synonyms (a file or 'none'),\n"
        "prefix, ranker (bm25f|bm25), k1, b, proximity, stopwords, dedupe, common_share,\n"
        "df_cache.\n"
        "Configurations after the first show deltas and a two-sided paired randomization test\n"
        "(10,000 permutations, fixed seed). --json-out writes per-query figures.\n"
        "--baseline FILE (figures from --json-out, or a TREC run) is a regression gate: every\n"
        "configuration fails when a measure drops by more than --max-drop (default 0) with\n"
        "p < 0.05, or when it was not measured on the baseline's queries.\n"
        "Exit status: 0 done (gate passed), 1 gate failed, 2 usage or input error.\n");
}

/* One column of the comparison: a search configuration or an existing run file. */
typedef struct {
    char name[128];
    const char *db;       /* NULL: the --db default */
    const char *run_path; /* scoring an existing run instead of searching */
    ofs_search_config cfg;
    int prefix;
    char *spec_copy;      /* owns the strings cfg/db point into */
    ofs_run *run;
    ofs_eval_result *result;
    size_t failed;        /* topics the searcher rejected */
    size_t ntopics;       /* topics searched */
    double seconds;
} eval_config;

static int parse_double(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (!*s || *end || v != v)
        return -1;
    *out = v;
    return 0;
}

static int set_key(eval_config *c, const char *key, const char *val)
{
    double d;
    struct {
        const char *key;
        double *field;
    } weights[] = {{"w_title", &c->cfg.w_title},     {"w_headings", &c->cfg.w_headings},
                   {"w_body", &c->cfg.w_body},       {"w_code", &c->cfg.w_code},
                   {"w_meta", &c->cfg.w_meta},       {"entry_boost", &c->cfg.entry_boost},
                   {"k1", &c->cfg.k1},               {"b", &c->cfg.b},
                   {"proximity", &c->cfg.proximity},
                   {"common_share", &c->cfg.common_share}};
    for (size_t i = 0; i < sizeof weights / sizeof weights[0]; i++)
        if (!strcmp(key, weights[i].key))
            return parse_double(val, weights[i].field);
    if (!strcmp(key, "db")) {
        c->db = val;
        return *val ? 0 : -1;
    }
    if (!strcmp(key, "synonyms")) {
        c->cfg.synonyms_path = strcmp(val, "none") ? val : NULL;
        return 0;
    }
    if (!strcmp(key, "ranker")) {
        c->cfg.ranker = !strcmp(val, "bm25") ? OFS_RANK_FTS5_BM25 : OFS_RANK_BM25F;
        return strcmp(val, "bm25") && strcmp(val, "bm25f") ? -1 : 0;
    }
    int *flags[] = {&c->cfg.fallback, &c->cfg.did_you_mean, &c->prefix, &c->cfg.drop_stopwords,
                    &c->cfg.dedupe, &c->cfg.df_cache};
    const char *names[] = {"fallback", "did_you_mean", "prefix", "stopwords", "dedupe",
                           "df_cache"};
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        if (!strcmp(key, names[i])) {
            if (parse_double(val, &d) || d < 0 || d > (i == 0 ? 2 : 1) || d != (int)d)
                return -1;
            *flags[i] = (int)d;
            return 0;
        }
    return -1;
}

/* Parses "NAME" or "NAME:key=val,key=val" on top of the defaults already in c. */
static int parse_config(eval_config *c, const char *spec)
{
    c->spec_copy = ofsi_xstrdup(spec);
    char *colon = strchr(c->spec_copy, ':');
    if (colon)
        *colon = '\0';
    if (!*c->spec_copy || strlen(c->spec_copy) >= sizeof c->name) {
        fprintf(stderr, "ofsearch: --config needs a NAME (under 128 bytes) before ':'\n");
        return -1;
    }
    snprintf(c->name, sizeof c->name, "%s", c->spec_copy);
    for (char *kv = colon ? strtok(colon + 1, ",") : NULL; kv; kv = strtok(NULL, ",")) {
        char *eq = strchr(kv, '=');
        if (eq)
            *eq = '\0';
        if (!eq || set_key(c, kv, eq + 1)) {
            fprintf(stderr, "ofsearch: --config %s: bad setting '%s'\n", c->name, kv);
            return -1;
        }
    }
    return 0;
}

typedef struct {
    const char *db, *topics_path, *qrels_path, *run_out, *svg, *collection, *json_out;
    const char *baseline; /* figures file or TREC run for the gate; NULL: no gate */
    double max_drop;
    int depth, per_query, json, run_queries_only, has_max_drop;
    ofs_docid_mode docid;
    long permutations;
} eval_args;

/* The gate's verdict for each configuration (evaluate() fills it when --baseline is given). */
typedef struct {
    ofs_eval_gate g;
    const ofs_eval_result *base;
    char base_name[160];
} gate_verdict;

/* Searches every topic under configuration c; fills c->run. */
static int run_config(eval_config *c, const eval_args *a, const ofs_topics *topics, char **err)
{
    ofs_search_config cfg = c->cfg;
    if (cfg.max_limit < a->depth)
        cfg.max_limit = a->depth;
    ofs_searcher *s = NULL;
    double t0 = ofsi_clock_seconds();
    int rc = ofs_searcher_open(c->db ? c->db : a->db, &cfg, &s, err);
    if (rc == OFS_OK) {
        ofs_eval_search_options o;
        ofs_eval_search_options_default(&o);
        o.depth = a->depth;
        o.docid = a->docid;
        o.prefix = c->prefix;
        o.collection = a->collection;
        rc = ofs_eval_search(s, topics, &o, &c->run, &c->failed, err);
    }
    ofs_searcher_close(s);
    c->seconds = ofsi_clock_seconds() - t0;
    c->ntopics = ofs_topics_count(topics);
    return rc;
}

static int write_run_out(eval_config *c, const eval_args *a, size_t nconfigs, char **err)
{
    char *path = nconfigs == 1 ? ofsi_xstrdup(a->run_out)
                               : ofsi_xasprintf("%s.%s", a->run_out, c->name);
    FILE *f = fopen(path, "w");
    int rc = f ? ofs_run_write(c->run, f, c->name, err)
               : ofs_set_error(err, OFS_IO, "cannot write %s", path);
    if (f && fclose(f) != 0 && rc == OFS_OK)
        rc = ofs_set_error(err, OFS_IO, "cannot write %s", path);
    free(path);
    return rc;
}

static void print_text(eval_config *cs, size_t n, const ofs_eval_comparison *cmp,
                       const eval_args *a)
{
    const ofs_eval_result *r0 = cs[0].result;
    printf("%zu queries evaluated; %zu excluded (no relevant judgment); %zu without results\n",
           r0->nqueries, r0->excluded_no_relevant, r0->missing_from_run);
    printf("%-20s", "config");
    for (int m = 0; m < OFS_M_COUNT; m++)
        printf(" %8s", ofs_eval_metric_label(m));
    printf(" %9s\n", "q/s");
    for (size_t i = 0; i < n; i++) {
        printf("%-20s", cs[i].name);
        for (int m = 0; m < OFS_M_COUNT; m++)
            printf(" %8.4f", cs[i].result->mean[m]);
        if (cs[i].run_path)
            printf(" %9s\n", "-");
        else
            printf(" %9.1f\n", cs[i].seconds > 0 ? cs[i].ntopics / cs[i].seconds : 0);
    }
    if (n > 1) {
        printf("\ndelta vs %s (two-sided paired randomization test p; * p < 0.05)\n",
               cs[0].name);
        for (size_t i = 1; i < n; i++) {
            printf("%-20s", cs[i].name);
            for (int m = 0; m < OFS_M_COUNT; m++)
                printf(" %+8.4f", cmp[i].delta[m]);
            printf("\n%-20s", "  p");
            for (int m = 0; m < OFS_M_COUNT; m++) {
                char p[32];
                snprintf(p, sizeof p, "%.4f%s", cmp[i].p[m], cmp[i].p[m] < 0.05 ? "*" : " ");
                printf(" %8s", p);
            }
            printf("\n");
        }
    }
    for (size_t i = 0; i < n; i++)
        if (cs[i].failed)
            printf("%s: %zu topics rejected by the query parser\n", cs[i].name, cs[i].failed);
    if (!a->per_query)
        return;
    printf("\n");
    for (size_t i = 0; i < n; i++)
        for (size_t q = 0; q < cs[i].result->nqueries; q++)
            for (int m = 0; m < OFS_M_COUNT; m++) {
                if (n > 1)
                    printf("%s\t", cs[i].name);
                printf("%s\t%s\t%.4f\n", ofs_eval_metric_name(m), cs[i].result->queries[q].qid,
                       cs[i].result->queries[q].v[m]);
            }
}

static json_t *metrics_json(const double *v)
{
    json_t *o = json_object();
    for (int m = 0; m < OFS_M_COUNT; m++)
        json_object_set_new(o, ofs_eval_metric_name(m), json_real(v[m]));
    return o;
}

static json_t *gate_json(const eval_args *a, const gate_verdict *v)
{
    json_t *dropped = json_array();
    for (int m = 0; m < OFS_M_COUNT; m++)
        if (v->g.dropped[m])
            json_array_append_new(dropped, json_string(ofs_eval_metric_name(m)));
    return json_pack("{s:s, s:s, s:f, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:b}", "baseline",
                     a->baseline, "baseline_config", v->base_name, "max_drop", a->max_drop,
                     "paired", (json_int_t)v->g.cmp.npaired, "only_baseline",
                     (json_int_t)v->g.only_baseline, "only_current",
                     (json_int_t)v->g.only_current, "baseline_mean", metrics_json(v->base->mean),
                     "delta", metrics_json(v->g.cmp.delta), "p", metrics_json(v->g.cmp.p),
                     "dropped", dropped, "passed", !v->g.failed);
}

/* per_query: include every query's values (always in --json-out, which is a figures file). */
static void print_json(FILE *f, eval_config *cs, size_t n, const ofs_eval_comparison *cmp,
                       const eval_args *a, const gate_verdict *gates, int per_query)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        const ofs_eval_result *r = cs[i].result;
        json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:f, s:o}", "name", cs[i].name,
                              "queries", (json_int_t)r->nqueries, "excluded_no_relevant",
                              (json_int_t)r->excluded_no_relevant, "missing_from_run",
                              (json_int_t)r->missing_from_run, "duplicates_dropped",
                              (json_int_t)r->duplicates_dropped, "rejected_topics",
                              (json_int_t)cs[i].failed, "seconds", cs[i].seconds, "mean",
                              metrics_json(r->mean));
        if (i > 0)
            json_object_set_new(o, "vs_first", json_pack("{s:o, s:o, s:I}", "delta",
                                                         metrics_json(cmp[i].delta), "p",
                                                         metrics_json(cmp[i].p), "paired",
                                                         (json_int_t)cmp[i].npaired));
        if (gates)
            json_object_set_new(o, "gate", gate_json(a, &gates[i]));
        if (per_query) {
            json_t *pq = json_object();
            for (size_t q = 0; q < r->nqueries; q++)
                json_object_set_new(pq, r->queries[q].qid, metrics_json(r->queries[q].v));
            json_object_set_new(o, "per_query", pq);
        }
        json_array_append_new(arr, o);
    }
    json_t *root = json_pack("{s:o}", "configs", arr);
    char *text = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    if (text)
        fprintf(f, "%s\n", text);
    free(text);
    json_decref(root);
}

static int write_svg(eval_config *cs, size_t n, const char *path, char **err)
{
    const char *names[MAX_CONFIGS];
    const ofs_eval_result *rs[MAX_CONFIGS];
    for (size_t i = 0; i < n; i++) {
        names[i] = cs[i].name;
        rs[i] = cs[i].result;
    }
    FILE *f = fopen(path, "w");
    if (!f)
        return ofs_set_error(err, OFS_IO, "cannot write %s", path);
    int rc = ofs_eval_write_svg(f, "ofsearch eval", names, rs, n, err);
    if (fclose(f) != 0 && rc == OFS_OK)
        rc = ofs_set_error(err, OFS_IO, "cannot write %s", path);
    return rc;
}

/* The baseline of --baseline and each configuration's verdict. */
typedef struct {
    ofs_eval_figures *figs;  /* the baseline as stored figures, or */
    ofs_eval_result *scored; /* the baseline run, scored like the configurations */
    gate_verdict v[MAX_CONFIGS];
    int failed;
} gate_state;

/* Whether path holds figures (JSON) rather than a TREC run: its first non-blank byte is '{'. */
static int is_figures_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    int c = EOF;
    if (f) {
        while ((c = getc(f)) == ' ' || c == '\t' || c == '\n' || c == '\r')
            ;
        fclose(f);
    }
    return c == '{';
}

/* Tests every configuration against the baseline: the figures of the same name (or the only
 * ones in the file), or the baseline run scored with the same qrels and queries. */
static int run_gate(eval_config *cs, size_t n, const eval_args *a, const ofs_qrels *qrels,
                    const ofs_eval_options *eo, gate_state *gs, char **err)
{
    ofs_run *run = NULL;
    int rc;
    if (is_figures_file(a->baseline))
        rc = ofs_eval_figures_read(a->baseline, &gs->figs, err);
    else if ((rc = ofs_run_read(a->baseline, &run, err)) == OFS_OK)
        rc = ofs_eval_run(qrels, run, eo, &gs->scored, err);
    ofs_run_free(run);
    for (size_t i = 0; rc == OFS_OK && i < n; i++) {
        gate_verdict *v = &gs->v[i];
        const char *name = strrchr(a->baseline, '/') ? strrchr(a->baseline, '/') + 1
                                                      : a->baseline;
        v->base = gs->scored;
        if (gs->figs) {
            name = cs[i].name;
            v->base = ofs_eval_figures_find(gs->figs, name);
            if (!v->base && ofs_eval_figures_count(gs->figs) == 1)
                ofs_eval_figures_get(gs->figs, 0, &name, &v->base);
            if (!v->base)
                return ofs_set_error(err, OFS_INVALID, "%s has no figures for configuration "
                                     "'%s'", a->baseline, cs[i].name);
        }
        snprintf(v->base_name, sizeof v->base_name, "%s", name);
        rc = ofs_eval_gate_check(v->base, cs[i].result, a->max_drop, a->permutations,
                                 OFS_EVAL_SEED, &v->g, err);
        gs->failed |= v->g.failed;
    }
    return rc;
}

/* A difference that is only the rounding of stored figures (10 digits) prints as 0. */
static double tidy(double d)
{
    return fabs(d) < 1e-9 ? 0 : d;
}

/* The gate's table. */
static void print_gate(const eval_config *cs, size_t n, const eval_args *a, const gate_state *gs)
{
    printf("\ngate vs %s: fails on a drop of more than %.4f with p < %.2f\n", a->baseline,
           a->max_drop, OFS_EVAL_GATE_ALPHA);
    for (size_t i = 0; i < n; i++) {
        const gate_verdict *v = &gs->v[i];
        printf("%s vs %s (%zu queries paired)\n  %-8s %8s %8s %8s %8s\n", cs[i].name,
               v->base_name, v->g.cmp.npaired, "measure", "baseline", "current", "delta", "p");
        for (int m = 0; m < OFS_M_COUNT; m++)
            printf("  %-8s %8.4f %8.4f %+8.4f %8.4f%s\n", ofs_eval_metric_label(m),
                   v->base->mean[m], cs[i].result->mean[m], tidy(v->g.cmp.delta[m]), v->g.cmp.p[m],
                   v->g.dropped[m] ? "  DROP" : "");
        if (v->g.mismatch)
            printf("  not the same queries: %zu only in the baseline, %zu only in this run\n",
                   v->g.only_baseline, v->g.only_current);
        printf("  %s\n", v->g.failed ? "FAILED" : "passed");
    }
}

/* One line per failed configuration on stderr, for build logs. */
static void report_gate_failures(const eval_config *cs, size_t n, const eval_args *a,
                                 const gate_state *gs)
{
    for (size_t i = 0; i < n; i++) {
        const ofs_eval_gate *g = &gs->v[i].g;
        if (!g->failed)
            continue;
        fprintf(stderr, "ofsearch: gate failed: %s vs %s:", cs[i].name, a->baseline);
        for (int m = 0; m < OFS_M_COUNT; m++)
            if (g->dropped[m])
                fprintf(stderr, " %s %+.4f (p %.4f)", ofs_eval_metric_label(m), g->cmp.delta[m],
                        g->cmp.p[m]);
        if (g->mismatch)
            fprintf(stderr, " measured on other queries (%zu only in the baseline, %zu only "
                    "here): refresh the figures (docs/eval.md)", g->only_baseline,
                    g->only_current);
        fprintf(stderr, "\n");
    }
}

static void gate_state_free(gate_state *gs)
{
    ofs_eval_figures_free(gs->figs);
    ofs_eval_result_free(gs->scored);
}

/* Runs or reads every configuration's run, scores it, compares, gates (gs not NULL) and
 * prints. */
static int evaluate(eval_config *cs, size_t n, const eval_args *a, gate_state *gs, char **err)
{
    ofs_qrels *qrels = NULL;
    ofs_topics *topics = NULL;
    const char **qids = NULL;
    ofs_eval_comparison cmp[MAX_CONFIGS];
    int rc = ofs_qrels_read(a->qrels_path, &qrels, err);
    if (rc == OFS_OK && a->topics_path)
        rc = ofs_topics_read(a->topics_path, &topics, err);
    size_t nt = ofs_topics_count(topics);
    if (rc == OFS_OK && topics)
        qids = ofsi_xcalloc(nt, sizeof *qids);
    for (size_t i = 0; rc == OFS_OK && i < nt; i++) {
        const char *text;
        ofs_topics_get(topics, i, &qids[i], &text);
    }
    ofs_eval_options eo = {qids, nt, a->run_queries_only};
    for (size_t i = 0; rc == OFS_OK && i < n; i++) {
        rc = cs[i].run_path ? ofs_run_read(cs[i].run_path, &cs[i].run, err)
                            : run_config(&cs[i], a, topics, err);
        if (rc == OFS_OK && a->run_out && !cs[i].run_path)
            rc = write_run_out(&cs[i], a, n, err);
        if (rc == OFS_OK)
            rc = ofs_eval_run(qrels, cs[i].run, &eo, &cs[i].result, err);
        if (rc == OFS_OK && i > 0)
            rc = ofs_eval_compare(cs[0].result, cs[i].result, a->permutations, OFS_EVAL_SEED,
                                  &cmp[i], err);
    }
    if (rc == OFS_OK && gs)
        rc = run_gate(cs, n, a, qrels, &eo, gs, err);
    const gate_verdict *gates = gs ? gs->v : NULL;
    if (rc == OFS_OK && a->svg)
        rc = write_svg(cs, n, a->svg, err);
    if (rc == OFS_OK && a->json_out) {
        FILE *f = fopen(a->json_out, "w");
        if (!f)
            rc = ofs_set_error(err, OFS_IO, "cannot write %s", a->json_out);
        else {
            print_json(f, cs, n, cmp, a, gates, 1);
            if (fclose(f) != 0)
                rc = ofs_set_error(err, OFS_IO, "cannot write %s", a->json_out);
        }
    }
    if (rc == OFS_OK) {
        if (a->json)
            print_json(stdout, cs, n, cmp, a, gates, a->per_query);
        else
            print_text(cs, n, cmp, a);
        if (gs && !a->json)
            print_gate(cs, n, a, gs);
        if (gs)
            report_gate_failures(cs, n, a, gs);
    }
    free(qids);
    ofs_topics_free(topics);
    ofs_qrels_free(qrels);
    return rc;
}

static int parse_docid_mode(const char *s, ofs_docid_mode *m)
{
    if (!strcmp(s, "id"))
        *m = OFS_DOCID_ID;
    else if (!strcmp(s, "path"))
        *m = OFS_DOCID_PATH;
    else if (!strcmp(s, "anchor"))
        *m = OFS_DOCID_ANCHOR;
    else
        return -1;
    return 0;
}

static void config_defaults(eval_config *c, int prefix, const char *synonyms)
{
    memset(c, 0, sizeof *c);
    ofs_search_config_default(&c->cfg);
    c->cfg.synonyms_path = synonyms;
    c->prefix = prefix;
}

/* Checks the combination of options; returns 0 when usable. */
static int check_args(const eval_args *a, const char **specs, size_t nspecs, size_t nruns)
{
    if (!a->qrels_path) {
        fprintf(stderr, "ofsearch: eval needs --qrels\n");
        return -1;
    }
    if (nruns == 0 && !a->topics_path) {
        fprintf(stderr, "ofsearch: eval needs --topics (to search) or --run (to score a run)\n");
        return -1;
    }
    if (nruns && nspecs) {
        fprintf(stderr, "ofsearch: --run and --config do not mix\n");
        return -1;
    }
    if (a->depth < 1 || a->depth > 1000) {
        fprintf(stderr, "ofsearch: --depth must be 1..1000\n");
        return -1;
    }
    if (a->has_max_drop && !a->baseline) {
        fprintf(stderr, "ofsearch: --max-drop needs --baseline\n");
        return -1;
    }
    (void)specs;
    return 0;
}

int cmd_eval(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'},        {"topics", required_argument, 0, 't'},
        {"qrels", required_argument, 0, 'q'},     {"run", required_argument, 0, 'r'},
        {"run-out", required_argument, 0, 'o'},   {"depth", required_argument, 0, 'n'},
        {"docid", required_argument, 0, 'i'},     {"prefix", no_argument, 0, 'p'},
        {"json", no_argument, 0, 'j'},            {"per-query", no_argument, 0, 'Q'},
        {"config", required_argument, 0, 'c'},    {"svg", required_argument, 0, 's'},
        {"collection", required_argument, 0, 'C'}, {"run-queries-only", no_argument, 0, 'R'},
        {"permutations", required_argument, 0, 'P'}, {"help", no_argument, 0, 'h'},
        {"synonyms", required_argument, 0, 'y'},  {"no-synonyms", no_argument, 0, 'Y'},
        {"json-out", required_argument, 0, 'J'},  {"baseline", required_argument, 0, 'B'},
        {"max-drop", required_argument, 0, 'M'},
        {0, 0, 0, 0}};
    eval_args a = {.db = default_db_path(), .depth = 100, .docid = OFS_DOCID_ID,
                   .permutations = OFS_EVAL_PERMUTATIONS};
    const char *specs[MAX_CONFIGS], *runs[MAX_CONFIGS];
    size_t nspecs = 0, nruns = 0;
    const char *synonyms = default_synonyms_path();
    int prefix = 0, c;
    long v;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:t:q:r:o:n:i:pjQc:s:C:RP:y:YJ:B:M:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': a.db = optarg; break;
        case 't': a.topics_path = optarg; break;
        case 'q': a.qrels_path = optarg; break;
        case 'o': a.run_out = optarg; break;
        case 's': a.svg = optarg; break;
        case 'C': a.collection = optarg; break;
        case 'p': prefix = 1; break;
        case 'J': a.json_out = optarg; break;
        case 'B': a.baseline = optarg; break;
        case 'M':
            a.has_max_drop = 1;
            if (parse_double(optarg, &a.max_drop) || a.max_drop < 0 || a.max_drop > 1) {
                fprintf(stderr, "ofsearch: --max-drop must be a number in 0..1\n");
                return 2;
            }
            break;
        case 'y': synonyms = optarg; break;
        case 'Y': synonyms = NULL; break;
        case 'j': a.json = 1; break;
        case 'Q': a.per_query = 1; break;
        case 'R': a.run_queries_only = 1; break;
        case 'n':
            a.depth = ofsi_parse_long(optarg, INT_MIN, INT_MAX, &v) ? 0 : (int)v;
            break;
        case 'P':
            if (ofsi_parse_long(optarg, 1, 10000000, &a.permutations)) {
                fprintf(stderr, "ofsearch: --permutations must be 1..10000000\n");
                return 2;
            }
            break;
        case 'i':
            if (parse_docid_mode(optarg, &a.docid)) {
                fprintf(stderr, "ofsearch: --docid is id, path or anchor\n");
                return 2;
            }
            break;
        case 'r':
        case 'c':
            if ((c == 'r' ? nruns : nspecs) == MAX_CONFIGS) {
                fprintf(stderr, "ofsearch: at most %d configurations\n", MAX_CONFIGS);
                return 2;
            }
            if (c == 'r')
                runs[nruns++] = optarg;
            else
                specs[nspecs++] = optarg;
            break;
        case 'h': eval_usage(stdout); return 0;
        default: eval_usage(stderr); return 2;
        }
    }
    if (optind < argc || check_args(&a, specs, nspecs, nruns)) {
        eval_usage(stderr);
        return 2;
    }
    size_t n = nruns ? nruns : nspecs ? nspecs : 1;
    eval_config *cs = ofsi_xcalloc(n, sizeof *cs);
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        config_defaults(&cs[i], prefix, synonyms);
        if (nruns) {
            cs[i].run_path = runs[i];
            const char *base = strrchr(runs[i], '/');
            snprintf(cs[i].name, sizeof cs[i].name, "%s", base ? base + 1 : runs[i]);
        } else if (nspecs) {
            bad |= parse_config(&cs[i], specs[i]);
        } else {
            snprintf(cs[i].name, sizeof cs[i].name, "default");
        }
    }
    char *err = NULL;
    gate_state gs;
    memset(&gs, 0, sizeof gs);
    int rc = bad ? OFS_INVALID : evaluate(cs, n, &a, a.baseline ? &gs : NULL, &err);
    gate_state_free(&gs);
    if (rc != OFS_OK && err)
        fprintf(stderr, "ofsearch: %s\n", err);
    for (size_t i = 0; i < n; i++) {
        ofs_run_free(cs[i].run);
        ofs_eval_result_free(cs[i].result);
        free(cs[i].spec_copy);
    }
    free(cs);
    free(err);
    return rc != OFS_OK ? 2 : gs.failed ? 1 : 0;
}
