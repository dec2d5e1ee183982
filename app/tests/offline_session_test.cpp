// The kiosk's offline fallback against a real kiosk-central over TLS (no window): a user
// verified online whose reset meets a stopped central gets a "saved" receipt, the outbox
// holds it sealed, and the restarted central applies it once; a full outbox says so.
#include "central_process.hpp"
#include "client_settings.hpp"
#include "kiosk/app/offline_services.hpp"
#include "kiosk/app/session.hpp"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <future>
#include <gtest/gtest.h>
#include <thread>

using namespace kiosk;
using namespace kiosk::app;
using namespace std::chrono_literals;

namespace {

constexpr const char* kDemoPassword = "Lobby-Winter-Morning-2026";
constexpr const char* kNewPassword = "Seven-Purple-Elephants-Dance";

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

std::filesystem::path fresh_dir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "kiosk-app-offline-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed");
    }
    return pattern;
}

// Every byte of the outbox file and its WAL, where fresh rows live until a checkpoint.
std::string outbox_bytes(const std::filesystem::path& file) {
    std::string bytes;
    for (const char* suffix : {"", "-wal"}) {
        std::ifstream raw(file.string() + suffix, std::ios::binary);
        bytes.append((std::istreambuf_iterator<char>(raw)), std::istreambuf_iterator<char>());
    }
    return bytes;
}

// The kiosk as main() wires it, minus the window: session, background worker, inbox, and
// the offline services with their own outbox in a fresh folder.
class OfflineKiosk {
public:
    OfflineKiosk(const kiosk::testing::CentralProcess& central, std::size_t max_items = 5'000)
        : dir_(fresh_dir()),
          client_(central.base_url(), kiosk::testing::client_settings_for(central)) {
        OfflineSettings settings;
        settings.outbox_file = dir_ / "outbox.db";
        settings.sealing_key_file = dir_ / "sealing-key.pem";
        settings.outbox.max_items = max_items;
        settings.sync.base_backoff = 50ms;
        settings.sync.max_backoff = 300ms;
        settings.key_retry = 100ms;
        std::string error;
        offline_ = OfflineServices::open(
            central.base_url(), kiosk::testing::client_settings_for(central), settings, error);
        if (!offline_) {
            throw std::runtime_error(error);
        }
        session_ = std::make_unique<Session>(client_, worker_, inbox_, SessionSettings{90s, 15s},
                                             offline_.get());
    }
    ~OfflineKiosk() {
        session_.reset();
        worker_.wait_idle();
        offline_->stop();
        offline_.reset();
        std::filesystem::remove_all(dir_);
    }
    OfflineKiosk(const OfflineKiosk&) = delete;
    OfflineKiosk& operator=(const OfflineKiosk&) = delete;

    void send_and_settle(Intent intent) {
        session_->handle(std::move(intent), Clock::now());
        do { // an answer may start the next request (one method offered: its code at once)
            worker_.wait_idle();
            inbox_.drain();
        } while (session_->view().busy);
    }
    // Walks to the new-password screen for `username`, online.
    void verify(kiosk::testing::CentralProcess& central, const std::string& username) {
        send_and_settle(intent::Start{});
        send_and_settle(intent::ChooseFlow{Flow::ResetPassword});
        send_and_settle(intent::SubmitIdentifier{username});
        send_and_settle(intent::ChooseMethod{"email"}); // when more than one is offered
        ASSERT_EQ(view().screen, Screen::EnterCode);
        const auto code = central.latest_code_for(username);
        ASSERT_TRUE(code.has_value());
        send_and_settle(intent::SubmitCode{SecretString(*code)});
        ASSERT_EQ(view().screen, Screen::NewPassword);
    }
    const ViewModel& view() const { return session_->view(); }
    OfflineServices& offline() { return *offline_; }
    net::CentralClient& client() { return client_; }
    BackgroundWorker& worker() { return worker_; }
    void send(Intent intent) { session_->handle(std::move(intent), Clock::now()); }
    std::filesystem::path outbox_file() const { return dir_ / "outbox.db"; }
    const std::filesystem::path& dir() const { return dir_; }

private:
    std::filesystem::path dir_;
    net::CurlGlobal curl_;
    net::CentralClient client_;
    std::unique_ptr<OfflineServices> offline_; // before the worker: its jobs use it
    UiInbox inbox_; // outlives the worker, whose last jobs may still post to it
    BackgroundWorker worker_;
    std::unique_ptr<Session> session_;
};

} // namespace

TEST(OfflineSession, AResetTheCentralMissesIsSavedSealedAndAppliedWhenItReturns) {
    kiosk::testing::CentralProcess central;
    OfflineKiosk kiosk(central);
    // The worker starts once the item has been looked at: a first failed attempt would
    // put it in backoff, where next_batch() does not return it.
    ASSERT_TRUE(kiosk.offline().refresh_sealing_key());
    kiosk.verify(central, "jdoe");

    central.stop(); // verified online; the central goes away before the password is sent
    kiosk.send_and_settle(
        intent::SubmitNewPassword{SecretString(kNewPassword), SecretString(kNewPassword)});
    ASSERT_EQ(kiosk.view().screen, Screen::Done);
    EXPECT_TRUE(kiosk.view().saved_for_later);
    EXPECT_EQ(kiosk.view().reference.rfind("Q-", 0), 0u) << kiosk.view().reference;
    EXPECT_FALSE(kiosk.view().completed_at.empty());
    EXPECT_EQ(kiosk.view().notice, Notice::None);

    // One item, under a key that starts with the receipt's reference, sealed: neither the
    // password nor the verification token's JSON field is anywhere in the file or its WAL.
    ASSERT_EQ(kiosk.offline().outbox().counts().pending, 1u);
    const auto items = kiosk.offline().outbox().next_batch(10);
    ASSERT_EQ(items.size(), 1u);
    EXPECT_EQ(items[0].idempotency_key.rfind(kiosk.view().reference + "-", 0), 0u);
    EXPECT_TRUE(items[0].sealed);
    EXPECT_EQ(items[0].route, "/v1/password-resets");
    const auto bytes = outbox_bytes(kiosk.outbox_file());
    EXPECT_FALSE(bytes.empty());
    EXPECT_EQ(bytes.find(kNewPassword), std::string::npos);
    EXPECT_EQ(bytes.find("new_password"), std::string::npos);
    EXPECT_EQ(bytes.find("verification_token"), std::string::npos);
    EXPECT_TRUE(central.password_matches("jdoe", kDemoPassword)) << "not applied while down";

    kiosk.send_and_settle(intent::Finish{});
    EXPECT_FALSE(kiosk.view().saved_for_later) << "the receipt must not outlive the session";
    kiosk.offline().start(); // the central is still down: the worker retries meanwhile

    central.start_again(); // same port: the kiosk's URL is valid again
    // Pending, not size: the session_ended event needs a client certificate this unenrolled
    // test kiosk does not have, so it ends a dead letter.
    ASSERT_TRUE(eventually([&] { return kiosk.offline().outbox().counts().pending == 0; }, 30s))
        << kiosk.offline().sync().status().last_error;
    kiosk.offline().stop();
    central.stop();
    EXPECT_EQ(kiosk.offline().sync().status().delivered, 1u);
    EXPECT_TRUE(central.password_matches("jdoe", kNewPassword));
    EXPECT_FALSE(central.password_matches("jdoe", kDemoPassword));
    const auto notices = central.notices_for("jdoe");
    EXPECT_EQ(std::count_if(notices.begin(), notices.end(),
                            [](const std::string& n) { return n.rfind("password_reset", 0) == 0; }),
              1);
}

// The timeout case the fallback exists for: the online reset did reach the central, but
// its answer was lost, and the queued copy under the same key arrives later. The central
// replays instead of applying again; a different request under that key is refused.
TEST(OfflineSession, TheQueuedTwinOfAnAppliedResetIsReplayedNotAppliedTwice) {
    kiosk::testing::CentralProcess central;
    OfflineKiosk kiosk(central);
    ASSERT_TRUE(kiosk.offline().refresh_sealing_key());

    auto started = kiosk.client().start_verification({"jdoe", "email"});
    ASSERT_TRUE(std::holds_alternative<api::StartVerificationResponse>(started));
    const auto challenge = std::get<api::StartVerificationResponse>(started).challenge_id;
    auto checked = kiosk.client().check_code(challenge, {central.latest_code_for("jdoe").value()});
    ASSERT_TRUE(std::holds_alternative<api::CheckCodeResponse>(checked));
    const auto token = std::get<api::CheckCodeResponse>(checked).verification_token;

    const std::string key = "Q-REPLAYTEST-0123456789abcdef";
    auto online = kiosk.client().reset_password({token, kNewPassword}, key);
    ASSERT_TRUE(std::holds_alternative<api::ResetPasswordResponse>(online));
    ASSERT_TRUE(central.password_matches("jdoe", kNewPassword));

    const std::string twin =
        R"({"verification_token":")" + token + R"(","new_password":")" + kNewPassword + R"("})";
    ASSERT_EQ(kiosk.offline().defer("/v1/password-resets", twin, key).outcome, DeferOutcome::Saved);
    kiosk.offline().start();
    // Delivered, not a dead letter: the spent token would have made a second application
    // fail with token_invalid, so this is the stored answer replayed. (The status is
    // published just after the outbox changes, hence both in the wait.)
    ASSERT_TRUE(eventually(
        [&] {
            return kiosk.offline().outbox().size() == 0 &&
                   kiosk.offline().sync().status().delivered == 1;
        },
        20s))
        << kiosk.offline().sync().status().last_error;
    EXPECT_EQ(kiosk.offline().outbox().counts().dead, 0u);

    const std::string other = R"({"verification_token":")" + token +
                              R"(","new_password":"Another-Password-Entirely-42"})";
    ASSERT_EQ(kiosk.offline().defer("/v1/password-resets", other, key).outcome,
              DeferOutcome::Saved);
    ASSERT_TRUE(eventually([&] { return kiosk.offline().outbox().counts().dead == 1; }, 20s));
    EXPECT_EQ(kiosk.offline().outbox().dead_letters(1).at(0).dead_reason, "idempotency_key_reused");
    kiosk.offline().stop();

    EXPECT_TRUE(central.password_matches("jdoe", kNewPassword));
    const auto notices = central.notices_for("jdoe");
    EXPECT_EQ(std::count_if(notices.begin(), notices.end(),
                            [](const std::string& n) { return n.rfind("password_reset", 0) == 0; }),
              1);
}

TEST(OfflineSession, AFullOutboxSaysTheRequestCannotBeSavedAndKeepsThePasswordScreen) {
    kiosk::testing::CentralProcess central;
    OfflineKiosk kiosk(central, /*max_items=*/1);
    ASSERT_TRUE(kiosk.offline().refresh_sealing_key());
    // The one slot is taken (the sync worker is not running, so it stays taken).
    ASSERT_EQ(kiosk.offline()
                  .defer("/v1/verifications", R"({"identifier":"tnowak","method":"email"})",
                         "Q-FILLER-0001")
                  .outcome,
              DeferOutcome::Saved);
    kiosk.verify(central, "jdoe");

    central.stop();
    kiosk.send_and_settle(
        intent::SubmitNewPassword{SecretString(kNewPassword), SecretString(kNewPassword)});
    EXPECT_EQ(kiosk.view().screen, Screen::NewPassword);
    EXPECT_EQ(kiosk.view().notice, Notice::CannotSaveRequest);
    EXPECT_FALSE(kiosk.view().saved_for_later);
    EXPECT_EQ(kiosk.offline().outbox().size(), 1u);
    EXPECT_TRUE(central.password_matches("jdoe", kDemoPassword));
}

// Without a sealing key nothing secret may be queued: the user is told the central is
// unreachable, exactly as a kiosk without an outbox would.
TEST(OfflineSession, WithoutTheSealingKeyNothingIsSaved) {
    kiosk::testing::CentralProcess central;
    OfflineKiosk kiosk(central);
    kiosk.verify(central, "jdoe");
    central.stop();
    kiosk.send_and_settle(
        intent::SubmitNewPassword{SecretString(kNewPassword), SecretString(kNewPassword)});
    EXPECT_EQ(kiosk.view().screen, Screen::Problem);
    EXPECT_EQ(kiosk.view().problem, Problem::CentralUnreachable);
    EXPECT_EQ(kiosk.offline().outbox().size(), 0u);
}

// The key is remembered on disk, so a kiosk started while the central is down can still
// save a reset for later; the key file is the central's public key, nothing else.
TEST(OfflineSession, ARememberedSealingKeyLetsAKioskStartedDuringAnOutageSeal) {
    kiosk::testing::CentralProcess central;
    OfflineKiosk kiosk(central);
    kiosk.offline().start();
    const auto remembered = kiosk.dir() / "sealing-key.pem";
    ASSERT_TRUE(eventually([&] { return std::filesystem::exists(remembered); }, 10s));
    std::ifstream mine(remembered);
    std::ifstream theirs(central.data_dir() / "sealing" / "public.pem");
    const std::string mine_text((std::istreambuf_iterator<char>(mine)),
                                std::istreambuf_iterator<char>());
    const std::string theirs_text((std::istreambuf_iterator<char>(theirs)),
                                  std::istreambuf_iterator<char>());
    EXPECT_EQ(mine_text, theirs_text);
    kiosk.offline().stop();
    central.stop();

    OfflineSettings settings;
    settings.outbox_file = kiosk.dir() / "second-outbox.db";
    settings.sealing_key_file = remembered;
    settings.key_retry = 100ms;
    std::string error;
    auto later = OfflineServices::open(
        central.base_url(), kiosk::testing::client_settings_for(central), settings, error);
    ASSERT_TRUE(later) << error;
    EXPECT_TRUE(later->has_sealing_key());
    EXPECT_FALSE(later->refresh_sealing_key()) << "the central is down";
    EXPECT_EQ(later
                  ->defer("/v1/verifications", R"({"identifier":"jdoe","method":"email"})",
                          "Q-REMEMBERED-0001")
                  .outcome,
              DeferOutcome::Saved);
    EXPECT_EQ(later->outbox().size(), 1u);
    later->stop();
}

// Online, the reset carries a fresh Idempotency-Key (the "Q-" reference form), so a lost
// answer can be retried or queued under it; the central keeps its answer under that key.
TEST(OfflineSession, AnOnlineResetCarriesAFreshIdempotencyKey) {
    kiosk::testing::CentralProcess central;
    OfflineKiosk kiosk(central);
    kiosk.verify(central, "jdoe");
    kiosk.send_and_settle(
        intent::SubmitNewPassword{SecretString(kNewPassword), SecretString(kNewPassword)});
    ASSERT_EQ(kiosk.view().screen, Screen::Done);
    EXPECT_FALSE(kiosk.view().saved_for_later);
    const std::string reference = kiosk.view().reference; // RST-... from the central
    EXPECT_EQ(kiosk.offline().outbox().size(), 0u);

    std::vector<std::string> reset_keys;
    for (const auto& [key, answer] : central.stored_answers()) {
        if (answer.second.find(reference) != std::string::npos) {
            reset_keys.push_back(key);
        }
    }
    ASSERT_EQ(reset_keys.size(), 1u) << "one stored answer holds the receipt " << reference;
    EXPECT_EQ(reset_keys[0].rfind("Q-", 0), 0u) << reset_keys[0];
    EXPECT_GE(reset_keys[0].size(), 30u) << reset_keys[0];
}

// SIGTERM right after "Send": the ticket's request had not started (the worker was busy),
// so the stop writes it to the outbox instead of dropping it, sealed, and the outbox holds
// it for the next start; the stop does not wait for any network.
TEST(OfflineSession, ATicketSentAtTheMomentOfShutdownIsInTheOutboxAfterIt) {
    kiosk::testing::CentralProcess central;
    OfflineKiosk kiosk(central);
    ASSERT_TRUE(kiosk.offline().refresh_sealing_key());
    kiosk.send_and_settle(intent::Start{});
    kiosk.send_and_settle(intent::ChooseFlow{Flow::Ticket});
    ASSERT_EQ(kiosk.view().screen, Screen::Ticket);
    kiosk.offline().stop(); // no delivery: what the stop saves stays to be seen

    std::promise<void> release;
    std::atomic<bool> busy = false;
    kiosk.worker().submit([&busy, done = release.get_future().share()] {
        busy = true;
        done.wait(); // an earlier request still under way
    });
    ASSERT_TRUE(eventually([&] { return busy.load(); }, 5s));
    kiosk.send(intent::SubmitTicket{"hardware", "Screen cracked", "none", ""});
    std::thread terminate([&release] {
        std::this_thread::sleep_for(50ms);
        release.set_value();
    });
    const auto before = std::chrono::steady_clock::now();
    EXPECT_EQ(kiosk.worker().stop(BackgroundWorker::kStopLimit), 0u);
    terminate.join();
    EXPECT_LT(std::chrono::steady_clock::now() - before, 2s) << "no network at the stop";

    const auto items = kiosk.offline().outbox().next_batch(100);
    int tickets = 0;
    for (const auto& item : items) {
        if (item.route == "/v1/tickets") {
            ++tickets;
            EXPECT_TRUE(item.sealed) << "the description is the person's own words";
        }
    }
    EXPECT_EQ(tickets, 1);
    EXPECT_EQ(outbox_bytes(kiosk.outbox_file()).find("Screen cracked"), std::string::npos);
}
