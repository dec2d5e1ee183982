// sql::open: picks the backend from the database URL.
#include "connections.hpp"

namespace kiosk::central::sql {
namespace {

bool starts_with(const std::string& text, std::string_view prefix) {
    return text.rfind(prefix, 0) == 0;
}

} // namespace

Dialect dialect_of(const std::string& url) {
    return starts_with(url, "postgresql:") || starts_with(url, "postgres:") ? Dialect::postgresql
                                                                            : Dialect::sqlite;
}

std::unique_ptr<Connection> open(const std::string& url, std::string& error) {
    if (dialect_of(url) == Dialect::postgresql) {
        return open_postgres(url, error);
    }
    const std::string path = starts_with(url, "sqlite:") ? url.substr(7) : url;
    if (path.empty()) {
        error = "the database URL names no file (sqlite:PATH)";
        return nullptr;
    }
    return open_sqlite(path, error);
}

} // namespace kiosk::central::sql
