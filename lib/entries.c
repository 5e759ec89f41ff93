/* Glossary and FAQ entries: paragraphs that define a term or ask a question become sections of
 * their own (kind term or faq), extra and more precise hits beside the section that holds them;
 * their text also stays in that section's body, so section search sees the whole page.
 *
 * - TERM rule: a paragraph (also inside a list item) whose first visible inline is a bold run
 *   of at most 8 words / 80 characters, not ending in . ! ? or , and not an admonition label
 *   (Note, Warning, Tip, Q, A, …), followed by definition text that either comes after a
 *   separator (`:` inside or after the bold, or a dash) or opens with a defining verb (is, are,
 *   refers, means, …; a parenthetical before it is allowed). Title = the bold text with
 *   formatting and a trailing ':' removed; body = the whole paragraph; anchor = an explicit
 *   <a id|name> in or right before the paragraph, else the enclosing section's anchor.
 * - FAQ: a `Q:` paragraph answered by the next paragraph starting `A:` is an entry titled with
 *   the question (up to its first '?'; the whole question opens the body), the body running from
 *   the answer to the next question or heading. A paragraph opening with a bold question
 *   (`**Why?** …`) is an entry too, whose body is that paragraph (plus the next one when the
 *   question stands alone): it has no end marker, so it must not swallow the section. A leading
 *   "Q:" is dropped from FAQ titles. (Question headings are markdown.c's.) */
#include "markdown_internal.h"

#include "alloc.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#define TERM_MAX_WORDS 8
#define TERM_MAX_CHARS 80

void ofsi_md_end_questions(ofsi_md *m)
{
    m->qa_aux = -1;
    ofsi_md_set_str(&m->pending_q, NULL);
    ofsi_md_set_str(&m->pending_q_anchor, NULL);
}

/* Drops a leading "Q:" (or "Q."), as in "### Q: What …?". */
void ofsi_md_strip_q(const char **s, size_t *n)
{
    if (*n >= 2 && ((*s)[0] == 'Q' || (*s)[0] == 'q') && ((*s)[1] == ':' || (*s)[1] == '.')) {
        *s += 2;
        *n -= 2;
        ofsi_trim(s, n);
    }
}

static int is_word_char(const char *s, size_t n, size_t i, size_t *clen)
{
    int32_t pos = (int32_t)i;
    UChar32 c;
    U8_NEXT((const uint8_t *)s, pos, (int32_t)n, c);
    *clen = (size_t)pos - i;
    return c >= 0 && u_isalnum(c);
}

/* Words (runs of letters/digits) in s, counting code points into *chars. */
static int count_words(const char *s, size_t n, size_t *chars)
{
    int words = 0, in = 0;
    *chars = 0;
    for (size_t i = 0; i < n;) {
        size_t cl;
        int w = is_word_char(s, n, i, &cl);
        if (w && !in)
            words++;
        in = w || (in && (s[i] == '-' || s[i] == '\'' || s[i] == '.'));
        (*chars)++;
        i += cl ? cl : 1;
    }
    return words;
}

/* Admonition labels and Q/A markers that open a paragraph in bold without defining a term. */
static int is_label(const char *s, size_t n)
{
    static const char *labels[] = {
        "note", "notes", "warning", "warnings", "tip", "tips", "important", "caution", "danger",
        "info", "information", "example", "examples", "update", "updated", "edit", "nb", "n.b",
        "disclaimer", "hint", "attention", "deprecated", "todo", "fixme", "q", "a", "question",
        "answer", "summary", "tl;dr", "tldr", "see also", "result", "output", "input",
        "prerequisite", "prerequisites", "requirements", "solution", "problem", "workaround",
        "remember", "reminder", "pro tip", "heads up", "beware", "alert", "remark", "caveat",
        "why", "how", "what", "step", "usage", "status", "done", "optional", "required", NULL};
    for (int k = 0; labels[k]; k++)
        if (strlen(labels[k]) == n && ofsi_starts_with_ci(s, n, labels[k]))
            return 1;
    return 0;
}

/* Verbs that open a definition written without a separator: "**X** is a …". */
static int opens_definition(const char *s, size_t n)
{
    static const char *verbs[] = {"is ", "are ", "was ", "were ", "refers ", "means ",
                                  "stands ", "denotes ", "describes ", "represents ",
                                  "defines ", "designates ", NULL};
    if (n && s[0] == '(') { /* "**MOC** (formerly …) is …" */
        size_t depth = 0, i = 0;
        for (; i < n; i++) {
            if (s[i] == '(')
                depth++;
            else if (s[i] == ')' && --depth == 0)
                break;
        }
        if (i >= n)
            return 0;
        s += i + 1;
        n -= i + 1;
        ofsi_trim(&s, &n);
    }
    for (int k = 0; verbs[k]; k++)
        if (ofsi_starts_with_ci(s, n, verbs[k]))
            return 1;
    return 0;
}

/* Skips a leading separator (":", "-", "–", "—", "=") and blanks; returns whether there was one. */
static int skip_separator(const char **s, size_t *n)
{
    static const char *seps[] = {":", "-", "\xE2\x80\x93", "\xE2\x80\x94", "=", NULL};
    for (int k = 0; seps[k]; k++) {
        size_t l = strlen(seps[k]);
        if (*n >= l && memcmp(*s, seps[k], l) == 0) {
            *s += l;
            *n -= l;
            ofsi_trim(s, n);
            return 1;
        }
    }
    return 0;
}

/* The first visible inline of a paragraph: anchors, blanks and soft breaks skipped. */
static cmark_node *first_visible(cmark_node *para)
{
    cmark_node *c = cmark_node_first_child(para);
    while (c) {
        cmark_node_type t = cmark_node_get_type(c);
        if (t == CMARK_NODE_TEXT) {
            const char *lit = cmark_node_get_literal(c);
            size_t n = lit ? strlen(lit) : 0;
            ofsi_trim(&lit, &n);
            if (n)
                return c;
        } else if (t != CMARK_NODE_HTML_INLINE && t != CMARK_NODE_SOFTBREAK &&
                   t != CMARK_NODE_LINEBREAK)
            return c;
        c = cmark_node_next(c);
    }
    return NULL;
}

/* If the paragraph (plain text p) opens with a bold run: 1 and its trimmed text in
 * m->scratch2 / *bold,*bn, and the text after it in *rest,*rn. */
static int leading_bold(ofsi_md *m, cmark_node *para, const char *p, size_t pn, const char **bold,
                        size_t *bn, const char **rest, size_t *rn)
{
    cmark_node *c = first_visible(para);
    if (!c || cmark_node_get_type(c) != CMARK_NODE_STRONG)
        return 0;
    m->scratch2.n = 0;
    ofsi_md_inline_text(c, &m->scratch2, 1, NULL);
    if (!m->scratch2.s)
        return 0;
    *bold = m->scratch2.s;
    *bn = m->scratch2.n;
    ofsi_trim(bold, bn);
    if (*bn == 0 || pn < *bn || memcmp(p, *bold, *bn) != 0)
        return 0;
    *rest = p + *bn;
    *rn = pn - *bn;
    ofsi_trim(rest, rn);
    return 1;
}

/* The TERM rule (see the top of the file). On success *term,*tn is the title. */
static int term_of(const char *bold, size_t bn, const char *rest, size_t rn, const char **term,
                   size_t *tn)
{
    int sep = 0;
    if (bn && bold[bn - 1] == ':') {
        bn--;
        sep = 1;
        while (bn && ofsi_is_blank(bold[bn - 1]))
            bn--;
    }
    if (!bn || strchr(".!?,;", bold[bn - 1]) || is_label(bold, bn))
        return 0;
    size_t chars;
    int words = count_words(bold, bn, &chars);
    if (words < 1 || words > TERM_MAX_WORDS || chars > TERM_MAX_CHARS)
        return 0;
    if (skip_separator(&rest, &rn))
        sep = 1;
    if (!sep && !opens_definition(rest, rn))
        return 0;
    size_t dchars;
    if (count_words(rest, rn, &dchars) < 1 || dchars < 2)
        return 0;
    *term = bold;
    *tn = bn;
    return 1;
}

/* Q:/A: pairs and bold questions; called before the paragraph's text is emitted. */
static void paragraph_questions(ofsi_md *m, const char *p, size_t pn, const char *bold, size_t bn,
                                int has_bold, const char *explicit_anchor)
{
    if (pn >= 2 && p[0] == 'Q' && p[1] == ':') {
        const char *q = p + 2;
        size_t qn = pn - 2;
        ofsi_trim(&q, &qn);
        ofsi_md_end_questions(m);
        if (qn) {
            m->pending_q = ofsi_xmemdup(q, qn);
            if (explicit_anchor)
                m->pending_q_anchor = ofsi_xstrdup(explicit_anchor);
        }
        return;
    }
    if (pn >= 2 && p[0] == 'A' && p[1] == ':' && m->pending_q) {
        const char *a = m->pending_q_anchor ? m->pending_q_anchor : explicit_anchor;
        /* Title: the question itself, without any context sentences after its '?'. */
        size_t qn = strlen(m->pending_q);
        const char *mark = memchr(m->pending_q, '?', qn);
        size_t tn = mark ? (size_t)(mark - m->pending_q) + 1 : qn;
        m->qa_aux = ofsi_md_new_entry(m, OFS_KIND_FAQ, m->pending_q, tn, a);
        m->qa_left = -1;
        /* the whole question is part of the entry's text */
        ofsi_buf_add(&m->secs[m->qa_aux].body, m->pending_q, qn);
        ofsi_md_set_str(&m->pending_q, NULL);
        ofsi_md_set_str(&m->pending_q_anchor, NULL);
        return;
    }
    ofsi_md_set_str(&m->pending_q, NULL);
    ofsi_md_set_str(&m->pending_q_anchor, NULL);
    if (has_bold && bn > 1 && bold[bn - 1] == '?') {
        const char *q = bold;
        size_t qn = bn;
        ofsi_md_strip_q(&q, &qn);
        m->qa_aux = -1;
        /* The answer is the rest of the paragraph, or the next one when there is no rest:
         * bold questions have no end marker, so they must not swallow the section. */
        m->qa_left = bn == pn ? 2 : 1;
        if (qn > 1)
            m->qa_aux = ofsi_md_new_entry(m, OFS_KIND_FAQ, q, qn, explicit_anchor);
    }
}

void ofsi_md_paragraph_entries(ofsi_md *m, cmark_node *para, const char *p, size_t pn,
                               const char *explicit_anchor)
{
    const char *bold = NULL, *rest = NULL, *term;
    size_t bn = 0, rn = 0, tn;
    int has_bold = leading_bold(m, para, p, pn, &bold, &bn, &rest, &rn);
    paragraph_questions(m, p, pn, bold, bn, has_bold, explicit_anchor);
    int qa = pn >= 2 && (p[0] == 'Q' || p[0] == 'A') && p[1] == ':';
    if (has_bold && !qa && term_of(bold, bn, rest, rn, &term, &tn)) {
        long idx = ofsi_md_new_entry(m, OFS_KIND_TERM, term, tn, explicit_anchor);
        ofsi_buf_add(&m->secs[idx].body, p, pn);
    }
}
