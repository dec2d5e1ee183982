// Sign-in lockout and unlock against a real kiosk-central over TLS: failures count per
// account, the lock refuses even a right password, ends by itself, an unlock clears it and
// notifies the owner, and names without an account answer exactly like accounts.
#include "central_process.hpp"
#include "kiosk/central/store.hpp"

#include <chrono>
#include <ctime>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <thread>
#include <unistd.h>

using nlohmann::json;

namespace {

class Lockout : public ::testing::Test {
protected:
    // One fresh central per test: lock state must not leak from one test to the next.
    void start(std::vector<std::string> args = {}) {
        central_ = std::make_unique<kiosk::testing::CentralProcess>(std::move(args));
    }
    void SetUp() override { start(); }

    std::unique_ptr<httplib::SSLClient> client() const {
        auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", central_->port());
        c->set_ca_cert_path(central_->ca_file().c_str());
        c->enable_server_certificate_verification(true);
        return c;
    }
    httplib::Result post(const std::string& path, const json& body) const {
        return client()->Post(path.c_str(), body.dump(), "application/json");
    }
    httplib::Result sign_in(const std::string& username, const std::string& password) const {
        return post("/v1/sign-ins", {{"username", username}, {"password", password}});
    }
    std::string verify(const std::string& username) const {
        auto started = post("/v1/verifications", {{"identifier", username}});
        const std::string id = json::parse(started->body)["challenge_id"];
        auto checked = post("/v1/verifications/" + id + "/check",
                            {{"code", *central_->latest_code_for(username)}});
        return json::parse(checked->body)["verification_token"];
    }
    json status_of(const std::string& username) const {
        auto res = post("/v1/account-status", {{"verification_token", verify(username)}});
        EXPECT_EQ(res->status, 200) << res->body;
        return json::parse(res->body);
    }
    static std::string code_of(const httplib::Result& res) {
        return json::parse(res->body)["error"]["code"];
    }

    std::unique_ptr<kiosk::testing::CentralProcess> central_;
};

std::int64_t parse_rfc3339(const std::string& text) {
    std::tm parts{};
    EXPECT_NE(strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &parts), nullptr) << text;
    return static_cast<std::int64_t>(timegm(&parts));
}

std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace

TEST_F(Lockout, ARightPasswordSignsIn) {
    auto res = sign_in("mkowalska", "Zielona-Herbata-O-Poranku");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
    EXPECT_EQ(json::parse(res->body)["username"], "mkowalska");
    EXPECT_EQ(json::parse(res->body)["display_name"], "Maria Kowalska");
    EXPECT_EQ(sign_in("E1003", "Zielona-Herbata-O-Poranku")->status, 200) << "employee ID too";
}

TEST_F(Lockout, TheFifthFailureLocksAndThenARightPasswordIsRefused) {
    for (int i = 1; i <= 4; ++i) {
        auto res = sign_in("mkowalska", "wrong-" + std::to_string(i));
        ASSERT_EQ(res->status, 401) << i;
        EXPECT_EQ(code_of(res), "sign_in_failed");
    }
    auto fifth = sign_in("mkowalska", "wrong-5");
    EXPECT_EQ(fifth->status, 423);
    EXPECT_EQ(code_of(fifth), "account_locked");
    auto right = sign_in("mkowalska", "Zielona-Herbata-O-Poranku");
    EXPECT_EQ(right->status, 423) << "a right password during a lockout is refused";

    // Counted per account, not per name: the e-mail address is the same account.
    EXPECT_EQ(sign_in("maria.kowalska@example.com", "Zielona-Herbata-O-Poranku")->status, 423);

    const json status = status_of("mkowalska");
    EXPECT_EQ(status["state"], "locked");
    ASSERT_TRUE(status.contains("locked_until"));
    const auto until = parse_rfc3339(status["locked_until"]);
    EXPECT_NEAR(static_cast<double>(until - now_seconds()), 900.0, 30.0)
        << "the default lockout is 15 minutes";
}

TEST_F(Lockout, ARightPasswordBeforeTheThresholdResetsTheCount) {
    for (int i = 0; i < 4; ++i) {
        ASSERT_EQ(sign_in("jdoe", "nope")->status, 401);
    }
    ASSERT_EQ(sign_in("jdoe", "Lobby-Winter-Morning-2026")->status, 200);
    for (int i = 0; i < 4; ++i) {
        EXPECT_EQ(sign_in("jdoe", "nope")->status, 401) << "the count started again";
    }
    EXPECT_EQ(status_of("jdoe")["state"], "active");
    EXPECT_FALSE(status_of("jdoe").contains("locked_until"));
}

TEST_F(Lockout, UnlockClearsTheLockAndTheCountVoidsTheTokenAndNotifies) {
    for (int i = 0; i < 5; ++i) {
        sign_in("jdoe", "nope");
    }
    ASSERT_EQ(sign_in("jdoe", "Lobby-Winter-Morning-2026")->status, 423);
    const std::string token = verify("jdoe");
    auto unlocked = post("/v1/unlocks", {{"verification_token", token}});
    ASSERT_EQ(unlocked->status, 200) << unlocked->body;
    const json body = json::parse(unlocked->body);
    EXPECT_EQ(body["state"], "active");
    const std::string reference = body["reference"];
    EXPECT_EQ(reference.rfind("UNL-", 0), 0u);
    const auto notices = central_->notices_for("jdoe");
    ASSERT_FALSE(notices.empty());
    EXPECT_EQ(notices.back(), "unlock " + reference) << "the owner hears of it";

    EXPECT_EQ(sign_in("jdoe", "Lobby-Winter-Morning-2026")->status, 200);
    for (int i = 0; i < 4; ++i) {
        EXPECT_EQ(sign_in("jdoe", "nope")->status, 401) << "the failure count was cleared";
    }
    auto again = post("/v1/unlocks", {{"verification_token", token}});
    EXPECT_EQ(again->status, 401) << "the token is spent";
    EXPECT_EQ(code_of(again), "token_invalid");
    EXPECT_EQ(post("/v1/account-status", {{"verification_token", token}})->status, 401);
}

TEST_F(Lockout, TheLockedDemoAccountUnlocks) {
    EXPECT_EQ(status_of("asmith")["state"], "locked");
    EXPECT_EQ(sign_in("asmith", "Quiet-River-Stone-Lamp")->status, 401)
        << "a locked account does not sign in";
    auto unlocked = post("/v1/unlocks", {{"verification_token", verify("asmith")}});
    ASSERT_EQ(unlocked->status, 200) << unlocked->body;
    EXPECT_EQ(status_of("asmith")["state"], "active");
    EXPECT_EQ(sign_in("asmith", "Quiet-River-Stone-Lamp")->status, 200);
}

TEST_F(Lockout, BadUnlockRequestsAreRefused) {
    EXPECT_EQ(post("/v1/unlocks", {{"verification_token", "forged"}})->status, 401);
    EXPECT_EQ(post("/v1/unlocks", {{"token", "x"}})->status, 400);
    EXPECT_EQ(post("/v1/sign-ins", {{"username", "jdoe"}})->status, 400);
    EXPECT_EQ(sign_in("", "x")->status, 400);
    EXPECT_EQ(sign_in(std::string(300, 'a'), "x")->status, 400);
}

TEST_F(Lockout, AnUnknownNameAnswersByteForByteLikeAnAccount) {
    for (int i = 1; i <= 6; ++i) {
        auto known = sign_in("jdoe", "guess-" + std::to_string(i));
        auto unknown = sign_in("no.such.person", "guess-" + std::to_string(i));
        ASSERT_TRUE(known && unknown);
        EXPECT_EQ(unknown->status, known->status) << "attempt " << i;
        EXPECT_EQ(unknown->body, known->body) << "attempt " << i;
        EXPECT_EQ(known->status, i < 5 ? 401 : 423) << "attempt " << i;
    }
}

TEST_F(Lockout, ALockEndsByItself) {
    start({"--lockout-threshold", "2", "--lockout-duration", "2"});
    EXPECT_EQ(sign_in("jdoe", "nope")->status, 401);
    EXPECT_EQ(sign_in("jdoe", "nope")->status, 423);
    EXPECT_EQ(sign_in("jdoe", "Lobby-Winter-Morning-2026")->status, 423);
    std::this_thread::sleep_for(std::chrono::milliseconds(3100));
    EXPECT_EQ(status_of("jdoe")["state"], "active");
    EXPECT_EQ(sign_in("jdoe", "Lobby-Winter-Morning-2026")->status, 200);
    EXPECT_EQ(sign_in("jdoe", "nope")->status, 401) << "a fresh count after the lock ended";
}

TEST_F(Lockout, FailuresLongerThanOneDurationApartAreForgotten) {
    start({"--lockout-threshold", "2", "--lockout-duration", "2"});
    EXPECT_EQ(sign_in("jdoe", "nope")->status, 401);
    std::this_thread::sleep_for(std::chrono::milliseconds(3100));
    EXPECT_EQ(sign_in("jdoe", "nope")->status, 401) << "the first failure was forgotten";
    EXPECT_EQ(sign_in("jdoe", "nope")->status, 423);
}

// The store on its own: the counting window and the purge of counts that cannot matter.
TEST(LockoutStore, CountsWithinTheWindowAndPurgesStaleRows) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("kiosk-central-lockouts-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::string error;
    const kiosk::testing::TestDatabase database(dir);
    auto store = kiosk::central::Store::open(database.url(), dir, error);
    ASSERT_TRUE(store) << error;
    EXPECT_EQ(store->record_sign_in_failure("name:a", 1000, 5, 10).failures, 1);
    EXPECT_EQ(store->record_sign_in_failure("name:a", 1005, 5, 10).failures, 2);
    EXPECT_EQ(store->record_sign_in_failure("name:a", 1020, 5, 10).failures, 1)
        << "15 s after the last failure, with a 10 s window: a fresh count";
    const auto locked = store->record_sign_in_failure("name:b", 1100, 1, 10);
    ASSERT_TRUE(locked.locked_until);
    EXPECT_EQ(*locked.locked_until, 1110);

    EXPECT_EQ(store->purge_lockouts(1105, 1095), 1) << "only a's count is stale";
    EXPECT_EQ(store->lockout("name:a").failures, 0);
    EXPECT_TRUE(store->lockout("name:b").locked_until) << "a running lock is kept";
    EXPECT_EQ(store->purge_lockouts(1111, 1101), 1) << "b's lock has ended";
    EXPECT_FALSE(store->lockout("name:b").locked_until);
    store.reset();
    std::filesystem::remove_all(dir);
}
