#!/usr/bin/env python3
"""Checks the default document set (corpus/operate-first) and its judged queries.

Run: check_corpus.py SOURCE_ROOT. Verifies front matter, relative links and anchors, glossary
and FAQ sizes, qrels/topics consistency, and that no 12-word run is copied from the upstream
Operate First documents in ../shared/corpora/operate-first (skipped when that copy is absent).
Python 3 standard library only; exits 1 with one line per problem.
"""
import os
import re
import sys

MIN_TERMS = 30
MIN_FAQ = 20
MIN_TOPICS = 45
NGRAM = 12

FENCE_RE = re.compile(r'^ {0,3}(`{3,}|~{3,})')
HEADING_RE = re.compile(r'^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$')
EXPLICIT_RE = re.compile(r'<a\s+(?:id|name)="([^"]+)"\s*>\s*</a>')
ANCHORED_BOLD_RE = re.compile(r'^<a\s+id="[^"]+"\s*>\s*</a>\*\*[^*]+\*\*')
# A definition the indexer recognises as a term: bold (optionally ending in ':'), an optional
# parenthetical, then ':' or a dash, or a defining verb (see the TERM rule in lib/markdown.c).
TERM_RE = re.compile(r'^<a\s+id="[^"]+"\s*>\s*</a>\*\*(?:[^*]+:|[^*]*[^*.!?,;])\*\*'
                     r'(?:\s*\([^)]*\))?'
                     r'(?:(?<=:\*\*)|\s*:|\s+[-\u2013\u2014]\s|\s+(?:is|are|was|were|refers|means)\b)')
LINK_RE = re.compile(r'(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)')
WORD_RE = re.compile(r'[a-z0-9]+')


class Problems:
    """Collects failures so one run reports all of them, not just the first."""

    def __init__(self):
        self.items = []

    def add(self, where, msg):
        self.items.append('%s: %s' % (where, msg))


def split_front_matter(text):
    """Returns (front matter lines or None, body lines, line number where the body starts)."""
    lines = text.split('\n')
    if not lines or lines[0].strip() != '---':
        return None, lines, 1
    for i in range(1, len(lines)):
        if lines[i].strip() in ('---', '...'):
            return lines[1:i], lines[i + 1:], i + 2
    return None, lines, 1


def parse_front_matter(fm):
    """A tiny YAML subset: `key: value` scalars and `key:` followed by `- item` lists."""
    data = {}
    key = None
    for line in fm:
        if not line.strip() or line.lstrip().startswith('#'):
            continue
        m = re.match(r'^([A-Za-z_][\w-]*):\s*(.*)$', line)
        if m:
            key = m.group(1)
            val = m.group(2).strip()
            if val.startswith('[') and val.endswith(']'):
                data[key] = [v.strip().strip('"\'') for v in val[1:-1].split(',') if v.strip()]
            elif val:
                data[key] = val.strip('"\'')
            else:
                data[key] = []
            continue
        m = re.match(r'^\s+-\s+(.*)$', line)
        if m and key is not None and isinstance(data.get(key), list):
            data[key].append(m.group(1).strip().strip('"\''))
    return data


def strip_inline(text):
    """Heading text as rendered: drop links' targets, code ticks, emphasis and HTML tags."""
    text = re.sub(r'<[^>]+>', '', text)
    text = re.sub(r'!?\[([^\]]*)\]\([^)]*\)', r'\1', text)
    return text.replace('`', '').replace('*', '')


def slugify(text):
    """GitHub-style slug: lower case, keep letters/digits/space/-/_, spaces to hyphens."""
    text = strip_inline(text).strip().lower()
    kept = ''.join(ch for ch in text if ch.isalnum() or ch in ' -_')
    return kept.replace(' ', '-')


class Page:
    """One Markdown page: its front matter, anchors, links, headings and prose."""

    def __init__(self, relpath, text):
        self.relpath = relpath
        self.text = text
        fm, body, self.body_line = split_front_matter(text)
        self.front = parse_front_matter(fm) if fm is not None else None
        self.anchors = set()
        self.section_anchors = set()  # anchors that start an index section (levels 1-3)
        self.headings = []            # (level, text, slug)
        self.links = []               # (line number, target)
        self.term_paragraphs = 0
        self.bad_terms = []           # anchored bold paragraphs that do not read as definitions
        self.prose_lines = []
        self._scan(body)

    def _scan(self, body):
        seen = {}
        in_fence = None
        prev_blank = True
        for i, line in enumerate(body):
            lineno = self.body_line + i
            m = FENCE_RE.match(line)
            if m:
                mark = m.group(1)
                if in_fence is None:
                    in_fence = mark[0] * 3
                elif mark.startswith(in_fence):
                    in_fence = None
                prev_blank = False
                continue
            if in_fence is not None:
                continue
            for a in EXPLICIT_RE.findall(line):
                self.anchors.add(a)
                self.section_anchors.add(a)
            h = HEADING_RE.match(line)
            if h:
                level = len(h.group(1))
                base = slugify(h.group(2))
                n = seen.get(base, 0)
                slug = base if n == 0 else '%s-%d' % (base, n)
                seen[base] = n + 1
                self.anchors.add(slug)
                if level <= 3:
                    self.section_anchors.add(slug)
                self.headings.append((level, strip_inline(h.group(2)).strip(), slug))
            else:
                self.prose_lines.append(line)
            if prev_blank and ANCHORED_BOLD_RE.match(line.strip()):
                if TERM_RE.match(line.strip()):
                    self.term_paragraphs += 1
                else:
                    self.bad_terms.append(line.strip()[:60])
            for target in LINK_RE.findall(re.sub(r'`[^`]*`', '', line)):
                self.links.append((lineno, target))
            prev_blank = not line.strip()


def load_pages(corpus_dir):
    pages = {}
    for root, _dirs, files in os.walk(corpus_dir):
        for name in sorted(files):
            if name.endswith('.md'):
                path = os.path.join(root, name)
                rel = os.path.relpath(path, corpus_dir).replace(os.sep, '/')
                with open(path, encoding='utf-8') as f:
                    pages[rel] = Page(rel, f.read())
    return pages


def check_front_matter(pages, problems):
    for rel, page in sorted(pages.items()):
        if page.front is None:
            problems.add(rel, 'no YAML front matter (--- ... --- at the top)')
            continue
        for key in ('title', 'description'):
            if not isinstance(page.front.get(key), str) or not page.front[key].strip():
                problems.add(rel, 'front matter lacks a non-empty %r' % key)
        tags = page.front.get('tags')
        if not isinstance(tags, list) or not tags:
            problems.add(rel, "front matter 'tags' must be a non-empty YAML list")


def resolve(pages, from_rel, target):
    """Returns None when target (a relative link) resolves, else the reason it does not."""
    if re.match(r'^[a-z][a-z0-9+.-]*:', target) or target.startswith('//'):
        return None  # absolute URL: not ours to check
    path, _, anchor = target.partition('#')
    if path:
        joined = os.path.normpath(os.path.join(os.path.dirname(from_rel), path))
        rel = joined.replace(os.sep, '/')
        if rel.startswith('..') or rel not in pages:
            return 'links to missing page %s' % path
    else:
        rel = from_rel
    if anchor and anchor not in pages[rel].anchors:
        return 'anchor #%s not found in %s' % (anchor, rel)
    return None


def check_links(pages, problems):
    count = 0
    for rel, page in sorted(pages.items()):
        for lineno, target in page.links:
            count += 1
            err = resolve(pages, rel, target)
            if err:
                problems.add('%s:%d' % (rel, lineno), err)
    return count


def count_faq(page):
    return sum(1 for level, text, _ in page.headings if level >= 2 and text.endswith('?'))


def read_topics(path, problems):
    topics = {}
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if not line.strip() or line.startswith('#'):
                continue
            parts = line.split('\t')
            if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
                problems.add('%s:%d' % (os.path.basename(path), n), 'expected qid<TAB>query')
                continue
            if parts[0] in topics:
                problems.add('%s:%d' % (os.path.basename(path), n), 'duplicate qid ' + parts[0])
            topics[parts[0]] = parts[1]
    return topics


def read_qrels(path, problems):
    judged = []
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            if not line.strip() or line.startswith('#'):
                continue
            parts = line.split()
            where = '%s:%d' % (os.path.basename(path), n)
            if len(parts) != 4 or parts[1] != '0' or parts[3] not in ('1', '2', '3'):
                problems.add(where, 'expected "qid 0 docid grade" with grade 1..3')
                continue
            judged.append((where, parts[0], parts[2], int(parts[3])))
    return judged


def check_relevance(pages, rel_dir, problems):
    topics_path = os.path.join(rel_dir, 'operate-first.topics.tsv')
    qrels_path = os.path.join(rel_dir, 'operate-first.qrels')
    for path in (topics_path, qrels_path):
        if not os.path.isfile(path):
            problems.add(path, 'missing')
            return 0, 0
    topics = read_topics(topics_path, problems)
    judged = read_qrels(qrels_path, problems)
    if len(topics) < MIN_TOPICS:
        problems.add('topics', 'only %d queries, want >= %d' % (len(topics), MIN_TOPICS))
    per_topic = {}
    seen = set()
    for where, qid, docid, _grade in judged:
        if qid not in topics:
            problems.add(where, 'qid %s has no topic' % qid)
        if (qid, docid) in seen:
            problems.add(where, 'duplicate judgment %s %s' % (qid, docid))
        seen.add((qid, docid))
        per_topic[qid] = per_topic.get(qid, 0) + 1
        path, _, anchor = docid.partition('#')
        if path not in pages:
            problems.add(where, 'docid %s: no such page' % docid)
        elif anchor and anchor not in pages[path].section_anchors:
            problems.add(where, 'docid %s: no section anchor #%s' % (docid, anchor))
    for qid in topics:
        if qid not in per_topic:
            problems.add('qrels', 'topic %s has no judgment' % qid)
    return len(topics), len(judged)


def check_synonyms(path, pages, problems):
    """Each non-comment line is `A = B [= C ...]`; every member must occur in the corpus."""
    corpus_words = ' ' + ' '.join(' '.join(words_of(p.text)) for p in pages.values()) + ' '
    groups = 0
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            where = 'synonyms.txt:%d' % n
            members = [m.strip() for m in line.split('=')]
            if len(members) < 2 or any(not m for m in members):
                problems.add(where, 'expected "A = B [= C ...]" with non-empty members')
                continue
            groups += 1
            for m in members:
                if ' %s ' % ' '.join(words_of(m)) not in corpus_words:
                    problems.add(where, '%r does not occur in the corpus' % m)
    return groups


def words_of(text):
    return WORD_RE.findall(text.lower())


def upstream_ngrams(upstream_dir):
    grams = set()
    nfiles = 0
    for root, _dirs, files in os.walk(upstream_dir):
        for name in files:
            if not name.lower().endswith(('.md', '.mdx', '.markdown', '.txt', '.rst')):
                continue
            nfiles += 1
            with open(os.path.join(root, name), encoding='utf-8', errors='replace') as f:
                w = words_of(f.read())
            for i in range(len(w) - NGRAM + 1):
                grams.add(hash(tuple(w[i:i + NGRAM])))
    return grams, nfiles


def check_originality(pages, upstream_dir, problems):
    """Reports any 12-word run of a page (front matter and prose alike) found upstream."""
    grams, nfiles = upstream_ngrams(upstream_dir)
    hits = 0
    for rel, page in sorted(pages.items()):
        w = words_of(page.text)
        i = 0
        while i <= len(w) - NGRAM:
            if hash(tuple(w[i:i + NGRAM])) in grams:
                problems.add(rel, 'copied 12-word run: "%s"' % ' '.join(w[i:i + NGRAM]))
                hits += 1
                i += NGRAM  # one report per run, not one per overlapping window
            else:
                i += 1
    return nfiles, hits


def main(argv):
    if len(argv) != 2:
        print('usage: check_corpus.py SOURCE_ROOT', file=sys.stderr)
        return 2
    root = argv[1]
    corpus_dir = os.path.join(root, 'corpus', 'operate-first')
    rel_dir = os.path.join(root, 'tests', 'relevance')
    problems = Problems()
    if not os.path.isdir(corpus_dir):
        print('FAIL: %s is missing' % corpus_dir)
        return 1
    pages = load_pages(corpus_dir)
    words = sum(len(words_of(p.text)) for p in pages.values())
    print('pages: %d (%d words)' % (len(pages), words))
    check_front_matter(pages, problems)
    print('front matter: checked title/description/tags on %d pages' % len(pages))
    nlinks = check_links(pages, problems)
    print('relative links: %d checked (pages and #anchors)' % nlinks)

    glossary = pages.get('glossary.md')
    faq = pages.get('faq.md')
    nterms = glossary.term_paragraphs if glossary else 0
    nfaq = count_faq(faq) if faq else 0
    print('glossary terms: %d (want >= %d)' % (nterms, MIN_TERMS))
    print('faq questions: %d (want >= %d)' % (nfaq, MIN_FAQ))
    for bad in (glossary.bad_terms if glossary else []):
        problems.add('glossary.md', 'not a definition (want **Term** is/are/: ...): ' + bad)
    if nterms < MIN_TERMS:
        problems.add('glossary.md', 'only %d anchored bold-term paragraphs' % nterms)
    if nfaq < MIN_FAQ:
        problems.add('faq.md', 'only %d question headings' % nfaq)

    syn_path = os.path.join(root, 'corpus', 'synonyms.txt')
    if os.path.isfile(syn_path):
        print('synonyms: %d groups checked (format, members occur in the corpus)'
              % check_synonyms(syn_path, pages, problems))
    else:
        problems.add('corpus/synonyms.txt', 'missing')

    if os.path.isdir(rel_dir):
        ntopics, njudged = check_relevance(pages, rel_dir, problems)
        print('relevance: %d topics, %d judgments' % (ntopics, njudged))
    else:
        problems.add('tests/relevance', 'directory missing')

    upstream = os.path.normpath(os.path.join(root, '..', 'shared', 'corpora', 'operate-first'))
    if os.path.isdir(upstream):
        nfiles, hits = check_originality(pages, upstream, problems)
        print('originality: compared against %d upstream files, %d copied %d-word runs'
              % (nfiles, hits, NGRAM))
    else:
        print('originality: SKIPPED (%s absent)' % upstream)

    if problems.items:
        for item in problems.items:
            print('FAIL ' + item)
        print('%d problem(s)' % len(problems.items))
        return 1
    print('OK')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
