// The central's behaviour. Codes and tokens are stored only as SHA-256 hashes; passwords
// only as Argon2id, computed outside the store's lock. Index: [verification] [tokens]
// [reset] [status] [unlock] [sign-in] [demo].
#include "kiosk/central/service.hpp"

#include "kiosk/central/database.hpp"
#include "kiosk/central/password_hash.hpp"
#include "kiosk/central/time_format.hpp"
#include "kiosk/central/totp.hpp"
#include "kiosk/common/random.hpp"
#include "kiosk/common/secret.hpp"

#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

namespace kiosk::central {
namespace {

constexpr std::size_t kMaxIdentifierBytes = 254; // the longest valid e-mail address
constexpr std::size_t kMaxSecretBytes = 1024;    // codes and tokens are far shorter
constexpr std::size_t kMaxPasswordBytes = 4096;  // 256 code points of 4 bytes, with room

ServiceError error(int status, std::string_view code, std::string message) {
    return {status, {std::string(code), std::move(message), std::nullopt, std::nullopt}};
}

bool same_hash(const std::string& a, const std::string& b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

} // namespace

std::string lockout_subject(std::int64_t account_id) {
    return "account:" + std::to_string(account_id);
}

std::string lockout_subject(std::string_view unknown_name) {
    std::string lower(unknown_name);
    for (char& c : lower) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return "name:" + sha256_hex(lower); // the name itself is not kept
}

CentralService::CentralService(Store& store, PasswordPolicy policy, Notifier& mail,
                               ServiceSettings settings)
    : store_(store), policy_(std::move(policy)), mail_(mail), settings_(settings),
      dummy_hash_(hash_password(random_token(24))), history_(store) {}

// [checklist] Context words (username, display name, e-mail, organisation) are always
// checked: PasswordPolicy::check has no switch for them.
api::PasswordPolicyResponse CentralService::published_policy() {
    api::PasswordPolicyResponse published;
    published.min_length = policy_.settings().min_length;
    published.max_length = policy_.settings().max_length;
    published.common = policy_.has_common_list();
    published.breached = policy_.has_breached_file();
    published.context = true;
    published.history = store_.password_history();
    return published;
}

// [verification] ------------------------------------------------------------------------

Outcome<api::StartVerificationResponse>
CentralService::start_verification(const api::StartVerificationRequest& request) {
    if (request.method != "email" && request.method != "sms" && request.method != "totp") {
        return error(400, api::error_code::kBadRequest,
                     "method must be \"email\", \"sms\" or \"totp\"");
    }
    if (request.identifier.empty() || request.identifier.size() > kMaxIdentifierBytes) {
        return error(400, api::error_code::kBadRequest, "identifier must be 1 to 254 bytes long");
    }
    const auto account = store_.find_account(request.identifier);
    Challenge challenge;
    challenge.id = random_token(18);
    challenge.method = request.method;
    challenge.expires_at = unix_now() + settings_.code_ttl_seconds;
    challenge.attempts_left = settings_.code_attempts;
    challenge.state = "open";
    int code_length = settings_.code_length;
    const bool usable = account && account->state != "disabled";
    if (request.method == "totp") {
        // Nothing is sent: the code is in the user's authenticator app. An account without
        // one gets a challenge no code passes, exactly like an unknown name.
        if (usable && !account->totp_secret.empty()) {
            challenge.account_id = account->id;
            code_length = account->totp_digits;
        }
        store_.create_challenge(challenge);
        return api::StartVerificationResponse{challenge.id, settings_.code_ttl_seconds, code_length,
                                              0};
    }
    std::string code = random_digits(static_cast<std::size_t>(settings_.code_length));
    challenge.code_hash = sha256_hex(code);
    // SMS only to an account with a phone number (and a channel for it): otherwise, like an
    // unknown name, a challenge no code passes — the answer must not tell which exist.
    if (usable && (request.method == "email" ||
                   (mail_.sms_enabled() && !account_phone(account->id).empty()))) {
        challenge.account_id = account->id;
    }
    // The challenge and the queued message commit together: one transaction whether or not
    // the name has an account (a second commit only for known names would time as one), and
    // no challenge whose code was never queued.
    store_.with_connection([&](sql::Connection& db) {
        sql::Transaction transaction(db, "verification");
        store_.create_challenge(challenge);
        if (challenge.account_id) {
            deliver_code(*account, request.method, code, challenge.id);
        }
        transaction.commit();
    });
    secure_wipe(code);
    return api::StartVerificationResponse{challenge.id, settings_.code_ttl_seconds, code_length,
                                          settings_.resend_cooldown_seconds};
}

std::string CentralService::account_phone(std::int64_t account_id) {
    std::string phone;
    store_.with_reader([&](sql::Connection& db) {
        sql::Query q(db, "SELECT phone FROM accounts WHERE id = ?");
        q.bind(account_id);
        if (q.step()) {
            phone = q.text(0);
        }
    });
    return phone;
}

void CentralService::deliver_code(const Account& account, const std::string& method,
                                  const std::string& code, const std::string& challenge_id) {
    const bool handed_over =
        method == "sms" ? mail_.send_sms_code(account_phone(account.id), account.username, code,
                                              challenge_id, settings_.code_ttl_seconds)
                        : mail_.send_code(account.email, account.username, code, challenge_id,
                                          settings_.code_ttl_seconds);
    if (!handed_over) {
        spdlog::error("verification: the {} code for account {} could not be sent", method,
                      account.id);
    }
}

CentralService::ResendOutcome CentralService::resend_code(const std::string& challenge_id) {
    const auto now = unix_now();
    const auto challenge = store_.challenge(challenge_id);
    if (!challenge || challenge->state != "open" || challenge->expires_at <= now) {
        return {error(410, api::error_code::kChallengeExpired,
                      "This code is no longer valid. Ask for a new one."),
                0};
    }
    if (challenge->method == "totp") {
        return {error(409, "nothing_to_resend",
                      "Nothing is sent for an authenticator app: open the app for a code."),
                0};
    }
    std::int64_t resends = 0;
    store_.with_connection([&](sql::Connection& db) {
        sql::Query q(db, "SELECT resends FROM challenges WHERE id = ?");
        q.bind(challenge_id);
        if (q.step()) {
            resends = q.integer(0);
        }
    });
    if (resends >= settings_.max_resends) {
        return {error(429, "too_many_resends",
                      "No more codes can be sent for this verification. Start again."),
                0};
    }
    // Every code lives code_ttl from when it was sent, so the last sending is that much
    // before the expiry: no separate column, and the same for every challenge.
    const std::int64_t sent_at = challenge->expires_at - settings_.code_ttl_seconds;
    const std::int64_t wait = sent_at + settings_.resend_cooldown_seconds - now;
    const auto too_soon = [](std::int64_t seconds) {
        return ResendOutcome{error(429, "resend_too_soon",
                                   "A new code was sent a moment ago. Wait before asking "
                                   "for another."),
                             static_cast<int>(std::max<std::int64_t>(seconds, 1))};
    };
    if (wait > 0) {
        return too_soon(wait);
    }
    std::string code = random_digits(static_cast<std::size_t>(settings_.code_length));
    bool changed = false;
    // A compare-and-set on the state read above: of two resends at once one wins, and the
    // code it stores voids the one sent before (only the newest hash is kept).
    // The new code and its queued message commit together, as in start_verification.
    store_.with_connection([&](sql::Connection& db) {
        sql::Transaction transaction(db, "resend");
        sql::Query(db, "UPDATE challenges SET code_hash = ?, expires_at = ?, attempts_left = ?, "
                       "resends = resends + 1 WHERE id = ? AND state = 'open' AND "
                       "expires_at = ? AND resends = ?")
            .bind(sha256_hex(code))
            .bind(now + settings_.code_ttl_seconds)
            .bind(std::int64_t{settings_.code_attempts})
            .bind(challenge_id)
            .bind(challenge->expires_at)
            .bind(resends)
            .step();
        changed = db.changes() == 1;
        if (changed && challenge->account_id) {
            if (const auto account = store_.account_by_id(*challenge->account_id)) {
                deliver_code(*account, challenge->method, code, challenge_id);
            }
        }
        transaction.commit();
    });
    if (!changed) {
        secure_wipe(code);
        return too_soon(settings_.resend_cooldown_seconds);
    }
    secure_wipe(code);
    return {api::StartVerificationResponse{challenge_id, settings_.code_ttl_seconds,
                                           settings_.code_length,
                                           settings_.resend_cooldown_seconds},
            0};
}

bool CentralService::accept_totp(const Account& account, const std::string& code) {
    return accept_account_totp(store_, account, code, unix_now());
}

Outcome<api::CheckCodeResponse> CentralService::check_code(const std::string& challenge_id,
                                                           const api::CheckCodeRequest& request) {
    if (request.code.size() > kMaxSecretBytes) {
        return error(400, api::error_code::kBadRequest, "code is too long");
    }
    const auto challenge = store_.challenge(challenge_id);
    if (!challenge || challenge->state != "open" || challenge->expires_at <= unix_now()) {
        return error(410, api::error_code::kChallengeExpired,
                     "This code is no longer valid. Ask for a new one.");
    }
    bool right = false;
    if (challenge->account_id && challenge->method == "totp") {
        const auto account = store_.account_by_id(*challenge->account_id);
        right = account && accept_totp(*account, request.code);
    } else if (challenge->account_id) {
        right = same_hash(sha256_hex(request.code), challenge->code_hash);
    }
    if (!right) {
        const auto account =
            challenge->account_id ? store_.account_by_id(*challenge->account_id) : std::nullopt;
        audit("verification_failed", account ? &*account : nullptr, "method " + challenge->method);
        // Spent in the database: wrong codes sent at once (to any central process) each count.
        const int left = store_.spend_challenge_attempt(challenge->id);
        if (left <= 0) {
            return error(410, api::error_code::kTooManyAttempts,
                         "Too many wrong codes. Ask for a new one.");
        }
        ServiceError wrong = error(401, api::error_code::kWrongCode, "The code is not right.");
        wrong.error.attempts_left = left;
        return wrong;
    }
    if (!store_.use_challenge(challenge->id, unix_now())) { // another request used it first
        return error(410, api::error_code::kChallengeExpired,
                     "This code is no longer valid. Ask for a new one.");
    }
    if (const auto account = store_.account_by_id(*challenge->account_id)) {
        audit("verification_succeeded", &*account, "method " + challenge->method);
    }
    std::string token = random_token(32);
    store_.create_token(sha256_hex(token), *challenge->account_id,
                        unix_now() + settings_.token_ttl_seconds, challenge->method);
    return api::CheckCodeResponse{std::move(token), settings_.token_ttl_seconds};
}

// [tokens] ------------------------------------------------------------------------------

Outcome<CentralService::Verified> CentralService::account_for_token(const std::string& token) {
    if (token.empty() || token.size() > kMaxSecretBytes) {
        return error(401, api::error_code::kTokenInvalid,
                     "The verification is not valid. Verify again.");
    }
    const auto record = store_.token(sha256_hex(token));
    if (!record || record->used || record->expires_at <= unix_now()) {
        return error(401, api::error_code::kTokenInvalid,
                     "The verification is no longer valid. Verify again.");
    }
    auto account = store_.account_by_id(record->account_id);
    if (!account) {
        return error(401, api::error_code::kTokenInvalid, "The verification is not valid.");
    }
    return Verified{std::move(*account), record->method};
}

// [reset] -------------------------------------------------------------------------------

Outcome<CentralService::Verified>
CentralService::reset_owner(const api::ResetPasswordRequest& request, bool check_history) {
    auto owner = account_for_token(request.verification_token);
    if (auto* failure = std::get_if<ServiceError>(&owner)) {
        return *failure;
    }
    const auto& [account, method] = std::get<Verified>(owner);
    // MFA is never bypassed: an account with an authenticator app resets only after using
    // it, or after staff vouched for its owner in person (src/staff_routes.cpp). Only a
    // verified owner gets here, so this answer tells nobody else anything.
    if (!account.totp_secret.empty() && method != "totp" && method != "staff") {
        return error(403, api::error_code::kMethodNotAllowed,
                     "This account has an authenticator app: verify with it to reset the "
                     "password.");
    }
    if (request.new_password.size() > kMaxPasswordBytes) {
        return error(400, api::error_code::kBadRequest, "new_password is too long");
    }
    if (auto refusal = policy_.check(request.new_password,
                                     {account.username, account.display_name, account.email})) {
        return ServiceError{422, std::move(*refusal)}; // the token stays usable
    }
    if (check_history && history_.reused(account.id, request.new_password)) {
        // the token stays usable
        return ServiceError{422, password_reused_error(store_.password_history())};
    }
    return owner;
}

std::optional<std::string> CentralService::prehash_reset(const api::ResetPasswordRequest& request) {
    if (std::holds_alternative<ServiceError>(reset_owner(request, /*check_history=*/true))) {
        return std::nullopt;
    }
    return hash_password(request.new_password);
}

Outcome<api::ResetPasswordResponse>
CentralService::reset_password(const api::ResetPasswordRequest& request,
                               const std::optional<std::string>& prehashed) {
    // Checked again even after prehash_reset: an earlier item of a batch may have spent
    // the token since, and the answer must be the one this request gets now.
    // A prehashed password passed the history there (outside the lock); a refused one
    // comes here without a hash and is judged again.
    auto owner = reset_owner(request, /*check_history=*/!prehashed);
    if (auto* failure = std::get_if<ServiceError>(&owner)) {
        return *failure;
    }
    const Account& account = std::get<Verified>(owner).account;
    const std::string new_hash = prehashed ? *prehashed : hash_password(request.new_password);
    const auto now = unix_now();
    const std::string reference = "RST-" + random_reference(6);
    if (!store_.apply_reset(sha256_hex(request.verification_token), account.id, new_hash, now,
                            reference)) {
        return error(401, api::error_code::kTokenInvalid,
                     "The verification is no longer valid. Verify again.");
    }
    spdlog::info("reset: password changed for account {} ({})", account.id, reference);
    audit("password_reset", &account, "reference " + reference);
    if (!mail_.send_notice(account.email, account.username, "password_reset", reference)) {
        spdlog::error("reset: could not write the demo mail outbox");
    }
    return api::ResetPasswordResponse{reference, rfc3339_utc(now)};
}

// [status] ------------------------------------------------------------------------------

Outcome<api::AccountStatusResponse>
CentralService::account_status(const api::AccountStatusRequest& request) {
    auto owner = account_for_token(request.verification_token);
    if (auto* failure = std::get_if<ServiceError>(&owner)) {
        return *failure;
    }
    const Account& account = std::get<Verified>(owner).account;
    api::AccountStatusResponse status{account.state,
                                      account.display_name,
                                      rfc3339_utc(account.password_changed_at),
                                      std::nullopt,
                                      {}};
    const auto lock = store_.lockout(lockout_subject(account.id));
    if (account.state != "disabled" && lock.locked_until && *lock.locked_until > unix_now()) {
        status.state = "locked";
        status.locked_until = rfc3339_utc(*lock.locked_until);
    }
    status.methods.emplace_back("email");
    if (mail_.sms_enabled() && !account_phone(account.id).empty()) {
        status.methods.emplace_back("sms");
    }
    if (!account.totp_secret.empty()) {
        status.methods.emplace_back("totp");
    }
    return status;
}

// [unlock] ------------------------------------------------------------------------------

Outcome<api::UnlockResponse> CentralService::unlock(const api::UnlockRequest& request) {
    auto owner = account_for_token(request.verification_token);
    if (auto* failure = std::get_if<ServiceError>(&owner)) {
        return *failure;
    }
    const Account& account = std::get<Verified>(owner).account;
    const auto now = unix_now();
    const std::string reference = "UNL-" + random_reference(6);
    if (!store_.apply_unlock(sha256_hex(request.verification_token), account.id, now, reference)) {
        return error(401, api::error_code::kTokenInvalid,
                     "The verification is no longer valid. Verify again.");
    }
    spdlog::info("unlock: account {} unlocked ({})", account.id, reference);
    audit("account_unlocked", &account, "reference " + reference);
    if (!mail_.send_notice(account.email, account.username, "unlock", reference)) {
        spdlog::error("unlock: could not write the demo mail outbox");
    }
    const auto after = store_.account_by_id(account.id);
    return api::UnlockResponse{reference, rfc3339_utc(now), after ? after->state : "active"};
}

// [sign-in] -----------------------------------------------------------------------------

Outcome<api::SignInResponse> CentralService::sign_in(const api::SignInRequest& request) {
    if (request.username.empty() || request.username.size() > kMaxIdentifierBytes ||
        request.password.size() > kMaxPasswordBytes) {
        return error(400, api::error_code::kBadRequest,
                     "username must be 1 to 254 bytes and password at most 4096 bytes long");
    }
    const auto account = store_.find_account(request.username);
    const std::string subject =
        account ? lockout_subject(account->id) : lockout_subject(request.username);
    const auto now = unix_now();
    const auto locked = [] {
        return error(423, api::error_code::kAccountLocked,
                     "Too many failed sign-ins: the account is locked. Unlock it at a kiosk "
                     "or wait.");
    };
    const auto lock = store_.lockout(subject);
    if (lock.locked_until && *lock.locked_until > now) {
        return locked(); // not even a right password gets in, and no guess is checked
    }
    // Unknown, disabled and administratively locked accounts fail like a wrong password,
    // after the same Argon2id work, and count towards a lockout the same way.
    const bool usable = account && account->state == "active";
    const bool right =
        verify_password(usable ? account->password_hash : dummy_hash_, request.password) && usable;
    if (right) {
        if (lock.failures > 0 || lock.locked_until) {
            store_.clear_lockout(subject);
        }
        // The only moment the central holds the password: a hash made under older Argon2id
        // parameters is replaced by one under today's (not a change: no history row).
        if (needs_rehash(account->password_hash)) {
            std::string fresh = hash_password(request.password);
            if (store_.replace_password_hash(account->id, account->password_hash, fresh)) {
                spdlog::info("sign-in: password hash of account {} renewed to the current "
                             "Argon2id parameters",
                             account->id);
            }
            secure_wipe(fresh);
        }
        return api::SignInResponse{account->username, account->display_name};
    }
    const auto after = store_.record_sign_in_failure(subject, now, settings_.lockout_threshold,
                                                     settings_.lockout_duration_seconds);
    if (after.locked_until) {
        if (after.failures == settings_.lockout_threshold) { // this failure set the lock
            audit("account_locked", account ? &*account : nullptr,
                  "after " + std::to_string(after.failures) + " failed sign-ins");
        }
        if (account) {
            spdlog::info("sign-in: account {} locked after {} failures", account->id,
                         after.failures);
        }
        return locked();
    }
    return error(401, api::error_code::kSignInFailed, "The username or password is not right.");
}

std::optional<Account> CentralService::verified_account(const std::string& token) {
    if (token.empty() || token.size() > kMaxSecretBytes) {
        return std::nullopt;
    }
    const auto record = store_.token(sha256_hex(token));
    if (!record || record->expires_at <= unix_now()) {
        return std::nullopt;
    }
    return store_.account_by_id(record->account_id);
}

// One audit entry (never a secret: names, methods and references only). An unknown name
// is audited without it: the log must not collect what people mistype.
void CentralService::audit(const std::string& action, const Account* account, std::string detail) {
    if (records_ == nullptr) {
        return;
    }
    records_->append_audit(audit_entry(action, account ? account->username : "unknown",
                                       account ? account->username : "", std::move(detail)));
}

void CentralService::purge_expired(std::int64_t now) {
    const auto removed = store_.purge_lockouts(now, now - settings_.lockout_duration_seconds);
    if (removed > 0) {
        spdlog::info("sign-in: forgot {} stale failure counts", removed);
    }
}

// [demo] --------------------------------------------------------------------------------

void seed_demo_accounts(Store& store) {
    if (store.has_accounts()) {
        return;
    }
    struct Demo {
        const char* username;
        const char* name;
        const char* email;
        const char* employee_id;
        const char* password;
        const char* state;
        const char* totp_secret; // base32, "" for none
    };
    // docs/demo-accounts.md lists the same accounts; tests compute codes from the secret.
    const Demo demos[] = {
        {"jdoe", "Jane Doe", "jane.doe@example.com", "E1001", "Lobby-Winter-Morning-2026", "active",
         ""},
        {"asmith", "Adam Smith", "adam.smith@example.com", "E1002", "Quiet-River-Stone-Lamp",
         "locked", ""},
        {"mkowalska", "Maria Kowalska", "maria.kowalska@example.com", "E1003",
         "Zielona-Herbata-O-Poranku", "active", ""},
        {"tnowak", "Tomasz Nowak", "tomasz.nowak@example.com", "E1004", "Cichy-Las-Nad-Jeziorem",
         "active", "KRUGKIDROVUWG2ZAMJZG653OEBTG66BA"},
    };
    const auto now = unix_now();
    for (const auto& d : demos) {
        Account account;
        account.username = d.username;
        account.email = d.email;
        account.employee_id = d.employee_id;
        account.display_name = d.name;
        account.password_hash = hash_password(d.password);
        account.state = d.state;
        account.password_changed_at = now - 200 * 24 * 3600;
        account.totp_secret = d.totp_secret;
        store.add_account(account);
    }
    // Phone numbers for SMS codes (from the numbering range reserved for drama, +44 7700
    // 900xxx, so a misconfigured gateway texts nobody).
    store.with_connection([](sql::Connection& db) {
        for (const auto& [username, phone] :
             {std::pair<const char*, const char*>{"jdoe", "+447700900101"},
              {"tnowak", "+447700900104"}}) {
            sql::Query(db, "UPDATE accounts SET phone = ? WHERE username = ?")
                .bind(phone)
                .bind(username)
                .step();
        }
    });
    spdlog::info("demo: seeded {} demo accounts", std::size(demos));
}

} // namespace kiosk::central
