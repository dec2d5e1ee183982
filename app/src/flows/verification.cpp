// [verification] Identify, choose a method, check the code: shared by every flow that acts
// on an account (reset, unlock, status). Once the code is right, verified() hands over to
// the chosen flow. [verify] The methods come from POST /v1/verification-options, masked,
// answered alike whether or not the account exists; e-mail and SMS codes can be sent again
// once the central's cooldown is over.
#include "flow_support.hpp"

#include <algorithm>
#include <spdlog/spdlog.h>

namespace kiosk::app {
namespace {

bool known_method(const std::string& method) {
    return method == "email" || method == "sms" || method == "totp";
}

} // namespace

void Session::on(const intent::SubmitIdentifier& i) {
    if (view_.screen != Screen::Identify) {
        return;
    }
    const auto first = i.identifier.find_first_not_of(" \t");
    const auto last = i.identifier.find_last_not_of(" \t");
    if (first == std::string::npos) {
        set_notice(Notice::IdentifierEmpty);
        return;
    }
    view_.identifier = i.identifier.substr(first, last - first + 1);
    set_notice(Notice::None);
    // The purpose matters: a reset of an account with an authenticator app is offered only
    // the app (MFA is never bypassed).
    api::VerificationOptionsRequest body{view_.identifier, verification_purpose(view_.flow)};
    request([body](net::CentralClient& central) { return central.verification_options(body); },
            [](Session& self, auto& result) { self.options_arrived(result); });
}

void Session::options_arrived(const net::ApiResult<api::VerificationOptionsResponse>& result) {
    if (const auto* ok = std::get_if<api::VerificationOptionsResponse>(&result)) {
        view_.methods.clear();
        for (const auto& option : ok->methods) {
            if (known_method(option.method)) { // a newer central's method this kiosk cannot use
                view_.methods.push_back({option.method, option.hint});
            }
        }
        if (view_.methods.empty()) {
            view_.methods.push_back({"email", ""});
        }
        if (view_.methods.size() == 1) {
            start_method(view_.methods.front()); // nothing to choose: one touch saved
            return;
        }
        show(Screen::ChooseMethod);
        return;
    }
    const auto& failure = std::get<net::ApiFailure>(result);
    if (failure.kind == net::ApiFailure::Kind::HttpError && failure.http_status == 404) {
        // A central older than the options route: verify by e-mail, as kiosks did before.
        view_.methods = {{"email", ""}};
        start_method(view_.methods.front());
        return;
    }
    spdlog::warn("session: asking for the verification methods failed: {}", failure.detail);
    if (show_rate_limited(failure)) {
        return;
    }
    if (offer_offline_request(failure)) {
        return; // saving the request for out-of-band confirmation is offered instead
    }
    show_problem(is_transport_failure(failure) ? Problem::CentralUnreachable : Problem::Unexpected);
}

void Session::on(const intent::ChooseMethod& i) {
    if (view_.screen != Screen::ChooseMethod) {
        return;
    }
    const auto chosen = std::find_if(view_.methods.begin(), view_.methods.end(),
                                     [&](const MethodChoice& m) { return m.method == i.method; });
    if (chosen == view_.methods.end()) {
        spdlog::warn("session: method '{}' was not offered", i.method);
        return;
    }
    start_method(*chosen);
}

void Session::start_method(const MethodChoice& choice) {
    view_.method = choice.method;
    view_.code_hint = choice.hint;
    set_notice(Notice::None);
    api::StartVerificationRequest body{view_.identifier, choice.method};
    request([body](net::CentralClient& central) { return central.start_verification(body); },
            [](Session& self, auto& result) { self.verification_started(result); });
}

void Session::on(const intent::ChooseAnotherMethod&) {
    if (view_.screen != Screen::EnterCode || view_.methods.size() < 2) {
        return;
    }
    // The challenge under way is left to expire at the central; a new one starts with the
    // next choice.
    secure_wipe(challenge_id_);
    view_.attempts_left = 0;
    view_.resend_seconds_left = 0;
    set_notice(Notice::None);
    show(Screen::ChooseMethod);
}

void Session::on(const intent::ResendCode&) {
    // last_activity_ is this intent's time (handle() set it): the countdown's clock.
    update_resend_countdown(last_activity_);
    if (view_.screen != Screen::EnterCode || view_.method == "totp" ||
        view_.resend_seconds_left > 0) {
        return;
    }
    request([id = challenge_id_](net::CentralClient& central) { return central.resend_code(id); },
            [](Session& self, auto& result) { self.code_resent(result); });
}

void Session::code_resent(const net::ApiResult<api::StartVerificationResponse>& result) {
    const auto now = Clock::now();
    if (const auto* ok = std::get_if<api::StartVerificationResponse>(&result)) {
        view_.code_length = ok->code_length;
        view_.attempts_left = 0;
        wait_before_resend(ok->resend_after_seconds, now);
        set_notice(Notice::CodeResent);
        return;
    }
    const auto& failure = std::get<net::ApiFailure>(result);
    const auto code = failure.code();
    if (code == "resend_too_soon") {
        // This kiosk's clock ran ahead of the central's: wait as long as the central says.
        int seconds = 60;
        if (failure.error && failure.error->retry_after_seconds) {
            seconds = *failure.error->retry_after_seconds;
        } else if (failure.retry_after) {
            seconds = static_cast<int>(failure.retry_after->count());
        }
        wait_before_resend(std::max(seconds, 1), now);
        changed();
        return;
    }
    spdlog::warn("session: sending a new code failed: {}", failure.detail);
    if (code == "too_many_resends") {
        show_problem(Problem::TooManyResends);
    } else if (code == api::error_code::kChallengeExpired) {
        show_problem(Problem::CodeExpired);
    } else {
        show_problem(is_transport_failure(failure) ? Problem::CentralUnreachable
                                                   : Problem::Unexpected);
    }
}

void Session::wait_before_resend(int seconds, Clock::time_point now) {
    resend_ready_at_ = now + std::chrono::seconds(std::max(seconds, 0));
    update_resend_countdown(now);
}

void Session::update_resend_countdown(Clock::time_point now) {
    int left = 0;
    if (view_.screen == Screen::EnterCode && view_.method != "totp" && resend_ready_at_ > now) {
        left = static_cast<int>(
            std::chrono::ceil<std::chrono::seconds>(resend_ready_at_ - now).count());
    }
    if (left != view_.resend_seconds_left) {
        view_.resend_seconds_left = left;
        changed();
    }
}

void Session::verification_started(const net::ApiResult<api::StartVerificationResponse>& result) {
    if (const auto* ok = std::get_if<api::StartVerificationResponse>(&result)) {
        challenge_id_ = ok->challenge_id;
        view_.code_length = ok->code_length;
        view_.attempts_left = 0;
        show(Screen::EnterCode);
        wait_before_resend(ok->resend_after_seconds, Clock::now());
        return;
    }
    const auto& failure = std::get<net::ApiFailure>(result);
    spdlog::warn("session: starting verification failed: {}", failure.detail);
    if (show_rate_limited(failure)) {
        return;
    }
    if (offer_offline_request(failure)) {
        return; // saving the request for out-of-band confirmation is offered instead
    }
    show_problem(is_transport_failure(failure) ? Problem::CentralUnreachable : Problem::Unexpected);
}

void Session::on(intent::SubmitCode& i) {
    if (view_.screen == Screen::ConfirmAuthenticator) {
        confirm_activation(std::move(i.code)); // app/src/flows/activation.cpp
        return;
    }
    if (view_.screen != Screen::EnterCode) {
        return;
    }
    if (i.code.size() != static_cast<std::size_t>(view_.code_length) ||
        i.code.view().find_first_not_of("0123456789") != std::string_view::npos) {
        set_notice(Notice::CodeIncomplete);
        return;
    }
    request(
        [id = challenge_id_, code = std::move(i.code)](net::CentralClient& central) {
            api::CheckCodeRequest body{code.str()};
            const WipeOnExit wipe(body.code);
            return central.check_code(id, body);
        },
        [](Session& self, auto& result) { self.code_checked(result); });
}

void Session::code_checked(net::ApiResult<api::CheckCodeResponse>& result) {
    if (auto* ok = std::get_if<api::CheckCodeResponse>(&result)) {
        verification_token_.assign(ok->verification_token);
        secure_wipe(ok->verification_token);
        set_notice(Notice::None);
        verified();
        return;
    }
    const auto& failure = std::get<net::ApiFailure>(result);
    const auto code = failure.code();
    if (code == api::error_code::kWrongCode) {
        view_.attempts_left = failure.error->attempts_left.value_or(0);
        set_notice(Notice::WrongCode);
    } else if (code == api::error_code::kTooManyAttempts) {
        show_problem(Problem::TooManyAttempts);
    } else if (code == api::error_code::kChallengeExpired) {
        show_problem(Problem::CodeExpired);
    } else if (show_rate_limited(failure)) {
        spdlog::warn("session: checking the code was refused: too many requests from this kiosk");
    } else {
        spdlog::warn("session: checking the code failed: {}", failure.detail);
        show_problem(is_transport_failure(failure) ? Problem::CentralUnreachable
                                                   : Problem::Unexpected);
    }
}

void Session::verified() {
    verified_actor_ = view_.identifier; // as typed: username, e-mail or employee ID
    ticket_token_ = verification_token_;
    switch (view_.flow) {
    case Flow::Unlock:
        request_unlock();
        return;
    case Flow::AccountStatus:
        request_status();
        return;
    case Flow::ContactDetails: // app/src/flows/contact.cpp
        set_notice(Notice::None);
        show(Screen::ContactDetails);
        return;
    case Flow::ResetPassword:
    case Flow::None: // a session started before the home menu existed: reset, as it was
    case Flow::Help:
    case Flow::Ticket:
    case Flow::Activate: // never verified this way: the activation code is its proof
        break;
    }
    show(Screen::NewPassword);
}

bool Session::show_rate_limited(const net::ApiFailure& failure) {
    const auto minutes = rate_limited_minutes(failure);
    if (!minutes) {
        return false;
    }
    view_.retry_after_minutes = *minutes;
    show_problem(Problem::RateLimited);
    return true;
}

void Session::show_failure_after_verification(const net::ApiFailure& failure, const char* what) {
    if (failure.code() == api::error_code::kTokenInvalid) {
        show_problem(Problem::VerificationExpired);
        return;
    }
    spdlog::warn("session: {} failed: {}", what, failure.detail);
    show_problem(is_transport_failure(failure) ? Problem::CentralUnreachable : Problem::Unexpected);
}

} // namespace kiosk::app
