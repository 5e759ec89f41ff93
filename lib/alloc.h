/* Memory for the whole library (alloc.c): allocations that cannot fail. When the system refuses
 * memory the process ends with a message, as cmark and Redis do; see alloc.c for why. SQLite's
 * own allocations are not ours: its SQLITE_NOMEM stays an error like any other it returns. */
#ifndef OFSI_ALLOC_H
#define OFSI_ALLOC_H

#include <stdarg.h>
#include <stddef.h>

#if defined(__GNUC__)
#define OFSI_NORETURN __attribute__((noreturn))
#define OFSI_MALLOC __attribute__((malloc, returns_nonnull))
#else
#define OFSI_NORETURN
#define OFSI_MALLOC
#endif

/* Never NULL. A size of 0 is taken as 1, so every call returns a pointer the caller frees. */
void *ofsi_xmalloc(size_t n) OFSI_MALLOC;
void *ofsi_xcalloc(size_t count, size_t size) OFSI_MALLOC;
void *ofsi_xrealloc(void *p, size_t n);
/* count * size bytes, or the end of the process when the product overflows. */
void *ofsi_xreallocarray(void *p, size_t count, size_t size);
char *ofsi_xstrdup(const char *s) OFSI_MALLOC;
/* The first n bytes of s (fewer when s ends sooner), NUL-terminated. */
char *ofsi_xstrndup(const char *s, size_t n) OFSI_MALLOC;
/* A copy of n bytes plus a NUL after them (the bytes may hold NULs). */
char *ofsi_xmemdup(const void *p, size_t n) OFSI_MALLOC;
/* printf into a new string of the length it needs. */
char *ofsi_xasprintf(const char *fmt, ...) OFSI_MALLOC
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
char *ofsi_xvasprintf(const char *fmt, va_list ap) OFSI_MALLOC;

/* Ends the process as a failed allocation of n bytes does: for the allocations other libraries
 * make for us and report with NULL (jansson, libyaml). Prints "ofsearch: out of memory ..." on
 * stderr, then abort(). */
void ofsi_oom(size_t n) OFSI_NORETURN;

#endif
