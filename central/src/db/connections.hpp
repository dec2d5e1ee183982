// The two sql::Connection backends' constructors, for src/db/database.cpp. Private to central/src.
#pragma once

#include "kiosk/central/database.hpp"

#include <string>

namespace kiosk::central::sql {

std::unique_ptr<Connection> open_sqlite(const std::string& path, std::string& error);
std::unique_ptr<Connection> open_postgres(const std::string& conninfo, std::string& error);

// `?` and `?N` parameters (outside quotes and comments) as PostgreSQL's `$N`; `count` is
// the highest number used.
std::string postgres_placeholders(std::string_view sql, int& count);

} // namespace kiosk::central::sql
