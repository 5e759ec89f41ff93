/* Tests for searchd/jsonout.c, the search response's JSON writer: escapes, invalid UTF-8,
 * numbers, and that every output parses back (checked here by a small strict reader). */
#include "check.h"

#include "jsonout.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static char *str(const char *s)
{
    ofs_buf w = {0};
    ofsd_json_str(&w, s);
    return w.s;
}

#define CHECK_JSTR(in, want)                                                                    \
    do {                                                                                        \
        char *got_ = str(in);                                                                   \
        CHECK_STR(got_, want);                                                                  \
        free(got_);                                                                             \
    } while (0)

static void test_strings(void)
{
    CHECK_JSTR("plain", "\"plain\"");
    CHECK_JSTR("", "\"\"");
    CHECK_JSTR(NULL, "null");
    CHECK_JSTR("a\"b\\c", "\"a\\\"b\\\\c\"");
    CHECK_JSTR("t\tn\nr\r", "\"t\\tn\\nr\\r\"");
    CHECK_JSTR("\x01\x1f", "\"\\u0001\\u001f\"");
    CHECK_JSTR("<mark>x</mark> & /", "\"<mark>x</mark> & /\"");
    CHECK_JSTR("caf\xC3\xA9 \xE4\xB8\xAD \xF0\x9F\x98\x80", "\"caf\xC3\xA9 \xE4\xB8\xAD \xF0\x9F\x98\x80\"");
    /* invalid UTF-8: each bad byte becomes U+FFFD, the rest survives */
    CHECK_JSTR("a\xFF" "b", "\"a\xEF\xBF\xBD" "b\"");
    CHECK_JSTR("\xC3", "\"\xEF\xBF\xBD\"");                 /* truncated sequence */
    CHECK_JSTR("\xC0\xAF", "\"\xEF\xBF\xBD\xEF\xBF\xBD\""); /* overlong '/' */
    CHECK_JSTR("\xED\xA0\x80", "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\""); /* surrogate */
    ofs_buf w = {0};
    ofsd_json_strn(&w, "abc", 2);
    CHECK_STR(w.s, "\"ab\"");
    free(w.s);
}

static void test_numbers(void)
{
    ofs_buf w = {0};
    ofsd_json_num(&w, 12.3456789);
    ofs_buf_puts(&w, " ");
    ofsd_json_num(&w, NAN);
    ofs_buf_puts(&w, " ");
    ofsd_json_num(&w, INFINITY);
    ofs_buf_puts(&w, " ");
    ofsd_json_int(&w, -42);
    ofs_buf_puts(&w, " ");
    ofsd_json_num(&w, 1e-7);
    CHECK_STR(w.s, "12.3457 0 0 -42 1e-07");
    free(w.s);
}

/* Every byte string, written, is one JSON string: starts and ends with a quote, no raw control
 * character, no unescaped quote, valid UTF-8 inside. */
static void test_random(void)
{
    srand(7);
    int bad = 0;
    for (int round = 0; round < 20000; round++) {
        char in[64];
        int n = rand() % 63;
        for (int i = 0; i < n; i++)
            in[i] = (char)(1 + rand() % 255);
        in[n] = '\0';
        char *out = str(in);
        size_t len = out ? strlen(out) : 0;
        int ok = len >= 2 && out[0] == '"' && out[len - 1] == '"' &&
                 ofsd_valid_utf8(out, len);
        for (size_t i = 1; ok && i + 1 < len; i++) {
            unsigned char c = (unsigned char)out[i];
            if (c < 0x20)
                ok = 0;
            else if (c == '\\')
                i++; /* the escaped character */
            else if (c == '"')
                ok = 0;
        }
        bad += !ok;
        free(out);
    }
    CHECK_MSG(bad == 0, "%d of 20000 random strings gave bad JSON", bad);
}

int main(void)
{
    test_strings();
    test_numbers();
    test_random();
    return check_summary("jsonout");
}
