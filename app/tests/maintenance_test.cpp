// Maintenance mode's state machine with no window: a real Argon2id PIN hash, a real outbox
// in a temp folder (audits land there as they would be sent), a real ConfigApplier, and
// time moved by hand through the time_point parameters.
#include "kiosk/app/maintenance.hpp"
#include "kiosk/app/offline_services.hpp"
#include "kiosk/common/ed25519.hpp"
#include "kiosk/config/applier.hpp"

#include <argon2.h>
#include <array>
#include <atomic>
#include <cstring>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <random>

using namespace kiosk;
using namespace kiosk::app;
using namespace std::chrono_literals;
namespace mi = kiosk::app::maintenance_intent;

namespace {

constexpr const char* kPin = "2468";

std::string argon2id_of(const char* pin) {
    const std::array<unsigned char, 16> salt{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    std::string phc(argon2_encodedlen(2, 19456, 1, salt.size(), 32, Argon2_id), '\0');
    EXPECT_EQ(argon2id_hash_encoded(2, 19456, 1, pin, std::strlen(pin), salt.data(), salt.size(),
                                    32, phc.data(), phc.size()),
              ARGON2_OK);
    phc.resize(std::strlen(phc.c_str()));
    return phc;
}

class TempDir {
public:
    TempDir() {
        std::random_device random;
        path_ = std::filesystem::temp_directory_path() /
                ("maintenance-test-" + std::to_string(random()) + std::to_string(random()));
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// One kiosk's maintenance mode with its outbox (sync worker not started: nothing is sent,
// so every audit stays in the outbox to be read).
class Staff {
public:
    explicit Staff(bool with_outbox = true, MaintenanceHooks extra = {}) {
        if (with_outbox) {
            OfflineSettings settings;
            settings.outbox_file = dir_.path() / "outbox.db";
            std::string error;
            offline_ = OfflineServices::open("https://127.0.0.1:1", {}, settings, error);
            EXPECT_NE(offline_, nullptr) << error;
        }
        config::MaintenanceAccess access;
        access.staff_pin_hash = argon2id_of(kPin);
        access.staff_badges = {"B-1001", "B-1002"};
        extra.access = [access] { return access; };
        MaintenanceSettings settings;
        settings.kiosk_id = "kiosk-lobby-1";
        settings.version = "9.9.9";
        settings.state_dir = dir_.path();
        settings.timeout = 300s;
        maintenance_ = std::make_unique<Maintenance>(worker_, inbox_, settings, std::move(extra),
                                                     offline_.get(), now_);
    }

    // The worker's answers, applied as the UI loop would (twice: an answer may queue more).
    void settle() {
        for (int i = 0; i < 3; ++i) {
            worker_.wait_idle();
            inbox_.drain();
        }
    }
    void send(MaintenanceIntent intent) {
        maintenance_->handle(std::move(intent), now_);
        settle();
    }
    void type_pin(const std::string& pin) {
        for (char c : pin) {
            maintenance_->handle(mi::PinDigit{c}, now_);
        }
        send(mi::PinSubmit{});
    }
    void pass(std::chrono::milliseconds d) {
        now_ += d;
        maintenance_->tick(now_);
    }
    void unlock() {
        send(mi::Summon{});
        type_pin(kPin);
        ASSERT_EQ(view().page, MaintenancePage::Connectivity);
    }

    // The audit events in the outbox, in order: their "action" fields.
    std::vector<nlohmann::json> audits() {
        std::vector<nlohmann::json> out;
        for (const auto& item : offline_->outbox().next_batch(1000)) {
            if (item.route == "/v1/kiosks/audit-events") {
                out.push_back(nlohmann::json::parse(item.body));
            }
        }
        return out;
    }
    std::vector<std::string> audit_actions() {
        std::vector<std::string> out;
        for (const auto& a : audits()) {
            out.push_back(a.at("action").get<std::string>());
        }
        return out;
    }

    const MaintenanceView& view() const { return maintenance_->view(); }
    Maintenance& machine() { return *maintenance_; }
    OfflineServices& offline() { return *offline_; }
    const std::filesystem::path& dir() const { return dir_.path(); }
    Clock::time_point now() const { return now_; }

private:
    TempDir dir_;
    UiInbox inbox_; // outlives the worker, whose last jobs may still post to it
    BackgroundWorker worker_;
    std::unique_ptr<OfflineServices> offline_;
    Clock::time_point now_ = Clock::time_point{} + 1000h;
    std::unique_ptr<Maintenance> maintenance_;
};

bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

} // namespace

TEST(Maintenance, TheChordOpensThePinPadAndTheRightPinUnlocks) {
    Staff staff;
    EXPECT_FALSE(staff.machine().open());
    staff.send(mi::Summon{});
    EXPECT_EQ(staff.view().page, MaintenancePage::Unlock);
    for (char c : std::string(kPin)) {
        staff.machine().handle(mi::PinDigit{c}, staff.now());
    }
    EXPECT_EQ(staff.view().pin_digits, 4);
    staff.machine().handle(mi::PinSubmit{}, staff.now());
    EXPECT_TRUE(staff.view().verifying) << "Argon2id runs on the worker, not in handle()";
    EXPECT_EQ(staff.view().pin_digits, 0) << "the typed PIN is wiped once handed over";
    staff.settle();
    EXPECT_EQ(staff.view().page, MaintenancePage::Connectivity);
    EXPECT_EQ(staff.view().actor, "staff PIN");
    EXPECT_EQ(staff.view().device.kiosk_id, "kiosk-lobby-1");
    EXPECT_EQ(staff.view().device.version, "9.9.9");
    EXPECT_TRUE(staff.view().device.free_disk_bytes.has_value());
    EXPECT_GT(staff.view().device.memory_bytes.value_or(0), 1'000'000u);
    EXPECT_TRUE(staff.view().queue.available);
    const auto audits = staff.audits();
    ASSERT_EQ(audits.size(), 1u);
    EXPECT_EQ(audits[0]["action"], "maintenance.entered");
    EXPECT_EQ(audits[0]["actor"], "staff PIN");
    EXPECT_FALSE(audits[0]["at"].get<std::string>().empty());
}

TEST(Maintenance, WrongPinsGrowTheDelayWhichSurvivesLeavingAndComingBack) {
    Staff staff;
    staff.send(mi::Summon{});
    staff.type_pin("1111");
    EXPECT_EQ(staff.view().notice, UnlockNotice::WrongPin);
    EXPECT_EQ(staff.view().lockout_seconds_left, 0);
    staff.type_pin("2222");
    EXPECT_EQ(staff.view().notice, UnlockNotice::WrongPin) << "the second failure costs no wait";
    staff.type_pin("3333");
    EXPECT_EQ(staff.view().notice, UnlockNotice::LockedOut);
    EXPECT_EQ(staff.view().lockout_seconds_left, 5);
    EXPECT_EQ(staff.view().failures, 3);

    // Locked: the right PIN is not even looked at.
    staff.type_pin(kPin);
    EXPECT_EQ(staff.view().page, MaintenancePage::Unlock);
    EXPECT_EQ(staff.view().pin_digits, 0) << "the pad takes no digits while locked";
    staff.pass(2s);
    EXPECT_EQ(staff.view().lockout_seconds_left, 3) << "the countdown moves with the clock";

    // Leaving and coming back does not reset the delay.
    staff.send(mi::Exit{});
    EXPECT_EQ(staff.view().page, MaintenancePage::Closed);
    staff.send(mi::Summon{});
    EXPECT_EQ(staff.view().notice, UnlockNotice::LockedOut);
    EXPECT_EQ(staff.view().lockout_seconds_left, 3);

    staff.pass(3s);
    EXPECT_EQ(staff.view().lockout_seconds_left, 0);
    staff.type_pin("4444");
    EXPECT_EQ(staff.view().lockout_seconds_left, 15);
    staff.pass(15s);
    staff.type_pin("5555");
    EXPECT_EQ(staff.view().lockout_seconds_left, 60);
    staff.pass(60s); // the pad itself closed after 30 s unattended; staff come back
    EXPECT_FALSE(staff.machine().open());
    staff.send(mi::Summon{});
    staff.type_pin("6666");
    EXPECT_EQ(staff.view().lockout_seconds_left, 60) << "the last delay repeats";
    staff.pass(60s);
    staff.send(mi::Summon{});
    staff.type_pin(kPin);
    EXPECT_EQ(staff.view().page, MaintenancePage::Connectivity);
    EXPECT_EQ(staff.view().failures, 0) << "a success starts the count again";

    auto actions = staff.audit_actions();
    EXPECT_EQ(std::count(actions.begin(), actions.end(), "maintenance.pin_failed"), 6);
    for (const auto& audit : staff.audits()) {
        const auto text = audit.dump();
        for (const char* typed : {"1111", "3333", "6666", kPin}) {
            EXPECT_EQ(text.find(typed), std::string::npos) << "a typed PIN in an audit: " << text;
        }
    }
}

TEST(Maintenance, AnAllowListedBadgeBurstUnlocksAndSlowTypingIsNoBadge) {
    Staff staff;
    staff.send(mi::Summon{});
    // Typed slowly on a keyboard: taken as a PIN (and it is not one).
    for (char c : std::string("B-1001")) {
        staff.machine().handle(mi::Typed{static_cast<char32_t>(c)}, staff.now());
        staff.pass(200ms);
    }
    staff.send(mi::TypedEnter{});
    EXPECT_EQ(staff.view().notice, UnlockNotice::WrongPin);

    // An unknown badge in one burst.
    for (char c : std::string("B-6666")) {
        staff.machine().handle(mi::Typed{static_cast<char32_t>(c)}, staff.now());
    }
    staff.send(mi::TypedEnter{});
    EXPECT_EQ(staff.view().notice, UnlockNotice::BadgeRefused);
    EXPECT_EQ(staff.view().failures, 2) << "a refused badge counts as a failure";

    for (char c : std::string("B-1002")) {
        staff.machine().handle(mi::Typed{static_cast<char32_t>(c)}, staff.now());
        staff.pass(10ms);
    }
    staff.send(mi::TypedEnter{});
    EXPECT_EQ(staff.view().page, MaintenancePage::Connectivity);
    EXPECT_EQ(staff.view().actor, "badge B-1002");
    const auto audits = staff.audits();
    ASSERT_FALSE(audits.empty());
    EXPECT_EQ(audits.back()["actor"], "badge B-1002");
    EXPECT_EQ(audits[1]["action"], "maintenance.badge_refused");
    EXPECT_EQ(audits[1].dump().find("B-6666"), std::string::npos) << "a refused ID is not kept";
}

TEST(Maintenance, FiveTapsInTheCornerWithinThreeSecondsOpenIt) {
    Staff staff;
    for (int i = 0; i < 4; ++i) {
        staff.send(mi::CornerTap{});
        staff.pass(700ms);
    }
    EXPECT_FALSE(staff.machine().open()) << "four taps are not enough";
    staff.pass(2s); // the first taps fall out of the 3 s window
    staff.send(mi::CornerTap{});
    EXPECT_FALSE(staff.machine().open()) << "taps spread over more than 3 s";
    for (int i = 0; i < 4; ++i) {
        staff.pass(500ms);
        staff.send(mi::CornerTap{});
    }
    EXPECT_EQ(staff.view().page, MaintenancePage::Unlock);
}

TEST(Maintenance, LeavesByItselfWhenIdleAndThePinPadSooner) {
    Staff staff;
    staff.send(mi::Summon{});
    staff.pass(29s);
    EXPECT_TRUE(staff.machine().open());
    staff.pass(1s);
    EXPECT_FALSE(staff.machine().open()) << "an unattended PIN pad goes after 30 s";

    staff.unlock();
    EXPECT_EQ(staff.machine().next_deadline(), staff.now() + 300s);
    staff.pass(200s);
    staff.send(mi::Show{MaintenancePage::Queue}); // activity restarts the timer
    staff.pass(299s);
    EXPECT_EQ(staff.view().page, MaintenancePage::Queue);
    staff.pass(1s);
    staff.settle();
    EXPECT_EQ(staff.view().page, MaintenancePage::Closed);
    EXPECT_TRUE(staff.view().actor.empty());
    const auto audits = staff.audits();
    ASSERT_FALSE(audits.empty());
    EXPECT_EQ(audits.back()["action"], "maintenance.exit");
    EXPECT_EQ(audits.back()["detail"], "idle for 300 s");
}

TEST(Maintenance, RetryAndClearOfDeadLettersAreAuditedAndClearAsksFirst) {
    Staff staff;
    auto& outbox = staff.offline().outbox();
    for (const char* key : {"dead-1", "dead-2", "dead-3"}) {
        ASSERT_TRUE(std::holds_alternative<std::string>(
            outbox.enqueue({"/v1/tickets", R"({"description":"x"})", false, key})));
    }
    std::vector<offline::Outcome> outcomes;
    for (const auto& item : outbox.next_batch(10)) {
        outcomes.push_back({item.id, offline::Outcome::Kind::Dead, "validation_failed", 0});
    }
    std::string error;
    ASSERT_TRUE(outbox.apply(outcomes, error)) << error;

    staff.unlock();
    staff.send(mi::Show{MaintenancePage::Queue});
    EXPECT_EQ(staff.view().queue.dead, 3u);
    ASSERT_EQ(staff.view().queue.dead_letters.size(), 3u);
    EXPECT_EQ(staff.view().queue.dead_letters[0].reason, "validation_failed");
    EXPECT_EQ(staff.view().queue.dead_letters[0].route, "/v1/tickets");

    staff.send(mi::ConfirmClear{});
    EXPECT_EQ(outbox.counts().dead, 3u) << "no clear without the confirmation step";
    staff.send(mi::ClearDeadLetters{});
    EXPECT_TRUE(staff.view().confirm_clear);
    staff.send(mi::CancelClear{});
    EXPECT_FALSE(staff.view().confirm_clear);
    EXPECT_EQ(outbox.counts().dead, 3u);

    // Retry one batch back to pending, kill them again, then clear for good.
    staff.send(mi::RetryDeadLetters{});
    EXPECT_EQ(staff.view().last_action, ActionKind::Retry);
    EXPECT_TRUE(staff.view().last_result.ok);
    EXPECT_EQ(staff.view().queue.dead, 0u);
    EXPECT_EQ(outbox.counts().dead, 0u);
    outcomes.clear();
    for (const auto& item : outbox.next_batch(10)) {
        if (item.route == "/v1/tickets") {
            outcomes.push_back({item.id, offline::Outcome::Kind::Dead, "validation_failed", 0});
        }
    }
    ASSERT_EQ(outcomes.size(), 3u);
    ASSERT_TRUE(outbox.apply(outcomes, error)) << error;
    staff.send(mi::Refresh{});
    staff.send(mi::ClearDeadLetters{});
    staff.send(mi::ConfirmClear{});
    EXPECT_EQ(staff.view().last_action, ActionKind::Clear);
    EXPECT_EQ(staff.view().last_result.detail, "3 dead letters deleted");
    EXPECT_EQ(outbox.counts().dead, 0u);

    const auto actions = staff.audit_actions();
    EXPECT_TRUE(contains(actions, "queue.retry"));
    EXPECT_TRUE(contains(actions, "queue.clear"));
    for (const auto& audit : staff.audits()) {
        if (audit["action"] == "queue.clear") {
            EXPECT_EQ(audit["detail"], "done: 3 dead letters deleted");
            EXPECT_EQ(audit["actor"], "staff PIN");
        }
    }
}

TEST(Maintenance, OutOfServiceIsKeptAcrossRestartsAndAudited) {
    Staff staff;
    staff.unlock();
    staff.send(mi::Show{MaintenancePage::Service});
    staff.send(mi::SetOutOfService{true});
    EXPECT_TRUE(staff.machine().out_of_service());
    EXPECT_TRUE(std::filesystem::exists(staff.dir() / "out-of-service"));
    staff.send(mi::Exit{});
    EXPECT_TRUE(staff.machine().out_of_service()) << "still out of service after staff leave";
    {
        // A kiosk restarted on the same state folder starts out of service.
        UiInbox inbox; // outlives the worker
        BackgroundWorker worker;
        MaintenanceSettings settings;
        settings.state_dir = staff.dir();
        Maintenance restarted(worker, inbox, settings, {}, nullptr, staff.now());
        EXPECT_TRUE(restarted.out_of_service());
    }
    staff.unlock();
    staff.send(mi::Show{MaintenancePage::Service});
    staff.send(mi::SetOutOfService{false});
    EXPECT_FALSE(staff.machine().out_of_service());
    EXPECT_FALSE(std::filesystem::exists(staff.dir() / "out-of-service"));
    const auto actions = staff.audit_actions();
    EXPECT_TRUE(contains(actions, "service.out_of_service_on"));
    EXPECT_TRUE(contains(actions, "service.out_of_service_off"));
    EXPECT_EQ(std::count(actions.begin(), actions.end(), "maintenance.exit"), 1);
}

TEST(Maintenance, ConfigPageAndRevertGoThroughARealApplier) {
    TempDir config_dir;
    config::ApplierSettings applier_settings;
    applier_settings.state_dir = config_dir.path();
    applier_settings.kiosk_id = "kiosk-lobby-1";
    std::string key_error;
    const auto key = ed25519::parse_public_pem(ed25519::generate().public_pem, key_error);
    ASSERT_TRUE(key.has_value()) << key_error;
    applier_settings.anchors = {{"admin-alice", *key}};
    auto applier = std::make_shared<config::ConfigApplier>(applier_settings);
    MaintenanceHooks hooks;
    hooks.config_status = [applier] {
        return describe_config(*applier, std::chrono::system_clock::now());
    };
    hooks.revert_config = [applier]() -> ActionResult {
        const auto outcome = applier->revert(std::chrono::system_clock::now());
        return {outcome.applied(), outcome.applied() ? "reverted" : outcome.message};
    };
    Staff staff(true, hooks);
    staff.unlock();
    staff.send(mi::Show{MaintenancePage::Config});
    EXPECT_TRUE(staff.view().config.available);
    EXPECT_EQ(staff.view().config.version, 0);
    EXPECT_FALSE(staff.view().config.can_revert);

    staff.send(mi::RevertConfig{});
    EXPECT_EQ(staff.view().last_action, ActionKind::RevertConfig);
    EXPECT_FALSE(staff.view().last_result.ok) << "nothing to revert to";
    EXPECT_FALSE(staff.view().last_result.detail.empty());

    staff.send(mi::PullConfig{}); // no hook: says so rather than pretending
    EXPECT_EQ(staff.view().last_action, ActionKind::PullConfig);
    EXPECT_FALSE(staff.view().last_result.ok);
    EXPECT_NE(staff.view().last_result.detail.find("not available"), std::string::npos);

    staff.send(mi::Enrol{SecretString("ENROL-CODE-123")});
    EXPECT_EQ(staff.view().last_action, ActionKind::Enrol);
    EXPECT_FALSE(staff.view().last_result.ok);
    EXPECT_FALSE(staff.view().enrolment_available);

    const auto actions = staff.audit_actions();
    EXPECT_TRUE(contains(actions, "config.revert"));
    EXPECT_TRUE(contains(actions, "config.pull"));
    EXPECT_TRUE(contains(actions, "kiosk.enrol"));
    for (const auto& audit : staff.audits()) {
        EXPECT_EQ(audit.dump().find("ENROL-CODE-123"), std::string::npos) << "a code in an audit";
    }
}

TEST(Maintenance, WithNoOutboxAuditsGoToTheLogAndTheLogsPageShowsThem) {
    auto recent = keep_recent_logs(50);
    MaintenanceHooks hooks;
    hooks.recent_logs = recent;
    Staff staff(false, hooks);
    staff.unlock();
    EXPECT_FALSE(staff.view().queue.available);
    staff.send(mi::Show{MaintenancePage::Logs});
    const auto& logs = staff.view().logs;
    ASSERT_FALSE(logs.empty());
    EXPECT_TRUE(std::any_of(logs.begin(), logs.end(), [](const std::string& line) {
        return line.find("maintenance audit: maintenance.entered by staff PIN") !=
               std::string::npos;
    })) << logs.back();
    staff.send(mi::RetryDeadLetters{});
    EXPECT_FALSE(staff.view().last_result.ok) << "no outbox: nothing to retry";
}

TEST(Maintenance, NoStaffAccessConfiguredSaysSo) {
    UiInbox inbox; // outlives the worker
    BackgroundWorker worker;
    const auto now = Clock::now();
    Maintenance m(worker, inbox, MaintenanceSettings{}, {}, nullptr, now);
    m.handle(mi::Summon{}, now);
    for (char c : std::string("0000")) {
        m.handle(mi::PinDigit{c}, now);
    }
    m.handle(mi::PinSubmit{}, now);
    worker.wait_idle();
    inbox.drain();
    EXPECT_EQ(m.view().notice, UnlockNotice::NoStaffAccess);
    EXPECT_EQ(m.view().page, MaintenancePage::Unlock);
    EXPECT_EQ(m.view().failures, 0);
}

TEST(Maintenance, TheIdleTimeoutFollowsTheAppliedConfigurationWithoutARestart) {
    // The hook stands for KioskRuntime's applied document; it changes while the kiosk runs.
    auto applied = std::make_shared<std::atomic<int>>(0); // 0: nothing applied
    MaintenanceHooks hooks;
    hooks.timeout = [applied]() -> std::optional<std::chrono::seconds> {
        const int seconds = applied->load();
        return seconds == 0 ? std::nullopt : std::optional(std::chrono::seconds(seconds));
    };
    Staff staff(true, std::move(hooks));
    staff.unlock();
    EXPECT_EQ(staff.machine().next_deadline(), staff.now() + 300s) << "the settings' default";
    staff.send(mi::Exit{});

    applied->store(90); // a newer configuration is applied: the next unlock takes it
    staff.unlock();
    EXPECT_EQ(staff.machine().next_deadline(), staff.now() + 90s);
    applied->store(600); // and a refresh while open (a page change) takes the next one
    staff.send(mi::Show{MaintenancePage::Device});
    EXPECT_EQ(staff.machine().next_deadline(), staff.now() + 600s);
    staff.pass(599s);
    EXPECT_TRUE(staff.machine().open());
    staff.pass(1s);
    staff.settle();
    EXPECT_FALSE(staff.machine().open());
    const auto audits = staff.audits();
    ASSERT_FALSE(audits.empty());
    EXPECT_EQ(audits.back()["detail"], "idle for 600 s");
}

TEST(Maintenance, TheVerifyUserPageNeedsEveryFieldAndSaysWhenItIsNotAvailable) {
    Staff staff; // no verify_user hook: this kiosk has no fleet connection
    staff.unlock();
    EXPECT_FALSE(staff.view().verify_available);
    staff.send(mi::Show{MaintenancePage::VerifyUser});
    ASSERT_EQ(staff.view().page, MaintenancePage::VerifyUser);
    staff.send(mi::VerifyUser{"jdoe", SecretString("kadm_x"), "", true});
    EXPECT_TRUE(staff.view().verify_incomplete) << "a reason is required";
    staff.send(mi::VerifyUser{"jdoe", SecretString("kadm_x"), "lost phone", true});
    EXPECT_FALSE(staff.view().verify_incomplete);
    ASSERT_TRUE(staff.view().verify_status.has_value());
    EXPECT_EQ(*staff.view().verify_status, StaffVerifyResult::Status::Failed);
    EXPECT_FALSE(staff.machine().take_handoff().has_value());
    EXPECT_EQ(staff.view().page, MaintenancePage::VerifyUser);
    const auto actions = staff.audit_actions();
    EXPECT_TRUE(contains(actions, "staff.user_verify_failed"));
    for (const auto& a : staff.audits()) {
        EXPECT_EQ(a.dump().find("kadm_x"), std::string::npos) << "the credential was audited";
        EXPECT_EQ(a.dump().find("jdoe"), std::string::npos) << "the identifier was audited";
    }
}
