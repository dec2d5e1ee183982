// FrameLog: `kiosk --frame-log FILE` writes one line per drawn frame, so a test can prove
// that no frame waited on the network: when the frame's work began, how long the UI
// thread spent on it (inbox, timers, drawing, intents), the time since the previous
// frame, whether a request was under way, and whether the frame also saved a screenshot
// (--screenshot-dir: PNG encoding is test instrumentation, not the kiosk's own work).
#pragma once

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>

namespace kiosk::ui {

class FrameLog {
public:
    // An empty path turns the log off; a file that cannot be opened is logged and ignored.
    explicit FrameLog(const std::filesystem::path& file);

    // After the frame was presented and its intents handled. `started` is when the loop
    // woke for it; `busy` whether a request was under way while it was drawn; `shot`
    // whether it saved a screenshot.
    void frame_done(std::chrono::steady_clock::time_point started, bool busy, bool shot);

private:
    struct Close {
        void operator()(std::FILE* file) const { std::fclose(file); }
    };
    std::unique_ptr<std::FILE, Close> file_;
    std::chrono::steady_clock::time_point opened_;
    std::optional<std::chrono::steady_clock::time_point> last_done_;
};

} // namespace kiosk::ui
