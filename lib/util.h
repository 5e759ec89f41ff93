/* Small helpers with no module of their own (util.c), each once for the whole project: a
 * monotonic clock, reading a whole file, parsing an integer option, blanks, trimming and
 * prefixes.
 * Private to the project, shared with the front ends. */
#ifndef OFSI_UTIL_H
#define OFSI_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

/* Nanoseconds of CLOCK_MONOTONIC: for durations and deadlines, never for dates. */
int64_t ofsi_clock_ns(void);
/* The same in seconds. */
double ofsi_clock_seconds(void);

/* Reads the whole file into *text (malloc'd, NUL-terminated, *len bytes, which may hold NULs).
 * Returns 0, or an errno value: EFBIG when the file holds more than max bytes, else what
 * open/read said. st (may be NULL) gets the file's status from the open file. */
int ofsi_read_file(const char *path, size_t max, char **text, size_t *len, struct stat *st);
/* The same for an open descriptor, read from where it is to its end. */
int ofsi_read_fd(int fd, size_t max, char **text, size_t *len);

/* Parses all of s as a decimal integer in [min, max]: 0 and *out set, or -1 (s empty, with
 * anything after the number, out of range). */
int ofsi_parse_long(const char *s, long min, long max, long *out);

/* The ASCII blanks (space, \t, \n, \r, \f, \v), as isspace() sees them in the C locale. */
static inline int ofsi_is_blank(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Shrinks [*s, *s + *n) to leave out blanks at both ends. */
void ofsi_trim(const char **s, size_t *n);

/* Whether s[0..n) starts with prefix, ASCII letters compared regardless of case. */
int ofsi_starts_with_ci(const char *s, size_t n, const char *prefix);

#endif
