// Password policy checks. Comparisons are ASCII-case-insensitive; Unicode normalisation
// arrives with the full policy (issue 3).
#include "kiosk/central/password_policy.hpp"

#include <algorithm>
#include <fstream>

namespace kiosk::central {
namespace {

std::string lower_ascii(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
        return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    });
    return out;
}

} // namespace

std::size_t count_code_points(std::string_view text) {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

PasswordPolicy::PasswordPolicy(PolicySettings settings,
                               std::unordered_set<std::string> common_passwords)
    : settings_(settings), common_(std::move(common_passwords)) {}

std::filesystem::path PasswordPolicy::default_common_list() {
    return std::filesystem::path(KIOSK_CENTRAL_DATA_DIR) / "common-passwords.txt";
}

std::optional<PasswordPolicy> PasswordPolicy::load(PolicySettings settings,
                                                   const std::filesystem::path& common_list,
                                                   std::string& error) {
    std::ifstream in(common_list);
    if (!in) {
        error = "cannot read the common-password list " + common_list.string();
        return std::nullopt;
    }
    std::unordered_set<std::string> common;
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        if (!line.empty() && line.front() != '#') {
            common.insert(lower_ascii(line));
        }
    }
    return PasswordPolicy(settings, std::move(common));
}

std::optional<api::ApiError> PasswordPolicy::check(std::string_view password,
                                                   std::string_view username) const {
    const auto length = count_code_points(password);
    if (length < static_cast<std::size_t>(settings_.min_length)) {
        return api::ApiError{std::string(api::error_code::kPasswordTooShort),
                             "The password is too short: use at least " +
                                 std::to_string(settings_.min_length) + " characters.",
                             std::nullopt, settings_.min_length};
    }
    if (length > static_cast<std::size_t>(settings_.max_length)) {
        return api::ApiError{std::string(api::error_code::kPasswordTooLong),
                             "The password is too long: use at most " +
                                 std::to_string(settings_.max_length) + " characters.",
                             std::nullopt, std::nullopt};
    }
    const std::string lowered = lower_ascii(password);
    if (common_.contains(lowered)) {
        return api::ApiError{std::string(api::error_code::kPasswordCommon),
                             "This password is on a list of commonly used passwords.", std::nullopt,
                             std::nullopt};
    }
    if (username.size() >= 3 && lowered.find(lower_ascii(username)) != std::string::npos) {
        return api::ApiError{std::string(api::error_code::kPasswordContainsUsername),
                             "The password must not contain the username.", std::nullopt,
                             std::nullopt};
    }
    return std::nullopt;
}

} // namespace kiosk::central
