/* Tests of ofs_markdown_render_html (lib/render.c): heading ids equal the indexed anchors, glossary
 * <a id> anchors survive, raw HTML and dangerous links never reach the output, hostile bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ofsearch/markdown.h"
#include "ofsearch/ofsearch.h"

static char *render(const char *md, size_t len)
{
    char *html = NULL, *err = NULL;
    int rc = ofs_markdown_render_html(md, len, &html, &err);
    CHECK_INT(rc, OFS_OK);
    free(err);
    if (!html)
        return strdup("");
    /* Newlines dropped so checks need not know where cmark breaks lines around headings. */
    char *o = html;
    for (const char *p = html; *p; p++)
        if (*p != '\n')
            *o++ = *p;
    *o = '\0';
    return html;
}

static int has(const char *html, const char *needle)
{
    return strstr(html, needle) != NULL;
}

/* Every anchor the indexer gives a section must be an id in the rendered page. */
static void test_ids_match_index(void)
{
    const char *md = "---\ntitle: Front\nslug: x\n---\n"
                     "# Intro\n\ntext\n\n## Set up\n\n## Set up\n\n### Set up\n\n"
                     "## Custom part {#my-id}\n\n## Café & <b>bold</b> *em* `code`\n\n"
                     "> ## Quoted heading\n\n- ## Listed heading\n\n#### Deep one\n\n"
                     "## What is it?\n\nIt is.\n\n## Set up\n";
    ofs_page *page = NULL;
    CHECK_INT(ofs_markdown_parse(md, strlen(md), "t.md", NULL, &page, NULL), OFS_OK);
    char *html = render(md, strlen(md));
    int checked = 0;
    for (size_t i = 0; page && i < page->nsections; i++) {
        const char *a = page->sections[i].anchor;
        if (!a || !*a)
            continue;
        char want[256];
        snprintf(want, sizeof want, " id=\"%s\"", a);
        if (!has(html, want))
            printf("# anchor %s missing from:\n%s\n", a, html);
        CHECK(has(html, want));
        checked++;
    }
    CHECK(checked >= 8);
    CHECK(has(html, "<h2 id=\"set-up-1\">Set up</h2>"));
    CHECK(has(html, "<h3 id=\"set-up-2\">"));
    CHECK(has(html, "<h2 id=\"set-up-3\">"));
    CHECK(has(html, "<h2 id=\"my-id\">Custom part</h2>"));
    CHECK(has(html, "<h4 id=\"deep-one\">"));
    CHECK(!has(html, "title: Front")); /* front matter is not content */
    CHECK(!has(html, "{#"));
    ofs_page_free(page);
    free(html);
}

static void test_glossary_anchors(void)
{
    const char *md = "# Glossary\n\n<a id=\"zero-cluster\"></a>**Zero cluster** is a cluster.\n\n"
                     "<a name=\"old_name\"></a>\n\n"
                     "<a id=\"bad id\" onclick=\"x()\"></a>**Bad** is dropped.\n\n"
                     "<a id='x\"><script>alert(1)</script>'></a>\n";
    char *html = render(md, strlen(md));
    CHECK(has(html, "<p><a id=\"zero-cluster\"></a>"));
    CHECK(has(html, "<strong>Zero cluster</strong>"));
    CHECK(has(html, "<a id=\"old_name\"></a>"));
    CHECK(!has(html, "bad id"));
    CHECK(!has(html, "onclick"));
    CHECK(!has(html, "<script"));
    free(html);
}

static void test_no_raw_html(void)
{
    const char *md = "# T\n\n<script>alert(1)</script>\n\n<div onmouseover=\"x()\">hi</div>\n\n"
                     "Inline <img src=x onerror=alert(2)> and <iframe src=\"//evil\"></iframe>\n\n"
                     "[js](javascript:alert(3)) [vb](VBScript:x) [ok](other.md#a) "
                     "![i](data:text/html;base64,PHNjcmlwdD4=)\n\n"
                     "<style>body{display:none}</style>\n\n"
                     "## H <script>alert(4)</script>\n";
    char *html = render(md, strlen(md));
    CHECK(!has(html, "<script"));
    CHECK(!has(html, "<img src=\"x\"") && !has(html, "onerror"));
    CHECK(!has(html, "<iframe") && !has(html, "<style") && !has(html, "onmouseover"));
    CHECK(!has(html, "javascript:") && !has(html, "VBScript:") && !has(html, "data:text/html"));
    CHECK(has(html, "<a href=\"other.md#a\">ok</a>")); /* relative links stay as written */
    CHECK(has(html, "raw HTML omitted"));
    free(html);
}

static void test_hostile_bytes(void)
{
    const char md[] = "# A\xff\xfe heading\0with NUL\n\n## \xe2\x82 cut\n\ntext \xc0\xaf\n";
    char *html = render(md, sizeof md - 1);
    CHECK(has(html, "\xEF\xBF\xBD"));
    CHECK(has(html, "<h1 id="));
    free(html);
    html = render(NULL, 0);
    CHECK_STR(html, "");
    free(html);
    /* Deep nesting: cmark's iterator and ours must not recurse. */
    size_t n = 200000;
    char *deep = malloc(n + 16);
    memset(deep, '>', n);
    memcpy(deep + n, " # deep\n", 9);
    html = render(deep, strlen(deep));
    CHECK(has(html, "<h1 id=\"deep\">deep</h1>"));
    free(html);
    free(deep);
}

int main(void)
{
    test_ids_match_index();
    test_glossary_anchors();
    test_no_raw_html();
    test_hostile_bytes();
    return check_summary("test_render");
}
