#!/usr/bin/env bash
# Performance figures for the gong-users CLI (issue: "at the wire's limit, at the quota, in
# constant memory"). Sets up everything itself: nginx from Debian's packages as the fast static
# server, 1,000 pages of 100 realistic users (about 74 MB), the release binaries; then, in one
# run, times the CLI against a hand-written baseline loop on the same server and prints figures
# and ratios.
#
#   bash bench/run.sh            # throughput, memory, at-quota
#   RUNS=7 bash bench/run.sh     # more runs a side (default 5); the median is reported
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
PORT=${PORT:-18089}
work=$(mktemp -d)
chmod 755 "$work"   # nginx workers run as another user
trap '[ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; rm -rf "$work"' EXIT

if ! command -v nginx >/dev/null; then
  echo "installing nginx-light and time from Debian's packages..." >&2
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light time >/dev/null
fi
[ -x /usr/bin/time ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null

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

# One timed run: prints "wall_seconds max_rss_kb"; checks the line count.
timed() {
  local expect=$1; shift
  local start=$EPOCHREALTIME
  /usr/bin/time -f "%M" -o "$work/rss" "$@" > "$work/out"
  local end=$EPOCHREALTIME
  local lines; lines=$(wc -l < "$work/out")
  [ "$lines" -eq "$expect" ] || { echo "expected $expect lines, got $lines from $*" >&2; exit 1; }
  echo "$(awk "BEGIN {printf \"%.3f\", $end - $start}") $(cat "$work/rss")"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

cli=("$bin/gong-users" list --format ndjson --rate-limit 0 -q)
: > "$work/cli.t"; : > "$work/base.t"
for _ in $(seq "$RUNS"); do   # interleaved, so both sides see the same machine
  timed 100000 "$bin/baseline-loop" "$big" >> "$work/base.t"
  timed 100000 "${cli[@]}" --base-url "$big" >> "$work/cli.t"
done
: > "$work/cli_small.t"
for _ in $(seq "$RUNS"); do timed 10000 "${cli[@]}" --base-url "$small" >> "$work/cli_small.t"; done

base_s=$(cut -d' ' -f1 "$work/base.t" | median); cli_s=$(cut -d' ' -f1 "$work/cli.t" | median)
base_kb=$(cut -d' ' -f2 "$work/base.t" | median); cli_kb=$(cut -d' ' -f2 "$work/cli.t" | median)
small_kb=$(cut -d' ' -f2 "$work/cli_small.t" | median)
mb=$(du -sb "$work/big/pages" | cut -f1)

echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "data: 1,000 pages x 100 users = 100,000 users, $((mb / 1000000)) MB of JSON, served by nginx $(nginx -v 2>&1 | cut -d/ -f2) on 127.0.0.1"
echo "runs: $RUNS a side, interleaved; medians"
echo
printf '%-44s %8s %10s\n' "" "wall s" "peak RSS"
printf '%-44s %8s %7s MB\n' "baseline loop (reqwest + serde, sequential)" "$base_s" "$(awk "BEGIN {printf \"%.1f\", $base_kb/1024}")"
printf '%-44s %8s %7s MB\n' "gong-users list --format ndjson (100k users)" "$cli_s" "$(awk "BEGIN {printf \"%.1f\", $cli_kb/1024}")"
printf '%-44s %8s %7s MB\n' "gong-users list --format ndjson (10k users)" "-" "$(awk "BEGIN {printf \"%.1f\", $small_kb/1024}")"
echo
echo "target 1, throughput: CLI / baseline wall time = $(awk "BEGIN {printf \"%.2f\", $cli_s/$base_s}")x (goal <= 0.80x)"
echo "target 2, memory: peak RSS $(awk "BEGIN {printf \"%.1f\", $cli_kb/1024}") MB at 100k users (goal <= 20 MB); 100k / 10k = $(awk "BEGIN {printf \"%.3f\", $cli_kb/$small_kb}") (goal within 1.10)"
echo
"$bin/at-quota" 3 10 30

# Target 5, with BUILD=1: clean release builds, each in a target folder of its own.
if [ "${BUILD:-0}" = 1 ]; then
  echo
  for package in gong-users gong-users-cli; do
    crates=$(cargo tree --locked -p "$package" -e normal,build --prefix none | sed 's/ (\*)$//' | sort -u | wc -l)
    start=$EPOCHREALTIME
    CARGO_TARGET_DIR="$work/build-$package" cargo build --release --locked --quiet -p "$package"
    end=$EPOCHREALTIME
    echo "target 5, build: cargo build --release -p $package from clean: $(awk "BEGIN {printf \"%.0f\", $end - $start}")s, $crates crates"
  done
fi
