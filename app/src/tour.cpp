// Demo data for the screenshot tour: what `jdoe` sees on the way through a reset.
#include "kiosk/app/tour.hpp"

namespace kiosk::app {

std::vector<TourStop> screenshot_tour(const std::string& language) {
    ViewModel base;
    base.language = language;
    base.identifier = "jdoe";
    base.code_length = 6;
    base.min_password_length = 15;

    std::vector<TourStop> stops;
    auto add = [&](std::string name, auto&& change) {
        ViewModel view = base;
        change(view);
        view.revision = stops.size() + 1;
        stops.push_back({std::move(name), std::move(view)});
    };
    add("attract", [](ViewModel& v) { v.screen = Screen::Attract; });
    add("identify", [](ViewModel& v) { v.screen = Screen::Identify; });
    add("identify-empty", [](ViewModel& v) {
        v.screen = Screen::Identify;
        v.notice = Notice::IdentifierEmpty;
    });
    add("enter-code", [](ViewModel& v) { v.screen = Screen::EnterCode; });
    add("enter-code-wrong-code", [](ViewModel& v) {
        v.screen = Screen::EnterCode;
        v.notice = Notice::WrongCode;
        v.attempts_left = 2;
    });
    add("new-password", [](ViewModel& v) { v.screen = Screen::NewPassword; });
    add("new-password-too-short", [](ViewModel& v) {
        v.screen = Screen::NewPassword;
        v.notice = Notice::PasswordTooShort;
    });
    add("new-password-busy", [](ViewModel& v) {
        v.screen = Screen::NewPassword;
        v.busy = true;
    });
    add("done", [](ViewModel& v) {
        v.screen = Screen::Done;
        v.reference = "RST-7K2Q9D";
        v.completed_at = "2026-11-22T16:40:05Z";
    });
    add("done-saved-for-later", [](ViewModel& v) {
        v.screen = Screen::Done;
        v.saved_for_later = true;
        v.reference = "Q-7K2Q9DHX4M";
        v.completed_at = "2026-11-22T16:40:05Z";
    });
    const std::pair<const char*, Problem> problems[] = {
        {"problem-unreachable", Problem::CentralUnreachable},
        {"problem-code-expired", Problem::CodeExpired},
        {"problem-too-many-attempts", Problem::TooManyAttempts},
        {"problem-verification-expired", Problem::VerificationExpired},
        {"problem-unexpected", Problem::Unexpected},
    };
    for (const auto& [name, problem] : problems) {
        add(name, [problem = problem](ViewModel& v) {
            v.screen = Screen::Problem;
            v.problem = problem;
        });
    }
    add("new-password-cannot-save", [](ViewModel& v) {
        v.screen = Screen::NewPassword;
        v.notice = Notice::CannotSaveRequest;
    });
    add("idle-countdown", [](ViewModel& v) {
        v.screen = Screen::NewPassword;
        v.idle_seconds_left = 12;
    });
    add("attract-large-text", [](ViewModel& v) { v.large_text = true; });
    add("attract-high-contrast", [](ViewModel& v) { v.high_contrast = true; });
    add("new-password-too-short-large-text", [](ViewModel& v) {
        v.screen = Screen::NewPassword;
        v.notice = Notice::PasswordTooShort;
        v.large_text = true;
    });
    add("enter-code-large-text-high-contrast", [](ViewModel& v) {
        v.screen = Screen::EnterCode;
        v.notice = Notice::WrongCode;
        v.attempts_left = 1;
        v.large_text = true;
        v.high_contrast = true;
    });
    return stops;
}

} // namespace kiosk::app
