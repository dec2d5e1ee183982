// Test support: the database a test's central (or Store) runs on. SQLite files by default;
// with KIOSK_TEST_DATABASE set to a PostgreSQL URL (the pg.* ctest run), a fresh database
// on that server per TestDatabase, dropped afterwards.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace kiosk::testing {

// True in the pg.* run (KIOSK_TEST_DATABASE=postgresql://…).
bool testing_postgres();

class TestDatabase {
public:
    // SQLite: DIR/central.db (made by whoever opens it first). PostgreSQL: CREATE DATABASE
    // with a random name. Throws std::runtime_error when the server cannot be reached.
    explicit TestDatabase(const std::filesystem::path& dir);
    ~TestDatabase(); // PostgreSQL: DROP DATABASE … WITH (FORCE)
    TestDatabase(const TestDatabase&) = delete;
    TestDatabase& operator=(const TestDatabase&) = delete;

    // For kiosk-central --database and Store::open: "sqlite:DIR/central.db" or
    // "postgresql:///NAME?host=…&user=…".
    [[nodiscard]] const std::string& url() const { return url_; }
    [[nodiscard]] bool postgres() const { return postgres_; }

    // Runs `sql` on a connection of its own (not the central's) and returns every row's
    // columns as text (NULL as ""). Throws std::runtime_error with the database's error.
    [[nodiscard]] std::vector<std::vector<std::string>> query(const std::string& sql) const;
    // Runs `sql`; the database's error message, or nullopt when it succeeded.
    [[nodiscard]] std::optional<std::string> try_exec(const std::string& sql) const;
    // Everything the database holds as bytes: SQLite's file and its WAL, PostgreSQL's
    // pg_dump of the database (data and schema).
    [[nodiscard]] std::string dump() const;

private:
    std::filesystem::path dir_;
    std::string url_;
    std::string name_; // PostgreSQL database name
    bool postgres_ = false;
};

} // namespace kiosk::testing
