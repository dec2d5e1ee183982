// BackgroundWorker and UiInbox: a mutex and a condition variable each, nothing clever.
#include "kiosk/app/task_queue.hpp"

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
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        jobs_.clear();
    }
    wake_.notify_all();
    thread_.join();
}

void BackgroundWorker::submit(std::function<void()> job) {
    {
        std::lock_guard lock(mutex_);
        jobs_.push_back(std::move(job));
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
            return;
        }
        auto job = std::move(jobs_.front());
        jobs_.pop_front();
        running_job_ = true;
        lock.unlock();
        job();
        lock.lock();
        running_job_ = false;
        if (jobs_.empty()) {
            idle_.notify_all();
        }
    }
}

} // namespace kiosk::app
