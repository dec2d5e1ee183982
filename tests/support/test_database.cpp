// Test support: per-test databases on SQLite or on the pg.* run's PostgreSQL server.
#include "test_database.hpp"

#include "kiosk/central/database.hpp"
#include "kiosk/common/random.hpp"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <stdexcept>

namespace kiosk::testing {
namespace {

std::string server_url() {
    const char* value = std::getenv("KIOSK_TEST_DATABASE");
    return value != nullptr ? value : "";
}

// The server's URL with another database name: postgresql:///NAME?… .
std::string with_database(const std::string& url, const std::string& name) {
    const auto path = url.find("///");
    const auto query = url.find('?');
    if (path == std::string::npos) {
        throw std::runtime_error("KIOSK_TEST_DATABASE must look like postgresql:///DB?host=…");
    }
    return url.substr(0, path + 3) + name +
           (query == std::string::npos ? std::string() : url.substr(query));
}

std::unique_ptr<central::sql::Connection> connect(const std::string& url) {
    std::string error;
    auto connection = central::sql::open(url, error);
    if (!connection) {
        throw std::runtime_error(error);
    }
    return connection;
}

std::string slurp(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

} // namespace

bool testing_postgres() {
    return central::sql::dialect_of(server_url()) == central::sql::Dialect::postgresql;
}

TestDatabase::TestDatabase(const std::filesystem::path& dir) : dir_(dir) {
    if (!testing_postgres()) {
        url_ = "sqlite:" + (dir / "central.db").string();
        return;
    }
    postgres_ = true;
    std::string suffix = random_token(12);
    for (auto& c : suffix) { // database names: lower case letters, digits, underscores
        c = std::isalnum(static_cast<unsigned char>(c)) != 0
                ? static_cast<char>(std::tolower(static_cast<unsigned char>(c)))
                : '_';
    }
    name_ = "kiosk_test_" + suffix;
    connect(server_url())->exec("CREATE DATABASE " + name_);
    url_ = with_database(server_url(), name_);
}

TestDatabase::~TestDatabase() {
    if (!postgres_) {
        return;
    }
    try {
        connect(server_url())->exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (const std::exception&) {
        // the server is gone (the run is ending): nothing left to clean
    }
}

std::vector<std::vector<std::string>> TestDatabase::query(const std::string& sql) const {
    auto connection = connect(url_);
    if (!postgres_) {
        connection->exec("PRAGMA busy_timeout = 5000");
    }
    central::sql::Query q(*connection, sql);
    std::vector<std::vector<std::string>> rows;
    while (q.step()) {
        std::vector<std::string> row;
        for (int i = 0; i < q.columns(); ++i) {
            row.push_back(q.text(i));
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

std::optional<std::string> TestDatabase::try_exec(const std::string& sql) const {
    try {
        auto connection = connect(url_);
        if (!postgres_) {
            connection->exec("PRAGMA busy_timeout = 5000");
        }
        connection->exec(sql);
        return std::nullopt;
    } catch (const std::exception& e) {
        return std::string(e.what());
    }
}

std::string TestDatabase::dump() const {
    if (!postgres_) {
        return slurp(dir_ / "central.db") + slurp(dir_ / "central.db-wal");
    }
    const std::string command = "/usr/lib/postgresql/15/bin/pg_dump --no-owner '" + url_ + "'";
    std::unique_ptr<FILE, decltype(&pclose)> pipe(popen(command.c_str(), "r"), &pclose);
    if (!pipe) {
        throw std::runtime_error("cannot run pg_dump");
    }
    std::string out;
    char buffer[65536];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe.get())) > 0) {
        out.append(buffer, n);
    }
    return out;
}

} // namespace kiosk::testing
