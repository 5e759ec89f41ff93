/* The growing string buffer of the whole project (buffer.c): text built piece by piece — FTS5
 * expressions, snippets, page text, JSON. Private to the project, shared with the front ends. */
#ifndef OFSI_BUFFER_H
#define OFSI_BUFFER_H

#include <stddef.h>

/* A NUL-terminated string of n bytes (it may hold NULs) in cap bytes. Zero-initialise to
 * start; ofsi_buf_take hands the string over, or free(b.s) drops it. */
typedef struct {
    char *s;
    size_t n, cap;
} ofsi_buf;

void ofsi_buf_add(ofsi_buf *b, const char *s, size_t n);
void ofsi_buf_puts(ofsi_buf *b, const char *s);
void ofsi_buf_putc(ofsi_buf *b, char c);
/* Appends s as an FTS5 string: in double quotes, with embedded quotes doubled. */
void ofsi_buf_quoted(ofsi_buf *b, const char *s);
/* The string (an empty string if nothing was written), owned by the caller; b is empty again. */
char *ofsi_buf_take(ofsi_buf *b);

#endif
