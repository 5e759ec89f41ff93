/* Tests for lib/html.c, lib/html_select.c and lib/html_tree.c: every mapping rule on small pages
 * written here and on generator-like fixtures (tests/fixtures/html/), HTML5 parsing edge cases,
 * charsets, hostile input (binary, huge, deeply nested, invalid UTF-8, NUL), and every page of
 * the Python 3.11 and PostgreSQL 15 manuals when their Debian packages are installed. */
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "ofsearch/html.h"
#include "ofsearch/ofsearch.h"

typedef struct {
    int count;
    char msg[512];
} warnings;

static void on_warn(void *ctx, const char *file, int line, const char *msg)
{
    warnings *w = ctx;
    w->count++;
    snprintf(w->msg, sizeof w->msg, "%s:%d: %s", file, line, msg);
}

/* Independent UTF-8 check (not the library's): well-formed, no NUL inside. */
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

static int page_ok(const ofs_html_page *h)
{
    const ofs_page *p = h->page;
    if (!valid_utf8(p->title) || !valid_utf8(p->description) || !valid_utf8(p->tags) ||
        !valid_utf8(p->slug) || !valid_utf8(h->lang) || !valid_utf8(h->canonical))
        return 0;
    for (size_t i = 0; i < p->nmeta; i++)
        if (!valid_utf8(p->meta[i].key) || !valid_utf8(p->meta[i].value))
            return 0;
    for (size_t i = 0; i < h->nfilters; i++)
        if (!valid_utf8(h->filters[i].key) || !valid_utf8(h->filters[i].value))
            return 0;
    if (p->nsections == 0)
        return 0;
    for (size_t i = 0; i < p->nsections; i++) {
        const ofs_section *s = &p->sections[i];
        if (!ofs_kind_name(s->kind) || s->level < 0 || s->level > 6 || !valid_utf8(s->title) ||
            !valid_utf8(s->breadcrumb) || !valid_utf8(s->anchor) || !valid_utf8(s->body) ||
            !valid_utf8(s->code))
            return 0;
    }
    return 1;
}

/* Parses a page with the given options (NULL: defaults plus the warning counter). */
static ofs_html_page *parse_opts(const char *src, size_t len, ofs_html_options *o, int *rc,
                                 char **err)
{
    ofs_html_page *h = NULL;
    *err = NULL;
    *rc = ofs_html_parse(src, len, "page.html", o, &h, err);
    if (*rc == OFS_OK)
        CHECK_MSG(h && page_ok(h), "page strings valid, at least one section");
    return h;
}

static ofs_html_page *parse(const char *src, warnings *w)
{
    ofs_html_options o = {0};
    o.warn = on_warn;
    o.warn_ctx = w;
    int rc;
    char *err;
    ofs_html_page *h = parse_opts(src, strlen(src), &o, &rc, &err);
    CHECK_MSG(rc == OFS_OK, "parse failed: %s", err ? err : "?");
    free(err);
    return h;
}

static const ofs_section *find(const ofs_html_page *h, ofs_kind kind, const char *title)
{
    for (size_t i = 0; h && i < h->page->nsections; i++) {
        const ofs_section *s = &h->page->sections[i];
        if (s->kind == kind && !strcmp(s->title, title))
            return s;
    }
    return NULL;
}

static const ofs_section *expect(const ofs_html_page *h, ofs_kind kind, const char *title,
                                 const char *anchor, const char *crumb)
{
    const ofs_section *s = find(h, kind, title);
    CHECK_MSG(s != NULL, "no %s section titled \"%s\"", ofs_kind_name(kind), title);
    if (s && anchor)
        CHECK_STR(s->anchor, anchor);
    if (s && crumb)
        CHECK_STR(s->breadcrumb, crumb);
    return s;
}

static int count_kind(const ofs_html_page *h, ofs_kind kind)
{
    int n = 0;
    for (size_t i = 0; h && i < h->page->nsections; i++)
        n += h->page->sections[i].kind == kind;
    return n;
}

/* Whether any title, breadcrumb, body or code of the page contains needle. */
static int page_has(const ofs_html_page *h, const char *needle)
{
    const ofs_page *p = h->page;
    if (strstr(p->title, needle))
        return 1;
    for (size_t i = 0; i < p->nsections; i++) {
        const ofs_section *s = &p->sections[i];
        if (strstr(s->title, needle) || strstr(s->breadcrumb, needle) ||
            strstr(s->body, needle) || strstr(s->code, needle))
            return 1;
    }
    return 0;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        *len = (size_t)n;
    }
    return buf;
}

static ofs_html_page *parse_fixture(const char *name)
{
    const char *root = getenv("OFS_SOURCE_ROOT");
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/fixtures/html/%s", root ? root : ".", name);
    size_t len = 0;
    char *src = read_file(path, &len);
    CHECK_MSG(src != NULL, "cannot read fixture %s", path);
    if (!src)
        return NULL;
    int rc;
    char *err;
    ofs_html_page *h = parse_opts(src, len, NULL, &rc, &err);
    CHECK_MSG(rc == OFS_OK, "%s: %s", name, err ? err : "?");
    free(err);
    free(src);
    return h;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- sections, breadcrumbs, anchors ---------------------------------------------------------- */

static void test_sections(void)
{
    warnings w = {0};
    ofs_html_page *h = parse("<!DOCTYPE html><title>Guide</title><body><main>"
                             "<p>Intro text.</p>"
                             "<h1 id=\"top\">Guide</h1><p>One.</p>"
                             "<h2 id=\"a\">Alpha</h2><p>Two.</p>"
                             "<h3 id=\"b\">Beta</h3><p>Three.</p>"
                             "<h4 id=\"c\">Gamma</h4><p>Four.</p>"
                             "<h2 id=\"d\">Delta</h2><p>Five.</p>"
                             "<h2>   </h2><p>After an empty heading.</p>"
                             "</main>",
                             &w);
    if (!h)
        return;
    const ofs_section *intro = &h->page->sections[0];
    CHECK_INT(intro->kind, OFS_KIND_PAGE);
    CHECK_STR(intro->title, "Guide");
    CHECK_STR(intro->anchor, "");
    CHECK_STR(intro->body, "Intro text.");
    const char *sep = " \xE2\x80\xBA ";
    char crumb[64];
    expect(h, OFS_KIND_SECTION, "Guide", "top", "");
    expect(h, OFS_KIND_SECTION, "Alpha", "a", "Guide");
    snprintf(crumb, sizeof crumb, "Guide%sAlpha", sep);
    const ofs_section *b = expect(h, OFS_KIND_SECTION, "Beta", "b", crumb);
    /* h4 is deeper than max_depth 3: its heading and text stay in Beta. */
    CHECK(find(h, OFS_KIND_SECTION, "Gamma") == NULL);
    if (b)
        CHECK_STR(b->body, "Three.\nGamma\nFour.");
    const ofs_section *d = expect(h, OFS_KIND_SECTION, "Delta", "d", "Guide");
    if (d) /* an empty heading starts nothing */
        CHECK_STR(d->body, "Five.\nAfter an empty heading.");
    CHECK_INT(h->page->nsections, 5);
    ofs_html_page_free(h);

    /* max_depth 4 makes Gamma a section; 1 folds everything into Guide. */
    ofs_html_options o = {0};
    o.max_depth = 4;
    const char *src = "<h1>Guide</h1><h2>Alpha</h2><h3>Beta</h3><h4>Gamma</h4><p>Four.</p>";
    int rc;
    char *err;
    h = parse_opts(src, strlen(src), &o, &rc, &err);
    if (h) {
        CHECK(find(h, OFS_KIND_SECTION, "Gamma") != NULL);
        ofs_html_page_free(h);
    }
    o.max_depth = 1;
    h = parse_opts(src, strlen(src), &o, &rc, &err);
    if (h) {
        CHECK_INT(h->page->nsections, 1);
        CHECK_STR(h->page->sections[0].body, "Alpha\nBeta\nGamma\nFour.");
        ofs_html_page_free(h);
    }

    /* No h1: the page title opens the breadcrumb, unless it is the top heading itself. */
    h = parse("<title>Manual</title><h2 id=x>Setup</h2><h3 id=y>Disks</h3>", &w);
    if (h) {
        expect(h, OFS_KIND_SECTION, "Setup", "x", "Manual");
        snprintf(crumb, sizeof crumb, "Manual%sSetup", sep);
        expect(h, OFS_KIND_SECTION, "Disks", "y", crumb);
        ofs_html_page_free(h);
    }
    h = parse("<title>Setup</title><h2 id=x>Setup</h2><h3 id=y>Disks</h3>", &w);
    if (h) {
        expect(h, OFS_KIND_SECTION, "Setup", "x", "");
        expect(h, OFS_KIND_SECTION, "Disks", "y", "Setup");
        ofs_html_page_free(h);
    }
    CHECK_INT(w.count, 0);
}

static void test_anchors(void)
{
    warnings w = {0};
    ofs_html_page *h = parse(
        "<main id=\"content\">"
        "<section id=\"s1\"><h2>From section</h2><p>x</p>"
        "<h3>Second in s1</h3><p>falls back to the nearest id</p></section>"
        "<div class=\"sect1\" id=\"DOCBOOK-ID\"><div class=\"titlepage\"><div><h2 class=\"title\">"
        "From div</h2></div></div></div>"
        "<h2>Sphinx<a class=\"headerlink\" href=\"#sphinx-x\" title=\"Permalink\">\xC2\xB6</a></h2>"
        "<h2>Docusaurus<a href=\"#docu\" class=\"hash-link\" aria-label=\"Direct link\">"
        "\xE2\x80\x8B</a></h2>"
        "<h2><a name=\"old-style\"></a>Named</h2>"
        "<h2>Symbol <a href=\"#sym\">#</a></h2>"
        "<h2>Linked <a href=\"#elsewhere\">elsewhere</a></h2>"
        "</main>",
        &w);
    if (!h)
        return;
    expect(h, OFS_KIND_SECTION, "From section", "s1", NULL);
    expect(h, OFS_KIND_SECTION, "Second in s1", "s1", NULL);
    expect(h, OFS_KIND_SECTION, "From div", "DOCBOOK-ID", NULL);
    expect(h, OFS_KIND_SECTION, "Sphinx", "sphinx-x", NULL);
    expect(h, OFS_KIND_SECTION, "Docusaurus", "docu", NULL);
    expect(h, OFS_KIND_SECTION, "Named", "old-style", NULL);
    expect(h, OFS_KIND_SECTION, "Symbol #", "sym", NULL);
    /* A link with words is not a permalink: the nearest enclosing id (main's) is used. */
    expect(h, OFS_KIND_SECTION, "Linked elsewhere", "content", NULL);
    ofs_html_page_free(h);

    /* Nothing on the page gives an anchor: none (the page's own URL), not an invented slug
     * that the page does not have; the root's id counts. */
    h = parse("<h2>Set Up!</h2><p>x</p><h2>Set up</h2>", &w);
    if (h) {
        CHECK_INT(h->page->nsections, 2);
        expect(h, OFS_KIND_SECTION, "Set Up!", "", NULL);
        expect(h, OFS_KIND_SECTION, "Set up", "", NULL);
        ofs_html_page_free(h);
    }
    h = parse("<main id=\"m\"><h2>One</h2><h2>Two</h2></main>", &w);
    if (h) {
        expect(h, OFS_KIND_SECTION, "One", "m", NULL);
        expect(h, OFS_KIND_SECTION, "Two", "m", NULL);
        ofs_html_page_free(h);
    }
    /* The heading's own id wins over its section's. */
    h = parse("<section id=sec><h2 id=own>Own</h2></section>", &w);
    if (h) {
        expect(h, OFS_KIND_SECTION, "Own", "own", NULL);
        ofs_html_page_free(h);
    }
}

static void test_title_and_head(void)
{
    warnings w = {0};
    struct {
        const char *title, *h1, *want;
    } cases[] = {
        {"json \xE2\x80\x94 JSON encoder \xE2\x80\x94 Python 3.11.2 documentation",
         "json \xE2\x80\x94 JSON encoder", "json \xE2\x80\x94 JSON encoder"},
        {"Install | Gadget Docs", "Install", "Install"},
        {"Gadget Docs | Install", "Install", "Install"},
        {"Install - Gadget", "Install", "Install"},
        {"Install \xC2\xB7 Gadget", "Install", "Install"},
        {"Installing the server", "Install", "Installing the server"},
        {"Install: a guide", "Install", "Install: a guide"}, /* ':' glued to the word */
        {"Gadget Docs", "Overview", "Gadget Docs"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char src[512];
        snprintf(src, sizeof src, "<title>%s</title><h1>%s</h1>", cases[i].title, cases[i].h1);
        ofs_html_page *h = parse(src, &w);
        if (h)
            CHECK_STR(h->page->title, cases[i].want);
        ofs_html_page_free(h);
    }
    /* No <title>: the first h1 of the content, else its first heading, else the file name. */
    ofs_html_page *h = parse("<nav><h1>Site</h1></nav><main><h2>Sub</h2><h1>Real</h1></main>", &w);
    if (h)
        CHECK_STR(h->page->title, "Real");
    ofs_html_page_free(h);
    h = parse("<h3>Only h3</h3>", &w);
    if (h)
        CHECK_STR(h->page->title, "Only h3");
    ofs_html_page_free(h);
    h = parse("<p>no heading</p>", &w);
    if (h) {
        CHECK_STR(h->page->title, "page");
        CHECK_STR(h->page->sections[0].title, "page");
    }
    ofs_html_page_free(h);

    h = parse("<html lang=\" pt-BR \"><head><title>\n  T\n </title>"
              "<link rel=\"alternate canonical\" href=\"https://x.example/p\">"
              "<meta property=\"og:description\" content=\"og text\">"
              "<meta name=\"Description\" content=\"  The   real\n description. \"></head>"
              "<svg><title>icon</title></svg><p>x</p>",
              &w);
    if (h) {
        CHECK_STR(h->lang, "pt-BR");
        CHECK_STR(h->canonical, "https://x.example/p");
        CHECK_STR(h->page->description, "The real description.");
        CHECK_STR(h->page->title, "T");
        CHECK_STR(h->page->tags, "");
        CHECK_STR(h->page->slug, "");
    }
    ofs_html_page_free(h);
    h = parse("<meta property=\"og:description\" content=\"og text\"><p>x</p>", &w);
    if (h) {
        CHECK_STR(h->page->description, "og text");
        CHECK_STR(h->lang, "");
        CHECK_STR(h->canonical, "");
    }
    ofs_html_page_free(h);
}

static void test_text_layout(void)
{
    warnings w = {0};
    ofs_html_page *h = parse(
        "<body><p>in<b>line</b> <i>words</i>  and\n\tspaces</p><div>block<div>nested</div>"
        "after</div>line<br>break&nbsp;here &amp; &check; &#x1F600; &#128;"
        "<table><tr><td><p>a</p><p>b</p><td>c</tr><tr><td>d<td>e</table>"
        "<ul><li>one<li>two</ul><p>x<code>inline code</code>y</p>"
        "<pre>\nfirst line\n  indented &lt;tag&gt;\n</pre><p>z</p><pre>second block</pre>",
        &w);
    if (!h)
        return;
    const ofs_section *s = &h->page->sections[0];
    CHECK_STR(s->body, "inline words and spaces\nblock\nnested\nafter\nline\nbreak here & "
                       "\xE2\x9C\x93 \xF0\x9F\x98\x80 \xE2\x82\xAC\na b c\nd e\none\ntwo\n"
                       "xinline codey\nz");
    CHECK_STR(s->code, "first line\n  indented <tag>\nsecond block");
    ofs_html_page_free(h);
}

static void test_content_selection(void)
{
    warnings w = {0};
    const char *chrome = "<header><a>Site banner</a></header><nav>Menu</nav>"
                         "<aside>Sidebar</aside><footer>Footer text</footer>"
                         "<script>var secret = 1;</script><style>p{}</style>"
                         "<noscript>Enable JS</noscript><template><p>Tmpl</p></template>"
                         "<form><label>Search</label><input></form>"
                         "<div role=\"navigation\">Role nav</div><button>Copy</button>"
                         "<p hidden>Hidden</p><div data-ofsearch-ignore>Ignored</div>";
    char src[4096];
    /* <body>: all the chrome left out, the banner header too. */
    snprintf(src, sizeof src, "<body>%s<h1>Title</h1><p>Body text.</p></body>", chrome);
    ofs_html_page *h = parse(src, &w);
    if (h) {
        const char *gone[] = {"Site banner", "Menu", "Sidebar", "Footer", "secret", "p{}",
                              "Enable JS", "Tmpl", "Search", "Role nav", "Copy", "Hidden",
                              "Ignored"};
        for (size_t i = 0; i < sizeof gone / sizeof *gone; i++)
            CHECK_MSG(!page_has(h, gone[i]), "\"%s\" left in", gone[i]);
        CHECK(page_has(h, "Body text."));
    }
    ofs_html_page_free(h);

    /* <main>, else [role=main], else the articles, else data-ofsearch-body first. */
    h = parse("<p>outside</p><main><p>in main</p></main><article><p>in article</p></article>", &w);
    if (h) {
        CHECK(page_has(h, "in main") && !page_has(h, "outside") && !page_has(h, "in article"));
    }
    ofs_html_page_free(h);
    h = parse("<p>outside</p><div role=\"main\"><p>in role</p></div>", &w);
    if (h)
        CHECK(page_has(h, "in role") && !page_has(h, "outside"));
    ofs_html_page_free(h);
    h = parse("<p>outside</p><article><p>first</p><article><p>inner</p></article></article>"
              "<p>between</p><article><p>second</p></article>",
              &w);
    if (h)
        CHECK(page_has(h, "first") && page_has(h, "inner") && page_has(h, "second") &&
              !page_has(h, "outside") && !page_has(h, "between"));
    ofs_html_page_free(h);
    h = parse("<main><p>main</p><div data-ofsearch-body><p>marked one</p></div></main>"
              "<div data-ofsearch-body><p>marked two</p></div>",
              &w);
    if (h)
        CHECK(page_has(h, "marked one") && page_has(h, "marked two") && !page_has(h, "main"));
    ofs_html_page_free(h);

    /* A header inside a sectioning element, or in a chosen root, is content. */
    h = parse("<body><article><header><h1>Post</h1></header><p>text</p></article>", &w);
    if (h)
        CHECK(find(h, OFS_KIND_SECTION, "Post") != NULL);
    ofs_html_page_free(h);
    h = parse("<body><header><h1>Banner title</h1></header><p>text</p>", &w);
    if (h)
        CHECK(!page_has(h, "Banner title"));
    ofs_html_page_free(h);

    /* Options: a root selector, extra ignores, no defaults. */
    ofs_html_options o = {0};
    o.warn = on_warn;
    o.warn_ctx = &w;
    o.root_selector = "div.content, #extra";
    o.ignore_selector = ".ad, [data-role=promo]";
    const char *page = "<main><p>main text</p></main><div class=\"x content\"><p>chosen</p>"
                       "<p class=\"ad\">buy</p><p data-role=\"promo\">promo</p>"
                       "<nav>still nav</nav></div><p id=\"extra\">extra</p>";
    int rc;
    char *err;
    h = parse_opts(page, strlen(page), &o, &rc, &err);
    if (h)
        CHECK(page_has(h, "chosen") && page_has(h, "extra") && !page_has(h, "main text") &&
              !page_has(h, "buy") && !page_has(h, "promo") && !page_has(h, "still nav"));
    ofs_html_page_free(h);
    o.no_default_ignore = 1;
    h = parse_opts(page, strlen(page), &o, &rc, &err);
    if (h)
        CHECK(page_has(h, "still nav") && !page_has(h, "buy"));
    ofs_html_page_free(h);
    o.no_default_ignore = 0;
    o.root_selector = "section.none";
    int before = w.count;
    h = parse_opts(page, strlen(page), &o, &rc, &err);
    CHECK_INT(w.count, before + 1);
    CHECK(strstr(w.msg, "section.none") != NULL);
    if (h)
        CHECK(page_has(h, "main text"));
    ofs_html_page_free(h);

    /* A bad selector is refused with a message, here and by ofs_html_check_selector. */
    o.root_selector = "div > p";
    h = parse_opts(page, strlen(page), &o, &rc, &err);
    CHECK_INT(rc, OFS_INVALID);
    CHECK(h == NULL && err && strstr(err, "combinators"));
    free(err);
    const char *bad[] = {"a:hover", "[x~=y]", "div,", ".", "#a#b", "[x", "p span", "a >b"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        err = NULL;
        CHECK_MSG(ofs_html_check_selector(bad[i], &err) == OFS_INVALID, "%s accepted", bad[i]);
        CHECK(err != NULL);
        free(err);
    }
    const char *good[] = {"", "*", "div", "DIV.a.b#c[role][x=\"a b\"]", " nav , .x ",
                          "my-element", "[data-x='1']"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        CHECK_MSG(ofs_html_check_selector(good[i], NULL) == OFS_OK, "%s refused", good[i]);
    CHECK(ofs_html_check_selector(OFS_HTML_DEFAULT_IGNORE, NULL) == OFS_OK);
}

static void test_selector_matching(void)
{
    warnings w = {0};
    ofs_html_options o = {0};
    o.no_default_ignore = 1;
    o.ignore_selector = "MY-WIDGET, span.a.b, [lang=de], #gone, [data-flag], p.x";
    const char *page = "<p>keep1 <my-widget>custom</my-widget> <span class=\"a\">keep2</span> "
                       "<span class=\" b  a \">both</span> <span lang=\"de\">deutsch</span> "
                       "<span lang=\"de-AT\">keep3</span> <b id=\"gone\">byid</b> "
                       "<i data-flag=\"\">flagged</i></p><p class=\"xx\">keep4</p>"
                       "<p class=\"y x\">classx</p>";
    int rc;
    char *err;
    ofs_html_page *h = parse_opts(page, strlen(page), &o, &rc, &err);
    if (!h)
        return;
    (void)w;
    const char *kept[] = {"keep1", "keep2", "keep3", "keep4"};
    const char *gone[] = {"custom", "both", "deutsch", "byid", "flagged", "classx"};
    for (size_t i = 0; i < 4; i++)
        CHECK_MSG(page_has(h, kept[i]), "%s dropped", kept[i]);
    for (size_t i = 0; i < 6; i++)
        CHECK_MSG(!page_has(h, gone[i]), "%s kept", gone[i]);
    ofs_html_page_free(h);
}

static void test_filters_meta(void)
{
    warnings w = {0};
    ofs_html_page *h = parse(
        "<head><meta data-ofsearch-filter=\"version[Content]\" content=\"2.1\"></head>"
        "<body><nav data-ofsearch-filter=\"section:Guides\">menu</nav><main>"
        "<p>By <span data-ofsearch-meta=\"author\"> Ada \n Lovelace </span>.</p>"
        "<span data-ofsearch-meta=\"author:Someone else\"></span>"
        "<span data-ofsearch-filter=\"tag: cli\"></span><span data-ofsearch-filter=\"tag:tui\">"
        "</span><span data-ofsearch-filter=\":novalue\"></span>"
        "<span data-ofsearch-filter=\"empty:\"></span>"
        "<img data-ofsearch-meta=\"image[src]\" src=\"/a.png\"></main>",
        &w);
    if (!h)
        return;
    CHECK_INT(h->nfilters, 4);
    if (h->nfilters == 4) {
        CHECK_STR(h->filters[0].key, "version");
        CHECK_STR(h->filters[0].value, "2.1");
        CHECK_STR(h->filters[1].key, "section"); /* in an ignored element: still read */
        CHECK_STR(h->filters[1].value, "Guides");
        CHECK_STR(h->filters[2].key, "tag");
        CHECK_STR(h->filters[2].value, "cli");
        CHECK_STR(h->filters[3].value, "tui");
    }
    CHECK_INT(h->page->nmeta, 2);
    if (h->page->nmeta == 2) {
        CHECK_STR(h->page->meta[0].key, "author"); /* the first value of a key wins */
        CHECK_STR(h->page->meta[0].value, "Ada Lovelace");
        CHECK_STR(h->page->meta[1].key, "image");
        CHECK_STR(h->page->meta[1].value, "/a.png");
    }
    CHECK(page_has(h, "By Ada Lovelace ."));
    ofs_html_page_free(h);

    /* At most 256 pairs a page, values cut at 1 KiB on a character boundary. */
    size_t n = 300 * 64 + 4096;
    char *src = malloc(n), *p = src;
    p += sprintf(p, "<b data-ofsearch-meta=\"long\">");
    for (int i = 0; i < 600; i++)
        p += sprintf(p, "\xC3\xA9");
    p += sprintf(p, "</b>");
    for (int i = 0; i < 300; i++)
        p += sprintf(p, "<b data-ofsearch-filter=\"k%d:v\"></b>", i);
    h = parse(src, &w);
    if (h) {
        CHECK_INT(h->nfilters, 255);
        CHECK_INT(h->page->nmeta, 1);
        if (h->page->nmeta == 1)
            CHECK(strlen(h->page->meta[0].value) <= 1024 && valid_utf8(h->page->meta[0].value));
    }
    ofs_html_page_free(h);
    free(src);
}

static void test_glossary_faq(void)
{
    warnings w = {0};
    ofs_html_page *h = parse(
        "<main><h2 id=\"g\">Glossary</h2>"
        "<dl><dt id=\"t-acid\">ACID</dt><dd>Atomicity, consistency.</dd><dd>More.</dd>"
        "<dt><a id=\"t-mvcc\"></a>MVCC</dt><dd>Multiversion <dl><dt>Inner</dt><dd>nested"
        "</dd></dl> control.</dd><dt>WAL</dt><dd>Write-ahead log.</dd></dl>"
        "<p>After the list.</p>"
        "<h2 id=\"q\">Why use it?</h2><p>Because.</p>"
        "<h3 id=\"q2\">Q: Is it fast?</h3><p>Yes.</p>"
        "<h2 id=\"faq\">FAQ</h2>"
        "<details id=\"d1\"><summary>How do I start?</summary><p>Run it.</p></details>"
        "<details><summary id=\"d2\">Can it stop?</summary>Yes, it can.</details>"
        "<details><summary>Notes</summary><p>Plain.</p></details>"
        "<h4 id=\"deep\">Is depth fine?</h4><p>Deep answer.</p>"
        "<h4 id=\"plain\">Plain deep</h4><p>Plain answer.</p>"
        "</main>",
        &w);
    if (!h)
        return;
    const ofs_section *t = expect(h, OFS_KIND_TERM, "ACID", "t-acid", "Glossary");
    if (t)
        CHECK_STR(t->body, "ACID\nAtomicity, consistency.\nMore.");
    t = expect(h, OFS_KIND_TERM, "MVCC", "t-mvcc", "Glossary");
    if (t)
        CHECK(strstr(t->body, "Inner") && strstr(t->body, "control."));
    CHECK(find(h, OFS_KIND_TERM, "Inner") == NULL);
    t = expect(h, OFS_KIND_TERM, "WAL", "g", "Glossary"); /* no id: its section's */
    if (t)
        CHECK(!strstr(t->body, "After the list."));
    const ofs_section *g = expect(h, OFS_KIND_SECTION, "Glossary", "g", "");
    if (g)
        CHECK(strstr(g->body, "ACID") && strstr(g->body, "Write-ahead log.") &&
              strstr(g->body, "After the list."));
    const ofs_section *q = expect(h, OFS_KIND_FAQ, "Why use it?", "q", "");
    if (q)
        CHECK_STR(q->body, "Because.");
    expect(h, OFS_KIND_FAQ, "Is it fast?", "q2", "Why use it?");
    const ofs_section *d = expect(h, OFS_KIND_FAQ, "How do I start?", "d1", "FAQ");
    if (d)
        CHECK_STR(d->body, "How do I start?\nRun it.");
    d = expect(h, OFS_KIND_FAQ, "Can it stop?", "d2", "FAQ");
    if (d)
        CHECK_STR(d->body, "Can it stop?\nYes, it can.");
    CHECK(find(h, OFS_KIND_FAQ, "Notes") == NULL);
    d = expect(h, OFS_KIND_FAQ, "Is depth fine?", "deep", "FAQ");
    if (d)
        CHECK_STR(d->body, "Deep answer.");
    const ofs_section *f = expect(h, OFS_KIND_SECTION, "FAQ", "faq", "");
    if (f) /* entries' text and deeper headings stay in the section */
        CHECK(strstr(f->body, "Run it.") && strstr(f->body, "Is depth fine?\nDeep answer.") &&
              strstr(f->body, "Plain deep\nPlain answer."));
    CHECK_INT(count_kind(h, OFS_KIND_TERM), 3);
    CHECK_INT(count_kind(h, OFS_KIND_FAQ), 5);
    ofs_html_page_free(h);
}

/* ---- generator-like fixtures ----------------------------------------------------------------- */

static void test_fixtures(void)
{
    ofs_html_page *h = parse_fixture("sphinx.html");
    if (h) {
        CHECK_STR(h->page->title, "widgets \xE2\x80\x94 Make and mend widgets");
        CHECK_STR(h->lang, "en");
        CHECK_STR(h->canonical, "https://docs.example.org/2.1/library/widgets.html");
        CHECK_STR(h->page->description, "How to make and mend widgets.");
        expect(h, OFS_KIND_SECTION, "widgets \xE2\x80\x94 Make and mend widgets", "module-widgets",
               "");
        expect(h, OFS_KIND_SECTION, "Basic Usage", "basic-usage", NULL);
        expect(h, OFS_KIND_TERM, "widgets.make(count)", "widgets.make", NULL);
        expect(h, OFS_KIND_TERM, "sprocket", "term-sprocket", NULL);
        CHECK(find(h, OFS_KIND_TERM, "Parameters:") == NULL);
        const ofs_section *m = expect(h, OFS_KIND_SECTION, "Mending", "mending", NULL);
        if (m)
            CHECK_STR(m->body, "Mend them with glue.\nGlue types\nWood glue holds best.");
        const ofs_section *top = find(h, OFS_KIND_SECTION, h->page->title);
        if (top)
            CHECK(strstr(top->code, ">>> import widgets\n>>> widgets.make(3)") != NULL);
        const char *chrome[] = {"\xC2\xB6", "Navigation", "Previous topic", "Show Source",
                                "Copyright", "Table of Contents"};
        for (size_t i = 0; i < sizeof chrome / sizeof *chrome; i++)
            CHECK_MSG(!page_has(h, chrome[i]), "sphinx: \"%s\" left in", chrome[i]);
    }
    ofs_html_page_free(h);

    h = parse_fixture("docbook.html");
    if (h) {
        CHECK_STR(h->page->title, "7.2. Sprockets");
        expect(h, OFS_KIND_SECTION, "7.2. Sprockets", "PARTS-SPROCKETS", "");
        const ofs_section *t = expect(h, OFS_KIND_SECTION, "7.2.1. Teeth", "PARTS-SPROCKETS-TEETH",
                                      "7.2. Sprockets");
        /* The admonition's heading is a label: the text after it stays in 7.2.1. */
        CHECK(find(h, OFS_KIND_SECTION, "Caution") == NULL);
        if (t)
            CHECK(strstr(t->body, "Caution\nNever oil the teeth.\nReplace worn teeth.") != NULL);
        expect(h, OFS_KIND_TERM, "--pitch", "OPT-PITCH", NULL);
        expect(h, OFS_KIND_TERM, "--count", "PARTS-SPROCKETS-TEETH", NULL);
        CHECK(!page_has(h, "Prev") && !page_has(h, "Home") && !page_has(h, "Chapter 7"));
        CHECK(find(h, OFS_KIND_TERM, "7.2.1. Teeth") == NULL); /* the toc is left out */
    }
    ofs_html_page_free(h);

    h = parse_fixture("docusaurus.html");
    if (h) {
        CHECK_STR(h->page->title, "Installer le serveur");
        CHECK_STR(h->lang, "fr");
        CHECK_STR(h->page->description, "Installer le serveur pas \xC3\xA0 pas.");
        expect(h, OFS_KIND_SECTION, "Pr\xC3\xA9requis", "pr\xC3\xA9requis", NULL);
        expect(h, OFS_KIND_FAQ, "Quel port utiliser ?", "port-faq", NULL);
        expect(h, OFS_KIND_FAQ, "Pourquoi Gadget ?", "pourquoi", NULL);
        CHECK(!page_has(h, "Modifier cette page") && !page_has(h, "Blog") &&
              !page_has(h, "Accueil") && !page_has(h, "Introduction") &&
              !page_has(h, "Ne pas indexer") && !page_has(h, "Copyright") &&
              !page_has(h, "\xE2\x80\x8B"));
        CHECK(page_has(h, "4 Go de m\xC3\xA9moire"));
        CHECK_INT(h->nfilters, 1);
    }
    ofs_html_page_free(h);

    h = parse_fixture("latin1.html");
    if (h) {
        CHECK_STR(h->page->title, "Caf\xC3\xA9 cr\xC3\xA8me");
        CHECK(page_has(h, "Un caf\xC3\xA9 co\xC3\xBBte 2\xE2\x82\xAC \xE2\x80\x94 "
                          "\xC2\xAB" "bon\xC2\xBB."));
    }
    ofs_html_page_free(h);
}

/* ---- HTML5 tree building ------------------------------------------------------------------- */

static void test_html5(void)
{
    warnings w = {0};
    ofs_html_page *h = parse("<p>one<p>two<ul><li>alpha<li>beta</ul><p>three", &w);
    if (h)
        CHECK_STR(h->page->sections[0].body, "one\ntwo\nalpha\nbeta\nthree");
    ofs_html_page_free(h);
    /* Misnested formatting (the adoption agency) and a table with no tbody. */
    h = parse("<p><b>bold<i>both</b>italic</i>plain</p><table><tr><td>a<td>b</table>", &w);
    if (h)
        CHECK_STR(h->page->sections[0].body, "boldbothitalicplain\na b");
    ofs_html_page_free(h);
    /* Foster parenting: text misplaced in a table comes out before it. */
    h = parse("<table><tr><td>cell</td></tr><p>fostered</p></table>", &w);
    if (h)
        CHECK_STR(h->page->sections[0].body, "fostered\ncell");
    ofs_html_page_free(h);
    /* A <p> is closed by <section>, so the section's id anchors its heading. */
    h = parse("<main><p>lead<section id=\"s\"><h2>In section</h2><p>t</section></main>", &w);
    if (h)
        expect(h, OFS_KIND_SECTION, "In section", "s", NULL);
    ofs_html_page_free(h);
    /* Script text is never markup: "</p><h1>" inside it starts nothing. */
    h = parse("<script>if (a < b) { document.write(\"</p><h1>Fake</h1>\") }</script><p>real</p>",
              &w);
    if (h) {
        CHECK(find(h, OFS_KIND_SECTION, "Fake") == NULL);
        CHECK(!page_has(h, "Fake") && page_has(h, "real"));
    }
    ofs_html_page_free(h);
    /* CDATA is text in SVG only; SVG is left out by default, read without the defaults. */
    ofs_html_options o = {0};
    o.no_default_ignore = 1;
    const char *svg = "<p>a<![CDATA[ html cdata ]]>b</p><svg><![CDATA[x < y]]>"
                      "<foreignObject><p>in foreign</p></foreignObject></svg><p>after</p>";
    int rc;
    char *err;
    h = parse_opts(svg, strlen(svg), &o, &rc, &err);
    if (h) {
        CHECK(page_has(h, "x < y") && page_has(h, "in foreign") && page_has(h, "after"));
        CHECK(!page_has(h, "html cdata")); /* a bogus comment in HTML content */
    }
    ofs_html_page_free(h);
    h = parse(svg, &w);
    if (h)
        CHECK(!page_has(h, "x < y") && page_has(h, "after"));
    ofs_html_page_free(h);
    /* <template> content is not rendered. */
    h = parse("<template><h1>T</h1><p>tmpl</p></template><p>shown</p>", &w);
    if (h)
        CHECK(!page_has(h, "tmpl") && find(h, OFS_KIND_SECTION, "T") == NULL);
    ofs_html_page_free(h);
    /* <textarea> and <title> content are text, not markup. */
    h = parse("<title>a <b>b</b></title><main><p>x</p></main>", &w);
    if (h)
        CHECK_STR(h->page->title, "a <b>b</b>");
    ofs_html_page_free(h);
}

/* ---- charsets and bad input ----------------------------------------------------------------- */

static void test_charsets(void)
{
    warnings w = {0};
    int rc;
    char *err;
    /* windows-1251 through http-equiv; ICU does the conversion. */
    const char *ru = "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1251\">"
                     "<h1>\xcf\xf0\xe8\xe2\xe5\xf2</h1>";
    ofs_html_page *h = parse_opts(ru, strlen(ru), NULL, &rc, &err);
    if (h)
        CHECK_STR(h->page->title, "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82");
    ofs_html_page_free(h);
    /* UTF-16LE with a BOM. */
    const char u16[] = "\xFF\xFE<\0h\0" "1\0>\0\xE9\0t\0\xE9\0<\0/\0h\0" "1\0>\0";
    h = parse_opts(u16, sizeof u16 - 1, NULL, &rc, &err);
    CHECK_MSG(rc == OFS_OK, "utf-16: %s", err ? err : "");
    free(err);
    if (h)
        CHECK_STR(h->page->title, "\xC3\xA9t\xC3\xA9");
    ofs_html_page_free(h);
    /* A UTF-8 BOM, and a meta saying UTF-16 (which means UTF-8: the page was readable). */
    h = parse("\xEF\xBB\xBF<meta charset=utf-16><h1>\xC3\xA9t\xC3\xA9</h1>", &w);
    if (h)
        CHECK_STR(h->page->title, "\xC3\xA9t\xC3\xA9");
    ofs_html_page_free(h);
    /* An unknown charset: read as UTF-8, with a warning. */
    ofs_html_options o = {0};
    o.warn = on_warn;
    o.warn_ctx = &w;
    const char *unk = "<meta charset=\"klingon-8\"><h1>caf\xC3\xA9</h1>";
    h = parse_opts(unk, strlen(unk), &o, &rc, &err);
    CHECK_INT(w.count, 1);
    CHECK(strstr(w.msg, "klingon-8") != NULL);
    if (h)
        CHECK_STR(h->page->title, "caf\xC3\xA9");
    ofs_html_page_free(h);
    /* Invalid UTF-8 becomes U+FFFD; NUL bytes vanish from text as in browsers. */
    const char bad[] = "<!DOCTYPE html><h1>a\xFF" "b\xC3(</h1><p>x\0y\xED\xA0\x80z</p>";
    h = parse_opts(bad, sizeof bad - 1, NULL, &rc, &err);
    CHECK_MSG(rc == OFS_OK, "invalid utf-8: %s", err ? err : "");
    free(err);
    if (h) {
        CHECK_STR(h->page->title, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD(");
        CHECK(page_has(h, "xy"));
        CHECK(page_has(h, "y\xEF\xBF\xBD"));
    }
    ofs_html_page_free(h);
}

static void test_bad_input(void)
{
    int rc;
    char *err;
    /* Binary data with a .html name: refused, saying what it looks like. */
    const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10";
    ofs_html_page *h = parse_opts(png, sizeof png - 1, NULL, &rc, &err);
    CHECK_INT(rc, OFS_INVALID);
    CHECK(h == NULL && err && strstr(err, "PNG image") && strstr(err, "not HTML"));
    free(err);
    unsigned char junk[4096];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (unsigned char)((x = x * 1103515245u + 12345u) >> 24);
    h = parse_opts((const char *)junk, sizeof junk, NULL, &rc, &err);
    CHECK_INT(rc, OFS_INVALID);
    CHECK(h == NULL && err && strstr(err, "binary data"));
    free(err);
    /* The same junk after an HTML start is a (strange) page: parsed, all strings valid. */
    char *page = malloc(sizeof junk + 32);
    memcpy(page, "<!DOCTYPE html><p>", 18);
    memcpy(page + 18, junk, sizeof junk);
    h = parse_opts(page, 18 + sizeof junk, NULL, &rc, &err);
    CHECK_MSG(rc == OFS_OK, "junk after doctype: %s", err ? err : "");
    free(err);
    ofs_html_page_free(h);
    free(page);
    /* Empty and whitespace-only pages: one intro section titled from the file name. */
    h = parse_opts("", 0, NULL, &rc, &err);
    CHECK_INT(rc, OFS_OK);
    if (h) {
        CHECK_INT(h->page->nsections, 1);
        CHECK_STR(h->page->title, "page");
    }
    ofs_html_page_free(h);
    h = parse_opts(NULL, 5, NULL, &rc, &err);
    CHECK_INT(rc, OFS_OK);
    ofs_html_page_free(h);
    /* Malformed markup of every kind still gives sections. */
    const char *broken[] = {"<", "<<<>>>", "</p></div></html>", "<h1", "<h2 id=\"x>never",
                            "<!--", "<![CDATA[", "<table><td><h2>in cell", "<a href='",
                            "<h1><h2><h3>x</h1></h2>", "&#xFFFFFFFF; &#0; &#xD800;",
                            "<select><h1>in select</h1>", "<plaintext><h1>plain"};
    for (size_t i = 0; i < sizeof broken / sizeof *broken; i++) {
        h = parse_opts(broken[i], strlen(broken[i]), NULL, &rc, &err);
        CHECK_MSG(rc == OFS_OK, "%s: %s", broken[i], err ? err : "");
        free(err);
        ofs_html_page_free(h);
    }
}

static char *repeat(const char *head, const char *unit, size_t times, const char *tail,
                    size_t *len)
{
    size_t hn = strlen(head), un = strlen(unit), tn = strlen(tail);
    char *s = malloc(hn + un * times + tn + 1);
    memcpy(s, head, hn);
    for (size_t i = 0; i < times; i++)
        memcpy(s + hn + i * un, unit, un);
    memcpy(s + hn + un * times, tail, tn + 1);
    *len = hn + un * times + tn;
    return s;
}

static void test_limits(void)
{
    int rc;
    char *err;
    size_t len;
    /* 100,000 nested elements: walked without recursion (no stack overflow), text kept. */
    char *deep = repeat("<!DOCTYPE html><body>", "<span>", 100000, "deep text<h2>end</h2>", &len);
    ofs_html_page *h = parse_opts(deep, len, NULL, &rc, &err);
    CHECK_MSG(rc == OFS_OK, "nested spans: %s", err ? err : "");
    free(err);
    if (h)
        CHECK(page_has(h, "deep text") && find(h, OFS_KIND_SECTION, "end"));
    ofs_html_page_free(h);
    free(deep);
    /* 100,000 nested blocks make Gumbo quadratic: stopped by the CPU budget with a clear
     * error, well before a test timeout. */
    deep = repeat("<!DOCTYPE html><body>", "<div>", 100000, "x", &len);
    ofs_html_options o = {0};
    o.max_seconds = 0.5;
    double t0 = now();
    h = parse_opts(deep, len, &o, &rc, &err);
    double took = now() - t0;
    CHECK_INT(rc, OFS_TIMEOUT);
    CHECK(h == NULL && err && strstr(err, "CPU-time budget"));
    CHECK_MSG(took < 10, "took %.1f s", took);
    free(err);
    free(deep);
    /* The memory budget. */
    char *wide = repeat("<!DOCTYPE html><body>", "<p>x", 100000, "", &len);
    o.max_seconds = 0;
    o.max_memory = 1 << 20;
    h = parse_opts(wide, len, &o, &rc, &err);
    CHECK_INT(rc, OFS_TOOLONG);
    CHECK(h == NULL && err && strstr(err, "memory budget"));
    free(err);
    o.max_memory = 0; /* the default budget takes it */
    h = parse_opts(wide, len, &o, &rc, &err);
    CHECK_INT(rc, OFS_OK);
    if (h)
        CHECK_INT(strlen(h->page->sections[0].body), 2 * 100000 - 1);
    ofs_html_page_free(h);
    free(wide);
    /* A 100 MB page is refused before any parsing (default limit 32 MiB); a raised limit is
     * honoured. */
    len = (size_t)100 * 1000 * 1000;
    char *big = malloc(len);
    if (big) {
        memset(big, 'a', len);
        memcpy(big, "<p>", 3);
        t0 = now();
        h = parse_opts(big, len, NULL, &rc, &err);
        CHECK_INT(rc, OFS_TOOLONG);
        CHECK(h == NULL && err && strstr(err, "over the"));
        CHECK(now() - t0 < 1.0);
        free(err);
        o.max_bytes = 1000;
        h = parse_opts(big, 1001, &o, &rc, &err);
        CHECK_INT(rc, OFS_TOOLONG);
        CHECK(h == NULL);
        free(err);
        h = parse_opts(big, 1000, &o, &rc, &err);
        CHECK_INT(rc, OFS_OK);
        ofs_html_page_free(h);
        free(big);
    }
}

static void test_paths(void)
{
    CHECK(ofs_is_html_path("a/b.html"));
    CHECK(ofs_is_html_path("INDEX.HTM"));
    CHECK(!ofs_is_html_path("a.html/b"));
    CHECK(!ofs_is_html_path("a.xhtml"));
    CHECK(!ofs_is_html_path("html"));
    CHECK(!ofs_is_html_path("a.md"));
}

/* ---- real manuals ---------------------------------------------------------------------------- */

/* The id and name attribute values of a page, found by a plain scan of its bytes (not by the
 * parser under test): ` id="x"`, ` name='x'`, ` id=x`. Entities are left as written, which the
 * manuals' ids do not use. */
typedef struct {
    char **v;
    size_t n, cap;
} idset;

static void ids_of(const char *src, size_t len, idset *ids)
{
    ids->n = 0;
    for (size_t i = 1; i + 4 < len; i++) {
        size_t k;
        if (src[i] == 'i' && src[i + 1] == 'd' && src[i + 2] == '=')
            k = i + 3;
        else if (!strncmp(src + i, "name=", 5))
            k = i + 5;
        else
            continue;
        char prev = src[i - 1];
        if (prev != ' ' && prev != '\n' && prev != '\t')
            continue;
        char q = src[k] == '"' || src[k] == '\'' ? src[k++] : 0;
        size_t e = k;
        while (e < len && (q ? src[e] != q : src[e] != ' ' && src[e] != '>'))
            e++;
        if (ids->n == ids->cap) {
            ids->cap = ids->cap ? ids->cap * 2 : 256;
            ids->v = realloc(ids->v, ids->cap * sizeof *ids->v);
        }
        ids->v[ids->n++] = strndup(src + k, e - k);
    }
}

static int has_id(const idset *ids, const char *a)
{
    for (size_t i = 0; i < ids->n; i++)
        if (!strcmp(ids->v[i], a))
            return 1;
    return 0;
}

static struct {
    const char *name;
    const char *const *chrome; /* text that only the generator's navigation holds */
    long pages, failed, untitled, sections, bad_anchors, chrome_hits, terms, faqs;
    double bytes, seconds;
    idset ids;
} manual;

static int visit(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    if (type != FTW_F || !ofs_is_html_path(path))
        return 0;
    size_t len;
    char *src = read_file(path, &len);
    if (!src)
        return 0;
    ofs_html_page *h = NULL;
    char *err = NULL;
    double t0 = now();
    int rc = ofs_html_parse(src, len, path, NULL, &h, &err);
    manual.seconds += now() - t0;
    manual.bytes += (double)len;
    manual.pages++;
    if (rc != OFS_OK || !h || !page_ok(h)) {
        if (manual.failed++ < 5)
            fprintf(stderr, "%s: %s: %s\n", manual.name, path, err ? err : "bad strings");
        free(err);
        ofs_html_page_free(h);
        free(src);
        return 0;
    }
    if (!*h->page->title && manual.untitled++ < 5)
        fprintf(stderr, "%s: %s: no title\n", manual.name, path);
    ids_of(src, len, &manual.ids);
    for (size_t i = 0; i < h->page->nsections; i++) {
        const ofs_section *s = &h->page->sections[i];
        manual.sections++;
        manual.terms += s->kind == OFS_KIND_TERM;
        manual.faqs += s->kind == OFS_KIND_FAQ;
        if (*s->anchor && !has_id(&manual.ids, s->anchor) && manual.bad_anchors++ < 5)
            fprintf(stderr, "%s: %s: anchor \"%s\" (section \"%s\") is not in the page\n",
                    manual.name, path, s->anchor, s->title);
        for (const char *const *c = manual.chrome; *c; c++)
            if ((strstr(s->body, *c) || strstr(s->title, *c)) && manual.chrome_hits++ < 5)
                fprintf(stderr, "%s: %s: navigation text \"%s\" in section \"%s\"\n",
                        manual.name, path, *c, s->title);
    }
    for (size_t i = 0; i < manual.ids.n; i++)
        free(manual.ids.v[i]);
    ofs_html_page_free(h);
    free(src);
    return 0;
}

/* 1 when the manual was there to check. */
static int check_manual(const char *name, const char *dir, const char *const *chrome)
{
    struct stat st;
    if (stat(dir, &st) != 0) {
        printf("skip: %s not installed (%s missing)\n", name, dir);
        return 0;
    }
    memset(&manual, 0, sizeof manual);
    manual.name = name;
    manual.chrome = chrome;
    nftw(dir, visit, 16, FTW_PHYS);
    free(manual.ids.v);
    printf("%s: %ld pages (%.1f MB) in %.2f s, %ld sections (%ld terms, %ld faq); failed %ld, "
           "untitled %ld, anchors missing %ld, navigation text %ld\n",
           name, manual.pages, manual.bytes / 1e6, manual.seconds, manual.sections, manual.terms,
           manual.faqs, manual.failed, manual.untitled, manual.bad_anchors, manual.chrome_hits);
    CHECK(manual.pages > 100);
    CHECK_INT(manual.failed, 0);
    CHECK_INT(manual.untitled, 0);
    CHECK_INT(manual.bad_anchors, 0);
    CHECK_INT(manual.chrome_hits, 0);
    return 1;
}

static void test_manuals(void)
{
    /* The Sphinx chrome: permalink marks, the sidebar's and footer's fixed texts. */
    static const char *const python[] = {"\xC2\xB6", "Previous topic", "Next topic",
                                         "Report a Bug", "Show Source", "This Page",
                                         "Python Software Foundation. This page is licensed",
                                         NULL};
    /* DocBook's navigation header and footer: Prev / Up / Home / Next. */
    static const char *const postgres[] = {"Prev Up", "Up Home", "Home Next", NULL};
    int n = check_manual("python3.11-doc", "/usr/share/doc/python3.11/html", python);
    n += check_manual("postgresql-doc-15", "/usr/share/doc/postgresql-doc-15/html", postgres);
    if (!n)
        printf("skip: real-manual checks need python3.11-doc or postgresql-doc-15\n");
}

int main(void)
{
    test_paths();
    test_sections();
    test_anchors();
    test_title_and_head();
    test_text_layout();
    test_content_selection();
    test_selector_matching();
    test_filters_meta();
    test_glossary_faq();
    test_fixtures();
    test_html5();
    test_charsets();
    test_bad_input();
    test_limits();
    test_manuals();
    return check_summary("test_html");
}
