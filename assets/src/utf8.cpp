// UTF-8 decoding (utf8.hpp).
#include "kiosk/assets/utf8.hpp"

namespace kiosk::assets {

char32_t next_code_point(std::string_view text, std::size_t& i) {
    const auto byte = static_cast<unsigned char>(text[i++]);
    int extra = 0;
    char32_t cp = 0;
    if (byte < 0x80) {
        return byte;
    }
    if ((byte & 0xE0) == 0xC0) {
        extra = 1;
        cp = byte & 0x1F;
    } else if ((byte & 0xF0) == 0xE0) {
        extra = 2;
        cp = byte & 0x0F;
    } else if ((byte & 0xF8) == 0xF0) {
        extra = 3;
        cp = byte & 0x07;
    } else {
        return U'\uFFFD';
    }
    for (; extra > 0; --extra) {
        if (i >= text.size() || (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
            return U'\uFFFD';
        }
        cp = (cp << 6) | (static_cast<unsigned char>(text[i++]) & 0x3F);
    }
    return cp;
}

} // namespace kiosk::assets
