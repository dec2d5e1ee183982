// [checklist] The reset password screen's live checklist and strength meter, computed from
// what is being typed without keeping a copy of it: ui/ draws the result, nothing more.
// Lines only the central can judge (common and breached lists, history) are never ticked
// here: they read "checked when you continue".
#pragma once

#include <string_view>

namespace kiosk::app {

// The central's policy as GET /v1/password-policy publishes it. `known` is false until the
// central has answered once: the checklist then counts against the kiosk's own minimum.
struct PasswordPolicyView {
    bool known = false;
    int min_length = 15;  // code points
    int max_length = 256; // code points
    bool common = true;   // common-passwords list (and, with `breached`, a breach file)
    bool breached = false;
    bool context = true; // the username and names
    int history = 0;     // the account's last N passwords; 0 = not checked
};

enum class Check {
    Met,    // a tick
    NotMet, // a cross
    Later,  // only the central can tell: "checked when you continue", no mark
};

struct PasswordChecklist {
    int min_length = 15; // "at least N characters"
    int length = 0;      // code points typed in the first field
    Check long_enough = Check::NotMet;
    Check not_too_long = Check::Met; // shown only when NotMet
    Check matches = Check::NotMet;   // both fields typed and equal
    Check not_username = Check::Later;
    bool show_lists = true; // the "not a common or breached password" line
    Check lists = Check::Later;
    int history = 0; // > 0: the "not one of your last N" line
    Check reused = Check::Later;
};

// `identifier` is what the person typed to identify (a username, or an e-mail address whose
// part before '@' counts); shorter than 3 code points, it is left to the central.
// `fallback_min_length` is the kiosk's own minimum, used while `policy.known` is false.
PasswordChecklist check_password_live(std::string_view password, std::string_view confirmation,
                                      std::string_view identifier, const PasswordPolicyView& policy,
                                      int fallback_min_length);

// Number of Unicode code points in UTF-8 `text` (continuation bytes are not counted).
int count_code_points(std::string_view text);

// Whether `password` contains `name`, compared without case in the shipped languages
// (fold_case's rule, help.hpp); no copy of either is made.
bool contains_without_case(std::string_view password, std::string_view name);

enum class Strength { Empty, Weak, Fair, Good, Strong };

struct StrengthEstimate {
    Strength level = Strength::Empty;
    double bits = 0; // zxcvbn's entropy estimate (log2 of the guesses needed)
};

// libzxcvbn's estimate of `password`, with the username as a word of the user's own
// dictionary, mapped to a level: < 40 bits weak, < 60 fair, < 80 good, else strong (a
// random 15-letter password is about 70 bits; four unrelated words about 80). The copies
// made for the C library are wiped, and so is the stack it used.
StrengthEstimate estimate_strength(std::string_view password, std::string_view identifier);

} // namespace kiosk::app
