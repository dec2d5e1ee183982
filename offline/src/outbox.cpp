// SQLite behind Outbox. One connection, used from one thread at a time; every write is its
// own transaction, committed with synchronous=FULL before the call returns.
#include "kiosk/offline/outbox.hpp"

#include "kiosk/common/random.hpp"

#include <chrono>
#include <sqlite3.h>

namespace kiosk::offline {
namespace {

struct StatementDeleter {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Statement = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace

struct Outbox::Impl {
    sqlite3* db = nullptr;
    ~Impl() { sqlite3_close(db); }

    Statement prepare(const char* sql) const {
        sqlite3_stmt* statement = nullptr;
        sqlite3_prepare_v2(db, sql, -1, &statement, nullptr);
        return Statement(statement);
    }
    bool exec(const char* sql, std::string& error) const {
        char* message = nullptr;
        if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
            error = message != nullptr ? message : "unknown SQLite error";
            sqlite3_free(message);
            return false;
        }
        return true;
    }
};

Outbox::Outbox(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Outbox::~Outbox() = default;

std::unique_ptr<Outbox> Outbox::open(const std::filesystem::path& file, std::string& error) {
    auto impl = std::make_unique<Impl>();
    if (sqlite3_open_v2(file.c_str(), &impl->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                        nullptr) != SQLITE_OK) {
        error = "cannot open outbox " + file.string() + ": " + sqlite3_errmsg(impl->db);
        return nullptr;
    }
    sqlite3_busy_timeout(impl->db, 5000);
    if (!impl->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", error) ||
        !impl->exec("CREATE TABLE IF NOT EXISTS outbox ("
                    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
                    " idempotency_key TEXT NOT NULL UNIQUE,"
                    " route TEXT NOT NULL,"
                    " body TEXT NOT NULL,"
                    " created_at_ms INTEGER NOT NULL)",
                    error)) {
        error = "outbox " + file.string() + ": " + error;
        return nullptr;
    }
    auto check = impl->prepare("PRAGMA integrity_check");
    if (!check || sqlite3_step(check.get()) != SQLITE_ROW ||
        std::string(reinterpret_cast<const char*>(sqlite3_column_text(check.get(), 0))) != "ok") {
        error = "outbox " + file.string() + " failed its integrity check";
        return nullptr;
    }
    return std::unique_ptr<Outbox>(new Outbox(std::move(impl)));
}

std::optional<std::string> Outbox::enqueue(const std::string& route, const std::string& body,
                                           std::string& error) {
    std::string key = random_token(24);
    auto insert = impl_->prepare(
        "INSERT INTO outbox (idempotency_key, route, body, created_at_ms) VALUES (?, ?, ?, ?)");
    if (!insert) {
        error = sqlite3_errmsg(impl_->db);
        return std::nullopt;
    }
    sqlite3_bind_text(insert.get(), 1, key.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(insert.get(), 2, route.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(insert.get(), 3, body.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(insert.get(), 4, now_ms());
    if (sqlite3_step(insert.get()) != SQLITE_DONE) {
        error = sqlite3_errmsg(impl_->db);
        return std::nullopt;
    }
    return key;
}

std::vector<OutboxItem> Outbox::pending(std::size_t limit) const {
    std::vector<OutboxItem> items;
    auto select = impl_->prepare("SELECT id, idempotency_key, route, body, created_at_ms "
                                 "FROM outbox ORDER BY id LIMIT ?");
    sqlite3_bind_int64(select.get(), 1, static_cast<sqlite3_int64>(limit));
    while (sqlite3_step(select.get()) == SQLITE_ROW) {
        auto text = [&](int column) {
            return std::string(
                reinterpret_cast<const char*>(sqlite3_column_text(select.get(), column)));
        };
        items.push_back({sqlite3_column_int64(select.get(), 0), text(1), text(2), text(3),
                         sqlite3_column_int64(select.get(), 4)});
    }
    return items;
}

bool Outbox::remove(std::int64_t id) {
    auto erase = impl_->prepare("DELETE FROM outbox WHERE id = ?");
    sqlite3_bind_int64(erase.get(), 1, id);
    return sqlite3_step(erase.get()) == SQLITE_DONE && sqlite3_changes(impl_->db) == 1;
}

std::size_t Outbox::size() const {
    auto count = impl_->prepare("SELECT COUNT(*) FROM outbox");
    sqlite3_step(count.get());
    return static_cast<std::size_t>(sqlite3_column_int64(count.get(), 0));
}

} // namespace kiosk::offline
