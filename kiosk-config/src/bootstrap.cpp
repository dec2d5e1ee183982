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
    for (const auto& group : b.kiosk_groups) {
        if (group.empty() || group.size() > 64 ||
            group.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                    "0123456789-_.") != std::string::npos) {
            return "kiosk_groups: '" + group + "' must be 1 to 64 letters, digits, '-', '_' or '.'";
        }
    }
    if (b.config_signature_threshold < 1 ||
        b.config_signature_threshold > static_cast<int>(kMaxSignatures)) {
        return "config_signature_threshold must be between 1 and " + std::to_string(kMaxSignatures);
    }
    if (!b.config_trust_dir.empty() && b.config_state_dir.empty()) {
        return "config_state_dir must name a folder when config_trust_dir is set";
    }
    if (b.state_dir.empty()) {
        return "state_dir must name a folder (the offline outbox is kept there)";
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
                                         "request_timeout_seconds",
                                         "kiosk_groups",
                                         "config_trust_dir",
                                         "config_signature_threshold",
                                         "config_state_dir",
                                         "state_dir",
                                         "outbox_file",
                                         "enrolment_code"};
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
        b.kiosk_groups = doc.value("kiosk_groups", b.kiosk_groups);
        b.config_trust_dir = doc.value("config_trust_dir", std::string());
        b.config_signature_threshold =
            doc.value("config_signature_threshold", b.config_signature_threshold);
        b.config_state_dir = doc.value("config_state_dir", std::string());
        b.state_dir = doc.value("state_dir", b.state_dir.string());
        b.outbox_file = doc.value("outbox_file", std::string());
        b.enrolment_code = doc.value("enrolment_code", std::string());
    } catch (const nlohmann::json::exception& e) {
        return {std::nullopt, file.string() + ": " + e.what()};
    }
    for (auto* path :
         {&b.ca_file, &b.config_trust_dir, &b.config_state_dir, &b.state_dir, &b.outbox_file}) {
        if (!path->empty() && path->is_relative()) {
            *path = file.parent_path() / *path;
        }
    }
    if (std::string error = validate(b); !error.empty()) {
        return {std::nullopt, file.string() + ": " + error};
    }
    return {b, {}};
}

std::filesystem::path outbox_path(const Bootstrap& b) {
    return b.outbox_file.empty() ? b.state_dir / "outbox.db" : b.outbox_file;
}

std::optional<ApplierSettings> applier_settings(const Bootstrap& b, std::string& error) {
    error.clear();
    if (b.config_trust_dir.empty()) {
        return std::nullopt;
    }
    const TrustAnchorsResult anchors = load_trust_anchors({b.config_trust_dir});
    if (!anchors.error.empty()) {
        error = "config_trust_dir " + b.config_trust_dir.string() + ": " + anchors.error;
        return std::nullopt;
    }
    if (static_cast<std::size_t>(b.config_signature_threshold) > anchors.anchors.size()) {
        error = "config_signature_threshold is " + std::to_string(b.config_signature_threshold) +
                " but " + b.config_trust_dir.string() + " holds only " +
                std::to_string(anchors.anchors.size()) + " key(s): no document could ever apply";
        return std::nullopt;
    }
    ApplierSettings settings;
    settings.state_dir = b.config_state_dir;
    settings.anchors = anchors.anchors;
    settings.threshold = b.config_signature_threshold;
    settings.kiosk_id = b.kiosk_id;
    settings.groups = b.kiosk_groups;
    return settings;
}

} // namespace kiosk::config
