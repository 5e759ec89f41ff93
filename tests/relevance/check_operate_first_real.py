#!/usr/bin/env python3
"""Checks the judged queries over the real Operate First documents (operate-first-real.*).

Run: check_operate_first_real.py [--corpus DIR] [--db INDEX]. Verifies the topics file, both
qrels files (page level and section level), that every topic has a relevant page and section,
that no section is graded above its page, that every page docid names a file of the corpus
(default ../shared/corpora/operate-first, else /work/shared/corpora/operate-first; skipped with
a message when absent) and, with --db (an index of that corpus built by `ofsearch index`), that
every section docid is a section of the index. Python 3 standard library only; exits 1 with one
line per problem.
"""
import argparse
import os
import re
import sqlite3
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TOPICS = os.path.join(HERE, 'operate-first-real.topics.tsv')
PAGE_QRELS = os.path.join(HERE, 'operate-first-real.qrels')
SECTION_QRELS = os.path.join(HERE, 'operate-first-real-sections.qrels')
# As benchmarks/relevance/run.sh: ../shared next to the checkout, else the machine-wide copy.
DEFAULT_CORPUS = os.path.join(REPO, '..', 'shared', 'corpora', 'operate-first')
if not os.path.isdir(DEFAULT_CORPUS):
    DEFAULT_CORPUS = '/work/shared/corpora/operate-first'
QID_RE = re.compile(r'^ofr-\d{2,}$')
MIN_TOPICS = 60


def encode(s):
    """Percent-encodes whitespace and '%' as `ofsearch eval` does in docids (TREC fields)."""
    return ''.join('%%%02X' % ord(c) if c.isspace() or c == '%' else c for c in s)


def decode(s):
    return re.sub(r'%([0-9A-F]{2})', lambda m: chr(int(m.group(1), 16)), s)


def read_topics(problems):
    qids = []
    with open(TOPICS, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if not line or line.startswith('#'):
                continue
            parts = line.split('\t')
            if len(parts) != 2 or not QID_RE.match(parts[0]) or not parts[1].strip():
                problems.append('%s:%d: expected ofr-NN<TAB>query' % (TOPICS, n))
                continue
            if parts[0] in qids:
                problems.append('%s:%d: %s listed twice' % (TOPICS, n, parts[0]))
            qids.append(parts[0])
    if len(qids) < MIN_TOPICS:
        problems.append('%s: %d topics, at least %d expected' % (TOPICS, len(qids), MIN_TOPICS))
    return set(qids)


def read_qrels(path, qids, problems):
    """Returns {(qid, docid): grade}; a line must be 'qid 0 docid grade' with grade 0..3."""
    judged = {}
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            fields = line.split()
            if len(fields) != 4 or fields[1] != '0' or fields[3] not in '0123':
                problems.append('%s:%d: expected "qid 0 docid grade(0-3)"' % (path, n))
                continue
            qid, docid, grade = fields[0], fields[2], int(fields[3])
            if qid not in qids:
                problems.append('%s:%d: %s is not a topic' % (path, n, qid))
            if (qid, docid) in judged:
                problems.append('%s:%d: %s %s judged twice' % (path, n, qid, docid))
            judged[(qid, docid)] = grade
    for qid in sorted(qids):
        if not any(g > 0 for (q, _), g in judged.items() if q == qid):
            problems.append('%s: %s has no relevant document' % (path, qid))
    return judged


def index_sections(db):
    """The section docids of an ofsearch index: path, plus '#anchor' from the section URL."""
    con = sqlite3.connect('file:%s?mode=ro' % db, uri=True)
    ids = set()
    for path, url in con.execute('SELECT d.path, s.url FROM sections s '
                                 'JOIN documents d ON d.id = s.document_id'):
        frag = url.split('#', 1)[1] if '#' in url else ''
        ids.add(encode(path) + ('#' + encode(frag) if frag else ''))
    con.close()
    return ids


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--corpus', default=DEFAULT_CORPUS)
    ap.add_argument('--db', help='an ofsearch index of the corpus, to check section docids')
    args = ap.parse_args()
    problems = []
    qids = read_topics(problems)
    pages = read_qrels(PAGE_QRELS, qids, problems)
    sections = read_qrels(SECTION_QRELS, qids, problems)

    for (qid, docid), grade in sorted(sections.items()):
        page = docid.split('#', 1)[0]
        if grade > pages.get((qid, page), 0):
            problems.append('%s: %s %s graded %d, its page %d' % (
                SECTION_QRELS, qid, docid, grade, pages.get((qid, page), 0)))

    if os.path.isdir(args.corpus):
        for docid in sorted({d for _, d in pages} | {d.split('#', 1)[0] for _, d in sections}):
            if not os.path.isfile(os.path.join(args.corpus, decode(docid))):
                problems.append('%s: no such page in the corpus' % docid)
    else:
        print('check_operate_first_real: %s absent, page files not checked' % args.corpus)

    if args.db:
        known = index_sections(args.db)
        for docid in sorted({d for _, d in sections} - known):
            problems.append('%s: no such section in %s' % (docid, args.db))

    for p in problems:
        print(p)
    print('%d topics, %d page and %d section judgments, %d problems' % (
        len(qids), len(pages), len(sections), len(problems)))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
