// Style and font setup. Sizes scale with the screen height so a 1080p lobby screen and a
// 800p development window look alike.
#include "kiosk/ui/theme.hpp"

#include <algorithm>
#include <array>
#include <future>
#include <imgui.h>
#include <spdlog/spdlog.h>

namespace kiosk::ui {
namespace {

ImVec4 rgba(unsigned abgr) {
    return ImGui::ColorConvertU32ToFloat4(abgr);
}

// The parts of each block the languages use (the fonts test and the atlas test check that
// every catalog character is here); whole blocks would double the atlas.
constexpr std::array<ImWchar, 21> kRanges = {
    0x0020, 0x00FF, // Basic Latin + Latin-1 (« » for Russian quotes)
    0x0100, 0x017F, // Latin Extended-A (Polish ą ć ę ł ń ś ź ż)
    0x0400, 0x045F, // Cyrillic: Russian and its neighbours' letters (ё, і, ї, є, ў)
    0x05BE, 0x05BE, // Hebrew maqaf
    0x05D0, 0x05F4, // Hebrew letters, geresh and gershayim
    0x2010, 0x2027, // dashes, quotes, bullet, ellipsis
    0x2116, 0x2116, // numero sign
    0x2190, 0x2193, // arrows
    0xFFFD, 0xFFFD, // replacement character, for malformed text
    0,
};

constexpr Palette kRegular{
    .background = colour::kBackground,
    .text = colour::kText,
    .muted = colour::kMuted,
    .primary = colour::kPrimary,
    .primary_hovered = colour::kPrimary, // touch screens have no hover: a touch leaves the
                                         // pointer on a button, which must not look pressed
    .primary_active = 0xFF8A4A18,
    .on_primary = 0xFFFFFFFF,
    .secondary = 0xFFFFFFFF,
    .frame = 0xFFFFFFFF,
    .border = 0xFFB8ADA4,
    .notice_bg = colour::kNoticeBg,
    .notice_text = colour::kNoticeText,
    .success = colour::kSuccess,
    .focus = 0xFFFF840A,
};

constexpr Palette kHighContrast{
    .background = 0xFF000000,
    .text = 0xFFFFFFFF,
    .muted = 0xFFE6E6E6,
    .primary = 0xFF00D7FF, // yellow #FFD700
    .primary_hovered = 0xFF00D7FF,
    .primary_active = 0xFF00B0D0,
    .on_primary = 0xFF000000,
    .secondary = 0xFF000000,
    .frame = 0xFF000000,
    .border = 0xFFFFFFFF,
    .notice_bg = 0xFF000060, // dark red #600000
    .notice_text = 0xFFFFFFFF,
    .success = 0xFF80FF80,
    .focus = 0xFFFFFF00, // cyan
};

ImFont* load(ImFontAtlas& atlas, const std::filesystem::path& file, float pixels) {
    ImFontConfig config;
    // Glyphs this large need no sub-pixel oversampling; the default (3x horizontally)
    // would triple the atlas for no visible gain.
    config.OversampleH = 1;
    config.OversampleV = 1;
    config.PixelSnapH = true;
    return atlas.AddFontFromFileTTF(file.c_str(), pixels, &config, kRanges.data());
}

bool complete(const Fonts& fonts) {
    return fonts.body != nullptr && fonts.title != nullptr && fonts.headline != nullptr;
}

} // namespace

const unsigned short* glyph_ranges() {
    return kRanges.data();
}

namespace {

float scale_unit(float display_height) {
    return std::max(display_height / 800.0f, 0.75f);
}

FontSets load_fonts(ImFontAtlas& atlas, const std::optional<assets::FontFiles>& files,
                    float display_height) {
    const float unit = scale_unit(display_height);
    FontSets sets;
    // OpenGL 3 takes any texture height; rounding up to a power of two could double it.
    atlas.Flags |= ImFontAtlasFlags_NoPowerOfTwoHeight;
    if (files) {
        sets.regular = {load(atlas, files->regular, 26.0f * unit),
                        load(atlas, files->bold, 40.0f * unit),
                        load(atlas, files->bold, 56.0f * unit)};
        // Large text grows what people read most; the headline is large already, and
        // sharing it keeps the font atlas (GPU and process memory) smaller.
        sets.large = {load(atlas, files->regular, 36.0f * unit),
                      load(atlas, files->bold, 48.0f * unit), sets.regular.headline};
    }
    if (!complete(sets.regular) || !complete(sets.large)) {
        spdlog::warn("ui: no UI font found; using Dear ImGui's built-in font");
        atlas.Clear();
        ImFont* fallback = atlas.AddFontDefault();
        sets.regular = sets.large = {fallback, fallback, fallback};
    }
    return sets;
}

} // namespace

FontSets apply_theme(const std::optional<assets::FontFiles>& files, float display_height) {
    const FontSets sets = load_fonts(*ImGui::GetIO().Fonts, files, display_height);
    apply_style(sets, display_height);
    return sets;
}

std::future<BuiltFonts> build_fonts_async(std::optional<assets::FontFiles> files,
                                          float display_height) {
    return std::async(std::launch::async, [files = std::move(files), display_height] {
        BuiltFonts built{std::make_unique<ImFontAtlas>(), {}};
        built.sets = load_fonts(*built.atlas, files, display_height);
        unsigned char* pixels = nullptr;
        int width = 0;
        int height = 0;
        built.atlas->GetTexDataAsAlpha8(&pixels, &width, &height); // rasterises, off the UI thread
        return built;
    });
}

void apply_style(const FontSets& fonts, float display_height) {
    const float unit = scale_unit(display_height);
    ImGui::GetIO().FontDefault = fonts.regular.body;

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
    apply_palette(kRegular);
}

const Palette& palette(bool high_contrast) {
    return high_contrast ? kHighContrast : kRegular;
}

void apply_palette(const Palette& p) {
    ImGuiStyle& style = ImGui::GetStyle();
    style.Colors[ImGuiCol_WindowBg] = rgba(p.background);
    style.Colors[ImGuiCol_ChildBg] = rgba(p.background);
    style.Colors[ImGuiCol_PopupBg] = rgba(p.background);
    style.Colors[ImGuiCol_Text] = rgba(p.text);
    style.Colors[ImGuiCol_TextDisabled] = rgba(p.muted);
    style.Colors[ImGuiCol_FrameBg] = rgba(p.frame);
    style.Colors[ImGuiCol_FrameBgHovered] = rgba(p.frame);
    style.Colors[ImGuiCol_FrameBgActive] = rgba(p.frame);
    style.Colors[ImGuiCol_Border] = rgba(p.border);
    style.Colors[ImGuiCol_Button] = rgba(p.primary);
    style.Colors[ImGuiCol_ButtonHovered] = rgba(p.primary_hovered);
    style.Colors[ImGuiCol_ButtonActive] = rgba(p.primary_active);
    style.Colors[ImGuiCol_CheckMark] = rgba(p.primary);
    ImVec4 selected = rgba(p.primary);
    selected.w = 0.45f;
    style.Colors[ImGuiCol_TextSelectedBg] = selected;
    style.Colors[ImGuiCol_NavHighlight] = rgba(p.focus);
    style.Colors[ImGuiCol_ScrollbarBg] = rgba(p.background);
    style.Colors[ImGuiCol_ScrollbarGrab] = rgba(p.border);
    style.Colors[ImGuiCol_ModalWindowDimBg] = ImVec4(0.1f, 0.1f, 0.15f, 0.55f);
}

} // namespace kiosk::ui
