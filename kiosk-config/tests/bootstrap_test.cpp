// Bootstrap files: a good one loads; each kind of bad one is refused with a reason.
#include "kiosk/config/bootstrap.hpp"
#include "test_support.hpp"

#include <fstream>
#include <gtest/gtest.h>

namespace {

// Each test writes its files into a folder of its own, so parallel runs never collide.
class Bootstrap : public ::testing::Test {
protected:
    kiosk::config::testing::TempDir dir;

    std::filesystem::path write_file(const std::string& name, const std::string& text) const {
        const auto path = dir.path() / name;
        std::ofstream(path) << text;
        return path;
    }
};

} // namespace

TEST_F(Bootstrap, LoadsAValidFileAndResolvesTheCaNextToIt) {
    const auto path = write_file("good.json", R"({"central_url":"https://127.0.0.1:8443",
        "ca_file":"ca.pem","kiosk_id":"lobby-1","idle_timeout_seconds":60})");
    const auto result = kiosk::config::load_bootstrap(path);
    ASSERT_TRUE(result.bootstrap.has_value()) << result.error;
    EXPECT_EQ(result.bootstrap->kiosk_id, "lobby-1");
    EXPECT_EQ(result.bootstrap->idle_timeout_seconds, 60);
    EXPECT_EQ(result.bootstrap->ca_file, path.parent_path() / "ca.pem");
    EXPECT_EQ(result.bootstrap->default_language, "en");
}

TEST_F(Bootstrap, RefusesPlainHttp) {
    const auto path = write_file("http.json", R"({"central_url":"http://x","ca_file":"ca.pem"})");
    const auto result = kiosk::config::load_bootstrap(path);
    EXPECT_FALSE(result.bootstrap.has_value());
    EXPECT_NE(result.error.find("https://"), std::string::npos);
}

TEST_F(Bootstrap, RefusesUnknownFieldsByName) {
    const auto path = write_file(
        "typo.json", R"({"central_url":"https://x","ca_file":"ca.pem","idle_timout":5})");
    const auto result = kiosk::config::load_bootstrap(path);
    EXPECT_FALSE(result.bootstrap.has_value());
    EXPECT_NE(result.error.find("idle_timout"), std::string::npos);
}

TEST_F(Bootstrap, RefusesMalformedJsonAndWrongTypes) {
    EXPECT_FALSE(kiosk::config::load_bootstrap(write_file("bad.json", "{oops")).bootstrap);
    EXPECT_FALSE(kiosk::config::load_bootstrap(
                     write_file("type.json", R"({"central_url":5,"ca_file":"ca.pem"})"))
                     .bootstrap);
    EXPECT_FALSE(kiosk::config::load_bootstrap("/nonexistent/bootstrap.json").bootstrap);
}

TEST_F(Bootstrap, RefusesOutOfRangeTimeouts) {
    kiosk::config::Bootstrap b{"https://x", "ca.pem"};
    b.idle_timeout_seconds = 1;
    EXPECT_FALSE(kiosk::config::validate(b).empty());
}

TEST_F(Bootstrap, SignedConfigurationSettingsBecomeTheAppliersSettings) {
    const auto alice = kiosk::config::testing::make_admin("alice");
    const auto bob = kiosk::config::testing::make_admin("bob");
    std::filesystem::create_directories(dir.path() / "trust");
    std::ofstream(dir.path() / "trust" / "alice.pub.pem") << alice.pair.public_pem;
    std::ofstream(dir.path() / "trust" / "bob.pub.pem") << bob.pair.public_pem;
    std::ofstream(dir.path() / "bootstrap.json")
        << R"({"central_url":"https://127.0.0.1:8443","ca_file":"ca.pem","kiosk_id":"lobby-1",
              "kiosk_groups":["lobby","campus-north"],"config_trust_dir":"trust",
              "config_signature_threshold":2,"config_state_dir":"state"})";
    const auto loaded = kiosk::config::load_bootstrap(dir.path() / "bootstrap.json");
    ASSERT_TRUE(loaded.bootstrap.has_value()) << loaded.error;
    EXPECT_EQ(loaded.bootstrap->config_trust_dir, dir.path() / "trust");
    std::string error;
    const auto settings = kiosk::config::applier_settings(*loaded.bootstrap, error);
    ASSERT_TRUE(settings.has_value()) << error;
    EXPECT_EQ(settings->anchors.size(), 2u);
    EXPECT_EQ(settings->threshold, 2);
    EXPECT_EQ(settings->kiosk_id, "lobby-1");
    EXPECT_EQ(settings->groups, (std::vector<std::string>{"lobby", "campus-north"}));
    EXPECT_EQ(settings->state_dir, dir.path() / "state");

    auto three = *loaded.bootstrap;
    three.config_signature_threshold = 3;
    EXPECT_FALSE(kiosk::config::applier_settings(three, error).has_value());
    EXPECT_NE(error.find("holds only 2"), std::string::npos) << error;

    auto off = *loaded.bootstrap;
    off.config_trust_dir.clear();
    EXPECT_FALSE(kiosk::config::applier_settings(off, error).has_value());
    EXPECT_EQ(error, "");

    auto no_state = *loaded.bootstrap;
    no_state.config_state_dir.clear();
    EXPECT_NE(kiosk::config::validate(no_state).find("config_state_dir"), std::string::npos);
    auto bad_group = *loaded.bootstrap;
    bad_group.kiosk_groups = {"a b"};
    EXPECT_NE(kiosk::config::validate(bad_group).find("kiosk_groups"), std::string::npos);
}

TEST_F(Bootstrap, TheOutboxLivesInTheStateDirUnlessNamed) {
    const auto defaults = write_file("defaults.json", R"({"central_url":"https://127.0.0.1:8443",
        "ca_file":"ca.pem"})");
    auto result = kiosk::config::load_bootstrap(defaults);
    ASSERT_TRUE(result.bootstrap.has_value()) << result.error;
    EXPECT_EQ(kiosk::config::outbox_path(*result.bootstrap),
              std::filesystem::path("/var/lib/kiosk/outbox.db"));

    const auto relative = write_file("relative.json", R"({"central_url":"https://127.0.0.1:8443",
        "ca_file":"ca.pem","state_dir":"state"})");
    result = kiosk::config::load_bootstrap(relative);
    ASSERT_TRUE(result.bootstrap.has_value()) << result.error;
    EXPECT_EQ(kiosk::config::outbox_path(*result.bootstrap), dir.path() / "state" / "outbox.db");

    const auto named = write_file("named.json", R"({"central_url":"https://127.0.0.1:8443",
        "ca_file":"ca.pem","state_dir":"state","outbox_file":"/srv/kiosk/queue.db"})");
    result = kiosk::config::load_bootstrap(named);
    ASSERT_TRUE(result.bootstrap.has_value()) << result.error;
    EXPECT_EQ(kiosk::config::outbox_path(*result.bootstrap),
              std::filesystem::path("/srv/kiosk/queue.db"));

    const auto empty = write_file("empty.json", R"({"central_url":"https://127.0.0.1:8443",
        "ca_file":"ca.pem","state_dir":""})");
    result = kiosk::config::load_bootstrap(empty);
    EXPECT_FALSE(result.bootstrap.has_value());
    EXPECT_NE(result.error.find("state_dir"), std::string::npos) << result.error;
}
