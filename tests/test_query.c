/* Tests for lib/query.c and lib/synonyms.c's expansion: a table of inputs and the exact FTS5
 * expressions they compile to (every feature and hostile inputs), a check that FTS5 accepts every
 * generated expression, and 10,000 random hostile strings that must all compile to valid FTS5.
 * Also lib/stopwords.c, the list the any-word form leaves out. */
#include "check.h"

#include "internal.h"
#include "ofsearch/ofsearch.h"
#include "ofsearch/query.h"
#include "ofsearch/tokenizer.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *in;
    int prefix;
    const char *all; /* NULL: no positive clause */
    const char *any; /* "=": same as all */
} qcase;

/* Without a tokenizer: nothing is dropped for being punctuation, keys fold ASCII case only. */
static const qcase raw_cases[] = {
    /* plain words, phrases */
    {"hello", 0, "\"hello\"", "="},
    {"hello world", 0, "\"hello\" AND \"world\"", "\"hello\" OR \"world\""},
    {"  hello \t\n world  ", 0, "\"hello\" AND \"world\"", "\"hello\" OR \"world\""},
    {"\"exact phrase\" word", 0, "\"exact phrase\" AND \"word\"", "\"exact phrase\" OR \"word\""},
    {"\"a b\"\"c d\"", 0, "\"a b\" AND \"c d\"", "\"a b\" OR \"c d\""},
    /* exclusions */
    {"a -b", 0, "\"a\" NOT \"b\"", "="},
    {"a b -c -\"d e\"", 0, "(\"a\" AND \"b\") NOT (\"c\" OR \"d e\")",
     "(\"a\" OR \"b\") NOT (\"c\" OR \"d e\")"},
    {"-a", 0, NULL, NULL},
    {"-a -\"b c\"", 0, NULL, NULL},
    {"--a", 0, NULL, NULL},
    {"a --b", 0, "\"a\" NOT \"-b\"", "="},
    {"a - b", 0, "\"a\" AND \"-\" AND \"b\"", "\"a\" OR \"-\" OR \"b\""},
    /* OR */
    {"a OR b", 0, "\"a\" OR \"b\"", "="},
    {"a OR b c", 0, "(\"a\" OR \"b\") AND \"c\"", "\"a\" OR \"b\" OR \"c\""},
    {"a OR b OR c", 0, "\"a\" OR \"b\" OR \"c\"", "="},
    {"a OR b -c", 0, "(\"a\" OR \"b\") NOT \"c\"", "="},
    {"a or b", 0, "\"a\" AND \"or\" AND \"b\"", "\"a\" OR \"or\" OR \"b\""},
    {"OR", 0, "\"OR\"", "="},
    {"OR a", 0, "\"OR\" AND \"a\"", "\"OR\" OR \"a\""},
    {"a OR", 0, "\"a\" AND \"OR\"", "\"a\" OR \"OR\""},
    {"a OR -b", 0, "(\"a\" AND \"OR\") NOT \"b\"", "(\"a\" OR \"OR\") NOT \"b\""},
    {"a OR OR b", 0, "\"a\" AND (\"OR\" OR \"b\")", "\"a\" OR \"OR\" OR \"b\""},
    {"\"a b\" OR c*", 0, "\"a b\" OR \"c\"*", "="},
    /* prefixes */
    {"obser*", 0, "\"obser\"*", "="},
    {"obser** x", 0, "\"obser\"* AND \"x\"", "\"obser\"* OR \"x\""},
    {"\"open cl\"*", 0, "\"open cl\"*", "="},
    {"*", 0, "\"*\"", "="},
    {"a*b", 0, "\"a*b\"", "="},
    {"a -b*", 0, "\"a\" NOT \"b\"*", "="},
    /* filters */
    {"title:kube", 0, "title:\"kube\"", "="},
    {"TITLE:kube", 0, "title:\"kube\"", "="},
    {"title:\"open cloud\" moc", 0, "\"moc\" AND title:\"open cloud\"", "="},
    {"a b title:x", 0, "\"a\" AND \"b\" AND title:\"x\"", "(\"a\" OR \"b\") AND title:\"x\""},
    {"a b title:x -c", 0, "(\"a\" AND \"b\" AND title:\"x\") NOT \"c\"",
     "((\"a\" OR \"b\") AND title:\"x\") NOT \"c\""},
    {"a OR b title:x", 0, "(\"a\" OR \"b\") AND title:\"x\"", "(\"a\" OR \"b\") AND title:\"x\""},
    {"title:obs*", 0, "title:\"obs\"*", "="},
    {"a -title:b", 0, "\"a\" NOT title:\"b\"", "="},
    {"title:", 0, "\"title:\"", "="},
    {"title:\"unclosed", 0, "title:\"\"\"unclosed\"", "="},
    {"collection:docs kind:faq moc", 0, "\"moc\"", "="},
    {"kind:banana moc", 0, "\"kind:banana\" AND \"moc\"", "\"kind:banana\" OR \"moc\""},
    {"collection: x", 0, "\"collection:\" AND \"x\"", "\"collection:\" OR \"x\""},
    {"-collection:x a", 0, "\"a\" NOT \"collection:x\"", "="},
    {"foo:bar", 0, "\"foo:bar\"", "="},
    {"kind:page", 0, NULL, NULL},
    /* as-you-type */
    {"kube", 1, "\"kube\"*", "="},
    {"kube ", 1, "\"kube\"", "="},
    {"open clo", 1, "\"open\" AND \"clo\"*", "\"open\" OR \"clo\"*"},
    {"\"open cloud\"", 1, "\"open cloud\"", "="},
    {"a -b", 1, "\"a\" NOT \"b\"", "="},
    {"a OR", 1, "\"a\"*", "="},
    {"OR", 1, "\"OR\"*", "="},
    {"title:ku", 1, "title:\"ku\"*", "="},
    {"obs*", 1, "\"obs\"*", "="},
    /* hostile input: stray quotes, operators as words, FTS5 syntax characters */
    {"say \"hello", 0, "\"say\" AND \"hello\"", "\"say\" OR \"hello\""},
    {"\"", 0, NULL, NULL},
    {"\"\"", 0, NULL, NULL},
    {"\"\"\"", 0, NULL, NULL},
    {"a\"b", 0, "\"a\"\"b\"", "="},
    {"a\" b", 0, "\"a\"\"\" AND \"b\"", "\"a\"\"\" OR \"b\""},
    {"NEAR(a b)", 0, "\"NEAR(a\" AND \"b)\"", "\"NEAR(a\" OR \"b)\""},
    {"a AND b NOT c", 0, "\"a\" AND \"AND\" AND \"b\" AND \"NOT\" AND \"c\"",
     "\"a\" OR \"AND\" OR \"b\" OR \"NOT\" OR \"c\""},
    {"^a", 0, "\"^a\"", "="},
    {":", 0, "\":\"", "="},
    {"(a OR b)", 0, "\"(a\" OR \"b)\"", "="},
    {"{title}:x", 0, "\"{title}:x\"", "="},
    {"", 0, NULL, NULL},
    {"   ", 0, NULL, NULL},
    {"-", 0, "\"-\"", "="},
    {"caf\xe9 \xff\xfe", 0, "\"caf\xEF\xBF\xBD\" AND \"\xEF\xBF\xBD\xEF\xBF\xBD\"",
     "\"caf\xEF\xBF\xBD\" OR \"\xEF\xBF\xBD\xEF\xBF\xBD\""},
    {"\xc0\xaf \xed\xa0\x80", 0, "\"\xEF\xBF\xBD\xEF\xBF\xBD\" AND \"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"",
     "\"\xEF\xBF\xBD\xEF\xBF\xBD\" OR \"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\""},
    {"na\xc3\xafve", 0, "\"na\xc3\xafve\"", "="},
};

/* With the ofs tokenizer: words without a token disappear. */
static const qcase tok_cases[] = {
    {"*", 0, NULL, NULL},
    {"-", 0, NULL, NULL},
    {"a , b", 0, "\"a\" AND \"b\"", "\"a\" OR \"b\""},
    {"kube -- ,", 0, "\"kube\"", "="},
    {"\"...\" x", 0, "\"x\"", "="},
    {"title:!!! x", 0, "\"x\"", "="},
    {"x -!!!", 0, "\"x\"", "="},
    {"a OR !!! b", 0, "\"a\" OR \"b\"", "="},
    {"kube ,", 1, "\"kube\"*", "="},
};

static const char synonyms_text[] =
    "# test synonyms: one group per line\n"
    "MOC = Mass Open Cloud = Massachusetts Open Cloud\n"
    "\n"
    "k8s = kubernetes   # trailing comment\n"
    "kube = Kubernetes\r\n"
    "C# = csharp\n"
    "  SRE = site reliability engineering = site reliability engineer\n";

static const qcase syn_cases[] = {
    {"moc", 0, "(\"moc\" OR \"Mass Open Cloud\" OR \"Massachusetts Open Cloud\")", "="},
    {"MOC billing", 0,
     "(\"MOC\" OR \"Mass Open Cloud\" OR \"Massachusetts Open Cloud\") AND \"billing\"",
     "(\"MOC\" OR \"Mass Open Cloud\" OR \"Massachusetts Open Cloud\") OR \"billing\""},
    {"mass open cloud billing", 0,
     "(\"mass open cloud\" OR \"MOC\" OR \"Massachusetts Open Cloud\") AND \"billing\"",
     "(\"mass open cloud\" OR \"MOC\" OR \"Massachusetts Open Cloud\") OR \"billing\""},
    {"mass open", 0, "\"mass\" AND \"open\"", "\"mass\" OR \"open\""},
    {"kubernetes", 0, "(\"kubernetes\" OR \"k8s\" OR \"kube\")", "="},
    {"K8S", 0, "(\"K8S\" OR \"kubernetes\")", "="},
    {"c#", 0, "(\"c#\" OR \"csharp\")", "="},
    {"site reliability engineering", 0,
     "(\"site reliability engineering\" OR \"SRE\" OR \"site reliability engineer\")", "="},
    {"site reliability", 0, "\"site\" AND \"reliability\"", "\"site\" OR \"reliability\""},
    /* not inside quotes, prefixes, exclusions or filters */
    {"\"moc\"", 0, "\"moc\"", "="},
    {"moc*", 0, "\"moc\"*", "="},
    {"x -moc", 0, "\"x\" NOT \"moc\"", "="},
    {"title:moc", 0, "title:\"moc\"", "="},
    {"moc", 1, "\"moc\"*", "="},
    {"moc ", 1, "(\"moc\" OR \"Mass Open Cloud\" OR \"Massachusetts Open Cloud\")", "="},
    {"a OR moc", 0, "\"a\" OR (\"moc\" OR \"Mass Open Cloud\" OR \"Massachusetts Open Cloud\")",
     "="},
    {"mass OR open cloud", 0, "(\"mass\" OR \"open\") AND \"cloud\"",
     "\"mass\" OR \"open\" OR \"cloud\""},
};

static int g_fts_errors;

/* Runs expr against t (and wrapped in a title filter, as the searcher does); counts failures. */
static void check_fts5(sqlite3 *db, const char *expr, const char *input)
{
    if (!expr)
        return;
    for (int wrap = 0; wrap < 2; wrap++) {
        char *sql = sqlite3_mprintf(wrap ? "{title} : (%s)" : "%s", expr);
        sqlite3_stmt *st = NULL;
        int rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM t WHERE t MATCH ?1", -1, &st, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_bind_text(st, 1, sql, -1, SQLITE_TRANSIENT);
        if (rc == SQLITE_OK)
            rc = sqlite3_step(st);
        if (rc != SQLITE_ROW) {
            g_fts_errors++;
            if (g_fts_errors < 20)
                fprintf(stderr, "FTS5 rejected %s (from input %s): %s\n", sql, input,
                        sqlite3_errmsg(db));
        }
        sqlite3_finalize(st);
        sqlite3_free(sql);
    }
}

static void run_cases(const qcase *cases, size_t n, ofs_tokenizer *tok, const ofs_synonyms *syn,
                      sqlite3 *db)
{
    for (size_t i = 0; i < n; i++) {
        const qcase *c = &cases[i];
        ofs_query_options o = {.prefix_last = c->prefix, .max_bytes = 1024, .synonyms = syn,
                               .tok = tok};
        ofs_query *q = NULL;
        char *err = NULL;
        int rc = ofs_query_parse(c->in, strlen(c->in), &o, &q, &err);
        CHECK_MSG(rc == OFS_OK, "input [%s]: rc %d %s", c->in, rc, err ? err : "");
        free(err);
        if (rc != OFS_OK)
            continue;
        const char *any = c->any && strcmp(c->any, "=") == 0 ? c->all : c->any;
        const char *ga = ofs_query_match_all(q), *gy = ofs_query_match_any(q);
        CHECK_MSG((!ga && !c->all) || (ga && c->all && strcmp(ga, c->all) == 0),
                  "input [%s] prefix %d\n  all got:  %s\n  all want: %s", c->in, c->prefix,
                  ga ? ga : "(null)", c->all ? c->all : "(null)");
        CHECK_MSG((!gy && !any) || (gy && any && strcmp(gy, any) == 0),
                  "input [%s] prefix %d\n  any got:  %s\n  any want: %s", c->in, c->prefix,
                  gy ? gy : "(null)", any ? any : "(null)");
        check_fts5(db, ga, c->in);
        check_fts5(db, gy, c->in);
        ofs_query_free(q);
    }
}

static ofs_query *parse(const char *in, int prefix, ofs_tokenizer *tok, const ofs_synonyms *syn)
{
    ofs_query_options o = {.prefix_last = prefix, .synonyms = syn, .tok = tok};
    ofs_query *q = NULL;
    int rc = ofs_query_parse(in, strlen(in), &o, &q, NULL);
    CHECK_INT(rc, OFS_OK);
    return q;
}

/* Filters, text and words: what the searcher reads besides the expressions. */
static void test_accessors(ofs_tokenizer *tok, const ofs_synonyms *syn)
{
    ofs_query *q = parse("collection:docs What is MOC? -billing \"open cloud\" kind:FAQ obs* "
                         "title:Intro a OR b",
                         0, tok, syn);
    CHECK_STR(ofs_query_collection(q), "docs");
    CHECK_STR(ofs_query_kind(q), "faq");
    CHECK_STR(ofs_query_text(q), "What is MOC? open cloud obs Intro a b");
    CHECK_INT(ofs_query_nwords(q), 5);
    CHECK_STR(ofs_query_word(q, 0), "What");
    CHECK_STR(ofs_query_word(q, 2), "MOC?");
    CHECK_STR(ofs_query_word(q, 4), "b");
    CHECK(ofs_query_word(q, 5) == NULL);
    ofs_query_free(q);

    q = parse("collection:a collection:b kind:term kind:nope", 0, tok, syn);
    CHECK_STR(ofs_query_collection(q), "b");
    CHECK_STR(ofs_query_kind(q), "term");
    CHECK(ofs_query_match_all(q) != NULL); /* kind:nope is text */
    ofs_query_free(q);

    q = parse("mass open cloud", 1, tok, syn);
    CHECK_INT(ofs_query_nwords(q), 2); /* the last word is a prefix while typing */
    CHECK_STR(ofs_query_text(q), "mass open cloud");
    ofs_query_free(q);

    q = parse("-only -exclusions", 0, tok, syn);
    CHECK(ofs_query_match_all(q) == NULL);
    CHECK(ofs_query_match_any(q) == NULL);
    CHECK_STR(ofs_query_text(q), "");
    CHECK_INT(ofs_query_nwords(q), 0);
    CHECK(ofs_query_collection(q) == NULL);
    CHECK(ofs_query_kind(q) == NULL);
    ofs_query_free(q);

    /* NULL-safe accessors, NULL options, NULL text. */
    CHECK(ofs_query_match_all(NULL) == NULL);
    CHECK_INT(ofs_query_nwords(NULL), 0);
    q = NULL;
    CHECK_INT(ofs_query_parse(NULL, 0, NULL, &q, NULL), OFS_OK);
    CHECK(q && ofs_query_match_all(q) == NULL);
    ofs_query_free(q);
    char *err = NULL;
    CHECK_INT(ofs_query_parse(NULL, 3, NULL, &q, &err), OFS_INVALID);
    CHECK(err != NULL);
    free(err);
    ofs_query_free(NULL);
}

/* Length limit, NUL bytes, huge garbage, the clause cap. */
static void test_limits(sqlite3 *db, ofs_tokenizer *tok)
{
    char *big = malloc(100 * 1024);
    for (size_t i = 0; i < 100 * 1024; i++)
        big[i] = "a\"*()-: ^ORNEA\xff\x00"[i % 16];
    ofs_query_options o = {.max_bytes = 1024, .tok = tok};
    ofs_query *q = NULL;
    char *err = NULL;
    CHECK_INT(ofs_query_parse(big, 100 * 1024, &o, &q, &err), OFS_TOOLONG);
    CHECK(q == NULL);
    CHECK(err && strstr(err, "1024"));
    free(err);
    err = NULL;
    CHECK_INT(ofs_query_parse(big, 1024, &o, &q, &err), OFS_OK);
    check_fts5(db, ofs_query_match_all(q), "1024 bytes of garbage");
    check_fts5(db, ofs_query_match_any(q), "1024 bytes of garbage");
    ofs_query_free(q);
    /* No limit: 100 kB still compiles to a bounded expression. */
    o.max_bytes = 0;
    CHECK_INT(ofs_query_parse(big, 100 * 1024, &o, &q, NULL), OFS_OK);
    const char *all = ofs_query_match_all(q);
    CHECK(all == NULL || strlen(all) < 4096);
    check_fts5(db, all, "100 kB of garbage");
    ofs_query_free(q);
    free(big);

    q = NULL;
    CHECK_INT(ofs_query_parse("a\0b", 3, &o, &q, NULL), OFS_OK);
    CHECK_STR(ofs_query_match_all(q), "\"a\" AND \"b\"");
    ofs_query_free(q);

    /* 50 words: at most 32 clauses reach the expression. */
    char words[512] = "";
    for (int i = 0; i < 50; i++)
        snprintf(words + strlen(words), sizeof words - strlen(words), "w%d ", i);
    q = parse(words, 0, NULL, NULL);
    all = ofs_query_match_all(q);
    int n = 0;
    for (const char *p = all; (p = strstr(p, " AND ")); p++)
        n++;
    CHECK_INT(n + 1, 32);
    CHECK(strstr(all, "\"w31\"") && !strstr(all, "\"w32\""));
    CHECK_INT(ofs_query_nwords(q), 32);
    check_fts5(db, all, "50 words");
    ofs_query_free(q);
}

/* Synonyms files: format errors are reported with their line. */
static void test_synonyms_parse(ofs_tokenizer *tok)
{
    static const struct {
        const char *text;
        int rc;
        const char *msg;
    } cases[] = {
        {"", OFS_OK, NULL},
        {"# only a comment\n\n   \n", OFS_OK, NULL},
        {"a = b\nc\n", OFS_INVALID, "line 2"},
        {"a = = b", OFS_INVALID, "line 1"},
        {"a = b =", OFS_INVALID, "line 1"},
        {"= b", OFS_INVALID, "line 1"},
        {"a = b\n\n x = ,,,\n", OFS_INVALID, "line 3"},
        {"a = a", OFS_OK, NULL},
        {"caf\xe9 = coffee", OFS_OK, NULL},
        {"\xEF\xBB\xBF# comment after a byte-order mark\nx = y\n", OFS_OK, NULL},
        {"\xEF\xBB\xBFx = y\r\nz\r\n", OFS_INVALID, "line 2"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        ofs_synonyms *syn = NULL;
        char *err = NULL;
        int rc = ofs_synonyms_parse(cases[i].text, strlen(cases[i].text), tok, &syn, &err);
        CHECK_MSG(rc == cases[i].rc, "synonyms [%s]: rc %d want %d (%s)", cases[i].text, rc,
                  cases[i].rc, err ? err : "");
        if (cases[i].msg)
            CHECK_MSG(err && strstr(err, cases[i].msg), "synonyms [%s]: message %s",
                      cases[i].text, err ? err : "(null)");
        CHECK((rc == OFS_OK) == (syn != NULL));
        free(err);
        ofs_synonyms_free(syn);
    }
    ofs_synonyms *syn = NULL;
    char *err = NULL;
    CHECK_INT(ofs_synonyms_load("/nonexistent/synonyms.txt", tok, &syn, &err), OFS_IO);
    CHECK(err && strstr(err, "/nonexistent/synonyms.txt"));
    free(err);
    ofs_synonyms_free(NULL);

    /* The corpus's own file, when present, must load with the index's tokenizer. */
    const char *root = getenv("OFS_SOURCE_ROOT");
    char path[4096];
    snprintf(path, sizeof path, "%s/corpus/synonyms.txt", root ? root : ".");
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("note: %s absent, not checked\n", path);
        return;
    }
    fclose(f);
    err = NULL;
    int rc = ofs_synonyms_load(path, tok, &syn, &err);
    CHECK_MSG(rc == OFS_OK, "%s: %s", path, err ? err : "");
    free(err);
    ofs_synonyms_free(syn);
}

/* With the ofs tokenizer, synonyms match regardless of case and diacritics. */
static void test_synonyms_folding(sqlite3 *db, ofs_tokenizer *tok)
{
    ofs_synonyms *syn = NULL;
    const char *text = "MOC = Mass Open Cloud\nnaïve = simple\n";
    CHECK_INT(ofs_synonyms_parse(text, strlen(text), tok, &syn, NULL), OFS_OK);
    ofs_query *q = parse("MÖC", 0, tok, syn);
    CHECK_STR(ofs_query_match_all(q), "(\"MÖC\" OR \"Mass Open Cloud\")");
    check_fts5(db, ofs_query_match_all(q), "MÖC");
    ofs_query_free(q);
    q = parse("MASS  open, CLOUD", 0, tok, syn);
    CHECK_STR(ofs_query_match_all(q), "(\"MASS open, CLOUD\" OR \"MOC\")");
    ofs_query_free(q);
    q = parse("NAIVE", 0, tok, syn);
    CHECK_STR(ofs_query_match_all(q), "(\"NAIVE\" OR \"simple\")");
    ofs_query_free(q);
    ofs_synonyms_free(syn);
}

/* A deterministic generator, so a failure reproduces. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 11);
}

static void test_random(sqlite3 *db, ofs_tokenizer *tok, const ofs_synonyms *syn)
{
    static const char *const pieces[] = {
        "\"", "*", "(", ")", "-", ":", "^", "OR", "NEAR", "AND", "NOT", " ", " ", " ", "a", "b",
        "moc", "title:", "kind:faq", "collection:", "{", "}", "+", ",", "\xff", "\xc3", "\xa9",
        "\x00", "\n", "NEAR(", "mass open cloud", "é", "\"\"", "'", ";", "\\", "t", "E"};
    const size_t npieces = sizeof pieces / sizeof *pieces;
    char buf[256];
    int failures_before = g_fts_errors, parse_errors = 0;
    for (int iter = 0; iter < 10000; iter++) {
        size_t len = 0, want = rnd() % 40;
        for (size_t k = 0; k < want; k++) {
            const char *p = pieces[rnd() % npieces];
            size_t pl = p[0] ? strlen(p) : 1; /* "\x00" is one NUL byte */
            if (rnd() % 8 == 0) {
                buf[len++] = (char)(rnd() & 0xff);
                continue;
            }
            if (len + pl >= sizeof buf)
                break;
            memcpy(buf + len, p, pl);
            len += pl;
        }
        ofs_query_options o = {.prefix_last = iter & 1, .max_bytes = 1024,
                               .synonyms = iter % 3 ? syn : NULL, .tok = iter % 5 ? tok : NULL};
        ofs_query *q = NULL;
        if (ofs_query_parse(buf, len, &o, &q, NULL) != OFS_OK) {
            parse_errors++;
            continue;
        }
        check_fts5(db, ofs_query_match_all(q), "(random)");
        check_fts5(db, ofs_query_match_any(q), "(random)");
        ofs_query_free(q);
    }
    CHECK_INT(parse_errors, 0);
    CHECK_INT(g_fts_errors - failures_before, 0);
}

static sqlite3 *open_fts(int *with_ofs)
{
    sqlite3 *db = NULL;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK)
        return NULL;
    *with_ofs = ofs_fts5_register(db) == SQLITE_OK &&
                sqlite3_exec(db,
                             "CREATE VIRTUAL TABLE t USING fts5(title, headings, body, code, meta,"
                             " tokenize='ofs')",
                             NULL, NULL, NULL) == SQLITE_OK;
    if (!*with_ofs &&
        sqlite3_exec(db,
                     "CREATE VIRTUAL TABLE t USING fts5(title, headings, body, code, meta,"
                     " tokenize='unicode61')",
                     NULL, NULL, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_exec(db,
                 "INSERT INTO t VALUES('MOC', 'Intro', 'the Mass Open Cloud hosts kubernetes', "
                 "'kubectl get pods', 'faq');"
                 "INSERT INTO t VALUES('Observability', 'Ops', 'metrics and logs; or not', '', '');",
                 NULL, NULL, NULL);
    return db;
}

/* What the one parse gives the searcher (internal.h): per FTS5 string of each form the term it
 * is (NULL for a prefix, a column filter, several tokens), token positions, the words' terms,
 * and the any-word form again without the clauses it calls common. */
static void test_forms(ofs_tokenizer *tok)
{
    ofs_query_options o = {.tok = tok, .drop_stopwords = 1};
    ofs_query *q = NULL;
    const char *in = "the Kubernetes file.txt pods* -title:x -Déjà";
    CHECK_INT(ofs_query_parse(in, strlen(in), &o, &q, NULL), OFS_OK);
    ofsi_query_form f;
    ofsi_query_get_form(q, OFSI_FORM_ALL, &f);
    CHECK_STR(f.match, "(\"the\" AND \"Kubernetes\" AND \"file.txt\" AND \"pods\"*) NOT "
                       "(title:\"x\" OR \"Déjà\")");
    CHECK_INT(f.nterms, 6);
    if (f.nterms == 6) {
        CHECK_STR(f.terms[0], "the");
        CHECK_STR(f.terms[1], "kubernetes"); /* folded as the index folds */
        CHECK(f.terms[2] == NULL);           /* file.txt: a compound, three tokens */
        CHECK(f.terms[3] == NULL);           /* a prefix */
        CHECK(f.terms[4] == NULL);           /* a column filter */
        CHECK_STR(f.terms[5], "deja");
    }
    ofsi_query_get_form(q, OFSI_FORM_ANY, &f);
    CHECK_STR(f.match, "(\"Kubernetes\" OR \"file.txt\" OR \"pods\"*) NOT (title:\"x\" OR "
                       "\"Déjà\")");
    CHECK_INT(f.nterms, 5);
    CHECK_INT(ofsi_query_positions(q), 5); /* the, kubernetes, file.txt (2 positions), pods */
    CHECK_STR(ofsi_query_word_term(q, 1), "kubernetes");
    CHECK(ofsi_query_word_term(q, 2) == NULL);
    ofsi_query_get_form(q, OFSI_FORM_LEAN, &f);
    CHECK(f.match == NULL);
    CHECK_INT(ofsi_query_nclauses(q), 4);
    size_t len = 0;
    CHECK(ofsi_query_clause_term(q, 0, &len) == NULL); /* "the": left out already */
    CHECK_STR(ofsi_query_clause_term(q, 1, &len), "kubernetes");
    CHECK_INT(len, 10);
    CHECK(ofsi_query_clause_term(q, 3, &len) == NULL); /* a prefix is no lone bare word */
    unsigned char common[4] = {0, 1, 0, 0};
    ofsi_query_leave_out(q, common);
    ofsi_query_get_form(q, OFSI_FORM_LEAN, &f);
    CHECK_STR(f.match, "(\"file.txt\" OR \"pods\"*) NOT (title:\"x\" OR \"Déjà\")");
    CHECK_INT(f.nterms, 4);
    unsigned char all_common[4] = {1, 1, 1, 1}; /* nothing would be left: nothing is left out */
    ofsi_query_leave_out(q, all_common);
    ofsi_query_get_form(q, OFSI_FORM_LEAN, &f);
    CHECK_STR(f.match, "(\"the\" OR \"Kubernetes\" OR \"file.txt\" OR \"pods\"*) NOT "
                       "(title:\"x\" OR \"Déjà\")");
    ofs_query_free(q);
}

static void test_stopwords(void)
{
    CHECK(ofs_is_stopword("the", 3));
    CHECK(ofs_is_stopword("The", 3));
    CHECK(ofs_is_stopword("WHAT", 4));
    CHECK(ofs_is_stopword("a", 1));
    CHECK(!ofs_is_stopword("cluster", 7));
    CHECK(!ofs_is_stopword("", 0));
    CHECK(!ofs_is_stopword("thé", 4));
    CHECK(!ofs_is_stopword("theverylongwordthatisnotastopword", 33));
    CHECK(!ofs_is_stopword("the", 2)); /* "th" */
}

int main(void)
{
    test_stopwords();
    int with_ofs = 0;
    sqlite3 *db = open_fts(&with_ofs);
    CHECK(db != NULL);
    if (!db)
        return check_summary("query");
    if (!with_ofs)
        printf("note: ofs tokenizer unavailable; FTS5 checks use unicode61\n");
    ofs_tokenizer *tok = NULL;
    char *err = NULL;
    int rc = ofs_tokenizer_new(NULL, 0, &tok, &err);
    CHECK_MSG(rc == OFS_OK, "tokenizer: %s", err ? err : "");
    free(err);

    run_cases(raw_cases, sizeof raw_cases / sizeof *raw_cases, NULL, NULL, db);
    if (tok)
        run_cases(tok_cases, sizeof tok_cases / sizeof *tok_cases, tok, NULL, db);

    ofs_synonyms *syn = NULL;
    err = NULL;
    rc = ofs_synonyms_parse(synonyms_text, strlen(synonyms_text), NULL, &syn, &err);
    CHECK_MSG(rc == OFS_OK, "synonyms: %s", err ? err : "");
    free(err);
    run_cases(syn_cases, sizeof syn_cases / sizeof *syn_cases, NULL, syn, db);

    test_accessors(tok, syn);
    if (tok)
        test_forms(tok);
    test_limits(db, tok);
    test_synonyms_parse(tok);
    if (tok)
        test_synonyms_folding(db, tok);

    ofs_synonyms *syn_tok = NULL;
    if (tok)
        ofs_synonyms_parse(synonyms_text, strlen(synonyms_text), tok, &syn_tok, NULL);
    test_random(db, tok, syn_tok ? syn_tok : syn);
    CHECK_INT(g_fts_errors, 0);

    ofs_synonyms_free(syn_tok);
    ofs_synonyms_free(syn);
    ofs_tokenizer_free(tok);
    sqlite3_close(db);
    return check_summary("query");
}
