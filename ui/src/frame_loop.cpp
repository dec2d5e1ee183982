// Frame pacing. Dear ImGui needs a couple of frames after an input to settle hover and
// focus, so every wake-up draws kFramesPerWake frames; with nothing happening the loop
// blocks in the window system and uses no CPU.
#include "kiosk/ui/frame_loop.hpp"

#include "kiosk/ui/frame_log.hpp"
#include "kiosk/ui/screenshot.hpp"

#include <algorithm>
#include <cstdio>
#include <fmt/format.h>
#include <imgui.h>
#include <optional>
#include <spdlog/spdlog.h>
#include <vector>

namespace kiosk::ui {
namespace {

constexpr int kFramesPerWake = 3;
constexpr auto kBusyFrameInterval = std::chrono::milliseconds(33); // spinner at ~30 fps

std::string_view screen_name(app::Screen screen) {
    switch (screen) {
    case app::Screen::Attract:
        return "attract";
    case app::Screen::Home:
        return "home";
    case app::Screen::AccountStatus:
        return "account-status";
    case app::Screen::Help:
        return "help";
    case app::Screen::Ticket:
        return "ticket";
    case app::Screen::Feedback:
        return "feedback";
    case app::Screen::Identify:
        return "identify";
    case app::Screen::ChooseMethod:
        return "choose-method";
    case app::Screen::EnterCode:
        return "enter-code";
    case app::Screen::NewPassword:
        return "new-password";
    case app::Screen::Done:
        return "done";
    case app::Screen::Problem:
        return "problem";
    case app::Screen::OfflineOffer:
        return "offline-offer";
    case app::Screen::OfflinePassword:
        return "offline-password";
    case app::Screen::ActivateAccount:
        return "activate-account";
    case app::Screen::EnrolAuthenticator:
        return "enrol-authenticator";
    case app::Screen::ConfirmAuthenticator:
        return "confirm-authenticator";
    case app::Screen::ContactDetails:
        return "contact-details";
    }
    return "screen";
}

// Saves each distinct screen once it has been drawn for a few frames with its layout
// settled: a page still fitting itself (shrinking its text, the keyboard sliding away)
// shows a scroll bar a person never sees.
class ScreenshotRecorder {
public:
    explicit ScreenshotRecorder(std::filesystem::path dir) : dir_(std::move(dir)) {}

    void after_render(const app::ViewModel& view, bool layout_settling, int width, int height) {
        if (dir_.empty()) {
            return;
        }
        const auto state = std::make_tuple(view.screen, view.notice, view.problem, view.busy,
                                           view.idle_seconds_left > 0);
        if (state != last_state_) {
            last_state_ = state;
            frames_settled_ = 0;
            saved_ = false;
        }
        if (layout_settling) {
            frames_settled_ = 0;
        }
        if (saved_ || view.busy || ++frames_settled_ < kFramesPerWake) {
            return;
        }
        saved_ = true;
        std::string name = fmt::format("{:02}-{}", ++count_, screen_name(view.screen));
        if (view.notice != app::Notice::None) {
            name += "-notice";
        }
        if (view.idle_seconds_left > 0) {
            name += "-idle";
        }
        const auto path = dir_ / (name + ".png");
        if (const auto error = save_framebuffer_png(path, width, height); !error.empty()) {
            spdlog::error("screenshot: {}", error);
            return;
        }
        std::printf("screenshot: %s\n", path.c_str());
        std::fflush(stdout);
    }

    [[nodiscard]] bool waiting() const { return !dir_.empty() && !saved_; }

private:
    std::filesystem::path dir_;
    std::tuple<app::Screen, app::Notice, app::Problem, bool, bool> last_state_{
        app::Screen::Problem, app::Notice::None, app::Problem::None, true, false};
    int frames_settled_ = 0;
    int count_ = 0;
    bool saved_ = false;
};

// What the benchmarks read from outside: the moment the first frame is shown, and the
// time between frames when every frame is drawn.
class FrameTimer {
public:
    explicit FrameTimer(const FrameLoopOptions& options)
        : report_first_frame_(options.report_first_frame),
          frames_wanted_(static_cast<std::size_t>(std::max(options.bench_frames, 0))) {
        intervals_ms_.reserve(frames_wanted_);
    }

    [[nodiscard]] bool benchmarking() const { return frames_wanted_ > 0; }

    // Call right after each present; true when the frame benchmark is complete.
    bool after_present() {
        const auto now = std::chrono::steady_clock::now();
        if (report_first_frame_) {
            report_first_frame_ = false;
            std::printf("kiosk-bench: first-frame\n");
            std::fflush(stdout);
        }
        if (frames_wanted_ == 0) {
            return false;
        }
        if (last_present_) {
            intervals_ms_.push_back(
                std::chrono::duration<double, std::milli>(now - *last_present_).count());
        }
        last_present_ = now;
        if (intervals_ms_.size() < frames_wanted_) {
            return false;
        }
        std::sort(intervals_ms_.begin(), intervals_ms_.end());
        const auto at = [this](double q) {
            return intervals_ms_[static_cast<std::size_t>(
                q * static_cast<double>(intervals_ms_.size() - 1))];
        };
        std::printf("kiosk-bench: frames %zu, median %.2f ms, p99 %.2f ms, max %.2f ms\n",
                    intervals_ms_.size(), at(0.5), at(0.99), intervals_ms_.back());
        std::fflush(stdout);
        return true;
    }

private:
    bool report_first_frame_;
    std::size_t frames_wanted_;
    std::vector<double> intervals_ms_;
    std::optional<std::chrono::steady_clock::time_point> last_present_;
};

} // namespace

void run_frame_loop(KioskWindow& window, KioskScreens& screens, app::Session& session,
                    app::UiInbox& inbox, const std::atomic<bool>& quit,
                    const FrameLoopOptions& options) {
    ScreenshotRecorder recorder(options.screenshot_dir);
    FrameTimer timer(options);
    FrameLog frame_log(options.frame_log);
    int frames_left = kFramesPerWake;
    std::uint64_t drawn_revision = session.view().revision;
    app::Maintenance* staff = options.maintenance_screens ? options.maintenance : nullptr;
    std::uint64_t drawn_staff_revision = staff ? staff->view().revision : 0;
    while (!quit.load() && !window.close_requested()) {
        auto now = app::Clock::now();
        if (inbox.drain() > 0) {
            frames_left = kFramesPerWake;
        }
        if (auto handoff = staff ? staff->take_handoff() : std::nullopt) {
            // Staff verified this person in person: their session starts verified.
            options.maintenance_screens->wipe_inputs();
            session.handle(app::intent::StartVerified{std::move(handoff->token),
                                                      std::move(handoff->username),
                                                      std::move(handoff->display_name)},
                           now);
        }
        session.tick(now);
        if (session.view().revision != drawn_revision) {
            drawn_revision = session.view().revision;
            frames_left = kFramesPerWake;
        }
        const bool staff_busy = staff && (staff->view().busy || staff->view().verifying);
        if (staff) {
            staff->tick(now);
            if (staff->view().revision != drawn_staff_revision) {
                drawn_staff_revision = staff->view().revision;
                frames_left = kFramesPerWake;
            }
        }
        if (frames_left > 0 || session.view().busy || staff_busy || recorder.waiting() ||
            window.has_pending_input() || screens.settling() || timer.benchmarking()) {
            window.begin_frame();
            std::vector<app::Intent> intents;
            std::vector<app::MaintenanceIntent> staff_intents;
            if (staff) {
                staff_intents = options.maintenance_screens->watch_for_entry();
            }
            if (staff && staff->open()) {
                auto drawn = options.maintenance_screens->draw(staff->view());
                staff_intents.insert(staff_intents.end(), std::make_move_iterator(drawn.begin()),
                                     std::make_move_iterator(drawn.end()));
            } else if (staff && staff->out_of_service() &&
                       session.view().screen == app::Screen::Attract) {
                options.maintenance_screens->draw_out_of_service(session.view().language);
            } else {
                intents = screens.draw(session.view());
            }
            window.render();
            const bool shot_due = recorder.waiting();
            recorder.after_render(session.view(), screens.settling(), window.framebuffer_width(),
                                  window.framebuffer_height());
            const bool shot_taken = shot_due && !recorder.waiting();
            window.present();
            if (timer.after_present()) {
                return;
            }
            for (auto& intent : intents) {
                session.handle(std::move(intent), now);
            }
            if (staff) {
                const bool was_open = staff->open();
                for (auto& intent : staff_intents) {
                    staff->handle(std::move(intent), now);
                }
                if (!was_open && staff->open()) {
                    // Whoever was mid-session is gone from the screen: wipe what they typed.
                    session.handle(app::intent::Finish{}, now);
                    screens.wipe_inputs();
                }
            }
            frame_log.frame_done(now, session.view().busy, shot_taken);
            if (frames_left > 0) {
                --frames_left;
            }
            // Pump events between frames; any that arrive need frames of their own.
            const bool input =
                session.view().busy || staff_busy ? window.wait(kBusyFrameInterval) : window.poll();
            if (input) {
                frames_left = kFramesPerWake;
            }
            continue;
        }
        // Nothing to draw: sleep until input, a worker's answer, or the session's next timer.
        auto deadline = session.next_deadline();
        if (staff) {
            deadline = std::min(deadline, staff->next_deadline());
        }
        if (deadline == app::Clock::time_point::max()) {
            window.wait(std::nullopt);
        } else {
            const auto until =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - app::Clock::now());
            window.wait(std::max(until, std::chrono::milliseconds(1)));
        }
        frames_left = kFramesPerWake;
    }
}

int run_screenshot_tour(KioskWindow& window, KioskScreens& screens,
                        const std::vector<app::TourStop>& stops, const std::filesystem::path& dir) {
    int failed = 0;
    for (const auto& stop : stops) {
        // A screen needs a few frames: focus moves to its first field, the idle card
        // and a page too tall for the screen measure themselves, and hover settles.
        constexpr int kMostFrames = 10;
        for (int frame = 0;; ++frame) {
            window.poll();
            if (frame == kFramesPerWake && !stop.typed.empty()) {
                // The first field has the caret by now.
                ImGui::GetIO().AddInputCharactersUTF8(stop.typed.c_str());
            }
            window.begin_frame();
            screens.draw(stop.view); // intents are dropped: there is no session to act
            window.render();
            const int typing = stop.typed.empty() ? 0 : kFramesPerWake;
            const bool settled = frame >= kMostFrames + typing ||
                                 (frame >= kFramesPerWake + typing && !screens.settling());
            if (settled) {
                const auto path = dir / (stop.name + ".png");
                if (const auto error = save_framebuffer_png(path, window.framebuffer_width(),
                                                            window.framebuffer_height());
                    !error.empty()) {
                    spdlog::error("screenshot: {}", error);
                    ++failed;
                } else {
                    std::printf("screenshot: %s\n", path.c_str());
                    std::fflush(stdout);
                }
            }
            window.present();
            if (settled) {
                break;
            }
        }
    }
    screens.wipe_inputs();
    return failed;
}

} // namespace kiosk::ui
