#!/usr/bin/env bash
# Installs every Debian 12 package the project needs to build, test and run.
# Idempotent: when everything is already there it prints nothing and exits 0.
# Usage: scripts/install-deps.sh [--bench]  (--bench adds what bench/ needs)
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake pkg-config git ninja-build clang-format
  # kiosk UI
  libimgui-dev libstb-dev libglfw3-dev libgl-dev libgl1-mesa-dri fonts-noto-core fonts-dejavu-core
  libfribidi-dev
  # network, crypto, storage
  libcurl4-openssl-dev libssl-dev openssl libsqlite3-dev sqlite3 libargon2-dev
  libpq-dev postgresql
  libicu-dev
  # the password screen's strength meter
  libzxcvbn-dev
  # libraries that save hand-written code
  nlohmann-json3-dev libcpp-httplib-dev libspdlog-dev libfmt-dev libcli11-dev libqrencode-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev xvfb xauth x11-utils imagemagick xdotool gettext
  oathtool jq zbar-tools
  # bench/attract_screen_watch (built with the rest): when a first frame reaches the screen
  libxdamage-dev
  # a real SMTP relay on loopback for the central's notifier tests (tests/support/smtp_test_server.py)
  python3-aiosmtpd
  # the OpenAPI conformance test: spec lint and response checks against the running central
  libjson-validator-perl libmojolicious-perl libio-socket-ssl-perl libyaml-libyaml-perl openapi-specification
)

# Only for bench/: the baseline browser and the load and timing tools (large; not for tests).
BENCH_PACKAGES=(chromium wrk hyperfine)
[[ ${1:-} == --bench ]] && PACKAGES+=("${BENCH_PACKAGES[@]}")

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
