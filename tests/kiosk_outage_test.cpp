// Issue 4's outage test with the real kiosk binary under Xvfb, driven by real X input
// (xdotool). (1) Against a server that accepts connections and never answers, a person's
// request stays in flight while the kiosk keeps drawing: the frame log (--frame-log) shows
// no frame waited on the network. (2) A verified person's reset meets a stopped central:
// the kiosk saves it (sealed outbox) and says so, the central comes back on the same port,
// the queue drains, and the central has applied the reset exactly once.
#include "central_process.hpp"
#include "silent_server.hpp"
#include "xvfb.hpp"

#include <algorithm>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <stb_image.h>
#include <thread>
#include <unistd.h>

using namespace kiosk::testing;
using namespace std::chrono_literals;

namespace {

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

class Scratch {
public:
    explicit Scratch(const std::string& name)
        : path_(std::filesystem::temp_directory_path() /
                ("kiosk-outage-test-" + name + "-" + std::to_string(getpid()))) {
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~Scratch() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;
    [[nodiscard]] std::filesystem::path operator/(const std::string& name) const {
        return path_ / name;
    }

private:
    std::filesystem::path path_;
};

int first_white_row(const std::filesystem::path& png, int column);
int first_button_row(const std::filesystem::path& png);

// One kiosk under Xvfb, with a bootstrap file, its screenshots and its frame log.
class Kiosk {
public:
    Kiosk(const XvfbServer& x, const Scratch& dir, const std::string& central_url,
          const std::filesystem::path& ca, int request_timeout_seconds)
        : x_(x), dir_(dir) {
        std::ofstream(dir / "bootstrap.json")
            << "{\"central_url\": \"" << central_url << "\", \"ca_file\": \"" << ca.string()
            << "\", \"kiosk_id\": \"outage-1\", \"request_timeout_seconds\": "
            << request_timeout_seconds << ", \"state_dir\": \"" << (dir / "state").string()
            << "\"}\n";
        process_ = std::make_unique<ChildProcess>(
            std::vector<std::string>{
                KIOSK_KIOSK_BINARY, "--bootstrap", (dir / "bootstrap.json").string(), "--windowed",
                "--width", "1280", "--height", "800", "--screenshot-dir", (dir / "shots").string(),
                "--frame-log", (dir / "frames.log").string()},
            std::vector<std::string>{"DISPLAY=" + x.display(),
                                     "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1"},
            dir / "kiosk.out", dir / "kiosk.log");
    }

    // The newest screenshot printed after `seen` (a count of screenshots), as its name
    // (e.g. "03-enter-code"); "" after `timeout`.
    std::string next_screen(int& seen, std::chrono::seconds timeout = 30s) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            std::istringstream out(read_file(dir_ / "kiosk.out"));
            std::vector<std::string> shots;
            for (std::string line; std::getline(out, line);) {
                if (line.rfind("screenshot: ", 0) == 0) {
                    shots.push_back(std::filesystem::path(line.substr(12)).stem().string());
                }
            }
            if (static_cast<int>(shots.size()) > seen) {
                seen = static_cast<int>(shots.size());
                return shots.back();
            }
            if (!process_->running()) {
                ADD_FAILURE() << "kiosk exited early:\n" << log();
                return {};
            }
            std::this_thread::sleep_for(50ms);
        }
        ADD_FAILURE() << "no new screen after " << seen << "; log:\n" << log();
        return {};
    }
    std::string wait_for(int& seen, const std::string& screen) {
        std::string passed;
        for (int i = 0; i < 4; ++i) { // notices may come first
            const auto name = next_screen(seen);
            if (name.empty() || name.find(screen) != std::string::npos) {
                return name;
            }
            passed += " " + name;
        }
        ADD_FAILURE() << "expected " << screen << ", saw" << passed;
        return {};
    }

    int xdotool(const std::string& args) const {
        return run_in_display(x_.display(), "xdotool " + args);
    }
    void focus() const {
        ASSERT_EQ(run_in_display(x_.display(), "xdotool search --sync --name 'Self-Service Kiosk' "
                                               "windowfocus mousemove --window %1 640 400"),
                  0);
        std::this_thread::sleep_for(500ms); // focus events settle, as a first touch would
    }
    // From attract to the identify page of a password reset, through the home menu if
    // this kiosk has one (its first button is the reset).
    bool open_reset(int& seen) {
        xdotool("key Return");
        auto screen = next_screen(seen);
        if (screen.find("home") != std::string::npos) {
            const int y = first_button_row(shot(screen));
            if (y < 0) {
                ADD_FAILURE() << "no button on the home screen";
                return false;
            }
            xdotool("search --sync --name 'Self-Service Kiosk' mousemove --window %1 640 " +
                    std::to_string(y + 20) + " click 1");
            screen = next_screen(seen);
        }
        return screen.find("identify") != std::string::npos;
    }

    std::string log() const { return read_file(dir_ / "kiosk.log"); }
    int terminate() { return process_->terminate(); }
    [[nodiscard]] std::filesystem::path shot(const std::string& name) const {
        return dir_ / "shots" / (name + ".png");
    }

private:
    const XvfbServer& x_;
    const Scratch& dir_;
    std::unique_ptr<ChildProcess> process_;
};

struct Frame {
    double started_ms = 0;
    double work_ms = 0;
    double gap_ms = 0;
    bool busy = false;
    bool shot = false; // it also saved a screenshot (test instrumentation)
};

std::vector<Frame> read_frames(const std::filesystem::path& file) {
    std::vector<Frame> frames;
    std::istringstream in(read_file(file));
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') {
            continue;
        }
        Frame f;
        int busy = 0;
        int shot = 0;
        std::istringstream(line) >> f.started_ms >> f.work_ms >> f.gap_ms >> busy >> shot;
        f.busy = busy != 0;
        f.shot = shot != 0;
        frames.push_back(f);
    }
    return frames;
}

double quantile(std::vector<double> values, double q) {
    std::sort(values.begin(), values.end());
    return values[static_cast<std::size_t>(q * static_cast<double>(values.size() - 1))];
}

// The first row, below the brand bar, whose pixel in `column` is white: a button's top.
int first_white_row(const std::filesystem::path& png, int column) {
    int width = 0;
    int height = 0;
    int channels = 0;
    unsigned char* data = stbi_load(png.c_str(), &width, &height, &channels, 3);
    int found = -1;
    for (int y = 120; data != nullptr && y < height && found < 0; ++y) {
        const auto i = (static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                        static_cast<std::size_t>(column)) *
                       3;
        if (data[i] == 255 && data[i + 1] == 255 && data[i + 2] == 255) {
            found = y;
        }
    }
    stbi_image_free(data);
    return found;
}

// The first row below the brand bar filled with one colour that is not the page's, at
// the middle and towards the right: a full-width button's top (title text ends earlier).
int first_button_row(const std::filesystem::path& png) {
    int width = 0;
    int height = 0;
    int channels = 0;
    unsigned char* data = stbi_load(png.c_str(), &width, &height, &channels, 3);
    int found = -1;
    const auto at = [&](int x, int y) {
        const auto i = (static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                        static_cast<std::size_t>(x)) *
                       3;
        return std::array<int, 3>{data[i], data[i + 1], data[i + 2]};
    };
    for (int y = 120; data != nullptr && y < height && found < 0; ++y) {
        const auto middle = at(width / 2, y);
        if (middle == at(width * 3 / 4, y) && middle != at(4, y)) {
            found = y;
        }
    }
    stbi_image_free(data);
    return found;
}

std::array<int, 3> pixel(const std::filesystem::path& png, int x, int y) {
    int width = 0;
    int height = 0;
    int channels = 0;
    unsigned char* data = stbi_load(png.c_str(), &width, &height, &channels, 3);
    if (data == nullptr || x >= width || y >= height) {
        stbi_image_free(data);
        return {-1, -1, -1};
    }
    const auto i = (static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                    static_cast<std::size_t>(x)) *
                   3;
    std::array<int, 3> rgb{data[i], data[i + 1], data[i + 2]};
    stbi_image_free(data);
    return rgb;
}

} // namespace

TEST(KioskOutage, NoFrameWaitsOnACentralThatNeverAnswers) {
    XvfbServer x(1280, 800);
    CentralProcess central; // for a real CA file; the kiosk never talks to it
    SilentServer silent;
    const Scratch dir("silent");
    Kiosk kiosk(x, dir, silent.base_url(), central.ca_file(), 10);
    int seen = 0;
    ASSERT_NE(kiosk.wait_for(seen, "attract"), "");
    kiosk.focus();
    ASSERT_TRUE(kiosk.open_reset(seen));
    kiosk.xdotool("type --delay 30 jdoe");
    const auto typed = std::chrono::steady_clock::now();
    kiosk.xdotool("key Return");
    // The request goes to a server that never answers: the kiosk gives up on its own
    // timeout and says the central cannot be reached.
    const auto problem = kiosk.wait_for(seen, "problem");
    ASSERT_NE(problem, "");
    const auto waited = std::chrono::steady_clock::now() - typed;
    EXPECT_GE(waited, 4s) << "the request must have stayed in flight (connect timeout 5 s)";
    EXPECT_GE(silent.accepted(), 2) << "the session's request and the monitor's health check";
    // "Finish" (the white button left of the blue "start again") leads back to attract, where the
    // mark must say offline: a red dot, bottom right.
    const int finish_y = first_white_row(kiosk.shot(problem), 384);
    ASSERT_GT(finish_y, 0) << "no Finish button on the problem screen";
    kiosk.xdotool("search --sync --name 'Self-Service Kiosk' mousemove --window %1 384 " +
                  std::to_string(finish_y + 20) + " click 1");
    const auto attract = kiosk.wait_for(seen, "attract");
    ASSERT_NE(attract, "");
    const auto mark = pixel(kiosk.shot(attract), 1265, 785);
    EXPECT_EQ(mark, (std::array<int, 3>{0xC6, 0x28, 0x28})) << "offline mark";
    EXPECT_EQ(kiosk.terminate(), 0);

    const auto frames = read_frames(dir / "frames.log");
    std::vector<double> busy_gaps;
    std::vector<double> work;
    double busy_span_ms = 0;
    for (std::size_t i = 0; i < frames.size(); ++i) {
        if (frames[i].shot || i == 0) {
            continue; // PNG encoding for the test's screenshots; the first frame's GL set-up
        }
        work.push_back(frames[i].work_ms);
        if (frames[i].busy && i > 0 && frames[i - 1].busy) {
            busy_gaps.push_back(frames[i].gap_ms);
            busy_span_ms += frames[i].gap_ms;
        }
    }
    // With every gap under 250 ms, 4 s in flight takes at least 16 frames; a loaded machine
    // (ctest -j2, a sanitizer build) draws fewer than the 30 fps the spinner asks for.
    ASSERT_GT(busy_gaps.size(), 15U) << "frames kept coming while the request was in flight";
    EXPECT_GE(busy_span_ms, 4000.0);
    const double max_gap = *std::max_element(busy_gaps.begin(), busy_gaps.end());
    const double max_work = *std::max_element(work.begin(), work.end());
    std::printf("[ figures  ] request in flight %.1f s: %zu frames, gap median %.1f ms, p99 "
                "%.1f ms, max %.1f ms; frame work (%zu frames) median %.2f ms, p99 %.2f ms, "
                "max %.2f ms\n",
                busy_span_ms / 1000.0, busy_gaps.size(), quantile(busy_gaps, 0.5),
                quantile(busy_gaps, 0.99), max_gap, work.size(), quantile(work, 0.5),
                quantile(work, 0.99), max_work);
    EXPECT_LT(max_gap, 250.0) << "a frame waited while the request was in flight";
    EXPECT_LT(max_work, 250.0) << "a frame's own work took too long";
}

TEST(KioskOutage, KeepsAcceptingWhileTheCentralIsDownAndDrainsOnceItIsBack) {
    XvfbServer x(1280, 800);
    CentralProcess central;
    const Scratch dir("drain");
    Kiosk kiosk(x, dir, central.base_url(), central.ca_file(), 5);
    int seen = 0;
    ASSERT_NE(kiosk.wait_for(seen, "attract"), "");
    // The central's sealing key must be known before the outage (it is fetched at start).
    for (int i = 0; i < 100 && !std::filesystem::exists(dir / "state" / "sealing-key.pem"); ++i) {
        std::this_thread::sleep_for(100ms);
    }
    ASSERT_TRUE(std::filesystem::exists(dir / "state" / "sealing-key.pem"));
    kiosk.focus();
    ASSERT_TRUE(kiosk.open_reset(seen));
    kiosk.xdotool("type --delay 30 jdoe");
    kiosk.xdotool("key Return");
    ASSERT_NE(kiosk.wait_for(seen, "choose-method"), ""); // e-mail or SMS: Enter takes e-mail
    kiosk.xdotool("key Return");
    ASSERT_NE(kiosk.wait_for(seen, "enter-code"), "");
    const auto code = central.latest_code_for("jdoe");
    ASSERT_TRUE(code.has_value());
    kiosk.xdotool("type --delay 30 " + *code);
    kiosk.xdotool("key Return");
    ASSERT_NE(kiosk.wait_for(seen, "new-password"), "");

    central.stop(); // the outage
    const std::string password = "Seven-Purple-Elephants-Dance";
    kiosk.xdotool("type --delay 20 " + password);
    kiosk.xdotool("key Tab");
    kiosk.xdotool("type --delay 20 " + password);
    kiosk.xdotool("key Return");
    const auto done = kiosk.wait_for(seen, "done");
    ASSERT_NE(done, "") << "the kiosk must accept the reset and say it was saved";
    EXPECT_NE(kiosk.log().find("1 pending"), std::string::npos) << kiosk.log();

    central.start_again();
    bool applied = false;
    for (int i = 0; i < 300 && !applied; ++i) { // backoff is at most a few seconds here
        std::this_thread::sleep_for(100ms);
        applied = kiosk.log().find("0 pending, 0 dead, central reachable") != std::string::npos;
    }
    EXPECT_TRUE(applied) << kiosk.log();
    EXPECT_TRUE(central.password_matches("jdoe", password));
    int resets = 0;
    for (const auto& notice : central.notices_for("jdoe")) {
        resets += notice.rfind("password_reset", 0) == 0 ? 1 : 0;
    }
    EXPECT_EQ(resets, 1) << "applied exactly once";
    EXPECT_EQ(kiosk.terminate(), 0);

    const auto frames = read_frames(dir / "frames.log");
    std::vector<double> work;
    for (std::size_t i = 1; i < frames.size(); ++i) { // the first frame sets up GL
        if (!frames[i].shot) {
            work.push_back(frames[i].work_ms);
        }
    }
    ASSERT_FALSE(work.empty());
    std::printf("[ figures  ] outage run: %zu frames, work median %.2f ms, p99 %.2f ms, max "
                "%.2f ms\n",
                work.size(), quantile(work, 0.5), quantile(work, 0.99),
                *std::max_element(work.begin(), work.end()));
    EXPECT_LT(*std::max_element(work.begin(), work.end()), 250.0);
}
