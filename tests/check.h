/* A minimal unit-test harness: CHECK-style assertions that report file:line and keep going,
 * and a summary that makes the program's exit status the test result. */
#ifndef OFS_CHECK_H
#define OFS_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(cond)                                                                             \
    do {                                                                                        \
        check_count++;                                                                          \
        if (!(cond)) {                                                                          \
            check_failures++;                                                                   \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);            \
        }                                                                                       \
    } while (0)

#define CHECK_MSG(cond, ...)                                                                    \
    do {                                                                                        \
        check_count++;                                                                          \
        if (!(cond)) {                                                                          \
            check_failures++;                                                                   \
            fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond);            \
            fprintf(stderr, __VA_ARGS__);                                                       \
            fputc('\n', stderr);                                                                \
        }                                                                                       \
    } while (0)

#define CHECK_STR(got, want)                                                                    \
    do {                                                                                        \
        const char *g_ = (got), *w_ = (want);                                                   \
        check_count++;                                                                          \
        if (!g_ || !w_ || strcmp(g_, w_) != 0) {                                                \
            check_failures++;                                                                   \
            fprintf(stderr, "%s:%d: CHECK_STR failed: %s\n  got:  %s\n  want: %s\n", __FILE__,  \
                    __LINE__, #got, g_ ? g_ : "(null)", w_ ? w_ : "(null)");                    \
        }                                                                                       \
    } while (0)

#define CHECK_INT(got, want)                                                                    \
    do {                                                                                        \
        long long g_ = (long long)(got), w_ = (long long)(want);                                \
        check_count++;                                                                          \
        if (g_ != w_) {                                                                         \
            check_failures++;                                                                   \
            fprintf(stderr, "%s:%d: CHECK_INT failed: %s: got %lld, want %lld\n", __FILE__,     \
                    __LINE__, #got, g_, w_);                                                    \
        }                                                                                       \
    } while (0)

/* Ends main(): prints a summary; exit status 0 only if every check passed. */
static inline int check_summary(const char *name)
{
    printf("%s: %d checks, %d failed\n", name, check_count, check_failures);
    return check_failures ? 1 : 0;
}

/* Exit status meson reads as "skipped". */
#define CHECK_SKIP 77

#endif
