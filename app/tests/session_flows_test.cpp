// The home menu's account flows driven through a real kiosk-central over TLS (no window):
// unlock and account status share the verification of the reset flow, and what the kiosk
// shows is what the central holds (lockout, methods) and did (unlock notice, sign-in works).
#include "central_process.hpp"
#include "kiosk/app/session.hpp"
#include "kiosk/net/http_client.hpp"

#include <gtest/gtest.h>

using namespace kiosk;
using namespace kiosk::app;
using namespace std::chrono_literals;

namespace {

constexpr const char* kDemoPassword = "Lobby-Winter-Morning-2026";

net::ClientSettings client_settings(const std::filesystem::path& ca) {
    net::ClientSettings s;
    s.ca_file = ca;
    s.connect_timeout = 2s;
    s.total_timeout = 5s;
    return s;
}

class Kiosk {
public:
    explicit Kiosk(const kiosk::testing::CentralProcess& central, SessionSettings session = {})
        : client_(central.base_url(), client_settings(central.ca_file())),
          session_(client_, worker_, inbox_, std::move(session)) {}

    void send(Intent intent) {
        session_.handle(std::move(intent), Clock::now());
        // An answer may start the next request (a checked code asks for the status): settle
        // until nothing is under way.
        do {
            worker_.wait_idle();
            inbox_.drain();
        } while (session_.view().busy);
    }
    const ViewModel& view() const { return session_.view(); }

    // Home -> `flow` -> identify as `who` -> the code the central mailed.
    void verify(kiosk::testing::CentralProcess& central, Flow flow, const std::string& who) {
        send(intent::Start{});
        ASSERT_EQ(view().screen, Screen::Home);
        send(intent::ChooseFlow{flow});
        ASSERT_EQ(view().screen, Screen::Identify);
        send(intent::SubmitIdentifier{who});
        ASSERT_EQ(view().screen, Screen::EnterCode);
        const auto code = central.latest_code_for(who);
        ASSERT_TRUE(code.has_value());
        send(intent::SubmitCode{SecretString(*code)});
    }

private:
    net::CurlGlobal curl_;
    net::CentralClient client_;
    BackgroundWorker worker_;
    UiInbox inbox_;
    Session session_;
};

// Signs in at the central's directory route; returns the HTTP status.
long sign_in(const kiosk::testing::CentralProcess& central, const std::string& user,
             const std::string& password) {
    net::HttpsClient http(client_settings(central.ca_file()));
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
