#!/usr/bin/env bash
# Configures and builds the project. Usage: scripts/build.sh [--sanitize] [--build-dir DIR]
# Release-like by default (RelWithDebInfo) in build/; --sanitize builds with ASan and
# UBSan in build-asan/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="$ROOT/build"
SANITIZE=OFF
while [[ $# -gt 0 ]]; do
  case "$1" in
    --sanitize) SANITIZE=ON; BUILD_DIR="$ROOT/build-asan"; shift ;;
    --build-dir) BUILD_DIR="$2"; shift 2 ;;
    *) echo "usage: $0 [--sanitize] [--build-dir DIR]" >&2; exit 2 ;;
  esac
done
BUILD_TYPE=RelWithDebInfo
[[ $SANITIZE == ON ]] && BUILD_TYPE=Debug
cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" \
  -DKIOSK_SANITIZE="$SANITIZE" >/dev/null
cmake --build "$BUILD_DIR" --parallel "$(nproc)"
