/* JSON text for the search response, written straight into a buffer (jsonout.c). */
#ifndef OFSD_JSONOUT_H
#define OFSD_JSONOUT_H

#include <stddef.h>

#include "text.h"

/* Whether s[0..n) is valid UTF-8 without NUL bytes, surrogates or overlong forms. */
int ofsd_valid_utf8(const char *s, size_t n);

/* JSON values appended to the library's growing buffer (lib/text.h): a string (NULL: null), a
 * string of n bytes, a number with 6 significant digits (0 for NaN and infinities), an integer.
 * Punctuation and keys go in with ofs_buf_puts. */
void ofsd_json_str(ofs_buf *w, const char *s);
void ofsd_json_strn(ofs_buf *w, const char *s, size_t n);
void ofsd_json_num(ofs_buf *w, double v);
void ofsd_json_int(ofs_buf *w, long long v);
/* An object member: `"key":` then the value, after a comma unless it is the first; key is
 * written as is (a plain name). The hit writers of /api/search and Meilisearch's search.
 * ofsd_json_key writes the key alone, for a value written next. */
void ofsd_json_key(ofs_buf *w, int first, const char *key);
void ofsd_json_member_str(ofs_buf *w, int first, const char *key, const char *value);
void ofsd_json_member_int(ofs_buf *w, int first, const char *key, long long value);

#endif
