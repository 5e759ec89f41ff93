/* Unit tests for lib/buffer.c: the growing buffer and FTS5 string quoting. */
#include "check.h"

#include "buffer.h"

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
    ofsi_buf_putc(&b, 'x');
    ofsi_buf_putc(&b, '\0');
    CHECK_INT(b.n, 2);
    CHECK(b.s[0] == 'x' && b.s[1] == '\0' && b.s[2] == '\0');
    free(b.s);
    b = (ofsi_buf){0};
    ofsi_buf_quoted(&b, "say \"hi\"");
    s = ofsi_buf_take(&b);
    CHECK_STR(s, "\"say \"\"hi\"\"\"");
    free(s);
    ofsi_buf_quoted(&b, "");
    s = ofsi_buf_take(&b);
    CHECK_STR(s, "\"\"");
    free(s);
}

int main(void)
{
    test_buf();
    return check_summary("buffer");
}
