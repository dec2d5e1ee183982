// The walk-up session's transitions. Each handler checks the screen it expects, so a
// late or repeated intent (a double tap) cannot skip a step.
#include "kiosk/app/session.hpp"

#include "kiosk/app/offline_services.hpp"
#include "kiosk/common/random.hpp"

#include <algorithm>
#include <ctime>
#include <optional>
#include <spdlog/spdlog.h>

namespace kiosk::app {
namespace {

bool is_transport_failure(const net::ApiFailure& failure) {
    return failure.kind == net::ApiFailure::Kind::Transport;
}

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
    return Notice::PasswordRefused;
}

// No answer at all, so the central may be down or the network cut: worth saving for later.
// A TLS or certificate failure is not (it may be someone else answering), nor is a cancel.
bool worth_saving_for_later(const net::ApiFailure& failure) {
    using Kind = net::TransportFailureKind;
    return failure.kind == net::ApiFailure::Kind::Transport &&
           (failure.transport == Kind::Unreachable || failure.transport == Kind::Timeout ||
            failure.transport == Kind::Stalled);
}

std::string utc_now_rfc3339() {
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

} // namespace

struct Session::ResetAttempt {
    net::ApiResult<api::ResetPasswordResponse> online;
    std::optional<Deferred> deferred; // set when the online attempt got no answer
    std::string reference;            // the receipt reference when saved for later
};

Session::Session(net::CentralClient& central, BackgroundWorker& worker, UiInbox& inbox,
                 SessionSettings settings, OfflineServices* offline)
    : central_(central), worker_(worker), inbox_(inbox), offline_(offline), settings_(settings),
      alive_(std::make_shared<Session*>(this)) {
    view_.language = settings_.default_language;
    view_.languages = settings_.languages;
}

Session::~Session() {
    wipe();
}

template <typename Call, typename Apply> void Session::request(Call call, Apply apply) {
    view_.busy = true;
    changed();
    // The job captures the client and inbox themselves, not `this`: they outlive the session.
    worker_.submit([&central = central_, &inbox = inbox_, call = std::move(call),
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
    });
}

void Session::handle(Intent intent, Clock::time_point now) {
    last_activity_ = now;
    if (view_.idle_seconds_left != 0) {
        view_.idle_seconds_left = 0;
        changed();
    }
    if (view_.busy && !std::holds_alternative<intent::Activity>(intent) &&
        !std::holds_alternative<intent::Finish>(intent)) {
        return; // one request at a time; the UI disables inputs meanwhile
    }
    std::visit([this](auto& i) { on(i); }, intent);
}

void Session::tick(Clock::time_point now) {
    const auto idle = now - last_activity_;
    if (view_.screen == Screen::Attract) {
        if (pending_settings_ && !has_personal_preferences()) {
            settings_ = std::move(*pending_settings_);
            pending_settings_.reset();
            wipe(); // the attract screen in the new default language and offer
        }
        // Someone chose a language or a mode and walked away without starting: the next
        // person finds the kiosk as it is set up, not as the last one left it.
        if (has_personal_preferences() && idle >= settings_.idle_timeout) {
            spdlog::info("session: idle on the attract screen, back to the default language");
            wipe();
        }
        return;
    }
    if (idle >= settings_.idle_timeout) {
        spdlog::info("session: idle timeout, wiping and returning to attract");
        wipe();
        return;
    }
    const auto warn_from = settings_.idle_timeout - settings_.idle_warning;
    int seconds_left = 0;
    if (idle >= warn_from) {
        const auto left = std::chrono::ceil<std::chrono::seconds>(settings_.idle_timeout - idle);
        seconds_left = static_cast<int>(left.count());
    }
    if (seconds_left != view_.idle_seconds_left) {
        view_.idle_seconds_left = seconds_left;
        changed();
    }
}

Clock::time_point Session::next_deadline() const {
    if (view_.screen == Screen::Attract) {
        return has_personal_preferences() ? last_activity_ + settings_.idle_timeout
                                          : Clock::time_point::max();
    }
    const auto warn_at = last_activity_ + settings_.idle_timeout - settings_.idle_warning;
    if (view_.idle_seconds_left == 0) {
        return warn_at;
    }
    return Clock::now() + std::chrono::milliseconds(250); // the countdown ticks visibly
}

void Session::on(const intent::Start&) {
    if (view_.screen == Screen::Attract) {
        show(Screen::Identify);
    }
}

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
    show_problem(is_transport_failure(failure) ? Problem::CentralUnreachable : Problem::Unexpected);
}

void Session::on(intent::SubmitCode& i) {
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
        show(Screen::NewPassword);
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
    } else {
        spdlog::warn("session: checking the code failed: {}", failure.detail);
        show_problem(is_transport_failure(failure) ? Problem::CentralUnreachable
                                                   : Problem::Unexpected);
    }
}

void Session::on(intent::SubmitNewPassword& i) {
    if (view_.screen != Screen::NewPassword) {
        return;
    }
    if (!i.password.equals(i.confirmation.view())) {
        set_notice(Notice::PasswordsDiffer);
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
            ResetAttempt attempt{central.reset_password(body, key), std::nullopt, reference};
            const auto* failure = std::get_if<net::ApiFailure>(&attempt.online);
            if (offline != nullptr && failure != nullptr && worth_saving_for_later(*failure)) {
                // The same JSON the online attempt sent, so the central fingerprints both alike
                // and replays rather than refuses if the online one did arrive. It is sealed
                // before it reaches the outbox and wiped here.
                std::string json;
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
                secure_wipe(json);
            }
            secure_wipe(body.verification_token);
            secure_wipe(body.new_password);
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
            view_.reference = attempt.reference;
            view_.completed_at = utc_now_rfc3339();
            view_.saved_for_later = true;
            set_notice(Notice::None);
            show(Screen::Done);
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
        view_.reference = ok->reference;
        view_.completed_at = ok->completed_at;
        set_notice(Notice::None);
        show(Screen::Done);
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

void Session::on(const intent::StartOver&) {
    // Starting again is the same person: their language and modes stay.
    auto language = std::move(view_.language);
    const bool large_text = view_.large_text;
    const bool high_contrast = view_.high_contrast;
    wipe();
    view_.language = std::move(language);
    view_.large_text = large_text;
    view_.high_contrast = high_contrast;
    show(Screen::Identify);
}

void Session::on(const intent::ChooseLanguage& i) {
    if (std::find(settings_.languages.begin(), settings_.languages.end(), i.language) ==
        settings_.languages.end()) {
        spdlog::warn("session: no catalog for language '{}'", i.language);
        return;
    }
    if (view_.language != i.language) {
        view_.language = i.language;
        changed();
    }
}

void Session::on(const intent::SetLargeText& i) {
    if (view_.large_text != i.on) {
        view_.large_text = i.on;
        changed();
    }
}

void Session::on(const intent::SetHighContrast& i) {
    if (view_.high_contrast != i.on) {
        view_.high_contrast = i.on;
        changed();
    }
}

void Session::on(const intent::Finish&) {
    wipe();
}

void Session::show(Screen screen) {
    view_.screen = screen;
    changed();
}

void Session::show_problem(Problem problem) {
    view_.problem = problem;
    view_.notice = Notice::None;
    show(Screen::Problem);
}

void Session::set_notice(Notice notice) {
    view_.notice = notice;
    changed();
}

void Session::wipe() {
    ++generation_;
    verification_token_.clear();
    secure_wipe(challenge_id_);
    secure_wipe(view_.identifier);
    const auto revision = view_.revision;
    view_ = ViewModel{};
    view_.language = settings_.default_language;
    view_.languages = settings_.languages;
    view_.central = reachability_;
    view_.revision = revision + 1;
}

bool Session::has_personal_preferences() const {
    return view_.language != settings_.default_language || view_.large_text || view_.high_contrast;
}

void Session::reconfigure(SessionSettings settings) {
    pending_settings_ = std::move(settings);
    changed(); // the loop ticks, and tick() takes them if the attract screen is idle
}

void Session::set_central_reachability(Reachability reachability) {
    reachability_ = reachability;
    if (view_.central != reachability) {
        view_.central = reachability;
        changed();
    }
}

} // namespace kiosk::app
