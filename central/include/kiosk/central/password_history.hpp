// The "not one of your last N passwords" rule (--password-history N, the current password
// included; 0 turns it off). The Store keeps the replaced Argon2id hashes; a new password is
// compared by verifying it against each of them, since a salted hash can only be checked.
#pragma once

#include "kiosk/central/store.hpp"
#include "kiosk/common/api.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace kiosk::central {

class PasswordHistory {
public:
    // Makes a dummy Argon2id hash (one hashing, at start-up) for constant-work checks.
    explicit PasswordHistory(Store& store);

    // Whether `password` is the account's current password or one of the N - 1 before it.
    // `constant_work`: always N verifications, a dummy hash standing in for missing ones and
    // for no account at all, so that the time tells nothing (offline requests, which answer
    // the same for every name); otherwise it stops at the first match.
    bool reused(std::optional<std::int64_t> account_id, std::string_view password,
                bool constant_work = false);

private:
    Store& store_;
    std::string dummy_hash_;
};

// The 422 refusal's error (code password_reused) in plain words, for a history of `depth`.
api::ApiError password_reused_error(int depth);

} // namespace kiosk::central
