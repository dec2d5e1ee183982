// After a session times out, no copy of what the user typed as a password is left in the
// kiosk's memory: a marker typed with real X key events (xdotool) into the real kiosk
// window is searched for in every readable mapping of the process, as UTF-8 and as the
// UTF-16 Dear ImGui's editor keeps, once the kiosk is back on the attract screen.
#include "central_process.hpp"
#include "kiosk_window.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string_view>
#include <thread>
#include <unistd.h>

using namespace kiosk::testing;
using namespace std::chrono_literals;

namespace {

struct Found {
    std::string encoding;
    std::string mapping; // the /proc/PID/maps line of the region it was found in
    std::size_t offset = 0;
};

std::string utf16le(const std::string& ascii) {
    std::string out;
    for (char c : ascii) {
        out.push_back(c);
        out.push_back('\0');
    }
    return out;
}

// Every place in `pid`'s readable memory that holds `marker` (ASCII) as UTF-8 or UTF-16LE.
std::vector<Found> scan_memory(pid_t pid, const std::string& marker) {
    const std::vector<std::pair<std::string, std::string>> needles = {{"UTF-8", marker},
                                                                      {"UTF-16", utf16le(marker)}};
    std::vector<Found> found;
    std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
    const int mem = ::open(("/proc/" + std::to_string(pid) + "/mem").c_str(), O_RDONLY);
    if (mem < 0) {
        ADD_FAILURE() << "cannot open the kiosk's memory: " << std::strerror(errno);
        return found;
    }
    std::size_t scanned = 0;
    for (std::string line; std::getline(maps, line);) {
        unsigned long start = 0;
        unsigned long end = 0;
        char perms[5] = {};
        if (std::sscanf(line.c_str(), "%lx-%lx %4s", &start, &end, perms) != 3 || perms[0] != 'r' ||
            line.find("[vvar]") != std::string::npos ||
            line.find("[vsyscall]") != std::string::npos) {
            continue;
        }
        // Read in chunks that overlap by a needle's length, so a copy across a chunk border
        // is still found and a large mapping never needs one large buffer.
        constexpr std::size_t kChunk = 16u << 20;
        const std::size_t overlap = needles.back().second.size();
        std::string chunk(kChunk, '\0');
        for (unsigned long at = start; at < end;) {
            const std::size_t want = std::min<std::size_t>(kChunk, end - at);
            const ssize_t got = ::pread(mem, chunk.data(), want, static_cast<off_t>(at));
            if (got <= 0) {
                break; // device memory and guard pages cannot be read; they hold no heap
            }
            const std::string_view view(chunk.data(), static_cast<std::size_t>(got));
            scanned += view.size();
            for (const auto& [encoding, needle] : needles) {
                for (auto hit = view.find(needle); hit != std::string_view::npos;
                     hit = view.find(needle, hit + 1)) {
                    found.push_back({encoding, line, at - start + hit});
                }
            }
            if (static_cast<std::size_t>(got) < want || at + want >= end) {
                break;
            }
            at += want - overlap;
        }
    }
    ::close(mem);
    EXPECT_GT(scanned, 1u << 20) << "scanned too little of the kiosk's memory to mean anything";
    return found;
}

// The real kiosk in a 1280x800 Xvfb window, talking to a central of its own. Members are
// destroyed in reverse order of declaration, so the kiosk goes first (SIGKILL if a test ended
// early), then its scratch directory, the central and, last, the X server it draws in.
class KioskMemory : public ::testing::Test {
protected:
    KioskMemory() : x_(1280, 800) {}

    // Starts the kiosk in the 1280x800 window with its files in a scratch directory `name`,
    // going back to the attract screen after `idle_timeout_seconds` without input.
    void launch_kiosk(int idle_timeout_seconds, const std::string& name) {
        dir_.emplace(name);
        kiosk_.emplace(std::vector<std::string>{KIOSK_KIOSK_BINARY, "--central",
                                                central_.base_url(), "--ca",
                                                central_.ca_file().string(), "--screenshot-dir",
                                                (*dir_ / "shots").string(), "--windowed", "--width",
                                                "1280", "--height", "800", "--idle-timeout",
                                                std::to_string(idle_timeout_seconds)},
                       kiosk_window_env(x_), *dir_ / "kiosk.out", *dir_ / "kiosk.log");
    }

    int xdotool(const std::string& args) const {
        return run_in_display(x_.display(), "xdotool " + args);
    }

    std::filesystem::path wait_for(const std::string& screen, int after = 0) {
        return wait_for_kiosk_screenshot(*kiosk_, *dir_ / "kiosk.out", *dir_ / "kiosk.log", screen,
                                         after);
    }

    // From the attract screen to the home menu, with the window focused for xdotool's keys.
    // Its ASSERTs end only this helper: call it inside ASSERT_NO_FATAL_FAILURE.
    void reach_home() {
        ASSERT_FALSE(wait_for("01-attract").empty());
        ASSERT_EQ(xdotool("search --sync --name 'Self-Service Kiosk' "
                          "windowfocus mousemove --window %1 640 400"),
                  0);
        std::this_thread::sleep_for(500ms); // focus events settle before the first key
        ASSERT_EQ(xdotool("key Return"), 0);
        ASSERT_FALSE(wait_for("home").empty());
    }

    // From the home menu, a password reset for jdoe verified with the e-mailed code, up to
    // the new-password screen; its screenshot goes to `new_password_screen` when given.
    // Its ASSERTs end only this helper: call it inside ASSERT_NO_FATAL_FAILURE.
    void verify_jdoe_up_to_new_password(std::filesystem::path* new_password_screen = nullptr) {
        xdotool("key Return"); // the home menu's first task: reset the password
        ASSERT_FALSE(wait_for("identify").empty());
        xdotool("type --delay 30 jdoe");
        xdotool("key Return");
        ASSERT_FALSE(wait_for("choose-method").empty()); // e-mail or SMS: Enter takes e-mail
        xdotool("key Return");
        ASSERT_FALSE(wait_for("enter-code").empty());
        const auto code = central_.latest_code_for("jdoe");
        ASSERT_TRUE(code.has_value());
        xdotool("type --delay 30 " + *code);
        xdotool("key Return");
        const auto screen = wait_for("new-password");
        ASSERT_FALSE(screen.empty());
        if (new_password_screen != nullptr) {
            *new_password_screen = screen;
        }
    }

    XvfbServer x_;
    CentralProcess central_;
    std::optional<ScratchDir> dir_;
    std::optional<ChildProcess> kiosk_;
};

} // namespace

TEST_F(KioskMemory, ATimedOutSessionLeavesNoCopyOfThePassword) {
    launch_kiosk(16, "memory");
    // Built from pieces so this test's own binary is not the only place it could come from.
    const std::string marker = std::string("Qx7-Kestrel") + "-Marker-" + "Vq2-Quince";
    ASSERT_NO_FATAL_FAILURE(reach_home());
    std::filesystem::path password_screen;
    ASSERT_NO_FATAL_FAILURE(verify_jdoe_up_to_new_password(&password_screen));

    // The marker in both fields, submitted once (the copies refused as "they differ" must go
    // too), then typed again and left there for the idle timeout to find.
    xdotool("type --delay 15 " + marker);
    xdotool("key Tab");
    xdotool("type --delay 15 " + marker + "-other");
    xdotool("key Return");
    ASSERT_FALSE(wait_for("new-password-notice").empty());
    xdotool("type --delay 15 " + marker);
    const int last_index = std::atoi(password_screen.filename().c_str());
    // Before the timeout, the marker is there to be found: the scan can see it.
    EXPECT_FALSE(scan_memory(kiosk_->pid(), marker).empty())
        << "the marker was not found while typed: the scan would prove nothing";

    ASSERT_FALSE(wait_for("attract", last_index).empty()) << "the session did not time out";
    std::this_thread::sleep_for(1s); // a few frames after the wipe
    const auto copies = scan_memory(kiosk_->pid(), marker);
    for (const auto& copy : copies) {
        ADD_FAILURE() << "copy of the password (" << copy.encoding << ") at +" << copy.offset
                      << " in " << copy.mapping;
    }
    EXPECT_TRUE(copies.empty());
    EXPECT_EQ(kiosk_->terminate(), 0);
}

// [activation] The same for an activation left on the authenticator's QR code: the first
// password, the TOTP secret and the otpauth:// URI the central sent (read back from the
// screen's QR code by zbarimg, as a phone would) must be gone after the timeout. Unlike the
// test above, these secrets crossed the network: libcurl, OpenSSL, nlohmann's lexer and
// libqrencode made copies of their own (docs/internals/net.md, "Secrets in memory").
TEST_F(KioskMemory, ATimedOutActivationLeavesNoCopyOfTheSecrets) {
    launch_kiosk(20, "memory-activation");
    const std::string marker = std::string("Qx7-Heron") + "-Marker-" + "Vq2-Medlar";
    ASSERT_NO_FATAL_FAILURE(reach_home());
    // "Activate a new account", the fourth task on the 1280x800 home menu.
    xdotool("search --name 'Self-Service Kiosk' mousemove --window %1 640 436 click 1");
    ASSERT_FALSE(wait_for("activate-account").empty());
    xdotool("type --delay 30 kzielinski");
    xdotool("key Return");
    xdotool("type --delay 30 ACTV-DEMO-2026");
    xdotool("key Return");
    ASSERT_FALSE(wait_for("new-password").empty());
    xdotool("type --delay 15 " + marker);
    xdotool("key Tab");
    xdotool("type --delay 15 " + marker);
    xdotool("key Return");
    const auto enrolment = wait_for("enrol-authenticator");
    ASSERT_FALSE(enrolment.empty());
    const auto& shot = enrolment;
    std::string uri;
    {
        const std::string command = "zbarimg --raw -q '" + shot.string() + "' 2>/dev/null";
        std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
        std::array<char, 512> buffer{};
        while (pipe && std::fgets(buffer.data(), buffer.size(), pipe.get()) != nullptr) {
            uri += buffer.data();
        }
        uri.erase(uri.find_last_not_of("\n") + 1);
    }
    ASSERT_EQ(uri.rfind("otpauth://totp/Kiosk:kzielinski?secret=", 0), 0U) << uri;
    const auto start = uri.find("secret=") + 7;
    const std::string secret = uri.substr(start, uri.find('&', start) - start);
    ASSERT_EQ(secret.size(), 32U) << uri;
    const int last_index = std::atoi(enrolment.filename().c_str());
    EXPECT_FALSE(scan_memory(kiosk_->pid(), secret).empty())
        << "the secret was not found while shown: the scan would prove nothing";

    ASSERT_FALSE(wait_for("attract", last_index).empty()) << "the session did not time out";
    std::this_thread::sleep_for(1s);
    // Anywhere: any heap, libcurl's or OpenSSL's buffers, the thread stacks.
    for (const auto& [what, needle] : std::vector<std::pair<std::string, std::string>>{
             {"password", marker}, {"TOTP secret", secret}, {"otpauth URI", uri}}) {
        for (const auto& copy : scan_memory(kiosk_->pid(), needle)) {
            ADD_FAILURE() << "copy of the " << what << " (" << copy.encoding << ") at +"
                          << copy.offset << " in " << copy.mapping;
        }
    }
    EXPECT_EQ(kiosk_->terminate(), 0);
}

// [secret hygiene] A reset whose new password is really sent to the central (in the body of
// POST /v1/password-resets) and accepted: once the receipt times out, no copy of it is left
// in libcurl's, OpenSSL's or the worker thread's memory either.
TEST_F(KioskMemory, ATimedOutResetLeavesNoCopyOfTheSentPassword) {
    launch_kiosk(16, "memory-reset");
    const std::string marker = std::string("Qx7-Plover") + "-Marker-" + "Vq2-Sorrel";
    ASSERT_NO_FATAL_FAILURE(reach_home());
    ASSERT_NO_FATAL_FAILURE(verify_jdoe_up_to_new_password());
    xdotool("type --delay 15 " + marker);
    xdotool("key Tab");
    xdotool("type --delay 15 " + marker);
    xdotool("key Return");
    // The receipt: the central took the password, so it crossed the network.
    const auto done = wait_for("done");
    ASSERT_FALSE(done.empty()) << "the reset was not accepted";
    const int last_index = std::atoi(done.filename().c_str());

    ASSERT_FALSE(wait_for("attract", last_index).empty()) << "the session did not time out";
    std::this_thread::sleep_for(1s);
    const auto copies = scan_memory(kiosk_->pid(), marker);
    for (const auto& copy : copies) {
        ADD_FAILURE() << "copy of the sent password (" << copy.encoding << ") at +" << copy.offset
                      << " in " << copy.mapping;
    }
    EXPECT_TRUE(copies.empty());
    EXPECT_EQ(kiosk_->terminate(), 0);
}
