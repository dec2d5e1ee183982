// Per-kiosk rate limits of the walk-up routes that can be abused to guess or to spam
// (DESIGN: "attempts rate-limited per account and per kiosk"; the per-account half is the
// challenge attempts and the sign-in lockout). Counted per caller in fixed windows in the
// database, so every central process on one PostgreSQL database shares one count.
#pragma once

#include "kiosk/central/store.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace kiosk::central {

struct RateLimitSettings {
    int requests = 120;       // per caller and window; 0 turns the limit off
    int window_seconds = 600; // 10 minutes
};

// "N/MINUTES" (e.g. "120/10"; "0/10" is off) as --kiosk-rate-limit takes it; nullopt when
// it is not that (N 0–100000, MINUTES 1–1440).
std::optional<RateLimitSettings> parse_rate_limit(const std::string& text);

class RateLimiter {
public:
    RateLimiter(Store& store, RateLimitSettings settings);

    struct Verdict {
        bool allowed = true;
        int retry_after_seconds = 0; // when refused: until the window ends (at least 1)
    };
    // Counts one request of `subject` ("kiosk:<id>" or "addr:<ip>") at `now`; refused
    // requests count too, so a caller that keeps trying stays refused until the window ends.
    Verdict hit(const std::string& subject, std::int64_t now);
    // Forgets windows that ended before the previous one (housekeeping).
    void purge(std::int64_t now);
    [[nodiscard]] bool enabled() const { return settings_.requests > 0; }
    [[nodiscard]] const RateLimitSettings& settings() const { return settings_; }

private:
    Store& store_;
    RateLimitSettings settings_;
};

// The body of the 429: {"error": {"code": "rate_limited", "message", "retry_after_seconds"}}.
std::string rate_limited_body(int retry_after_seconds);

} // namespace kiosk::central
