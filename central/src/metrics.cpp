// Prometheus text exposition (format 0.0.4) of the central's counters: HELP and TYPE once
// per family, label values escaped, histogram buckets cumulative with +Inf, _sum and _count.
#include "kiosk/central/metrics.hpp"

#include <cmath>
#include <cstdio>

namespace kiosk::central {
namespace {

// Label values: backslash, double quote and line feed escaped, as the format requires.
std::string escape(const std::string& value) {
    std::string out;
    for (const char c : value) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '"') {
            out += "\\\"";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

std::string number(double value) {
    if (std::isinf(value)) {
        return value > 0 ? "+Inf" : "-Inf";
    }
    char text[64];
    std::snprintf(text, sizeof text, "%.17g", value);
    return text;
}

// Bucket bounds as written in the le label: the shortest form ("0.0025", not its binary
// expansion), so that dashboards match them.
std::string bound(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", value);
    return text;
}

void family(std::string& out, const char* name, const char* type, const char* help) {
    out += std::string("# HELP ") + name + " " + help + "\n";
    out += std::string("# TYPE ") + name + " " + type + "\n";
}

bool is_segment(const std::string& s) {
    if (s.empty() || s.size() > 64) {
        return false;
    }
    for (const char c : s) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
        if (!ok) {
            return false;
        }
    }
    return true;
}

} // namespace

std::string route_label(const std::string& path) {
    static constexpr const char* kFixed[] = {"/v1/health",
                                             "/v1/verifications",
                                             "/v1/verification-options",
                                             "/v1/password-resets",
                                             "/v1/unlocks",
                                             "/v1/sign-ins",
                                             "/v1/account-status",
                                             "/v1/sealing-key",
                                             "/v1/password-policy",
                                             "/v1/sync/batch",
                                             "/v1/tickets",
                                             "/v1/feedback",
                                             "/v1/kiosks/audit-events",
                                             "/v1/kiosks/enrol",
                                             "/v1/kiosks/heartbeat",
                                             "/v1/kiosks/config",
                                             "/v1/admin/enrolments",
                                             "/v1/admin/config-bundles",
                                             "/v1/admin/fleet",
                                             "/v1/admin/audit",
                                             "/v1/admin/audit/verify",
                                             "/v1/admin/tickets",
                                             "/v1/admin/reports",
                                             "/v1/contact-details",
                                             "/v1/activations",
                                             "/metrics"};
    for (const char* fixed : kFixed) {
        if (path == fixed) {
            return path;
        }
    }
    // Paths with one variable segment: "/v1/x/{id}" and "/v1/x/{id}/y".
    struct Pattern {
        const char* prefix;
        const char* suffix;
        const char* label;
    };
    static constexpr Pattern kPatterns[] = {
        {"/v1/verifications/", "/check", "/v1/verifications/{id}/check"},
        {"/v1/verifications/", "/resend", "/v1/verifications/{id}/resend"},
        {"/v1/tickets/", "", "/v1/tickets/{reference}"},
        {"/v1/admin/tickets/", "/status", "/v1/admin/tickets/{reference}/status"},
        {"/v1/activations/", "/confirm", "/v1/activations/{id}/confirm"},
        {"/v1/offline-confirmations/", "", "/v1/offline-confirmations/{id}"},
    };
    for (const auto& p : kPatterns) {
        const std::string prefix = p.prefix;
        const std::string suffix = p.suffix;
        if (path.size() > prefix.size() + suffix.size() && path.starts_with(prefix) &&
            path.ends_with(suffix) &&
            is_segment(path.substr(prefix.size(), path.size() - prefix.size() - suffix.size()))) {
            return p.label;
        }
    }
    return "other";
}

void Metrics::observe_request(const std::string& method, const std::string& route, int status,
                              double seconds) {
    std::lock_guard lock(mutex_);
    ++requests_[{method, route, status}];
    auto& latency = latency_[route];
    if (latency.counts.empty()) {
        latency.counts.assign(kBuckets.size(), 0);
    }
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
        if (seconds <= kBuckets[i]) {
            ++latency.counts[i];
            break;
        }
    }
    ++latency.count;
    latency.sum += seconds;
}

void Metrics::count_event(const std::string& action) {
    std::lock_guard lock(mutex_);
    ++events_[action];
}

void Metrics::count_batch_item(int status) {
    std::lock_guard lock(mutex_);
    ++batch_items_[status];
}

void Metrics::set_scrape_token(SecretString token) {
    std::lock_guard lock(mutex_);
    scrape_token_ = std::move(token);
}

bool Metrics::is_scrape_token(std::string_view token) const {
    std::lock_guard lock(mutex_);
    return !token.empty() && !scrape_token_.empty() && scrape_token_.equals(token);
}

void Metrics::count_notification(const std::string& channel, const std::string& outcome) {
    std::lock_guard lock(mutex_);
    ++notifications_[{channel, outcome}];
}

std::string Metrics::exposition(const Gauges& gauges) const {
    std::lock_guard lock(mutex_);
    std::string out;
    family(out, "kiosk_central_http_requests_total", "counter",
           "HTTP requests answered, by method, route pattern and status.");
    for (const auto& [key, count] : requests_) {
        const auto& [method, route, status] = key;
        out += "kiosk_central_http_requests_total{method=\"" + escape(method) + "\",route=\"" +
               escape(route) + "\",status=\"" + std::to_string(status) + "\"} " +
               std::to_string(count) + "\n";
    }
    family(out, "kiosk_central_http_request_duration_seconds", "histogram",
           "Time from routing a request to answering it, by route pattern.");
    for (const auto& [route, latency] : latency_) {
        std::uint64_t cumulative = 0;
        const std::string labels = "route=\"" + escape(route) + "\"";
        for (std::size_t i = 0; i < kBuckets.size(); ++i) {
            cumulative += latency.counts[i];
            out += "kiosk_central_http_request_duration_seconds_bucket{" + labels + ",le=\"" +
                   bound(kBuckets[i]) + "\"} " + std::to_string(cumulative) + "\n";
        }
        out += "kiosk_central_http_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} " +
               std::to_string(latency.count) + "\n";
        out += "kiosk_central_http_request_duration_seconds_sum{" + labels + "} " +
               number(latency.sum) + "\n";
        out += "kiosk_central_http_request_duration_seconds_count{" + labels + "} " +
               std::to_string(latency.count) + "\n";
    }
    const auto event = [&](const char* action) {
        const auto found = events_.find(action);
        return found == events_.end() ? std::uint64_t{0} : found->second;
    };
    family(out, "kiosk_central_password_resets_total", "counter", "Passwords reset.");
    out += "kiosk_central_password_resets_total " + std::to_string(event("password_reset")) + "\n";
    family(out, "kiosk_central_unlocks_total", "counter", "Accounts unlocked.");
    out += "kiosk_central_unlocks_total " + std::to_string(event("account_unlocked")) + "\n";
    family(out, "kiosk_central_lockouts_total", "counter", "Accounts locked by failed sign-ins.");
    out += "kiosk_central_lockouts_total " + std::to_string(event("account_locked")) + "\n";
    family(out, "kiosk_central_audit_events_total", "counter",
           "Audit log entries appended, by action.");
    for (const auto& [action, count] : events_) {
        out += "kiosk_central_audit_events_total{action=\"" + escape(action) + "\"} " +
               std::to_string(count) + "\n";
    }
    family(out, "kiosk_central_batch_items_total", "counter",
           "Items applied through POST /v1/sync/batch, by their answer's status.");
    for (const auto& [status, count] : batch_items_) {
        out += "kiosk_central_batch_items_total{status=\"" + std::to_string(status) + "\"} " +
               std::to_string(count) + "\n";
    }
    family(out, "kiosk_central_notifications_total", "counter",
           "Messages to users (codes, notices), by channel and outcome: sent, retried (an "
           "attempt failed, another is scheduled), failed (given up on).");
    for (const char* channel : {"email", "sms"}) {
        for (const char* outcome : {"sent", "retried", "failed"}) {
            const auto found = notifications_.find({channel, outcome});
            out += std::string("kiosk_central_notifications_total{channel=\"") + channel +
                   "\",outcome=\"" + outcome + "\"} " +
                   std::to_string(found == notifications_.end() ? 0 : found->second) + "\n";
        }
    }
    family(out, "kiosk_central_kiosks_enrolled", "gauge", "Kiosks enrolled.");
    out += "kiosk_central_kiosks_enrolled " + std::to_string(gauges.kiosks_enrolled) + "\n";
    family(out, "kiosk_central_kiosks_online", "gauge",
           "Kiosks whose last heartbeat is recent (--online-seconds).");
    out += "kiosk_central_kiosks_online " + std::to_string(gauges.kiosks_online) + "\n";
    family(out, "kiosk_central_kiosk_queue_depth", "gauge",
           "Outbox items waiting at the kiosks, summed over their last heartbeats.");
    out += "kiosk_central_kiosk_queue_depth " + std::to_string(gauges.kiosk_queue_depth) + "\n";
    family(out, "kiosk_central_kiosk_dead_letters", "gauge",
           "Outbox items the kiosks gave up on, summed over their last heartbeats.");
    out += "kiosk_central_kiosk_dead_letters " + std::to_string(gauges.kiosk_dead_letters) + "\n";
    family(out, "kiosk_central_tickets_open", "gauge", "Tickets not resolved or closed.");
    out += "kiosk_central_tickets_open " + std::to_string(gauges.tickets_open) + "\n";
    return out;
}

} // namespace kiosk::central
