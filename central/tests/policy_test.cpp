// Password history (--password-history N: the current password and the N - 1 before it
// are refused), Argon2id hashes renewed at sign-in when the parameters moved, and the
// per-kiosk rate limit of the walk-up routes (--kiosk-rate-limit N/MINUTES), each against a
// real kiosk-central over TLS. Run on SQLite and, as pg.*, on PostgreSQL.
#include "central_process.hpp"
#include "kiosk/central/password_hash.hpp"
#include "kiosk_certificate.hpp"

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <thread>
#include <unistd.h>

using kiosk::testing::CentralProcess;
using nlohmann::json;

namespace {

const std::string kDemoPassword = "Lobby-Winter-Morning-2026"; // jdoe's, docs/demo-accounts.md

httplib::Result post(const CentralProcess& central, const std::string& path, const json& body,
                     const kiosk::testing::EnrolledKiosk* as_kiosk = nullptr,
                     const std::string& key = {}) {
    httplib::SSLClient c("127.0.0.1", central.port(),
                         as_kiosk != nullptr ? as_kiosk->certificate.string() : "",
                         as_kiosk != nullptr ? as_kiosk->key.string() : "");
    c.set_ca_cert_path(central.ca_file().c_str());
    c.enable_server_certificate_verification(true);
    c.set_read_timeout(std::chrono::seconds(30));
    httplib::Headers headers;
    if (!key.empty()) {
        headers.emplace("Idempotency-Key", key);
    }
    return c.Post(path, headers, body.dump(), "application/json");
}

std::string error_code(const httplib::Result& res) {
    const json doc = json::parse(res->body, nullptr, false);
    return doc.is_object() && doc.contains("error") ? doc["error"].value("code", "") : "";
}

// A verification token for `username`, by the e-mail code the demo outbox holds.
std::string token_for(const CentralProcess& central, const std::string& username) {
    auto started = post(central, "/v1/verifications", {{"identifier", username}});
    EXPECT_EQ(started->status, 202) << started->body;
    const std::string id = json::parse(started->body)["challenge_id"];
    const auto code = central.latest_code_for(username);
    EXPECT_TRUE(code);
    auto checked = post(central, "/v1/verifications/" + id + "/check", {{"code", *code}});
    EXPECT_EQ(checked->status, 200) << checked->body;
    return json::parse(checked->body)["verification_token"];
}

httplib::Result reset(const CentralProcess& central, const std::string& token,
                      const std::string& password) {
    return post(central, "/v1/password-resets",
                {{"verification_token", token}, {"new_password", password}});
}

std::string history_rows(const CentralProcess& central, const std::string& username) {
    return central.database().query(
        "SELECT COUNT(*) FROM password_history WHERE account_id = (SELECT id FROM accounts "
        "WHERE username = '" +
        username + "')")[0][0];
}

} // namespace

// --- password history ----------------------------------------------------------------------

TEST(PasswordHistory, TheCurrentPasswordIsRefusedInPlainWordsAndTheTokenStaysUsable) {
    CentralProcess central; // the default history, 5
    const std::string token = token_for(central, "jdoe");
    auto same = reset(central, token, kDemoPassword);
    ASSERT_EQ(same->status, 422) << same->body;
    EXPECT_EQ(error_code(same), "password_reused");
    const std::string message = json::parse(same->body)["error"]["message"];
    EXPECT_NE(message.find("current one or one of the 4 before it"), std::string::npos) << message;
    auto fresh = reset(central, token, "Harbour-Lantern-Copper-Finch");
    EXPECT_EQ(fresh->status, 200) << "a refusal does not spend the token: " << fresh->body;
    EXPECT_TRUE(central.password_matches("jdoe", "Harbour-Lantern-Copper-Finch"));
    EXPECT_EQ(history_rows(central, "jdoe"), "1") << "the replaced hash is kept";
}

TEST(PasswordHistory, OneOfTheLastNIsRefusedAndAnOlderOneIsAcceptedAgain) {
    CentralProcess central({"--password-history", "3"});
    const std::string p0 = kDemoPassword;
    const std::string p1 = "Granite-Willow-Harbour-Seven";
    const std::string p2 = "Saffron-Kettle-Meadow-Nine";
    const std::string p3 = "Velvet-Compass-Orchard-Two";
    ASSERT_EQ(reset(central, token_for(central, "jdoe"), p1)->status, 200);
    ASSERT_EQ(reset(central, token_for(central, "jdoe"), p2)->status, 200);
    // Now the last three are p2 (current), p1 and p0.
    const std::string token = token_for(central, "jdoe");
    for (const auto& recent : {p0, p1, p2}) {
        auto refused = reset(central, token, recent);
        EXPECT_EQ(refused->status, 422) << recent << ": " << refused->body;
        EXPECT_EQ(error_code(refused), "password_reused") << recent;
    }
    ASSERT_EQ(reset(central, token, p3)->status, 200);
    EXPECT_EQ(history_rows(central, "jdoe"), "2") << "trimmed to N - 1 beside the current one";
    // p3, p2, p1 are the last three: p0 is older than N and works again.
    auto older = reset(central, token_for(central, "jdoe"), p0);
    EXPECT_EQ(older->status, 200) << older->body;
    EXPECT_TRUE(central.password_matches("jdoe", p0));
    EXPECT_EQ(history_rows(central, "jdoe"), "2");
    // The history holds Argon2id PHC strings only, never the passwords.
    const auto rows = central.database().query("SELECT password_hash FROM password_history");
    ASSERT_FALSE(rows.empty());
    for (const auto& row : rows) {
        EXPECT_TRUE(row[0].starts_with("$argon2id$v=19$")) << row[0];
        for (const auto& password : {p0, p1, p2, p3}) {
            EXPECT_EQ(row[0].find(password), std::string::npos);
        }
    }
}

TEST(PasswordHistory, ZeroTurnsTheCheckOffAndKeepsNothing) {
    CentralProcess central({"--password-history", "0"});
    auto same = reset(central, token_for(central, "jdoe"), kDemoPassword);
    EXPECT_EQ(same->status, 200) << same->body;
    EXPECT_EQ(central.database().query("SELECT COUNT(*) FROM password_history")[0][0], "0");
}

// An offline reset is judged on arrival (the only time the central has the password): a
// recent one is refused for its owner with a notice, while the answer stays the 202 every
// name gets.
TEST(PasswordHistory, AnOfflineResetToARecentPasswordIsRefusedWithANotice) {
    CentralProcess central;
    const json item = {
        {"idempotency_key", "Q-HISTORY-1"},
        {"route", "/v1/password-resets"},
        {"body", {{"offline_request", {{"identifier", "jdoe"}}}, {"new_password", kDemoPassword}}}};
    auto res = post(central, "/v1/sync/batch", {{"items", json::array({item})}});
    ASSERT_EQ(res->status, 200) << res->body;
    const json result = json::parse(res->body)["results"][0];
    EXPECT_EQ(result["status"], 202) << result.dump();
    const auto notices = central.notices_for("jdoe");
    ASSERT_EQ(notices.size(), 1U);
    EXPECT_TRUE(notices[0].starts_with("offline_request_reused OFF-")) << notices[0];
    EXPECT_EQ(central.database().query("SELECT state FROM offline_requests")[0][0], "void");
}

// --- Argon2id parameters ---------------------------------------------------------------------

TEST(PasswordHash, AHashOfOtherParametersNeedsRehashingAndTodaysDoesNot) {
    using namespace kiosk::central;
    EXPECT_FALSE(needs_rehash(hash_password("Copper-Finch-Harbour-Lantern")));
    EXPECT_TRUE(needs_rehash(hash_password("Copper-Finch-Harbour-Lantern", {8192, 1, 1})));
    EXPECT_TRUE(needs_rehash(hash_password("Copper-Finch-Harbour-Lantern", {19 * 1024, 3, 1})));
    EXPECT_TRUE(needs_rehash("$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA"));
    EXPECT_TRUE(needs_rehash("not a phc string"));
}

TEST(PasswordHash, SignInRenewsAHashMadeWithOlderParameters) {
    CentralProcess central;
    const std::string password = "Older-Parameters-Quiet-Lamp";
    const std::string old = kiosk::central::hash_password(password, {8192, 1, 1});
    ASSERT_TRUE(old.starts_with("$argon2id$v=19$m=8192,t=1,p=1$")) << old;
    ASSERT_FALSE(central.database().try_exec("UPDATE accounts SET password_hash = '" + old +
                                             "' WHERE username = 'jdoe'"));
    const auto stored = [&] {
        return central.database().query(
            "SELECT password_hash FROM accounts WHERE username = 'jdoe'")[0][0];
    };
    // A wrong password changes nothing.
    EXPECT_EQ(post(central, "/v1/sign-ins", {{"username", "jdoe"}, {"password", "Wrong-One-123"}})
                  ->status,
              401);
    EXPECT_EQ(stored(), old);
    auto signed_in = post(central, "/v1/sign-ins", {{"username", "jdoe"}, {"password", password}});
    ASSERT_EQ(signed_in->status, 200) << signed_in->body;
    const std::string renewed = stored();
    EXPECT_TRUE(renewed.starts_with("$argon2id$v=19$m=19456,t=2,p=1$")) << renewed;
    EXPECT_TRUE(central.password_matches("jdoe", password));
    EXPECT_EQ(history_rows(central, "jdoe"), "0") << "a rehash is not a password change";
    // And once renewed it stays as it is.
    ASSERT_EQ(post(central, "/v1/sign-ins", {{"username", "jdoe"}, {"password", password}})->status,
              200);
    EXPECT_EQ(stored(), renewed);
}

// --- per-kiosk rate limits ---------------------------------------------------------------------

namespace {

// Windows are fixed (aligned to the epoch): a test that straddled the end of one would see a
// fresh count half-way. An hour's window, and a wait when less than 30 s of it are left.
void away_from_window_end(int window_seconds) {
    const auto now = static_cast<long long>(std::time(nullptr));
    const long long left = window_seconds - now % window_seconds;
    if (left < 30) {
        std::this_thread::sleep_for(std::chrono::seconds(left + 1));
    }
}

json without_retry(const std::string& body) {
    json doc = json::parse(body);
    doc["error"].erase("retry_after_seconds");
    return doc;
}

} // namespace

TEST(RateLimit, UnderAndAtTheLimitPassOverItIs429WithRetryAfter) {
    CentralProcess central({"--kiosk-rate-limit", "3/60"});
    away_from_window_end(3600);
    std::string challenge;
    for (int i = 0; i < 3; ++i) {
        auto started = post(central, "/v1/verifications", {{"identifier", "jdoe"}});
        ASSERT_EQ(started->status, 202) << "request " << i + 1 << " of 3: " << started->body;
        challenge = json::parse(started->body)["challenge_id"];
    }
    auto over = post(central, "/v1/verifications", {{"identifier", "jdoe"}});
    ASSERT_EQ(over->status, 429) << over->body;
    EXPECT_EQ(error_code(over), "rate_limited");
    const int retry = json::parse(over->body)["error"]["retry_after_seconds"];
    EXPECT_GT(retry, 0);
    EXPECT_LE(retry, 3600);
    EXPECT_EQ(over->get_header_value("Retry-After"), std::to_string(retry));
    // Every limited route of this kiosk is refused now, a code check too; other routes not.
    auto check = post(central, "/v1/verifications/" + challenge + "/check", {{"code", "123456"}});
    EXPECT_EQ(check->status, 429) << check->body;
    auto sign_in = post(central, "/v1/sign-ins", {{"username", "jdoe"}, {"password", "x"}});
    EXPECT_EQ(sign_in->status, 429) << sign_in->body;
    httplib::SSLClient c("127.0.0.1", central.port());
    c.set_ca_cert_path(central.ca_file().c_str());
    EXPECT_EQ(c.Get("/v1/health")->status, 200);
    // A refused request under an Idempotency-Key is not stored: after the wait it runs.
    auto keyed = post(central, "/v1/verifications", {{"identifier", "jdoe"}}, nullptr, "limited-1");
    EXPECT_EQ(keyed->status, 429);
    EXPECT_TRUE(central.stored_answers().empty());
    // Counted in the database, once per request (refused ones too).
    const auto rows = central.database().query("SELECT subject, hits FROM rate_limits");
    ASSERT_EQ(rows.size(), 1U);
    EXPECT_EQ(rows[0][0], "addr:127.0.0.1");
    EXPECT_EQ(rows[0][1], "7");
}

TEST(RateLimit, AKnownAndAnUnknownIdentifierCountTheSame) {
    CentralProcess central({"--kiosk-rate-limit", "3/60"});
    away_from_window_end(3600);
    for (const char* who : {"jdoe", "no.such.person", "mkowalska"}) {
        EXPECT_EQ(post(central, "/v1/verifications", {{"identifier", who}})->status, 202) << who;
    }
    auto unknown = post(central, "/v1/verifications", {{"identifier", "no.such.person"}});
    auto known = post(central, "/v1/verifications", {{"identifier", "jdoe"}});
    ASSERT_EQ(unknown->status, 429);
    ASSERT_EQ(known->status, 429);
    EXPECT_EQ(without_retry(unknown->body), without_retry(known->body));
    EXPECT_EQ(unknown->get_header_value("Content-Type"), known->get_header_value("Content-Type"));
}

// Asking which methods to offer counts too: the made-up lists for unknown names hide who
// exists only from a caller who cannot ask about a great many names.
TEST(RateLimit, AskingForVerificationOptionsCountsAgainstTheLimit) {
    CentralProcess central({"--kiosk-rate-limit", "2/60"});
    away_from_window_end(3600);
    for (const char* who : {"jdoe", "no.such.person"}) {
        auto options = post(central, "/v1/verification-options", {{"identifier", who}});
        EXPECT_EQ(options->status, 200) << who << ": " << options->body;
    }
    auto over = post(central, "/v1/verification-options", {{"identifier", "mkowalska"}});
    ASSERT_EQ(over->status, 429) << over->body;
    EXPECT_EQ(error_code(over), "rate_limited");
    EXPECT_FALSE(over->get_header_value("Retry-After").empty());
    EXPECT_EQ(post(central, "/v1/verifications", {{"identifier", "jdoe"}})->status, 429)
        << "one count for every limited route";
}

TEST(RateLimit, OneKioskOverItsLimitDoesNotLimitAnother) {
    CentralProcess central({"--kiosk-rate-limit", "2/60"});
    away_from_window_end(3600);
    const std::string admin = kiosk::testing::demo_admin_token(central);
    const auto a = kiosk::testing::enrol_kiosk(central, admin, "lobby-a", json::array(),
                                               central.data_dir() / "test-kiosks" / "a");
    const auto b = kiosk::testing::enrol_kiosk(central, admin, "lobby-b", json::array(),
                                               central.data_dir() / "test-kiosks" / "b");
    ASSERT_EQ(a.status, 201) << a.body;
    ASSERT_EQ(b.status, 201) << b.body;
    for (int i = 0; i < 2; ++i) {
        EXPECT_EQ(post(central, "/v1/verifications", {{"identifier", "jdoe"}}, &a)->status, 202);
    }
    EXPECT_EQ(post(central, "/v1/verifications", {{"identifier", "jdoe"}}, &a)->status, 429);
    for (int i = 0; i < 2; ++i) {
        auto other = post(central, "/v1/verifications", {{"identifier", "jdoe"}}, &b);
        EXPECT_EQ(other->status, 202) << "kiosk B has its own count: " << other->body;
    }
    // A caller without a certificate counts by its address, apart from both kiosks.
    EXPECT_EQ(post(central, "/v1/verifications", {{"identifier", "jdoe"}})->status, 202);
    EXPECT_EQ(central.database().query("SELECT hits FROM rate_limits WHERE subject = "
                                       "'kiosk:lobby-a'")[0][0],
              "3");
}

TEST(RateLimit, BatchItemsCountLikeSingleRequests) {
    CentralProcess central({"--kiosk-rate-limit", "2/60"});
    away_from_window_end(3600);
    json items = json::array();
    for (int i = 0; i < 3; ++i) {
        items.push_back({{"idempotency_key", "batch-limit-" + std::to_string(i)},
                         {"route", "/v1/verifications"},
                         {"body", {{"identifier", "jdoe"}}}});
    }
    auto res = post(central, "/v1/sync/batch", {{"items", items}});
    ASSERT_EQ(res->status, 200) << res->body;
    const json results = json::parse(res->body)["results"];
    ASSERT_EQ(results.size(), 3U);
    EXPECT_EQ(results[0]["status"], 202);
    EXPECT_EQ(results[1]["status"], 202);
    EXPECT_EQ(results[2]["status"], 429);
    EXPECT_EQ(results[2]["body"]["error"]["code"], "rate_limited");
    EXPECT_GT(results[2]["body"]["error"]["retry_after_seconds"].get<int>(), 0);
    EXPECT_EQ(central.stored_answers().count("batch-limit-2"), 0U)
        << "a refused item is not stored: the kiosk's retry runs it";
}

TEST(RateLimit, AnUnparsableLimitStopsStartUp) {
    EXPECT_THROW(CentralProcess({"--kiosk-rate-limit", "lots"}), std::runtime_error);
}

// --- the published policy ([checklist]) -----------------------------------------------------

namespace {

json published_policy(const CentralProcess& central) {
    httplib::SSLClient c("127.0.0.1", central.port());
    c.set_ca_cert_path(central.ca_file().c_str());
    c.enable_server_certificate_verification(true);
    auto res = c.Get("/v1/password-policy");
    EXPECT_TRUE(res);
    if (!res) {
        return json::object();
    }
    EXPECT_EQ(res->status, 200) << res->body;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
    return json::parse(res->body, nullptr, false);
}

} // namespace

TEST(PublishedPolicy, TheDefaultsAreWhatTheCentralEnforces) {
    CentralProcess central;
    const json policy = published_policy(central);
    EXPECT_EQ(policy, json({{"min_length", 15},
                            {"max_length", 256},
                            {"common", true},
                            {"breached", false},
                            {"context", true},
                            {"history", 5}}));
    // The published minimum is the one a refusal names.
    auto short_one = reset(central, token_for(central, "jdoe"), "Short-1");
    ASSERT_EQ(short_one->status, 422) << short_one->body;
    EXPECT_EQ(json::parse(short_one->body)["error"]["min_length"], policy["min_length"]);
}

TEST(PublishedPolicy, FollowsTheServeOptions) {
    // A breached-passwords file in the Have I Been Pwned form (one made-up hash is enough).
    const auto file = std::filesystem::temp_directory_path() /
                      ("published-policy-" + std::to_string(::getpid()) + ".txt");
    {
        std::ofstream breached(file);
        breached << "6B9A3F6E1D4B4D0C2C58A0C5F1C6F7B5E7E1D2A3:12\n";
    }
    CentralProcess central({"--min-password-length", "12", "--password-history", "0",
                            "--breached-passwords", file.string()});
    const json policy = published_policy(central);
    EXPECT_EQ(policy["min_length"], 12);
    EXPECT_EQ(policy["history"], 0);
    EXPECT_EQ(policy["breached"], true);
    EXPECT_EQ(policy["common"], true);
    auto eleven = reset(central, token_for(central, "jdoe"), "Elevenchars");
    ASSERT_EQ(eleven->status, 422) << eleven->body;
    EXPECT_EQ(json::parse(eleven->body)["error"]["min_length"], 12);
    std::filesystem::remove(file);
}

TEST(PublishedPolicy, NeedsNoCredentialAndTellsNothingAboutAccounts) {
    CentralProcess central;
    const json before = published_policy(central);
    (void)token_for(central, "jdoe"); // a session under way changes nothing in it
    EXPECT_EQ(published_policy(central), before);
}
