#!/usr/bin/env bash
# Builds the examples and runs each against a fake-gong server on 127.0.0.1 (CI runs this).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --locked --quiet -p gong-users-examples --examples -p gong-users-mock --bin fake-gong
target=${CARGO_TARGET_DIR:-target}/debug
env_file=$(mktemp)
out_dir=$(mktemp -d)
"$target/fake-gong" --users 450 --faults 0.3 > "$env_file" &
fake_pid=$!
trap 'kill $fake_pid 2>/dev/null || true; rm -rf "$env_file" "$out_dir"' EXIT
for _ in $(seq 50); do grep -q GONG_ACCESS_KEY_SECRET "$env_file" && break; sleep 0.1; done
# shellcheck disable=SC1090
source "$env_file"

run() { printf '\n==> example %s\n' "$1" >&2; "$target/examples/$1" "${@:2}"; }

run list_all_users > "$out_dir/list.txt"
test "$(wc -l < "$out_dir/list.txt")" -eq 450
run export_csv "$out_dir/users.csv"
test "$(wc -l < "$out_dir/users.csv")" -eq 451
run resume_after_failure
run test_with_fakegong
printf '\nall examples ran\n'
