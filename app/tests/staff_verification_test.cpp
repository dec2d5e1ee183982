// Staff in-person verification end to end with no window: maintenance mode unlocked with a
// real Argon2id PIN, the VerifyUser page sending to a real kiosk-central over mutual TLS
// (the kiosk's certificate from a real enrolment), then the walk-up session handed over
// verified: a password reset on an account with an authenticator app, and an unlock.
#include "central_process.hpp"
#include "kiosk/app/maintenance.hpp"
#include "kiosk/app/session.hpp"
#include "kiosk/app/staff_verification.hpp"
#include "kiosk_certificate.hpp"

#include <argon2.h>
#include <array>
#include <cstring>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace kiosk;
using namespace kiosk::app;
using namespace std::chrono_literals;
namespace mi = kiosk::app::maintenance_intent;
using nlohmann::json;

namespace {

constexpr const char* kPin = "2468";
constexpr const char* kNewPassword = "Handed-Over-Quietly-Lantern-42";

std::string argon2id_of(const char* pin) {
    const std::array<unsigned char, 16> salt{9, 8, 7, 6, 5, 4, 3, 2, 1, 2, 3, 4, 5, 6, 7, 8};
    std::string phc(argon2_encodedlen(2, 19456, 1, salt.size(), 32, Argon2_id), '\0');
    EXPECT_EQ(argon2id_hash_encoded(2, 19456, 1, pin, std::strlen(pin), salt.data(), salt.size(),
                                    32, phc.data(), phc.size()),
              ARGON2_OK);
    phc.resize(std::strlen(phc.c_str()));
    return phc;
}

net::ClientSettings client_settings(const kiosk::testing::CentralProcess& central) {
    net::ClientSettings s;
    s.ca_file = central.ca_file();
    s.connect_timeout = 2s;
    s.total_timeout = 5s;
    return s;
}

// `kiosk-central admin add` against the running central's data directory.
std::string add_admin(const kiosk::testing::CentralProcess& central, const std::string& name,
                      const std::string& role) {
    auto run = kiosk::testing::run_command(kiosk::testing::central_binary().string() +
                                           " admin add --data-dir '" + central.data_dir().string() +
                                           "' --name " + name + " --role " + role + " 2>/dev/null");
    EXPECT_EQ(run.exit_code, 0) << run.out;
    while (!run.out.empty() && run.out.back() == '\n') {
        run.out.pop_back();
    }
    return run.out;
}

// One enrolled kiosk: maintenance mode and the walk-up session sharing a worker and inbox
// as in the real kiosk; the verify_user hook sends with the kiosk's client certificate,
// which is what KioskRuntime::verify_user does on its fleet thread.
class Kiosk {
public:
    explicit Kiosk(const kiosk::testing::CentralProcess& central)
        : url_(central.base_url()), client_(central.base_url(), client_settings(central)),
          session_(client_, worker_, inbox_, SessionSettings{}) {
        const auto dir = central.data_dir() / "test-kiosks" / "lobby-1";
        const auto enrolled = kiosk::testing::enrol_kiosk(
            central, kiosk::testing::demo_admin_token(central), "lobby-1", json::array(), dir);
        EXPECT_EQ(enrolled.status, 201) << enrolled.body;
        auto mtls = client_settings(central);
        mtls.client_certificate = enrolled.certificate;
        mtls.client_key = enrolled.key;
        http_ = std::make_unique<net::HttpsClient>(mtls);

        MaintenanceHooks hooks;
        config::MaintenanceAccess access;
        access.staff_pin_hash = argon2id_of(kPin);
        hooks.access = [access] { return access; };
        hooks.verify_user = [this](const StaffVerifyRequest& request) {
            ++calls_;
            std::string body = staff_verification_body(request);
            auto answer = http_->post_json(url_ + kStaffVerificationRoute, body);
            secure_wipe(body);
            return read_staff_verification(answer);
        };
        MaintenanceSettings settings;
        settings.kiosk_id = "lobby-1";
        maintenance_ = std::make_unique<Maintenance>(worker_, inbox_, settings, std::move(hooks),
                                                     nullptr, Clock::now());
    }

    void settle() {
        do {
            for (int i = 0; i < 3; ++i) {
                worker_.wait_idle();
                inbox_.drain();
            }
        } while (session_.view().busy || maintenance_->view().busy);
        // What the frame loop does after draining: a verified user goes to the session.
        if (auto handoff = maintenance_->take_handoff()) {
            session_.handle(intent::StartVerified{std::move(handoff->token),
                                                  std::move(handoff->username),
                                                  std::move(handoff->display_name)},
                            Clock::now());
        }
    }
    void staff(MaintenanceIntent intent) {
        maintenance_->handle(std::move(intent), Clock::now());
        settle();
    }
    void staff_unsettled(MaintenanceIntent intent) {
        maintenance_->handle(std::move(intent), Clock::now());
    }
    void user(Intent intent) {
        session_.handle(std::move(intent), Clock::now());
        settle();
    }
    // Ctrl+Alt+M, the PIN, then the VerifyUser page.
    void open_verify_page() {
        staff(mi::Summon{});
        for (const char* c = kPin; *c != '\0'; ++c) {
            maintenance_->handle(mi::PinDigit{*c}, Clock::now());
        }
        staff(mi::PinSubmit{});
        ASSERT_EQ(maintenance_->view().page, MaintenancePage::Connectivity);
        staff(mi::Show{MaintenancePage::VerifyUser});
        ASSERT_EQ(maintenance_->view().page, MaintenancePage::VerifyUser);
        ASSERT_TRUE(maintenance_->view().verify_available);
    }
    static mi::VerifyUser form(const std::string& who, const std::string& credential,
                               bool id_checked = true) {
        return mi::VerifyUser{who, SecretString(credential), "forgot the authenticator at home",
                              id_checked};
    }

    const MaintenanceView& staff_view() const { return maintenance_->view(); }
    const ViewModel& view() const { return session_.view(); }
    int calls() const { return calls_; }
    bool handed_over() { return maintenance_->take_handoff().has_value(); }

private:
    net::CurlGlobal curl_;
    std::string url_;
    net::CentralClient client_;
    std::unique_ptr<net::HttpsClient> http_;
    UiInbox inbox_; // outlives the worker, whose last jobs may still post to it
    BackgroundWorker worker_;
    Session session_;
    std::unique_ptr<Maintenance> maintenance_;
    int calls_ = 0;
};

} // namespace

TEST(StaffVerification, AStaffVerifiedSessionResetsThePasswordOfAnAccountWithAnAuthenticator) {
    kiosk::testing::CentralProcess central;
    const std::string helpdesk = add_admin(central, "help-1", "helpdesk");
    Kiosk kiosk(central);
    kiosk.open_verify_page();

    // Not sent until every field is there and the ID check is confirmed.
    kiosk.staff(Kiosk::form("tnowak", helpdesk, false));
    EXPECT_TRUE(kiosk.staff_view().verify_incomplete);
    kiosk.staff(Kiosk::form("tnowak", ""));
    EXPECT_TRUE(kiosk.staff_view().verify_incomplete);
    EXPECT_EQ(kiosk.calls(), 0);

    // A mistyped staff credential: the central refuses, the page says so, nothing opens.
    kiosk.staff(Kiosk::form("tnowak", helpdesk + "x"));
    ASSERT_TRUE(kiosk.staff_view().verify_status.has_value());
    EXPECT_EQ(*kiosk.staff_view().verify_status, StaffVerifyResult::Status::StaffCredentialInvalid);
    EXPECT_EQ(kiosk.staff_view().page, MaintenancePage::VerifyUser);
    EXPECT_EQ(kiosk.view().screen, Screen::Attract);

    kiosk.staff(Kiosk::form("nobody-here", helpdesk));
    EXPECT_EQ(*kiosk.staff_view().verify_status, StaffVerifyResult::Status::AccountNotFound);

    kiosk.staff(Kiosk::form("tnowak", helpdesk));
    EXPECT_EQ(kiosk.staff_view().page, MaintenancePage::Closed) << "maintenance hands over";
    ASSERT_EQ(kiosk.view().screen, Screen::Home);
    EXPECT_TRUE(kiosk.view().staff_verified);
    EXPECT_EQ(kiosk.view().verified_name, "Tomasz Nowak");

    // Reset goes straight to the new password: no identify, no code, and the central takes
    // the staff token for an account whose reset otherwise needs the authenticator app.
    kiosk.user(intent::ChooseFlow{Flow::ResetPassword});
    ASSERT_EQ(kiosk.view().screen, Screen::NewPassword);
    kiosk.user(intent::SubmitNewPassword{SecretString(kNewPassword), SecretString(kNewPassword)});
    ASSERT_EQ(kiosk.view().screen, Screen::Done);
    EXPECT_EQ(kiosk.view().reference.rfind("RST-", 0), 0U);
    EXPECT_TRUE(central.password_matches("tnowak", kNewPassword));

    // The next person starts from nothing: the verification went with the session.
    kiosk.user(intent::Finish{});
    EXPECT_FALSE(kiosk.view().staff_verified);
    EXPECT_TRUE(kiosk.view().verified_name.empty());
    kiosk.user(intent::Start{});
    kiosk.user(intent::ChooseFlow{Flow::ResetPassword});
    EXPECT_EQ(kiosk.view().screen, Screen::Identify);
}

TEST(StaffVerification, AnAuditorCannotVouchAndAStaffVerifiedSessionUnlocks) {
    kiosk::testing::CentralProcess central;
    const std::string auditor = add_admin(central, "audit-1", "auditor");
    const std::string helpdesk = add_admin(central, "help-2", "helpdesk");
    Kiosk kiosk(central);
    kiosk.open_verify_page();
    kiosk.staff(Kiosk::form("asmith", auditor));
    ASSERT_TRUE(kiosk.staff_view().verify_status.has_value());
    EXPECT_EQ(*kiosk.staff_view().verify_status, StaffVerifyResult::Status::Forbidden);
    kiosk.staff(Kiosk::form("kzielinski", helpdesk));
    EXPECT_EQ(*kiosk.staff_view().verify_status, StaffVerifyResult::Status::AccountDisabled);

    kiosk.staff(Kiosk::form("E1002", helpdesk)); // asmith, locked by the directory
    ASSERT_EQ(kiosk.view().screen, Screen::Home);
    kiosk.user(intent::ChooseFlow{Flow::Unlock});
    ASSERT_EQ(kiosk.view().screen, Screen::Done);
    EXPECT_EQ(kiosk.view().unlock_state, "active");
    EXPECT_EQ(kiosk.view().reference.rfind("UNL-", 0), 0U);
}

TEST(StaffVerification, AnAnswerArrivingAfterStaffLeftOpensNothing) {
    kiosk::testing::CentralProcess central;
    const std::string helpdesk = add_admin(central, "help-3", "helpdesk");
    Kiosk kiosk(central);
    kiosk.open_verify_page();
    // Staff leave while the central is being asked: its answer (a good token) must not
    // start a session for whoever walks up next.
    kiosk.staff_unsettled(Kiosk::form("jdoe", helpdesk));
    kiosk.staff(mi::Exit{});
    EXPECT_EQ(kiosk.calls(), 1);
    EXPECT_EQ(kiosk.staff_view().page, MaintenancePage::Closed);
    EXPECT_EQ(kiosk.view().screen, Screen::Attract);
    EXPECT_FALSE(kiosk.view().staff_verified);
    EXPECT_FALSE(kiosk.handed_over());
    // After leaving, the form intent is ignored: nothing is sent.
    kiosk.staff(Kiosk::form("jdoe", helpdesk));
    EXPECT_EQ(kiosk.calls(), 1);
}
