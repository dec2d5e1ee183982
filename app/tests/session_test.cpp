// The walk-up session driven through whole flows against a real kiosk-central process
// over TLS (no window): the happy path changes the real password; every failure ends on
// a screen that says what happened.
#include "central_process.hpp"
#include "kiosk/app/session.hpp"

#include <arpa/inet.h>
#include <ctime>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace kiosk;
using namespace kiosk::app;
using namespace std::chrono_literals;

namespace {

constexpr const char* kDemoPassword = "Lobby-Winter-Morning-2026";
constexpr const char* kNewPassword = "Seven-Purple-Elephants-Dance";

class Kiosk {
public:
    explicit Kiosk(const std::string& base_url, const std::filesystem::path& ca,
                   std::chrono::milliseconds total_timeout = 5s,
                   SessionSettings session = SessionSettings{90s, 15s})
        : client_(base_url, settings(ca, total_timeout)),
          session_(client_, worker_, inbox_, std::move(session)) {}

    void send(Intent intent) { session_.handle(std::move(intent), now_); }
    // Attract -> home -> `flow`'s first screen, as a touch on each would.
    void begin(Flow flow = Flow::ResetPassword) {
        send(intent::Start{});
        send(intent::ChooseFlow{flow});
    }
    // Lets the request in flight finish and applies its answer, as the UI loop would; an
    // answer may start the next request (one method offered: its code is asked for at once).
    void settle() {
        do {
            worker_.wait_idle();
            inbox_.drain();
        } while (session_.view().busy);
    }
    void send_and_settle(Intent intent) {
        send(std::move(intent));
        settle();
    }
    void pass_time(std::chrono::seconds s) {
        now_ += s;
        session_.tick(now_);
    }
    const ViewModel& view() const { return session_.view(); }
    Clock::time_point now() const { return now_; }
    Clock::time_point next_deadline() const { return session_.next_deadline(); }

private:
    static net::ClientSettings settings(const std::filesystem::path& ca,
                                        std::chrono::milliseconds total_timeout) {
        net::ClientSettings s;
        s.ca_file = ca;
        s.connect_timeout = 2s;
        s.total_timeout = total_timeout;
        return s;
    }
    net::CurlGlobal curl_;
    net::CentralClient client_;
    UiInbox inbox_; // outlives the worker, whose last jobs may still post to it
    BackgroundWorker worker_;
    Session session_;
    Clock::time_point now_ = Clock::now();
};

// Walks to the new-password screen for `username`.
void verify(Kiosk& kiosk, kiosk::testing::CentralProcess& central, const std::string& username) {
    kiosk.begin();
    ASSERT_EQ(kiosk.view().screen, Screen::Identify);
    kiosk.send_and_settle(intent::SubmitIdentifier{username});
    kiosk.send_and_settle(intent::ChooseMethod{"email"}); // jdoe: e-mail or SMS
    ASSERT_EQ(kiosk.view().screen, Screen::EnterCode);
    const auto code = central.latest_code_for(username);
    ASSERT_TRUE(code.has_value()) << "the central sent no code to " << username;
    kiosk.send_and_settle(intent::SubmitCode{SecretString(*code)});
    ASSERT_EQ(kiosk.view().screen, Screen::NewPassword);
}

std::string wrong_code_for(const std::string& right) {
    return right == "000000" ? "111111" : "000000";
}

} // namespace

TEST(SessionFlow, ResetChangesThePasswordAtTheCentral) {
    kiosk::testing::CentralProcess central;
    Kiosk kiosk(central.base_url(), central.ca_file());
    verify(kiosk, central, "jdoe");
    kiosk.send_and_settle(
        intent::SubmitNewPassword{SecretString(kNewPassword), SecretString(kNewPassword)});
    ASSERT_EQ(kiosk.view().screen, Screen::Done);
    EXPECT_EQ(kiosk.view().reference.rfind("RST-", 0), 0u) << kiosk.view().reference;
    EXPECT_FALSE(kiosk.view().completed_at.empty());
    EXPECT_TRUE(central.password_matches("jdoe", kNewPassword));
    EXPECT_FALSE(central.password_matches("jdoe", kDemoPassword));

    kiosk.send(intent::Finish{});
    EXPECT_EQ(kiosk.view().screen, Screen::Attract);
    EXPECT_TRUE(kiosk.view().reference.empty()) << "the receipt must not outlive the session";
}

TEST(SessionFlow, UsersCanIdentifyByEmailAddress) {
    kiosk::testing::CentralProcess central;
    Kiosk kiosk(central.base_url(), central.ca_file());
    kiosk.begin();
    kiosk.send_and_settle(intent::SubmitIdentifier{"  jane.doe@example.com "});
    kiosk.send_and_settle(intent::ChooseMethod{"email"}); // jdoe: e-mail or SMS
    ASSERT_EQ(kiosk.view().screen, Screen::EnterCode);
    EXPECT_EQ(kiosk.view().identifier, "jane.doe@example.com");
    EXPECT_TRUE(central.latest_code_for("jdoe").has_value());
}

TEST(SessionFlow, WrongCodesCountDownThenStopTheFlow) {
    kiosk::testing::CentralProcess central;
    Kiosk kiosk(central.base_url(), central.ca_file());
    kiosk.begin();
    kiosk.send_and_settle(intent::SubmitIdentifier{"jdoe"});
    kiosk.send_and_settle(intent::ChooseMethod{"email"}); // jdoe: e-mail or SMS
    const std::string wrong = wrong_code_for(central.latest_code_for("jdoe").value());

    kiosk.send_and_settle(intent::SubmitCode{SecretString(wrong)});
    EXPECT_EQ(kiosk.view().screen, Screen::EnterCode);
    EXPECT_EQ(kiosk.view().notice, Notice::WrongCode);
    EXPECT_EQ(kiosk.view().attempts_left, 2);
    kiosk.send_and_settle(intent::SubmitCode{SecretString(wrong)});
    EXPECT_EQ(kiosk.view().attempts_left, 1);
    kiosk.send_and_settle(intent::SubmitCode{SecretString(wrong)});
    EXPECT_EQ(kiosk.view().screen, Screen::Problem);
    EXPECT_EQ(kiosk.view().problem, Problem::TooManyAttempts);
}

TEST(SessionFlow, IncompleteCodeIsCaughtWithoutAsking) {
    kiosk::testing::CentralProcess central;
    Kiosk kiosk(central.base_url(), central.ca_file());
    kiosk.begin();
    kiosk.send_and_settle(intent::SubmitIdentifier{"jdoe"});
    kiosk.send_and_settle(intent::ChooseMethod{"email"}); // jdoe: e-mail or SMS
    kiosk.send_and_settle(intent::SubmitCode{SecretString("12a")});
    EXPECT_EQ(kiosk.view().notice, Notice::CodeIncomplete);
    EXPECT_FALSE(kiosk.view().busy);
}

TEST(SessionFlow, TooShortPasswordIsExplainedAndTheUserCanTryAgain) {
    kiosk::testing::CentralProcess central;
    Kiosk kiosk(central.base_url(), central.ca_file());
    verify(kiosk, central, "jdoe");
    kiosk.send_and_settle(intent::SubmitNewPassword{SecretString("short"), SecretString("short")});
    EXPECT_EQ(kiosk.view().screen, Screen::NewPassword);
    EXPECT_EQ(kiosk.view().notice, Notice::PasswordTooShort);
    EXPECT_EQ(kiosk.view().min_password_length, 15);

    kiosk.send_and_settle(
        intent::SubmitNewPassword{SecretString(kNewPassword), SecretString(kNewPassword)});
    EXPECT_EQ(kiosk.view().screen, Screen::Done);
    EXPECT_TRUE(central.password_matches("jdoe", kNewPassword));
}

TEST(SessionFlow, MismatchedPasswordsNeverLeaveTheKiosk) {
    kiosk::testing::CentralProcess central;
    Kiosk kiosk(central.base_url(), central.ca_file());
    verify(kiosk, central, "jdoe");
    kiosk.send_and_settle(intent::SubmitNewPassword{SecretString(kNewPassword),
                                                    SecretString("Seven-Purple-Elephants-Danse")});
    EXPECT_EQ(kiosk.view().notice, Notice::PasswordsDiffer);
    EXPECT_TRUE(central.password_matches("jdoe", kDemoPassword));
}

TEST(SessionFlow, ExpiredVerificationEndsOnAClearProblem) {
    kiosk::testing::CentralProcess central({"--token-ttl", "1"});
    Kiosk kiosk(central.base_url(), central.ca_file());
    verify(kiosk, central, "jdoe");
    std::this_thread::sleep_for(2100ms);
    kiosk.send_and_settle(
        intent::SubmitNewPassword{SecretString(kNewPassword), SecretString(kNewPassword)});
    EXPECT_EQ(kiosk.view().screen, Screen::Problem);
    EXPECT_EQ(kiosk.view().problem, Problem::VerificationExpired);
    EXPECT_TRUE(central.password_matches("jdoe", kDemoPassword));

    kiosk.send(intent::StartOver{});
    EXPECT_EQ(kiosk.view().screen, Screen::Identify);
}

TEST(SessionFlow, UnreachableCentralEndsOnAClearProblem) {
    std::filesystem::path ca;
    int port = 0;
    {
        kiosk::testing::CentralProcess central; // gives us a real CA, then goes away
        ca = std::filesystem::temp_directory_path() / "kiosk-app-test-ca.pem";
        std::filesystem::copy_file(central.ca_file(), ca,
                                   std::filesystem::copy_options::overwrite_existing);
        port = central.port();
    }
    Kiosk kiosk("https://127.0.0.1:" + std::to_string(port), ca);
    kiosk.begin();
    kiosk.send_and_settle(intent::SubmitIdentifier{"jdoe"});
    EXPECT_EQ(kiosk.view().screen, Screen::Problem);
    EXPECT_EQ(kiosk.view().problem, Problem::CentralUnreachable);
    EXPECT_FALSE(kiosk.view().busy);
}

TEST(SessionFlow, ACentralThatNeverAnswersEndsOnAClearProblemNotAHang) {
    // Accepts TCP connections into its backlog and never says a word.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(fd, 8), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    kiosk::testing::CentralProcess central; // only for a real CA file
    Kiosk kiosk("https://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)), central.ca_file(),
                1500ms);
    kiosk.begin();
    kiosk.send(intent::SubmitIdentifier{"jdoe"});
    EXPECT_TRUE(kiosk.view().busy) << "the UI shows a spinner while the request is out";
    const auto start = std::chrono::steady_clock::now();
    kiosk.settle();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
    EXPECT_EQ(kiosk.view().screen, Screen::Problem);
    EXPECT_EQ(kiosk.view().problem, Problem::CentralUnreachable);
    ::close(fd);
}

TEST(SessionFlow, IdleTimeoutWarnsThenWipesEverything) {
    kiosk::testing::CentralProcess central;
    Kiosk kiosk(central.base_url(), central.ca_file());
    kiosk.begin();
    kiosk.send_and_settle(intent::SubmitIdentifier{"jdoe"});
    kiosk.send_and_settle(intent::ChooseMethod{"email"}); // jdoe: e-mail or SMS
    ASSERT_EQ(kiosk.view().screen, Screen::EnterCode);

    kiosk.pass_time(80s);
    EXPECT_EQ(kiosk.view().idle_seconds_left, 10);
    EXPECT_EQ(kiosk.view().screen, Screen::EnterCode);
    kiosk.pass_time(10s);
    EXPECT_EQ(kiosk.view().screen, Screen::Attract);
    EXPECT_TRUE(kiosk.view().identifier.empty());
    EXPECT_EQ(kiosk.view().idle_seconds_left, 0);
}

TEST(SessionFlow, AnAnswerArrivingAfterTheUserLeftIsDropped) {
    kiosk::testing::CentralProcess central;
    Kiosk kiosk(central.base_url(), central.ca_file());
    kiosk.begin();
    kiosk.send(intent::SubmitIdentifier{"jdoe"});
    kiosk.send(intent::Finish{});
    kiosk.settle();
    EXPECT_EQ(kiosk.view().screen, Screen::Attract);
    EXPECT_FALSE(kiosk.view().busy);
}

TEST(SessionFlow, ThePersonChoosesTheirLanguageAndTheKioskForgetsItWhenTheyLeave) {
    kiosk::testing::CentralProcess central;
    Kiosk kiosk(central.base_url(), central.ca_file());
    EXPECT_EQ(kiosk.view().language, "en");
    const auto before = kiosk.view().revision;
    kiosk.send(intent::ChooseLanguage{"pl"});
    EXPECT_EQ(kiosk.view().language, "pl");
    EXPECT_GT(kiosk.view().revision, before) << "the UI must redraw in Polish";
    kiosk.send(intent::ChooseLanguage{"xx"});
    EXPECT_EQ(kiosk.view().language, "pl") << "a language with no catalog is ignored";

    verify(kiosk, central, "jdoe");
    EXPECT_EQ(kiosk.view().language, "pl") << "the choice lasts through the flow";
    kiosk.send(intent::StartOver{});
    EXPECT_EQ(kiosk.view().screen, Screen::Identify);
    EXPECT_EQ(kiosk.view().language, "pl") << "starting again is still the same person";
    kiosk.send(intent::Finish{});
    EXPECT_EQ(kiosk.view().screen, Screen::Attract);
    EXPECT_EQ(kiosk.view().language, "en");
}

TEST(SessionFlow, IdleTimeoutPutsBackTheDefaultLanguageAndModes) {
    kiosk::testing::CentralProcess central;
    SessionSettings settings{90s, 15s};
    settings.default_language = "ru";
    Kiosk kiosk(central.base_url(), central.ca_file(), 5s, settings);
    EXPECT_EQ(kiosk.view().language, "ru") << "the attract screen starts in the default";
    kiosk.send(intent::ChooseLanguage{"he"});
    kiosk.send(intent::SetLargeText{true});
    kiosk.send(intent::SetHighContrast{true});
    kiosk.begin();
    kiosk.send_and_settle(intent::SubmitIdentifier{"jdoe"});
    kiosk.send_and_settle(intent::ChooseMethod{"email"}); // jdoe: e-mail or SMS
    ASSERT_EQ(kiosk.view().screen, Screen::EnterCode);
    EXPECT_EQ(kiosk.view().language, "he");
    EXPECT_TRUE(kiosk.view().large_text);

    kiosk.pass_time(80s);
    EXPECT_EQ(kiosk.view().language, "he") << "the countdown speaks the person's language";
    kiosk.pass_time(10s);
    EXPECT_EQ(kiosk.view().screen, Screen::Attract);
    EXPECT_EQ(kiosk.view().language, "ru");
    EXPECT_FALSE(kiosk.view().large_text);
    EXPECT_FALSE(kiosk.view().high_contrast);
}

TEST(SessionFlow, AChoiceLeftOnTheAttractScreenIsUndoneAfterTheIdleTime) {
    kiosk::testing::CentralProcess central;
    Kiosk kiosk(central.base_url(), central.ca_file());
    EXPECT_EQ(kiosk.next_deadline(), Clock::time_point::max()) << "nothing to undo: sleep";
    kiosk.send(intent::ChooseLanguage{"he"});
    kiosk.send(intent::SetHighContrast{true});
    EXPECT_EQ(kiosk.next_deadline(), kiosk.now() + 90s);
    kiosk.pass_time(89s);
    EXPECT_EQ(kiosk.view().language, "he");
    EXPECT_EQ(kiosk.view().idle_seconds_left, 0) << "no countdown on the attract screen";
    kiosk.pass_time(1s);
    EXPECT_EQ(kiosk.view().screen, Screen::Attract);
    EXPECT_EQ(kiosk.view().language, "en");
    EXPECT_FALSE(kiosk.view().high_contrast);
    EXPECT_EQ(kiosk.next_deadline(), Clock::time_point::max());
}

// The central's password history (central/src/password_history.cpp): the current password
// is refused, and the kiosk says why on the same screen, keeping the verification.
TEST(SessionFlow, ARecentPasswordIsRefusedWithItsOwnNotice) {
    kiosk::testing::CentralProcess central;
    Kiosk kiosk(central.base_url(), central.ca_file());
    verify(kiosk, central, "jdoe");
    kiosk.send_and_settle(
        intent::SubmitNewPassword{SecretString(kDemoPassword), SecretString(kDemoPassword)});
    EXPECT_EQ(kiosk.view().screen, Screen::NewPassword);
    EXPECT_EQ(kiosk.view().notice, Notice::PasswordReused);
    kiosk.send_and_settle(
        intent::SubmitNewPassword{SecretString(kNewPassword), SecretString(kNewPassword)});
    EXPECT_EQ(kiosk.view().screen, Screen::Done) << "the same verification still works";
    EXPECT_TRUE(central.password_matches("jdoe", kNewPassword));
}

// The per-kiosk rate limit (429 rate_limited with Retry-After): a Problem screen that says
// how many minutes to wait, at identify and at the code alike.
TEST(SessionFlow, TooManyRequestsFromThisKioskSayWhenToTryAgain) {
    kiosk::testing::CentralProcess central({"--kiosk-rate-limit", "3/60"});
    const auto now = static_cast<long long>(std::time(nullptr));
    if (3600 - now % 3600 < 30) { // fixed windows: not across the end of one
        std::this_thread::sleep_for(std::chrono::seconds(3600 - now % 3600 + 1));
    }
    Kiosk kiosk(central.base_url(), central.ca_file());
    kiosk.begin();
    kiosk.send_and_settle(intent::SubmitIdentifier{"jdoe"}); // 1: the verification options
    ASSERT_EQ(kiosk.view().screen, Screen::ChooseMethod);
    kiosk.send_and_settle(intent::ChooseMethod{"email"}); // 2: the code is sent
    ASSERT_EQ(kiosk.view().screen, Screen::EnterCode);
    const std::string wrong = wrong_code_for(central.latest_code_for("jdoe").value());
    kiosk.send_and_settle(intent::SubmitCode{SecretString(wrong)}); // 3
    EXPECT_EQ(kiosk.view().notice, Notice::WrongCode);
    kiosk.send_and_settle(intent::SubmitCode{SecretString(wrong)}); // 4: over the limit
    ASSERT_EQ(kiosk.view().screen, Screen::Problem);
    EXPECT_EQ(kiosk.view().problem, Problem::RateLimited);
    EXPECT_GE(kiosk.view().retry_after_minutes, 1);
    EXPECT_LE(kiosk.view().retry_after_minutes, 60);

    kiosk.send(intent::StartOver{});
    ASSERT_EQ(kiosk.view().screen, Screen::Identify);
    kiosk.send_and_settle(intent::SubmitIdentifier{"jdoe"});
    EXPECT_EQ(kiosk.view().screen, Screen::Problem);
    EXPECT_EQ(kiosk.view().problem, Problem::RateLimited)
        << "not offered to save the request for later: the central did answer";
}
