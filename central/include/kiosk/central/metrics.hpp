// Metrics: the counters and histograms kiosk-central serves at GET /metrics in the
// Prometheus text exposition format 0.0.4 (docs/internals/central.md, "Metrics").
// Thread-safe; label values are route patterns and fixed names, never user input.
#pragma once

#include "kiosk/common/secret.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace kiosk::central {

class Metrics {
public:
    // One answered request: `route` is the route's pattern ("/v1/tickets/{reference}"),
    // not the path, so that the number of series stays bounded.
    void observe_request(const std::string& method, const std::string& route, int status,
                         double seconds);
    // One audit entry appended (password_reset, account_unlocked, account_locked, ...).
    void count_event(const std::string& action);
    // One batch item applied, by its answer's status.
    void count_batch_item(int status);
    // One notification outcome: `channel` "email" or "sms", `outcome` "sent", "retried"
    // (an attempt failed and another is scheduled) or "failed" (given up on).
    void count_notification(const std::string& channel, const std::string& outcome);

    // GET /metrics needs a credential: this bearer token (a Prometheus scrape token, read
    // from a file at start-up) or an admin/auditor one. Empty: only admin credentials.
    void set_scrape_token(SecretString token);
    // Constant-time; false for an empty `token` or when no scrape token is set.
    [[nodiscard]] bool is_scrape_token(std::string_view token) const;

    // The whole exposition; the gauges are read by the caller at scrape time.
    struct Gauges {
        std::int64_t kiosks_enrolled = 0;
        std::int64_t kiosks_online = 0;
        std::int64_t kiosk_queue_depth = 0;  // sum of the last heartbeats' queue_depth
        std::int64_t kiosk_dead_letters = 0; // sum of the last heartbeats' dead_letters
        std::int64_t tickets_open = 0;
    };
    std::string exposition(const Gauges& gauges) const;

    // Upper bounds of the latency histogram's buckets, in seconds (then +Inf). Argon2id
    // routes take ~50 ms, reads well under 1 ms.
    static constexpr std::array<double, 12> kBuckets{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                     0.1,   0.25,   0.5,   1.0,  2.5,   5.0};

private:
    struct Latency {
        std::vector<std::uint64_t> counts; // per bucket (not cumulative)
        std::uint64_t count = 0;
        double sum = 0;
    };
    mutable std::mutex mutex_;
    std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests_;
    std::map<std::string, Latency> latency_; // by route
    std::map<std::string, std::uint64_t> events_;
    std::map<int, std::uint64_t> batch_items_;
    std::map<std::pair<std::string, std::string>, std::uint64_t> notifications_;
    SecretString scrape_token_;
};

// The pattern a path belongs to, for the `route` label: IDs and references become
// placeholders; a path no route knows becomes "other".
std::string route_label(const std::string& path);

} // namespace kiosk::central
