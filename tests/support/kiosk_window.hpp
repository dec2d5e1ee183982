// Test support for tests that run the real kiosk binary under Xvfb: a scratch directory per
// test, the kiosk's environment, and waiting for the screenshot the kiosk writes on each
// screen change (`--screenshot-dir`).
#pragma once

#include "xvfb.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace kiosk::testing {

// A directory for one test, removed when the test ends; the pid keeps parallel runs apart.
class ScratchDir {
public:
    explicit ScratchDir(const std::string& name);
    ~ScratchDir();
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;

    operator const std::filesystem::path&() const { return path_; } // NOLINT: reads as a path
    friend std::filesystem::path operator/(const ScratchDir& dir, const std::string& name) {
        return dir.path_ / name;
    }

private:
    std::filesystem::path path_;
};

std::string read_text_file(const std::filesystem::path& path);

// The kiosk's environment under `x`. Under the sanitizer build, LeakSanitizer cannot
// attribute Mesa's allocations (its DRI driver is unloaded before the check runs), so leak
// checking of the window process is off; address and UB checks stay on.
std::vector<std::string> kiosk_window_env(const XvfbServer& x);

// Waits (at most 40 s) until the kiosk, started with its stdout in `out_file`, has printed
// the screenshot whose file name ends in `screen` + ".png" (e.g. "02-identify", or
// "attract" for the newest attract screen after `after_index`). Returns its path, or an
// empty path after recording a test failure with the kiosk's log.
std::filesystem::path wait_for_kiosk_screenshot(ChildProcess& kiosk,
                                                const std::filesystem::path& out_file,
                                                const std::filesystem::path& log_file,
                                                const std::string& screen, int after_index = 0);

} // namespace kiosk::testing
