// Maintenance mode's state machine: entry, unlock with lockout delays, the pages' data and
// the staff actions. Slow work (Argon2id, SQLite, /proc, the fleet hooks) runs on the
// BackgroundWorker; its answers come back through the UiInbox. Index: [entry] [unlock]
// [pages and actions] [audit] [helpers].
#include "kiosk/app/maintenance.hpp"

#include "kiosk/app/offline_services.hpp"
#include "kiosk/config/applier.hpp"
#include "kiosk/config/document.hpp"
#include "kiosk/config/rfc3339.hpp"

#include <algorithm>
#include <argon2.h>
#include <cassert>
#include <fstream>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>
#include <sstream>

namespace kiosk::app {
namespace {

constexpr const char* kAuditRoute = "/v1/kiosks/audit-events";
constexpr const char* kOutOfServiceMarker = "out-of-service";

// What one refresh gathers for every page.
struct Snapshot {
    ConnectivityStatus connectivity;
    QueueReport queue;
    ConfigReport config;
    DeviceReport device;
    std::vector<std::string> logs;
    std::optional<std::chrono::seconds> timeout; // the applied configuration's, if any
};

std::optional<std::uint64_t> resident_bytes() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0) {
            std::istringstream fields(line.substr(6));
            std::uint64_t kib = 0;
            if (fields >> kib) {
                return kib * 1024;
            }
        }
    }
    return std::nullopt;
}

ConnectivityStatus::SystemTime from_ms(std::int64_t ms) {
    return ConnectivityStatus::SystemTime(std::chrono::milliseconds(ms));
}

// The connection as the sync worker sees it, for a kiosk with no ConnectivityMonitor.
ConnectivityStatus from_sync(OfflineServices* offline, const std::string& central_url) {
    ConnectivityStatus status;
    status.central_url = central_url;
    if (offline == nullptr) {
        return status;
    }
    const auto sync = offline->sync().status();
    if (sync.central_reachable) {
        status.state = Reachability::Online;
    } else if (sync.last_success_ms != 0 || !sync.last_error.empty()) {
        status.state = Reachability::Offline;
    }
    if (sync.last_success_ms != 0) {
        status.last_sync = from_ms(sync.last_success_ms);
        status.last_success = status.last_sync;
    }
    status.last_failure_reason = sync.last_error;
    status.queue_known = true;
    status.queue_pending = sync.pending;
    status.queue_dead = sync.dead;
    return status;
}

QueueReport queue_report(OfflineServices* offline) {
    QueueReport report;
    if (offline == nullptr) {
        return report;
    }
    auto& outbox = offline->outbox();
    const auto counts = outbox.counts();
    const auto now_ms = outbox.now_ms();
    report.available = true;
    report.pending = counts.pending;
    report.dead = counts.dead;
    if (counts.oldest_pending_created_at_ms) {
        report.oldest_pending_age_seconds =
            std::max<std::int64_t>(0, (now_ms - *counts.oldest_pending_created_at_ms) / 1000);
    }
    for (const auto& item : outbox.dead_letters(kMaxDeadLettersShown)) {
        report.dead_letters.push_back(
            {item.id, item.route, item.dead_reason,
             std::max<std::int64_t>(0, (now_ms - item.created_at_ms) / 1000), item.attempts});
    }
    return report;
}

Snapshot take_snapshot(const MaintenanceHooks& hooks, OfflineServices* offline,
                       const MaintenanceSettings& settings, Clock::time_point started) {
    Snapshot s;
    s.connectivity =
        hooks.connectivity ? hooks.connectivity() : from_sync(offline, settings.central_url);
    s.queue = queue_report(offline);
    if (hooks.config_status) {
        s.config = hooks.config_status();
    } else {
        s.config.unavailable = "no fleet agent runs in this kiosk";
    }
    s.device.kiosk_id = settings.kiosk_id;
    s.device.version = settings.version;
    s.device.uptime_seconds =
        std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started).count();
    s.device.state_dir = settings.state_dir;
    std::error_code ec;
    if (!settings.state_dir.empty()) {
        const auto space = std::filesystem::space(settings.state_dir, ec);
        if (!ec) {
            s.device.free_disk_bytes = space.available;
        }
    }
    s.device.memory_bytes = resident_bytes();
    if (hooks.recent_logs) {
        s.logs = hooks.recent_logs();
    }
    if (hooks.timeout) {
        s.timeout = hooks.timeout();
    }
    return s;
}

// [audit] One staff action, to the central through the outbox (or only to the log).
void record_audit(OfflineServices* offline, const std::string& action, const std::string& actor,
                  const std::string& detail) {
    spdlog::info("maintenance audit: {} by {}{}{}", action, actor, detail.empty() ? "" : ": ",
                 detail);
    if (offline == nullptr) {
        return;
    }
    const nlohmann::json body = {{"action", action},
                                 {"actor", actor},
                                 {"detail", detail},
                                 {"at", config::format_rfc3339(config::Clock::now())}};
    const auto result = offline->outbox().enqueue({kAuditRoute, body.dump(), false, {}});
    if (const auto* error = std::get_if<offline::OutboxError>(&result)) {
        spdlog::warn("maintenance audit not queued ({}): {}", offline::to_string(error->kind),
                     error->detail);
        return;
    }
    offline->sync().wake();
}

ActionResult unavailable(const char* what) {
    return {false, std::string(what) + " is not available on this kiosk"};
}

enum class Verdict { Unlocked, Wrong, NoAccess };
struct UnlockAnswer {
    Verdict verdict = Verdict::Wrong;
    std::string actor;
};

UnlockAnswer check_entry(const MaintenanceHooks& hooks, const SecretString& entry, bool badge) {
    const config::MaintenanceAccess access =
        hooks.access ? hooks.access() : config::MaintenanceAccess{};
    if (access.staff_pin_hash.empty() && access.staff_badges.empty()) {
        return {Verdict::NoAccess, {}};
    }
    if (badge) {
        for (const auto& allowed : access.staff_badges) {
            if (entry.equals(allowed)) {
                return {Verdict::Unlocked, "badge " + allowed};
            }
        }
        return {};
    }
    const bool digits = std::all_of(entry.view().begin(), entry.view().end(),
                                    [](char c) { return c >= '0' && c <= '9'; });
    if (digits && verify_staff_pin(access.staff_pin_hash, entry)) {
        return {Verdict::Unlocked, "staff PIN"};
    }
    return {};
}

} // namespace

Maintenance::Maintenance(BackgroundWorker& worker, UiInbox& inbox, MaintenanceSettings settings,
                         MaintenanceHooks hooks, OfflineServices* offline, Clock::time_point now)
    : worker_(worker), inbox_(inbox), settings_(std::move(settings)),
      hooks_(std::make_shared<const MaintenanceHooks>(std::move(hooks))), offline_(offline),
      started_(now), alive_(std::make_shared<Maintenance*>(this)) {
    assert(!settings_.delays.empty() && "at least one lockout delay");
    view_.language = settings_.language;
    view_.enrolment_available = static_cast<bool>(hooks_->enrol);
    view_.verify_available = static_cast<bool>(hooks_->verify_user);
    std::error_code ec;
    view_.out_of_service = !settings_.state_dir.empty() &&
                           std::filesystem::exists(settings_.state_dir / kOutOfServiceMarker, ec);
}

Maintenance::~Maintenance() {
    clear_entry();
}

void Maintenance::handle(MaintenanceIntent intent, Clock::time_point now) {
    if (open()) {
        last_activity_ = now;
    }
    std::visit([&](auto& i) { on(i, now); }, intent);
}

void Maintenance::tick(Clock::time_point now) {
    if (!open()) {
        return;
    }
    const auto limit =
        view_.page == MaintenancePage::Unlock ? settings_.unlock_timeout : settings_.timeout;
    if (now - last_activity_ >= limit) {
        if (is_open_page()) {
            audit("maintenance.exit", "idle for " + std::to_string(limit.count()) + " s");
        }
        close("idle");
        return;
    }
    const int left = lockout_left(now);
    if (left != view_.lockout_seconds_left) {
        view_.lockout_seconds_left = left;
        if (left == 0 && view_.notice == UnlockNotice::LockedOut) {
            view_.notice = UnlockNotice::None;
        }
        changed();
    }
}

Clock::time_point Maintenance::next_deadline() const {
    if (!open()) {
        return Clock::time_point::max();
    }
    const auto limit =
        view_.page == MaintenancePage::Unlock ? settings_.unlock_timeout : settings_.timeout;
    auto deadline = last_activity_ + limit;
    if (view_.lockout_seconds_left > 0) {
        // The countdown changes when a whole second has passed.
        const auto left = locked_until_ - std::chrono::seconds(view_.lockout_seconds_left - 1);
        deadline = std::min(deadline, left);
    }
    return deadline;
}

// [entry] ------------------------------------------------------------------------------

void Maintenance::on(const maintenance_intent::Summon&, Clock::time_point now) {
    if (!open()) {
        open_unlock(now);
    }
}

void Maintenance::on(const maintenance_intent::CornerTap&, Clock::time_point now) {
    if (open()) {
        return;
    }
    std::erase_if(corner_taps_,
                  [&](Clock::time_point t) { return now - t > settings_.corner_window; });
    corner_taps_.push_back(now);
    if (static_cast<int>(corner_taps_.size()) >= settings_.corner_taps) {
        corner_taps_.clear();
        open_unlock(now);
    }
}

void Maintenance::open_unlock(Clock::time_point now) {
    clear_entry();
    view_.page = MaintenancePage::Unlock;
    view_.lockout_seconds_left = lockout_left(now);
    view_.notice = view_.lockout_seconds_left > 0 ? UnlockNotice::LockedOut : UnlockNotice::None;
    last_activity_ = now;
    changed();
}

// [unlock] -----------------------------------------------------------------------------

void Maintenance::append(char c, Clock::time_point now, bool from_keyboard) {
    if (view_.page != MaintenancePage::Unlock || view_.verifying || lockout_left(now) > 0) {
        return;
    }
    if (entry_length_ + 1 >= entry_.size()) {
        return; // longer than any PIN or badge: the rest is dropped
    }
    if (entry_length_ == 0) {
        entry_is_burst_ = from_keyboard;
    } else if (!from_keyboard || now - last_typed_ > settings_.badge_gap) {
        entry_is_burst_ = false;
    }
    last_typed_ = now;
    entry_[entry_length_++] = c;
    view_.pin_digits = static_cast<int>(entry_length_);
    if (view_.notice == UnlockNotice::WrongPin || view_.notice == UnlockNotice::BadgeRefused) {
        view_.notice = UnlockNotice::None;
    }
    changed();
}

void Maintenance::on(const maintenance_intent::PinDigit& i, Clock::time_point now) {
    if (i.digit >= '0' && i.digit <= '9') {
        append(i.digit, now, false);
    }
}

void Maintenance::on(const maintenance_intent::Typed& i, Clock::time_point now) {
    // Badge IDs and PINs are printable ASCII; anything else is not part of either.
    if (i.character > 0x20 && i.character < 0x7F) {
        append(static_cast<char>(i.character), now, true);
    }
}

void Maintenance::on(const maintenance_intent::PinBackspace&, Clock::time_point) {
    if (view_.page != MaintenancePage::Unlock || view_.verifying || entry_length_ == 0) {
        return;
    }
    entry_[--entry_length_] = '\0';
    entry_is_burst_ = false;
    view_.pin_digits = static_cast<int>(entry_length_);
    changed();
}

void Maintenance::on(const maintenance_intent::PinSubmit&, Clock::time_point now) {
    submit(false, now);
}

void Maintenance::on(const maintenance_intent::TypedEnter&, Clock::time_point now) {
    // A wedge reader types the whole badge and its Enter in one quick burst; a person
    // typing a PIN on a keyboard is far slower.
    const bool badge = entry_is_burst_ && entry_length_ >= settings_.min_badge_length &&
                       now - last_typed_ <= settings_.badge_gap;
    submit(badge, now);
}

void Maintenance::submit(bool badge, Clock::time_point now) {
    if (view_.page != MaintenancePage::Unlock || view_.verifying) {
        return;
    }
    if (lockout_left(now) > 0) {
        view_.notice = UnlockNotice::LockedOut;
        changed();
        return;
    }
    if (entry_length_ == 0) {
        return;
    }
    SecretString entry(std::string_view(entry_.data(), entry_length_));
    clear_entry();
    view_.verifying = true;
    view_.notice = UnlockNotice::None;
    changed();
    const std::uint64_t attempt = ++attempt_;
    std::weak_ptr<Maintenance*> alive = alive_;
    worker_.submit(
        [hooks = hooks_, entry = std::move(entry), badge, attempt, now, alive, &inbox = inbox_]() {
            const UnlockAnswer answer = check_entry(*hooks, entry, badge);
            // The applied configuration's idle timeout, as it is now, for this opening.
            std::optional<std::chrono::seconds> timeout;
            if (answer.verdict == Verdict::Unlocked && hooks->timeout) {
                timeout = hooks->timeout();
            }
            inbox.post([answer, timeout, badge, attempt, now, alive]() {
                const auto self = alive.lock();
                if (!self) {
                    return;
                }
                Maintenance& m = **self;
                if (attempt == m.attempt_) {
                    m.view_.verifying = false;
                }
                if (answer.verdict == Verdict::NoAccess) {
                    m.view_.notice = UnlockNotice::NoStaffAccess;
                    m.changed();
                } else if (answer.verdict == Verdict::Wrong) {
                    m.failed(badge, now); // counted even if staff left meanwhile
                } else if (attempt == m.attempt_ && m.view_.page == MaintenancePage::Unlock) {
                    if (timeout) {
                        m.settings_.timeout = *timeout;
                    }
                    m.unlocked(answer.actor, now);
                }
            });
        });
}

void Maintenance::failed(bool badge, Clock::time_point at) {
    ++view_.failures;
    const auto index =
        std::min(static_cast<std::size_t>(view_.failures - 1), settings_.delays.size() - 1);
    locked_until_ = at + settings_.delays[index];
    view_.lockout_seconds_left = lockout_left(at);
    view_.notice = view_.lockout_seconds_left > 0 ? UnlockNotice::LockedOut
                   : badge                        ? UnlockNotice::BadgeRefused
                                                  : UnlockNotice::WrongPin;
    audit(badge ? "maintenance.badge_refused" : "maintenance.pin_failed",
          std::to_string(view_.failures) + " failed in a row");
    changed();
}

void Maintenance::unlocked(const std::string& actor, Clock::time_point now) {
    view_.failures = 0;
    locked_until_ = {};
    view_.lockout_seconds_left = 0;
    view_.notice = UnlockNotice::None;
    view_.actor = actor;
    view_.page = MaintenancePage::Connectivity;
    last_activity_ = now;
    audit("maintenance.entered", "");
    refresh();
    changed();
}

void Maintenance::on(const maintenance_intent::Exit&, Clock::time_point) {
    if (is_open_page()) {
        audit("maintenance.exit", "by staff");
    }
    close("exit");
}

void Maintenance::close(const std::string& why) {
    if (!open()) {
        return;
    }
    spdlog::info("maintenance: closed ({})", why);
    clear_entry();
    ++attempt_; // an unlock still being checked no longer opens anything
    const bool out_of_service = view_.out_of_service;
    const int failures = view_.failures;
    const auto revision = view_.revision;
    view_ = MaintenanceView{};
    view_.language = settings_.language;
    view_.enrolment_available = static_cast<bool>(hooks_->enrol);
    view_.verify_available = static_cast<bool>(hooks_->verify_user);
    view_.out_of_service = out_of_service;
    view_.failures = failures;
    view_.revision = revision;
    changed();
}

void Maintenance::clear_entry() {
    secure_wipe(entry_.data(), entry_.size());
    entry_length_ = 0;
    entry_is_burst_ = false;
    view_.pin_digits = 0;
}

int Maintenance::lockout_left(Clock::time_point now) const {
    if (now >= locked_until_) {
        return 0;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(locked_until_ - now);
    return static_cast<int>((left.count() + 999) / 1000); // 4.2 s left shows as 5
}

bool Maintenance::is_open_page() const {
    return view_.page != MaintenancePage::Closed && view_.page != MaintenancePage::Unlock;
}

// [pages and actions] ---------------------------------------------------------------------

void Maintenance::on(const maintenance_intent::Show& i, Clock::time_point) {
    if (!is_open_page() || i.page == MaintenancePage::Closed || i.page == MaintenancePage::Unlock) {
        return;
    }
    view_.page = i.page;
    view_.confirm_clear = false;
    view_.verify_status.reset();
    view_.verify_detail.clear();
    view_.verify_incomplete = false;
    refresh();
    changed();
}

void Maintenance::on(const maintenance_intent::Refresh&, Clock::time_point) {
    if (is_open_page()) {
        refresh();
    }
}

void Maintenance::refresh() {
    std::weak_ptr<Maintenance*> alive = alive_;
    worker_.submit([hooks = hooks_, offline = offline_, settings = settings_, started = started_,
                    alive, &inbox = inbox_]() {
        auto snapshot = take_snapshot(*hooks, offline, settings, started);
        inbox.post([snapshot = std::move(snapshot), alive]() mutable {
            const auto self = alive.lock();
            if (!self || !(*self)->is_open_page()) {
                return;
            }
            Maintenance& m = **self;
            m.view_.connectivity = std::move(snapshot.connectivity);
            m.view_.queue = std::move(snapshot.queue);
            m.view_.config = std::move(snapshot.config);
            m.view_.device = std::move(snapshot.device);
            m.view_.logs = std::move(snapshot.logs);
            if (snapshot.timeout) {
                m.settings_.timeout = *snapshot.timeout;
            }
            m.changed();
        });
    });
}

void Maintenance::run_action(ActionKind kind, std::string audit_action,
                             std::function<ActionResult()> action) {
    if (!is_open_page() || view_.busy) {
        return;
    }
    view_.busy = true;
    view_.confirm_clear = false;
    changed();
    std::weak_ptr<Maintenance*> alive = alive_;
    worker_.submit([hooks = hooks_, offline = offline_, settings = settings_, started = started_,
                    actor = view_.actor, audit_action = std::move(audit_action),
                    action = std::move(action), kind, alive, &inbox = inbox_]() {
        ActionResult result = action();
        record_audit(offline, audit_action, actor,
                     (result.ok ? "done: " : "not done: ") + result.detail);
        auto snapshot = take_snapshot(*hooks, offline, settings, started);
        inbox.post(
            [kind, result = std::move(result), snapshot = std::move(snapshot), alive]() mutable {
                const auto self = alive.lock();
                if (!self) {
                    return;
                }
                Maintenance& m = **self;
                m.view_.busy = false;
                if (!m.is_open_page()) {
                    return;
                }
                m.view_.last_action = kind;
                m.view_.last_result = std::move(result);
                m.view_.connectivity = std::move(snapshot.connectivity);
                m.view_.queue = std::move(snapshot.queue);
                m.view_.config = std::move(snapshot.config);
                m.view_.device = std::move(snapshot.device);
                m.view_.logs = std::move(snapshot.logs);
                m.changed();
            });
    });
}

void Maintenance::on(const maintenance_intent::RetryDeadLetters&, Clock::time_point) {
    OfflineServices* offline = offline_;
    run_action(ActionKind::Retry, "queue.retry", [offline]() -> ActionResult {
        if (offline == nullptr) {
            return unavailable("the outbox");
        }
        const auto n = offline->outbox().retry_all_dead();
        offline->sync().wake();
        return {true, std::to_string(n) + " dead letters queued again"};
    });
}

void Maintenance::on(const maintenance_intent::ClearDeadLetters&, Clock::time_point) {
    if (is_open_page() && !view_.busy && view_.queue.dead > 0) {
        view_.confirm_clear = true;
        changed();
    }
}

void Maintenance::on(const maintenance_intent::CancelClear&, Clock::time_point) {
    if (view_.confirm_clear) {
        view_.confirm_clear = false;
        changed();
    }
}

void Maintenance::on(const maintenance_intent::ConfirmClear&, Clock::time_point) {
    if (!view_.confirm_clear) {
        return; // only from the confirmation step
    }
    OfflineServices* offline = offline_;
    run_action(ActionKind::Clear, "queue.clear", [offline]() -> ActionResult {
        if (offline == nullptr) {
            return unavailable("the outbox");
        }
        return {true, std::to_string(offline->outbox().clear_all_dead()) + " dead letters deleted"};
    });
}

void Maintenance::on(const maintenance_intent::PullConfig&, Clock::time_point) {
    auto hooks = hooks_;
    run_action(ActionKind::PullConfig, "config.pull", [hooks]() {
        return hooks->pull_config ? hooks->pull_config() : unavailable("pulling configuration");
    });
}

void Maintenance::on(const maintenance_intent::RevertConfig&, Clock::time_point) {
    auto hooks = hooks_;
    run_action(ActionKind::RevertConfig, "config.revert", [hooks]() {
        return hooks->revert_config ? hooks->revert_config()
                                    : unavailable("reverting configuration");
    });
}

void Maintenance::on(const maintenance_intent::SetOutOfService& i, Clock::time_point) {
    if (!is_open_page() || view_.busy) {
        return;
    }
    // In effect at once; kept across restarts by a marker file in the state folder.
    view_.out_of_service = i.on;
    const auto marker = settings_.state_dir.empty() ? std::filesystem::path{}
                                                    : settings_.state_dir / kOutOfServiceMarker;
    const bool on = i.on;
    run_action(
        ActionKind::OutOfService, on ? "service.out_of_service_on" : "service.out_of_service_off",
        [marker, on]() -> ActionResult {
            const std::string state = on ? "out of service" : "in service";
            if (marker.empty()) {
                return {true, state + " until the kiosk restarts (no state folder)"};
            }
            std::error_code ec;
            if (on) {
                std::ofstream(marker) << "set by maintenance mode\n";
                if (!std::filesystem::exists(marker, ec)) {
                    return {false, state + " until restart: cannot write " + marker.string()};
                }
            } else if (std::filesystem::remove(marker, ec); ec) {
                return {false, state + " until restart: " + ec.message()};
            }
            return {true, state};
        });
}

void Maintenance::on(maintenance_intent::Enrol& i, Clock::time_point) {
    auto hooks = hooks_;
    if (i.code.empty()) {
        return;
    }
    run_action(ActionKind::Enrol, "kiosk.enrol", [hooks, code = std::move(i.code)]() {
        return hooks->enrol ? hooks->enrol(code) : unavailable("enrolment");
    });
}

// [verify a user] Staff vouch for the person in front of them with their own credential;
// the central checks it and answers a "staff" verification token, which goes to the
// walk-up session (take_handoff) as maintenance closes. Never on the UI thread.
void Maintenance::on(maintenance_intent::VerifyUser& i, Clock::time_point) {
    if (view_.page != MaintenancePage::VerifyUser || view_.busy) {
        i.staff_credential.clear();
        return;
    }
    const auto blank = [](const std::string& s) {
        return s.find_first_not_of(" \t") == std::string::npos;
    };
    view_.verify_status.reset();
    view_.verify_detail.clear();
    if (blank(i.identifier) || i.staff_credential.empty() || blank(i.reason) || !i.id_checked) {
        i.staff_credential.clear();
        view_.verify_incomplete = true;
        changed();
        return;
    }
    view_.verify_incomplete = false;
    view_.busy = true;
    changed();
    auto request = std::make_shared<StaffVerifyRequest>();
    request->identifier = std::move(i.identifier);
    request->staff_credential = std::move(i.staff_credential);
    request->reason = std::move(i.reason);
    std::weak_ptr<Maintenance*> alive = alive_;
    worker_.submit([hooks = hooks_, offline = offline_, actor = view_.actor, request, alive,
                    &inbox = inbox_]() {
        StaffVerifyResult result;
        if (hooks->verify_user) {
            result = hooks->verify_user(*request);
        } else {
            result.detail = "staff verification is not available on this kiosk";
        }
        request->staff_credential.clear();
        // The central audits who vouched, for whom and why; the kiosk's entries say whether
        // its maintenance session handed the kiosk over (or why not), never what was typed.
        if (result.status != StaffVerifyResult::Status::Verified) {
            record_audit(offline, "staff.user_verify_failed", actor, result.detail);
        }
        auto shared = std::make_shared<StaffVerifyResult>(std::move(result));
        inbox.post([shared, actor, alive]() {
            const auto self = alive.lock();
            if (!self) {
                return;
            }
            Maintenance& m = **self;
            m.view_.busy = false;
            const bool verified = shared->status == StaffVerifyResult::Status::Verified;
            if (m.view_.page != MaintenancePage::VerifyUser) {
                if (verified) { // staff left (exit, idle) before the answer: it opens nothing
                    m.worker_.submit([offline = m.offline_, actor, reference = shared->reference] {
                        record_audit(offline, "staff.user_verify_dropped", actor,
                                     "reference " + reference +
                                         ": staff had left, not handed over");
                    });
                }
                m.changed();
                return;
            }
            if (!verified) {
                m.view_.verify_status = shared->status;
                m.view_.verify_detail = shared->detail;
                m.changed();
                return;
            }
            m.handoff_ =
                StaffHandoff{std::move(shared->token), shared->username, shared->display_name};
            m.audit("staff.user_verified", "reference " + shared->reference);
            m.audit("maintenance.exit", "handed over to a user verified in person");
            m.close("user verified in person, handed over");
        });
    });
}

std::optional<StaffHandoff> Maintenance::take_handoff() {
    auto out = std::move(handoff_);
    handoff_.reset();
    return out;
}

void Maintenance::audit(std::string action, std::string detail) {
    worker_.submit(
        [offline = offline_, action = std::move(action),
         actor = view_.actor.empty() ? std::string("unknown") : view_.actor,
         detail = std::move(detail)]() { record_audit(offline, action, actor, detail); });
}

// [helpers] ------------------------------------------------------------------------------

ConfigReport describe_config(const std::optional<config::AppliedConfig>& applied,
                             const std::optional<config::RefusalRecord>& last_refusal,
                             const std::string& startup_problem,
                             std::chrono::system_clock::time_point now) {
    ConfigReport report;
    report.available = true;
    if (applied) {
        report.version = applied->document.version;
        report.signers = applied->signers;
        report.applied_at = config::format_rfc3339(applied->applied_at);
        report.expires_at = config::format_rfc3339(applied->document.expires_at);
        report.reverted = applied->reverted;
        report.expired = now >= applied->document.expires_at;
    }
    if (last_refusal) {
        report.last_refusal =
            std::string(config::to_string(last_refusal->reason)) + ": " + last_refusal->message;
        report.last_refusal_at = config::format_rfc3339(last_refusal->at);
    }
    report.startup_problem = startup_problem;
    return report;
}

ConfigReport describe_config(const config::ConfigApplier& applier,
                             std::chrono::system_clock::time_point now) {
    ConfigReport report =
        describe_config(applier.applied(), applier.last_refusal(), applier.startup_problem(), now);
    report.version = applier.applied_version();
    report.expired = applier.expired(now);
    report.can_revert = applier.can_revert();
    return report;
}

bool verify_staff_pin(const std::string& phc, const SecretString& pin) {
    if (phc.empty() || pin.empty()) {
        return false;
    }
    return argon2id_verify(phc.c_str(), pin.str().data(), pin.size()) == ARGON2_OK;
}

std::function<std::vector<std::string>()> keep_recent_logs(std::size_t capacity) {
    auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(capacity);
    sink->set_pattern("%H:%M:%S %L %v");
    spdlog::default_logger()->sinks().push_back(sink);
    return [sink]() {
        auto lines = sink->last_formatted();
        for (auto& line : lines) {
            while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
                line.pop_back();
            }
        }
        return lines;
    };
}

} // namespace kiosk::app
