#!/bin/sh
# The relevance suite: ofsearch's default ranking against plain baselines measured in the same
# run (SQLite FTS5 `unicode61` + bm25(), FTS5 `porter unicode61` + bm25(), lunr 2.3.9) on every
# judged collection, printed as one table with paired randomization tests. See docs/eval.md.
#
#   benchmarks/relevance/run.sh              # everything: about 2 minutes on 2 cores
#   QUICK=1 benchmarks/relevance/run.sh      # tldr in English only, 50 pages: about 30 s
#   TLDR_N=200 TLDR_LANGS="en de" benchmarks/relevance/run.sh
#   VARIANTS=1 benchmarks/relevance/run.sh   # also ofsearch's configuration variants
#
# BUILD (build dir) or OFSEARCH (binary); OUT (benchmarks/out/relevance: runs, JSON, table.md);
# CORPORA (../shared/corpora); JUDGMENTS (tests/relevance: where operate-first-real.* are
# looked for); LUNR_HOME (benchmarks/out/lunr-2.3.9: npm installs lunr there when missing).
# A collection whose data is missing is skipped with a message; so is lunr without node/npm.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
OFS=${OFSEARCH:-$BUILD/indexer/ofsearch}
[ -x "$OFS" ] || OFS=$BUILD/ofsearch
OUT=${OUT:-$ROOT/benchmarks/out/relevance}
if [ -z "${CORPORA:-}" ]; then
    CORPORA=$ROOT/../shared/corpora
    [ -d "$CORPORA" ] || CORPORA=/work/shared/corpora
fi
JUDGMENTS=${JUDGMENTS:-$ROOT/tests/relevance}
LUNR_HOME=${LUNR_HOME:-$ROOT/benchmarks/out/lunr-2.3.9}
if [ "${QUICK:-0}" = 1 ]; then
    TLDR_N=${TLDR_N:-50}
    TLDR_LANGS=${TLDR_LANGS:-en}
fi
TLDR_N=${TLDR_N:-100}
TLDR_LANGS=${TLDR_LANGS:-"en de es fr it pt_BR ru ko zh ja"}
HERE=$ROOT/benchmarks/relevance

if [ ! -x "$OFS" ]; then
    echo "run.sh: no ofsearch binary at $OFS (set BUILD or OFSEARCH)" >&2
    exit 2
fi
mkdir -p "$OUT"
MANIFEST=$OUT/manifest.tsv
: > "$MANIFEST"
START=$(date +%s)

# lunr 2.3.9 from npm, installed once into LUNR_HOME (outside the sources' tracked files).
LUNR=
if ! command -v node > /dev/null 2>&1; then
    echo "== lunr: skipped (no node)"
elif [ -f "$LUNR_HOME/node_modules/lunr/package.json" ] ||
     { command -v npm > /dev/null 2>&1 &&
       timeout 300 npm install --silent --no-save --no-audit --no-fund \
           --prefix "$LUNR_HOME" lunr@2.3.9 > /dev/null 2>&1; }; then
    LUNR=$LUNR_HOME
else
    echo "== lunr: skipped (npm install lunr@2.3.9 into $LUNR_HOME failed)"
fi

index() { # DB ofsearch-index-args...: a fresh index with the default tokenizer
    db=$1
    shift
    rm -f "$db" "$db-wal" "$db-shm"
    "$OFS" index --db "$db" -q "$@" > /dev/null
}

# evaluate NAME DB TOPICS QRELS DOCID DEPTH GRANULARITIES: ofsearch's defaults and every
# baseline on one collection, compared by `ofsearch eval --run` (deltas and p against the
# first run, ofsearch's); the comparison is listed in the manifest for table.py.
evaluate() {
    name=$1 db=$2 topics=$3 qrels=$4 docid=$5 depth=$6 gran=$7
    w=$OUT/$name
    t0=$(date +%s)
    rm -rf "$w"
    mkdir -p "$w"
    "$OFS" eval --db "$db" --topics "$topics" --qrels "$qrels" --docid "$docid" \
        --depth "$depth" --run-out "$w/ofsearch.run" --json-out "$w/ofsearch.json" > /dev/null
    python3 "$HERE/baselines.py" --db "$db" --topics "$topics" --docid "$docid" \
        --depth "$depth" --granularity "$gran" --out "$w"
    set -- --run "$w/ofsearch.run"
    for g in $(echo "$gran" | tr , ' '); do
        set -- "$@" --run "$w/fts5-unicode61-$g.run" --run "$w/fts5-porter-$g.run"
        if [ -n "$LUNR" ]; then
            NODE_PATH=$LUNR/node_modules node "$HERE/lunr_run.js" "$w/units-$g.jsonl" \
                "$topics" "$depth" "lunr-$g" > "$w/lunr-$g.run"
            set -- "$@" --run "$w/lunr-$g.run"
        fi
    done
    "$OFS" eval --qrels "$qrels" --topics "$topics" --json "$@" > "$w/compare.json"
    printf '%s\t%s\n' "$name" "$w/compare.json" >> "$MANIFEST"
    echo "   $name: $(($(date +%s) - t0)) s"
}

# ---- Cranfield and CACM: abstracts (JSONL), docid = the record's id ----
for c in cranfield cacm; do
    if [ -f "$CORPORA/$c/docs.jsonl" ]; then
        echo "== $c"
        index "$OUT/$c.db" --collection "$c=$CORPORA/$c/docs.jsonl"
        evaluate "$c" "$OUT/$c.db" "$CORPORA/$c/topics.tsv" "$CORPORA/$c/qrels.txt" id 1000 section
    else
        echo "== $c: skipped ($CORPORA/$c/docs.jsonl not found)"
    fi
done

# ---- the default corpus: section-level judgments (docid relpath#anchor) ----
CORPUS=$ROOT/corpus/operate-first
REL=$ROOT/tests/relevance
if [ -d "$CORPUS" ] && [ -f "$REL/operate-first.qrels" ]; then
    echo "== default corpus (corpus/operate-first)"
    index "$OUT/corpus.db" --collection "operate-first=$CORPUS"
    # The of-p* topics are as-you-type prefixes (run with --prefix): VARIANTS=1 has them.
    grep -v '^of-p' "$REL/operate-first.topics.tsv" > "$OUT/corpus-words.tsv"
    evaluate corpus-words "$OUT/corpus.db" "$OUT/corpus-words.tsv" "$REL/operate-first.qrels" \
        anchor 1000 section
    evaluate corpus-terms "$OUT/corpus.db" "$REL/operate-first-terms.topics.tsv" \
        "$REL/operate-first-terms.qrels" anchor 1000 section
else
    echo "== default corpus: skipped (corpus/operate-first or tests/relevance missing)"
fi

# ---- the real Operate First documentation, one collection rooted at the shared folder ----
REAL=$CORPORA/operate-first
if [ ! -d "$REAL" ]; then
    echo "== operate-first-real: skipped ($REAL not found)"
elif [ ! -f "$JUDGMENTS/operate-first-real.topics.tsv" ]; then
    echo "== operate-first-real: skipped (no $JUDGMENTS/operate-first-real.topics.tsv)"
else
    echo "== operate-first-real ($REAL)"
    index "$OUT/real.db" --collection "operate-first=$REAL"
    for kind in pages sections; do
        if [ $kind = pages ]; then
            qrels=$JUDGMENTS/operate-first-real.qrels docid=path gran=section,page
        else
            qrels=$JUDGMENTS/operate-first-real-sections.qrels docid=anchor gran=section
        fi
        if [ -f "$qrels" ]; then
            evaluate "real-$kind" "$OUT/real.db" "$JUDGMENTS/operate-first-real.topics.tsv" \
                "$qrels" $docid 1000 $gran
        else
            echo "   real-$kind: skipped (no $qrels)"
        fi
    done
fi

# ---- tldr-pages: known-item search per language (description and command-name queries) ----
TLDR=$CORPORA/tldr-pages.tar.xz
if [ -f "$TLDR" ]; then
    echo "== tldr-pages known item (N=$TLDR_N per language: $TLDR_LANGS)"
    if [ ! -d "$OUT/tldr/tldr" ]; then
        mkdir -p "$OUT/tldr"
        tar xJf "$TLDR" -C "$OUT/tldr"
    fi
    python3 "$HERE/tldr_known_item.py" "$OUT/tldr/tldr" "$OUT/tldr-ki" "$TLDR_N" 1 $TLDR_LANGS
    for l in $TLDR_LANGS; do
        ki=$OUT/tldr-ki/$l
        [ -f "$ki.qrels" ] || continue
        d=$OUT/tldr/tldr/pages.$l
        [ "$l" = en ] && d=$OUT/tldr/tldr/pages
        # One index per language, so no system's statistics mix languages.
        index "$OUT/tldr-$l.db" --collection "tldr-$l=$d"
        awk -F'\t' -v OFS='\t' '{ $1 = $1 "-desc"; print }' "$ki.desc.tsv" > "$ki.both.tsv"
        awk -F'\t' -v OFS='\t' '{ $1 = $1 "-name"; print }' "$ki.name.tsv" >> "$ki.both.tsv"
        awk '{ print $1 "-desc", $2, $3, $4; print $1 "-name", $2, $3, $4 }' "$ki.qrels" \
            > "$ki.both.qrels"
        evaluate "tldr-$l" "$OUT/tldr-$l.db" "$ki.both.tsv" "$ki.both.qrels" path 100 section
    done
else
    echo "== tldr-pages: skipped ($TLDR not found)"
fi

echo
python3 "$HERE/table.py" "$MANIFEST"
echo "(table also in $OUT/table.md and table.tsv; suite took $(($(date +%s) - START)) s)"

[ "${VARIANTS:-0}" = 1 ] || exit 0
exec "$HERE/variants.sh"
