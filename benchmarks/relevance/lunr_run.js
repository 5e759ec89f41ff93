#!/usr/bin/env node
// The lunr baseline of the relevance suite (docs/eval.md, "Baselines"): lunr 2.3.9 with its
// defaults (English stemmer, stop-word filter, trimmer; BM25 per field, k1 1.2, b 0.75, every
// field boost 1) over the units baselines.py read out of the ofsearch index; writes a TREC run.
//
//   NODE_PATH=cache/node_modules node lunr_run.js UNITS.jsonl TOPICS.tsv DEPTH TAG > RUN
//
// Queries are not given to lunr's query parser (':', '^', '~', '+', '-', '*' are its syntax and
// throw or change meaning): they are split with lunr.tokenizer, trimmed as lunr trims indexed
// words, and passed as optional terms, so the search pipeline (the stemmer) applies to each.
'use strict';
const fs = require('fs');
const lunr = require('lunr');

const [unitsPath, topicsPath, depthArg, tag] = process.argv.slice(2);
if (!unitsPath || !topicsPath || !depthArg || !tag) {
  process.stderr.write('usage: lunr_run.js UNITS.jsonl TOPICS.tsv DEPTH TAG\n');
  process.exit(2);
}
if (lunr.version !== '2.3.9') {
  process.stderr.write(`lunr_run.js: lunr ${lunr.version} found, the suite measures 2.3.9\n`);
  process.exit(2);
}
const depth = parseInt(depthArg, 10);
const FIELDS = ['title', 'headings', 'body', 'code', 'meta'];

const units = fs.readFileSync(unitsPath, 'utf8').split('\n').filter(Boolean)
  .map((line) => JSON.parse(line));
const idx = lunr(function () {
  this.ref('i');
  FIELDS.forEach((f) => this.field(f));
  units.forEach((u, i) => {
    const doc = { i: String(i) };
    FIELDS.forEach((f) => { doc[f] = u[f]; });
    this.add(doc);
  });
});

const out = [];
for (const line of fs.readFileSync(topicsPath, 'utf8').split('\n')) {
  const tab = line.indexOf('\t');
  if (tab < 0 || line.startsWith('#')) continue;
  const qid = line.slice(0, tab).trim();
  const words = lunr.tokenizer(line.slice(tab + 1).replace(/\r$/, ''))
    .map((t) => lunr.trimmer(t).toString().replace(/\*/g, ''))
    .filter(Boolean);
  if (!words.length) continue;
  const hits = idx.query((q) => { q.term(words); });
  const seen = new Set();
  for (const h of hits) {
    const docid = units[Number(h.ref)].docid;
    if (!docid || seen.has(docid)) continue; // a later section of a docid already ranked
    seen.add(docid);
    out.push(`${qid} Q0 ${docid} ${seen.size} ${h.score} ${tag}`);
    if (seen.size === depth) break;
  }
}
process.stdout.write(out.length ? out.join('\n') + '\n' : '');
