// [verify] The verification screens: the choice of method (masked, as the central gave
// them) and the code, saying where it went, with "send a new code" and its countdown. They
// only read the view model and report intents (app/src/flows/verification.cpp decides).
#include "kiosk/common/secret.hpp"
#include "kiosk/ui/screens.hpp"

#include <imgui.h>

namespace kiosk::ui {
namespace {

template <std::size_t N> std::string_view typed(const std::array<char, N>& b) {
    return {b.data()};
}

bool enter_pressed() {
    return ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter), false) ||
           ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_KeyPadEnter), false);
}

} // namespace

std::string KioskScreens::method_label(const app::MethodChoice& choice) const {
    if (choice.method == "totp") {
        return text("verify.method.totp");
    }
    const std::string key = "verify.method." + choice.method;
    if (choice.hint.empty()) {
        return text(key + ".unmasked");
    }
    return catalog_->format(key, {{"hint", choice.hint}});
}

void KioskScreens::draw_choose_method(const app::ViewModel& view, std::vector<app::Intent>& out) {
    ui_.begin_page("choose-method", text("app.name"));
    ui_.title(text("verify.choose.title"));
    ui_.paragraph(catalog_->format("verify.choose.prompt", {{"identifier", view.identifier}}));
    ui_.vertical_space(0.4f);
    bool any_focused = false;
    bool chosen = false;
    for (const auto& choice : view.methods) {
        // Every method is an equal answer, so all are filled; Enter with none focused takes
        // the first, as on the home menu.
        ImGui::PushID(choice.method.c_str());
        if (ui_.primary_button(method_label(choice), !view.busy)) {
            out.emplace_back(app::intent::ChooseMethod{choice.method});
            chosen = true;
        }
        ImGui::PopID();
        any_focused = any_focused || ImGui::IsItemFocused();
    }
    ui_.vertical_space(0.3f);
    // Staff in person is not a method to pick here: staff verify from maintenance mode.
    ui_.muted(
        text(view.ticket_offered ? "verify.choose.no_access" : "verify.choose.no_access_staff"));
    if (view.busy) {
        ui_.busy_indicator(text("common.busy"));
    }
    ui_.vertical_space(0.3f);
    std::vector<std::string> labels{text("common.cancel")};
    if (view.ticket_offered) {
        labels.push_back(text("verify.choose.ticket"));
    }
    const int pressed = ui_.choice_row("choose-method-row", labels, -1);
    any_focused = any_focused || ImGui::IsItemFocused();
    if (!view.busy && pressed == 0) {
        out.emplace_back(app::intent::BackToHome{});
        chosen = true;
    } else if (!view.busy && pressed == 1) {
        out.emplace_back(app::intent::ChooseFlow{app::Flow::Ticket});
        chosen = true;
    }
    if (!view.busy && !any_focused && !chosen && !focus_first_field_ && enter_pressed() &&
        !view.methods.empty()) {
        out.emplace_back(app::intent::ChooseMethod{view.methods.front().method});
    }
    focus_first_field_ = false;
    ui_.end_page();
}

void KioskScreens::draw_enter_code(const app::ViewModel& view, std::vector<app::Intent>& out) {
    ui_.begin_page("enter-code", text("app.name"));
    // Nothing was sent for an authenticator app: its code is on the person's phone.
    ui_.title(text(view.method == "totp" ? "verify.code.totp.title" : "code.title"));
    // Placeholders are filled in first, then the whole sentence is reordered: the masked
    // address sits where the person's language's grammar puts it.
    const std::string digits = std::to_string(view.code_length);
    if (view.method == "totp") {
        ui_.paragraph(catalog_->format("verify.code.totp", {{"digits", digits}}));
    } else if (!view.code_hint.empty() && (view.method == "email" || view.method == "sms")) {
        ui_.paragraph(catalog_->format("verify.code." + view.method,
                                       {{"hint", view.code_hint}, {"digits", digits}}));
    } else { // a central without masked hints: say whose address, as before
        ui_.paragraph(
            catalog_->format("code.prompt", {{"identifier", view.identifier}, {"digits", digits}}));
    }
    // Cramped (large text, high contrast's borders and the keypad up at 1280x800), the
    // page gives up its breathing room before its text gets any smaller.
    const bool spacing_left_out = leave_out_spare_parts();
    if (!spacing_left_out) {
        ui_.vertical_space(0.5f);
    }
    const bool entered = ui_.text_field(
        "##code", text("code.field"), code_.data(), static_cast<std::size_t>(view.code_length) + 1,
        {.digits_only = true, .take_focus = focus_first_field_, .enabled = !view.busy});
    focus_first_field_ = false;
    draw_notice(view);
    if (!spacing_left_out) {
        ui_.vertical_space(0.5f);
    }
    if (view.busy) {
        ui_.busy_indicator(text("common.busy"));
    }
    const auto pressed = ui_.button_row(text("code.continue"), text("common.cancel"), !view.busy);
    if (pressed == RowPress::Forward || (entered && !view.busy)) {
        out.emplace_back(app::intent::SubmitCode{SecretString(typed(code_))});
    } else if (pressed == RowPress::Back) {
        out.emplace_back(app::intent::BackToHome{});
    }
    // A new code (e-mail, SMS) and another method side by side, in reading order.
    std::vector<std::pair<std::string, bool>> extras;
    const bool can_resend = view.method == "email" || view.method == "sms";
    if (can_resend) {
        extras.emplace_back(view.resend_seconds_left > 0
                                ? catalog_->plural("verify.resend.wait", view.resend_seconds_left)
                                : text("verify.resend"),
                            !view.busy && view.resend_seconds_left == 0);
    }
    if (view.methods.size() > 1) {
        extras.emplace_back(text("verify.other_method"), !view.busy);
    }
    if (!extras.empty()) {
        const float spacing = ImGui::GetStyle().ItemSpacing.x;
        const auto count = static_cast<float>(extras.size());
        const float width = (ImGui::GetContentRegionAvail().x - spacing * (count - 1)) / count;
        for (std::size_t slot = 0; slot < extras.size(); ++slot) {
            const std::size_t index = ui_.right_to_left() ? extras.size() - 1 - slot : slot;
            if (slot > 0) {
                ImGui::SameLine(0.0f, spacing);
            }
            ImGui::PushID(static_cast<int>(index));
            const auto& [label, enabled] = extras[index];
            if (ui_.key_button(label, false, width, 0.0f, enabled)) {
                if (can_resend && index == 0) {
                    out.emplace_back(app::intent::ResendCode{});
                } else {
                    out.emplace_back(app::intent::ChooseAnotherMethod{});
                }
            }
            ImGui::PopID();
        }
    }
    ui_.end_page();
}

} // namespace kiosk::ui
