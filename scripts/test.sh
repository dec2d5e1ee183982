#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: once in a normal build and once
# under AddressSanitizer + UndefinedBehaviorSanitizer. Exit status is non-zero when any
# test fails. Set KIOSK_SKIP_SANITIZE=1 to run only the first pass (local iteration).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/install-deps.sh"

echo "== build"
"$ROOT/scripts/build.sh"
echo "== tests"
ctest --test-dir "$ROOT/build" --output-on-failure --timeout 300 -j2

if [[ "${KIOSK_SKIP_SANITIZE:-0}" != 1 ]]; then
  echo "== build with ASan + UBSan"
  "$ROOT/scripts/build.sh" --sanitize
  echo "== tests with ASan + UBSan"
  # Mesa's llvmpipe and GLFW leak by design at exit; leaks in our own code still fail
  # through the suppressions file rather than being ignored wholesale.
  ASAN_OPTIONS="detect_leaks=1:abort_on_error=1" \
  LSAN_OPTIONS="suppressions=$ROOT/scripts/lsan.supp:print_suppressions=0" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
    ctest --test-dir "$ROOT/build-asan" --output-on-failure --timeout 600 -j2
fi
