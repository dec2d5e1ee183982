// The central's behaviour. Codes and tokens are stored only as SHA-256 hashes; passwords
// only as Argon2id, computed outside the store's lock.
#include "kiosk/central/service.hpp"

#include "kiosk/central/password_hash.hpp"
#include "kiosk/central/time_format.hpp"
#include "kiosk/common/random.hpp"
#include "kiosk/common/secret.hpp"

#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

namespace kiosk::central {
namespace {

constexpr std::size_t kMaxIdentifierBytes = 254; // the longest valid e-mail address
constexpr std::size_t kMaxSecretBytes = 1024;    // codes and tokens are far shorter

ServiceError error(int status, std::string_view code, std::string message) {
    return {status, {std::string(code), std::move(message), std::nullopt, std::nullopt}};
}

bool same_hash(const std::string& a, const std::string& b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

} // namespace

CentralService::CentralService(Store& store, PasswordPolicy policy, DemoMailOutbox& mail,
                               ServiceSettings settings)
    : store_(store), policy_(std::move(policy)), mail_(mail), settings_(settings) {}

Outcome<api::StartVerificationResponse>
CentralService::start_verification(const api::StartVerificationRequest& request) {
    if (request.method != "email") {
        return error(400, api::error_code::kBadRequest, "method must be \"email\"");
    }
    if (request.identifier.empty() || request.identifier.size() > kMaxIdentifierBytes) {
        return error(400, api::error_code::kBadRequest, "identifier must be 1 to 254 bytes long");
    }
    const auto account = store_.find_account(request.identifier);
    Challenge challenge;
    challenge.id = random_token(18);
    std::string code = random_digits(static_cast<std::size_t>(settings_.code_length));
    challenge.code_hash = sha256_hex(code);
    challenge.expires_at = unix_now() + settings_.code_ttl_seconds;
    challenge.attempts_left = settings_.code_attempts;
    challenge.state = "open";
    if (account && account->state != "disabled") {
        challenge.account_id = account->id;
    }
    // An unknown account still gets a challenge, which no code can ever pass.
    store_.create_challenge(challenge);
    if (challenge.account_id) {
        if (!mail_.send_code(account->email, account->username, code, challenge.id)) {
            spdlog::error("verification: could not write the demo mail outbox");
        }
    }
    secure_wipe(code);
    return api::StartVerificationResponse{challenge.id, settings_.code_ttl_seconds,
                                          settings_.code_length};
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
    if (!challenge->account_id || !same_hash(sha256_hex(request.code), challenge->code_hash)) {
        const int left = challenge->attempts_left - 1;
        if (left <= 0) {
            store_.update_challenge(challenge->id, 0, "void");
            return error(410, api::error_code::kTooManyAttempts,
                         "Too many wrong codes. Ask for a new one.");
        }
        store_.update_challenge(challenge->id, left, "open");
        ServiceError wrong = error(401, api::error_code::kWrongCode, "The code is not right.");
        wrong.error.attempts_left = left;
        return wrong;
    }
    store_.update_challenge(challenge->id, challenge->attempts_left, "used");
    std::string token = random_token(32);
    store_.create_token(sha256_hex(token), *challenge->account_id,
                        unix_now() + settings_.token_ttl_seconds, challenge->method);
    return api::CheckCodeResponse{std::move(token), settings_.token_ttl_seconds};
}

Outcome<Account> CentralService::account_for_token(const std::string& token) {
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
    return std::move(*account);
}

Outcome<api::ResetPasswordResponse>
CentralService::reset_password(const api::ResetPasswordRequest& request) {
    auto owner = account_for_token(request.verification_token);
    if (auto* failure = std::get_if<ServiceError>(&owner)) {
        return *failure;
    }
    const Account& account = std::get<Account>(owner);
    if (auto refusal = policy_.check(request.new_password, account.username)) {
        return ServiceError{422, std::move(*refusal)}; // the token stays usable
    }
    const std::string new_hash = hash_password(request.new_password);
    const auto now = unix_now();
    const std::string reference = "RST-" + random_reference(6);
    if (!store_.apply_reset(sha256_hex(request.verification_token), account.id, new_hash, now,
                            reference)) {
        return error(401, api::error_code::kTokenInvalid,
                     "The verification is no longer valid. Verify again.");
    }
    spdlog::info("reset: password changed for account {} ({})", account.id, reference);
    return api::ResetPasswordResponse{reference, rfc3339_utc(now)};
}

Outcome<api::AccountStatusResponse>
CentralService::account_status(const api::AccountStatusRequest& request) {
    auto owner = account_for_token(request.verification_token);
    if (auto* failure = std::get_if<ServiceError>(&owner)) {
        return *failure;
    }
    const Account& account = std::get<Account>(owner);
    return api::AccountStatusResponse{account.state, account.display_name,
                                      rfc3339_utc(account.password_changed_at), std::nullopt};
}

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
    };
    const Demo demos[] = {
        {"jdoe", "Jane Doe", "jane.doe@example.com", "E1001", "Lobby-Winter-Morning-2026",
         "active"},
        {"asmith", "Adam Smith", "adam.smith@example.com", "E1002", "Quiet-River-Stone-Lamp",
         "locked"},
        {"mkowalska", "Maria Kowalska", "maria.kowalska@example.com", "E1003",
         "Zielona-Herbata-O-Poranku", "active"},
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
        store.add_account(account);
    }
    spdlog::info("demo: seeded {} demo accounts", std::size(demos));
}

} // namespace kiosk::central
