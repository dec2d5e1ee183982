// Finds the TTF files the kiosk draws with, at run time, among the paths Debian's font
// packages install to (fonts-dejavu-core, fonts-noto-core).
#pragma once

#include <filesystem>
#include <optional>

namespace kiosk::assets {

struct FontFiles {
    std::filesystem::path regular;
    std::filesystem::path bold;
};

// The first complete set found, or nullopt when no known font package is installed.
std::optional<FontFiles> find_ui_fonts();

} // namespace kiosk::assets
