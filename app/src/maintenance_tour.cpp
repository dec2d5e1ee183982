// Demo data for the maintenance screenshots: a lobby kiosk that is online, has a few
// requests waiting and two dead letters, and runs configuration version 7.
#include "kiosk/app/maintenance_tour.hpp"

#include "kiosk/config/rfc3339.hpp"

namespace kiosk::app {
namespace {

ConnectivityStatus::SystemTime at(const char* rfc3339) {
    return config::parse_rfc3339(rfc3339).value_or(ConnectivityStatus::SystemTime{});
}

} // namespace

std::vector<MaintenanceTourStop> maintenance_screenshot_tour(const std::string& language) {
    MaintenanceView base;
    base.language = language;
    base.actor = "staff PIN";
    base.page = MaintenancePage::Connectivity;
    auto& c = base.connectivity;
    c.state = Reachability::Online;
    c.central_url = "https://central.example.org:8443";
    c.latency = std::chrono::milliseconds(42);
    c.peer_subject = "CN = central.example.org";
    c.peer_not_after = at("2027-03-01T00:00:00Z");
    c.last_sync = at("2026-11-22T16:38:12Z");
    c.last_success = c.last_sync;
    auto& q = base.queue;
    q.available = true;
    q.pending = 3;
    q.oldest_pending_age_seconds = 754;
    q.dead = 2;
    q.dead_letters = {{11, "/v1/tickets", "validation_failed", 2 * 86400 + 600, 4},
                      {12, "/v1/password-resets", "expired", 7 * 86400, 9}};
    auto& f = base.config;
    f.available = true;
    f.version = 7;
    f.signers = {"admin-alice", "admin-bob"};
    f.applied_at = "2026-11-20T09:12:00Z";
    f.expires_at = "2027-05-20T00:00:00Z";
    f.can_revert = true;
    f.last_refusal = "too_few_signatures: 1 trusted signature, 2 needed";
    f.last_refusal_at = "2026-11-21T10:02:00Z";
    auto& d = base.device;
    d.kiosk_id = "kiosk-lobby-1";
    d.version = "0.1.0";
    d.uptime_seconds = 3 * 86400 + 4 * 3600;
    d.state_dir = "/var/lib/kiosk";
    d.free_disk_bytes = 18234ULL * 1024 * 1024;
    d.memory_bytes = 212ULL * 1024 * 1024;
    base.logs = {
        "16:37:58 I kiosk 0.1.0 (kiosk-lobby-1) talking to https://central.example.org:8443",
        "16:38:02 I offline: 4 pending, 2 dead, central unreachable",
        "16:38:12 I offline: 3 pending, 2 dead, central reachable",
        "16:40:05 I maintenance audit: maintenance.entered by staff PIN",
        "16:40:31 I maintenance audit: queue.retry by staff PIN: done: 0 dead letters queued again",
    };

    std::vector<MaintenanceTourStop> stops;
    auto add = [&](std::string name, auto&& change, bool notice = false) {
        MaintenanceView view = base;
        change(view);
        view.revision = stops.size() + 1;
        stops.push_back({std::move(name), std::move(view), notice});
    };
    auto unlock = [](MaintenanceView& v) {
        v.page = MaintenancePage::Unlock;
        v.actor.clear();
    };
    add("maintenance-unlock", unlock);
    add("maintenance-unlock-digits", [&](MaintenanceView& v) {
        unlock(v);
        v.pin_digits = 3;
    });
    add("maintenance-unlock-wrong-pin", [&](MaintenanceView& v) {
        unlock(v);
        v.notice = UnlockNotice::WrongPin;
        v.failures = 1;
    });
    add("maintenance-unlock-locked-out", [&](MaintenanceView& v) {
        unlock(v);
        v.notice = UnlockNotice::LockedOut;
        v.failures = 4;
        v.lockout_seconds_left = 12;
    });
    add("maintenance-unlock-no-access", [&](MaintenanceView& v) {
        unlock(v);
        v.notice = UnlockNotice::NoStaffAccess;
    });
    add("maintenance-connectivity", [](MaintenanceView&) {});
    add("maintenance-connectivity-offline", [](MaintenanceView& v) {
        v.connectivity.state = Reachability::Offline;
        v.connectivity.latency.reset();
        v.connectivity.last_failure_reason = "no answer within 10 s";
    });
    add("maintenance-queue", [](MaintenanceView& v) { v.page = MaintenancePage::Queue; });
    add("maintenance-queue-confirm-clear", [](MaintenanceView& v) {
        v.page = MaintenancePage::Queue;
        v.confirm_clear = true;
    });
    add("maintenance-queue-retried", [](MaintenanceView& v) {
        v.page = MaintenancePage::Queue;
        v.queue.pending = 5;
        v.queue.dead = 0;
        v.queue.dead_letters.clear();
        v.last_action = ActionKind::Retry;
        v.last_result = {true, "2 dead letters queued again"};
    });
    add("maintenance-config", [](MaintenanceView& v) { v.page = MaintenancePage::Config; });
    add("maintenance-config-revert-refused", [](MaintenanceView& v) {
        v.page = MaintenancePage::Config;
        v.last_action = ActionKind::RevertConfig;
        v.last_result = {false, "there is no previous configuration to go back to"};
    });
    add("maintenance-device", [](MaintenanceView& v) { v.page = MaintenancePage::Device; });
    add("maintenance-logs", [](MaintenanceView& v) { v.page = MaintenancePage::Logs; });
    add("maintenance-service", [](MaintenanceView& v) { v.page = MaintenancePage::Service; });
    add("maintenance-service-out", [](MaintenanceView& v) {
        v.page = MaintenancePage::Service;
        v.out_of_service = true;
        v.last_action = ActionKind::OutOfService;
        v.last_result = {true, "out of service"};
    });
    add("maintenance-enrolment", [](MaintenanceView& v) { v.page = MaintenancePage::Enrolment; });
    add("maintenance-verify-user", [](MaintenanceView& v) {
        v.page = MaintenancePage::VerifyUser;
        v.verify_available = true;
    });
    add("maintenance-verify-user-refused", [](MaintenanceView& v) {
        v.page = MaintenancePage::VerifyUser;
        v.verify_available = true;
        v.verify_status = StaffVerifyResult::Status::StaffCredentialInvalid;
    });
    add(
        "out-of-service", [](MaintenanceView& v) { v.page = MaintenancePage::Closed; }, true);
    return stops;
}

} // namespace kiosk::app
