// ConnectivityMonitor: whether the kiosk can reach its central, and what it last saw of it
// (latency, TLS peer, last sync, queue). One background thread asks GET /v1/health on an
// interval; the sync worker and the fleet agent report what their own requests met. The UI
// and maintenance screens read a copy (snapshot()); nobody waits on the network to read it.
// No GUI dependency. docs/internals/runtime.md says who reports what.
#pragma once

#include "kiosk/net/http_client.hpp"
#include "kiosk/offline/sync_worker.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace kiosk::app {

enum class Reachability {
    Unknown, // nothing has been tried yet (just started)
    Online,  // the last attempt, by anyone, got an HTTP answer from the central
    Offline, // the last attempt got no answer (refused, timeout, TLS failure, ...)
};

std::string_view to_string(Reachability reachability); // "unknown", "online", "offline"

// What maintenance mode shows and the attract screen's mark reads. A plain copy.
struct ConnectivityStatus {
    using SystemTime = std::chrono::system_clock::time_point;

    Reachability state = Reachability::Unknown;
    std::string central_url;                // as configured, e.g. https://central:8443
    std::optional<SystemTime> last_success; // last HTTP answer from the central, by anyone
    std::optional<SystemTime> last_failure; // last attempt that got no answer
    std::string last_failure_reason;        // plain words, e.g. "no answer within 10 s"
    std::optional<std::chrono::milliseconds> latency; // last health check that answered,
                                                      // connect and TLS handshake included
    std::optional<SystemTime> last_check;             // last health check, answered or not
    // The central's TLS certificate as seen by the last health check that answered.
    std::string peer_subject;                 // e.g. "CN = 127.0.0.1"; "" until seen
    std::optional<SystemTime> peer_not_after; // its expiry
    // From the sync worker (absent when the kiosk has no outbox).
    std::optional<SystemTime> last_sync; // last batch the central took
    bool queue_known = false;            // the fields below are meaningful
    std::size_t queue_pending = 0;
    std::size_t queue_dead = 0;
    std::uint64_t revision = 0; // bumped on every change, so a reader knows to redraw
};

struct ConnectivitySettings {
    std::string central_url;                    // the central's root
    net::ClientSettings client;                 // TLS settings as every other request uses
    std::chrono::milliseconds interval{60'000}; // between health checks (config: heartbeat)
    // Called, on whichever thread made the change, when state or anything shown changes
    // (not for a mere timestamp refresh). Must be thread-safe and quick: post and return.
    std::function<void()> on_change;
};

class ConnectivityMonitor {
public:
    explicit ConnectivityMonitor(ConnectivitySettings settings);
    ~ConnectivityMonitor(); // stop()
    ConnectivityMonitor(const ConnectivityMonitor&) = delete;
    ConnectivityMonitor& operator=(const ConnectivityMonitor&) = delete;

    // Starts the health-check thread; the first check runs at once.
    void start();
    // Ends the thread; a check in flight is cancelled within about a second. Idempotent.
    void stop();
    // Check now rather than at the end of the interval (staff's "test connection").
    void check_now();
    // A new interval (from newly applied config); takes effect from the next wait.
    void set_interval(std::chrono::milliseconds interval);

    // Reports from other threads' requests. `reason` is plain words for staff.
    void record_answer();                                // the central answered (any HTTP status)
    void record_no_answer(std::string reason);           // it did not
    void record_sync(const offline::SyncStatus& status); // the sync worker's published status

    [[nodiscard]] ConnectivityStatus snapshot() const;

    // One health check on the calling thread (the background thread's body; tests).
    void check_once();

private:
    void run();
    template <typename Change> void update(Change change);

    ConnectivitySettings settings_;
    mutable std::mutex mutex_;
    ConnectivityStatus status_;
    std::condition_variable wake_;
    bool check_requested_ = false;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

// Plain words for a failure kind, e.g. Timeout -> "no answer in time".
std::string plain_reason(const net::TransportFailure& failure);

} // namespace kiosk::app
