// Standard base64 (RFC 4648 §4, with padding), the alphabet `base64 -d` and jq's @base64d
// read, for signed configuration bundles that admins check with ordinary tools.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kiosk {

std::string base64_encode(std::string_view bytes);

// Strict: only the standard alphabet, padding required, no whitespace. Returns nullopt on
// anything else, so one document has exactly one encoding.
std::optional<std::string> base64_decode(std::string_view text);

} // namespace kiosk
