// Bootstrap file reading and validation. Every refusal names the field and what to do.
#include "kiosk/config/bootstrap.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace kiosk::config {

std::string validate(const Bootstrap& b) {
    if (b.central_url.rfind("https://", 0) != 0) {
        return "central_url must start with https:// (got '" + b.central_url + "')";
    }
    if (b.ca_file.empty()) {
        return "ca_file must name the PEM file of the CA that signed the central's certificate";
    }
    if (b.kiosk_id.empty() || b.kiosk_id.size() > 64) {
        return "kiosk_id must be 1 to 64 characters";
    }
    if (b.idle_timeout_seconds < 15 || b.idle_timeout_seconds > 3600) {
        return "idle_timeout_seconds must be between 15 and 3600";
    }
    if (b.request_timeout_seconds < 1 || b.request_timeout_seconds > 120) {
        return "request_timeout_seconds must be between 1 and 120";
    }
    return {};
}

BootstrapResult load_bootstrap(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) {
        return {std::nullopt, "cannot open bootstrap file " + file.string()};
    }
    std::stringstream text;
    text << in.rdbuf();
    const auto doc = nlohmann::json::parse(text.str(), nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        return {std::nullopt, file.string() + " is not a JSON object"};
    }
    const std::set<std::string> known = {"central_url",
                                         "ca_file",
                                         "kiosk_id",
                                         "default_language",
                                         "idle_timeout_seconds",
                                         "request_timeout_seconds"};
    for (const auto& [key, value] : doc.items()) {
        if (!known.contains(key)) {
            return {std::nullopt, file.string() + ": unknown field '" + key + "'"};
        }
    }
    Bootstrap b;
    try {
        b.central_url = doc.at("central_url").get<std::string>();
        b.ca_file = doc.at("ca_file").get<std::string>();
        b.kiosk_id = doc.value("kiosk_id", b.kiosk_id);
        b.default_language = doc.value("default_language", b.default_language);
        b.idle_timeout_seconds = doc.value("idle_timeout_seconds", b.idle_timeout_seconds);
        b.request_timeout_seconds = doc.value("request_timeout_seconds", b.request_timeout_seconds);
    } catch (const nlohmann::json::exception& e) {
        return {std::nullopt, file.string() + ": " + e.what()};
    }
    if (b.ca_file.is_relative()) {
        b.ca_file = file.parent_path() / b.ca_file;
    }
    if (std::string error = validate(b); !error.empty()) {
        return {std::nullopt, file.string() + ": " + error};
    }
    return {b, {}};
}

} // namespace kiosk::config
