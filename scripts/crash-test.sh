#!/usr/bin/env bash
# The full crash harness (issue 4): a kiosk process killed with SIGKILL at random points
# while it enqueues and syncs against a real kiosk-central, 200 times by default; then
# every request confirmed to the user must be applied exactly once and the outbox intact.
# The test suite runs the same test with 20 kills. Usage: crash-test.sh [ITERATIONS]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${KIOSK_BUILD_DIR:-$ROOT/build}"
cmake --build "$BUILD" --target crash_harness_tests
KIOSK_CRASH_ITERATIONS="${1:-200}" "$BUILD/offline/crash_harness_tests"
