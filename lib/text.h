/* The names searchd/ uses for the project's growing buffer and UTF-8 check, from before they
 * moved to buffer.h and utf8.h under the ofsi_ prefix (issue 21). The daemon moves to those
 * headers, then this file goes. */
#ifndef OFS_TEXT_H
#define OFS_TEXT_H

#include <stddef.h>
#include <string.h>

#include "buffer.h"
#include "utf8.h"

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

/* The string, owned by the caller (an empty string if nothing was written); b is empty again. */
static inline char *ofs_buf_take(ofs_buf *b)
{
    ofsi_buf t = {b->s, b->n, b->cap};
    char *s = ofsi_buf_take(&t);
    b->s = t.s, b->n = t.n, b->cap = t.cap;
    return s;
}

static inline size_t ofs_utf8_valid_len(const unsigned char *s, size_t n)
{
    return ofsi_utf8_len(s, n);
}

#endif
