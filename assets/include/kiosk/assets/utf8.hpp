// Reading UTF-8 one code point at a time, for the few places that look at characters
// rather than bytes (font coverage, the keys a password was typed on).
#pragma once

#include <cstddef>
#include <string_view>

namespace kiosk::assets {

// Decodes one UTF-8 sequence of `text` at `i` (which must be < text.size()), advancing `i`
// past it; U+FFFD for a malformed sequence.
char32_t next_code_point(std::string_view text, std::size_t& i);

} // namespace kiosk::assets
