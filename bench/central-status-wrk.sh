#!/usr/bin/env bash
# Authenticated account-status requests per second at a real kiosk-central over TLS keep-alive,
# measured with wrk, against GET /v1/health (no token, no database) in the same run as the
# baseline; on SQLite and on PostgreSQL in the same run. A verified token for the demo account
# jdoe is obtained first, as a kiosk would.
# Usage: bench/central-status-wrk.sh [ROUNDS=3] [SECONDS=10] [CONNECTIONS=8] [BACKENDS="sqlite postgresql"]
# PostgreSQL: a throw-away PostgreSQL 15 server (Debian's postgresql package) on a unix socket,
# with its default durability (fsync on, synchronous_commit on), like SQLite's synchronous=FULL.
# CENTRAL_ARGS (environment): more `kiosk-central serve` options, e.g. "--database-readers 0"
# to put every lookup on the one write connection, as before the read pool.
# (needs scripts/install-deps.sh --bench for wrk, and scripts/build.sh)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS="${1:-3}"; DURATION="${2:-10}"; CONNECTIONS="${3:-8}"; BACKENDS="${4:-sqlite postgresql}"
BUILD="${KIOSK_BUILD_DIR:-$ROOT/build}"
CENTRAL="$BUILD/central/kiosk-central"
PG_BIN=/usr/lib/postgresql/15/bin
command -v wrk >/dev/null || { echo "wrk is missing: scripts/install-deps.sh --bench" >&2; exit 2; }
[[ -x $CENTRAL ]] || { echo "build kiosk-central first: scripts/build.sh" >&2; exit 2; }
WORK="$(mktemp -d /tmp/central-wrk.XXXXXX)"
chmod 755 "$WORK" # the PostgreSQL server runs as `postgres` when this runs as root
PID=""
as_pg=()
if [[ $(id -u) -eq 0 ]]; then as_pg=(runuser -u postgres --); fi
stop_central() { [[ -n $PID ]] && { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }; PID=""; }
stop_pg() {
  [[ -f $WORK/pg/data/postmaster.pid ]] && "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -m fast -w stop >/dev/null 2>&1 || true
}
trap 'stop_central; stop_pg; rm -rf "$WORK"' EXIT

start_pg() {
  mkdir -p "$WORK/pg/data" "$WORK/pg/socket"
  [[ $(id -u) -eq 0 ]] && chown -R postgres:postgres "$WORK/pg"
  "${as_pg[@]}" "$PG_BIN/initdb" -D "$WORK/pg/data" -A trust -U postgres -E UTF8 --locale=C \
    >"$WORK/pg/initdb.log" 2>&1 || { cat "$WORK/pg/initdb.log" >&2; exit 1; }
  "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/server.log" -w -t 60 \
    -o "-c listen_addresses='' -c unix_socket_directories='$WORK/pg/socket'" start >/dev/null \
    || { cat "$WORK/pg/server.log" >&2; exit 1; }
  psql -q -v ON_ERROR_STOP=1 "postgresql:///postgres?host=$WORK/pg/socket&user=postgres" \
    -c "CREATE DATABASE kiosk_bench" >/dev/null
}

rate() { awk '/Requests\/sec/ {print $2}'; }
p99() { awk '/ 99%/ {print $2}'; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# bench BACKEND: starts a central on BACKEND, verifies jdoe, runs the rounds; sets H and S
# (median requests/s of health and status) and P99 (the status p99s, for the table).
bench() {
  local backend=$1 data="$WORK/central-$1" database=()
  if [[ $backend == postgresql ]]; then
    start_pg
    database=(--database "postgresql:///kiosk_bench?host=$WORK/pg/socket&user=postgres")
  fi
  rm -f "$WORK/port"
  # shellcheck disable=SC2086 # CENTRAL_ARGS is a list of options
  "$CENTRAL" serve --demo --data-dir "$data" --listen 127.0.0.1:0 "${database[@]}" ${CENTRAL_ARGS:-} \
    --ready-file "$WORK/port" 2>"$WORK/central-$backend.log" &
  PID=$!
  for _ in $(seq 200); do [[ -s $WORK/port ]] && break; sleep 0.1; done
  [[ -s $WORK/port ]] || { echo "kiosk-central did not start:" >&2; cat "$WORK/central-$backend.log" >&2; exit 1; }
  local url="https://127.0.0.1:$(cat "$WORK/port")" ca="$data/tls/ca.pem"
  post() { curl -sS --fail-with-body --cacert "$ca" -H 'Content-Type: application/json' -d "$2" "$url$1"; }
  local challenge code token
  challenge="$(post /v1/verifications '{"identifier":"jdoe","method":"email"}' | jq -r .challenge_id)"
  code="$(jq -r 'select(.account == "jdoe" and .code != null) | .code' "$data/outbox/email.jsonl" | tail -1)"
  token="$(post "/v1/verifications/$challenge/check" "{\"code\":\"$code\"}" | jq -r .verification_token)"
  [[ -n $token && $token != null ]] || { echo "could not verify jdoe on $backend" >&2; exit 1; }
  # The status answer must be a real one before it is timed.
  post /v1/account-status "{\"verification_token\":\"$token\"}" | jq -e '.state == "active"' >/dev/null
  cat >"$WORK/status.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"verification_token":"$token"}'
done = function(summary, latency, requests)
  io.write(string.format("non2xx %d\n", summary.errors.status))
end
LUA
  local health=() status=() h s
  P99=()
  for round in $(seq "$ROUNDS"); do
    h="$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$url/v1/health")"
    s="$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$WORK/status.lua" "$url/v1/account-status")"
    grep -q '^non2xx 0$' <<<"$s" || { echo "status answered non-2xx on $backend:" >&2; echo "$s" >&2; exit 1; }
    health+=("$(rate <<<"$h")"); status+=("$(rate <<<"$s")"); P99+=("$(p99 <<<"$s")")
    echo "$backend round $round: health ${health[-1]} req/s, account-status ${status[-1]} req/s (p99 ${P99[-1]}), load $(cut -d' ' -f1-3 /proc/loadavg)"
  done
  H="$(printf '%s\n' "${health[@]}" | median)"; S="$(printf '%s\n' "${status[@]}" | median)"
  stop_central
}

declare -A RESULT_H RESULT_S RESULT_P99
echo "start: $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
for backend in $BACKENDS; do
  bench "$backend"
  RESULT_H[$backend]=$H; RESULT_S[$backend]=$S; RESULT_P99[$backend]="${P99[*]}"
done
echo "end: $(date -u '+%H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| backend | GET /v1/health (baseline) | POST /v1/account-status | status / health | status p99 per round |"
echo "|---|---|---|---|---|"
for backend in $BACKENDS; do
  awk -v b="$backend" -v h="${RESULT_H[$backend]}" -v s="${RESULT_S[$backend]}" -v p="${RESULT_P99[$backend]}" \
    'BEGIN {printf "| %s | %.0f | %.0f | %.2f | %s |\n", b, h, s, s / h, p}'
done
if [[ -n ${RESULT_S[sqlite]:-} && -n ${RESULT_S[postgresql]:-} ]]; then
  awk -v p="${RESULT_S[postgresql]}" -v s="${RESULT_S[sqlite]}" \
    'BEGIN {printf "\nPostgreSQL / SQLite, account-status: %.2f\n", p / s}'
fi
echo "(medians of $ROUNDS × ${DURATION} s, wrk -t2 -c$CONNECTIONS, TLS keep-alive${CENTRAL_ARGS:+, $CENTRAL_ARGS})"
