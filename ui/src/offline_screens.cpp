// The screens of a request saved while the central is unreachable: the offer to save it for
// out-of-band confirmation, and the new password it will set once confirmed. They only read
// the view model and report intents (app/src/offline_request.cpp decides what happens).
#include "kiosk/ui/screens.hpp"

#include <imgui.h>

namespace kiosk::ui {
namespace {

template <std::size_t N> std::string_view typed(const std::array<char, N>& b) {
    return {b.data()};
}

} // namespace

void KioskScreens::draw_offline_offer(const app::ViewModel& view, std::vector<app::Intent>& out) {
    ui_.begin_page("offline-offer", text("app.name"));
    ui_.title(text("offline.offer.title"));
    ui_.paragraph(text(view.flow == app::Flow::Unlock ? "offline.offer.unlock_body"
                                                      : "offline.offer.reset_body"));
    ui_.vertical_space(0.3f);
    ui_.paragraph(catalog_->plural("offline.offer.within", view.confirm_within_hours));
    draw_notice(view);
    ui_.vertical_space(0.5f);
    if (view.busy) {
        ui_.busy_indicator(text("common.busy"));
    }
    const auto pressed =
        ui_.button_row(text("offline.offer.save"), text("common.cancel"), !view.busy);
    if (pressed == RowPress::Forward) {
        out.emplace_back(app::intent::SaveForConfirmation{});
    } else if (pressed == RowPress::Back) {
        out.emplace_back(app::intent::Finish{});
    }
    focus_first_field_ = false;
    ui_.end_page();
}

void KioskScreens::draw_offline_password(const app::ViewModel& view,
                                         std::vector<app::Intent>& out) {
    // The same fields, checklist and meter as online: only the minimum length can be checked
    // here, and the central checks the rest when the saved request reaches it.
    const auto pressed = draw_password_page(
        view, {.page_id = "offline-password",
               .title = text("password.title"),
               .prompt = catalog_->plural("offline.password.prompt", view.min_password_length),
               .submit = text("offline.password.submit"),
               .prompt_can_go = false}); // it says the request waits for a confirmation
    if (pressed == RowPress::Forward) {
        out.emplace_back(app::intent::SubmitOfflinePassword{SecretString(typed(password_)),
                                                            SecretString(typed(confirmation_))});
    } else if (pressed == RowPress::Back) {
        out.emplace_back(app::intent::Finish{});
    }
}

} // namespace kiosk::ui
