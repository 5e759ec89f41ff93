/* A JSON text written straight into a buffer, for the one response on the hot path (search
 * results). jansson serves every other response; here its tree of objects costs 48 µs per
 * page of 10 hits (an allocation per value, then a walk to print them) — 7% of a request's CPU
 * under load — where writing the text costs a few. Output follows jansson's compact form:
 * strings escaped per RFC 8259 (quote, backslash, control characters), other characters as
 * UTF-8, invalid UTF-8 replaced by U+FFFD, numbers with 6 significant digits. The buffer is
 * the library's ofs_buf. */
#include "jsonout.h"

#include "text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ofsd_valid_utf8(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    for (size_t i = 0, k; i < n; i += k)
        if (s[i] == 0 || !(k = ofs_utf8_valid_len(s + i, n - i)))
            return 0;
    return 1;
}

void ofsd_json_str(ofs_buf *w, const char *s)
{
    if (!s)
        ofs_buf_puts(w, "null");
    else
        ofsd_json_strn(w, s, strlen(s));
}

void ofsd_json_strn(ofs_buf *w, const char *s, size_t n)
{
    ofs_buf_add(w, "\"", 1);
    size_t run = 0; /* bytes since the last escape, copied in one go */
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            run++, i++;
            continue;
        }
        if (c >= 0x80) { /* a whole valid UTF-8 sequence passes as is */
            size_t len = ofs_utf8_valid_len((const unsigned char *)s + i, n - i);
            if (len) {
                run += len, i += len;
                continue;
            }
        }
        ofs_buf_add(w, s + i - run, run);
        run = 0;
        char esc[8];
        if (c >= 0x80)
            ofs_buf_add(w, "\xEF\xBF\xBD", 3); /* an invalid byte */
        else if (c == '"' || c == '\\')
            esc[0] = '\\', esc[1] = (char)c, ofs_buf_add(w, esc, 2);
        else if (c == '\n')
            ofs_buf_add(w, "\\n", 2);
        else if (c == '\t')
            ofs_buf_add(w, "\\t", 2);
        else if (c == '\r')
            ofs_buf_add(w, "\\r", 2);
        else
            snprintf(esc, sizeof esc, "\\u%04x", c), ofs_buf_add(w, esc, 6);
        i++;
    }
    ofs_buf_add(w, s + n - run, run);
    ofs_buf_add(w, "\"", 1);
}

void ofsd_json_num(ofs_buf *w, double v)
{
    char buf[40];
    int k = snprintf(buf, sizeof buf, "%.6g", isfinite(v) ? v : 0.0);
    ofs_buf_add(w, buf, (size_t)k);
}

void ofsd_json_int(ofs_buf *w, long long v)
{
    char buf[32];
    int k = snprintf(buf, sizeof buf, "%lld", v);
    ofs_buf_add(w, buf, (size_t)k);
}

void ofsd_json_key(ofs_buf *w, int first, const char *key)
{
    ofs_buf_puts(w, first ? "\"" : ",\"");
    ofs_buf_puts(w, key);
    ofs_buf_puts(w, "\":");
}

void ofsd_json_member_str(ofs_buf *w, int first, const char *key, const char *value)
{
    ofsd_json_key(w, first, key);
    ofsd_json_str(w, value);
}

void ofsd_json_member_int(ofs_buf *w, int first, const char *key, long long value)
{
    ofsd_json_key(w, first, key);
    ofsd_json_int(w, value);
}
