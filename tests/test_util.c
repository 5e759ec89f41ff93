/* Unit tests for lib/util.c: the clock, the whole-file reader, integer options, trimming. */
#include "check.h"

#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_clock(void)
{
    int64_t a = ofsi_clock_ns();
    usleep(2000);
    int64_t b = ofsi_clock_ns();
    CHECK(b - a >= 2000000);
    double s = ofsi_clock_seconds();
    CHECK(s > 0 && s * 1e9 >= (double)b);
}

static void test_read(void)
{
    char dir[] = "/tmp/ofs_test_util_XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(0);
        return;
    }
    char path[64];
    snprintf(path, sizeof path, "%s/f", dir);
    FILE *f = fopen(path, "wb");
    fwrite("ab\0cd", 1, 5, f);
    fclose(f);
    char *text = NULL;
    size_t len = 0;
    struct stat st;
    CHECK_INT(ofsi_read_file(path, 100, &text, &len, &st), 0);
    CHECK_INT(len, 5);
    CHECK(text && memcmp(text, "ab\0cd", 6) == 0); /* NUL-terminated, inner NUL kept */
    CHECK_INT(st.st_size, 5);
    free(text);
    CHECK_INT(ofsi_read_file(path, 5, &text, &len, NULL), 0); /* exactly the limit */
    free(text);
    CHECK_INT(ofsi_read_file(path, 4, &text, &len, NULL), EFBIG);
    CHECK(text == NULL && len == 0);
    snprintf(path, sizeof path, "%s/missing", dir);
    CHECK_INT(ofsi_read_file(path, 100, &text, &len, NULL), ENOENT);
    CHECK_INT(ofsi_read_file(dir, 100, &text, &len, NULL), EISDIR);
    /* A descriptor with no size (a pipe) is read to its end, the limit still holds. */
    int fds[2];
    if (pipe(fds) == 0) {
        char big[10000];
        memset(big, 'x', sizeof big);
        if (write(fds[1], big, sizeof big) == (ssize_t)sizeof big) {
            close(fds[1]);
            CHECK_INT(ofsi_read_fd(fds[0], 20000, &text, &len), 0);
            CHECK_INT(len, sizeof big);
            free(text);
        } else {
            close(fds[1]);
        }
        close(fds[0]);
    }
    if (pipe(fds) == 0) {
        char big[10000];
        memset(big, 'x', sizeof big);
        if (write(fds[1], big, sizeof big) == (ssize_t)sizeof big) {
            close(fds[1]);
            CHECK_INT(ofsi_read_fd(fds[0], 9999, &text, &len), EFBIG);
        } else {
            close(fds[1]);
        }
        close(fds[0]);
    }
    snprintf(path, sizeof path, "%s/f", dir);
    unlink(path);
    rmdir(dir);
}

static void test_parse_long(void)
{
    long v = 0;
    CHECK_INT(ofsi_parse_long("42", 0, 100, &v), 0);
    CHECK_INT(v, 42);
    CHECK_INT(ofsi_parse_long("-7", -10, 10, &v), 0);
    CHECK_INT(v, -7);
    CHECK_INT(ofsi_parse_long("101", 0, 100, &v), -1);
    CHECK_INT(ofsi_parse_long("", 0, 100, &v), -1);
    CHECK_INT(ofsi_parse_long("12x", 0, 100, &v), -1);
    CHECK_INT(ofsi_parse_long("99999999999999999999999", LONG_MIN, LONG_MAX, &v), -1);
    CHECK_INT(v, -7); /* untouched on failure */
}

static void test_trim(void)
{
    const char *s = " \t\n a b \r\f\v ";
    size_t n = strlen(s);
    ofsi_trim(&s, &n);
    CHECK_INT(n, 3);
    CHECK(strncmp(s, "a b", 3) == 0);
    s = "   ";
    n = 3;
    ofsi_trim(&s, &n);
    CHECK_INT(n, 0);
    CHECK(ofsi_is_blank(' ') && ofsi_is_blank('\v') && !ofsi_is_blank('x') && !ofsi_is_blank(0));
    CHECK(!ofsi_is_blank(0xA0));
}

int main(void)
{
    test_clock();
    test_read();
    test_parse_long();
    test_trim();
    return check_summary("util");
}
