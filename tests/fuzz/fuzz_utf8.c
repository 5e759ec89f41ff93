/* Fuzz target for lib/utf8.c, against ICU's own decoder (U8_NEXT, strict since ICU 60) as the
 * reference: at every byte, ofsi_utf8_len must call the same sequences valid, with the same
 * length and code point (ofsi_utf8_decode); ofsi_utf8_valid_prefix must stop where ICU first
 * fails; ofsi_utf8_clean must give valid UTF-8 without NUL of the length it reports, leave
 * valid text without NUL unchanged, and clean its own output to itself. */
#include "utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/utf8.h>

static void fail(const char *what, size_t at)
{
    fprintf(stderr, "fuzz_utf8: %s at byte %zu\n", what, at);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 20)
        return 0;
    const char *s = (const char *)data;
    size_t first_bad = size, nul = 0;
    int32_t n = (int32_t)size;
    for (int32_t i = 0; i < n;) {
        int32_t at = i;
        UChar32 c;
        U8_NEXT(data, i, n, c);
        uint32_t cp = 0;
        size_t k = ofsi_utf8_decode(s + at, size - (size_t)at, &cp);
        if (k != ofsi_utf8_len(data + at, size - (size_t)at))
            fail("decode and len disagree", (size_t)at);
        if (c < 0) {
            if (k != 0)
                fail("valid here, not for ICU", (size_t)at);
            if (first_bad == size)
                first_bad = (size_t)at;
            i = at + 1; /* resynchronise byte by byte, as the cleaner does */
        } else {
            if (k != (size_t)(i - at) || cp != (uint32_t)c)
                fail("a different sequence than ICU's", (size_t)at);
            nul += c == 0;
        }
    }
    if (ofsi_utf8_valid_prefix(s, size) != first_bad)
        fail("valid prefix ends elsewhere", first_bad);
    int valid = ofsi_utf8_valid(s, size);
    if (valid != (first_bad == size && nul == 0))
        fail("ofsi_utf8_valid wrong", 0);
    size_t len = 0;
    char *clean = ofsi_utf8_clean(s, size, &len);
    if (strlen(clean) != len || !ofsi_utf8_valid(clean, len))
        fail("cleaned text is not valid UTF-8 without NUL", 0);
    if (valid && (len != size || memcmp(clean, s, size) != 0))
        fail("valid text changed by cleaning", 0);
    size_t len2 = 0;
    char *again = ofsi_utf8_clean(clean, len, &len2);
    if (len2 != len || memcmp(again, clean, len) != 0)
        fail("cleaning is not idempotent", 0);
    free(again);
    free(clean);
    return 0;
}
