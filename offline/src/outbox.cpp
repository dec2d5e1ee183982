// SQLite behind Outbox. One connection guarded by a mutex; every write is one transaction,
// committed with synchronous=FULL before the call returns. Corruption found at open moves
// the file aside and starts afresh; every other failure is returned, never hidden.
#include "kiosk/offline/outbox.hpp"

#include "kiosk/common/base64.hpp"
#include "kiosk/common/random.hpp"

#include <ctime>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

namespace kiosk::offline {
namespace {

struct StatementDeleter {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Statement = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

constexpr int kSchemaVersion = 1;
constexpr const char* kColumns =
    "id, idempotency_key, route, body, sealed, created_at_ms, expires_at_ms, state, attempts,"
    " next_attempt_at_ms, last_error, dead_reason, dead_at_ms";

std::int64_t system_now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

bool is_corruption(int code) {
    const int primary = code & 0xff;
    return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
}

OutboxError storage_error(sqlite3* db, const std::string& what) {
    const int code = sqlite3_extended_errcode(db);
    const int primary = code & 0xff;
    const std::string detail = what + ": " + sqlite3_errmsg(db);
    if (primary == SQLITE_FULL) {
        return {OutboxErrorKind::DiskFull, detail};
    }
    return {OutboxErrorKind::IoError, detail};
}

std::string column_text(sqlite3_stmt* s, int column) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s, column));
    return text != nullptr ? std::string(text) : std::string();
}

OutboxItem read_item(sqlite3_stmt* s) {
    OutboxItem item;
    item.id = sqlite3_column_int64(s, 0);
    item.idempotency_key = column_text(s, 1);
    item.route = column_text(s, 2);
    item.body = column_text(s, 3);
    item.sealed = sqlite3_column_int(s, 4) != 0;
    item.created_at_ms = sqlite3_column_int64(s, 5);
    item.expires_at_ms = sqlite3_column_int64(s, 6);
    item.state = column_text(s, 7) == "dead" ? ItemState::Dead : ItemState::Pending;
    item.attempts = sqlite3_column_int(s, 8);
    item.next_attempt_at_ms = sqlite3_column_int64(s, 9);
    item.last_error = column_text(s, 10);
    item.dead_reason = column_text(s, 11);
    item.dead_at_ms = sqlite3_column_int64(s, 12);
    return item;
}

bool valid_route(std::string_view route) {
    return route.rfind("/v1/", 0) == 0 && route.size() <= 200 &&
           route.find("..") == std::string_view::npos &&
           route.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                   "/-_") == std::string_view::npos;
}

std::string utc_stamp() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y%m%dT%H%M%SZ", &tm);
    return buffer;
}

} // namespace

bool valid_idempotency_key(std::string_view key) {
    return !key.empty() && key.size() <= 128 &&
           key.find_first_not_of(
               "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") ==
               std::string_view::npos;
}

std::string_view to_string(OutboxErrorKind kind) {
    switch (kind) {
    case OutboxErrorKind::QueueFull:
        return "queue_full";
    case OutboxErrorKind::TooLarge:
        return "too_large";
    case OutboxErrorKind::Invalid:
        return "invalid";
    case OutboxErrorKind::DuplicateKey:
        return "duplicate_key";
    case OutboxErrorKind::DiskFull:
        return "disk_full";
    case OutboxErrorKind::IoError:
        return "io_error";
    }
    return "unknown";
}

struct Outbox::Impl {
    sqlite3* db = nullptr;
    OutboxOptions options;
    mutable std::mutex mutex;

    ~Impl() { sqlite3_close(db); }

    std::int64_t now() const { return options.clock ? options.clock() : system_now_ms(); }

    Statement prepare(const char* sql) const {
        sqlite3_stmt* statement = nullptr;
        sqlite3_prepare_v2(db, sql, -1, &statement, nullptr);
        return Statement(statement);
    }
    Statement prepare(const std::string& sql) const { return prepare(sql.c_str()); }

    // Runs `sql`; on failure returns SQLite's extended code and sets `error`.
    int exec(const char* sql, std::string& error) const {
        char* message = nullptr;
        const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &message);
        if (rc != SQLITE_OK) {
            error = message != nullptr ? message : sqlite3_errstr(rc);
            sqlite3_free(message);
            return sqlite3_extended_errcode(db);
        }
        return SQLITE_OK;
    }

    void rollback() const {
        std::string ignored;
        exec("ROLLBACK", ignored);
    }

    std::size_t count(const char* sql) const {
        auto s = prepare(sql);
        if (!s || sqlite3_step(s.get()) != SQLITE_ROW) {
            return 0;
        }
        return static_cast<std::size_t>(sqlite3_column_int64(s.get(), 0));
    }

    int open_checked(const std::filesystem::path& file, std::string& error);

    std::size_t changes_of(const char* sql, std::int64_t a, std::int64_t b = 0) const {
        auto s = prepare(sql);
        if (!s) {
            return 0;
        }
        sqlite3_bind_int64(s.get(), 1, a);
        sqlite3_bind_int64(s.get(), 2, b);
        if (sqlite3_step(s.get()) != SQLITE_DONE) {
            return 0;
        }
        return static_cast<std::size_t>(sqlite3_changes(db));
    }
};

Outbox::Outbox(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Outbox::~Outbox() = default;

// Opens and checks one file. Returns SQLITE_OK, or the code that failed with `error` set.
int Outbox::Impl::open_checked(const std::filesystem::path& file, std::string& error) {
    Impl& impl = *this;
    if (sqlite3_open_v2(file.c_str(), &impl.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                        nullptr) != SQLITE_OK) {
        error = sqlite3_errmsg(impl.db);
        return sqlite3_extended_errcode(impl.db);
    }
    sqlite3_extended_result_codes(impl.db, 1);
    sqlite3_busy_timeout(impl.db, 5000);
    // WAL with synchronous=FULL: a commit is on disk (WAL fsynced) before it returns.
    if (int rc = impl.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", error)) {
        return rc;
    }
    {
        auto check = impl.prepare("PRAGMA integrity_check");
        if (!check) {
            error = sqlite3_errmsg(impl.db);
            return sqlite3_extended_errcode(impl.db);
        }
        const int rc = sqlite3_step(check.get());
        if (rc != SQLITE_ROW) {
            error = sqlite3_errmsg(impl.db);
            return sqlite3_extended_errcode(impl.db);
        }
        const std::string verdict = column_text(check.get(), 0);
        if (verdict != "ok") {
            error = "integrity_check: " + verdict;
            return SQLITE_CORRUPT;
        }
    }
    // Schema: the walking skeleton's table (version 0) gains the columns the state machine
    // needs; a new file gets them at once. One transaction, so a crash leaves either.
    if (int rc = impl.exec("BEGIN IMMEDIATE;"
                           "CREATE TABLE IF NOT EXISTS outbox ("
                           " id INTEGER PRIMARY KEY AUTOINCREMENT,"
                           " idempotency_key TEXT NOT NULL UNIQUE,"
                           " route TEXT NOT NULL,"
                           " body TEXT NOT NULL,"
                           " created_at_ms INTEGER NOT NULL)",
                           error)) {
        impl.rollback();
        return rc;
    }
    std::size_t version = impl.count("PRAGMA user_version");
    if (version < static_cast<std::size_t>(kSchemaVersion)) {
        const std::string migrate =
            "ALTER TABLE outbox ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;"
            "ALTER TABLE outbox ADD COLUMN expires_at_ms INTEGER NOT NULL DEFAULT 0;"
            "ALTER TABLE outbox ADD COLUMN state TEXT NOT NULL DEFAULT 'pending'"
            "  CHECK (state IN ('pending', 'dead'));"
            "ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;"
            "ALTER TABLE outbox ADD COLUMN next_attempt_at_ms INTEGER NOT NULL DEFAULT 0;"
            "ALTER TABLE outbox ADD COLUMN last_error TEXT NOT NULL DEFAULT '';"
            "ALTER TABLE outbox ADD COLUMN dead_reason TEXT NOT NULL DEFAULT '';"
            "ALTER TABLE outbox ADD COLUMN dead_at_ms INTEGER NOT NULL DEFAULT 0;"
            "CREATE INDEX IF NOT EXISTS outbox_by_state ON outbox (state, id);"
            "UPDATE outbox SET expires_at_ms = created_at_ms + " +
            std::to_string(impl.options.max_age.count()) +
            ";"
            "PRAGMA user_version = " +
            std::to_string(kSchemaVersion) + ";";
        if (int rc = impl.exec(migrate.c_str(), error)) {
            impl.rollback();
            return rc;
        }
    }
    if (int rc = impl.exec("COMMIT", error)) {
        impl.rollback();
        return rc;
    }
    if (impl.options.max_database_bytes > 0) {
        const auto page_size = static_cast<std::int64_t>(impl.count("PRAGMA page_size"));
        const auto pages = std::max<std::int64_t>(1, impl.options.max_database_bytes / page_size);
        const std::string pragma = "PRAGMA max_page_count = " + std::to_string(pages);
        impl.count(pragma.c_str());
    }
    return SQLITE_OK;
}

namespace {

// Moves `file` and its -wal/-shm companions aside under one timestamped name.
bool move_aside(const std::filesystem::path& file, std::filesystem::path& moved,
                std::string& error) {
    const std::string stamp = utc_stamp();
    std::string base = file.string() + ".corrupt-" + stamp;
    for (int n = 1; std::filesystem::exists(base); ++n) {
        base = file.string() + ".corrupt-" + stamp + "-" + std::to_string(n);
    }
    std::error_code ec;
    for (const char* suffix : {"-wal", "-shm", ""}) {
        const std::filesystem::path from = file.string() + suffix;
        if (std::filesystem::exists(from, ec)) {
            std::filesystem::rename(from, base + suffix, ec);
            if (ec) {
                error = "cannot move " + from.string() + " aside: " + ec.message();
                return false;
            }
        }
    }
    moved = base;
    return true;
}

} // namespace

std::unique_ptr<Outbox> Outbox::open(const std::filesystem::path& file, OutboxOptions options,
                                     OpenReport& report, std::string& error) {
    report = {};
    auto impl = std::make_unique<Impl>();
    impl->options = options;
    std::string why;
    int rc = impl->open_checked(file, why);
    if (rc != SQLITE_OK && is_corruption(rc)) {
        // Only corruption is recovered from: a busy, locked or unreadable file is reported
        // as it is, since moving it aside would hide items that are still good.
        impl = std::make_unique<Impl>();
        impl->options = options;
        if (!move_aside(file, report.moved_aside, error)) {
            return nullptr;
        }
        report.recovered = true;
        report.reason = why;
        rc = impl->open_checked(file, why);
    }
    if (rc != SQLITE_OK) {
        error = "outbox " + file.string() + ": " + why;
        return nullptr;
    }
    return std::unique_ptr<Outbox>(new Outbox(std::move(impl)));
}

Outbox::EnqueueResult Outbox::enqueue(const NewItem& item) {
    const OutboxOptions& o = impl_->options;
    if (!valid_route(item.route)) {
        return OutboxError{OutboxErrorKind::Invalid, "not an API route: " + item.route};
    }
    if (item.body.size() > o.max_body_bytes) {
        return OutboxError{OutboxErrorKind::TooLarge,
                           "request of " + std::to_string(item.body.size()) +
                               " bytes; the limit is " + std::to_string(o.max_body_bytes)};
    }
    if (item.sealed) {
        if (item.body.empty() || !base64_decode(item.body)) {
            return OutboxError{OutboxErrorKind::Invalid, "a sealed body must be base64"};
        }
    } else {
        const auto doc = nlohmann::json::parse(item.body, nullptr, /*allow_exceptions=*/false);
        if (doc.is_discarded() || !doc.is_object()) {
            return OutboxError{OutboxErrorKind::Invalid, "the body must be one JSON object"};
        }
    }
    if (!item.idempotency_key.empty() && !valid_idempotency_key(item.idempotency_key)) {
        return OutboxError{OutboxErrorKind::Invalid, "malformed idempotency key"};
    }
    const std::string key = item.idempotency_key.empty() ? random_token(24) : item.idempotency_key;

    std::lock_guard lock(impl_->mutex);
    std::string error;
    if (impl_->exec("BEGIN IMMEDIATE", error) != SQLITE_OK) {
        return storage_error(impl_->db, "starting the transaction");
    }
    {
        auto existing = impl_->prepare("SELECT route, body, sealed FROM outbox "
                                       "WHERE idempotency_key = ?");
        if (!existing) {
            auto failure = storage_error(impl_->db, "reading the outbox");
            impl_->rollback();
            return failure;
        }
        sqlite3_bind_text(existing.get(), 1, key.c_str(), -1, SQLITE_TRANSIENT);
        if (sqlite3_step(existing.get()) == SQLITE_ROW) {
            const bool same = column_text(existing.get(), 0) == item.route &&
                              column_text(existing.get(), 1) == item.body &&
                              (sqlite3_column_int(existing.get(), 2) != 0) == item.sealed;
            existing.reset();
            impl_->rollback();
            if (same) {
                return key; // already saved: a retried enqueue, not a new request
            }
            return OutboxError{OutboxErrorKind::DuplicateKey,
                               "the key is already queued with another request"};
        }
    }
    if (impl_->count("SELECT COUNT(*) FROM outbox") >= o.max_items) {
        impl_->rollback();
        return OutboxError{OutboxErrorKind::QueueFull,
                           "the outbox holds " + std::to_string(o.max_items) + " items, its limit"};
    }
    const std::int64_t now = impl_->now();
    auto insert = impl_->prepare(
        "INSERT INTO outbox (idempotency_key, route, body, sealed, created_at_ms, expires_at_ms,"
        " state, attempts, next_attempt_at_ms) VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?)");
    if (!insert) {
        auto failure = storage_error(impl_->db, "preparing the insert");
        impl_->rollback();
        return failure;
    }
    sqlite3_bind_text(insert.get(), 1, key.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(insert.get(), 2, item.route.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(insert.get(), 3, item.body.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(insert.get(), 4, item.sealed ? 1 : 0);
    sqlite3_bind_int64(insert.get(), 5, now);
    sqlite3_bind_int64(insert.get(), 6, now + o.max_age.count());
    sqlite3_bind_int64(insert.get(), 7, now);
    if (sqlite3_step(insert.get()) != SQLITE_DONE) {
        auto failure = storage_error(impl_->db, "saving the request");
        insert.reset();
        impl_->rollback();
        return failure;
    }
    insert.reset();
    if (impl_->exec("COMMIT", error) != SQLITE_OK) {
        auto failure = storage_error(impl_->db, "committing the request");
        impl_->rollback();
        return failure;
    }
    return key;
}

std::size_t Outbox::expire() {
    std::lock_guard lock(impl_->mutex);
    const std::int64_t now = impl_->now();
    return impl_->changes_of("UPDATE outbox SET state = 'dead', dead_reason = 'expired',"
                             " dead_at_ms = ?1 WHERE state = 'pending' AND expires_at_ms <= ?1",
                             now);
}

std::vector<OutboxItem> Outbox::next_batch(std::size_t limit) {
    std::lock_guard lock(impl_->mutex);
    const std::int64_t now = impl_->now();
    std::vector<OutboxItem> items;
    auto select = impl_->prepare(std::string("SELECT ") + kColumns +
                                 " FROM outbox WHERE state = 'pending' AND expires_at_ms > ?"
                                 " ORDER BY id LIMIT ?");
    if (!select) {
        return items;
    }
    sqlite3_bind_int64(select.get(), 1, now);
    sqlite3_bind_int64(select.get(), 2, static_cast<sqlite3_int64>(limit));
    while (sqlite3_step(select.get()) == SQLITE_ROW) {
        OutboxItem item = read_item(select.get());
        if (item.next_attempt_at_ms > now) {
            break; // nothing overtakes an item that is waiting out its backoff
        }
        items.push_back(std::move(item));
    }
    return items;
}

std::optional<std::int64_t> Outbox::next_due_at_ms() const {
    std::lock_guard lock(impl_->mutex);
    auto select = impl_->prepare("SELECT next_attempt_at_ms FROM outbox WHERE state = 'pending'"
                                 " ORDER BY id LIMIT 1");
    if (!select || sqlite3_step(select.get()) != SQLITE_ROW) {
        return std::nullopt;
    }
    return sqlite3_column_int64(select.get(), 0);
}

bool Outbox::apply(const std::vector<Outcome>& outcomes, std::string& error) {
    std::lock_guard lock(impl_->mutex);
    if (impl_->exec("BEGIN IMMEDIATE", error) != SQLITE_OK) {
        return false;
    }
    const std::int64_t now = impl_->now();
    auto remove = impl_->prepare("DELETE FROM outbox WHERE id = ?");
    auto retry = impl_->prepare("UPDATE outbox SET attempts = attempts + 1, last_error = ?,"
                                " next_attempt_at_ms = ? WHERE id = ? AND state = 'pending'");
    auto dead =
        impl_->prepare("UPDATE outbox SET attempts = attempts + 1, state = 'dead', dead_reason = ?,"
                       " last_error = ?, dead_at_ms = ? WHERE id = ? AND state = 'pending'");
    if (!remove || !retry || !dead) {
        error = sqlite3_errmsg(impl_->db);
        impl_->rollback();
        return false;
    }
    for (const auto& outcome : outcomes) {
        sqlite3_stmt* s = nullptr;
        switch (outcome.kind) {
        case Outcome::Kind::Delivered:
            s = remove.get();
            sqlite3_bind_int64(s, 1, outcome.id);
            break;
        case Outcome::Kind::Retry:
            s = retry.get();
            sqlite3_bind_text(s, 1, outcome.error.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(s, 2, outcome.next_attempt_at_ms);
            sqlite3_bind_int64(s, 3, outcome.id);
            break;
        case Outcome::Kind::Dead:
            s = dead.get();
            sqlite3_bind_text(s, 1, outcome.error.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(s, 2, outcome.error.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(s, 3, now);
            sqlite3_bind_int64(s, 4, outcome.id);
            break;
        }
        const int rc = sqlite3_step(s);
        sqlite3_reset(s);
        if (rc != SQLITE_DONE) {
            error = sqlite3_errmsg(impl_->db);
            impl_->rollback();
            return false;
        }
    }
    remove.reset();
    retry.reset();
    dead.reset();
    if (impl_->exec("COMMIT", error) != SQLITE_OK) {
        impl_->rollback();
        return false;
    }
    return true;
}

std::vector<OutboxItem> Outbox::dead_letters(std::size_t limit) const {
    std::lock_guard lock(impl_->mutex);
    std::vector<OutboxItem> items;
    auto select = impl_->prepare(std::string("SELECT ") + kColumns +
                                 " FROM outbox WHERE state = 'dead' ORDER BY id LIMIT ?");
    if (!select) {
        return items;
    }
    sqlite3_bind_int64(select.get(), 1, static_cast<sqlite3_int64>(limit));
    while (sqlite3_step(select.get()) == SQLITE_ROW) {
        items.push_back(read_item(select.get()));
    }
    return items;
}

namespace {
constexpr const char* kRetrySql =
    "UPDATE outbox SET state = 'pending', attempts = 0, dead_reason = '', dead_at_ms = 0,"
    " next_attempt_at_ms = ?1, expires_at_ms = ?1 + ?2 WHERE state = 'dead'";
} // namespace

bool Outbox::retry_dead(std::int64_t id) {
    std::lock_guard lock(impl_->mutex);
    auto s = impl_->prepare(std::string(kRetrySql) + " AND id = ?3");
    if (!s) {
        return false;
    }
    sqlite3_bind_int64(s.get(), 1, impl_->now());
    sqlite3_bind_int64(s.get(), 2, impl_->options.max_age.count());
    sqlite3_bind_int64(s.get(), 3, id);
    return sqlite3_step(s.get()) == SQLITE_DONE && sqlite3_changes(impl_->db) == 1;
}

std::size_t Outbox::retry_all_dead() {
    std::lock_guard lock(impl_->mutex);
    return impl_->changes_of(kRetrySql, impl_->now(), impl_->options.max_age.count());
}

bool Outbox::clear_dead(std::int64_t id) {
    std::lock_guard lock(impl_->mutex);
    return impl_->changes_of("DELETE FROM outbox WHERE state = 'dead' AND id = ?", id) == 1;
}

std::size_t Outbox::clear_all_dead() {
    std::lock_guard lock(impl_->mutex);
    return impl_->changes_of("DELETE FROM outbox WHERE state = 'dead' AND ?1 = ?1", 0);
}

OutboxCounts Outbox::counts() const {
    std::lock_guard lock(impl_->mutex);
    OutboxCounts counts;
    counts.pending = impl_->count("SELECT COUNT(*) FROM outbox WHERE state = 'pending'");
    counts.dead = impl_->count("SELECT COUNT(*) FROM outbox WHERE state = 'dead'");
    auto oldest = impl_->prepare("SELECT MIN(created_at_ms) FROM outbox WHERE state = 'pending'");
    if (oldest && sqlite3_step(oldest.get()) == SQLITE_ROW &&
        sqlite3_column_type(oldest.get(), 0) != SQLITE_NULL) {
        counts.oldest_pending_created_at_ms = sqlite3_column_int64(oldest.get(), 0);
    }
    return counts;
}

std::size_t Outbox::size() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->count("SELECT COUNT(*) FROM outbox");
}

std::optional<OutboxItem> Outbox::find(std::string_view idempotency_key) const {
    std::lock_guard lock(impl_->mutex);
    auto select = impl_->prepare(std::string("SELECT ") + kColumns +
                                 " FROM outbox WHERE idempotency_key = ?");
    if (!select) {
        return std::nullopt;
    }
    const std::string key(idempotency_key);
    sqlite3_bind_text(select.get(), 1, key.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(select.get()) != SQLITE_ROW) {
        return std::nullopt;
    }
    return read_item(select.get());
}

std::string Outbox::integrity_check() const {
    std::lock_guard lock(impl_->mutex);
    auto check = impl_->prepare("PRAGMA integrity_check");
    if (!check || sqlite3_step(check.get()) != SQLITE_ROW) {
        return sqlite3_errmsg(impl_->db);
    }
    return column_text(check.get(), 0);
}

std::int64_t Outbox::now_ms() const {
    return impl_->now();
}

} // namespace kiosk::offline
