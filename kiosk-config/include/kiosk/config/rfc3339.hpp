// RFC 3339 timestamps as configuration documents carry them ("2026-11-23T10:00:00Z",
// offsets and fractions allowed) to and from std::chrono::system_clock.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace kiosk::config {

using Clock = std::chrono::system_clock;

// Strict RFC 3339 "date-time": a T (or t) between date and time, seconds required, a
// fraction optional (truncated to seconds), Z or ±HH:MM required. Nullopt otherwise.
std::optional<Clock::time_point> parse_rfc3339(std::string_view text);

// UTC with a Z and whole seconds: "2026-11-23T10:00:00Z".
std::string format_rfc3339(Clock::time_point t);

} // namespace kiosk::config
