// A prepared SQLite statement behind RAII, for the central's modules that run on the
// Store's connection (Store::with_connection). Private to central/src.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <sqlite3.h>
#include <stdexcept>
#include <string>

namespace kiosk::central::sql {

struct StatementDeleter {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

// A prepared statement with positional binding; throws on database errors.
class Query {
public:
    Query(sqlite3* db, const char* sql) : db_(db) {
        sqlite3_stmt* raw = nullptr;
        if (sqlite3_prepare_v2(db, sql, -1, &raw, nullptr) != SQLITE_OK) {
            fail("prepare");
        }
        statement_.reset(raw);
    }
    Query& bind(const std::string& value) {
        sqlite3_bind_text(statement_.get(), ++index_, value.c_str(), static_cast<int>(value.size()),
                          SQLITE_TRANSIENT);
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
    bool step() {
        const int rc = sqlite3_step(statement_.get());
        if (rc == SQLITE_ROW) {
            return true;
        }
        if (rc != SQLITE_DONE) {
            fail("step");
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
    std::optional<std::int64_t> optional_integer(int column) const {
        if (sqlite3_column_type(statement_.get(), column) == SQLITE_NULL) {
            return std::nullopt;
        }
        return integer(column);
    }

private:
    [[noreturn]] void fail(const char* what) const {
        throw std::runtime_error(std::string("sqlite: ") + what + ": " + sqlite3_errmsg(db_));
    }
    sqlite3* db_;
    std::unique_ptr<sqlite3_stmt, StatementDeleter> statement_;
    int index_ = 0;
};

inline void exec(sqlite3* db, const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
        std::string text = message != nullptr ? message : "unknown error";
        sqlite3_free(message);
        throw std::runtime_error("sqlite: " + text);
    }
}

} // namespace kiosk::central::sql
