#!/usr/bin/env bash
# Runs the product on this machine: installs what is missing, builds, starts a local
# kiosk-central with demo accounts (TLS with a CA it generates), then the kiosk against it.
# With a display the kiosk opens in a window for you to use (KIOSK_FULLSCREEN=1 for the
# real fullscreen mode; Ctrl+C here stops everything). Without one, it runs under Xvfb and
# walks through a password reset for the demo user, saving a screenshot of every screen and
# printing their paths.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/install-deps.sh"
"$ROOT/scripts/build.sh" >/dev/null
BIN="$ROOT/build"
DEMO_DIR="${KIOSK_DEMO_DIR:-$ROOT/out/demo}"
rm -rf "$DEMO_DIR"
mkdir -p "$DEMO_DIR"

"$BIN/central/kiosk-central" serve --demo --data-dir "$DEMO_DIR/central" \
  --listen 127.0.0.1:0 --ready-file "$DEMO_DIR/central.port" 2>"$DEMO_DIR/central.log" &
CENTRAL_PID=$!
cleanup() { kill "$CENTRAL_PID" 2>/dev/null || true; wait "$CENTRAL_PID" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 100); do [[ -s "$DEMO_DIR/central.port" ]] && break; sleep 0.1; done
if [[ ! -s "$DEMO_DIR/central.port" ]]; then
  echo "kiosk-central did not start; its log:" >&2; cat "$DEMO_DIR/central.log" >&2; exit 1
fi
PORT="$(cat "$DEMO_DIR/central.port")"
cat > "$DEMO_DIR/bootstrap.json" <<JSON
{
  "central_url": "https://127.0.0.1:$PORT",
  "ca_file": "central/tls/ca.pem",
  "kiosk_id": "demo-lobby-1",
  "state_dir": "kiosk-state",
  "idle_timeout_seconds": 90
}
JSON
echo "kiosk-central: https://127.0.0.1:$PORT (data in $DEMO_DIR/central, log $DEMO_DIR/central.log)"
echo "demo accounts: see docs/demo-accounts.md; codes land in $DEMO_DIR/central/outbox/email.jsonl"

if [[ -n "${DISPLAY:-}" ]]; then
  MODE=(--windowed --width 1280 --height 800)
  [[ "${KIOSK_FULLSCREEN:-0}" == 1 ]] && MODE=()
  "$BIN/app/kiosk" --bootstrap "$DEMO_DIR/bootstrap.json" "${MODE[@]}"
else
  echo "no display: running the kiosk under Xvfb and walking through a password reset"
  xvfb-run -a -s "-screen 0 1280x800x24" \
    "$ROOT/scripts/demo-walkthrough.sh" "$BIN/app/kiosk" "$BIN/central/kiosk-central" "$DEMO_DIR"
fi
