// [checklist] The live checklist and the strength meter of the password screen
// (password_checklist.hpp). Runs on the UI thread every frame the screen shows, on views of
// the typed buffers: the only copies are the ones libzxcvbn needs, wiped at once.
#include "kiosk/app/password_checklist.hpp"

#include "kiosk/app/help.hpp"
#include "kiosk/assets/keyboard_layouts.hpp"
#include "kiosk/common/secret.hpp"

#include <zxcvbn.h>

namespace kiosk::app {
namespace {

constexpr int kMinUsernameLength = 3; // the central's rule (central/src/password_policy.cpp)

// What the person identified with, as the name a password must not contain: an e-mail
// address counts by its part before '@'.
std::string_view username_part(std::string_view identifier) {
    if (const auto at = identifier.find('@'); at != std::string_view::npos) {
        identifier = identifier.substr(0, at);
    }
    while (!identifier.empty() && identifier.front() == ' ') {
        identifier.remove_prefix(1);
    }
    while (!identifier.empty() && identifier.back() == ' ') {
        identifier.remove_suffix(1);
    }
    return identifier;
}

} // namespace

int count_code_points(std::string_view text) {
    int count = 0;
    for (const char c : text) {
        count += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
    }
    return count;
}

bool contains_without_case(std::string_view password, std::string_view name) {
    return contains_folded(password, name);
}

PasswordChecklist check_password_live(std::string_view password, std::string_view confirmation,
                                      std::string_view identifier, const PasswordPolicyView& policy,
                                      int fallback_min_length) {
    PasswordChecklist list;
    list.min_length = policy.known ? policy.min_length : fallback_min_length;
    list.length = count_code_points(password);
    list.long_enough = list.length >= list.min_length ? Check::Met : Check::NotMet;
    list.not_too_long = list.length <= policy.max_length ? Check::Met : Check::NotMet;
    // Timing does not matter here: both are the person's own typing on their own screen.
    list.matches = !password.empty() && password == confirmation ? Check::Met : Check::NotMet;
    // Nothing typed yet gets a cross like the other lines: nothing is ticked for free.
    if (const auto name = username_part(identifier);
        count_code_points(name) >= kMinUsernameLength) {
        list.not_username =
            !password.empty() && !contains_folded(password, name) ? Check::Met : Check::NotMet;
    }
    // Before the central has answered, say what it checks by default (its common list).
    list.show_lists = !policy.known || policy.common || policy.breached;
    list.history = policy.known ? policy.history : 0;
    return list;
}

StrengthEstimate estimate_strength(std::string_view password, std::string_view identifier) {
    StrengthEstimate estimate;
    if (password.empty()) {
        return estimate;
    }
    // libzxcvbn knows English words and keyboard rows and counts bytes: a Cyrillic or Hebrew
    // letter (two bytes of UTF-8) scored like two random symbols, so "пароль" rated strong.
    // Scored as the keys it was typed on ("gfhjkm"), it rates as the six letters it is.
    // The C library wants NUL-terminated strings: copies that wipe themselves.
    std::string on_us_keys = assets::as_typed_on_us_keys(password);
    const WipeOnExit wipe(on_us_keys);
    const SecretString name(username_part(identifier));
    const char* user_words[] = {name.empty() ? nullptr : name.str().c_str(), nullptr};
    estimate.bits = ZxcvbnMatch(on_us_keys.c_str(), user_words, nullptr);
    wipe_stack(); // zxcvbn keeps pieces of the password in stack arrays of its own
    if (estimate.bits < 28) {
        estimate.level = Strength::Weak; // "Password123!", keyboard rows, a name and a year
    } else if (estimate.bits < 45) {
        estimate.level = Strength::Fair;
    } else if (estimate.bits < 65) {
        estimate.level = Strength::Good;
    } else {
        estimate.level = Strength::Strong; // several unrelated words, or long random text
    }
    return estimate;
}

} // namespace kiosk::app
