// FriBidi behind visual_order(): UTF-8 → UTF-32, the Unicode bidirectional algorithm,
// and back.
#include "kiosk/assets/bidi.hpp"

#include <fribidi.h>
#include <vector>

namespace kiosk::assets {

std::string visual_order(std::string_view line, bool rtl) {
    if (line.empty()) {
        return {};
    }
    std::vector<FriBidiChar> logical(line.size() + 1);
    const FriBidiStrIndex length =
        fribidi_charset_to_unicode(FRIBIDI_CHAR_SET_UTF8, line.data(),
                                   static_cast<FriBidiStrIndex>(line.size()), logical.data());
    std::vector<FriBidiChar> visual(static_cast<std::size_t>(length) + 1);
    FriBidiParType base = rtl ? FRIBIDI_PAR_RTL : FRIBIDI_PAR_LTR;
    if (fribidi_log2vis(logical.data(), length, &base, visual.data(), nullptr, nullptr, nullptr) ==
        0) {
        return std::string(line); // FriBidi failed (out of memory): show it unordered
    }
    std::string out(static_cast<std::size_t>(length) * 4 + 1, '\0');
    const FriBidiStrIndex bytes =
        fribidi_unicode_to_charset(FRIBIDI_CHAR_SET_UTF8, visual.data(), length, out.data());
    out.resize(static_cast<std::size_t>(bytes));
    return out;
}

} // namespace kiosk::assets
