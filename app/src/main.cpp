// kiosk: the walk-up program. Reads its settings, starts the fleet runtime (outbox, sync,
// connectivity, enrolment, heartbeats, signed config), wires the session to the window and
// the background worker, and runs the frame loop until told to stop.
#include "kiosk/app/kiosk_runtime.hpp"
#include "kiosk/app/maintenance.hpp"
#include "kiosk/app/session.hpp"
#include "kiosk/app/start_up_heap.hpp"
#include "kiosk/app/task_queue.hpp"
#include "kiosk/app/tour.hpp"
#include "kiosk/assets/catalog.hpp"
#include "kiosk/assets/fonts.hpp"
#include "kiosk/common/secret.hpp"
#include "kiosk/config/bootstrap.hpp"
#include "kiosk/net/central_client.hpp"
#include "kiosk/ui/frame_loop.hpp"
#include "kiosk/ui/screens.hpp"
#include "kiosk/ui/window.hpp"
#include "kiosk/version.hpp"

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <thread>

namespace {

// SIGINT/SIGTERM are blocked in every thread and taken here, so the frame loop can end
// cleanly (wiping secrets) instead of dying inside a draw call.
class StopSignals {
public:
    StopSignals() {
        sigemptyset(&set_);
        sigaddset(&set_, SIGINT);
        sigaddset(&set_, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    }
    void start_watching() {
        watcher_ = std::thread([this] {
            int signal = 0;
            sigwait(&set_, &signal);
            if (released_) {
                return; // our own SIGTERM at exit: the window (and GLFW) may be gone
            }
            quit_ = true;
            kiosk::ui::KioskWindow::wake();
        });
    }
    ~StopSignals() {
        if (watcher_.joinable()) {
            if (!quit_) {
                released_ = true;
                kill(getpid(), SIGTERM); // releases the watcher's sigwait
            }
            watcher_.join();
        }
    }
    const std::atomic<bool>& quit() const { return quit_; }

private:
    sigset_t set_{};
    std::atomic<bool> quit_ = false;
    std::atomic<bool> released_ = false;
    std::thread watcher_;
};

} // namespace

int main(int argc, char** argv) {
    const auto start_up_heap = kiosk::app::prepare_heap_for_start_up(); // before any thread
    spdlog::set_default_logger(spdlog::stderr_color_mt("kiosk"));
    if (!start_up_heap.huge_pages_advised) {
        spdlog::debug("start-up heap without huge pages: {}", start_up_heap.why_not);
    }
    const auto recent_logs = kiosk::app::keep_recent_logs(200); // maintenance's logs page
    CLI::App cli{"Self-service kiosk: walk-up users reset their own password."};
    cli.set_version_flag("--version", std::string("kiosk ") + kiosk::kVersion);
    std::string bootstrap_file;
    kiosk::config::Bootstrap settings;
    std::string ca_file;
    kiosk::ui::WindowOptions window_options;
    std::string screenshot_dir;
    std::string tour_dir;
    bool tour_large_text = false;
    std::string language;
    std::string state_dir;
    cli.add_option("--bootstrap", bootstrap_file, "Bootstrap JSON file (see docs/configuration.md)")
        ->check(CLI::ExistingFile);
    cli.add_option("--central", settings.central_url,
                   "Central URL (https://...), overrides the bootstrap file");
    cli.add_option("--ca", ca_file, "PEM file of the CA that signed the central's certificate");
    cli.add_option("--idle-timeout", settings.idle_timeout_seconds,
                   "Seconds without input before the session is wiped");
    cli.add_flag("--windowed", window_options.windowed,
                 "A normal window instead of fullscreen (development)");
    cli.add_option("--width", window_options.width, "Window width with --windowed");
    cli.add_option("--height", window_options.height, "Window height with --windowed");
    cli.add_option("--screenshot-dir", screenshot_dir,
                   "Save each screen reached as a PNG here and print its path");
    cli.add_option("--screenshot-tour", tour_dir,
                   "Draw every screen with demo data into DIR/<screen>.png and exit "
                   "(no central needed)");
    cli.add_flag("--large-text", tour_large_text,
                 "With --screenshot-tour: every walk-up screen in large text (layout checks)");
    cli.add_option("--lang", language,
                   "Language to start in (en, pl, ru, he), overrides the bootstrap file");
    cli.add_option("--state-dir", state_dir,
                   "Folder of the offline outbox, overrides the bootstrap file (with neither, "
                   "a reset the central misses is not saved for later)");
    kiosk::ui::FrameLoopOptions loop_options;
    cli.add_flag("--bench-first-frame", loop_options.report_first_frame,
                 "Print 'kiosk-bench: first-frame' when the first frame is shown (benchmarks)");
    cli.add_option("--bench-frames", loop_options.bench_frames,
                   "Draw N frames back to back, print their frame times and exit (benchmarks)")
        ->check(CLI::Range(1, 100000));
    cli.add_option("--frame-log", loop_options.frame_log,
                   "Write one line per drawn frame (start, work and gap in ms) to FILE (tests)");
    CLI11_PARSE(cli, argc, argv);
    const bool tour = !tour_dir.empty();

    if (!bootstrap_file.empty()) {
        auto loaded = kiosk::config::load_bootstrap(bootstrap_file);
        if (!loaded.bootstrap) {
            spdlog::error("{}", loaded.error);
            return 2;
        }
        const auto overrides = settings;
        settings = *loaded.bootstrap;
        if (!overrides.central_url.empty()) {
            settings.central_url = overrides.central_url;
        }
    }
    if (!ca_file.empty()) {
        settings.ca_file = ca_file;
    }
    if (!language.empty()) {
        settings.default_language = language;
    }
    if (!state_dir.empty()) {
        settings.state_dir = state_dir;
    }
    if (auto error = kiosk::config::validate(settings); !error.empty() && !tour) {
        spdlog::error("kiosk: {} (give --bootstrap FILE, or --central URL and --ca FILE)", error);
        return 2;
    }

    std::string error;
    const auto catalogs = kiosk::assets::Catalogs::load_shipped(error);
    if (!catalogs) {
        spdlog::error("kiosk: {}", error);
        return 2;
    }
    if (!catalogs->has(settings.default_language)) {
        spdlog::error("kiosk: no catalog for the language '{}' (there are en, pl, ru and he)",
                      settings.default_language);
        return 2;
    }

    // The fonts rasterise on a thread of their own while the rest starts, the OpenGL driver
    // above all (see build_fonts_async): about a fifth of a cold start on two cores.
    auto font_build = kiosk::ui::build_fonts_async(
        kiosk::assets::find_ui_fonts(),
        static_cast<float>(kiosk::ui::KioskWindow::expected_height(window_options)));
    if (tour) {
        auto window = kiosk::ui::KioskWindow::create(window_options, std::move(font_build), error);
        if (!window) {
            spdlog::error("kiosk: {}", error);
            return 1;
        }
        kiosk::ui::KioskScreens screens(*catalogs, window->fonts());
        auto stops = kiosk::app::screenshot_tour(settings.default_language);
        for (auto& stop : stops) {
            stop.view.large_text = stop.view.large_text || tour_large_text;
        }
        int failed = kiosk::ui::run_screenshot_tour(*window, screens, stops, tour_dir);
        kiosk::ui::MaintenanceScreens staff_screens(*catalogs, window->fonts());
        failed += kiosk::ui::run_maintenance_screenshot_tour(
            *window, staff_screens,
            kiosk::app::maintenance_screenshot_tour(settings.default_language), tour_dir);
        return failed == 0 ? 0 : 1;
    }

    StopSignals signals; // before any thread starts, so all of them inherit the mask
    kiosk::net::CurlGlobal curl;
    kiosk::net::ClientSettings client_settings;
    client_settings.ca_file = settings.ca_file;
    client_settings.total_timeout = std::chrono::seconds(settings.request_timeout_seconds);
    client_settings.user_agent = std::string("kiosk/") + kiosk::kVersion;
    // Without a bootstrap file or --state-dir there is no place for an outbox: online only.
    kiosk::app::RuntimeSettings runtime_settings{settings,
                                                 client_settings,
                                                 !(bootstrap_file.empty() && state_dir.empty()),
                                                 catalogs->languages(),
                                                 kiosk::kVersion,
                                                 {},
                                                 {}};
    kiosk::secure_wipe(settings.enrolment_code); // the runtime holds the one copy it needs
    auto runtime = kiosk::app::KioskRuntime::create(std::move(runtime_settings), error);
    if (!runtime) {
        spdlog::error("kiosk: {}", error);
        return 2;
    }
    // The runtime's settings: with the kiosk's client certificate when it is enrolled.
    kiosk::net::CentralClient central(settings.central_url, runtime->client_settings());

    auto window = kiosk::ui::KioskWindow::create(window_options, std::move(font_build), error);
    if (!window) {
        spdlog::error("kiosk: {}", error);
        return 1;
    }
    const auto& fonts = window->fonts();
    kiosk::app::UiInbox inbox;
    inbox.set_waker(&kiosk::ui::KioskWindow::wake);
    kiosk::app::BackgroundWorker worker;
    kiosk::app::Session session(central, worker, inbox, runtime->session_settings(),
                                runtime->offline());
    runtime->attach(session, inbox);
    runtime->start();
    kiosk::ui::KioskScreens screens(*catalogs, fonts);
    signals.start_watching();
    spdlog::info("kiosk {} ({}) talking to {}", kiosk::kVersion, settings.kiosk_id,
                 settings.central_url);
    loop_options.screenshot_dir = screenshot_dir;
    // Maintenance mode (docs/internals/maintenance.md): staff access and the config page come
    // from the applied configuration the runtime publishes; its outbox takes the audits.
    kiosk::app::MaintenanceHooks staff_hooks;
    staff_hooks.access = [&runtime] {
        const auto fleet = runtime->fleet_status();
        return fleet.applied ? fleet.applied->document.settings.maintenance
                             : kiosk::config::MaintenanceAccess{};
    };
    staff_hooks.connectivity = [&runtime] { return runtime->connectivity().snapshot(); };
    staff_hooks.config_status = [&runtime] {
        const auto fleet = runtime->fleet_status();
        if (!fleet.enabled) {
            return kiosk::app::ConfigReport{};
        }
        return kiosk::app::describe_config(fleet.applied, fleet.last_refusal, fleet.startup_problem,
                                           std::chrono::system_clock::now());
    };
    staff_hooks.pull_config = [&runtime] {
        runtime->pull_now();
        return kiosk::app::ActionResult{true, "asked the central for a newer configuration"};
    };
    // Both run on maintenance's worker thread and wait for the fleet thread, which owns the
    // applier and the agent.
    staff_hooks.revert_config = [&runtime] {
        const auto outcome = runtime->revert_config();
        return kiosk::app::ActionResult{outcome.applied(),
                                        outcome.applied() ? "reverted to the previous configuration"
                                                          : outcome.message};
    };
    staff_hooks.enrol = [&runtime](const kiosk::SecretString& code) {
        const std::string problem = runtime->enrol(code);
        return kiosk::app::ActionResult{problem.empty(),
                                        problem.empty() ? "enrolled with the central" : problem};
    };
    staff_hooks.recent_logs = recent_logs;
    staff_hooks.verify_user = [&runtime](const kiosk::app::StaffVerifyRequest& request) {
        return runtime->verify_user(request); // waits for the fleet thread, like enrol
    };
    staff_hooks.timeout = [&runtime]() -> std::optional<std::chrono::seconds> {
        const auto fleet = runtime->fleet_status();
        if (!fleet.applied) {
            return std::nullopt;
        }
        return std::chrono::seconds(
            fleet.applied->document.settings.idle.maintenance_timeout_seconds);
    };
    kiosk::app::MaintenanceSettings staff_settings;
    staff_settings.kiosk_id = settings.kiosk_id;
    staff_settings.version = kiosk::kVersion;
    staff_settings.state_dir = settings.state_dir;
    staff_settings.language = settings.default_language;
    staff_settings.central_url = settings.central_url;
    if (const auto fleet = runtime->fleet_status(); fleet.applied) {
        staff_settings.timeout =
            std::chrono::seconds(fleet.applied->document.settings.idle.maintenance_timeout_seconds);
    }
    kiosk::app::Maintenance staff(worker, inbox, staff_settings, std::move(staff_hooks),
                                  runtime->offline(), kiosk::app::Clock::now());
    kiosk::ui::MaintenanceScreens staff_screens(*catalogs, fonts);
    loop_options.maintenance = &staff;
    loop_options.maintenance_screens = &staff_screens;
    kiosk::ui::run_frame_loop(*window, screens, session, inbox, signals.quit(), loop_options);
    screens.wipe_inputs();
    staff_screens.wipe_inputs();
    // Records submitted at the last moment (a ticket, feedback) go to the outbox while it
    // and the sync worker still run; requests nobody waits for are dropped.
    worker.stop(kiosk::app::BackgroundWorker::kStopLimit);
    runtime->stop(); // before the session and inbox it posts to go away
    return 0;
}
