// The two queues that keep the UI thread from ever waiting: BackgroundWorker runs slow
// jobs (network, disk) on its own thread, and UiInbox carries their results back to be
// applied on the UI thread, once per frame, waking the event loop when one arrives.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace kiosk::app {

class UiInbox {
public:
    using Waker = std::function<void()>; // must be thread-safe, e.g. glfwPostEmptyEvent

    void set_waker(Waker waker);
    // Called from any thread.
    void post(std::function<void()> completion);
    // Called on the UI thread; runs every completion posted so far. Returns how many ran.
    std::size_t drain();

private:
    std::mutex mutex_;
    std::deque<std::function<void()>> completions_;
    Waker waker_;
};

class BackgroundWorker {
public:
    BackgroundWorker();
    ~BackgroundWorker(); // finishes the running job, drops queued ones, joins
    BackgroundWorker(const BackgroundWorker&) = delete;
    BackgroundWorker& operator=(const BackgroundWorker&) = delete;

    void submit(std::function<void()> job);
    // Blocks until every job submitted so far has run (tests and shutdown only).
    void wait_idle();

private:
    void run();

    std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable idle_;
    std::deque<std::function<void()>> jobs_;
    bool running_job_ = false;
    bool stopping_ = false;
    std::thread thread_; // last: starts after the members above exist
};

} // namespace kiosk::app
