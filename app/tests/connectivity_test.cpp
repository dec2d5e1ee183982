// ConnectivityMonitor against a real kiosk-central over TLS: online with latency and the
// central's certificate, offline with a plain reason when it stops, online again when it
// returns on the same port; reading the status never waits on a check in flight.
#include "central_process.hpp"
#include "kiosk/app/connectivity.hpp"
#include "silent_server.hpp"

#include <atomic>
#include <functional>
#include <gtest/gtest.h>
#include <thread>

using namespace kiosk;
using namespace kiosk::app;
using namespace std::chrono_literals;

namespace {

// How long a change may take to show: generous, because a sanitizer build of the central
// on a loaded machine restarts slowly; a passing run waits only as long as it needs.
constexpr auto kPatience = 30s;

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

ConnectivitySettings settings_for(const std::string& url, const std::filesystem::path& ca,
                                  std::atomic<int>& wakes) {
    ConnectivitySettings s;
    s.central_url = url;
    s.client.ca_file = ca;
    s.client.connect_timeout = 1s;
    s.client.total_timeout = 2s;
    s.interval = 200ms;
    s.on_change = [&wakes] { ++wakes; };
    return s;
}

} // namespace

TEST(ConnectivityMonitor, FollowsACentralThatStopsAndComesBack) {
    net::CurlGlobal curl;
    kiosk::testing::CentralProcess central;
    std::atomic<int> wakes = 0;
    ConnectivityMonitor monitor(settings_for(central.base_url(), central.ca_file(), wakes));
    EXPECT_EQ(monitor.snapshot().state, Reachability::Unknown);
    EXPECT_EQ(monitor.snapshot().central_url, central.base_url());
    monitor.start();

    ASSERT_TRUE(
        eventually([&] { return monitor.snapshot().state == Reachability::Online; }, kPatience));
    auto status = monitor.snapshot();
    ASSERT_TRUE(status.latency.has_value());
    EXPECT_GT(status.latency->count(), 0);
    EXPECT_LT(status.latency->count(), 2000);
    ASSERT_TRUE(status.last_success.has_value());
    EXPECT_NE(status.peer_subject.find("CN"), std::string::npos) << status.peer_subject;
    ASSERT_TRUE(status.peer_not_after.has_value());
    EXPECT_GT(*status.peer_not_after, std::chrono::system_clock::now()) << "a live certificate";
    // The monitor publishes the snapshot, then wakes the UI outside its lock: the wake can
    // come a moment after the state is readable.
    EXPECT_TRUE(eventually([&] { return wakes.load() >= 1; }, kPatience))
        << "the change to online must wake the UI";

    central.stop();
    const int wakes_before_outage = wakes.load();
    ASSERT_TRUE(
        eventually([&] { return monitor.snapshot().state == Reachability::Offline; }, kPatience));
    status = monitor.snapshot();
    EXPECT_EQ(status.last_failure_reason, "cannot connect (refused, no route or reset)");
    ASSERT_TRUE(status.last_failure.has_value());
    EXPECT_TRUE(eventually([&] { return wakes.load() > wakes_before_outage; }, kPatience))
        << "the change to offline must wake the UI";
    EXPECT_FALSE(status.peer_subject.empty()) << "what was last seen stays for staff";

    central.start_again();
    ASSERT_TRUE(
        eventually([&] { return monitor.snapshot().state == Reachability::Online; }, kPatience));
    EXPECT_GT(*monitor.snapshot().last_success, *status.last_failure);
    monitor.stop();
}

TEST(ConnectivityMonitor, ReadingNeverWaitsOnACheckInFlight) {
    net::CurlGlobal curl;
    kiosk::testing::CentralProcess central; // only for a real CA file
    kiosk::testing::SilentServer silent;
    std::atomic<int> wakes = 0;
    auto settings = settings_for(silent.base_url(), central.ca_file(), wakes);
    settings.client.connect_timeout = 10s;
    settings.client.total_timeout = 10s;
    settings.client.low_speed_seconds = 10;
    ConnectivityMonitor monitor(settings);
    monitor.start();
    ASSERT_TRUE(eventually([&] { return silent.accepted() >= 1; }, kPatience));

    // The check now waits for a TLS answer that never comes; readers must not.
    std::chrono::nanoseconds slowest{0};
    for (int i = 0; i < 1000; ++i) {
        const auto started = std::chrono::steady_clock::now();
        const auto status = monitor.snapshot();
        slowest = std::max(slowest, std::chrono::steady_clock::now() - started);
        EXPECT_EQ(status.state, Reachability::Unknown);
    }
    EXPECT_LT(slowest, 5ms);
    monitor.record_answer(); // another thread's request got through meanwhile
    EXPECT_EQ(monitor.snapshot().state, Reachability::Online);

    const auto stopping = std::chrono::steady_clock::now();
    monitor.stop();
    EXPECT_LT(std::chrono::steady_clock::now() - stopping, 2500ms)
        << "stop() must cancel the check, not wait out the 10 s timeout";
    EXPECT_EQ(monitor.snapshot().state, Reachability::Online)
        << "our own cancellation says nothing about the central";
}

TEST(ConnectivityMonitor, LearnsFromTheSyncWorker) {
    std::atomic<int> wakes = 0;
    ConnectivitySettings settings;
    settings.central_url = "https://127.0.0.1:1";
    settings.on_change = [&wakes] { ++wakes; };
    ConnectivityMonitor monitor(settings); // not started: only reports

    offline::SyncStatus sync;
    sync.pending = 3;
    sync.dead = 1;
    sync.central_reachable = false;
    sync.last_error = "timeout: Operation timed out after 10001 milliseconds";
    monitor.record_sync(sync);
    auto status = monitor.snapshot();
    EXPECT_EQ(status.state, Reachability::Offline);
    EXPECT_EQ(status.last_failure_reason, "no answer in time");
    EXPECT_TRUE(status.queue_known);
    EXPECT_EQ(status.queue_pending, 3U);
    EXPECT_EQ(status.queue_dead, 1U);
    EXPECT_FALSE(status.last_sync.has_value());
    EXPECT_EQ(wakes.load(), 1);

    sync.pending = 0;
    sync.central_reachable = true;
    sync.last_error.clear();
    sync.last_success_ms = 1'700'000'000'000;
    sync.delivered = 3;
    monitor.record_sync(sync);
    status = monitor.snapshot();
    EXPECT_EQ(status.state, Reachability::Online);
    EXPECT_EQ(status.queue_pending, 0U);
    ASSERT_TRUE(status.last_sync.has_value());
    EXPECT_EQ(
        std::chrono::duration_cast<std::chrono::milliseconds>(status.last_sync->time_since_epoch())
            .count(),
        1'700'000'000'000);
    EXPECT_EQ(wakes.load(), 2);

    // An expiry-only publish (no attempt made) says nothing about the central.
    sync.central_reachable = false;
    monitor.record_sync(sync);
    EXPECT_EQ(monitor.snapshot().state, Reachability::Online);
    const auto revision = monitor.snapshot().revision;
    monitor.record_answer(); // same state: timestamps only, no wake
    EXPECT_EQ(monitor.snapshot().revision, revision);
    EXPECT_EQ(wakes.load(), 2);
}
