// [unlock] The unlock flow after verification: the central clears the lockout and the
// failure count and spends the token; the receipt says whether the account is usable now.
#include "flow_support.hpp"

#include <spdlog/spdlog.h>

namespace kiosk::app {

void Session::request_unlock() {
    request(
        [token = verification_token_](net::CentralClient& central) {
            api::UnlockRequest body{token.str()};
            const WipeOnExit wipe(body.verification_token);
            return central.unlock(body);
        },
        [](Session& self, auto& result) { self.unlocked(result); });
}

void Session::unlocked(const net::ApiResult<api::UnlockResponse>& result) {
    if (const auto* ok = std::get_if<api::UnlockResponse>(&result)) {
        verification_token_.clear(); // spent at the central
        spdlog::info("session: account unlocked ({})", ok->reference);
        view_.unlock_state = ok->state;
        show_receipt(ok->reference, ok->completed_at);
        return;
    }
    show_failure_after_verification(std::get<net::ApiFailure>(result), "unlock");
}

void Session::on(const intent::UnlockFromStatus&) {
    // The status check did not spend the token: the same verification unlocks.
    if (view_.screen != Screen::AccountStatus || view_.status.state != "locked" ||
        verification_token_.empty()) {
        return;
    }
    view_.flow = Flow::Unlock;
    request_unlock();
}

} // namespace kiosk::app
