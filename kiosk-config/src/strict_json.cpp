// Strict JSON reading shared by the document schema and the bundle parser.
#include "strict_json.hpp"

#include <set>
#include <vector>

namespace kiosk::config {

// Parses JSON refusing duplicate keys (parsers disagree on which one wins, so a signed
// document with two "version"s could mean different things to different readers) and
// nesting deeper than any valid document needs.
nlohmann::json parse_strict(std::string_view payload, std::string& error) {
    std::vector<std::set<std::string>> open_objects;
    bool duplicate = false;
    bool too_deep = false;
    const nlohmann::json::parser_callback_t check = [&](int depth,
                                                        nlohmann::json::parse_event_t event,
                                                        nlohmann::json& parsed) {
        if (depth > 16) {
            too_deep = true;
            return false;
        }
        if (event == nlohmann::json::parse_event_t::object_start) {
            open_objects.emplace_back();
        } else if (event == nlohmann::json::parse_event_t::object_end && !open_objects.empty()) {
            open_objects.pop_back();
        } else if (event == nlohmann::json::parse_event_t::key && !open_objects.empty()) {
            if (!open_objects.back().insert(parsed.get<std::string>()).second) {
                duplicate = true;
            }
        }
        return true;
    };
    nlohmann::json doc = nlohmann::json::parse(payload.begin(), payload.end(), check, false);
    if (doc.is_discarded()) {
        error = "is not valid JSON (UTF-8)";
    } else if (too_deep) {
        error = "is nested too deeply";
    } else if (duplicate) {
        error = "repeats a field name";
    }
    return doc;
}

} // namespace kiosk::config
