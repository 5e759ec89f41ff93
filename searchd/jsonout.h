/* JSON text for the search response, written straight into a buffer (jsonout.c). */
#ifndef OFSD_JSONOUT_H
#define OFSD_JSONOUT_H

#include <stddef.h>

/* Whether s[0..n) is valid UTF-8 without NUL bytes, surrogates or overlong forms. */
int ofsd_valid_utf8(const char *s, size_t n);

typedef struct {
    char *s;     /* NUL-terminated, malloc'd; the caller frees */
    size_t n, cap;
    int oom;     /* an allocation failed: the text is incomplete */
} ofsd_jw;
void ofsd_jw_raw(ofsd_jw *w, const char *s, size_t n); /* as is: punctuation, keys */
void ofsd_jw_lit(ofsd_jw *w, const char *s);
void ofsd_jw_str(ofsd_jw *w, const char *s);            /* a JSON string; NULL: null */
void ofsd_jw_strn(ofsd_jw *w, const char *s, size_t n);
void ofsd_jw_num(ofsd_jw *w, double v);
void ofsd_jw_int(ofsd_jw *w, long long v);

#endif
