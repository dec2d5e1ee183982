// Right-to-left text: the kiosk's strings are stored in logical order (as typed), and
// Dear ImGui draws glyphs left to right, so Hebrew lines are reordered to visual order
// with GNU FriBidi (which also mirrors brackets) just before drawing.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kiosk::assets {

// `line` (UTF-8, one line, logical order) in the order its glyphs appear left to right,
// laid out in a right-to-left paragraph when `rtl` and left-to-right otherwise. Bidi
// control characters (marks, embeddings, isolates) steer the order and are then left out:
// they have no glyph.
std::string visual_order(std::string_view line, bool rtl);

// `text` as a left-to-right island inside a right-to-left line (an isolate: U+2066 … U+2069),
// so a phone number's digit groups, an e-mail address or a URL keep their order.
std::string left_to_right_isolate(std::string_view text);

// A line being edited: its characters in visual order and where each logical character
// went, so a caret between two logical characters can be drawn where a reader expects it.
struct VisualLine {
    std::u32string visual;      // code points, left to right as drawn (bidi controls kept)
    std::vector<int> position;  // for each logical code point, its index in `visual`
    std::vector<bool> reversed; // for each logical code point, whether it reads right to left
};
VisualLine visual_layout(std::string_view line, bool rtl);

// The gap between visual characters (0: before the first drawn, visual.size(): after the
// last) where the caret goes when it stands before logical character `caret` (caret ==
// length: at the end). An empty line's caret is 0; in a right-to-left paragraph the caller
// puts that gap at the line's right end.
int caret_gap(const VisualLine& line, int caret);

// Whether `c` is a bidi control character (LRM, RLM, ALM, LRE…RLO, LRI…PDI): drawn as nothing.
bool is_bidi_control(char32_t c);

} // namespace kiosk::assets
