/* An LD_PRELOAD shim for tests/test_oom.py: fails one chosen allocation of a process, as the
 * out-of-memory policy (lib/alloc.c) needs to be tried. Only calls made directly from one piece
 * of code are counted, so that failures land where the test aims:
 *   OFS_OOM_FROM=exe     calls from the program itself (the static library and the CLI)
 *   OFS_OOM_FROM=sqlite  calls from libsqlite3, whose failures SQLite reports as SQLITE_NOMEM
 *   OFS_OOM_FAIL=N       the Nth counted malloc/calloc/realloc returns NULL (0: none fails)
 * At exit it writes "oom_shim: N counted" to stderr. glibc lets a preloaded library interpose
 * malloc; the real allocator stays reachable as __libc_malloc and friends. */
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

static uintptr_t code_lo = 1, code_hi = 0; /* executable segments of the counted object */
static long fail_at;
static long counted;
static int armed;

/* Finds the executable segments of the main program (name "") or of the object whose path
 * contains want. */
static int find_object(struct dl_phdr_info *info, size_t size, void *want)
{
    (void)size;
    const char *w = want;
    int match = *w ? strstr(info->dlpi_name, w) != NULL : info->dlpi_name[0] == '\0';
    if (!match)
        return 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
            continue;
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;
        if (code_lo > code_hi || lo < code_lo)
            code_lo = lo;
        if (hi > code_hi)
            code_hi = hi;
    }
    return 1; /* the first match: the main program comes first */
}

static void report(void)
{
    char msg[64];
    int k = snprintf(msg, sizeof msg, "oom_shim: %ld counted\n", counted);
    if (k > 0 && write(STDERR_FILENO, msg, (size_t)k) < 0)
        _exit(99);
}

__attribute__((constructor)) static void setup(void)
{
    const char *from = getenv("OFS_OOM_FROM"), *n = getenv("OFS_OOM_FAIL");
    if (!from || !n)
        return;
    dl_iterate_phdr(find_object, (void *)(strcmp(from, "sqlite") == 0 ? "libsqlite3" : ""));
    fail_at = atol(n);
    armed = code_lo < code_hi;
    if (armed)
        atexit(report);
}

/* Whether this call, made from caller, is the one to fail. */
static int should_fail(void *caller)
{
    uintptr_t a = (uintptr_t)caller;
    if (!armed || a < code_lo || a >= code_hi)
        return 0;
    return __atomic_add_fetch(&counted, 1, __ATOMIC_RELAXED) == fail_at;
}

void *malloc(size_t n)
{
    return should_fail(__builtin_return_address(0)) ? NULL : __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
    return should_fail(__builtin_return_address(0)) ? NULL : __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
    return should_fail(__builtin_return_address(0)) ? NULL : __libc_realloc(p, n);
}
