// PasswordHistory: one Argon2id verification per remembered hash (N x ~40 ms at the
// default parameters), run by the callers outside the store's lock where they can.
#include "kiosk/central/password_history.hpp"

#include "kiosk/central/password_hash.hpp"
#include "kiosk/common/random.hpp"

namespace kiosk::central {

PasswordHistory::PasswordHistory(Store& store)
    : store_(store), dummy_hash_(hash_password(random_token(24))) {}

bool PasswordHistory::reused(std::optional<std::int64_t> account_id, std::string_view password,
                             bool constant_work) {
    const int depth = store_.password_history();
    if (depth <= 0) {
        return false;
    }
    const auto hashes =
        account_id ? store_.recent_password_hashes(*account_id) : std::vector<std::string>{};
    bool found = false;
    for (std::size_t i = 0; i < static_cast<std::size_t>(depth); ++i) {
        const bool real = i < hashes.size();
        if (!real && !constant_work) {
            break;
        }
        // No short-cut: `found` is only read after the loop when the work must be constant.
        const bool match = verify_password(real ? hashes[i] : dummy_hash_, password) && real;
        found = found || match;
        if (found && !constant_work) {
            break;
        }
    }
    return found;
}

api::ApiError password_reused_error(int depth) {
    return {std::string(api::error_code::kPasswordReused),
            depth <= 1 ? "This is the account's current password. Choose a new one."
                       : "This password is the account's current one or one of the " +
                             std::to_string(depth - 1) +
                             " before it. Choose a password not used here before.",
            std::nullopt, std::nullopt};
}

} // namespace kiosk::central
