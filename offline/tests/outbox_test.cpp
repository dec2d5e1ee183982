// The outbox on real SQLite files in fresh temp dirs: order and keys kept across reopening,
// bad requests refused, the size cap, corruption recovered by moving the file aside, expiry
// into dead letters that staff can list, retry and clear, and a full database that loses
// nothing already saved.
#include "kiosk/offline/outbox.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <set>
#include <sqlite3.h>
#include <unistd.h>

using namespace kiosk::offline;

namespace {

class TempDir {
public:
    TempDir() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "kiosk-outbox-XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr) {
            throw std::runtime_error("mkdtemp failed");
        }
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// A clock the test moves by hand.
struct ManualClock {
    std::shared_ptr<std::int64_t> now = std::make_shared<std::int64_t>(1'700'000'000'000);
    std::function<std::int64_t()> function() const {
        return [now = now] { return *now; };
    }
};

std::unique_ptr<Outbox> open_outbox(const std::filesystem::path& file, OutboxOptions options = {},
                                    OpenReport* report_out = nullptr) {
    OpenReport report;
    std::string error;
    auto outbox = Outbox::open(file, std::move(options), report, error);
    EXPECT_TRUE(outbox) << error;
    if (report_out != nullptr) {
        *report_out = report;
    }
    return outbox;
}

std::string key_of(const Outbox::EnqueueResult& result) {
    if (const auto* error = std::get_if<OutboxError>(&result)) {
        ADD_FAILURE() << "enqueue failed: " << to_string(error->kind) << ": " << error->detail;
        return {};
    }
    return std::get<std::string>(result);
}

OutboxErrorKind error_of(const Outbox::EnqueueResult& result) {
    EXPECT_TRUE(std::holds_alternative<OutboxError>(result));
    return std::holds_alternative<OutboxError>(result) ? std::get<OutboxError>(result).kind
                                                       : OutboxErrorKind::IoError;
}

NewItem ticket(int n) {
    return {"/v1/tickets", "{\"n\":" + std::to_string(n) + "}", false, ""};
}

} // namespace

TEST(Outbox, KeepsArrivalOrderAndUniqueKeysAcrossReopening) {
    TempDir dir;
    const auto file = dir.path() / "outbox.db";
    std::set<std::string> keys;
    {
        auto outbox = open_outbox(file);
        for (int i = 0; i < 5; ++i) {
            keys.insert(key_of(outbox->enqueue(ticket(i))));
        }
    }
    EXPECT_EQ(keys.size(), 5u);
    auto reopened = open_outbox(file);
    const auto items = reopened->next_batch(10);
    ASSERT_EQ(items.size(), 5u);
    for (std::size_t i = 0; i < items.size(); ++i) {
        EXPECT_EQ(items[i].body, "{\"n\":" + std::to_string(i) + "}");
        EXPECT_TRUE(keys.contains(items[i].idempotency_key));
        EXPECT_TRUE(valid_idempotency_key(items[i].idempotency_key));
        EXPECT_EQ(items[i].state, ItemState::Pending);
        EXPECT_EQ(items[i].attempts, 0);
    }
    std::string error;
    ASSERT_TRUE(reopened->apply({{items[0].id, Outcome::Kind::Delivered, "", 0}}, error)) << error;
    EXPECT_EQ(reopened->size(), 4u);
    EXPECT_EQ(reopened->integrity_check(), "ok");
}

TEST(Outbox, TheSameKeyTwiceIsOneItemAndAnotherRequestUnderItIsRefused) {
    TempDir dir;
    auto outbox = open_outbox(dir.path() / "outbox.db");
    NewItem item = ticket(1);
    item.idempotency_key = "online-attempt-key_1";
    EXPECT_EQ(key_of(outbox->enqueue(item)), "online-attempt-key_1");
    EXPECT_EQ(key_of(outbox->enqueue(item)), "online-attempt-key_1");
    EXPECT_EQ(outbox->size(), 1u);
    item.body = "{\"n\":2}";
    EXPECT_EQ(error_of(outbox->enqueue(item)), OutboxErrorKind::DuplicateKey);
    EXPECT_EQ(outbox->size(), 1u);
}

TEST(Outbox, MalformedRequestsAreRefusedWithAReason) {
    TempDir dir;
    OutboxOptions options;
    options.max_body_bytes = 100;
    auto outbox = open_outbox(dir.path() / "outbox.db", options);
    EXPECT_EQ(error_of(outbox->enqueue({"tickets", "{}", false, ""})), OutboxErrorKind::Invalid);
    EXPECT_EQ(error_of(outbox->enqueue({"/v1/../admin", "{}", false, ""})),
              OutboxErrorKind::Invalid);
    EXPECT_EQ(error_of(outbox->enqueue({"/v1/tickets", "[1,2]", false, ""})),
              OutboxErrorKind::Invalid);
    EXPECT_EQ(error_of(outbox->enqueue({"/v1/tickets", "{not json", false, ""})),
              OutboxErrorKind::Invalid);
    EXPECT_EQ(error_of(outbox->enqueue({"/v1/tickets", "not base64!", true, ""})),
              OutboxErrorKind::Invalid);
    EXPECT_EQ(error_of(outbox->enqueue({"/v1/tickets", "{}", false, "bad key!"})),
              OutboxErrorKind::Invalid);
    EXPECT_EQ(
        error_of(outbox->enqueue({"/v1/tickets", std::string(120, ' ') + "{\"a\":1}", false, ""})),
        OutboxErrorKind::TooLarge);
    EXPECT_EQ(outbox->size(), 0u);
    EXPECT_FALSE(key_of(outbox->enqueue({"/v1/tickets", "AAEC", true, ""})).empty());
}

TEST(Outbox, AFullQueueSaysSoAndMakesRoomWhenStaffClearDeadLetters) {
    TempDir dir;
    OutboxOptions options;
    options.max_items = 3;
    auto outbox = open_outbox(dir.path() / "outbox.db", options);
    for (int i = 0; i < 3; ++i) {
        key_of(outbox->enqueue(ticket(i)));
    }
    const auto full = outbox->enqueue(ticket(3));
    ASSERT_EQ(error_of(full), OutboxErrorKind::QueueFull);
    EXPECT_NE(std::get<OutboxError>(full).detail.find("limit"), std::string::npos);
    EXPECT_EQ(to_string(OutboxErrorKind::QueueFull), "queue_full");

    const auto first = outbox->next_batch(1).at(0);
    std::string error;
    ASSERT_TRUE(outbox->apply({{first.id, Outcome::Kind::Dead, "token_invalid", 0}}, error));
    EXPECT_EQ(error_of(outbox->enqueue(ticket(3))), OutboxErrorKind::QueueFull); // dead counts
    EXPECT_TRUE(outbox->clear_dead(first.id));
    key_of(outbox->enqueue(ticket(3)));
    EXPECT_EQ(outbox->size(), 3u);
}

TEST(Outbox, ACorruptFileIsMovedAsideAndAFreshOutboxTakesOver) {
    TempDir dir;
    const auto file = dir.path() / "outbox.db";
    {
        auto outbox = open_outbox(file);
        for (int i = 0; i < 200; ++i) {
            key_of(outbox->enqueue(
                {"/v1/tickets", "{\"text\":\"" + std::string(200, 'x') + "\"}", false, ""}));
        }
    } // closing the last connection checkpoints the WAL into the file
    ASSERT_FALSE(std::filesystem::exists(file.string() + "-wal"));
    const auto size = std::filesystem::file_size(file);
    ASSERT_GT(size, 8192u);
    {
        // Overwrite the middle pages (b-tree pages of the table) with garbage.
        std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(static_cast<std::streamoff>(size / 2));
        const std::string garbage(4096, '\xA5');
        f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
    }
    OpenReport report;
    auto outbox = open_outbox(file, {}, &report);
    ASSERT_TRUE(outbox);
    EXPECT_TRUE(report.recovered);
    EXPECT_FALSE(report.reason.empty());
    EXPECT_TRUE(std::filesystem::exists(report.moved_aside)) << report.moved_aside;
    EXPECT_NE(report.moved_aside.string().find("outbox.db.corrupt-"), std::string::npos);
    EXPECT_EQ(std::filesystem::file_size(report.moved_aside), size); // kept, for a later look
    EXPECT_EQ(outbox->size(), 0u);
    EXPECT_EQ(outbox->integrity_check(), "ok");
    key_of(outbox->enqueue(ticket(1)));
    EXPECT_EQ(outbox->size(), 1u);
}

TEST(Outbox, AFileThatIsNotADatabaseIsMovedAsideToo) {
    TempDir dir;
    const auto file = dir.path() / "outbox.db";
    std::ofstream(file) << std::string(8192, 'x');
    OpenReport report;
    auto outbox = open_outbox(file, {}, &report);
    ASSERT_TRUE(outbox);
    EXPECT_TRUE(report.recovered);
    EXPECT_TRUE(std::filesystem::exists(report.moved_aside));
}

TEST(Outbox, AnUnusablePathIsAnErrorAndNothingIsMoved) {
    TempDir dir;
    OpenReport report;
    std::string error;
    auto outbox = Outbox::open(dir.path() / "missing" / "outbox.db", {}, report, error);
    EXPECT_FALSE(outbox);
    EXPECT_FALSE(report.recovered);
    EXPECT_FALSE(error.empty());
}

TEST(Outbox, OldItemsExpireIntoDeadLettersThatStaffCanListRetryAndClear) {
    TempDir dir;
    ManualClock clock;
    OutboxOptions options;
    options.max_age = std::chrono::hours(1);
    options.clock = clock.function();
    auto outbox = open_outbox(dir.path() / "outbox.db", options);
    const auto old_key = key_of(outbox->enqueue(ticket(1)));
    *clock.now += 30 * 60 * 1000;
    const auto young_key = key_of(outbox->enqueue(ticket(2)));
    *clock.now += 31 * 60 * 1000; // the first is now 61 minutes old, the second 31

    EXPECT_EQ(outbox->expire(), 1u);
    const auto batch = outbox->next_batch(10);
    ASSERT_EQ(batch.size(), 1u);
    EXPECT_EQ(batch[0].idempotency_key, young_key);
    auto dead = outbox->dead_letters(10);
    ASSERT_EQ(dead.size(), 1u);
    EXPECT_EQ(dead[0].idempotency_key, old_key);
    EXPECT_EQ(dead[0].state, ItemState::Dead);
    EXPECT_EQ(dead[0].dead_reason, "expired");
    EXPECT_EQ(dead[0].dead_at_ms, *clock.now);
    EXPECT_EQ(outbox->counts().pending, 1u);
    EXPECT_EQ(outbox->counts().dead, 1u);

    // Staff retry it: pending again, with a fresh expiry, ahead of the younger item.
    EXPECT_TRUE(outbox->retry_dead(dead[0].id));
    EXPECT_FALSE(outbox->retry_dead(dead[0].id)); // no longer dead
    EXPECT_EQ(outbox->expire(), 0u);
    ASSERT_EQ(outbox->next_batch(10).size(), 2u);
    EXPECT_EQ(outbox->next_batch(10)[0].idempotency_key, old_key);

    std::string error;
    ASSERT_TRUE(outbox->apply({{batch[0].id, Outcome::Kind::Dead, "token_invalid", 0}}, error));
    EXPECT_EQ(outbox->dead_letters(10).at(0).dead_reason, "token_invalid");
    EXPECT_EQ(outbox->clear_all_dead(), 1u);
    EXPECT_EQ(outbox->size(), 1u);
}

TEST(Outbox, AnItemWaitingOutItsBackoffHoldsBackTheOnesBehindIt) {
    TempDir dir;
    ManualClock clock;
    OutboxOptions options;
    options.clock = clock.function();
    auto outbox = open_outbox(dir.path() / "outbox.db", options);
    key_of(outbox->enqueue(ticket(1)));
    key_of(outbox->enqueue(ticket(2)));
    const auto head = outbox->next_batch(10).at(0);
    std::string error;
    ASSERT_TRUE(
        outbox->apply({{head.id, Outcome::Kind::Retry, "HTTP 503", *clock.now + 5000}}, error));
    EXPECT_TRUE(outbox->next_batch(10).empty());
    EXPECT_EQ(outbox->next_due_at_ms(), *clock.now + 5000);
    *clock.now += 5000;
    const auto batch = outbox->next_batch(10);
    ASSERT_EQ(batch.size(), 2u);
    EXPECT_EQ(batch[0].attempts, 1);
    EXPECT_EQ(batch[0].last_error, "HTTP 503");
}

TEST(Outbox, AFullDatabaseRefusesTheNewItemAndLosesNothingAlreadySaved) {
    // SQLite's max_page_count stands in for a full disk: SQLite reports SQLITE_FULL the same
    // way for both, and it needs no privileges (a tiny tmpfs would need root).
    TempDir dir;
    const auto file = dir.path() / "outbox.db";
    OutboxOptions options;
    options.max_database_bytes = 64 * 1024;
    std::vector<std::string> saved;
    {
        auto outbox = open_outbox(file, options);
        for (int i = 0; i < 10'000; ++i) {
            auto result = outbox->enqueue(
                {"/v1/tickets", "{\"text\":\"" + std::string(500, 'a') + "\"}", false, ""});
            if (std::holds_alternative<OutboxError>(result)) {
                const auto& error = std::get<OutboxError>(result);
                EXPECT_EQ(error.kind, OutboxErrorKind::DiskFull) << error.detail;
                EXPECT_EQ(to_string(error.kind), "disk_full");
                break;
            }
            saved.push_back(std::get<std::string>(result));
        }
        ASSERT_GT(saved.size(), 10u);
        ASSERT_LT(saved.size(), 10'000u);
        EXPECT_EQ(outbox->size(), saved.size());
        EXPECT_EQ(outbox->integrity_check(), "ok");
    }
    OpenReport report;
    auto reopened = open_outbox(file, options, &report);
    EXPECT_FALSE(report.recovered);
    EXPECT_EQ(reopened->integrity_check(), "ok");
    const auto items = reopened->next_batch(saved.size() + 10);
    ASSERT_EQ(items.size(), saved.size());
    for (std::size_t i = 0; i < saved.size(); ++i) {
        EXPECT_EQ(items[i].idempotency_key, saved[i]);
    }
    // Room again once the disk has space: delivering one item frees pages.
    std::string error;
    ASSERT_TRUE(reopened->apply({{items[0].id, Outcome::Kind::Delivered, "", 0},
                                 {items[1].id, Outcome::Kind::Delivered, "", 0}},
                                error))
        << error;
    key_of(reopened->enqueue(ticket(1)));
}

TEST(Outbox, TheWalkingSkeletonsOutboxIsUpgradedInPlace) {
    TempDir dir;
    const auto file = dir.path() / "outbox.db";
    {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
        ASSERT_EQ(sqlite3_exec(db,
                               "CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT,"
                               " idempotency_key TEXT NOT NULL UNIQUE, route TEXT NOT NULL,"
                               " body TEXT NOT NULL, created_at_ms INTEGER NOT NULL);"
                               "INSERT INTO outbox (idempotency_key, route, body, created_at_ms)"
                               " VALUES ('old-key', '/v1/tickets', '{}', 1000);",
                               nullptr, nullptr, nullptr),
                  SQLITE_OK);
        sqlite3_close(db);
    }
    ManualClock clock;
    *clock.now = 2000;
    OutboxOptions options;
    options.clock = clock.function();
    auto outbox = open_outbox(file, options);
    const auto item = outbox->find("old-key");
    ASSERT_TRUE(item);
    EXPECT_EQ(item->state, ItemState::Pending);
    EXPECT_EQ(item->expires_at_ms, 1000 + options.max_age.count());
    EXPECT_EQ(outbox->next_batch(10).size(), 1u);
}
