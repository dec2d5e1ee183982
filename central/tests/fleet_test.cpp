// The fleet routes of a real kiosk-central process over real TLS: admin roles (401/403),
// one-time enrolment codes, heartbeats in the fleet listing, and config bundles routed to
// the kiosks they target; kiosks known by their client certificate (mutual TLS). The CA
// itself: client_ca_test.cpp. End-to-end with kiosk-agent processes: agent/tests.
#include "central_process.hpp"
#include "kiosk/common/base64.hpp"
#include "kiosk_certificate.hpp"

#include <array>
#include <cstdio>
#include <fstream>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

using nlohmann::json;

namespace {

class Fleet : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        central_ = new kiosk::testing::CentralProcess();
        std::ifstream in(central_->data_dir() / "admin-token");
        std::getline(in, admin_);
        helpdesk_ = add_admin("help-1", "helpdesk");
        auditor_ = add_admin("audit-1", "auditor");
    }
    static void TearDownTestSuite() {
        if (central_ != nullptr) {
            std::filesystem::remove_all(central_->data_dir() / "test-kiosks");
        }
        delete central_;
        central_ = nullptr;
    }

    // `kiosk-central admin add` against the running server's data directory.
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

    static std::unique_ptr<httplib::SSLClient> client(const std::string& token = {}) {
        auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", central_->port());
        c->set_ca_cert_path(central_->ca_file().c_str());
        c->enable_server_certificate_verification(true);
        if (!token.empty()) {
            c->set_bearer_token_auth(token);
        }
        return c;
    }
    static httplib::Result post(const std::string& token, const std::string& path,
                                const std::string& body) {
        return client(token)->Post(path, body, "application/json");
    }
    static std::string code_of(const httplib::Result& res) {
        if (!res) {
            return "";
        }
        const json doc = json::parse(res->body, nullptr, false);
        return doc.is_object() && doc.contains("error") ? doc["error"].value("code", "") : "";
    }

    static std::string enrolment_code(const std::string& kiosk, const json& groups) {
        auto res = post(admin_, "/v1/admin/enrolments",
                        json{{"kiosk_id", kiosk}, {"groups", groups}}.dump());
        EXPECT_EQ(res->status, 201) << res->body;
        return json::parse(res->body)["code"];
    }
    // Where a kiosk's key, request and certificate are kept.
    static std::filesystem::path kiosk_dir(const std::string& kiosk) {
        return central_->data_dir() / "test-kiosks" / kiosk;
    }
    // Enrols `kiosk` with a key and certificate request of its own; the kiosk's files.
    static kiosk::testing::EnrolledKiosk enrol(const std::string& kiosk, const json& groups) {
        auto enrolled =
            kiosk::testing::enrol_kiosk(*central_, admin_, kiosk, groups, kiosk_dir(kiosk));
        EXPECT_EQ(enrolled.status, 201) << enrolled.body;
        return enrolled;
    }
    // A client presenting `kiosk`'s certificate.
    static std::unique_ptr<httplib::SSLClient> client(const kiosk::testing::EnrolledKiosk& kiosk) {
        auto c = std::make_unique<httplib::SSLClient>(
            "127.0.0.1", central_->port(), kiosk.certificate.string(), kiosk.key.string());
        c->set_ca_cert_path(central_->ca_file().c_str());
        c->enable_server_certificate_verification(true);
        return c;
    }
    static httplib::Result kiosk_post(const kiosk::testing::EnrolledKiosk& kiosk,
                                      const std::string& path, const std::string& body) {
        return client(kiosk)->Post(path, body, "application/json");
    }
    static std::string csr_for(const std::string& name) {
        const auto dir = kiosk_dir("csr-" + name);
        kiosk::testing::make_key_and_request(dir, name);
        std::ifstream in(dir / "csr.pem");
        return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }

    // A bundle whose payload passes the schema. The central cannot check signatures, so
    // the signature bytes here are arbitrary (kiosks would refuse them; agent tests sign).
    static std::string bundle(std::int64_t version, const json& target) {
        const json payload{{"version", version},
                           {"issued_at", "2026-01-01T00:00:00Z"},
                           {"expires_at", "2099-01-01T00:00:00Z"},
                           {"target", target},
                           {"settings", json::object()}};
        return json{
            {"payload", kiosk::base64_encode(payload.dump())},
            {"signatures",
             {{{"key_id", "alice"}, {"signature", kiosk::base64_encode(std::string(64, 'x'))}}}}}
            .dump();
    }

    static kiosk::testing::CentralProcess* central_;
    static std::string admin_;
    static std::string helpdesk_;
    static std::string auditor_;
};
kiosk::testing::CentralProcess* Fleet::central_ = nullptr;
std::string Fleet::admin_;
std::string Fleet::helpdesk_;
std::string Fleet::auditor_;

} // namespace

TEST_F(Fleet, AdminTokensAreDistinctAndPrintedOnce) {
    EXPECT_EQ(admin_.rfind("kadm_", 0), 0U);
    EXPECT_EQ(helpdesk_.rfind("kadm_", 0), 0U);
    EXPECT_NE(helpdesk_, auditor_);
    // Only the hash is stored: the database never holds the token.
    const std::string bytes = central_->database().dump();
    ASSERT_NE(bytes.find("fleet_admins"), std::string::npos) << "the dump holds the table";
    EXPECT_EQ(bytes.find(helpdesk_), std::string::npos);
}

TEST_F(Fleet, AdminRoutesWithoutAKnownTokenAnswer401) {
    for (const std::string& token : {std::string(), std::string("kadm_not-a-real-token")}) {
        auto list = client(token)->Get("/v1/admin/fleet");
        ASSERT_TRUE(list);
        EXPECT_EQ(list->status, 401);
        EXPECT_EQ(code_of(list), "unauthenticated");
        auto enrolment = post(token, "/v1/admin/enrolments", R"({"kiosk_id":"k1"})");
        EXPECT_EQ(enrolment->status, 401);
        EXPECT_EQ(code_of(enrolment), "unauthenticated");
        auto push = post(token, "/v1/admin/config-bundles", bundle(1, {{"kind", "all"}}));
        EXPECT_EQ(push->status, 401);
        EXPECT_EQ(code_of(push), "unauthenticated");
    }
    // Not a bearer scheme at all.
    httplib::Headers basic{{"Authorization", "Basic " + admin_}};
    auto res = client()->Get("/v1/admin/fleet", basic);
    EXPECT_EQ(res->status, 401);
    EXPECT_EQ(code_of(res), "unauthenticated");
}

TEST_F(Fleet, HelpdeskAndAuditorMayListButNotEnrolOrPush) {
    for (const auto& token : {helpdesk_, auditor_}) {
        auto list = client(token)->Get("/v1/admin/fleet");
        ASSERT_TRUE(list);
        EXPECT_EQ(list->status, 200) << list->body;
        auto enrolment =
            post(token, "/v1/admin/enrolments", R"({"kiosk_id":"k-forbidden","groups":[]})");
        EXPECT_EQ(enrolment->status, 403);
        EXPECT_EQ(code_of(enrolment), "forbidden");
        auto push = post(token, "/v1/admin/config-bundles", bundle(1, {{"kind", "all"}}));
        EXPECT_EQ(push->status, 403);
        EXPECT_EQ(code_of(push), "forbidden");
    }
}

TEST_F(Fleet, KioskAndAdminCredentialsDoNotCross) {
    const auto kiosk = enrol("cross-1", json::array());
    auto as_admin = client(kiosk)->Get("/v1/admin/fleet");
    EXPECT_EQ(as_admin->status, 401);
    EXPECT_EQ(code_of(as_admin), "unauthenticated");
    auto as_kiosk = post(admin_, "/v1/kiosks/heartbeat", "{}");
    EXPECT_EQ(as_kiosk->status, 401);
    EXPECT_EQ(code_of(as_kiosk), "client_certificate_required");
    auto no_credential = client()->Get("/v1/kiosks/config");
    EXPECT_EQ(no_credential->status, 401);
    EXPECT_EQ(code_of(no_credential), "client_certificate_required");
}

TEST_F(Fleet, AnEnrolmentCodeWorksOnceAndOnlyForItsKiosk) {
    const auto code = enrolment_code("once-1", {"lobby"});
    EXPECT_EQ(code.size(), 14U); // XXXX-XXXX-XXXX
    auto other =
        post({}, "/v1/kiosks/enrol",
             json{{"kiosk_id", "once-2"}, {"code", code}, {"csr", csr_for("once-2")}}.dump());
    EXPECT_EQ(other->status, 401);
    EXPECT_EQ(code_of(other), "enrolment_code_invalid");
    // Typed without dashes and in lower case, it still works.
    std::string typed;
    for (const char c : code) {
        if (c != '-') {
            typed.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
        }
    }
    const auto csr = csr_for("once-1");
    auto first = post({}, "/v1/kiosks/enrol",
                      json{{"kiosk_id", "once-1"}, {"code", typed}, {"csr", csr}}.dump());
    ASSERT_EQ(first->status, 201) << first->body;
    const auto enrolled = json::parse(first->body);
    EXPECT_EQ(enrolled["groups"], json::array({"lobby"}));
    EXPECT_FALSE(enrolled.contains("credential")); // kiosks are known by certificate alone
    EXPECT_NE(enrolled["certificate"].get<std::string>().find("BEGIN CERTIFICATE"),
              std::string::npos);
    auto spent = post({}, "/v1/kiosks/enrol",
                      json{{"kiosk_id", "once-1"}, {"code", code}, {"csr", csr}}.dump());
    EXPECT_EQ(spent->status, 401);
    EXPECT_EQ(code_of(spent), "enrolment_code_invalid");
    auto bad = post({}, "/v1/kiosks/enrol", R"({"kiosk_id":"once-1"})");
    EXPECT_EQ(bad->status, 400);
    auto no_csr = post({}, "/v1/kiosks/enrol", R"({"kiosk_id":"once-1","code":"AAAA-BBBB-CCCC"})");
    EXPECT_EQ(no_csr->status, 400);
}

TEST_F(Fleet, HeartbeatsShowInTheFleetListing) {
    const auto kiosk = enrol("beat-1", {"lobby", "floor2"});
    auto beat = kiosk_post(kiosk, "/v1/kiosks/heartbeat",
                           json{{"version", "1.2.3"},
                                {"config_version", 7},
                                {"config_refusal", "older_version"},
                                {"queue_depth", 4},
                                {"dead_letters", 1}}
                               .dump());
    ASSERT_EQ(beat->status, 200) << beat->body;
    auto bad = kiosk_post(kiosk, "/v1/kiosks/heartbeat", R"({"queue_depth":-1})");
    EXPECT_EQ(bad->status, 400);
    auto list = client(auditor_)->Get("/v1/admin/fleet");
    ASSERT_EQ(list->status, 200);
    const auto kiosks = json::parse(list->body)["kiosks"];
    const auto it = std::find_if(kiosks.begin(), kiosks.end(),
                                 [](const json& k) { return k["kiosk_id"] == "beat-1"; });
    ASSERT_NE(it, kiosks.end());
    EXPECT_EQ((*it)["groups"], json::array({"lobby", "floor2"}));
    EXPECT_EQ((*it)["version"], "1.2.3");
    EXPECT_EQ((*it)["config_version"], 7);
    EXPECT_EQ((*it)["config_refusal"], "older_version");
    EXPECT_EQ((*it)["queue_depth"], 4);
    EXPECT_EQ((*it)["dead_letters"], 1);
    EXPECT_EQ((*it)["online"], true);
    EXPECT_TRUE((*it)["last_seen"].is_string());
}

TEST_F(Fleet, BundlesReachOnlyTheKiosksTheyTarget) {
    const auto inside = enrol("route-in", {"route-group"});
    const auto outside = enrol("route-out", {"elsewhere"});
    auto malformed = post(admin_, "/v1/admin/config-bundles", R"({"payload":"!!"})");
    EXPECT_EQ(malformed->status, 400);
    EXPECT_EQ(code_of(malformed), "bundle_invalid");
    const auto text = bundle(900, {{"kind", "group"}, {"ids", {"route-group"}}});
    auto pushed = post(admin_, "/v1/admin/config-bundles", text);
    ASSERT_EQ(pushed->status, 201) << pushed->body;
    EXPECT_EQ(json::parse(pushed->body)["version"], 900);

    auto got = client(inside)->Get("/v1/kiosks/config");
    ASSERT_EQ(got->status, 200);
    EXPECT_EQ(got->body, text); // the exact bytes the admin pushed
    EXPECT_EQ(got->get_header_value("Config-Version"), "900");
    auto up_to_date = client(inside)->Get("/v1/kiosks/config?after=900");
    EXPECT_EQ(up_to_date->status, 204);
    auto not_for_it = client(outside)->Get("/v1/kiosks/config");
    EXPECT_EQ(not_for_it->status, 204);
    auto bad_after = client(inside)->Get("/v1/kiosks/config?after=x");
    EXPECT_EQ(bad_after->status, 400);
}
