// [contact] Update contact details after verification: a new e-mail address, a new phone
// number, or both. The central sends a notice to the old address or number of each one
// changed, and the receipt says so.
#include "flow_support.hpp"

#include <spdlog/spdlog.h>

namespace kiosk::app {
namespace {

std::string trimmed(const std::string& text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string::npos) {
        return {};
    }
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// A phone number as people write it ("+44 7700 900-199", "0048 (600) 100 200") in the
// E.164 form the central takes: separators dropped, a leading "00" as "+". Anything else is
// kept, so that the check below refuses it.
std::string normalised_phone(const std::string& typed) {
    std::string out;
    for (const char c : typed) {
        if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')' && c != '\t') {
            out.push_back(c);
        }
    }
    if (out.starts_with("00")) {
        out.replace(0, 2, "+");
    }
    return out;
}

// The central's rules, checked here too so that a typo is caught without a round trip: "+"
// and 8 to 15 digits; an e-mail address with one "@", text before it and a dot after it.
bool plausible_phone(const std::string& phone) {
    return phone.size() >= 9 && phone.size() <= 16 && phone[0] == '+' &&
           phone.find_first_not_of("0123456789", 1) == std::string::npos;
}

bool plausible_email(const std::string& email) {
    const auto at = email.find('@');
    return at != std::string::npos && at != 0 && email.find('@', at + 1) == std::string::npos &&
           email.find('.', at + 2) != std::string::npos && email.back() != '.' &&
           email.find_first_of(" \t") == std::string::npos && email.size() <= 254;
}

} // namespace

void Session::on(intent::SubmitContactDetails& i) {
    if (view_.screen != Screen::ContactDetails) {
        return;
    }
    std::string email = trimmed(i.email);
    std::string phone = normalised_phone(i.phone);
    if (email.empty() && phone.empty()) {
        set_notice(Notice::ContactEmpty);
        return;
    }
    if ((!email.empty() && !plausible_email(email)) ||
        (!phone.empty() && !plausible_phone(phone))) {
        set_notice(Notice::ContactInvalid);
        return;
    }
    set_notice(Notice::None);
    api::ContactUpdateRequest body;
    if (!email.empty()) {
        body.email = std::move(email);
    }
    if (!phone.empty()) {
        body.phone = std::move(phone);
    }
    const bool email_changed = body.email.has_value();
    const bool phone_changed = body.phone.has_value();
    request(
        [token = verification_token_, body = std::move(body)](net::CentralClient& central) mutable {
            body.verification_token.assign(token.view());
            const WipeOnExit wipe(body.verification_token);
            return central.update_contact(body);
        },
        [email_changed, phone_changed](Session& self, auto& result) {
            self.contact_updated(result, email_changed, phone_changed);
        });
}

void Session::contact_updated(const net::ApiResult<api::ContactUpdateResponse>& result,
                              bool email_changed, bool phone_changed) {
    if (const auto* ok = std::get_if<api::ContactUpdateResponse>(&result)) {
        verification_token_.clear(); // spent at the central
        spdlog::info("session: contact details changed ({})", ok->reference);
        view_.contact_email_changed = email_changed;
        view_.contact_phone_changed = phone_changed;
        show_receipt(ok->reference, ok->completed_at);
        return;
    }
    const auto& failure = std::get<net::ApiFailure>(result);
    const auto code = failure.code();
    if (code == api::error_code::kContactInvalid) {
        set_notice(Notice::ContactInvalid); // nothing was changed and the token is unspent
    } else if (code == api::error_code::kContactUnavailable) {
        set_notice(Notice::ContactUnavailable);
    } else {
        show_failure_after_verification(failure, "contact update");
    }
}

} // namespace kiosk::app
