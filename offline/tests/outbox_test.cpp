// The outbox on a real SQLite file: order kept, keys unique, contents survive reopening,
// and a file that is not an outbox is refused.
#include "kiosk/offline/outbox.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <set>

using kiosk::offline::Outbox;

namespace {

std::filesystem::path fresh_file(const std::string& name) {
    const auto path = std::filesystem::temp_directory_path() / ("kiosk-outbox-" + name);
    for (const char* suffix : {"", "-wal", "-shm"}) {
        std::filesystem::remove(path.string() + suffix);
    }
    return path;
}

} // namespace

TEST(Outbox, KeepsArrivalOrderAndUniqueKeysAcrossReopening) {
    const auto file = fresh_file("order.db");
    std::set<std::string> keys;
    {
        std::string error;
        auto outbox = Outbox::open(file, error);
        ASSERT_TRUE(outbox) << error;
        for (int i = 0; i < 5; ++i) {
            auto key = outbox->enqueue("/v1/tickets", "{\"n\":" + std::to_string(i) + "}", error);
            ASSERT_TRUE(key.has_value()) << error;
            keys.insert(*key);
        }
    }
    EXPECT_EQ(keys.size(), 5u);
    std::string error;
    auto reopened = Outbox::open(file, error);
    ASSERT_TRUE(reopened) << error;
    const auto items = reopened->pending(10);
    ASSERT_EQ(items.size(), 5u);
    for (std::size_t i = 0; i < items.size(); ++i) {
        EXPECT_EQ(items[i].body, "{\"n\":" + std::to_string(i) + "}");
        EXPECT_TRUE(keys.contains(items[i].idempotency_key));
    }
    EXPECT_TRUE(reopened->remove(items[0].id));
    EXPECT_FALSE(reopened->remove(items[0].id));
    EXPECT_EQ(reopened->size(), 4u);
}

TEST(Outbox, RefusesAFileThatIsNotADatabase) {
    const auto file = fresh_file("garbage.db");
    std::ofstream(file) << std::string(8192, 'x');
    std::string error;
    EXPECT_FALSE(Outbox::open(file, error));
    EXPECT_FALSE(error.empty());
}
