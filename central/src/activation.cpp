// Contact details update and account activation (CentralService members; docs/internals/
// central.md, "Contact details and activation"). Both change an account in one transaction
// on the Store's connection; secrets (codes, passwords, tokens) are wiped after use.
#include "kiosk/central/database.hpp"
#include "kiosk/central/password_hash.hpp"
#include "kiosk/central/service.hpp"
#include "kiosk/central/time_format.hpp"
#include "kiosk/central/totp.hpp"
#include "kiosk/central/totp_key.hpp"
#include "kiosk/common/random.hpp"
#include "kiosk/common/secret.hpp"

#include <array>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

namespace kiosk::central {
namespace {

using sql::Query;

constexpr int kEnrolmentSeconds = 600; // to scan the QR code and type the first code
constexpr int kEnrolmentAttempts = 5;
constexpr const char* kIssuer = "Kiosk";

ServiceError error(int status, std::string_view code, std::string message) {
    return {status, {std::string(code), std::move(message), std::nullopt, std::nullopt}};
}

// Upper case without dashes or spaces: how codes are compared and hashed.
std::string normalise_code(std::string_view code) {
    std::string out;
    for (const char c : code) {
        if (c == '-' || c == ' ') {
            continue;
        }
        out += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    }
    return out;
}

// RFC 4648 base32 without padding (what authenticator apps read).
std::string base32_encode(const unsigned char* data, std::size_t size) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (std::size_t i = 0; i < size; ++i) {
        buffer = (buffer << 8) | data[i];
        bits += 8;
        while (bits >= 5) {
            out += kAlphabet[(buffer >> (bits - 5)) & 0x1F];
            bits -= 5;
        }
    }
    if (bits > 0) {
        out += kAlphabet[(buffer << (5 - bits)) & 0x1F];
    }
    return out;
}

// A plausible e-mail address: one '@', something before it, a dot in the domain, no
// spaces or control characters, at most 254 bytes.
bool plausible_email(const std::string& email) {
    const auto at = email.find('@');
    if (email.size() > 254 || at == std::string::npos || at == 0 ||
        email.find('@', at + 1) != std::string::npos) {
        return false;
    }
    const auto dot = email.find('.', at + 2);
    if (dot == std::string::npos || dot + 1 >= email.size()) {
        return false;
    }
    for (const char c : email) {
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F) {
            return false;
        }
    }
    return true;
}

struct Activation {
    std::int64_t account_id = 0;
    std::string code_hash;
    std::int64_t expires_at = 0;
    std::string state;
    std::string password_hash;
    std::string totp_secret;
    int attempts_left = 0;
    std::int64_t enrolment_expires_at = 0;
};

std::optional<Activation> read_activation(sql::Connection& db, const char* where,
                                          const std::string& key) {
    const std::string text = std::string("SELECT account_id, code_hash, expires_at, state, "
                                         "password_hash, totp_secret, attempts_left, "
                                         "enrolment_expires_at FROM activations WHERE ") +
                             where;
    Query q(db, text.c_str());
    q.bind(key);
    if (!q.step()) {
        return std::nullopt;
    }
    return Activation{q.integer(0),
                      q.text(1),
                      q.integer(2),
                      q.text(3),
                      q.text(4),
                      q.text(5),
                      static_cast<int>(q.integer(6)),
                      q.integer(7)};
}

// A wrong enrolment code: one attempt spent by the database itself (attempts_left - 1 in
// the UPDATE, under the write lock), so that concurrent wrong codes on any process each
// count. Out of attempts, the row goes back to 'pending' and forgets the password and the
// secret: the activation code must be given again. Returns the attempts left, 0 when none.
int spend_activation_attempt(Store& store, const std::string& enrolment_id) {
    int left = 0;
    store.with_connection([&](sql::Connection& db) {
        sql::Transaction transaction(db, "activation_attempt");
        Query(db, "UPDATE activations SET attempts_left = attempts_left - 1 WHERE "
                  "enrolment_id = ? AND state = 'enrolling' AND attempts_left > 0")
            .bind(enrolment_id)
            .step();
        Query(db, "UPDATE activations SET state = 'pending', password_hash = '', "
                  "totp_secret = '' WHERE enrolment_id = ? AND state = 'enrolling' AND "
                  "attempts_left <= 0")
            .bind(enrolment_id)
            .step();
        Query q(db, "SELECT attempts_left FROM activations WHERE enrolment_id = ? AND "
                    "state = 'enrolling'");
        q.bind(enrolment_id);
        if (q.step()) {
            left = static_cast<int>(q.integer(0));
        }
        transaction.commit();
    });
    return left;
}

} // namespace

// [contact] -----------------------------------------------------------------------------

Outcome<api::ContactUpdateResponse>
CentralService::update_contact(const api::ContactUpdateRequest& request) {
    auto owner = account_for_token(request.verification_token);
    if (auto* failure = std::get_if<ServiceError>(&owner)) {
        return *failure;
    }
    const Account& account = std::get<Verified>(owner).account;
    if (!request.email && !request.phone) {
        return error(400, api::error_code::kContactInvalid,
                     "Give a new e-mail address, a new phone number, or both.");
    }
    if (request.email && !plausible_email(*request.email)) {
        return error(400, api::error_code::kContactInvalid,
                     "The new e-mail address does not look like one.");
    }
    if (request.phone && !plausible_phone(*request.phone)) {
        return error(400, api::error_code::kContactInvalid,
                     "The new phone number is not one: a + and the country code, then 8 to 15 "
                     "digits in all.");
    }
    const auto now = unix_now();
    const std::string reference = "CNT-" + random_reference(6);
    const std::string token_hash = sha256_hex(request.verification_token);
    const std::string old_phone = account_phone(account.id);
    std::optional<ServiceError> refusal;
    store_.with_connection([&](sql::Connection& db) {
        sql::Transaction savepoint(db, "account_change");
        if (request.email) {
            Query taken(db, "SELECT 1 FROM accounts WHERE lower(email) = lower(?) AND id != ?");
            taken.bind(*request.email).bind(account.id);
            if (taken.step()) {
                refusal = error(409, api::error_code::kContactUnavailable,
                                "This e-mail address belongs to another account.");
                return;
            }
        }
        if (request.phone) {
            Query taken(db, "SELECT 1 FROM accounts WHERE phone = ? AND id != ?");
            taken.bind(*request.phone).bind(account.id);
            if (taken.step()) {
                refusal = error(409, api::error_code::kContactUnavailable,
                                "This phone number belongs to another account.");
                return;
            }
        }
        Query spend(db, "UPDATE tokens SET used = 1 WHERE token_hash = ? AND used = 0 AND "
                        "expires_at > ?");
        spend.bind(token_hash).bind(now).step();
        if (db.changes() == 0) {
            refusal = error(401, api::error_code::kTokenInvalid,
                            "The verification is no longer valid. Verify again.");
            return;
        }
        if (request.email) {
            Query change(db, "UPDATE accounts SET email = ? WHERE id = ?");
            change.bind(*request.email).bind(account.id).step();
        }
        if (request.phone) {
            Query change(db, "UPDATE accounts SET phone = ? WHERE id = ?");
            change.bind(*request.phone).bind(account.id).step();
        }
        savepoint.commit();
    });
    if (refusal) {
        return *refusal;
    }
    const char* what = request.email && request.phone ? "e-mail address and phone number"
                       : request.email                ? "e-mail address"
                                                      : "phone number";
    spdlog::info("contact: account {} changed its {} ({})", account.id, what, reference);
    // Each notice goes to the OLD address or number: if someone else did this, the owner
    // learns it where they still read. An account that had no phone gets the phone notice
    // by e-mail instead (unless the e-mail changed too, which already told the old address).
    if (request.email &&
        !mail_.send_notice(account.email, account.username, "contact_changed", reference)) {
        spdlog::error("contact: the notice to the old e-mail address could not be sent");
    }
    if (request.phone) {
        const bool sent =
            old_phone.empty()
                ? (request.email ||
                   mail_.send_notice(account.email, account.username, "phone_changed", reference))
                : mail_.send_sms_notice(old_phone, account.username, "phone_changed", reference);
        if (!sent) {
            spdlog::error("contact: the notice of the phone change could not be sent");
        }
    }
    audit("contact_changed", &account, std::string(what) + " changed, reference " + reference);
    return api::ContactUpdateResponse{reference, rfc3339_utc(now)};
}

// [activation] --------------------------------------------------------------------------

Outcome<api::ActivationResponse>
CentralService::start_activation(const api::ActivationRequest& request) {
    if (request.identifier.empty() || request.identifier.size() > 254 ||
        request.activation_code.size() > 64 || request.new_password.size() > 4096) {
        return error(400, api::error_code::kBadRequest,
                     "identifier (1-254 bytes), activation_code and new_password are required");
    }
    const auto invalid = [] {
        return error(401, api::error_code::kActivationCodeInvalid,
                     "This activation code does not work. Check it, or ask the helpdesk for a "
                     "new one.");
    };
    const auto account = store_.find_account(request.identifier);
    const auto now = unix_now();
    std::optional<Activation> activation;
    if (account) {
        store_.with_connection([&](sql::Connection& db) {
            activation =
                read_activation(db, "account_id = CAST(? AS BIGINT)", std::to_string(account->id));
        });
    }
    std::string code = normalise_code(request.activation_code);
    const std::string code_hash = sha256_hex(code);
    secure_wipe(code);
    // Unknown name, no activation, spent, expired or wrong code: one answer for all.
    if (!account || !activation || activation->state == "done" || activation->expires_at <= now ||
        activation->code_hash.size() != code_hash.size() ||
        CRYPTO_memcmp(activation->code_hash.data(), code_hash.data(), code_hash.size()) != 0) {
        return invalid();
    }
    if (auto refusal = policy_.check(request.new_password, account->username)) {
        return ServiceError{422, std::move(*refusal)};
    }
    // An account provisioned again (disabled, then a new code) keeps its history.
    if (history_.reused(account->id, request.new_password)) {
        return ServiceError{422, password_reused_error(store_.password_history())};
    }
    std::string password_hash = hash_password(request.new_password);
    std::array<unsigned char, 20> key{}; // 160 bits, RFC 4226's recommendation
    if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
        throw std::runtime_error("no randomness for a TOTP secret");
    }
    std::string secret = base32_encode(key.data(), key.size());
    OPENSSL_cleanse(key.data(), key.size());
    const std::string enrolment_id = random_token(24);
    const std::string sealed =
        store_.seal_totp_secret(secret, totp_key::activation_owner(account->id));
    store_.with_connection([&](sql::Connection& db) {
        Query q(db, "UPDATE activations SET state = 'enrolling', enrolment_id = ?, "
                    "password_hash = ?, totp_secret = ?, attempts_left = ?, "
                    "enrolment_expires_at = ? WHERE account_id = ?");
        q.bind(enrolment_id)
            .bind(password_hash)
            .bind(sealed)
            .bind(std::int64_t{kEnrolmentAttempts})
            .bind(now + kEnrolmentSeconds)
            .bind(account->id)
            .step();
    });
    secure_wipe(password_hash);
    audit("activation_started", &*account, "first password set, authenticator enrolment shown");
    api::ActivationResponse response{
        enrolment_id,
        std::string("otpauth://totp/") + kIssuer + ":" + account->username + "?secret=" + secret +
            "&issuer=" + kIssuer + "&algorithm=SHA1&digits=6&period=30",
        secret, kEnrolmentSeconds};
    secure_wipe(secret);
    return response;
}

Outcome<api::ActivationConfirmResponse>
CentralService::confirm_activation(const std::string& activation_id,
                                   const api::ActivationConfirmRequest& request) {
    if (request.code.size() > 16) {
        return error(400, api::error_code::kBadRequest, "code is too long");
    }
    const auto now = unix_now();
    std::optional<Activation> activation;
    store_.with_connection([&](sql::Connection& db) {
        activation = read_activation(db, "enrolment_id = ?", activation_id);
    });
    if (!activation || activation->state != "enrolling" ||
        activation->enrolment_expires_at <= now) {
        return error(410, api::error_code::kChallengeExpired,
                     "This enrolment is no longer valid. Start the activation again.");
    }
    // Throws (a 500, logged) when totp.key does not open it.
    SecretString secret = store_.open_totp_secret(
        activation->totp_secret, totp_key::activation_owner(activation->account_id));
    auto key = base32_decode(secret.str());
    const TotpParameters parameters;
    const auto step = key ? totp_match(*key, request.code, now, parameters) : std::nullopt;
    if (key) {
        secure_wipe(*key);
    }
    if (!step) {
        // Spent in the database, not computed from the row read above: wrong codes sent at
        // once (to any central process) each spend one, as challenge attempts do.
        const int left = spend_activation_attempt(store_, activation_id);
        if (left <= 0) {
            return error(410, api::error_code::kTooManyAttempts,
                         "Too many wrong codes. Start the activation again.");
        }
        ServiceError wrong = error(401, api::error_code::kWrongCode,
                                   "The code from the authenticator app is not right.");
        wrong.error.attempts_left = left;
        return wrong;
    }
    const std::string reference = "ACT-" + random_reference(6);
    // The account row is another owner: sealed again under its own associated data.
    const std::string account_sealed =
        store_.seal_totp_secret(secret.view(), totp_key::account_owner(activation->account_id));
    secret.clear();
    bool applied = false;
    store_.with_connection([&](sql::Connection& db) {
        sql::Transaction savepoint(db, "account_change");
        Query done(db, "UPDATE activations SET state = 'done', password_hash = '', "
                       "totp_secret = '' WHERE enrolment_id = ? AND state = 'enrolling'");
        done.bind(activation_id).step();
        if (db.changes() == 0) {
            return; // a concurrent confirmation won
        }
        store_.remember_current_password(activation->account_id, now);
        Query account(db, "UPDATE accounts SET password_hash = ?, password_changed_at = ?, "
                          "totp_secret = ?, totp_algorithm = 'SHA1', totp_digits = 6, "
                          "totp_last_step = ?, state = 'active' WHERE id = ?");
        account.bind(activation->password_hash)
            .bind(now)
            .bind(account_sealed)
            .bind(*step)
            .bind(activation->account_id)
            .step();
        savepoint.commit();
        applied = true;
    });
    secure_wipe(activation->password_hash);
    secure_wipe(activation->totp_secret);
    if (!applied) {
        return error(410, api::error_code::kChallengeExpired,
                     "This enrolment is no longer valid. Start the activation again.");
    }
    const auto owner = store_.account_by_id(activation->account_id);
    if (owner) {
        audit("account_activated", &*owner, "reference " + reference);
        if (!mail_.send_notice(owner->email, owner->username, "account_activated", reference)) {
            spdlog::error("activation: could not write the demo mail outbox");
        }
    }
    return api::ActivationConfirmResponse{reference, rfc3339_utc(now)};
}

// [demo] --------------------------------------------------------------------------------

void seed_demo_activation(Store& store) {
    if (store.find_account("kzielinski")) {
        return;
    }
    Account account;
    account.username = "kzielinski";
    account.email = "karol.zielinski@example.com";
    account.employee_id = "E1005";
    account.display_name = "Karol Zielinski";
    account.password_hash = hash_password(random_token(24)); // nobody knows it
    account.state = "disabled";                              // until activated
    account.password_changed_at = unix_now();
    const auto id = store.add_account(account);
    store.with_connection([&](sql::Connection& db) {
        Query q(db, "INSERT INTO activations (account_id, code_hash, expires_at, state) VALUES "
                    "(?, ?, ?, 'pending')");
        q.bind(id)
            .bind(sha256_hex(normalise_code("ACTV-DEMO-2026")))
            .bind(unix_now() + 365 * 86400)
            .step();
    });
}

} // namespace kiosk::central
