// A request made while the central cannot be reached at all, end to end with no window: the
// kiosk offers to save it, seals it into the outbox with the offline_request shape, and its
// receipt says it waits for the owner's confirmation; when the real kiosk-central returns
// the queue drains, the central answers 202 awaiting_confirmation, and the code from the
// demo mail confirms it exactly once. Also: a full disk and a real I/O error (RLIMIT_FSIZE)
// while saving tell the user so and lose nothing already saved.
#include "central_process.hpp"
#include "client_settings.hpp"
#include "kiosk/app/offline_request.hpp"
#include "kiosk/app/offline_services.hpp"
#include "kiosk/app/session.hpp"

#include <csignal>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <sys/resource.h>
#include <thread>

using namespace kiosk;
using namespace kiosk::app;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

constexpr const char* kDemoPassword = "Lobby-Winter-Morning-2026";
constexpr const char* kNewPassword = "Orchard-Violin-Tuesday-Kite";

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
        (std::filesystem::temp_directory_path() / "kiosk-offline-request-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed");
    }
    return pattern;
}

std::string file_bytes(const std::filesystem::path& file) {
    std::string bytes;
    for (const char* suffix : {"", "-wal"}) {
        std::ifstream raw(file.string() + suffix, std::ios::binary);
        bytes.append((std::istreambuf_iterator<char>(raw)), std::istreambuf_iterator<char>());
    }
    return bytes;
}

// Confirmation messages the demo mail outbox holds for `account`.
std::vector<json> confirmations_for(const kiosk::testing::CentralProcess& central,
                                    const std::string& account) {
    std::ifstream in(central.data_dir() / "outbox" / "email.jsonl");
    std::vector<json> found;
    std::string line;
    while (std::getline(in, line)) {
        auto entry = json::parse(line, nullptr, false);
        if (!entry.is_discarded() && entry.value("account", "") == account &&
            entry.contains("confirmation")) {
            found.push_back(std::move(entry));
        }
    }
    return found;
}

// The kiosk as main() wires it, minus the window, with its own outbox in a fresh folder.
class Kiosk {
public:
    explicit Kiosk(const kiosk::testing::CentralProcess& central,
                   offline::OutboxOptions outbox = {})
        : dir_(fresh_dir()),
          client_(central.base_url(), kiosk::testing::client_settings_for(central)) {
        OfflineSettings settings;
        settings.outbox_file = dir_ / "outbox.db";
        settings.sealing_key_file = dir_ / "sealing-key.pem";
        settings.outbox = std::move(outbox);
        settings.sync.base_backoff = 50ms;
        settings.sync.max_backoff = 300ms;
        settings.key_retry = 100ms;
        std::string error;
        offline_ = OfflineServices::open(
            central.base_url(), kiosk::testing::client_settings_for(central), settings, error);
        if (!offline_) {
            throw std::runtime_error(error);
        }
        SessionSettings session;
        session.offline_confirmation_hours = 24;
        session_ = std::make_unique<Session>(client_, worker_, inbox_, session, offline_.get());
    }
    ~Kiosk() {
        session_.reset();
        worker_.wait_idle();
        offline_->stop();
        offline_.reset();
        std::filesystem::remove_all(dir_);
    }
    Kiosk(const Kiosk&) = delete;
    Kiosk& operator=(const Kiosk&) = delete;

    void send(Intent intent) {
        session_->handle(std::move(intent), Clock::now());
        worker_.wait_idle();
        inbox_.drain();
    }
    // Home -> `flow` -> identify as `who`, with the central unreachable.
    void identify_offline(Flow flow, const std::string& who) {
        send(intent::Start{});
        send(intent::ChooseFlow{flow});
        send(intent::SubmitIdentifier{who});
    }
    const ViewModel& view() const { return session_->view(); }
    OfflineServices& offline() { return *offline_; }
    std::filesystem::path outbox_file() const { return dir_ / "outbox.db"; }

private:
    std::filesystem::path dir_;
    net::CurlGlobal curl_;
    net::CentralClient client_;
    std::unique_ptr<OfflineServices> offline_;
    UiInbox inbox_; // outlives the worker, whose last jobs may still post to it
    BackgroundWorker worker_;
    std::unique_ptr<Session> session_;
};

// Makes every write past `bytes` into a regular file fail with EFBIG, as the kernel does
// for a process over its file-size limit: SQLite sees a real failed write(2). SIGXFSZ is
// ignored meanwhile (its default would end the process). Restored when this goes.
class FileSizeLimit {
public:
    explicit FileSizeLimit(rlim_t bytes) {
        getrlimit(RLIMIT_FSIZE, &saved_);
        previous_handler_ = std::signal(SIGXFSZ, SIG_IGN);
        rlimit limit = saved_;
        limit.rlim_cur = bytes;
        setrlimit(RLIMIT_FSIZE, &limit);
    }
    ~FileSizeLimit() {
        setrlimit(RLIMIT_FSIZE, &saved_);
        std::signal(SIGXFSZ, previous_handler_);
    }
    FileSizeLimit(const FileSizeLimit&) = delete;
    FileSizeLimit& operator=(const FileSizeLimit&) = delete;

private:
    rlimit saved_{};
    void (*previous_handler_)(int) = nullptr;
};

} // namespace

TEST(OfflineRequestBody, HasTheOfflineRequestShapeAndNoToken) {
    const auto reset = json::parse(offline_request_body(
        OfflineRequestKind::PasswordReset, "jdoe \"x\"", "2026-11-23T07:00:00Z", "he", "pw\\1"));
    EXPECT_EQ(reset["offline_request"]["identifier"], "jdoe \"x\"");
    EXPECT_EQ(reset["offline_request"]["requested_at"], "2026-11-23T07:00:00Z");
    EXPECT_EQ(reset["offline_request"]["language"], "he");
    EXPECT_EQ(reset["new_password"], "pw\\1");
    EXPECT_FALSE(reset.contains("verification_token"));
    const auto unlock = json::parse(
        offline_request_body(OfflineRequestKind::Unlock, "jdoe", "2026-11-23T07:00:00Z", "en"));
    EXPECT_FALSE(unlock.contains("new_password"));
    EXPECT_EQ(offline_request_route(OfflineRequestKind::PasswordReset), "/v1/password-resets");
    EXPECT_EQ(offline_request_route(OfflineRequestKind::Unlock), "/v1/unlocks");
}

TEST(OfflineRequestBody, LocalPasswordChecksCountCharactersNotBytes) {
    EXPECT_EQ(check_password_locally("short", 15), LocalPasswordCheck::TooShort);
    // 15 Cyrillic letters are 30 bytes but 15 characters.
    EXPECT_EQ(check_password_locally("абвгдежзийклмно", 15), LocalPasswordCheck::Ok);
    EXPECT_EQ(check_password_locally("абвгдежзийклмн", 15), LocalPasswordCheck::TooShort);
    EXPECT_EQ(check_password_locally(std::string(257, 'a'), 15), LocalPasswordCheck::TooLong);
}

// The headless flow: nothing reaches the central, the reset is saved for confirmation.
TEST(OfflineRequestFlow, AResetMadeOfflineIsSavedSealedWithAReceiptThatSaysItAwaitsConfirmation) {
    kiosk::testing::CentralProcess central;
    Kiosk kiosk(central);
    ASSERT_TRUE(kiosk.offline().refresh_sealing_key());
    central.stop(); // unreachable from the very first step

    kiosk.identify_offline(Flow::ResetPassword, "jdoe");
    ASSERT_EQ(kiosk.view().screen, Screen::OfflineOffer);
    EXPECT_EQ(kiosk.view().confirm_within_hours, 24);
    kiosk.send(intent::SaveForConfirmation{});
    ASSERT_EQ(kiosk.view().screen, Screen::OfflinePassword);

    kiosk.send(intent::SubmitOfflinePassword{SecretString(kNewPassword), SecretString("other")});
    EXPECT_EQ(kiosk.view().notice, Notice::PasswordsDiffer);
    kiosk.send(intent::SubmitOfflinePassword{SecretString("too-short"), SecretString("too-short")});
    EXPECT_EQ(kiosk.view().notice, Notice::PasswordTooShort);
    EXPECT_EQ(kiosk.offline().outbox().size(), 0u) << "nothing saved before the checks pass";

    kiosk.send(
        intent::SubmitOfflinePassword{SecretString(kNewPassword), SecretString(kNewPassword)});
    ASSERT_EQ(kiosk.view().screen, Screen::Done);
    EXPECT_TRUE(kiosk.view().saved_for_later);
    EXPECT_TRUE(kiosk.view().awaiting_confirmation);
    EXPECT_EQ(kiosk.view().confirm_within_hours, 24);
    EXPECT_EQ(kiosk.view().reference.rfind("Q-", 0), 0u);

    const auto items = kiosk.offline().outbox().next_batch(10);
    ASSERT_EQ(items.size(), 1u);
    EXPECT_EQ(items[0].route, "/v1/password-resets");
    EXPECT_TRUE(items[0].sealed);
    EXPECT_EQ(items[0].idempotency_key.rfind(kiosk.view().reference + "-", 0), 0u);
    const auto bytes = file_bytes(kiosk.outbox_file());
    EXPECT_EQ(bytes.find(kNewPassword), std::string::npos);
    EXPECT_EQ(bytes.find("offline_request"), std::string::npos);
    EXPECT_EQ(bytes.find("jdoe"), std::string::npos) << "the identifier is sealed too";

    kiosk.send(intent::Finish{});
    EXPECT_FALSE(kiosk.view().awaiting_confirmation) << "the receipt ends with the session";
}

TEST(OfflineRequestFlow, AnUnlockMadeOfflineIsSavedWithoutAPassword) {
    kiosk::testing::CentralProcess central;
    Kiosk kiosk(central);
    ASSERT_TRUE(kiosk.offline().refresh_sealing_key());
    central.stop();
    kiosk.identify_offline(Flow::Unlock, "asmith");
    ASSERT_EQ(kiosk.view().screen, Screen::OfflineOffer);
    kiosk.send(intent::SaveForConfirmation{});
    ASSERT_EQ(kiosk.view().screen, Screen::Done);
    EXPECT_TRUE(kiosk.view().awaiting_confirmation);
    EXPECT_EQ(kiosk.view().flow, Flow::Unlock);
    const auto items = kiosk.offline().outbox().next_batch(10);
    ASSERT_EQ(items.size(), 1u);
    EXPECT_EQ(items[0].route, "/v1/unlocks");
}

TEST(OfflineRequestFlow, NothingIsOfferedWithoutASealingKeyOrForAStatusCheck) {
    kiosk::testing::CentralProcess central;
    {
        Kiosk kiosk(central); // never fetched the key
        central.stop();
        kiosk.identify_offline(Flow::ResetPassword, "jdoe");
        EXPECT_EQ(kiosk.view().screen, Screen::Problem);
        EXPECT_EQ(kiosk.view().problem, Problem::CentralUnreachable);
    }
    central.start_again();
    Kiosk kiosk(central);
    ASSERT_TRUE(kiosk.offline().refresh_sealing_key());
    central.stop();
    kiosk.identify_offline(Flow::AccountStatus, "jdoe"); // a read: nothing to save
    EXPECT_EQ(kiosk.view().screen, Screen::Problem);
    EXPECT_EQ(kiosk.offline().outbox().size(), 0u);
}

// Issue 4's end to end: offline -> saved -> central back -> drained -> 202 awaiting ->
// confirmed with the mailed code through the JSON route -> the password changed once.
TEST(OfflineRequestFlow, TheCentralAppliesTheSavedResetOnlyOnceItsOwnerConfirms) {
    kiosk::testing::CentralProcess central;
    Kiosk kiosk(central);
    ASSERT_TRUE(kiosk.offline().refresh_sealing_key());
    central.stop();
    kiosk.identify_offline(Flow::ResetPassword, "jdoe");
    kiosk.send(intent::SaveForConfirmation{});
    kiosk.send(
        intent::SubmitOfflinePassword{SecretString(kNewPassword), SecretString(kNewPassword)});
    ASSERT_EQ(kiosk.view().screen, Screen::Done);
    const std::string key = kiosk.offline().outbox().next_batch(1).at(0).idempotency_key;
    kiosk.send(intent::Finish{});

    kiosk.offline().start();
    central.start_again();
    // Pending, not size: the session's session_ended event is a kiosk route, which this
    // unenrolled test kiosk (no client certificate) cannot deliver: it ends a dead letter.
    ASSERT_TRUE(eventually(
        [&] {
            return kiosk.offline().outbox().counts().pending == 0 &&
                   kiosk.offline().sync().status().delivered == 1;
        },
        30s))
        << kiosk.offline().sync().status().last_error;
    kiosk.offline().stop();
    for (const auto& dead : kiosk.offline().outbox().dead_letters(10)) {
        EXPECT_EQ(dead.route, "/v1/kiosks/audit-events") << "only the session's end may die here";
    }

    const auto answers = central.stored_answers();
    const auto record = answers.count(key) ? std::optional(answers.at(key)) : std::nullopt;
    ASSERT_TRUE(record.has_value());
    EXPECT_EQ(record->first, 202);
    EXPECT_EQ(json::parse(record->second)["state"], "awaiting_confirmation");
    EXPECT_TRUE(central.password_matches("jdoe", kDemoPassword)) << "not before confirmation";

    const auto messages = confirmations_for(central, "jdoe");
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0]["reference"], json::parse(record->second)["reference"]);
    httplib::SSLClient http("127.0.0.1", central.port());
    http.set_ca_cert_path(central.ca_file().c_str());
    http.enable_server_certificate_verification(true);
    const std::string path = "/v1/offline-confirmations/" +
                             messages[0]["confirmation_id"].get<std::string>() + "/confirm";
    const std::string body = json{{"code", messages[0]["code"]}}.dump();
    for (int i = 0; i < 2; ++i) { // the second is a no-op
        auto res = http.Post(path.c_str(), body, "application/json");
        ASSERT_TRUE(res);
        ASSERT_EQ(res->status, 200) << res->body;
    }
    EXPECT_TRUE(central.password_matches("jdoe", kNewPassword));
    EXPECT_FALSE(central.password_matches("jdoe", kDemoPassword));
    const auto notices = central.notices_for("jdoe");
    EXPECT_EQ(std::count_if(notices.begin(), notices.end(),
                            [](const std::string& n) { return n.rfind("password_reset", 0) == 0; }),
              1);
}

// A full disk (SQLite's max_page_count: SQLITE_FULL, as for a real full disk) while saving:
// the user is told, stays on the screen, and every request saved before is still there.
TEST(OfflineRequestFlow, AFullDiskWhileSavingTellsTheUserAndLosesNothingSaved) {
    kiosk::testing::CentralProcess central;
    offline::OutboxOptions options;
    options.max_database_bytes = 48 * 1024;
    std::vector<std::string> saved;
    std::filesystem::path file;
    {
        Kiosk kiosk(central, options);
        ASSERT_TRUE(kiosk.offline().refresh_sealing_key());
        central.stop();
        file = kiosk.outbox_file();
        // Fill the budget with requests that were saved (and confirmed to their users).
        for (int i = 0; i < 1000; ++i) {
            const auto key = "Q-FILL" + std::to_string(1000 + i) + "-abcdefabcdefabcdef";
            const auto result = kiosk.offline().defer(
                "/v1/unlocks",
                offline_request_body(OfflineRequestKind::Unlock, std::string(400, 'x'),
                                     "2026-11-23T07:00:00Z", "en"),
                key);
            if (result.outcome != DeferOutcome::Saved) {
                break;
            }
            saved.push_back(key);
        }
        ASSERT_GT(saved.size(), 3u);
        ASSERT_LT(saved.size(), 1000u);

        kiosk.identify_offline(Flow::ResetPassword, "jdoe");
        kiosk.send(intent::SaveForConfirmation{});
        kiosk.send(
            intent::SubmitOfflinePassword{SecretString(kNewPassword), SecretString(kNewPassword)});
        EXPECT_EQ(kiosk.view().screen, Screen::OfflinePassword);
        EXPECT_EQ(kiosk.view().notice, Notice::CannotSaveRequest);
        EXPECT_FALSE(kiosk.view().saved_for_later);
        EXPECT_EQ(kiosk.offline().outbox().size(), saved.size());
        // Keep the folder: the destructor would remove it before the reopen below.
        std::filesystem::copy(file.parent_path(), file.parent_path().string() + "-kept",
                              std::filesystem::copy_options::recursive);
    }
    const std::filesystem::path kept = file.parent_path().string() + "-kept";
    offline::OpenReport report;
    std::string error;
    auto reopened = offline::Outbox::open(kept / "outbox.db", options, report, error);
    ASSERT_TRUE(reopened) << error;
    EXPECT_FALSE(report.recovered);
    EXPECT_EQ(reopened->integrity_check(), "ok");
    const auto items = reopened->next_batch(saved.size() + 10);
    ASSERT_EQ(items.size(), saved.size());
    for (std::size_t i = 0; i < saved.size(); ++i) {
        EXPECT_EQ(items[i].idempotency_key, saved[i]);
    }
    reopened.reset();
    std::filesystem::remove_all(kept);
}

// A real I/O error while saving: the process's file-size limit makes the kernel refuse
// SQLite's write(2) with EFBIG. The user is told, and what was saved before is intact.
TEST(OfflineRequestFlow, AnIoErrorWhileSavingTellsTheUserAndLosesNothingSaved) {
    kiosk::testing::CentralProcess central;
    std::vector<std::string> saved;
    const auto dir = fresh_dir();
    {
        Kiosk kiosk(central);
        ASSERT_TRUE(kiosk.offline().refresh_sealing_key());
        central.stop();
        for (int i = 0; i < 5; ++i) {
            const auto key = "Q-SAVED" + std::to_string(i) + "-abcdefabcdefabcdef";
            ASSERT_EQ(kiosk.offline()
                          .defer("/v1/unlocks",
                                 offline_request_body(OfflineRequestKind::Unlock, "jdoe",
                                                      "2026-11-23T07:00:00Z", "en"),
                                 key)
                          .outcome,
                      DeferOutcome::Saved);
            saved.push_back(key);
        }
        kiosk.identify_offline(Flow::ResetPassword, "jdoe");
        kiosk.send(intent::SaveForConfirmation{});
        {
            // The WAL already holds the five items' frames: any append past 4 KiB fails.
            FileSizeLimit limit(4096);
            kiosk.send(intent::SubmitOfflinePassword{SecretString(kNewPassword),
                                                     SecretString(kNewPassword)});
            // The outbox itself names it an I/O error, not a full disk.
            const auto direct =
                kiosk.offline().defer("/v1/unlocks",
                                      offline_request_body(OfflineRequestKind::Unlock, "jdoe",
                                                           "2026-11-23T07:00:00Z", "en"),
                                      "Q-UNDER-LIMIT-abcdefabcdefabcdef");
            EXPECT_EQ(direct.outcome, DeferOutcome::NotSaved);
            EXPECT_EQ(direct.detail.rfind("io_error", 0), 0u) << direct.detail;
        }
        EXPECT_EQ(kiosk.view().screen, Screen::OfflinePassword);
        EXPECT_EQ(kiosk.view().notice, Notice::CannotSaveRequest);
        EXPECT_FALSE(kiosk.view().saved_for_later);
        std::filesystem::copy(kiosk.outbox_file().parent_path(), dir / "kept",
                              std::filesystem::copy_options::recursive);
    }
    offline::OpenReport report;
    std::string error;
    auto reopened = offline::Outbox::open(dir / "kept" / "outbox.db", {}, report, error);
    ASSERT_TRUE(reopened) << error;
    EXPECT_FALSE(report.recovered) << report.reason;
    EXPECT_EQ(reopened->integrity_check(), "ok");
    const auto items = reopened->next_batch(20);
    ASSERT_EQ(items.size(), saved.size());
    for (std::size_t i = 0; i < saved.size(); ++i) {
        EXPECT_EQ(items[i].idempotency_key, saved[i]);
    }
    reopened.reset();
    std::filesystem::remove_all(dir);
}
