// The password policy the central enforces (after NIST SP 800-63B): a minimum and maximum
// length in characters (after NFKC normalisation), no composition rules, no common or
// breached passwords, not the username, the person's name or the organisation's.
// Each refusal is an api::ApiError whose message a kiosk could show as it is.
#pragma once

#include "kiosk/common/api.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace kiosk::central {

struct PolicySettings {
    int min_length = 15;  // characters (Unicode code points), not bytes
    int max_length = 256; // long passphrases are welcome; this only bounds hashing work
};

// Who the password is for: what it must not contain (compared after NFKC and case folding).
struct PolicyContext {
    std::string_view username;     // 3 characters or more count
    std::string_view display_name; // each word of 4 characters or more
    std::string_view email;        // the part before '@', 4 characters or more
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
    [[nodiscard]] std::optional<api::ApiError> check(std::string_view password,
                                                     const PolicyContext& context) const;

    // A breached-password file in the "Have I Been Pwned" form: one `SHA1HEX:COUNT` per
    // line (upper-case hex), sorted by hash; looked up by binary search on disk, so a file
    // of any size works. A password whose SHA-1 (of its UTF-8, as typed and as normalised)
    // is listed is refused. False with `error` when the file is not of that form.
    bool use_breached_file(const std::filesystem::path& file, std::string& error);
    // The organisation's name (serve --organisation): its words of 4 characters or more are
    // refused inside passwords like the person's name.
    void set_organisation(std::string_view name);

    [[nodiscard]] const PolicySettings& settings() const { return settings_; }
    // [checklist] What GET /v1/password-policy publishes: which lists are in use.
    [[nodiscard]] bool has_common_list() const { return !common_.empty(); }
    [[nodiscard]] bool has_breached_file() const { return !breached_file_.empty(); }

private:
    [[nodiscard]] bool breached(std::string_view password) const;

    PolicySettings settings_;
    std::unordered_set<std::string> common_;
    std::filesystem::path breached_file_;
    std::vector<std::string> organisation_words_; // folded
};

// Number of Unicode code points in UTF-8 `text` (continuation bytes are not counted).
std::size_t count_code_points(std::string_view text);

// `password` in Unicode NFKC (NIST SP 800-63B 5.1.1.2), what is hashed and compared, so
// that the same password typed on another keyboard (precomposed "é" or "e" + accent, a
// full-width digit) is the same. Text that is not valid UTF-8 is returned unchanged.
// Intermediate buffers are wiped.
std::string normalise_password(std::string_view password);

} // namespace kiosk::central
