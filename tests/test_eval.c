/* Unit tests for the eval module: parsers, trec_eval ordering rules, every metric against values
 * worked out by hand, the randomization test, the SVG writer and hit -> docid mapping. */
#include "ofsearch/eval.h"
#include "ofsearch/ofsearch.h"

#include "check.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NEAR(a, b) (fabs((a) - (b)) < 1e-9)
#define CHECK_NEAR(got, want)                                                                   \
    CHECK_MSG(NEAR((got), (want)), "got %.10f want %.10f", (double)(got), (double)(want))

static ofs_qrels *qrels_of(const char *text)
{
    ofs_qrels *q = NULL;
    char *msg = NULL;
    int rc = ofs_qrels_parse(text, strlen(text), &q, &msg);
    CHECK_MSG(rc == OFS_OK, "%s", msg ? msg : "");
    free(msg);
    return q;
}

static ofs_run *run_of(const char *text)
{
    ofs_run *r = NULL;
    char *msg = NULL;
    int rc = ofs_run_parse(text, strlen(text), &r, &msg);
    CHECK_MSG(rc == OFS_OK, "%s", msg ? msg : "");
    free(msg);
    return r;
}

static const ofs_eval_query *find_q(const ofs_eval_result *r, const char *qid)
{
    for (size_t i = 0; i < r->nqueries; i++)
        if (!strcmp(r->queries[i].qid, qid))
            return &r->queries[i];
    return NULL;
}

/* q1: relevant d1 (2), d2 (1), d4 (3); d3 judged 0. q2: only a grade-0 judgment (excluded).
 * q3: relevant but absent from the run. */
static const char *QRELS = "q1 0 d1 2\nq1 0 d2 1\nq1 0 d3 0\nq1 0 d4 3\n"
                           "q2 0 x 0\n"
                           "q3 0 a 1\n";

/* Ranks in the file are deliberately wrong: trec_eval ignores them and sorts by score, then by
 * docid descending, so d5 (tie with d3 at 2.0) comes first. d1 repeats lower down: dropped. */
static const char *RUN = "q1 Q0 d2 1 1.0 t\n"
                         "q1 Q0 d3 2 2.0 t\n"
                         "q1 Q0 d1 3 3.0 t\n"
                         "q1 Q0 d5 4 2.0 t\n"
                         "q1 Q0 d1 5 0.5 t\n"
                         "q9 Q0 zz 1 1.0 t\n";

static void test_metrics_by_hand(void)
{
    ofs_qrels *q = qrels_of(QRELS);
    ofs_run *r = run_of(RUN);
    ofs_eval_result *res = NULL;
    CHECK_INT(ofs_eval_run(q, r, NULL, &res, NULL), OFS_OK);
    /* Order after sorting: d1 (rel 2), d5 (unjudged), d3 (grade 0), d2 (rel 1). */
    CHECK_INT(res->nqueries, 2); /* q1, q3 */
    CHECK_INT(res->excluded_no_relevant, 1);
    CHECK_INT(res->missing_from_run, 1);
    CHECK_INT(res->unjudged_run_queries, 1);
    CHECK_INT(res->duplicates_dropped, 1);
    const ofs_eval_query *q1 = find_q(res, "q1"), *q3 = find_q(res, "q3");
    CHECK(q1 && q3);
    if (q1 && q3) {
        CHECK_INT(q1->num_rel, 3);
        CHECK_INT(q1->num_ret, 4);
        CHECK_INT(q1->num_rel_ret, 2);
        CHECK_NEAR(q1->v[OFS_M_MAP], (1.0 / 1 + 2.0 / 4) / 3);
        CHECK_NEAR(q1->v[OFS_M_P10], 0.2);
        CHECK_NEAR(q1->v[OFS_M_RECALL100], 2.0 / 3);
        CHECK_NEAR(q1->v[OFS_M_MRR10], 1.0);
        double dcg = 2 / log2(2) + 1 / log2(5);
        double idcg = 3 / log2(2) + 2 / log2(3) + 1 / log2(4);
        CHECK_NEAR(q1->v[OFS_M_NDCG10], dcg / idcg);
        for (int m = 0; m < OFS_M_COUNT; m++)
            CHECK_NEAR(q3->v[m], 0.0);
        CHECK_NEAR(res->mean[OFS_M_MAP], 0.25);
        CHECK_NEAR(res->mean[OFS_M_NDCG10], dcg / idcg / 2);
    }
    ofs_eval_result_free(res);

    /* trec_eval without -c: q3 is not in the run, so only q1 counts. */
    ofs_eval_options o = {NULL, 0, 1};
    CHECK_INT(ofs_eval_run(q, r, &o, &res, NULL), OFS_OK);
    CHECK_INT(res->nqueries, 1);
    CHECK_NEAR(res->mean[OFS_M_MAP], 0.5);
    ofs_eval_result_free(res);

    /* Candidates from topics: q2 (excluded), q3 (zeros), q7 (no judgments: excluded). */
    const char *qids[] = {"q2", "q3", "q7"};
    ofs_eval_options t = {qids, 3, 0};
    CHECK_INT(ofs_eval_run(q, r, &t, &res, NULL), OFS_OK);
    CHECK_INT(res->nqueries, 1);
    CHECK_INT(res->excluded_no_relevant, 2);
    CHECK_NEAR(res->mean[OFS_M_MAP], 0.0);
    ofs_eval_result_free(res);
    ofs_run_free(r);
    ofs_qrels_free(q);
}

static void test_empty_run_and_ranks_beyond_cutoffs(void)
{
    ofs_qrels *q = qrels_of("1 0 a 1\n1 0 b 1\n2 0 c 4\n");
    ofs_run *r = NULL;
    CHECK_INT(ofs_run_new(&r), OFS_OK);
    ofs_eval_result *res = NULL;
    CHECK_INT(ofs_eval_run(q, r, NULL, &res, NULL), OFS_OK);
    CHECK_INT(res->nqueries, 2);
    CHECK_INT(res->missing_from_run, 2);
    for (int m = 0; m < OFS_M_COUNT; m++)
        CHECK_NEAR(res->mean[m], 0.0);
    ofs_eval_result_free(res);

    /* Query 1: a at rank 11, b at rank 101. Query 2: c at rank 3. */
    char name[32];
    for (int i = 1; i <= 120; i++) {
        snprintf(name, sizeof name, "n%03d", i);
        const char *d = i == 11 ? "a" : i == 101 ? "b" : name;
        CHECK_INT(ofs_run_add(r, "1", d, 1000.0 - i, NULL), OFS_OK);
    }
    CHECK_INT(ofs_run_add(r, "2", "x", 3, NULL), OFS_OK);
    CHECK_INT(ofs_run_add(r, "2", "y", 2, NULL), OFS_OK);
    CHECK_INT(ofs_run_add(r, "2", "c", 1, NULL), OFS_OK);
    CHECK_INT(ofs_eval_run(q, r, NULL, &res, NULL), OFS_OK);
    const ofs_eval_query *q1 = find_q(res, "1"), *q2 = find_q(res, "2");
    CHECK(q1 && q2);
    if (q1 && q2) {
        CHECK_NEAR(q1->v[OFS_M_MAP], (1.0 / 11 + 2.0 / 101) / 2);
        CHECK_NEAR(q1->v[OFS_M_P10], 0.0);
        CHECK_NEAR(q1->v[OFS_M_MRR10], 0.0); /* first relevant at 11: beyond the cutoff */
        CHECK_NEAR(q1->v[OFS_M_NDCG10], 0.0);
        CHECK_NEAR(q1->v[OFS_M_RECALL100], 0.5);
        CHECK_NEAR(q2->v[OFS_M_MRR10], 1.0 / 3);
        CHECK_NEAR(q2->v[OFS_M_NDCG10], (4 / log2(4)) / 4);
        CHECK_NEAR(q2->v[OFS_M_P10], 0.1);
    }
    CHECK_STR(res->queries[0].qid, "1"); /* natural order */
    ofs_eval_result_free(res);
    ofs_run_free(r);
    ofs_qrels_free(q);
}

static void test_qrels_parsing(void)
{
    ofs_qrels *q = qrels_of("\n 7 0 doc#a 2 \r\n7 0 doc#a 1\n7 x b -1\n8 0 c 0\n");
    CHECK_INT(ofs_qrels_count_queries(q), 2);
    int judged;
    CHECK_INT(ofs_qrels_grade(q, "7", "doc#a", &judged), 2); /* repeated: the higher grade */
    CHECK_INT(judged, 1);
    CHECK_INT(ofs_qrels_grade(q, "7", "b", &judged), -1);
    CHECK_INT(ofs_qrels_grade(q, "7", "zz", &judged), 0);
    CHECK_INT(judged, 0);
    CHECK_INT(ofs_qrels_num_relevant(q, "7"), 1);
    CHECK_INT(ofs_qrels_num_relevant(q, "8"), 0);
    ofs_qrels_free(q);

    const char *bad[] = {"1 0 a\n", "1 0 a b\n", "1 0 a 1 extra\n", "1 0 a 99999999999999\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *msg = NULL;
        CHECK_INT(ofs_qrels_parse(bad[i], strlen(bad[i]), &q, &msg), OFS_INVALID);
        CHECK(msg && strstr(msg, "line 1"));
        CHECK(q == NULL);
        free(msg);
    }
    char *msg = NULL;
    CHECK_INT(ofs_qrels_parse("1 0 a 1\n2 0 b\0 1\n", 17, &q, &msg), OFS_INVALID);
    CHECK(msg && strstr(msg, "line 2") && strstr(msg, "NUL"));
    free(msg);
}

static void test_run_parsing_and_roundtrip(void)
{
    const char *bad[] = {"1 Q0 a 1 x t\n", "1 Q0 a 1 nan t\n", "1 Q0 a 1 2\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ofs_run *r = NULL;
        char *msg = NULL;
        CHECK_INT(ofs_run_parse(bad[i], strlen(bad[i]), &r, &msg), OFS_INVALID);
        CHECK(r == NULL && msg != NULL);
        free(msg);
    }
    ofs_run *r = NULL;
    CHECK_INT(ofs_run_new(&r), OFS_OK);
    CHECK_INT(ofs_run_add(r, "1", "has space", 1, NULL), OFS_INVALID);
    CHECK_INT(ofs_run_add(r, "", "a", 1, NULL), OFS_INVALID);
    CHECK_INT(ofs_run_add(r, "1", "a", NAN, NULL), OFS_INVALID);
    CHECK_INT(ofs_run_add(r, "10", "a", 0.1 + 0.2, NULL), OFS_OK);
    CHECK_INT(ofs_run_add(r, "2", "b", 1.0 / 3, NULL), OFS_OK);
    CHECK_INT(ofs_run_add(r, "2", "c", 1.0 / 3, NULL), OFS_OK);
    CHECK_INT(ofs_run_size(r), 3);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CHECK_INT(ofs_run_write(r, f, "tag", NULL), OFS_OK);
    fclose(f);
    /* Natural qid order; within 2 the tie goes to the larger docid. */
    CHECK(!strncmp(buf, "2 Q0 c 1 ", 9));
    CHECK(strstr(buf, "\n2 Q0 b 2 ") != NULL);
    CHECK(strstr(buf, "\n10 Q0 a 1 0.30000000000000004 tag\n") != NULL);
    ofs_run *back = run_of(buf);
    CHECK_INT(ofs_run_size(back), 3);
    ofs_qrels *q = qrels_of("2 0 b 1\n10 0 a 1\n");
    ofs_eval_result *x = NULL, *y = NULL;
    CHECK_INT(ofs_eval_run(q, r, NULL, &x, NULL), OFS_OK);
    CHECK_INT(ofs_eval_run(q, back, NULL, &y, NULL), OFS_OK);
    for (int m = 0; m < OFS_M_COUNT; m++)
        CHECK_NEAR(x->mean[m], y->mean[m]);
    CHECK_NEAR(x->mean[OFS_M_MRR10], (1.0 + 0.5) / 2);
    ofs_eval_result_free(x);
    ofs_eval_result_free(y);
    ofs_qrels_free(q);
    ofs_run_free(back);
    ofs_run_free(r);
    free(buf);
}

static void test_topics(void)
{
    ofs_topics *t = NULL;
    const char *tsv = "# comment\n1\tfirst query \r\n\n 2 \t second\twith tab\n3\t\n";
    CHECK_INT(ofs_topics_parse(tsv, strlen(tsv), &t, NULL), OFS_OK);
    CHECK_INT(ofs_topics_count(t), 3);
    const char *qid, *q;
    ofs_topics_get(t, 0, &qid, &q);
    CHECK_STR(qid, "1");
    CHECK_STR(q, "first query");
    ofs_topics_get(t, 1, &qid, &q);
    CHECK_STR(qid, "2");
    CHECK_STR(q, "second\twith tab");
    ofs_topics_get(t, 2, &qid, &q);
    CHECK_STR(q, "");
    ofs_topics_free(t);

    const char *trec = "<top>\n<num> Number: 401\n<title> foreign\n minorities, Germany\n"
                       "<desc> Description:\nblah\n</top>\n<top><num>402<title>Topic: gene"
                       "tics</top>";
    CHECK_INT(ofs_topics_parse(trec, strlen(trec), &t, NULL), OFS_OK);
    CHECK_INT(ofs_topics_count(t), 2);
    ofs_topics_get(t, 0, &qid, &q);
    CHECK_STR(qid, "401");
    CHECK_STR(q, "foreign minorities, Germany");
    ofs_topics_get(t, 1, &qid, &q);
    CHECK_STR(qid, "402");
    CHECK_STR(q, "genetics");
    ofs_topics_free(t);

    const char *bad[] = {"1 no tab\n", "1\ta\n1\tb\n", "\tno qid\n", "<top><title>x</top>",
                         "a b\tspace in qid\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *msg = NULL;
        CHECK_MSG(ofs_topics_parse(bad[i], strlen(bad[i]), &t, &msg) == OFS_INVALID, "%zu", i);
        CHECK(msg != NULL && t == NULL);
        free(msg);
    }
    char *msg = NULL;
    CHECK_INT(ofs_topics_read("/nonexistent/topics.tsv", &t, &msg), OFS_IO);
    free(msg);
}

static void test_randomization(void)
{
    double a[20], b[20];
    for (int i = 0; i < 20; i++) {
        a[i] = 0.5 + 0.01 * i;
        b[i] = a[i];
    }
    CHECK_NEAR(ofs_eval_randomization_test(a, b, 20, 10000, 1), 1.0);
    CHECK_NEAR(ofs_eval_randomization_test(a, b, 0, 10000, 1), 1.0);
    for (int i = 0; i < 20; i++)
        b[i] = a[i] - 0.1;
    /* Only the two all-same-sign assignments (2 / 2^20) reach the observed sum. */
    double p = ofs_eval_randomization_test(a, b, 20, 10000, OFS_EVAL_SEED);
    CHECK(p < 0.001);
    CHECK_NEAR(p, ofs_eval_randomization_test(a, b, 20, 10000, OFS_EVAL_SEED));
    /* One pair: every sign assignment has the same |sum|. */
    CHECK_NEAR(ofs_eval_randomization_test(a, b, 1, 1000, 3), 1.0);
    /* Symmetric noise: differences +-0.1 alternating have mean 0 -> every assignment reaches
     * |0|, p = 1. Two-sided: swapping a and b gives the same p. */
    for (int i = 0; i < 20; i++)
        b[i] = a[i] + (i % 2 ? 0.1 : -0.1);
    CHECK_NEAR(ofs_eval_randomization_test(a, b, 20, 5000, 9), 1.0);
    for (int i = 0; i < 20; i++)
        b[i] = a[i] + (i < 12 ? 0.1 : -0.1);
    double p1 = ofs_eval_randomization_test(a, b, 20, 5000, 9);
    double p2 = ofs_eval_randomization_test(b, a, 20, 5000, 9);
    CHECK_NEAR(p1, p2);
    CHECK(p1 > 0.2 && p1 < 1.0); /* exact: P(|S| >= 4 of 20 signs) = 0.5034 */
}

static void test_compare(void)
{
    ofs_qrels *q = qrels_of("1 0 a 1\n2 0 b 1\n3 0 c 1\n");
    ofs_run *good = run_of("1 Q0 a 1 1 t\n2 Q0 b 1 1 t\n3 Q0 c 1 1 t\n");
    ofs_run *bad = run_of("1 Q0 z 1 2 t\n1 Q0 a 2 1 t\n2 Q0 b 1 1 t\n");
    ofs_eval_result *g = NULL, *b = NULL;
    CHECK_INT(ofs_eval_run(q, good, NULL, &g, NULL), OFS_OK);
    CHECK_INT(ofs_eval_run(q, bad, NULL, &b, NULL), OFS_OK);
    ofs_eval_comparison c;
    CHECK_INT(ofs_eval_compare(g, b, 1000, 5, &c, NULL), OFS_OK);
    CHECK_INT(c.npaired, 3);
    CHECK_NEAR(c.delta[OFS_M_MRR10], ((0.5 + 1 + 0) - 3) / 3.0);
    CHECK(c.p[OFS_M_MRR10] > 0 && c.p[OFS_M_MRR10] <= 1);
    CHECK_NEAR(c.delta[OFS_M_RECALL100], -1.0 / 3);

    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    const char *names[] = {"base<1>", "b&\x01\xff"};
    const ofs_eval_result *rs[] = {g, b};
    CHECK_INT(ofs_eval_write_svg(f, "t\"x", names, rs, 2, NULL), OFS_OK);
    fclose(f);
    CHECK(!strncmp(buf, "<?xml", 5));
    CHECK(strstr(buf, "base&lt;1&gt;") != NULL);
    CHECK(strstr(buf, "b&amp;??") != NULL);
    CHECK(strstr(buf, "t&quot;x") != NULL);
    CHECK(strstr(buf, ">nDCG@10<") != NULL);
    CHECK(len > 7 && !strcmp(buf + len - 7, "</svg>\n"));
    int bars = 0;
    for (const char *p = buf; (p = strstr(p, "<title>")) != NULL; p++)
        bars++;
    CHECK_INT(bars, 2 * OFS_M_COUNT);
    free(buf);
    CHECK_INT(ofs_eval_write_svg(stdout, "x", names, rs, 0, NULL), OFS_INVALID);
    ofs_eval_result_free(g);
    ofs_eval_result_free(b);
    ofs_run_free(good);
    ofs_run_free(bad);
    ofs_qrels_free(q);
}

static void test_hit_docid(void)
{
    struct {
        const char *docid, *path, *url;
        ofs_docid_mode mode;
        const char *want;
    } cases[] = {
        {"7", "a/b.md", "https://x/a/b#intro", OFS_DOCID_ID, "7"},
        {"7", "a/b.md", "https://x/a/b#intro", OFS_DOCID_PATH, "a/b.md"},
        {"7", "a/b.md", "https://x/a/b#intro", OFS_DOCID_ANCHOR, "a/b.md#intro"},
        {"7", "a/b.md", "https://x/a/b", OFS_DOCID_ANCHOR, "a/b.md"},
        {"7", "a/b.md", "a/b#", OFS_DOCID_ANCHOR, "a/b.md"},
        {NULL, "a/b.md", NULL, OFS_DOCID_ID, "a/b.md"},
        {"", "my doc.md", NULL, OFS_DOCID_ID, "my%20doc.md"},
        {"x", "p 100%.md", "u#a b", OFS_DOCID_ANCHOR, "p%20100%25.md#a%20b"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *d = ofs_eval_hit_docid(cases[i].docid, cases[i].path, cases[i].url, cases[i].mode);
        CHECK_STR(d, cases[i].want);
        free(d);
    }
}

/* Hostile bytes must give OFS_OK or OFS_INVALID, never a crash (ASan checks the rest). */
static void test_garbage(void)
{
    unsigned long long x = 88172645463325252ULL;
    char buf[512];
    for (int iter = 0; iter < 3000; iter++) {
        size_t n = (size_t)(x % sizeof buf);
        for (size_t i = 0; i < n; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            static const char alphabet[] = "0123 \t\n\r<>top/num#Q0.e-+aé\xff";
            buf[i] = (iter % 3) ? alphabet[x % (sizeof alphabet - 1)] : (char)x;
        }
        ofs_topics *t = NULL;
        ofs_qrels *q = NULL;
        ofs_run *r = NULL;
        int a = ofs_topics_parse(buf, n, &t, NULL);
        int b = ofs_qrels_parse(buf, n, &q, NULL);
        int c = ofs_run_parse(buf, n, &r, NULL);
        CHECK((a == OFS_OK) == (t != NULL) && (a == OFS_OK || a == OFS_INVALID));
        CHECK((b == OFS_OK || b == OFS_INVALID) && (c == OFS_OK || c == OFS_INVALID));
        if (q && r) {
            ofs_eval_result *res = NULL;
            CHECK_INT(ofs_eval_run(q, r, NULL, &res, NULL), OFS_OK);
            for (size_t i = 0; res && i < res->nqueries; i++)
                for (int m = 0; m < OFS_M_COUNT; m++)
                    CHECK(res->queries[i].v[m] >= 0 && res->queries[i].v[m] <= 1);
            ofs_eval_result_free(res);
        }
        ofs_topics_free(t);
        ofs_qrels_free(q);
        ofs_run_free(r);
    }
}

/* A figures file (as --json-out writes it) with one configuration per name; query "q<i>" has
 * every measure equal to v[i]; query number `skip` is left out, `extra` adds one more query. */
static char *figures_text(const char *name, const double *v, int n, int skip, int extra)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    fprintf(f, "{\"configs\": [{\"name\": \"%s\", \"per_query\": {", name);
    int first = 1;
    for (int i = 0; i < n + extra; i++) {
        if (i == skip)
            continue;
        double x = i < n ? v[i] : 0.5;
        fprintf(f, "%s\"q%d\": {\"map\": %.17g, \"ndcg_cut_10\": %.17g, \"P_10\": %.17g, "
                "\"recall_100\": %.17g, \"recip_rank_10\": %.17g}", first ? "" : ", ", i, x, x,
                x, x, x);
        first = 0;
    }
    fprintf(f, "}}]}");
    fclose(f);
    return buf;
}

static const ofs_eval_result *figures_result(ofs_eval_figures **figs, const char *text)
{
    char *msg = NULL;
    int rc = ofs_eval_figures_parse(text, strlen(text), figs, &msg);
    CHECK_MSG(rc == OFS_OK, "%s", msg ? msg : "");
    free(msg);
    const char *name;
    const ofs_eval_result *r = NULL;
    if (rc == OFS_OK)
        ofs_eval_figures_get(*figs, 0, &name, &r);
    return r;
}

static void test_figures_parsing(void)
{
    const char *good =
        "{\"configs\": [{\"name\": \"a\", \"queries\": 3, \"mean\": {\"map\": 0.5,"
        " \"ndcg_cut_10\": 0.5, \"P_10\": 0.1, \"recall_100\": 1, \"recip_rank_10\": 0.5},"
        " \"per_query\": {"
        "  \"10\": {\"map\": 1, \"ndcg_cut_10\": 1, \"P_10\": 0.1, \"recall_100\": 1,"
        "          \"recip_rank_10\": 1},"
        "  \"2\": {\"map\": 0.5, \"ndcg_cut_10\": 0.5, \"P_10\": 0.2, \"recall_100\": 1,"
        "         \"recip_rank_10\": 0.5},"
        "  \"1\": {\"map\": 0, \"ndcg_cut_10\": 0, \"P_10\": 0, \"recall_100\": 1,"
        "         \"recip_rank_10\": 0}}},"
        " {\"name\": \"b\", \"per_query\": {}}]}";
    ofs_eval_figures *f = NULL;
    char *msg = NULL;
    CHECK_INT(ofs_eval_figures_parse(good, strlen(good), &f, &msg), OFS_OK);
    CHECK_INT(ofs_eval_figures_count(f), 2);
    const char *name = NULL;
    const ofs_eval_result *r = NULL;
    ofs_eval_figures_get(f, 0, &name, &r);
    CHECK_STR(name, "a");
    CHECK(r == ofs_eval_figures_find(f, "a"));
    CHECK(ofs_eval_figures_find(f, "c") == NULL);
    CHECK_INT(r->nqueries, 3);
    CHECK_STR(r->queries[0].qid, "1"); /* natural order, as ofs_eval_run leaves them */
    CHECK_STR(r->queries[2].qid, "10");
    CHECK_NEAR(r->mean[OFS_M_MAP], 0.5);
    CHECK_NEAR(r->mean[OFS_M_P10], 0.1);
    ofs_eval_figures_get(f, 1, &name, &r);
    CHECK_STR(name, "b");
    CHECK_INT(r->nqueries, 0);
    ofs_eval_figures_free(f);

    /* Each is refused with OFS_INVALID and a message; none leaks (the ASan build checks). */
    const char *bad[] = {
        "", "[]", "{}", "{\"configs\": []}", "{\"configs\": {}}", "{\"configs\": [1]}",
        "{\"configs\": [{\"per_query\": {}}]}",
        "{\"configs\": [{\"name\": \"\", \"per_query\": {}}]}",
        "{\"configs\": [{\"name\": \"a\"}]}",
        "{\"configs\": [{\"name\": \"a\", \"per_query\": {}}, {\"name\": \"a\", \"per_query\": {}}]}",
        "{\"configs\": [{\"name\": \"a\", \"per_query\": {\"1\": {\"map\": 1}}}]}",
        "{\"configs\": [{\"name\": \"a\", \"per_query\": {\"1\": {\"map\": 1.5, \"ndcg_cut_10\": 1,"
        " \"P_10\": 1, \"recall_100\": 1, \"recip_rank_10\": 1}}}]}",
        "{\"configs\": [{\"name\": \"a\", \"per_query\": {\"1\": {\"map\": -0.1, \"ndcg_cut_10\": 1,"
        " \"P_10\": 1, \"recall_100\": 1, \"recip_rank_10\": 1}}}]}",
        "{\"configs\": [{\"name\": \"a\", \"per_query\": {\"1\": {\"map\": \"1\", \"ndcg_cut_10\": 1,"
        " \"P_10\": 1, \"recall_100\": 1, \"recip_rank_10\": 1}}}]}",
        "{\"configs\": [{\"name\": \"a\", \"per_query\": {\"\": {\"map\": 1, \"ndcg_cut_10\": 1,"
        " \"P_10\": 1, \"recall_100\": 1, \"recip_rank_10\": 1}}}]}",
        "{\"configs\": [{\"name\": \"a\", \"per_query\": {\"1\": {\"map\": 1, \"ndcg_cut_10\": 1,"
        " \"P_10\": 1, \"recall_100\": 1, \"recip_rank_10\": 1}, \"1\": {\"map\": 0,"
        " \"ndcg_cut_10\": 0, \"P_10\": 0, \"recall_100\": 0, \"recip_rank_10\": 0}}}]}",
        /* a stated mean the per-query values do not give: truncated or edited figures */
        "{\"configs\": [{\"name\": \"a\", \"mean\": {\"map\": 0.9, \"ndcg_cut_10\": 1, \"P_10\": 1,"
        " \"recall_100\": 1, \"recip_rank_10\": 1}, \"per_query\": {\"1\": {\"map\": 1,"
        " \"ndcg_cut_10\": 1, \"P_10\": 1, \"recall_100\": 1, \"recip_rank_10\": 1}}}]}",
        "{\"configs\": [{\"name\": \"a\", \"mean\": 3, \"per_query\": {}}]}",
        "{\"configs\": [{\"name\": \"a\", \"per_query\": {\"1\": {\"map\": 1,",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        f = NULL;
        msg = NULL;
        int rc = ofs_eval_figures_parse(bad[i], strlen(bad[i]), &f, &msg);
        CHECK_MSG(rc == OFS_INVALID && f == NULL && msg && *msg, "bad[%zu] rc %d", i, rc);
        free(msg);
        ofs_eval_figures_free(f);
    }
    msg = NULL;
    CHECK_INT(ofs_eval_figures_read("/nonexistent/figures.json", &f, &msg), OFS_IO);
    CHECK(msg && strstr(msg, "/nonexistent/figures.json"));
    free(msg);
}

static void test_gate(void)
{
    double base[20], v[20];
    for (int i = 0; i < 20; i++)
        base[i] = 0.3 + 0.02 * i;
    char *bt = figures_text("d", base, 20, -1, 0);
    ofs_eval_figures *bf = NULL, *cf = NULL;
    const ofs_eval_result *b = figures_result(&bf, bt);
    ofs_eval_gate g;

    /* current (v, leaving query skip out, adding extra) against base; returns g.failed */
#define GATE(max_drop, skip, extra)                                                             \
    do {                                                                                        \
        char *ct_ = figures_text("d", v, 20, skip, extra);                                      \
        cf = NULL;                                                                              \
        const ofs_eval_result *c_ = figures_result(&cf, ct_);                                   \
        CHECK_INT(ofs_eval_gate_check(b, c_, max_drop, 10000, OFS_EVAL_SEED, &g, NULL),        \
                  OFS_OK);                                                                      \
        ofs_eval_figures_free(cf);                                                              \
        free(ct_);                                                                              \
    } while (0)

    memcpy(v, base, sizeof v); /* unchanged */
    GATE(0, -1, 0);
    CHECK(!g.failed && !g.mismatch && g.cmp.npaired == 20);
    for (int m = 0; m < OFS_M_COUNT; m++)
        CHECK(!g.dropped[m] && g.cmp.p[m] > 0.99);

    for (int i = 0; i < 20; i++) /* every query 0.1 lower: a real regression */
        v[i] = base[i] - 0.1;
    GATE(0.01, -1, 0);
    CHECK(g.failed && !g.mismatch);
    for (int m = 0; m < OFS_M_COUNT; m++)
        CHECK(g.dropped[m] && g.cmp.p[m] < 0.001 && NEAR(g.cmp.delta[m], -0.1));
    GATE(0.2, -1, 0); /* ... but smaller than the drop allowed */
    CHECK(!g.failed && !g.dropped[OFS_M_MAP]);

    for (int i = 0; i < 20; i++) /* every query better: significant, but not a drop */
        v[i] = base[i] + 0.05;
    GATE(0, -1, 0);
    CHECK(!g.failed && g.cmp.p[OFS_M_MAP] < 0.001);

    memcpy(v, base, sizeof v); /* one query lost 0.6: a large mean drop, but not significant */
    v[19] = base[19] - 0.6;
    GATE(0.01, -1, 0);
    CHECK(!g.failed && g.cmp.delta[OFS_M_MAP] < -0.02 && g.cmp.p[OFS_M_MAP] > 0.5);

    memcpy(v, base, sizeof v); /* not the same queries: the figures are stale */
    GATE(0, 3, 0);
    CHECK(g.failed && g.mismatch && g.only_baseline == 1 && g.only_current == 0);
    GATE(0, -1, 1);
    CHECK(g.failed && g.mismatch && g.only_baseline == 0 && g.only_current == 1);

    ofs_eval_figures *ef = NULL; /* nothing paired is never a pass */
    const ofs_eval_result *empty =
        figures_result(&ef, "{\"configs\": [{\"name\": \"e\", \"per_query\": {}}]}");
    CHECK_INT(ofs_eval_gate_check(empty, empty, 0, 100, 1, &g, NULL), OFS_OK);
    CHECK(g.failed && g.mismatch && g.cmp.npaired == 0);
    char *msg = NULL;
    CHECK_INT(ofs_eval_gate_check(b, b, -0.1, 100, 1, &g, &msg), OFS_INVALID);
    free(msg);
    msg = NULL;
    CHECK_INT(ofs_eval_gate_check(b, b, NAN, 100, 1, &g, &msg), OFS_INVALID);
    free(msg);
#undef GATE
    ofs_eval_figures_free(ef);
    ofs_eval_figures_free(bf);
    free(bt);
}

int main(void)
{
    test_metrics_by_hand();
    test_empty_run_and_ranks_beyond_cutoffs();
    test_qrels_parsing();
    test_run_parsing_and_roundtrip();
    test_topics();
    test_randomization();
    test_compare();
    test_hit_docid();
    test_garbage();
    test_figures_parsing();
    test_gate();
    return check_summary("test_eval");
}
