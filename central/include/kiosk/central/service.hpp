// CentralService: what the central does, independent of HTTP — start a verification, check
// a code for a single-use token, reset a password with it, report account status. The
// HTTP layer only translates JSON to these calls and their outcomes to status codes.
#pragma once

#include "kiosk/central/mail_outbox.hpp"
#include "kiosk/central/password_policy.hpp"
#include "kiosk/central/store.hpp"
#include "kiosk/common/api.hpp"

#include <variant>

namespace kiosk::central {

struct ServiceError {
    int http_status = 400;
    api::ApiError error;
};

template <typename T> using Outcome = std::variant<T, ServiceError>;

struct ServiceSettings {
    int code_ttl_seconds = 600;  // a code works this long
    int token_ttl_seconds = 300; // a verification token works this long after the code
    int code_attempts = 3;       // wrong codes allowed per challenge
    int code_length = 6;
};

class CentralService {
public:
    CentralService(Store& store, PasswordPolicy policy, DemoMailOutbox& mail,
                   ServiceSettings settings);

    // 202 whether or not the identifier names an account: the answer must not tell.
    Outcome<api::StartVerificationResponse>
    start_verification(const api::StartVerificationRequest& request);
    Outcome<api::CheckCodeResponse> check_code(const std::string& challenge_id,
                                               const api::CheckCodeRequest& request);
    Outcome<api::ResetPasswordResponse> reset_password(const api::ResetPasswordRequest& request);
    Outcome<api::AccountStatusResponse> account_status(const api::AccountStatusRequest& request);

private:
    // The account a still-valid, unused token belongs to, or a 401 token_invalid.
    Outcome<Account> account_for_token(const std::string& token);

    Store& store_;
    PasswordPolicy policy_;
    DemoMailOutbox& mail_;
    ServiceSettings settings_;
};

// Adds the demo accounts of docs/demo-accounts.md when the store has no account yet.
void seed_demo_accounts(Store& store);

} // namespace kiosk::central
