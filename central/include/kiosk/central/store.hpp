// Store: the central's database (SQLite by default, or PostgreSQL): accounts, verification
// challenges, single-use tokens, completed resets and unlocks, sign-in lockouts and idempotency
// records. Thread-safe (one write connection behind a mutex, optionally a pool of read-only
// connections; callers keep slow work such as Argon2id outside). Failures of the database
// itself throw std::runtime_error; "not found" is an empty optional.
#pragma once

#include "kiosk/common/secret.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kiosk::central {
namespace sql {
class Connection;
enum class Dialect;
} // namespace sql

struct Account {
    std::int64_t id = 0;
    std::string username;
    std::string email;
    std::string employee_id;
    std::string display_name;
    std::string password_hash; // Argon2id PHC string
    std::string state;         // "active", "locked", "disabled"
    std::int64_t password_changed_at = 0;
    // TOTP (RFC 6238) when enrolled: base32 secret, "SHA1"/"SHA256"/"SHA512", 6–8 digits.
    // add_account takes the clear base32 secret; accounts read back hold it sealed
    // ("v1:…", see totp_key.hpp): Store::account_totp_secret opens it.
    std::string totp_secret; // empty: no authenticator enrolled
    std::string totp_algorithm = "SHA1";
    int totp_digits = 6;
};

struct Challenge {
    std::string id;
    std::optional<std::int64_t> account_id; // none: the identifier matched no account
    std::string code_hash;
    std::int64_t expires_at = 0;
    int attempts_left = 0;
    std::string state;            // "open", "used", "void"
    std::string method = "email"; // "email" or "totp"
};

struct Token {
    std::int64_t account_id = 0;
    std::int64_t expires_at = 0;
    bool used = false;
    std::string method = "email"; // how the holder proved who they are
};

// Failed sign-ins of one subject ("account:<id>", or "name:<sha256>" for names that match
// no account, so that unknown names lock exactly like known ones).
struct Lockout {
    int failures = 0;
    std::optional<std::int64_t> locked_until; // set while locked (may lie in the past)
};

// A request a kiosk made while the central was unreachable, waiting for its owner to
// confirm it out of band (src/offline_confirmations.cpp). Codes only as SHA-256, the new
// password only as Argon2id; both hashes are cleared once it is applied or void.
struct OfflineRequest {
    std::string id;                         // random, in the confirmation link
    std::string reference;                  // "OFF-…", in the kiosk's 202 and the message
    std::optional<std::int64_t> account_id; // none: the identifier matched no usable account
    std::string kind;                       // "password_reset" or "unlock"
    std::string code_hash;                  // SHA-256 of the confirmation code
    std::string password_hash;              // Argon2id of the new password (resets)
    std::int64_t created_at = 0;
    std::int64_t expires_at = 0;
    int attempts_left = 0;
    std::string state;             // "pending", "applied", "void"
    std::string applied_reference; // "RST-…"/"UNL-…" once applied
    std::int64_t applied_at = 0;
};

// What begin_idempotent found for a key.
struct IdempotencyStart {
    enum class Kind { kStarted, kReplay, kMismatch, kInProgress };
    Kind kind = Kind::kStarted;
    int status = 0;   // kReplay only
    std::string body; // kReplay only
};

class Store {
public:
    // `database` is a URL as sql::open reads it ("sqlite:PATH", "postgresql://…");
    // `key_dir` holds totp.key (made on first open). Runs the migrations. nullptr with
    // `error` on failure.
    static std::unique_ptr<Store> open(const std::string& database,
                                       const std::filesystem::path& key_dir, std::string& error);
    // A SQLite file, with totp.key beside it.
    static std::unique_ptr<Store> open(const std::filesystem::path& file, std::string& error);
    [[nodiscard]] sql::Dialect dialect() const;
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    bool has_accounts();
    std::int64_t add_account(const Account& account);

    // TOTP secrets at rest, under DATA_DIR/totp.key (made on first open beside the database).
    // `owner` is totp_key::account_owner / activation_owner of the row. open_* throws
    // std::runtime_error saying why (wrong key file, a clear or altered value).
    std::string seal_totp_secret(std::string_view plaintext, std::string_view owner);
    SecretString open_totp_secret(std::string_view stored, std::string_view owner);
    SecretString account_totp_secret(const Account& account);
    // By username or e-mail (case-insensitive) or employee ID.
    std::optional<Account> find_account(const std::string& identifier);
    std::optional<Account> account_by_id(std::int64_t id);

    // Stores `challenge` and voids every other open challenge of the same account.
    void create_challenge(const Challenge& challenge);
    std::optional<Challenge> challenge(const std::string& id);
    void update_challenge(const std::string& id, int attempts_left, const std::string& state);
    // A wrong code: spends one attempt in the database itself, so that concurrent wrong
    // codes (on any central process) each spend one; the challenge becomes void when none
    // are left. Returns the attempts left, 0 when it is void (now or already).
    int spend_challenge_attempt(const std::string& id);
    // The right code: marks the challenge used if it is still open and unexpired at `now`.
    // False when another request (any process) used or voided it first: one code, one token.
    bool use_challenge(const std::string& id, std::int64_t now);

    void create_token(const std::string& token_hash, std::int64_t account_id,
                      std::int64_t expires_at, const std::string& method);
    std::optional<Token> token(const std::string& token_hash);

    // In one transaction: spends the token (still unused and unexpired at `now`), sets the
    // new hash, voids the account's other tokens and records the reset. False when the
    // token was spent or expired meanwhile (a concurrent reset won).
    bool apply_reset(const std::string& token_hash, std::int64_t account_id,
                     const std::string& new_password_hash, std::int64_t now,
                     const std::string& reference);

    // In one transaction: spends the token, clears the account's lock ('locked' state and
    // failure count) and records the unlock. False when the token was spent or expired.
    bool apply_unlock(const std::string& token_hash, std::int64_t account_id, std::int64_t now,
                      const std::string& reference);

    // Sign-in lockouts, per subject (see Lockout).
    Lockout lockout(const std::string& subject);
    // Counts one failure at `now`. Reaching `threshold` locks until now + duration. A lock
    // that has ended, or a last failure more than one duration ago, starts a fresh count.
    // Returns the state after this failure.
    Lockout record_sign_in_failure(const std::string& subject, std::int64_t now, int threshold,
                                   std::int64_t duration_seconds);
    void clear_lockout(const std::string& subject);
    // Deletes rows that hold no running lock and whose last failure is before
    // `forget_before` (they would start a fresh count anyway); returns how many.
    std::int64_t purge_lockouts(std::int64_t now, std::int64_t forget_before);

    // TOTP replay protection: records `step` as the account's last accepted time step if it
    // is newer than the one recorded. False when it is not (the code was already used).
    bool advance_totp_step(std::int64_t account_id, std::int64_t step);

    // Offline requests awaiting confirmation (docs/internals/central.md, "Offline
    // confirmation"). create_offline_request voids the account's older pending requests of
    // the same kind, so only the newest can be confirmed.
    void create_offline_request(const OfflineRequest& request);
    std::optional<OfflineRequest> offline_request(const std::string& id);
    // A wrong code spends one attempt (atomically: concurrent guesses each spend one); the
    // request becomes "void" (hashes cleared) when none are left. Returns the attempts left.
    int spend_offline_request_attempt(const std::string& id);
    // Voids a pending request (expired, or refused) and clears its hashes.
    void void_offline_request(const std::string& id);
    // In one transaction: the request must still be pending and unexpired at `now`; it is
    // marked applied with `applied_reference`, its hashes cleared, and its effect made (a
    // reset: new password, the account's tokens and open challenges voided, a `resets` row;
    // an unlock: state active, lockout cleared, an `unlocks` row). False when it was not
    // pending any more (a concurrent confirmation won): nothing changed.
    bool apply_offline_request(const std::string& id, std::int64_t now,
                               const std::string& applied_reference);
    // Voids pending requests whose time has passed; returns how many.
    std::int64_t expire_offline_requests(std::int64_t now);

    // Idempotency (docs/internals/central.md). begin_idempotent claims `key` for a request
    // whose keyed hash is `request_hash`; a claim older than `stale_before` that never
    // finished (the process died) is taken over. finish stores the answer; abandon drops
    // the claim so that a retry runs again (used for 5xx answers).
    IdempotencyStart begin_idempotent(const std::string& key, const std::string& request_hash,
                                      std::int64_t now, std::int64_t stale_before);
    void finish_idempotent(const std::string& key, int status, const std::string& body);
    void abandon_idempotent(const std::string& key);
    // Deletes records created before `created_before`; returns how many.
    std::int64_t purge_idempotency(std::int64_t created_before);

    // Password history (src/password_history.cpp): how many passwords count as recent,
    // the current one included (0: none, nothing kept). Every password change through the
    // store (reset, offline reset, activation) keeps the replaced hash and trims the rest.
    void set_password_history(int depth);
    int password_history();
    // The account's current hash, then up to password_history() - 1 replaced ones, newest
    // first; empty when the history is off.
    std::vector<std::string> recent_password_hashes(std::int64_t account_id);
    // For a password change made on the store's connection elsewhere (activation): call
    // inside its transaction, before the new hash is written.
    void remember_current_password(std::int64_t account_id, std::int64_t now);
    // The same password hashed again (Argon2id parameters moved): a compare-and-set, so a
    // password changed meanwhile is never overwritten. Not a change: no history row.
    bool replace_password_hash(std::int64_t account_id, const std::string& old_hash,
                               const std::string& new_hash);

    // Rate limits (src/rate_limit.cpp): counts one request of `subject` in the fixed window
    // starting at `window_start` and returns the window's count including it.
    std::int64_t count_request(const std::string& subject, std::int64_t window_start);
    // Deletes windows that started before `window_start_before`; returns how many.
    std::int64_t purge_rate_limits(std::int64_t window_start_before);

    // Runs `work` on the store's connection under its lock, for tables other parts of the
    // central own (src/records.cpp): their writes join a running Batch's transaction, so a
    // batch item's ticket or audit entry commits (or rolls back) with the item.
    void with_connection(const std::function<void(sql::Connection&)>& work);

    // Opens `count` more connections for reads only (kiosk-central --database-readers).
    // The lookups a request makes (find_account, account_by_id, challenge, token, lockout,
    // with_reader) then run on an idle one in parallel with other requests, instead of
    // queueing behind every other request on the one connection; a thread that holds the
    // write connection (a Batch, a write in progress) keeps reading there, where its
    // uncommitted changes are. False with `error` when one cannot be opened.
    bool open_readers(std::size_t count, std::string& error);
    // Runs `work` on a connection for reads (see open_readers); nothing it runs may write.
    void with_reader(const std::function<void(sql::Connection&)>& work);

    // One durable transaction around many requests (the batch route): holds the store's
    // lock and a write transaction (sql::Connection::begin_write) from construction to commit()
    // (destruction without commit rolls everything back). Store calls made meanwhile by the same
    // thread join it, their own transactions becoming savepoints. Each item runs between
    // begin_item() and end_item(): keep = false undoes that item alone (its effects and its
    // idempotency claim together), so one commit records every item's effect with its
    // answer, or none of them.
    class Batch {
    public:
        explicit Batch(Store& store);
        ~Batch();
        Batch(const Batch&) = delete;
        Batch& operator=(const Batch&) = delete;
        void begin_item();
        void end_item(bool keep);
        void commit();

    private:
        Store& store_;
        bool done_ = false;
    };

private:
    struct Impl;
    explicit Store(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace kiosk::central
