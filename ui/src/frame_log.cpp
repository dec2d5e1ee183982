// FrameLog: a line per frame, "<started ms> <work ms> <gap ms> <busy 0|1> <shot 0|1>" (for
// tests and benchmarks).
#include "kiosk/ui/frame_log.hpp"

#include <spdlog/spdlog.h>

namespace kiosk::ui {

FrameLog::FrameLog(const std::filesystem::path& file) : opened_(std::chrono::steady_clock::now()) {
    if (file.empty()) {
        return;
    }
    file_.reset(std::fopen(file.c_str(), "w"));
    if (!file_) {
        spdlog::error("frame log: cannot write {}", file.string());
        return;
    }
    // Line by line, so a test can watch it while the kiosk runs (a write per frame is
    // nothing next to drawing one).
    std::setvbuf(file_.get(), nullptr, _IOLBF, 0);
    std::fputs("# started_ms work_ms gap_ms busy shot\n", file_.get());
}

void FrameLog::frame_done(std::chrono::steady_clock::time_point started, bool busy, bool shot) {
    if (!file_) {
        return;
    }
    const auto now = std::chrono::steady_clock::now();
    using Ms = std::chrono::duration<double, std::milli>;
    const double gap = last_done_ ? Ms(now - *last_done_).count() : 0.0;
    std::fprintf(file_.get(), "%.3f %.3f %.3f %d %d\n", Ms(started - opened_).count(),
                 Ms(now - started).count(), gap, busy ? 1 : 0, shot ? 1 : 0);
    last_done_ = now;
}

} // namespace kiosk::ui
