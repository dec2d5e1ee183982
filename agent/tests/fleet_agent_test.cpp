// Issue 6's fleet test, all real processes: one kiosk-central, kioskctl as an admin runs it
// (keys, enrol create, config sign, config push, fleet), and four kiosk-agent processes,
// three in group "lobby" and one in "basement". A bundle for "lobby" must be applied by
// every lobby kiosk, reported in the fleet listing, and not by the basement kiosk.
#include "central_process.hpp"
#include "kiosk/config/rfc3339.hpp"

#include <array>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using nlohmann::json;

namespace {

struct Run {
    int exit_code = -1;
    std::string out;
};

Run run(const std::string& command) {
    FILE* pipe = popen((command + " 2>/dev/null").c_str(), "r");
    std::array<char, 4096> buffer{};
    Run result;
    while (fgets(buffer.data(), buffer.size(), pipe) != nullptr) {
        result.out += buffer.data();
    }
    const int status = pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

std::string quoted(const std::filesystem::path& p) {
    return "'" + p.string() + "'";
}

class FleetAgents : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (std::filesystem::temp_directory_path() / "fleet-agents-XXXXXX");
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        dir_ = pattern;
        central_ = std::make_unique<kiosk::testing::CentralProcess>();
        ASSERT_EQ(run(std::string(KIOSK_KIOSKCTL_BINARY) + " keys generate --out " +
                      quoted(dir_ / "keys") + " --name alice")
                      .exit_code,
                  0);
    }
    void TearDown() override {
        for (const auto& [name, pid] : agents_) {
            kill(pid, SIGKILL);
            waitpid(pid, nullptr, 0);
        }
        central_.reset();
        std::filesystem::remove_all(dir_);
    }

    std::string admin_args() const {
        return " --central " + central_->base_url() + " --ca " + quoted(central_->ca_file()) +
               " --admin-token-file " + quoted(central_->data_dir() / "admin-token") + " --json";
    }
    std::string kioskctl(const std::string& args, int expected_exit = 0) const {
        const auto result = run(std::string(KIOSK_KIOSKCTL_BINARY) + " " + args);
        EXPECT_EQ(result.exit_code, expected_exit) << args << "\n" << result.out;
        return result.out;
    }

    std::string enrolment_code(const std::string& kiosk, const std::string& group) const {
        const auto out =
            kioskctl("enrol create --kiosk " + kiosk + " --group " + group + admin_args());
        return json::parse(out, nullptr, false).value("code", "");
    }

    std::vector<std::string> agent_args(const std::string& kiosk) const {
        return {KIOSK_AGENT_BINARY,
                "--central",
                central_->base_url(),
                "--ca",
                central_->ca_file().string(),
                "--kiosk-id",
                kiosk,
                "--state-dir",
                (dir_ / kiosk).string(),
                "--trust",
                (dir_ / "keys" / "alice.pub.pem").string()};
    }

    void start_agent(const std::string& kiosk, const std::string& code) {
        auto args = agent_args(kiosk);
        args.insert(args.end(), {"--enrol-code", code, "--interval", "1"});
        const pid_t pid = fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            std::vector<char*> argv;
            for (auto& a : args) {
                argv.push_back(a.data());
            }
            argv.push_back(nullptr);
            execv(argv[0], argv.data());
            _exit(127);
        }
        agents_[kiosk] = pid;
    }

    // kioskctl fleet --json, by kiosk ID.
    std::map<std::string, json> fleet() const {
        const json doc = json::parse(kioskctl("fleet" + admin_args()), nullptr, false);
        std::map<std::string, json> by_id;
        if (doc.is_object() && doc.contains("kiosks")) {
            for (const auto& k : doc["kiosks"]) {
                by_id[k["kiosk_id"].get<std::string>()] = k;
            }
        }
        return by_id;
    }

    // Polls the fleet listing until `done` holds (at most 20 s); returns the last listing.
    template <typename F> std::map<std::string, json> wait_for(F done) const {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        auto listing = fleet();
        while (!done(listing) && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            listing = fleet();
        }
        return listing;
    }

    std::filesystem::path dir_;
    std::unique_ptr<kiosk::testing::CentralProcess> central_;
    std::map<std::string, pid_t> agents_;
};

const std::vector<std::string> kLobby = {"lobby-1", "lobby-2", "lobby-3"};

} // namespace

TEST_F(FleetAgents, AConfigPushedToAGroupIsAppliedByEveryKioskInItAndNoOther) {
    std::map<std::string, std::string> codes;
    for (const auto& kiosk : kLobby) {
        codes[kiosk] = enrolment_code(kiosk, "lobby");
    }
    codes["basement-1"] = enrolment_code("basement-1", "basement");
    for (const auto& [kiosk, code] : codes) {
        ASSERT_FALSE(code.empty()) << kiosk;
        start_agent(kiosk, code);
    }

    // Every agent enrols and reports in, with no configuration yet.
    auto listing = wait_for([](const auto& l) {
        return l.size() == 4 && std::all_of(l.begin(), l.end(), [](const auto& entry) {
                   return entry.second["last_seen"].is_string();
               });
    });
    ASSERT_EQ(listing.size(), 4U);
    for (const auto& [kiosk, entry] : listing) {
        EXPECT_EQ(entry["config_version"], 0) << kiosk;
        EXPECT_EQ(entry["online"], true) << kiosk;
        EXPECT_EQ(entry["version"], KIOSK_VERSION_STRING) << kiosk;
    }
    // The key made on the kiosk is its user's alone, in a folder only it may enter, and its
    // certificate verifies against the central's kiosk CA with the openssl CLI.
    struct stat info {};
    ASSERT_EQ(stat((dir_ / "lobby-1" / "client.key").c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600U);
    ASSERT_EQ(stat((dir_ / "lobby-1").c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0700U);
    const auto verified = run("openssl verify -purpose sslclient -CAfile " +
                              quoted(central_->data_dir() / "ca" / "ca.pem") + " " +
                              quoted(dir_ / "lobby-1" / "client.pem"));
    EXPECT_EQ(verified.exit_code, 0) << verified.out;
    EXPECT_NE(run("openssl x509 -noout -subject -in " + quoted(dir_ / "lobby-1" / "client.pem"))
                  .out.find("CN = lobby-1"),
              std::string::npos);
    // The kiosk kept the central's CA certificate it was given.
    EXPECT_EQ(run("cmp " + quoted(dir_ / "lobby-1" / "client-ca.pem") + " " +
                  quoted(central_->data_dir() / "ca" / "ca.pem"))
                  .exit_code,
              0);

    // An admin signs a document for group lobby and pushes it.
    const auto now = std::chrono::system_clock::now();
    const json payload{{"version", 5},
                       {"issued_at", kiosk::config::format_rfc3339(now - std::chrono::minutes(1))},
                       {"expires_at", kiosk::config::format_rfc3339(now + std::chrono::hours(24))},
                       {"target", {{"kind", "group"}, {"ids", {"lobby"}}}},
                       {"settings", {{"branding", {{"organisation_name", "Lobby Ltd"}}}}}};
    std::ofstream(dir_ / "payload.json") << payload.dump(2) << "\n";
    kioskctl("config sign --key " + quoted(dir_ / "keys" / "alice.key.pem") + " --in " +
             quoted(dir_ / "payload.json") + " --out " + quoted(dir_ / "bundle.json"));
    const json pushed =
        json::parse(kioskctl("config push --bundle " + quoted(dir_ / "bundle.json") + admin_args()),
                    nullptr, false);
    EXPECT_EQ(pushed.value("version", 0), 5);

    listing = wait_for([](const auto& l) {
        return std::all_of(kLobby.begin(), kLobby.end(), [&](const std::string& k) {
            return l.count(k) == 1 && l.at(k)["config_version"] == 5;
        });
    });
    for (const auto& kiosk : kLobby) {
        ASSERT_EQ(listing.count(kiosk), 1U);
        EXPECT_EQ(listing[kiosk]["config_version"], 5) << kiosk;
        EXPECT_TRUE(listing[kiosk]["config_refusal"].is_null()) << kiosk;
        // Applied on disk by the kiosk's ConfigApplier, not only reported.
        std::ifstream current(dir_ / kiosk / "config" / "current.json");
        const json stored = json::parse(current, nullptr, false);
        ASSERT_TRUE(stored.is_object()) << kiosk;
        EXPECT_EQ(stored["bundle"], json::parse(std::ifstream(dir_ / "bundle.json")));
    }
    EXPECT_EQ(listing["basement-1"]["config_version"], 0);
    EXPECT_TRUE(listing["basement-1"]["config_refusal"].is_null());
    EXPECT_FALSE(std::filesystem::exists(dir_ / "basement-1" / "config" / "current.json"));

    // A bundle for the basement signed by a key the kiosks do not trust: refused, the
    // reason reported, and the kiosk keeps running on what it had.
    ASSERT_EQ(run(std::string(KIOSK_KIOSKCTL_BINARY) + " keys generate --out " +
                  quoted(dir_ / "other-keys") + " --name mallory")
                  .exit_code,
              0);
    json rogue = payload;
    rogue["version"] = 6;
    rogue["target"] = {{"kind", "group"}, {"ids", {"basement"}}};
    std::ofstream(dir_ / "rogue.json") << rogue.dump(2) << "\n";
    kioskctl("config sign --key " + quoted(dir_ / "other-keys" / "mallory.key.pem") + " --in " +
             quoted(dir_ / "rogue.json") + " --out " + quoted(dir_ / "rogue-bundle.json"));
    kioskctl("config push --bundle " + quoted(dir_ / "rogue-bundle.json") + admin_args());
    listing = wait_for([](const auto& l) {
        return l.count("basement-1") == 1 && l.at("basement-1")["config_refusal"].is_string();
    });
    EXPECT_EQ(listing["basement-1"]["config_refusal"], "untrusted_signer");
    EXPECT_EQ(listing["basement-1"]["config_version"], 0);
    EXPECT_EQ(listing["lobby-1"]["config_version"], 5);

    // A good bundle for the basement afterwards is applied, and the old refusal is no
    // longer reported as the kiosk's state.
    rogue["version"] = 7;
    std::ofstream(dir_ / "basement.json") << rogue.dump(2) << "\n";
    kioskctl("config sign --key " + quoted(dir_ / "keys" / "alice.key.pem") + " --in " +
             quoted(dir_ / "basement.json") + " --out " + quoted(dir_ / "basement-bundle.json"));
    kioskctl("config push --bundle " + quoted(dir_ / "basement-bundle.json") + admin_args());
    listing = wait_for([](const auto& l) {
        return l.count("basement-1") == 1 && l.at("basement-1")["config_version"] == 7;
    });
    EXPECT_EQ(listing["basement-1"]["config_version"], 7);
    EXPECT_TRUE(listing["basement-1"]["config_refusal"].is_null());
    EXPECT_EQ(listing["lobby-2"]["config_version"], 5);

    // The agents stop cleanly on SIGTERM.
    for (auto it = agents_.begin(); it != agents_.end(); it = agents_.erase(it)) {
        kill(it->second, SIGTERM);
        int status = 0;
        waitpid(it->second, &status, 0);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << it->first;
    }
}

TEST_F(FleetAgents, ASpentOrWrongCodeDoesNotEnrol) {
    const auto code = enrolment_code("spent-1", "lobby");
    const auto agent = [&](const std::string& kiosk, const std::string& state,
                           const std::string& extra) {
        return run(std::string(KIOSK_AGENT_BINARY) + " --central " + central_->base_url() +
                   " --ca " + quoted(central_->ca_file()) + " --kiosk-id " + kiosk +
                   " --state-dir " + quoted(dir_ / state) + " --trust " + quoted(dir_ / "keys") +
                   " --once " + extra)
            .exit_code;
    };
    // Another kiosk's code does not work, and does not spend it.
    EXPECT_EQ(agent("other-1", "other-1", "--enrol-code " + code), 1);
    EXPECT_EQ(agent("spent-1", "spent-1", "--enrol-code " + code), 0);
    // Another state folder with the same, now spent, code is refused.
    EXPECT_EQ(agent("spent-1", "spent-again", "--enrol-code " + code), 1);
    EXPECT_FALSE(std::filesystem::exists(dir_ / "spent-again" / "identity.json"));
    EXPECT_FALSE(std::filesystem::exists(dir_ / "spent-again" / "client.pem"));
    // Not enrolled and no code: exit 1. Enrolled: works without a code.
    EXPECT_EQ(agent("spent-1", "never", ""), 1);
    EXPECT_EQ(agent("spent-1", "spent-1", ""), 0);
    // Admin routes refuse a missing token file and a wrong token.
    std::ofstream(dir_ / "wrong-token") << "kadm_wrong\n";
    const auto refused =
        json::parse(kioskctl("fleet --central " + central_->base_url() + " --ca " +
                                 quoted(central_->ca_file()) + " --admin-token-file " +
                                 quoted(dir_ / "wrong-token") + " --json",
                             1),
                    nullptr, false);
    EXPECT_EQ(refused.value("reason", ""), "unauthenticated");
}

TEST_F(FleetAgents, KioskctlShowsTheCodeAsAQrAndRefusesWhatARoleMayNotDo) {
    const auto printed =
        run(std::string(KIOSK_KIOSKCTL_BINARY) + " enrol create --kiosk qr-1" + " --central " +
            central_->base_url() + " --ca " + quoted(central_->ca_file()) + " --admin-token-file " +
            quoted(central_->data_dir() / "admin-token"));
    ASSERT_EQ(printed.exit_code, 0);
    EXPECT_NE(printed.out.find("Enrolment code for qr-1: "), std::string::npos);
    EXPECT_NE(printed.out.find("\u2584"), std::string::npos); // the QR's half blocks
    EXPECT_EQ(run(std::string(KIOSK_KIOSKCTL_BINARY) + " enrol create --help").exit_code, 0);
    EXPECT_EQ(run(std::string(KIOSK_KIOSKCTL_BINARY) + " fleet --bogus").exit_code, 2);
    EXPECT_EQ(run(std::string(KIOSK_KIOSKCTL_BINARY) + " fleet --json").exit_code, 2);

    // A helpdesk admin may list the fleet but not enrol or push.
    const auto token = run(kiosk::testing::central_binary().string() + " admin add --data-dir " +
                           quoted(central_->data_dir()) + " --name desk --role helpdesk");
    ASSERT_EQ(token.exit_code, 0);
    std::ofstream(dir_ / "desk-token") << token.out;
    const std::string desk = " --central " + central_->base_url() + " --ca " +
                             quoted(central_->ca_file()) + " --admin-token-file " +
                             quoted(dir_ / "desk-token") + " --json";
    EXPECT_EQ(json::parse(kioskctl("fleet" + desk), nullptr, false).value("ok", false), true);
    const auto refused =
        json::parse(kioskctl("enrol create --kiosk desk-1" + desk, 1), nullptr, false);
    EXPECT_EQ(refused.value("reason", ""), "forbidden");
    EXPECT_EQ(run(kiosk::testing::central_binary().string() + " admin add --data-dir " +
                  quoted(central_->data_dir()) + " --name desk --role boss")
                  .exit_code,
              2);
}

TEST_F(FleetAgents, KioskctlRevokesAKioskWhoseNextRequestIsRefused) {
    const auto agent = [&](const std::string& extra) {
        return run(std::string(KIOSK_AGENT_BINARY) + " --central " + central_->base_url() +
                   " --ca " + quoted(central_->ca_file()) + " --kiosk-id revoked-1 --state-dir " +
                   quoted(dir_ / "revoked-1") + " --trust " + quoted(dir_ / "keys") + " --once " +
                   extra)
            .exit_code;
    };
    ASSERT_EQ(agent("--enrol-code " + enrolment_code("revoked-1", "lobby")), 0);
    EXPECT_EQ(agent(""), 0); // heartbeat and config pull with the certificate

    const json revoked =
        json::parse(kioskctl("kiosk revoke --kiosk revoked-1" + admin_args()), nullptr, false);
    EXPECT_EQ(revoked.value("revoked", 0), 1);
    EXPECT_NE(agent(""), 0); // the same kiosk, refused from its next request on
    const auto unknown =
        json::parse(kioskctl("kiosk revoke --kiosk nobody-1" + admin_args(), 1), nullptr, false);
    EXPECT_EQ(unknown.value("reason", ""), "not_found");
    EXPECT_EQ(run(std::string(KIOSK_KIOSKCTL_BINARY) + " kiosk revoke --help").exit_code, 0);

    // A new code and a fresh state folder: enrolled again with a new certificate.
    std::filesystem::remove_all(dir_ / "revoked-1");
    EXPECT_EQ(agent("--enrol-code " + enrolment_code("revoked-1", "lobby")), 0);
    EXPECT_EQ(agent(""), 0);
}
