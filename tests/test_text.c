/* Unit tests for lib/text.c (buffer, FTS5 quoting, UTF-8) and lib/stopwords.c. */
#include "check.h"

#include "ofsearch/query.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

static void test_buf(void)
{
    ofsi_buf b = {0};
    char *s = ofsi_buf_take(&b);
    CHECK_STR(s, "");
    free(s);
    for (int i = 0; i < 1000; i++)
        ofsi_buf_puts(&b, "ab");
    ofsi_buf_add(&b, "c\0d", 3); /* bytes, NULs included */
    CHECK_INT(b.n, 2003);
    s = ofsi_buf_take(&b);
    CHECK(s && s[1999] == 'b' && s[2000] == 'c' && s[2001] == '\0' && s[2002] == 'd');
    CHECK(b.s == NULL && b.n == 0);
    free(s);
    ofsi_buf_quoted(&b, "say \"hi\"");
    s = ofsi_buf_take(&b);
    CHECK_STR(s, "\"say \"\"hi\"\"\"");
    free(s);
    ofsi_buf_quoted(&b, "");
    s = ofsi_buf_take(&b);
    CHECK_STR(s, "\"\"");
    free(s);
}

static void test_utf8(void)
{
    CHECK_INT(ofsi_utf8_valid_len((const unsigned char *)"a", 1), 1);
    CHECK_INT(ofsi_utf8_valid_len((const unsigned char *)"\xc3\xa9", 2), 2);
    CHECK_INT(ofsi_utf8_valid_len((const unsigned char *)"\xe5\xbc\x80", 3), 3);
    CHECK_INT(ofsi_utf8_valid_len((const unsigned char *)"\xf0\x9f\x98\x80", 4), 4);
    CHECK_INT(ofsi_utf8_valid_len((const unsigned char *)"\xc0\xaf", 2), 0);     /* overlong */
    CHECK_INT(ofsi_utf8_valid_len((const unsigned char *)"\xed\xa0\x80", 3), 0); /* surrogate */
    CHECK_INT(ofsi_utf8_valid_len((const unsigned char *)"\xf4\x90\x80\x80", 4), 0);
    CHECK_INT(ofsi_utf8_valid_len((const unsigned char *)"\xe5\xbc", 2), 0);     /* truncated */
    size_t n = 0;
    char *s = ofsi_utf8_sanitize("a\xff" "b\0c\xe5\xbc", 7, &n);
    CHECK_STR(s, "a\xef\xbf\xbd" "b c\xef\xbf\xbd\xef\xbf\xbd");
    CHECK_INT(n, strlen(s));
    free(s);
}

static void test_stopwords(void)
{
    CHECK(ofs_is_stopword("the", 3));
    CHECK(ofs_is_stopword("The", 3));
    CHECK(ofs_is_stopword("WHAT", 4));
    CHECK(ofs_is_stopword("a", 1));
    CHECK(!ofs_is_stopword("cluster", 7));
    CHECK(!ofs_is_stopword("", 0));
    CHECK(!ofs_is_stopword("thé", 4));
    CHECK(!ofs_is_stopword("theverylongwordthatisnotastopword", 33));
    CHECK(!ofs_is_stopword("the", 2)); /* "th" */
}

int main(void)
{
    test_buf();
    test_utf8();
    test_stopwords();
    return check_summary("text");
}
