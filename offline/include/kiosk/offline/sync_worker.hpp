// SyncWorker: one thread that drains the outbox to the central through POST /v1/sync/batch,
// oldest first, in batches, with capped exponential backoff and full jitter. It retries only
// what may succeed later (no answer, 5xx, 409, 429 honouring Retry-After); any other 4xx
// makes the item a dead letter with the central's error code as its reason. It tells the
// UI through a callback whenever the queue or the connection changes. No GUI dependency.
#pragma once

#include "kiosk/net/central_client.hpp"
#include "kiosk/offline/outbox.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <thread>

namespace kiosk::offline {

struct SyncSettings {
    std::size_t batch_size = 100;                           // the central takes at most 100
    std::chrono::milliseconds base_backoff{1'000};          // first retry waits up to this
    std::chrono::milliseconds max_backoff{5 * 60'000};      // no retry waits longer (jitter aside)
    std::chrono::milliseconds max_retry_after{60 * 60'000}; // a longer Retry-After is capped
    std::chrono::milliseconds idle_wait{60'000}; // looks again (expiry) even when not woken
};

// What the maintenance screen shows; a copy is handed to the callback.
struct SyncStatus {
    std::size_t pending = 0;
    std::size_t dead = 0;
    bool central_reachable = false; // the last attempt got an HTTP answer
    std::string last_error;         // "" after a round with nothing to retry
    std::int64_t last_success_ms = 0;
    std::uint64_t delivered = 0; // since start
};

// What to do with an item the central answered with `http_status`.
enum class Disposition { Deliver, Retry, DeadLetter };
Disposition disposition_for(long http_status);

// Full jitter: a uniform delay in [0, min(max_backoff, base_backoff * 2^(attempt-1))].
std::chrono::milliseconds backoff_delay(int attempt, const SyncSettings& settings,
                                        std::mt19937_64& random);

class SyncWorker {
public:
    // `on_change` runs on the worker thread: it must only post to the UI and return.
    SyncWorker(Outbox& outbox, std::string central_base_url, net::ClientSettings client,
               SyncSettings settings, std::function<void(const SyncStatus&)> on_change = {});
    ~SyncWorker(); // stop()
    SyncWorker(const SyncWorker&) = delete;
    SyncWorker& operator=(const SyncWorker&) = delete;

    void start();
    // Ends the thread: an idle wait ends at once, a request in flight within about a
    // second (it is cancelled and its items stay pending). Idempotent.
    void stop();
    // Something was enqueued (or staff retried a dead letter): look now, not after a wait.
    void wake();

    [[nodiscard]] SyncStatus status() const;

private:
    void round(net::CentralClient& client);
    void wait_for_work();
    void publish(bool reachable, std::string last_error, std::size_t delivered);

    Outbox& outbox_;
    std::string base_url_;
    net::ClientSettings client_settings_;
    SyncSettings settings_;
    std::function<void(const SyncStatus&)> on_change_;
    std::mt19937_64 random_;

    std::atomic<bool> stop_{false};
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool woken_ = false;
    SyncStatus status_;
    std::thread thread_;
};

} // namespace kiosk::offline
