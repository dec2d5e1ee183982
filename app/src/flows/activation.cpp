// [activation] A pre-provisioned account activated at the kiosk: username and activation
// code, the first password (the reset's NewPassword screen), then an authenticator app
// enrolled from an otpauth:// QR code and confirmed with its first code. The activation
// code, the enrolment's id, its URI and secret are SecretStrings, wiped with the session.
#include "flow_support.hpp"

#include <spdlog/spdlog.h>

namespace kiosk::app {
namespace {

// "ABCD EFGH …": the base32 secret in groups of four, easier to read and type. Built in a
// buffer of its final size, so no piece of the secret is left in a reallocated one.
SecretString grouped(std::string_view secret) {
    std::string text;
    text.reserve(secret.size() + secret.size() / 4 + 1);
    for (std::size_t i = 0; i < secret.size(); ++i) {
        if (i != 0 && i % 4 == 0) {
            text.push_back(' ');
        }
        text.push_back(secret[i]);
    }
    SecretString out(text);
    secure_wipe(text);
    return out;
}

std::string trimmed(const std::string& text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string::npos) {
        return {};
    }
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

} // namespace

void Session::on(intent::SubmitActivationCode& i) {
    if (view_.screen != Screen::ActivateAccount) {
        return;
    }
    std::string identifier = trimmed(i.identifier);
    if (identifier.empty()) {
        i.code.clear();
        set_notice(Notice::IdentifierEmpty);
        return;
    }
    if (i.code.view().find_first_not_of(" \t-") == std::string_view::npos) {
        i.code.clear();
        view_.identifier = std::move(identifier);
        set_notice(Notice::ActivationCodeEmpty);
        return;
    }
    // Nothing is asked yet: the central checks the code together with the first password
    // (POST /v1/activations takes both), so a wrong code comes back after the password.
    view_.identifier = std::move(identifier);
    activation_code_ = std::move(i.code);
    set_notice(Notice::None);
    show(Screen::NewPassword);
}

void Session::start_activation(SecretString password) {
    if (activation_code_.empty()) {
        show(Screen::ActivateAccount); // cannot happen from the screens; never send a blank code
        return;
    }
    request(
        [identifier = view_.identifier, code = activation_code_,
         password = std::move(password)](net::CentralClient& central) {
            api::ActivationRequest body{identifier, code.str(), password.str()};
            const WipeOnExit wipe(body.activation_code, body.new_password);
            return central.start_activation(body);
        },
        [](Session& self, auto& result) { self.activation_started(result); });
}

void Session::activation_started(net::ApiResult<api::ActivationResponse>& result) {
    if (auto* ok = std::get_if<api::ActivationResponse>(&result)) {
        activation_id_.assign(ok->activation_id);
        view_.enrolment.otpauth_uri.assign(ok->otpauth_uri);
        view_.enrolment.secret_groups = grouped(ok->secret);
        view_.enrolment.expires_in_seconds = ok->expires_in_seconds;
        secure_wipe(ok->activation_id);
        secure_wipe(ok->otpauth_uri);
        secure_wipe(ok->secret);
        // The code has done its part; if the enrolment fails, the person types it again.
        activation_code_.clear();
        view_.code_length = 6; // the central enrols 6-digit, 30 s, SHA-1 codes
        view_.attempts_left = 0;
        set_notice(Notice::None);
        show(Screen::EnrolAuthenticator);
        return;
    }
    const auto& failure = std::get<net::ApiFailure>(result);
    const auto code = failure.code();
    if (code == api::error_code::kActivationCodeInvalid) {
        // Wrong, spent or expired, or not this person's: back to the code, the name kept.
        activation_code_.clear();
        set_notice(Notice::ActivationCodeInvalid);
        show(Screen::ActivateAccount);
    } else if (failure.kind == net::ApiFailure::Kind::HttpError && failure.http_status == 422) {
        if (failure.error && failure.error->min_length) {
            view_.min_password_length = *failure.error->min_length;
        }
        set_notice(notice_for_password_refusal(code)); // the code stays usable: retype
    } else {
        spdlog::warn("session: starting the activation failed: {}", failure.detail);
        activation_code_.clear();
        show_problem(is_transport_failure(failure) ? Problem::CentralUnreachable
                                                   : Problem::Unexpected);
    }
}

void Session::on(const intent::EnrolmentScanned&) {
    if (view_.screen == Screen::EnrolAuthenticator) {
        set_notice(Notice::None);
        show(Screen::ConfirmAuthenticator);
    }
}

void Session::on(const intent::ShowEnrolmentAgain&) {
    if (view_.screen == Screen::ConfirmAuthenticator) {
        set_notice(Notice::None);
        show(Screen::EnrolAuthenticator);
    }
}

void Session::confirm_activation(SecretString code) {
    if (code.size() != static_cast<std::size_t>(view_.code_length) ||
        code.view().find_first_not_of("0123456789") != std::string_view::npos) {
        set_notice(Notice::CodeIncomplete);
        return;
    }
    request(
        [id = activation_id_, code = std::move(code)](net::CentralClient& central) {
            api::ActivationConfirmRequest body{code.str()};
            const WipeOnExit wipe(body.code);
            return central.confirm_activation(id.str(), body);
        },
        [](Session& self, auto& result) { self.activation_confirmed(result); });
}

void Session::activation_confirmed(const net::ApiResult<api::ActivationConfirmResponse>& result) {
    if (const auto* ok = std::get_if<api::ActivationConfirmResponse>(&result)) {
        spdlog::info("session: account activated ({})", ok->reference);
        activation_id_.clear();
        view_.enrolment = EnrolmentView{}; // the app has the secret now; we forget it
        verified_actor_ = view_.identifier;
        show_receipt(ok->reference, ok->completed_at);
        return;
    }
    const auto& failure = std::get<net::ApiFailure>(result);
    const auto code = failure.code();
    if (code == api::error_code::kWrongCode) {
        view_.attempts_left = failure.error->attempts_left.value_or(0);
        set_notice(Notice::WrongCode);
        return;
    }
    // Every other end of this enrolment starts again from the activation code.
    activation_id_.clear();
    view_.enrolment = EnrolmentView{};
    if (code == api::error_code::kTooManyAttempts) {
        show_problem(Problem::EnrolmentTooManyAttempts);
    } else if (code == api::error_code::kChallengeExpired) {
        show_problem(Problem::EnrolmentExpired);
    } else {
        spdlog::warn("session: confirming the activation failed: {}", failure.detail);
        show_problem(is_transport_failure(failure) ? Problem::CentralUnreachable
                                                   : Problem::Unexpected);
    }
}

} // namespace kiosk::app
