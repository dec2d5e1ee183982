// Wall-clock helpers for the central: Unix seconds now, and RFC 3339 UTC text.
#pragma once

#include <cstdint>
#include <string>

namespace kiosk::central {

std::int64_t unix_now();
std::string rfc3339_utc(std::int64_t unix_seconds); // "2026-11-22T16:40:05Z"

} // namespace kiosk::central
