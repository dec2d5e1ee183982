// Maintenance: facility staff's mode, as a state machine with no GUI in it (like Session).
// Entered by a key chord or five taps in a corner, unlocked by the staff PIN (Argon2id,
// checked on the BackgroundWorker, growing delays after failures) or an allow-listed badge;
// leaves by itself when idle. Every staff action is audited through the outbox.
// docs/internals/maintenance.md draws the states and names the function of each transition.
#pragma once

#include "kiosk/app/connectivity.hpp"
#include "kiosk/app/session.hpp"
#include "kiosk/app/staff_verification.hpp"
#include "kiosk/app/task_queue.hpp"
#include "kiosk/common/secret.hpp"
#include "kiosk/config/applier.hpp"
#include "kiosk/config/document.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace kiosk::app {

class OfflineServices;

enum class MaintenancePage {
    Closed,       // the walk-up screens show (or "out of service")
    Unlock,       // PIN pad; an allow-listed badge is accepted here too
    Connectivity, // central, TLS peer and expiry, latency, last sync
    Queue,        // outbox counts, oldest age, dead letters; retry, clear
    Config,       // applied version, signers, applied at, last refusal; pull now, revert
    Device,       // kiosk ID, version, uptime, disk, memory
    Logs,         // the last log lines
    Service,      // out-of-service toggle
    Enrolment,    // type an enrolment code
    VerifyUser,   // staff vouch for a user in person, then hand the kiosk over to them
};

// What the unlock page tells staff.
enum class UnlockNotice {
    None,
    WrongPin,      // with MaintenanceView::failures
    BadgeRefused,  // a badge burst that is not on the allow-list
    LockedOut,     // with MaintenanceView::lockout_seconds_left
    NoStaffAccess, // neither a PIN hash nor badges are configured
};

struct DeadLetterRow {
    std::int64_t id = 0;
    std::string route;
    std::string reason;
    std::int64_t age_seconds = 0;
    int attempts = 0;
};

struct QueueReport {
    bool available = false; // false: this kiosk has no outbox
    std::size_t pending = 0;
    std::size_t dead = 0;
    std::optional<std::int64_t> oldest_pending_age_seconds;
    std::vector<DeadLetterRow> dead_letters; // oldest first, at most kMaxDeadLettersShown
};

struct ConfigReport {
    bool available = false;   // false: no signed configuration on this kiosk
    std::string unavailable;  // why, in plain words, when !available
    std::int64_t version = 0; // 0: nothing applied (defaults run)
    std::vector<std::string> signers;
    std::string applied_at; // RFC 3339, "" when nothing applied
    std::string expires_at; // RFC 3339
    bool reverted = false;
    bool expired = false;
    bool can_revert = false;
    std::string last_refusal;    // "reason: message", "" when none
    std::string last_refusal_at; // RFC 3339
    std::string startup_problem;
};

struct DeviceReport {
    std::string kiosk_id;
    std::string version;
    std::int64_t uptime_seconds = 0;
    std::filesystem::path state_dir;
    std::optional<std::uint64_t> free_disk_bytes; // of state_dir
    std::optional<std::uint64_t> memory_bytes;    // resident set of this process
};

// The outcome of the last staff action, shown on its page until the next one.
enum class ActionKind { None, Retry, Clear, PullConfig, RevertConfig, OutOfService, Enrol };
struct ActionResult {
    bool ok = false;
    std::string detail; // plain words from the part that did it (not translated)
};

struct MaintenanceView {
    MaintenancePage page = MaintenancePage::Closed;
    std::string language = "en";
    // Unlock
    int pin_digits = 0; // how many digits are typed: shown as dots
    bool verifying = false;
    UnlockNotice notice = UnlockNotice::None;
    int failures = 0; // failed unlocks in a row
    int lockout_seconds_left = 0;
    // Open
    std::string actor; // "staff PIN" or "badge B-1001"
    bool busy = false; // an action or a refresh runs on the worker
    bool confirm_clear = false;
    ActionKind last_action = ActionKind::None;
    ActionResult last_result;
    ConnectivityStatus connectivity;
    QueueReport queue;
    ConfigReport config;
    DeviceReport device;
    std::vector<std::string> logs; // newest last
    bool enrolment_available = false;
    bool out_of_service = false;
    // VerifyUser: the outcome of the last attempt (Verified never shows: the kiosk is then
    // handed over); verify_incomplete: submitted without every field or the ID check.
    bool verify_available = false; // a verify_user hook is set
    std::optional<StaffVerifyResult::Status> verify_status;
    std::string verify_detail;
    bool verify_incomplete = false;
    std::uint64_t revision = 0;
};

namespace maintenance_intent {
struct Summon {};    // the key chord
struct CornerTap {}; // a tap in the hidden corner
struct PinDigit {
    char digit = '0'; // '0'-'9', from the on-screen pad
};
struct PinBackspace {};
struct PinSubmit {}; // the pad's OK
struct Typed {       // a character from a physical keyboard (or a badge reader)
    char32_t character = 0;
};
struct TypedEnter {};
struct Show {
    MaintenancePage page = MaintenancePage::Connectivity;
};
struct Refresh {};
struct RetryDeadLetters {};
struct ClearDeadLetters {}; // asks for confirmation
struct ConfirmClear {};
struct CancelClear {};
struct PullConfig {};
struct RevertConfig {};
struct SetOutOfService {
    bool on = false;
};
struct Enrol {
    SecretString code;
};
struct VerifyUser { // the VerifyUser page's form
    std::string identifier;
    SecretString staff_credential;
    std::string reason;
    bool id_checked = false;
};
struct Activity {};
struct Exit {};
} // namespace maintenance_intent

using MaintenanceIntent = std::variant<
    maintenance_intent::Summon, maintenance_intent::CornerTap, maintenance_intent::PinDigit,
    maintenance_intent::PinBackspace, maintenance_intent::PinSubmit, maintenance_intent::Typed,
    maintenance_intent::TypedEnter, maintenance_intent::Show, maintenance_intent::Refresh,
    maintenance_intent::RetryDeadLetters, maintenance_intent::ClearDeadLetters,
    maintenance_intent::ConfirmClear, maintenance_intent::CancelClear,
    maintenance_intent::PullConfig, maintenance_intent::RevertConfig,
    maintenance_intent::SetOutOfService, maintenance_intent::Enrol, maintenance_intent::VerifyUser,
    maintenance_intent::Activity, maintenance_intent::Exit>;

// Who staff are and where this kiosk keeps its things.
struct MaintenanceSettings {
    std::string kiosk_id;
    std::string version;
    std::filesystem::path state_dir;   // disk space shown; "out-of-service" marker kept here
    std::string language = "en";       // the kiosk's default language
    std::string central_url;           // shown when no ConnectivityMonitor is hooked up
    std::chrono::seconds timeout{300}; // idle while open (config idle.maintenance_timeout_seconds)
    std::chrono::seconds unlock_timeout{30}; // idle on the PIN pad: the kiosk is for users
    // Wait before the next unlock attempt after the Nth failure in a row (the last entry
    // repeats). The count survives leaving maintenance; only a success resets it.
    std::vector<std::chrono::seconds> delays{std::chrono::seconds(0), std::chrono::seconds(0),
                                             std::chrono::seconds(5), std::chrono::seconds(15),
                                             std::chrono::seconds(60)};
    int corner_taps = 5;                           // taps in the corner that open it
    std::chrono::milliseconds corner_window{3000}; // ... within this long
    std::chrono::milliseconds badge_gap{60};       // wedge readers type faster than this
    std::size_t min_badge_length = 4;
};

// The parts maintenance reaches, each called on the BackgroundWorker's thread. Unset hooks
// make their page say the feature is not available on this kiosk.
struct MaintenanceHooks {
    // The staff PIN hash and badges of the applied configuration. Unset: nobody gets in.
    std::function<config::MaintenanceAccess()> access;
    std::function<ConnectivityStatus()> connectivity; // runtime's ConnectivityMonitor
    std::function<ConfigReport()> config_status;
    std::function<ActionResult()> pull_config;
    std::function<ActionResult()> revert_config;
    std::function<ActionResult(const SecretString& code)> enrol;
    std::function<std::vector<std::string>()> recent_logs; // newest last
    // Staff in-person verification at the central (KioskRuntime::verify_user).
    std::function<StaffVerifyResult(const StaffVerifyRequest&)> verify_user;
    // The applied configuration's idle.maintenance_timeout_seconds; nullopt: keep
    // MaintenanceSettings::timeout. Read at each unlock and refresh, so a newly applied
    // configuration takes effect without a restart.
    std::function<std::optional<std::chrono::seconds>()> timeout;
};

// A user verified in person by staff, for the walk-up session (intent::StartVerified).
struct StaffHandoff {
    SecretString token;
    std::string username;
    std::string display_name;
};

inline constexpr std::size_t kMaxDeadLettersShown = 20;

class Maintenance {
public:
    // `offline` (may be null: audits go to the log only, the queue page says so) and every
    // hook run on `worker`'s thread; results come back through `inbox`. All must outlive
    // this object.
    Maintenance(BackgroundWorker& worker, UiInbox& inbox, MaintenanceSettings settings,
                MaintenanceHooks hooks, OfflineServices* offline, Clock::time_point now);
    ~Maintenance();
    Maintenance(const Maintenance&) = delete;
    Maintenance& operator=(const Maintenance&) = delete;

    void handle(MaintenanceIntent intent, Clock::time_point now);
    // Advances the lockout countdown and the idle timeout. Call once per frame or wake-up.
    void tick(Clock::time_point now);
    [[nodiscard]] Clock::time_point next_deadline() const;

    [[nodiscard]] const MaintenanceView& view() const { return view_; }
    [[nodiscard]] bool open() const { return view_.page != MaintenancePage::Closed; }
    // The attract screen shows "out of service" and starts no session.
    [[nodiscard]] bool out_of_service() const { return view_.out_of_service; }
    // UI thread: the user staff just verified, once (maintenance has closed by then). The
    // frame loop hands it to the Session.
    std::optional<StaffHandoff> take_handoff();

private:
    struct Worker; // what runs on the worker thread
    void on(const maintenance_intent::Summon&, Clock::time_point now);
    void on(const maintenance_intent::CornerTap&, Clock::time_point now);
    void on(const maintenance_intent::PinDigit&, Clock::time_point now);
    void on(const maintenance_intent::PinBackspace&, Clock::time_point now);
    void on(const maintenance_intent::PinSubmit&, Clock::time_point now);
    void on(const maintenance_intent::Typed&, Clock::time_point now);
    void on(const maintenance_intent::TypedEnter&, Clock::time_point now);
    void on(const maintenance_intent::Show&, Clock::time_point now);
    void on(const maintenance_intent::Refresh&, Clock::time_point now);
    void on(const maintenance_intent::RetryDeadLetters&, Clock::time_point now);
    void on(const maintenance_intent::ClearDeadLetters&, Clock::time_point now);
    void on(const maintenance_intent::ConfirmClear&, Clock::time_point now);
    void on(const maintenance_intent::CancelClear&, Clock::time_point now);
    void on(const maintenance_intent::PullConfig&, Clock::time_point now);
    void on(const maintenance_intent::RevertConfig&, Clock::time_point now);
    void on(const maintenance_intent::SetOutOfService&, Clock::time_point now);
    void on(maintenance_intent::Enrol&, Clock::time_point now);
    void on(maintenance_intent::VerifyUser&, Clock::time_point now);
    void on(const maintenance_intent::Activity&, Clock::time_point) {}
    void on(const maintenance_intent::Exit&, Clock::time_point now);

    void open_unlock(Clock::time_point now);
    void append(char c, Clock::time_point now, bool from_keyboard);
    void submit(bool badge, Clock::time_point now);
    void unlocked(const std::string& actor, Clock::time_point now);
    void failed(bool badge, Clock::time_point at);
    void close(const std::string& why);
    void clear_entry();
    void refresh();
    void run_action(ActionKind kind, std::string audit_action,
                    std::function<ActionResult()> action);
    void audit(std::string action, std::string detail);
    [[nodiscard]] bool is_open_page() const;
    [[nodiscard]] int lockout_left(Clock::time_point now) const;
    void changed() { ++view_.revision; }

    BackgroundWorker& worker_;
    UiInbox& inbox_;
    MaintenanceSettings settings_;
    std::shared_ptr<const MaintenanceHooks> hooks_;
    OfflineServices* offline_;
    MaintenanceView view_;
    Clock::time_point started_;
    Clock::time_point last_activity_{};
    std::vector<Clock::time_point> corner_taps_;
    // What is being typed on the unlock page: pad digits and keyboard characters alike.
    // A fixed buffer, wiped on every change of page: a growing string would leave copies.
    std::array<char, 64> entry_{};
    std::size_t entry_length_ = 0;
    bool entry_is_burst_ = false; // every character so far came within badge_gap
    Clock::time_point last_typed_{};
    Clock::time_point locked_until_{};
    std::uint64_t attempt_ = 0; // bumped per unlock attempt and on close: stale answers drop
    std::optional<StaffHandoff> handoff_;
    std::shared_ptr<Maintenance*> alive_;
};

// Builds the config page from an applier (call on the thread that owns it).
ConfigReport describe_config(const config::ConfigApplier& applier,
                             std::chrono::system_clock::time_point now);
// The same from a copy of the applier's state (what the fleet runtime publishes); revert
// is not offered from a copy.
ConfigReport describe_config(const std::optional<config::AppliedConfig>& applied,
                             const std::optional<config::RefusalRecord>& last_refusal,
                             const std::string& startup_problem,
                             std::chrono::system_clock::time_point now);

// Whether `phc` (an Argon2id PHC string) is the hash of `pin`. Slow by design (~50 ms):
// never on the UI thread.
bool verify_staff_pin(const std::string& phc, const SecretString& pin);

// Keeps the last `capacity` log lines of the default spdlog logger in memory for the logs
// page. Call once at start-up, before other threads log; returns the reader for
// MaintenanceHooks::recent_logs.
std::function<std::vector<std::string>()> keep_recent_logs(std::size_t capacity);

} // namespace kiosk::app
