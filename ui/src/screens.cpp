// The walk-up screens. Each draw_* function only reads the view model and the catalog,
// and reports what the user did as intents; the session decides what happens next.
#include "kiosk/ui/screens.hpp"

#include "kiosk/common/secret.hpp"
#include "kiosk/ui/wipe_imgui_text.hpp"

#include <algorithm>
#include <imgui.h>
#include <string_view>

namespace kiosk::ui {
namespace {

std::string_view notice_key(app::Notice notice) {
    switch (notice) {
    case app::Notice::None:
        return {};
    case app::Notice::IdentifierEmpty:
        return "notice.identifier_empty";
    case app::Notice::CodeIncomplete:
        return "notice.code_incomplete";
    case app::Notice::WrongCode:
        return "notice.wrong_code";
    case app::Notice::PasswordsDiffer:
        return "notice.passwords_differ";
    case app::Notice::PasswordTooShort:
        return "notice.password_too_short";
    case app::Notice::PasswordTooLong:
        return "notice.password_too_long";
    case app::Notice::PasswordCommon:
        return "notice.password_common";
    case app::Notice::PasswordContainsUsername:
        return "notice.password_contains_username";
    case app::Notice::PasswordRefused:
        return "notice.password_refused";
    case app::Notice::CannotSaveRequest:
        return "notice.cannot_save";
    case app::Notice::DescriptionEmpty:
        return "notice.ticket_description_empty";
    case app::Notice::CategoryMissing:
        return "notice.ticket_category_missing";
    case app::Notice::PasswordReused:
        return "notice.password_reused";
    case app::Notice::ActivationCodeEmpty:
        return "notice.activation_code_empty";
    case app::Notice::ActivationCodeInvalid:
        return "notice.activation_code_invalid";
    case app::Notice::ContactEmpty:
        return "notice.contact_empty";
    case app::Notice::ContactInvalid:
        return "notice.contact_invalid";
    case app::Notice::ContactUnavailable:
        return "notice.contact_unavailable";
    case app::Notice::CodeResent:
        return "verify.notice.code_resent";
    }
    return {};
}

std::string_view problem_key(app::Problem problem) {
    switch (problem) {
    case app::Problem::CentralUnreachable:
        return "problem.unreachable";
    case app::Problem::CodeExpired:
        return "problem.code_expired";
    case app::Problem::TooManyAttempts:
        return "problem.too_many_attempts";
    case app::Problem::VerificationExpired:
        return "problem.verification_expired";
    case app::Problem::RateLimited:
        return "problem.rate_limited";
    case app::Problem::EnrolmentExpired:
        return "problem.enrolment_expired";
    case app::Problem::EnrolmentTooManyAttempts:
        return "problem.enrolment_too_many";
    case app::Problem::TooManyResends:
        return "verify.problem.too_many_resends";
    case app::Problem::None:
    case app::Problem::Unexpected:
        break;
    }
    return "problem.unexpected";
}

template <std::size_t N> std::string_view text_of(const std::array<char, N>& b) {
    return {b.data()};
}

// Any touch, click or key this frame counts as the user still being there.
bool user_was_active() {
    const ImGuiIO& io = ImGui::GetIO();
    if (!io.InputQueueCharacters.empty() || ImGui::IsMouseClicked(ImGuiMouseButton_Left) ||
        io.MouseWheel != 0.0f) {
        return true;
    }
    for (float duration : io.KeysDownDuration) {
        if (duration == 0.0f) {
            return true;
        }
    }
    return false;
}

// This frame's typed characters as UTF-8, read before any field consumes them.
std::string typed_this_frame() {
    std::string out;
    for (const ImWchar c : ImGui::GetIO().InputQueueCharacters) {
        const auto cp = static_cast<unsigned>(c);
        if (cp < 0x80) {
            out.push_back(static_cast<char>(cp));
        } else if (cp < 0x800) {
            out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else {
            out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        }
    }
    return out;
}

bool return_pressed() {
    return ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter), false) ||
           ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_KeyPadEnter), false);
}

bool enter_pressed() {
    return ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter), false) ||
           ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_KeyPadEnter), false) ||
           ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Space), false);
}

} // namespace

KioskScreens::KioskScreens(const assets::Catalogs& catalogs, FontSets fonts)
    : catalogs_(catalogs), fonts_(fonts), catalog_(&catalogs.of("en")),
      ui_(fonts.regular, palette(false), false) {}

KioskScreens::~KioskScreens() {
    secure_wipe(identifier_.data(), identifier_.size());
    secure_wipe(code_.data(), code_.size());
    secure_wipe(password_.data(), password_.size());
    secure_wipe(confirmation_.data(), confirmation_.size());
    wipe_help_inputs();
    wipe_activation_inputs();
}

void KioskScreens::wipe_inputs() {
    wipe_imgui_text_state();
    badge_.reset();
    keyboard_.reset();
    secure_wipe(identifier_.data(), identifier_.size());
    secure_wipe(code_.data(), code_.size());
    secure_wipe(password_.data(), password_.size());
    secure_wipe(confirmation_.data(), confirmation_.size());
    show_password_ = false;
    wipe_help_inputs();
    wipe_activation_inputs();
    for (FieldView& field : fields_) { // the identifier and ticket text, as last drawn
        secure_wipe(field.shown.data(), field.shown.size());
    }
    fields_.clear();
}

void KioskScreens::react_to_changes(const app::ViewModel& view) {
    if (view.screen != shown_screen_) {
        // Leaving a screen: nothing typed on it is needed any more (the identifier went
        // to the session; codes and passwords went to the worker).
        wipe_inputs();
        shown_screen_ = view.screen;
        shown_notice_ = view.notice;
        was_busy_ = view.busy;
        focus_first_field_ = true;
        return;
    }
    const bool answer_arrived = was_busy_ && !view.busy;
    was_busy_ = view.busy;
    if (view.notice != shown_notice_ || answer_arrived) {
        shown_notice_ = view.notice;
        if (view.notice != app::Notice::None && view.screen != app::Screen::Identify) {
            // A refused code or password is retyped from scratch.
            wipe_imgui_text_state();
            secure_wipe(code_.data(), code_.size());
            secure_wipe(password_.data(), password_.size());
            secure_wipe(confirmation_.data(), confirmation_.size());
            focus_first_field_ = true;
        }
    }
}

std::vector<app::Intent> KioskScreens::draw(const app::ViewModel& view) {
    react_to_changes(view);
    catalog_ = &catalogs_.of(view.language);
    const Fonts& fonts = view.large_text ? fonts_.large : fonts_.regular;
    controls_.clear();
    fields_.clear();
    // The keyboard's room counts: a page fitted while the last page's keyboard was still
    // reserved would otherwise stay shrunk once the keys have gone.
    auto layout = std::make_tuple(view.screen, view.notice, view.language, view.large_text,
                                  view.busy, keyboard_.reserved_height());
    if (layout != fitted_layout_) {
        fitted_layout_ = std::move(layout);
        fit_ = 1.0f; // a new page starts at full size and shrinks only if it must
        spare_parts_left_out_ = false;
    }
    const float fit_before = fit_;
    keyboard_.begin_frame(view.language, {.shift = text("keyboard.shift"),
                                          .caps_lock = text("keyboard.caps_lock"),
                                          .backspace = text("keyboard.backspace"),
                                          .space = text("keyboard.space"),
                                          .symbols = text("keyboard.symbols"),
                                          .next = text("keyboard.next"),
                                          .done = text("keyboard.done")});
    ui_ = Widgets(fonts, palette(view.high_contrast), assets::is_right_to_left(view.language),
                  &controls_, &fit_, &keyboard_, &fields_);
    if (view.high_contrast != high_contrast_) {
        // The style is read when widgets are drawn, so this frame already shows it.
        high_contrast_ = view.high_contrast;
        apply_palette(palette(high_contrast_));
    }
    ImGui::PushFont(fonts.body);
    std::vector<app::Intent> out;
    if (user_was_active()) {
        out.emplace_back(app::intent::Activity{});
    }
    // A badge swiped on the identify screen is the identifier, whatever the field held and
    // wherever the keyboard focus was.
    std::string typed = typed_this_frame();
    auto badge = badge_.frame(typed, return_pressed(), ImGui::GetTime());
    secure_wipe(typed);
    badge_submitted_ = false;
    if (badge && view.screen == app::Screen::Identify && !view.busy) {
        out.emplace_back(app::intent::SubmitIdentifier{std::move(*badge)});
        badge_submitted_ = true;
    } else if (badge) {
        secure_wipe(*badge);
    }
    switch (view.screen) {
    case app::Screen::Attract:
        draw_attract(view, out);
        break;
    case app::Screen::Home:
        draw_home(view, out);
        break;
    case app::Screen::AccountStatus:
        draw_account_status(view, out);
        break;
    case app::Screen::Help:
        draw_help(view, out);
        break;
    case app::Screen::Ticket:
        draw_ticket(view, out);
        break;
    case app::Screen::Feedback:
        draw_feedback(view, out);
        break;
    case app::Screen::Identify:
        draw_identify(view, out);
        break;
    case app::Screen::ChooseMethod: // src/verify_screens.cpp
        draw_choose_method(view, out);
        break;
    case app::Screen::EnterCode:
        draw_enter_code(view, out);
        break;
    case app::Screen::NewPassword:
        draw_new_password(view, out);
        break;
    case app::Screen::Done:
        draw_done(view, out);
        break;
    case app::Screen::Problem:
        draw_problem(view, out);
        break;
    case app::Screen::OfflineOffer:
        draw_offline_offer(view, out);
        break;
    case app::Screen::OfflinePassword:
        draw_offline_password(view, out);
        break;
    case app::Screen::ActivateAccount:
        draw_activate_account(view, out);
        break;
    case app::Screen::EnrolAuthenticator:
        draw_enrol_authenticator(view, out);
        break;
    case app::Screen::ConfirmAuthenticator:
        draw_confirm_authenticator(view, out);
        break;
    case app::Screen::ContactDetails:
        draw_contact_details(view, out);
        break;
    }
    if (view.idle_seconds_left > 0) {
        draw_idle_overlay(view, out);
    }
    ImGui::PopFont();
    const bool changed = fit_ != fit_before || keyboard_.settling();
    // Dear ImGui sizes a window's scroll bar from the frame before: one more frame once the
    // layout has stopped changing, or the overflowing frame's scroll bar stays on screen.
    settling_ = changed || changed_last_frame_;
    changed_last_frame_ = changed;
    return out;
}

void KioskScreens::draw_notice(const app::ViewModel& view) {
    const auto key = notice_key(view.notice);
    if (key.empty()) {
        return;
    }
    // The counted notices take the plural form for their number.
    long count = 0;
    switch (view.notice) {
    case app::Notice::WrongCode:
        count = view.attempts_left;
        break;
    case app::Notice::CodeIncomplete:
        count = view.code_length;
        break;
    case app::Notice::PasswordTooShort:
        count = view.min_password_length;
        break;
    default:
        ui_.notice_box(text(key));
        return;
    }
    ui_.notice_box(catalog_->plural(key, count));
}

void KioskScreens::draw_attract(const app::ViewModel& view, std::vector<app::Intent>& out) {
    ui_.begin_page("attract", text("app.name"));
    ui_.headline(text("attract.headline"));
    ui_.vertical_space(0.2f);
    ui_.paragraph(text("attract.subtitle"));
    ui_.vertical_space(0.4f);
    bool start = ui_.primary_button(text("attract.start"));
    const bool start_focused = ImGui::IsItemFocused();
    ui_.vertical_space(0.4f);

    // Each language is offered in its own name, so a person finds theirs without reading
    // the current one.
    ui_.muted(text("attract.choose_language"));
    std::vector<std::string> names;
    int selected = -1;
    const auto offered = view.languages.empty() ? catalogs_.languages() : view.languages;
    for (const auto& language : offered) {
        if (language == view.language) {
            selected = static_cast<int>(names.size());
        }
        names.push_back(catalogs_.of(language).text("language.name"));
    }
    if (const int chosen = ui_.choice_row("languages", names, selected); chosen >= 0) {
        out.emplace_back(app::intent::ChooseLanguage{offered[static_cast<std::size_t>(chosen)]});
    }
    ui_.vertical_space(0.2f);
    const int toggled =
        ui_.toggle_row("access", {text("access.large_text"), text("access.high_contrast")},
                       {view.large_text, view.high_contrast});
    if (toggled == 0) {
        out.emplace_back(app::intent::SetLargeText{!view.large_text});
    } else if (toggled == 1) {
        out.emplace_back(app::intent::SetHighContrast{!view.high_contrast});
    }
    // A touch anywhere but on a control starts, and so does Enter unless the keyboard is on
    // another control (which Enter or Space then operates instead).
    const bool on_a_control = ImGui::IsAnyItemHovered() || ImGui::IsAnyItemActive();
    const bool keyboard_elsewhere = ImGui::IsAnyItemFocused() && !start_focused;
    ui_.end_page();
    draw_central_mark(view.central);
    if (ImGui::IsMouseClicked(ImGuiMouseButton_Left) && !on_a_control) {
        start = true;
    }
    if (enter_pressed() && !keyboard_elsewhere) {
        start = true;
    }
    if (start) {
        out.emplace_back(app::intent::Start{});
    }
}

void KioskScreens::draw_home(const app::ViewModel& view, std::vector<app::Intent>& out) {
    ui_.begin_page("home", text("app.name"));
    ui_.title(text("home.title"));
    if (view.staff_verified) { // handed over from maintenance mode: no code will be asked
        ui_.notice_box(catalog_->format("home.staff_verified", {{"name", view.verified_name}}));
    }
    ui_.vertical_space(0.3f);
    std::vector<std::pair<const char*, app::Flow>> tasks = {
        {"home.reset", app::Flow::ResetPassword},
        {"home.unlock", app::Flow::Unlock},
        {"home.status", app::Flow::AccountStatus},
    };
    if (view.activation_offered && !view.staff_verified) { // an activation code verifies
        tasks.emplace_back("home.activate", app::Flow::Activate);
    }
    if (view.contact_offered) {
        tasks.emplace_back("home.contact", app::Flow::ContactDetails);
    }
    if (view.help_offered) {
        tasks.emplace_back("home.help", app::Flow::Help);
    }
    if (view.ticket_offered) {
        tasks.emplace_back("home.ticket", app::Flow::Ticket);
    }
    bool any_focused = false;
    bool chosen = false;
    bool first = true;
    for (const auto& [key, flow] : tasks) {
        // The first task is what most people come for: filled, and what Enter picks when
        // the keyboard is on no button yet.
        const bool pressed = first ? ui_.primary_button(text(key), !view.busy)
                                   : ui_.secondary_button(text(key), !view.busy);
        any_focused = any_focused || ImGui::IsItemFocused();
        if (pressed) {
            out.emplace_back(app::intent::ChooseFlow{flow});
            chosen = true;
        }
        first = false;
    }
    ui_.vertical_space(0.5f);
    if (ui_.secondary_button(text("problem.finish"))) {
        out.emplace_back(app::intent::Finish{});
        chosen = true;
    }
    any_focused = any_focused || ImGui::IsItemFocused();
    if (!any_focused && !chosen && !focus_first_field_ && enter_pressed()) {
        out.emplace_back(app::intent::ChooseFlow{app::Flow::ResetPassword});
    }
    focus_first_field_ = false;
    ui_.end_page();
}

void KioskScreens::draw_account_status(const app::ViewModel& view, std::vector<app::Intent>& out) {
    ui_.begin_page("account-status", text("app.name"));
    const auto& status = view.status;
    ui_.title(status.display_name.empty() ? text("status.title") : status.display_name);
    ui_.vertical_space(0.3f);
    std::string state = text("status.state.active");
    if (status.state == "locked") {
        state =
            catalog_->format("status.state.locked",
                             {{"time", assets::format_date_time(*catalog_, status.locked_until)}});
    } else if (status.state == "disabled") {
        state = text("status.state.disabled");
    }
    ui_.field(text("status.state"), state);
    if (!status.password_changed_at.empty()) {
        ui_.field(text("status.password"),
                  catalog_->plural(
                      "status.password.age", status.password_age_days,
                      {{"date", assets::format_date_time(*catalog_, status.password_changed_at)}}));
    }
    if (!status.methods.empty()) {
        std::string methods;
        for (const auto& method : status.methods) {
            const std::string key = "status.method." + method;
            if (!catalog_->contains(key)) {
                continue; // a method this kiosk version cannot name
            }
            methods += (methods.empty() ? "" : "\n") + text(key);
        }
        ui_.field(text("status.methods"), methods);
    }
    if (view.busy) {
        ui_.busy_indicator(text("common.busy"));
    }
    ui_.vertical_space(0.5f);
    if (status.state == "locked") {
        const auto pressed = ui_.button_row(text("status.unlock"), text("done.finish"), !view.busy);
        if (pressed == RowPress::Forward) {
            out.emplace_back(app::intent::UnlockFromStatus{});
        } else if (pressed == RowPress::Back) {
            out.emplace_back(app::intent::Finish{});
        }
    } else if (ui_.primary_button(text("done.finish"), !view.busy) ||
               (!focus_first_field_ && enter_pressed())) {
        out.emplace_back(app::intent::Finish{});
    }
    focus_first_field_ = false;
    ui_.end_page();
}

void KioskScreens::draw_identify(const app::ViewModel& view, std::vector<app::Intent>& out) {
    ui_.begin_page("identify", text("app.name"));
    ui_.title(text("identify.title"));
    ui_.paragraph(text("identify.prompt"));
    ui_.vertical_space(0.5f);
    const bool entered = ui_.text_field(
        "##identifier", text("identify.field"), identifier_.data(), identifier_.size(),
        {.take_focus = focus_first_field_, .enabled = !view.busy, .latin = true});
    focus_first_field_ = false;
    draw_notice(view);
    ui_.vertical_space(0.5f);
    if (view.busy) {
        ui_.busy_indicator(text("common.busy"));
    }
    const auto pressed =
        ui_.button_row(text("identify.continue"), text("common.cancel"), !view.busy);
    if (badge_submitted_) {
        // The reader's keys also went into the field: what it holds now is not what anyone typed.
        wipe_imgui_text_state();
        secure_wipe(identifier_.data(), identifier_.size());
    } else if (pressed == RowPress::Forward || (entered && !view.busy)) {
        out.emplace_back(app::intent::SubmitIdentifier{std::string(text_of(identifier_))});
    } else if (pressed == RowPress::Back) {
        out.emplace_back(app::intent::BackToHome{});
    }
    ui_.end_page();
}

void KioskScreens::draw_new_password(const app::ViewModel& view, std::vector<app::Intent>& out) {
    // [activation] The activation's first password is chosen on this same screen.
    const bool activation = view.flow == app::Flow::Activate;
    const auto pressed = draw_password_page(
        view, {.page_id = "new-password",
               .title = text(activation ? "activate.password.title" : "password.title"),
               .prompt = catalog_->plural("password.prompt", view.min_password_length),
               .submit = text(activation ? "activate.password.submit" : "password.submit")});
    if (pressed == RowPress::Forward) {
        out.emplace_back(app::intent::SubmitNewPassword{SecretString(text_of(password_)),
                                                        SecretString(text_of(confirmation_))});
    } else if (pressed == RowPress::Back) {
        out.emplace_back(app::intent::BackToHome{});
    }
}

bool KioskScreens::leave_out_spare_parts() {
    // A page that did not fit at full size (large text with a keyboard up, a small screen)
    // first leaves out what it can spare and is measured again at full size: shrinking the
    // text would undo large text, and its smallest scale may still not be enough.
    if (fit_ < 1.0f && !spare_parts_left_out_) {
        spare_parts_left_out_ = true;
        fit_ = 1.0f;
    }
    return spare_parts_left_out_;
}

RowPress KioskScreens::draw_password_page(const app::ViewModel& view, const PasswordPage& page) {
    // Cramped, the page leaves out its prompt: the checklist's first line names the minimum.
    const bool prompt_left_out = page.prompt_can_go && leave_out_spare_parts();
    ui_.begin_page(page.page_id, text("app.name"));
    // "Show what I type" at the end of the title's line when both fit: a line less, which
    // large text with the keyboard up needs at 1280x800.
    const std::string& title = page.title;
    const std::string show = text("password.show");
    ImGui::PushFont(ui_.fonts().title);
    const float title_width = ImGui::CalcTextSize(ui_.visual(title).c_str()).x;
    ImGui::PopFont();
    const bool show_beside_title =
        title_width + ui_.toggle_width(show) + ImGui::GetFontSize() * 2.0f <
        ImGui::GetContentRegionAvail().x;
    if (show_beside_title) {
        const ImVec2 top = ImGui::GetCursorPos();
        if (ui_.toggle_at_end("##show", show, show_password_)) {
            show_password_ = !show_password_;
        }
        const float toggle_bottom = ImGui::GetCursorPosY();
        ImGui::SetCursorPos(top);
        ui_.title(title);
        ImGui::SetCursorPosY(std::max(ImGui::GetCursorPosY(), toggle_bottom));
    } else {
        ui_.title(title);
    }
    if (!prompt_left_out) {
        ui_.paragraph(page.prompt);
        ui_.vertical_space(0.3f);
    }
    const TextFieldOptions secret{
        .secret = !show_password_, .take_focus = focus_first_field_, .enabled = !view.busy};
    // The two fields side by side (the first on the reading side), labels in a row of their
    // own so the fields line up: with the keyboard up and large text the page then fits
    // 1280x800 without scrolling its buttons away.
    bool entered = false;
    const int reading = ui_.right_to_left() ? 1 : 0;
    ImGui::PushStyleVar(ImGuiStyleVar_CellPadding, // room between the two columns
                        ImVec2(ImGui::GetFontSize() * 0.5f, ImGui::GetStyle().CellPadding.y));
    if (ImGui::BeginTable("passwords", 2, ImGuiTableFlags_SizingStretchSame)) {
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(reading);
        ui_.paragraph(text("password.new"));
        ImGui::TableSetColumnIndex(1 - reading);
        ui_.paragraph(text("password.confirm"));
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(reading);
        if (ui_.text_field("##password", "", password_.data(), password_.size(), secret)) {
            focus_confirmation_ = true; // Enter in the first field moves on, like Tab
        }
        focus_first_field_ = false;
        TextFieldOptions confirm = secret;
        confirm.take_focus = focus_confirmation_;
        focus_confirmation_ = false;
        ImGui::TableSetColumnIndex(1 - reading);
        entered = ui_.text_field("##confirmation", "", confirmation_.data(), confirmation_.size(),
                                 confirm);
        ImGui::EndTable();
    }
    ImGui::PopStyleVar();
    // [checklist] The strength meter in the half of the toggle's row the toggle leaves free;
    // with the toggle beside the title, a row of its own.
    const ImVec2 row = ImGui::GetCursorScreenPos();
    const float row_width = ImGui::GetContentRegionAvail().x;
    if (!show_beside_title && ui_.toggle("##show", show, show_password_)) {
        show_password_ = !show_password_;
    }
    if (show_beside_title) {
        draw_strength_meter(view, row_width * 0.5f);
    } else {
        const ImVec2 after_toggle = ImGui::GetCursorScreenPos();
        const float toggle_height = after_toggle.y - row.y;
        ImGui::SetCursorScreenPos(ImVec2(ui_.right_to_left() ? row.x : row.x + row_width * 0.5f,
                                         row.y + toggle_height * 0.25f));
        draw_strength_meter(view, row_width * 0.5f);
        ImGui::SetCursorScreenPos(after_toggle);
    }
    draw_password_checklist(view);
    draw_notice(view);
    if (view.busy) {
        ui_.busy_indicator(text("common.busy"));
    }
    auto pressed = ui_.button_row(page.submit, text("common.cancel"), !view.busy);
    if (entered && !view.busy) {
        pressed = RowPress::Forward;
    }
    ui_.end_page();
    return pressed;
}

void KioskScreens::draw_password_checklist(const app::ViewModel& view) {
    // Views of the typed buffers: nothing here keeps a copy past this frame.
    const std::string_view password = text_of(password_);
    const auto list = app::check_password_live(password, text_of(confirmation_), view.identifier,
                                               view.password_policy, view.min_password_length);
    const auto mark = [](app::Check check) {
        return check == app::Check::Met      ? Mark::Tick
               : check == app::Check::NotMet ? Mark::Cross
                                             : Mark::Pending;
    };
    checklist_.clear();
    checklist_.push_back(
        {catalog_->plural("checklist.length", list.min_length), mark(list.long_enough)});
    if (list.not_too_long == app::Check::NotMet) {
        checklist_.push_back(
            {catalog_->plural("checklist.too_long", view.password_policy.max_length), Mark::Cross});
    }
    checklist_.push_back({text("checklist.match"), mark(list.matches)});
    if (list.not_username != app::Check::Later) {
        checklist_.push_back({text("checklist.username"), mark(list.not_username)});
    }
    if (list.show_lists) {
        checklist_.push_back({text("checklist.lists"), Mark::Pending});
    }
    if (list.history > 0) {
        checklist_.push_back({catalog_->plural("checklist.history", list.history), Mark::Pending});
    }
    ui_.check_lines(checklist_);
}

void KioskScreens::draw_strength_meter(const app::ViewModel& view, float width) {
    strength_ = app::estimate_strength(text_of(password_), view.identifier).level;
    const auto& colours = ui_.colours();
    switch (strength_) {
    case app::Strength::Empty:
        ui_.strength_meter(text("strength.empty"), 0, 4, colours.muted, width);
        break;
    case app::Strength::Weak:
        ui_.strength_meter(text("strength.weak"), 1, 4, colours.notice_text, width);
        break;
    case app::Strength::Fair:
        ui_.strength_meter(text("strength.fair"), 2, 4, colours.primary, width);
        break;
    case app::Strength::Good:
        ui_.strength_meter(text("strength.good"), 3, 4, colours.success, width);
        break;
    case app::Strength::Strong:
        ui_.strength_meter(text("strength.strong"), 4, 4, colours.success, width);
        break;
    }
}

void KioskScreens::draw_done(const app::ViewModel& view, std::vector<app::Intent>& out) {
    ui_.begin_page("done", text("app.name"));
    // Saved for later: the same receipt, saying the change is still to come.
    const bool saved = view.saved_for_later;
    const bool unlock = view.flow == app::Flow::Unlock;
    const bool disabled = unlock && view.unlock_state == "disabled";
    std::string title_key = saved ? "saved.title" : "done.title";
    std::string body_key = saved ? "saved.body" : "done.body";
    std::string time_key = saved ? "saved.time" : "done.time";
    if (unlock) {
        title_key = disabled ? "unlock.disabled.title" : "unlock.title";
        body_key = disabled ? "unlock.disabled.body" : "unlock.body";
        time_key = "unlock.time";
    }
    if (view.awaiting_confirmation) {
        // Made offline: applied only once the owner confirms it within the time given.
        title_key = "saved.title";
        time_key = "saved.time";
    }
    if (view.flow == app::Flow::Activate) {
        title_key = "activate.done.title";
        body_key = "activate.done.body";
        time_key = "activate.done.time";
    } else if (view.flow == app::Flow::ContactDetails) {
        title_key = "contact.done.title";
        body_key = view.contact_email_changed && view.contact_phone_changed ? "contact.done.both"
                   : view.contact_phone_changed                             ? "contact.done.phone"
                                                                            : "contact.done.email";
        time_key = "done.time";
    }
    if (view.flow == app::Flow::Ticket) {
        title_key = saved ? "ticket.saved.title" : "ticket.done.title";
        body_key = saved ? "ticket.saved.body" : "ticket.done.body";
        time_key = saved ? "saved.time" : "ticket.done.time";
    }
    ui_.title(text(title_key), disabled ? 0 : ui_.colours().success);
    ui_.paragraph(view.awaiting_confirmation ? catalog_->plural(unlock ? "offline.saved.unlock_body"
                                                                       : "offline.saved.reset_body",
                                                                view.confirm_within_hours)
                                             : text(body_key));
    ui_.vertical_space(0.5f);
    ImGui::PushFont(ui_.fonts().title);
    ui_.paragraph(catalog_->format("done.reference", {{"reference", view.reference}}));
    ImGui::PopFont();
    ui_.muted(catalog_->format(time_key,
                               {{"time", assets::format_date_time(*catalog_, view.completed_at)}}));
    if (!view.receipt_url.empty()) {
        ui_.vertical_space(0.5f);
        ui_.qr_code(view.receipt_url, ImGui::GetFontSize() * 7.0f, text("receipt.qr"));
    }
    draw_rating_row(view, out);
    ui_.vertical_space(0.8f);
    if (ui_.primary_button(text("done.finish")) || (!focus_first_field_ && enter_pressed())) {
        out.emplace_back(app::intent::Finish{});
    }
    focus_first_field_ = false;
    ui_.end_page();
}

void KioskScreens::draw_problem(const app::ViewModel& view, std::vector<app::Intent>& out) {
    ui_.begin_page("problem", text("app.name"));
    const std::string key(problem_key(view.problem));
    ui_.title(text(key + ".title"));
    // The wait is counted: its plural form says "1 minute" / "5 minutes" in each language.
    ui_.paragraph(view.problem == app::Problem::RateLimited
                      ? catalog_->plural(key + ".next", view.retry_after_minutes)
                      : text(key + ".next"));
    ui_.vertical_space(1.0f);
    const auto pressed = ui_.button_row(text("problem.start_over"), text("problem.finish"), true);
    if (pressed == RowPress::Forward || (!focus_first_field_ && enter_pressed())) {
        out.emplace_back(app::intent::StartOver{});
    } else if (pressed == RowPress::Back) {
        out.emplace_back(app::intent::Finish{});
    }
    focus_first_field_ = false;
    ui_.end_page();
}

void KioskScreens::draw_idle_overlay(const app::ViewModel& view, std::vector<app::Intent>& out) {
    const ImGuiViewport* viewport = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(viewport->WorkPos);
    ImGui::SetNextWindowSize(viewport->WorkSize);
    ImGui::SetNextWindowFocus();
    ImGui::PushStyleColor(ImGuiCol_WindowBg, ImVec4(0.08f, 0.10f, 0.16f, 0.70f));
    ImGui::Begin("idle", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                     ImGuiWindowFlags_NoSavedSettings);
    ImGui::PopStyleColor();
    const float font = ImGui::GetFontSize();
    const float card_width = std::min(viewport->WorkSize.x * 0.86f, font * 26.0f);
    if (idle_card_height_ <= 0) {
        idle_card_height_ = font * 11.0f;
    }
    const float card_height = std::min(idle_card_height_, viewport->WorkSize.y * 0.9f);
    ImGui::SetCursorPos(ImVec2((viewport->WorkSize.x - card_width) * 0.5f,
                               (viewport->WorkSize.y - card_height) * 0.5f));
    ImGui::PushStyleColor(ImGuiCol_ChildBg,
                          ImGui::ColorConvertU32ToFloat4(ui_.colours().background));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(font, font));
    ImGui::PushStyleVar(ImGuiStyleVar_ChildRounding, font * 0.5f);
    ImGui::BeginChild("idle-card", ImVec2(card_width, card_height), false,
                      ImGuiWindowFlags_AlwaysUseWindowPadding);
    ui_.title(text("idle.title"));
    ui_.paragraph(catalog_->plural("idle.body", view.idle_seconds_left));
    ui_.vertical_space(0.5f);
    if (ui_.primary_button(text("idle.continue"))) {
        out.emplace_back(app::intent::Activity{});
    }
    // The card is sized to what it held last frame, so a longer language still fits.
    idle_card_height_ = ImGui::GetCursorPosY() - ImGui::GetStyle().ItemSpacing.y + font;
    ImGui::EndChild();
    ImGui::PopStyleVar(2);
    ImGui::PopStyleColor();
    ImGui::End();
}

void KioskScreens::draw_central_mark(app::Reachability central) {
    // Drawn over the page, in the corner away from the brand bar and the page's controls,
    // so it changes no layout; the colour alone is for staff walking past.
    const ImVec2 size = ImGui::GetIO().DisplaySize;
    const float radius = std::max(4.0f, size.y / 160.0f);
    const ImVec2 centre(size.x - radius * 3.0f, size.y - radius * 3.0f);
    ImU32 colour = IM_COL32(0x8A, 0x94, 0xA0, 0xFF); // unknown: grey
    if (central == app::Reachability::Online) {
        colour = IM_COL32(0x2E, 0x8B, 0x3E, 0xFF);
    } else if (central == app::Reachability::Offline) {
        colour = IM_COL32(0xC6, 0x28, 0x28, 0xFF);
    }
    ImGui::GetForegroundDrawList()->AddCircleFilled(centre, radius, colour);
}

} // namespace kiosk::ui
