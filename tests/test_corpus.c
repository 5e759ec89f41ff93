/* Runs the Markdown parser over real documentation: the read-only Operate First corpus (every
 * page parses; the glossary and community-cloud FAQ yield one entry per term/question, counted
 * here independently by a line scan) and, when present, our own corpus/operate-first pages. */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "util.h"
#include "ofsearch/markdown.h"
#include "ofsearch/ofsearch.h"

static int warnings_seen;
static int files_parsed;
static long bytes_parsed;
static int strict; /* our corpus: any warning is a failure */

static void on_warn(void *ctx, const char *file, int line, const char *msg)
{
    (void)ctx;
    warnings_seen++;
    fprintf(stderr, "  warning: %s:%d: %s\n", file, line, msg);
    CHECK_MSG(!strict, "%s:%d: %s", file, line, msg);
}

/* The whole file (NUL-terminated), or NULL when it cannot be read. */
static char *slurp(const char *path, size_t *len)
{
    char *text = NULL;
    return ofsi_read_file(path, SIZE_MAX, &text, len, NULL) == 0 ? text : NULL;
}

static ofs_page *parse_path(const char *path)
{
    size_t len;
    char *src = slurp(path, &len);
    CHECK_MSG(src != NULL, "cannot read %s", path);
    if (!src)
        return NULL;
    ofs_markdown_options o = {3, on_warn, NULL};
    ofs_page *page = NULL;
    char *err = NULL;
    int rc = ofs_markdown_parse(src, len, path, &o, &page, &err);
    CHECK_MSG(rc == OFS_OK, "%s: %s", path, err ? err : "");
    free(err);
    free(src);
    files_parsed++;
    bytes_parsed += (long)len;
    if (page) {
        CHECK_MSG(page->nsections > 0, "%s: no section", path);
        for (size_t i = 0; i < page->nsections; i++)
            CHECK_MSG(page->sections[i].title && page->sections[i].body &&
                          page->sections[i].code && page->sections[i].anchor &&
                          page->sections[i].breadcrumb,
                      "%s: NULL string in section %zu", path, i);
    }
    return page;
}

static int count_kind(const ofs_page *p, ofs_kind kind)
{
    int n = 0;
    for (size_t i = 0; p && i < p->nsections; i++)
        n += p->sections[i].kind == kind;
    return n;
}

/* Our corpus: the page must open with front matter that has a non-empty title. */
static int has_frontmatter_title(const char *path)
{
    size_t len;
    char *src = slurp(path, &len);
    if (!src)
        return 0;
    int ok = 0;
    if (strncmp(src, "---\n", 4) == 0) {
        char *end = strstr(src + 4, "\n---");
        char *t = strstr(src + 3, "\ntitle:");
        if (end && t && t < end) {
            t += 7;
            while (*t == ' ' || *t == '"' || *t == '\'')
                t++;
            ok = *t != '\n' && *t != '\0';
        }
    }
    free(src);
    return ok;
}

static int visit_shared(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    size_t n = strlen(path);
    if (type == FTW_F && n > 3 && strcmp(path + n - 3, ".md") == 0)
        ofs_page_free(parse_path(path));
    return 0;
}

static int visit_ours(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    size_t n = strlen(path);
    if (type != FTW_F || n <= 3 || strcmp(path + n - 3, ".md") != 0)
        return 0;
    ofs_page *p = parse_path(path);
    CHECK_MSG(has_frontmatter_title(path), "%s: no front matter with a title", path);
    CHECK_MSG(p && p->title[0], "%s: empty page title", path);
    ofs_page_free(p);
    return 0;
}

/* Paragraphs whose first line starts with "**" (after an optional <a id> anchor), not counting
 * Q:/A: markers: the glossary's way of defining a term. */
static int scan_bold_paragraphs(const char *path)
{
    size_t len;
    char *src = slurp(path, &len);
    if (!src)
        return -1;
    int count = 0, at_start = 1;
    for (char *line = src; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        const char *l = line;
        if (strncmp(l, "<a ", 3) == 0 && strstr(l, "</a>"))
            l = strstr(l, "</a>") + 4;
        if (at_start && strncmp(l, "**", 2) == 0 && strncmp(l, "**Q:", 4) != 0 &&
            strncmp(l, "**A:", 4) != 0)
            count++;
        at_start = line[strspn(line, " \t\r")] == '\0';
        line = nl ? nl + 1 : NULL;
    }
    free(src);
    return count;
}

/* Lines that are headings (start with '#') and end with '?'. */
static int scan_question_headings(const char *path)
{
    size_t len;
    char *src = slurp(path, &len);
    if (!src)
        return -1;
    int count = 0;
    for (char *line = strtok(src, "\n"); line; line = strtok(NULL, "\n")) {
        size_t n = strlen(line);
        while (n && (line[n - 1] == ' ' || line[n - 1] == '\r'))
            n--;
        if (line[0] == '#' && n && line[n - 1] == '?')
            count++;
    }
    free(src);
    return count;
}

static void check_glossary(const char *path, int min_terms)
{
    int want = scan_bold_paragraphs(path);
    ofs_page *p = parse_path(path);
    int got = count_kind(p, OFS_KIND_TERM);
    printf("%s: %d bold-term paragraphs by line scan, %d TERM entries\n", path, want, got);
    CHECK_MSG(want > 0, "%s: line scan found no terms", path);
    if (min_terms)
        CHECK_MSG(got >= min_terms, "%s: %d terms < %d", path, got, min_terms);
    else
        CHECK_INT(got, want);
    ofs_page_free(p);
}

static void check_faq(const char *path, int min_faq)
{
    int want = scan_question_headings(path);
    ofs_page *p = parse_path(path);
    int got = count_kind(p, OFS_KIND_FAQ);
    printf("%s: %d question headings by line scan, %d FAQ entries\n", path, want, got);
    if (min_faq)
        CHECK_MSG(got >= min_faq, "%s: %d FAQ entries < %d", path, got, min_faq);
    else {
        CHECK_MSG(want > 0, "%s: line scan found no questions", path);
        CHECK_INT(got, want);
    }
    ofs_page_free(p);
}

/* The shared Operate First corpus (read-only, may be absent): parses, terms and FAQ counted. */
static int check_shared(const char *root)
{
    const char *corpora = getenv("OFS_CORPORA");
    char dir[4096], path[4200];
    if (corpora)
        snprintf(dir, sizeof dir, "%s/operate-first", corpora);
    else
        snprintf(dir, sizeof dir, "%s/../shared/corpora/operate-first", root);
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        printf("SKIP (shared part): Operate First corpus not found at %s (set OFS_CORPORA)\n",
               dir);
        return 0;
    }
    CHECK(nftw(dir, visit_shared, 16, FTW_PHYS) == 0);
    printf("shared corpus: %d files, %ld bytes parsed, %d front matter warnings\n",
           files_parsed, bytes_parsed, warnings_seen);
    snprintf(path, sizeof path, "%s/community/glossary.md", dir);
    check_glossary(path, 0);
    /* Its FAQ part: two bold Q:/A: pairs. */
    ofs_page *g = parse_path(path);
    CHECK_INT(count_kind(g, OFS_KIND_FAQ), 2);
    ofs_page_free(g);
    snprintf(path, sizeof path, "%s/community/community-cloud-faq.md", dir);
    check_faq(path, 0);
    return 1;
}

/* Our own corpus (always in the tree): no warning anywhere, enough terms and questions. */
static int check_ours(const char *root)
{
    char dir[4096], path[4200];
    struct stat st;
    snprintf(dir, sizeof dir, "%s/corpus/operate-first", root);
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        printf("note: %s absent, our own corpus not checked\n", dir);
        return 0;
    }
    files_parsed = 0;
    warnings_seen = 0;
    strict = 1;
    CHECK(nftw(dir, visit_ours, 16, FTW_PHYS) == 0);
    printf("our corpus: %d files, %d warnings\n", files_parsed, warnings_seen);
    snprintf(path, sizeof path, "%s/glossary.md", dir);
    check_glossary(path, 30);
    snprintf(path, sizeof path, "%s/faq.md", dir);
    check_faq(path, 20);
    return 1;
}

int main(void)
{
    const char *root = getenv("OFS_SOURCE_ROOT");
    if (!root)
        root = ".";
    int checked = check_shared(root);
    checked += check_ours(root);
    if (!checked) {
        printf("SKIP: neither the shared corpus nor corpus/operate-first was found\n");
        return CHECK_SKIP;
    }
    return check_summary("test_corpus");
}
