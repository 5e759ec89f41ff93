/* Unit tests for lib/utf8.c: the one UTF-8 validator, cleaner and decoder. tests/fuzz/fuzz_utf8.c
 * checks the same functions against ICU on arbitrary bytes. */
#include "check.h"

#include "utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define LEN(s) ofsi_utf8_len((const unsigned char *)(s), sizeof(s) - 1)

static void test_len(void)
{
    CHECK_INT(LEN("a"), 1);
    CHECK_INT(LEN("\0"), 1); /* NUL is valid UTF-8 */
    CHECK_INT(LEN("\x7f"), 1);
    CHECK_INT(LEN("\xc3\xa9"), 2);
    CHECK_INT(LEN("\xe5\xbc\x80"), 3);
    CHECK_INT(LEN("\xf0\x9f\x98\x80"), 4);
    CHECK_INT(LEN("\xf4\x8f\xbf\xbf"), 4);     /* U+10FFFF */
    CHECK_INT(LEN("\xed\x9f\xbf"), 3);         /* U+D7FF, just below the surrogates */
    CHECK_INT(LEN("\xee\x80\x80"), 3);         /* U+E000, just above */
    CHECK_INT(LEN("\xc0\xaf"), 0);             /* overlong */
    CHECK_INT(LEN("\xc1\xbf"), 0);             /* overlong */
    CHECK_INT(LEN("\xe0\x9f\xbf"), 0);         /* overlong */
    CHECK_INT(LEN("\xf0\x8f\xbf\xbf"), 0);     /* overlong */
    CHECK_INT(LEN("\xed\xa0\x80"), 0);         /* surrogate */
    CHECK_INT(LEN("\xf4\x90\x80\x80"), 0);     /* past U+10FFFF */
    CHECK_INT(LEN("\xf5\x80\x80\x80"), 0);
    CHECK_INT(LEN("\xff"), 0);
    CHECK_INT(LEN("\x80"), 0);                 /* a stray continuation byte */
    CHECK_INT(LEN("\xe5\xbc"), 0);             /* truncated */
    CHECK_INT(LEN("\xe5\xbcx"), 0);
    CHECK_INT(ofsi_utf8_len((const unsigned char *)"a", 0), 0);
}

static void test_decode(void)
{
    uint32_t cp = 0;
    CHECK_INT(ofsi_utf8_decode("A", 1, &cp), 1);
    CHECK_INT(cp, 0x41);
    CHECK_INT(ofsi_utf8_decode("\xc3\xa9", 2, &cp), 2);
    CHECK_INT(cp, 0xE9);
    CHECK_INT(ofsi_utf8_decode("\xe5\xbc\x80", 3, &cp), 3);
    CHECK_INT(cp, 0x5F00);
    CHECK_INT(ofsi_utf8_decode("\xf0\x9f\x98\x80", 4, &cp), 4);
    CHECK_INT(cp, 0x1F600);
    CHECK_INT(ofsi_utf8_decode("\xed\xa0\x80", 3, &cp), 0);
    CHECK_INT(cp, 0xFFFD);
}

static void test_valid(void)
{
    CHECK(ofsi_utf8_valid("", 0));
    CHECK(ofsi_utf8_valid("plain ASCII text, long enough for the 8-byte steps", 50));
    CHECK(ofsi_utf8_valid("caf\xc3\xa9 \xe5\xbc\x80", 9));
    CHECK(!ofsi_utf8_valid("a\0b", 3)); /* a C string cannot hold it */
    CHECK(!ofsi_utf8_valid("0123456789\0abcdef", 17));
    CHECK(!ofsi_utf8_valid("caf\xe9", 4));
    CHECK_INT(ofsi_utf8_valid_prefix("a\0b", 3), 3); /* NUL counts as valid here */
    CHECK_INT(ofsi_utf8_valid_prefix("abcdefghij\xff", 11), 10);
    CHECK_INT(ofsi_utf8_valid_prefix("ab\xe5\xbc", 4), 2);
}

static void test_clean(void)
{
    size_t n = 0;
    /* Each bad byte becomes U+FFFD, and so does NUL (the query parser makes NUL a blank first:
     * test_query). */
    char *s = ofsi_utf8_clean("a\xff" "b\0c\xe5\xbc", 7, &n);
    CHECK_STR(s, "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\xef\xbf\xbd\xef\xbf\xbd");
    CHECK_INT(n, strlen(s));
    free(s);
    s = ofsi_utf8_clean("valid \xc3\xa9 text", 13, &n);
    CHECK_STR(s, "valid \xc3\xa9 text");
    CHECK_INT(n, 13);
    free(s);
    s = ofsi_utf8_clean("", 0, NULL);
    CHECK_STR(s, "");
    free(s);
    s = ofsi_utf8_clean("\xed\xa0\x80", 3, &n); /* a surrogate: three bad bytes */
    CHECK_STR(s, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    CHECK_INT(n, 9);
    free(s);
    char all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (char)i;
    s = ofsi_utf8_clean(all, sizeof all, &n);
    CHECK(ofsi_utf8_valid(s, n) && strlen(s) == n);
    free(s);
}

static void test_cut(void)
{
    const char *s = "a\xc3\xa9\xe2\x82\xac!"; /* a, é (2 bytes), € (3 bytes), ! */
    CHECK_INT(ofsi_utf8_cut(s, 7, 10), 7); /* short enough: all */
    CHECK_INT(ofsi_utf8_cut(s, 7, 7), 7);
    CHECK_INT(ofsi_utf8_cut(s, 7, 6), 6);  /* before '!' */
    CHECK_INT(ofsi_utf8_cut(s, 7, 5), 3);  /* inside €: before it */
    CHECK_INT(ofsi_utf8_cut(s, 7, 4), 3);
    CHECK_INT(ofsi_utf8_cut(s, 7, 3), 3);  /* after é */
    CHECK_INT(ofsi_utf8_cut(s, 7, 2), 1);  /* inside é */
    CHECK_INT(ofsi_utf8_cut(s, 7, 0), 0);
    CHECK_INT(ofsi_utf8_cut("\x80\x80\x80", 3, 2), 0); /* only continuation bytes: nothing */
    for (size_t max = 0; max <= 7; max++) {
        size_t k = ofsi_utf8_cut(s, 7, max);
        CHECK(k <= max && ofsi_utf8_valid(s, k));
    }
}

int main(void)
{
    test_len();
    test_decode();
    test_valid();
    test_clean();
    test_cut();
    return check_summary("utf8");
}
