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
    add("home", [](ViewModel& v) { v.screen = Screen::Home; });
    add("identify", [](ViewModel& v) {
        v.screen = Screen::Identify;
        v.flow = Flow::ResetPassword;
    });
    add("identify-empty", [](ViewModel& v) {
        v.screen = Screen::Identify;
        v.notice = Notice::IdentifierEmpty;
    });
    // [verify] The methods jdoe has (e-mail and SMS); tnowak's three on the choice.
    const std::vector<MethodChoice> jdoe_methods{{"email", "j\u2022\u2022\u2022@example.com"},
                                                 {"sms", "\u2022\u2022\u202201"}};
    add("choose-method", [](ViewModel& v) {
        v.screen = Screen::ChooseMethod;
        v.flow = Flow::Unlock;
        v.identifier = "tnowak";
        v.methods = {{"email", "t\u2022\u2022\u2022@example.com"},
                     {"sms", "\u2022\u2022\u202204"},
                     {"totp", ""}};
    });
    add("enter-code", [&jdoe_methods](ViewModel& v) {
        v.screen = Screen::EnterCode;
        v.methods = jdoe_methods;
        v.method = "email";
        v.code_hint = jdoe_methods[0].hint;
        v.resend_seconds_left = 42;
    });
    add("enter-code-wrong-code", [&jdoe_methods](ViewModel& v) {
        v.screen = Screen::EnterCode;
        v.notice = Notice::WrongCode;
        v.attempts_left = 2;
        v.methods = jdoe_methods;
        v.method = "email";
        v.code_hint = jdoe_methods[0].hint;
    });
    add("enter-code-sms-resent", [&jdoe_methods](ViewModel& v) {
        v.screen = Screen::EnterCode;
        v.notice = Notice::CodeResent;
        v.methods = jdoe_methods;
        v.method = "sms";
        v.code_hint = jdoe_methods[1].hint;
        v.resend_seconds_left = 60;
    });
    add("enter-code-sms-resend-ready", [&jdoe_methods](ViewModel& v) {
        v.screen = Screen::EnterCode;
        v.methods = jdoe_methods;
        v.method = "sms";
        v.code_hint = jdoe_methods[1].hint;
    });
    add("enter-code-totp", [](ViewModel& v) {
        v.screen = Screen::EnterCode;
        v.flow = Flow::ResetPassword;
        v.identifier = "tnowak";
        v.methods = {{"totp", ""}};
        v.method = "totp";
    });
    add("new-password", [](ViewModel& v) { v.screen = Screen::NewPassword; });
    // [checklist] With the central's published policy: its history line shows too.
    add("new-password-policy", [](ViewModel& v) {
        v.screen = Screen::NewPassword;
        v.password_policy = {true, v.min_password_length, 256, true, true, true, 5};
    });
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
        v.receipt_url = "https://help.example.com/requests/RST-7K2Q9D";
    });
    add("unlock-done", [](ViewModel& v) {
        v.screen = Screen::Done;
        v.flow = Flow::Unlock;
        v.unlock_state = "active";
        v.reference = "UNL-4M8T2C";
        v.completed_at = "2026-11-22T16:42:10Z";
        v.receipt_url = "https://help.example.com/requests/UNL-4M8T2C";
    });
    add("account-status-locked", [](ViewModel& v) {
        v.screen = Screen::AccountStatus;
        v.flow = Flow::AccountStatus;
        v.status = {
            "locked",         "Jane Doe", "2026-08-14T09:12:00Z", 100, "2026-11-22T16:55:00Z",
            {"email", "totp"}};
    });
    add("account-status-active", [](ViewModel& v) {
        v.screen = Screen::AccountStatus;
        v.flow = Flow::AccountStatus;
        v.status = {"active", "Jane Doe", "2026-11-20T09:12:00Z", 2, "", {"email"}};
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
        {"problem-rate-limited", Problem::RateLimited},
        {"problem-too-many-resends", Problem::TooManyResends},
    };
    for (const auto& [name, problem] : problems) {
        add(name, [problem = problem](ViewModel& v) {
            v.screen = Screen::Problem;
            v.problem = problem;
            v.retry_after_minutes = 7;
        });
    }
    add("new-password-reused", [](ViewModel& v) {
        v.screen = Screen::NewPassword;
        v.flow = Flow::ResetPassword;
        v.notice = Notice::PasswordReused;
    });
    add("new-password-cannot-save", [](ViewModel& v) {
        v.screen = Screen::NewPassword;
        v.notice = Notice::CannotSaveRequest;
    });
    // A request made while the central is unreachable, saved for out-of-band confirmation.
    add("offline-offer", [](ViewModel& v) {
        v.screen = Screen::OfflineOffer;
        v.flow = Flow::ResetPassword;
    });
    add("offline-offer-unlock", [](ViewModel& v) {
        v.screen = Screen::OfflineOffer;
        v.flow = Flow::Unlock;
    });
    add("offline-offer-cannot-save", [](ViewModel& v) {
        v.screen = Screen::OfflineOffer;
        v.flow = Flow::Unlock;
        v.notice = Notice::CannotSaveRequest;
    });
    add("offline-password", [](ViewModel& v) {
        v.screen = Screen::OfflinePassword;
        v.flow = Flow::ResetPassword;
    });
    add("offline-password-too-short", [](ViewModel& v) {
        v.screen = Screen::OfflinePassword;
        v.flow = Flow::ResetPassword;
        v.notice = Notice::PasswordTooShort;
    });
    add("done-awaiting-confirmation", [](ViewModel& v) {
        v.screen = Screen::Done;
        v.flow = Flow::ResetPassword;
        v.saved_for_later = true;
        v.awaiting_confirmation = true;
        v.reference = "Q-7K2Q9DHX4M";
        v.completed_at = "2026-11-22T16:40:05Z";
    });
    add("done-awaiting-confirmation-unlock", [](ViewModel& v) {
        v.screen = Screen::Done;
        v.flow = Flow::Unlock;
        v.saved_for_later = true;
        v.awaiting_confirmation = true;
        v.reference = "Q-3RX8W2LN5T";
        v.completed_at = "2026-11-22T16:40:05Z";
    });
    // [help, tickets, feedback] The built-in FAQ with every kind of contact, a ticket, its
    // receipts (sent, and saved while the central is unreachable), and feedback.
    add("help", [&language](ViewModel& v) {
        v.screen = Screen::Help;
        v.flow = Flow::Help;
        v.help.phone = "+48 22 555 01 23";
        v.help.email = "servicedesk@example.com";
        v.help.chat_url = "https://chat.example.com/kiosk";
        const std::pair<const char*, const char*> hours[] = {
            {"en", "Monday to Friday, 8:00–18:00"},
            {"pl", "Od poniedziałku do piątku, 8:00–18:00"},
            {"ru", "С понедельника по пятницу, 8:00–18:00"},
            {"he", "ימים א׳–ה׳, 8:00–18:00"},
        };
        for (const auto& [lang, text] : hours) {
            if (language == lang) {
                v.help.opening_hours[lang] = text;
            }
        }
    });
    add("ticket", [](ViewModel& v) {
        v.screen = Screen::Ticket;
        v.flow = Flow::Ticket;
    });
    add("ticket-description-empty", [](ViewModel& v) {
        v.screen = Screen::Ticket;
        v.flow = Flow::Ticket;
        v.notice = Notice::DescriptionEmpty;
    });
    // Text typed into the fields, drawn in the language's direction: mixed Hebrew, Latin
    // and digits in the description; an e-mail address as an identifier.
    const std::pair<const char*, const char*> descriptions[] = {
        {"en", "Screen on floor 3 stays dark, VPN error 809"},
        {"pl", "Ekran na 3. piętrze jest ciemny, błąd VPN 809"},
        {"ru", "Экран на 3 этаже не включается, ошибка VPN 809"},
        {"he", "המסך בקומה 3 לא נדלק, שגיאת VPN 809"},
    };
    for (const auto& [lang, text] : descriptions) {
        if (language == lang) {
            add("ticket-typed", [](ViewModel& v) {
                v.screen = Screen::Ticket;
                v.flow = Flow::Ticket;
            });
            stops.back().typed = text;
        }
    }
    add("identify-typed", [](ViewModel& v) {
        v.screen = Screen::Identify;
        v.flow = Flow::ResetPassword;
    });
    stops.back().typed = "jane.doe@example.com";
    add("done-ticket", [](ViewModel& v) {
        v.screen = Screen::Done;
        v.flow = Flow::Ticket;
        v.reference = "T-8F3KQ2ZD";
        v.completed_at = "2026-11-22T16:44:31Z";
        v.receipt_url = "https://help.example.com/requests/T-8F3KQ2ZD";
    });
    add("done-ticket-saved", [](ViewModel& v) {
        v.screen = Screen::Done;
        v.flow = Flow::Ticket;
        v.saved_for_later = true;
        v.reference = "Q-4W9ZK7TR2M";
        v.completed_at = "2026-11-22T16:44:31Z";
    });
    add("feedback", [](ViewModel& v) {
        v.screen = Screen::Feedback;
        v.flow = Flow::Ticket;
        v.rating = 4;
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
        v.methods = {{"email", "j\u2022\u2022\u2022@example.com"}, {"sms", "\u2022\u2022\u202201"}};
        v.method = "email";
        v.code_hint = v.methods[0].hint;
        v.resend_seconds_left = 15;
    });
    add("choose-method-large-text", [](ViewModel& v) {
        v.screen = Screen::ChooseMethod;
        v.identifier = "tnowak";
        v.methods = {{"email", "t\u2022\u2022\u2022@example.com"},
                     {"sms", "\u2022\u2022\u202204"},
                     {"totp", ""}};
        v.large_text = true;
    });
    // [activation, contact] kzielinski activates the demo account (docs/demo-accounts.md)
    // with a made-up secret; jdoe updates her contact details.
    const std::string activation_user = "kzielinski";
    add("activate-account", [&](ViewModel& v) {
        v.screen = Screen::ActivateAccount;
        v.flow = Flow::Activate;
        v.identifier = activation_user;
    });
    add("activate-account-code-invalid", [&](ViewModel& v) {
        v.screen = Screen::ActivateAccount;
        v.flow = Flow::Activate;
        v.identifier = activation_user;
        v.notice = Notice::ActivationCodeInvalid;
    });
    add("activate-password", [&](ViewModel& v) {
        v.screen = Screen::NewPassword;
        v.flow = Flow::Activate;
        v.identifier = activation_user;
    });
    const auto enrolment = [&](ViewModel& v) {
        v.flow = Flow::Activate;
        v.identifier = activation_user;
        v.enrolment.otpauth_uri.assign(std::string(kTourOtpauthUri));
        v.enrolment.secret_groups.assign("JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP");
        v.enrolment.expires_in_seconds = 600;
    };
    add("enrol-authenticator", [&](ViewModel& v) {
        enrolment(v);
        v.screen = Screen::EnrolAuthenticator;
    });
    add("confirm-authenticator-wrong-code", [&](ViewModel& v) {
        enrolment(v);
        v.screen = Screen::ConfirmAuthenticator;
        v.notice = Notice::WrongCode;
        v.attempts_left = 4;
    });
    add("activate-done", [&](ViewModel& v) {
        v.screen = Screen::Done;
        v.flow = Flow::Activate;
        v.identifier = activation_user;
        v.reference = "ACT-5H2K8Q";
        v.completed_at = "2026-11-22T16:47:12Z";
        v.receipt_url = "https://help.example.com/requests/ACT-5H2K8Q";
    });
    add("problem-enrolment-expired", [](ViewModel& v) {
        v.screen = Screen::Problem;
        v.flow = Flow::Activate;
        v.problem = Problem::EnrolmentExpired;
    });
    add("contact-details", [](ViewModel& v) {
        v.screen = Screen::ContactDetails;
        v.flow = Flow::ContactDetails;
    });
    add("contact-details-invalid", [](ViewModel& v) {
        v.screen = Screen::ContactDetails;
        v.flow = Flow::ContactDetails;
        v.notice = Notice::ContactInvalid;
    });
    add("contact-done", [](ViewModel& v) {
        v.screen = Screen::Done;
        v.flow = Flow::ContactDetails;
        v.contact_email_changed = true;
        v.contact_phone_changed = true;
        v.reference = "CNT-9D4W7M";
        v.completed_at = "2026-11-22T16:49:03Z";
        v.receipt_url = "https://help.example.com/requests/CNT-9D4W7M";
    });
    return stops;
}

} // namespace kiosk::app
