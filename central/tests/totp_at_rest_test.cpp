// TOTP secrets at rest: encrypted under DATA_DIR/totp.key in the real database file, still
// usable by a real kiosk-central, refused when the key file is wrong or too open, and
// encrypted once in a database written before (schema version 3).
#include "central_process.hpp"
#include "kiosk/central/store.hpp"
#include "kiosk/central/totp.hpp"
#include "kiosk/central/totp_key.hpp"

#include <chrono>
#include <fstream>
#include <gtest/gtest.h>
#include <httplib.h>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace kiosk::central;
using nlohmann::json;

namespace {

// docs/demo-accounts.md: the demo account tnowak's authenticator secret.
constexpr const char* kDemoSecret = "KRUGKIDROVUWG2ZAMJZG653OEBTG66BA";

std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string slurp(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

std::filesystem::path unique_dir() {
    auto dir = std::filesystem::temp_directory_path() /
               ("totp-at-rest-" + std::to_string(::getpid()) + "-" +
                std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    std::filesystem::create_directories(dir);
    return dir;
}

void write_key(const std::filesystem::path& file, const std::string& bytes, mode_t mode) {
    std::filesystem::remove(file);
    std::ofstream(file, std::ios::binary) << bytes;
    ::chmod(file.c_str(), mode);
}

void exec_sql(const kiosk::testing::TestDatabase& database, const std::string& sql) {
    const auto error = database.try_exec(sql);
    ASSERT_FALSE(error) << *error;
}

class TotpAtRest : public ::testing::Test {
protected:
    void SetUp() override {
        central_ = std::make_unique<kiosk::testing::CentralProcess>();
        while (now_seconds() % 30 > 25) { // same step here and at the central
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
    }
    httplib::Result post(const std::string& path, const json& body) const {
        httplib::SSLClient c("127.0.0.1", central_->port());
        c.set_ca_cert_path(central_->ca_file().c_str());
        c.enable_server_certificate_verification(true);
        return c.Post(path.c_str(), body.dump(), "application/json");
    }
    httplib::Result check_now(const std::string& identifier) const {
        auto started = post("/v1/verifications", {{"identifier", identifier}, {"method", "totp"}});
        EXPECT_EQ(started->status, 202) << started->body;
        const std::string id = json::parse(started->body)["challenge_id"];
        const std::string code = totp(*base32_decode(kDemoSecret), now_seconds(), {});
        return post("/v1/verifications/" + id + "/check", {{"code", code}});
    }
    std::unique_ptr<kiosk::testing::CentralProcess> central_;
};

} // namespace

TEST_F(TotpAtRest, TheSecretIsNotInTheDatabaseFileAndStillVerifies) {
    const auto dir = central_->data_dir();
    struct stat st {};
    ASSERT_EQ(::stat((dir / "totp.key").c_str(), &st), 0) << "made on first start";
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_EQ(st.st_size, 32);
    auto checked = check_now("tnowak");
    ASSERT_EQ(checked->status, 200) << checked->body;
    central_->stop(); // SQLite: checkpoints the WAL, every byte is in central.db now
    const std::string bytes = central_->database().dump();
    ASSERT_FALSE(bytes.empty());
    EXPECT_EQ(bytes.find(kDemoSecret), std::string::npos) << "the base32 secret is in the file";
    EXPECT_NE(bytes.find("v1:"), std::string::npos) << "sealed values are stored";
}

TEST_F(TotpAtRest, AWrongKeyFileFailsTotpWithAClearErrorAndNoCrash) {
    central_->stop();
    write_key(central_->data_dir() / "totp.key", std::string(32, 'k'), 0600);
    central_->restart();
    auto checked = check_now("tnowak");
    ASSERT_TRUE(checked);
    EXPECT_EQ(checked->status, 500) << checked->body;
    EXPECT_EQ(json::parse(checked->body)["error"]["code"], "internal");
    EXPECT_NE(slurp(central_->data_dir() / "central.log").find("does not open with this totp.key"),
              std::string::npos)
        << slurp(central_->data_dir() / "central.log");
    EXPECT_EQ(slurp(central_->data_dir() / "central.log").find(kDemoSecret), std::string::npos);
    // The server still runs, and what does not need the secret still works.
    auto email = post("/v1/verifications", {{"identifier", "tnowak"}, {"method", "email"}});
    ASSERT_TRUE(email);
    EXPECT_EQ(email->status, 202);
}

TEST(TotpKeyFile, TooOpenOrWrongSizedKeysAreRefusedWithAClearError) {
    const auto dir = unique_dir();
    const kiosk::testing::TestDatabase database(dir);
    std::string error;
    write_key(dir / "totp.key", std::string(32, 'k'), 0644);
    EXPECT_EQ(Store::open(database.url(), dir, error), nullptr);
    EXPECT_NE(error.find("mode 644"), std::string::npos) << error;
    write_key(dir / "totp.key", std::string(31, 'k'), 0600);
    error.clear();
    EXPECT_EQ(Store::open(database.url(), dir, error), nullptr);
    EXPECT_NE(error.find("exactly 32 bytes"), std::string::npos) << error;
    std::filesystem::remove(dir / "totp.key");
    error.clear();
    EXPECT_NE(Store::open(database.url(), dir, error), nullptr) << error;
    std::filesystem::remove_all(dir);
}

TEST(TotpKeyFile, SealedValuesDifferAndOpenOnlyForTheirOwner) {
    const kiosk::SecretString key(std::string(32, 'a'));
    const auto one = totp_key::seal(key, kDemoSecret, totp_key::account_owner(1));
    const auto two = totp_key::seal(key, kDemoSecret, totp_key::account_owner(1));
    EXPECT_NE(one, two) << "a fresh nonce each time";
    std::string error;
    auto opened = totp_key::open(key, one, totp_key::account_owner(1), error);
    ASSERT_TRUE(opened) << error;
    EXPECT_EQ(opened->view(), kDemoSecret);
    EXPECT_FALSE(totp_key::open(key, one, totp_key::account_owner(2), error)) << "other row";
    EXPECT_FALSE(totp_key::open(kiosk::SecretString(std::string(32, 'b')), one,
                                totp_key::account_owner(1), error))
        << "other key";
    EXPECT_FALSE(totp_key::open(key, kDemoSecret, totp_key::account_owner(1), error));
    EXPECT_NE(error.find("clear value"), std::string::npos) << error;
}

TEST(TotpKeyFile, ADatabaseWithClearSecretsIsMigratedOnce) {
    const auto dir = unique_dir();
    const kiosk::testing::TestDatabase database(dir);
    std::string error;
    std::int64_t id = 0;
    {
        auto store = Store::open(database.url(), dir, error);
        ASSERT_NE(store, nullptr) << error;
        Account a;
        a.username = "old.user";
        a.email = "old.user@example.org";
        a.employee_id = "E-OLD";
        a.display_name = "Old User";
        a.password_hash = "x";
        a.state = "active";
        id = store->add_account(a);
    }
    // The database as version 2 left it: the secret in clear, and nothing of the later
    // steps (4: phone numbers and resend counts; 5: kiosk certificates; 6: password history
    // and rate limits; 7: the notification queue), which run again.
    // SQLite only: PostgreSQL databases start at version 3, sealed from the first row.
    if (!database.postgres()) {
        exec_sql(database, std::string("UPDATE accounts SET totp_secret = '") + kDemoSecret +
                               "'; ALTER TABLE accounts DROP COLUMN phone; ALTER TABLE "
                               "challenges DROP COLUMN resends; DROP TABLE IF EXISTS "
                               "kiosk_certificates; DROP TABLE IF EXISTS password_history; "
                               "DROP TABLE IF EXISTS rate_limits; DROP TABLE IF EXISTS "
                               "notifications; PRAGMA user_version = 2;");
        auto store = Store::open(database.url(), dir, error);
        ASSERT_NE(store, nullptr) << error;
        const auto account = store->account_by_id(id);
        ASSERT_TRUE(account);
        EXPECT_TRUE(totp_key::is_sealed(account->totp_secret)) << account->totp_secret;
        EXPECT_EQ(store->account_totp_secret(*account).view(), kDemoSecret);
        store.reset();
        exec_sql(database, "PRAGMA wal_checkpoint(TRUNCATE);");
    }
    EXPECT_EQ(database.dump().find(kDemoSecret), std::string::npos);
    // After the migration a clear value is an error, not a fallback.
    exec_sql(database, std::string("UPDATE accounts SET totp_secret = '") + kDemoSecret + "';");
    {
        auto store = Store::open(database.url(), dir, error);
        ASSERT_NE(store, nullptr) << error;
        const auto account = store->account_by_id(id);
        ASSERT_TRUE(account);
        EXPECT_THROW(store->account_totp_secret(*account), std::runtime_error);
    }
    std::filesystem::remove_all(dir);
}

TEST_F(TotpAtRest, AnActivationsSecretIsNeitherInTheDatabaseNorInItsStoredAnswer) {
    httplib::SSLClient c("127.0.0.1", central_->port());
    c.set_ca_cert_path(central_->ca_file().c_str());
    c.enable_server_certificate_verification(true);
    const std::string body = json{{"identifier", "kzielinski"},
                                  {"activation_code", "ACTV-DEMO-2026"},
                                  {"new_password", "Amber-Meadow-Violin-Sunrise"}}
                                 .dump();
    const httplib::Headers keyed{{"Idempotency-Key", "ACT-AT-REST-1"}};
    auto started = c.Post("/v1/activations", keyed, body, "application/json");
    ASSERT_TRUE(started);
    ASSERT_EQ(started->status, 201) << started->body;
    const std::string secret = json::parse(started->body)["secret"];
    // The stored answer is sealed, and still replays byte for byte.
    auto replayed = c.Post("/v1/activations", keyed, body, "application/json");
    ASSERT_TRUE(replayed);
    EXPECT_EQ(replayed->status, 201);
    EXPECT_EQ(replayed->body, started->body);
    EXPECT_EQ(central_->database().dump().find(secret), std::string::npos)
        << "pending enrolment or stored answer in clear (WAL)";
    // Enrolment completes with a code of that secret (opened, sealed again for the account).
    const std::string id = json::parse(started->body)["activation_id"];
    auto confirmed = c.Post(("/v1/activations/" + id + "/confirm").c_str(),
                            json{{"code", totp(*base32_decode(secret), now_seconds(), {})}}.dump(),
                            "application/json");
    ASSERT_TRUE(confirmed);
    EXPECT_EQ(confirmed->status, 200) << confirmed->body;
    central_->stop();
    EXPECT_EQ(central_->database().dump().find(secret), std::string::npos);
}
