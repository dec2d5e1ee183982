// The kiosk's event loop: sleeps until something happens (input, a worker's answer, a
// session timer), then draws a few frames and hands the user's intents to the session.
#pragma once

#include "kiosk/app/session.hpp"
#include "kiosk/app/task_queue.hpp"
#include "kiosk/app/tour.hpp"
#include "kiosk/ui/maintenance_screens.hpp"
#include "kiosk/ui/screens.hpp"
#include "kiosk/ui/window.hpp"

#include <atomic>
#include <filesystem>

namespace kiosk::ui {

struct FrameLoopOptions {
    // When set, each screen the user reaches is saved there as NN-screen.png once it has
    // settled, and the file's path is printed on stdout (demo tour and tests).
    std::filesystem::path screenshot_dir;
    // Benchmarks (bench/kiosk-vs-chromium.sh): print "kiosk-bench: first-frame" on stdout
    // once the first frame is on screen, so start-up can be timed from outside.
    bool report_first_frame = false;
    // Benchmarks: when > 0, draw this many frames back to back (no sleeping), print their
    // median and 99th-percentile frame times on stdout, and return.
    int bench_frames = 0;
    // Tests: one line per drawn frame (ui/frame_log.hpp), to prove no frame waits.
    std::filesystem::path frame_log;
    // Maintenance mode (give both or neither): its way in is watched for on every frame; while
    // open it is drawn instead of the walk-up screens (whose session is ended as it opens);
    // while out of service the attract screen is replaced by the "out of service" notice.
    app::Maintenance* maintenance = nullptr;
    MaintenanceScreens* maintenance_screens = nullptr;
};

// Runs until `quit` becomes true (set from another thread, followed by KioskWindow::wake())
// or, in windowed mode, the window is closed.
void run_frame_loop(KioskWindow& window, KioskScreens& screens, app::Session& session,
                    app::UiInbox& inbox, const std::atomic<bool>& quit,
                    const FrameLoopOptions& options);

// Draws each stop in the window until it has settled and saves it as DIR/<name>.png,
// printing each path. Returns how many could not be saved (0: all of them were).
int run_screenshot_tour(KioskWindow& window, KioskScreens& screens,
                        const std::vector<app::TourStop>& stops, const std::filesystem::path& dir);

} // namespace kiosk::ui
