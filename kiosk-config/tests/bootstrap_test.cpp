// Bootstrap files: a good one loads; each kind of bad one is refused with a reason.
#include "kiosk/config/bootstrap.hpp"

#include <fstream>
#include <gtest/gtest.h>

namespace {

std::filesystem::path write_file(const std::string& name, const std::string& text) {
    const auto dir = std::filesystem::temp_directory_path() / "kiosk-config-tests";
    std::filesystem::create_directories(dir);
    const auto path = dir / name;
    std::ofstream(path) << text;
    return path;
}

} // namespace

TEST(Bootstrap, LoadsAValidFileAndResolvesTheCaNextToIt) {
    const auto path = write_file("good.json", R"({"central_url":"https://127.0.0.1:8443",
        "ca_file":"ca.pem","kiosk_id":"lobby-1","idle_timeout_seconds":60})");
    const auto result = kiosk::config::load_bootstrap(path);
    ASSERT_TRUE(result.bootstrap.has_value()) << result.error;
    EXPECT_EQ(result.bootstrap->kiosk_id, "lobby-1");
    EXPECT_EQ(result.bootstrap->idle_timeout_seconds, 60);
    EXPECT_EQ(result.bootstrap->ca_file, path.parent_path() / "ca.pem");
    EXPECT_EQ(result.bootstrap->default_language, "en");
}

TEST(Bootstrap, RefusesPlainHttp) {
    const auto path = write_file("http.json", R"({"central_url":"http://x","ca_file":"ca.pem"})");
    const auto result = kiosk::config::load_bootstrap(path);
    EXPECT_FALSE(result.bootstrap.has_value());
    EXPECT_NE(result.error.find("https://"), std::string::npos);
}

TEST(Bootstrap, RefusesUnknownFieldsByName) {
    const auto path = write_file(
        "typo.json", R"({"central_url":"https://x","ca_file":"ca.pem","idle_timout":5})");
    const auto result = kiosk::config::load_bootstrap(path);
    EXPECT_FALSE(result.bootstrap.has_value());
    EXPECT_NE(result.error.find("idle_timout"), std::string::npos);
}

TEST(Bootstrap, RefusesMalformedJsonAndWrongTypes) {
    EXPECT_FALSE(kiosk::config::load_bootstrap(write_file("bad.json", "{oops")).bootstrap);
    EXPECT_FALSE(kiosk::config::load_bootstrap(
                     write_file("type.json", R"({"central_url":5,"ca_file":"ca.pem"})"))
                     .bootstrap);
    EXPECT_FALSE(kiosk::config::load_bootstrap("/nonexistent/bootstrap.json").bootstrap);
}

TEST(Bootstrap, RefusesOutOfRangeTimeouts) {
    kiosk::config::Bootstrap b{"https://x", "ca.pem"};
    b.idle_timeout_seconds = 1;
    EXPECT_FALSE(kiosk::config::validate(b).empty());
}
