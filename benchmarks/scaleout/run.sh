#!/usr/bin/env bash
# Scale-out on one machine: 1, 2 and 3 ofsearchd replicas on loopback, each serving its own copy
# of one tldr-pages snapshot (`ofsearch snapshot`, as the Kubernetes init containers do), behind
# HAProxy (round robin, health check on /readyz); wrk drives 1,000 queries through HAProxy.
# Prints requests/s, p99, errors and each replica's peak RSS per replica count, and a baseline
# measured in the same run: 1 replica without HAProxy (the proxy's cost). On 2 cores shared with
# wrk and HAProxy the point is the method and zero errors, not linear speed-up.
# (The rolling publication of a new snapshot through the replicas comes with ofsearchd
# --index-dir: phase B of issue 22.)
# usage: benchmarks/scaleout/run.sh [BUILD_DIR]   (needs tldr-pages.tar.xz, haproxy, wrk)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
tarball=${TLDR_TARBALL:-../shared/corpora/tldr-pages.tar.xz}
connections=${CONNECTIONS:-32}
duration=${DURATION:-10s}
threads=${THREADS:-2}   # search workers per replica
[ -f "$tarball" ] || { echo "skip: $tarball not found"; exit 0; }
for tool in haproxy wrk; do
    command -v $tool >/dev/null || { echo "skip: $tool not installed (Debian package '$tool')"; exit 0; }
done
ninja -C "$build" indexer/ofsearch searchd/ofsearchd benchmarks/bench_query >/dev/null

work=${BENCH_WORK:-/tmp/ofs-bench}
mkdir -p "$work"
[ -d "$work/tldr" ] || { mkdir -p "$work/tldr" && tar -xJf "$tarball" -C "$work/tldr"; }
db=$work/tldr-load.db
[ -f "$db" ] || "$build/indexer/ofsearch" index --quiet --db "$db" --collection tldr="$work/tldr" >/dev/null
run=$(mktemp -d /tmp/ofs-scaleout.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; rm -rf "$run"; }
trap cleanup EXIT
"$build/indexer/ofsearch" snapshot --quiet --db "$db" "$run/published"
queries=$run/queries.txt
"$build/benchmarks/bench_query" "$db" --make-queries 1000 > "$queries"
sections=$("$build/indexer/ofsearch" stats --db "$run/published" --json | sed -n 's/^  "sections": \([0-9]*\),/\1/p')
echo "index: tldr-pages snapshot, $sections sections, $(du -h "$run/published" | cut -f1); $(nproc) CPUs;" \
     "$connections connections, $duration a run, $threads search workers a replica"

# start_replica N: copies the published snapshot (verified) and serves it; prints its port.
start_replica() {
    local n=$1 dir=$run/replica$1
    mkdir -p "$dir"
    "$build/indexer/ofsearch" snapshot --quiet --db "$run/published" "$dir/index.db"
    "$build/indexer/ofsearch" verify --quiet "$dir/index.db"
    "$build/searchd/ofsearchd" --db "$dir/index.db" --listen 127.0.0.1:0 --threads "$threads" \
        --reload-interval 0 > "$dir/out" 2> "$dir/log" &
    pids+=($!)
    echo $! > "$dir/pid"
    for _ in $(seq 100); do grep -q '^listening on' "$dir/out" 2>/dev/null && break; sleep 0.1; done
    sed -n 's/^listening on http:\/\/127.0.0.1:\([0-9]*\)\/$/\1/p' "$dir/out"
}

# haproxy_for PORT...: starts HAProxy in front of the ports; prints its port.
haproxy_for() {
    local port=$((20000 + RANDOM % 20000)) cfg=$run/haproxy.cfg i=0
    {
        printf 'global\n  maxconn 4096\n  log stderr format raw local0 err\n'
        printf 'defaults\n  mode http\n  timeout connect 2s\n  timeout client 30s\n  timeout server 30s\n  option http-keep-alive\n  retries 2\n  option redispatch\n'
        printf 'frontend search\n  bind 127.0.0.1:%s\n  default_backend replicas\n' "$port"
        printf 'backend replicas\n  balance roundrobin\n  option httpchk GET /readyz\n  http-check expect status 200\n'
        for p in "$@"; do i=$((i + 1)); printf '  server r%s 127.0.0.1:%s check inter 1s fall 2 rise 1\n' "$i" "$p"; done
    } > "$cfg"
    haproxy -f "$cfg" -db > "$run/haproxy.log" 2>&1 &
    pids+=($!)
    echo $! > "$run/haproxy.pid"
    for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
    echo "$port"
}

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<< " $2"; }
load() {  # load PORT LABEL
    local r
    r=$(wrk -t2 -c"$connections" -d"$duration" --timeout 5s -s benchmarks/load/queries.lua \
        "http://127.0.0.1:$1" -- "$queries" | grep '^LOAD')
    local bad=$(( $(field errors_connect "$r") + $(field errors_read "$r") + $(field errors_write "$r") + $(field errors_status "$r") + $(field errors_timeout "$r") ))
    local rss="" d
    for d in "$run"/replica*; do
        rss+=" $(awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$(cat "$d/pid")/status")"
    done
    printf '  %-26s requests/s %8s   p50 %6s ms   p99 %7s ms   errors %s   peak RSS per replica (MB):%s\n' \
        "$2" "$(field rps "$r")" "$(field p50_ms "$r")" "$(field p99_ms "$r")" "$bad" "$rss"
}

ports=()
ports+=("$(start_replica 1)")
wrk -t2 -c"$connections" -d2s -s benchmarks/load/queries.lua "http://127.0.0.1:${ports[0]}" -- "$queries" >/dev/null
load "${ports[0]}" "1 replica, no proxy"
for n in 1 2 3; do
    [ "$n" -gt 1 ] && ports+=("$(start_replica "$n")")
    [ -f "$run/haproxy.pid" ] && { kill -TERM "$(cat "$run/haproxy.pid")"; sleep 0.2; }
    hp=$(haproxy_for "${ports[@]}")
    load "$hp" "$n replica(s) via HAProxy"
done
