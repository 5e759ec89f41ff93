/* A JSON text written straight into a buffer, for the one response on the hot path (search
 * results). jansson serves every other response; here its tree of objects costs 48 µs per
 * page of 10 hits (an allocation per value, then a walk to print them) — 7% of a request's CPU
 * under load — where writing the text costs a few. Output follows jansson's compact form:
 * strings escaped per RFC 8259 (quote, backslash, control characters), other characters as
 * UTF-8, invalid UTF-8 replaced by U+FFFD, numbers with 6 significant digits. */
#include "jsonout.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ofsd_valid_utf8(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c == 0)
            return 0;
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        unsigned cp, min;
        if (c >= 0xC2 && c <= 0xDF)
            len = 2, cp = c & 0x1F, min = 0x80;
        else if (c >= 0xE0 && c <= 0xEF)
            len = 3, cp = c & 0x0F, min = 0x800;
        else if (c >= 0xF0 && c <= 0xF4)
            len = 4, cp = c & 0x07, min = 0x10000;
        else
            return 0;
        if (i + len > n)
            return 0;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += len;
    }
    return 1;
}

void ofsd_jw_raw(ofsd_jw *w, const char *s, size_t n)
{
    if (w->oom)
        return;
    if (w->n + n + 1 > w->cap) {
        size_t cap = w->cap ? w->cap : 4096;
        while (cap < w->n + n + 1)
            cap *= 2;
        char *ns = realloc(w->s, cap);
        if (!ns) {
            w->oom = 1;
            return;
        }
        w->s = ns;
        w->cap = cap;
    }
    memcpy(w->s + w->n, s, n);
    w->n += n;
    w->s[w->n] = '\0';
}

void ofsd_jw_lit(ofsd_jw *w, const char *s)
{
    ofsd_jw_raw(w, s, strlen(s));
}

void ofsd_jw_str(ofsd_jw *w, const char *s)
{
    if (!s)
        ofsd_jw_lit(w, "null");
    else
        ofsd_jw_strn(w, s, strlen(s));
}

void ofsd_jw_strn(ofsd_jw *w, const char *s, size_t n)
{
    ofsd_jw_raw(w, "\"", 1);
    size_t run = 0; /* bytes since the last escape, copied in one go */
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            run++, i++;
            continue;
        }
        size_t len = 1;
        if (c >= 0x80) { /* a whole valid UTF-8 sequence passes as is */
            len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
            if (i + len <= n && ofsd_valid_utf8(s + i, len)) {
                run += len, i += len;
                continue;
            }
        }
        ofsd_jw_raw(w, s + i - run, run);
        run = 0;
        char esc[8];
        if (c >= 0x80)
            ofsd_jw_raw(w, "\xEF\xBF\xBD", 3); /* an invalid byte */
        else if (c == '"' || c == '\\')
            esc[0] = '\\', esc[1] = (char)c, ofsd_jw_raw(w, esc, 2);
        else if (c == '\n')
            ofsd_jw_raw(w, "\\n", 2);
        else if (c == '\t')
            ofsd_jw_raw(w, "\\t", 2);
        else if (c == '\r')
            ofsd_jw_raw(w, "\\r", 2);
        else
            snprintf(esc, sizeof esc, "\\u%04x", c), ofsd_jw_raw(w, esc, 6);
        i++;
    }
    ofsd_jw_raw(w, s + n - run, run);
    ofsd_jw_raw(w, "\"", 1);
}

void ofsd_jw_num(ofsd_jw *w, double v)
{
    char buf[40];
    int k = snprintf(buf, sizeof buf, "%.6g", isfinite(v) ? v : 0.0);
    ofsd_jw_raw(w, buf, (size_t)k);
}

void ofsd_jw_int(ofsd_jw *w, long long v)
{
    char buf[32];
    int k = snprintf(buf, sizeof buf, "%lld", v);
    ofsd_jw_raw(w, buf, (size_t)k);
}
