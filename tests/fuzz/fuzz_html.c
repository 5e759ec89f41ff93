/* libFuzzer target for the HTML parser: the first byte picks the options (max_depth 1..6, the
 * default ignore list on or off, a root selector or none), the rest is the page. Aborts if
 * parsing fails other than by the documented refusals (binary data, over a budget, OOM), or a
 * page comes back with no section, a string NULL or not valid UTF-8, a kind or level out of
 * range. The CPU budget is cut to 2 s so Gumbo's quadratic cases end within libFuzzer's
 * -timeout. */
#include "ofsearch/html.h"
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

static void check_pairs(const ofs_meta *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!valid_utf8(v[i].key) || !valid_utf8(v[i].value) || !*v[i].key)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    ofs_html_options o = {0};
    o.max_depth = 1 + data[0] % 6;
    o.no_default_ignore = (data[0] >> 3) & 1;
    o.root_selector = (data[0] >> 4) & 1 ? "div.body, [role=main], #content" : NULL;
    o.ignore_selector = (data[0] >> 5) & 1 ? ".note, [data-x=y]" : NULL;
    o.max_seconds = 2;
    o.warn = warn;
    ofs_html_page *h = NULL;
    char *err = NULL;
    int rc = ofs_html_parse((const char *)data + 1, size - 1, "fuzz.html", &o, &h, &err);
    if (rc != OFS_OK) {
        if (h || (rc != OFS_TOOLONG && rc != OFS_TIMEOUT && rc != OFS_INVALID) || !err)
            abort();
        free(err);
        return 0;
    }
    const ofs_page *p = h ? h->page : NULL;
    if (!p || p->nsections == 0 || err)
        abort();
    if (!valid_utf8(p->title) || !valid_utf8(p->description) || !valid_utf8(p->tags) ||
        !valid_utf8(p->slug) || !valid_utf8(h->lang) || !valid_utf8(h->canonical))
        abort();
    check_pairs(p->meta, p->nmeta);
    check_pairs(h->filters, h->nfilters);
    for (size_t i = 0; i < p->nsections; i++) {
        const ofs_section *s = &p->sections[i];
        if (!ofs_kind_name(s->kind) || s->level < 0 || s->level > 6)
            abort();
        if (!valid_utf8(s->title) || !valid_utf8(s->breadcrumb) || !valid_utf8(s->anchor) ||
            !valid_utf8(s->body) || !valid_utf8(s->code))
            abort();
    }
    ofs_html_page_free(h);
    return 0;
}
