// TOTP: RFC 6238 Appendix B's own test vectors, a cross-check with the `oathtool` command,
// and the "totp" verification method on a real kiosk-central: one step of drift, each code
// once, and MFA never bypassed by an e-mail code.
#include "central_process.hpp"
#include "kiosk/central/totp.hpp"

#include <chrono>
#include <cstdio>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <thread>

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

std::string run(const std::string& command) {
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) {
        return {};
    }
    std::string output;
    char buffer[256];
    while (fgets(buffer, sizeof buffer, pipe) != nullptr) {
        output += buffer;
    }
    pclose(pipe);
    while (!output.empty() && (output.back() == '\n' || output.back() == '\r')) {
        output.pop_back();
    }
    return output;
}

} // namespace

TEST(Totp, Rfc6238AppendixBVectors) {
    const std::string sha1_seed = "12345678901234567890";
    const std::string sha256_seed = "12345678901234567890123456789012";
    const std::string sha512_seed =
        "1234567890123456789012345678901234567890123456789012345678901234";
    struct Vector {
        std::int64_t time;
        const char* sha1;
        const char* sha256;
        const char* sha512;
    };
    const Vector vectors[] = {
        {59, "94287082", "46119246", "90693936"},
        {1111111109, "07081804", "68084774", "25091201"},
        {1111111111, "14050471", "67062674", "99943326"},
        {1234567890, "89005924", "91819424", "93441116"},
        {2000000000, "69279037", "90698825", "38618901"},
        {20000000000, "65353130", "77737706", "47863826"},
    };
    for (const auto& v : vectors) {
        TotpParameters p;
        p.digits = 8;
        p.algorithm = TotpAlgorithm::kSha1;
        EXPECT_EQ(totp(sha1_seed, v.time, p), v.sha1) << v.time;
        p.algorithm = TotpAlgorithm::kSha256;
        EXPECT_EQ(totp(sha256_seed, v.time, p), v.sha256) << v.time;
        p.algorithm = TotpAlgorithm::kSha512;
        EXPECT_EQ(totp(sha512_seed, v.time, p), v.sha512) << v.time;
    }
}

TEST(Totp, Base32FollowsRfc4648) {
    EXPECT_EQ(base32_decode("MZXW6YTBOI======"), "foobar");
    EXPECT_EQ(base32_decode("mzxw6ytb"), "fooba");
    EXPECT_EQ(base32_decode("MY"), "f");
    EXPECT_EQ(base32_decode("GEZD GNBV"), "12345");
    EXPECT_FALSE(base32_decode("MZ1W").has_value()) << "1 is not in the alphabet";
    EXPECT_FALSE(base32_decode("").has_value());
    EXPECT_EQ(parse_totp_algorithm("sha256"), TotpAlgorithm::kSha256);
    EXPECT_FALSE(parse_totp_algorithm("MD5").has_value());
}

TEST(Totp, AgreesWithOathtool) {
    const auto key = base32_decode(kDemoSecret);
    ASSERT_TRUE(key);
    const std::pair<TotpAlgorithm, const char*> modes[] = {{TotpAlgorithm::kSha1, "sha1"},
                                                           {TotpAlgorithm::kSha256, "sha256"},
                                                           {TotpAlgorithm::kSha512, "sha512"}};
    const std::int64_t times[] = {0, 59, 1111111109, 1700000000, now_seconds(), 4102444800};
    for (const auto& [algorithm, name] : modes) {
        for (const int digits : {6, 7, 8}) {
            for (const auto t : times) {
                TotpParameters p;
                p.algorithm = algorithm;
                p.digits = digits;
                const std::string theirs =
                    run("oathtool --totp=" + std::string(name) + " -b -d " +
                        std::to_string(digits) + " -N @" + std::to_string(t) + " " + kDemoSecret);
                EXPECT_EQ(totp(*key, t, p), theirs) << name << " " << digits << " " << t;
            }
        }
    }
}

TEST(Totp, OneStepOfDriftAndNoMore) {
    const std::string key = "12345678901234567890";
    TotpParameters p;
    const std::int64_t t = 1111111111;
    const std::int64_t step = t / 30;
    EXPECT_EQ(totp_match(key, totp(key, t, p), t, p), step);
    EXPECT_EQ(totp_match(key, totp(key, t - 30, p), t, p), step - 1);
    EXPECT_EQ(totp_match(key, totp(key, t + 30, p), t, p), step + 1);
    EXPECT_FALSE(totp_match(key, totp(key, t - 60, p), t, p).has_value());
    EXPECT_FALSE(totp_match(key, totp(key, t + 60, p), t, p).has_value());
    EXPECT_FALSE(totp_match(key, "12345", t, p).has_value()) << "wrong length";
}

namespace {

class TotpCentral : public ::testing::Test {
protected:
    void SetUp() override {
        central_ = std::make_unique<kiosk::testing::CentralProcess>();
        key_ = *base32_decode(kDemoSecret);
        // Keep clear of a step boundary, so "now" is the same step here and at the central.
        while (now_seconds() % 30 > 25) {
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
    }
    httplib::Result post(const std::string& path, const json& body) const {
        httplib::SSLClient c("127.0.0.1", central_->port());
        c.set_ca_cert_path(central_->ca_file().c_str());
        c.enable_server_certificate_verification(true);
        return c.Post(path.c_str(), body.dump(), "application/json");
    }
    std::string start(const std::string& identifier, const std::string& method) const {
        auto res = post("/v1/verifications", {{"identifier", identifier}, {"method", method}});
        EXPECT_EQ(res->status, 202) << res->body;
        return json::parse(res->body)["challenge_id"];
    }
    httplib::Result check(const std::string& challenge, const std::string& code) const {
        return post("/v1/verifications/" + challenge + "/check", {{"code", code}});
    }
    std::string code_at(std::int64_t t) const { return totp(key_, t, TotpParameters{}); }

    std::unique_ptr<kiosk::testing::CentralProcess> central_;
    std::string key_;
};

} // namespace

TEST_F(TotpCentral, DriftOfOneStepIsAcceptedAndEachCodeOnlyOnce) {
    const auto t = now_seconds();
    EXPECT_EQ(check(start("tnowak", "totp"), code_at(t - 60))->status, 401) << "two steps old";
    EXPECT_EQ(check(start("tnowak", "totp"), code_at(t + 60))->status, 401) << "two steps ahead";
    auto previous = check(start("tnowak", "totp"), code_at(t - 30));
    ASSERT_EQ(previous->status, 200) << "one step of drift: " << previous->body;
    EXPECT_FALSE(json::parse(previous->body)["verification_token"].get<std::string>().empty());
    auto current = check(start("tnowak", "totp"), code_at(t));
    ASSERT_EQ(current->status, 200) << current->body;
    auto reused = check(start("tnowak", "totp"), code_at(t));
    EXPECT_EQ(reused->status, 401) << "a code is accepted once";
    EXPECT_EQ(json::parse(reused->body)["error"]["code"], "wrong_code");
    EXPECT_EQ(check(start("tnowak", "totp"), code_at(t - 30))->status, 401)
        << "an older step than the last used one";
}

TEST_F(TotpCentral, UnknownAndUnenrolledAccountsLookTheSame) {
    auto known = post("/v1/verifications", {{"identifier", "tnowak"}, {"method", "totp"}});
    auto unknown = post("/v1/verifications", {{"identifier", "nobody.here"}, {"method", "totp"}});
    auto unenrolled = post("/v1/verifications", {{"identifier", "jdoe"}, {"method", "totp"}});
    ASSERT_TRUE(known && unknown && unenrolled);
    const auto without_id = [](const httplib::Result& res) {
        json body = json::parse(res->body);
        body.erase("challenge_id"); // random for every request
        return body.dump();
    };
    EXPECT_EQ(known->status, 202);
    EXPECT_EQ(unknown->status, known->status);
    EXPECT_EQ(unenrolled->status, known->status);
    EXPECT_EQ(without_id(unknown), without_id(known));
    EXPECT_EQ(without_id(unenrolled), without_id(known));
    // jdoe has no authenticator: no code passes, as for an unknown name.
    const auto challenge = json::parse(unenrolled->body)["challenge_id"].get<std::string>();
    EXPECT_EQ(check(challenge, code_at(now_seconds()))->status, 401);
}

TEST_F(TotpCentral, AnEmailCodeCannotResetAnAccountWithAnAuthenticator) {
    const std::string id = start("tnowak", "email");
    const auto code = central_->latest_code_for("tnowak");
    ASSERT_TRUE(code) << "the e-mail code is sent: e-mail still verifies for status";
    auto checked = check(id, *code);
    ASSERT_EQ(checked->status, 200);
    const std::string email_token = json::parse(checked->body)["verification_token"];
    auto refused = post("/v1/password-resets", {{"verification_token", email_token},
                                                {"new_password", "Bypass-Attempt-Long-Enough"}});
    EXPECT_EQ(refused->status, 403);
    EXPECT_EQ(json::parse(refused->body)["error"]["code"], "method_not_allowed");
    EXPECT_FALSE(central_->password_matches("tnowak", "Bypass-Attempt-Long-Enough"));
    EXPECT_EQ(post("/v1/account-status", {{"verification_token", email_token}})->status, 200);

    auto via_app = check(start("tnowak", "totp"), code_at(now_seconds()));
    ASSERT_EQ(via_app->status, 200) << via_app->body;
    auto reset = post("/v1/password-resets",
                      {{"verification_token", json::parse(via_app->body)["verification_token"]},
                       {"new_password", "Authenticated-By-The-App-2026"}});
    EXPECT_EQ(reset->status, 200) << reset->body;
    EXPECT_TRUE(central_->password_matches("tnowak", "Authenticated-By-The-App-2026"));
    EXPECT_EQ(central_->notices_for("tnowak").size(), 1u) << "the reset notice";
}
