// CentralService on a real SQLite file, without HTTP: challenge and token life cycles.
#include "kiosk/central/password_hash.hpp"
#include "kiosk/central/service.hpp"
#include "test_database.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace kiosk;
using namespace kiosk::central;

namespace {

class ServiceTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               (std::string("kiosk-central-service-") +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
        std::string error;
        database_ = std::make_unique<kiosk::testing::TestDatabase>(dir_);
        store_ = Store::open(database_->url(), dir_, error);
        ASSERT_TRUE(store_) << error;
        seed_demo_accounts(*store_);
        NotifierSettings notify; // the file channels: outbox/email.jsonl and sms.jsonl
        notify.outbox_dir = dir_ / "outbox";
        mail_ = Notifier::create(notify, nullptr, store_.get(), error);
        ASSERT_TRUE(mail_) << error;
        service_ = std::make_unique<CentralService>(
            *store_, PasswordPolicy({15, 256}, {"passwordpassword"}), *mail_, ServiceSettings{});
    }

    std::string last_code() {
        std::ifstream in(dir_ / "outbox" / "email.jsonl");
        std::string line;
        std::string code;
        while (std::getline(in, line)) {
            code = nlohmann::json::parse(line).at("code");
        }
        return code;
    }

    std::string start(const std::string& identifier) {
        auto outcome = service_->start_verification({identifier, "email"});
        return std::get<api::StartVerificationResponse>(outcome).challenge_id;
    }

    std::filesystem::path dir_;
    std::unique_ptr<kiosk::testing::TestDatabase> database_; // outlives the store
    std::unique_ptr<Store> store_;
    std::unique_ptr<Notifier> mail_;
    std::unique_ptr<CentralService> service_;
};

} // namespace

TEST_F(ServiceTest, ANewerChallengeVoidsTheOlderOne) {
    const std::string first = start("jdoe");
    const std::string first_code = last_code();
    start("jdoe");
    auto outcome = service_->check_code(first, {first_code});
    ASSERT_TRUE(std::holds_alternative<ServiceError>(outcome));
    EXPECT_EQ(std::get<ServiceError>(outcome).error.code, "challenge_expired");
}

TEST_F(ServiceTest, AUsedChallengeCannotBeUsedAgain) {
    const std::string id = start("E1001");
    const std::string code = last_code();
    ASSERT_TRUE(std::holds_alternative<api::CheckCodeResponse>(service_->check_code(id, {code})));
    auto again = service_->check_code(id, {code});
    ASSERT_TRUE(std::holds_alternative<ServiceError>(again));
    EXPECT_EQ(std::get<ServiceError>(again).http_status, 410);
}

TEST_F(ServiceTest, UnknownAccountsGetAChallengeNoCodePasses) {
    const std::string id = start("nobody@example.com");
    EXPECT_FALSE(id.empty());
    auto outcome = service_->check_code(id, {"123456"});
    ASSERT_TRUE(std::holds_alternative<ServiceError>(outcome));
    EXPECT_EQ(std::get<ServiceError>(outcome).error.code, "wrong_code");
}

TEST_F(ServiceTest, AResetVoidsTheAccountsOtherTokensAndStatusReadsTheAccount) {
    const std::string id = start("jdoe");
    const auto token = std::get<api::CheckCodeResponse>(service_->check_code(id, {last_code()}))
                           .verification_token;
    auto status = service_->account_status({token});
    ASSERT_TRUE(std::holds_alternative<api::AccountStatusResponse>(status));
    EXPECT_EQ(std::get<api::AccountStatusResponse>(status).display_name, "Jane Doe");
    EXPECT_EQ(std::get<api::AccountStatusResponse>(status).state, "active");

    auto reset = service_->reset_password({token, "Seven-Purple-Elephants-Dance"});
    ASSERT_TRUE(std::holds_alternative<api::ResetPasswordResponse>(reset));
    EXPECT_TRUE(verify_password(store_->find_account("jdoe")->password_hash,
                                "Seven-Purple-Elephants-Dance"));
    auto after = service_->account_status({token});
    ASSERT_TRUE(std::holds_alternative<ServiceError>(after));
    EXPECT_EQ(std::get<ServiceError>(after).error.code, "token_invalid");
}

TEST_F(ServiceTest, BadRequestsAreRefused) {
    auto no_method = service_->start_verification({"jdoe", "carrier-pigeon"});
    EXPECT_EQ(std::get<ServiceError>(no_method).http_status, 400);
    auto empty = service_->start_verification({"", "email"});
    EXPECT_EQ(std::get<ServiceError>(empty).http_status, 400);
    auto huge = service_->start_verification({std::string(1000, 'a'), "email"});
    EXPECT_EQ(std::get<ServiceError>(huge).http_status, 400);
}
