// Offline requests and their out-of-band confirmation, against a real kiosk-central over
// TLS: a reset or unlock made with no verification waits (202) until the owner confirms it
// with the code mailed to them; applied exactly once; never on GET; expired, guessed and
// MFA-less confirmations refused; an unknown name indistinguishable from a known one.
#include "central_process.hpp"
#include "kiosk/central/totp.hpp"

#include <atomic>
#include <chrono>
#include <fstream>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <thread>

using nlohmann::json;

namespace {

const std::string kNewPassword = "Offline-Harbour-Lantern-77";
const std::string kJdoePassword = "Lobby-Winter-Morning-2026";
const std::string kTnowakSecret = "KRUGKIDROVUWG2ZAMJZG653OEBTG66BA";

class OfflineConfirmation : public ::testing::Test {
protected:
    void start(std::vector<std::string> args = {}) {
        central_ = std::make_unique<kiosk::testing::CentralProcess>(std::move(args));
        client_ = std::make_unique<httplib::SSLClient>("127.0.0.1", central_->port());
        client_->set_ca_cert_path(central_->ca_file().c_str());
        client_->enable_server_certificate_verification(true);
    }
    void SetUp() override { start(); }

    httplib::Result post(const std::string& path, const json& body) {
        return client_->Post(path.c_str(), body.dump(), "application/json");
    }
    // An offline reset as a kiosk's outbox sends it: a batch item under its own key.
    json queue_reset(const std::string& identifier, const std::string& password,
                     const std::string& key) {
        const json item = {
            {"idempotency_key", key},
            {"route", "/v1/password-resets"},
            {"body",
             {{"offline_request",
               {{"identifier", identifier}, {"requested_at", "2026-11-23T07:00:00Z"}}},
              {"new_password", password}}}};
        auto res = post("/v1/sync/batch", json{{"items", json::array({item})}});
        EXPECT_TRUE(res);
        EXPECT_EQ(res->status, 200);
        return json::parse(res->body)["results"][0];
    }
    // Every confirmation message the demo outbox holds for `account`, oldest first.
    std::vector<json> confirmations_for(const std::string& account) const {
        std::ifstream in(central_->data_dir() / "outbox" / "email.jsonl");
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
    int lines_in_mail_outbox() const {
        std::ifstream in(central_->data_dir() / "outbox" / "email.jsonl");
        int count = 0;
        std::string line;
        while (std::getline(in, line)) {
            ++count;
        }
        return count;
    }
    httplib::Result confirm(const std::string& id, const std::string& code,
                            const std::string& totp_code = {}) {
        json body = {{"code", code}};
        if (!totp_code.empty()) {
            body["totp_code"] = totp_code;
        }
        return post("/v1/offline-confirmations/" + id + "/confirm", body);
    }
    // The audit entries of `action` as the database holds them (read beside the server).
    std::vector<std::string> audit_details(const std::string& action) const {
        std::vector<std::string> details;
        for (const auto& row : central_->database().query(
                 "SELECT subject, detail FROM audit_log WHERE action = '" + action + "'")) {
            details.push_back(row.at(0) + " " + row.at(1));
        }
        return details;
    }
    int password_reset_notices(const std::string& account) const {
        int count = 0;
        for (const auto& notice : central_->notices_for(account)) {
            count += notice.starts_with("password_reset ") ? 1 : 0;
        }
        return count;
    }

    std::unique_ptr<kiosk::testing::CentralProcess> central_;
    std::unique_ptr<httplib::SSLClient> client_;
};

std::string totp_now(const std::string& secret) {
    const auto key = kiosk::central::base32_decode(secret);
    return kiosk::central::totp(*key, std::time(nullptr), kiosk::central::TotpParameters{});
}

} // namespace

TEST_F(OfflineConfirmation, AppliesOnlyAfterConfirmationAndExactlyOnce) {
    const auto result = queue_reset("jdoe", kNewPassword, "Q-OFFLINE-1");
    ASSERT_EQ(result["status"], 202) << result.dump();
    EXPECT_EQ(result["body"]["state"], "awaiting_confirmation");
    const std::string reference = result["body"]["reference"];
    EXPECT_TRUE(reference.starts_with("OFF-"));
    // Not applied on arrival.
    EXPECT_TRUE(central_->password_matches("jdoe", kJdoePassword));

    // The same item again (a kiosk that lost the answer) is replayed: one message only.
    const auto replay = queue_reset("jdoe", kNewPassword, "Q-OFFLINE-1");
    EXPECT_EQ(replay, result);
    const auto messages = confirmations_for("jdoe");
    ASSERT_EQ(messages.size(), 1u);
    const auto& message = messages[0];
    EXPECT_EQ(message["to"], "jane.doe@example.com");
    EXPECT_EQ(message["reference"], reference);
    EXPECT_EQ(message["confirmation"], "password_reset");
    const std::string id = message["confirmation_id"];
    const std::string code = message["code"];
    EXPECT_EQ(code.size(), 8u);
    EXPECT_EQ(message["link"], central_->base_url() + "/confirm/" + id);

    const auto first = confirm(id, code);
    ASSERT_EQ(first->status, 200) << first->body;
    const auto applied = json::parse(first->body);
    EXPECT_EQ(applied["state"], "applied");
    EXPECT_EQ(applied["reference"], reference);
    EXPECT_TRUE(applied["applied_reference"].get<std::string>().starts_with("RST-"));
    EXPECT_TRUE(central_->password_matches("jdoe", kNewPassword));
    EXPECT_FALSE(central_->password_matches("jdoe", kJdoePassword));

    // A second confirmation is a no-op with the same answer: still one reset notice.
    const auto second = confirm(id, code);
    EXPECT_EQ(second->status, 200);
    EXPECT_EQ(second->body, first->body);
    EXPECT_EQ(password_reset_notices("jdoe"), 1);
    EXPECT_TRUE(central_->password_matches("jdoe", kNewPassword));
    // Audited once, with both references, under the owner's name.
    const auto audited = audit_details("offline_request_applied");
    ASSERT_EQ(audited.size(), 1u);
    EXPECT_TRUE(audited[0].starts_with("jdoe ")) << audited[0];
    EXPECT_NE(audited[0].find(reference), std::string::npos) << audited[0];
    EXPECT_NE(audited[0].find(applied["applied_reference"].get<std::string>()), std::string::npos)
        << audited[0];
}

TEST_F(OfflineConfirmation, TheLinkShowsAFormOnGetAndAppliesOnlyOnPost) {
    ASSERT_EQ(queue_reset("jdoe", kNewPassword, "Q-OFFLINE-2")["status"], 202);
    const auto message = confirmations_for("jdoe").at(0);
    const std::string path = "/confirm/" + message["confirmation_id"].get<std::string>();
    for (int i = 0; i < 2; ++i) { // a mail scanner prefetching the link, then the owner
        auto page = client_->Get(path.c_str());
        ASSERT_TRUE(page);
        EXPECT_EQ(page->status, 200);
        EXPECT_NE(page->body.find("<form method=\"post\">"), std::string::npos);
        EXPECT_NE(page->body.find(message["reference"].get<std::string>()), std::string::npos);
        EXPECT_EQ(page->body.find("totp_code"), std::string::npos); // jdoe has no authenticator
        EXPECT_EQ(page->get_header_value("Cache-Control"), "no-store");
        EXPECT_NE(page->get_header_value("Content-Security-Policy").find("frame-ancestors 'none'"),
                  std::string::npos);
    }
    EXPECT_TRUE(central_->password_matches("jdoe", kJdoePassword));

    const std::string form = "code=" + message["code"].get<std::string>();
    auto done = client_->Post(path.c_str(), form, "application/x-www-form-urlencoded");
    ASSERT_TRUE(done);
    EXPECT_EQ(done->status, 200) << done->body;
    EXPECT_NE(done->body.find("RST-"), std::string::npos);
    EXPECT_TRUE(central_->password_matches("jdoe", kNewPassword));
    // Used: the link now says so, and changes nothing.
    auto after = client_->Get(path.c_str());
    EXPECT_EQ(after->status, 410);
    EXPECT_EQ(password_reset_notices("jdoe"), 1);
}

TEST_F(OfflineConfirmation, AnExpiredRequestIsRefusedAndNeverApplied) {
    start({"--confirmation-ttl", "1"});
    ASSERT_EQ(queue_reset("jdoe", kNewPassword, "Q-OFFLINE-3")["status"], 202);
    const auto message = confirmations_for("jdoe").at(0);
    std::this_thread::sleep_for(std::chrono::milliseconds(2100));
    const auto res = confirm(message["confirmation_id"], message["code"]);
    EXPECT_EQ(res->status, 410);
    EXPECT_EQ(json::parse(res->body)["error"]["code"], "confirmation_expired");
    EXPECT_TRUE(central_->password_matches("jdoe", kJdoePassword));
    EXPECT_EQ(password_reset_notices("jdoe"), 0);
}

TEST_F(OfflineConfirmation, WrongCodesAreLimitedThenTheRequestIsVoid) {
    ASSERT_EQ(queue_reset("jdoe", kNewPassword, "Q-OFFLINE-4")["status"], 202);
    const auto message = confirmations_for("jdoe").at(0);
    const std::string id = message["confirmation_id"];
    const std::string right = message["code"];
    const std::string wrong = right == "00000000" ? "11111111" : "00000000";
    for (int left = 4; left >= 1; --left) {
        const auto res = confirm(id, wrong);
        ASSERT_EQ(res->status, 401);
        const auto error = json::parse(res->body)["error"];
        EXPECT_EQ(error["code"], "wrong_code");
        EXPECT_EQ(error["attempts_left"], left);
    }
    const auto last = confirm(id, wrong);
    EXPECT_EQ(last->status, 410);
    EXPECT_EQ(json::parse(last->body)["error"]["code"], "too_many_attempts");
    // Void: not even the right code applies it now.
    const auto late = confirm(id, right);
    EXPECT_EQ(late->status, 410);
    EXPECT_EQ(json::parse(late->body)["error"]["code"], "confirmation_expired");
    EXPECT_TRUE(central_->password_matches("jdoe", kJdoePassword));
}

TEST_F(OfflineConfirmation, AnAccountWithAnAuthenticatorMustAlsoGiveItsCode) {
    const std::string password = "Ciemna-Noc-Nad-Rzeka-42";
    ASSERT_EQ(queue_reset("tnowak", password, "Q-OFFLINE-5")["status"], 202);
    const auto message = confirmations_for("tnowak").at(0);
    const std::string id = message["confirmation_id"];
    const std::string code = message["code"];
    auto page = client_->Get(("/confirm/" + id).c_str());
    EXPECT_NE(page->body.find("name=\"totp_code\""), std::string::npos);

    const auto without = confirm(id, code);
    EXPECT_EQ(without->status, 401);
    EXPECT_EQ(json::parse(without->body)["error"]["code"], "totp_required");
    const std::string now_code = totp_now(kTnowakSecret);
    const std::string bad_totp = now_code == "000000" ? "111111" : "000000";
    const auto wrong = confirm(id, code, bad_totp);
    EXPECT_EQ(wrong->status, 401);
    EXPECT_EQ(json::parse(wrong->body)["error"]["code"], "wrong_code");
    EXPECT_FALSE(central_->password_matches("tnowak", password));

    const auto right = confirm(id, code, now_code);
    ASSERT_EQ(right->status, 200) << right->body;
    EXPECT_TRUE(central_->password_matches("tnowak", password));
}

TEST_F(OfflineConfirmation, AnOfflineUnlockUnlocksOnlyOnceConfirmed) {
    // asmith is locked by the directory (docs/demo-accounts.md).
    const json item = {{"idempotency_key", "Q-OFFLINE-6"},
                       {"route", "/v1/unlocks"},
                       {"body", {{"offline_request", {{"identifier", "adam.smith@example.com"}}}}}};
    auto res = post("/v1/sync/batch", json{{"items", json::array({item})}});
    const auto result = json::parse(res->body)["results"][0];
    ASSERT_EQ(result["status"], 202) << result.dump();
    const json sign_in = {{"username", "asmith"}, {"password", "Quiet-River-Stone-Lamp"}};
    EXPECT_EQ(post("/v1/sign-ins", sign_in)->status, 401); // still locked
    const auto message = confirmations_for("asmith").at(0);
    EXPECT_EQ(message["confirmation"], "unlock");
    const auto done = confirm(message["confirmation_id"], message["code"]);
    ASSERT_EQ(done->status, 200) << done->body;
    EXPECT_TRUE(
        json::parse(done->body)["applied_reference"].get<std::string>().starts_with("UNL-"));
    EXPECT_EQ(post("/v1/sign-ins", sign_in)->status, 200);
}

TEST_F(OfflineConfirmation, PasswordRulesApplyOnArrivalWithoutTellingNamesApart) {
    // Too short: refused for a known and an unknown name alike.
    const auto known = queue_reset("jdoe", "short", "Q-OFFLINE-7");
    const auto unknown = queue_reset("nobody.at.all", "short", "Q-OFFLINE-8");
    EXPECT_EQ(known["status"], 422);
    EXPECT_EQ(known["body"], unknown["body"]);
    // Contains the username: only the owner can be told, so the answer is still 202 and
    // the owner gets a refusal notice instead of a code.
    const auto with_name = queue_reset("jdoe", "jdoe-Long-Enough-Passphrase", "Q-OFFLINE-9");
    EXPECT_EQ(with_name["status"], 202);
    EXPECT_TRUE(confirmations_for("jdoe").empty());
    const auto notices = central_->notices_for("jdoe");
    ASSERT_EQ(notices.size(), 1u);
    EXPECT_TRUE(notices[0].starts_with("offline_request_refused OFF-"));
}

TEST_F(OfflineConfirmation, AnUnknownIdentifierIsIndistinguishable) {
    const auto masked = [](json body) {
        body["reference"] = std::string(body["reference"].get<std::string>().size(), 'x');
        body["expires_at"] = "x"; // time, not identity: may tick between the two
        return body.dump();
    };
    const int lines_before = lines_in_mail_outbox();
    std::vector<double> known_ms;
    std::vector<double> unknown_ms;
    std::string known_answer;
    std::string unknown_answer;
    const int samples = 10;
    for (int i = 0; i < samples; ++i) {
        for (const bool known : {true, false}) {
            const json body = {
                {"offline_request", {{"identifier", known ? "mkowalska" : "no.such.person"}}},
                {"new_password", kNewPassword}};
            const auto start = std::chrono::steady_clock::now();
            auto res = post("/v1/password-resets", body);
            const auto ms =
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                    .count();
            ASSERT_EQ(res->status, 202);
            (known ? known_ms : unknown_ms).push_back(ms);
            (known ? known_answer : unknown_answer) =
                std::to_string(res->status) + masked(json::parse(res->body));
        }
    }
    EXPECT_EQ(known_answer, unknown_answer);
    // Only the real owner was sent anything: one message per known request.
    EXPECT_EQ(lines_in_mail_outbox() - lines_before, samples);
    EXPECT_EQ(confirmations_for("mkowalska").size(), static_cast<std::size_t>(samples));
    // Both hash the password on arrival: neither is systematically slower.
    double wins = 0;
    for (const double k : known_ms) {
        for (const double u : unknown_ms) {
            wins += k > u ? 1.0 : (k == u ? 0.5 : 0.0);
        }
    }
    const double p_known_slower = wins / (samples * samples);
    EXPECT_GT(p_known_slower, 0.1);
    EXPECT_LT(p_known_slower, 0.9);
    // Only the newest of an account's pending requests can be confirmed.
    const auto all = confirmations_for("mkowalska");
    EXPECT_EQ(confirm(all.front()["confirmation_id"], all.front()["code"])->status, 410);
    EXPECT_EQ(confirm(all.back()["confirmation_id"], all.back()["code"])->status, 200);
}

// Guesses sent at once each spend an attempt: no more than the allowed wrong answers.
TEST_F(OfflineConfirmation, ConcurrentGuessesCannotExceedTheAttempts) {
    ASSERT_EQ(queue_reset("jdoe", kNewPassword, "Q-OFFLINE-10")["status"], 202);
    const auto message = confirmations_for("jdoe").at(0);
    const std::string id = message["confirmation_id"];
    const std::string right = message["code"];
    std::vector<std::thread> guessers;
    std::atomic<int> wrong_code_answers{0};
    for (int i = 0; i < 10; ++i) {
        guessers.emplace_back([&, i] {
            httplib::SSLClient client("127.0.0.1", central_->port());
            client.set_ca_cert_path(central_->ca_file().c_str());
            client.enable_server_certificate_verification(true);
            std::string guess = std::to_string(10000000 + i);
            if (guess == right) {
                guess = "99999999";
            }
            auto res = client.Post(("/v1/offline-confirmations/" + id + "/confirm").c_str(),
                                   json{{"code", guess}}.dump(), "application/json");
            if (res && res->status == 401) {
                ++wrong_code_answers;
            }
        });
    }
    for (auto& guesser : guessers) {
        guesser.join();
    }
    EXPECT_LE(wrong_code_answers.load(), 4);
    EXPECT_EQ(confirm(id, right)->status, 410);
    EXPECT_TRUE(central_->password_matches("jdoe", kJdoePassword));
}
