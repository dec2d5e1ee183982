#!/usr/bin/env bash
# Drives a real kiosk window with real X input events (xdotool) through a password reset
# for the demo user jdoe, as a person at the kiosk would. Run inside an X server (the demo
# uses xvfb-run). Usage: demo-walkthrough.sh KIOSK_BINARY CENTRAL_BINARY DEMO_DIR
set -euo pipefail
KIOSK="$1"
CENTRAL="$2"
DEMO_DIR="$3"
SHOTS="$DEMO_DIR/screenshots"
NEW_PASSWORD="${KIOSK_DEMO_NEW_PASSWORD:-Seven-Purple-Elephants-Dance}"
mkdir -p "$SHOTS"

"$KIOSK" --bootstrap "$DEMO_DIR/bootstrap.json" --screenshot-dir "$SHOTS" \
  >"$DEMO_DIR/kiosk.out" 2>"$DEMO_DIR/kiosk.log" &
KIOSK_PID=$!
trap 'kill $KIOSK_PID 2>/dev/null || true; wait $KIOSK_PID 2>/dev/null || true' EXIT

# Waits until the kiosk reports a screenshot of screen $1 (e.g. "identify").
wait_for_screen() {
  for _ in $(seq 300); do
    if grep -q -- "-$1\.png" "$DEMO_DIR/kiosk.out" 2>/dev/null; then return 0; fi
    if ! kill -0 "$KIOSK_PID" 2>/dev/null; then
      echo "the kiosk exited; its log:" >&2; cat "$DEMO_DIR/kiosk.log" >&2; exit 1
    fi
    sleep 0.1
  done
  echo "timed out waiting for the $1 screen; kiosk log:" >&2; cat "$DEMO_DIR/kiosk.log" >&2
  exit 1
}

wait_for_screen attract
WINDOW="$(xdotool search --sync --name "Self-Service Kiosk" | head -1)"
xdotool windowfocus "$WINDOW" mousemove --window "$WINDOW" 640 400
sleep 0.5 # let the focus change settle before the first key
xdotool key Return
wait_for_screen home
xdotool key Return # the home menu's first task: reset my password
wait_for_screen identify
xdotool type --delay 40 "jdoe"
xdotool key Return
wait_for_screen choose-method # jdoe has e-mail and SMS
xdotool key Return            # the first: a code by e-mail
wait_for_screen enter-code
CODE="$(grep '"account":"jdoe"' "$DEMO_DIR/central/outbox/email.jsonl" | tail -1 |
        sed -E 's/.*"code":"([0-9]+)".*/\1/')"
echo "code from the demo e-mail outbox: $CODE"
xdotool type --delay 40 "$CODE"
xdotool key Return
wait_for_screen new-password
xdotool type --delay 20 "$NEW_PASSWORD"
xdotool key Tab
xdotool type --delay 20 "$NEW_PASSWORD"
xdotool key Return
wait_for_screen done
sleep 0.3
xdotool key Return
# The walk ends back on the attract screen, ready for the next person.
for _ in $(seq 50); do
  [[ $(grep -c -- "-attract\.png" "$DEMO_DIR/kiosk.out") -ge 2 ]] && break; sleep 0.1
done
if printf '%s\n' "$NEW_PASSWORD" |
   "$CENTRAL" check-password --data-dir "$DEMO_DIR/central" --user jdoe; then
  echo "password reset completed: the central confirms jdoe's password is now the new one"
else
  echo "the kiosk said done, but the central does not have the new password" >&2
  exit 1
fi
echo "screenshots:"
sed -n 's/^screenshot: //p' "$DEMO_DIR/kiosk.out"
