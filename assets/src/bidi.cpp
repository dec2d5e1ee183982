// FriBidi behind visual_order() and visual_layout(): UTF-8 → UTF-32, the Unicode
// bidirectional algorithm, and back.
#include "kiosk/assets/bidi.hpp"

#include <algorithm>
#include <fribidi.h>

namespace kiosk::assets {
namespace {

std::vector<FriBidiChar> to_utf32(std::string_view line) {
    std::vector<FriBidiChar> logical(line.size() + 1);
    const FriBidiStrIndex length =
        fribidi_charset_to_unicode(FRIBIDI_CHAR_SET_UTF8, line.data(),
                                   static_cast<FriBidiStrIndex>(line.size()), logical.data());
    logical.resize(static_cast<std::size_t>(length));
    return logical;
}

} // namespace

bool is_bidi_control(char32_t c) {
    return c == 0x200E || c == 0x200F || c == 0x061C || (c >= 0x202A && c <= 0x202E) ||
           (c >= 0x2066 && c <= 0x2069);
}

std::string visual_order(std::string_view line, bool rtl) {
    if (line.empty()) {
        return {};
    }
    std::vector<FriBidiChar> logical = to_utf32(line);
    const auto length = static_cast<FriBidiStrIndex>(logical.size());
    std::vector<FriBidiChar> visual(logical.size() + 1);
    FriBidiParType base = rtl ? FRIBIDI_PAR_RTL : FRIBIDI_PAR_LTR;
    if (fribidi_log2vis(logical.data(), length, &base, visual.data(), nullptr, nullptr, nullptr) ==
        0) {
        return std::string(line); // FriBidi failed (out of memory): show it unordered
    }
    const auto kept = std::remove_if(visual.begin(), visual.begin() + length,
                                     [](FriBidiChar c) { return is_bidi_control(c); });
    const auto drawn = static_cast<FriBidiStrIndex>(kept - visual.begin());
    std::string out(static_cast<std::size_t>(drawn) * 4 + 1, '\0');
    const FriBidiStrIndex bytes =
        fribidi_unicode_to_charset(FRIBIDI_CHAR_SET_UTF8, visual.data(), drawn, out.data());
    out.resize(static_cast<std::size_t>(bytes));
    return out;
}

std::string left_to_right_isolate(std::string_view text) {
    return "\u2066" + std::string(text) + "\u2069";
}

VisualLine visual_layout(std::string_view line, bool rtl) {
    VisualLine out;
    std::vector<FriBidiChar> logical = to_utf32(line);
    const auto length = static_cast<FriBidiStrIndex>(logical.size());
    std::vector<FriBidiChar> visual(logical.size() + 1);
    std::vector<FriBidiStrIndex> position(logical.size() + 1);
    std::vector<FriBidiLevel> levels(logical.size() + 1);
    FriBidiParType base = rtl ? FRIBIDI_PAR_RTL : FRIBIDI_PAR_LTR;
    const bool ordered =
        length > 0 && fribidi_log2vis(logical.data(), length, &base, visual.data(), position.data(),
                                      nullptr, levels.data()) != 0;
    for (FriBidiStrIndex i = 0; i < length; ++i) {
        const auto n = static_cast<std::size_t>(i);
        // Unordered (FriBidi out of memory): as typed, still editable.
        out.visual.push_back(static_cast<char32_t>(ordered ? visual[n] : logical[n]));
        out.position.push_back(ordered ? position[n] : i);
        out.reversed.push_back(ordered && (levels[n] & 1) != 0);
    }
    return out;
}

int caret_gap(const VisualLine& line, int caret) {
    const int length = static_cast<int>(line.position.size());
    if (length == 0) {
        return 0;
    }
    caret = std::clamp(caret, 0, length);
    // After the character before the caret: its trailing side is its left in a
    // right-to-left run. At the very start, before the first character: its leading side.
    if (caret > 0) {
        const auto k = static_cast<std::size_t>(caret - 1);
        return line.position[k] + (line.reversed[k] ? 0 : 1);
    }
    return line.position[0] + (line.reversed[0] ? 1 : 0);
}

} // namespace kiosk::assets
