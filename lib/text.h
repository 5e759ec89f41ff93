/* Text helpers shared by library modules (private): a growing string buffer, FTS5 string
 * quoting, and UTF-8 validation. */
#ifndef OFS_TEXT_H
#define OFS_TEXT_H

#include <stddef.h>
#include <string.h>

/* A growing NUL-terminated string. Zero-initialise to start; ofsi_buf_take hands it over. */
typedef struct {
    char *s;
    size_t n, cap;
} ofsi_buf;

void ofsi_buf_add(ofsi_buf *b, const char *s, size_t n);
void ofsi_buf_puts(ofsi_buf *b, const char *s);
/* Appends s as an FTS5 string: in double quotes, with embedded quotes doubled. */
void ofsi_buf_quoted(ofsi_buf *b, const char *s);
/* The string (an empty string if nothing was written), owned by the caller; b is empty again. */
char *ofsi_buf_take(ofsi_buf *b);

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if the bytes there are not one.
 * Rejects overlongs, surrogates and code points past U+10FFFF. */
size_t ofsi_utf8_valid_len(const unsigned char *s, size_t n);
/* A malloc'd, NUL-terminated copy of text where every invalid UTF-8 byte becomes U+FFFD and NUL
 * bytes become spaces. */
char *ofsi_utf8_sanitize(const char *text, size_t len, size_t *outlen);

/* The names searchd/ uses, from before the library's internal names took the ofsi_ prefix
 * (issue 21). The daemon moves to the ofsi_ names, then these go. */
typedef struct {
    char *s;
    size_t n, cap;
    int oom; /* never set: a failed allocation ends the process (alloc.c) */
} ofs_buf;
static inline void ofs_buf_add(ofs_buf *b, const char *s, size_t n)
{
    ofsi_buf t = {b->s, b->n, b->cap};
    ofsi_buf_add(&t, s, n);
    b->s = t.s, b->n = t.n, b->cap = t.cap;
}
static inline void ofs_buf_puts(ofs_buf *b, const char *s)
{
    ofs_buf_add(b, s, strlen(s));
}
static inline size_t ofs_utf8_valid_len(const unsigned char *s, size_t n)
{
    return ofsi_utf8_valid_len(s, n);
}

#endif
