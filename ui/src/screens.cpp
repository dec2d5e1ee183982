// The walk-up screens. Each draw_* function only reads the view model and the catalog,
// and reports what the user did as intents; the session decides what happens next.
#include "kiosk/ui/screens.hpp"

#include "kiosk/common/secret.hpp"
#include "kiosk/ui/widgets.hpp"
#include "kiosk/ui/wipe_imgui_text.hpp"

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

bool enter_pressed() {
    return ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter), false) ||
           ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_KeyPadEnter), false) ||
           ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Space), false);
}

} // namespace

KioskScreens::KioskScreens(const assets::Catalog& catalog, Fonts fonts)
    : catalog_(catalog), fonts_(fonts) {}

KioskScreens::~KioskScreens() {
    secure_wipe(identifier_.data(), identifier_.size());
    secure_wipe(code_.data(), code_.size());
    secure_wipe(password_.data(), password_.size());
    secure_wipe(confirmation_.data(), confirmation_.size());
}

void KioskScreens::wipe_inputs() {
    wipe_imgui_text_state();
    secure_wipe(identifier_.data(), identifier_.size());
    secure_wipe(code_.data(), code_.size());
    secure_wipe(password_.data(), password_.size());
    secure_wipe(confirmation_.data(), confirmation_.size());
    show_password_ = false;
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
    std::vector<app::Intent> out;
    if (user_was_active()) {
        out.emplace_back(app::intent::Activity{});
    }
    switch (view.screen) {
    case app::Screen::Attract:
        draw_attract(view, out);
        break;
    case app::Screen::Identify:
        draw_identify(view, out);
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
    }
    if (view.idle_seconds_left > 0) {
        draw_idle_overlay(view, out);
    }
    return out;
}

void KioskScreens::draw_notice(const app::ViewModel& view) {
    const auto key = notice_key(view.notice);
    if (key.empty()) {
        return;
    }
    // Notices that carry a number are plural entries: the count picks the grammatical form.
    switch (view.notice) {
    case app::Notice::WrongCode:
        notice_box(catalog_.plural(key, view.attempts_left));
        break;
    case app::Notice::CodeIncomplete:
        notice_box(catalog_.plural(key, view.code_length));
        break;
    case app::Notice::PasswordTooShort:
        notice_box(catalog_.plural(key, view.min_password_length));
        break;
    default:
        notice_box(catalog_.text(key));
        break;
    }
}

bool KioskScreens::cancel_button(const app::ViewModel& view) {
    return secondary_button(catalog_.text("common.cancel"), !view.busy);
}

void KioskScreens::draw_attract(const app::ViewModel&, std::vector<app::Intent>& out) {
    begin_page("attract", fonts_, catalog_.text("app.name"));
    vertical_space(1.0f);
    headline(fonts_, catalog_.text("attract.headline"));
    vertical_space(0.5f);
    paragraph(catalog_.text("attract.subtitle"));
    vertical_space(3.0f);
    const bool pressed = primary_button(catalog_.text("attract.start"));
    end_page();
    // The whole screen is the button: a touch anywhere starts.
    if (pressed || ImGui::IsMouseClicked(ImGuiMouseButton_Left) || enter_pressed()) {
        out.emplace_back(app::intent::Start{});
    }
}

void KioskScreens::draw_identify(const app::ViewModel& view, std::vector<app::Intent>& out) {
    begin_page("identify", fonts_, catalog_.text("app.name"));
    title(fonts_, catalog_.text("identify.title"));
    paragraph(catalog_.text("identify.prompt"));
    vertical_space(0.5f);
    const bool entered =
        text_field("##identifier", catalog_.text("identify.field"), identifier_.data(),
                   identifier_.size(), {.take_focus = focus_first_field_, .enabled = !view.busy});
    focus_first_field_ = false;
    draw_notice(view);
    vertical_space(0.5f);
    if (view.busy) {
        busy_indicator(catalog_.text("common.busy"));
    } else if (primary_button(catalog_.text("identify.continue")) || entered) {
        out.emplace_back(app::intent::SubmitIdentifier{std::string(text_of(identifier_))});
    }
    if (cancel_button(view)) {
        out.emplace_back(app::intent::Finish{});
    }
    end_page();
}

void KioskScreens::draw_enter_code(const app::ViewModel& view, std::vector<app::Intent>& out) {
    begin_page("enter-code", fonts_, catalog_.text("app.name"));
    title(fonts_, catalog_.text("code.title"));
    paragraph(catalog_.format("code.prompt", {{"identifier", view.identifier},
                                              {"digits", std::to_string(view.code_length)}}));
    vertical_space(0.5f);
    const bool entered =
        text_field("##code", catalog_.text("code.field"), code_.data(),
                   static_cast<std::size_t>(view.code_length) + 1,
                   {.digits_only = true, .take_focus = focus_first_field_, .enabled = !view.busy});
    focus_first_field_ = false;
    draw_notice(view);
    vertical_space(0.5f);
    if (view.busy) {
        busy_indicator(catalog_.text("common.busy"));
    } else if (primary_button(catalog_.text("code.continue")) || entered) {
        out.emplace_back(app::intent::SubmitCode{SecretString(text_of(code_))});
    }
    if (cancel_button(view)) {
        out.emplace_back(app::intent::Finish{});
    }
    end_page();
}

void KioskScreens::draw_new_password(const app::ViewModel& view, std::vector<app::Intent>& out) {
    begin_page("new-password", fonts_, catalog_.text("app.name"));
    title(fonts_, catalog_.text("password.title"));
    paragraph(catalog_.plural("password.prompt", view.min_password_length));
    vertical_space(0.3f);
    const TextFieldOptions secret{
        .secret = !show_password_, .take_focus = focus_first_field_, .enabled = !view.busy};
    if (text_field("##password", catalog_.text("password.new"), password_.data(), password_.size(),
                   secret)) {
        focus_confirmation_ = true; // Enter in the first field moves on, like Tab
    }
    focus_first_field_ = false;
    TextFieldOptions confirm = secret;
    confirm.take_focus = focus_confirmation_;
    focus_confirmation_ = false;
    const bool entered = text_field("##confirmation", catalog_.text("password.confirm"),
                                    confirmation_.data(), confirmation_.size(), confirm);
    ImGui::Checkbox(catalog_.text("password.show").c_str(), &show_password_);
    draw_notice(view);
    if (view.busy) {
        busy_indicator(catalog_.text("common.busy"));
    } else if (primary_button(catalog_.text("password.submit")) || entered) {
        out.emplace_back(app::intent::SubmitNewPassword{SecretString(text_of(password_)),
                                                        SecretString(text_of(confirmation_))});
    }
    if (cancel_button(view)) {
        out.emplace_back(app::intent::Finish{});
    }
    end_page();
}

void KioskScreens::draw_done(const app::ViewModel& view, std::vector<app::Intent>& out) {
    begin_page("done", fonts_, catalog_.text("app.name"));
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(colour::kSuccess));
    title(fonts_, catalog_.text("done.title"));
    ImGui::PopStyleColor();
    paragraph(catalog_.text("done.body"));
    vertical_space(0.5f);
    ImGui::PushFont(fonts_.title);
    ImGui::TextUnformatted(
        catalog_.format("done.reference", {{"reference", view.reference}}).c_str());
    ImGui::PopFont();
    // "2026-11-22T16:40:05Z" -> "2026-11-22 16:40"; proper per-language dates come with i18n.
    std::string when = view.completed_at.substr(0, 16);
    if (when.size() > 10) {
        when[10] = ' ';
    }
    muted(catalog_.format("done.time", {{"time", when}}));
    vertical_space(1.0f);
    if (primary_button(catalog_.text("done.finish")) ||
        (focus_first_field_ == false && enter_pressed())) {
        out.emplace_back(app::intent::Finish{});
    }
    focus_first_field_ = false;
    end_page();
}

void KioskScreens::draw_problem(const app::ViewModel& view, std::vector<app::Intent>& out) {
    begin_page("problem", fonts_, catalog_.text("app.name"));
    const std::string key(problem_key(view.problem));
    title(fonts_, catalog_.text(key + ".title"));
    paragraph(catalog_.text(key + ".next"));
    vertical_space(1.0f);
    if (primary_button(catalog_.text("problem.start_over")) ||
        (focus_first_field_ == false && enter_pressed())) {
        out.emplace_back(app::intent::StartOver{});
    }
    focus_first_field_ = false;
    if (secondary_button(catalog_.text("problem.finish"))) {
        out.emplace_back(app::intent::Finish{});
    }
    end_page();
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
    const float card_width = std::min(viewport->WorkSize.x * 0.8f, ImGui::GetFontSize() * 24.0f);
    const float card_height = ImGui::GetFontSize() * 11.0f;
    ImGui::SetCursorPos(ImVec2((viewport->WorkSize.x - card_width) * 0.5f,
                               (viewport->WorkSize.y - card_height) * 0.5f));
    ImGui::PushStyleColor(ImGuiCol_ChildBg, ImVec4(1, 1, 1, 1));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding,
                        ImVec2(ImGui::GetFontSize(), ImGui::GetFontSize()));
    ImGui::BeginChild("idle-card", ImVec2(card_width, card_height), false,
                      ImGuiWindowFlags_AlwaysUseWindowPadding);
    title(fonts_, catalog_.text("idle.title"));
    paragraph(catalog_.plural("idle.body", view.idle_seconds_left));
    vertical_space(0.5f);
    if (primary_button(catalog_.text("idle.continue"))) {
        out.emplace_back(app::intent::Activity{});
    }
    ImGui::EndChild();
    ImGui::PopStyleVar();
    ImGui::PopStyleColor();
    ImGui::End();
}

} // namespace kiosk::ui
