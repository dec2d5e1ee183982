// [activation, contact] The screens of an account's activation (name and activation code,
// the authenticator's QR code and secret, its first code) and of a contact details update.
// The first password is the reset's own NewPassword screen (screens.cpp). They only read
// the view model and report intents (app/src/flows/activation.cpp and contact.cpp decide).
#include "kiosk/common/secret.hpp"
#include "kiosk/ui/screens.hpp"
#include "kiosk/ui/wipe_imgui_text.hpp"

#include <algorithm>
#include <cstring>
#include <imgui.h>

namespace kiosk::ui {
namespace {

template <std::size_t N> std::string_view typed(const std::array<char, N>& b) {
    return {b.data()};
}

// Enter with the keyboard on no control: the screen's forward button (as on the receipt).
bool enter_on_no_control() {
    return !ImGui::IsAnyItemFocused() &&
           (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter), false) ||
            ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_KeyPadEnter), false));
}

} // namespace

void KioskScreens::wipe_activation_inputs() {
    secure_wipe(activation_code_.data(), activation_code_.size());
    secure_wipe(contact_email_.data(), contact_email_.size());
    secure_wipe(contact_phone_.data(), contact_phone_.size());
    wipe(enrolment_qr_);
    focus_second_field_ = false;
}

void KioskScreens::draw_activate_account(const app::ViewModel& view,
                                         std::vector<app::Intent>& out) {
    ui_.begin_page("activate-account", text("app.name"));
    ui_.title(text("activate.title"));
    if (view.notice == app::Notice::None) {
        // With a notice the page would not fit above the keyboard; the notice says enough.
        ui_.paragraph(text("activate.prompt"));
    }
    ui_.vertical_space(0.3f);
    if (focus_first_field_ && identifier_[0] == '\0' && !view.identifier.empty()) {
        // Back here after a refused code: the name stays, only the code is typed again.
        const auto n = std::min(view.identifier.size(), identifier_.size() - 1);
        std::memcpy(identifier_.data(), view.identifier.data(), n);
    }
    if (focus_first_field_ && (view.notice == app::Notice::ActivationCodeEmpty ||
                               view.notice == app::Notice::ActivationCodeInvalid)) {
        focus_second_field_ = true; // the code is what to type again
    }
    if (ui_.text_field("##identifier", text("identify.field"), identifier_.data(),
                       identifier_.size(),
                       {.take_focus = focus_first_field_ && !focus_second_field_,
                        .enabled = !view.busy,
                        .latin = true})) {
        focus_second_field_ = true; // Enter in the first field moves on, like Tab
    }
    focus_first_field_ = false;
    const bool take_second = focus_second_field_;
    focus_second_field_ = false;
    const bool entered = ui_.text_field(
        "##activation-code", text("activate.code"), activation_code_.data(),
        activation_code_.size(), {.take_focus = take_second, .enabled = !view.busy, .latin = true});
    draw_notice(view);
    ui_.vertical_space(0.3f);
    const auto pressed =
        ui_.button_row(text("identify.continue"), text("common.cancel"), !view.busy);
    if (pressed == RowPress::Forward || (entered && !view.busy)) {
        out.emplace_back(app::intent::SubmitActivationCode{std::string(typed(identifier_)),
                                                           SecretString(typed(activation_code_))});
    } else if (pressed == RowPress::Back) {
        out.emplace_back(app::intent::BackToHome{});
    }
    ui_.end_page();
}

void KioskScreens::draw_enrol_authenticator(const app::ViewModel& view,
                                            std::vector<app::Intent>& out) {
    ui_.begin_page("enrol-authenticator", text("app.name"));
    ui_.title(text("enrol.title"));
    ui_.paragraph(text("enrol.prompt"));
    ui_.vertical_space(0.3f);
    if (enrolment_qr_.width == 0 && !view.enrolment.otpauth_uri.empty()) {
        // Once per enrolment, not per frame: each encoding is one more copy of the secret.
        if (auto matrix = encode_qr(view.enrolment.otpauth_uri.view())) {
            enrolment_qr_ = std::move(*matrix);
        }
    }
    if (enrolment_qr_.width > 0) {
        // Larger than a receipt's: a phone held at arm's length reads 4 px modules at 800
        // lines, and this code (about 110 characters) has more of them.
        ui_.qr_code(enrolment_qr_, ImGui::GetFontSize() * 13.0f, text("enrol.qr"));
    }
    ui_.vertical_space(0.3f);
    ui_.muted(text("enrol.secret"));
    ui_.secret_line(view.enrolment.secret_groups.view(), ui_.fonts().title);
    ui_.muted(catalog_->plural("enrol.expires",
                               std::max(1, (view.enrolment.expires_in_seconds + 59) / 60)));
    ui_.vertical_space(0.3f);
    const auto pressed = ui_.button_row(text("enrol.next"), text("common.cancel"), !view.busy);
    if (pressed == RowPress::Forward || (!focus_first_field_ && enter_on_no_control())) {
        out.emplace_back(app::intent::EnrolmentScanned{});
    } else if (pressed == RowPress::Back) {
        out.emplace_back(app::intent::BackToHome{});
    }
    focus_first_field_ = false;
    ui_.end_page();
}

void KioskScreens::draw_confirm_authenticator(const app::ViewModel& view,
                                              std::vector<app::Intent>& out) {
    ui_.begin_page("confirm-authenticator", text("app.name"));
    ui_.title(text("enrol.code.title"));
    ui_.paragraph(
        catalog_->format("enrol.code.prompt", {{"identifier", view.identifier},
                                               {"digits", std::to_string(view.code_length)}}));
    ui_.vertical_space(0.3f);
    const bool entered = ui_.text_field(
        "##code", text("code.field"), code_.data(), static_cast<std::size_t>(view.code_length) + 1,
        {.digits_only = true, .take_focus = focus_first_field_, .enabled = !view.busy});
    focus_first_field_ = false;
    draw_notice(view);
    if (view.busy) {
        ui_.busy_indicator(text("common.busy"));
    }
    const auto pressed =
        ui_.button_row(text("enrol.code.submit"), text("enrol.code.back"), !view.busy);
    if (pressed == RowPress::Forward || (entered && !view.busy)) {
        out.emplace_back(app::intent::SubmitCode{SecretString(typed(code_))});
    } else if (pressed == RowPress::Back) {
        out.emplace_back(app::intent::ShowEnrolmentAgain{});
    }
    ui_.end_page();
}

void KioskScreens::draw_contact_details(const app::ViewModel& view, std::vector<app::Intent>& out) {
    ui_.begin_page("contact-details", text("app.name"));
    ui_.title(text("contact.title"));
    ui_.paragraph(text("contact.prompt"));
    ui_.vertical_space(0.3f);
    if (ui_.text_field("##email", text("contact.email"), contact_email_.data(),
                       contact_email_.size(),
                       {.take_focus = focus_first_field_, .enabled = !view.busy, .latin = true})) {
        focus_second_field_ = true;
    }
    focus_first_field_ = false;
    const bool take_second = focus_second_field_;
    focus_second_field_ = false;
    const bool entered = ui_.text_field(
        "##phone", text("contact.phone"), contact_phone_.data(), contact_phone_.size(),
        {.take_focus = take_second, .enabled = !view.busy, .latin = true});
    ui_.muted(text("contact.phone.hint"));
    draw_notice(view);
    if (view.busy) {
        ui_.busy_indicator(text("common.busy"));
    }
    const auto pressed = ui_.button_row(text("contact.submit"), text("common.cancel"), !view.busy);
    if (pressed == RowPress::Forward || (entered && !view.busy)) {
        out.emplace_back(app::intent::SubmitContactDetails{std::string(typed(contact_email_)),
                                                           std::string(typed(contact_phone_))});
    } else if (pressed == RowPress::Back) {
        out.emplace_back(app::intent::BackToHome{});
    }
    ui_.end_page();
}

} // namespace kiosk::ui
