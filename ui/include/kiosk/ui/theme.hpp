// The kiosk's look: colours, spacing and fonts sized for a touch screen read at arm's length.
#pragma once

#include "kiosk/assets/fonts.hpp"

struct ImFont;

namespace kiosk::ui {

struct Fonts {
    ImFont* body = nullptr;
    ImFont* title = nullptr;
    ImFont* headline = nullptr;
};

// Loads the fonts into ImGui's atlas at sizes that fit `display_height` pixels, and sets the
// style. Call once, before the first frame. Falls back to ImGui's built-in font (with a
// warning) when `files` is empty, so a missing font package degrades, not crashes.
Fonts apply_theme(const std::optional<assets::FontFiles>& files, float display_height);

// Colours used by the screens beyond ImGui's style (packed ImU32, ABGR).
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
