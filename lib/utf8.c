/* UTF-8 validation, cleaning and decoding (the rules are in utf8.h). One validator serves the
 * Markdown module, the query parser, synonyms, the tokenizer's input check, snippets, spelling
 * and the daemon's JSON, so a byte sequence is valid or not in the same way everywhere.
 * tests/test_utf8.c checks it by hand, tests/fuzz/fuzz_utf8.c against ICU's decoder. */
#include "utf8.h"

#include "alloc.h"

#include <stdint.h>
#include <string.h>

size_t ofsi_utf8_len(const unsigned char *s, size_t n)
{
    if (n == 0)
        return 0;
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned lo = 0x80, hi = 0xBF; /* the allowed range of the second byte */
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        if (c == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        if (c == 0xF4)
            hi = 0x8F; /* past U+10FFFF */
    } else
        return 0;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return len;
}

size_t ofsi_utf8_decode(const char *str, size_t n, uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t len = ofsi_utf8_len(s, n);
    static const unsigned char lead_bits[5] = {0, 0x7F, 0x1F, 0x0F, 0x07};
    if (len == 0) {
        *cp = 0xFFFD;
        return 0;
    }
    uint32_t c = s[0] & lead_bits[len];
    for (size_t i = 1; i < len; i++)
        c = (c << 6) | (s[i] & 0x3Fu);
    *cp = c;
    return len;
}

/* Whether the 8 bytes at s are ASCII (and none of them NUL, when no_nul is set): such runs are
 * most text, and are checked a word at a time. */
static int ascii8(const unsigned char *s, int no_nul)
{
    const uint64_t high = 0x8080808080808080ULL, ones = 0x0101010101010101ULL;
    uint64_t v;
    memcpy(&v, s, 8);
    if (v & high)
        return 0;
    return !no_nul || !((v - ones) & ~v & high);
}

/* Length of the longest prefix of s[0..n) that is valid (without NUL when no_nul is set). */
static size_t valid_prefix(const unsigned char *s, size_t n, int no_nul)
{
    size_t i = 0;
    while (i < n) {
        if (i + 8 <= n && ascii8(s + i, no_nul)) {
            i += 8;
            continue;
        }
        size_t k = ofsi_utf8_len(s + i, n - i);
        if (k == 0 || (no_nul && s[i] == 0))
            break;
        i += k;
    }
    return i;
}

size_t ofsi_utf8_valid_prefix(const char *s, size_t n)
{
    return valid_prefix((const unsigned char *)s, n, 0);
}

int ofsi_utf8_valid(const char *s, size_t n)
{
    return valid_prefix((const unsigned char *)s, n, 1) == n;
}

size_t ofsi_utf8_cut(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    size_t k = max;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    return k;
}

char *ofsi_utf8_clean(const char *str, size_t n, size_t *outlen)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t ok = valid_prefix(s, n, 1), bad = 0;
    for (size_t i = ok; i < n;) { /* size the copy: each bad byte or NUL grows by two */
        size_t k = ofsi_utf8_len(s + i, n - i);
        bad += k == 0 || s[i] == 0;
        i += k ? k : 1;
    }
    if (bad > (SIZE_MAX - n - 1) / 2)
        ofsi_oom(SIZE_MAX);
    char *out = ofsi_xmalloc(n + 2 * bad + 1);
    memcpy(out, s, ok);
    size_t o = ok;
    for (size_t i = ok; i < n;) {
        size_t k = ofsi_utf8_len(s + i, n - i);
        if (k == 0 || s[i] == 0) {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        } else {
            memcpy(out + o, s + i, k);
            o += k;
            i += k;
        }
    }
    out[o] = '\0';
    if (outlen)
        *outlen = o;
    return out;
}
