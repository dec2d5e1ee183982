// Style and font setup. Sizes scale with the screen height so a 1080p lobby screen and a
// 800p development window look alike.
#include "kiosk/ui/theme.hpp"

#include <algorithm>
#include <imgui.h>
#include <spdlog/spdlog.h>

namespace kiosk::ui {
namespace {

ImVec4 rgba(unsigned abgr) {
    return ImGui::ColorConvertU32ToFloat4(abgr);
}

} // namespace

Fonts apply_theme(const std::optional<assets::FontFiles>& files, float display_height) {
    ImGuiIO& io = ImGui::GetIO();
    const float unit = std::max(display_height / 800.0f, 0.75f);
    Fonts fonts;
    static constexpr ImWchar kRanges[] = {
        0x0020, 0x00FF, // Basic Latin + Latin-1
        0x0100, 0x017F, // Latin Extended-A (Polish)
        0x2010, 0x2027, // dashes, quotes, ellipsis
        0x2022, 0x2022, // bullet, for masked text
        0,
    };
    if (files) {
        fonts.body =
            io.Fonts->AddFontFromFileTTF(files->regular.c_str(), 26.0f * unit, nullptr, kRanges);
        fonts.title =
            io.Fonts->AddFontFromFileTTF(files->bold.c_str(), 40.0f * unit, nullptr, kRanges);
        fonts.headline =
            io.Fonts->AddFontFromFileTTF(files->bold.c_str(), 60.0f * unit, nullptr, kRanges);
    }
    if (fonts.body == nullptr || fonts.title == nullptr || fonts.headline == nullptr) {
        spdlog::warn("ui: no UI font found; using Dear ImGui's built-in font");
        io.Fonts->Clear();
        fonts.body = fonts.title = fonts.headline = io.Fonts->AddFontDefault();
    }
    io.FontDefault = fonts.body;

    ImGuiStyle& style = ImGui::GetStyle();
    style = ImGuiStyle();
    ImGui::StyleColorsLight(&style);
    style.WindowPadding = ImVec2(0, 0);
    style.WindowBorderSize = 0;
    style.FrameRounding = 10.0f * unit;
    style.FramePadding = ImVec2(18.0f * unit, 14.0f * unit);
    style.ItemSpacing = ImVec2(16.0f * unit, 18.0f * unit);
    style.FrameBorderSize = 2.0f;
    style.ScrollbarSize = 24.0f * unit;
    style.TouchExtraPadding = ImVec2(4.0f * unit, 4.0f * unit);
    style.Colors[ImGuiCol_WindowBg] = rgba(colour::kBackground);
    style.Colors[ImGuiCol_ChildBg] = rgba(colour::kBackground);
    style.Colors[ImGuiCol_PopupBg] = rgba(0xFFFFFFFF);
    style.Colors[ImGuiCol_Text] = rgba(colour::kText);
    style.Colors[ImGuiCol_TextDisabled] = rgba(colour::kMuted);
    style.Colors[ImGuiCol_FrameBg] = rgba(0xFFFFFFFF);
    style.Colors[ImGuiCol_FrameBgHovered] = rgba(0xFFFFFFFF);
    style.Colors[ImGuiCol_FrameBgActive] = rgba(0xFFFFFFFF);
    style.Colors[ImGuiCol_Border] = rgba(0xFFB8ADA4);
    style.Colors[ImGuiCol_Button] = rgba(colour::kPrimary);
    style.Colors[ImGuiCol_ButtonHovered] = rgba(0xFFB8682A);
    style.Colors[ImGuiCol_ButtonActive] = rgba(0xFF8A4A18);
    style.Colors[ImGuiCol_CheckMark] = rgba(colour::kPrimary);
    style.Colors[ImGuiCol_NavHighlight] = rgba(0xFF0A84FF);
    style.Colors[ImGuiCol_ModalWindowDimBg] = ImVec4(0.1f, 0.1f, 0.15f, 0.55f);
    return fonts;
}

} // namespace kiosk::ui
