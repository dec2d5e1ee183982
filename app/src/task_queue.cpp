// BackgroundWorker and UiInbox: a mutex and a condition variable each, nothing clever.
// Stopping keeps jobs submitted as kept (docs/internals/session-flow.md, "Shutdown").
#include "kiosk/app/task_queue.hpp"

#include "kiosk/common/secret.hpp"

#include <spdlog/spdlog.h>

namespace kiosk::app {

void UiInbox::set_waker(Waker waker) {
    std::lock_guard lock(mutex_);
    waker_ = std::move(waker);
}

void UiInbox::post(std::function<void()> completion) {
    Waker waker;
    {
        std::lock_guard lock(mutex_);
        completions_.push_back(std::move(completion));
        waker = waker_;
    }
    if (waker) {
        waker();
    }
}

std::size_t UiInbox::drain() {
    std::deque<std::function<void()>> ready;
    {
        std::lock_guard lock(mutex_);
        ready.swap(completions_);
    }
    for (auto& completion : ready) {
        completion();
    }
    return ready.size();
}

BackgroundWorker::BackgroundWorker() : thread_([this] { run(); }) {}

BackgroundWorker::~BackgroundWorker() {
    stop(kStopLimit);
}

std::size_t BackgroundWorker::stop(std::chrono::milliseconds limit) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) {
            return 0;
        }
        stopping_ = true;
        stop_deadline_ = std::chrono::steady_clock::now() + limit;
        // Requests nobody waits for any more go; what must be kept stays, in order.
        std::erase_if(jobs_, [](const Job& job) { return !job.at_stop; });
    }
    wake_.notify_all();
    thread_.join();
    if (lost_ > 0) {
        spdlog::error("kiosk: {} record(s) (ticket or feedback) not saved before exit: the "
                      "stop's {} ms ran out",
                      lost_, limit.count());
    }
    return lost_;
}

void BackgroundWorker::submit(std::function<void()> job) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) {
            return;
        }
        jobs_.push_back({std::move(job), {}});
    }
    wake_.notify_one();
}

void BackgroundWorker::submit_kept(std::function<void()> job, std::function<void()> at_stop) {
    {
        std::lock_guard lock(mutex_);
        if (!stopping_) {
            jobs_.push_back({std::move(job), std::move(at_stop)});
        } else {
            // Too late to start: the worker has gone or is going. Counted, not silently lost.
            ++lost_;
            spdlog::error("kiosk: a record (ticket or feedback) came after shutdown began");
            return;
        }
    }
    wake_.notify_one();
}

void BackgroundWorker::wait_idle() {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [this] { return jobs_.empty() && !running_job_; });
}

void BackgroundWorker::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
        if (stopping_) {
            break;
        }
        auto job = std::move(jobs_.front());
        jobs_.pop_front();
        running_job_ = true;
        lock.unlock();
        job.run();
        job = {};     // its captures (a password, a code) go before the stack is wiped
        wipe_stack(); // a job's secrets are left in libcurl's and OpenSSL's locals
        lock.lock();
        running_job_ = false;
        if (jobs_.empty()) {
            idle_.notify_all();
        }
    }
    // Stopping: only kept jobs are left, and they get their quick local form.
    while (!jobs_.empty() && std::chrono::steady_clock::now() < stop_deadline_) {
        auto job = std::move(jobs_.front());
        jobs_.pop_front();
        lock.unlock();
        job.at_stop();
        lock.lock();
    }
    lost_ += jobs_.size();
    jobs_.clear();
    idle_.notify_all();
}

} // namespace kiosk::app
