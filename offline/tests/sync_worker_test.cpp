// The sync worker's policy against a loopback HTTPS batch server the test controls
// (cpp-httplib over real TLS): order and batch sizes, which answers are retried and which
// become dead letters, Retry-After, an unreachable central, expiry, waking and stopping.
#include "kiosk/common/tls_certificates.hpp"
#include "kiosk/offline/sync_worker.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <map>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <set>
#include <sys/socket.h>
#include <unistd.h>

using namespace kiosk;
using namespace kiosk::offline;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

class TempDir {
public:
    TempDir() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "kiosk-sync-XXXXXX").string();
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

// A port nothing listens on (bound, then closed), for an unreachable central.
int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

// POST /v1/sync/batch over TLS. By default each item is answered as its body asks:
// {"want": status, "code": error code, "times": n} answers `status` the first n times the
// key is seen (default 1) and 200 afterwards. `batch_reply` may answer the whole batch.
class BatchServer {
public:
    using BatchReply = std::function<bool(int request_index, httplib::Response&)>;

    BatchServer(const tls::ServerTlsFiles& files, int port = 0, BatchReply batch_reply = {})
        : server_(files.server_certificate.c_str(), files.server_key.c_str()),
          batch_reply_(std::move(batch_reply)) {
        server_.set_keep_alive_timeout(1);
        server_.Post("/v1/sync/batch", [this](const httplib::Request& req, httplib::Response& res) {
            handle(req, res);
        });
        if (port == 0) {
            port_ = server_.bind_to_any_port("127.0.0.1");
        } else if (server_.bind_to_port("127.0.0.1", port)) {
            port_ = port;
        }
        if (port_ <= 0) {
            throw std::runtime_error("test batch server could not bind");
        }
        thread_ = std::thread([this] { server_.listen_after_bind(); });
        if (!eventually([this] { return server_.is_running(); }, 5s)) {
            throw std::runtime_error("test batch server did not start");
        }
    }
    ~BatchServer() {
        server_.stop();
        thread_.join();
    }

    [[nodiscard]] std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }
    [[nodiscard]] int port() const { return port_; }
    [[nodiscard]] std::vector<std::vector<std::string>> batches() const {
        std::lock_guard lock(mutex_);
        return batches_;
    }
    [[nodiscard]] std::vector<std::chrono::steady_clock::time_point> times() const {
        std::lock_guard lock(mutex_);
        return times_;
    }
    [[nodiscard]] int seen(const std::string& key) const {
        std::lock_guard lock(mutex_);
        const auto it = seen_.find(key);
        return it == seen_.end() ? 0 : it->second;
    }

private:
    void handle(const httplib::Request& req, httplib::Response& res) {
        const json doc = json::parse(req.body, nullptr, false);
        int index = 0;
        std::vector<std::string> keys;
        if (!doc.is_discarded() && doc.contains("items")) {
            for (const auto& item : doc["items"]) {
                keys.push_back(item.value("idempotency_key", ""));
            }
        }
        {
            std::lock_guard lock(mutex_);
            index = static_cast<int>(batches_.size());
            batches_.push_back(keys);
            times_.push_back(std::chrono::steady_clock::now());
        }
        if (batch_reply_ && batch_reply_(index, res)) {
            return;
        }
        json results = json::array();
        for (const auto& item : doc["items"]) {
            const std::string key = item.value("idempotency_key", "");
            int count = 0;
            {
                std::lock_guard lock(mutex_);
                count = ++seen_[key];
            }
            const json body = item.value("body", json::object());
            const int want = body.value("want", 200);
            const int times = body.value("times", 1);
            if (want != 200 && count <= times) {
                json envelope = json::object();
                if (body.contains("code")) {
                    envelope = {{"error", {{"code", body["code"]}, {"message", "test"}}}};
                }
                results.push_back({{"idempotency_key", key}, {"status", want}, {"body", envelope}});
            } else {
                results.push_back(
                    {{"idempotency_key", key}, {"status", 200}, {"body", {{"reference", key}}}});
            }
        }
        res.set_content(json{{"results", results}}.dump(), "application/json");
    }

    httplib::SSLServer server_;
    BatchReply batch_reply_;
    int port_ = 0;
    std::thread thread_;
    mutable std::mutex mutex_;
    std::vector<std::vector<std::string>> batches_;
    std::vector<std::chrono::steady_clock::time_point> times_;
    std::map<std::string, int> seen_;
};

class SyncWorkerTest : public ::testing::Test {
protected:
    SyncWorkerTest() : tls_(tls::ensure_server_tls(dir_.path() / "tls", {"127.0.0.1"})) {}

    std::unique_ptr<Outbox> make_outbox(OutboxOptions options = {}) {
        OpenReport report;
        std::string error;
        auto outbox = Outbox::open(dir_.path() / "outbox.db", std::move(options), report, error);
        if (!outbox) {
            throw std::runtime_error(error);
        }
        return outbox;
    }
    net::ClientSettings client() const {
        net::ClientSettings s;
        s.ca_file = tls_.ca_certificate;
        s.connect_timeout = 2s;
        s.total_timeout = 10s;
        return s;
    }
    static SyncSettings fast() {
        SyncSettings s;
        s.base_backoff = 20ms;
        s.max_backoff = 200ms;
        s.idle_wait = 60s; // only a wake() or a due item may start a round
        return s;
    }
    static std::string enqueue(Outbox& outbox, const json& body) {
        auto result = outbox.enqueue({"/v1/verifications", body.dump(), false, ""});
        if (const auto* error = std::get_if<OutboxError>(&result)) {
            throw std::runtime_error(error->detail);
        }
        return std::get<std::string>(result);
    }

    net::CurlGlobal curl_;
    TempDir dir_;
    tls::ServerTlsFiles tls_;
};

} // namespace

TEST(SyncPolicy, RetriesOnlyWhatMaySucceedLater) {
    EXPECT_EQ(disposition_for(200), Disposition::Deliver);
    EXPECT_EQ(disposition_for(202), Disposition::Deliver);
    for (long status : {409L, 429L, 500L, 502L, 503L, 504L}) {
        EXPECT_EQ(disposition_for(status), Disposition::Retry) << status;
    }
    for (long status : {400L, 401L, 403L, 404L, 410L, 422L}) {
        EXPECT_EQ(disposition_for(status), Disposition::DeadLetter) << status;
    }
}

TEST(SyncPolicy, BackoffIsCappedExponentialWithFullJitter) {
    SyncSettings s;
    s.base_backoff = 100ms;
    s.max_backoff = 1'000ms;
    std::mt19937_64 random(42);
    for (int attempt = 1; attempt <= 40; ++attempt) {
        const auto cap = std::min<std::int64_t>(1'000, 100LL << std::min(attempt - 1, 20));
        std::set<std::int64_t> seen;
        for (int i = 0; i < 200; ++i) {
            const auto delay = backoff_delay(attempt, s, random).count();
            ASSERT_GE(delay, 0);
            ASSERT_LE(delay, cap) << "attempt " << attempt;
            seen.insert(delay);
        }
        EXPECT_GT(seen.size(), 20u) << "no jitter at attempt " << attempt;
        EXPECT_LT(*seen.begin(), cap / 4) << "full jitter reaches near zero";
    }
}

TEST_F(SyncWorkerTest, DrainsInArrivalOrderInBatchesOfAtMostAHundred) {
    BatchServer server(tls_);
    auto outbox = make_outbox();
    std::vector<std::string> keys;
    for (int i = 0; i < 250; ++i) {
        keys.push_back(enqueue(*outbox, {{"n", i}}));
    }
    std::mutex mutex;
    std::vector<SyncStatus> reports;
    SyncWorker worker(*outbox, server.url(), client(), fast(), [&](const SyncStatus& s) {
        std::lock_guard lock(mutex);
        reports.push_back(s);
    });
    worker.start();
    ASSERT_TRUE(eventually([&] { return outbox->size() == 0; }));
    worker.stop();

    const auto batches = server.batches();
    ASSERT_EQ(batches.size(), 3u);
    EXPECT_EQ(batches[0].size(), 100u);
    EXPECT_EQ(batches[1].size(), 100u);
    EXPECT_EQ(batches[2].size(), 50u);
    std::vector<std::string> sent;
    for (const auto& batch : batches) {
        sent.insert(sent.end(), batch.begin(), batch.end());
    }
    EXPECT_EQ(sent, keys);
    EXPECT_EQ(worker.status().delivered, 250u);
    std::lock_guard lock(mutex);
    ASSERT_FALSE(reports.empty());
    EXPECT_EQ(reports.back().pending, 0u);
    EXPECT_TRUE(reports.back().central_reachable);
    EXPECT_GT(reports.back().last_success_ms, 0);
}

TEST_F(SyncWorkerTest, RetriesConflictsRateLimitsAndServerErrorsButDeadLettersOther4xx) {
    BatchServer server(tls_);
    auto outbox = make_outbox();
    const auto ok = enqueue(*outbox, {{"want", 200}});
    const auto invalid = enqueue(*outbox, {{"want", 400}, {"code", "token_invalid"}});
    const auto conflict = enqueue(*outbox, {{"want", 409}, {"code", "idempotency_in_progress"}});
    const auto limited = enqueue(*outbox, {{"want", 429}, {"code", "rate_limited"}});
    const auto broken = enqueue(*outbox, {{"want", 503}, {"code", "unavailable"}});
    const auto missing = enqueue(*outbox, {{"want", 404}}); // no error envelope
    SyncWorker worker(*outbox, server.url(), client(), fast());
    worker.start();
    ASSERT_TRUE(eventually([&] { return outbox->counts().pending == 0; }));
    worker.stop();

    EXPECT_EQ(server.seen(ok), 1);
    EXPECT_EQ(server.seen(invalid), 1);
    EXPECT_EQ(server.seen(missing), 1);
    EXPECT_EQ(server.seen(conflict), 2);
    EXPECT_EQ(server.seen(limited), 2);
    EXPECT_EQ(server.seen(broken), 2);
    const auto dead = outbox->dead_letters(10);
    ASSERT_EQ(dead.size(), 2u);
    EXPECT_EQ(dead[0].idempotency_key, invalid);
    EXPECT_EQ(dead[0].dead_reason, "token_invalid");
    EXPECT_EQ(dead[1].idempotency_key, missing);
    EXPECT_EQ(dead[1].dead_reason, "http_404");
    EXPECT_EQ(worker.status().delivered, 4u);
    EXPECT_EQ(worker.status().dead, 2u);
}

TEST_F(SyncWorkerTest, RetryAfterOnABusyCentralIsHonoured) {
    BatchServer server(tls_, 0, [](int index, httplib::Response& res) {
        if (index > 0) {
            return false;
        }
        res.status = 503;
        res.set_header("Retry-After", "1");
        res.set_content(R"({"error":{"code":"unavailable","message":"busy"}})", "application/json");
        return true;
    });
    auto outbox = make_outbox();
    const auto key = enqueue(*outbox, {{"n", 1}});
    SyncWorker worker(*outbox, server.url(), client(), fast());
    worker.start();
    ASSERT_TRUE(eventually([&] { return outbox->size() == 0; }));
    worker.stop();
    const auto times = server.times();
    ASSERT_EQ(times.size(), 2u);
    // Backoff alone would have retried within 20 ms; the central asked for a second.
    EXPECT_GE(times[1] - times[0], 950ms);
}

TEST_F(SyncWorkerTest, AnUnreachableCentralKeepsItemsUntilItComesBack) {
    const int port = free_port();
    auto outbox = make_outbox();
    const auto key = enqueue(*outbox, {{"n", 1}});
    std::atomic<int> unreachable_reports{0};
    SyncWorker worker(*outbox, "https://127.0.0.1:" + std::to_string(port), client(), fast(),
                      [&](const SyncStatus& s) {
                          if (!s.central_reachable) {
                              ++unreachable_reports;
                          }
                      });
    worker.start();
    ASSERT_TRUE(eventually([&] {
        const auto item = outbox->find(key);
        return item && item->attempts >= 2;
    }));
    const auto waiting = outbox->find(key);
    ASSERT_TRUE(waiting);
    EXPECT_EQ(waiting->state, ItemState::Pending);
    EXPECT_NE(waiting->last_error.find("unreachable"), std::string::npos) << waiting->last_error;
    EXPECT_FALSE(worker.status().central_reachable);
    EXPECT_GE(unreachable_reports.load(), 2);

    BatchServer server(tls_, port);
    ASSERT_TRUE(eventually([&] { return outbox->size() == 0; }));
    EXPECT_EQ(server.seen(key), 1);
    EXPECT_TRUE(eventually([&] { return worker.status().central_reachable; }));
    EXPECT_EQ(worker.status().last_error, "");
    worker.stop(); // before the server, which would otherwise wait out the kept-alive connection
}

TEST_F(SyncWorkerTest, ARefusedBatchKeepsItsItemsPendingForStaffToSee) {
    BatchServer server(tls_, 0, [](int, httplib::Response& res) {
        res.status = 401;
        res.set_content(R"({"error":{"code":"kiosk_unknown","message":"who?"}})",
                        "application/json");
        return true;
    });
    auto outbox = make_outbox();
    const auto key = enqueue(*outbox, {{"n", 1}});
    SyncWorker worker(*outbox, server.url(), client(), fast());
    worker.start();
    ASSERT_TRUE(eventually([&] { return server.times().size() >= 2; }));
    worker.stop();
    const auto item = outbox->find(key);
    ASSERT_TRUE(item);
    EXPECT_EQ(item->state, ItemState::Pending);
    EXPECT_EQ(item->last_error, "central refused the batch: HTTP 401 kiosk_unknown");
}

TEST_F(SyncWorkerTest, ExpiredItemsBecomeDeadLettersAndAreNeverSent) {
    BatchServer server(tls_);
    auto now = std::make_shared<std::int64_t>(1'700'000'000'000);
    OutboxOptions options;
    options.max_age = 1h;
    options.clock = [now] { return *now; };
    auto outbox = make_outbox(options);
    const auto key = enqueue(*outbox, {{"n", 1}});
    *now += 2 * 3'600'000;
    std::atomic<std::size_t> dead_reported{0};
    SyncWorker worker(*outbox, server.url(), client(), fast(),
                      [&](const SyncStatus& s) { dead_reported = s.dead; });
    worker.start();
    ASSERT_TRUE(eventually([&] { return dead_reported.load() == 1; }));
    worker.stop();
    EXPECT_TRUE(server.batches().empty());
    const auto dead = outbox->dead_letters(10);
    ASSERT_EQ(dead.size(), 1u);
    EXPECT_EQ(dead[0].idempotency_key, key);
    EXPECT_EQ(dead[0].dead_reason, "expired");
}

TEST_F(SyncWorkerTest, WakeStartsAnIdleWorkerAtOnce) {
    BatchServer server(tls_);
    auto outbox = make_outbox();
    SyncWorker worker(*outbox, server.url(), client(), fast()); // idle_wait is a minute
    worker.start();
    std::this_thread::sleep_for(100ms); // let it go idle
    const auto key = enqueue(*outbox, {{"n", 1}});
    const auto start = std::chrono::steady_clock::now();
    worker.wake();
    ASSERT_TRUE(eventually([&] { return outbox->size() == 0; }, 5s));
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
    EXPECT_EQ(server.seen(key), 1);
}

TEST_F(SyncWorkerTest, StopEndsARequestInFlightPromptlyAndKeepsItsItem) {
    std::atomic<bool> release{false};
    BatchServer server(tls_, 0, [&](int, httplib::Response& res) {
        while (!release) { // a central that takes its time
            std::this_thread::sleep_for(10ms);
        }
        res.status = 503;
        return true;
    });
    auto outbox = make_outbox();
    const auto key = enqueue(*outbox, {{"n", 1}});
    auto settings = client();
    settings.total_timeout = 60s;
    SyncWorker worker(*outbox, server.url(), settings, fast());
    worker.start();
    ASSERT_TRUE(eventually([&] { return server.times().size() == 1; }));
    const auto start = std::chrono::steady_clock::now();
    worker.stop();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2500ms);
    release = true;
    const auto item = outbox->find(key);
    ASSERT_TRUE(item);
    EXPECT_EQ(item->state, ItemState::Pending);
    EXPECT_EQ(item->attempts, 0); // a cancelled attempt is not a failed one
}
