#!/usr/bin/env bash
# Authenticated account-status requests per second at a real kiosk-central over TLS keep-alive,
# measured with wrk, against GET /v1/health (no token, no database) in the same run as the
# baseline. A verified token for the demo account jdoe is obtained first, as a kiosk would.
# Usage: bench/central-status-wrk.sh [ROUNDS=3] [SECONDS=10] [CONNECTIONS=8]
# (needs scripts/install-deps.sh --bench for wrk, and scripts/build.sh)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS="${1:-3}"; DURATION="${2:-10}"; CONNECTIONS="${3:-8}"
BUILD="${KIOSK_BUILD_DIR:-$ROOT/build}"
CENTRAL="$BUILD/central/kiosk-central"
command -v wrk >/dev/null || { echo "wrk is missing: scripts/install-deps.sh --bench" >&2; exit 2; }
[[ -x $CENTRAL ]] || { echo "build kiosk-central first: scripts/build.sh" >&2; exit 2; }
WORK="$(mktemp -d /tmp/central-wrk.XXXXXX)"
"$CENTRAL" serve --demo --data-dir "$WORK/central" --listen 127.0.0.1:0 \
  --ready-file "$WORK/port" 2>"$WORK/central.log" &
PID=$!
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 200); do [[ -s $WORK/port ]] && break; sleep 0.1; done
[[ -s $WORK/port ]] || { echo "kiosk-central did not start:" >&2; cat "$WORK/central.log" >&2; exit 1; }
URL="https://127.0.0.1:$(cat "$WORK/port")"
CA="$WORK/central/tls/ca.pem"
post() { curl -sS --fail-with-body --cacert "$CA" -H 'Content-Type: application/json' -d "$2" "$URL$1"; }

challenge="$(post /v1/verifications '{"identifier":"jdoe","method":"email"}' | jq -r .challenge_id)"
code="$(jq -r 'select(.account == "jdoe" and .code != null) | .code' "$WORK/central/outbox/email.jsonl" | tail -1)"
token="$(post "/v1/verifications/$challenge/check" "{\"code\":\"$code\"}" | jq -r .verification_token)"
[[ -n $token && $token != null ]] || { echo "could not verify jdoe" >&2; exit 1; }
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
rate() { awk '/Requests\/sec/ {print $2}'; }
p99() { awk '/ 99%/ {print $2}'; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
health=(); status=(); status_p99=()
for round in $(seq "$ROUNDS"); do
  h="$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$URL/v1/health")"
  s="$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$WORK/status.lua" "$URL/v1/account-status")"
  grep -q '^non2xx 0$' <<<"$s" || { echo "status answered non-2xx:" >&2; echo "$s" >&2; exit 1; }
  health+=("$(rate <<<"$h")"); status+=("$(rate <<<"$s")"); status_p99+=("$(p99 <<<"$s")")
  echo "round $round: health ${health[-1]} req/s, account-status ${status[-1]} req/s (p99 ${status_p99[-1]})"
done
H="$(printf '%s\n' "${health[@]}" | median)"; S="$(printf '%s\n' "${status[@]}" | median)"
echo
echo "| measure (median of $ROUNDS × ${DURATION} s, wrk -t2 -c$CONNECTIONS, TLS keep-alive) | requests/s |"
echo "|---|---|"
echo "| GET /v1/health (baseline: no token, no database) | $H |"
echo "| POST /v1/account-status with a verified token | $S |"
awk -v s="$S" -v h="$H" 'BEGIN {printf "| status / health | %.2f |\n", s / h}'
