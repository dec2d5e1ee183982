// Test support for tests that run the real kiosk binary under Xvfb (see kiosk_window.hpp).
#include "kiosk_window.hpp"

#include <chrono>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace kiosk::testing {

ScratchDir::ScratchDir(const std::string& name)
    : path_(std::filesystem::temp_directory_path() /
            ("kiosk-window-test-" + name + "-" + std::to_string(getpid()))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
}

ScratchDir::~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

std::string read_text_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::vector<std::string> kiosk_window_env(const XvfbServer& x) {
    return {"DISPLAY=" + x.display(), "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1"};
}

namespace {

// The screenshot lines ("screenshot: DIR/NN-name.png") printed so far whose name ends in
// `screen` and whose NN is above `after_index`; the first such path, or "".
std::string find_screenshot(const std::string& out, const std::string& screen, int after_index) {
    std::istringstream lines(out);
    const std::string prefix = "screenshot: ";
    const std::string suffix = screen + ".png";
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind(prefix, 0) != 0 || line.size() < suffix.size() ||
            line.compare(line.size() - suffix.size(), suffix.size(), suffix) != 0) {
            continue;
        }
        const std::string path = line.substr(prefix.size());
        const std::string name = std::filesystem::path(path).filename().string();
        const int index = std::atoi(name.c_str());
        if (index > after_index) {
            return path;
        }
    }
    return {};
}

} // namespace

std::filesystem::path wait_for_kiosk_screenshot(ChildProcess& kiosk,
                                                const std::filesystem::path& out_file,
                                                const std::filesystem::path& log_file,
                                                const std::string& screen, int after_index) {
    using namespace std::chrono_literals;
    for (int i = 0; i < 400; ++i) {
        const std::string found = find_screenshot(read_text_file(out_file), screen, after_index);
        if (!found.empty()) {
            return found;
        }
        if (!kiosk.running()) {
            ADD_FAILURE() << "kiosk exited early:\n" << read_text_file(log_file);
            return {};
        }
        std::this_thread::sleep_for(100ms);
    }
    ADD_FAILURE() << "no " << screen << " screenshot; kiosk output:\n"
                  << read_text_file(out_file) << "\nkiosk log:\n"
                  << read_text_file(log_file);
    return {};
}

} // namespace kiosk::testing
