// BackgroundWorker runs jobs off the calling thread, in order; UiInbox hands results back
// only when drained, and wakes the loop on each post.
#include "kiosk/app/task_queue.hpp"

#include <atomic>
#include <gtest/gtest.h>
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
