// The password policy the central enforces (after NIST SP 800-63B): a minimum and maximum
// length in characters, no composition rules, no common passwords, not the username.
// Each refusal is an api::ApiError whose message a kiosk could show as it is.
#pragma once

#include "kiosk/common/api.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

namespace kiosk::central {

struct PolicySettings {
    int min_length = 15;  // characters (Unicode code points), not bytes
    int max_length = 256; // long passphrases are welcome; this only bounds hashing work
};

class PasswordPolicy {
public:
    PasswordPolicy(PolicySettings settings, std::unordered_set<std::string> common_passwords);

    // Reads one password per line (case-insensitive; '#' starts a comment line).
    static std::optional<PasswordPolicy>
    load(PolicySettings settings, const std::filesystem::path& common_list, std::string& error);
    // The list shipped in central/data/.
    static std::filesystem::path default_common_list();

    // nullopt when acceptable; otherwise the reason, with code and plain message.
    [[nodiscard]] std::optional<api::ApiError> check(std::string_view password,
                                                     std::string_view username) const;

    [[nodiscard]] const PolicySettings& settings() const { return settings_; }

private:
    PolicySettings settings_;
    std::unordered_set<std::string> common_;
};

// Number of Unicode code points in UTF-8 `text` (continuation bytes are not counted).
std::size_t count_code_points(std::string_view text);

} // namespace kiosk::central
