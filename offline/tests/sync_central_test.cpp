// The whole offline path against a real kiosk-central over TLS: a queue of verification
// requests drains through POST /v1/sync/batch while the central is stopped mid-drain and
// started again on the same data; afterwards each request was applied exactly once (the
// central sent exactly one e-mail code per queued request).
#include "central_process.hpp"
#include "kiosk/common/base64.hpp"
#include "kiosk/common/sealed_box.hpp"
#include "kiosk/offline/sync_worker.hpp"

#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

using namespace kiosk;
using namespace kiosk::offline;
using namespace std::chrono_literals;

namespace {

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

// Challenge ids of every code the demo mail outbox holds, one per applied verification.
std::vector<std::string> challenges_mailed(const std::filesystem::path& data_dir) {
    std::vector<std::string> ids;
    std::ifstream in(data_dir / "outbox" / "email.jsonl");
    for (std::string line; std::getline(in, line);) {
        const auto doc = nlohmann::json::parse(line, nullptr, false);
        if (!doc.is_discarded() && doc.contains("challenge_id")) {
            ids.push_back(doc["challenge_id"].get<std::string>());
        }
    }
    return ids;
}

} // namespace

TEST(SyncWithRealCentral, AQueueDrainsExactlyOnceAcrossACentralRestart) {
    net::CurlGlobal curl;
    kiosk::testing::CentralProcess central;
    const auto data_dir = central.data_dir();

    std::string pattern =
        (std::filesystem::temp_directory_path() / "kiosk-sync-central-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    const std::filesystem::path dir = pattern;
    OpenReport report;
    std::string error;
    auto outbox = Outbox::open(dir / "outbox.db", {}, report, error);
    ASSERT_TRUE(outbox) << error;

    // Small on purpose: the central applies each item in its own durable transactions
    // (about 60 ms apiece on this machine), and the point here is the restart, not speed.
    constexpr int kItems = 60;
    const char* accounts[] = {"jdoe", "mkowalska", "tnowak"};
    for (int i = 0; i < kItems; ++i) {
        const nlohmann::json body = {{"identifier", accounts[i % 3]}, {"method", "email"}};
        auto result = outbox->enqueue({"/v1/verifications", body.dump(), false, ""});
        ASSERT_TRUE(std::holds_alternative<std::string>(result));
    }

    net::ClientSettings client;
    client.ca_file = central.ca_file();
    client.connect_timeout = 2s;
    client.total_timeout = 10s;
    SyncSettings settings;
    settings.batch_size = 10;
    settings.base_backoff = 50ms;
    settings.max_backoff = 300ms;
    std::atomic<std::uint64_t> delivered{0};
    SyncWorker worker(*outbox, central.base_url(), client, settings,
                      [&](const SyncStatus& s) { delivered = s.delivered; });
    worker.start();

    // Stop the central as soon as the first batch is through: the rest of the queue (and
    // perhaps a batch in flight) meets a dead port.
    ASSERT_TRUE(eventually([&] { return delivered.load() >= 10; }, 20s));
    central.stop();
    const auto pending_while_down = outbox->counts().pending;
    EXPECT_GT(pending_while_down, 0u);
    EXPECT_TRUE(eventually([&] { return !worker.status().central_reachable; }, 10s));
    EXPECT_GT(outbox->counts().pending, 0u);

    central.start_again(); // same port: the worker's URL is valid again
    ASSERT_TRUE(eventually([&] { return outbox->size() == 0; }, 30s))
        << outbox->counts().pending << " pending, " << worker.status().last_error;
    worker.stop();
    central.stop();
    EXPECT_EQ(outbox->counts().dead, 0u);
    EXPECT_EQ(worker.status().delivered, static_cast<std::uint64_t>(kItems));

    const auto mailed = challenges_mailed(data_dir);
    EXPECT_EQ(mailed.size(), static_cast<std::size_t>(kItems));
    EXPECT_EQ(std::set<std::string>(mailed.begin(), mailed.end()).size(),
              static_cast<std::size_t>(kItems));
    std::filesystem::remove_all(dir);
}

TEST(SyncWithRealCentral, SealedItemsOpenOnlyAtTheCentralTheyWereSealedTo) {
    net::CurlGlobal curl;
    kiosk::testing::CentralProcess central;
    // The kiosk is given the central's public sealing key (here read from the central's
    // data directory; in production through signed configuration). It never has the
    // private half, so what it queued it cannot read back.
    std::ifstream in(central.data_dir() / "sealing" / "public.pem");
    std::stringstream pem;
    pem << in.rdbuf();
    std::string error;
    const auto key = sealed_box::parse_public_pem(pem.str(), error);
    ASSERT_TRUE(key) << error;
    const auto stranger = sealed_box::parse_public_pem(sealed_box::generate().public_pem, error);
    ASSERT_TRUE(stranger) << error;

    std::string pattern =
        (std::filesystem::temp_directory_path() / "kiosk-sync-sealed-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    const std::filesystem::path dir = pattern;
    OpenReport report;
    auto outbox = Outbox::open(dir / "outbox.db", {}, report, error);
    ASSERT_TRUE(outbox) << error;
    const std::string body = R"({"identifier":"jdoe","method":"email"})";
    std::vector<std::string> good;
    for (int i = 0; i < 3; ++i) {
        auto result = outbox->enqueue(
            {"/v1/verifications", base64_encode(sealed_box::seal(*key, body)), true, ""});
        ASSERT_TRUE(std::holds_alternative<std::string>(result));
        good.push_back(std::get<std::string>(result));
    }
    auto misdirected = outbox->enqueue(
        {"/v1/verifications", base64_encode(sealed_box::seal(*stranger, body)), true, ""});
    ASSERT_TRUE(std::holds_alternative<std::string>(misdirected));
    // Neither the outbox file nor its WAL (where the fresh rows are) holds the plaintext.
    for (const char* suffix : {"", "-wal"}) {
        std::ifstream raw(dir / (std::string("outbox.db") + suffix), std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(raw)),
                                std::istreambuf_iterator<char>());
        EXPECT_FALSE(bytes.empty()) << suffix;
        EXPECT_EQ(bytes.find("jdoe"), std::string::npos) << suffix;
    }

    net::ClientSettings client;
    client.ca_file = central.ca_file();
    SyncSettings settings;
    settings.base_backoff = 50ms;
    SyncWorker worker(*outbox, central.base_url(), client, settings);
    worker.start();
    ASSERT_TRUE(eventually([&] { return outbox->counts().pending == 0; }, 20s))
        << worker.status().last_error;
    worker.stop();

    EXPECT_EQ(worker.status().delivered, 3u);
    const auto dead = outbox->dead_letters(10);
    ASSERT_EQ(dead.size(), 1u);
    EXPECT_EQ(dead[0].idempotency_key, std::get<std::string>(misdirected));
    EXPECT_EQ(dead[0].dead_reason, "sealed_invalid");
    EXPECT_EQ(challenges_mailed(central.data_dir()).size(), 3u);
    std::filesystem::remove_all(dir);
}
