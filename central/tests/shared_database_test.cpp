// Several kiosk-central processes on one database (issue 3: stateless centrals behind a load
// balancer): a verification started on one and finished on the other, single-use tokens,
// challenge and activation attempts and the per-kiosk rate limit counted across both, a
// concurrent duplicate Idempotency-Key sent to both, and the audit hash chain after both
// append at once. Runs on SQLite (one file) and,
// as pg.SharedDatabase.*, on PostgreSQL.
#include "central_process.hpp"

#include <atomic>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <vector>

using kiosk::testing::CentralProcess;
using nlohmann::json;

namespace {

class SharedDatabase : public ::testing::Test {
protected:
    void SetUp() override {
        a_ = std::make_unique<CentralProcess>();
        b_ = CentralProcess::sharing(*a_);
    }
    void TearDown() override {
        b_.reset();
        a_.reset();
    }

    static std::unique_ptr<httplib::SSLClient> client(const CentralProcess& central) {
        auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", central.port());
        c->set_ca_cert_path(central.ca_file().c_str());
        c->enable_server_certificate_verification(true);
        c->set_read_timeout(std::chrono::seconds(30));
        return c;
    }
    static httplib::Result post(const CentralProcess& central, const std::string& path,
                                const json& body, const std::string& key = {}) {
        httplib::Headers headers;
        if (!key.empty()) {
            headers.emplace("Idempotency-Key", key);
        }
        return client(central)->Post(path.c_str(), headers, body.dump(), "application/json");
    }
    // A challenge for `username` started on `central`; its code lands in that one's outbox.
    static std::string start(const CentralProcess& central, const std::string& username) {
        auto started = post(central, "/v1/verifications", {{"identifier", username}});
        EXPECT_EQ(started->status, 202) << started->body;
        return json::parse(started->body)["challenge_id"];
    }
    std::string admin_token() const {
        std::ifstream in(a_->data_dir() / "admin-token");
        std::string token;
        std::getline(in, token);
        return token;
    }

    std::unique_ptr<CentralProcess> a_;
    std::unique_ptr<CentralProcess> b_;
};

} // namespace

TEST_F(SharedDatabase, AVerificationStartedOnOneIsFinishedOnTheOtherAndItsTokenWorksOnce) {
    const std::string id = start(*a_, "jdoe");
    const auto code = a_->latest_code_for("jdoe");
    ASSERT_TRUE(code);
    EXPECT_FALSE(b_->latest_code_for("jdoe")) << "each process writes its own outbox";
    auto checked = post(*b_, "/v1/verifications/" + id + "/check", {{"code", *code}});
    ASSERT_EQ(checked->status, 200) << checked->body;
    const std::string token = json::parse(checked->body)["verification_token"];
    // The challenge is used on both.
    auto again = post(*a_, "/v1/verifications/" + id + "/check", {{"code", *code}});
    EXPECT_EQ(again->status, 410) << again->body;

    const json reset = {{"verification_token", token},
                        {"new_password", "Shared-Database-Granite-Owl"}};
    auto first = post(*a_, "/v1/password-resets", reset);
    ASSERT_EQ(first->status, 200) << first->body;
    auto second = post(*b_, "/v1/password-resets",
                       {{"verification_token", token}, {"new_password", "Another-Quiet-River-7"}});
    EXPECT_EQ(second->status, 401) << "the token was spent on the other process: " << second->body;
    EXPECT_TRUE(b_->password_matches("jdoe", "Shared-Database-Granite-Owl"));
}

TEST_F(SharedDatabase, WrongCodesOnEitherProcessCountAgainstOneChallenge) {
    const std::string id = start(*a_, "mkowalska");
    const auto code = a_->latest_code_for("mkowalska");
    ASSERT_TRUE(code);
    const std::string wrong = *code == "000000" ? "111111" : "000000";
    auto one = post(*a_, "/v1/verifications/" + id + "/check", {{"code", wrong}});
    ASSERT_EQ(one->status, 401) << one->body;
    auto two = post(*b_, "/v1/verifications/" + id + "/check", {{"code", wrong}});
    ASSERT_EQ(two->status, 401) << two->body;
    EXPECT_EQ(json::parse(two->body)["error"]["attempts_left"], 1) << two->body;
    auto three = post(*a_, "/v1/verifications/" + id + "/check", {{"code", wrong}});
    EXPECT_EQ(three->status, 410) << "three wrong codes in all: " << three->body;
    auto right = post(*b_, "/v1/verifications/" + id + "/check", {{"code", *code}});
    EXPECT_EQ(right->status, 410) << "the voided challenge stays void: " << right->body;
}

// The same reset with the same key sent to both processes at once: exactly one runs it, the
// other gets 409 while it runs or the replay after; the password changed once.
TEST_F(SharedDatabase, AConcurrentDuplicateKeyAcrossProcessesRunsOnce) {
    for (int round = 0; round < 4; ++round) {
        const std::string id = start(*a_, "jdoe");
        auto checked = post(*a_, "/v1/verifications/" + id + "/check",
                            {{"code", *a_->latest_code_for("jdoe")}});
        ASSERT_EQ(checked->status, 200) << checked->body;
        const std::string password = "Two-Processes-Cedar-Lamp-" + std::to_string(round);
        const json body = {{"verification_token", json::parse(checked->body)["verification_token"]},
                           {"new_password", password}};
        const std::string key = "shared-race-" + std::to_string(round);
        std::atomic<int> ready{0};
        std::optional<httplib::Result> results[2];
        std::thread threads[2];
        for (int i = 0; i < 2; ++i) {
            threads[i] = std::thread([&, i] {
                auto c = client(i == 0 ? *a_ : *b_);
                c->Get("/v1/health"); // TLS handshake done before the race starts
                ++ready;
                while (ready.load() < 2) {
                }
                results[i].emplace(c->Post("/v1/password-resets", {{"Idempotency-Key", key}},
                                           body.dump(), "application/json"));
            });
        }
        for (auto& t : threads) {
            t.join();
        }
        ASSERT_TRUE(results[0] && *results[0] && results[1] && *results[1]);
        const int sa = (*results[0])->status;
        const int sb = (*results[1])->status;
        ASSERT_TRUE((sa == 200 && (sb == 409 || sb == 200)) ||
                    (sb == 200 && (sa == 409 || sa == 200)))
            << sa << " " << sb << " " << (*results[0])->body << " " << (*results[1])->body;
        if (sa == 200 && sb == 200) {
            EXPECT_EQ((*results[0])->body, (*results[1])->body) << "the late one is a replay";
        }
        EXPECT_TRUE(a_->password_matches("jdoe", password));
        // After it finished, either process replays it.
        for (const auto* central : {a_.get(), b_.get()}) {
            auto after = post(*central, "/v1/password-resets", body, key);
            EXPECT_EQ(after->status, 200) << after->body;
            EXPECT_EQ(after->get_header_value("Idempotent-Replayed"), "true");
        }
    }
}

// Both processes append audit entries at once (every wrong code is one): the chain has no
// gap and no fork, as each process checks.
TEST_F(SharedDatabase, TheAuditChainHoldsAfterConcurrentAppendsFromBoth) {
    std::thread threads[4];
    for (int i = 0; i < 4; ++i) {
        threads[i] = std::thread([&, i] {
            const CentralProcess& central = i % 2 == 0 ? *a_ : *b_;
            auto c = client(central);
            for (int n = 0; n < 8; ++n) {
                // A name nobody has: an audit entry (verification_failed) without a lockout.
                auto started = c->Post("/v1/verifications",
                                       json{{"identifier", "nobody-" + std::to_string(i)}}.dump(),
                                       "application/json");
                ASSERT_TRUE(started);
                const std::string id = json::parse(started->body)["challenge_id"];
                auto checked = c->Post(("/v1/verifications/" + id + "/check").c_str(),
                                       json{{"code", "123456"}}.dump(), "application/json");
                ASSERT_TRUE(checked);
                EXPECT_EQ(checked->status, 401) << checked->body;
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    for (const auto* central : {a_.get(), b_.get()}) {
        auto c = client(*central);
        c->set_bearer_token_auth(admin_token());
        auto verify = c->Get("/v1/admin/audit/verify");
        ASSERT_TRUE(verify);
        ASSERT_EQ(verify->status, 200) << verify->body;
        const json check = json::parse(verify->body);
        EXPECT_TRUE(check["ok"].get<bool>()) << verify->body;
    }
    const auto rows = a_->database().query(
        "SELECT COUNT(*), MAX(sequence) FROM audit_log WHERE action = 'verification_failed'");
    ASSERT_EQ(rows.size(), 1U);
    EXPECT_EQ(rows[0][0], "32") << "every append from both processes is there";
    const auto all = a_->database().query("SELECT COUNT(*), MAX(sequence) FROM audit_log");
    EXPECT_EQ(all[0][0], all[0][1]) << "sequences 1..n without a gap or a duplicate";
}

// Wrong codes for one authenticator enrolment sent at once to both processes: each spends
// exactly one of its 5 attempts in the database (no two answers report the same attempts
// left), the fifth sends it back to 'pending', and then even the right code is refused.
TEST_F(SharedDatabase, ConcurrentWrongActivationCodesOnBothProcessesEachSpendOneAttempt) {
    auto started = post(*a_, "/v1/activations",
                        {{"identifier", "kzielinski"},
                         {"activation_code", "ACTV-DEMO-2026"},
                         {"new_password", "Amber-Meadow-Violin-Sunrise"}});
    ASSERT_EQ(started->status, 201) << started->body;
    const json enrolment = json::parse(started->body);
    const std::string confirm =
        "/v1/activations/" + enrolment["activation_id"].get<std::string>() + "/confirm";
    // The app's code now, from oathtool; the wrong one is any other six digits.
    const std::string secret = enrolment["secret"];
    FILE* pipe = popen(("oathtool --totp -b " + secret).c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    char line[32] = {};
    ASSERT_NE(fgets(line, sizeof line, pipe), nullptr);
    pclose(pipe);
    const std::string right = std::string(line).substr(0, 6);
    const std::string wrong = right == "000000" ? "111111" : "000000";

    constexpr std::size_t kRequests = 10;
    std::atomic<int> ready{0};
    std::vector<std::optional<httplib::Result>> results(kRequests);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < kRequests; ++i) {
        threads.emplace_back([&, i] {
            auto c = client(i % 2 == 0 ? *a_ : *b_);
            c->Get("/v1/health"); // the TLS handshake before the race
            ++ready;
            while (ready.load() < static_cast<int>(kRequests)) {
            }
            results[i].emplace(
                c->Post(confirm.c_str(), json{{"code", wrong}}.dump(), "application/json"));
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    std::multiset<int> attempts_left;
    int gone = 0;
    for (auto& result : results) {
        ASSERT_TRUE(result && *result);
        const auto& res = **result;
        const json body = json::parse(res.body);
        if (res.status == 401) {
            EXPECT_EQ(body["error"]["code"], "wrong_code");
            attempts_left.insert(body["error"]["attempts_left"].get<int>());
        } else {
            EXPECT_EQ(res.status, 410) << res.body;
            ++gone;
        }
    }
    EXPECT_EQ(attempts_left, (std::multiset<int>{1, 2, 3, 4}))
        << "each wrong code spent one attempt, none was counted twice";
    EXPECT_EQ(gone, static_cast<int>(kRequests) - 4);
    const auto row = a_->database().query(
        "SELECT state, attempts_left, password_hash, totp_secret FROM activations WHERE "
        "account_id = (SELECT id FROM accounts WHERE username = 'kzielinski')");
    ASSERT_EQ(row.size(), 1U);
    EXPECT_EQ(row[0][0], "pending");
    EXPECT_EQ(row[0][1], "0");
    EXPECT_EQ(row[0][2], "") << "the first password is forgotten";
    EXPECT_EQ(row[0][3], "") << "and so is the secret";
    auto late = post(*b_, confirm, {{"code", right}});
    EXPECT_EQ(late->status, 410) << "out of attempts, even the right code: " << late->body;
}

// The per-kiosk limit is counted in the database: requests to either process add up.
TEST(SharedRateLimit, RequestsToBothProcessesShareOneCount) {
    const std::vector<std::string> limit = {"--kiosk-rate-limit", "3/60"};
    CentralProcess a(limit);
    auto b = CentralProcess::sharing(a, limit);
    const auto now = static_cast<long long>(std::time(nullptr));
    if (3600 - now % 3600 < 30) { // fixed windows: not across the end of one
        std::this_thread::sleep_for(std::chrono::seconds(3600 - now % 3600 + 1));
    }
    const auto start = [](const CentralProcess& central) {
        auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", central.port());
        c->set_ca_cert_path(central.ca_file().c_str());
        c->enable_server_certificate_verification(true);
        return c->Post("/v1/verifications", json{{"identifier", "jdoe"}}.dump(),
                       "application/json");
    };
    EXPECT_EQ(start(a)->status, 202);
    EXPECT_EQ(start(*b)->status, 202);
    EXPECT_EQ(start(a)->status, 202);
    auto over = start(*b);
    EXPECT_EQ(over->status, 429) << "the fourth in all, though B's second: " << over->body;
    EXPECT_EQ(start(a)->status, 429);
}
