// kiosk-central: the reference central server. `serve` runs the HTTPS API; `check-password`
// lets an operator (or a test) ask whether a password is an account's current one.
#include "kiosk/central/client_ca.hpp"
#include "kiosk/central/fleet.hpp"
#include "kiosk/central/http_server.hpp"
#include "kiosk/central/metrics.hpp"
#include "kiosk/central/notifier.hpp"
#include "kiosk/central/offline_confirmations.hpp"
#include "kiosk/central/password_hash.hpp"
#include "kiosk/central/records.hpp"
#include "kiosk/central/service.hpp"
#include "kiosk/common/random.hpp"
#include "kiosk/common/sealed_box.hpp"
#include "kiosk/common/secret.hpp"
#include "kiosk/common/tls_certificates.hpp"
#include "kiosk/version.hpp"

#include <CLI/CLI.hpp>
#include <csignal>
#include <fstream>
#include <iostream>
#include <iterator>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <thread>

namespace {

// The database a subcommand opens: --database, else DATA_DIR/central.db (SQLite).
std::string database_url(const std::string& option, const std::filesystem::path& data_dir) {
    return option.empty() ? "sqlite:" + (data_dir / "central.db").string() : option;
}

struct ServeOptions {
    std::filesystem::path data_dir;
    std::string database; // empty: sqlite:DATA_DIR/central.db
    int database_readers = 4;
    std::string listen = "127.0.0.1:8443";
    bool demo = false;
    kiosk::central::ServiceSettings service;
    int min_password_length = 15;
    std::filesystem::path common_passwords = kiosk::central::PasswordPolicy::default_common_list();
    std::filesystem::path ready_file;
    int idempotency_retention_days = 30;
    std::int64_t online_seconds = 180;
    std::int64_t enrolment_ttl_seconds = 86400;
    // Offline requests: how long one waits for its owner's confirmation, and the base URL
    // of the link sent (empty: https://<listen host>:<bound port>).
    int confirmation_ttl_seconds = 86400;
    std::string public_url;
    std::filesystem::path metrics_token_file; // GET /metrics: Bearer token from this file
    std::filesystem::path breached_passwords; // SHA1HEX:COUNT lines, sorted
    std::string organisation;                 // its words may not be in passwords
    // The domain of made-up e-mail hints (verification options of unknown names); empty:
    // the domain most accounts have.
    std::string email_domain;
    // How codes and notices reach users (docs/configuration.md, "Notifications").
    kiosk::central::NotifierSettings notify;
    // Passwords that count as recent, the current one included (0: off).
    int password_history = 5;
    std::string kiosk_rate_limit = "120/10"; // walk-up requests per kiosk / minutes
    int retry_first_ms = 2000;
    int retry_longest_ms = 300000;
    int lease_ms = 0;
};

// Demo mode's admin: DATA_DIR/admin-token (0600) holds its bearer token so that the demo
// script and tests can call /v1/admin/*. Made once; a restart keeps the same token.
void ensure_demo_admin(kiosk::central::FleetStore& fleet, const std::filesystem::path& file) {
    if (std::filesystem::exists(file)) {
        return;
    }
    std::string token = fleet.add_admin("demo-admin", kiosk::central::AdminRole::admin);
    const auto temp = file.string() + ".tmp";
    {
        std::ofstream out(temp);
        std::filesystem::permissions(temp, std::filesystem::perms::owner_read |
                                               std::filesystem::perms::owner_write);
        out << token << "\n";
    }
    kiosk::secure_wipe(token);
    std::filesystem::rename(temp, file);
}

// The HMAC key that fingerprints requests for idempotency: 32 random bytes in
// DATA_DIR/request-hash.key (0600), made on first start and kept across restarts so that
// stored records still match.
std::string load_request_hash_key(const std::filesystem::path& file) {
    if (!std::filesystem::exists(file)) {
        const std::string key = kiosk::random_token(32);
        const auto temp = file.string() + ".tmp";
        {
            std::ofstream out(temp);
            out << key << "\n";
        }
        std::filesystem::permissions(temp, std::filesystem::perms::owner_read |
                                               std::filesystem::perms::owner_write);
        std::filesystem::rename(temp, file);
    }
    std::ifstream in(file);
    std::string key;
    std::getline(in, key);
    if (key.size() < 32) {
        throw std::runtime_error(file.string() + " holds no usable key");
    }
    return key;
}

// Writes `text` to `path` through a temporary file and a rename, so readers never see half.
void write_atomically(const std::filesystem::path& path, const std::string& text) {
    const auto temp = path.string() + ".tmp";
    std::ofstream(temp) << text;
    std::filesystem::rename(temp, path);
}

// The X25519 key pair that opens the kiosks' sealed queue items: DATA_DIR/sealing/
// private.pem (0600, never leaves the central) and public.pem (what kiosks are given, also
// served at GET /v1/sealing-key). Made on first start.
void load_sealing_key(const std::filesystem::path& dir, kiosk::central::HttpSettings& http) {
    const auto private_file = dir / "private.pem";
    const auto public_file = dir / "public.pem";
    if (!std::filesystem::exists(private_file)) {
        std::filesystem::create_directories(dir);
        const auto pair = kiosk::sealed_box::generate();
        const auto temp = private_file.string() + ".tmp";
        {
            std::ofstream out(temp);
            std::filesystem::permissions(temp, std::filesystem::perms::owner_read |
                                                   std::filesystem::perms::owner_write);
            out << pair.private_pem.view();
        }
        std::filesystem::rename(temp, private_file);
        write_atomically(public_file, pair.public_pem);
    }
    std::ifstream in(private_file);
    std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    http.sealing_private_pem.assign(pem);
    kiosk::secure_wipe(pem);
    std::string error;
    const auto public_key = kiosk::sealed_box::public_of_private(http.sealing_private_pem, error);
    if (!public_key) {
        throw std::runtime_error(private_file.string() + ": " + error);
    }
    http.sealing_public_pem = kiosk::sealed_box::public_pem(*public_key);
}

int serve(const ServeOptions& options) {
    // SIGINT/SIGTERM go to a watcher thread that stops the server; blocked before any
    // other thread exists so every thread inherits the mask.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    const auto colon = options.listen.rfind(':');
    if (colon == std::string::npos) {
        spdlog::error("--listen must be HOST:PORT");
        return 2;
    }
    kiosk::central::HttpSettings http;
    http.host = options.listen.substr(0, colon);
    try {
        http.port = std::stoi(options.listen.substr(colon + 1));
    } catch (const std::exception&) {
        spdlog::error("--listen must be HOST:PORT");
        return 2;
    }
    std::filesystem::create_directories(options.data_dir);
    const auto tls = kiosk::tls::ensure_server_tls(options.data_dir / "tls",
                                                   {"localhost", "127.0.0.1", http.host});
    http.certificate = tls.server_certificate;
    http.private_key = tls.server_key;

    std::string error;
    const std::string database = database_url(options.database, options.data_dir);
    auto store = kiosk::central::Store::open(database, options.data_dir, error);
    if (!store || !store->open_readers(static_cast<std::size_t>(options.database_readers), error)) {
        spdlog::error("{}", error);
        return 1;
    }
    store->set_password_history(options.password_history);
    const auto rate_limit = kiosk::central::parse_rate_limit(options.kiosk_rate_limit);
    if (!rate_limit) {
        spdlog::error("--kiosk-rate-limit must be N/MINUTES (e.g. 120/10; 0/10 turns it off)");
        return 2;
    }
    http.rate_limit = *rate_limit;
    auto fleet = kiosk::central::FleetStore::open(database, error);
    if (!fleet) {
        spdlog::error("{}", error);
        return 1;
    }
    if (options.demo) {
        kiosk::central::seed_demo_accounts(*store);
        ensure_demo_admin(*fleet, options.data_dir / "admin-token");
    }
    http.fleet = {fleet.get(), options.enrolment_ttl_seconds, options.online_seconds};
    auto policy = kiosk::central::PasswordPolicy::load({options.min_password_length, 256},
                                                       options.common_passwords, error);
    if (!policy || (!options.breached_passwords.empty() &&
                    !policy->use_breached_file(options.breached_passwords, error))) {
        spdlog::error("{}", error);
        return 1;
    }
    policy->set_organisation(options.organisation);
    kiosk::central::Metrics metrics;
    if (!options.metrics_token_file.empty()) {
        std::ifstream in(options.metrics_token_file);
        std::string token;
        std::getline(in, token);
        if (token.size() < 16) {
            kiosk::secure_wipe(token);
            spdlog::error("{} must hold a token of at least 16 characters on its first line",
                          options.metrics_token_file.string());
            return 1;
        }
        metrics.set_scrape_token(kiosk::SecretString(token));
        kiosk::secure_wipe(token);
    }
    auto notify_settings = options.notify;
    notify_settings.outbox_dir = options.data_dir / "outbox";
    notify_settings.delivery.first_retry = std::chrono::milliseconds(options.retry_first_ms);
    notify_settings.delivery.longest_retry = std::chrono::milliseconds(options.retry_longest_ms);
    notify_settings.delivery.lease = std::chrono::milliseconds(options.lease_ms);
    auto notifier = kiosk::central::Notifier::create(notify_settings, &metrics, store.get(), error);
    if (!notifier) {
        spdlog::error("{}", error);
        return 1;
    }
    auto& mail = *notifier;
    kiosk::central::ConfirmationSettings confirmation_settings;
    confirmation_settings.ttl_seconds = options.confirmation_ttl_seconds;
    kiosk::central::OfflineConfirmations confirmations(*store, *policy, mail,
                                                       confirmation_settings);
    http.confirmations = &confirmations;
    kiosk::central::CentralService service(*store, std::move(*policy), mail, options.service);
    kiosk::central::Records records(*store);
    records.on_append([&metrics](const std::string& action) { metrics.count_event(action); });
    service.attach_records(&records);
    confirmations.attach_records(&records);
    http.records = &records;
    http.metrics = &metrics;
    http.fleet.records = &records;
    // The kiosks' client CA: DATA_DIR/ca/ (key 0600), made on first start.
    auto client_ca = kiosk::central::ClientCa::open(options.data_dir / "ca", *store, {}, error);
    if (!client_ca) {
        spdlog::error("{}", error);
        return 1;
    }
    http.fleet.ca = client_ca.get();
    http.fleet.staff_token_ttl_seconds = options.service.token_ttl_seconds;
    if (options.demo) {
        kiosk::central::seed_demo_records(records);
        kiosk::central::seed_demo_activation(*store);
    }
    http.request_hash_key = load_request_hash_key(options.data_dir / "request-hash.key");
    // Made-up verification options come from the request-hash key that every central
    // process on one database shares, so they all make up the same list.
    service.set_options_key(http.request_hash_key,
                            options.email_domain.empty()
                                ? kiosk::central::most_common_email_domain(*store)
                                : options.email_domain);
    http.idempotency_retention_days = options.idempotency_retention_days;
    load_sealing_key(options.data_dir / "sealing", http);
    kiosk::central::CentralHttpServer server(service, *store, http);
    const int port = server.bind(error);
    if (port < 0) {
        spdlog::error("{}", error);
        return 1;
    }
    confirmations.set_public_url(options.public_url.empty()
                                     ? "https://" + http.host + ":" + std::to_string(port)
                                     : options.public_url);
    std::thread watcher([&server, &stop_signals] {
        int signal = 0;
        sigwait(&stop_signals, &signal);
        spdlog::info("stopping on signal {}", signal);
        server.stop();
    });
    if (!options.ready_file.empty()) {
        write_atomically(options.ready_file, std::to_string(port) + "\n");
    }
    std::cout << "kiosk-central listening on https://" << http.host << ":" << port << std::endl;
    spdlog::info("kiosk-central {} serving {} (CA: {})", kiosk::kVersion, options.data_dir.string(),
                 tls.ca_certificate.string());
    server.serve();
    if (watcher.joinable()) {
        pthread_kill(watcher.native_handle(), SIGTERM); // no-op if it already returned
        watcher.join();
    }
    return 0;
}

int check_password(const std::filesystem::path& data_dir, const std::string& database,
                   const std::string& username) {
    std::string error;
    auto store = kiosk::central::Store::open(database_url(database, data_dir), data_dir, error);
    if (!store) {
        std::cerr << error << "\n";
        return 2;
    }
    std::string password;
    std::getline(std::cin, password);
    const auto account = store->find_account(username);
    const bool matches =
        account && kiosk::central::verify_password(account->password_hash, password);
    kiosk::secure_wipe(password);
    return matches ? 0 : 1;
}

// `admin add`: a new admin credential, printed once (stored only as a hash).
int add_admin(const std::filesystem::path& data_dir, const std::string& database,
              const std::string& name, const std::string& role_text) {
    const auto role = kiosk::central::parse_admin_role(role_text);
    if (!role || !kiosk::central::valid_fleet_name(name)) {
        std::cerr << "--name must be 1-64 of A-Z a-z 0-9 - _ . and --role one of admin, "
                     "helpdesk, auditor\n";
        return 2;
    }
    std::filesystem::create_directories(data_dir);
    std::string error;
    // The Store first: it makes (or migrates) the schema, the fleet tables included.
    const std::string url = database_url(database, data_dir);
    if (!kiosk::central::Store::open(url, data_dir, error)) {
        std::cerr << error << "\n";
        return 1;
    }
    auto fleet = kiosk::central::FleetStore::open(url, error);
    if (!fleet) {
        std::cerr << error << "\n";
        return 1;
    }
    std::string token = fleet->add_admin(name, *role);
    std::cout << token << std::endl;
    kiosk::secure_wipe(token);
    return 0;
}

} // namespace

// `audit verify`: recomputes the audit log's hash chain from the database file.
int verify_audit(const std::filesystem::path& data_dir, const std::string& database) {
    if (database.empty() && !std::filesystem::exists(data_dir / "central.db")) {
        std::cerr << "no central.db in " << data_dir << "\n";
        return 2;
    }
    std::string error;
    auto store = kiosk::central::Store::open(database_url(database, data_dir), data_dir, error);
    if (!store) {
        std::cerr << error << "\n";
        return 2;
    }
    kiosk::central::Records records(*store);
    const auto check = records.verify_chain();
    if (check.ok) {
        std::cout << "audit log intact: " << check.entries << " entries\n";
        return 0;
    }
    std::cout << "audit log BROKEN at entry " << check.first_bad.value_or(0) << ": " << check.why
              << " (" << check.entries << " entries)\n";
    return 1;
}

int main(int argc, char** argv) {
    spdlog::set_default_logger(spdlog::stderr_color_mt("central"));
    CLI::App cli{"kiosk-central: the central REST API the self-service kiosks talk to."};
    cli.set_version_flag("--version", std::string("kiosk-central ") + kiosk::kVersion);
    cli.require_subcommand(1);

    ServeOptions options;
    // Before the subcommand: `kiosk-central --config FILE serve`, the serve options in the
    // file's [serve] section (long names without --).
    cli.set_config("--config", "", "TOML/INI file; serve options go in its [serve] section");
    auto* serve_cmd = cli.add_subcommand("serve", "Serve the HTTPS API");
    serve_cmd->add_option("--data-dir", options.data_dir, "Database, TLS material, demo outbox")
        ->required();
    serve_cmd->add_option("--listen", options.listen, "HOST:PORT (port 0 picks a free one)")
        ->capture_default_str();
    constexpr const char* kDatabaseHelp =
        "sqlite:PATH (default: sqlite:DATA_DIR/central.db) or postgresql://USER@HOST/DB (a libpq "
        "URI), so that several central processes share one database; DATA_DIR still holds the "
        "keys";
    serve_cmd->add_option("--database", options.database, kDatabaseHelp)
        ->envname("KIOSK_CENTRAL_DATABASE");
    serve_cmd
        ->add_option("--database-readers", options.database_readers,
                     "Read-only database connections for requests' lookups, beside the one "
                     "that writes (0: everything on that one)")
        ->capture_default_str()
        ->check(CLI::Range(0, 64));
    serve_cmd->add_flag("--demo", options.demo, "Add the demo accounts to an empty database");
    serve_cmd->add_option("--code-ttl", options.service.code_ttl_seconds, "Seconds a code works")
        ->capture_default_str()
        ->check(CLI::Range(10, 600));
    serve_cmd->add_option("--code-length", options.service.code_length, "Digits of a code")
        ->capture_default_str()
        ->check(CLI::Range(6, 8));
    serve_cmd
        ->add_option("--resend-cooldown", options.service.resend_cooldown_seconds,
                     "Seconds before another code may be sent for the same verification")
        ->capture_default_str()
        ->check(CLI::Range(1, 3600));
    serve_cmd
        ->add_option("--max-resends", options.service.max_resends,
                     "New codes a verification may ask for after the first")
        ->capture_default_str()
        ->check(CLI::Range(0, 10));
    serve_cmd
        ->add_option("--metrics-token-file", options.metrics_token_file,
                     "File whose first line is the bearer token Prometheus scrapes /metrics "
                     "with (admin and auditor credentials work too)")
        ->check(CLI::ExistingFile);
    serve_cmd->add_option("--email-domain", options.email_domain,
                          "Domain of the e-mail hints made up for names with no account "
                          "(default: the domain most accounts have)");
    auto& notify = options.notify;
    serve_cmd
        ->add_option("--email-channel", notify.email_channel,
                     "file (DATA_DIR/outbox/email.jsonl) or smtp")
        ->capture_default_str()
        ->check(CLI::IsMember({"file", "smtp"}));
    serve_cmd->add_option("--smtp-url", notify.smtp.url,
                          "smtp://HOST[:PORT] (STARTTLS required) or smtps://HOST[:PORT]");
    serve_cmd->add_option("--smtp-from", notify.smtp.from, "Sender address of the messages");
    serve_cmd
        ->add_option("--smtp-ca", notify.smtp.ca_file,
                     "CA file the relay's certificate "
                     "must chain to (default: the system's)")
        ->check(CLI::ExistingFile);
    serve_cmd->add_option("--smtp-user", notify.smtp.username, "AUTH user (none: no AUTH)");
    serve_cmd
        ->add_option("--smtp-password-file", notify.smtp.password_file,
                     "File holding the AUTH password (first line)")
        ->check(CLI::ExistingFile);
    serve_cmd
        ->add_option("--smtp-starttls", notify.smtp.starttls_required,
                     "Require STARTTLS on smtp:// (false only for a relay on loopback)")
        ->capture_default_str();
    serve_cmd->add_option("--smtp-connect-timeout", notify.smtp.connect_timeout_seconds)
        ->capture_default_str()
        ->check(CLI::Range(1, 300));
    serve_cmd->add_option("--smtp-timeout", notify.smtp.timeout_seconds, "Seconds per message")
        ->capture_default_str()
        ->check(CLI::Range(1, 600));
    serve_cmd
        ->add_option("--sms-channel", notify.sms_channel,
                     "file (DATA_DIR/outbox/sms.jsonl), http (a gateway) or off")
        ->capture_default_str()
        ->check(CLI::IsMember({"file", "http", "off"}));
    serve_cmd->add_option("--sms-gateway-url", notify.sms.url, "https:// URL codes are POSTed to");
    serve_cmd->add_option("--sms-ca", notify.sms.ca_file, "CA file for the gateway")
        ->check(CLI::ExistingFile);
    serve_cmd->add_option("--sms-auth-header", notify.sms.auth_header)->capture_default_str();
    serve_cmd
        ->add_option("--sms-auth-prefix", notify.sms.auth_prefix,
                     "Put before the token in the auth header")
        ->capture_default_str();
    serve_cmd
        ->add_option("--sms-token-file", notify.sms.token_file,
                     "File holding the gateway token (none: no auth header)")
        ->check(CLI::ExistingFile);
    serve_cmd
        ->add_option("--sms-body-template", notify.sms.body_template_file,
                     "JSON file; strings may hold {{to}}, {{text}}, {{from}}")
        ->check(CLI::ExistingFile);
    serve_cmd->add_option("--sms-sender", notify.sms.sender, "{{from}} in the body template");
    serve_cmd->add_option("--sms-timeout", notify.sms.timeout_seconds, "Seconds per message")
        ->capture_default_str()
        ->check(CLI::Range(1, 600));
    serve_cmd
        ->add_option("--notify-attempts", notify.delivery.max_attempts,
                     "Attempts per message before it counts as failed")
        ->capture_default_str()
        ->check(CLI::Range(1, 50));
    serve_cmd
        ->add_option("--notify-retry-ms", options.retry_first_ms,
                     "Wait after the first failed attempt (doubled after each)")
        ->capture_default_str()
        ->check(CLI::Range(1, 3600000));
    serve_cmd
        ->add_option("--notify-retry-max-ms", options.retry_longest_ms,
                     "Longest wait between attempts")
        ->capture_default_str()
        ->check(CLI::Range(1, 86400000));
    serve_cmd
        ->add_option("--notify-lease-ms", options.lease_ms,
                     "How long a message being sent is this process's before another central "
                     "may take it over (0: the longest attempt plus 30 s)")
        ->capture_default_str()
        ->check(CLI::Range(0, 3600000));
    serve_cmd
        ->add_option("--token-ttl", options.service.token_ttl_seconds,
                     "Seconds a verification token works")
        ->capture_default_str()
        ->check(CLI::Range(1, 3600));
    serve_cmd
        ->add_option("--lockout-threshold", options.service.lockout_threshold,
                     "Failed sign-ins that lock an account")
        ->capture_default_str()
        ->check(CLI::Range(1, 100));
    serve_cmd
        ->add_option("--lockout-duration", options.service.lockout_duration_seconds,
                     "Seconds a lockout lasts unless the account is unlocked first")
        ->capture_default_str()
        ->check(CLI::Range(1, 7 * 24 * 3600));
    serve_cmd
        ->add_option("--password-history", options.password_history,
                     "A new password may not be any of the account's last N (the current one "
                     "included); 0 turns the check off")
        ->capture_default_str()
        ->check(CLI::Range(0, 24));
    serve_cmd
        ->add_option("--kiosk-rate-limit", options.kiosk_rate_limit,
                     "Walk-up requests that guess or send (verifications, codes, resends, "
                     "activations, offline requests and confirmations, sign-ins) allowed per "
                     "kiosk: N/MINUTES; 0/MINUTES turns the limit off")
        ->capture_default_str();
    serve_cmd->add_option("--min-password-length", options.min_password_length)
        ->capture_default_str()
        ->check(CLI::Range(8, 64));
    serve_cmd
        ->add_option("--common-passwords", options.common_passwords,
                     "File of common passwords to refuse, one per line")
        ->check(CLI::ExistingFile);
    serve_cmd
        ->add_option("--breached-passwords", options.breached_passwords,
                     "Breached-password file: SHA1HEX:COUNT lines sorted by hash (Have I "
                     "Been Pwned's download)")
        ->check(CLI::ExistingFile);
    serve_cmd->add_option("--organisation", options.organisation,
                          "The organisation's name: its words are refused inside passwords");
    serve_cmd
        ->add_option("--idempotency-retention-days", options.idempotency_retention_days,
                     "Days an Idempotency-Key and its answer are kept (longer than any "
                     "kiosk's offline retention)")
        ->capture_default_str()
        ->check(CLI::Range(1, 3650));
    serve_cmd
        ->add_option("--confirmation-ttl", options.confirmation_ttl_seconds,
                     "Seconds a request made at an offline kiosk waits for its owner's "
                     "confirmation")
        ->capture_default_str()
        ->check(CLI::Range(1, 30 * 86400));
    serve_cmd->add_option("--public-url", options.public_url,
                          "Base URL of the confirmation links sent to users (default: "
                          "https://<listen host>:<port>)");
    serve_cmd->add_option("--ready-file", options.ready_file,
                          "Write the bound port here once listening");

    std::filesystem::path check_dir;
    std::string username;
    auto* check_cmd = cli.add_subcommand(
        "check-password", "Exit 0 if the password on stdin is USER's current password, else 1");
    check_cmd->add_option("--data-dir", check_dir)->required();
    check_cmd->add_option("--user", username)->required();
    std::string other_database;
    check_cmd->add_option("--database", other_database, kDatabaseHelp)
        ->envname("KIOSK_CENTRAL_DATABASE");
    serve_cmd
        ->add_option("--online-seconds", options.online_seconds,
                     "A kiosk heard from this recently is listed as online")
        ->capture_default_str()
        ->check(CLI::Range(10, 86400));
    serve_cmd
        ->add_option("--enrolment-ttl", options.enrolment_ttl_seconds,
                     "Seconds an enrolment code works")
        ->capture_default_str()
        ->check(CLI::Range(60, 30 * 86400));

    std::filesystem::path admin_dir;
    std::string admin_name;
    std::string admin_role;
    auto* admin_cmd = cli.add_subcommand("admin", "Admin credentials for /v1/admin/*");
    admin_cmd->require_subcommand(1);
    auto* admin_add_cmd = admin_cmd->add_subcommand(
        "add", "Add an admin (or replace its token); prints the bearer token once");
    admin_add_cmd->add_option("--data-dir", admin_dir)->required();
    admin_add_cmd->add_option("--name", admin_name, "1-64 of A-Z a-z 0-9 - _ .")->required();
    admin_add_cmd->add_option("--role", admin_role, "admin, helpdesk or auditor")->required();
    admin_add_cmd->add_option("--database", other_database, kDatabaseHelp)
        ->envname("KIOSK_CENTRAL_DATABASE");

    std::filesystem::path audit_dir;
    auto* audit_cmd = cli.add_subcommand("audit", "The audit log");
    audit_cmd->require_subcommand(1);
    auto* audit_verify_cmd = audit_cmd->add_subcommand(
        "verify", "Check the audit log's hash chain; exit 0 intact, 1 broken, 2 error");
    audit_verify_cmd->add_option("--data-dir", audit_dir)->required();
    audit_verify_cmd->add_option("--database", other_database, kDatabaseHelp)
        ->envname("KIOSK_CENTRAL_DATABASE");
    CLI11_PARSE(cli, argc, argv);

    try {
        if (serve_cmd->parsed()) {
            return serve(options);
        }
        if (admin_add_cmd->parsed()) {
            return add_admin(admin_dir, other_database, admin_name, admin_role);
        }
        if (audit_verify_cmd->parsed()) {
            return verify_audit(audit_dir, other_database);
        }
        return check_password(check_dir, other_database, username);
    } catch (const std::exception& e) {
        spdlog::error("{}", e.what());
        return 2;
    }
}
