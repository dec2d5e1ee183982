// Font lookup. Coverage is checked in the font files themselves (with stb_truetype), not
// assumed from their names: Noto Sans, for one, has no Hebrew, which lives in a separate
// Noto Sans Hebrew file.
#include "kiosk/assets/fonts.hpp"

#include "kiosk/assets/bidi.hpp"
#include "kiosk/assets/utf8.hpp"

#include <array>
#include <fstream>
#include <stb_truetype.h>
#include <vector>

namespace kiosk::assets {

bool font_covers(const std::filesystem::path& path, std::string_view text) {
    // Read in one go: a byte-by-byte istreambuf_iterator copy of two 700 KB faces was 15 ms
    // of the kiosk's start-up, on the path to its first frame.
    std::error_code error;
    const auto size = std::filesystem::file_size(path, error);
    if (error || size < 12) {
        return false;
    }
    std::vector<unsigned char> data(size);
    std::ifstream in(path, std::ios::binary);
    if (!in.read(reinterpret_cast<char*>(data.data()), static_cast<std::streamsize>(size))) {
        return false;
    }
    const int offset = stbtt_GetFontOffsetForIndex(data.data(), 0);
    stbtt_fontinfo font{};
    if (offset < 0 || stbtt_InitFont(&font, data.data(), offset) == 0) {
        return false;
    }
    for (std::size_t i = 0; i < text.size();) {
        const char32_t cp = next_code_point(text, i);
        if (cp == U'\n' || cp == U'\t' || is_bidi_control(cp)) { // controls are never drawn
            continue;
        }
        if (stbtt_FindGlyphIndex(&font, static_cast<int>(cp)) == 0) {
            return false;
        }
    }
    return true;
}

std::optional<FontFiles> find_ui_fonts() {
    // DejaVu Sans covers all four languages in one face; the others are there for a
    // machine that has a different package, and are kept only if they cover too.
    const std::array<FontFiles, 3> candidates = {{
        {"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
         "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"},
        {"/usr/share/fonts/truetype/freefont/FreeSans.ttf",
         "/usr/share/fonts/truetype/freefont/FreeSansBold.ttf"},
        {"/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
         "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"},
    }};
    for (const auto& fonts : candidates) {
        if (font_covers(fonts.regular, kScriptProbe) && font_covers(fonts.bold, kScriptProbe)) {
            return fonts;
        }
    }
    return std::nullopt;
}

} // namespace kiosk::assets
