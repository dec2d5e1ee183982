// The home menu's account flows driven through a real kiosk-central over TLS (no window):
// unlock and account status share the verification of the reset flow, and what the kiosk
// shows is what the central holds (lockout, methods) and did (unlock notice, sign-in works).
#include "central_process.hpp"
#include "client_settings.hpp"
#include "kiosk/app/session.hpp"
#include "kiosk/net/http_client.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <thread>

using namespace kiosk;
using namespace kiosk::app;
using namespace std::chrono_literals;

namespace {

constexpr const char* kDemoPassword = "Lobby-Winter-Morning-2026";

class Kiosk {
public:
    explicit Kiosk(const kiosk::testing::CentralProcess& central, SessionSettings session = {})
        : client_(central.base_url(), kiosk::testing::client_settings_for(central)),
          session_(client_, worker_, inbox_, std::move(session)) {}

    void send(Intent intent) { send_at(std::move(intent), Clock::now()); }
    // As send(), with the kiosk's clock at `now` (a kiosk whose clock runs ahead).
    void send_at(Intent intent, Clock::time_point now) {
        session_.handle(std::move(intent), now);
        // An answer may start the next request (a checked code asks for the status): settle
        // until nothing is under way.
        do {
            worker_.wait_idle();
            inbox_.drain();
        } while (session_.view().busy);
    }
    const ViewModel& view() const { return session_.view(); }
    void tick(Clock::time_point now) { session_.tick(now); }

    // Home -> `flow` -> identify as `who` -> the code the central mailed.
    void verify(kiosk::testing::CentralProcess& central, Flow flow, const std::string& who) {
        send(intent::Start{});
        ASSERT_EQ(view().screen, Screen::Home);
        send(intent::ChooseFlow{flow});
        ASSERT_EQ(view().screen, Screen::Identify);
        send(intent::SubmitIdentifier{who});
        if (view().screen == Screen::ChooseMethod) { // jdoe has e-mail and SMS
            send(intent::ChooseMethod{"email"});
        }
        ASSERT_EQ(view().screen, Screen::EnterCode);
        const auto code = central.latest_code_for(who);
        ASSERT_TRUE(code.has_value());
        send(intent::SubmitCode{SecretString(*code)});
    }

private:
    net::CurlGlobal curl_;
    net::CentralClient client_;
    UiInbox inbox_; // outlives the worker, whose last jobs may still post to it
    BackgroundWorker worker_;
    Session session_;
};

// Signs in at the central's directory route; returns the HTTP status.
long sign_in(const kiosk::testing::CentralProcess& central, const std::string& user,
             const std::string& password) {
    net::HttpsClient http(kiosk::testing::client_settings_for(central));
    const auto result =
        http.post_json(central.base_url() + "/v1/sign-ins",
                       R"({"username":")" + user + R"(","password":")" + password + R"("})");
    const auto* response = std::get_if<net::HttpResponse>(&result);
    return response != nullptr ? response->status : -1;
}

// Five wrong passwords: the central's lockout threshold.
void lock_out(const kiosk::testing::CentralProcess& central, const std::string& user) {
    for (int i = 0; i < 5; ++i) {
        sign_in(central, user, "not-the-password");
    }
    ASSERT_NE(sign_in(central, user, kDemoPassword), 200) << "the account should be locked";
}

} // namespace

TEST(AccountFlows, StartOpensTheHomeMenuAndBackReturnsToIt) {
    kiosk::testing::CentralProcess central;
    Kiosk kiosk(central);
    kiosk.send(intent::Start{});
    EXPECT_EQ(kiosk.view().screen, Screen::Home);
    kiosk.send(intent::ChooseLanguage{"he"});
    kiosk.send(intent::ChooseFlow{Flow::Unlock});
    EXPECT_EQ(kiosk.view().screen, Screen::Identify);
    EXPECT_EQ(kiosk.view().flow, Flow::Unlock);
    kiosk.send(intent::BackToHome{});
    EXPECT_EQ(kiosk.view().screen, Screen::Home);
    EXPECT_EQ(kiosk.view().flow, Flow::None);
    EXPECT_EQ(kiosk.view().language, "he") << "going back is the same person";
    kiosk.send(intent::SubmitIdentifier{"jdoe"});
    EXPECT_EQ(kiosk.view().screen, Screen::Home) << "no identifier is taken on the menu";
    kiosk.send(intent::ChooseFlow{Flow::Help});
    EXPECT_EQ(kiosk.view().screen, Screen::Help) << "help needs no verification";
    EXPECT_FALSE(central.latest_code_for("jdoe").has_value());
}

TEST(AccountFlows, UnlockClearsTheLockoutAtTheCentral) {
    kiosk::testing::CentralProcess central;
    lock_out(central, "jdoe");
    Kiosk kiosk(central);
    kiosk.verify(central, Flow::Unlock, "jdoe");
    ASSERT_EQ(kiosk.view().screen, Screen::Done);
    EXPECT_EQ(kiosk.view().flow, Flow::Unlock);
    EXPECT_EQ(kiosk.view().reference.rfind("UNL-", 0), 0u) << kiosk.view().reference;
    EXPECT_EQ(kiosk.view().unlock_state, "active");
    EXPECT_EQ(kiosk.view().receipt_url,
              "https://help.example.com/requests/" + kiosk.view().reference);
    EXPECT_EQ(sign_in(central, "jdoe", kDemoPassword), 200) << "unlocked at the central";
    const auto notices = central.notices_for("jdoe");
    ASSERT_FALSE(notices.empty());
    EXPECT_NE(notices.back().find(kiosk.view().reference), std::string::npos)
        << "the owner was told, quoting the receipt's reference";
    EXPECT_TRUE(central.password_matches("jdoe", kDemoPassword)) << "an unlock is no reset";

    kiosk.send(intent::Finish{});
    EXPECT_EQ(kiosk.view().screen, Screen::Attract);
    EXPECT_TRUE(kiosk.view().reference.empty());
}

TEST(AccountFlows, StatusShowsTheLockoutAndMethodsAndUnlocksWithTheSameVerification) {
    kiosk::testing::CentralProcess central;
    lock_out(central, "jdoe");
    Kiosk kiosk(central);
    kiosk.verify(central, Flow::AccountStatus, "jdoe");
    ASSERT_EQ(kiosk.view().screen, Screen::AccountStatus);
    const auto& status = kiosk.view().status;
    EXPECT_EQ(status.state, "locked");
    EXPECT_EQ(status.display_name, "Jane Doe");
    ASSERT_EQ(status.locked_until.size(), 20u) << status.locked_until;
    EXPECT_EQ(status.locked_until.back(), 'Z');
    EXPECT_FALSE(status.password_changed_at.empty());
    EXPECT_GE(status.password_age_days, 0);
    ASSERT_FALSE(status.methods.empty());
    EXPECT_EQ(status.methods.front(), "email");

    kiosk.send(intent::UnlockFromStatus{});
    ASSERT_EQ(kiosk.view().screen, Screen::Done);
    EXPECT_EQ(kiosk.view().reference.rfind("UNL-", 0), 0u);
    EXPECT_EQ(sign_in(central, "jdoe", kDemoPassword), 200);
}

TEST(AccountFlows, StatusOfAnActiveAccountOffersNoUnlock) {
    kiosk::testing::CentralProcess central;
    Kiosk kiosk(central);
    kiosk.verify(central, Flow::AccountStatus, "jdoe");
    ASSERT_EQ(kiosk.view().screen, Screen::AccountStatus);
    EXPECT_EQ(kiosk.view().status.state, "active");
    EXPECT_TRUE(kiosk.view().status.locked_until.empty());
    kiosk.send(intent::UnlockFromStatus{});
    EXPECT_EQ(kiosk.view().screen, Screen::AccountStatus) << "nothing to unlock";
    EXPECT_TRUE(central.notices_for("jdoe").empty()) << "the status check changed nothing";
}

// [verify] Choosing a method, masked hints, SMS and authenticator codes, new codes.

namespace {

const std::string kBullets = "\u2022\u2022\u2022"; // ••• as the central masks

// Lines in the central's demo outbox for `channel` ("email", "sms"): each sent code is one.
std::size_t outbox_lines(const kiosk::testing::CentralProcess& central,
                         const std::string& channel) {
    std::ifstream in(central.data_dir() / "outbox" / (channel + ".jsonl"));
    std::size_t lines = 0;
    for (std::string line; std::getline(in, line);) {
        ++lines;
    }
    return lines;
}

} // namespace

namespace {

// The central's own record of ticket `reference` (GET /v1/admin/tickets, as the demo admin).
nlohmann::json ticket_at_central(const kiosk::testing::CentralProcess& central,
                                 const std::string& reference) {
    std::ifstream in(central.data_dir() / "admin-token");
    std::string token;
    std::getline(in, token);
    net::HttpsClient http(kiosk::testing::client_settings_for(central));
    const auto result = http.get(central.base_url() + "/v1/admin/tickets?limit=1000",
                                 {{"Authorization", "Bearer " + token}});
    const auto* response = std::get_if<net::HttpResponse>(&result);
    if (response == nullptr || response->status != 200) {
        ADD_FAILURE() << "no ticket listing from the central";
        return {};
    }
    const auto listing = nlohmann::json::parse(response->body);
    for (const auto& ticket : listing["tickets"]) {
        if (ticket["reference"] == reference) {
            return ticket;
        }
    }
    ADD_FAILURE() << "ticket " << reference << " is not at the central: " << response->body;
    return {};
}

} // namespace

TEST(VerifyMethods, TheChoiceShowsMaskedMethodsAndAnSmsCodeVerifies) {
    kiosk::testing::CentralProcess central;
    Kiosk kiosk(central);
    kiosk.send(intent::Start{});
    kiosk.send(intent::ChooseFlow{Flow::AccountStatus});
    kiosk.send(intent::SubmitIdentifier{"tnowak"});
    ASSERT_EQ(kiosk.view().screen, Screen::ChooseMethod);
    const auto& methods = kiosk.view().methods;
    ASSERT_EQ(methods.size(), 3u);
    EXPECT_EQ(methods[0].method, "email");
    EXPECT_EQ(methods[0].hint, "t" + kBullets + "@example.com");
    EXPECT_EQ(methods[1].method, "sms");
    EXPECT_EQ(methods[1].hint, kBullets + "04") << "tnowak's phone ends in 04";
    EXPECT_EQ(methods[2].method, "totp");
    EXPECT_EQ(outbox_lines(central, "email") + outbox_lines(central, "sms"), 0u)
        << "nothing is sent before the person chooses";

    kiosk.send(intent::ChooseMethod{"carrier-pigeon"});
    EXPECT_EQ(kiosk.view().screen, Screen::ChooseMethod) << "only an offered method is taken";
    kiosk.send(intent::ChooseMethod{"sms"});
    ASSERT_EQ(kiosk.view().screen, Screen::EnterCode);
    EXPECT_EQ(kiosk.view().method, "sms");
    EXPECT_EQ(kiosk.view().code_hint, kBullets + "04");
    EXPECT_GT(kiosk.view().resend_seconds_left, 50) << "the central's 60 s cooldown";
    EXPECT_FALSE(central.latest_code_for("tnowak", "email").has_value());
    const auto code = central.latest_code_for("tnowak", "sms");
    ASSERT_TRUE(code.has_value()) << "the code went by SMS";
    kiosk.send(intent::SubmitCode{SecretString(*code)});
    ASSERT_EQ(kiosk.view().screen, Screen::AccountStatus);
    EXPECT_EQ(kiosk.view().status.display_name, "Tomasz Nowak");

    kiosk.send(intent::Finish{});
    EXPECT_TRUE(kiosk.view().methods.empty()) << "the hints leave with the person";
    EXPECT_TRUE(kiosk.view().code_hint.empty());
}

TEST(VerifyMethods, AResetOfAnAccountWithAnAppGoesStraightToTheApp) {
    kiosk::testing::CentralProcess central;
    Kiosk kiosk(central);
    kiosk.send(intent::Start{});
    kiosk.send(intent::ChooseFlow{Flow::ResetPassword});
    kiosk.send(intent::SubmitIdentifier{"tnowak"});
    // One method offered (MFA is never bypassed): no choice to make, the code screen at once.
    ASSERT_EQ(kiosk.view().screen, Screen::EnterCode);
    EXPECT_EQ(kiosk.view().method, "totp");
    EXPECT_EQ(kiosk.view().resend_seconds_left, 0) << "nothing to resend for an app";
    kiosk.send(intent::ResendCode{});
    EXPECT_EQ(kiosk.view().screen, Screen::EnterCode);
    EXPECT_EQ(kiosk.view().notice, Notice::None);
    kiosk.send(intent::SubmitCode{
        SecretString(kiosk::testing::authenticator_code(kiosk::testing::kTnowakTotpSecret))});
    ASSERT_EQ(kiosk.view().screen, Screen::NewPassword);
    const std::string password = "Nine-Quiet-Lanterns-Glow";
    kiosk.send(intent::SubmitNewPassword{SecretString(password), SecretString(password)});
    ASSERT_EQ(kiosk.view().screen, Screen::Done) << static_cast<int>(kiosk.view().notice);
    EXPECT_TRUE(central.password_matches("tnowak", password));
    EXPECT_EQ(outbox_lines(central, "sms"), 0u);
}

TEST(VerifyMethods, ANameWithNoAccountGetsTheSameKindOfChoice) {
    kiosk::testing::CentralProcess central;
    Kiosk kiosk(central);
    kiosk.send(intent::Start{});
    kiosk.send(intent::ChooseFlow{Flow::Unlock});
    kiosk.send(intent::SubmitIdentifier{"nobody.here"});
    ASSERT_TRUE(kiosk.view().screen == Screen::ChooseMethod ||
                kiosk.view().screen == Screen::EnterCode)
        << static_cast<int>(kiosk.view().screen);
    ASSERT_FALSE(kiosk.view().methods.empty());
    EXPECT_EQ(kiosk.view().methods[0].hint, "n" + kBullets + "@example.com");
}

TEST(VerifyMethods, AnotherMethodAndATicketFromTheChoice) {
    kiosk::testing::CentralProcess central;
    Kiosk kiosk(central);
    kiosk.send(intent::Start{});
    kiosk.send(intent::ChooseFlow{Flow::Unlock});
    kiosk.send(intent::SubmitIdentifier{"jdoe"});
    ASSERT_EQ(kiosk.view().screen, Screen::ChooseMethod);
    kiosk.send(intent::ChooseMethod{"sms"});
    ASSERT_EQ(kiosk.view().screen, Screen::EnterCode);
    const auto sms_code = central.latest_code_for("jdoe", "sms");
    ASSERT_TRUE(sms_code.has_value());
    // The phone is flat: back to the choice, by e-mail instead.
    kiosk.send(intent::ChooseAnotherMethod{});
    ASSERT_EQ(kiosk.view().screen, Screen::ChooseMethod);
    kiosk.send(intent::ChooseMethod{"email"});
    ASSERT_EQ(kiosk.view().screen, Screen::EnterCode);
    EXPECT_EQ(kiosk.view().code_hint, "j" + kBullets + "@example.com");
    kiosk.send(intent::SubmitCode{SecretString(*sms_code)});
    EXPECT_EQ(kiosk.view().notice, Notice::WrongCode) << "the SMS challenge was left behind";
    kiosk.send(intent::SubmitCode{SecretString(central.latest_code_for("jdoe").value())});
    EXPECT_EQ(kiosk.view().screen, Screen::Done);

    // Someone who can use none of them: a ticket, and who they said they were is dropped.
    kiosk.send(intent::Finish{});
    kiosk.send(intent::Start{});
    kiosk.send(intent::ChooseFlow{Flow::ResetPassword});
    kiosk.send(intent::SubmitIdentifier{"jdoe"});
    ASSERT_EQ(kiosk.view().screen, Screen::ChooseMethod);
    kiosk.send(intent::ChooseFlow{Flow::Ticket});
    EXPECT_EQ(kiosk.view().screen, Screen::Ticket);
    EXPECT_TRUE(kiosk.view().identifier.empty());
    EXPECT_TRUE(kiosk.view().methods.empty());
}

TEST(VerifyMethods, ANewCodeAfterTheCooldownReplacesTheOldOne) {
    kiosk::testing::CentralProcess central({"--resend-cooldown", "1"});
    Kiosk kiosk(central);
    kiosk.send(intent::Start{});
    kiosk.send(intent::ChooseFlow{Flow::Unlock});
    kiosk.send(intent::SubmitIdentifier{"jdoe"});
    kiosk.send(intent::ChooseMethod{"email"});
    ASSERT_EQ(kiosk.view().screen, Screen::EnterCode);
    EXPECT_EQ(kiosk.view().resend_seconds_left, 1);
    const auto first = central.latest_code_for("jdoe").value();
    std::this_thread::sleep_for(1100ms);
    kiosk.tick(Clock::now());
    EXPECT_EQ(kiosk.view().resend_seconds_left, 0) << "the countdown is over";
    kiosk.send(intent::ResendCode{});
    EXPECT_EQ(kiosk.view().screen, Screen::EnterCode);
    EXPECT_EQ(kiosk.view().notice, Notice::CodeResent);
    EXPECT_EQ(kiosk.view().resend_seconds_left, 1) << "a new cooldown with the new code";
    EXPECT_EQ(outbox_lines(central, "email"), 2u);
    const auto second = central.latest_code_for("jdoe").value();
    if (second != first) { // one time in a million they are the same digits
        kiosk.send(intent::SubmitCode{SecretString(first)});
        EXPECT_EQ(kiosk.view().notice, Notice::WrongCode) << "the old code no longer works";
    }
    kiosk.send(intent::SubmitCode{SecretString(second)});
    EXPECT_EQ(kiosk.view().screen, Screen::Done);
}

TEST(VerifyMethods, ResendingTooSoonWaitsAsLongAsTheCentralSays) {
    kiosk::testing::CentralProcess central({"--resend-cooldown", "30"});
    Kiosk kiosk(central);
    kiosk.send(intent::Start{});
    kiosk.send(intent::ChooseFlow{Flow::Unlock});
    kiosk.send(intent::SubmitIdentifier{"jdoe"});
    kiosk.send(intent::ChooseMethod{"sms"});
    ASSERT_EQ(kiosk.view().screen, Screen::EnterCode);
    const int shown = kiosk.view().resend_seconds_left;
    EXPECT_GE(shown, 29);
    EXPECT_LE(shown, 30);
    kiosk.tick(Clock::now() + 10s);
    EXPECT_LE(kiosk.view().resend_seconds_left, 20) << "the countdown runs";
    EXPECT_GE(kiosk.view().resend_seconds_left, 19);
    kiosk.send(intent::ResendCode{});
    EXPECT_EQ(outbox_lines(central, "sms"), 1u) << "the button waits: nothing asked";

    // A kiosk whose clock runs 40 s ahead thinks the wait is over; the central refuses and
    // says how long to wait, and the kiosk counts that down instead.
    kiosk.send_at(intent::ResendCode{}, Clock::now() + 40s);
    EXPECT_EQ(kiosk.view().screen, Screen::EnterCode);
    EXPECT_EQ(outbox_lines(central, "sms"), 1u);
    EXPECT_GE(kiosk.view().resend_seconds_left, 20) << "the central's retry_after_seconds";
    EXPECT_LE(kiosk.view().resend_seconds_left, 30);
}

TEST(VerifyMethods, TooManyNewCodesEndsOnAProblemThatStartsOver) {
    kiosk::testing::CentralProcess central({"--resend-cooldown", "1", "--max-resends", "1"});
    Kiosk kiosk(central);
    kiosk.send(intent::Start{});
    kiosk.send(intent::ChooseFlow{Flow::Unlock});
    kiosk.send(intent::SubmitIdentifier{"jdoe"});
    kiosk.send(intent::ChooseMethod{"email"});
    std::this_thread::sleep_for(1100ms);
    kiosk.tick(Clock::now());
    kiosk.send(intent::ResendCode{});
    ASSERT_EQ(kiosk.view().notice, Notice::CodeResent);
    std::this_thread::sleep_for(1100ms);
    kiosk.tick(Clock::now());
    kiosk.send(intent::ResendCode{});
    ASSERT_EQ(kiosk.view().screen, Screen::Problem);
    EXPECT_EQ(kiosk.view().problem, Problem::TooManyResends);
    kiosk.send(intent::StartOver{});
    EXPECT_EQ(kiosk.view().screen, Screen::Identify);
    EXPECT_EQ(kiosk.view().flow, Flow::Unlock) << "the same task, from the start";
}

// A verified person's ticket names their account, also after the unlock spent the token and
// they went back to the menu; an unverified person's keeps only the contact they typed.
TEST(AccountFlows, ATicketNamesTheVerifiedAccountAndAnAnonymousOneOnlyTheTypedContact) {
    kiosk::testing::CentralProcess central;
    lock_out(central, "jdoe");
    Kiosk kiosk(central);
    kiosk.verify(central, Flow::Unlock, "jdoe");
    ASSERT_EQ(kiosk.view().screen, Screen::Done);
    kiosk.send(intent::BackToHome{});
    kiosk.send(intent::ChooseFlow{Flow::Ticket});
    ASSERT_EQ(kiosk.view().screen, Screen::Ticket);
    kiosk.send(intent::SubmitTicket{"access", "Still cannot open the VPN", "email", ""});
    ASSERT_EQ(kiosk.view().screen, Screen::Done);
    const auto verified = ticket_at_central(central, kiosk.view().reference);
    EXPECT_EQ(verified.value("username", ""), "jdoe");
    kiosk.send(intent::Finish{});

    kiosk.send(intent::Start{}); // the next person: nothing of jdoe's verification is left
    kiosk.send(intent::ChooseFlow{Flow::Ticket});
    kiosk.send(intent::SubmitTicket{"hardware", "Printer jammed", "email", "jdoe@example.com"});
    ASSERT_EQ(kiosk.view().screen, Screen::Done);
    const auto anonymous = ticket_at_central(central, kiosk.view().reference);
    EXPECT_TRUE(anonymous["username"].is_null()) << anonymous.dump();
    EXPECT_EQ(anonymous.value("identifier", ""), "jdoe@example.com");
}
