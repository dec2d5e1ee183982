// Finds the TTF files the kiosk draws with, at run time, among the paths Debian's font
// packages install to, keeping only fonts that have a glyph for every script the kiosk
// speaks (Latin with Polish letters, Cyrillic, Hebrew).
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

namespace kiosk::assets {

struct FontFiles {
    std::filesystem::path regular;
    std::filesystem::path bold;
};

// The first candidate whose regular and bold faces both cover every shipped language, or
// nullopt when no such font package is installed (fonts-dejavu-core is).
std::optional<FontFiles> find_ui_fonts();

// Whether the TrueType file at `path` has a glyph for every code point of `text` (UTF-8).
// False when the file cannot be read or is not a font.
bool font_covers(const std::filesystem::path& path, std::string_view text);

// A sample with one letter of each script the kiosk shows that only a font covering the
// script has: Polish ł and ż, Russian ж and ё, Hebrew ש and final mem.
inline constexpr std::string_view kScriptProbe = "łŻжЁשם";

} // namespace kiosk::assets
