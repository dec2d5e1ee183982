// Test support: runs a real kiosk-central process on a free loopback port with a fresh
// data directory and demo accounts, and reads what it wrote (e-mail outbox, passwords).
#pragma once

#include "test_database.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace kiosk::testing {

// tnowak's authenticator secret (docs/demo-accounts.md).
inline constexpr const char* kTnowakTotpSecret = "KRUGKIDROVUWG2ZAMJZG653OEBTG66BA";

// The authenticator app's code for `base32_secret` now (SHA-1, 6 digits, 30 s), from an
// independent implementation: the oathtool command. Throws when it cannot run.
std::string authenticator_code(const std::string& base32_secret);

// Path of the kiosk-central binary built next to the tests.
std::filesystem::path central_binary();

class CentralProcess {
public:
    // Starts `kiosk-central serve --demo --listen 127.0.0.1:0 --data-dir <fresh temp dir>`
    // plus `extra_args`, and waits (at most 20 s) until it answers /v1/health over TLS.
    // Throws std::runtime_error with the server's stderr when it does not come up.
    // The database is a TestDatabase in the data directory (SQLite) or a fresh one on the
    // pg.* run's PostgreSQL server.
    explicit CentralProcess(std::vector<std::string> extra_args = {});
    // A second central on `first`'s database, with a copy of its keys (totp.key,
    // request-hash.key, sealing key, TLS): what several processes behind one load balancer
    // share. Its own data directory, outbox and log.
    static std::unique_ptr<CentralProcess> sharing(const CentralProcess& first,
                                                   std::vector<std::string> extra_args = {});
    ~CentralProcess(); // stop() and remove the data directory
    CentralProcess(const CentralProcess&) = delete;
    CentralProcess& operator=(const CentralProcess&) = delete;

    [[nodiscard]] std::string base_url() const; // "https://127.0.0.1:PORT"
    [[nodiscard]] int port() const { return port_; }
    [[nodiscard]] std::filesystem::path ca_file() const;
    [[nodiscard]] const std::filesystem::path& data_dir() const { return data_dir_; }
    // The database it runs on (for tests that look inside it on either backend).
    [[nodiscard]] const TestDatabase& database() const { return *database_; }
    // " --database '<url>'" for kiosk-central subcommands a test runs on this central's
    // data (the central itself is started with it too).
    [[nodiscard]] std::string database_option() const;

    // The newest code the demo e-mail outbox (`channel` "sms": the SMS outbox) holds for
    // `account` (a username), if any.
    [[nodiscard]] std::optional<std::string>
    latest_code_for(const std::string& account, const std::string& channel = "email") const;

    // The notices ("unlock UNL-…", "password_reset RST-…") the demo outbox holds for
    // `account`, oldest first.
    [[nodiscard]] std::vector<std::string> notices_for(const std::string& account) const;

    // Asks the real binary (`kiosk-central check-password`) whether `password` is
    // `username`'s current password.
    [[nodiscard]] bool password_matches(const std::string& username,
                                        const std::string& password) const;

    // Every finished idempotency record the central holds: key -> (status, answer), the
    // answers opened with its DATA_DIR/totp.key as the central stores them sealed.
    [[nodiscard]] std::map<std::string, std::pair<int, std::string>> stored_answers() const;

    // SIGTERM, then SIGKILL after 5 s; idempotent.
    void stop();
    // SIGKILL at once: a crash, with no clean-up by the central (start_again() after it).
    void crash();

    // stop(), then start again on the same data directory and arguments (a new port).
    void restart();
    // After stop(): start again on the same data directory, arguments and port, so the URL
    // a client already holds (an outage test's kiosk) reaches the central again.
    void start_again();

private:
    struct Shared {};
    CentralProcess(Shared, const CentralProcess& first, std::vector<std::string> extra_args);
    void launch(); // starts the process and waits until it answers; throws like the ctor
    std::vector<std::string> extra_args_;
    std::filesystem::path data_dir_;
    std::shared_ptr<TestDatabase> database_;
    pid_t pid_ = -1;
    int port_ = 0;
};

} // namespace kiosk::testing
