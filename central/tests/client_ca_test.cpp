// The central's kiosk CA against a real kiosk-central over real TLS: enrolment turns a
// certificate request into a client certificate that `openssl verify` accepts; kiosk routes
// want that certificate (none: 401, another CA's: 403, revoked: 403); the caller cannot pick
// another kiosk's name; bad requests get 400 with a stable code; the CA key file is guarded.
#include "central_process.hpp"
#include "kiosk_certificate.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>

using kiosk::testing::CentralProcess;
using kiosk::testing::EnrolledKiosk;
using kiosk::testing::run_command;
using nlohmann::json;

namespace {

std::string read_text(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string quoted(const std::filesystem::path& p) {
    return "'" + p.string() + "'";
}

std::string error_code(const httplib::Result& res) {
    if (!res) {
        return "(no answer)";
    }
    const json doc = json::parse(res->body, nullptr, false);
    return doc.is_object() && doc.contains("error") ? doc["error"].value("code", "") : "";
}

class ClientCa : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        central_ = new CentralProcess();
        admin_ = kiosk::testing::demo_admin_token(*central_);
    }
    static void TearDownTestSuite() {
        delete central_;
        central_ = nullptr;
    }

    static std::filesystem::path dir(const std::string& name) {
        return central_->data_dir() / "test-kiosks" / name;
    }
    static EnrolledKiosk enrol(const std::string& kiosk, const json& groups = json::array()) {
        auto enrolled = kiosk::testing::enrol_kiosk(*central_, admin_, kiosk, groups, dir(kiosk));
        EXPECT_EQ(enrolled.status, 201) << enrolled.body;
        return enrolled;
    }
    // A TLS client trusting the central; presenting `certificate` and `key` when given.
    static std::unique_ptr<httplib::SSLClient> client(const std::filesystem::path& certificate = {},
                                                      const std::filesystem::path& key = {}) {
        auto c = certificate.empty()
                     ? std::make_unique<httplib::SSLClient>("127.0.0.1", central_->port())
                     : std::make_unique<httplib::SSLClient>("127.0.0.1", central_->port(),
                                                            certificate.string(), key.string());
        c->set_ca_cert_path(central_->ca_file().c_str());
        c->enable_server_certificate_verification(true);
        return c;
    }
    static std::unique_ptr<httplib::SSLClient> client(const EnrolledKiosk& kiosk) {
        return client(kiosk.certificate, kiosk.key);
    }
    static httplib::Result heartbeat(httplib::SSLClient& c) {
        return c.Post("/v1/kiosks/heartbeat", R"({"version":"ca-test"})", "application/json");
    }
    static httplib::Result enrol_raw(const json& body) {
        return client()->Post("/v1/kiosks/enrol", body.dump(), "application/json");
    }
    static httplib::Result admin_post(const std::string& token, const std::string& path) {
        auto c = client();
        c->set_bearer_token_auth(token);
        return c->Post(path, "{}", "application/json");
    }

    static CentralProcess* central_;
    static std::string admin_;
};
CentralProcess* ClientCa::central_ = nullptr;
std::string ClientCa::admin_;

} // namespace

TEST_F(ClientCa, EnrolmentIssuesAClientCertificateThatOpensslVerifiesAgainstTheCa) {
    const auto kiosk = enrol("verify-1", {"lobby"});
    const json answer = json::parse(kiosk.body);
    const auto ca_file = central_->data_dir() / "ca" / "ca.pem";
    EXPECT_EQ(answer["ca_certificate"], read_text(ca_file));
    EXPECT_TRUE(answer["serial"].is_string());
    EXPECT_TRUE(answer["not_after"].is_string());

    const auto verified = run_command("openssl verify -purpose sslclient -CAfile " +
                                      quoted(ca_file) + " " + quoted(kiosk.certificate));
    EXPECT_EQ(verified.exit_code, 0) << verified.out;
    // Not for a server, and it cannot sign certificates.
    EXPECT_NE(run_command("openssl verify -purpose sslserver -CAfile " + quoted(ca_file) + " " +
                          quoted(kiosk.certificate))
                  .exit_code,
              0);
    const auto text = run_command("openssl x509 -noout -subject -serial -ext "
                                  "basicConstraints,extendedKeyUsage,keyUsage -in " +
                                  quoted(kiosk.certificate));
    ASSERT_EQ(text.exit_code, 0) << text.out;
    EXPECT_NE(text.out.find("CN = verify-1"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("CA:FALSE"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("TLS Web Client Authentication"), std::string::npos) << text.out;
    EXPECT_EQ(text.out.find("TLS Web Server Authentication"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("serial=" + answer["serial"].get<std::string>()), std::string::npos)
        << text.out;
    // About a year.
    const auto days = run_command("openssl x509 -noout -checkend " + std::to_string(360 * 86400) +
                                  " -in " + quoted(kiosk.certificate));
    EXPECT_EQ(days.exit_code, 0) << days.out;
    EXPECT_NE(run_command("openssl x509 -noout -checkend " + std::to_string(370 * 86400) + " -in " +
                          quoted(kiosk.certificate))
                  .exit_code,
              0);
    // The certificate is for the kiosk's own key.
    const auto cert_key =
        run_command("openssl x509 -noout -pubkey -in " + quoted(kiosk.certificate));
    const auto own_key = run_command("openssl pkey -pubout -in " + quoted(kiosk.key));
    EXPECT_EQ(cert_key.out, own_key.out);

    // The CA's key is the central's user's alone, in a folder only it may enter.
    struct stat st {};
    ASSERT_EQ(::stat((central_->data_dir() / "ca" / "ca.key").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600U);
    ASSERT_EQ(::stat((central_->data_dir() / "ca").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700U);
}

TEST_F(ClientCa, KioskRoutesWithoutACertificateAnswer401WhileWalkUpAndAdminRoutesWork) {
    auto anonymous = client();
    auto beat = heartbeat(*anonymous);
    ASSERT_TRUE(beat);
    EXPECT_EQ(beat->status, 401);
    EXPECT_EQ(error_code(beat), "client_certificate_required");
    auto config = anonymous->Get("/v1/kiosks/config");
    EXPECT_EQ(config->status, 401);
    EXPECT_EQ(error_code(config), "client_certificate_required");
    auto audit = anonymous->Post(
        "/v1/kiosks/audit-events",
        R"({"action":"exit","actor":"staff-1","at":"2026-01-01T00:00:00Z"})", "application/json");
    EXPECT_EQ(audit->status, 401);
    EXPECT_EQ(error_code(audit), "client_certificate_required");
    // The same connection, without a certificate, serves walk-up and admin routes.
    EXPECT_EQ(anonymous->Get("/v1/health")->status, 200);
    auto verification =
        anonymous->Post("/v1/verifications", R"({"identifier":"jdoe"})", "application/json");
    EXPECT_EQ(verification->status, 202);
    auto admin = client();
    admin->set_bearer_token_auth(admin_);
    EXPECT_EQ(admin->Get("/v1/admin/fleet")->status, 200);
}

TEST_F(ClientCa, HeartbeatAndConfigPullWorkWithTheCertificate) {
    const auto kiosk = enrol("works-1", {"lobby"});
    auto c = client(kiosk);
    auto beat = heartbeat(*c);
    ASSERT_TRUE(beat);
    ASSERT_EQ(beat->status, 200) << beat->body;
    EXPECT_EQ(json::parse(beat->body)["kiosk_id"], "works-1");
    auto pulled = c->Get("/v1/kiosks/config");
    EXPECT_EQ(pulled->status, 204); // nothing pushed for it
    auto audit = c->Post("/v1/kiosks/audit-events",
                         R"({"action":"exit","actor":"staff-1","at":"2026-01-01T00:00:00Z"})",
                         "application/json");
    EXPECT_EQ(audit->status, 201) << audit->body;
}

TEST_F(ClientCa, ACertificateFromAnotherCaIsRefusedEvenWithTheRightName) {
    enrol("forged-1");
    // A CA of our own, made with the openssl CLI, and a clientAuth certificate for the name
    // of an enrolled kiosk.
    const auto d = dir("other-ca");
    kiosk::testing::make_key_and_request(d, "forged-1");
    std::ofstream(d / "ext.cnf") << "basicConstraints=critical,CA:FALSE\n"
                                    "keyUsage=critical,digitalSignature\n"
                                    "extendedKeyUsage=clientAuth\n";
    const auto ca =
        run_command("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 "
                    "-subj '/CN=Self-Service Kiosk client CA' -keyout " +
                    quoted(d / "ca.key") + " -out " + quoted(d / "ca.pem"));
    ASSERT_EQ(ca.exit_code, 0) << ca.out;
    const auto signed_cert = run_command("openssl x509 -req -days 30 -in " + quoted(d / "csr.pem") +
                                         " -CA " + quoted(d / "ca.pem") + " -CAkey " +
                                         quoted(d / "ca.key") + " -set_serial 7 -extfile " +
                                         quoted(d / "ext.cnf") + " -out " + quoted(d / "cert.pem"));
    ASSERT_EQ(signed_cert.exit_code, 0) << signed_cert.out;

    auto c = client(d / "cert.pem", d / "key.pem");
    auto beat = heartbeat(*c);
    ASSERT_TRUE(beat) << "the handshake must not fail over the client certificate";
    EXPECT_EQ(beat->status, 403);
    EXPECT_EQ(error_code(beat), "client_certificate_invalid");
    auto config = c->Get("/v1/kiosks/config");
    EXPECT_EQ(config->status, 403);
    // A self-signed certificate (no CA at all) fares no better.
    const auto self = run_command("openssl req -x509 -new -key " + quoted(d / "key.pem") +
                                  " -days 30 -subj '/CN=forged-1' -out " + quoted(d / "self.pem"));
    ASSERT_EQ(self.exit_code, 0) << self.out;
    auto self_signed = heartbeat(*client(d / "self.pem", d / "key.pem"));
    ASSERT_TRUE(self_signed);
    EXPECT_EQ(self_signed->status, 403);
    EXPECT_EQ(error_code(self_signed), "client_certificate_invalid");
}

TEST_F(ClientCa, ARevokedCertificateGets403UntilTheKioskEnrolsAgain) {
    const auto first = enrol("revoke-1");
    ASSERT_EQ(heartbeat(*client(first))->status, 200);

    const auto helpdesk =
        run_command(kiosk::testing::central_binary().string() + " admin add --data-dir " +
                    quoted(central_->data_dir()) + central_->database_option() +
                    " --name help-ca --role helpdesk");
    ASSERT_EQ(helpdesk.exit_code, 0);
    const std::string helpdesk_token = helpdesk.out.substr(0, helpdesk.out.find('\n'));
    auto not_allowed = admin_post(helpdesk_token, "/v1/admin/kiosks/revoke-1/revoke");
    EXPECT_EQ(not_allowed->status, 403);
    EXPECT_EQ(admin_post({}, "/v1/admin/kiosks/revoke-1/revoke")->status, 401);
    EXPECT_EQ(admin_post(admin_, "/v1/admin/kiosks/never-enrolled/revoke")->status, 404);

    auto revoked = admin_post(admin_, "/v1/admin/kiosks/revoke-1/revoke");
    ASSERT_EQ(revoked->status, 200) << revoked->body;
    EXPECT_EQ(json::parse(revoked->body)["revoked"], 1);
    auto c = client(first);
    auto beat = heartbeat(*c);
    EXPECT_EQ(beat->status, 403);
    EXPECT_EQ(error_code(beat), "client_certificate_revoked");
    EXPECT_EQ(c->Get("/v1/kiosks/config")->status, 403);

    // A new code issues a new certificate; the revoked one stays refused.
    const auto second = kiosk::testing::enrol_kiosk(*central_, admin_, "revoke-1", json::array(),
                                                    dir("revoke-1-again"));
    ASSERT_EQ(second.status, 201) << second.body;
    EXPECT_EQ(heartbeat(*client(second))->status, 200);
    EXPECT_EQ(heartbeat(*client(first))->status, 403);
}

TEST_F(ClientCa, ReEnrolmentReplacesTheKiosksOlderCertificate) {
    const auto first = enrol("replace-1");
    const auto second = kiosk::testing::enrol_kiosk(*central_, admin_, "replace-1", json::array(),
                                                    dir("replace-1-new"));
    ASSERT_EQ(second.status, 201);
    EXPECT_EQ(heartbeat(*client(second))->status, 200);
    auto old = heartbeat(*client(first));
    EXPECT_EQ(old->status, 403);
    EXPECT_EQ(error_code(old), "client_certificate_revoked");
}

TEST_F(ClientCa, TheCallerCannotChooseAnotherKiosksName) {
    enrol("victim-1");
    const auto code =
        kiosk::testing::enrolment_code(*central_, admin_, "attacker-1", json::array());
    const auto d = dir("attacker-1");
    kiosk::testing::make_key_and_request(d, "victim-1");
    const std::string victim_csr = read_text(d / "csr.pem");
    // Its own code, the victim's name in the request.
    auto mismatch = enrol_raw({{"kiosk_id", "attacker-1"}, {"code", code}, {"csr", victim_csr}});
    EXPECT_EQ(mismatch->status, 400);
    EXPECT_EQ(error_code(mismatch), "csr_subject_mismatch");
    // The victim's name in both: the code is not for it.
    auto wrong_kiosk = enrol_raw({{"kiosk_id", "victim-1"}, {"code", code}, {"csr", victim_csr}});
    EXPECT_EQ(wrong_kiosk->status, 401);
    EXPECT_EQ(error_code(wrong_kiosk), "enrolment_code_invalid");
    // The refused request did not spend the code: a proper one still works, and the
    // certificate names the kiosk the code was made for.
    kiosk::testing::make_key_and_request(d / "own", "attacker-1");
    auto own = enrol_raw(
        {{"kiosk_id", "attacker-1"}, {"code", code}, {"csr", read_text(d / "own" / "csr.pem")}});
    ASSERT_EQ(own->status, 201) << own->body;
    std::ofstream(d / "cert.pem") << json::parse(own->body)["certificate"].get<std::string>();
    const auto subject = run_command("openssl x509 -noout -subject -in " + quoted(d / "cert.pem"));
    EXPECT_NE(subject.out.find("CN = attacker-1"), std::string::npos) << subject.out;
    auto beat = heartbeat(*client(d / "cert.pem", d / "own" / "key.pem"));
    ASSERT_EQ(beat->status, 200);
    EXPECT_EQ(json::parse(beat->body)["kiosk_id"], "attacker-1");
}

TEST_F(ClientCa, BadCertificateRequestsGet400WithAStableCodeAndKeepTheCode) {
    const auto code = kiosk::testing::enrolment_code(*central_, admin_, "bad-csr-1", json::array());
    const auto d = dir("bad-csr-1");
    kiosk::testing::make_key_and_request(d, "bad-csr-1");
    const std::string good = read_text(d / "csr.pem");

    // A request whose public key was swapped for another key's: its signature, made with
    // the first key, no longer verifies with the key it carries.
    kiosk::testing::make_key_and_request(d / "other", "bad-csr-1");
    const auto to_der = [&](const std::filesystem::path& in, const std::filesystem::path& out,
                            const std::string& what) {
        return run_command("openssl " + what + " -outform DER -in " + quoted(in) + " -out " +
                           quoted(out))
            .exit_code;
    };
    ASSERT_EQ(to_der(d / "csr.pem", d / "csr.der", "req"), 0);
    ASSERT_EQ(to_der(d / "key.pem", d / "spki.der", "pkey -pubout"), 0);
    ASSERT_EQ(to_der(d / "other" / "key.pem", d / "other-spki.der", "pkey -pubout"), 0);
    std::string der = read_text(d / "csr.der");
    const std::string spki = read_text(d / "spki.der");
    const std::string other_spki = read_text(d / "other-spki.der");
    ASSERT_EQ(spki.size(), other_spki.size());
    const auto at = der.find(spki);
    ASSERT_NE(at, std::string::npos);
    der.replace(at, spki.size(), other_spki);
    std::ofstream(d / "swapped.der", std::ios::binary) << der;
    const auto pem = run_command("openssl req -inform DER -in " + quoted(d / "swapped.der") +
                                 " -out " + quoted(d / "swapped.pem"));
    ASSERT_EQ(pem.exit_code, 0) << pem.out;
    const auto verify = run_command("openssl req -verify -noout -in " + quoted(d / "swapped.pem"));
    // (openssl req -verify reports the failure in words; its exit code stays 0 in 3.0.)
    ASSERT_EQ(verify.out.find("verify OK"), std::string::npos)
        << "the swapped request should not verify: " << verify.out;

    // An RSA key: not what kiosks make.
    const auto rsa =
        run_command("openssl req -new -newkey rsa:2048 -nodes -keyout " + quoted(d / "rsa.key") +
                    " -out " + quoted(d / "rsa.csr") + " -subj /CN=bad-csr-1");
    ASSERT_EQ(rsa.exit_code, 0) << rsa.out;

    const std::string truncated = good.substr(0, good.size() / 2);
    std::string garbled = good;
    garbled[garbled.size() / 2] = garbled[garbled.size() / 2] == 'A' ? 'B' : 'A';
    for (const auto& [what, csr] : std::vector<std::pair<std::string, std::string>>{
             {"swapped key", read_text(d / "swapped.pem")},
             {"rsa", read_text(d / "rsa.csr")},
             {"not pem", "hello"},
             {"empty", ""},
             {"truncated", truncated},
             {"garbled", garbled},
             {"a certificate", read_text(central_->ca_file())},
             {"huge", std::string(40 * 1024, 'A')}}) {
        auto res = enrol_raw({{"kiosk_id", "bad-csr-1"}, {"code", code}, {"csr", csr}});
        ASSERT_TRUE(res) << what;
        if (what == "huge") {
            EXPECT_TRUE(res->status == 400 || res->status == 413) << what << ": " << res->status;
            continue;
        }
        EXPECT_EQ(res->status, 400) << what << ": " << res->body;
        EXPECT_EQ(error_code(res), "csr_invalid") << what;
    }
    auto wrong_type = enrol_raw({{"kiosk_id", "bad-csr-1"}, {"code", code}, {"csr", 17}});
    EXPECT_EQ(wrong_type->status, 400);
    EXPECT_EQ(error_code(wrong_type), "bad_request");
    // None of those spent the code.
    auto good_one = enrol_raw({{"kiosk_id", "bad-csr-1"}, {"code", code}, {"csr", good}});
    EXPECT_EQ(good_one->status, 201) << good_one->body;
}

TEST(ClientCaKeyFile, TheCentralRefusesToStartWithACaKeyOthersCanRead) {
    CentralProcess central;
    const auto key = central.data_dir() / "ca" / "ca.key";
    const std::string before = read_text(key);
    ASSERT_FALSE(before.empty());
    central.stop();
    std::filesystem::permissions(key, std::filesystem::perms::group_read,
                                 std::filesystem::perm_options::add);
    EXPECT_THROW(central.start_again(), std::runtime_error);
    std::filesystem::permissions(key, std::filesystem::perms::group_read,
                                 std::filesystem::perm_options::remove);
    // Fixed, it starts again with the same CA: certificates issued before stay good.
    EXPECT_NO_THROW(central.start_again());
    EXPECT_EQ(read_text(key), before);
}
