// The on-screen keyboards' layouts as data (English, Polish, Russian, Hebrew and a symbols
// page): drawn by ui/'s keyboard, and read by the password strength estimate, which scores
// a non-Latin password by the keys it was typed on.
#pragma once

#include <array>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kiosk::assets {

// One language's letter page. Each row lists its keys separated by single spaces, from the
// left as printed on a physical keyboard (also in Hebrew: keys keep their physical order).
// The layouts are in assets/src/keyboard_layouts.cpp and described in docs/internals/ui.md.
struct KeyboardLayout {
    std::string_view id;            // the language it belongs to: "en", "pl", "ru", "he"
    std::string_view switch_label;  // on the layout key that switches to it: "EN", "PL", …
    std::string_view letters_label; // on the key that leaves the symbols page: "ABC", "АБВ", …
    std::array<std::string_view, 4> lower; // digit row, then three letter rows
    std::array<std::string_view, 4> upper; // with Shift or Caps Lock; empty: no case (Hebrew)
    std::string_view bottom_left;          // one key each side of the space bar
    std::string_view bottom_right;
    // AltGr pairs, as on the Polish programmer's layout: "aą cć …" (a letter, then what it
    // types with AltGr), and the same for capitals; empty: no AltGr key.
    std::string_view altgr_lower;
    std::string_view altgr_upper;
    std::string_view altgr_label; // on the AltGr key
};

// Every shipped layout, English first.
std::span<const KeyboardLayout> keyboard_layouts();
// The layout of `language`; English for a language without one.
const KeyboardLayout& keyboard_layout(std::string_view language);
// The symbols page's three rows (the digit row and the bottom row stay as they are): every
// printable ASCII character that is not a letter, digit or on the bottom row.
std::span<const std::string_view> symbol_rows();
// The keys of one table row.
std::vector<std::string_view> split_keys(std::string_view row);

// `text` as the same keys on a US keyboard would have typed it: each letter of the Russian
// and Hebrew layouts becomes the US key it sits on ("йцукен" is "qwerty"), each Polish
// AltGr letter its base letter ("ł" is "l"); everything else stays. For estimates made
// by tools that know only Latin text. The copy holds a secret when `text` does: the caller
// wipes it.
std::string as_typed_on_us_keys(std::string_view text);

} // namespace kiosk::assets
