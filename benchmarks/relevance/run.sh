#!/bin/sh
# Relevance benchmark: `ofsearch eval` over every document set (Cranfield, the Operate First
# corpus, tldr-pages known-item per language), configuration variants compared with paired
# randomization tests, and one summary table across the sets. See docs/eval.md.
#
#   benchmarks/relevance/run.sh            # BUILD=build-dir, OUT=benchmarks/out/relevance
#   TLDR_N=100 TLDR_LANGS="en de es" benchmarks/relevance/run.sh
# Sets whose data is missing are skipped with a message. Outputs (runs, JSON, SVG) go to $OUT.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
OFS=${OFSEARCH:-$BUILD/indexer/ofsearch}
[ -x "$OFS" ] || OFS=$BUILD/ofsearch
OUT=${OUT:-$ROOT/benchmarks/out/relevance}
CORPORA=${CORPORA:-$ROOT/../shared/corpora}
[ -d "$CORPORA" ] || CORPORA=/work/shared/corpora
TLDR_N=${TLDR_N:-100}
TLDR_LANGS=${TLDR_LANGS:-"en de es fr it pt_BR ru ko zh ja"}
HERE=$ROOT/benchmarks/relevance

if [ ! -x "$OFS" ]; then
    echo "run.sh: no ofsearch binary at $OFS (set BUILD or OFSEARCH)" >&2
    exit 2
fi
mkdir -p "$OUT"
SUMMARY=$OUT/summary.tsv
: > "$SUMMARY"

# summarize SETNAME JSONFILE: appends the first configuration's means to the summary.
summarize() {
    python3 - "$1" "$2" >> "$SUMMARY" <<'PY'
import json, sys
c = json.load(open(sys.argv[2]))["configs"][0]
m = c["mean"]
print("\t".join([sys.argv[1], str(c["queries"])] +
                [f"{m[k]:.4f}" for k in ("map", "ndcg_cut_10", "P_10", "recall_100", "recip_rank_10")]))
PY
}

index() { # DB TOKENIZER|default COLLECTION-SPEC...
    db=$1 tok=$2
    shift 2
    rm -f "$db"
    if [ "$tok" = default ]; then
        "$OFS" index --db "$db" -q "$@" > /dev/null
    else
        "$OFS" index --db "$db" --tokenizer "$tok" -q "$@" > /dev/null
    fi
}

# ---- Cranfield: 1,400 abstracts, 225 queries, graded judgments ----
CRAN=$CORPORA/cranfield
if [ -f "$CRAN/docs.jsonl" ]; then
    echo "== Cranfield =="
    index "$OUT/cran-none.db" "stem none" --collection "cranfield=$CRAN/docs.jsonl"
    index "$OUT/cran-english.db" "stem english" --collection "cranfield=$CRAN/docs.jsonl"
    index "$OUT/cran-porter.db" "stem porter" --collection "cranfield=$CRAN/docs.jsonl"
    set -- --qrels "$CRAN/qrels.txt" --topics "$CRAN/topics.tsv" --no-synonyms --depth 1000
    "$OFS" eval "$@" --db "$OUT/cran-english.db" --run-out "$OUT/cran.run" \
        --json-out "$OUT/cran.json" > /dev/null
    summarize "cranfield (default index)" "$OUT/cran.json"
    "$OFS" eval "$@" --svg "$OUT/cran-configs.svg" --json-out "$OUT/cran-configs.json" \
        --config "default:db=$OUT/cran-english.db" \
        --config "stem-none:db=$OUT/cran-none.db" \
        --config "stem-porter:db=$OUT/cran-porter.db" \
        --config "fts5-bm25:db=$OUT/cran-english.db,ranker=bm25" \
        --config "k1-1.2:db=$OUT/cran-english.db,k1=1.2" \
        --config "keep-stopwords:db=$OUT/cran-english.db,stopwords=0" \
        --config "fallback-empty-only:db=$OUT/cran-english.db,fallback=1" \
        --config "equal-weights:db=$OUT/cran-english.db,w_title=1,w_headings=1,w_meta=1,w_code=1"
    # For comparison with the search option: a standard English list removed from the topics
    # themselves (all-words matching then also ignores them).
    python3 "$HERE/stopwords.py" < "$CRAN/topics.tsv" > "$OUT/cran-topics-nostop.tsv"
    "$OFS" eval --qrels "$CRAN/qrels.txt" --topics "$OUT/cran-topics-nostop.tsv" --no-synonyms \
        --depth 1000 --config "none-nostop:db=$OUT/cran-none.db" \
        --config "english-nostop:db=$OUT/cran-english.db" --json-out "$OUT/cran-nostop.json"
    python3 - "$OUT/cran-configs.json" "$OUT/cran-nostop.json" >> "$SUMMARY" <<'PY'
import json, sys
for c in json.load(open(sys.argv[1]))["configs"][1:] + json.load(open(sys.argv[2]))["configs"]:
    m = c["mean"]
    print("\t".join([f"cranfield ({c['name']})", str(c["queries"])] +
                    [f"{m[k]:.4f}" for k in ("map", "ndcg_cut_10", "P_10", "recall_100", "recip_rank_10")]))
PY
else
    echo "== Cranfield: skipped ($CRAN/docs.jsonl not found) =="
fi

# ---- Operate First: the default corpus, section-level judgments (docid relpath#anchor) ----
OF=$ROOT/corpus/operate-first
REL=$ROOT/tests/relevance
if [ -d "$OF" ] && [ -f "$REL/operate-first.qrels" ]; then
    echo "== Operate First =="
    index "$OUT/of.db" default --collection "operate-first=$OF"
    grep -v '^of-p' "$REL/operate-first.topics.tsv" > "$OUT/of-words.tsv"
    grep '^of-p' "$REL/operate-first.topics.tsv" > "$OUT/of-prefix.tsv"
    SYN=$ROOT/corpus/synonyms.txt
    set -- --db "$OUT/of.db" --qrels "$REL/operate-first.qrels" --docid anchor
    [ -f "$SYN" ] && set -- "$@" --synonyms "$SYN"
    "$OFS" eval "$@" --topics "$OUT/of-words.tsv" --run-out "$OUT/of-words.run" \
        --json-out "$OUT/of-words-configs.json" --config default --config "no-synonyms:synonyms=none" --config "no-fallback:fallback=0" \
        --config "no-entry-boost:entry_boost=1" --config "fts5-bm25:ranker=bm25" \
        --config "no-dym:did_you_mean=0" --config "equal-weights:w_title=1,w_headings=1,w_meta=1,w_code=1" \
        --svg "$OUT/of-words.svg"
    summarize "operate-first (words)" "$OUT/of-words-configs.json"
    "$OFS" eval "$@" --topics "$OUT/of-prefix.tsv" --prefix --json > "$OUT/of-prefix.json"
    summarize "operate-first (prefix)" "$OUT/of-prefix.json"
    "$OFS" eval "$@" --topics "$REL/operate-first-terms.topics.tsv" \
        --qrels "$REL/operate-first-terms.qrels" --json > "$OUT/of-terms.json"
    summarize "operate-first (term names)" "$OUT/of-terms.json"
else
    echo "== Operate First: skipped (corpus or tests/relevance missing) =="
fi

# ---- tldr-pages: known-item search per language (MRR@10) ----
TLDR=$CORPORA/tldr-pages.tar.xz
if [ -f "$TLDR" ]; then
    echo "== tldr-pages known item (N=$TLDR_N per language; MRR@10) =="
    if [ ! -d "$OUT/tldr/tldr" ]; then
        mkdir -p "$OUT/tldr"
        tar xJf "$TLDR" -C "$OUT/tldr"
    fi
    python3 "$HERE/tldr_known_item.py" "$OUT/tldr/tldr" "$OUT/tldr-ki" "$TLDR_N" 1 $TLDR_LANGS
    set --
    for l in $TLDR_LANGS; do
        d=$OUT/tldr/tldr/pages.$l
        [ "$l" = en ] && d=$OUT/tldr/tldr/pages
        [ -d "$d" ] && set -- "$@" --collection "tldr-$l=$d"
    done
    index "$OUT/tldr.db" default "$@"
    printf '%-8s %6s %10s %10s\n' lang pages "desc" "name"
    for l in $TLDR_LANGS; do
        [ -f "$OUT/tldr-ki/$l.qrels" ] || continue
        for kind in desc name; do
            "$OFS" eval --db "$OUT/tldr.db" --collection "tldr-$l" --docid path --no-synonyms \
                --qrels "$OUT/tldr-ki/$l.qrels" --topics "$OUT/tldr-ki/$l.$kind.tsv" --json \
                > "$OUT/tldr-$l-$kind.json"
            summarize "tldr $l ($kind)" "$OUT/tldr-$l-$kind.json"
        done
        python3 - "$l" "$OUT/tldr-$l-desc.json" "$OUT/tldr-$l-name.json" <<'PY'
import json, sys
d, n = (json.load(open(p))["configs"][0] for p in sys.argv[2:4])
print(f"{sys.argv[1]:8s} {d['queries']:6d} {d['mean']['recip_rank_10']:10.4f} "
      f"{n['mean']['recip_rank_10']:10.4f}")
PY
    done
else
    echo "== tldr-pages: skipped ($TLDR not found) =="
fi

echo
echo "== Summary (first/default configuration of each set) =="
printf '%-34s %6s %8s %8s %8s %8s %8s\n' set queries MAP nDCG@10 P@10 R@100 MRR@10
awk -F'\t' '{printf "%-34s %6s %8s %8s %8s %8s %8s\n", $1, $2, $3, $4, $5, $6, $7}' "$SUMMARY"
