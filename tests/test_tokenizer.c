/* Tests of the `ofs` tokenizer (lib/tokenizer.c): scripts, normalization, stemming, options,
 * technical compounds, hostile input, and FTS5 round trips through a real fts5 table. */
#include "check.h"

#include "ofsearch/ofsearch.h"
#include "internal.h"
#include "ofsearch/tokenizer.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Collected tokens: "a b+ c" where '+' marks a colocated token. */
typedef struct {
    char buf[8192];
    size_t len;
    int count, bad_offsets, len_in;
    int last_start, last_end, first_flags;
} collect;

static int on_token(void *ctx, int flags, const char *t, int n, int start, int end)
{
    collect *c = ctx;
    if (start < 0 || end > c->len_in || start > end)
        c->bad_offsets++;
    if (c->count == 0)
        c->first_flags = flags;
    c->count++;
    c->last_start = start;
    c->last_end = end;
    if (c->len + (size_t)n + 3 < sizeof c->buf) {
        if (c->len)
            c->buf[c->len++] = ' ';
        memcpy(c->buf + c->len, t, (size_t)n);
        c->len += (size_t)n;
        if (flags & OFS_TOKEN_COLOCATED)
            c->buf[c->len++] = '+';
        c->buf[c->len] = '\0';
    }
    return 0;
}

static ofs_tokenizer *make(const char *opts)
{
    const char *argv[8];
    char copy[256];
    int argc = 0;
    snprintf(copy, sizeof copy, "%s", opts);
    for (char *p = strtok(copy, " "); p && argc < 8; p = strtok(NULL, " "))
        argv[argc++] = p;
    ofs_tokenizer *tok = NULL;
    char *err = NULL;
    int rc = ofs_tokenizer_new(argv, argc, &tok, &err);
    CHECK_MSG(rc == OFS_OK, "options '%s': %s", opts, err ? err : "?");
    free(err);
    return tok;
}

/* Tokenizes len bytes (len < 0: strlen) with options opts; returns the static collection. */
static collect *run_n(const char *opts, const char *text, int len, int reason)
{
    static collect c;
    memset(&c, 0, sizeof c);
    c.len_in = len < 0 ? (int)strlen(text) : len;
    ofs_tokenizer *tok = make(opts);
    if (tok) {
        CHECK_INT(ofs_tokenizer_run(tok, reason, text, c.len_in, on_token, &c), 0);
        ofs_tokenizer_free(tok);
    }
    CHECK_INT(c.bad_offsets, 0);
    return &c;
}

static const char *toks(const char *opts, const char *text)
{
    return run_n(opts, text, -1, OFS_TOKENIZE_DOCUMENT)->buf;
}

static void test_scripts(void)
{
    CHECK_STR(toks("", "Café NAÏVE façade"), "cafe naive facade");
    CHECK_STR(toks("diacritics 0", "Café NAÏVE"), "café naïve");
    CHECK_STR(toks("", "Ёлка ПРИВЕТ мир"), "елка привет мир");
    CHECK_STR(toks("diacritics 0", "Ёлка"), "ёлка");
    /* й, ї, ў are letters of their own; only ё and stress marks are accents in Cyrillic. */
    CHECK_STR(toks("", "Мой край ї ў сло\xcc\x81во"), "мой край ї ў слово");
    CHECK_STR(toks("", "Ελληνικά ΟΔΟΣ"), "ελληνικα οδοσ");
    CHECK_STR(toks("", "العَرَبِيَّة"), "العربية");
    CHECK_STR(toks("", "עִבְרִית שָׁלוֹם"), "עברית שלום");
    /* Devanagari vowel signs and virama are Mn but part of the word: kept. */
    CHECK_STR(toks("", "हिन्दी भाषा"), "हिन्दी भाषा");
    CHECK_STR(toks("", "我们在北京大学学习"), "我们 在 北京 大学 学习");
    CHECK_STR(toks("", "日本語のテキストです"), "日本語 の テキスト です");
    /* Dakuten decompose to a combining mark under NFD; they must survive diacritic folding. */
    CHECK_STR(toks("", "ガギグ"), "ガギグ");
    CHECK_STR(toks("", "한국어 문장입니다"), "한국어 문장입니다");
    CHECK_STR(toks("", "ภาษาไทยง่ายนิดเดียว"), "ภาษา ไทย ง่าย นิด เดียว");
    CHECK_INT(run_n("", "ພາສາລາວງ່າຍ", -1, OFS_TOKENIZE_DOCUMENT)->count, 3);
    CHECK_INT(run_n("", "ភាសាខ្មែរងាយស្រួល", -1, OFS_TOKENIZE_DOCUMENT)->count, 2);
    CHECK_INT(run_n("", "မြန်မာဘာသာစကား", -1, OFS_TOKENIZE_DOCUMENT)->count, 2);
    /* Byte offsets into the original UTF-8. */
    collect *c = run_n("", "héllo wörld", -1, OFS_TOKENIZE_DOCUMENT);
    CHECK_INT(c->last_start, 7);
    CHECK_INT(c->last_end, 13);
}

static void test_normalization(void)
{
    CHECK_STR(toks("", "Ｏｐｅｒａｔｅ OPERATE operate"), "operate operate operate");
    CHECK_STR(toks("", "ﬁle Straße ＡＢＣ１２３"), "file strasse abc123 abc+ 123");
    CHECK_STR(toks("", "e\xcc\x81t\xc3\xa9"), "ete"); /* combining and precomposed accents */
    CHECK_STR(toks("diacritics 0", "e\xcc\x81t\xc3\xa9"), "été");
    /* Punctuation, spaces and emoji are not words. */
    CHECK_STR(toks("", "  ... !!! — 😀 👍🏽 "), "");
}

static void test_stemming(void)
{
    CHECK_STR(toks("stem english", "Running runs RAN connection"), "run run ran connect");
    /* An English stemmer leaves other scripts alone; a Russian one leaves Latin alone. */
    CHECK_STR(toks("stem english diacritics 0", "бегущий"), "бегущий");
    CHECK_STR(toks("stem russian", "бегущий running"), "бегущ running");
    CHECK_STR(toks("stem greek", "ανθρώπους"), "ανθρωπ");
    CHECK_STR(toks("stem french", "continuellement"), "continuel");
    CHECK_STR(toks("stem none", "running"), "running");
    /* Compound parts are stemmed one by one. */
    CHECK_STR(toks("stem english", "running_jobs"), "running_job run+ job");
}

static void test_options(void)
{
    const char *bad[][3] = {
        {"bogus", "1", "bogus"},       {"diacritics", "2", "diacritics"},
        {"compounds", "yes", "compounds"}, {"stem", "klingon", "klingon"},
        {"diacritics", NULL, "diacritics"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ofs_tokenizer *tok = (ofs_tokenizer *)1;
        char *err = NULL;
        int argc = bad[i][1] ? 2 : 1;
        CHECK_INT(ofs_tokenizer_new(bad[i], argc, &tok, &err), OFS_INVALID);
        CHECK(tok == NULL);
        CHECK_MSG(err && strstr(err, bad[i][2]), "message '%s' should name '%s'", err, bad[i][2]);
        free(err);
    }
    const char *twice[] = {"stem", "english", "stem", "french"};
    ofs_tokenizer *tok = NULL;
    CHECK_INT(ofs_tokenizer_new(twice, 4, &tok, NULL), OFS_INVALID);
    tok = make("diacritics 1 compounds 0 stem porter");
    CHECK(tok != NULL);
    ofs_tokenizer_free(tok);
}

static void test_technical(void)
{
    CHECK_STR(toks("", "SLI/SLO"), "sli slo");
    CHECK_STR(toks("", "C++ C#"), "c c");
    CHECK_STR(toks("", "k8s"), "k8s k+ 8 s");
    CHECK_STR(toks("", "v1.2.3"), "v1.2.3 v+ 1 2 3");
    CHECK_STR(toks("", "3.14"), "3.14 3+ 14");
    CHECK_STR(toks("", "e-mail"), "e mail");
    CHECK_STR(toks("", "node_modules"), "node_modules node+ modules");
    CHECK_STR(toks("", "ArgoCD"), "argocd"); /* camelCase is not split */
    CHECK_STR(toks("", "file.txt foo_bar file1"),
              "file.txt file+ txt foo_bar foo+ bar file1 file+ 1");
    CHECK_STR(toks("", "https://example.com/a-b?q=1"), "https example.com example+ com a b q 1");
    CHECK_STR(toks("", "#hashtag @user"), "hashtag @user user+");
    CHECK_STR(toks("", "don't l'homme"), "don't don+ t l'homme l+ homme");
    CHECK_STR(toks("", "deploy 🚀 now"), "deploy now");
    CHECK_STR(toks("compounds 0", "file.txt k8s"), "file.txt k8s");
    /* The query side emits exactly what the document side does. */
    CHECK_STR(run_n("", "file.txt", -1, OFS_TOKENIZE_QUERY)->buf, "file.txt file+ txt");
    CHECK_STR(run_n("", "file.t", -1, OFS_TOKENIZE_QUERY | OFS_TOKENIZE_PREFIX)->buf,
              "file.t file+ t");
}

static void test_bad_input(void)
{
    /* Invalid sequences become separators; offsets still index the original bytes. */
    collect *c = run_n("", "\xff\xfe" "abc\xc3", 6, OFS_TOKENIZE_DOCUMENT);
    CHECK_STR(c->buf, "abc");
    CHECK_INT(c->last_start, 2);
    CHECK_INT(c->last_end, 5);
    CHECK_STR(run_n("", "ab\xe2\x82 cd\xed\xa0\x80" "ef", 12, OFS_TOKENIZE_DOCUMENT)->buf, "ab cd ef");
    CHECK_STR(run_n("", "foo\0bar", 7, OFS_TOKENIZE_DOCUMENT)->buf, "foo bar");
    CHECK_STR(run_n("", "", 0, OFS_TOKENIZE_DOCUMENT)->buf, "");
    ofs_tokenizer *tok = make("");
    CHECK_INT(ofs_tokenizer_run(tok, 0, "x", -1, on_token, NULL), OFS_INVALID);
    ofs_tokenizer_free(tok);

    /* Over-long tokens are skipped; 256 folded bytes is still a token. */
    char word[10241];
    memset(word, 'a', 256);
    word[256] = '\0';
    CHECK_INT(run_n("", word, -1, 0)->count, 1);
    memset(word, 'a', 257);
    word[257] = '\0';
    CHECK_INT(run_n("", word, -1, 0)->count, 0);
    memset(word, 'x', 10240);
    word[10240] = '\0';
    CHECK_INT(run_n("", word, -1, 0)->count, 0);
    /* A 10 kB identifier: the whole is skipped, every part still findable, none colocated first. */
    for (int i = 0; i < 10240; i += 2)
        memcpy(word + i, "a_", 2);
    word[10239] = 'b';
    c = run_n("", word, 10240, 0);
    CHECK_INT(c->count, 5120);
    CHECK_INT(c->first_flags, 0);
    /* Same for a stream of combining marks on one base (zalgo text). */
    char zalgo[2 + 2 * 3000];
    zalgo[0] = 'z';
    for (int i = 0; i < 3000; i++)
        memcpy(zalgo + 1 + 2 * i, "\xcc\x81", 2);
    c = run_n("", zalgo, 1 + 2 * 3000, 0);
    CHECK(c->count <= 1);
}

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Tokenizes n bytes of one long line (no newline) of mixed text; returns the seconds taken. */
static double time_line(size_t n, int *count)
{
    static const char piece[] = "word_one café 北京大学 ภาษาไทย k8s v1.2.3 \xff ";
    char *buf = malloc(n);
    for (size_t i = 0; i < n; i++)
        buf[i] = piece[i % (sizeof piece - 1)];
    collect *c = calloc(1, sizeof *c);
    c->len_in = (int)n;
    ofs_tokenizer *tok = make("");
    double t0 = seconds();
    CHECK_INT(ofs_tokenizer_run(tok, 0, buf, (int)n, on_token, c), 0);
    double dt = seconds() - t0;
    CHECK_INT(c->bad_offsets, 0);
    *count = c->count;
    ofs_tokenizer_free(tok);
    free(c);
    free(buf);
    return dt;
}

static void test_huge_line(void)
{
    int small = 0, big = 0;
    double t5 = time_line(5u << 20, &small), t50 = time_line(50u << 20, &big);
    printf("5 MB line: %.2fs (%d tokens), 50 MB line: %.2fs (%d tokens)\n", t5, small, t50, big);
    CHECK(big > 9 * small);
    /* Linear time gives ~10x; quadratic would be ~100x. */
    CHECK_MSG(t50 < 25 * t5 + 0.5, "50 MB took %.2fs vs %.2fs for 5 MB", t50, t5);
}

/* ---- FTS5 round trips ------------------------------------------------------------------- */

/* The connection's fts5_api; a copy of ofsi_fts5_api() so this test links without fts5_glue.c
 * (which also pulls in the snippet module). */
static fts5_api *get_fts5_api(sqlite3 *db)
{
    fts5_api *api = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(st);
    sqlite3_finalize(st);
    return api;
}

static sqlite3 *open_db(void)
{
    sqlite3 *db = NULL;
    CHECK_INT(sqlite3_open(":memory:", &db), SQLITE_OK);
    fts5_api *api = get_fts5_api(db);
    CHECK(api != NULL);
    if (api)
        CHECK_INT(ofsi_tokenizer_register_fts5(api), SQLITE_OK);
    return db;
}

static int exec(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

/* Number of rows of table t matching the FTS5 expression q. */
static int hits(sqlite3 *db, const char *table, const char *q)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE %s MATCH ?1", table, table);
    sqlite3_stmt *st = NULL;
    int n = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            n = sqlite3_column_int(st, 0);
        else
            fprintf(stderr, "query %s: %s\n", q, sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    return n;
}

static void test_fts5(void)
{
    sqlite3 *db = open_db();
    CHECK(exec(db, "CREATE VIRTUAL TABLE bad USING fts5(x, tokenize='ofs bogus 1')") == SQLITE_ERROR);
    CHECK(exec(db, "CREATE VIRTUAL TABLE bad2 USING fts5(x, tokenize='ofs stem klingon')") ==
          SQLITE_ERROR);
    CHECK_INT(exec(db, "CREATE VIRTUAL TABLE t USING fts5(x, tokenize='ofs');"
                       "CREATE VIRTUAL TABLE s USING fts5(x, tokenize='ofs stem english');"
                       "CREATE VIRTUAL TABLE n USING fts5(x, tokenize='ofs compounds 0');"
                       "INSERT INTO t VALUES ('我们在北京大学学习'), ('ภาษาไทยง่ายนิดเดียว'),"
                       "('Le Café de Flore'), ('open file.txt and README now'), ('file txt'),"
                       "('install node_modules'), ('k8s cluster');"
                       "INSERT INTO s VALUES ('running the jobs'), ('he ran');"
                       "INSERT INTO n SELECT x FROM t;"),
              SQLITE_OK);
    CHECK_INT(hits(db, "t", "北京"), 1);
    CHECK_INT(hits(db, "t", "大学"), 1);
    CHECK_INT(hits(db, "t", "ไทย"), 1);
    CHECK_INT(hits(db, "t", "\"ง่าย นิด\""), 1);
    CHECK_INT(hits(db, "t", "cafe"), 1);
    CHECK_INT(hits(db, "t", "CAFÉ"), 1);
    CHECK_INT(hits(db, "s", "run"), 1);
    CHECK_INT(hits(db, "s", "runs"), 1);
    CHECK_INT(hits(db, "s", "job"), 1);
    /* Compounds: whole, parts, phrase of parts, prefix, and the whole against separate words. */
    CHECK_INT(hits(db, "t", "file"), 2);
    CHECK_INT(hits(db, "t", "txt"), 2);
    CHECK_INT(hits(db, "t", "\"file.txt\""), 2);
    CHECK_INT(hits(db, "t", "\"file txt\""), 2);
    CHECK_INT(hits(db, "t", "\"txt and readme\""), 1);
    CHECK_INT(hits(db, "t", "\"file.txt and\""), 1);
    CHECK_INT(hits(db, "t", "\"open file.txt\""), 1);
    CHECK_INT(hits(db, "t", "fil*"), 2);
    CHECK_INT(hits(db, "t", "\"file.t\"*"), 2);
    CHECK_INT(hits(db, "t", "node"), 1);
    CHECK_INT(hits(db, "t", "modules"), 1);
    CHECK_INT(hits(db, "t", "k8s"), 1);
    CHECK_INT(hits(db, "t", "\"k8s cluster\""), 1);
    CHECK_INT(hits(db, "t", "NEAR(file readme, 3)"), 1);
    /* Without compounds, ICU's whole words hide their parts. */
    CHECK_INT(hits(db, "n", "file"), 1);
    CHECK_INT(hits(db, "n", "node"), 0);
    CHECK_INT(hits(db, "n", "\"file.txt\""), 1);
    sqlite3_close(db);
}

/* Records (start, end, flags) of each token: what auxiliary functions depend on. */
typedef struct {
    int v[3 * 512];
    int n;
} spans;

static int on_span(void *ctx, int flags, const char *t, int n, int start, int end)
{
    (void)t, (void)n;
    spans *sp = ctx;
    if (sp->n < 512) {
        sp->v[3 * sp->n] = start;
        sp->v[3 * sp->n + 1] = end;
        sp->v[3 * sp->n + 2] = flags;
        sp->n++;
    }
    return 0;
}

/* The AUX shortcut (no folding or stemming) must give exactly the offsets and positions of a
 * document pass, or snippets would mark the wrong words. */
static void test_aux_positions(void)
{
    const char *texts[] = {
        "Ｏｐｅｒａｔｅ First runs ArgoCD; file.txt, foo_bar, v1.2.3 and k8s on café clusters.",
        "Straße ﬁle Ελληνικά Русский ёлка 我们使用开源软件构建云服务 ระบบการค้นหาข้อความ",
        "Running runners ran quickly through the e-mail @user #hashtag C++ 3.14 https://x.org/a",
        "a supercalifragilisticexpialidocious_compound.with.parts and \xef\xbc\xa1 tail",
    };
    const char *opts[] = {"", "stem english", "diacritics 0 compounds 0"};
    for (size_t o = 0; o < 3; o++) {
        ofs_tokenizer *tok = make(opts[o]);
        for (size_t i = 0; tok && i < sizeof texts / sizeof texts[0]; i++) {
            static spans doc, aux;
            memset(&doc, 0, sizeof doc);
            memset(&aux, 0, sizeof aux);
            int len = (int)strlen(texts[i]);
            ofs_tokenizer_run(tok, OFS_TOKENIZE_DOCUMENT, texts[i], len, on_span, &doc);
            ofs_tokenizer_run(tok, OFS_TOKENIZE_AUX, texts[i], len, on_span, &aux);
            CHECK_MSG(doc.n == aux.n && !memcmp(doc.v, aux.v, sizeof(int) * 3 * (size_t)doc.n),
                      "options '%s', text %zu: %d vs %d tokens", opts[o], i, doc.n, aux.n);
        }
        ofs_tokenizer_free(tok);
    }
}

/* The pure-ASCII shortcut must draw exactly ICU's word boundaries: 30,000 random strings over
 * every ASCII character (weighted towards letters, digits and the joining punctuation). */
static void test_ascii_fast_path(void)
{
    static const char alphabet[] = "abcXYZ019 .,;:'_@#-/\"\t\n!?()[]{}<>=+*&%$~`^|";
    ofs_tokenizer *fast = make(""), *icu = make("");
    if (!fast || !icu)
        return;
    ofsi_tokenizer_set_ascii_fast(icu, 0);
    unsigned seed = 12345;
    int mismatches = 0;
    for (int iter = 0; iter < 30000; iter++) {
        char text[48];
        int len = 1 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 40;
        for (int i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            unsigned r = seed >> 16;
            text[i] = r % 4 == 0 ? (char)(32 + r / 4 % 95) : alphabet[r / 4 % (sizeof alphabet - 1)];
        }
        text[len] = '\0';
        static collect a, b;
        memset(&a, 0, sizeof a);
        memset(&b, 0, sizeof b);
        a.len_in = b.len_in = len;
        ofs_tokenizer_run(fast, OFS_TOKENIZE_DOCUMENT, text, len, on_token, &a);
        ofs_tokenizer_run(icu, OFS_TOKENIZE_DOCUMENT, text, len, on_token, &b);
        if (strcmp(a.buf, b.buf) && mismatches++ < 5)
            fprintf(stderr, "ascii fast path differs on [%s]:\n  fast: %s\n  icu:  %s\n", text,
                    a.buf, b.buf);
    }
    CHECK_INT(mismatches, 0);
    ofs_tokenizer_free(fast);
    ofs_tokenizer_free(icu);
}

/* Token streams recorded on one thread and replayed by FTS5 on insert give the index exactly
 * what tokenizing would (FTS5's integrity check re-tokenizes and compares), and a text that
 * differs from the recorded one is tokenized normally. */
static void test_replay(void)
{
    sqlite3 *db = NULL;
    CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK && ofs_fts5_register(db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "CREATE VIRTUAL TABLE t USING fts5(a, b, tokenize='ofs stem english')",
                       NULL, NULL, NULL) == SQLITE_OK);
    const char *argv[] = {"stem", "english"};
    ofs_tokenizer *tok = NULL;
    CHECK(ofs_tokenizer_new(argv, 2, &tok, NULL) == OFS_OK);
    const char *a = "Running file.txt caf\xc3\xa9 \xe5\xbc\x80\xe6\xba\x90 k8s v1.2.3";
    ofsi_token_stream *ts[2] = {NULL, NULL};
    CHECK(ofsi_token_stream_record(tok, a, (int)strlen(a), &ts[0]) == OFS_OK);
    CHECK(ofsi_token_stream_record(tok, "recorded", 8, &ts[1]) == OFS_OK);
    sqlite3_stmt *st = NULL;
    CHECK(sqlite3_prepare_v2(db, "INSERT INTO t(a, b) VALUES (?1, ?2)", -1, &st, NULL) ==
          SQLITE_OK);
    sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, "not the recorded text", -1, SQLITE_STATIC);
    ofsi_tokenizer_replay(ts, 2);
    CHECK(sqlite3_step(st) == SQLITE_DONE);
    ofsi_tokenizer_replay(NULL, 0);
    sqlite3_finalize(st);
    CHECK(sqlite3_exec(db, "INSERT INTO t(t) VALUES('integrity-check')", NULL, NULL, NULL) ==
          SQLITE_OK);
    sqlite3_stmt *q = NULL;
    CHECK(sqlite3_prepare_v2(db, "SELECT count(*) FROM t WHERE t MATCH 'run AND cafe AND "
                                 "\"file.txt\" AND text'", -1, &q, NULL) == SQLITE_OK);
    CHECK(q && sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0) == 1);
    sqlite3_finalize(q);
    ofsi_token_stream_free(ts[0]);
    ofsi_token_stream_free(ts[1]);
    ofs_tokenizer_free(tok);
    sqlite3_close(db);
}

/* Options strings as an index stores them. */
static void test_from_options(void)
{
    const char *good[] = {"", "stem english", "ofs stem english", "  ofs\tdiacritics 0  ",
                          "compounds 0 stem none"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        ofs_tokenizer *tok = NULL;
        CHECK_MSG(ofs_tokenizer_from_options(good[i], &tok, NULL) == OFS_OK && tok, "[%s]",
                  good[i]);
        ofs_tokenizer_free(tok);
    }
    ofs_tokenizer *tok = NULL;
    CHECK_INT(ofs_tokenizer_from_options("=unicode61 remove_diacritics 2", &tok, NULL),
              OFS_NOTFOUND);
    CHECK(tok == NULL);
    char *err = NULL;
    CHECK_INT(ofs_tokenizer_from_options("ofs bogus 1", &tok, &err), OFS_INVALID);
    CHECK(tok == NULL && err && strstr(err, "bogus"));
    free(err);
    err = NULL;
    char longopt[700];
    memset(longopt, 'x', sizeof longopt - 1);
    longopt[sizeof longopt - 1] = '\0';
    CHECK_INT(ofs_tokenizer_from_options(longopt, &tok, &err), OFS_INVALID);
    CHECK(tok == NULL);
    free(err);
    /* More words than are taken is an error, not options left out: FTS5 hands the index's
     * tokenizer every word, so one made here would fold otherwise (the 65th and 66th words
     * here, "stem english", were dropped). */
    char many[800] = "";
    for (int i = 0; i < 32; i++)
        strcat(many, "diacritics 1 ");
    strcat(many, "stem english");
    err = NULL;
    CHECK_INT(ofs_tokenizer_from_options(many, &tok, &err), OFS_INVALID);
    CHECK(tok == NULL && err && strstr(err, "words"));
    ofs_tokenizer_free(tok);
    free(err);
    tok = NULL;
    many[strlen(many) - strlen("diacritics 1 stem english")] = '\0'; /* 62 words */
    strcat(many, "stem english");
    CHECK_INT(ofs_tokenizer_from_options(many, &tok, NULL), OFS_OK);
    ofs_tokenizer_free(tok);
}

int main(void)
{
    test_from_options();
    test_replay();
    test_ascii_fast_path();
    test_aux_positions();
    test_scripts();
    test_normalization();
    test_stemming();
    test_options();
    test_technical();
    test_bad_input();
    test_fts5();
    test_huge_line();
    return check_summary("tokenizer");
}
