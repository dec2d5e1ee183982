// The walk-up session's core: timers, the home menu, language and modes, and the wipe.
// Each flow's own transitions live in app/src/flows/*.cpp. Each handler checks the screen
// it expects, so a late or repeated intent (a double tap) cannot skip a step.
#include "flows/flow_support.hpp"

#include <algorithm>
#include <spdlog/spdlog.h>

namespace kiosk::app {

Session::Session(net::CentralClient& central, BackgroundWorker& worker, UiInbox& inbox,
                 SessionSettings settings, OfflineServices* offline)
    : central_(central), worker_(worker), inbox_(inbox), offline_(offline), settings_(settings),
      alive_(std::make_shared<Session*>(this)) {
    view_.language = settings_.default_language;
    view_.languages = settings_.languages;
    offer_flows();
}

Session::~Session() {
    wipe();
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
        end_session("idle timeout");
        return;
    }
    update_resend_countdown(now);
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
    auto warn_at = last_activity_ + settings_.idle_timeout - settings_.idle_warning;
    if (view_.resend_seconds_left > 0) {
        // The resend countdown shows whole seconds: wake when the number changes.
        warn_at = std::min(warn_at,
                           resend_ready_at_ - std::chrono::seconds(view_.resend_seconds_left - 1));
    }
    if (view_.idle_seconds_left == 0) {
        return warn_at;
    }
    return Clock::now() + std::chrono::milliseconds(250); // the countdown ticks visibly
}

void Session::on(const intent::Start&) {
    if (view_.screen == Screen::Attract) {
        session_open_ = true;
        outcome_.clear();
        show(Screen::Home);
    }
}

void Session::on(const intent::ChooseFlow& i) {
    // The help screen offers a ticket too, for a question its answers did not settle.
    const bool from_help = view_.screen == Screen::Help && i.flow == Flow::Ticket;
    // [verify] And so does the method choice, to someone who can use none of the methods.
    const bool from_choice = view_.screen == Screen::ChooseMethod && i.flow == Flow::Ticket;
    if (view_.screen != Screen::Home && !from_help && !from_choice) {
        return;
    }
    if (from_choice) {
        wipe_keeping_preferences(); // who they said they were is not needed for a ticket
    }
    outcome_.clear();
    view_.flow = i.flow;
    switch (i.flow) {
    case Flow::ContactDetails: // app/src/flows/contact.cpp
        if (!view_.contact_offered) {
            break;
        }
        [[fallthrough]];
    case Flow::ResetPassword:
    case Flow::Unlock:
    case Flow::AccountStatus:
        if (view_.staff_verified) { // staff vouched in person: there is no code to ask for
            verified();
            return;
        }
        show(Screen::Identify);
        return;
    case Flow::Activate: // app/src/flows/activation.cpp: the activation code verifies
        if (view_.activation_offered && !view_.staff_verified) {
            set_notice(Notice::None);
            show(Screen::ActivateAccount);
            return;
        }
        break;
    case Flow::Help: // app/src/flows/help.cpp
        if (view_.help_offered) {
            show_help();
            return;
        }
        break;
    case Flow::Ticket: // app/src/flows/ticket.cpp
        if (view_.ticket_offered) {
            set_notice(Notice::None);
            show(Screen::Ticket);
            return;
        }
        break;
    case Flow::None:
        break;
    }
    view_.flow = Flow::None;
}

void Session::on(const intent::BackToHome&) {
    if (view_.screen == Screen::Attract || view_.screen == Screen::Home) {
        return;
    }
    wipe_keeping_preferences();
    show(Screen::Home);
}

void Session::show_receipt(std::string reference, std::string completed_at) {
    std::string url = settings_.follow_up_url;
    if (const auto at = url.find("{reference}"); at != std::string::npos) {
        url.replace(at, 11, reference);
    }
    view_.receipt_url = std::move(url);
    view_.reference = std::move(reference);
    view_.completed_at = std::move(completed_at);
    record_outcome(view_.flow == Flow::Ticket ? "ticket" : "completed");
    set_notice(Notice::None);
    show(Screen::Done);
}

void Session::on(const intent::StartOver&) {
    // Starting again is the same person on the same task: their language, modes and the
    // flow they chose stay.
    const Flow flow = view_.flow;
    wipe_keeping_preferences();
    outcome_.clear();
    view_.flow = flow;
    show(flow == Flow::Help       ? Screen::Help
         : flow == Flow::Ticket   ? Screen::Ticket
         : flow == Flow::Activate ? Screen::ActivateAccount
                                  : Screen::Identify);
}

void Session::wipe_keeping_preferences() {
    auto language = std::move(view_.language);
    const bool large_text = view_.large_text;
    const bool high_contrast = view_.high_contrast;
    wipe();
    view_.language = std::move(language);
    view_.large_text = large_text;
    view_.high_contrast = high_contrast;
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
    if (view_.screen == Screen::Help && outcome_.empty()) {
        record_outcome("completed"); // read the help and left: nothing more was needed
    }
    end_session("finished");
}

void Session::show(Screen screen) {
    view_.screen = screen;
    if (screen == Screen::NewPassword) {
        fetch_password_policy();
    }
    changed();
}

void Session::fetch_password_policy() {
    if (published_policy_) {
        view_.password_policy = *published_policy_; // shown at once; refreshed below
        view_.min_password_length = published_policy_->min_length; // the prompt says it too
    }
    if (policy_asked_) {
        return;
    }
    policy_asked_ = true;
    // Not through request(): the screen stays usable while it is asked (busy is not set),
    // and the answer is applied even after a wipe, since it belongs to nobody.
    worker_.submit(
        [&central = central_, &inbox = inbox_, alive = std::weak_ptr<Session*>(alive_)]() {
            auto result = central.password_policy();
            const auto* got = std::get_if<api::PasswordPolicyResponse>(&result);
            if (got == nullptr) {
                spdlog::info("session: no password policy from the central ({}); the checklist "
                             "uses the kiosk's minimum",
                             std::get<net::ApiFailure>(result).detail);
                return;
            }
            PasswordPolicyView policy{true,          got->min_length, got->max_length, got->common,
                                      got->breached, got->context,    got->history};
            inbox.post([alive, policy]() {
                if (auto self = alive.lock()) {
                    (*self)->published_policy_ = policy;
                    (*self)->view_.password_policy = policy;
                    (*self)->view_.min_password_length = policy.min_length;
                    (*self)->changed();
                }
            });
        });
}

void Session::show_problem(Problem problem) {
    view_.problem = problem;
    view_.notice = Notice::None;
    record_outcome("failed");
    show(Screen::Problem);
}

void Session::set_notice(Notice notice) {
    view_.notice = notice;
    changed();
}

void Session::wipe() {
    ++generation_;
    verification_token_.clear();
    activation_code_.clear();
    activation_id_.clear();
    secure_wipe(challenge_id_);
    resend_ready_at_ = {};
    for (auto& choice : view_.methods) {
        secure_wipe(choice.hint); // a part of the person's address
    }
    secure_wipe(view_.code_hint);
    secure_wipe(view_.identifier);
    secure_wipe(view_.status.display_name);
    secure_wipe(view_.verified_name);
    const auto revision = view_.revision;
    view_ = ViewModel{};
    policy_asked_ = false;
    view_.language = settings_.default_language;
    view_.languages = settings_.languages;
    view_.central = reachability_;
    offer_flows();
    view_.revision = revision + 1;
}

void Session::offer_flows() {
    view_.help_offered = settings_.help_offered;
    view_.ticket_offered = settings_.ticket_offered;
    view_.feedback_offered = settings_.feedback_offered;
    view_.activation_offered = settings_.activation_offered;
    view_.contact_offered = settings_.contact_offered;
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
