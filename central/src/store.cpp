// SQLite behind Store. Statements are prepared per call (the volumes are small) and
// wrapped in RAII; multi-step changes run in BEGIN IMMEDIATE transactions.
#include "kiosk/central/store.hpp"

#include <sqlite3.h>
#include <stdexcept>

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

} // namespace

struct Store::Impl {
    sqlite3* db = nullptr;
    std::mutex mutex;

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

    // Commits on success, rolls back when an exception leaves the scope.
    class Transaction {
    public:
        explicit Transaction(Impl& impl) : impl_(impl) { impl_.exec("BEGIN IMMEDIATE"); }
        void commit() {
            impl_.exec("COMMIT");
            done_ = true;
        }
        ~Transaction() {
            if (!done_) {
                sqlite3_exec(impl_.db, "ROLLBACK", nullptr, nullptr, nullptr);
            }
        }
        Transaction(const Transaction&) = delete;
        Transaction& operator=(const Transaction&) = delete;

    private:
        Impl& impl_;
        bool done_ = false;
    };

    static Account read_account(const Query& q) {
        return {q.integer(0), q.text(1), q.text(2), q.text(3),
                q.text(4),    q.text(5), q.text(6), q.integer(7)};
    }
};

namespace {
constexpr const char* kAccountColumns = "SELECT id, username, email, employee_id, display_name, "
                                        "password_hash, state, password_changed_at FROM accounts ";
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
    try {
        impl->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
        impl->exec(kSchema);
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
                          "password_hash, state, password_changed_at) VALUES (?,?,?,?,?,?,?)");
    q.bind(a.username).bind(a.email).bind(a.employee_id).bind(a.display_name);
    q.bind(a.password_hash).bind(a.state).bind(a.password_changed_at).step();
    return sqlite3_last_insert_rowid(impl_->db);
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
                        "attempts_left, state) VALUES (?,?,?,?,?,?)")
        .bind(c.id)
        .bind(c.account_id)
        .bind(c.code_hash)
        .bind(c.expires_at)
        .bind(std::int64_t{c.attempts_left})
        .bind(c.state)
        .step();
    transaction.commit();
}

std::optional<Challenge> Store::challenge(const std::string& id) {
    std::lock_guard lock(impl_->mutex);
    Impl::Query q(*impl_, "SELECT id, account_id, code_hash, expires_at, attempts_left, state "
                          "FROM challenges WHERE id = ?");
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
                         std::int64_t expires_at) {
    std::lock_guard lock(impl_->mutex);
    Impl::Query(*impl_, "INSERT INTO tokens (token_hash, account_id, expires_at) VALUES (?,?,?)")
        .bind(token_hash)
        .bind(account_id)
        .bind(expires_at)
        .step();
}

std::optional<Token> Store::token(const std::string& token_hash) {
    std::lock_guard lock(impl_->mutex);
    Impl::Query q(*impl_, "SELECT account_id, expires_at, used FROM tokens WHERE token_hash = ?");
    q.bind(token_hash);
    if (!q.step()) {
        return std::nullopt;
    }
    return Token{q.integer(0), q.integer(1), q.integer(2) != 0};
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

} // namespace kiosk::central
