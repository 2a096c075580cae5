#!/usr/bin/env bash
# Performance figures for the gong-users CLI, checked against their goals: it exits non-zero when
# a goal is missed or a run wrote the wrong users, so it can run as a check.
#
# Sets up everything itself: nginx and curl from Debian's packages as the static server and the
# wire's floor, 1,000 pages of 100 realistic users (about 70 MB), the release binaries. Then, in
# one run and interleaved so every program sees the same machine, times:
#   curl          fetches the 1,000 pages one after another on one keep-alive connection, parses
#                 nothing and writes the bodies out: the floor any client of this API can reach;
#   baseline      a hand-written reqwest + serde loop: decodes every user into typed structs
#                 and writes it back out as a JSON line (bench/src/bin/baseline_loop.rs);
#   gong-users    `list --format ndjson|json|csv|table --rate-limit 0`: ndjson and json pass
#                 each user's bytes through as Gong sent them (no decode); csv and table decode
#                 every user and write its fields.
# Every output is checked: the users written, in order, are the server's (bench-check).
#
#   bash bench/run.sh            # throughput, memory, at-quota
#   RUNS=7 bash bench/run.sh     # more runs a side (default 5); the median is reported
#   BUILD=1 bash bench/run.sh    # also clean release builds, crate counts, the binary's size
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
PORT=${PORT:-18089}
work=$(mktemp -d)
chmod 755 "$work"   # nginx workers run as another user
trap '[ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; rm -rf "$work"' EXIT

missing=()
command -v nginx >/dev/null || missing+=(nginx-light)
command -v curl >/dev/null || missing+=(curl)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} from Debian's packages..." >&2
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

echo "building release binaries..." >&2
cargo build --release --locked --quiet -p gong-users-cli -p gong-users-bench
bin=${CARGO_TARGET_DIR:-target}/release

"$bin/bench-data" "$work/big" 1000 >&2
"$bin/bench-data" "$work/small" 100 >&2

cat > "$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log;
events { worker_connections 64; }
http {
  access_log off;
  keepalive_requests 100000;
  sendfile on;
  tcp_nodelay on;
  map \$arg_cursor \$page { "" p0; default \$arg_cursor; }
  server {
    listen 127.0.0.1:$PORT;
    root $work/big;
    location = /v2/users { default_type application/json; try_files /pages/\$page.json =404; }
  }
  server {
    listen 127.0.0.1:$((PORT + 1));
    root $work/small;
    location = /v2/users { default_type application/json; try_files /pages/\$page.json =404; }
  }
}
CONF
nginx -c "$work/nginx.conf" -p "$work"
sleep 0.3
big=http://127.0.0.1:$PORT
small=http://127.0.0.1:$((PORT + 1))
export GONG_BEARER_TOKEN=bench-token

# curl's list of the same 1,000 requests the clients make, in order, on one connection; it
# writes the bodies to its stdout, to the same file as every timed program.
{
  echo "url = \"$big/v2/users\""
  for n in $(seq 1 999); do echo "url = \"$big/v2/users?cursor=p$n\""; done
} > "$work/curl.conf"

failed=0
fail() { echo "FAILED: $*"; failed=1; }

# One timed run: appends "wall_seconds max_rss_kb" to $1; with a format in $2 (or "-"), checks
# that the output holds the server's users in order.
timed() {
  local into=$1 check=$2 data=$3; shift 3
  local start=$EPOCHREALTIME
  /usr/bin/time -f "%M" -o "$work/rss" "$@" > "$work/out"
  local end=$EPOCHREALTIME
  if [ "$check" != - ] && ! "$bin/bench-check" "$check" "$data" < "$work/out" > /dev/null; then
    fail "$* wrote the wrong users"
  fi
  echo "$(awk "BEGIN {printf \"%.3f\", $end - $start}") $(cat "$work/rss")" >> "$work/$into.t"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
wall() { cut -d' ' -f1 "$work/$1.t" | median; }
rss_mb() { cut -d' ' -f2 "$work/$1.t" | median | awk '{printf "%.1f", $1/1024}'; }
ratio() { awk "BEGIN {printf \"%.2f\", $1/$2}"; }
within() { awk "BEGIN {exit !($1 <= $2)}"; }

formats=(ndjson json csv table)
cli=("$bin/gong-users" list --rate-limit 0 -q --base-url)
for _ in $(seq "$RUNS"); do
  timed curl - - curl -sf -H "Authorization: Bearer $GONG_BEARER_TOKEN" --config "$work/curl.conf"
  timed baseline ndjson "$work/big" "$bin/baseline-loop" "$big"
  for format in "${formats[@]}"; do
    timed "$format" "$format" "$work/big" "${cli[@]}" "$big" --format "$format"
  done
  timed small ndjson "$work/small" "${cli[@]}" "$small" --format ndjson
done

mb=$(du -sb "$work/big/pages" | cut -f1)
curl_s=$(wall curl); base_s=$(wall baseline)
echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "data: 1,000 pages x 100 users = 100,000 users, $((mb / 1000000)) MB of JSON, served by nginx $(nginx -v 2>&1 | cut -d/ -f2) on 127.0.0.1"
echo "runs: $RUNS a side, interleaved; medians; every output checked user by user"
echo
printf '%-58s %7s %9s %8s %8s\n' "program (100,000 users)" "wall s" "peak RSS" "/ curl" "/ base"
row() { printf '%-58s %7s %6s MB %7sx %7sx\n' "$1" "$(wall "$2")" "$(rss_mb "$2")" "$(ratio "$(wall "$2")" "$curl_s")" "$(ratio "$(wall "$2")" "$base_s")"; }
row "curl: fetch the pages on one connection, write the bodies" curl
row "baseline: reqwest + serde, decode and re-encode each user" baseline
for format in "${formats[@]}"; do row "gong-users list --format $format" "$format"; done
echo

for format in ndjson json; do
  r=$(ratio "$(wall $format)" "$curl_s")
  echo "target 1: $format / curl = ${r}x (goal <= 1.15x)"
  within "$r" 1.15 || fail "$format is ${r}x curl"
done
for format in csv table; do
  r=$(ratio "$(wall $format)" "$base_s")
  echo "target 2: $format / baseline = ${r}x (goal <= 0.60x)"
  within "$r" 0.60 || fail "$format is ${r}x the baseline"
done
big_kb=$(cut -d' ' -f2 "$work/ndjson.t" | median); small_kb=$(cut -d' ' -f2 "$work/small.t" | median)
growth=$(ratio "$big_kb" "$small_kb")
echo "memory: ndjson peak RSS $(rss_mb ndjson) MB at 100k users (goal <= 20 MB); 100k / 10k = ${growth} (goal <= 1.10)"
within "$big_kb" $((20 * 1024)) || fail "peak RSS $(rss_mb ndjson) MB"
within "$growth" 1.10 || fail "memory grows with the listing: ${growth}"
echo
"$bin/at-quota" 3 10 30 | tee "$work/quota"
awk '/sustained/ { if ($(NF-5)+0 < 95 || $(NF-2)+0 > 0) bad=1 } END { exit bad }' "$work/quota" \
  || fail "at-quota below 95% of the rate, or a 429"

# Target 3, with BUILD=1: clean release builds, each in a target folder of its own.
if [ "${BUILD:-0}" = 1 ]; then
  echo
  for package in gong-users gong-users-cli; do
    crates=$(cargo tree --locked -p "$package" -e normal --prefix none | sed 's/ (\*)$//;s/ (proc-macro)$//' | sort -u | wc -l)
    start=$EPOCHREALTIME
    CARGO_TARGET_DIR="$work/build-$package" cargo build --release --locked --quiet -p "$package"
    end=$EPOCHREALTIME
    seconds=$(awk "BEGIN {printf \"%.0f\", $end - $start}")
    echo "target 3: cargo build --release -p $package from clean: ${seconds}s, $crates crates in its normal dependency tree"
    if [ "$package" = gong-users ]; then
      within "$crates" 120 || fail "gong-users has $crates crates (goal <= 120)"
      within "$seconds" 70 || fail "gong-users builds in ${seconds}s (goal <= 70 s)"
    fi
  done
  cp "$work/build-gong-users-cli/release/gong-users" "$work/gong-users-stripped"
  strip "$work/gong-users-stripped"
  echo "the CLI's stripped binary: $(du -k "$work/gong-users-stripped" | cut -f1) KiB"
fi

echo
if [ "$failed" = 0 ]; then echo "every goal met"; else echo "some goal missed (see FAILED above)"; exit 1; fi
