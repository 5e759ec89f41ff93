/* The helpers of util.h: what several modules and front ends each had their own copy of. */
#include "util.h"

#include "alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

int64_t ofsi_clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

double ofsi_clock_seconds(void)
{
    return (double)ofsi_clock_ns() / 1e9;
}

int ofsi_read_fd(int fd, size_t max, char **text, size_t *len)
{
    *text = NULL;
    *len = 0;
    struct stat st;
    /* The size is a hint (the file may change while it is read; a pipe has none). */
    size_t cap = fstat(fd, &st) == 0 && st.st_size > 0 && (uintmax_t)st.st_size <= max
                     ? (size_t)st.st_size + 1
                     : 4096;
    char *buf = ofsi_xmalloc(cap);
    size_t n = 0;
    for (;;) {
        if (n + 1 == cap) { /* full: grow, unless the file is already past the limit */
            if (n > max)
                break;
            cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
            buf = ofsi_xrealloc(buf, cap);
        }
        ssize_t k = read(fd, buf + n, cap - 1 - n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            int e = errno;
            free(buf);
            return e;
        }
        if (k == 0)
            break;
        n += (size_t)k;
    }
    if (n > max) {
        free(buf);
        return EFBIG;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return 0;
}

int ofsi_read_file(const char *path, size_t max, char **text, size_t *len, struct stat *st)
{
    *text = NULL;
    *len = 0;
    struct stat local;
    if (!st)
        st = &local;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    int rc = fstat(fd, st) != 0           ? errno
             : S_ISDIR(st->st_mode)          ? EISDIR
             : (uintmax_t)st->st_size > max ? EFBIG
                                             : 0;
    if (rc == 0)
        rc = ofsi_read_fd(fd, max, text, len);
    close(fd);
    return rc;
}

int ofsi_parse_long(const char *s, long min, long max, long *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

void ofsi_trim(const char **s, size_t *n)
{
    while (*n && ofsi_is_blank((unsigned char)**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && ofsi_is_blank((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

int ofsi_starts_with_ci(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && strncasecmp(s, prefix, k) == 0;
}
