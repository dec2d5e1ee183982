// The Store's read connections (Store::open_readers): concurrent lookups run on different
// connections at once, a thread inside a write transaction reads its own changes, and a
// reader refuses writes. On SQLite and, as pg.StoreReaders.*, on PostgreSQL.
#include "kiosk/central/database.hpp"
#include "kiosk/central/store.hpp"
#include "test_database.hpp"

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <gtest/gtest.h>
#include <mutex>
#include <set>
#include <thread>

using kiosk::central::Account;
using kiosk::central::Store;
namespace sql = kiosk::central::sql;

namespace {

class StoreReaders : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("kiosk-store-readers-" +
                std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
        database_ = std::make_unique<kiosk::testing::TestDatabase>(dir_);
        std::string error;
        store_ = Store::open(database_->url(), dir_, error);
        ASSERT_TRUE(store_) << error;
        ASSERT_TRUE(store_->open_readers(2, error)) << error;
    }
    void TearDown() override {
        store_.reset();
        database_.reset();
        std::filesystem::remove_all(dir_);
    }

    // What names the connection on the server: PostgreSQL's backend pid; for SQLite the
    // connection object (one file, no server).
    static std::string identity(sql::Connection& db) {
        if (db.dialect() == sql::Dialect::postgresql) {
            sql::Query q(db, "SELECT pg_backend_pid()");
            return q.step() ? q.text(0) : "?";
        }
        return std::to_string(reinterpret_cast<std::uintptr_t>(&db));
    }

    std::filesystem::path dir_;
    std::unique_ptr<kiosk::testing::TestDatabase> database_;
    std::unique_ptr<Store> store_;
};

Account account(const std::string& name) {
    Account a;
    a.username = name;
    a.email = name + "@example.com";
    a.employee_id = "E-" + name;
    a.display_name = name;
    a.password_hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA";
    a.state = "active";
    return a;
}

} // namespace

TEST_F(StoreReaders, ConcurrentReadsRunOnDifferentConnectionsAtOnce) {
    std::mutex mutex;
    std::condition_variable changed;
    int inside = 0;
    bool both_were_inside = true;
    std::set<std::string> identities;
    std::set<std::string> write_identity;
    store_->with_connection([&](sql::Connection& db) { write_identity.insert(identity(db)); });
    const auto reader = [&] {
        store_->with_reader([&](sql::Connection& db) {
            std::unique_lock lock(mutex);
            identities.insert(identity(db));
            ++inside;
            changed.notify_all();
            // Both readers must be inside together: with one connection the second would
            // wait for the first, which waits here for the second (the timeout says so).
            if (!changed.wait_for(lock, std::chrono::seconds(10), [&] { return inside == 2; })) {
                both_were_inside = false;
            }
        });
    };
    std::thread first(reader);
    std::thread second(reader);
    first.join();
    second.join();
    EXPECT_TRUE(both_were_inside) << "the reads ran one after the other";
    EXPECT_EQ(identities.size(), 2u);
    EXPECT_EQ(identities.count(*write_identity.begin()), 0u)
        << "a read ran on the write connection";
}

TEST_F(StoreReaders, AWriteTransactionsThreadReadsItsOwnChangesOthersOnlyOnceCommitted) {
    Store::Batch batch(*store_);
    store_->add_account(account("in-batch"));
    EXPECT_TRUE(store_->find_account("in-batch")) << "the batch's own thread must see its change";
    bool seen_outside = true;
    std::thread other([&] { seen_outside = store_->find_account("in-batch").has_value(); });
    other.join(); // a reader: it does not wait for the batch
    EXPECT_FALSE(seen_outside) << "another request saw an uncommitted change";
    batch.commit();
    std::thread after([&] { seen_outside = store_->find_account("in-batch").has_value(); });
    after.join();
    EXPECT_TRUE(seen_outside);
}

TEST_F(StoreReaders, AReaderRefusesWrites) {
    std::string refusal;
    std::thread other([&] {
        store_->with_reader([&](sql::Connection& db) {
            try {
                db.exec("DELETE FROM accounts");
            } catch (const std::exception& e) {
                refusal = e.what();
            }
        });
    });
    other.join();
    EXPECT_FALSE(refusal.empty()) << "a read connection wrote";
}
