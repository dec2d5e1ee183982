// sql::Connection on PostgreSQL through libpq: one PGconn, results behind RAII, parameters
// sent as text with explicit types (int8, text) so the server never has to guess one.
#include "connections.hpp"

#include <charconv>
#include <libpq-fe.h>
#include <stdexcept>
#include <vector>

namespace kiosk::central::sql {
namespace {

// The key of the advisory lock every central process's write transaction takes: the
// PostgreSQL counterpart of SQLite's one database write lock.
constexpr const char* kBeginWrite = "BEGIN; SELECT pg_advisory_xact_lock(7305880162)";

constexpr Oid kInt8 = 20;
constexpr Oid kText = 25;

struct ConnectionDeleter {
    void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultDeleter {
    void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

// Throws unless `result` is a success; the message carries the SQLSTATE.
void check(PGconn* conn, const Result& result, const char* what) {
    const auto status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
        return;
    }
    std::string message = result ? PQresultErrorMessage(result.get()) : PQerrorMessage(conn);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
        message.pop_back();
    }
    const char* state = result ? PQresultErrorField(result.get(), PG_DIAG_SQLSTATE) : nullptr;
    throw std::runtime_error(std::string("postgresql: ") + what + ": " + message +
                             (state != nullptr ? std::string(" [") + state + "]" : ""));
}

void no_notices(void*, const char*) {} // "already exists, skipping" and the like

class PostgresConnection;

class PostgresStatement final : public Statement {
public:
    PostgresStatement(PostgresConnection& owner, std::string_view sql);
    void bind_text(int index, std::string_view value) override {
        slot(index) = std::string(value);
        types_[static_cast<std::size_t>(index - 1)] = kText;
    }
    void bind_integer(int index, std::int64_t value) override {
        slot(index) = std::to_string(value);
        types_[static_cast<std::size_t>(index - 1)] = kInt8;
    }
    void bind_null(int index) override {
        slot(index).reset();
        types_[static_cast<std::size_t>(index - 1)] = 0; // the column's type
    }
    bool step() override;
    bool is_null(int column) const override {
        return PQgetisnull(result_.get(), row_, column) != 0;
    }
    std::string text(int column) const override {
        return {PQgetvalue(result_.get(), row_, column),
                static_cast<std::size_t>(PQgetlength(result_.get(), row_, column))};
    }
    std::int64_t integer(int column) const override {
        const char* value = PQgetvalue(result_.get(), row_, column);
        const char* end = value + PQgetlength(result_.get(), row_, column);
        std::int64_t number = 0;
        std::from_chars(value, end, number);
        return number;
    }
    int columns() const override { return result_ ? PQnfields(result_.get()) : 0; }

private:
    std::optional<std::string>& slot(int index) {
        if (index < 1 || index > static_cast<int>(values_.size())) {
            throw std::runtime_error("postgresql: parameter " + std::to_string(index) +
                                     " of a statement with " + std::to_string(values_.size()));
        }
        return values_[static_cast<std::size_t>(index - 1)];
    }
    PostgresConnection& owner_;
    std::string sql_;
    std::vector<std::optional<std::string>> values_;
    std::vector<Oid> types_;
    Result result_;
    int row_ = -1;
    bool executed_ = false;
};

class PostgresConnection final : public Connection {
public:
    explicit PostgresConnection(PGconn* conn) : conn_(conn) {}
    Dialect dialect() const override { return Dialect::postgresql; }
    void exec(std::string_view sql) override {
        Result result(PQexec(conn_.get(), std::string(sql).c_str()));
        check(conn_.get(), result, "exec");
        note_changes(result.get());
    }
    std::unique_ptr<Statement> prepare(std::string_view sql) override {
        return std::make_unique<PostgresStatement>(*this, sql);
    }
    std::int64_t changes() const override { return changes_; }
    bool in_transaction() const override {
        return PQtransactionStatus(conn_.get()) != PQTRANS_IDLE;
    }
    void begin_write() override { exec(kBeginWrite); }
    void rollback() noexcept override { Result(PQexec(conn_.get(), "ROLLBACK")); }
    void rollback_to(std::string_view name) noexcept override {
        const std::string n(name);
        Result(PQexec(conn_.get(), ("ROLLBACK TO " + n + "; RELEASE " + n).c_str()));
    }

    PGconn* raw() const { return conn_.get(); }
    void note_changes(PGresult* result) {
        const char* tuples = PQcmdTuples(result);
        changes_ = 0;
        if (tuples != nullptr && *tuples != '\0') {
            std::from_chars(tuples, tuples + std::char_traits<char>::length(tuples), changes_);
        }
    }

private:
    std::unique_ptr<PGconn, ConnectionDeleter> conn_;
    std::int64_t changes_ = 0;
};

PostgresStatement::PostgresStatement(PostgresConnection& owner, std::string_view sql)
    : owner_(owner) {
    int count = 0;
    sql_ = postgres_placeholders(sql, count);
    values_.resize(static_cast<std::size_t>(count));
    types_.assign(static_cast<std::size_t>(count), kText);
}

bool PostgresStatement::step() {
    if (!executed_) {
        std::vector<const char*> values;
        values.reserve(values_.size());
        for (const auto& v : values_) {
            values.push_back(v ? v->c_str() : nullptr);
        }
        result_.reset(PQexecParams(owner_.raw(), sql_.c_str(), static_cast<int>(values.size()),
                                   types_.data(), values.data(), nullptr, nullptr, 0));
        check(owner_.raw(), result_, "query");
        owner_.note_changes(result_.get());
        executed_ = true;
    }
    return ++row_ < PQntuples(result_.get());
}

} // namespace

std::string postgres_placeholders(std::string_view sql, int& count) {
    std::string out;
    out.reserve(sql.size() + 8);
    count = 0;
    int next = 0;
    for (std::size_t i = 0; i < sql.size(); ++i) {
        const char c = sql[i];
        if (c == '\'' || c == '"') { // a literal or a quoted name: copied as is
            const auto close = sql.find(c, i + 1);
            const auto end = close == std::string_view::npos ? sql.size() : close + 1;
            out.append(sql.substr(i, end - i));
            i = end - 1;
        } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
            const auto eol = sql.find('\n', i);
            const auto end = eol == std::string_view::npos ? sql.size() : eol;
            out.append(sql.substr(i, end - i));
            i = end - 1;
        } else if (c == '?') {
            int number = 0;
            std::size_t j = i + 1;
            while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9') {
                number = number * 10 + (sql[j] - '0');
                ++j;
            }
            if (j == i + 1) {
                number = next + 1; // a bare `?` follows the largest number so far, as in SQLite
            }
            next = std::max(next, number);
            count = std::max(count, number);
            out += '$';
            out += std::to_string(number);
            i = j - 1;
        } else {
            out += c;
        }
    }
    return out;
}

std::unique_ptr<Connection> open_postgres(const std::string& conninfo, std::string& error) {
    std::unique_ptr<PGconn, ConnectionDeleter> conn(PQconnectdb(conninfo.c_str()));
    if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
        error = std::string("cannot connect to PostgreSQL: ") +
                (conn ? PQerrorMessage(conn.get()) : "out of memory");
        while (!error.empty() && error.back() == '\n') {
            error.pop_back();
        }
        return nullptr;
    }
    PQsetNoticeProcessor(conn.get(), no_notices, nullptr);
    auto connection = std::make_unique<PostgresConnection>(conn.release());
    try {
        // A writer waiting on another's lock errs after a while rather than hanging (the
        // counterpart of SQLite's busy timeout, longer because PostgreSQL writers queue).
        connection->exec("SET lock_timeout = '20s'; SET client_min_messages = warning");
    } catch (const std::exception& e) {
        error = e.what();
        return nullptr;
    }
    return connection;
}

} // namespace kiosk::central::sql
