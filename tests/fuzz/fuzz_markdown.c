/* libFuzzer target for the Markdown parser: the first byte picks max_depth (1..6), the rest is
 * the page. Aborts if parsing fails (only OOM may), a string is NULL or not valid UTF-8, a page
 * has no section, or a kind or level is out of range. */
#include "ofsearch/markdown.h"
#include "ofsearch/ofsearch.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Well-formed UTF-8 without NUL: no overlongs, surrogates or code points past U+10FFFF. */
static int valid_utf8(const char *str)
{
    if (!str)
        return 0;
    const unsigned char *s = (const unsigned char *)str;
    while (*s) {
        unsigned c = *s;
        int n = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
        if (n < 0)
            return 0;
        uint32_t cp = n == 0 ? c : n == 1 ? (c & 0x1F) : n == 2 ? (c & 0x0F) : (c & 0x07);
        for (int k = 1; k <= n; k++) {
            if ((s[k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[k] & 0x3F);
        }
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        s += n + 1;
    }
    return 1;
}

static void warn(void *ctx, const char *file, int line, const char *msg)
{
    (void)ctx;
    if (!file || !msg || line < 1)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    ofs_markdown_options o = {1 + data[0] % 6, warn, NULL};
    ofs_page *page = NULL;
    int rc = ofs_markdown_parse((const char *)data + 1, size - 1, "fuzz.md", &o, &page, NULL);
    if (rc == OFS_NOMEM)
        return 0;
    if (rc != OFS_OK || !page || page->nsections == 0)
        abort();
    if (!valid_utf8(page->title) || !valid_utf8(page->description) ||
        !valid_utf8(page->tags) || !valid_utf8(page->slug))
        abort();
    for (size_t i = 0; i < page->nmeta; i++)
        if (!valid_utf8(page->meta[i].key) || !valid_utf8(page->meta[i].value))
            abort();
    for (size_t i = 0; i < page->nsections; i++) {
        const ofs_section *s = &page->sections[i];
        if (!ofs_kind_name(s->kind) || s->level < 0 || s->level > 6)
            abort();
        if (!valid_utf8(s->title) || !valid_utf8(s->breadcrumb) || !valid_utf8(s->anchor) ||
            !valid_utf8(s->body) || !valid_utf8(s->code))
            abort();
    }
    ofs_page_free(page);
    return 0;
}
