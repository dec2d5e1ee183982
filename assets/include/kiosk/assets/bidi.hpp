// Right-to-left text: the kiosk's strings are stored in logical order (as typed), and
// Dear ImGui draws glyphs left to right, so Hebrew lines are reordered to visual order
// with GNU FriBidi (which also mirrors brackets) just before drawing.
#pragma once

#include <string>
#include <string_view>

namespace kiosk::assets {

// `line` (UTF-8, one line, logical order) in the order its glyphs appear left to right,
// laid out in a right-to-left paragraph when `rtl` and left-to-right otherwise.
std::string visual_order(std::string_view line, bool rtl);

} // namespace kiosk::assets
