// The QR codes on the kiosk's receipts, read back by an independent decoder: the real
// `kiosk --screenshot-tour` draws its screens in a real window under Xvfb, and `zbarimg`
// (zbar-tools) must decode each receipt's code to exactly the follow-up URL it stands for,
// at a lobby screen's size and at a small one, in English and in mirrored Hebrew.
#include "kiosk/app/tour.hpp"
#include "xvfb.hpp"

#include <array>
#include <cstdio>
#include <filesystem>
#include <gtest/gtest.h>
#include <memory>
#include <thread>
#include <unistd.h>

using namespace kiosk::testing;
using namespace std::chrono_literals;

namespace {

class ScratchDir {
public:
    ScratchDir() {
        path_ = std::filesystem::temp_directory_path() /
                ("kiosk-qr-" + std::to_string(getpid()) + "-" +
                 std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
        std::filesystem::create_directories(path_);
    }
    ~ScratchDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// What `zbarimg --raw -q` reads from `png`: one line per code found.
std::string decode(const std::filesystem::path& png) {
    const std::string command = "zbarimg --raw -q '" + png.string() + "' 2>/dev/null";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
    if (!pipe) {
        return "(popen failed)";
    }
    std::string out;
    std::array<char, 512> buffer{};
    while (std::fgets(buffer.data(), static_cast<int>(buffer.size()), pipe.get()) != nullptr) {
        out += buffer.data();
    }
    return out;
}

// Runs the tour in `language` at width x height into `dir`; returns its exit status.
int tour(const XvfbServer& x, const std::filesystem::path& dir, const std::string& language,
         int width, int height) {
    ChildProcess kiosk({KIOSK_KIOSK_BINARY, "--screenshot-tour", dir.string(), "--lang", language,
                        "--windowed", "--width", std::to_string(width), "--height",
                        std::to_string(height)},
                       // As in every window test: LeakSanitizer cannot attribute Mesa's
                       // allocations, so leak checking of the window process is off.
                       {"DISPLAY=" + x.display(), "LIBGL_ALWAYS_SOFTWARE=1",
                        "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1"},
                       dir.string() + ".out", dir.string() + ".log");
    for (int i = 0; i < 600 && kiosk.running(); ++i) {
        std::this_thread::sleep_for(100ms);
    }
    return kiosk.terminate();
}

} // namespace

TEST(ReceiptQr, EveryReceiptCodeDecodesToItsFollowUpUrl) {
    const ScratchDir scratch;
    const struct {
        const char* language;
        int width;
        int height;
    } runs[] = {{"en", 1280, 800}, {"he", 800, 480}};
    for (const auto& run : runs) {
        XvfbServer x(run.width, run.height);
        const auto dir = scratch.path() / run.language;
        ASSERT_EQ(tour(x, dir, run.language, run.width, run.height), 0) << run.language;
        EXPECT_EQ(decode(dir / "done.png"), "https://help.example.com/requests/RST-7K2Q9D\n")
            << run.language << " " << run.width;
        EXPECT_EQ(decode(dir / "unlock-done.png"), "https://help.example.com/requests/UNL-4M8T2C\n")
            << run.language << " " << run.width;
        // The help screen's "continue on your phone" code and a ticket's receipt.
        EXPECT_EQ(decode(dir / "help.png"), "https://chat.example.com/kiosk\n")
            << run.language << " " << run.width;
        EXPECT_EQ(decode(dir / "done-ticket.png"), "https://help.example.com/requests/T-8F3KQ2ZD\n")
            << run.language << " " << run.width;
        // [activation] The authenticator's enrolment: exactly the otpauth:// URI (in Hebrew
        // too: the code moves to the right but is never mirrored), and both new receipts.
        EXPECT_EQ(decode(dir / "enrol-authenticator.png"),
                  std::string(kiosk::app::kTourOtpauthUri) + "\n")
            << run.language << " " << run.width;
        EXPECT_EQ(decode(dir / "activate-done.png"),
                  "https://help.example.com/requests/ACT-5H2K8Q\n")
            << run.language << " " << run.width;
        EXPECT_EQ(decode(dir / "contact-done.png"),
                  "https://help.example.com/requests/CNT-9D4W7M\n")
            << run.language << " " << run.width;
        EXPECT_EQ(decode(dir / "confirm-authenticator-wrong-code.png"), "")
            << "the secret is not shown once the app has it";
        EXPECT_EQ(decode(dir / "attract.png"), "") << "no code where there is no receipt";
    }
}
