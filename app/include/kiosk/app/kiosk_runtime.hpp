// KioskRuntime: what makes the GUI kiosk a fleet member, with no GUI in it. It owns the
// offline services (outbox, sync worker, sealing key), the connectivity monitor and a fleet
// thread that enrols with the bootstrap's code, sends heartbeats with the outbox's real
// counts and pulls signed configuration into the ConfigApplier. It maps the applied
// configuration to the session's settings; the UI takes them at the next return to attract.
// docs/internals/runtime.md draws the threads and who wakes whom.
#pragma once

#include "kiosk/app/connectivity.hpp"
#include "kiosk/app/offline_services.hpp"
#include "kiosk/app/session.hpp"
#include "kiosk/app/staff_verification.hpp"
#include "kiosk/config/applier.hpp"
#include "kiosk/config/bootstrap.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace kiosk::agent {
class FleetAgent;
}

namespace kiosk::app {

// The session's settings from the bootstrap file and, once one is applied, the signed
// configuration (which then wins, field by field, as docs/configuration.md says). Languages
// the kiosk has no catalog for are dropped; a default that is not offered falls back to the
// first offered one.
SessionSettings map_session_settings(const config::Bootstrap& bootstrap,
                                     const config::Settings* applied,
                                     const std::vector<std::string>& available_languages);

struct RuntimeSettings {
    config::Bootstrap bootstrap;
    net::ClientSettings client;         // TLS settings every request uses
    bool offline = true;                // open the outbox (state_dir / outbox_file)
    std::vector<std::string> languages; // the shipped catalogs
    std::string software_version;       // reported in heartbeats
    // Called on a background thread whenever something the UI shows may have changed
    // (connectivity, queue, newly applied settings). Thread-safe and quick: post and return.
    std::function<void()> on_change;
    // Tests: ticks faster than any config allows (0 = from config, heartbeat_seconds).
    std::chrono::milliseconds fleet_interval_override{0};
};

// What maintenance mode shows of the fleet link. A plain copy.
struct FleetStatus {
    bool enabled = false;          // the bootstrap names admin keys: signed configuration is on
    bool enrolled = false;         // a credential is held
    std::string enrolment_problem; // why enrolment did not happen ("" when enrolled or off)
    std::optional<config::AppliedConfig> applied;
    std::optional<config::RefusalRecord> last_refusal;
    std::string startup_problem; // the applier's, when the stored document was unusable
    std::string last_problem;    // the last tick's, "" when it went well
    std::optional<std::chrono::system_clock::time_point> last_heartbeat;
    std::uint64_t revision = 0;
};

class KioskRuntime {
public:
    // Opens the outbox (when asked) and the fleet agent (when the bootstrap enables signed
    // configuration), loads the applied configuration and maps it. Threads start in start().
    // nullptr with `error` when the bootstrap's fleet settings are unusable.
    static std::unique_ptr<KioskRuntime> create(RuntimeSettings settings, std::string& error);
    ~KioskRuntime(); // stop()
    KioskRuntime(const KioskRuntime&) = delete;
    KioskRuntime& operator=(const KioskRuntime&) = delete;

    // Before start(): every change then posts to `inbox` (which wakes the UI) a job that
    // hands `session` the central's reachability and, when a newer configuration was
    // applied, its settings (Session::reconfigure). Both must outlive stop().
    void attach(Session& session, UiInbox& inbox);

    void start(); // sync worker, key fetcher, monitor, fleet thread
    void stop();  // joins them all; requests in flight are cancelled. Idempotent.

    [[nodiscard]] ConnectivityMonitor& connectivity() { return *monitor_; }
    // Null when the kiosk keeps no outbox (or it could not be opened).
    [[nodiscard]] OfflineServices* offline() { return offline_.get(); }

    // The session settings the applied config gives now, and a number that changes with
    // them. Any thread.
    [[nodiscard]] SessionSettings session_settings() const;
    // The TLS settings of the runtime's requests to the central, with the kiosk's client
    // certificate when it was enrolled at create() (walk-up requests may use them too).
    [[nodiscard]] const net::ClientSettings& client_settings() const { return settings_.client; }
    [[nodiscard]] std::uint64_t settings_revision() const;
    [[nodiscard]] FleetStatus fleet_status() const;

    // Staff: pull and heartbeat now rather than at the end of the interval.
    void pull_now();
    // Staff (maintenance mode, from a worker thread: these wait for the fleet thread, which
    // may be in a request). Revert to the previous document; the outcome says why not.
    config::Outcome revert_config();
    // Enrol with a code typed by staff. "" on success, else why.
    std::string enrol(const SecretString& code);
    // Staff in-person verification: sent with this kiosk's identity from the fleet thread
    // (app/src/staff_verification.cpp). Waits like enrol().
    StaffVerifyResult verify_user(const StaffVerifyRequest& request);

private:
    explicit KioskRuntime(RuntimeSettings settings);
    void run_fleet();
    bool try_enrol();
    // Runs `command` on the fleet thread and waits for it; false when there is none.
    bool on_fleet_thread(std::function<void()> command);
    void run_commands(std::unique_lock<std::mutex>& lock);
    void publish_applied(); // fleet thread: copy the applier's state out, remap settings
    void notify() const;

    RuntimeSettings settings_;
    std::unique_ptr<OfflineServices> offline_;
    std::unique_ptr<ConnectivityMonitor> monitor_;
    std::unique_ptr<agent::FleetAgent> agent_; // used only on the fleet thread after start()

    mutable std::mutex mutex_;
    SessionSettings session_settings_;
    std::uint64_t settings_revision_ = 0;
    std::int64_t mapped_version_ = -1; // the applied version session_settings_ came from
    FleetStatus fleet_;
    std::chrono::milliseconds fleet_interval_{60'000};
    bool pull_requested_ = false;
    std::deque<std::function<void()>> commands_; // staff actions for the fleet thread
    std::function<void()> attached_;             // attach()'s poster
    std::uint64_t handed_revision_ = 0;          // UI thread only: the settings the session has

    std::atomic<bool> stop_{false};
    std::condition_variable wake_;
    std::thread fleet_thread_;
};

} // namespace kiosk::app
