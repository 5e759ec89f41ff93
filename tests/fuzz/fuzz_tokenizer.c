/* libFuzzer target for the `ofs` tokenizer: the first byte picks options (diacritics, compounds,
 * stemming, query mode), the rest is text. Aborts if a token's offsets leave the input, run
 * backwards, or a token is empty or over the length limit. */
#include "ofsearch/tokenizer.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int len, prev_start;
} bounds;

static int check_token(void *ctx, int flags, const char *t, int n, int start, int end)
{
    bounds *b = ctx;
    (void)flags;
    if (start < 0 || end > b->len || start > end || n <= 0 || n > 256 || !t)
        abort();
    if (start < b->prev_start) /* tokens come in text order */
        abort();
    b->prev_start = start;
    volatile char sink = t[n - 1]; /* ASan: the token bytes must be readable */
    (void)sink;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ofs_tokenizer *toks[8];
    if (size < 1 || size > (1u << 20))
        return 0;
    int sel = data[0] & 7;
    if (!toks[sel]) {
        const char *argv[6] = {"diacritics", sel & 1 ? "1" : "0", "compounds", sel & 2 ? "1" : "0",
                               "stem", sel & 4 ? "english" : "none"};
        if (ofs_tokenizer_new(argv, 6, &toks[sel], NULL))
            abort();
    }
    /* An exact-size heap copy so reads past the end are caught. */
    size_t n = size - 1;
    char *text = malloc(n ? n : 1);
    if (!text)
        return 0;
    memcpy(text, data + 1, n);
    bounds b = {(int)n, 0};
    int reason = data[0] & 8 ? OFS_TOKENIZE_QUERY : OFS_TOKENIZE_DOCUMENT;
    if (ofs_tokenizer_run(toks[sel], reason, text, (int)n, check_token, &b))
        abort();
    free(text);
    return 0;
}
