#!/usr/bin/env bash
# A fleet at the company's quota: 1, 2, 4 and 8 `gong-users list` processes of one company,
# sharing one pace through a real Redis, against fake-gong enforcing the quota with a bucket of
# 1 (evenly spaced requests, 3 ms of jitter forgiven), at 3 and at 30 requests a second. Each
# scenario spreads the same number of requests over its processes and prints the aggregate
# throughput against the quota and the 429s met; the script exits non-zero when one is under
# 95% of the quota or meets any 429.
#
#   bash bench/fleet.sh               # about two minutes
#   REQUESTS=90 bash bench/fleet.sh   # requests a scenario at 3/s (ten times that at 30/s)
#
# Sets up what it needs: redis-server from Debian's packages, the release binaries.
set -euo pipefail
cd "$(dirname "$0")/.."
REQUESTS=${REQUESTS:-48}
PAGE=10
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

if ! command -v redis-server >/dev/null; then
  echo "installing redis-server from Debian's packages..." >&2
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
fi
echo "building release binaries..." >&2
cargo build --release --locked --quiet -p gong-users-cli -p gong-users-mock
bin=${CARGO_TARGET_DIR:-target}/release

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" >/dev/null &
pids+=($!)
for _ in $(seq 1 100); do (echo > "/dev/tcp/127.0.0.1/$redis_port") 2>/dev/null && break; sleep 0.05; done

echo "machine: $(nproc) cores; redis $(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/'); $REQUESTS requests a scenario at 3/s, $((REQUESTS * 10)) at 30/s"
printf '%-10s %-10s %9s %9s %10s %6s\n' "quota" "processes" "requests" "seconds" "of quota" "429s"
failed=0
for rate in 3 30; do
  total=$((rate == 3 ? REQUESTS : REQUESTS * 10))
  for processes in 1 2 4 8; do
    pages=$((total / processes))
    "$bin/fake-gong" --users $((pages * PAGE)) --page-size $PAGE --rate-limit "$rate" \
      --rate-limit-burst 1 > "$work/fake.env" &
    fake=$!
    pids+=($fake)
    for _ in $(seq 1 100); do grep -q GONG_BASE_URL "$work/fake.env" 2>/dev/null && break; sleep 0.05; done
    # shellcheck disable=SC1091
    (
      set -a; . "$work/fake.env"; set +a
      export GONG_REDIS_URL="redis://127.0.0.1:$redis_port" GONG_REDIS_PREFIX="fleet-$rate-$processes"
      started=$(date +%s.%N)
      runs=()
      for n in $(seq 1 "$processes"); do
        "$bin/gong-users" list --format ndjson --rate-limit "$rate" --max-retries 0 -q \
          > "$work/out.$n" 2> "$work/err.$n" &
        runs+=($!)
      done
      errors=0
      for pid in "${runs[@]}"; do wait "$pid" || errors=$((errors + 1)); done
      ended=$(date +%s.%N)
      rejected=$(cat "$work"/err.* | grep -c "HTTP 429" || true)
      sent=$((pages * processes))
      seconds=$(echo "$ended - $started" | bc -l)
      # n requests evenly spaced take n - 1 intervals.
      share=$(echo "($sent - 1) / $rate / $seconds * 100" | bc -l)
      printf '%-10s %-10s %9d %9.2f %9.1f%% %6d\n' "$rate/s" "$processes" "$sent" "$seconds" "$share" "$rejected"
      if [ "$errors" -gt 0 ] || [ "$rejected" -gt 0 ]; then echo "FAILED: $errors runs failed, $rejected x 429"; exit 1; fi
      if [ "$(echo "$share < 95" | bc -l)" = 1 ]; then echo "FAILED: under 95% of the quota"; exit 1; fi
    ) || failed=1
    rm -f "$work"/out.* "$work"/err.*
    kill "$fake" 2>/dev/null || true
    wait "$fake" 2>/dev/null || true
  done
done
if [ "$failed" -ne 0 ]; then echo "some goal missed (see FAILED above)"; exit 1; fi
echo "every goal met: at least 95% of the quota, no 429, at 1/2/4/8 processes and 3 and 30 a second"
