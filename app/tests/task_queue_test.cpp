// BackgroundWorker runs jobs off the calling thread, in order; UiInbox hands results back
// only when drained, and wakes the loop on each post.
#include "kiosk/app/task_queue.hpp"

#include <atomic>
#include <future>
#include <gtest/gtest.h>
#include <mutex>
#include <string>
#include <vector>

using namespace kiosk::app;

TEST(BackgroundWorker, RunsJobsInOrderOnAnotherThread) {
    BackgroundWorker worker;
    std::vector<int> order;
    std::thread::id job_thread;
    for (int i = 0; i < 5; ++i) {
        worker.submit([&order, &job_thread, i] {
            order.push_back(i);
            job_thread = std::this_thread::get_id();
        });
    }
    worker.wait_idle();
    EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
    EXPECT_NE(job_thread, std::this_thread::get_id());
}

TEST(UiInbox, CompletionsRunOnlyWhenDrainedAndEachPostWakes) {
    UiInbox inbox;
    std::atomic<int> wakes = 0;
    inbox.set_waker([&wakes] { ++wakes; });
    BackgroundWorker worker;
    int applied = 0;
    worker.submit([&inbox, &applied] { inbox.post([&applied] { ++applied; }); });
    worker.submit([&inbox, &applied] { inbox.post([&applied] { ++applied; }); });
    worker.wait_idle();
    EXPECT_EQ(applied, 0) << "completions must wait for the UI thread";
    EXPECT_EQ(wakes.load(), 2);
    EXPECT_EQ(inbox.drain(), 2u);
    EXPECT_EQ(applied, 2);
    EXPECT_EQ(inbox.drain(), 0u);
}

// At shutdown a waiting request is dropped, a kept record gets its quick local form, in
// order, and the stop is bounded: what does not fit in the time is counted as lost.
TEST(BackgroundWorker, StoppingDropsRequestsRunsKeptRecordsAndIsBounded) {
    BackgroundWorker worker;
    std::promise<void> release;
    std::atomic<bool> started = false;
    // The running job (a slow request) ends only once the worker is stopping.
    worker.submit([&started, done = release.get_future().share()] {
        started = true;
        done.wait();
    });
    while (!started) {
        std::this_thread::yield();
    }
    std::vector<std::string> ran;
    std::mutex ran_mutex;
    auto log = [&](std::string what) {
        return [&ran, &ran_mutex, what] {
            std::lock_guard lock(ran_mutex);
            ran.push_back(what);
        };
    };
    worker.submit(log("request"));
    worker.submit_kept(log("ticket online"), log("ticket saved"));
    worker.submit(log("another request"));
    worker.submit_kept(log("feedback online"), log("feedback saved"));
    std::thread releaser([&release] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        release.set_value();
    });
    EXPECT_EQ(worker.stop(std::chrono::milliseconds(2000)), 0u);
    releaser.join();
    EXPECT_EQ(ran, (std::vector<std::string>{"ticket saved", "feedback saved"}));
    worker.submit_kept(log("late"), log("late saved"));
    EXPECT_EQ(ran.size(), 2u) << "nothing runs after the stop";

    BackgroundWorker slow;
    std::promise<void> slow_release;
    std::atomic<bool> busy = false;
    slow.submit([&busy, done = slow_release.get_future().share()] {
        busy = true;
        done.wait();
    });
    while (!busy) {
        std::this_thread::yield();
    }
    std::atomic<int> saved = 0;
    for (int i = 0; i < 6; ++i) {
        slow.submit_kept([] {},
                         [&saved] {
                             std::this_thread::sleep_for(std::chrono::milliseconds(150));
                             ++saved;
                         });
    }
    std::thread slow_releaser([&slow_release] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        slow_release.set_value();
    });
    const auto before = std::chrono::steady_clock::now();
    const std::size_t lost = slow.stop(std::chrono::milliseconds(320));
    const auto took = std::chrono::steady_clock::now() - before;
    slow_releaser.join();
    EXPECT_LT(took, std::chrono::milliseconds(1000)) << "the stop's limit holds";
    EXPECT_GE(saved.load(), 1);
    EXPECT_GE(lost, 1u);
    EXPECT_EQ(lost + static_cast<std::size_t>(saved.load()), 6u)
        << "every record is saved or counted";
}
