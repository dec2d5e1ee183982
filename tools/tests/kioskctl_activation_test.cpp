// kioskctl activation create against a real kiosk-central over real TLS: the code it prints
// (text with a terminal QR code, or --json) activates the account at POST /v1/activations,
// replaces the older code, and roles, accounts with an authenticator app and bad input get
// kioskctl's exit codes with the central's reason.
#include "central_process.hpp"

#include <array>
#include <cstdio>
#include <fstream>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <string>
#include <sys/wait.h>

namespace {

using nlohmann::json;

struct Ran {
    int status = -1;
    std::string out;
};

Ran run(const std::string& command) {
    Ran r;
    FILE* pipe = popen((command + " 2>/dev/null").c_str(), "r");
    std::array<char, 4096> buffer{};
    std::size_t n = 0;
    while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
        r.out.append(buffer.data(), n);
    }
    const int status = pclose(pipe);
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

class KioskctlActivation : public ::testing::Test {
protected:
    void SetUp() override {
        central_ = std::make_unique<kiosk::testing::CentralProcess>();
        for (const char* role : {"helpdesk", "auditor"}) {
            const Ran added =
                run(kiosk::testing::central_binary().string() + " admin add --data-dir '" +
                    central_->data_dir().string() + "' --name " + role + "-1 --role " + role);
            ASSERT_EQ(added.status, 0);
            std::ofstream(central_->data_dir() / (std::string(role) + "-token")) << added.out;
        }
    }
    Ran kioskctl(const std::string& args, const std::string& token = "helpdesk-token") const {
        return run(std::string("'") + KIOSK_KIOSKCTL_BINARY + "' " + args + " --central " +
                   central_->base_url() + " --ca '" + central_->ca_file().string() +
                   "' --admin-token-file '" + (central_->data_dir() / token).string() + "'");
    }
    int activate(const std::string& code) const {
        httplib::SSLClient c("127.0.0.1", central_->port());
        c.set_ca_cert_path(central_->ca_file().c_str());
        c.enable_server_certificate_verification(true);
        auto res = c.Post("/v1/activations",
                          json{{"identifier", "kzielinski"},
                               {"activation_code", code},
                               {"new_password", "Provisioned-By-The-Helpdesk-2026"}}
                              .dump(),
                          "application/json");
        if (!res) {
            ADD_FAILURE() << "no answer: " << httplib::to_string(res.error());
            return -1;
        }
        return res->status;
    }
    std::unique_ptr<kiosk::testing::CentralProcess> central_;
};

} // namespace

TEST_F(KioskctlActivation, PrintsACodeThatActivatesTheAccountOnce) {
    const Ran made = kioskctl("activation create --account E1005 --days 2 --json");
    ASSERT_EQ(made.status, 0) << made.out;
    const json doc = json::parse(made.out);
    EXPECT_EQ(doc["ok"], true);
    EXPECT_EQ(doc["account"], "kzielinski");
    const std::string code = doc["code"];
    EXPECT_EQ(code.rfind("ACTV-", 0), 0U);
    EXPECT_EQ(activate("ACTV-DEMO-2026"), 401) << "the newer code voided the demo one";
    EXPECT_EQ(activate(code), 201);
}

TEST_F(KioskctlActivation, TextOutputShowsTheCodeAndATerminalQrCode) {
    const Ran made = kioskctl("activation create --account kzielinski");
    ASSERT_EQ(made.status, 0) << made.out;
    const auto at = made.out.find("ACTV-");
    ASSERT_NE(at, std::string::npos) << made.out;
    EXPECT_NE(made.out.find("\u2588"), std::string::npos) << "no QR code drawn";
    EXPECT_EQ(activate(made.out.substr(at, 14)), 201);
    const Ran plain = kioskctl("activation create --account kzielinski --no-qr");
    EXPECT_EQ(plain.out.find("\u2588"), std::string::npos);
}

TEST_F(KioskctlActivation, RefusalsHaveExitCodesAndTheCentralsReason) {
    const Ran auditor = kioskctl("activation create --account kzielinski --json", "auditor-token");
    EXPECT_EQ(auditor.status, 1);
    EXPECT_EQ(json::parse(auditor.out)["reason"], "forbidden");
    const Ran with_app = kioskctl("activation create --account tnowak --json");
    EXPECT_EQ(with_app.status, 1);
    EXPECT_EQ(json::parse(with_app.out)["reason"], "account_has_authenticator");
    const Ran unknown = kioskctl("activation create --account nobody-here --json");
    EXPECT_EQ(unknown.status, 1);
    EXPECT_EQ(json::parse(unknown.out)["reason"], "account_not_found");
    EXPECT_EQ(kioskctl("activation create --account kzielinski --days 0").status, 2);
    EXPECT_EQ(kioskctl("activation create").status, 2);
    EXPECT_EQ(kioskctl("activation create --account kzielinski", "no-such-token").status, 3);
}
