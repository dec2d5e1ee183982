// [verification] Identify and check the code: shared by every flow that acts on an account
// (reset, unlock, status). Once the code is right, verified() hands over to the chosen flow.
#include "flow_support.hpp"

#include <spdlog/spdlog.h>

namespace kiosk::app {

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
    api::StartVerificationRequest body{view_.identifier, "email"};
    request([body](net::CentralClient& central) { return central.start_verification(body); },
            [](Session& self, auto& result) { self.verification_started(result); });
}

void Session::verification_started(const net::ApiResult<api::StartVerificationResponse>& result) {
    if (const auto* ok = std::get_if<api::StartVerificationResponse>(&result)) {
        challenge_id_ = ok->challenge_id;
        view_.code_length = ok->code_length;
        view_.attempts_left = 0;
        show(Screen::EnterCode);
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
            auto result = central.check_code(id, body);
            secure_wipe(body.code);
            return result;
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
