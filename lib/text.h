/* Text helpers shared by library modules (private): a growing string buffer, FTS5 string
 * quoting, and UTF-8 validation. */
#ifndef OFS_TEXT_H
#define OFS_TEXT_H

#include <stddef.h>

/* A growing NUL-terminated string; after a failed allocation every call is a no-op and oom is
 * set. Zero-initialise to start; ofs_buf_take hands the string over (or frees it on OOM). */
typedef struct {
    char *s;
    size_t n, cap;
    int oom;
} ofs_buf;

void ofs_buf_add(ofs_buf *b, const char *s, size_t n);
void ofs_buf_puts(ofs_buf *b, const char *s);
/* Appends s as an FTS5 string: in double quotes, with embedded quotes doubled. */
void ofs_buf_quoted(ofs_buf *b, const char *s);
/* The string (an empty string if nothing was written), owned by the caller; NULL on OOM. */
char *ofs_buf_take(ofs_buf *b);

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if the bytes there are not one.
 * Rejects overlongs, surrogates and code points past U+10FFFF. */
size_t ofs_utf8_valid_len(const unsigned char *s, size_t n);
/* A malloc'd, NUL-terminated copy of text where every invalid UTF-8 byte becomes U+FFFD and NUL
 * bytes become spaces. */
char *ofs_utf8_sanitize(const char *text, size_t len, size_t *outlen);

#endif
