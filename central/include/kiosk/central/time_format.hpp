// Wall-clock helpers for the central: Unix seconds now, and RFC 3339 UTC text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kiosk::central {

std::int64_t unix_now();
std::string rfc3339_utc(std::int64_t unix_seconds); // "2026-11-22T16:40:05Z"
// "2026-11-22T16:40:05Z", with optional fractional seconds (dropped) and a "+HH:MM" /
// "-HH:MM" offset instead of Z; nullopt for anything else (a query parameter, an event
// time a kiosk sent).
std::optional<std::int64_t> parse_rfc3339(std::string_view text);

} // namespace kiosk::central
