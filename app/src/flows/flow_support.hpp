// What the session's per-flow files (app/src/flows/*.cpp) share: Session::request(), the
// one way a flow asks the central, and the small helpers every flow's answer handling uses.
#pragma once

#include "kiosk/app/offline_services.hpp"
#include "kiosk/app/session.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <optional>
#include <string>

namespace kiosk::app {

// The names the central's reports group by (is_word: a-z, 0-9, '_' and '-').
inline const char* flow_name(Flow flow) {
    switch (flow) {
    case Flow::ResetPassword:
        return "reset";
    case Flow::Unlock:
        return "unlock";
    case Flow::AccountStatus:
        return "status";
    case Flow::Help:
        return "help";
    case Flow::Ticket:
        return "ticket";
    case Flow::Activate:
        return "activate";
    case Flow::ContactDetails:
        return "contact";
    case Flow::None:
        break;
    }
    return "none";
}

// What a verification is for, as the central's verification routes name it: the flow's
// name for the flows that verify, "any" for those that do not (the activation code itself
// proves who it is).
inline const char* verification_purpose(Flow flow) {
    switch (flow) {
    case Flow::ResetPassword:
    case Flow::Unlock:
    case Flow::AccountStatus:
    case Flow::ContactDetails:
        return flow_name(flow);
    case Flow::None:
    case Flow::Help:
    case Flow::Ticket:
    case Flow::Activate:
        break;
    }
    return "any";
}

inline bool is_transport_failure(const net::ApiFailure& failure) {
    return failure.kind == net::ApiFailure::Kind::Transport;
}

// No answer at all, so the central may be down or the network cut: worth saving for later.
// A TLS or certificate failure is not (it may be someone else answering), nor is a cancel.
inline bool worth_saving_for_later(const net::ApiFailure& failure) {
    using Kind = net::TransportFailureKind;
    return failure.kind == net::ApiFailure::Kind::Transport &&
           (failure.transport == Kind::Unreachable || failure.transport == Kind::Timeout ||
            failure.transport == Kind::Stalled);
}

// The whole minutes to wait when the central refused for too many requests from this
// kiosk (429 rate_limited, its Retry-After), rounded up; nullopt for any other failure.
inline std::optional<int> rate_limited_minutes(const net::ApiFailure& failure) {
    if (failure.code() != api::error_code::kRateLimited) {
        return std::nullopt;
    }
    const auto seconds = failure.retry_after.value_or(std::chrono::seconds(60)).count();
    return static_cast<int>(std::clamp<long long>((seconds + 59) / 60, 1, 24 * 60));
}

inline std::string utc_now_rfc3339() {
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

// A 422 password refusal's code as the notice that explains it in plain words; shared by
// the reset and the activation's first password (app/src/flows/reset.cpp).
Notice notice_for_password_refusal(std::string_view code);

// [records] Stores `json_body` for `route` in the outbox in clear (tickets, feedback and
// audit events carry no secret) and wakes the sync worker. Worker thread only: it waits for
// the fsync. `idempotency_key` "" = the outbox makes one.
Deferred queue_in_clear(OfflineServices& offline, const std::string& route, std::string json_body,
                        const std::string& idempotency_key = {});

template <typename Call, typename Apply>
void Session::request(Call call, Apply apply, std::function<void()> at_stop) {
    view_.busy = true;
    changed();
    // The job captures the client and inbox themselves, not `this`: they outlive the session.
    auto job = [&central = central_, &inbox = inbox_, call = std::move(call),
                apply = std::move(apply), alive = std::weak_ptr<Session*>(alive_),
                generation = generation_]() mutable {
        auto result = call(central); // on the worker thread
        inbox.post(
            [alive, generation, apply = std::move(apply), result = std::move(result)]() mutable {
                auto self = alive.lock();
                if (!self || (*self)->generation_ != generation) {
                    return; // the user left (timeout, cancel) before the answer came
                }
                (*self)->view_.busy = false;
                apply(**self, result);
                (*self)->changed();
            });
    };
    if (at_stop) {
        worker_.submit_kept(std::move(job), std::move(at_stop));
    } else {
        worker_.submit(std::move(job));
    }
}

} // namespace kiosk::app
