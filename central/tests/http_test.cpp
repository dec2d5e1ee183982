// kiosk-central as a real process over real TLS on loopback: the whole reset, the answers
// that must not tell accounts apart, and every kind of bad input getting a clear 4xx.
#include "central_process.hpp"

#include <cstdio>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

using nlohmann::json;

namespace {

class CentralHttp : public ::testing::Test {
protected:
    static void SetUpTestSuite() { central_ = new kiosk::testing::CentralProcess(); }
    static void TearDownTestSuite() {
        delete central_;
        central_ = nullptr;
    }

    static std::unique_ptr<httplib::SSLClient> client() {
        auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", central_->port());
        c->set_ca_cert_path(central_->ca_file().c_str());
        c->enable_server_certificate_verification(true);
        return c;
    }
    static httplib::Result post(const std::string& path, const std::string& body) {
        return client()->Post(path.c_str(), body, "application/json");
    }
    static json body_of(const httplib::Result& res) { return json::parse(res->body); }

    // A verified token for `username`, through the real e-mail outbox.
    static std::string verify(const std::string& username) {
        auto started = post("/v1/verifications", json{{"identifier", username}}.dump());
        const std::string id = body_of(started)["challenge_id"];
        const auto code = central_->latest_code_for(username);
        auto checked = post("/v1/verifications/" + id + "/check", json{{"code", *code}}.dump());
        return body_of(checked)["verification_token"];
    }

    static kiosk::testing::CentralProcess* central_;
};
kiosk::testing::CentralProcess* CentralHttp::central_ = nullptr;

std::vector<std::string> keys_of(const json& object) {
    std::vector<std::string> keys;
    for (const auto& [key, value] : object.items()) {
        keys.push_back(key);
    }
    return keys;
}

} // namespace

TEST_F(CentralHttp, HealthAnswersWithTheVersion) {
    auto res = client()->Get("/v1/health");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(body_of(res)["status"], "ok");
    EXPECT_EQ(body_of(res)["version"], KIOSK_VERSION_STRING);
}

TEST_F(CentralHttp, AWholeResetChangesThePassword) {
    const std::string token = verify("mkowalska");
    auto reset = post(
        "/v1/password-resets",
        json{{"verification_token", token}, {"new_password", "Czerwone-Jabłko-Na-Stole"}}.dump());
    ASSERT_TRUE(reset);
    ASSERT_EQ(reset->status, 200) << reset->body;
    EXPECT_EQ(body_of(reset)["reference"].get<std::string>().rfind("RST-", 0), 0u);
    EXPECT_TRUE(central_->password_matches("mkowalska", "Czerwone-Jabłko-Na-Stole"));
    EXPECT_FALSE(central_->password_matches("mkowalska", "Zielona-Herbata-O-Poranku"));

    auto again = post(
        "/v1/password-resets",
        json{{"verification_token", token}, {"new_password", "Another-Long-Passphrase-1"}}.dump());
    EXPECT_EQ(again->status, 401);
    EXPECT_EQ(body_of(again)["error"]["code"], "token_invalid");
}

TEST_F(CentralHttp, UnknownAndKnownAccountsGetTheSameAnswer) {
    auto known = post("/v1/verifications", json{{"identifier", "asmith"}}.dump());
    auto unknown = post("/v1/verifications", json{{"identifier", "no.such.person"}}.dump());
    ASSERT_TRUE(known && unknown);
    EXPECT_EQ(known->status, 202);
    EXPECT_EQ(unknown->status, known->status);
    EXPECT_EQ(keys_of(body_of(unknown)), keys_of(body_of(known)));
    EXPECT_EQ(body_of(unknown)["expires_in_seconds"], body_of(known)["expires_in_seconds"]);
    EXPECT_EQ(body_of(unknown)["challenge_id"].get<std::string>().size(),
              body_of(known)["challenge_id"].get<std::string>().size());
}

TEST_F(CentralHttp, TooShortIsExplainedAndKeepsTheToken) {
    const std::string token = verify("jdoe");
    auto short_one = post("/v1/password-resets",
                          json{{"verification_token", token}, {"new_password", "tiny"}}.dump());
    ASSERT_EQ(short_one->status, 422);
    EXPECT_EQ(body_of(short_one)["error"]["code"], "password_too_short");
    EXPECT_EQ(body_of(short_one)["error"]["min_length"], 15);
    auto common =
        post("/v1/password-resets",
             json{{"verification_token", token}, {"new_password", "qwertyuiopasdfghjkl"}}.dump());
    EXPECT_EQ(body_of(common)["error"]["code"], "password_common");
    auto good = post("/v1/password-resets", json{{"verification_token", token},
                                                 {"new_password", "Seven-Purple-Elephants-Dance"}}
                                                .dump());
    EXPECT_EQ(good->status, 200) << good->body;
}

TEST_F(CentralHttp, BadBodiesGetBadRequestNeverAServerError) {
    for (const std::string& body :
         std::vector<std::string>{"{not json", "[]", "\"just a string\"", R"({"identifier": 42})",
                                  R"({})", R"({"identifier": null})", std::string("\xff\xfe", 2)}) {
        auto res = post("/v1/verifications", body);
        ASSERT_TRUE(res);
        EXPECT_EQ(res->status, 400) << body;
        EXPECT_EQ(body_of(res)["error"]["code"], "bad_request") << body;
    }
    auto wrong_type =
        post("/v1/password-resets", R"({"verification_token": [], "new_password": 1})");
    EXPECT_EQ(wrong_type->status, 400);
}

TEST_F(CentralHttp, UnknownRoutesAndOversizedBodiesAreRefusedWithAnEnvelope) {
    auto missing = client()->Get("/v1/nothing-here");
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 404);
    EXPECT_EQ(body_of(missing)["error"]["code"], "not_found");

    auto huge =
        post("/v1/verifications", json{{"identifier", std::string(100 * 1024, 'a')}}.dump());
    ASSERT_TRUE(huge);
    EXPECT_EQ(huge->status, 413);
    auto health = client()->Get("/v1/health");
    EXPECT_EQ(health->status, 200) << "the server must survive";
}

TEST_F(CentralHttp, PlainHttpGetsNoAnswer) {
    httplib::Client plain("127.0.0.1", central_->port());
    plain.set_connection_timeout(std::chrono::seconds(2));
    plain.set_read_timeout(std::chrono::seconds(2));
    auto res = plain.Get("/v1/health");
    EXPECT_TRUE(!res || res->status != 200);
}

TEST(CentralProgram, VersionAndHelpWork) {
    const std::string binary = kiosk::testing::central_binary().string();
    FILE* pipe = popen((binary + " --version").c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    char line[128] = {};
    ASSERT_NE(fgets(line, sizeof line, pipe), nullptr);
    EXPECT_EQ(pclose(pipe), 0);
    EXPECT_EQ(std::string(line), std::string("kiosk-central ") + KIOSK_VERSION_STRING + "\n");
    EXPECT_EQ(std::system((binary + " --help >/dev/null").c_str()), 0);
    EXPECT_NE(std::system((binary + " serve >/dev/null 2>&1").c_str()), 0)
        << "serve without --data-dir is a usage error";
}
