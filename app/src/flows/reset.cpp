// [reset] The reset-password flow after verification: the new password goes to the central
// under a fresh idempotency key; with no answer it is saved sealed in the outbox instead.
#include "flow_support.hpp"
#include "kiosk/app/offline_services.hpp"
#include "kiosk/common/random.hpp"

#include <optional>
#include <spdlog/spdlog.h>

namespace kiosk::app {
Notice notice_for_password_refusal(std::string_view code) {
    if (code == api::error_code::kPasswordTooShort) {
        return Notice::PasswordTooShort;
    }
    if (code == api::error_code::kPasswordTooLong) {
        return Notice::PasswordTooLong;
    }
    if (code == api::error_code::kPasswordCommon) {
        return Notice::PasswordCommon;
    }
    if (code == api::error_code::kPasswordContainsUsername) {
        return Notice::PasswordContainsUsername;
    }
    if (code == api::error_code::kPasswordReused) {
        return Notice::PasswordReused;
    }
    return Notice::PasswordRefused;
}

struct Session::ResetAttempt {
    net::ApiResult<api::ResetPasswordResponse> online;
    std::optional<Deferred> deferred; // set when the online attempt got no answer
    std::string reference;            // the receipt reference when saved for later
};

void Session::on(intent::SubmitNewPassword& i) {
    if (view_.screen != Screen::NewPassword) {
        return;
    }
    if (!i.password.equals(i.confirmation.view())) {
        set_notice(Notice::PasswordsDiffer);
        return;
    }
    if (view_.flow == Flow::Activate) { // the first password of an activation, same screen
        start_activation(std::move(i.password));
        return;
    }
    // A fresh key per attempt: a retry of this very request (a timed-out answer, the queued
    // copy) reuses it, so the central applies the reset once. Its first part is the
    // reference a "saved" receipt shows, short enough to read to the helpdesk.
    const std::string reference = "Q-" + random_reference(10);
    request(
        [token = verification_token_, password = std::move(i.password), offline = offline_,
         key = reference + "-" + random_token(18), reference](net::CentralClient& central) {
            api::ResetPasswordRequest body{token.str(), password.str()};
            const WipeOnExit wipe_body(body.verification_token, body.new_password);
            ResetAttempt attempt{central.reset_password(body, key), std::nullopt, reference};
            const auto* failure = std::get_if<net::ApiFailure>(&attempt.online);
            if (offline != nullptr && failure != nullptr && worth_saving_for_later(*failure)) {
                // The same JSON the online attempt sent, so the central fingerprints both alike
                // and replays rather than refuses if the online one did arrive. It is sealed
                // before it reaches the outbox and wiped here.
                std::string json;
                const WipeOnExit wipe_json(json);
                json.reserve(64 + body.verification_token.size() + body.new_password.size());
                json.append("{\"verification_token\":");
                net::append_json_string(json, body.verification_token);
                json.append(",\"new_password\":");
                net::append_json_string(json, body.new_password);
                json.push_back('}');
                if (!offline->has_sealing_key()) {
                    offline->refresh_sealing_key();
                }
                attempt.deferred = offline->defer("/v1/password-resets", json, key);
            }
            return attempt;
        },
        [](Session& self, auto& result) { self.password_reset(result); });
}

void Session::password_reset(const ResetAttempt& attempt) {
    if (attempt.deferred) {
        const auto& failure = std::get<net::ApiFailure>(attempt.online);
        switch (attempt.deferred->outcome) {
        case DeferOutcome::Saved:
            spdlog::info("session: central unreachable ({}); reset {} saved for later",
                         failure.detail, attempt.reference);
            verification_token_.clear(); // the queued copy carries it; nothing here may reuse it
            view_.saved_for_later = true;
            show_receipt(attempt.reference, utc_now_rfc3339());
            return;
        case DeferOutcome::QueueFull:
        case DeferOutcome::NotSaved:
            // The token is kept: once the central answers again, pressing the button works.
            spdlog::error("session: central unreachable ({}) and the reset cannot be saved: {}",
                          failure.detail, attempt.deferred->detail);
            set_notice(Notice::CannotSaveRequest);
            return;
        case DeferOutcome::NoSealingKey:
            spdlog::warn("session: central unreachable ({}); not saved: {}", failure.detail,
                         attempt.deferred->detail);
            break; // as if there were no outbox
        }
    }
    const auto& result = attempt.online;
    if (const auto* ok = std::get_if<api::ResetPasswordResponse>(&result)) {
        verification_token_.clear(); // spent: the central voids it, so should we
        show_receipt(ok->reference, ok->completed_at);
        return;
    }
    const auto& failure = std::get<net::ApiFailure>(result);
    const auto code = failure.code();
    if (code == api::error_code::kTokenInvalid) {
        show_problem(Problem::VerificationExpired);
    } else if (failure.kind == net::ApiFailure::Kind::HttpError && failure.http_status == 422) {
        if (failure.error && failure.error->min_length) {
            view_.min_password_length = *failure.error->min_length;
        }
        set_notice(notice_for_password_refusal(code));
    } else {
        spdlog::warn("session: password reset failed: {}", failure.detail);
        show_problem(is_transport_failure(failure) ? Problem::CentralUnreachable
                                                   : Problem::Unexpected);
    }
}

} // namespace kiosk::app
