#!/usr/bin/env bash
# Fails (exit 1, naming file and line) when any source under ROOT turns TLS verification
# off: libcurl's VERIFYPEER/VERIFYHOST set to anything but 1L/2L, curl's -k/--insecure,
# cpp-httplib's verification switched off. Run by ctest (net/CMakeLists.txt), so a change
# that weakens TLS cannot pass the test suite. Usage: check-tls-verification.sh [ROOT]
# `--self-test` proves the check catches each pattern (and passes clean code).
set -euo pipefail
if [[ "${1:-}" == --self-test ]]; then
  dir="$(mktemp -d)"
  trap 'rm -rf "$dir"' EXIT
  printf 'curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);\ncurl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);\n' >"$dir/clean.cpp"
  "$0" "$dir" >/dev/null || { echo "self-test: clean code was refused"; exit 1; }
  rm "$dir/clean.cpp"
  cases=(
    'a.cpp:curl_easy_setopt(h,\n    CURLOPT_SSL_VERIFYPEER, 0L);'
    'b.cpp:curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 1L);'
    'c.cpp:curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, verify_flag);'
    'd.sh:curl -fsk https://central.example/'
    'e.sh:curl --insecure https://central.example/'
    'f.cpp:client.enable_server_certificate_verification(false);'
    'g.py:requests.get(url, verify=False)'
  )
  for case in "${cases[@]}"; do
    printf "${case#*:}\n" >"$dir/${case%%:*}"
    if "$0" "$dir" 2>/dev/null; then
      echo "self-test: not caught: ${case#*:}"
      exit 1
    fi
    rm "$dir/${case%%:*}"
  done
  echo "self-test: all ${#cases[@]} ways of turning verification off are caught"
  exit 0
fi
ROOT="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
SELF="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"

mapfile -d '' files < <(find "$ROOT" \
  \( -path "$ROOT/.git" -o -type d -name 'build*' -o -path "$ROOT/docs" \) -prune -o \
  -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' -o -name '*.c' -o -name '*.cc' \
  -o -name '*.sh' -o -name '*.py' -o -name '*.cmake' -o -name 'CMakeLists.txt' \) -print0)

status=0
for file in "${files[@]}"; do
  [[ "$(cd "$(dirname "$file")" && pwd)/$(basename "$file")" == "$SELF" ]] && continue
  # perl reads the whole file so a call wrapped over several lines is still seen.
  if ! perl -0777 -ne '
      my $bad = 0;
      my @rules = (
        [qr/CURLOPT_(?:PROXY_)?SSL_VERIFYPEER\s*,\s*+(?!1L\s*\))[^)]*\)/, "VERIFYPEER not 1L"],
        [qr/CURLOPT_(?:PROXY_)?SSL_VERIFYHOST\s*,\s*+(?!2L\s*\))[^)]*\)/, "VERIFYHOST not 2L"],
        [qr/CURLOPT_SSL_VERIFYSTATUS\s*,\s*(?:0|false)/, "VERIFYSTATUS off"],
        [qr/enable_server_certificate_verification\s*\(\s*false\s*\)/, "httplib verification off"],
        [qr/(?:^|[\s"\x27])--insecure\b/m, "--insecure"],
        [qr/\bcurl\b[^\n]*\s-[a-zA-Z]*k\b/, "curl -k"],
        [qr/verify\s*=\s*False/, "verify=False"],
      );
      for my $r (@rules) {
        while (/$r->[0]/g) {
          my $line = 1 + (substr($_, 0, $-[0]) =~ tr/\n//);
          print STDERR "$ARGV:$line: TLS verification turned off ($r->[1])\n";
          $bad = 1;
        }
      }
      exit $bad;' "$file"; then
    status=1
  fi
done
if [[ $status -eq 0 ]]; then
  echo "TLS verification is on everywhere (${#files[@]} files checked)"
fi
exit $status
