// SQLite behind Store. Statements are prepared per call (the volumes are small) and
// wrapped in RAII; multi-step changes run in BEGIN IMMEDIATE transactions.
#include "kiosk/central/store.hpp"

#include "kiosk/central/totp_key.hpp"
#include "kiosk/common/secret.hpp"

#include <sqlite3.h>
#include <stdexcept>
#include <utility>
#include <vector>

namespace kiosk::central {
namespace {

struct StatementDeleter {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS accounts (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE COLLATE NOCASE,
  email TEXT NOT NULL UNIQUE COLLATE NOCASE,
  employee_id TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('active', 'locked', 'disabled')),
  password_changed_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS challenges (
  id TEXT PRIMARY KEY,
  account_id INTEGER REFERENCES accounts(id),
  code_hash TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  attempts_left INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('open', 'used', 'void')));
CREATE INDEX IF NOT EXISTS challenges_by_account ON challenges(account_id, state);
CREATE TABLE IF NOT EXISTS tokens (
  token_hash TEXT PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  expires_at INTEGER NOT NULL,
  used INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS resets (
  reference TEXT PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  completed_at INTEGER NOT NULL);
)sql";

// Schema version 1 (issue 3): TOTP, verification methods, unlocks, lockouts, idempotency.
// Applied to skeleton databases and fresh ones alike; PRAGMA user_version records it.
constexpr const char* kMigration1 = R"sql(
ALTER TABLE accounts ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN totp_algorithm TEXT NOT NULL DEFAULT 'SHA1';
ALTER TABLE accounts ADD COLUMN totp_digits INTEGER NOT NULL DEFAULT 6;
ALTER TABLE accounts ADD COLUMN totp_last_step INTEGER;
ALTER TABLE challenges ADD COLUMN method TEXT NOT NULL DEFAULT 'email';
ALTER TABLE tokens ADD COLUMN method TEXT NOT NULL DEFAULT 'email';
CREATE TABLE unlocks (
  reference TEXT PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  completed_at INTEGER NOT NULL);
CREATE TABLE lockouts (
  subject TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  locked_until INTEGER);
CREATE TABLE idempotency (
  key TEXT PRIMARY KEY,
  request_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  status INTEGER,            -- NULL while the first request is being processed
  body TEXT);
CREATE INDEX idempotency_by_age ON idempotency(created_at);
PRAGMA user_version = 1;
)sql";

// Schema version 2: when a subject last failed, so that old failures are forgotten and
// rows of names nobody tries any more can be purged.
constexpr const char* kMigration2 = R"sql(
ALTER TABLE lockouts ADD COLUMN last_failure_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX lockouts_by_age ON lockouts(last_failure_at);
PRAGMA user_version = 2;
)sql";

// Offline requests awaiting out-of-band confirmation (src/offline_confirmations.cpp). Its
// own CREATE IF NOT EXISTS rather than a numbered migration, so it adds to any version.
constexpr const char* kOfflineRequestsSchema = R"sql(
CREATE TABLE IF NOT EXISTS offline_requests (
  id TEXT PRIMARY KEY,
  reference TEXT NOT NULL UNIQUE,
  account_id INTEGER REFERENCES accounts(id),
  kind TEXT NOT NULL CHECK (kind IN ('password_reset', 'unlock')),
  code_hash TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  attempts_left INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'applied', 'void')),
  applied_reference TEXT NOT NULL DEFAULT '',
  applied_at INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS offline_requests_by_account ON offline_requests(account_id, state);
CREATE INDEX IF NOT EXISTS offline_requests_by_expiry ON offline_requests(state, expires_at);
)sql";

} // namespace

struct Store::Impl {
    sqlite3* db = nullptr;
    // Recursive: a Batch holds it while the store calls of its items lock it again.
    std::recursive_mutex mutex;
    // DATA_DIR/totp.key: TOTP secrets are stored only sealed under it (src/totp_key.cpp).
    SecretString totp_key;

    ~Impl() { sqlite3_close(db); }

    [[noreturn]] void fail(const char* what) const {
        throw std::runtime_error(std::string("store: ") + what + ": " + sqlite3_errmsg(db));
    }

    // A prepared statement with positional binding helpers.
    class Query {
    public:
        Query(Impl& impl, const char* sql) : impl_(impl) {
            sqlite3_stmt* raw = nullptr;
            if (sqlite3_prepare_v2(impl.db, sql, -1, &raw, nullptr) != SQLITE_OK) {
                impl.fail("prepare");
            }
            statement_.reset(raw);
        }
        Query& bind(const std::string& value) {
            sqlite3_bind_text(statement_.get(), ++index_, value.c_str(),
                              static_cast<int>(value.size()), SQLITE_TRANSIENT);
            return *this;
        }
        Query& bind(std::int64_t value) {
            sqlite3_bind_int64(statement_.get(), ++index_, value);
            return *this;
        }
        Query& bind(std::optional<std::int64_t> value) {
            if (value) {
                return bind(*value);
            }
            sqlite3_bind_null(statement_.get(), ++index_);
            return *this;
        }
        // True while there is a row.
        bool step() {
            const int rc = sqlite3_step(statement_.get());
            if (rc == SQLITE_ROW) {
                return true;
            }
            if (rc != SQLITE_DONE) {
                impl_.fail("step");
            }
            return false;
        }
        std::string text(int column) const {
            const auto* value = sqlite3_column_text(statement_.get(), column);
            return value != nullptr ? reinterpret_cast<const char*>(value) : "";
        }
        std::int64_t integer(int column) const {
            return sqlite3_column_int64(statement_.get(), column);
        }
        bool is_null(int column) const {
            return sqlite3_column_type(statement_.get(), column) == SQLITE_NULL;
        }

    private:
        Impl& impl_;
        std::unique_ptr<sqlite3_stmt, StatementDeleter> statement_;
        int index_ = 0;
    };

    void exec(const char* sql) {
        char* message = nullptr;
        if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
            std::string text = message != nullptr ? message : "unknown error";
            sqlite3_free(message);
            throw std::runtime_error("store: " + text);
        }
    }

    // Commits on success, rolls back when an exception leaves the scope. Inside a Batch's
    // transaction (the connection is not in autocommit) it is a savepoint instead: the
    // batch's one COMMIT makes it durable.
    class Transaction {
    public:
        explicit Transaction(Impl& impl)
            : impl_(impl), nested_(sqlite3_get_autocommit(impl.db) == 0) {
            impl_.exec(nested_ ? "SAVEPOINT step" : "BEGIN IMMEDIATE");
        }
        void commit() {
            impl_.exec(nested_ ? "RELEASE step" : "COMMIT");
            done_ = true;
        }
        ~Transaction() {
            if (!done_) {
                sqlite3_exec(impl_.db, nested_ ? "ROLLBACK TO step; RELEASE step" : "ROLLBACK",
                             nullptr, nullptr, nullptr);
            }
        }
        Transaction(const Transaction&) = delete;
        Transaction& operator=(const Transaction&) = delete;

    private:
        Impl& impl_;
        bool nested_;
        bool done_ = false;
    };

    static Account read_account(const Query& q) {
        return {q.integer(0),
                q.text(1),
                q.text(2),
                q.text(3),
                q.text(4),
                q.text(5),
                q.text(6),
                q.integer(7),
                q.text(8),
                q.text(9),
                static_cast<int>(q.integer(10))};
    }

    int user_version() {
        Query q(*this, "PRAGMA user_version");
        return q.step() ? static_cast<int>(q.integer(0)) : 0;
    }

    // The version is read inside the write transaction, so two processes starting on one
    // database cannot both migrate.
    void migrate() {
        Transaction transaction(*this);
        if (user_version() < 1) {
            exec(kMigration1);
        }
        if (user_version() < 2) {
            exec(kMigration2);
        }
        if (user_version() < 3) {
            seal_clear_totp_secrets();
            exec("PRAGMA user_version = 3");
        }
        transaction.commit();
    }

    // Schema version 3: TOTP secrets of databases from before are encrypted once, here;
    // after it a clear value is an error when read, never a fallback.
    void seal_clear_totp_secrets() {
        seal_column("SELECT id, totp_secret FROM accounts WHERE totp_secret <> ''",
                    "UPDATE accounts SET totp_secret = ? WHERE id = ?", totp_key::account_owner);
        Query table(*this, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                           "name = 'activations'");
        if (table.step()) {
            seal_column("SELECT account_id, totp_secret FROM activations WHERE totp_secret <> ''",
                        "UPDATE activations SET totp_secret = ? WHERE account_id = ?",
                        totp_key::activation_owner);
        }
    }

    void seal_column(const char* select, const char* update, std::string (*owner)(std::int64_t)) {
        std::vector<std::pair<std::int64_t, std::string>> clear;
        {
            Query q(*this, select);
            while (q.step()) {
                if (!totp_key::is_sealed(q.text(1))) {
                    clear.emplace_back(q.integer(0), q.text(1));
                }
            }
        }
        for (auto& [id, secret] : clear) {
            Query u(*this, update);
            u.bind(totp_key::seal(totp_key, secret, owner(id))).bind(id).step();
            secure_wipe(secret);
        }
    }
};

namespace {
constexpr const char* kAccountColumns =
    "SELECT id, username, email, employee_id, display_name, password_hash, state, "
    "password_changed_at, totp_secret, totp_algorithm, totp_digits FROM accounts ";
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

std::unique_ptr<Store> Store::open(const std::filesystem::path& file, std::string& error) {
    auto impl = std::make_unique<Impl>();
    if (sqlite3_open_v2(file.c_str(), &impl->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        nullptr) != SQLITE_OK) {
        error = "cannot open " + file.string() + ": " + sqlite3_errmsg(impl->db);
        return nullptr;
    }
    sqlite3_busy_timeout(impl->db, 5000);
    auto key = totp_key::load_or_create(file.parent_path() / "totp.key", error);
    if (!key) {
        return nullptr;
    }
    impl->totp_key = std::move(*key);
    try {
        // secure_delete: a value replaced (a TOTP secret sealed by the migration, a spent
        // hash) is zeroed in the file rather than left in free space.
        impl->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
                   "PRAGMA secure_delete=ON;");
        impl->exec(kSchema);
        impl->migrate();
        impl->exec(kOfflineRequestsSchema);
    } catch (const std::exception& e) {
        error = file.string() + ": " + e.what();
        return nullptr;
    }
    return std::unique_ptr<Store>(new Store(std::move(impl)));
}

bool Store::has_accounts() {
    std::lock_guard lock(impl_->mutex);
    Impl::Query q(*impl_, "SELECT 1 FROM accounts LIMIT 1");
    return q.step();
}

std::int64_t Store::add_account(const Account& a) {
    std::lock_guard lock(impl_->mutex);
    Impl::Query q(*impl_, "INSERT INTO accounts (username, email, employee_id, display_name, "
                          "password_hash, state, password_changed_at, totp_secret, "
                          "totp_algorithm, totp_digits) VALUES (?,?,?,?,?,?,?,?,?,?)");
    q.bind(a.username).bind(a.email).bind(a.employee_id).bind(a.display_name);
    q.bind(a.password_hash).bind(a.state).bind(a.password_changed_at);
    // The row's id is the sealed secret's associated data, so it is sealed once inserted.
    Impl::Transaction transaction(*impl_);
    q.bind(std::string()).bind(a.totp_algorithm).bind(std::int64_t{a.totp_digits}).step();
    const std::int64_t id = sqlite3_last_insert_rowid(impl_->db);
    if (!a.totp_secret.empty()) {
        Impl::Query u(*impl_, "UPDATE accounts SET totp_secret = ? WHERE id = ?");
        u.bind(seal_totp_secret(a.totp_secret, totp_key::account_owner(id))).bind(id).step();
    }
    transaction.commit();
    return id;
}

std::string Store::seal_totp_secret(std::string_view plaintext, std::string_view owner) {
    return totp_key::seal(impl_->totp_key, plaintext, owner);
}

SecretString Store::open_totp_secret(std::string_view stored, std::string_view owner) {
    std::string error;
    auto secret = totp_key::open(impl_->totp_key, stored, owner, error);
    if (!secret) {
        throw std::runtime_error("TOTP secret of " + std::string(owner) + ": " + error);
    }
    return std::move(*secret);
}

SecretString Store::account_totp_secret(const Account& account) {
    return open_totp_secret(account.totp_secret, totp_key::account_owner(account.id));
}

std::optional<Account> Store::find_account(const std::string& identifier) {
    std::lock_guard lock(impl_->mutex);
    Impl::Query q(*impl_, (std::string(kAccountColumns) +
                           "WHERE username = ?1 OR email = ?1 OR employee_id = ?1 LIMIT 1")
                              .c_str());
    q.bind(identifier);
    if (!q.step()) {
        return std::nullopt;
    }
    return Impl::read_account(q);
}

std::optional<Account> Store::account_by_id(std::int64_t id) {
    std::lock_guard lock(impl_->mutex);
    Impl::Query q(*impl_, (std::string(kAccountColumns) + "WHERE id = ?").c_str());
    q.bind(id);
    if (!q.step()) {
        return std::nullopt;
    }
    return Impl::read_account(q);
}

void Store::create_challenge(const Challenge& c) {
    std::lock_guard lock(impl_->mutex);
    Impl::Transaction transaction(*impl_);
    if (c.account_id) {
        Impl::Query(*impl_, "UPDATE challenges SET state = 'void' "
                            "WHERE account_id = ? AND state = 'open'")
            .bind(*c.account_id)
            .step();
    }
    Impl::Query(*impl_, "INSERT INTO challenges (id, account_id, code_hash, expires_at, "
                        "attempts_left, state, method) VALUES (?,?,?,?,?,?,?)")
        .bind(c.id)
        .bind(c.account_id)
        .bind(c.code_hash)
        .bind(c.expires_at)
        .bind(std::int64_t{c.attempts_left})
        .bind(c.state)
        .bind(c.method)
        .step();
    transaction.commit();
}

std::optional<Challenge> Store::challenge(const std::string& id) {
    std::lock_guard lock(impl_->mutex);
    Impl::Query q(*impl_, "SELECT id, account_id, code_hash, expires_at, attempts_left, state, "
                          "method FROM challenges WHERE id = ?");
    q.bind(id);
    if (!q.step()) {
        return std::nullopt;
    }
    Challenge c;
    c.id = q.text(0);
    if (!q.is_null(1)) {
        c.account_id = q.integer(1);
    }
    c.code_hash = q.text(2);
    c.expires_at = q.integer(3);
    c.attempts_left = static_cast<int>(q.integer(4));
    c.state = q.text(5);
    c.method = q.text(6);
    return c;
}

void Store::update_challenge(const std::string& id, int attempts_left, const std::string& state) {
    std::lock_guard lock(impl_->mutex);
    Impl::Query(*impl_, "UPDATE challenges SET attempts_left = ?, state = ? WHERE id = ?")
        .bind(std::int64_t{attempts_left})
        .bind(state)
        .bind(id)
        .step();
}

void Store::create_token(const std::string& token_hash, std::int64_t account_id,
                         std::int64_t expires_at, const std::string& method) {
    std::lock_guard lock(impl_->mutex);
    Impl::Query(*impl_,
                "INSERT INTO tokens (token_hash, account_id, expires_at, method) VALUES (?,?,?,?)")
        .bind(token_hash)
        .bind(account_id)
        .bind(expires_at)
        .bind(method)
        .step();
}

std::optional<Token> Store::token(const std::string& token_hash) {
    std::lock_guard lock(impl_->mutex);
    Impl::Query q(*impl_,
                  "SELECT account_id, expires_at, used, method FROM tokens WHERE token_hash = ?");
    q.bind(token_hash);
    if (!q.step()) {
        return std::nullopt;
    }
    return Token{q.integer(0), q.integer(1), q.integer(2) != 0, q.text(3)};
}

bool Store::apply_reset(const std::string& token_hash, std::int64_t account_id,
                        const std::string& new_password_hash, std::int64_t now,
                        const std::string& reference) {
    std::lock_guard lock(impl_->mutex);
    Impl::Transaction transaction(*impl_);
    Impl::Query(*impl_, "UPDATE tokens SET used = 1 WHERE token_hash = ? AND account_id = ? "
                        "AND used = 0 AND expires_at > ?")
        .bind(token_hash)
        .bind(account_id)
        .bind(now)
        .step();
    if (sqlite3_changes(impl_->db) != 1) {
        return false; // the transaction rolls back: nothing changed
    }
    Impl::Query(*impl_, "UPDATE accounts SET password_hash = ?, password_changed_at = ? "
                        "WHERE id = ?")
        .bind(new_password_hash)
        .bind(now)
        .bind(account_id)
        .step();
    Impl::Query(*impl_, "UPDATE tokens SET used = 1 WHERE account_id = ? AND used = 0")
        .bind(account_id)
        .step();
    Impl::Query(*impl_,
                "UPDATE challenges SET state = 'void' WHERE account_id = ? AND state = 'open'")
        .bind(account_id)
        .step();
    Impl::Query(*impl_, "INSERT INTO resets (reference, account_id, completed_at) VALUES (?,?,?)")
        .bind(reference)
        .bind(account_id)
        .bind(now)
        .step();
    transaction.commit();
    return true;
}

bool Store::apply_unlock(const std::string& token_hash, std::int64_t account_id, std::int64_t now,
                         const std::string& reference) {
    std::lock_guard lock(impl_->mutex);
    Impl::Transaction transaction(*impl_);
    Impl::Query(*impl_, "UPDATE tokens SET used = 1 WHERE token_hash = ? AND account_id = ? "
                        "AND used = 0 AND expires_at > ?")
        .bind(token_hash)
        .bind(account_id)
        .bind(now)
        .step();
    if (sqlite3_changes(impl_->db) != 1) {
        return false;
    }
    Impl::Query(*impl_, "UPDATE accounts SET state = 'active' WHERE id = ? AND state = 'locked'")
        .bind(account_id)
        .step();
    Impl::Query(*impl_, "DELETE FROM lockouts WHERE subject = ?")
        .bind("account:" + std::to_string(account_id))
        .step();
    Impl::Query(*impl_, "INSERT INTO unlocks (reference, account_id, completed_at) VALUES (?,?,?)")
        .bind(reference)
        .bind(account_id)
        .bind(now)
        .step();
    transaction.commit();
    return true;
}

Lockout Store::lockout(const std::string& subject) {
    std::lock_guard lock(impl_->mutex);
    Impl::Query q(*impl_, "SELECT failures, locked_until FROM lockouts WHERE subject = ?");
    q.bind(subject);
    Lockout result;
    if (q.step()) {
        result.failures = static_cast<int>(q.integer(0));
        if (!q.is_null(1)) {
            result.locked_until = q.integer(1);
        }
    }
    return result;
}

Lockout Store::record_sign_in_failure(const std::string& subject, std::int64_t now, int threshold,
                                      std::int64_t duration_seconds) {
    std::lock_guard lock(impl_->mutex);
    Impl::Transaction transaction(*impl_);
    Lockout current;
    std::int64_t last_failure_at = 0;
    {
        Impl::Query q(*impl_, "SELECT failures, locked_until, last_failure_at FROM lockouts "
                              "WHERE subject = ?");
        q.bind(subject);
        if (q.step()) {
            current.failures = static_cast<int>(q.integer(0));
            if (!q.is_null(1)) {
                current.locked_until = q.integer(1);
            }
            last_failure_at = q.integer(2);
        }
    }
    const bool lock_ended = current.locked_until && *current.locked_until <= now;
    // Failures count within one lockout duration of each other, like a directory's
    // observation window: five typos over a month do not lock anyone.
    const bool forgotten = !current.locked_until && last_failure_at <= now - duration_seconds;
    if (lock_ended || forgotten) {
        current = Lockout{};
    }
    if (!current.locked_until) {
        ++current.failures;
        if (current.failures >= threshold) {
            current.locked_until = now + duration_seconds;
        }
    }
    Impl::Query(*impl_, "INSERT INTO lockouts (subject, failures, locked_until, last_failure_at) "
                        "VALUES (?,?,?,?) ON CONFLICT(subject) DO UPDATE SET "
                        "failures = excluded.failures, locked_until = excluded.locked_until, "
                        "last_failure_at = excluded.last_failure_at")
        .bind(subject)
        .bind(std::int64_t{current.failures})
        .bind(current.locked_until)
        .bind(now)
        .step();
    transaction.commit();
    return current;
}

std::int64_t Store::purge_lockouts(std::int64_t now, std::int64_t forget_before) {
    std::lock_guard lock(impl_->mutex);
    Impl::Query(*impl_, "DELETE FROM lockouts WHERE last_failure_at < ? AND "
                        "(locked_until IS NULL OR locked_until <= ?)")
        .bind(forget_before)
        .bind(now)
        .step();
    return sqlite3_changes(impl_->db);
}

void Store::clear_lockout(const std::string& subject) {
    std::lock_guard lock(impl_->mutex);
    Impl::Query(*impl_, "DELETE FROM lockouts WHERE subject = ?").bind(subject).step();
}

bool Store::advance_totp_step(std::int64_t account_id, std::int64_t step) {
    std::lock_guard lock(impl_->mutex);
    Impl::Query(*impl_, "UPDATE accounts SET totp_last_step = ?1 WHERE id = ?2 AND "
                        "(totp_last_step IS NULL OR totp_last_step < ?1)")
        .bind(step)
        .bind(account_id)
        .step();
    return sqlite3_changes(impl_->db) == 1;
}

IdempotencyStart Store::begin_idempotent(const std::string& key, const std::string& request_hash,
                                         std::int64_t now, std::int64_t stale_before) {
    std::lock_guard lock(impl_->mutex);
    Impl::Transaction transaction(*impl_);
    IdempotencyStart result;
    bool take_over = false;
    {
        Impl::Query q(
            *impl_, "SELECT request_hash, created_at, status, body FROM idempotency WHERE key = ?");
        q.bind(key);
        if (q.step()) {
            const bool pending = q.is_null(2);
            if (q.text(0) != request_hash) {
                result.kind = IdempotencyStart::Kind::kMismatch;
            } else if (pending && q.integer(1) >= stale_before) {
                result.kind = IdempotencyStart::Kind::kInProgress;
            } else if (pending) {
                take_over = true; // its process died before answering
            } else {
                result.kind = IdempotencyStart::Kind::kReplay;
                result.status = static_cast<int>(q.integer(2));
                // Sealed since schema 3; a clear body is a record from before (expires
                // with the retention period).
                result.body =
                    totp_key::is_sealed(q.text(3))
                        ? std::string(open_totp_secret(q.text(3), "idempotency:" + key).view())
                        : q.text(3);
            }
            if (!take_over) {
                return result; // read only: the transaction rolls back harmlessly
            }
        }
    }
    Impl::Query(*impl_, "INSERT INTO idempotency (key, request_hash, created_at) VALUES (?,?,?) "
                        "ON CONFLICT(key) DO UPDATE SET created_at = excluded.created_at")
        .bind(key)
        .bind(request_hash)
        .bind(now)
        .step();
    transaction.commit();
    return result;
}

void Store::finish_idempotent(const std::string& key, int status, const std::string& body) {
    std::lock_guard lock(impl_->mutex);
    // Sealed like TOTP secrets: an answer can hold one (POST /v1/activations) or a
    // verification token, and is kept for the whole retention period.
    Impl::Query(*impl_, "UPDATE idempotency SET status = ?, body = ? WHERE key = ?")
        .bind(std::int64_t{status})
        .bind(seal_totp_secret(body, "idempotency:" + key))
        .bind(key)
        .step();
}

void Store::abandon_idempotent(const std::string& key) {
    std::lock_guard lock(impl_->mutex);
    Impl::Query(*impl_, "DELETE FROM idempotency WHERE key = ? AND status IS NULL")
        .bind(key)
        .step();
}

std::int64_t Store::purge_idempotency(std::int64_t created_before) {
    std::lock_guard lock(impl_->mutex);
    Impl::Query(*impl_, "DELETE FROM idempotency WHERE created_at < ?").bind(created_before).step();
    return sqlite3_changes(impl_->db);
}

// [offline requests] ---------------------------------------------------------------------

void Store::create_offline_request(const OfflineRequest& r) {
    std::lock_guard lock(impl_->mutex);
    Impl::Transaction transaction(*impl_);
    if (r.account_id) {
        Impl::Query(*impl_, "UPDATE offline_requests SET state = 'void', code_hash = '', "
                            "password_hash = '' WHERE account_id = ? AND kind = ? AND "
                            "state = 'pending'")
            .bind(*r.account_id)
            .bind(r.kind)
            .step();
    }
    Impl::Query(*impl_, "INSERT INTO offline_requests (id, reference, account_id, kind, code_hash, "
                        "password_hash, created_at, expires_at, attempts_left, state) "
                        "VALUES (?,?,?,?,?,?,?,?,?,?)")
        .bind(r.id)
        .bind(r.reference)
        .bind(r.account_id)
        .bind(r.kind)
        .bind(r.code_hash)
        .bind(r.password_hash)
        .bind(r.created_at)
        .bind(r.expires_at)
        .bind(std::int64_t{r.attempts_left})
        .bind(r.state)
        .step();
    transaction.commit();
}

std::optional<OfflineRequest> Store::offline_request(const std::string& id) {
    std::lock_guard lock(impl_->mutex);
    Impl::Query q(*impl_, "SELECT id, reference, account_id, kind, code_hash, password_hash, "
                          "created_at, expires_at, attempts_left, state, applied_reference, "
                          "applied_at FROM offline_requests WHERE id = ?");
    q.bind(id);
    if (!q.step()) {
        return std::nullopt;
    }
    OfflineRequest r;
    r.id = q.text(0);
    r.reference = q.text(1);
    if (!q.is_null(2)) {
        r.account_id = q.integer(2);
    }
    r.kind = q.text(3);
    r.code_hash = q.text(4);
    r.password_hash = q.text(5);
    r.created_at = q.integer(6);
    r.expires_at = q.integer(7);
    r.attempts_left = static_cast<int>(q.integer(8));
    r.state = q.text(9);
    r.applied_reference = q.text(10);
    r.applied_at = q.integer(11);
    return r;
}

int Store::spend_offline_request_attempt(const std::string& id) {
    std::lock_guard lock(impl_->mutex);
    Impl::Transaction transaction(*impl_);
    Impl::Query(*impl_, "UPDATE offline_requests SET attempts_left = attempts_left - 1 "
                        "WHERE id = ? AND state = 'pending' AND attempts_left > 0")
        .bind(id)
        .step();
    Impl::Query(*impl_, "UPDATE offline_requests SET state = 'void', code_hash = '', "
                        "password_hash = '' WHERE id = ? AND state = 'pending' AND "
                        "attempts_left <= 0")
        .bind(id)
        .step();
    int left = 0;
    {
        Impl::Query q(*impl_, "SELECT attempts_left FROM offline_requests WHERE id = ?");
        q.bind(id);
        if (q.step()) {
            left = static_cast<int>(q.integer(0));
        }
    }
    transaction.commit();
    return left;
}

void Store::void_offline_request(const std::string& id) {
    std::lock_guard lock(impl_->mutex);
    Impl::Query(*impl_, "UPDATE offline_requests SET state = 'void', code_hash = '', "
                        "password_hash = '' WHERE id = ? AND state = 'pending'")
        .bind(id)
        .step();
}

bool Store::apply_offline_request(const std::string& id, std::int64_t now,
                                  const std::string& applied_reference) {
    std::lock_guard lock(impl_->mutex);
    Impl::Transaction transaction(*impl_);
    std::int64_t account_id = 0;
    std::string kind;
    std::string password_hash;
    {
        Impl::Query q(*impl_, "SELECT account_id, kind, password_hash FROM offline_requests "
                              "WHERE id = ? AND state = 'pending' AND expires_at > ? AND "
                              "account_id IS NOT NULL");
        q.bind(id).bind(now);
        if (!q.step()) {
            return false; // the transaction rolls back: nothing changed
        }
        account_id = q.integer(0);
        kind = q.text(1);
        password_hash = q.text(2);
    }
    Impl::Query(*impl_, "UPDATE offline_requests SET state = 'applied', applied_reference = ?, "
                        "applied_at = ?, code_hash = '', password_hash = '' WHERE id = ?")
        .bind(applied_reference)
        .bind(now)
        .bind(id)
        .step();
    if (kind == "password_reset") {
        if (password_hash.empty()) {
            return false;
        }
        Impl::Query(*impl_, "UPDATE accounts SET password_hash = ?, password_changed_at = ? "
                            "WHERE id = ?")
            .bind(password_hash)
            .bind(now)
            .bind(account_id)
            .step();
        Impl::Query(*impl_, "UPDATE tokens SET used = 1 WHERE account_id = ? AND used = 0")
            .bind(account_id)
            .step();
        Impl::Query(*impl_,
                    "UPDATE challenges SET state = 'void' WHERE account_id = ? AND state = 'open'")
            .bind(account_id)
            .step();
        Impl::Query(*impl_,
                    "INSERT INTO resets (reference, account_id, completed_at) VALUES (?,?,?)")
            .bind(applied_reference)
            .bind(account_id)
            .bind(now)
            .step();
    } else {
        Impl::Query(*impl_,
                    "UPDATE accounts SET state = 'active' WHERE id = ? AND state = 'locked'")
            .bind(account_id)
            .step();
        Impl::Query(*impl_, "DELETE FROM lockouts WHERE subject = ?")
            .bind("account:" + std::to_string(account_id))
            .step();
        Impl::Query(*impl_,
                    "INSERT INTO unlocks (reference, account_id, completed_at) VALUES (?,?,?)")
            .bind(applied_reference)
            .bind(account_id)
            .bind(now)
            .step();
    }
    secure_wipe(password_hash);
    transaction.commit();
    return true;
}

std::int64_t Store::expire_offline_requests(std::int64_t now) {
    std::lock_guard lock(impl_->mutex);
    Impl::Query(*impl_, "UPDATE offline_requests SET state = 'void', code_hash = '', "
                        "password_hash = '' WHERE state = 'pending' AND expires_at <= ?")
        .bind(now)
        .step();
    return sqlite3_changes(impl_->db);
}

void Store::with_connection(const std::function<void(sqlite3*)>& work) {
    std::lock_guard lock(impl_->mutex);
    work(impl_->db);
}

Store::Batch::Batch(Store& store) : store_(store) {
    store_.impl_->mutex.lock();
    try {
        store_.impl_->exec("BEGIN IMMEDIATE");
    } catch (...) {
        store_.impl_->mutex.unlock();
        throw;
    }
}

Store::Batch::~Batch() {
    if (!done_) {
        sqlite3_exec(store_.impl_->db, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    store_.impl_->mutex.unlock();
}

void Store::Batch::begin_item() {
    store_.impl_->exec("SAVEPOINT item");
}

void Store::Batch::end_item(bool keep) {
    store_.impl_->exec(keep ? "RELEASE item" : "ROLLBACK TO item; RELEASE item");
}

void Store::Batch::commit() {
    store_.impl_->exec("COMMIT");
    done_ = true;
}

} // namespace kiosk::central
