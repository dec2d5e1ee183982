// Password policy checks: length in code points after NFKC, common and breached passwords,
// context words. Comparisons use NFKC and Unicode case folding (ICU's C API into buffers
// this file owns and wipes, since they hold the password).
#include "kiosk/central/password_policy.hpp"

#include "kiosk/common/secret.hpp"

#include <algorithm>
#include <fstream>
#include <openssl/sha.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

namespace kiosk::central {
namespace {

// UTF-16 scratch space that is wiped when it goes.
struct WipedUnits {
    std::vector<UChar> units;
    explicit WipedUnits(std::size_t n) : units(n) {}
    ~WipedUnits() { secure_wipe(units.data(), units.size() * sizeof(UChar)); }
    WipedUnits(const WipedUnits&) = delete;
    WipedUnits& operator=(const WipedUnits&) = delete;
};

enum class Form { nfkc, nfkc_folded };

// UTF-8 → UTF-16 → NFKC (→ case folded) → UTF-8; nullopt for invalid UTF-8.
std::optional<std::string> transform(std::string_view text, Form form) {
    UErrorCode status = U_ZERO_ERROR;
    const auto length = static_cast<int32_t>(text.size());
    WipedUnits utf16(text.size() + 1);
    int32_t utf16_length = 0;
    u_strFromUTF8(utf16.units.data(), static_cast<int32_t>(utf16.units.size()), &utf16_length,
                  text.data(), length, &status);
    if (U_FAILURE(status)) {
        return std::nullopt;
    }
    const UNormalizer2* nfkc = unorm2_getNFKCInstance(&status);
    if (U_FAILURE(status)) {
        return std::nullopt;
    }
    // NFKC expands at most 18-fold (U+FDFA); a password is short, so take room for it.
    WipedUnits normal(static_cast<std::size_t>(utf16_length) * 18 + 1);
    int32_t normal_length =
        unorm2_normalize(nfkc, utf16.units.data(), utf16_length, normal.units.data(),
                         static_cast<int32_t>(normal.units.size()), &status);
    if (U_FAILURE(status)) {
        return std::nullopt;
    }
    const UChar* result = normal.units.data();
    WipedUnits folded(static_cast<std::size_t>(normal_length) * 3 + 1);
    if (form == Form::nfkc_folded) {
        normal_length =
            u_strFoldCase(folded.units.data(), static_cast<int32_t>(folded.units.size()),
                          normal.units.data(), normal_length, U_FOLD_CASE_DEFAULT, &status);
        if (U_FAILURE(status)) {
            return std::nullopt;
        }
        result = folded.units.data();
    }
    std::string out(static_cast<std::size_t>(normal_length) * 3 + 1, '\0');
    int32_t out_length = 0;
    u_strToUTF8(out.data(), static_cast<int32_t>(out.size()), &out_length, result, normal_length,
                &status);
    if (U_FAILURE(status)) {
        secure_wipe(out);
        return std::nullopt;
    }
    out.resize(static_cast<std::size_t>(out_length)); // shrinking keeps the buffer: no copy
    return out;
}

// NFKC and case folded; text that is not UTF-8 only ASCII-lowered.
std::string folded(std::string_view text) {
    if (auto out = transform(text, Form::nfkc_folded)) {
        return std::move(*out);
    }
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
        return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    });
    return out;
}

// The words of `text` (split at anything that is not a letter or digit in ASCII terms, and
// at spaces), folded, of at least `min_chars` code points.
std::vector<std::string> words_of(std::string_view text, std::size_t min_chars) {
    std::vector<std::string> words;
    std::string current;
    const auto flush = [&] {
        if (count_code_points(current) >= min_chars) {
            words.push_back(folded(current));
        }
        current.clear();
    };
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        const bool separator = u < 0x80 && !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                             (c >= '0' && c <= '9'));
        if (separator) {
            flush();
        } else {
            current += c;
        }
    }
    flush();
    return words;
}

std::string sha1_upper_hex(std::string_view text) {
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string hex;
    for (const unsigned char b : digest) {
        hex += kHex[b >> 4];
        hex += kHex[b & 0xF];
    }
    return hex;
}

bool is_hibp_line(std::string_view line) {
    if (line.size() < 42 || line[40] != ':') {
        return false;
    }
    const bool hex = std::all_of(line.begin(), line.begin() + 40, [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
    });
    return hex && std::all_of(line.begin() + 41, line.end(),
                              [](char c) { return (c >= '0' && c <= '9') || c == '\r'; });
}

} // namespace

std::size_t count_code_points(std::string_view text) {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

std::string normalise_password(std::string_view password) {
    if (auto out = transform(password, Form::nfkc)) {
        return std::move(*out);
    }
    return std::string(password);
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
            common.insert(folded(line));
        }
    }
    return PasswordPolicy(settings, std::move(common));
}

bool PasswordPolicy::use_breached_file(const std::filesystem::path& file, std::string& error) {
    std::ifstream in(file);
    std::string first;
    if (!in || !std::getline(in, first) || !is_hibp_line(first)) {
        error = file.string() + ": not a breached-password file (SHA1HEX:COUNT lines, sorted)";
        return false;
    }
    breached_file_ = file;
    return true;
}

void PasswordPolicy::set_organisation(std::string_view name) {
    organisation_words_ = words_of(name, 4);
}

// Binary search over byte offsets: from a middle offset, skip to the next line start and
// compare its hash; the file is never read whole.
bool PasswordPolicy::breached(std::string_view password) const {
    if (breached_file_.empty()) {
        return false;
    }
    std::ifstream in(breached_file_, std::ios::binary);
    if (!in) {
        return false;
    }
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    const auto line_at = [&](std::streamoff offset, std::string& line) {
        in.clear();
        in.seekg(offset);
        if (offset > 0) {
            std::string partial;
            std::getline(in, partial); // the rest of the line the offset fell into
        }
        return static_cast<bool>(std::getline(in, line));
    };
    std::vector<std::string> hashes{sha1_upper_hex(password)};
    std::string normal = normalise_password(password);
    if (normal != password) {
        hashes.push_back(sha1_upper_hex(normal));
    }
    secure_wipe(normal);
    for (const auto& hash : hashes) {
        // Bisect until the window is small: the first whole line after `low` sorts before
        // `hash` (or low is 0), then scan forward from there.
        std::streamoff low = 0;
        std::streamoff high = size;
        std::string line;
        while (high - low > 256) {
            const std::streamoff mid = low + (high - low) / 2;
            if (!line_at(mid, line) || line.size() < 40) {
                high = mid;
                continue;
            }
            std::string key = line.substr(0, 40);
            std::transform(key.begin(), key.end(), key.begin(),
                           [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
            if (key < hash) {
                low = mid;
            } else {
                high = mid;
            }
        }
        in.clear();
        in.seekg(low);
        if (low > 0) {
            std::getline(in, line);
        }
        while (std::getline(in, line)) {
            if (line.size() < 40) {
                continue;
            }
            std::string key = line.substr(0, 40);
            std::transform(key.begin(), key.end(), key.begin(),
                           [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
            if (key == hash) {
                return true;
            }
            if (key > hash) {
                break;
            }
        }
    }
    return false;
}

std::optional<api::ApiError> PasswordPolicy::check(std::string_view password,
                                                   std::string_view username) const {
    return check(password, PolicyContext{username, {}, {}});
}

std::optional<api::ApiError> PasswordPolicy::check(std::string_view password,
                                                   const PolicyContext& context) const {
    const auto refuse = [](std::string_view code, std::string message) {
        return api::ApiError{std::string(code), std::move(message), std::nullopt, std::nullopt};
    };
    std::string normal = normalise_password(password);
    const auto length = count_code_points(normal);
    secure_wipe(normal);
    if (length < static_cast<std::size_t>(settings_.min_length)) {
        return api::ApiError{std::string(api::error_code::kPasswordTooShort),
                             "The password is too short: use at least " +
                                 std::to_string(settings_.min_length) + " characters.",
                             std::nullopt, settings_.min_length};
    }
    if (length > static_cast<std::size_t>(settings_.max_length)) {
        return refuse(api::error_code::kPasswordTooLong, "The password is too long: use at most " +
                                                             std::to_string(settings_.max_length) +
                                                             " characters.");
    }
    std::string lowered = folded(password);
    const auto contains = [&](const std::string& word) {
        return !word.empty() && lowered.find(word) != std::string::npos;
    };
    std::optional<api::ApiError> answer;
    if (common_.contains(lowered)) {
        answer = refuse(api::error_code::kPasswordCommon,
                        "This password is on a list of commonly used passwords.");
    } else if (count_code_points(context.username) >= 3 && contains(folded(context.username))) {
        answer = refuse(api::error_code::kPasswordContainsUsername,
                        "The password must not contain the username.");
    } else {
        std::vector<std::string> words = words_of(context.display_name, 4);
        const auto at = context.email.find('@');
        for (auto& word : words_of(context.email.substr(0, at), 4)) {
            words.push_back(std::move(word));
        }
        if (std::any_of(words.begin(), words.end(), contains)) {
            answer = refuse("password_contains_name",
                            "The password must not contain your name or e-mail address.");
        } else if (std::any_of(organisation_words_.begin(), organisation_words_.end(), contains)) {
            answer = refuse("password_contains_organisation",
                            "The password must not contain the organisation's name.");
        } else if (breached(password)) {
            answer = refuse("password_breached",
                            "This password has appeared in a data breach, so attackers try it "
                            "early. Choose another.");
        }
    }
    secure_wipe(lowered);
    return answer;
}

} // namespace kiosk::central
