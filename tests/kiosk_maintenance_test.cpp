// Maintenance mode in the real kiosk window under Xvfb with a staff PIN that came from a
// PUSHED configuration: a real kiosk-central, the kiosk enrolled by its bootstrap's code,
// an admin signing and pushing a document with `kioskctl pin hash`'s hash, the kiosk
// applying it; then real X key events (xdotool): Ctrl+Alt+M, a wrong PIN (refused), the
// right PIN (the staff pages open), Escape (left). What happened is read back from the
// kiosk's log (its audit lines) and from the screen itself (X screenshots).
#include "central_process.hpp"
#include "kiosk/config/rfc3339.hpp"
#include "kiosk_window.hpp"
#include "xvfb.hpp"

#include <array>
#include <cstdio>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <stb_image.h>
#include <sys/wait.h>
#include <thread>

using namespace kiosk::testing;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

constexpr const char* kPin = "482916";
constexpr const char* kKiosk = "maint-1";

std::string quoted(const std::filesystem::path& p) {
    return "'" + p.string() + "'";
}

struct Ran {
    int status = -1;
    std::string out;
};

Ran run(const std::string& command) {
    Ran r;
    FILE* pipe = popen((command + " 2>&1").c_str(), "r");
    std::array<char, 4096> buffer{};
    std::size_t n = 0;
    while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
        r.out.append(buffer.data(), n);
    }
    const int status = pclose(pipe);
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

bool eventually(const std::function<bool()>& condition, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        std::this_thread::sleep_for(100ms);
    }
    return true;
}

// The share of pixels that differ between two screenshots of the same size (1.0 when they
// cannot be read or differ in size).
double difference(const std::filesystem::path& a, const std::filesystem::path& b) {
    int wa = 0, ha = 0, wb = 0, hb = 0, channels = 0;
    unsigned char* pa = stbi_load(a.c_str(), &wa, &ha, &channels, 3);
    unsigned char* pb = stbi_load(b.c_str(), &wb, &hb, &channels, 3);
    double share = 1.0;
    if (pa != nullptr && pb != nullptr && wa == wb && ha == hb && wa > 0) {
        std::size_t differ = 0;
        const auto pixels = static_cast<std::size_t>(wa) * static_cast<std::size_t>(ha);
        for (std::size_t i = 0; i < pixels; ++i) {
            if (std::abs(pa[i * 3] - pb[i * 3]) + std::abs(pa[i * 3 + 1] - pb[i * 3 + 1]) +
                    std::abs(pa[i * 3 + 2] - pb[i * 3 + 2]) >
                48) {
                ++differ;
            }
        }
        share = static_cast<double>(differ) / static_cast<double>(pixels);
    }
    stbi_image_free(pa);
    stbi_image_free(pb);
    return share;
}

class MaintenanceWindow : public ::testing::Test {
protected:
    MaintenanceWindow() : dir_("maintenance"), x_(1280, 800) {}

    std::string kioskctl(const std::string& args, const std::string& input = {}) const {
        const std::string command =
            (input.empty() ? std::string() : "printf '%s\\n' '" + input + "' | ") + "'" +
            KIOSK_KIOSKCTL_BINARY + "' " + args;
        const Ran ran = run(command);
        EXPECT_EQ(ran.status, 0) << command << "\n" << ran.out;
        return ran.out;
    }
    std::string admin_args() const {
        return " --central " + central_.base_url() + " --ca " + quoted(central_.ca_file()) +
               " --admin-token-file " + quoted(central_.data_dir() / "admin-token") + " --json";
    }
    int xdotool(const std::string& args) const {
        return run_in_display(x_.display(), "xdotool " + args);
    }
    std::filesystem::path screen(const std::string& name) const {
        const auto path = dir_ / (name + ".png");
        EXPECT_EQ(run_in_display(x_.display(), "import -window root " + quoted(path)), 0);
        return path;
    }
    std::string log() const { return read_text_file(dir_ / "kiosk.log"); }
    bool logged(const std::string& text, std::chrono::seconds timeout = 20s) const {
        return eventually([&] { return log().find(text) != std::string::npos; }, timeout);
    }

    ScratchDir dir_;
    XvfbServer x_;
    CentralProcess central_;
};

} // namespace

TEST_F(MaintenanceWindow, AStaffPinFromAPushedConfigurationOpensMaintenanceInTheRealWindow) {
    // An admin key the kiosk trusts, and a signed document carrying the PIN's hash.
    kioskctl("keys generate --out " + quoted(dir_ / "keys") + " --name alice");
    std::filesystem::create_directories(dir_ / "trust");
    std::filesystem::copy_file(dir_ / "keys" / "alice.pub.pem", dir_ / "trust" / "alice.pub.pem");
    const json hashed = json::parse(kioskctl("pin hash --json", kPin), nullptr, false);
    ASSERT_TRUE(hashed.is_object() && hashed.contains("staff_pin_hash")) << hashed.dump();
    const auto now = std::chrono::system_clock::now();
    const json payload{
        {"version", 1},
        {"issued_at", kiosk::config::format_rfc3339(now - 1min)},
        {"expires_at", kiosk::config::format_rfc3339(now + 24h)},
        {"target", {{"kind", "kiosk"}, {"ids", {kKiosk}}}},
        {"settings", {{"maintenance", {{"staff_pin_hash", hashed["staff_pin_hash"]}}}}}};
    std::ofstream(dir_ / "payload.json") << payload.dump(2) << "\n";
    kioskctl("config sign --key " + quoted(dir_ / "keys" / "alice.key.pem") + " --in " +
             quoted(dir_ / "payload.json") + " --out " + quoted(dir_ / "bundle.json"));
    kioskctl("config push --bundle " + quoted(dir_ / "bundle.json") + admin_args());
    const json code = json::parse(
        kioskctl("enrol create --kiosk " + std::string(kKiosk) + admin_args()), nullptr, false);
    ASSERT_TRUE(code.contains("code")) << code.dump();

    // The kiosk enrols with its bootstrap's code and pulls the document at once.
    std::ofstream(dir_ / "bootstrap.json") << json{
        {"central_url", central_.base_url()},
        {"ca_file", central_.ca_file().string()},
        {"kiosk_id", kKiosk},
        {"config_trust_dir", (dir_ / "trust").string()},
        {"config_state_dir", (dir_ / "fleet").string()},
        {"state_dir", (dir_ / "state").string()},
        {"enrolment_code", code["code"]}}.dump();
    ChildProcess kiosk({KIOSK_KIOSK_BINARY, "--bootstrap", (dir_ / "bootstrap.json").string(),
                        "--windowed", "--width", "1280", "--height", "800", "--screenshot-dir",
                        (dir_ / "shots").string()},
                       kiosk_window_env(x_), dir_ / "kiosk.out", dir_ / "kiosk.log");
    ASSERT_FALSE(wait_for_kiosk_screenshot(kiosk, dir_ / "kiosk.out", dir_ / "kiosk.log", "attract")
                     .empty());
    ASSERT_TRUE(logged("configuration version 1 applied", 30s)) << log();
    ASSERT_EQ(xdotool("search --sync --name 'Self-Service Kiosk' windowfocus mousemove --window "
                      "%1 640 400"),
              0);
    std::this_thread::sleep_for(1000ms); // focus events settle, as a first touch would
    const auto attract = screen("attract");

    // Ctrl+Alt+M: the PIN pad. Digits typed slower than a badge reader: a PIN.
    // Screens are polled, not awaited for a fixed time: a loaded machine draws late. The
    // chord is pressed again if the pad has not come (on a loaded machine one in a few chords
    // sent right after focusing never reached the window), as staff would press it again.
    std::filesystem::path pad;
    bool pad_shown = false;
    for (int attempt = 0; attempt < 3 && !pad_shown; ++attempt) {
        ASSERT_EQ(xdotool("key ctrl+alt+m"), 0);
        pad_shown = eventually([&] { return difference(attract, pad = screen("pad")) > 0.05; }, 5s);
    }
    ASSERT_TRUE(pad_shown) << "the PIN pad did not replace the attract screen";
    ASSERT_EQ(xdotool("type --delay 150 135790"), 0);
    ASSERT_EQ(xdotool("key Return"), 0);
    ASSERT_TRUE(logged("maintenance audit: maintenance.pin_failed")) << log();
    EXPECT_EQ(log().find("maintenance.entered"), std::string::npos) << "a wrong PIN got in";

    // The right one (the first failure has no delay): the staff pages.
    ASSERT_EQ(xdotool(std::string("type --delay 150 ") + kPin), 0);
    ASSERT_EQ(xdotool("key Return"), 0);
    ASSERT_TRUE(logged("maintenance audit: maintenance.entered by staff PIN")) << log();
    EXPECT_TRUE(eventually([&] { return difference(pad, screen("open")) > 0.05; }, 10s))
        << "the staff pages did not replace the PIN pad";

    // Escape leaves; the attract screen is back.
    ASSERT_EQ(xdotool("key Escape"), 0);
    ASSERT_TRUE(logged("maintenance.exit by staff PIN: by staff")) << log();
    EXPECT_TRUE(eventually([&] { return difference(attract, screen("closed")) < 0.02; }, 10s))
        << "not back on the attract screen";
    EXPECT_EQ(log().find(kPin), std::string::npos) << "the PIN reached the log";

    // Not asserted yet: the audit events reaching the central (possible since e4db692, where
    // a kiosk enrolled at this start presents its new certificate on its outbox's requests).
    EXPECT_EQ(kiosk.terminate(), 0);
}
