// RateLimiter: one atomic upsert per limited request (Store::count_request). Fixed windows:
// a caller may send up to 2N requests across a window boundary, which a limit meant to stop
// guessing and spamming, set far above a busy kiosk's rate, can live with.
#include "kiosk/central/rate_limit.hpp"

#include "kiosk/common/api.hpp"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

namespace kiosk::central {
namespace {

std::optional<int> number(std::string_view text, int low, int high) {
    int value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < low || value > high) {
        return std::nullopt;
    }
    return value;
}

} // namespace

std::optional<RateLimitSettings> parse_rate_limit(const std::string& text) {
    const auto slash = text.find('/');
    if (slash == std::string::npos) {
        return std::nullopt;
    }
    const auto requests = number(std::string_view(text).substr(0, slash), 0, 100000);
    const auto minutes = number(std::string_view(text).substr(slash + 1), 1, 1440);
    if (!requests || !minutes) {
        return std::nullopt;
    }
    return RateLimitSettings{*requests, *minutes * 60};
}

RateLimiter::RateLimiter(Store& store, RateLimitSettings settings)
    : store_(store), settings_(settings) {}

RateLimiter::Verdict RateLimiter::hit(const std::string& subject, std::int64_t now) {
    if (!enabled()) {
        return {};
    }
    const std::int64_t window = settings_.window_seconds;
    const std::int64_t start = now - now % window;
    const std::int64_t hits = store_.count_request(subject, start);
    if (hits <= settings_.requests) {
        return {};
    }
    return {false, static_cast<int>(std::max<std::int64_t>(start + window - now, 1))};
}

void RateLimiter::purge(std::int64_t now) {
    const std::int64_t window = settings_.window_seconds;
    store_.purge_rate_limits(now - now % window - window);
}

std::string rate_limited_body(int retry_after_seconds) {
    nlohmann::json error = {
        {"code", std::string(api::error_code::kRateLimited)},
        {"message", "Too many requests from this kiosk. Try again in a few minutes."},
        {"retry_after_seconds", retry_after_seconds}};
    return nlohmann::json{{"error", std::move(error)}}.dump();
}

} // namespace kiosk::central
