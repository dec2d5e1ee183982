// The real kiosk binary in a real X window (Xvfb + Mesa llvmpipe): it draws the attract
// screen as designed, takes the monitor's resolution when fullscreen, and a person typing
// with real X input events (xdotool) resets a password at a real central.
// Screenshots are kept in build/test-screenshots/ for a look by eye.
#include "central_process.hpp"
#include "xvfb.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <stb_image.h>
#include <thread>
#include <unistd.h>

using namespace kiosk::testing;
using namespace std::chrono_literals;

namespace {

const std::filesystem::path kKeepDir = std::filesystem::path(KIOSK_BINARY_DIR) / "test-screenshots";

struct Image {
    int width = 0;
    int height = 0;
    std::vector<unsigned char> rgba;

    [[nodiscard]] std::array<int, 3> at(int x, int y) const {
        const auto i = (static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                        static_cast<std::size_t>(x)) *
                       4;
        return {rgba[i], rgba[i + 1], rgba[i + 2]};
    }
    // Within `tolerance` of `rgb` on every channel.
    [[nodiscard]] static bool near(std::array<int, 3> pixel, std::array<int, 3> rgb,
                                   int tolerance) {
        return std::abs(pixel[0] - rgb[0]) <= tolerance &&
               std::abs(pixel[1] - rgb[1]) <= tolerance && std::abs(pixel[2] - rgb[2]) <= tolerance;
    }
    // Share of the pixels in rows [from_row, height) within `tolerance` of `rgb` on every
    // channel.
    [[nodiscard]] double share_near(std::array<int, 3> rgb, int tolerance, int from_row = 0) const {
        std::size_t hits = 0;
        const std::size_t first =
            static_cast<std::size_t>(from_row) * static_cast<std::size_t>(width) * 4;
        for (std::size_t i = first; i + 3 < rgba.size(); i += 4) {
            if (near({rgba[i], rgba[i + 1], rgba[i + 2]}, rgb, tolerance)) {
                ++hits;
            }
        }
        return static_cast<double>(hits) / static_cast<double>((rgba.size() - first) / 4);
    }
    // The longest run of pixels within `tolerance` of `rgb` down any one column.
    [[nodiscard]] int longest_vertical_run(std::array<int, 3> rgb, int tolerance) const {
        int longest = 0;
        for (int x = 0; x < width; ++x) {
            int run = 0;
            for (int y = 0; y < height; ++y) {
                run = near(at(x, y), rgb, tolerance) ? run + 1 : 0;
                longest = std::max(longest, run);
            }
        }
        return longest;
    }
};

Image load_png(const std::filesystem::path& path) {
    Image image;
    int channels = 0;
    unsigned char* data = stbi_load(path.c_str(), &image.width, &image.height, &channels, 4);
    if (data != nullptr) {
        image.rgba.assign(data, data + static_cast<std::ptrdiff_t>(image.width) * image.height * 4);
        stbi_image_free(data);
    }
    return image;
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// A scratch directory for one test, removed when the test ends. The pid keeps parallel runs
// (two build trees, ctest -j) out of each other's files.
class ScratchDir {
public:
    explicit ScratchDir(const std::string& name)
        : path_(std::filesystem::temp_directory_path() /
                ("kiosk-window-test-" + name + "-" + std::to_string(getpid()))) {
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~ScratchDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;

    operator const std::filesystem::path&() const { return path_; } // NOLINT: reads as a path
    friend std::filesystem::path operator/(const ScratchDir& dir, const std::string& name) {
        return dir.path_ / name;
    }

private:
    std::filesystem::path path_;
};

// Waits until the kiosk has printed the screenshot of `screen` (e.g. "02-identify").
std::filesystem::path wait_for_screenshot(ChildProcess& kiosk, const std::filesystem::path& dir,
                                          const std::string& screen) {
    for (int i = 0; i < 400; ++i) {
        const std::string out = read_file(dir / "kiosk.out");
        const auto pos = out.find(screen + ".png");
        if (pos != std::string::npos) {
            const auto start = out.rfind("screenshot: ", pos) + 12;
            return out.substr(start, pos + screen.size() + 4 - start);
        }
        if (!kiosk.running()) {
            ADD_FAILURE() << "kiosk exited early:\n" << read_file(dir / "kiosk.log");
            return {};
        }
        std::this_thread::sleep_for(100ms);
    }
    ADD_FAILURE() << "no " << screen << " screenshot; kiosk log:\n" << read_file(dir / "kiosk.log");
    return {};
}

std::vector<std::string> kiosk_args(const CentralProcess& central, const std::filesystem::path& dir,
                                    bool windowed) {
    std::vector<std::string> args = {
        KIOSK_KIOSK_BINARY,         "--central",        central.base_url(),      "--ca",
        central.ca_file().string(), "--screenshot-dir", (dir / "shots").string()};
    if (windowed) {
        args.insert(args.end(), {"--windowed", "--width", "1280", "--height", "800"});
    }
    return args;
}

// The kiosk's environment. Under the sanitizer build, LeakSanitizer cannot attribute Mesa's
// allocations (its DRI driver is unloaded before the check runs), so leak checking of the
// window process is off; address and UB checks stay on, and our own code's leaks are
// checked in the GUI-free tests of app/, ui/ and net/.
std::vector<std::string> kiosk_env(const XvfbServer& x) {
    return {"DISPLAY=" + x.display(), "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1"};
}

void keep(const std::filesystem::path& shot, const std::string& name) {
    std::filesystem::create_directories(kKeepDir);
    std::filesystem::copy_file(shot, kKeepDir / name,
                               std::filesystem::copy_options::overwrite_existing);
}

// A page that fits shows no scroll bar. The grab is drawn in the border grey (#A4ADB8),
// as are the borders of buttons and fields, but those run down a column for one control's
// height; a grab runs for most of the page.
void expect_no_scroll_bar(const std::filesystem::path& shot) {
    const Image image = load_png(shot);
    ASSERT_GT(image.height, 0) << shot;
    EXPECT_LT(image.longest_vertical_run({0xA4, 0xAD, 0xB8}, 3), image.height / 4)
        << "a scroll bar on " << shot.filename();
}

} // namespace

TEST(KioskWindow, DrawsTheAttractScreenAsDesigned) {
    XvfbServer x(1280, 800);
    CentralProcess central;
    const ScratchDir dir("attract");
    ChildProcess kiosk(kiosk_args(central, dir, true), kiosk_env(x), dir / "kiosk.out",
                       dir / "kiosk.log");
    const auto shot = wait_for_screenshot(kiosk, dir, "01-attract");
    ASSERT_FALSE(shot.empty());
    keep(shot, "attract.png");

    const Image image = load_png(shot);
    ASSERT_EQ(image.width, 1280);
    ASSERT_EQ(image.height, 800);
    EXPECT_EQ(image.at(5, 5), (std::array<int, 3>{0x1F, 0x5A, 0xA6})) << "the brand bar";
    EXPECT_EQ(image.at(5, 795), (std::array<int, 3>{0xEF, 0xF3, 0xF7})) << "theme background";
    const int below_bar = 120;
    EXPECT_GT(image.share_near({0x1F, 0x5A, 0xA6}, 6, below_bar), 0.03) << "the start button";
    EXPECT_GT(image.share_near({0x16, 0x1E, 0x2A}, 40, below_bar), 0.005) << "dark headline";
    EXPECT_EQ(kiosk.terminate(), 0) << "SIGTERM must end the kiosk cleanly";
}

TEST(KioskWindow, SleepsWhileNothingHappens) {
    XvfbServer x(1280, 800);
    CentralProcess central;
    const ScratchDir dir("idle");
    ChildProcess kiosk(kiosk_args(central, dir, true), kiosk_env(x), dir / "kiosk.out",
                       dir / "kiosk.log");
    ASSERT_FALSE(wait_for_screenshot(kiosk, dir, "01-attract").empty());
    std::this_thread::sleep_for(500ms);
    const long before = kiosk.cpu_ticks();
    std::this_thread::sleep_for(3s);
    const long used = kiosk.cpu_ticks() - before;
    // A loop that redrew continuously would burn most of a core (~300 ticks at 100 Hz).
    EXPECT_LE(used, 3) << "the kiosk used " << used << " ticks of CPU in 3 s on an idle screen";
    EXPECT_EQ(kiosk.terminate(), 0);
}

TEST(KioskWindow, FullscreenTakesTheMonitorResolution) {
    XvfbServer x(1024, 768);
    CentralProcess central;
    const ScratchDir dir("fullscreen");
    ChildProcess kiosk(kiosk_args(central, dir, false), kiosk_env(x), dir / "kiosk.out",
                       dir / "kiosk.log");
    const auto shot = wait_for_screenshot(kiosk, dir, "01-attract");
    ASSERT_FALSE(shot.empty());
    const Image image = load_png(shot);
    EXPECT_EQ(image.width, 1024);
    EXPECT_EQ(image.height, 768);
    EXPECT_EQ(kiosk.terminate(), 0);
}

TEST(KioskWindow, APersonTypingResetsTheirPassword) {
    XvfbServer x(1280, 800);
    CentralProcess central;
    const ScratchDir dir("reset");
    ChildProcess kiosk(kiosk_args(central, dir, true), kiosk_env(x), dir / "kiosk.out",
                       dir / "kiosk.log");
    const std::string display = x.display();
    auto xdotool = [&display](const std::string& args) {
        return run_in_display(display, "xdotool " + args);
    };
    ASSERT_FALSE(wait_for_screenshot(kiosk, dir, "01-attract").empty());
    ASSERT_EQ(run_in_display(display, "xdotool search --sync --name 'Self-Service Kiosk' "
                                      "windowfocus mousemove --window %1 640 400"),
              0);
    // Focus changes reach Dear ImGui as "focus lost, focus gained", which clears the keys
    // held in that frame; let them settle before typing, as a person's first touch would.
    std::this_thread::sleep_for(500ms);
    ASSERT_EQ(xdotool("key Return"), 0);
    auto shot = wait_for_screenshot(kiosk, dir, "02-home");
    ASSERT_FALSE(shot.empty());
    keep(shot, "home.png");
    expect_no_scroll_bar(shot);
    // Enter on the home menu takes its first, highlighted task: the reset.
    xdotool("key Return");
    shot = wait_for_screenshot(kiosk, dir, "03-identify");
    ASSERT_FALSE(shot.empty());
    keep(shot, "identify.png");
    expect_no_scroll_bar(shot);

    xdotool("type --delay 30 jdoe");
    xdotool("key Return");
    // jdoe has e-mail and SMS: the choice, where Enter takes the first (e-mail).
    shot = wait_for_screenshot(kiosk, dir, "04-choose-method");
    ASSERT_FALSE(shot.empty());
    keep(shot, "choose-method.png");
    expect_no_scroll_bar(shot);
    xdotool("key Return");
    shot = wait_for_screenshot(kiosk, dir, "05-enter-code");
    ASSERT_FALSE(shot.empty());
    keep(shot, "enter-code.png");
    expect_no_scroll_bar(shot);

    const auto code = central.latest_code_for("jdoe");
    ASSERT_TRUE(code.has_value());
    xdotool("type --delay 30 " + *code);
    xdotool("key Return");
    shot = wait_for_screenshot(kiosk, dir, "06-new-password");
    ASSERT_FALSE(shot.empty());
    keep(shot, "new-password.png");
    expect_no_scroll_bar(shot);

    // Too short first: the central refuses, the screen says why, the user tries again.
    xdotool("type --delay 20 short");
    xdotool("key Tab");
    xdotool("type --delay 20 short");
    xdotool("key Return");
    shot = wait_for_screenshot(kiosk, dir, "07-new-password-notice");
    ASSERT_FALSE(shot.empty());
    keep(shot, "new-password-too-short.png");
    expect_no_scroll_bar(shot);

    const std::string password = "Seven-Purple-Elephants-Dance";
    xdotool("type --delay 20 " + password);
    xdotool("key Tab");
    xdotool("type --delay 20 " + password);
    xdotool("key Return");
    shot = wait_for_screenshot(kiosk, dir, "08-done");
    ASSERT_FALSE(shot.empty());
    keep(shot, "done.png");
    expect_no_scroll_bar(shot);

    EXPECT_TRUE(central.password_matches("jdoe", password));
    EXPECT_FALSE(central.password_matches("jdoe", "Lobby-Winter-Morning-2026"));

    xdotool("key Return");
    EXPECT_FALSE(wait_for_screenshot(kiosk, dir, "09-attract").empty());
    EXPECT_EQ(kiosk.terminate(), 0);
}

// `kiosk --screenshot-tour DIR --lang L` draws every screen with demo data and exits 0,
// without a central. Hebrew is drawn mirrored: the brand sits at the right end of the bar.
TEST(KioskWindow, ScreenshotTourDrawsEveryScreenInEnglishAndMirroredHebrew) {
    // A smaller screen than the lobby's keeps two full tours quick.
    XvfbServer x(960, 600);
    const ScratchDir dir("tour");
    auto tour = [&](const std::string& language) {
        ChildProcess kiosk({KIOSK_KIOSK_BINARY, "--screenshot-tour", (dir / language).string(),
                            "--lang", language, "--windowed", "--width", "960", "--height", "600"},
                           kiosk_env(x), dir / (language + ".out"), dir / (language + ".log"));
        for (int i = 0; i < 300 && kiosk.running(); ++i) {
            std::this_thread::sleep_for(100ms);
        }
        return kiosk.terminate();
    };
    ASSERT_EQ(tour("en"), 0) << read_file(dir / "en.log");
    ASSERT_EQ(tour("he"), 0) << read_file(dir / "he.log");

    for (const char* screen :
         {"attract", "identify", "choose-method", "enter-code-wrong-code", "enter-code-totp",
          "new-password-too-short", "done", "problem-unreachable", "problem-code-expired",
          "problem-too-many-attempts", "problem-verification-expired", "problem-unexpected",
          "idle-countdown", "attract-large-text", "attract-high-contrast"}) {
        const auto png = std::string(screen) + ".png";
        const Image en = load_png(dir / "en" / png);
        const Image he = load_png(dir / "he" / png);
        ASSERT_EQ(en.width, 960) << png;
        ASSERT_EQ(he.width, 960) << png;
        ASSERT_EQ(en.height, 600) << png;
        EXPECT_NE(en.rgba, he.rgba) << png << " looks the same in English and Hebrew";
        EXPECT_NE(read_file(dir / "he.out").find(png), std::string::npos) << png;
    }
    keep(dir / "he" / "attract.png", "attract-he.png");

    // The brand's white letters: left of centre in English, right of centre in Hebrew.
    auto white_in_bar = [](const Image& image, int from, int to) {
        int hits = 0;
        for (int row = 8; row < 42; ++row) { // inside the brand bar
            for (int column = from; column < to; ++column) {
                hits += image.at(column, row) == std::array<int, 3>{255, 255, 255} ? 1 : 0;
            }
        }
        return hits;
    };
    const Image en = load_png(dir / "en" / "attract.png");
    const Image he = load_png(dir / "he" / "attract.png");
    EXPECT_GT(white_in_bar(en, 0, 480), 100);
    EXPECT_EQ(white_in_bar(en, 480, 960), 0);
    EXPECT_GT(white_in_bar(he, 480, 960), 100);
    EXPECT_EQ(white_in_bar(he, 0, 480), 0);

    const Image contrast = load_png(dir / "en" / "attract-high-contrast.png");
    EXPECT_GT(contrast.share_near({0, 0, 0}, 4, 90), 0.5) << "high contrast: black background";
}
