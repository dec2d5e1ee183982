// Internal to kiosk-config: JSON parsing that refuses duplicate keys and deep nesting.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace kiosk::config {

// On failure `error` completes the sentence "the document ..." and the result is unusable.
nlohmann::json parse_strict(std::string_view payload, std::string& error);

} // namespace kiosk::config
