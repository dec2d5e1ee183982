// kioskctl: the central admins' command line. Wires commands to their functions; the
// commands themselves live in config_commands.cpp (keys, config sign/verify),
// fleet_commands.cpp (enrol, config push, fleet) and below (health).
// Exit codes: 0 success; 1 refused or invalid (a bundle that does not verify, a document
// failing the schema, a central that says no or cannot be reached); 2 usage; 3 file I/O.
#include "config_commands.hpp"
#include "fleet_commands.hpp"
#include "kiosk/net/central_client.hpp"
#include "kiosk/version.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

namespace {

int health(const std::string& central_url, const std::string& ca_file, bool json) {
    if (central_url.empty() || ca_file.empty()) {
        std::cerr << "kioskctl: health needs --central URL and --ca FILE\n";
        return kiosk::ctl::kUsage;
    }
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
        return kiosk::ctl::kOk;
    }
    const auto& failure = std::get<kiosk::net::ApiFailure>(result);
    std::cerr << "kioskctl: " << central_url << " did not answer: " << failure.detail << "\n";
    return kiosk::ctl::kRefused;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App cli{"kioskctl: administer self-service kiosks and their central.\n"
                 "Exit codes: 0 ok, 1 refused or invalid, 2 usage, 3 file I/O."};
    cli.set_version_flag("--version", std::string("kioskctl ") + kiosk::kVersion);
    cli.require_subcommand(1);
    std::string central_url;
    std::string ca_file;
    bool json = false;
    cli.add_option("--central", central_url, "Central URL (https://...), for health");
    cli.add_option("--ca", ca_file, "PEM file of the CA that signed the central's certificate")
        ->check(CLI::ExistingFile);
    cli.add_flag("--json", json, "Machine-readable output: one JSON object on stdout");

    auto* health_cmd = cli.add_subcommand("health", "Check that the central answers");
    health_cmd->add_flag("--json", json, "Machine-readable output");

    auto* keys_cmd = cli.add_subcommand("keys", "Admin signing keys");
    keys_cmd->require_subcommand(1);
    kiosk::ctl::KeysGenerateOptions generate;
    auto* generate_cmd = keys_cmd->add_subcommand(
        "generate", "Make an Ed25519 key pair: DIR/ID.key.pem (0600) and DIR/ID.pub.pem");
    generate_cmd->add_option("--out", generate.out_dir, "Folder for the two files (created)")
        ->required();
    generate_cmd->add_option("--name", generate.name, "Key ID: 1-64 of A-Z a-z 0-9 - _ .")
        ->required();
    generate_cmd->add_flag("--json", generate.json, "Machine-readable output");

    auto* config_cmd = cli.add_subcommand("config", "Signed configuration bundles");
    config_cmd->require_subcommand(1);
    kiosk::ctl::SignOptions sign;
    auto* sign_cmd = config_cmd->add_subcommand(
        "sign", "Sign a payload into a bundle, or add a signature to a bundle (for thresholds)");
    sign_cmd->add_option("--key", sign.key, "Private key PEM (from keys generate)")->required();
    sign_cmd->add_option("--key-id", sign.key_id,
                         "Key ID kiosks know this key by (default: ID from ID.key.pem)");
    sign_cmd->add_option("--in", sign.in, "Payload JSON, or an existing bundle")->required();
    sign_cmd->add_option("--out", sign.out, "Bundle to write (may be the same as --in)")
        ->required();
    sign_cmd->add_flag("--json", sign.json, "Machine-readable output");

    kiosk::ctl::VerifyOptions verify;
    auto* verify_cmd = config_cmd->add_subcommand(
        "verify", "Check a bundle's signatures, schema and expiry as a kiosk would");
    verify_cmd->add_option("--bundle", verify.bundle, "Bundle JSON")->required();
    verify_cmd
        ->add_option("--trust", verify.trust,
                     "Trusted public keys: folders of ID.pub.pem files, or single files")
        ->required();
    verify_cmd->add_option("--threshold", verify.threshold,
                           "Distinct trusted signers needed (default 1)");
    verify_cmd->add_flag("--json", verify.json, "Machine-readable output");

    // Commands that act on the central as an admin: each takes the central's address, its
    // CA and the admin's token file (from `kiosk-central admin add`).
    kiosk::ctl::CentralOptions central;
    const auto central_options = [&](CLI::App* cmd) {
        cmd->add_option("--central", central.central_url, "Central URL (https://...)");
        cmd->add_option("--ca", central.ca_file, "PEM of the CA that signed the central")
            ->check(CLI::ExistingFile);
        cmd->add_option("--admin-token-file", central.admin_token_file,
                        "File holding the admin's bearer token (first line)");
        cmd->add_flag("--json", central.json, "Machine-readable output");
    };
    kiosk::ctl::PushOptions push;
    auto* push_cmd = config_cmd->add_subcommand(
        "push", "Upload a signed bundle to the central, which delivers it to the kiosks its "
                "payload targets (kiosk, group or all); role admin");
    push_cmd->add_option("--bundle", push.bundle, "Bundle JSON (from config sign)")->required();
    central_options(push_cmd);

    auto* enrol_cmd = cli.add_subcommand("enrol", "Kiosk enrolment");
    enrol_cmd->require_subcommand(1);
    kiosk::ctl::EnrolCreateOptions enrol;
    bool no_qr = false;
    auto* enrol_create_cmd = enrol_cmd->add_subcommand(
        "create", "Make a one-time enrolment code (24 h) for a kiosk; role admin");
    enrol_create_cmd->add_option("--kiosk", enrol.kiosk_id, "Kiosk ID")->required();
    enrol_create_cmd->add_option("--group", enrol.groups, "A group of the kiosk (repeatable)");
    enrol_create_cmd->add_flag("--no-qr", no_qr, "Do not draw the code as a QR code");
    central_options(enrol_create_cmd);

    auto* activation_cmd = cli.add_subcommand("activation", "Account activation codes");
    activation_cmd->require_subcommand(1);
    kiosk::ctl::ActivationCreateOptions activation;
    bool activation_no_qr = false;
    auto* activation_create_cmd = activation_cmd->add_subcommand(
        "create", "Make a one-time activation code for an account without an authenticator "
                  "app (it replaces any older code); roles admin, helpdesk");
    activation_create_cmd
        ->add_option("--account", activation.account,
                     "The account: username, e-mail address or employee ID")
        ->required();
    activation_create_cmd
        ->add_option("--days", activation.expires_in_days, "Days the code works (1-90)")
        ->capture_default_str()
        ->check(CLI::Range(1, 90));
    activation_create_cmd->add_flag("--no-qr", activation_no_qr,
                                    "Do not draw the code as a QR code");
    central_options(activation_create_cmd);

    auto* kiosk_cmd = cli.add_subcommand("kiosk", "One kiosk's client certificate");
    kiosk_cmd->require_subcommand(1);
    std::string revoke_id;
    auto* kiosk_revoke_cmd = kiosk_cmd->add_subcommand(
        "revoke", "Revoke a kiosk's client certificates: its next request is refused (403) "
                  "until it enrols again with a new code; role admin");
    kiosk_revoke_cmd->add_option("--kiosk", revoke_id, "Kiosk ID")->required();
    central_options(kiosk_revoke_cmd);

    auto* fleet_cmd = cli.add_subcommand(
        "fleet", "Every enrolled kiosk: last seen, online, version, config, queue; any role");
    central_options(fleet_cmd);

    kiosk::ctl::ReportOptions report;
    auto* reports_cmd = cli.add_subcommand(
        "reports", "Support figures: CSAT, first-contact resolution, adoption, deflection, time "
                   "to resolution, abandoned flows; roles admin, helpdesk, auditor");
    reports_cmd->add_option("--from", report.from, "Start (RFC 3339; default 30 days ago)");
    reports_cmd->add_option("--to", report.to, "End, exclusive (RFC 3339; default now)");
    central_options(reports_cmd);

    kiosk::ctl::AuditOptions audit;
    auto* audit_cmd = cli.add_subcommand(
        "audit", "The central's audit log, newest first, or --verify its hash chain; roles "
                 "admin, auditor");
    audit_cmd->add_option("--since", audit.since, "Entries recorded at or after (RFC 3339)");
    audit_cmd->add_option("--until", audit.until, "Entries recorded before (RFC 3339)");
    audit_cmd->add_option("--action", audit.action, "Only this action (e.g. password_reset)");
    audit_cmd->add_option("--limit", audit.limit, "At most this many entries")
        ->capture_default_str()
        ->check(CLI::Range(1, 1000));
    audit_cmd->add_flag("--verify", audit.verify,
                        "Check the hash chain instead; exit 1 when it is broken");
    central_options(audit_cmd);

    bool demo_json = false;
    auto* demo_users_cmd = cli.add_subcommand(
        "demo-users", "The demo accounts of kiosk-central serve --demo, with their passwords");
    demo_users_cmd->add_flag("--json", demo_json, "Machine-readable output");

    kiosk::ctl::PinHashOptions pin;
    auto* pin_cmd = cli.add_subcommand("pin", "Staff PINs for maintenance mode");
    pin_cmd->require_subcommand(1);
    auto* pin_hash_cmd = pin_cmd->add_subcommand(
        "hash", "Read a PIN (4-12 digits) from stdin; print its Argon2id hash for "
                "settings.maintenance.staff_pin_hash");
    pin_hash_cmd->add_flag("--json", pin.json, "Machine-readable output");

    try {
        cli.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version end parsing with "success"; every other stop is usage.
        const int code = cli.exit(e);
        return code == 0 ? kiosk::ctl::kOk : kiosk::ctl::kUsage;
    }
    // Commands report every expected failure themselves; what reaches here is the
    // unexpected (no entropy for a key, memory), and still ends with a message, not abort().
    try {
        if (health_cmd->parsed()) {
            return health(central_url, ca_file, json);
        }
        if (generate_cmd->parsed()) {
            generate.json = generate.json || json;
            return kiosk::ctl::keys_generate(generate);
        }
        if (sign_cmd->parsed()) {
            sign.json = sign.json || json;
            return kiosk::ctl::config_sign(sign);
        }
        if (verify_cmd->parsed()) {
            verify.json = verify.json || json;
            return kiosk::ctl::config_verify(verify);
        }
        if (demo_users_cmd->parsed()) {
            return kiosk::ctl::demo_users(demo_json || json);
        }
        if (push_cmd->parsed() || enrol_create_cmd->parsed() || fleet_cmd->parsed() ||
            reports_cmd->parsed() || audit_cmd->parsed() || kiosk_revoke_cmd->parsed() ||
            activation_create_cmd->parsed()) {
            central.json = central.json || json;
            central.central_url = central.central_url.empty() ? central_url : central.central_url;
            if (central.ca_file.empty()) {
                central.ca_file = ca_file;
            }
            if (push_cmd->parsed()) {
                return kiosk::ctl::config_push(central, push);
            }
            if (enrol_create_cmd->parsed()) {
                enrol.qr = !no_qr;
                return kiosk::ctl::enrol_create(central, enrol);
            }
            if (kiosk_revoke_cmd->parsed()) {
                return kiosk::ctl::kiosk_revoke(central, revoke_id);
            }
            if (activation_create_cmd->parsed()) {
                activation.qr = !activation_no_qr;
                return kiosk::ctl::activation_create(central, activation);
            }
            if (reports_cmd->parsed()) {
                return kiosk::ctl::reports(central, report);
            }
            if (audit_cmd->parsed()) {
                return kiosk::ctl::audit(central, audit);
            }
            return kiosk::ctl::fleet_list(central);
        }
        if (pin_hash_cmd->parsed()) {
            pin.json = pin.json || json;
            return kiosk::ctl::pin_hash(pin);
        }
    } catch (const std::exception& e) {
        std::cerr << "kioskctl: " << e.what() << "\n";
        return kiosk::ctl::kRefused;
    }
    return kiosk::ctl::kUsage;
}
