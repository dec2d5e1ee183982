// OfflineServices: the kiosk's outbox, its sync worker and the central's sealing key, owned
// together so main() wires them in a few lines and the session can save a timed-out request
// for later. docs/internals/offline.md says who calls what. No GUI dependency.
#pragma once

#include "kiosk/common/sealed_box.hpp"
#include "kiosk/net/http_client.hpp"
#include "kiosk/offline/outbox.hpp"
#include "kiosk/offline/sync_worker.hpp"

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace kiosk::app {

struct OfflineSettings {
    std::filesystem::path outbox_file; // e.g. /var/lib/kiosk/outbox.db
    // Where the central's public sealing key is remembered between runs, so a kiosk started
    // during an outage can still seal. "" = not remembered.
    std::filesystem::path sealing_key_file;
    offline::OutboxOptions outbox;
    offline::SyncSettings sync;
    // How long the key fetcher waits between attempts while the central does not answer.
    std::chrono::milliseconds key_retry{30'000};
};

// What became of a request the session tried to save for later.
enum class DeferOutcome {
    Saved,        // committed to the outbox: the user may be told so
    QueueFull,    // refused: the outbox is at its cap
    NotSaved,     // refused: disk full, I/O error, invalid (see detail)
    NoSealingKey, // the central's key was never fetched: a secret cannot be queued
};

struct Deferred {
    DeferOutcome outcome = DeferOutcome::NotSaved;
    std::string detail; // for logs; never holds the request
};

class OfflineServices {
public:
    // Opens (creating its folder) the outbox, recovering a corrupt file as the outbox does,
    // and loads a remembered sealing key. nullptr with `error` when the outbox is unusable.
    static std::unique_ptr<OfflineServices>
    open(std::string central_url, net::ClientSettings client, OfflineSettings settings,
         std::string& error, std::function<void(const offline::SyncStatus&)> on_change = {});
    ~OfflineServices(); // stop()
    OfflineServices(const OfflineServices&) = delete;
    OfflineServices& operator=(const OfflineServices&) = delete;

    // Starts the sync worker and a thread that fetches the sealing key until it has it.
    void start();
    // Stops both threads (a request in flight is cancelled within about a second). Idempotent.
    void stop();

    // GET /v1/sealing-key now (blocking, any thread); true when the central gave a usable key
    // (a remembered one stays in use when it does not).
    bool refresh_sealing_key();
    [[nodiscard]] bool has_sealing_key() const;

    // Seals `json_body` (the JSON object `route` takes) to the central's key and stores it
    // under `idempotency_key`, then wakes the sync worker. Blocks for the fsync: call it from
    // a worker thread, never the UI's. The plaintext is never written anywhere.
    Deferred defer(std::string_view route, std::string_view json_body,
                   const std::string& idempotency_key);

    [[nodiscard]] const offline::OpenReport& open_report() const { return report_; }
    offline::Outbox& outbox() { return *outbox_; }
    offline::SyncWorker& sync() { return *sync_; }

private:
    OfflineServices(std::string central_url, net::ClientSettings client, OfflineSettings settings);
    void fetch_key_until_known();
    void remember_key(const std::string& pem);

    std::string central_url_;
    net::ClientSettings client_;
    OfflineSettings settings_;
    offline::OpenReport report_;
    std::unique_ptr<offline::Outbox> outbox_;
    std::unique_ptr<offline::SyncWorker> sync_;

    mutable std::mutex key_mutex_;
    std::optional<sealed_box::PublicKey> key_;

    std::atomic<bool> stop_{false};
    std::mutex stop_mutex_;
    std::condition_variable stop_signal_;
    std::thread key_fetcher_;
};

// main()'s one call: opens the outbox at `outbox_file` (remembering the sealing key in
// `state_dir`) and starts it. Logs and returns nullptr when the outbox cannot be used: the
// kiosk then still serves online, but cannot save a timed-out reset for later.
std::unique_ptr<OfflineServices> start_offline_services(const std::string& central_url,
                                                        const net::ClientSettings& client,
                                                        const std::filesystem::path& state_dir,
                                                        const std::filesystem::path& outbox_file);

} // namespace kiosk::app
