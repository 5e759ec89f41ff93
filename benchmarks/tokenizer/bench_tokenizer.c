/* Tokenizer throughput: `ofs` (default, stem english, compounds 0) against FTS5's built-in
 * unicode61 and a bare ICU pass (word break + case fold of word segments, over UTF-8 UText and
 * over whole-document UTF-16). Usage: bench_tokenizer DIR [SECONDS_PER_MODE]; reads every file
 * under DIR as one document and prints MB/s, tokens/s and the ratio to bare ICU (UTF-8). */
#include "internal.h"

#include "ofsearch/tokenizer.h"

#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unicode/ubrk.h>
#include <unicode/ustring.h>
#include <unicode/utext.h>

typedef struct {
    char *text;
    int len;
} doc;

static doc *docs;
static size_t ndocs, capdocs, total_bytes;

static int add_file(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)ftw;
    if (type != FTW_F || sb->st_size <= 0 || sb->st_size > (1 << 26))
        return 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    char *buf = malloc((size_t)sb->st_size);
    size_t n = buf ? fread(buf, 1, (size_t)sb->st_size, f) : 0;
    fclose(f);
    if (ndocs == capdocs) {
        capdocs = capdocs ? capdocs * 2 : 1024;
        docs = realloc(docs, capdocs * sizeof *docs);
    }
    docs[ndocs++] = (doc){buf, (int)n};
    total_bytes += n;
    return 0;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time: steadier on a shared machine */
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long long ntokens;

static int count_token(void *ctx, int flags, const char *t, int n, int s, int e)
{
    (void)ctx, (void)flags, (void)t, (void)n, (void)s, (void)e;
    ntokens++;
    return 0;
}

/* One tokenizer under test: tokenizes one document. */
typedef int (*tokenize_fn)(void *state, const char *text, int len);

static int run_ofs(void *state, const char *text, int len)
{
    return ofs_tokenizer_run(state, OFS_TOKENIZE_DOCUMENT, text, len, count_token, NULL);
}

typedef struct {
    fts5_tokenizer api;
    Fts5Tokenizer *tok;
} fts5_tok;

static int run_fts5(void *state, const char *text, int len)
{
    fts5_tok *t = state;
    return t->api.xTokenize(t->tok, NULL, FTS5_TOKENIZE_DOCUMENT, text, len, count_token);
}

/* The bare ICU pass: what a plain ICU tokenizer does (no normalization beyond case folding). */
typedef struct {
    UBreakIterator *bi;
    UText *ut;
    UChar *u16, *fold;
    int32_t cap;
    char out[4096];
} bare_icu;

static void fold_emit(bare_icu *b, const UChar *seg, int32_t n)
{
    UErrorCode st = U_ZERO_ERROR;
    int32_t fl = u_strFoldCase(b->fold, b->cap * 3, seg, n, U_FOLD_CASE_DEFAULT, &st), ol = 0;
    if (U_FAILURE(st) || fl > 1000)
        return;
    u_strToUTF8(b->out, sizeof b->out, &ol, b->fold, fl, &st);
    count_token(NULL, 0, b->out, ol, 0, 0);
}

static void ensure(bare_icu *b, int32_t need)
{
    if (need <= b->cap)
        return;
    b->cap = need * 2;
    b->u16 = realloc(b->u16, (size_t)b->cap * sizeof(UChar));
    b->fold = realloc(b->fold, (size_t)b->cap * 3 * sizeof(UChar)); /* folding can expand */
}

static int run_icu_utf8(void *state, const char *text, int len)
{
    bare_icu *b = state;
    UErrorCode st = U_ZERO_ERROR;
    utext_openUTF8(b->ut, text, len, &st);
    ubrk_setUText(b->bi, b->ut, &st);
    int32_t s = ubrk_first(b->bi);
    for (int32_t e = ubrk_next(b->bi); e != UBRK_DONE; s = e, e = ubrk_next(b->bi)) {
        if (ubrk_getRuleStatus(b->bi) < UBRK_WORD_NONE_LIMIT)
            continue;
        int32_t n = 0;
        ensure(b, e - s + 1);
        u_strFromUTF8Lenient(b->u16, b->cap, &n, text + s, e - s, &st);
        fold_emit(b, b->u16, n);
    }
    return 0;
}

static int run_icu_utf16(void *state, const char *text, int len)
{
    bare_icu *b = state;
    UErrorCode st = U_ZERO_ERROR;
    int32_t n = 0;
    ensure(b, len + 1);
    u_strFromUTF8Lenient(b->u16, b->cap, &n, text, len, &st);
    ubrk_setText(b->bi, b->u16, n, &st);
    int32_t s = ubrk_first(b->bi);
    for (int32_t e = ubrk_next(b->bi); e != UBRK_DONE; s = e, e = ubrk_next(b->bi))
        if (ubrk_getRuleStatus(b->bi) >= UBRK_WORD_NONE_LIMIT)
            fold_emit(b, b->u16 + s, e - s); /* a real tokenizer would also map offsets back */
    return 0;
}

/* Runs fn over all documents repeatedly for about `seconds`; prints and returns MB/s. */
static double measure(const char *name, tokenize_fn fn, void *state, double seconds, double base)
{
    double t0 = now(), dt;
    long long bytes = 0;
    ntokens = 0;
    do {
        for (size_t i = 0; i < ndocs; i++)
            fn(state, docs[i].text, docs[i].len);
        bytes += (long long)total_bytes;
        dt = now() - t0;
    } while (dt < seconds);
    double mbs = (double)bytes / 1e6 / dt;
    printf("%-28s %8.1f MB/s %12.0f tokens/s", name, mbs, (double)ntokens / dt);
    if (base > 0)
        printf("   %.2fx bare ICU", mbs / base);
    printf("\n");
    return mbs;
}

static ofs_tokenizer *make_ofs(const char *const *argv, int argc)
{
    ofs_tokenizer *t = NULL;
    char *err = NULL;
    if (ofs_tokenizer_new(argv, argc, &t, &err)) {
        fprintf(stderr, "bench: %s\n", err);
        exit(1);
    }
    return t;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_tokenizer DIR [SECONDS_PER_MODE]\n");
        return 2;
    }
    double secs = argc > 2 ? atof(argv[2]) : 3.0;
    nftw(argv[1], add_file, 32, FTW_PHYS);
    if (!ndocs) {
        fprintf(stderr, "bench: no files under %s\n", argv[1]);
        return 1;
    }
    printf("%zu documents, %.1f MB, %.1f s per mode\n", ndocs, (double)total_bytes / 1e6, secs);

    UErrorCode st = U_ZERO_ERROR;
    bare_icu b = {ubrk_open(UBRK_WORD, "", NULL, 0, &st), utext_openUTF8(NULL, "", 0, &st), NULL,
                  NULL, 0, {0}};
    double base = measure("bare ICU (UTF-8 UText)", run_icu_utf8, &b, secs, 0);
    measure("bare ICU (UTF-16)", run_icu_utf16, &b, secs, base);

    ofs_tokenizer *plain = make_ofs(NULL, 0);
    measure("ofs", run_ofs, plain, secs, base);
    const char *stem[] = {"stem", "english"}, *nocomp[] = {"compounds", "0"};
    ofs_tokenizer *stemmed = make_ofs(stem, 2), *flat = make_ofs(nocomp, 2);
    measure("ofs stem english", run_ofs, stemmed, secs, base);
    measure("ofs compounds 0", run_ofs, flat, secs, base);

    sqlite3 *db = NULL;
    sqlite3_open(":memory:", &db);
    sqlite3_stmt *q = NULL;
    fts5_api *api = NULL;
    sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &q, NULL);
    sqlite3_bind_pointer(q, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(q);
    sqlite3_finalize(q);
    fts5_tok u = {0};
    void *uctx = NULL;
    if (api && api->xFindTokenizer(api, "unicode61", &uctx, &u.api) == SQLITE_OK &&
        u.api.xCreate(uctx, NULL, 0, &u.tok) == SQLITE_OK) {
        measure("FTS5 unicode61", run_fts5, &u, secs, base);
        u.api.xDelete(u.tok);
    }
    sqlite3_close(db);
    ofs_tokenizer_free(plain);
    ofs_tokenizer_free(stemmed);
    ofs_tokenizer_free(flat);
    ubrk_close(b.bi);
    utext_close(b.ut);
    free(b.u16);
    free(b.fold);
    for (size_t i = 0; i < ndocs; i++)
        free(docs[i].text);
    free(docs);
    return 0;
}
