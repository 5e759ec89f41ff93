/* A growing string buffer: appends double the capacity when it runs out, so building a string
 * of n bytes costs O(n) whatever the pieces. */
#include "buffer.h"

#include "alloc.h"

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

void ofsi_buf_putc(ofsi_buf *b, char c)
{
    ofsi_buf_add(b, &c, 1);
}

void ofsi_buf_quoted(ofsi_buf *b, const char *s)
{
    ofsi_buf_putc(b, '"');
    for (const char *q; (q = strchr(s, '"')); s = q + 1) {
        ofsi_buf_add(b, s, (size_t)(q - s));
        ofsi_buf_add(b, "\"\"", 2);
    }
    ofsi_buf_puts(b, s);
    ofsi_buf_putc(b, '"');
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
