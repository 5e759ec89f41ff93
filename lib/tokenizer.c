/* The `ofs` tokenizer: ICU word segmentation (UAX#29 + dictionaries for CJK/Thai/Lao/Khmer/
 * Burmese), NFKC case folding, optional diacritic folding and Snowball stemming, and the parts of
 * technical compounds (file.txt, foo_bar, file1) as extra tokens. Design notes: docs/tokenizer.md. */
#include "alloc.h"
#include "internal.h"
#include "utf8.h"

#include "ofsearch/ofsearch.h"
#include "ofsearch/tokenizer.h"

#include <libstemmer.h>
#include <sqlite3.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utext.h>
#include <unicode/utf8.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Folded tokens longer than this (bytes) are dropped: they are base64 blobs, hashes or garbage,
 * never words someone types, and FTS5 would store each as a distinct term. */
#define OFS_MAX_TOKEN 256
/* A raw segment longer than this cannot fold to <= OFS_MAX_TOKEN bytes in any realistic case
 * (folding removes at most marks and ignorables), so it is not folded at all: keeps a 10 kB
 * "word" from costing a 10 kB normalization per occurrence. Its parts are still emitted. */
#define OFS_MAX_SEGMENT (OFS_MAX_TOKEN * 8)

/* Which scripts a stemmer understands: applying an English stemmer to Cyrillic or a Russian one to
 * Latin would mangle words the stemmer knows nothing about. */
static const struct {
    const char *lang;
    UScriptCode script, script2;
} stem_scripts[] = {
    {"arabic", USCRIPT_ARABIC, USCRIPT_ARABIC},
    {"armenian", USCRIPT_ARMENIAN, USCRIPT_ARMENIAN},
    {"greek", USCRIPT_GREEK, USCRIPT_GREEK},
    {"hindi", USCRIPT_DEVANAGARI, USCRIPT_DEVANAGARI},
    {"nepali", USCRIPT_DEVANAGARI, USCRIPT_DEVANAGARI},
    {"russian", USCRIPT_CYRILLIC, USCRIPT_CYRILLIC},
    {"serbian", USCRIPT_CYRILLIC, USCRIPT_LATIN},
    {"tamil", USCRIPT_TAMIL, USCRIPT_TAMIL},
    {"yiddish", USCRIPT_HEBREW, USCRIPT_HEBREW},
};

/* A direct-mapped cache of recent stems: word frequencies are Zipfian, so most tokens hit, and a
 * Snowball call costs more than the rest of the pipeline per token (benchmarks/tokenizer). */
#define STEM_CACHE 2048
#define STEM_KEY 24
typedef struct {
    unsigned char klen, vlen;
    char key[STEM_KEY], val[STEM_KEY];
} stem_entry;

struct ofs_tokenizer {
    int reason;     /* of the running call: OFS_TOKENIZE_* */
    int ascii_fast; /* segment pure-ASCII text without ICU (default 1; tests compare both) */
    int diacritics; /* fold diacritics (1) or keep them (0) */
    int compounds;  /* emit parts of compounds (1) */
    struct sb_stemmer *stemmer;
    UScriptCode stem_script, stem_script2;

    UBreakIterator *bi;       /* reused for every call: opening one costs ~100 µs */
    UText *ut;                /* reused UText over the caller's UTF-8 (OFS_TOKENIZER_UTEXT) */
    const UNormalizer2 *fold; /* NFKC_Casefold; ICU-owned singletons, never closed */
    const UNormalizer2 *nfd, *nfc;

    UChar *doc16; /* the document in UTF-16 for the break iterator */
    int32_t doc16cap;
    char *clean; /* copy of the input with invalid UTF-8 bytes replaced, when needed */
    size_t cleancap;
    UChar *u1, *u2; /* UTF-16 scratch for folding one segment */
    int32_t u1cap, u2cap;
    char *out; /* folded UTF-8 of the current token */
    int32_t outcap;
    int32_t *parts; /* start/end byte pairs of the current segment's parts */
    int32_t partscap;
    int failed; /* the last run stopped on our own error (not the callback's code) */
    stem_entry *stem_cache; /* STEM_CACHE entries when stemming, else NULL */
};

/* Grows *buf to hold need elements; OFS_TOOLONG past what an int32_t offset can address. */
static int grow(void **buf, int32_t *cap, int64_t need, size_t elsize)
{
    if (need <= *cap)
        return OFS_OK;
    int64_t ncap = *cap ? *cap : 64;
    while (ncap < need)
        ncap *= 2;
    if (ncap > INT32_MAX / 4)
        return OFS_TOOLONG;
    *buf = ofsi_xrealloc(*buf, (size_t)ncap * elsize);
    *cap = (int32_t)ncap;
    return OFS_OK;
}

/* ---- options ---------------------------------------------------------------------------- */

static int parse_bool(const char *name, const char *val, int *out, char **errmsg)
{
    if (val && !strcmp(val, "0"))
        *out = 0;
    else if (val && !strcmp(val, "1"))
        *out = 1;
    else
        return ofs_set_error(errmsg, OFS_INVALID, "ofs tokenizer: option '%s' needs 0 or 1, got '%s'",
                             name, val ? val : "(nothing)");
    return OFS_OK;
}

/* Accepts only the canonical names libstemmer lists, so the script table above stays exact. */
static int set_stemmer(ofs_tokenizer *tok, const char *lang, char **errmsg)
{
    if (!lang)
        return ofs_set_error(errmsg, OFS_INVALID, "ofs tokenizer: option 'stem' needs a language");
    if (!strcmp(lang, "none"))
        return OFS_OK;
    int known = 0;
    for (const char **p = sb_stemmer_list(); *p; p++)
        known |= !strcmp(*p, lang);
    if (!known)
        return ofs_set_error(errmsg, OFS_INVALID, "ofs tokenizer: unknown stemmer language '%s'", lang);
    /* A listed language in UTF-8 fails only when libstemmer gets no memory. */
    if (!(tok->stemmer = sb_stemmer_new(lang, "UTF_8")))
        ofsi_oom(0);
    tok->stem_cache = ofsi_xcalloc(STEM_CACHE, sizeof *tok->stem_cache);
    tok->stem_script = tok->stem_script2 = USCRIPT_LATIN;
    for (size_t i = 0; i < sizeof stem_scripts / sizeof stem_scripts[0]; i++)
        if (!strcmp(stem_scripts[i].lang, lang)) {
            tok->stem_script = stem_scripts[i].script;
            tok->stem_script2 = stem_scripts[i].script2;
        }
    return OFS_OK;
}

static int parse_options(ofs_tokenizer *tok, const char *const *argv, int argc, char **errmsg)
{
    for (int i = 0; i < argc; i += 2) {
        const char *name = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        int rc;
        if (!strcmp(name, "diacritics"))
            rc = parse_bool(name, val, &tok->diacritics, errmsg);
        else if (!strcmp(name, "compounds"))
            rc = parse_bool(name, val, &tok->compounds, errmsg);
        else if (!strcmp(name, "stem")) {
            if (tok->stemmer)
                return ofs_set_error(errmsg, OFS_INVALID, "ofs tokenizer: option 'stem' given twice");
            rc = set_stemmer(tok, val, errmsg);
        } else
            rc = ofs_set_error(errmsg, OFS_INVALID, "ofs tokenizer: unknown option '%s'", name);
        if (rc)
            return rc;
    }
    return OFS_OK;
}

int ofs_tokenizer_new(const char *const *argv, int argc, ofs_tokenizer **out, char **errmsg)
{
    *out = NULL;
    ofs_tokenizer *tok = ofsi_xcalloc(1, sizeof *tok);
    tok->diacritics = 1;
    tok->compounds = 1;
    tok->ascii_fast = 1;
    int rc = parse_options(tok, argv, argc < 0 ? 0 : argc, errmsg);
    if (rc) {
        ofs_tokenizer_free(tok);
        return rc;
    }
    UErrorCode st = U_ZERO_ERROR;
    tok->fold = unorm2_getNFKCCasefoldInstance(&st);
    tok->nfd = unorm2_getNFDInstance(&st);
    tok->nfc = unorm2_getNFCInstance(&st);
    tok->bi = ubrk_open(UBRK_WORD, "", NULL, 0, &st);
    tok->ut = utext_openUTF8(NULL, "", 0, &st);
    if (U_FAILURE(st)) {
        ofs_tokenizer_free(tok);
        return ofs_set_error(errmsg, OFS_ERROR, "ofs tokenizer: ICU: %s", u_errorName(st));
    }
    *out = tok;
    return OFS_OK;
}

int ofs_tokenizer_from_options(const char *options, ofs_tokenizer **out, char **errmsg)
{
    *out = NULL;
    if (!options)
        options = "";
    if (options[0] == '=')
        return OFS_NOTFOUND;
    char copy[512];
    if (strlen(options) >= sizeof copy)
        return ofs_set_error(errmsg, OFS_INVALID, "ofs tokenizer: options too long");
    strcpy(copy, options);
    const char *argv[64];
    int argc = 0;
    char *save = NULL;
    for (char *p = strtok_r(copy, " \t", &save); p; p = strtok_r(NULL, " \t", &save)) {
        /* Words left out would leave options out: the index's FTS5 table, which sees them
         * all, would fold otherwise than a tokenizer made here. */
        if (argc == (int)(sizeof argv / sizeof *argv))
            return ofs_set_error(errmsg, OFS_INVALID, "ofs tokenizer: more than %d words of "
                                 "options", argc);
        argv[argc++] = p;
    }
    int skip = argc > 0 && !strcmp(argv[0], "ofs");
    return ofs_tokenizer_new(argv + skip, argc - skip, out, errmsg);
}

void ofs_tokenizer_free(ofs_tokenizer *tok)
{
    if (!tok)
        return;
    if (tok->bi)
        ubrk_close(tok->bi);
    if (tok->ut)
        utext_close(tok->ut);
    sb_stemmer_delete(tok->stemmer);
    free(tok->stem_cache);
    free(tok->clean);
    free(tok->doc16);
    free(tok->u1);
    free(tok->u2);
    free(tok->out);
    free(tok->parts);
    free(tok);
}

/* ---- folding ---------------------------------------------------------------------------- */

/* Scripts whose nonspacing marks are optional accents (café, Greek tonos, Hebrew niqqud, Arabic
 * harakat). Elsewhere (Devanagari, Thai, kana dakuten, …) marks are vowels or change the letter. */
static int accent_script(UScriptCode sc)
{
    return sc == USCRIPT_LATIN || sc == USCRIPT_GREEK || sc == USCRIPT_CYRILLIC ||
           sc == USCRIPT_HEBREW || sc == USCRIPT_ARABIC || sc == USCRIPT_COMMON;
}

/* Whether mark (Mn) on base is an accent to drop. In Cyrillic й, ї, ў are letters of their own:
 * only stress marks and the diaeresis of ё (ё → е, as Russian writing itself does) go. */
static int is_accent(UChar32 base, UScriptCode sc, UChar32 mark)
{
    if (sc == USCRIPT_CYRILLIC)
        return mark == 0x300 || mark == 0x301 || (mark == 0x308 && base == 0x435);
    return accent_script(sc);
}

static int needs_accent_strip(const UChar *s, int32_t n)
{
    for (int32_t i = 0; i < n; i++)
        if (s[i] >= 0xC0 && !U16_IS_SURROGATE(s[i]) &&
            (accent_script(uscript_getScript(s[i], &(UErrorCode){U_ZERO_ERROR})) ||
             u_charType(s[i]) == U_NON_SPACING_MARK))
            return 1;
    return 0;
}

/* Normalizes src into *dst (grown as needed); returns the length or -1. */
static int32_t normalize(const UNormalizer2 *norm, const UChar *src, int32_t n, UChar **dst,
                         int32_t *cap)
{
    for (;;) {
        UErrorCode st = U_ZERO_ERROR;
        int32_t len = unorm2_normalize(norm, src, n, *dst, *cap, &st);
        if (st == U_BUFFER_OVERFLOW_ERROR) {
            if (grow((void **)dst, cap, (int64_t)len + 1, sizeof(UChar)))
                return -1;
            continue;
        }
        return U_FAILURE(st) ? -1 : len;
    }
}

/* Drops accent marks: NFD, remove Mn whose base is in an accent script, NFC. In: tok->u2 (n),
 * out: tok->u2, new length (or -1). */
static int32_t strip_accents(ofs_tokenizer *tok, int32_t n)
{
    n = normalize(tok->nfd, tok->u2, n, &tok->u1, &tok->u1cap);
    if (n < 0)
        return -1;
    int32_t w = 0;
    UScriptCode sc = USCRIPT_INVALID_CODE;
    UChar32 base = 0;
    for (int32_t i = 0; i < n;) {
        int32_t at = i;
        UChar32 c;
        U16_NEXT(tok->u1, i, n, c);
        if (u_charType(c) == U_NON_SPACING_MARK) {
            if (sc != USCRIPT_INVALID_CODE && is_accent(base, sc, c))
                continue;
        } else {
            UErrorCode st = U_ZERO_ERROR;
            sc = uscript_getScript(c, &st);
            base = c;
        }
        while (at < i)
            tok->u1[w++] = tok->u1[at++];
    }
    return normalize(tok->nfc, tok->u1, w, &tok->u2, &tok->u2cap);
}

/* Folds raw[0..n) (valid UTF-8) into tok->out; returns its length, or -1 on error. */
static int32_t fold_unicode(ofs_tokenizer *tok, const char *raw, int32_t n)
{
    if (grow((void **)&tok->u1, &tok->u1cap, n + 1, sizeof(UChar)))
        return -1;
    UErrorCode st = U_ZERO_ERROR;
    int32_t len = 0;
    u_strFromUTF8(tok->u1, tok->u1cap, &len, raw, n, &st);
    if (U_FAILURE(st))
        return -1;
    len = normalize(tok->fold, tok->u1, len, &tok->u2, &tok->u2cap);
    if (len > 0 && tok->diacritics && needs_accent_strip(tok->u2, len))
        len = strip_accents(tok, len);
    if (len < 0 || len > OFS_MAX_TOKEN) /* UTF-8 is at least as long as UTF-16 */
        return len < 0 ? -1 : OFS_MAX_TOKEN + 1;
    if (grow((void **)&tok->out, &tok->outcap, (int64_t)len * 3 + 1, 1))
        return -1;
    int32_t out = 0;
    st = U_ZERO_ERROR;
    u_strToUTF8(tok->out, tok->outcap, &out, tok->u2, len, &st);
    return U_FAILURE(st) ? -1 : out;
}

/* Folds raw[0..n) into tok->out; returns its length (may exceed OFS_MAX_TOKEN) or -1. */
static int32_t fold(ofs_tokenizer *tok, const char *raw, int32_t n)
{
    int ascii = 1;
    for (int32_t i = 0; i < n && ascii; i++)
        ascii = (unsigned char)raw[i] < 0x80;
    if (!ascii)
        return fold_unicode(tok, raw, n);
    /* Fast path: most words in technical text are ASCII, and NFKC_Casefold of ASCII is tolower. */
    if (grow((void **)&tok->out, &tok->outcap, n + 1, 1))
        return -1;
    for (int32_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)raw[i];
        tok->out[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    return n;
}

/* The script of the first letter of s (USCRIPT_COMMON if none). */
static UScriptCode token_script(const char *s, int32_t n)
{
    for (int32_t i = 0; i < n;) {
        UChar32 c;
        U8_NEXT(s, i, n, c);
        if (c < 0)
            continue;
        if (c < 0x80) {
            if ((c | 32) >= 'a' && (c | 32) <= 'z')
                return USCRIPT_LATIN;
            continue;
        }
        UErrorCode st = U_ZERO_ERROR;
        UScriptCode sc = uscript_getScript(c, &st);
        if (sc != USCRIPT_COMMON && sc != USCRIPT_INHERITED)
            return sc;
    }
    return USCRIPT_COMMON;
}

/* Stems t[0..n) (folded) through the cache; returns the stem and its length in *len. */
static const char *stem(ofs_tokenizer *tok, const char *t, int32_t n, int32_t *len)
{
    stem_entry *ent = NULL;
    if (n < STEM_KEY) {
        uint32_t h = 2166136261u; /* FNV-1a */
        for (int32_t i = 0; i < n; i++)
            h = (h ^ (unsigned char)t[i]) * 16777619u;
        ent = &tok->stem_cache[h % STEM_CACHE];
        if (ent->klen == n && !memcmp(ent->key, t, (size_t)n)) {
            *len = ent->vlen;
            return ent->val;
        }
    }
    const sb_symbol *st = sb_stemmer_stem(tok->stemmer, (const sb_symbol *)t, n);
    if (!st) /* libstemmer's only failure: no memory for its buffer */
        ofsi_oom((size_t)n);
    *len = sb_stemmer_length(tok->stemmer);
    if (ent && *len < STEM_KEY) {
        ent->klen = (unsigned char)n;
        memcpy(ent->key, t, (size_t)n);
        ent->vlen = (unsigned char)*len;
        memcpy(ent->val, st, (size_t)*len);
    }
    return (const char *)st;
}

/* Folds, stems and emits one token; a token that folds to nothing or to more than OFS_MAX_TOKEN
 * bytes is skipped (*emitted stays 0). Returns the callback's code. */
static int emit(ofs_tokenizer *tok, const char *src, int32_t s, int32_t e, int flags, int *emitted,
                ofs_token_fn fn, void *ctx)
{
    *emitted = 0;
    if (e - s > OFS_MAX_SEGMENT)
        return OFS_OK;
    /* Auxiliary functions (snippets, highlight()) read only positions and offsets, never the
     * token text: skip folding and stemming, most of a snippet's cost. For a short segment they
     * cannot change whether a token is emitted (a segment with a letter never folds to nothing,
     * and 16 bytes cannot fold to more than OFS_MAX_TOKEN), so positions stay exact. */
    if ((tok->reason & OFS_TOKENIZE_AUX) && e - s <= 16) {
        *emitted = 1;
        return fn(ctx, flags, src + s, e - s, s, e);
    }
    int32_t n = fold(tok, src + s, e - s);
    if (n < 0)
        return tok->failed = OFS_ERROR;
    if (n == 0 || n > OFS_MAX_TOKEN)
        return OFS_OK;
    const char *t = tok->out;
    if (tok->stemmer) {
        UScriptCode sc = token_script(t, n);
        if (sc == tok->stem_script || sc == tok->stem_script2) {
            t = stem(tok, t, n, &n);
            if (n == 0)
                return OFS_OK;
        }
    }
    *emitted = 1;
    return fn(ctx, flags, t, n, s, e);
}

/* ---- compounds -------------------------------------------------------------------------- */

enum { CL_SEP, CL_LETTER, CL_DIGIT, CL_JOIN };

static int char_class(UChar32 c)
{
    if (c < 0x80) {
        if ((c | 32) >= 'a' && (c | 32) <= 'z')
            return CL_LETTER;
        return c >= '0' && c <= '9' ? CL_DIGIT : CL_SEP;
    }
    int32_t m = U_MASK(u_charType(c));
    if (m & U_GC_L_MASK)
        return CL_LETTER;
    if (m & U_GC_N_MASK)
        return CL_DIGIT;
    /* Marks and format characters (ZWNJ in Persian words) belong to the letter before them. */
    if (m & (U_GC_M_MASK | U_GC_CF_MASK))
        return CL_JOIN;
    return CL_SEP;
}

/* Splits segment [s,e) at separators (. _ : ' …) and letter/digit changes into tok->parts;
 * returns the number of parts, or -1 for a segment too long to split. */
static int32_t split_parts(ofs_tokenizer *tok, const char *src, int32_t s, int32_t e)
{
    int32_t np = 0, pstart = -1, prev = CL_SEP;
    for (int32_t i = s; i <= e;) {
        int32_t at = i, cl = CL_SEP;
        if (i < e) {
            UChar32 c;
            U8_NEXT(src, i, e, c);
            cl = c < 0 ? CL_SEP : char_class(c);
            if (cl == CL_JOIN)
                cl = prev == CL_SEP ? CL_SEP : prev;
        } else
            i++;
        if (pstart >= 0 && cl != prev) {
            if (grow((void **)&tok->parts, &tok->partscap, (int64_t)np * 2 + 2, sizeof(int32_t)))
                return -1;
            tok->parts[np * 2] = pstart;
            tok->parts[np * 2 + 1] = at;
            np++;
            pstart = -1;
        }
        if (cl != CL_SEP && pstart < 0)
            pstart = at;
        prev = cl;
    }
    return np;
}

/* Emits one ICU word segment: the whole at position p and, for a compound, its first part
 * colocated at p and the other parts at p+1, p+2, … — the same at index and query time, so a
 * query `file.txt` is phrase((file.txt|file), txt). */
static int emit_segment(ofs_tokenizer *tok, const char *src, int32_t s, int32_t e, ofs_token_fn fn,
                        void *ctx)
{
    int emitted = 0;
    int32_t np = split_parts(tok, src, s, e);
    if (np <= 0) /* no letter or digit: `___` (ICU's ExtendNumLet runs) is not a word */
        return np < 0 ? (tok->failed = OFS_TOOLONG) : OFS_OK;
    int rc = emit(tok, src, s, e, 0, &emitted, fn, ctx);
    /* One part equal to the whole adds nothing; one part inside it (`@user` kept whole by ICU)
     * makes the bare word findable. */
    if (rc || !tok->compounds || (np == 1 && tok->parts[0] == s && tok->parts[1] == e))
        return rc;
    for (int32_t i = 0; i < np && !rc; i++) {
        int flags = i == 0 && emitted ? OFS_TOKEN_COLOCATED : 0, e2 = 0;
        rc = emit(tok, src, tok->parts[i * 2], tok->parts[i * 2 + 1], flags, &e2, fn, ctx);
        emitted |= e2;
    }
    return rc;
}

/* ---- segmentation ----------------------------------------------------------------------- */

/* Returns text, or a copy in tok->clean where each byte of an invalid UTF-8 sequence is a space:
 * same length, so offsets into the copy are offsets into the caller's text, and ICU never sees a
 * sequence it would map to U+FFFD spanning several bytes. */
static const char *sanitize(ofs_tokenizer *tok, const char *text, int32_t len)
{
    size_t i = ofsi_utf8_valid_prefix(text, (size_t)len);
    if (i == (size_t)len)
        return text;
    if ((size_t)len > tok->cleancap) {
        tok->clean = ofsi_xrealloc(tok->clean, (size_t)len);
        tok->cleancap = (size_t)len;
    }
    memcpy(tok->clean, text, (size_t)len);
    while (i < (size_t)len) {
        size_t k = ofsi_utf8_len((const unsigned char *)text + i, (size_t)len - i);
        if (k == 0)
            tok->clean[i] = ' ';
        i += k ? k : 1;
    }
    return tok->clean;
}

/* ---- pure-ASCII text --------------------------------------------------------------------- */

/* Word_Break classes of ASCII characters, as ICU's root rules use them: ICU takes ':' out of
 * MidLetter, so ASCII has no MidLetter, and adds '@' to ALetter; '.' and '\'' are MidNumLet(Q),
 * ',' and ';' MidNum, '_' ExtendNumLet. Everything else (space, punctuation, controls) breaks. */
enum { A_OTHER, A_LETTER, A_DIGIT, A_MIDNUMLET, A_MIDNUM, A_EXTEND };

static int ascii_class(unsigned char c)
{
    if (((c | 32) >= 'a' && (c | 32) <= 'z') || c == '@') /* ICU makes '@' a letter: @user */
        return A_LETTER;
    if (c >= '0' && c <= '9')
        return A_DIGIT;
    switch (c) {
    case '.': case '\'': return A_MIDNUMLET;
    case ',': case ';': return A_MIDNUM;
    case '_': return A_EXTEND;
    default: return A_OTHER;
    }
}

/* UAX #29 word segmentation of pure-ASCII text with ICU's tailoring, without ICU: letters,
 * digits and '_' join (WB5, WB8-10, WB13a/b); a MidNumLet between two letters (WB6/7) or a
 * MidNum/MidNumLet between two digits (WB11/12) joins too. ICU's break iterator costs about 100
 * instructions a byte, most of indexing and snippet time for ASCII text; test_tokenizer checks
 * that both give the same segments (WordBreakTest and random ASCII). */
static int segment_ascii(ofs_tokenizer *tok, const char *src, int32_t len, ofs_token_fn fn,
                         void *ctx)
{
    int rc = OFS_OK;
    for (int32_t i = 0; i < len && !rc;) {
        int prev = ascii_class((unsigned char)src[i]);
        if (prev != A_LETTER && prev != A_DIGIT && prev != A_EXTEND) {
            i++;
            continue;
        }
        int32_t s = i++;
        while (i < len) {
            int c = ascii_class((unsigned char)src[i]);
            if (c == A_LETTER || c == A_DIGIT || c == A_EXTEND) {
                prev = c;
                i++;
                continue;
            }
            int next = i + 1 < len ? ascii_class((unsigned char)src[i + 1]) : A_OTHER;
            int mid_letter = c == A_MIDNUMLET && prev == A_LETTER && next == A_LETTER;
            int mid_num = (c == A_MIDNUMLET || c == A_MIDNUM) && prev == A_DIGIT && next == A_DIGIT;
            if (!mid_letter && !mid_num)
                break;
            prev = next;
            i += 2;
        }
        rc = emit_segment(tok, src, s, i, fn, ctx);
    }
    return rc;
}

static int is_ascii(const char *s, int32_t len)
{
    for (int32_t i = 0; i < len; i++)
        if ((unsigned char)s[i] >= 0x80)
            return 0;
    return 1;
}

void ofsi_tokenizer_set_ascii_fast(ofs_tokenizer *tok, int on)
{
    tok->ascii_fast = on;
}

/* Runs the break iterator over src and emits each word segment. Two ways were measured on all
 * tldr-pages languages (benchmarks/tokenizer, CPU time, best of 3): converting the document to
 * UTF-16 and mapping boundaries back to bytes with a forward walk gave 32.6 MB/s; UTF-8 in place
 * through utext_openUTF8 gave 30.0 MB/s (ICU's UTF-8 UText converts chunks on every access).
 * So UTF-16 is the default; -DOFS_TOKENIZER_UTEXT builds the UText way to re-measure. */
#ifndef OFS_TOKENIZER_UTEXT
static int segment(ofs_tokenizer *tok, const char *src, int32_t len, ofs_token_fn fn, void *ctx)
{
    UErrorCode st = U_ZERO_ERROR;
    if (grow((void **)&tok->doc16, &tok->doc16cap, (int64_t)len + 1, sizeof(UChar)))
        return tok->failed = OFS_TOOLONG;
    int32_t n16 = 0, c16 = 0, c8 = 0;
    u_strFromUTF8(tok->doc16, tok->doc16cap, &n16, src, len, &st); /* src is valid UTF-8 */
    ubrk_setText(tok->bi, tok->doc16, n16, &st);
    if (U_FAILURE(st))
        return tok->failed = OFS_ERROR;
    const UChar *d = tok->doc16;
    int rc = OFS_OK;
    int32_t s = ubrk_first(tok->bi);
    for (int32_t e = ubrk_next(tok->bi); e != UBRK_DONE && !rc; s = e, e = ubrk_next(tok->bi)) {
        if (ubrk_getRuleStatus(tok->bi) < UBRK_WORD_NONE_LIMIT)
            continue;
        int32_t s8 = 0;
        for (int pass = 0; pass < 2; pass++) { /* UTF-16 index → byte offset, s then e */
            int32_t t16 = pass ? e : s;
            while (c16 < t16) {
                UChar ch = d[c16++];
                c8 += ch < 0x80 ? 1 : ch < 0x800 ? 2 : U16_IS_LEAD(ch) ? (c16++, 4) : 3;
            }
            if (!pass)
                s8 = c8;
        }
        rc = emit_segment(tok, src, s8, c8, fn, ctx);
    }
    ubrk_setText(tok->bi, NULL, 0, &st);
    if (tok->doc16cap > (1 << 20)) { /* don't keep a huge document's buffer between calls */
        free(tok->doc16);
        tok->doc16 = NULL;
        tok->doc16cap = 0;
    }
    return rc;
}
#else
static int segment(ofs_tokenizer *tok, const char *src, int32_t len, ofs_token_fn fn, void *ctx)
{
    UErrorCode st = U_ZERO_ERROR;
    utext_openUTF8(tok->ut, src, len, &st);
    ubrk_setUText(tok->bi, tok->ut, &st); /* boundaries come back as byte offsets */
    if (U_FAILURE(st))
        return tok->failed = OFS_ERROR;
    int rc = OFS_OK;
    int32_t s = ubrk_first(tok->bi);
    for (int32_t e = ubrk_next(tok->bi); e != UBRK_DONE && !rc; s = e, e = ubrk_next(tok->bi))
        if (ubrk_getRuleStatus(tok->bi) >= UBRK_WORD_NONE_LIMIT)
            rc = emit_segment(tok, src, s, e, fn, ctx);
    utext_openUTF8(tok->ut, "", 0, &st); /* detach from the caller's buffer */
    ubrk_setUText(tok->bi, tok->ut, &st);
    return rc;
}
#endif

int ofs_tokenizer_run(ofs_tokenizer *tok, int reason, const char *text, int len, ofs_token_fn fn,
                      void *ctx)
{
    /* Documents and queries are tokenized identically (see emit_segment); only auxiliary
     * functions' calls take a shortcut (see emit). */
    tok->reason = reason;
    tok->failed = OFS_OK;
    if (len < 0 || (!text && len > 0))
        return tok->failed = OFS_INVALID;
    if (len == 0)
        return OFS_OK;
    const char *src = sanitize(tok, text, len);
    int rc = tok->ascii_fast && is_ascii(src, len) ? segment_ascii(tok, src, len, fn, ctx)
                                                   : segment(tok, src, len, fn, ctx);
    if (tok->cleancap > (1 << 20)) {
        free(tok->clean);
        tok->clean = NULL;
        tok->cleancap = 0;
    }
    return rc;
}

/* ---- recorded token streams ------------------------------------------------------------ */

typedef struct {
    int flags, start, end;
    int32_t off, len; /* the token's text in buf */
} rec_token;

struct ofsi_token_stream {
    char *text; /* a copy of the text tokenized, to recognise it */
    int len;
    rec_token *t;
    int32_t n, cap;
    char *buf;
    int32_t nbuf, capbuf;
};

static int record_token(void *ctx, int flags, const char *token, int n, int start, int end)
{
    ofsi_token_stream *ts = ctx;
    if (grow((void **)&ts->t, &ts->cap, (int64_t)ts->n + 1, sizeof *ts->t) ||
        grow((void **)&ts->buf, &ts->capbuf, (int64_t)ts->nbuf + n, 1))
        return OFS_TOOLONG;
    memcpy(ts->buf + ts->nbuf, token, (size_t)n);
    ts->t[ts->n++] = (rec_token){flags, start, end, ts->nbuf, n};
    ts->nbuf += n;
    return OFS_OK;
}

int ofsi_token_stream_record(ofs_tokenizer *tok, const char *text, int len, ofsi_token_stream **out)
{
    *out = NULL;
    ofsi_token_stream *ts = ofsi_xcalloc(1, sizeof *ts);
    ts->text = ofsi_xmemdup(text, (size_t)len);
    ts->len = len;
    int rc = ofs_tokenizer_run(tok, OFS_TOKENIZE_DOCUMENT, text, len, record_token, ts);
    if (rc) {
        ofsi_token_stream_free(ts);
        return rc;
    }
    *out = ts;
    return OFS_OK;
}

void ofsi_token_stream_free(ofsi_token_stream *ts)
{
    if (!ts)
        return;
    free(ts->text);
    free(ts->t);
    free(ts->buf);
    free(ts);
}

/* Per thread, so parser threads and other connections are never affected. */
static _Thread_local ofsi_token_stream *const *replay_streams;
static _Thread_local int replay_n;

void ofsi_tokenizer_replay(ofsi_token_stream *const *streams, int n)
{
    replay_streams = n > 0 ? streams : NULL;
    replay_n = n > 0 ? n : 0;
}

/* The recorded stream for this text, if the calling thread set one. */
static const ofsi_token_stream *find_replay(const char *text, int len)
{
    for (int i = 0; i < replay_n; i++) {
        const ofsi_token_stream *ts = replay_streams[i];
        if (ts && ts->len == len && !memcmp(ts->text, text, (size_t)len))
            return ts;
    }
    return NULL;
}

/* ---- FTS5 glue -------------------------------------------------------------------------- */

static int fts5_create(void *unused, const char **argv, int argc, Fts5Tokenizer **out)
{
    (void)unused;
    ofs_tokenizer *tok = NULL;
    char *err = NULL;
    int rc = ofs_tokenizer_new(argv, argc, &tok, &err);
    if (rc) {
        /* FTS5 replaces any constructor error with "error in tokenizer constructor"; the log is
         * the only place the reason can go (sqlite3_config(SQLITE_CONFIG_LOG, ...)). */
        sqlite3_log(SQLITE_ERROR, "%s", err ? err : "ofs tokenizer: cannot create");
        free(err);
        return SQLITE_ERROR;
    }
    *out = (Fts5Tokenizer *)tok;
    return SQLITE_OK;
}

static void fts5_delete(Fts5Tokenizer *t)
{
    ofs_tokenizer_free((ofs_tokenizer *)t);
}

static int fts5_tokenize(Fts5Tokenizer *t, void *ctx, int flags, const char *text, int len,
                         int (*fn)(void *, int, const char *, int, int, int))
{
    ofs_tokenizer *tok = (ofs_tokenizer *)t;
    const ofsi_token_stream *ts =
        replay_n && (flags & FTS5_TOKENIZE_DOCUMENT) ? find_replay(text, len) : NULL;
    if (ts) {
        int rc = SQLITE_OK;
        for (int32_t i = 0; i < ts->n && rc == SQLITE_OK; i++)
            rc = fn(ctx, ts->t[i].flags, ts->buf + ts->t[i].off, ts->t[i].len, ts->t[i].start,
                    ts->t[i].end);
        return rc;
    }
    int rc = ofs_tokenizer_run(tok, flags, text, len, fn, ctx);
    if (rc && tok->failed) /* our code, not the callback's SQLite code passed through */
        return tok->failed == OFS_TOOLONG ? SQLITE_TOOBIG : SQLITE_ERROR;
    return rc;
}

int ofsi_tokenizer_register_fts5(fts5_api *api)
{
    static fts5_tokenizer module = {fts5_create, fts5_delete, fts5_tokenize};
    return api->xCreateTokenizer(api, "ofs", NULL, &module, NULL);
}
