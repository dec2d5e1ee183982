// sql::Connection on SQLite: one sqlite3* (WAL, busy timeout), statements behind RAII.
#include "connections.hpp"

#include <sqlite3.h>
#include <stdexcept>

namespace kiosk::central::sql {
namespace {

struct StatementDeleter {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
struct DatabaseDeleter {
    void operator()(sqlite3* db) const { sqlite3_close(db); }
};

[[noreturn]] void fail(sqlite3* db, const char* what) {
    throw std::runtime_error(std::string("sqlite: ") + what + ": " + sqlite3_errmsg(db));
}

class SqliteStatement final : public Statement {
public:
    SqliteStatement(sqlite3* db, std::string_view sql) : db_(db) {
        sqlite3_stmt* raw = nullptr;
        if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &raw, nullptr) !=
            SQLITE_OK) {
            fail(db, "prepare");
        }
        statement_.reset(raw);
    }
    void bind_text(int index, std::string_view value) override {
        sqlite3_bind_text(statement_.get(), index, value.data(), static_cast<int>(value.size()),
                          SQLITE_TRANSIENT);
    }
    void bind_integer(int index, std::int64_t value) override {
        sqlite3_bind_int64(statement_.get(), index, value);
    }
    void bind_null(int index) override { sqlite3_bind_null(statement_.get(), index); }
    bool step() override {
        const int rc = sqlite3_step(statement_.get());
        if (rc == SQLITE_ROW) {
            return true;
        }
        if (rc != SQLITE_DONE) {
            fail(db_, "step");
        }
        return false;
    }
    bool is_null(int column) const override {
        return sqlite3_column_type(statement_.get(), column) == SQLITE_NULL;
    }
    std::string text(int column) const override {
        const auto* value = sqlite3_column_text(statement_.get(), column);
        if (value == nullptr) {
            return {};
        }
        return {reinterpret_cast<const char*>(value),
                static_cast<std::size_t>(sqlite3_column_bytes(statement_.get(), column))};
    }
    std::int64_t integer(int column) const override {
        return sqlite3_column_int64(statement_.get(), column);
    }
    int columns() const override { return sqlite3_column_count(statement_.get()); }

private:
    sqlite3* db_;
    std::unique_ptr<sqlite3_stmt, StatementDeleter> statement_;
};

class SqliteConnection final : public Connection {
public:
    explicit SqliteConnection(sqlite3* db) : db_(db) {}
    Dialect dialect() const override { return Dialect::sqlite; }
    void exec(std::string_view sql) override {
        const std::string text(sql);
        char* message = nullptr;
        if (sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
            std::string why = message != nullptr ? message : "unknown error";
            sqlite3_free(message);
            throw std::runtime_error("sqlite: " + why);
        }
    }
    std::unique_ptr<Statement> prepare(std::string_view sql) override {
        return std::make_unique<SqliteStatement>(db_.get(), sql);
    }
    std::int64_t changes() const override { return sqlite3_changes64(db_.get()); }
    bool in_transaction() const override { return sqlite3_get_autocommit(db_.get()) == 0; }
    void begin_write() override { exec("BEGIN IMMEDIATE"); }
    void rollback() noexcept override {
        sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
    void rollback_to(std::string_view name) noexcept override {
        const std::string n(name);
        const std::string sql = "ROLLBACK TO " + n + "; RELEASE " + n;
        sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, nullptr);
    }

private:
    std::unique_ptr<sqlite3, DatabaseDeleter> db_;
};

} // namespace

std::unique_ptr<Connection> open_sqlite(const std::string& path, std::string& error) {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(
        path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
        nullptr);
    std::unique_ptr<sqlite3, DatabaseDeleter> db(raw);
    if (rc != SQLITE_OK) {
        error =
            "cannot open " + path + ": " + (raw != nullptr ? sqlite3_errmsg(raw) : "out of memory");
        return nullptr;
    }
    sqlite3_busy_timeout(raw, 5000);
    return std::make_unique<SqliteConnection>(db.release());
}

} // namespace kiosk::central::sql
