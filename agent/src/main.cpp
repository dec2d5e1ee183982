// kiosk-agent: the fleet agent as a headless program. Enrols once with --enrol-code (or
// the code on stdin with --enrol-code -), then every --interval seconds pulls config,
// offers it to the ConfigApplier and sends a heartbeat, until SIGINT/SIGTERM.
// Exit codes: 0 stopped cleanly; 1 enrolment refused or not enrolled; 2 usage or settings.
#include "kiosk/agent/fleet_agent.hpp"
#include "kiosk/common/secret.hpp"
#include "kiosk/net/http_client.hpp"
#include "kiosk/version.hpp"

#include <CLI/CLI.hpp>
#include <chrono>
#include <csignal>
#include <iostream>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

int main(int argc, char** argv) {
    spdlog::set_default_logger(spdlog::stderr_color_mt("agent"));
    CLI::App cli{"kiosk-agent: a kiosk's enrolment, heartbeats and signed configuration, "
                 "without the GUI."};
    cli.set_version_flag("--version", std::string("kiosk-agent ") + kiosk::kVersion);
    kiosk::agent::AgentSettings settings;
    settings.software_version = kiosk::kVersion;
    std::string enrol_code;
    int interval = 60;
    bool once = false;
    cli.add_option("--central", settings.central_url, "Central URL (https://...)")->required();
    cli.add_option("--ca", settings.ca_file, "PEM of the CA that signed the central")
        ->required()
        ->check(CLI::ExistingFile);
    cli.add_option("--kiosk-id", settings.kiosk_id, "This kiosk's ID")->required();
    cli.add_option("--state-dir", settings.state_dir,
                   "Folder (0700) for the key (0600), the client certificate and the applied configuration")
        ->required();
    cli.add_option("--trust", settings.trust, "Admin public keys: folders of ID.pub.pem, or files")
        ->required();
    cli.add_option("--threshold", settings.threshold, "Distinct trusted signers needed")
        ->capture_default_str()
        ->check(CLI::Range(1, 16));
    cli.add_option("--enrol-code", enrol_code,
                   "Enrolment code from `kioskctl enrol create` ('-': read a line from stdin); "
                   "used only when not yet enrolled");
    cli.add_option("--interval", interval, "Seconds between heartbeats")
        ->capture_default_str()
        ->check(CLI::Range(1, 3600));
    cli.add_flag("--once", once, "One pull and heartbeat, then exit");
    try {
        cli.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = cli.exit(e);
        return code == 0 ? 0 : 2;
    }
    if (enrol_code == "-") {
        std::getline(std::cin, enrol_code);
    }

    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    kiosk::net::CurlGlobal curl;
    std::string error;
    auto agent = kiosk::agent::FleetAgent::create(settings, error);
    if (!agent) {
        kiosk::secure_wipe(enrol_code);
        spdlog::error("{}", error);
        return 2;
    }
    if (!agent->enrolled()) {
        if (enrol_code.empty()) {
            spdlog::error("not enrolled: pass --enrol-code");
            return 1;
        }
        error = agent->enrol(std::move(enrol_code));
        kiosk::secure_wipe(enrol_code);
        if (!error.empty()) {
            spdlog::error("{}", error);
            return 1;
        }
        spdlog::info("enrolled as {}", settings.kiosk_id);
    }
    kiosk::secure_wipe(enrol_code);

    const timespec wait{interval, 0};
    while (true) {
        const auto report = agent->tick(kiosk::config::Clock::now());
        if (report.outcome) {
            if (report.outcome->applied()) {
                spdlog::info("applied config version {}", agent->applier()->applied_version());
            } else {
                spdlog::warn(
                    "refused config version {}: {} ({})", report.offered_version.value_or(0),
                    kiosk::config::to_string(*report.outcome->refused), report.outcome->message);
            }
        }
        if (!report.problem.empty()) {
            spdlog::warn("{}", report.problem);
        }
        if (once) {
            return report.heartbeat_sent ? 0 : 1;
        }
        if (sigtimedwait(&stop_signals, nullptr, &wait) > 0) {
            spdlog::info("stopping");
            return 0;
        }
    }
}
