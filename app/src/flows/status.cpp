// [status] The account-status flow after verification: what the central says now about
// the account (never cached past the session), with the password's age worked out here.
#include "flow_support.hpp"

#include <spdlog/spdlog.h>

namespace kiosk::app {
namespace {

// Whole days from the RFC 3339 UTC time `since` to now; 0 when it cannot be read.
int days_since(const std::string& since) {
    std::tm tm{};
    const char* end = strptime(since.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
    if (end == nullptr) {
        return 0;
    }
    const std::time_t then = timegm(&tm);
    const std::time_t now = std::time(nullptr);
    return now > then ? static_cast<int>((now - then) / 86400) : 0;
}

} // namespace

void Session::request_status() {
    request(
        [token = verification_token_](net::CentralClient& central) {
            api::AccountStatusRequest body{token.str()};
            const WipeOnExit wipe(body.verification_token);
            return central.account_status(body);
        },
        [](Session& self, auto& result) { self.status_arrived(result); });
}

void Session::status_arrived(const net::ApiResult<api::AccountStatusResponse>& result) {
    if (const auto* ok = std::get_if<api::AccountStatusResponse>(&result)) {
        view_.status.state = ok->state;
        view_.status.display_name = ok->display_name;
        view_.status.password_changed_at = ok->password_changed_at;
        view_.status.password_age_days = days_since(ok->password_changed_at);
        view_.status.locked_until = ok->locked_until.value_or("");
        view_.status.methods = ok->methods;
        record_outcome("completed");
        show(Screen::AccountStatus);
        return;
    }
    show_failure_after_verification(std::get<net::ApiFailure>(result), "account status");
}

} // namespace kiosk::app
