// kioskctl: the central admins' command line. Exit codes: 0 success, 1 the central said
// no or could not be reached, 2 usage or local error.
#include "kiosk/net/central_client.hpp"
#include "kiosk/version.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

namespace {

int health(const std::string& central_url, const std::string& ca_file, bool json) {
    kiosk::net::CurlGlobal curl;
    kiosk::net::ClientSettings settings;
    settings.ca_file = ca_file;
    kiosk::net::CentralClient central(central_url, settings);
    auto result = central.health();
    if (const auto* ok = std::get_if<kiosk::api::HealthResponse>(&result)) {
        if (json) {
            std::cout << kiosk::api::serialize(*ok) << "\n";
        } else {
            std::cout << central_url << ": " << ok->status << " (kiosk-central " << ok->version
                      << ")\n";
        }
        return 0;
    }
    const auto& failure = std::get<kiosk::net::ApiFailure>(result);
    std::cerr << "kioskctl: " << central_url << " did not answer: " << failure.detail << "\n";
    return 1;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App cli{"kioskctl: administer self-service kiosks and their central."};
    cli.set_version_flag("--version", std::string("kioskctl ") + kiosk::kVersion);
    cli.require_subcommand(1);
    std::string central_url;
    std::string ca_file;
    bool json = false;
    cli.add_option("--central", central_url, "Central URL (https://...)")->required();
    cli.add_option("--ca", ca_file, "PEM file of the CA that signed the central's certificate")
        ->required()
        ->check(CLI::ExistingFile);
    cli.add_flag("--json", json, "Machine-readable output");
    auto* health_cmd = cli.add_subcommand("health", "Check that the central answers");
    CLI11_PARSE(cli, argc, argv);
    if (health_cmd->parsed()) {
        return health(central_url, ca_file, json);
    }
    return 2;
}
