// [activation, contact] The home menu's activation and contact-details flows driven through a
// real kiosk-central over TLS (no window): the demo account kzielinski is activated with its
// activation code, a first password and the first code of an authenticator app computed by
// an independent TOTP implementation (oathtool) from the secret the kiosk was given; then it
// signs in and verifies by TOTP. Contact details change at the central, which notifies the
// old address and number.
#include "central_process.hpp"
#include "client_settings.hpp"
#include "kiosk/app/session.hpp"
#include "kiosk/net/http_client.hpp"

#include <array>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <gtest/gtest.h>
#include <regex>
#include <set>

using namespace kiosk;
using namespace kiosk::app;
using namespace std::chrono_literals;

namespace {

constexpr const char* kPassword = "Amber-Meadow-Violin-Sunrise";

class Kiosk {
public:
    explicit Kiosk(const kiosk::testing::CentralProcess& central, SessionSettings session = {})
        // An activation hashes a password with Argon2id: more time than the default.
        : client_(central.base_url(), kiosk::testing::client_settings_for(central, 10s)),
          session_(client_, worker_, inbox_, std::move(session)) {}

    void send(Intent intent, Clock::time_point now = Clock::now()) {
        session_.handle(std::move(intent), now);
        do {
            worker_.wait_idle();
            inbox_.drain();
        } while (session_.view().busy);
    }
    void tick(Clock::time_point now) { session_.tick(now); }
    const ViewModel& view() const { return session_.view(); }
    net::CentralClient& client() { return client_; }

private:
    net::CurlGlobal curl_;
    net::CentralClient client_;
    UiInbox inbox_; // outlives the worker, whose last jobs may still post to it
    BackgroundWorker worker_;
    Session session_;
};

// The TOTP code of base32 `secret` at now + `offset_seconds`, by oathtool.
std::string totp(const std::string& secret, long offset_seconds = 0) {
    const std::string command = "oathtool --totp -b " + secret + " -N @" +
                                std::to_string(std::time(nullptr) + offset_seconds);
    FILE* pipe = popen(command.c_str(), "r");
    std::array<char, 64> buffer{};
    std::string out;
    while (pipe != nullptr && fgets(buffer.data(), buffer.size(), pipe) != nullptr) {
        out += buffer.data();
    }
    if (pipe != nullptr) {
        pclose(pipe);
    }
    out.erase(out.find_last_not_of("\r\n") + 1);
    return out;
}

// A 6-digit code the central cannot take now: none of the steps it accepts (drift ±1).
std::string wrong_totp(const std::string& secret) {
    const std::set<std::string> near = {totp(secret, -60), totp(secret, -30), totp(secret),
                                        totp(secret, 30), totp(secret, 60)};
    for (int n = 0; n < 10; ++n) {
        const std::string code(6, static_cast<char>('0' + n)); // 000000, 111111, ...
        if (!near.contains(code)) {
            return code;
        }
    }
    return "never"; // five codes cannot cover ten candidates
}

long sign_in(const kiosk::testing::CentralProcess& central, const std::string& user,
             const std::string& password) {
    net::HttpsClient http(kiosk::testing::client_settings_for(central, 10s));
    const auto result =
        http.post_json(central.base_url() + "/v1/sign-ins",
                       R"({"username":")" + user + R"(","password":")" + password + R"("})");
    const auto* response = std::get_if<net::HttpResponse>(&result);
    return response != nullptr ? response->status : -1;
}

// Home -> activation -> name and code -> the first password, twice.
void start_activation(Kiosk& kiosk, const std::string& code) {
    kiosk.send(intent::Start{});
    kiosk.send(intent::ChooseFlow{Flow::Activate});
    ASSERT_EQ(kiosk.view().screen, Screen::ActivateAccount);
    kiosk.send(intent::SubmitActivationCode{"kzielinski", SecretString(code)});
    ASSERT_EQ(kiosk.view().screen, Screen::NewPassword);
    kiosk.send(intent::SubmitNewPassword{SecretString(kPassword), SecretString(kPassword)});
}

// The base32 secret the enrolment screen shows, without its spaces.
std::string shown_secret(const ViewModel& view) {
    std::string secret(view.enrolment.secret_groups.view());
    std::erase(secret, ' ');
    return secret;
}

// The notices the central's demo file channel wrote to `file` for `reference`.
std::vector<std::string> notices(const kiosk::testing::CentralProcess& central,
                                 const std::string& file, const std::string& reference) {
    std::ifstream in(central.data_dir() / "outbox" / file);
    std::vector<std::string> found;
    std::string line;
    const std::regex notice(R"re("notice":"([a-z_]+)")re");
    const std::regex to(R"re("to":"([^"]+)")re");
    while (std::getline(in, line)) {
        std::smatch n;
        std::smatch t;
        if (line.find(reference) != std::string::npos && std::regex_search(line, n, notice) &&
            std::regex_search(line, t, to)) {
            found.push_back(n[1].str() + " to " + t[1].str());
        }
    }
    return found;
}

} // namespace

TEST(ActivationFlow, FirstPasswordAndAuthenticatorMakeTheAccountActive) {
    kiosk::testing::CentralProcess central;
    ASSERT_NE(sign_in(central, "kzielinski", kPassword), 200);
    Kiosk kiosk(central);
    kiosk.send(intent::Start{});
    kiosk.send(intent::ChooseFlow{Flow::Activate});
    ASSERT_EQ(kiosk.view().screen, Screen::ActivateAccount);
    // Blank name, blank code: said on the spot, nothing asked.
    kiosk.send(intent::SubmitActivationCode{"  ", SecretString("ACTV-DEMO-2026")});
    EXPECT_EQ(kiosk.view().notice, Notice::IdentifierEmpty);
    kiosk.send(intent::SubmitActivationCode{"kzielinski", SecretString(" - ")});
    EXPECT_EQ(kiosk.view().notice, Notice::ActivationCodeEmpty);
    EXPECT_EQ(kiosk.view().screen, Screen::ActivateAccount);
    // Dashes and case as the person types them: the central ignores both.
    kiosk.send(intent::SubmitActivationCode{" kzielinski ", SecretString("actv-demo-2026")});
    ASSERT_EQ(kiosk.view().screen, Screen::NewPassword);
    EXPECT_EQ(kiosk.view().flow, Flow::Activate);
    EXPECT_EQ(kiosk.view().identifier, "kzielinski");
    // The reset's checks and the central's policy apply to the first password.
    kiosk.send(intent::SubmitNewPassword{SecretString(kPassword), SecretString("other")});
    EXPECT_EQ(kiosk.view().notice, Notice::PasswordsDiffer);
    kiosk.send(intent::SubmitNewPassword{SecretString("short"), SecretString("short")});
    EXPECT_EQ(kiosk.view().screen, Screen::NewPassword);
    EXPECT_EQ(kiosk.view().notice, Notice::PasswordTooShort);
    kiosk.send(intent::SubmitNewPassword{SecretString("kzielinski-Meadow-Violin"),
                                         SecretString("kzielinski-Meadow-Violin")});
    EXPECT_EQ(kiosk.view().notice, Notice::PasswordContainsUsername);
    kiosk.send(intent::SubmitNewPassword{SecretString(kPassword), SecretString(kPassword)});
    ASSERT_EQ(kiosk.view().screen, Screen::EnrolAuthenticator);

    // The QR code's URI and the secret to type are the same secret.
    const std::string secret = shown_secret(kiosk.view());
    EXPECT_TRUE(std::regex_match(std::string(kiosk.view().enrolment.secret_groups.view()),
                                 std::regex("([A-Z2-7]{4} ){7}[A-Z2-7]{4}")))
        << kiosk.view().enrolment.secret_groups.view();
    EXPECT_EQ(kiosk.view().enrolment.otpauth_uri.view(),
              "otpauth://totp/Kiosk:kzielinski?secret=" + secret +
                  "&issuer=Kiosk&algorithm=SHA1&digits=6&period=30");
    EXPECT_EQ(kiosk.view().enrolment.expires_in_seconds, 600);
    EXPECT_NE(sign_in(central, "kzielinski", kPassword), 200) << "not active before confirming";

    kiosk.send(intent::EnrolmentScanned{});
    ASSERT_EQ(kiosk.view().screen, Screen::ConfirmAuthenticator);
    kiosk.send(intent::ShowEnrolmentAgain{});
    EXPECT_EQ(kiosk.view().screen, Screen::EnrolAuthenticator);
    EXPECT_EQ(shown_secret(kiosk.view()), secret) << "the same enrolment, shown again";
    kiosk.send(intent::EnrolmentScanned{});
    kiosk.send(intent::SubmitCode{SecretString("12345")});
    EXPECT_EQ(kiosk.view().notice, Notice::CodeIncomplete);
    kiosk.send(intent::SubmitCode{SecretString(wrong_totp(secret))});
    EXPECT_EQ(kiosk.view().screen, Screen::ConfirmAuthenticator);
    EXPECT_EQ(kiosk.view().notice, Notice::WrongCode);
    EXPECT_EQ(kiosk.view().attempts_left, 4);

    kiosk.send(intent::SubmitCode{SecretString(totp(secret))});
    ASSERT_EQ(kiosk.view().screen, Screen::Done);
    EXPECT_EQ(kiosk.view().flow, Flow::Activate);
    EXPECT_EQ(kiosk.view().reference.rfind("ACT-", 0), 0U) << kiosk.view().reference;
    EXPECT_NE(kiosk.view().receipt_url.find(kiosk.view().reference), std::string::npos);
    EXPECT_TRUE(kiosk.view().enrolment.otpauth_uri.empty()) << "the app has it; we forget it";
    EXPECT_TRUE(kiosk.view().enrolment.secret_groups.empty());

    // Active: the password signs in, and the authenticator verifies (a later step than the
    // one the enrolment used: the central refuses a step twice).
    EXPECT_TRUE(central.password_matches("kzielinski", kPassword));
    EXPECT_EQ(sign_in(central, "kzielinski", kPassword), 200);
    auto started = kiosk.client().start_verification({"kzielinski", "totp"});
    ASSERT_TRUE(std::holds_alternative<api::StartVerificationResponse>(started));
    auto checked = kiosk.client().check_code(
        std::get<api::StartVerificationResponse>(started).challenge_id, {totp(secret, 30)});
    EXPECT_TRUE(std::holds_alternative<api::CheckCodeResponse>(checked))
        << std::get<net::ApiFailure>(checked).detail;

    // The account status at the kiosk now lists the authenticator app.
    kiosk.send(intent::Finish{});
    kiosk.send(intent::Start{});
    kiosk.send(intent::ChooseFlow{Flow::AccountStatus});
    kiosk.send(intent::SubmitIdentifier{"kzielinski"});
    ASSERT_EQ(kiosk.view().screen, Screen::ChooseMethod) << "e-mail or the new app";
    kiosk.send(intent::ChooseMethod{"email"});
    ASSERT_EQ(kiosk.view().screen, Screen::EnterCode);
    kiosk.send(
        intent::SubmitCode{SecretString(central.latest_code_for("kzielinski").value_or(""))});
    ASSERT_EQ(kiosk.view().screen, Screen::AccountStatus);
    EXPECT_EQ(kiosk.view().status.state, "active");
    EXPECT_NE(
        std::find(kiosk.view().status.methods.begin(), kiosk.view().status.methods.end(), "totp"),
        kiosk.view().status.methods.end());

    // The code is spent: a second activation is refused in plain words.
    kiosk.send(intent::Finish{});
    start_activation(kiosk, "ACTV-DEMO-2026");
    EXPECT_EQ(kiosk.view().screen, Screen::ActivateAccount);
    EXPECT_EQ(kiosk.view().notice, Notice::ActivationCodeInvalid);
}

TEST(ActivationFlow, WrongOrExpiredCodesGoBackToTheCodeWithTheNameKept) {
    kiosk::testing::CentralProcess central;
    Kiosk kiosk(central);
    start_activation(kiosk, "ACTV-DEMO-2027");
    EXPECT_EQ(kiosk.view().screen, Screen::ActivateAccount);
    EXPECT_EQ(kiosk.view().notice, Notice::ActivationCodeInvalid);
    EXPECT_EQ(kiosk.view().identifier, "kzielinski") << "shown again in the name field";
    // The code's time ran out (as a year after the demo starts): the same answer.
    ASSERT_FALSE(central.database().try_exec("UPDATE activations SET expires_at = 1"));
    kiosk.send(intent::SubmitActivationCode{"kzielinski", SecretString("ACTV-DEMO-2026")});
    kiosk.send(intent::SubmitNewPassword{SecretString(kPassword), SecretString(kPassword)});
    EXPECT_EQ(kiosk.view().screen, Screen::ActivateAccount);
    EXPECT_EQ(kiosk.view().notice, Notice::ActivationCodeInvalid);
    EXPECT_NE(sign_in(central, "kzielinski", kPassword), 200);
}

TEST(ActivationFlow, AnEnrolmentLeftTooLongStartsAgainAndTheIdleWipeForgetsIt) {
    kiosk::testing::CentralProcess central;
    SessionSettings settings;
    settings.idle_timeout = 60s;
    settings.idle_warning = 10s;
    Kiosk kiosk(central, settings);
    start_activation(kiosk, "ACTV-DEMO-2026");
    ASSERT_EQ(kiosk.view().screen, Screen::EnrolAuthenticator);
    kiosk.send(intent::EnrolmentScanned{});
    // The enrolment's ten minutes pass at the central.
    ASSERT_FALSE(central.database().try_exec("UPDATE activations SET enrolment_expires_at = 1"));
    kiosk.send(intent::SubmitCode{SecretString("123456")});
    EXPECT_EQ(kiosk.view().screen, Screen::Problem);
    EXPECT_EQ(kiosk.view().problem, Problem::EnrolmentExpired);
    EXPECT_TRUE(kiosk.view().enrolment.otpauth_uri.empty());
    // Start over goes back to the activation code, which still works.
    kiosk.send(intent::StartOver{});
    ASSERT_EQ(kiosk.view().screen, Screen::ActivateAccount);
    kiosk.send(intent::SubmitActivationCode{"kzielinski", SecretString("ACTV-DEMO-2026")});
    const auto now = Clock::now();
    kiosk.send(intent::SubmitNewPassword{SecretString(kPassword), SecretString(kPassword)}, now);
    ASSERT_EQ(kiosk.view().screen, Screen::EnrolAuthenticator);
    EXPECT_FALSE(kiosk.view().enrolment.otpauth_uri.empty());
    // Walked away with the QR code on the screen: the idle timeout wipes it.
    kiosk.tick(now + 61s);
    EXPECT_EQ(kiosk.view().screen, Screen::Attract);
    EXPECT_TRUE(kiosk.view().enrolment.otpauth_uri.empty());
    EXPECT_TRUE(kiosk.view().enrolment.secret_groups.empty());
    EXPECT_TRUE(kiosk.view().identifier.empty());
}

TEST(ActivationFlow, FiveWrongAppCodesEndTheEnrolment) {
    kiosk::testing::CentralProcess central;
    Kiosk kiosk(central);
    start_activation(kiosk, "ACTV-DEMO-2026");
    ASSERT_EQ(kiosk.view().screen, Screen::EnrolAuthenticator);
    const std::string secret = shown_secret(kiosk.view());
    kiosk.send(intent::EnrolmentScanned{});
    const std::string wrong = wrong_totp(secret);
    for (int left = 4; left > 0; --left) {
        kiosk.send(intent::SubmitCode{SecretString(wrong)});
        ASSERT_EQ(kiosk.view().notice, Notice::WrongCode);
        EXPECT_EQ(kiosk.view().attempts_left, left);
    }
    kiosk.send(intent::SubmitCode{SecretString(wrong)});
    EXPECT_EQ(kiosk.view().screen, Screen::Problem);
    EXPECT_EQ(kiosk.view().problem, Problem::EnrolmentTooManyAttempts);
}

TEST(ActivationFlow, TheHomeMenuOffersBothFlowsOnlyWhenTheConfigDoes) {
    kiosk::testing::CentralProcess central;
    SessionSettings settings;
    settings.activation_offered = false;
    settings.contact_offered = false;
    Kiosk kiosk(central, settings);
    kiosk.send(intent::Start{});
    EXPECT_FALSE(kiosk.view().activation_offered);
    EXPECT_FALSE(kiosk.view().contact_offered);
    kiosk.send(intent::ChooseFlow{Flow::Activate});
    EXPECT_EQ(kiosk.view().screen, Screen::Home);
    kiosk.send(intent::ChooseFlow{Flow::ContactDetails});
    EXPECT_EQ(kiosk.view().screen, Screen::Home);
    EXPECT_EQ(kiosk.view().flow, Flow::None);
}

TEST(ContactFlow, NewNumberAndAddressAfterVerificationWithNoticesToTheOldOnes) {
    kiosk::testing::CentralProcess central;
    Kiosk kiosk(central);
    kiosk.send(intent::Start{});
    kiosk.send(intent::ChooseFlow{Flow::ContactDetails});
    ASSERT_EQ(kiosk.view().screen, Screen::Identify);
    kiosk.send(intent::SubmitIdentifier{"jdoe"});
    ASSERT_EQ(kiosk.view().screen, Screen::ChooseMethod); // jdoe: e-mail or SMS
    kiosk.send(intent::ChooseMethod{"email"});
    ASSERT_EQ(kiosk.view().screen, Screen::EnterCode);
    kiosk.send(intent::SubmitCode{SecretString(central.latest_code_for("jdoe").value_or(""))});
    ASSERT_EQ(kiosk.view().screen, Screen::ContactDetails);
    // Nothing, a number without its country code, an address without a domain: said here.
    kiosk.send(intent::SubmitContactDetails{" ", ""});
    EXPECT_EQ(kiosk.view().notice, Notice::ContactEmpty);
    kiosk.send(intent::SubmitContactDetails{"", "07700 900199"});
    EXPECT_EQ(kiosk.view().notice, Notice::ContactInvalid);
    kiosk.send(intent::SubmitContactDetails{"jane@example", ""});
    EXPECT_EQ(kiosk.view().notice, Notice::ContactInvalid);
    // Another account's address: the central says so, and the verification is not spent.
    kiosk.send(intent::SubmitContactDetails{"maria.kowalska@example.com", ""});
    EXPECT_EQ(kiosk.view().screen, Screen::ContactDetails);
    EXPECT_EQ(kiosk.view().notice, Notice::ContactUnavailable);
    // Written as people write numbers: spaces, dashes, "00" for "+".
    kiosk.send(intent::SubmitContactDetails{"jane.new@example.org", "0044 7700 900-199"});
    ASSERT_EQ(kiosk.view().screen, Screen::Done);
    EXPECT_EQ(kiosk.view().flow, Flow::ContactDetails);
    EXPECT_TRUE(kiosk.view().contact_email_changed);
    EXPECT_TRUE(kiosk.view().contact_phone_changed);
    const std::string reference = kiosk.view().reference;
    EXPECT_EQ(reference.rfind("CNT-", 0), 0U) << reference;
    EXPECT_EQ(notices(central, "email.jsonl", reference),
              std::vector<std::string>{"contact_changed to jane.doe@example.com"});
    EXPECT_EQ(notices(central, "sms.jsonl", reference),
              std::vector<std::string>{"phone_changed to +447700900101"});
    // The new address gets the next code.
    kiosk.send(intent::Finish{});
    kiosk.send(intent::Start{});
    kiosk.send(intent::ChooseFlow{Flow::ContactDetails});
    kiosk.send(intent::SubmitIdentifier{"jane.new@example.org"});
    ASSERT_EQ(kiosk.view().screen, Screen::ChooseMethod); // the new address or the new number
    kiosk.send(intent::ChooseMethod{"email"});
    ASSERT_EQ(kiosk.view().screen, Screen::EnterCode);
    std::ifstream outbox(central.data_dir() / "outbox" / "email.jsonl");
    std::string line;
    std::string last;
    while (std::getline(outbox, line)) {
        last = line;
    }
    EXPECT_NE(last.find(R"("to":"jane.new@example.org")"), std::string::npos) << last;
}
