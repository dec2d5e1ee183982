// The central's SQL connection, one interface over two backends: SQLite (a file, the
// default) and PostgreSQL 15 through libpq (several central processes on one database).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace kiosk::central::sql {

enum class Dialect { sqlite, postgresql };

// A backend's prepared statement; Query is how code uses one. Parameters are numbered
// from 1, columns from 0.
class Statement {
public:
    virtual ~Statement() = default;
    virtual void bind_text(int index, std::string_view value) = 0;
    virtual void bind_integer(int index, std::int64_t value) = 0;
    virtual void bind_null(int index) = 0;
    // Runs the statement on the first call; true while there is a row.
    virtual bool step() = 0;
    [[nodiscard]] virtual bool is_null(int column) const = 0;
    [[nodiscard]] virtual std::string text(int column) const = 0;
    [[nodiscard]] virtual std::int64_t integer(int column) const = 0;
    [[nodiscard]] virtual int columns() const = 0;
};

// One connection. Not thread-safe: its owner serialises calls (Store's mutex). Errors of
// the database throw std::runtime_error.
class Connection {
public:
    virtual ~Connection() = default;
    [[nodiscard]] virtual Dialect dialect() const = 0;
    // One or more statements without parameters (schema, transaction control).
    virtual void exec(std::string_view sql) = 0;
    // `sql` takes SQLite-style `?` and `?N` parameters on both backends (rewritten to `$N`
    // for PostgreSQL once, here).
    virtual std::unique_ptr<Statement> prepare(std::string_view sql) = 0;
    // Rows the last INSERT/UPDATE/DELETE changed.
    [[nodiscard]] virtual std::int64_t changes() const = 0;
    [[nodiscard]] virtual bool in_transaction() const = 0;
    // Starts a transaction that holds the database's write lock until it ends, so that a
    // read followed by a dependent write cannot interleave with another writer, in this
    // process or any other: SQLite BEGIN IMMEDIATE; PostgreSQL BEGIN plus a transaction-level
    // advisory lock every central process takes for its writes (docs/internals/central.md).
    virtual void begin_write() = 0;
    // Ends the transaction (COMMIT / ROLLBACK); rollback never throws.
    void commit() { exec("COMMIT"); }
    virtual void rollback() noexcept = 0;
    // Rolls back to and releases savepoint `name`; never throws.
    virtual void rollback_to(std::string_view name) noexcept = 0;
};

// Opens `url`: "sqlite:PATH" (or a bare path) or "postgresql://…" / "postgres://…" (a libpq
// URI). nullptr with `error` saying why.
std::unique_ptr<Connection> open(const std::string& url, std::string& error);

// Which backend `url` names (as open() reads it).
Dialect dialect_of(const std::string& url);

// A prepared statement with positional binding helpers, on either backend.
class Query {
public:
    Query(Connection& connection, std::string_view sql) : statement_(connection.prepare(sql)) {}
    Query& bind(const std::string& value) {
        statement_->bind_text(++index_, value);
        return *this;
    }
    Query& bind(std::string_view value) {
        statement_->bind_text(++index_, value);
        return *this;
    }
    Query& bind(const char* value) { return bind(std::string_view(value)); }
    Query& bind(std::int64_t value) {
        statement_->bind_integer(++index_, value);
        return *this;
    }
    Query& bind(std::optional<std::int64_t> value) {
        if (value) {
            return bind(*value);
        }
        statement_->bind_null(++index_);
        return *this;
    }
    // True while there is a row.
    bool step() { return statement_->step(); }
    [[nodiscard]] std::string text(int column) const { return statement_->text(column); }
    [[nodiscard]] std::int64_t integer(int column) const { return statement_->integer(column); }
    [[nodiscard]] bool is_null(int column) const { return statement_->is_null(column); }
    // Columns of the result (after the first step()).
    [[nodiscard]] int columns() const { return statement_->columns(); }
    [[nodiscard]] std::optional<std::int64_t> optional_integer(int column) const {
        if (statement_->is_null(column)) {
            return std::nullopt;
        }
        return statement_->integer(column);
    }

private:
    std::unique_ptr<Statement> statement_;
    int index_ = 0;
};

inline void exec(Connection& connection, std::string_view sql) {
    connection.exec(sql);
}

// A write transaction that commits on commit() and rolls back when an exception leaves the
// scope. Inside a running transaction (a batch's) it is a savepoint instead, so the outer
// transaction's one COMMIT makes it durable.
class Transaction {
public:
    explicit Transaction(Connection& connection, const char* savepoint = "step")
        : connection_(connection), savepoint_(savepoint), nested_(connection.in_transaction()) {
        if (nested_) {
            connection_.exec(std::string("SAVEPOINT ") + savepoint_);
        } else {
            connection_.begin_write();
        }
    }
    void commit() {
        if (nested_) {
            connection_.exec(std::string("RELEASE ") + savepoint_);
        } else {
            connection_.commit();
        }
        done_ = true;
    }
    ~Transaction() {
        if (!done_) {
            if (nested_) {
                connection_.rollback_to(savepoint_);
            } else {
                connection_.rollback();
            }
        }
    }
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

private:
    Connection& connection_;
    const char* savepoint_;
    bool nested_;
    bool done_ = false;
};

} // namespace kiosk::central::sql
