#!/bin/sh
# ofsearch's configuration variants side by side (stemming, column weights, fallback, synonyms,
# FTS5 bm25() instead of BM25F ...), each against the defaults with paired randomization tests:
# what the defaults were chosen with (docs/eval.md). `VARIANTS=1 run.sh` runs it after the
# suite's table; it also runs alone, with the same variables (BUILD, OUT, CORPORA, JUDGMENTS).
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
OFS=${OFSEARCH:-$BUILD/indexer/ofsearch}
[ -x "$OFS" ] || OFS=$BUILD/ofsearch
OUT=${OUT:-$ROOT/benchmarks/out/relevance}/variants
if [ -z "${CORPORA:-}" ]; then
    CORPORA=$ROOT/../shared/corpora
    [ -d "$CORPORA" ] || CORPORA=/work/shared/corpora
fi
JUDGMENTS=${JUDGMENTS:-$ROOT/tests/relevance}
HERE=$ROOT/benchmarks/relevance

if [ ! -x "$OFS" ]; then
    echo "variants.sh: no ofsearch binary at $OFS (set BUILD or OFSEARCH)" >&2
    exit 2
fi
mkdir -p "$OUT"

index() { # DB TOKENIZER|default ofsearch-index-args...
    db=$1 tok=$2
    shift 2
    rm -f "$db" "$db-wal" "$db-shm"
    if [ "$tok" = default ]; then
        "$OFS" index --db "$db" -q "$@" > /dev/null
    else
        "$OFS" index --db "$db" --tokenizer "$tok" -q "$@" > /dev/null
    fi
}

# ---- Cranfield: stemming, weights, fallback; stop words removed from the topics ----
CRAN=$CORPORA/cranfield
if [ -f "$CRAN/docs.jsonl" ]; then
    echo "== Cranfield variants"
    index "$OUT/cran-none.db" "stem none" --collection "cranfield=$CRAN/docs.jsonl"
    index "$OUT/cran-english.db" "stem english" --collection "cranfield=$CRAN/docs.jsonl"
    index "$OUT/cran-porter.db" "stem porter" --collection "cranfield=$CRAN/docs.jsonl"
    "$OFS" eval --qrels "$CRAN/qrels.txt" --topics "$CRAN/topics.tsv" --depth 1000 \
        --svg "$OUT/cran-configs.svg" --json-out "$OUT/cran-configs.json" \
        --config "default:db=$OUT/cran-english.db" \
        --config "stem-none:db=$OUT/cran-none.db" \
        --config "stem-porter:db=$OUT/cran-porter.db" \
        --config "fts5-bm25:db=$OUT/cran-english.db,ranker=bm25" \
        --config "k1-1.2:db=$OUT/cran-english.db,k1=1.2" \
        --config "keep-stopwords:db=$OUT/cran-english.db,stopwords=0" \
        --config "fallback-empty-only:db=$OUT/cran-english.db,fallback=1" \
        --config "equal-weights:db=$OUT/cran-english.db,w_title=1,w_headings=1,w_meta=1,w_code=1"
    # A standard English list removed from the topics themselves (all-words matching then also
    # ignores them), for comparison with the search option `stopwords`.
    python3 "$HERE/stopwords.py" < "$CRAN/topics.tsv" > "$OUT/cran-topics-nostop.tsv"
    "$OFS" eval --qrels "$CRAN/qrels.txt" --topics "$OUT/cran-topics-nostop.tsv" --depth 1000 \
        --config "none-nostop:db=$OUT/cran-none.db" \
        --config "english-nostop:db=$OUT/cran-english.db" --json-out "$OUT/cran-nostop.json"
else
    echo "== Cranfield variants: skipped ($CRAN/docs.jsonl not found)"
fi

# ---- the default corpus: synonyms, fallback, entry boost, weights; prefix topics ----
CORPUS=$ROOT/corpus/operate-first
REL=$ROOT/tests/relevance
if [ -d "$CORPUS" ] && [ -f "$REL/operate-first.qrels" ]; then
    echo "== default corpus variants"
    index "$OUT/corpus.db" default --collection "operate-first=$CORPUS"
    grep -v '^of-p' "$REL/operate-first.topics.tsv" > "$OUT/of-words.tsv"
    grep '^of-p' "$REL/operate-first.topics.tsv" > "$OUT/of-prefix.tsv"
    set -- --db "$OUT/corpus.db" --qrels "$REL/operate-first.qrels" --docid anchor
    "$OFS" eval "$@" --topics "$OUT/of-words.tsv" --json-out "$OUT/of-words-configs.json" \
        --config default --config "no-synonyms:synonyms=none" --config "no-fallback:fallback=0" \
        --config "no-entry-boost:entry_boost=1" --config "fts5-bm25:ranker=bm25" \
        --config "no-dym:did_you_mean=0" \
        --config "equal-weights:w_title=1,w_headings=1,w_meta=1,w_code=1" \
        --svg "$OUT/of-words.svg"
    echo "-- prefix topics (--prefix)"
    "$OFS" eval "$@" --topics "$OUT/of-prefix.tsv" --prefix
else
    echo "== default corpus variants: skipped (corpus/operate-first or tests/relevance missing)"
fi

# ---- the real Operate First documentation, page level ----
REAL=$CORPORA/operate-first
if [ -d "$REAL" ] && [ -f "$JUDGMENTS/operate-first-real.topics.tsv" ] &&
   [ -f "$JUDGMENTS/operate-first-real.qrels" ]; then
    echo "== operate-first-real variants (page level)"
    index "$OUT/real.db" default --collection "operate-first=$REAL"
    "$OFS" eval --db "$OUT/real.db" --topics "$JUDGMENTS/operate-first-real.topics.tsv" \
        --qrels "$JUDGMENTS/operate-first-real.qrels" --docid path --depth 1000 \
        --json-out "$OUT/real-configs.json" --config default --config "no-synonyms:synonyms=none" \
        --config "fts5-bm25:ranker=bm25" --config "no-entry-boost:entry_boost=1" \
        --config "equal-weights:w_title=1,w_headings=1,w_meta=1,w_code=1" \
        --config "no-fallback-top-up:fallback=1"
else
    echo "== operate-first-real variants: skipped (no corpus or no judgments)"
fi
