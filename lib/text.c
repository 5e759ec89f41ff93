/* Text helpers shared by the library's modules: a growing string buffer, FTS5 string quoting,
 * and UTF-8 validation, so that each exists once. */
#include "text.h"

#include "alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void ofsi_buf_add(ofsi_buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->n + n + 1)
            cap *= 2;
        b->s = ofsi_xrealloc(b->s, cap);
        b->cap = cap;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = 0;
}

void ofsi_buf_puts(ofsi_buf *b, const char *s)
{
    ofsi_buf_add(b, s, strlen(s));
}

void ofsi_buf_quoted(ofsi_buf *b, const char *s)
{
    ofsi_buf_add(b, "\"", 1);
    for (const char *q; (q = strchr(s, '"')); s = q + 1) {
        ofsi_buf_add(b, s, (size_t)(q - s));
        ofsi_buf_add(b, "\"\"", 2);
    }
    ofsi_buf_puts(b, s);
    ofsi_buf_add(b, "\"", 1);
}

char *ofsi_buf_take(ofsi_buf *b)
{
    if (!b->s)
        return ofsi_xstrdup("");
    char *s = b->s;
    b->s = NULL;
    b->n = b->cap = 0;
    return s;
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if the bytes there are not one.
 * Rejects overlongs, surrogates and code points past U+10FFFF. */
size_t ofsi_utf8_valid_len(const unsigned char *s, size_t n)
{
    if (n == 0)
        return 0;
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else
        return 0;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return len;
}

/* A malloc'd, NUL-terminated copy of text where every invalid UTF-8 byte becomes U+FFFD and NUL
 * bytes become spaces, so the result is safe to embed anywhere text is expected. */
char *ofsi_utf8_sanitize(const char *text, size_t len, size_t *outlen)
{
    if (len > (SIZE_MAX - 1) / 3)
        ofsi_oom(SIZE_MAX);
    char *out = ofsi_xmalloc(len * 3 + 1);
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0, o = 0;
    while (i < len) {
        size_t k = ofsi_utf8_valid_len(s + i, len - i);
        if (k == 0) {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        } else if (s[i] == 0) {
            out[o++] = ' ';
            i++;
        } else {
            memcpy(out + o, s + i, k);
            o += k;
            i += k;
        }
    }
    out[o] = 0;
    if (outlen)
        *outlen = o;
    return out;
}

