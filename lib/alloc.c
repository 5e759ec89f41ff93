/* Allocation that aborts on failure: the library's one out-of-memory policy.
 *
 * Why abort rather than return OFS_NOMEM: a Linux process rarely sees malloc fail (overcommit
 * hands out address space and the OOM killer ends a process instead), so the error paths for it
 * ran only under fault injection, and the library had 133 of them that no test ever reached.
 * cmark, which parses every page, already aborts on a failed allocation, so no caller could rely
 * on OFS_NOMEM anyway. Ending with a clear message is what cmark, Redis and git do: the daemon is
 * restarted by its supervisor (deploy/ofsearchd.service) and the indexer's transaction leaves the
 * index as it was. SQLite's allocations are SQLite's: it returns SQLITE_NOMEM, which the library
 * handles as the database error it is. tests/test_alloc.c and tests/test_oom.py check both. */
#include "alloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void ofsi_oom(size_t n)
{
    /* No stdio: it may want memory itself. */
    char msg[96];
    int k = snprintf(msg, sizeof msg, "ofsearch: out of memory (allocating %zu bytes)\n", n);
    if (k > 0) {
        ssize_t w = write(STDERR_FILENO, msg, (size_t)k);
        (void)w; /* nothing else to tell it to */
    }
    abort();
}

void *ofsi_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        ofsi_oom(n);
    return p;
}

void *ofsi_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        ofsi_oom(count * size);
    return p;
}

void *ofsi_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        ofsi_oom(n);
    return q;
}

void *ofsi_xreallocarray(void *p, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        ofsi_oom(SIZE_MAX);
    return ofsi_xrealloc(p, count * size);
}

char *ofsi_xmemdup(const void *p, size_t n)
{
    if (n == SIZE_MAX)
        ofsi_oom(n);
    char *s = ofsi_xmalloc(n + 1);
    if (n)
        memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

char *ofsi_xstrdup(const char *s)
{
    return ofsi_xmemdup(s, strlen(s));
}

char *ofsi_xstrndup(const char *s, size_t n)
{
    return ofsi_xmemdup(s, strnlen(s, n));
}

char *ofsi_xvasprintf(const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    if (n < 0) /* only an invalid format: none of ours */
        n = 0;
    char *s = ofsi_xmalloc((size_t)n + 1);
    vsnprintf(s, (size_t)n + 1, fmt, again);
    va_end(again);
    return s;
}

char *ofsi_xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = ofsi_xvasprintf(fmt, ap);
    va_end(ap);
    return s;
}
