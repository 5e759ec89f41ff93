/* Error helpers shared by every module: codes and malloc'd messages. */
#include "ofsearch/common.h"

#include "alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int ofs_set_error(char **errmsg, int rc, const char *fmt, ...)
{
    if (!errmsg)
        return rc;
    free(*errmsg);
    *errmsg = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return rc;
    char *buf = ofsi_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(buf, (size_t)n + 1, fmt, ap);
    va_end(ap);
    *errmsg = buf;
    return rc;
}

const char *ofs_strerror(int rc)
{
    switch (rc) {
    case OFS_OK: return "ok";
    case OFS_ERROR: return "error";
    case OFS_NOMEM: return "out of memory";
    case OFS_INVALID: return "invalid input";
    case OFS_IO: return "i/o error";
    case OFS_DB: return "database error";
    case OFS_SCHEMA: return "index schema mismatch";
    case OFS_TOOLONG: return "input too long";
    case OFS_NOTFOUND: return "not found";
    case OFS_TIMEOUT: return "time budget exhausted";
    default: return "unknown error";
    }
}
