// Store: the central's SQLite database (WAL): accounts, verification challenges, single-use
// tokens and completed resets. Thread-safe (one connection behind a mutex; callers keep
// slow work such as Argon2id outside). Failures of the database itself throw
// std::runtime_error; "not found" is an empty optional.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace kiosk::central {

struct Account {
    std::int64_t id = 0;
    std::string username;
    std::string email;
    std::string employee_id;
    std::string display_name;
    std::string password_hash; // Argon2id PHC string
    std::string state;         // "active", "locked", "disabled"
    std::int64_t password_changed_at = 0;
};

struct Challenge {
    std::string id;
    std::optional<std::int64_t> account_id; // none: the identifier matched no account
    std::string code_hash;
    std::int64_t expires_at = 0;
    int attempts_left = 0;
    std::string state; // "open", "used", "void"
};

struct Token {
    std::int64_t account_id = 0;
    std::int64_t expires_at = 0;
    bool used = false;
};

class Store {
public:
    static std::unique_ptr<Store> open(const std::filesystem::path& file, std::string& error);
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    bool has_accounts();
    std::int64_t add_account(const Account& account);
    // By username or e-mail (case-insensitive) or employee ID.
    std::optional<Account> find_account(const std::string& identifier);
    std::optional<Account> account_by_id(std::int64_t id);

    // Stores `challenge` and voids every other open challenge of the same account.
    void create_challenge(const Challenge& challenge);
    std::optional<Challenge> challenge(const std::string& id);
    void update_challenge(const std::string& id, int attempts_left, const std::string& state);

    void create_token(const std::string& token_hash, std::int64_t account_id,
                      std::int64_t expires_at);
    std::optional<Token> token(const std::string& token_hash);

    // In one transaction: spends the token (still unused and unexpired at `now`), sets the
    // new hash, voids the account's other tokens and records the reset. False when the
    // token was spent or expired meanwhile (a concurrent reset won).
    bool apply_reset(const std::string& token_hash, std::int64_t account_id,
                     const std::string& new_password_hash, std::int64_t now,
                     const std::string& reference);

private:
    struct Impl;
    explicit Store(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace kiosk::central
