// Widget implementations on top of Dear ImGui. Layout is one centred column whose width
// follows the screen, so every screen lines up without per-screen geometry.
#include "kiosk/ui/widgets.hpp"

#include <algorithm>
#include <cmath>
#include <imgui.h>

namespace kiosk::ui {
namespace {

float button_height() {
    return ImGui::GetFontSize() * 2.4f;
}

bool button(const std::string& label, bool enabled, bool primary) {
    if (!enabled) {
        ImGui::BeginDisabled();
    }
    if (!primary) {
        ImGui::PushStyleColor(ImGuiCol_Button, ImVec4(1, 1, 1, 1));
        ImGui::PushStyleColor(ImGuiCol_ButtonHovered, ImVec4(0.93f, 0.95f, 0.98f, 1));
        ImGui::PushStyleColor(ImGuiCol_ButtonActive, ImVec4(0.85f, 0.89f, 0.95f, 1));
        ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(colour::kPrimary));
    } else {
        ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 1, 1, 1));
    }
    const bool pressed = ImGui::Button(label.c_str(), ImVec2(-FLT_MIN, button_height()));
    ImGui::PopStyleColor(primary ? 1 : 4);
    if (!enabled) {
        ImGui::EndDisabled();
    }
    return pressed && enabled;
}

} // namespace

void begin_page(const char* id, const Fonts& fonts, const std::string& brand) {
    const ImGuiViewport* viewport = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(viewport->WorkPos);
    ImGui::SetNextWindowSize(viewport->WorkSize);
    ImGui::Begin(id, nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                     ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus);
    const float width = viewport->WorkSize.x;
    const float column = std::min(width * 0.86f, ImGui::GetFontSize() * 34.0f);
    const float margin = (width - column) * 0.5f;

    // The brand bar: the same on every screen, so people know where they are.
    const float bar_height = ImGui::GetFontSize() * 2.6f;
    const ImVec2 origin = viewport->WorkPos;
    ImDrawList* draw = ImGui::GetWindowDrawList();
    draw->AddRectFilled(origin, ImVec2(origin.x + width, origin.y + bar_height), colour::kPrimary);
    ImGui::PushFont(fonts.title);
    const float text_height = ImGui::GetFontSize();
    draw->AddText(ImVec2(origin.x + margin, origin.y + (bar_height - text_height) * 0.5f),
                  0xFFFFFFFF, brand.c_str());
    ImGui::PopFont();

    const float top = bar_height + viewport->WorkSize.y * 0.07f;
    ImGui::SetCursorPos(ImVec2(margin, top));
    ImGui::BeginChild("column", ImVec2(column, viewport->WorkSize.y - top), false,
                      ImGuiWindowFlags_NoBackground);
}

void end_page() {
    ImGui::EndChild();
    ImGui::End();
}

void headline(const Fonts& fonts, const std::string& text) {
    ImGui::PushFont(fonts.headline);
    ImGui::TextWrapped("%s", text.c_str());
    ImGui::PopFont();
}

void title(const Fonts& fonts, const std::string& text) {
    ImGui::PushFont(fonts.title);
    ImGui::TextWrapped("%s", text.c_str());
    ImGui::PopFont();
}

void paragraph(const std::string& text) {
    ImGui::TextWrapped("%s", text.c_str());
}

void muted(const std::string& text) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(colour::kMuted));
    ImGui::TextWrapped("%s", text.c_str());
    ImGui::PopStyleColor();
}

void notice_box(const std::string& text) {
    const float pad = ImGui::GetFontSize() * 0.6f;
    const float width = ImGui::GetContentRegionAvail().x;
    const ImVec2 size = ImGui::CalcTextSize(text.c_str(), nullptr, false, width - 2 * pad);
    const ImVec2 top_left = ImGui::GetCursorScreenPos();
    const ImVec2 bottom_right(top_left.x + width, top_left.y + size.y + 2 * pad);
    ImDrawList* draw = ImGui::GetWindowDrawList();
    draw->AddRectFilled(top_left, bottom_right, colour::kNoticeBg, 8.0f);
    draw->AddRectFilled(top_left, ImVec2(top_left.x + 6.0f, bottom_right.y), colour::kNoticeText,
                        8.0f, ImDrawFlags_RoundCornersLeft);
    ImGui::SetCursorScreenPos(ImVec2(top_left.x + pad, top_left.y + pad));
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(colour::kNoticeText));
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width - 2 * pad);
    ImGui::TextUnformatted(text.c_str());
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
    ImGui::SetCursorScreenPos(ImVec2(top_left.x, bottom_right.y));
    ImGui::Dummy(ImVec2(width, 0));
}

void vertical_space(float lines) {
    ImGui::Dummy(ImVec2(0, ImGui::GetFontSize() * lines));
}

bool primary_button(const std::string& label, bool enabled) {
    return button(label, enabled, true);
}

bool secondary_button(const std::string& label, bool enabled) {
    return button(label, enabled, false);
}

bool text_field(const char* id, const std::string& label, char* buffer, std::size_t size,
                const TextFieldOptions& options) {
    ImGui::TextUnformatted(label.c_str());
    ImGuiInputTextFlags flags = ImGuiInputTextFlags_EnterReturnsTrue;
    if (options.secret) {
        flags |= ImGuiInputTextFlags_Password | ImGuiInputTextFlags_NoUndoRedo;
    }
    if (options.digits_only) {
        flags |= ImGuiInputTextFlags_CharsDecimal;
    }
    if (!options.enabled) {
        ImGui::BeginDisabled();
    }
    if (options.take_focus) {
        ImGui::SetKeyboardFocusHere();
    }
    ImGui::SetNextItemWidth(-FLT_MIN);
    const bool entered = ImGui::InputText(id, buffer, size, flags);
    if (!options.enabled) {
        ImGui::EndDisabled();
    }
    return entered && options.enabled;
}

void busy_indicator(const std::string& label) {
    const float radius = ImGui::GetFontSize() * 0.5f;
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    const ImVec2 centre(pos.x + radius, pos.y + radius);
    const auto time = static_cast<float>(ImGui::GetTime());
    ImDrawList* draw = ImGui::GetWindowDrawList();
    const float start = time * 6.0f;
    draw->PathArcTo(centre, radius, start, start + 4.2f, 24);
    draw->PathStroke(colour::kPrimary, 0, radius * 0.35f);
    ImGui::Dummy(ImVec2(radius * 2.4f, radius * 2));
    ImGui::SameLine();
    muted(label);
}

} // namespace kiosk::ui
