/* `ofsearch tokens`: prints the tokens the `ofs` tokenizer makes of a text, one per line as
 * token<TAB>start<TAB>end[<TAB>colocated], offsets in bytes — for checking what an index holds. */
#include "commands.h"

#include "alloc.h"
#include "ofsearch/ofsearch.h"
#include "ofsearch/tokenizer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out, "usage: ofsearch tokens [--diacritics 0|1] [--stem LANG|none] [--compounds 0|1] "
                 "[--query] TEXT...\n"
                 "Prints token<TAB>start<TAB>end[<TAB>colocated] per token; TEXT arguments are "
                 "joined by single spaces and offsets are bytes into that text.\n");
}

static int print_token(void *ctx, int flags, const char *token, int ntoken, int start, int end)
{
    (void)ctx;
    printf("%.*s\t%d\t%d%s\n", ntoken, token, start, end,
           (flags & OFS_TOKEN_COLOCATED) ? "\tcolocated" : "");
    return 0;
}

/* Joins argv[from..argc) with spaces into a malloc'd string. */
static char *join_args(int argc, char **argv, int from, size_t *len)
{
    size_t n = 0;
    for (int i = from; i < argc; i++)
        n += strlen(argv[i]) + 1;
    char *buf = ofsi_xmalloc(n + 1), *p = buf;
    for (int i = from; i < argc; i++) {
        size_t k = strlen(argv[i]);
        memcpy(p, argv[i], k);
        p += k;
        if (i + 1 < argc)
            *p++ = ' ';
    }
    *p = '\0';
    *len = (size_t)(p - buf);
    return buf;
}

int cmd_tokens(int argc, char **argv)
{
    const char *opts[16] = {0};
    int nopt = 0, reason = OFS_TOKENIZE_DOCUMENT, i = 1;
    for (; i < argc && !strncmp(argv[i], "--", 2); i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) {
            i++;
            break;
        } else if (!strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--query")) {
            reason = OFS_TOKENIZE_QUERY;
        } else if ((!strcmp(a, "--diacritics") || !strcmp(a, "--stem") || !strcmp(a, "--compounds")) &&
                   i + 1 < argc && nopt < 16) {
            opts[nopt++] = a + 2;
            opts[nopt++] = argv[++i];
        } else {
            fprintf(stderr, "ofsearch tokens: bad option '%s'\n", a);
            usage(stderr);
            return 2;
        }
    }
    ofs_tokenizer *tok = NULL;
    char *err = NULL;
    if (ofs_tokenizer_new(opts, nopt, &tok, &err)) {
        fprintf(stderr, "ofsearch tokens: %s\n", err ? err : "cannot create tokenizer");
        free(err);
        return 2;
    }
    size_t len = 0;
    char *text = join_args(argc, argv, i, &len);
    int rc = len <= 0x7fffffff
                 ? ofs_tokenizer_run(tok, reason, text, (int)len, print_token, NULL)
                 : OFS_TOOLONG;
    free(text);
    ofs_tokenizer_free(tok);
    if (rc) {
        fprintf(stderr, "ofsearch tokens: %s\n", ofs_strerror(rc));
        return 1;
    }
    return 0;
}
