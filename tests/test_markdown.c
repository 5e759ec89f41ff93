/* Tests for lib/markdown.c and lib/frontmatter.c: every construct on fixtures under
 * tests/fixtures/markdown/ (kind, title, breadcrumb, anchor, body/code contents asserted), and
 * hostile inputs built here (invalid UTF-8, NUL, binary junk, huge lines, deep nesting). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "util.h"
#include "ofsearch/markdown.h"
#include "ofsearch/ofsearch.h"

#define SEP " \xE2\x80\xBA "

typedef struct {
    int count;
    int line;
    char file[256];
    char msg[256];
} warnings;

static void on_warn(void *ctx, const char *file, int line, const char *msg)
{
    warnings *w = ctx;
    w->count++;
    w->line = line;
    snprintf(w->file, sizeof w->file, "%s", file);
    snprintf(w->msg, sizeof w->msg, "%s", msg);
}

static char *read_fixture(const char *name, size_t *len)
{
    const char *root = getenv("OFS_SOURCE_ROOT");
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/fixtures/markdown/%s", root ? root : ".", name);
    char *text = NULL;
    int e = ofsi_read_file(path, SIZE_MAX, &text, len, NULL);
    if (e)
        fprintf(stderr, "cannot read fixture %s: %s\n", path, strerror(e));
    return text;
}

/* Independent UTF-8 check (not the library's): well-formed, no NUL inside. */
static int valid_utf8(const char *str)
{
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

/* Every string of the page is non-NULL and valid UTF-8. */
static int page_strings_ok(const ofs_page *p)
{
    const char *top[] = {p->title, p->description, p->tags, p->slug};
    for (int i = 0; i < 4; i++)
        if (!top[i] || !valid_utf8(top[i]))
            return 0;
    for (size_t i = 0; i < p->nmeta; i++)
        if (!p->meta[i].key || !p->meta[i].value || !valid_utf8(p->meta[i].key) ||
            !valid_utf8(p->meta[i].value))
            return 0;
    for (size_t i = 0; i < p->nsections; i++) {
        const ofs_section *s = &p->sections[i];
        const char *f[] = {s->title, s->breadcrumb, s->anchor, s->body, s->code};
        for (int k = 0; k < 5; k++)
            if (!f[k] || !valid_utf8(f[k]))
                return 0;
    }
    return p->nsections > 0;
}

static ofs_page *parse_mem(const char *src, size_t len, const char *name, int depth,
                           warnings *w)
{
    ofs_markdown_options o = {depth, on_warn, w};
    ofs_page *page = NULL;
    char *err = NULL;
    int rc = ofs_markdown_parse(src, len, name, &o, &page, &err);
    CHECK_MSG(rc == OFS_OK, "%s: rc %d %s", name, rc, err ? err : "");
    free(err);
    if (page)
        CHECK_MSG(page_strings_ok(page), "%s: strings not valid UTF-8 or no section", name);
    return page;
}

static ofs_page *parse_fixture(const char *name, int depth, warnings *w)
{
    size_t len;
    memset(w, 0, sizeof *w);
    char *src = read_fixture(name, &len);
    CHECK_MSG(src != NULL, "fixture %s", name);
    if (!src)
        return NULL;
    ofs_page *p = parse_mem(src, len, name, depth, w);
    free(src);
    return p;
}

static const ofs_section *find(const ofs_page *p, ofs_kind kind, const char *title)
{
    for (size_t i = 0; p && i < p->nsections; i++)
        if (p->sections[i].kind == kind && strcmp(p->sections[i].title, title) == 0)
            return &p->sections[i];
    return NULL;
}

static int count_kind(const ofs_page *p, ofs_kind kind)
{
    int n = 0;
    for (size_t i = 0; p && i < p->nsections; i++)
        n += p->sections[i].kind == kind;
    return n;
}

#define HAS(hay, needle) CHECK_MSG((hay) && strstr((hay), (needle)), "missing \"%s\"", needle)
#define LACKS(hay, needle) CHECK_MSG((hay) && !strstr((hay), (needle)), "unwanted \"%s\"", needle)

/* Asserts a section exists with this kind/title, breadcrumb and anchor; returns it. */
static const ofs_section *expect(const ofs_page *p, ofs_kind kind, const char *title,
                                 const char *crumb, const char *anchor)
{
    const ofs_section *s = find(p, kind, title);
    CHECK_MSG(s != NULL, "no %s \"%s\"", ofs_kind_name(kind), title);
    if (!s)
        return NULL;
    CHECK_STR(s->breadcrumb, crumb);
    CHECK_STR(s->anchor, anchor);
    return s;
}

static void test_kinds_and_slugify(void)
{
    CHECK_STR(ofs_kind_name(OFS_KIND_PAGE), "page");
    CHECK_STR(ofs_kind_name(OFS_KIND_TERM), "term");
    CHECK(ofs_kind_name((ofs_kind)42) == NULL);
    CHECK_INT(ofs_kind_parse("faq"), OFS_KIND_FAQ);
    CHECK_INT(ofs_kind_parse("section"), OFS_KIND_SECTION);
    CHECK_INT(ofs_kind_parse("Section"), -1);
    CHECK_INT(ofs_kind_parse(NULL), -1);
    static const char *cases[][2] = {
        {"Hello World", "hello-world"},
        {"  Trim me  ", "trim-me"},
        {"What's new in v2.0?", "whats-new-in-v20"},
        {"C++ & you", "c--you"},
        {"snake_case stays", "snake_case-stays"},
        {"Émigré Café", "émigré-café"},
        {"日本語 見出し", "日本語-見出し"},
        {"ΑΒΓ Greek", "αβγ-greek"},
        {"emoji \xF0\x9F\x9A\x80 rocket", "emoji--rocket"},
        {"a—b", "ab"},
        {"bad \xFF byte", "bad--byte"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *s = ofs_slugify(cases[i][0]);
        CHECK_STR(s, cases[i][1]);
        free(s);
    }
}

static void test_frontmatter(void)
{
    warnings w;
    ofs_page *p = parse_fixture("frontmatter_good.md", 3, &w);
    CHECK_INT(w.count, 0);
    CHECK_STR(p->title, "Quarterly Rocket Review");
    CHECK_STR(p->description, "How the launch team reviews rockets every quarter");
    CHECK_STR(p->tags, "rockets, reviews, process");
    CHECK_STR(p->slug, "/rocket-review");
    CHECK_INT(p->nmeta, 2); /* the nested mapping is not scalar metadata */
    if (p->nmeta == 2) {
        CHECK_STR(p->meta[0].key, "sidebar_position");
        CHECK_STR(p->meta[0].value, "4");
        CHECK_STR(p->meta[1].key, "owner");
        CHECK_STR(p->meta[1].value, "launch-team");
    }
    const ofs_section *s = expect(p, OFS_KIND_PAGE, "Quarterly Rocket Review", "", "");
    if (s) {
        HAS(s->body, "first week of every quarter");
        LACKS(s->body, "sidebar_position");
        LACKS(s->body, "launch-team");
    }
    /* No H1: the page title stands in for it in the breadcrumb. */
    expect(p, OFS_KIND_SECTION, "Agenda", "Quarterly Rocket Review", "agenda");
    ofs_page_free(p);

    p = parse_fixture("frontmatter_scalar_tags.md", 3, &w);
    CHECK_INT(w.count, 0);
    CHECK_STR(p->tags, "alpha, beta");
    CHECK_STR(p->title, "Scalar tags");
    ofs_page_free(p);

    p = parse_fixture("frontmatter_broken.md", 3, &w);
    CHECK_INT(w.count, 1);
    CHECK_INT(w.line, 4); /* the line after the unclosed `[` where libyaml gives up */
    CHECK_STR(w.file, "frontmatter_broken.md");
    HAS(w.msg, "front matter");
    CHECK_STR(p->title, "Heading Wins The Title");
    CHECK_STR(p->tags, "");
    s = expect(p, OFS_KIND_SECTION, "Heading Wins The Title", "", "heading-wins-the-title");
    if (s) {
        HAS(s->body, "Still indexed");
        LACKS(s->body, "unclosed flow");
    }
    ofs_page_free(p);

    p = parse_fixture("frontmatter_unclosed.md", 3, &w);
    CHECK_INT(w.count, 1);
    CHECK_INT(w.line, 1);
    HAS(w.msg, "closing");
    CHECK_STR(p->title, "Unclosed Title");
    s = find(p, OFS_KIND_SECTION, "Unclosed Title");
    CHECK(s != NULL);
    if (s)
        HAS(s->body, "Body after an unclosed");
    ofs_page_free(p);

    /* Warnings are optional: no callback, no crash. */
    const char *bad = "---\nkey: [\n---\ntext\n";
    ofs_markdown_options o = {0, NULL, NULL};
    char *err = NULL;
    CHECK_INT(ofs_markdown_parse(bad, strlen(bad), NULL, &o, &p, &err), OFS_OK);
    CHECK_STR(p->title, "");
    ofs_page_free(p);
    CHECK_INT(ofs_markdown_parse(bad, strlen(bad), "x.md", NULL, &p, &err), OFS_OK);
    CHECK_STR(p->title, "x");
    ofs_page_free(p);

    /* Not a mapping, CRLF line ends, BOM, `...` end marker, empty front matter. */
    memset(&w, 0, sizeof w);
    const char *list = "---\n- a\n- b\n---\nBody\n";
    p = parse_mem(list, strlen(list), "list.md", 3, &w);
    CHECK_INT(w.count, 1);
    CHECK_INT(w.line, 2);
    ofs_page_free(p);
    memset(&w, 0, sizeof w);
    const char *crlf = "\xEF\xBB\xBF---\r\ntitle: CRLF Title\r\n...\r\n# H\r\nBody\r\n";
    p = parse_mem(crlf, strlen(crlf), "crlf.md", 3, &w);
    CHECK_INT(w.count, 0);
    CHECK_STR(p->title, "CRLF Title");
    ofs_page_free(p);
    const char *empty = "---\n---\nJust text\n";
    p = parse_mem(empty, strlen(empty), "empty-fm.md", 3, &w);
    CHECK_INT(w.count, 0);
    CHECK_STR(p->title, "empty-fm");
    ofs_page_free(p);
    /* YAML escapes can produce NUL and invalid code points: cleaned, not truncated. */
    const char *esc = "---\ntitle: \"a\\0b\"\ndescription: \"\\xff\"\n---\n";
    p = parse_mem(esc, strlen(esc), "esc.md", 3, &w);
    CHECK_STR(p->title, "a\xEF\xBF\xBD" "b");
    ofs_page_free(p);
}

static void test_headings(void)
{
    warnings w;
    ofs_page *p = parse_fixture("headings.md", 3, &w);
    CHECK_INT(w.count, 0);
    CHECK_STR(p->title, "Space Station Manual"); /* first H1 */
    const ofs_section *s = expect(p, OFS_KIND_PAGE, "Space Station Manual", "", "");
    CHECK(p->nsections > 0 && &p->sections[0] == s);
    if (s) {
        CHECK_INT(s->level, 0);
        HAS(s->body, "Intro words");
        LACKS(s->body, "Station overview");
    }
    s = expect(p, OFS_KIND_SECTION, "Space Station Manual", "", "space-station-manual");
    if (s) {
        CHECK_INT(s->level, 1);
        HAS(s->body, "Station overview paragraph.");
        LACKS(s->body, "Oxygen");
    }
    s = expect(p, OFS_KIND_SECTION, "Water Recycling", "Space Station Manual" SEP "Life Support",
               "water-recycling");
    if (s) {
        CHECK_INT(s->level, 3);
        /* h4 and h5 are below max_depth: their titles and text belong here. */
        HAS(s->body, "Urine becomes drinking water.");
        HAS(s->body, "Filter Cartridges\nReplace cartridges every ninety days.");
        HAS(s->body, "Very deep text about membranes.");
        LACKS(s->body, "Carbon dioxide");
    }
    CHECK(find(p, OFS_KIND_SECTION, "Filter Cartridges") == NULL);
    expect(p, OFS_KIND_SECTION, "Air Scrubbers", "Space Station Manual" SEP "Life Support",
           "air-scrubbers");
    /* Duplicates: setup, setup-1, (h4) setup-2, setup-3. */
    s = find(p, OFS_KIND_SECTION, "Power");
    CHECK(s && strcmp(s->breadcrumb, "Space Station Manual") == 0);
    int setups = 0;
    const char *want_anchor[] = {"setup", "setup-1", "setup-3"};
    const char *want_parent[] = {"Power", "Docking", "Docking"};
    const char *want_text[] = {"First power", "Second setup", "Third setup"};
    for (size_t i = 0; i < p->nsections; i++) {
        s = &p->sections[i];
        if (strcmp(s->title, "Setup") != 0 || setups >= 3)
            continue;
        char crumb[128];
        snprintf(crumb, sizeof crumb, "Space Station Manual" SEP "%s", want_parent[setups]);
        CHECK_STR(s->anchor, want_anchor[setups]);
        CHECK_STR(s->breadcrumb, crumb);
        HAS(s->body, want_text[setups]);
        setups++;
    }
    CHECK_INT(setups, 3);
    s = find(p, OFS_KIND_SECTION, "Setup");
    if (s)
        LACKS(s->body, "Second setup");
    s = expect(p, OFS_KIND_SECTION, "Custom Anchor Heading", "Space Station Manual",
               "my-custom-id");
    if (s)
        HAS(s->body, "Text under the custom anchor.");
    expect(p, OFS_KIND_SECTION, "\xC3\x89migr\xC3\xA9 Caf\xC3\xA9 & \xC3\x9Cn\xC3\xAF" "code "
           "\xE2\x80\x94 \xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E Heading!",
           "Space Station Manual",
           "\xC3\xA9migr\xC3\xA9-caf\xC3\xA9--\xC3\xBCn\xC3\xAF" "code--"
           "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E-heading");
    expect(p, OFS_KIND_SECTION, "C++ and code link", "Space Station Manual", "c-and-code-link");
    expect(p, OFS_KIND_SECTION, "Setext Heading Level Two", "Space Station Manual",
           "setext-heading-level-two");
    ofs_page_free(p);

    /* max_depth 2: "Water Recycling" is now body text of "Life Support", and the slug counter
     * is unchanged by the depth. */
    p = parse_fixture("headings.md", 2, &w);
    CHECK(find(p, OFS_KIND_SECTION, "Water Recycling") == NULL);
    s = find(p, OFS_KIND_SECTION, "Life Support");
    if (s) {
        HAS(s->body, "Water Recycling");
        HAS(s->body, "Carbon dioxide is removed here.");
    }
    CHECK(find(p, OFS_KIND_SECTION, "Setup") == NULL);
    s = find(p, OFS_KIND_SECTION, "Custom Anchor Heading");
    CHECK(s && strcmp(s->anchor, "my-custom-id") == 0);
    ofs_page_free(p);

    /* max_depth 6: every heading is a section. */
    p = parse_fixture("headings.md", 6, &w);
    expect(p, OFS_KIND_SECTION, "Deep Details",
           "Space Station Manual" SEP "Life Support" SEP "Water Recycling" SEP
           "Filter Cartridges",
           "deep-details");
    CHECK_INT(count_kind(p, OFS_KIND_SECTION), 16);
    ofs_page_free(p);
}

static void test_titles_and_empty_pages(void)
{
    warnings w;
    ofs_page *p = parse_fixture("nofront.md", 3, &w);
    CHECK_STR(p->title, "nofront");
    CHECK_INT(p->nsections, 1);
    CHECK_INT(p->sections[0].kind, OFS_KIND_PAGE);
    HAS(p->sections[0].body, "Just a paragraph");
    ofs_page_free(p);

    const char *names[] = {"empty.md", "blank.md"};
    for (int i = 0; i < 2; i++) {
        p = parse_fixture(names[i], 3, &w);
        CHECK_INT(p->nsections, 1); /* findable by its title */
        CHECK_INT(p->sections[0].kind, OFS_KIND_PAGE);
        CHECK_STR(p->sections[0].body, "");
        CHECK_STR(p->sections[0].title, i == 0 ? "empty" : "blank");
        ofs_page_free(p);
    }

    /* An empty intro is dropped when a heading follows. */
    p = parse_fixture("heading_only.md", 3, &w);
    CHECK_INT(p->nsections, 1);
    expect(p, OFS_KIND_SECTION, "Only A Heading", "heading_only", "only-a-heading");
    ofs_page_free(p);

    /* NULL source with length 0, path-like file names. */
    ofs_page *q = NULL;
    CHECK_INT(ofs_markdown_parse(NULL, 0, "docs/sub.dir/page.name.md", NULL, &q, NULL), OFS_OK);
    CHECK_STR(q->title, "page.name");
    ofs_page_free(q);
    ofs_page_free(NULL);
}

static void test_glossary(void)
{
    warnings w;
    ofs_page *p = parse_fixture("glossary.md", 3, &w);
#define GLOSS "Rocketry Glossary"
    const char *g = GLOSS;
    const ofs_section *s = expect(p, OFS_KIND_TERM, "Apogee", g, "rocketry-glossary");
    if (s) {
        CHECK_STR(s->body, "Apogee is the highest point of an orbit or flight path, measured "
                           "from the centre of the body.");
        CHECK_INT(s->level, 1);
    }
    s = expect(p, OFS_KIND_TERM, "Perigee", g, "rocketry-glossary");
    if (s)
        HAS(s->body, "lowest point of an orbit");
    expect(p, OFS_KIND_TERM, "Thrust", g, "rocketry-glossary");
    expect(p, OFS_KIND_TERM, "Specific impulse", g, "rocketry-glossary");
    s = expect(p, OFS_KIND_TERM, "Launch Window", g, "rocketry-glossary");
    if (s) {
        HAS(s->body, "(sometimes launch period) is the time span");
        LACKS(s->body, "example.com");
    }
    expect(p, OFS_KIND_TERM, "Delta-v", g, "delta-v");
    expect(p, OFS_KIND_TERM, "Payload fairing", g, "fairing-anchor");
    s = expect(p, OFS_KIND_TERM, "Stage", g, "rocketry-glossary");
    if (s)
        CHECK_STR(s->body, "Stage: a section of a rocket with its own engines and propellant.");
    expect(p, OFS_KIND_TERM, "Booster", g, "rocketry-glossary");
    CHECK_INT(count_kind(p, OFS_KIND_TERM), 9); /* none of the negatives */
    /* Term paragraphs also stay in their section's body. */
    s = find(p, OFS_KIND_SECTION, g);
    if (s) {
        HAS(s->body, "Apogee is the highest point");
        HAS(s->body, "Booster: an extra motor");
        LACKS(s->body, "admonition");
    }
    s = find(p, OFS_KIND_SECTION, "Negative Examples");
    if (s) {
        HAS(s->body, "Note: this paragraph is an admonition");
        HAS(s->body, "Stand-alone");
    }
    /* The bold question is a FAQ entry whose answer is its own paragraph only. */
    s = expect(p, OFS_KIND_FAQ, "Is this a question?", GLOSS SEP "Negative Examples",
               "negative-examples");
    if (s) {
        HAS(s->body, "Bold questions are FAQ entries");
        LACKS(s->body, "Plain paragraph");
    }
    ofs_page_free(p);

    /* A term in the intro of a page without H1: breadcrumb is the page title. */
    const char *intro = "---\ntitle: Tiny\n---\n**Widget**: a small gadget.\n";
    memset(&w, 0, sizeof w);
    p = parse_mem(intro, strlen(intro), "tiny.md", 3, &w);
    expect(p, OFS_KIND_TERM, "Widget", "Tiny", "");
    ofs_page_free(p);
}

static void test_faq(void)
{
    warnings w;
    ofs_page *p = parse_fixture("faq.md", 3, &w);
#define TOP "Launch FAQ" SEP "General"
    const char *top = TOP;
    const ofs_section *s = expect(p, OFS_KIND_FAQ, "Why do rockets have stages?", top,
                                  "why-do-rockets-have-stages");
    if (s) {
        CHECK_INT(s->level, 3);
        CHECK_STR(s->body, "Dropping empty tanks saves mass, so staging improves the delta-v "
                           "budget.");
    }
    CHECK(find(p, OFS_KIND_SECTION, "Why do rockets have stages?") == NULL);
    /* "Q:" is dropped from the title, not from the anchor. */
    s = expect(p, OFS_KIND_FAQ, "Can launches be scrubbed at the last second?", top,
               "q-can-launches-be-scrubbed-at-the-last-second");
    if (s) {
        HAS(s->body, "automated sequencers");
        HAS(s->body, "Who pushes the abort button?");
        HAS(s->body, "range safety officer");
        HAS(s->body, "holds at T-10");
    }
    /* A question heading deeper than max_depth: an extra entry, its text stays above too. */
    s = expect(p, OFS_KIND_FAQ, "Who pushes the abort button?",
               TOP SEP "Q: Can launches be scrubbed at the last second?",
               "who-pushes-the-abort-button");
    if (s) {
        CHECK_INT(s->level, 4);
        CHECK_STR(s->body, "The range safety officer has the final word.");
    }
    expect(p, OFS_KIND_SECTION, "Regular section without question", top,
           "regular-section-without-question");
    const char *qa = "Launch FAQ" SEP "Question and Answer Pairs";
    s = expect(p, OFS_KIND_FAQ, "How loud is a launch?", qa, "question-and-answer-pairs");
    if (s) {
        HAS(s->body, "People nearby report ringing ears.");
        HAS(s->body, "Close to 200 decibels");
    }
    s = expect(p, OFS_KIND_FAQ, "Is the weather checked?", qa, "question-and-answer-pairs");
    if (s) {
        HAS(s->body, "balloons measure upper winds");
        LACKS(s->body, "orphan");
    }
    CHECK(find(p, OFS_KIND_FAQ, "An orphan question without answer") == NULL);
    s = expect(p, OFS_KIND_FAQ, "What fuel do engines burn?", qa, "question-and-answer-pairs");
    if (s) {
        HAS(s->body, "kerosene");
        LACKS(s->body, "hydrazine");
    }
    s = expect(p, OFS_KIND_FAQ, "Is rocket fuel toxic?", qa, "question-and-answer-pairs");
    if (s) { /* a bold question alone: the answer is the next paragraph, and only that */
        HAS(s->body, "hydrazine");
        LACKS(s->body, "unrelated");
    }
    s = find(p, OFS_KIND_SECTION, "Question and Answer Pairs");
    if (s) { /* the pairs stay in the section */
        HAS(s->body, "Q: How loud is a launch?");
        HAS(s->body, "A: Yes, balloons");
    }
    expect(p, OFS_KIND_SECTION, "Do you have more questions? Ask here", "Launch FAQ",
           "do-you-have-more-questions-ask-here");
    CHECK_INT(count_kind(p, OFS_KIND_FAQ), 7);
    CHECK_INT(count_kind(p, OFS_KIND_TERM), 0);
    ofs_page_free(p);
}

static void test_code(void)
{
    warnings w;
    ofs_page *p = parse_fixture("code.md", 3, &w);
    const ofs_section *s = expect(p, OFS_KIND_SECTION, "Code Samples", "", "code-samples");
    if (s) {
        HAS(s->body, "Run the countdown --from 10 command first."); /* inline code: body */
        HAS(s->body, "Between the fences.");
        HAS(s->body, "After the indented block.");
        LACKS(s->body, "ignite");
        LACKS(s->body, "indented_code_line");
        LACKS(s->body, "telemetry");
        HAS(s->code, "ignite --engine merlin");
        HAS(s->code, "indented_code_line(42)");
        HAS(s->code, "def unclosed_fence_is_fine():\n    return \"telemetry\"");
        LACKS(s->code, "bash");
        LACKS(s->code, "```");
    }
    ofs_page_free(p);
}

static void test_html_mdx(void)
{
    warnings w;
    ofs_page *p = parse_fixture("html_mdx.md", 3, &w);
    CHECK_INT(w.count, 0);
    CHECK_INT(p->nsections, 1); /* import/export lines leave no intro behind */
    const ofs_section *s = expect(p, OFS_KIND_SECTION, "MDX Page", "", "mdx-page");
    if (s) {
        const char *b = s->body;
        HAS(b, "Inline boldword and spanned text after break.");
        HAS(b, "Visible text continues.");
        HAS(b, "Paragraph inside a div block.");
        HAS(b, "Text inside the first tab.");
        HAS(b, "The value is here and there.");
        HAS(b, "Admonition body text");
        HAS(b, "Entities & more: <tag> and caf\xC3\xA9.");
        HAS(b, "Launch tip Admonition content stays searchable.");
        LACKS(b, ":::");
        const char *gone[] = {"import", "export", "@theme", "rocketName", "secret",
                              "hiddenScript", "hiddenStyle", "<b>", "<div", "TabItem",
                              "Admonition type", "class=", "{", "}", NULL};
        for (int i = 0; gone[i]; i++)
            LACKS(b, gone[i]);
    }
    ofs_page_free(p);
}

static void test_tables_links(void)
{
    warnings w;
    ofs_page *p = parse_fixture("tables_links.md", 3, &w);
    const ofs_section *s = expect(p, OFS_KIND_SECTION, "Tables And Links", "",
                                  "tables-and-links");
    if (s) {
        const char *b = s->body;
        HAS(b, "Engine Thrust Fuel");
        HAS(b, "Merlin 845 kN RP-1");
        HAS(b, "Raptor 2300 kN Methane");
        LACKS(b, "|");
        LACKS(b, "---");
        HAS(b, "See the propulsion guide and a diagram of the nozzle.");
        LACKS(b, "example.com/guide");
        LACKS(b, "Guide title");
        LACKS(b, "nozzle.png");
        HAS(b, "Visit https://autolink.example.org for more.");
        HAS(b, "Reference style manual link.");
        LACKS(b, "example.com/manual");
    }
    ofs_page_free(p);
}

/* Words never merge across blocks, list items, soft breaks or block HTML. */
static void test_separation(void)
{
    const char *src = "# T\n\nalpha\nbeta\n\n- gamma\n- delta\n\n> epsilon\n\nzeta<br>eta\n\n"
                      "<p>theta</p><p>iota</p>\n\n1. kappa\n2. lambda\n";
    warnings w = {0};
    ofs_page *p = parse_mem(src, strlen(src), "sep.md", 3, &w);
    const ofs_section *s = find(p, OFS_KIND_SECTION, "T");
    CHECK(s != NULL);
    if (s) {
        const char *words[] = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta",
                               "theta", "iota", "kappa", "lambda", NULL};
        for (int i = 0; words[i]; i++) {
            const char *at = strstr(s->body, words[i]);
            /* "eta" also occurs in "beta"/"theta": look for it as a whole word. */
            while (at && ((at > s->body && at[-1] != ' ' && at[-1] != '\n') ||
                          (at[strlen(words[i])] != '\0' && at[strlen(words[i])] != ' ' &&
                           at[strlen(words[i])] != '\n')))
                at = strstr(at + 1, words[i]);
            CHECK_MSG(at != NULL, "word %s merged or missing in \"%s\"", words[i], s->body);
        }
    }
    ofs_page_free(p);
}

static char *repeat(const char *unit, size_t times, size_t *len)
{
    size_t u = strlen(unit);
    char *s = malloc(u * times + 1);
    for (size_t i = 0; s && i < times; i++)
        memcpy(s + i * u, unit, u);
    if (s)
        s[u * times] = '\0';
    *len = u * times;
    return s;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_broken_inputs(void)
{
    warnings w = {0};
    /* Invalid UTF-8 in heading, body, term and front matter; NUL bytes. */
    const char bad[] = "---\ntitle: ok\nowner: x\n---\n# Bad \xC3\x28 heading \xFF\n\n"
                       "Body \xE2\x82 truncated \xED\xA0\x80 surrogate \xF4\x90\x80\x80 big "
                       "\xC0\xAF overlong\n\n**Ter\xFEm**: def\0inition with NUL\n\n"
                       "```\ncode \xFF\0 junk\n";
    ofs_page *p = parse_mem(bad, sizeof bad - 1, "bad.md", 3, &w);
    const ofs_section *s = find(p, OFS_KIND_SECTION, "Bad \xEF\xBF\xBD( heading \xEF\xBF\xBD");
    CHECK(s != NULL);
    if (s) {
        HAS(s->body, "Body \xEF\xBF\xBD");
        HAS(s->body, "with NUL");
        HAS(s->code, "code \xEF\xBF\xBD");
    }
    ofs_page_free(p);

    /* Invalid UTF-8 inside the YAML: a warning, never a crash. */
    memset(&w, 0, sizeof w);
    const char yaml[] = "---\ntitle: \xFF\xFE\n---\ntext\n";
    p = parse_mem(yaml, sizeof yaml - 1, "yaml.md", 3, &w);
    CHECK_INT(w.count, 1);
    ofs_page_free(p);

    /* Binary junk. */
    unsigned char junk[4096];
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < sizeof junk; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        junk[i] = (unsigned char)x;
    }
    p = parse_mem((const char *)junk, sizeof junk, "junk.bin", 3, &w);
    ofs_page_free(p);

    /* Hostile shapes, each big; they must stay fast (linear): a quadratic walk over a megabyte
     * takes minutes, the bound is generous for loaded machines and sanitizer builds. The shapes
     * that are slow inside cmark itself (about 1 us/byte) are smaller. */
    struct {
        const char *unit;
        size_t times;
    } shapes[] = {
        {"word ", 400000},       /* 2 MB single line */
        {"{", 2000000},          /* unclosed JSX expressions */
        {"<A ", 200000},         /* unclosed JSX tags */
        {"<div>{", 300000},      /* html block with unclosed braces */
        {">", 100000},           /* deeply nested block quotes */
        {"- ", 100000},          /* deeply nested lists */
        {"[", 300000},          /* unclosed link brackets */
        {"**a", 150000},         /* unmatched emphasis */
        {"# dup\n", 50000},      /* 50k duplicate headings: slugs dup-1 … dup-49999 */
        {"**T**: def\n\n", 100000}, /* 100k terms */
        {"| a | b |\n", 100000}, /* a huge table */
        {"<!--", 500000},        /* unclosed comments */
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        size_t len;
        char *src = repeat(shapes[i].unit, shapes[i].times, &len);
        double t0 = now();
        p = parse_mem(src, len, "huge.md", 3, &w);
        double dt = now() - t0;
        CHECK_MSG(dt < 30.0, "shape \"%s\" x%zu took %.2fs", shapes[i].unit, shapes[i].times, dt);
        printf("  shape %-2zu x%-8zu %8zu bytes %7.3fs %zu sections\n", i,
               shapes[i].times, len, dt, p ? p->nsections : 0);
        if (p && strcmp(shapes[i].unit, "# dup\n") == 0) {
            CHECK_INT(p->nsections, 50000);
            CHECK_STR(p->sections[0].anchor, "dup");
            CHECK_STR(p->sections[49999].anchor, "dup-49999");
        }
        if (p && strcmp(shapes[i].unit, "**T**: def\n\n") == 0)
            CHECK_INT(count_kind(p, OFS_KIND_TERM), 100000);
        if (p && strcmp(shapes[i].unit, "word ") == 0)
            CHECK_INT(strlen(p->sections[0].body), len - 1);
        ofs_page_free(p);
        free(src);
    }
}

static void test_markdown_path(void)
{
    CHECK(ofs_is_markdown_path("a.md") && ofs_is_markdown_path("dir/B.MARKDOWN"));
    CHECK(ofs_is_markdown_path("x.Mdx") && ofs_is_markdown_path(".md"));
    CHECK(!ofs_is_markdown_path("md") && !ofs_is_markdown_path("a.md.txt"));
    CHECK(!ofs_is_markdown_path("dir.md/file") && !ofs_is_markdown_path(""));
    CHECK(!ofs_is_markdown_path("notes.mdown"));
}

int main(void)
{
    test_markdown_path();
    if (!getenv("OFS_SOURCE_ROOT"))
        fprintf(stderr, "OFS_SOURCE_ROOT not set; looking for fixtures under ./tests\n");
    test_kinds_and_slugify();
    test_frontmatter();
    test_headings();
    test_titles_and_empty_pages();
    test_glossary();
    test_faq();
    test_code();
    test_html_mdx();
    test_tables_links();
    test_separation();
    test_broken_inputs();
    return check_summary("test_markdown");
}
