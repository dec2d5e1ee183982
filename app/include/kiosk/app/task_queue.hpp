// The two queues that keep the UI thread from ever waiting: BackgroundWorker runs slow
// jobs (network, disk) on its own thread, and UiInbox carries their results back to be
// applied on the UI thread, once per frame, waking the event loop when one arrives. At
// shutdown the worker drops waiting requests but not the records it was asked to keep.
// Declare the inbox before the worker (destroyed after it): a job still running while the
// worker stops may post its answer.
#pragma once

#include <chrono>
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
    ~BackgroundWorker(); // stop(kStopLimit) unless stopped already
    BackgroundWorker(const BackgroundWorker&) = delete;
    BackgroundWorker& operator=(const BackgroundWorker&) = delete;

    // How long stop() from the destructor gives kept jobs: an outbox write takes
    // milliseconds, and a service manager's SIGKILL comes after 90 s by default.
    static constexpr std::chrono::milliseconds kStopLimit{3000};

    // A job dropped when the worker stops before it started (a request whose answer nobody
    // will see).
    void submit(std::function<void()> job);
    // A job that must not be lost (a ticket or feedback on its way to the outbox): when the
    // worker stops before it started, `at_stop` runs instead on the worker thread, and it
    // must be quick and local (write to the outbox; no network).
    void submit_kept(std::function<void()> job, std::function<void()> at_stop);
    // Blocks until every job submitted so far has run (tests and shutdown only).
    void wait_idle();
    // Takes no new job, lets the running one finish, runs the `at_stop` of every kept job
    // still waiting while `limit` lasts, drops the rest, and joins. Returns how many kept
    // jobs did not run (logged as lost). Called once; later calls return 0.
    std::size_t stop(std::chrono::milliseconds limit);

private:
    struct Job {
        std::function<void()> run;
        std::function<void()> at_stop; // empty: dropped at stop
    };
    void run();

    std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable idle_;
    std::deque<Job> jobs_;
    bool running_job_ = false;
    bool stopping_ = false;
    std::chrono::steady_clock::time_point stop_deadline_{};
    std::size_t lost_ = 0; // kept jobs left when the stop's time ran out
    std::thread thread_;   // last: starts after the members above exist
};

} // namespace kiosk::app
