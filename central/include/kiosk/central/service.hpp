// CentralService: what the central does, independent of HTTP — start a verification (e-mail
// code or TOTP), check a code for a single-use token, reset a password or unlock the
// account with it, report account status, and the directory sign-in whose failures lock an
// account. The HTTP layer only translates JSON to these calls and their outcomes.
#pragma once

#include "kiosk/central/notifier.hpp"
#include "kiosk/central/password_history.hpp"
#include "kiosk/central/password_policy.hpp"
#include "kiosk/central/records.hpp"
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
    int code_ttl_seconds = 600;         // a code works this long
    int token_ttl_seconds = 300;        // a verification token works this long after the code
    int code_attempts = 3;              // wrong codes allowed per challenge
    int code_length = 6;                // digits, 6 to 8
    int resend_cooldown_seconds = 60;   // at most one new code per challenge this often
    int max_resends = 3;                // new codes per challenge after the first
    int lockout_threshold = 5;          // failed sign-ins that lock an account
    int lockout_duration_seconds = 900; // how long the lock lasts unless unlocked first
};

class CentralService {
public:
    CentralService(Store& store, PasswordPolicy policy, Notifier& mail, ServiceSettings settings);

    // 202 whether or not the identifier names an account: the answer must not tell.
    Outcome<api::StartVerificationResponse>
    start_verification(const api::StartVerificationRequest& request);
    // POST /v1/verification-options (src/verification_options.cpp): the account's methods,
    // masked; for an identifier with no account a made-up list derived from it by HMAC
    // under the key set_options_key() gave, the same every time.
    Outcome<api::VerificationOptionsResponse>
    verification_options(const api::VerificationOptionsRequest& request);
    // The secret the made-up lists are derived from (`base_key`: the request-hash key that
    // every central process on one database shares, so they all make up the same list) and
    // the domain of made-up e-mail hints ("" keeps example.com).
    void set_options_key(const std::string& base_key, std::string email_domain);
    Outcome<api::CheckCodeResponse> check_code(const std::string& challenge_id,
                                               const api::CheckCodeRequest& request);
    // POST /v1/verifications/{id}/resend: a new code for the same challenge, which voids the
    // one sent before; the same answers whether or not the challenge has an account.
    // `retry_after_seconds` is set with a 429 resend_too_soon.
    struct ResendOutcome {
        Outcome<api::StartVerificationResponse> outcome;
        int retry_after_seconds = 0;
    };
    ResendOutcome resend_code(const std::string& challenge_id);
    // `prehashed`: the Argon2id hash of request.new_password from prehash_reset, so that a
    // batch hashes before taking the store's lock; without it the reset hashes itself.
    Outcome<api::ResetPasswordResponse>
    reset_password(const api::ResetPasswordRequest& request,
                   const std::optional<std::string>& prehashed = std::nullopt);
    // The hash reset_password would compute, made now; nullopt when the reset would be
    // refused before hashing (a refusal then costs no Argon2id, as in reset_password).
    std::optional<std::string> prehash_reset(const api::ResetPasswordRequest& request);
    Outcome<api::AccountStatusResponse> account_status(const api::AccountStatusRequest& request);
    Outcome<api::UnlockResponse> unlock(const api::UnlockRequest& request);
    // 200, 401 sign_in_failed or 423 account_locked — the same for names with no account.
    Outcome<api::SignInResponse> sign_in(const api::SignInRequest& request);
    // POST /v1/contact-details: spends the token, changes the e-mail address, and sends a
    // notice to the OLD address (src/activation.cpp).
    Outcome<api::ContactUpdateResponse> update_contact(const api::ContactUpdateRequest& request);
    // POST /v1/activations: a pre-provisioned account's activation code and first password
    // (the policy applies); answers a fresh TOTP enrolment. Nothing changes on the account
    // until confirm_activation sees a code from the app.
    Outcome<api::ActivationResponse> start_activation(const api::ActivationRequest& request);
    Outcome<api::ActivationConfirmResponse>
    confirm_activation(const std::string& activation_id,
                       const api::ActivationConfirmRequest& request);
    // The account an unexpired token verified, without spending it (a ticket names its
    // verified owner this way), also after a reset or unlock spent it: the ticket only says
    // who the person proved to be, it changes nothing. nullopt for an unknown or expired one.
    std::optional<Account> verified_account(const std::string& token);
    // [checklist] GET /v1/password-policy: the policy resets and activations are checked
    // against, with the store's history depth. Public: nothing about any account.
    api::PasswordPolicyResponse published_policy();
    // Where resets, unlocks, verifications and lockouts are audited; nullptr: nowhere.
    void attach_records(Records* records) { records_ = records; }
    // Housekeeping: forgets sign-in failures that can no longer count (see Store).
    void purge_expired(std::int64_t now);

private:
    struct Verified {
        Account account;
        std::string method; // how the token was earned: "email" or "totp"
    };
    // The account a still-valid, unused token belongs to, or a 401 token_invalid.
    Outcome<Verified> account_for_token(const std::string& token);
    // A reset's checks before hashing: the token's owner, or the refusal. `check_history`:
    // also refuse one of the last N passwords (N Argon2id verifications, so a batch does it
    // in prehash_reset, outside the store's lock, and not again).
    Outcome<Verified> reset_owner(const api::ResetPasswordRequest& request, bool check_history);
    // The account's phone number for SMS codes; empty when it has none.
    std::string account_phone(std::int64_t account_id);
    // Sends `code` for a challenge bound to `account` by its method's channel.
    void deliver_code(const Account& account, const std::string& method, const std::string& code,
                      const std::string& challenge_id);
    // Whether `code` is the account's current TOTP code, not used before (records its step).
    bool accept_totp(const Account& account, const std::string& code);

    Store& store_;
    PasswordPolicy policy_;
    Notifier& mail_;
    ServiceSettings settings_;
    // A real Argon2id hash of a random password: verified against when a sign-in names no
    // usable account, so both cost the same work.
    std::string dummy_hash_;
    Records* records_ = nullptr;
    PasswordHistory history_;
    std::string options_key_; // see set_options_key()
    std::string options_domain_ = "example.com";
    void audit(const std::string& action, const Account* account, std::string detail);
};

// The lockout subject of an account, and of a name that matches no account.
std::string lockout_subject(std::int64_t account_id);
std::string lockout_subject(std::string_view unknown_name);

// The domain most accounts' e-mail addresses share ("" when there are none): what a
// made-up e-mail hint shows when the central is not told (serve --email-domain).
std::string most_common_email_domain(Store& store);

// Adds the demo accounts of docs/demo-accounts.md when the store has no account yet.
void seed_demo_accounts(Store& store);
// Adds kzielinski, an account awaiting activation with the code ACTV-DEMO-2026 (needs the
// activations table, which Records creates).
void seed_demo_activation(Store& store);

} // namespace kiosk::central
