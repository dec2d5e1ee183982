// KioskRuntime against a real kiosk-central, with kioskctl as an admin runs it: the kiosk
// enrols with its bootstrap's code, its heartbeat carries the outbox's real counts, and a
// pushed configuration reaches the session's settings, which the session takes only once
// it is back on the attract screen. No window: the UiInbox is drained by the test.
#include "central_process.hpp"
#include "kiosk/app/kiosk_runtime.hpp"
#include "kiosk/config/rfc3339.hpp"

#include <array>
#include <cstdio>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <thread>

using namespace kiosk;
using namespace kiosk::app;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        std::this_thread::sleep_for(20ms);
    }
    return true;
}

std::string run(const std::string& command, int& exit_code) {
    FILE* pipe = popen((command + " 2>&1").c_str(), "r");
    std::array<char, 4096> buffer{};
    std::string out;
    while (fgets(buffer.data(), buffer.size(), pipe) != nullptr) {
        out += buffer.data();
    }
    const int status = pclose(pipe);
    exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return out;
}

std::string quoted(const std::filesystem::path& p) {
    return "'" + p.string() + "'";
}

class RuntimeAtCentral : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = std::filesystem::temp_directory_path() / "kiosk-runtime-XXXXXX";
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        dir_ = pattern;
        central_ = std::make_unique<kiosk::testing::CentralProcess>();
        kioskctl("keys generate --out " + quoted(dir_ / "keys") + " --name alice");
        std::filesystem::create_directories(dir_ / "trust");
        std::filesystem::copy_file(dir_ / "keys" / "alice.pub.pem",
                                   dir_ / "trust" / "alice.pub.pem");
    }
    void TearDown() override {
        central_.reset();
        std::filesystem::remove_all(dir_);
    }

    std::string admin_args() const {
        return " --central " + central_->base_url() + " --ca " + quoted(central_->ca_file()) +
               " --admin-token-file " + quoted(central_->data_dir() / "admin-token") + " --json";
    }
    std::string kioskctl(const std::string& args) const {
        int exit_code = -1;
        auto out = run(std::string(KIOSK_KIOSKCTL_BINARY) + " " + args, exit_code);
        EXPECT_EQ(exit_code, 0) << args << "\n" << out;
        return out;
    }
    json fleet_entry(const std::string& kiosk) const {
        const json doc = json::parse(kioskctl("fleet" + admin_args()), nullptr, false);
        if (doc.is_object() && doc.contains("kiosks")) {
            for (const auto& k : doc["kiosks"]) {
                if (k.value("kiosk_id", "") == kiosk) {
                    return k;
                }
            }
        }
        return json();
    }
    void push(const json& settings, int version) const {
        const auto now = std::chrono::system_clock::now();
        const json payload{{"version", version},
                           {"issued_at", config::format_rfc3339(now - 1min)},
                           {"expires_at", config::format_rfc3339(now + 24h)},
                           {"target", {{"kind", "kiosk"}, {"ids", {"kiosk-rt"}}}},
                           {"settings", settings}};
        std::ofstream(dir_ / "payload.json") << payload.dump(2) << "\n";
        kioskctl("config sign --key " + quoted(dir_ / "keys" / "alice.key.pem") + " --in " +
                 quoted(dir_ / "payload.json") + " --out " + quoted(dir_ / "bundle.json"));
        kioskctl("config push --bundle " + quoted(dir_ / "bundle.json") + admin_args());
    }

    RuntimeSettings runtime_settings(const std::string& code) const {
        RuntimeSettings s;
        s.bootstrap.central_url = central_->base_url();
        s.bootstrap.ca_file = central_->ca_file();
        s.bootstrap.kiosk_id = "kiosk-rt";
        s.bootstrap.default_language = "en";
        s.bootstrap.idle_timeout_seconds = 90;
        s.bootstrap.config_trust_dir = dir_ / "trust";
        s.bootstrap.config_state_dir = dir_ / "fleet";
        s.bootstrap.state_dir = dir_ / "state";
        s.bootstrap.enrolment_code = code;
        s.client.ca_file = central_->ca_file();
        s.client.connect_timeout = 2s;
        s.client.total_timeout = 5s;
        s.languages = {"en", "pl", "ru", "he"};
        s.software_version = "test-1";
        s.fleet_interval_override = 300ms;
        return s;
    }

    std::filesystem::path dir_;
    std::unique_ptr<kiosk::testing::CentralProcess> central_;
};

} // namespace

TEST(SessionSettingsMapping, AppliedConfigWinsAndUnknownLanguagesAreDropped) {
    config::Bootstrap boot;
    boot.default_language = "ru";
    boot.idle_timeout_seconds = 45;
    const std::vector<std::string> shipped = {"en", "pl", "ru", "he"};
    auto mapped = map_session_settings(boot, nullptr, shipped);
    EXPECT_EQ(mapped.default_language, "ru");
    EXPECT_EQ(mapped.idle_timeout, 45s);
    EXPECT_EQ(mapped.languages, shipped);

    config::Settings applied;
    applied.languages.enabled = {"pl", "de", "en"}; // no German catalog ships
    applied.languages.default_language = "pl";
    applied.idle.session_timeout_seconds = 30;
    applied.idle.countdown_seconds = 60; // longer than half the timeout
    mapped = map_session_settings(boot, &applied, shipped);
    EXPECT_EQ(mapped.languages, (std::vector<std::string>{"pl", "en"}));
    EXPECT_EQ(mapped.default_language, "pl");
    EXPECT_EQ(mapped.idle_timeout, 30s);
    EXPECT_EQ(mapped.idle_warning, 15s) << "the countdown fits inside the timeout";

    applied.languages.enabled = {"de"};
    applied.languages.default_language = "de";
    mapped = map_session_settings(boot, &applied, shipped);
    EXPECT_EQ(mapped.languages, shipped) << "nothing usable: every shipped language";
    EXPECT_EQ(mapped.default_language, "en");
}

TEST_F(RuntimeAtCentral, EnrolsReportsRealQueueCountsAndAppliesConfigAtTheNextAttract) {
    net::CurlGlobal curl;
    const json created = json::parse(
        kioskctl("enrol create --kiosk kiosk-rt --group lobby" + admin_args()), nullptr, false);
    const std::string code = created.value("code", "");
    ASSERT_FALSE(code.empty());

    std::string error;
    auto runtime = KioskRuntime::create(runtime_settings(code), error);
    ASSERT_NE(runtime, nullptr) << error;
    ASSERT_NE(runtime->offline(), nullptr);
    EXPECT_TRUE(runtime->fleet_status().enabled);
    EXPECT_FALSE(runtime->fleet_status().enrolled);
    // Two requests the central will refuse (no such route): they become dead letters, which
    // the heartbeat must report as they are.
    for (const char* key : {"Q-test-1", "Q-test-2"}) {
        auto result = runtime->offline()->outbox().enqueue({"/v1/no-such-route", "{}", false, key});
        ASSERT_FALSE(std::holds_alternative<offline::OutboxError>(result));
    }

    UiInbox inbox;
    BackgroundWorker worker;
    net::CentralClient client(central_->base_url(), runtime_settings(code).client);
    Session session(client, worker, inbox, runtime->session_settings(), runtime->offline());
    runtime->attach(session, inbox);
    runtime->start();

    ASSERT_TRUE(eventually([&] { return runtime->fleet_status().enrolled; }, 10s))
        << runtime->fleet_status().enrolment_problem;
    EXPECT_TRUE(std::filesystem::exists(dir_ / "fleet" / "identity.json"));
    // The key made on the kiosk is its user's alone.
    EXPECT_EQ(std::filesystem::status(dir_ / "fleet" / "client.key").permissions() &
                  std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    json entry;
    ASSERT_TRUE(eventually(
        [&] {
            entry = fleet_entry("kiosk-rt");
            return entry.is_object() && entry.value("dead_letters", -1) == 2;
        },
        15s))
        << entry.dump();
    EXPECT_EQ(entry.value("queue_depth", -1), 0);
    EXPECT_EQ(entry.value("version", ""), "test-1");

    // Enrolled during this run, the kiosk presents its new certificate on its outbox's
    // requests at once: a kiosk audit event is delivered, not dead-lettered as
    // client_certificate_required until a restart.
    const auto queued = runtime->offline()->defer(
        "/v1/kiosks/audit-events",
        R"({"action":"runtime_test","actor":"test","detail":"after enrolment","at":"2026-11-23T12:00:00Z"})",
        "Q-test-3");
    ASSERT_NE(queued.outcome, DeferOutcome::NotSaved) << queued.detail;
    ASSERT_TRUE(
        eventually([&] { return runtime->offline()->outbox().counts().pending == 0; }, 15s));
    EXPECT_EQ(runtime->offline()->outbox().counts().dead, 2U) << "the audit event died";
    ASSERT_TRUE(eventually([&] { return runtime->connectivity().snapshot().queue_dead == 2; }, 5s));

    // The session learns that the central is online through the inbox.
    ASSERT_TRUE(eventually(
        [&] {
            inbox.drain();
            return session.view().central == Reachability::Online;
        },
        10s));

    // Someone starts a visit; then an admin pushes new settings.
    const auto start = Clock::now();
    session.handle(intent::Start{}, start);
    ASSERT_NE(session.view().screen, Screen::Attract);
    const auto revision = runtime->settings_revision();
    push({{"languages", {{"enabled", {"en", "pl"}}, {"default", "pl"}}},
          {"idle", {{"session_timeout_seconds", 120}, {"countdown_seconds", 20}}},
          {"sync", {{"heartbeat_seconds", 10}}}},
         3);
    ASSERT_TRUE(eventually([&] { return runtime->settings_revision() != revision; }, 15s));
    const auto mapped = runtime->session_settings();
    EXPECT_EQ(mapped.languages, (std::vector<std::string>{"en", "pl"}));
    EXPECT_EQ(mapped.default_language, "pl");
    EXPECT_EQ(mapped.idle_timeout, 120s);
    EXPECT_EQ(mapped.idle_warning, 20s);
    ASSERT_TRUE(runtime->fleet_status().applied.has_value());
    EXPECT_EQ(runtime->fleet_status().applied->document.version, 3);
    ASSERT_TRUE(
        eventually([&] { return fleet_entry("kiosk-rt").value("config_version", 0) == 3; }, 15s));

    // Mid-visit nothing changes: same screen, same language, old timeout still running.
    inbox.drain();
    session.tick(start + 1s);
    EXPECT_NE(session.view().screen, Screen::Attract);
    EXPECT_EQ(session.view().language, "en");
    EXPECT_EQ(session.view().languages.size(), 4U);
    // The old 90 s timeout ends the visit (the new one is 120 s); back on attract the
    // session takes the new settings.
    session.tick(start + 91s);
    EXPECT_EQ(session.view().screen, Screen::Attract);
    session.tick(start + 92s);
    EXPECT_EQ(session.view().language, "pl");
    EXPECT_EQ(session.view().languages, (std::vector<std::string>{"en", "pl"}));
    EXPECT_EQ(session.view().central, Reachability::Online) << "kept across the wipe";

    // Staff revert (maintenance mode): a newer document, then back to version 3.
    push({{"languages", {{"enabled", {"en"}}, {"default", "en"}}}}, 4);
    ASSERT_TRUE(eventually(
        [&] {
            const auto fleet = runtime->fleet_status();
            return fleet.applied && fleet.applied->document.version == 4;
        },
        15s));
    const auto reverted = runtime->revert_config();
    EXPECT_TRUE(reverted.applied()) << reverted.message;
    EXPECT_EQ(runtime->fleet_status().applied->document.version, 3);
    EXPECT_EQ(runtime->session_settings().default_language, "pl");
    EXPECT_EQ(runtime->enrol(SecretString("AAAA-BBBB-CCCC")), "already enrolled");

    runtime->stop();
    worker.wait_idle();
    EXPECT_FALSE(runtime->revert_config().applied()) << "after stop: refused, not hung";
}
