// The bootstrap file a kiosk starts from: the central's URL, the CA it trusts, its
// identity and local defaults. Documented field by field in docs/configuration.md.
#pragma once

#include "kiosk/config/applier.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace kiosk::config {

struct Bootstrap {
    std::string central_url;       // required; must be https://
    std::filesystem::path ca_file; // required; PEM bundle the central's chain must verify against
    std::string kiosk_id = "kiosk-dev";       // shown in maintenance mode and sent to the central
    std::string default_language = "en";      // language the attract screen returns to
    int idle_timeout_seconds = 90;            // no touch for this long wipes the session
    int request_timeout_seconds = 15;         // whole request, connect included
    std::vector<std::string> kiosk_groups{};  // groups a "group" config target may name
    std::filesystem::path config_trust_dir{}; // folder of admin ID.pub.pem keys; "" = no
                                              // signed configuration is accepted
    int config_signature_threshold = 1;       // distinct admin signatures a config needs
    std::filesystem::path config_state_dir{}; // where applied configs are kept; required
                                              // with config_trust_dir
    // The kiosk's own durable state (the offline outbox, the cached sealing key).
    std::filesystem::path state_dir = "/var/lib/kiosk";
    std::filesystem::path outbox_file{}; // "" = state_dir / "outbox.db"
    // Enrolment code from `kioskctl enrol create`, redeemed once when the kiosk holds no
    // credential (in config_state_dir); "" = enrol from maintenance mode instead. A secret:
    // never logged, wiped by the kiosk once used.
    std::string enrolment_code{};
};

struct BootstrapResult {
    std::optional<Bootstrap> bootstrap;
    std::string error; // what is wrong, for the operator; empty on success
};

// Reads and validates a bootstrap JSON file. Relative ca_file paths are taken relative
// to the file's folder. Unknown fields are refused (they are usually typos).
BootstrapResult load_bootstrap(const std::filesystem::path& file);

// Where the offline outbox lives: outbox_file, or state_dir/outbox.db when that is empty.
std::filesystem::path outbox_path(const Bootstrap& bootstrap);

// Validates a bootstrap assembled in code (from command-line flags, say).
std::string validate(const Bootstrap& bootstrap);

// The ConfigApplier's settings for this kiosk: loads the trust anchors and checks the
// threshold against them. Nullopt with `error` empty when signed configuration is off
// (no config_trust_dir); nullopt with `error` set when it is on but unusable.
std::optional<ApplierSettings> applier_settings(const Bootstrap& bootstrap, std::string& error);

} // namespace kiosk::config
