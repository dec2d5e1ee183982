// kioskctl reports, audit and demo-users against a real kiosk-central over real TLS: the
// figures and entries the central holds, --json, roles (exit 1 with the central's code),
// usage errors (exit 2), a missing token file (exit 3), and the demo list signing in.
#include "central_process.hpp"

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <string>
#include <sys/wait.h>

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

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

class KioskctlReports : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        central_ = new kiosk::testing::CentralProcess();
        // An auditor's token file next to the demo admin's.
        const Ran added =
            run(kiosk::testing::central_binary().string() + " admin add --data-dir '" +
                central_->data_dir().string() + "' --name audit-9 --role auditor");
        ASSERT_EQ(added.status, 0);
        std::ofstream(central_->data_dir() / "auditor-token") << added.out;
        const Ran help = run(kiosk::testing::central_binary().string() + " admin add --data-dir '" +
                             central_->data_dir().string() + "' --name help-9 --role helpdesk");
        std::ofstream(central_->data_dir() / "helpdesk-token") << help.out;
    }
    static void TearDownTestSuite() {
        delete central_;
        central_ = nullptr;
    }
    static Ran kioskctl(const std::string& args, const std::string& token = "admin-token") {
        return run(std::string("'") + KIOSK_KIOSKCTL_BINARY + "' " + args + " --central " +
                   central_->base_url() + " --ca '" + central_->ca_file().string() +
                   "' --admin-token-file '" + (central_->data_dir() / token).string() + "'");
    }
    static kiosk::testing::CentralProcess* central_;
};
kiosk::testing::CentralProcess* KioskctlReports::central_ = nullptr;

} // namespace

TEST_F(KioskctlReports, ReportsShowTheDemoFiguresAsTextAndJson) {
    const Ran text = kioskctl("reports");
    ASSERT_EQ(text.status, 0) << text.out;
    EXPECT_NE(text.out.find("CSAT: 6 ratings, mean 3.83"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("First-contact resolution: 80.0%"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("Time to resolution: median 4h 0m over 2 resolved"), std::string::npos)
        << text.out;
    EXPECT_NE(text.out.find("reset at code: 1"), std::string::npos) << text.out;

    const Ran as_json = kioskctl("reports --json --from 2000-01-01T00:00:00Z");
    ASSERT_EQ(as_json.status, 0);
    const json doc = json::parse(as_json.out);
    EXPECT_TRUE(doc["ok"].get<bool>());
    EXPECT_EQ(doc["csat"]["count"], 6);
    EXPECT_EQ(doc["from"], "2000-01-01T00:00:00Z");

    // A window with nothing in it.
    const Ran empty =
        kioskctl("reports --json --from 2001-01-01T00:00:00Z --to 2001-02-01T00:00:00Z");
    EXPECT_EQ(json::parse(empty.out)["csat"]["mean"], nullptr);
    // Bad input: the central's 400 is exit 1 with its code.
    const Ran bad = kioskctl("reports --json --from soon");
    EXPECT_EQ(bad.status, 1);
    EXPECT_EQ(json::parse(bad.out)["reason"], "bad_request");
}

TEST_F(KioskctlReports, AuditListsFiltersAndVerifiesAndHonoursRoles) {
    const Ran list = kioskctl("audit --json --action session_ended --limit 3", "auditor-token");
    ASSERT_EQ(list.status, 0) << list.out;
    const json doc = json::parse(list.out);
    ASSERT_EQ(doc["entries"].size(), 3U);
    for (const auto& e : doc["entries"]) {
        EXPECT_EQ(e["action"], "session_ended");
    }
    const Ran text = kioskctl("audit --action session_ended", "auditor-token");
    EXPECT_EQ(text.status, 0);
    EXPECT_NE(text.out.find("reset abandoned at code"), std::string::npos) << text.out;

    const Ran verify = kioskctl("audit --verify", "auditor-token");
    EXPECT_EQ(verify.status, 0);
    EXPECT_NE(verify.out.find("Audit log intact: "), std::string::npos) << verify.out;

    // The helpdesk may not read the log: exit 1, the central's code.
    const Ran refused = kioskctl("audit --json", "helpdesk-token");
    EXPECT_EQ(refused.status, 1);
    EXPECT_EQ(json::parse(refused.out)["reason"], "forbidden");
    // Usage and I/O errors.
    EXPECT_EQ(kioskctl("audit --limit 0").status, 2);
    EXPECT_EQ(kioskctl("audit", "no-such-token-file").status, 3);
    EXPECT_EQ(run(std::string("'") + KIOSK_KIOSKCTL_BINARY + "' reports").status, 2);
    for (const char* command : {"reports", "audit", "demo-users"}) {
        const Ran help = run(std::string("'") + KIOSK_KIOSKCTL_BINARY + "' " + command + " --help");
        EXPECT_EQ(help.status, 0) << command;
        EXPECT_NE(help.out.find("--json"), std::string::npos) << command;
    }
}

TEST_F(KioskctlReports, DemoUsersAreTheAccountsTheDemoCentralHas) {
    const Ran listed = run(std::string("'") + KIOSK_KIOSKCTL_BINARY + "' demo-users --json");
    ASSERT_EQ(listed.status, 0);
    const json users = json::parse(listed.out)["users"];
    ASSERT_EQ(users.size(), 4U);
    for (const auto& u : users) {
        // The real central (its check-password command) says the listed password is the
        // account's.
        EXPECT_TRUE(central_->password_matches(u["username"], u["password"])) << u.dump();
    }
    EXPECT_EQ(users[3]["totp_secret"], "KRUGKIDROVUWG2ZAMJZG653OEBTG66BA");
    const Ran text = run(std::string("'") + KIOSK_KIOSKCTL_BINARY + "' demo-users");
    EXPECT_NE(text.out.find("Lobby-Winter-Morning-2026"), std::string::npos);
}
