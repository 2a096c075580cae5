#!/usr/bin/env bash
# `gong-users sync` against its floors: 100,000 users (the pages bench/run.sh serves) synced into
# SQLite and into Postgres: a first sync, a re-sync with nothing changed, and a re-sync with 1% of
# the users changed. Each is printed beside a floor measured in the same run: a hand-written loop
# that writes the same 100,000 records (id and JSON) into one table in one transaction (SQLite:
# one prepared INSERT; Postgres: COPY), bench/src/bin/sync_floor.rs. Exits non-zero when a goal
# is missed: SQLite first sync at most 3x its floor and re-syncs at most 2x; Postgres first sync
# at most 4x and re-syncs at most 3x; peak RSS at most 64 MiB.
#
#   bash bench/sync.sh           # 3 runs a side, medians
#   RUNS=5 bash bench/sync.sh
#
# Sets up what it needs: nginx, time and postgresql from Debian's packages, the release binaries.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
work=$(mktemp -d)
chmod 755 "$work"
pg_bin=""
cleanup() {
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null
  [ -n "$pg_bin" ] && runuser -u postgres -- "$pg_bin/pg_ctl" -m immediate -D "$work/pg/data" stop >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

missing=()
command -v nginx >/dev/null || missing+=(nginx-light)
[ -x /usr/bin/time ] || missing+=(time)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} from Debian's packages..." >&2
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
echo "building release binaries..." >&2
cargo build --release --locked --quiet -p gong-users-cli -p gong-users-bench
bin=${CARGO_TARGET_DIR:-target}/release

"$bin/bench-data" "$work/base" 1000 >&2
"$bin/bench-data" "$work/changed" 1000 100 >&2
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log;
events { worker_connections 64; }
http {
  access_log off;
  keepalive_requests 100000;
  map \$arg_cursor \$page { "" p0; default \$arg_cursor; }
  server { listen 127.0.0.1:$port; root $work/base;
           location = /v2/users { default_type application/json; try_files /pages/\$page.json =404; } }
  server { listen 127.0.0.1:$((port + 1)); root $work/changed;
           location = /v2/users { default_type application/json; try_files /pages/\$page.json =404; } }
}
CONF
nginx -c "$work/nginx.conf" -p "$work"

pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort | tail -n 1)
pg_port=$(free_port)
mkdir -p "$work/pg" && chown postgres:postgres "$work/pg"
runuser -u postgres -- "$pg_bin/initdb" -A trust -U postgres --no-sync -D "$work/pg/data" >/dev/null
runuser -u postgres -- "$pg_bin/pg_ctl" -w -l "$work/pg/log" -D "$work/pg/data" \
  -o "-p $pg_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$work/pg -c fsync=off" start >/dev/null
fresh_pg() { # a new, empty database; prints its URL
  local name=$1
  runuser -u postgres -- "$pg_bin/dropdb" --if-exists -h 127.0.0.1 -p "$pg_port" -U postgres "$name"
  runuser -u postgres -- "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres "$name"
  echo "postgres://postgres@127.0.0.1:$pg_port/$name"
}

export GONG_BEARER_TOKEN=bench-token
sync_at() { # base URL, database URL: seconds and peak KB of one `gong-users sync`
  /usr/bin/time -f "%e %M" -o "$work/time" \
    env GONG_BASE_URL="$1" "$bin/gong-users" sync --database "$2" --rate-limit 0 -q 2>> "$work/sync.log"
  cat "$work/time"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

base=http://127.0.0.1:$port
changed=http://127.0.0.1:$((port + 1))
: > "$work/results"
for run in $(seq 1 "$RUNS"); do
  rm -f "$work"/*.db
  echo "sqlite floor $("$bin/sync-floor" sqlite "$work/floor.db" "$work/base")" >> "$work/results"
  for scenario in first:$base unchanged:$base changed:$changed; do
    read -r seconds kb < <(sync_at "${scenario#*:}" "sqlite://$work/sync.db")
    echo "sqlite ${scenario%%:*} $seconds $kb" >> "$work/results"
  done
  echo "postgres floor $("$bin/sync-floor" postgres "$(fresh_pg floor)" "$work/base")" >> "$work/results"
  db=$(fresh_pg sync)
  for scenario in first:$base unchanged:$base changed:$changed; do
    read -r seconds kb < <(sync_at "${scenario#*:}" "$db")
    echo "postgres ${scenario%%:*} $seconds $kb" >> "$work/results"
  done
done

echo "machine: $(nproc) cores; $(runuser -u postgres -- "$pg_bin/postgres" --version); 100,000 users; $RUNS runs a side, medians"
printf '%-10s %-26s %9s %10s %8s %7s\n' database "run" seconds "peak RSS" "/ floor" goal
failed=0
for database in sqlite postgres; do
  floor=$(awk -v d=$database '$1 == d && $2 == "floor" {print $3}' "$work/results" | median)
  printf '%-10s %-26s %9.3f %10s %8s %7s\n' "$database" "floor (one table, one txn)" "$floor" "" "1.00x" ""
  for scenario in first unchanged changed; do
    seconds=$(awk -v d=$database -v s=$scenario '$1 == d && $2 == s {print $3}' "$work/results" | median)
    peak=$(awk -v d=$database -v s=$scenario '$1 == d && $2 == s {print $4}' "$work/results" | sort -n | tail -n 1)
    ratio=$(echo "$seconds / $floor" | bc -l)
    case "$database:$scenario" in
      sqlite:first) goal=3 ;; sqlite:*) goal=2 ;; postgres:first) goal=4 ;; *) goal=3 ;;
    esac
    label=$([ "$scenario" = first ] && echo "first sync" || echo "re-sync, $scenario$([ "$scenario" = changed ] && echo ' 1%')")
    printf '%-10s %-26s %9.3f %7.1f MB %7.2fx %6sx\n' "$database" "$label" "$seconds" "$(echo "$peak / 1024" | bc -l)" "$ratio" "$goal"
    if [ "$(echo "$ratio > $goal" | bc -l)" = 1 ]; then printf 'FAILED: %s %s is %.2fx its floor (goal <= %sx)\n' "$database" "$scenario" "$ratio" "$goal"; failed=1; fi
    if [ "$peak" -gt $((64 * 1024)) ]; then echo "FAILED: $database $scenario peak RSS ${peak} KB (goal <= 64 MiB)"; failed=1; fi
  done
done
if grep -qi error "$work/sync.log"; then echo "FAILED: a sync reported an error:"; cat "$work/sync.log"; failed=1; fi
if [ "$failed" -ne 0 ]; then echo "some goal missed (see FAILED above)"; exit 1; fi
echo "every goal met"
