/* Unit tests for lib/alloc.c: the allocation helpers, and the out-of-memory policy itself — an
 * allocation the system refuses ends the process with SIGABRT and a message on stderr (tried in
 * a child process; the sanitizer build runs this with allocator_may_return_null=1 so that its
 * allocator refuses like the system's instead of reporting). */
#include "check.h"

#include "alloc.h"

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static void test_helpers(void)
{
    char *s = ofsi_xstrdup("abc");
    CHECK_STR(s, "abc");
    free(s);
    s = ofsi_xstrndup("abcdef", 3);
    CHECK_STR(s, "abc");
    free(s);
    s = ofsi_xstrndup("ab", 10); /* shorter than n */
    CHECK_STR(s, "ab");
    free(s);
    s = ofsi_xmemdup("a\0b", 3); /* bytes, NULs included, then a NUL */
    CHECK(memcmp(s, "a\0b", 4) == 0);
    free(s);
    s = ofsi_xasprintf("%s-%d", "x", 42);
    CHECK_STR(s, "x-42");
    free(s);
    s = ofsi_xasprintf("%s", "");
    CHECK_STR(s, "");
    free(s);
    void *p = ofsi_xmalloc(0); /* a size of 0 still gives a pointer to free */
    CHECK(p != NULL);
    free(p);
    int *v = ofsi_xcalloc(0, sizeof *v);
    CHECK(v != NULL);
    free(v);
    v = ofsi_xcalloc(4, sizeof *v);
    CHECK(v[0] == 0 && v[3] == 0);
    v = ofsi_xreallocarray(v, 1000, sizeof *v);
    v[999] = 7;
    CHECK_INT(v[999], 7);
    free(v);
}

/* Runs fn in a child with stderr captured; *sig gets the signal that ended it (0: none). */
static void in_child(void (*fn)(void), int *sig, char *err, size_t cap)
{
    int fds[2];
    *sig = 0;
    err[0] = '\0';
    if (pipe(fds) != 0)
        return;
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit no_core = {0, 0};
        setrlimit(RLIMIT_CORE, &no_core);
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        fn();
        _exit(0); /* reached only when the allocation did not fail */
    }
    close(fds[1]);
    size_t n = 0;
    ssize_t k;
    while (n + 1 < cap && (k = read(fds[0], err + n, cap - 1 - n)) > 0)
        n += (size_t)k;
    err[n] = '\0';
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status))
        *sig = WTERMSIG(status);
}

/* Sizes no allocator grants: the policy's path without any fault injection. */
static void huge_malloc(void)
{
    free(ofsi_xmalloc(SIZE_MAX / 2));
}

static void huge_calloc(void)
{
    free(ofsi_xcalloc(SIZE_MAX / 16, 64)); /* the product overflows: calloc refuses */
}

static void huge_realloc(void)
{
    free(ofsi_xrealloc(ofsi_xmalloc(16), SIZE_MAX / 2));
}

static void overflowing_array(void)
{
    free(ofsi_xreallocarray(NULL, SIZE_MAX / 4, 8)); /* count * size overflows size_t */
}

static void huge_string(void)
{
    free(ofsi_xmemdup("", SIZE_MAX)); /* no room for the NUL */
}

static void test_policy(void)
{
    static const struct {
        const char *name;
        void (*fn)(void);
    } cases[] = {{"malloc", huge_malloc},       {"calloc", huge_calloc},
                 {"realloc", huge_realloc},     {"reallocarray", overflowing_array},
                 {"memdup", huge_string}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int sig;
        char err[512];
        in_child(cases[i].fn, &sig, err, sizeof err);
        CHECK_MSG(sig == SIGABRT, "%s: ended by signal %d, not SIGABRT", cases[i].name, sig);
        CHECK_MSG(strstr(err, "ofsearch: out of memory (allocating ") != NULL,
                  "%s: stderr was [%s]", cases[i].name, err);
    }
}

int main(void)
{
    test_helpers();
    test_policy();
    return check_summary("alloc");
}
