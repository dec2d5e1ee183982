// The sync worker's thread and its retry policy. One round: expire, take the leading due
// items, send them as one batch, record every item's outcome in one transaction, tell the UI.
#include "kiosk/offline/sync_worker.hpp"

#include <algorithm>

namespace kiosk::offline {
namespace {

std::string http_error_text(const net::ApiFailure& failure) {
    std::string text = "HTTP " + std::to_string(failure.http_status);
    if (!failure.code().empty()) {
        text += " " + std::string(failure.code());
    }
    return text;
}

bool retryable_status(long status) {
    return status == 409 || status == 429 || status >= 500;
}

} // namespace

Disposition disposition_for(long http_status) {
    if (http_status >= 200 && http_status < 300) {
        return Disposition::Deliver;
    }
    if (http_status >= 400 && http_status < 500 && !retryable_status(http_status)) {
        return Disposition::DeadLetter;
    }
    // 409, 429, 5xx; and anything a route should never answer (1xx, 3xx, garbage), which
    // is the central's fault to fix, not a reason to drop the user's request.
    return Disposition::Retry;
}

std::chrono::milliseconds backoff_delay(int attempt, const SyncSettings& settings,
                                        std::mt19937_64& random) {
    const int doublings = std::clamp(attempt - 1, 0, 30);
    const auto base = std::max<std::int64_t>(1, settings.base_backoff.count());
    const auto cap =
        std::min<std::int64_t>(settings.max_backoff.count(), base << std::min(doublings, 62 - 20));
    std::uniform_int_distribution<std::int64_t> pick(0, std::max<std::int64_t>(0, cap));
    return std::chrono::milliseconds(pick(random));
}

SyncWorker::SyncWorker(Outbox& outbox, std::string central_base_url, net::ClientSettings client,
                       SyncSettings settings, std::function<void(const SyncStatus&)> on_change)
    : outbox_(outbox), base_url_(std::move(central_base_url)), client_settings_(std::move(client)),
      settings_(settings), on_change_(std::move(on_change)), random_(std::random_device{}()) {
    settings_.batch_size = std::clamp<std::size_t>(settings_.batch_size, 1, 100);
    client_settings_.cancel = &stop_;
    const auto counts = outbox_.counts();
    status_.pending = counts.pending;
    status_.dead = counts.dead;
}

SyncWorker::~SyncWorker() {
    stop();
}

void SyncWorker::start() {
    if (thread_.joinable()) {
        return;
    }
    stop_ = false;
    // The client is made here so a bad setting (one pin) throws to the caller, not on
    // the thread; the thread then owns it alone.
    auto client = std::make_shared<net::CentralClient>(base_url_, client_settings_);
    thread_ = std::thread([this, client] {
        while (!stop_) {
            round(*client);
        }
    });
}

void SyncWorker::stop() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) {
        thread_.join();
    }
}

void SyncWorker::wake() {
    {
        std::lock_guard lock(mutex_);
        woken_ = true;
    }
    wake_.notify_all();
}

SyncStatus SyncWorker::status() const {
    std::lock_guard lock(mutex_);
    return status_;
}

void SyncWorker::publish(bool reachable, std::string last_error, std::size_t delivered) {
    const auto counts = outbox_.counts();
    SyncStatus copy;
    {
        std::lock_guard lock(mutex_);
        status_.pending = counts.pending;
        status_.dead = counts.dead;
        status_.central_reachable = reachable;
        status_.last_error = std::move(last_error);
        status_.delivered += delivered;
        if (delivered > 0) {
            status_.last_success_ms = outbox_.now_ms();
        }
        copy = status_;
    }
    if (on_change_) {
        on_change_(copy);
    }
}

void SyncWorker::wait_for_work() {
    auto wait = settings_.idle_wait;
    if (const auto due = outbox_.next_due_at_ms()) {
        wait = std::min(
            wait, std::chrono::milliseconds(std::max<std::int64_t>(0, *due - outbox_.now_ms())));
    }
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, wait, [this] { return stop_.load() || woken_; });
    woken_ = false;
}

void SyncWorker::round(net::CentralClient& client) {
    const std::size_t expired = outbox_.expire();
    const auto batch = outbox_.next_batch(settings_.batch_size);
    if (batch.empty()) {
        if (expired > 0) {
            const auto now = status();
            publish(now.central_reachable, now.last_error, 0);
        }
        wait_for_work();
        return;
    }
    std::vector<net::SyncItem> items;
    items.reserve(batch.size());
    for (const auto& item : batch) {
        items.push_back({item.idempotency_key, item.route, item.body, item.sealed});
    }
    auto answer = client.sync_batch(items);

    const std::int64_t now = outbox_.now_ms();
    std::vector<Outcome> outcomes;
    outcomes.reserve(batch.size());
    bool reachable = true;
    std::string last_error;
    std::size_t delivered = 0;
    // Every item of a failed batch waits; the Retry-After floor applies to each.
    const auto retry_all = [&](const std::string& error, std::chrono::milliseconds floor) {
        for (const auto& item : batch) {
            const auto delay =
                std::max(floor, backoff_delay(item.attempts + 1, settings_, random_));
            outcomes.push_back({item.id, Outcome::Kind::Retry, error, now + delay.count()});
        }
    };

    if (auto* failure = std::get_if<net::ApiFailure>(&answer)) {
        switch (failure->kind) {
        case net::ApiFailure::Kind::Transport:
            if (failure->transport == net::TransportFailureKind::Cancelled) {
                return; // shutting down: the items stay as they were
            }
            reachable = false;
            last_error = std::string(net::to_string(failure->transport)) + ": " + failure->detail;
            retry_all(last_error, std::chrono::milliseconds(0));
            break;
        case net::ApiFailure::Kind::HttpError: {
            last_error = http_error_text(*failure);
            std::chrono::milliseconds floor(0);
            if (retryable_status(failure->http_status)) {
                if (failure->retry_after) {
                    floor = std::min<std::chrono::milliseconds>(*failure->retry_after,
                                                                settings_.max_retry_after);
                }
            } else {
                // The central refuses the whole batch (a revoked kiosk, say): the items are
                // not at fault, so they wait as long as backoff allows, for staff to see.
                last_error = "central refused the batch: " + last_error;
                floor = settings_.max_backoff;
            }
            retry_all(last_error, floor);
            break;
        }
        case net::ApiFailure::Kind::BadResponse:
            last_error = "unreadable answer: " + failure->detail;
            retry_all(last_error, std::chrono::milliseconds(0));
            break;
        }
    } else {
        const auto& results = std::get<net::SyncBatchResponse>(answer).results;
        for (std::size_t i = 0; i < batch.size(); ++i) {
            const auto& item = batch[i];
            const auto& result = results[i]; // sync_batch checked: same count, order, keys
            std::string text = "HTTP " + std::to_string(result.status);
            if (!result.error_code.empty()) {
                text += " " + result.error_code;
            }
            switch (disposition_for(result.status)) {
            case Disposition::Deliver:
                outcomes.push_back({item.id, Outcome::Kind::Delivered, "", 0});
                ++delivered;
                break;
            case Disposition::Retry:
                last_error = text;
                outcomes.push_back(
                    {item.id, Outcome::Kind::Retry, text,
                     now + backoff_delay(item.attempts + 1, settings_, random_).count()});
                break;
            case Disposition::DeadLetter:
                outcomes.push_back({item.id, Outcome::Kind::Dead,
                                    result.error_code.empty()
                                        ? "http_" + std::to_string(result.status)
                                        : result.error_code,
                                    0});
                break;
            }
        }
    }

    std::string error;
    if (!outbox_.apply(outcomes, error)) {
        // The outcome is lost but the items are not: they stay pending and go again, and
        // the central answers the delivered ones from its idempotency records.
        publish(reachable, "outbox: " + error, 0);
        std::unique_lock lock(mutex_);
        wake_.wait_for(lock, settings_.base_backoff, [this] { return stop_.load(); });
        return;
    }
    publish(reachable, last_error, delivered);
}

} // namespace kiosk::offline
