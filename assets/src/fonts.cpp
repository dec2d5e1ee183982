// Font lookup. Noto Sans comes first because it also covers Hebrew and Cyrillic; DejaVu is
// the fallback every Debian desktop has.
#include "kiosk/assets/fonts.hpp"

#include <array>

namespace kiosk::assets {

std::optional<FontFiles> find_ui_fonts() {
    const std::array<FontFiles, 2> candidates = {{
        {"/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
         "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"},
        {"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
         "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"},
    }};
    for (const auto& fonts : candidates) {
        if (std::filesystem::is_regular_file(fonts.regular) &&
            std::filesystem::is_regular_file(fonts.bold)) {
            return fonts;
        }
    }
    return std::nullopt;
}

} // namespace kiosk::assets
