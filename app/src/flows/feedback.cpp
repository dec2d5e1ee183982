// [feedback] Stars and a comment after a receipt, and [session end] the session_ended audit
// event. Both go through the outbox from the worker thread: they must never be lost, and
// never make anyone wait, so the session moves on without waiting for either.
#include "flow_support.hpp"

#include <spdlog/spdlog.h>

namespace kiosk::app {
namespace {

const char* screen_name(Screen screen) {
    switch (screen) {
    case Screen::Attract:
        return "attract";
    case Screen::Home:
        return "home";
    case Screen::Identify:
        return "identify";
    case Screen::ChooseMethod:
        return "choose_method";
    case Screen::EnterCode:
        return "enter_code";
    case Screen::NewPassword:
        return "new_password";
    case Screen::AccountStatus:
        return "account_status";
    case Screen::Help:
        return "help";
    case Screen::Ticket:
        return "ticket";
    case Screen::Feedback:
        return "feedback";
    case Screen::Done:
        return "done";
    case Screen::OfflineOffer:
        return "offline_offer";
    case Screen::OfflinePassword:
        return "offline_password";
    case Screen::Problem:
        return "problem";
    case Screen::ActivateAccount:
        return "activate_account";
    case Screen::EnrolAuthenticator:
        return "enrol_authenticator";
    case Screen::ConfirmAuthenticator:
        return "confirm_authenticator";
    case Screen::ContactDetails:
        return "contact_details";
    }
    return "unknown";
}

} // namespace

Deferred queue_in_clear(OfflineServices& offline, const std::string& route, std::string json_body,
                        const std::string& idempotency_key) {
    auto result = offline.outbox().enqueue({route, std::move(json_body), false, idempotency_key});
    if (const auto* error = std::get_if<offline::OutboxError>(&result)) {
        const auto outcome = error->kind == offline::OutboxErrorKind::QueueFull
                                 ? DeferOutcome::QueueFull
                                 : DeferOutcome::NotSaved;
        return {outcome, std::string(offline::to_string(error->kind)) + ": " + error->detail};
    }
    offline.sync().wake();
    return {DeferOutcome::Saved, {}};
}

void Session::queue_record(std::string route, std::string json_body) {
    if (offline_ == nullptr) {
        // No outbox on this kiosk: feedback goes straight to the central, once; an audit event
        // needs the sync worker's kiosk identity, so it stays in the log.
        if (route == "/v1/feedback") {
            worker_.submit([&central = central_, body = std::move(json_body)] {
                auto request = api::parse<api::FeedbackRequest>(body);
                if (!request) {
                    return;
                }
                const auto result = central.send_feedback(*request);
                if (const auto* failure = std::get_if<net::ApiFailure>(&result)) {
                    spdlog::warn("session: feedback not delivered (no outbox): {}",
                                 failure->detail);
                }
            });
        } else {
            spdlog::info("session: {} (no outbox, not sent): {}", route, json_body);
        }
        return;
    }
    auto save = [offline = offline_, route = std::move(route), body = std::move(json_body)] {
        const auto saved = queue_in_clear(*offline, route, body);
        if (saved.outcome != DeferOutcome::Saved) {
            spdlog::error("session: {} not queued: {}", route, saved.detail);
        }
    };
    // A local write already: the same one runs if the kiosk is stopping before it started.
    worker_.submit_kept(save, save);
}

void Session::on(const intent::Rate& i) {
    if (view_.screen != Screen::Done || !view_.feedback_offered || i.stars < 1 || i.stars > 5) {
        return;
    }
    view_.rating = i.stars;
    show(Screen::Feedback);
}

void Session::on(intent::SubmitFeedback& i) {
    if (view_.screen != Screen::Feedback) {
        return;
    }
    if (i.stars >= 1 && i.stars <= 5) {
        api::FeedbackRequest body;
        body.rating = i.stars;
        body.comment = std::move(i.comment);
        if (body.comment.size() > 2000) {
            body.comment.resize(2000);
            while (!body.comment.empty() &&
                   (static_cast<unsigned char>(body.comment.back()) & 0x80) != 0) {
                body.comment.pop_back(); // no half character at the cut
            }
        }
        body.flow = flow_name(view_.flow);
        body.outcome = outcome_.empty() ? "completed" : outcome_;
        queue_record("/v1/feedback", api::serialize(body));
    }
    end_session("finished after feedback");
}

void Session::end_session(const char* why) {
    if (session_open_) {
        api::KioskAuditEvent event;
        event.action = "session_ended";
        // Only a verified person is named: a typed identifier proves nothing.
        event.actor = verified_actor_.empty() ? "anonymous" : verified_actor_;
        event.detail = why;
        event.at = utc_now_rfc3339();
        event.flow = flow_name(view_.flow);
        event.last_screen = screen_name(view_.screen);
        event.outcome = outcome_.empty() ? "abandoned" : outcome_;
        spdlog::info("session: ended ({}), flow {}, last screen {}, outcome {}", why, *event.flow,
                     *event.last_screen, *event.outcome);
        queue_record("/v1/kiosks/audit-events", api::serialize(event));
    }
    session_open_ = false;
    outcome_.clear();
    secure_wipe(verified_actor_);
    ticket_token_.clear();
    wipe();
}

} // namespace kiosk::app
