// [staff] A session handed over from maintenance mode after staff verified the user in
// person: it opens at Home holding the central's "staff" verification token, so reset,
// unlock and status go straight to their verified step (Session::on(ChooseFlow)).
#include "flow_support.hpp"

#include <spdlog/spdlog.h>

namespace kiosk::app {

void Session::on(intent::StartVerified& i) {
    if (i.token.empty()) {
        return;
    }
    wipe(); // nothing of an earlier visit carries over
    on(intent::Start{});
    if (view_.screen != Screen::Home) {
        i.token.clear();
        return;
    }
    verification_token_ = std::move(i.token);
    ticket_token_ = verification_token_;
    view_.staff_verified = true;
    view_.identifier = std::move(i.username);
    view_.verified_name = std::move(i.display_name);
    spdlog::info("session: started for a user verified in person by staff");
    changed();
}

} // namespace kiosk::app
