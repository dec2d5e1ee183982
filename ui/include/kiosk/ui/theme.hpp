// The kiosk's look: colours, spacing and fonts sized for a touch screen read at arm's length,
// in a regular and a large-text size, and a regular and a high-contrast palette.
#pragma once

#include "kiosk/assets/fonts.hpp"

#include <future>
#include <memory>
#include <optional>

struct ImFont;
struct ImFontAtlas;

namespace kiosk::ui {

struct Fonts {
    ImFont* body = nullptr;
    ImFont* title = nullptr;
    ImFont* headline = nullptr;
};

struct FontSets {
    Fonts regular;
    Fonts large; // large-text mode: body text 1.4 times the regular size
};

// Code points loaded into the font atlas (ImGui's zero-terminated range list): Latin with
// Latin-1 and Latin Extended-A (Polish), Cyrillic letters (Russian), Hebrew letters, and
// the punctuation the catalogs use. A character outside these draws as '?'.
const unsigned short* glyph_ranges();

// Loads the fonts into ImGui's atlas at sizes that fit `display_height` pixels, and sets the
// style. Call once, before the first frame. Falls back to ImGui's built-in font (with a
// warning) when `files` is empty, so a missing font package degrades, not crashes.
FontSets apply_theme(const std::optional<assets::FontFiles>& files, float display_height);

// The same fonts rasterised into an atlas of their own, for a Dear ImGui context created
// later (ImGui::CreateContext(atlas)); the atlas must outlive that context.
struct BuiltFonts {
    std::unique_ptr<ImFontAtlas> atlas;
    FontSets sets;
};
// Rasterising four scripts at five sizes takes about as long as the OpenGL driver's own
// start (llvmpipe loads and initialises LLVM): started on a thread of its own before the
// window is made, the two overlap on a second core. Needs no Dear ImGui context (and none
// may be created until the result is taken).
std::future<BuiltFonts> build_fonts_async(std::optional<assets::FontFiles> files,
                                          float display_height);
// The style half of apply_theme, for fonts from build_fonts_async: call once the context
// sharing their atlas exists.
void apply_style(const FontSets& fonts, float display_height);

// Colours of one palette (packed ImU32, ABGR).
struct Palette {
    unsigned background;
    unsigned text;
    unsigned muted;
    unsigned primary; // brand bar, primary buttons, check marks
    unsigned primary_hovered;
    unsigned primary_active;
    unsigned on_primary; // text on primary
    unsigned secondary;  // secondary buttons' fill
    unsigned frame;      // text fields' fill
    unsigned border;
    unsigned notice_bg;
    unsigned notice_text;
    unsigned success;
    unsigned focus; // the keyboard focus ring
};

// The regular palette, and the high-contrast one (light on black, yellow accents; every
// text colour at least 7:1 against its background, WCAG AAA).
const Palette& palette(bool high_contrast);
// Sets Dear ImGui's style colours from `palette`. Call between frames when it changes.
void apply_palette(const Palette& palette);

// The regular palette's colours, for code and tests that name one.
namespace colour {
inline constexpr unsigned kBackground = 0xFFF7F3EF; // cool off-white #EFF3F7
inline constexpr unsigned kText = 0xFF2A1E16;       // near-black navy
inline constexpr unsigned kMuted = 0xFF6B5B4F;
inline constexpr unsigned kPrimary = 0xFFA65A1F;    // blue #1F5AA6
inline constexpr unsigned kNoticeBg = 0xFFE6E8FD;   // pale red
inline constexpr unsigned kNoticeText = 0xFF1E1E9B; // dark red #9B1E1E
inline constexpr unsigned kSuccess = 0xFF3D7A1E;    // green #1E7A3D
} // namespace colour

} // namespace kiosk::ui
