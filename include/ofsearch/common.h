/* What every module header of the public API shares: the error codes, the error helpers and the
 * version. Included by each module header, so any one of them can be used alone. */
#ifndef OFSEARCH_COMMON_H
#define OFSEARCH_COMMON_H

#ifdef __cplusplus
extern "C" {
#endif

/* Every fallible function returns one of these and passes results through out-parameters.
 * Where a function takes `char **errmsg`, a message is stored there on error (malloc'd, caller
 * frees with free()); errmsg may be NULL. */
enum {
    OFS_OK = 0,
    OFS_ERROR = 1,      /* generic failure; the message says what */
    OFS_NOMEM = 2,      /* SQLite ran short of memory (the library's own allocations abort) */
    OFS_INVALID = 3,    /* bad argument or bad input (unknown option, malformed file) */
    OFS_IO = 4,         /* file system error */
    OFS_DB = 5,         /* SQLite error */
    OFS_SCHEMA = 6,     /* index of another schema version: rebuild it */
    OFS_TOOLONG = 7,    /* input over a configured limit (query length, file size) */
    OFS_NOTFOUND = 8,
    OFS_TIMEOUT = 9     /* time budget exhausted */
};

#define OFS_VERSION "0.1.0"
#define OFS_SCHEMA_VERSION 1

/* Sets *errmsg to a malloc'd printf-style message if errmsg is not NULL; returns rc. */
int ofs_set_error(char **errmsg, int rc, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* A short, static English name for an error code. */
const char *ofs_strerror(int rc);

#ifdef __cplusplus
}
#endif

#endif
