/* Untrusted bytes to a Gumbo tree, within bounds: size limit, binary data refused, the declared
 * charset converted to UTF-8 through ICU, and Gumbo run on an arena that enforces a memory and
 * a CPU-time budget.
 *
 * Why the arena: Gumbo has no out-of-memory handling (it dereferences what its allocator
 * returns), frees its tree recursively (a stack overflow on 100,000 nested elements) and spends
 * a sixth of its time in malloc/free. Its allocator hook gets this arena instead: frees are
 * no-ops (Gumbo's own frees are of grown vectors and buffers, so at most about as much again
 * is held), the tree goes in one sweep over the chunks, and when the budget is exhausted the
 * hook longjmps out of gumbo_parse_with_options and the arena is dropped whole. Gumbo holds no
 * other resource (no locks, files or static state), so leaving it that way is safe. The CPU
 * check runs every 1024 allocations: Gumbo's worst cases (scope checks over a deep stack of open
 * elements, the adoption agency on misnested formatting) are quadratic in nesting depth, and
 * each of their steps allocates, so the budget stops them within a step of running out. */
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <unicode/ucnv.h>

#include "html_internal.h"
#include "ofsearch/ofsearch.h"

#include "alloc.h"

#define MIB ((size_t)1024 * 1024)
#define PRESCAN_BYTES 1024  /* WHATWG: the encoding prescan reads the first 1024 bytes */
#define SNIFF_BYTES 1445    /* WHATWG MIME Sniffing: the resource header's maximum length */
#define CHUNK_MIN ((size_t)64 * 1024)
#define CHUNK_MAX ((size_t)4 * MIB)
#define CPU_CHECK_EVERY 1024

/* ---- arena ---------------------------------------------------------------------------------- */

typedef struct chunk {
    struct chunk *next;
    size_t used, cap;
    max_align_t data[];
} chunk;

typedef struct {
    chunk *head;
    size_t total, budget;  /* bytes of chunks held, and the most allowed */
    double deadline;       /* thread CPU time at which the parse is abandoned */
    unsigned calls;
    int failure;           /* OFS_TOOLONG or OFS_TIMEOUT once jumped */
    jmp_buf escape;
} arena;

static double thread_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void arena_fail(arena *a, int rc)
{
    a->failure = rc;
    longjmp(a->escape, 1);
}

static void *arena_alloc(void *ud, size_t n)
{
    arena *a = ud;
    if (++a->calls % CPU_CHECK_EVERY == 0 && thread_cpu() > a->deadline)
        arena_fail(a, OFS_TIMEOUT);
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    if (!a->head || a->head->cap - a->head->used < n) {
        size_t cap = a->head ? a->head->cap * 2 : CHUNK_MIN;
        if (cap > CHUNK_MAX)
            cap = CHUNK_MAX;
        if (cap < n)
            cap = n;
        if (a->total + cap > a->budget)
            arena_fail(a, OFS_TOOLONG);
        chunk *c = ofsi_xmalloc(sizeof *c + cap);
        c->next = a->head;
        c->used = 0;
        c->cap = cap;
        a->head = c;
        a->total += cap;
    }
    void *p = (char *)a->head->data + a->head->used;
    a->head->used += n;
    return p;
}

static void arena_free(void *ud, void *p)
{
    (void)ud;
    (void)p;
}

static void arena_clear(arena *a)
{
    while (a->head) {
        chunk *next = a->head->next;
        free(a->head);
        a->head = next;
    }
    a->total = 0;
}

/* ---- binary data ---------------------------------------------------------------------------- */

/* The MIME Sniffing standard's HTML signatures: after white space, one of these tags (any case)
 * followed by a space or '>'. A page opening with one is HTML whatever bytes follow. */
static int starts_like_html(const unsigned char *s, size_t n)
{
    static const char *const sigs[] = {"<!doctype html", "<html", "<head", "<script", "<iframe",
                                       "<h1", "<div", "<font", "<table", "<a", "<style",
                                       "<title", "<b", "<body", "<br", "<p", "<!--", "<?xml"};
    size_t i = 0;
    while (i < n && ofsi_html_is_space(s[i]))
        i++;
    for (size_t k = 0; k < sizeof sigs / sizeof *sigs; k++) {
        size_t m = strlen(sigs[k]);
        if (n - i < m || strncasecmp((const char *)s + i, sigs[k], m) != 0)
            continue;
        if (!strcmp(sigs[k], "<!--") || !strcmp(sigs[k], "<?xml"))
            return 1;
        if (n - i > m && (s[i + m] == ' ' || s[i + m] == '>'))
            return 1;
    }
    return 0;
}

/* What a few common binary formats are, for the error message. */
static const char *binary_kind(const unsigned char *s, size_t n)
{
    static const struct {
        const char *magic;
        size_t len;
        const char *kind;
    } kinds[] = {
        {"\x89PNG\r\n\x1a\n", 8, "a PNG image"}, {"GIF8", 4, "a GIF image"},
        {"\xff\xd8\xff", 3, "a JPEG image"},     {"%PDF-", 5, "a PDF document"},
        {"PK\x03\x04", 4, "a ZIP archive"},      {"\x1f\x8b", 2, "gzip data"},
        {"\x7f" "ELF", 4, "an ELF executable"},  {"\0asm", 4, "WebAssembly"},
        {"wOF2", 4, "a WOFF2 font"},             {"wOFF", 4, "a WOFF font"},
        {"SQLite format 3", 15, "an SQLite database"},
    };
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++)
        if (n >= kinds[k].len && memcmp(s, kinds[k].magic, kinds[k].len) == 0)
            return kinds[k].kind;
    return "binary data";
}

/* The MIME Sniffing standard's rule for telling text from binary: a binary data byte (a C0
 * control other than TAB, LF, FF, CR and ESC) in the resource header. Returns its offset or -1. */
static long binary_byte(const unsigned char *s, size_t n)
{
    if (n > SNIFF_BYTES)
        n = SNIFF_BYTES;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c <= 0x08 || c == 0x0B || (c >= 0x0E && c <= 0x1A) || (c >= 0x1C && c <= 0x1F))
            return (long)i;
    }
    return -1;
}

/* ---- charset -------------------------------------------------------------------------------- */

/* WHATWG Encoding labels whose encoding is not what ICU calls by the same name: the single-byte
 * ISO labels mean their Windows supersets, and UTF-16 in a <meta> means UTF-8 (the page could
 * not have been read to find the <meta> otherwise). */
static const char *whatwg_encoding(const char *label)
{
    static const struct {
        const char *label, *encoding;
    } table[] = {
        {"utf-8", "UTF-8"}, {"utf8", "UTF-8"}, {"unicode-1-1-utf-8", "UTF-8"},
        {"unicode11utf8", "UTF-8"}, {"unicode20utf8", "UTF-8"}, {"x-unicode20utf8", "UTF-8"},
        {"utf-16", "UTF-8"}, {"utf-16le", "UTF-8"}, {"utf-16be", "UTF-8"}, {"unicode", "UTF-8"},
        {"ucs-2", "UTF-8"}, {"csunicode", "UTF-8"}, {"unicodefeff", "UTF-8"},
        {"unicodefffe", "UTF-8"}, {"iso-10646-ucs-2", "UTF-8"}, {"x-user-defined", "UTF-8"},
        {"ansi_x3.4-1968", "windows-1252"}, {"ascii", "windows-1252"},
        {"cp1252", "windows-1252"}, {"cp819", "windows-1252"}, {"csisolatin1", "windows-1252"},
        {"ibm819", "windows-1252"}, {"iso-8859-1", "windows-1252"},
        {"iso-ir-100", "windows-1252"}, {"iso8859-1", "windows-1252"},
        {"iso88591", "windows-1252"}, {"iso_8859-1", "windows-1252"},
        {"iso_8859-1:1987", "windows-1252"}, {"l1", "windows-1252"}, {"latin1", "windows-1252"},
        {"us-ascii", "windows-1252"}, {"windows-1252", "windows-1252"},
        {"x-cp1252", "windows-1252"},
        {"iso-8859-9", "windows-1254"}, {"iso8859-9", "windows-1254"},
        {"iso_8859-9", "windows-1254"}, {"latin5", "windows-1254"}, {"l5", "windows-1254"},
        {"iso-8859-11", "windows-874"}, {"tis-620", "windows-874"}, {"dos-874", "windows-874"},
        {"gb2312", "GBK"}, {"gbk", "GBK"}, {"x-gbk", "GBK"}, {"chinese", "GBK"},
        {"csgb2312", "GBK"}, {"iso-ir-58", "GBK"},
        {"euc-kr", "windows-949"}, {"ks_c_5601-1987", "windows-949"},
        {"ks_c_5601-1989", "windows-949"}, {"korean", "windows-949"},
    };
    for (size_t k = 0; k < sizeof table / sizeof *table; k++)
        if (!strcmp(label, table[k].label))
            return table[k].encoding;
    return NULL;
}

/* The attribute at s[*i] inside a tag (WHATWG "get an attribute", simplified): name lowercased
 * into name[], value into value[] (both truncated to 63 bytes). 0 at the tag's end. */
static int get_attribute(const unsigned char *s, size_t n, size_t *i, char name[64],
                         char value[64])
{
    size_t k = *i, nl = 0, vl = 0;
    while (k < n && (ofsi_html_is_space(s[k]) || s[k] == '/'))
        k++;
    if (k >= n || s[k] == '>') {
        *i = k;
        return 0;
    }
    while (k < n && s[k] != '=' && s[k] != '>' && s[k] != '/' && !ofsi_html_is_space(s[k])) {
        if (nl < 63)
            name[nl++] = (char)(s[k] >= 'A' && s[k] <= 'Z' ? s[k] + 32 : s[k]);
        k++;
    }
    name[nl] = '\0';
    while (k < n && ofsi_html_is_space(s[k]))
        k++;
    if (k < n && s[k] == '=') {
        k++;
        while (k < n && ofsi_html_is_space(s[k]))
            k++;
        if (k < n && (s[k] == '"' || s[k] == '\'')) {
            unsigned char q = s[k++];
            while (k < n && s[k] != q) {
                if (vl < 63)
                    value[vl++] = (char)s[k];
                k++;
            }
            k++;
        } else {
            while (k < n && s[k] != '>' && !ofsi_html_is_space(s[k])) {
                if (vl < 63)
                    value[vl++] = (char)s[k];
                k++;
            }
        }
    }
    value[vl] = '\0';
    *i = k;
    return 1;
}

/* "charset=" in a Content-Type value, copied into out (63 bytes at most); 0 when absent. */
static int charset_of_content(const char *content, char out[64])
{
    for (const char *p = content; (p = strcasestr(p, "charset")); p += 7) {
        const char *q = p + 7;
        while (ofsi_html_is_space((unsigned char)*q))
            q++;
        if (*q != '=')
            continue;
        q++;
        while (ofsi_html_is_space((unsigned char)*q))
            q++;
        char quote = (*q == '"' || *q == '\'') ? *q++ : 0;
        size_t n = 0;
        while (*q && n < 63 && (quote ? *q != quote : !ofsi_html_is_space((unsigned char)*q) && *q != ';'))
            out[n++] = *q++;
        out[n] = '\0';
        return n > 0;
    }
    return 0;
}

/* One <meta>'s declared charset (WHATWG prescan: charset=, or http-equiv=content-type with a
 * content naming one). */
static int meta_charset(const unsigned char *s, size_t n, size_t *i, char label[64])
{
    char name[64], value[64], content[64] = "";
    int pragma = 0, got = 0;
    while (get_attribute(s, n, i, name, value)) {
        if (!strcmp(name, "charset") && !got) {
            snprintf(label, 64, "%s", value);
            got = 1;
        } else if (!strcmp(name, "http-equiv") && !strcasecmp(value, "content-type")) {
            pragma = 1;
        } else if (!strcmp(name, "content")) {
            snprintf(content, sizeof content, "%s", value);
        }
    }
    if (!got && pragma && charset_of_content(content, label))
        got = 1;
    return got;
}

/* Skips "<!-- … -->" or a tag starting at s[*i]; for <meta> returns its charset if any. */
static int prescan_markup(const unsigned char *s, size_t n, size_t *i, char label[64])
{
    size_t k = *i;
    if (n - k >= 4 && !memcmp(s + k, "<!--", 4)) {
        const void *end = memmem(s + k + 2, n - k - 2, "-->", 3);
        *i = end ? (size_t)((const unsigned char *)end - s) + 3 : n;
        return 0;
    }
    if (n - k >= 6 && !strncasecmp((const char *)s + k, "<meta", 5) &&
        (ofsi_html_is_space(s[k + 5]) || s[k + 5] == '/')) {
        *i = k + 5;
        return meta_charset(s, n, i, label);
    }
    k++;
    if (k < n && s[k] == '/')
        k++;
    if (k < n && ((s[k] | 32) >= 'a' && (s[k] | 32) <= 'z')) { /* a tag: skip its attributes */
        while (k < n && !ofsi_html_is_space(s[k]) && s[k] != '>')
            k++;
        char name[64], value[64];
        while (get_attribute(s, n, &k, name, value))
            ;
    } else { /* <!…>, </…>, <?…>: to the next '>' */
        while (k < n && s[k] != '>')
            k++;
    }
    *i = k < n ? k + 1 : n;
    return 0;
}

int ofsi_html_sniff_charset(const char *src, size_t len, char *name, size_t cap, size_t *bom)
{
    const unsigned char *s = (const unsigned char *)src;
    *bom = 0;
    if (len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) {
        *bom = 3;
        snprintf(name, cap, "UTF-8");
        return 1;
    }
    if (len >= 2 && (!memcmp(s, "\xFF\xFE", 2) || !memcmp(s, "\xFE\xFF", 2))) {
        *bom = 2;
        snprintf(name, cap, "%s", s[0] == 0xFF ? "UTF-16LE" : "UTF-16BE");
        return 1;
    }
    size_t n = len < PRESCAN_BYTES ? len : PRESCAN_BYTES;
    char label[64];
    for (size_t i = 0; i < n;) {
        const void *lt = memchr(s + i, '<', n - i);
        if (!lt)
            break;
        i = (size_t)((const unsigned char *)lt - s);
        if (!prescan_markup(s, n, &i, label))
            continue;
        /* Trim and lowercase the label, then map it (WHATWG "get an encoding"). */
        char *l = label;
        while (ofsi_html_is_space((unsigned char)*l))
            l++;
        size_t ll = strlen(l);
        while (ll && ofsi_html_is_space((unsigned char)l[ll - 1]))
            l[--ll] = '\0';
        for (char *p = l; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p += 32;
        if (!*l)
            continue;
        const char *enc = whatwg_encoding(l);
        snprintf(name, cap, "%s", enc ? enc : l);
        return 1;
    }
    snprintf(name, cap, "UTF-8");
    return 0;
}

/* Converts src from the named charset to UTF-8 through ICU (malformed input becomes U+FFFD).
 * OFS_INVALID when ICU knows no such charset, OFS_TOOLONG when the result would not fit. */
static int to_utf8(const char *charset, const char *src, size_t len, char **out, size_t *outlen)
{
    if (len > INT32_MAX / 4)
        return OFS_TOOLONG;
    /* Three UTF-8 bytes per input byte is enough for every common charset; a converter with
     * multi-character mappings may need more, which the second round gets. */
    int32_t cap = (int32_t)len * 3 + 1;
    for (int round = 0; round < 2; round++) {
        char *buf = ofsi_xmalloc((size_t)cap);
        UErrorCode err = U_ZERO_ERROR;
        int32_t n = ucnv_convert("UTF-8", charset, buf, cap, src, (int32_t)len, &err);
        if (U_SUCCESS(err) && n < cap) {
            buf[n] = '\0';
            *out = buf;
            *outlen = (size_t)n;
            return OFS_OK;
        }
        free(buf);
        if (err == U_MEMORY_ALLOCATION_ERROR) /* ICU's own allocation: ends as ours do */
            ofsi_oom(0);
        if (err != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(err))
            return OFS_INVALID;
        if (n >= INT32_MAX - 1)
            return OFS_TOOLONG;
        cap = n + 1;
    }
    return OFS_INVALID;
}

/* ---- the tree ------------------------------------------------------------------------------- */

struct ofsi_html_tree {
    arena mem;
    GumboOutput *out;
    char *utf8;        /* the converted page, when it was not UTF-8 (Gumbo points into it) */
    const char *text;  /* the bytes Gumbo parsed */
    size_t len;
};

/* gumbo_parse_with_options under the arena's budgets; 0 or the arena's failure code. Kept
 * apart so nothing of the caller's lives across the setjmp. */
static int guarded_parse(ofsi_html_tree *t)
{
    GumboOptions o = kGumboDefaultOptions;
    o.allocator = arena_alloc;
    o.deallocator = arena_free;
    o.userdata = &t->mem;
    o.max_errors = 0; /* the error list is never read: don't build it */
    if (setjmp(t->mem.escape))
        return t->mem.failure;
    t->out = gumbo_parse_with_options(&o, t->text, t->len);
    return 0;
}

static void warn(const ofs_html_options *o, const char *filename, const char *msg)
{
    if (o && o->warn)
        o->warn(o->warn_ctx, filename ? filename : "", 1, msg);
}

/* Makes t->text the page as UTF-8 (converted when it declares another charset). */
static int decode(ofsi_html_tree *t, const char *src, size_t len, const char *filename,
                  const ofs_html_options *opts, char **errmsg)
{
    char charset[64];
    size_t bom;
    ofsi_html_sniff_charset(src, len, charset, sizeof charset, &bom);
    t->text = src + bom;
    t->len = len - bom;
    if (!strcmp(charset, "UTF-8"))
        return OFS_OK;
    int rc = to_utf8(charset, src + bom, len - bom, &t->utf8, &t->len);
    if (rc == OFS_INVALID) {
        char msg[160];
        snprintf(msg, sizeof msg, "unknown charset \"%.64s\": read as UTF-8", charset);
        warn(opts, filename, msg);
        return OFS_OK;
    }
    if (rc != OFS_OK)
        return ofs_set_error(errmsg, rc, "page too long converting the page from %s", charset);
    t->text = t->utf8;
    return OFS_OK;
}

int ofsi_html_tree_parse(const char *src, size_t len, const char *filename,
                        const ofs_html_options *opts, ofsi_html_tree **out, char **errmsg)
{
    *out = NULL;
    if (!src)
        len = 0;
    size_t max = opts && opts->max_bytes ? opts->max_bytes : OFS_HTML_MAX_BYTES;
    if (len > max)
        return ofs_set_error(errmsg, OFS_TOOLONG, "page of %zu bytes is over the %zu-byte limit",
                             len, max);
    const unsigned char *s = (const unsigned char *)(src ? src : "");
    int utf16 = len >= 2 && (!memcmp(s, "\xFF\xFE", 2) || !memcmp(s, "\xFE\xFF", 2));
    long bin = utf16 || starts_like_html(s, len) ? -1 : binary_byte(s, len);
    if (bin >= 0)
        return ofs_set_error(errmsg, OFS_INVALID,
                             "not HTML: %s (byte 0x%02X at offset %ld), skipped",
                             binary_kind(s, len), s[bin], bin);
    ofsi_html_tree *t = ofsi_xcalloc(1, sizeof *t);
    int rc = decode(t, src ? src : "", len, filename, opts, errmsg);
    if (rc != OFS_OK) {
        ofsi_html_tree_free(t);
        return rc;
    }
    double mib = (double)t->len / (double)MIB;
    t->mem.budget = opts && opts->max_memory ? opts->max_memory
                    : t->len > (SIZE_MAX - 64 * MIB) / 64 ? SIZE_MAX : 64 * t->len + 64 * MIB;
    t->mem.deadline = thread_cpu() + (opts && opts->max_seconds > 0 ? opts->max_seconds
                                                                    : 2.0 + mib);
    rc = guarded_parse(t);
    if (rc != OFS_OK) {
        ofs_set_error(errmsg, rc, "the HTML parser needed more than its %s (%.0f MiB, %.1f s of "
                      "CPU for this page): nesting or misnesting too deep?",
                      rc == OFS_TIMEOUT ? "CPU-time budget" : "memory budget",
                      (double)t->mem.budget / (double)MIB,
                      opts && opts->max_seconds > 0 ? opts->max_seconds : 2.0 + mib);
    }
    if (rc != OFS_OK) {
        ofsi_html_tree_free(t);
        return rc;
    }
    *out = t;
    return OFS_OK;
}

const GumboNode *ofsi_html_tree_document(const ofsi_html_tree *t)
{
    return t->out->document;
}

const char *ofsi_html_tree_utf8(const ofsi_html_tree *t, size_t *len)
{
    *len = t->len;
    return t->text;
}

void ofsi_html_tree_free(ofsi_html_tree *t)
{
    if (!t)
        return;
    arena_clear(&t->mem); /* the whole tree: never gumbo_destroy_output, which recurses */
    free(t->utf8);
    free(t);
}
