// ConnectivityMonitor: a health-check thread plus what the sync worker and the fleet agent
// report, folded into one snapshot under a mutex. The wake callback runs outside the lock.
#include "kiosk/app/connectivity.hpp"

#include <spdlog/spdlog.h>

namespace kiosk::app {
namespace {

using SystemClock = std::chrono::system_clock;

std::string_view plain_words(net::TransportFailureKind kind) {
    using Kind = net::TransportFailureKind;
    switch (kind) {
    case Kind::Unreachable:
        return "cannot connect (refused, no route or reset)";
    case Kind::Timeout:
        return "no answer in time";
    case Kind::Stalled:
        return "the answer stalled";
    case Kind::Tls:
        return "the TLS handshake failed";
    case Kind::CertificateExpired:
        return "the central's certificate has expired";
    case Kind::CertificateUntrusted:
        return "the central's certificate is not from the trusted CA";
    case Kind::HostnameMismatch:
        return "the central's certificate is for another host name";
    case Kind::PinMismatch:
        return "the central's key matches none of the pinned keys";
    case Kind::TooLarge:
        return "the answer was too large";
    case Kind::Redirected:
        return "the central redirected elsewhere (not followed)";
    case Kind::Refused:
        return "the request was not sent (bad URL or header)";
    case Kind::Misconfigured:
        return "this kiosk's TLS settings are unusable";
    case Kind::Cancelled:
        return "cancelled";
    }
    return "no answer";
}

// The sync worker words a transport failure "<kind>: <libcurl detail>"; staff get the
// plain words for the kind, and anything else (an HTTP refusal) as it is.
std::string plain_sync_error(const std::string& error) {
    using Kind = net::TransportFailureKind;
    for (auto kind :
         {Kind::Unreachable, Kind::Timeout, Kind::Stalled, Kind::Tls, Kind::CertificateExpired,
          Kind::CertificateUntrusted, Kind::HostnameMismatch, Kind::PinMismatch, Kind::TooLarge,
          Kind::Redirected, Kind::Refused, Kind::Misconfigured}) {
        const auto name = net::to_string(kind);
        if (error.size() > name.size() && error.compare(0, name.size(), name) == 0 &&
            error[name.size()] == ':') {
            return std::string(plain_words(kind));
        }
    }
    return error;
}

// What a reader would draw differently; timestamps alone do not wake the UI.
auto shown(const ConnectivityStatus& s) {
    return std::tie(s.state, s.last_failure_reason, s.latency, s.peer_subject, s.peer_not_after,
                    s.last_sync, s.queue_known, s.queue_pending, s.queue_dead, s.last_check);
}

} // namespace

std::string_view to_string(Reachability reachability) {
    switch (reachability) {
    case Reachability::Unknown:
        return "unknown";
    case Reachability::Online:
        return "online";
    case Reachability::Offline:
        return "offline";
    }
    return "unknown";
}

std::string plain_reason(const net::TransportFailure& failure) {
    return std::string(plain_words(failure.kind));
}

ConnectivityMonitor::ConnectivityMonitor(ConnectivitySettings settings)
    : settings_(std::move(settings)) {
    status_.central_url = settings_.central_url;
    settings_.client.capture_peer_certificate = true;
    settings_.client.cancel = &stop_;
}

ConnectivityMonitor::~ConnectivityMonitor() {
    stop();
}

void ConnectivityMonitor::start() {
    if (!thread_.joinable()) {
        stop_ = false;
        thread_ = std::thread([this] { run(); });
    }
}

void ConnectivityMonitor::stop() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) {
        thread_.join();
    }
}

void ConnectivityMonitor::check_now() {
    {
        std::lock_guard lock(mutex_);
        check_requested_ = true;
    }
    wake_.notify_all();
}

void ConnectivityMonitor::set_interval(std::chrono::milliseconds interval) {
    {
        std::lock_guard lock(mutex_);
        settings_.interval = std::max(interval, std::chrono::milliseconds(100));
    }
    wake_.notify_all(); // the wait in run() recomputes its deadline
}

template <typename Change> void ConnectivityMonitor::update(Change change) {
    bool changed = false;
    {
        std::lock_guard lock(mutex_);
        const auto before = status_;
        change(status_);
        changed = shown(before) != shown(status_);
        if (changed) {
            ++status_.revision;
        }
    }
    if (changed && settings_.on_change) {
        settings_.on_change();
    }
}

void ConnectivityMonitor::record_answer() {
    update([](ConnectivityStatus& s) {
        s.state = Reachability::Online;
        s.last_success = SystemClock::now();
    });
}

void ConnectivityMonitor::record_no_answer(std::string reason) {
    if (stop_) {
        return; // our own shutdown cancelled it: says nothing about the central
    }
    update([&reason](ConnectivityStatus& s) {
        s.state = Reachability::Offline;
        s.last_failure = SystemClock::now();
        s.last_failure_reason = std::move(reason);
    });
}

void ConnectivityMonitor::record_sync(const offline::SyncStatus& sync) {
    update([&sync](ConnectivityStatus& s) {
        s.queue_known = true;
        s.queue_pending = sync.pending;
        s.queue_dead = sync.dead;
        if (sync.last_success_ms > 0) {
            s.last_sync = SystemClock::time_point(std::chrono::milliseconds(sync.last_success_ms));
        }
        // A status published for an expiry alone carries no news about the central.
        if (sync.central_reachable) {
            s.state = Reachability::Online;
            s.last_success = SystemClock::now();
        } else if (!sync.last_error.empty()) {
            s.state = Reachability::Offline;
            s.last_failure = SystemClock::now();
            s.last_failure_reason = plain_sync_error(sync.last_error);
        }
    });
}

ConnectivityStatus ConnectivityMonitor::snapshot() const {
    std::lock_guard lock(mutex_);
    return status_;
}

void ConnectivityMonitor::check_once() {
    const auto started = std::chrono::steady_clock::now();
    net::HttpResult result = net::TransportFailure{net::TransportFailureKind::Misconfigured, ""};
    try {
        // A new client each time: a fresh handshake shows the certificate the central
        // presents now, and the latency includes what a first request pays.
        net::HttpsClient http(settings_.client);
        result = http.get(settings_.central_url + "/v1/health");
    } catch (const std::exception& e) {
        result = net::TransportFailure{net::TransportFailureKind::Misconfigured, e.what()};
    }
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    const auto now = SystemClock::now();
    if (const auto* failure = std::get_if<net::TransportFailure>(&result)) {
        if (failure->kind == net::TransportFailureKind::Cancelled || stop_) {
            return;
        }
        spdlog::debug("connectivity: health check failed ({}: {})", net::to_string(failure->kind),
                      failure->detail);
        update([&](ConnectivityStatus& s) {
            s.state = Reachability::Offline;
            s.last_check = now;
            s.last_failure = now;
            s.last_failure_reason = plain_reason(*failure);
        });
        return;
    }
    const auto& response = std::get<net::HttpResponse>(result);
    update([&](ConnectivityStatus& s) {
        s.state = Reachability::Online;
        s.last_check = now;
        s.last_success = now;
        s.latency = took;
        if (response.peer) {
            s.peer_subject = response.peer->subject;
            s.peer_not_after = response.peer->not_after;
        }
        if (response.status != 200) {
            // It answered, so it is reachable; staff still see that it is unwell.
            s.last_failure = now;
            s.last_failure_reason = "the central answered its health check with HTTP " +
                                    std::to_string(response.status);
        }
    });
}

void ConnectivityMonitor::run() {
    while (!stop_) {
        check_once();
        std::unique_lock lock(mutex_);
        const auto from = std::chrono::steady_clock::now();
        // The deadline is recomputed after every notify, so set_interval() takes effect now.
        while (!stop_ && !check_requested_) {
            const auto deadline = from + settings_.interval;
            if (std::chrono::steady_clock::now() >= deadline) {
                break;
            }
            wake_.wait_until(lock, deadline);
        }
        check_requested_ = false;
    }
}

} // namespace kiosk::app
