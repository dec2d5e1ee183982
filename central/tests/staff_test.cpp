// The staff routes of a real kiosk-central process over real TLS: in-person verification
// (a staff credential at an enrolled kiosk vouches; the token resets a TOTP account and
// unlocks; every refusal has its status and stable code; all of it audited without the
// credential) and admin provisioning of activation codes.
#include "central_process.hpp"
#include "kiosk_certificate.hpp"

#include <array>
#include <cstdio>
#include <fstream>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

using nlohmann::json;

namespace {

constexpr const char* kNewPassword = "Staff-Checked-Lantern-Harbour-77";

class Staff : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        central_ = new kiosk::testing::CentralProcess();
        std::ifstream in(central_->data_dir() / "admin-token");
        std::getline(in, admin_);
        helpdesk_ = add_admin("help-1", "helpdesk");
        auditor_ = add_admin("audit-1", "auditor");
        kiosk_ = kiosk::testing::enrol_kiosk(*central_, admin_, "lobby-1", json::array(),
                                             central_->data_dir() / "test-kiosks" / "lobby-1");
        EXPECT_EQ(kiosk_.status, 201) << kiosk_.body;
    }
    static void TearDownTestSuite() {
        delete central_;
        central_ = nullptr;
    }

    static std::string add_admin(const std::string& name, const std::string& role) {
        const std::string command = kiosk::testing::central_binary().string() +
                                    " admin add --data-dir '" + central_->data_dir().string() +
                                    "'" + central_->database_option() + " --name " + name +
                                    " --role " + role;
        FILE* pipe = popen(command.c_str(), "r");
        std::array<char, 256> buffer{};
        std::string out;
        while (fgets(buffer.data(), buffer.size(), pipe) != nullptr) {
            out += buffer.data();
        }
        EXPECT_EQ(pclose(pipe), 0);
        while (!out.empty() && out.back() == '\n') {
            out.pop_back();
        }
        return out;
    }

    static httplib::Result post(const std::string& bearer, const std::string& path,
                                const std::string& body,
                                const kiosk::testing::EnrolledKiosk* as_kiosk = nullptr) {
        httplib::SSLClient c("127.0.0.1", central_->port(),
                             as_kiosk != nullptr ? as_kiosk->certificate.string() : "",
                             as_kiosk != nullptr ? as_kiosk->key.string() : "");
        c.set_ca_cert_path(central_->ca_file().c_str());
        c.enable_server_certificate_verification(true);
        if (!bearer.empty()) {
            c.set_bearer_token_auth(bearer);
        }
        return c.Post(path, body, "application/json");
    }
    static json audit(const std::string& action) {
        httplib::SSLClient c("127.0.0.1", central_->port());
        c.set_ca_cert_path(central_->ca_file().c_str());
        c.set_bearer_token_auth(auditor_);
        auto res = c.Get("/v1/admin/audit?action=" + action);
        EXPECT_EQ(res->status, 200);
        return json::parse(res->body)["entries"];
    }
    static std::string code_of(const httplib::Result& res) {
        const json doc = json::parse(res->body, nullptr, false);
        return doc.is_object() && doc.contains("error") ? doc["error"].value("code", "") : "";
    }
    // A staff verification for `identifier` vouched by `staff`, from the enrolled kiosk
    // (its client certificate) unless `from_kiosk` is false; `bearer` sent as well if set.
    static httplib::Result vouch(const std::string& identifier, const std::string& staff,
                                 bool from_kiosk = true, bool id_checked = true,
                                 const std::string& bearer = {}) {
        return post(bearer, "/v1/staff-verifications",
                    json{{"identifier", identifier},
                         {"staff_credential", staff},
                         {"reason", "lost phone, photo ID checked"},
                         {"id_checked", id_checked}}
                        .dump(),
                    from_kiosk ? &kiosk_ : nullptr);
    }

    static kiosk::testing::CentralProcess* central_;
    static std::string admin_, helpdesk_, auditor_;
    static kiosk::testing::EnrolledKiosk kiosk_;
};
kiosk::testing::CentralProcess* Staff::central_ = nullptr;
std::string Staff::admin_, Staff::helpdesk_, Staff::auditor_;
kiosk::testing::EnrolledKiosk Staff::kiosk_;

TEST_F(Staff, AStaffVerifiedTokenResetsAnAccountWithAnAuthenticatorAndIsAudited) {
    auto res = vouch("E1004", helpdesk_); // tnowak, by employee ID
    ASSERT_EQ(res->status, 201) << res->body;
    const auto answer = json::parse(res->body);
    EXPECT_EQ(answer["method"], "staff");
    EXPECT_EQ(answer["staff"], "help-1");
    EXPECT_EQ(answer["username"], "tnowak");
    EXPECT_EQ(answer["display_name"], "Tomasz Nowak");
    EXPECT_EQ(answer["expires_in_seconds"], 300);
    EXPECT_EQ(answer["reference"].get<std::string>().rfind("STF-", 0), 0U);
    const std::string token = answer["verification_token"];

    auto reset = post({}, "/v1/password-resets",
                      json{{"verification_token", token}, {"new_password", kNewPassword}}.dump());
    ASSERT_EQ(reset->status, 200) << reset->body;
    EXPECT_TRUE(central_->password_matches("tnowak", kNewPassword));
    auto again = post({}, "/v1/password-resets",
                      json{{"verification_token", token}, {"new_password", kNewPassword}}.dump());
    EXPECT_EQ(again->status, 401); // single use, like a code-verified token
    EXPECT_EQ(code_of(again), "token_invalid");

    bool found = false;
    for (const auto& e : audit("staff_verification")) {
        if (e["subject"] == "tnowak" &&
            e["detail"].get<std::string>().find(answer["reference"].get<std::string>()) !=
                std::string::npos) {
            found = true;
            EXPECT_EQ(e["actor"], "help-1");
            EXPECT_EQ(e["kiosk_id"], "lobby-1");
            EXPECT_NE(e["detail"].get<std::string>().find("lost phone, photo ID checked"),
                      std::string::npos);
        }
        EXPECT_EQ(e.dump().find(helpdesk_), std::string::npos) << "credential in the audit log";
    }
    EXPECT_TRUE(found);
}

TEST_F(Staff, AnEmailTokenStillCannotResetAnAccountWithAnAuthenticator) {
    // MFA is not weakened by the staff path: e-mail alone is still refused for tnowak.
    auto start = post({}, "/v1/verifications", R"({"identifier":"tnowak","method":"email"})");
    ASSERT_EQ(start->status, 202) << start->body;
    const std::string challenge = json::parse(start->body)["challenge_id"];
    const auto code = central_->latest_code_for("tnowak");
    ASSERT_TRUE(code);
    auto checked =
        post({}, "/v1/verifications/" + challenge + "/check", json{{"code", *code}}.dump());
    ASSERT_EQ(checked->status, 200) << checked->body;
    auto reset = post({}, "/v1/password-resets",
                      json{{"verification_token", json::parse(checked->body)["verification_token"]},
                           {"new_password", "Another-Quiet-Harbour-Lamp-88"}}
                          .dump());
    EXPECT_EQ(reset->status, 403);
    EXPECT_EQ(code_of(reset), "method_not_allowed");
}

TEST_F(Staff, AStaffVerifiedTokenUnlocks) {
    auto res = vouch("asmith", admin_); // admins may vouch too
    ASSERT_EQ(res->status, 201) << res->body;
    auto unlock =
        post({}, "/v1/unlocks",
             json{{"verification_token", json::parse(res->body)["verification_token"]}}.dump());
    ASSERT_EQ(unlock->status, 200) << unlock->body;
    EXPECT_EQ(json::parse(unlock->body)["state"], "active");
}

TEST_F(Staff, RefusalsHaveTheirStatusAndStableCode) {
    auto auditor = vouch("jdoe", auditor_);
    EXPECT_EQ(auditor->status, 403);
    EXPECT_EQ(code_of(auditor), "forbidden");
    auto wrong = vouch("jdoe", "kadm_not-a-real-credential");
    EXPECT_EQ(wrong->status, 401);
    EXPECT_EQ(code_of(wrong), "staff_credential_invalid");
    auto empty = vouch("jdoe", "");
    EXPECT_EQ(empty->status, 401);
    EXPECT_EQ(code_of(empty), "staff_credential_invalid");
    // Nor can staff from anywhere but an enrolled kiosk, even with an admin bearer token.
    auto no_kiosk = vouch("jdoe", helpdesk_, false);
    EXPECT_EQ(no_kiosk->status, 401);
    EXPECT_EQ(code_of(no_kiosk), "client_certificate_required");
    auto admin_as_kiosk = vouch("jdoe", helpdesk_, false, true, admin_);
    EXPECT_EQ(admin_as_kiosk->status, 401);
    EXPECT_EQ(code_of(admin_as_kiosk), "client_certificate_required");
    auto unchecked = vouch("jdoe", helpdesk_, true, false);
    EXPECT_EQ(unchecked->status, 400);
    EXPECT_EQ(code_of(unchecked), "bad_request");
    auto unknown = vouch("nobody-here", helpdesk_);
    EXPECT_EQ(unknown->status, 404);
    EXPECT_EQ(code_of(unknown), "account_not_found");
    auto disabled = vouch("kzielinski", helpdesk_);
    EXPECT_EQ(disabled->status, 409);
    EXPECT_EQ(code_of(disabled), "account_disabled");
    auto extra = post({}, "/v1/staff-verifications",
                      json{{"identifier", "jdoe"},
                           {"staff_credential", helpdesk_},
                           {"reason", "x"},
                           {"id_checked", true},
                           {"method", "totp"}}
                          .dump(),
                      &kiosk_);
    EXPECT_EQ(extra->status, 400);
    EXPECT_EQ(code_of(extra), "unknown_field");
    for (const char* body :
         {"[]", "{", R"({"identifier":7})",
          R"({"identifier":"jdoe","staff_credential":"x","reason":"","id_checked":true})"}) {
        auto bad = post({}, "/v1/staff-verifications", body, &kiosk_);
        EXPECT_EQ(bad->status, 400) << body;
    }
    // The refusals with a staff side are audited, never with what was typed.
    const auto refused = audit("staff_verification_refused");
    ASSERT_GE(refused.size(), 3U);
    for (const auto& e : refused) {
        EXPECT_EQ(e["kiosk_id"], "lobby-1");
        EXPECT_EQ(e.dump().find("kadm_not-a-real"), std::string::npos);
    }
}

TEST_F(Staff, AnAdminProvisionsAnActivationCodeThatWorksOnceAndVoidsTheOldOne) {
    auto created = post(helpdesk_, "/v1/admin/activation-codes",
                        R"({"account":"kzielinski","expires_in_days":3})");
    ASSERT_EQ(created->status, 201) << created->body;
    const auto answer = json::parse(created->body);
    EXPECT_EQ(answer["account"], "kzielinski");
    const std::string code = answer["code"];
    ASSERT_EQ(code.size(), 14U);
    EXPECT_EQ(code.rfind("ACTV-", 0), 0U);
    // The demo code was replaced: only the newest works.
    auto old = post({}, "/v1/activations",
                    json{{"identifier", "kzielinski"},
                         {"activation_code", "ACTV-DEMO-2026"},
                         {"new_password", kNewPassword}}
                        .dump());
    EXPECT_EQ(old->status, 401);
    EXPECT_EQ(code_of(old), "activation_code_invalid");
    std::string lower = code;
    for (char& c : lower) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    auto activated = post({}, "/v1/activations",
                          json{{"identifier", "kzielinski"},
                               {"activation_code", lower},
                               {"new_password", kNewPassword}}
                              .dump());
    ASSERT_EQ(activated->status, 201) << activated->body;
    EXPECT_NE(json::parse(activated->body)["otpauth_uri"].get<std::string>().find("kzielinski"),
              std::string::npos);

    const auto entries = audit("activation_code_created");
    ASSERT_FALSE(entries.empty());
    EXPECT_EQ(entries[0]["actor"], "help-1");
    EXPECT_EQ(entries[0]["subject"], "kzielinski");
    for (const auto& e : entries) {
        EXPECT_EQ(e.dump().find(code.substr(5)), std::string::npos) << "code in the audit log";
    }
}

TEST_F(Staff, ActivationCodeRefusals) {
    auto auditor = post(auditor_, "/v1/admin/activation-codes", R"({"account":"jdoe"})");
    EXPECT_EQ(auditor->status, 403);
    EXPECT_EQ(code_of(auditor), "forbidden");
    auto anonymous = post({}, "/v1/admin/activation-codes", R"({"account":"jdoe"})");
    EXPECT_EQ(anonymous->status, 401);
    EXPECT_EQ(code_of(anonymous), "unauthenticated");
    // A kiosk's certificate is no admin credential.
    auto as_kiosk = post({}, "/v1/admin/activation-codes", R"({"account":"jdoe"})", &kiosk_);
    EXPECT_EQ(as_kiosk->status, 401);
    auto unknown = post(admin_, "/v1/admin/activation-codes", R"({"account":"nobody-here"})");
    EXPECT_EQ(unknown->status, 404);
    EXPECT_EQ(code_of(unknown), "account_not_found");
    auto with_app = post(admin_, "/v1/admin/activation-codes", R"({"account":"tnowak"})");
    EXPECT_EQ(with_app->status, 409);
    EXPECT_EQ(code_of(with_app), "account_has_authenticator");
    for (const char* body :
         {R"({"account":"jdoe","expires_in_days":0})", R"({"account":"jdoe","expires_in_days":91})",
          R"({"account":"jdoe","expires_in_days":"7"})", R"({"account":""})", "[]"}) {
        auto bad = post(admin_, "/v1/admin/activation-codes", body);
        EXPECT_EQ(bad->status, 400) << body;
    }
    auto extra = post(admin_, "/v1/admin/activation-codes", R"({"account":"jdoe","code":"X"})");
    EXPECT_EQ(code_of(extra), "unknown_field");
}

} // namespace
