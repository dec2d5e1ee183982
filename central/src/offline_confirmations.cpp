// Offline requests awaiting out-of-band confirmation: received (hashed at once, a code sent
// to the owner), then confirmed once or voided. Codes are kept only as SHA-256, the new
// password only as Argon2id, and both are cleared when the request is applied or void.
// Index: [receive] [view] [confirm] [housekeeping].
#include "kiosk/central/offline_confirmations.hpp"

#include "kiosk/central/password_hash.hpp"
#include "kiosk/central/time_format.hpp"
#include "kiosk/central/totp.hpp"
#include "kiosk/common/random.hpp"
#include "kiosk/common/secret.hpp"

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

namespace kiosk::central {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxIdentifierBytes = 254;
constexpr std::size_t kMaxPasswordBytes = 4096;
constexpr std::size_t kMaxCodeBytes = 64;
constexpr const char* kResetRoute = "/v1/password-resets";
constexpr const char* kUnlockRoute = "/v1/unlocks";

ServiceError error(int status, std::string_view code, std::string message) {
    return {status, {std::string(code), std::move(message), std::nullopt, std::nullopt}};
}

bool same_hash(const std::string& a, const std::string& b) {
    return !a.empty() && a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

void wipe_strings(json& doc) {
    if (doc.is_string()) {
        secure_wipe(doc.get_ref<std::string&>());
    } else if (doc.is_structured()) {
        for (auto& child : doc) {
            wipe_strings(child);
        }
    }
}

// The fields of an offline request body; the password wiped when this goes.
struct Parsed {
    std::string kind; // "password_reset" or "unlock"
    std::string identifier;
    SecretString new_password;
};

std::optional<Parsed> parse_request(const std::string& route, const std::string& body) {
    json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
    std::optional<Parsed> parsed;
    const bool reset = route == kResetRoute;
    if (doc.is_object() && (reset || route == kUnlockRoute) &&
        !doc.contains("verification_token") && doc.contains("offline_request") &&
        doc["offline_request"].is_object()) {
        const auto& request = doc["offline_request"];
        const auto identifier = request.find("identifier");
        const auto password = doc.find("new_password");
        const bool identifier_ok =
            identifier != request.end() && identifier->is_string() &&
            !identifier->get_ref<const std::string&>().empty() &&
            identifier->get_ref<const std::string&>().size() <= kMaxIdentifierBytes;
        const bool password_ok =
            !reset || (password != doc.end() && password->is_string() &&
                       password->get_ref<const std::string&>().size() <= kMaxPasswordBytes);
        if (identifier_ok && password_ok) {
            parsed.emplace();
            parsed->kind = reset ? "password_reset" : "unlock";
            parsed->identifier = identifier->get<std::string>();
            if (reset) {
                parsed->new_password.assign(password->get_ref<const std::string&>());
            }
        }
    }
    wipe_strings(doc);
    return parsed;
}

} // namespace

OfflineConfirmations::OfflineConfirmations(Store& store, PasswordPolicy policy, Notifier& mail,
                                           ConfirmationSettings settings)
    : store_(store), policy_(std::move(policy)), mail_(mail), settings_(std::move(settings)),
      history_(store) {}

bool OfflineConfirmations::is_offline_request(std::string_view body) {
    // Cheap first: most bodies are online requests with a token.
    if (body.find("\"offline_request\"") == std::string_view::npos) {
        return false;
    }
    json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
    const bool offline = doc.is_object() && doc.contains("offline_request");
    wipe_strings(doc);
    return offline;
}

void OfflineConfirmations::set_public_url(std::string url) {
    while (!url.empty() && url.back() == '/') {
        url.pop_back();
    }
    std::lock_guard lock(url_mutex_);
    settings_.public_url = std::move(url);
}

std::string OfflineConfirmations::link_for(const std::string& id) const {
    std::lock_guard lock(url_mutex_);
    return settings_.public_url + "/confirm/" + id;
}

// [receive] ------------------------------------------------------------------------------

std::optional<std::string> OfflineConfirmations::prehash(const std::string& route,
                                                         const std::string& body) {
    const auto parsed = parse_request(route, body);
    if (!parsed || parsed->kind != "password_reset" ||
        policy_.check(parsed->new_password.view(), "")) {
        return std::nullopt;
    }
    return hash_password(parsed->new_password.view());
}

Outcome<std::string> OfflineConfirmations::receive(const std::string& route,
                                                   const std::string& body,
                                                   const std::optional<std::string>& prehashed) {
    auto parsed = parse_request(route, body);
    if (!parsed) {
        return error(400, api::error_code::kBadRequest,
                     "An offline request is {\"offline_request\": {\"identifier\": ...}} (and "
                     "\"new_password\" for a reset), without a verification token.");
    }
    const bool reset = parsed->kind == "password_reset";
    // What no account could accept is refused for every name alike, before any lookup.
    if (reset) {
        if (auto refusal = policy_.check(parsed->new_password.view(), "")) {
            return ServiceError{422, std::move(*refusal)};
        }
    }
    // Hashed on arrival for every name, known or not: the same work, and the plain
    // password is never kept.
    std::string password_hash;
    if (reset) {
        password_hash = prehashed ? *prehashed : hash_password(parsed->new_password.view());
    }
    const auto account = store_.find_account(parsed->identifier);
    const bool usable = account && account->state != "disabled";
    // A password that contains the owner's username is refused for that owner only, so
    // the answer stays the same; the owner is told instead of being sent a code.
    const bool holds_username =
        usable && reset &&
        policy_.check(parsed->new_password.view(), account->username).has_value();
    // One of the owner's last N passwords: refused like the username, and judged with the
    // same number of Argon2id verifications for every name (constant work), so the time
    // says nothing either.
    const bool reused =
        reset &&
        history_.reused(usable ? std::optional<std::int64_t>(account->id) : std::nullopt,
                        parsed->new_password.view(), /*constant_work=*/true) &&
        usable;
    const bool refused = holds_username || reused;

    const auto now = unix_now();
    OfflineRequest request;
    request.id = random_token(24);
    request.reference = "OFF-" + random_reference(8);
    request.kind = parsed->kind;
    request.created_at = now;
    request.expires_at = now + settings_.ttl_seconds;
    request.attempts_left = settings_.attempts;
    request.state = usable && !refused ? "pending" : "void";
    std::string code = random_digits(static_cast<std::size_t>(settings_.code_digits));
    request.code_hash = sha256_hex(code);
    if (usable) {
        request.account_id = account->id;
    }
    if (usable && !refused) {
        request.password_hash = std::move(password_hash);
    }
    // A row for unknown names too (void, no account): the same database work either way.
    store_.create_offline_request(request);
    secure_wipe(request.password_hash);
    secure_wipe(password_hash);
    const std::string expires_at = rfc3339_utc(request.expires_at);
    if (usable && !refused) {
        spdlog::info("offline request {} ({}) for account {} awaits confirmation until {}",
                     request.reference, request.kind, account->id, expires_at);
        if (!mail_.send_confirmation(account->email, account->username, request.kind,
                                     request.reference, request.id, code, link_for(request.id),
                                     expires_at)) {
            spdlog::error("offline request {}: could not write the demo mail outbox",
                          request.reference);
        }
    } else if (refused) {
        spdlog::info("offline request {} for account {} refused: the password {}",
                     request.reference, account->id,
                     holds_username ? "contains the username" : "was used recently");
        if (!mail_.send_notice(account->email, account->username,
                               holds_username ? "offline_request_refused"
                                              : "offline_request_reused",
                               request.reference)) {
            spdlog::error("offline request {}: could not write the demo mail outbox",
                          request.reference);
        }
    }
    secure_wipe(code);
    return json{{"state", "awaiting_confirmation"},
                {"reference", request.reference},
                {"expires_at", expires_at}}
        .dump();
}

// [view] ---------------------------------------------------------------------------------

std::optional<ConfirmationView> OfflineConfirmations::view(const std::string& id) {
    if (id.empty() || id.size() > 64) {
        return std::nullopt;
    }
    const auto request = store_.offline_request(id);
    if (!request || request->state != "pending" || !request->account_id) {
        return std::nullopt;
    }
    if (request->expires_at <= unix_now()) {
        store_.void_offline_request(id);
        return std::nullopt;
    }
    const auto account = store_.account_by_id(*request->account_id);
    return ConfirmationView{request->kind, request->reference, rfc3339_utc(request->created_at),
                            rfc3339_utc(request->expires_at),
                            account && !account->totp_secret.empty()};
}

// [confirm] ------------------------------------------------------------------------------

bool OfflineConfirmations::accept_totp(const Account& account, const std::string& code) {
    return accept_account_totp(store_, account, code, unix_now());
}

Outcome<ConfirmationResult> OfflineConfirmations::confirm(const std::string& id,
                                                          const std::string& code,
                                                          const std::string& totp_code) {
    if (code.size() > kMaxCodeBytes || totp_code.size() > kMaxCodeBytes || id.size() > 64) {
        return error(400, api::error_code::kBadRequest, "The code is too long.");
    }
    const auto gone = [] {
        return error(410, api::error_code::kConfirmationExpired,
                     "This confirmation is no longer valid. Make the request again.");
    };
    const auto applied = [](const OfflineRequest& r) {
        return ConfirmationResult{r.kind, r.reference, r.applied_reference,
                                  rfc3339_utc(r.applied_at)};
    };
    auto request = store_.offline_request(id);
    if (!request) {
        return gone();
    }
    if (request->state == "applied") {
        return applied(*request); // a repeated confirmation changes nothing
    }
    if (request->state != "pending" || !request->account_id) {
        return gone();
    }
    if (request->expires_at <= unix_now()) {
        store_.void_offline_request(id);
        spdlog::info("offline request {} expired unconfirmed", request->reference);
        return gone();
    }
    const auto account = store_.account_by_id(*request->account_id);
    // MFA is never bypassed: an account with an authenticator app confirms with it too.
    const bool needs_totp = account && !account->totp_secret.empty();
    if (needs_totp && totp_code.empty()) {
        return error(401, api::error_code::kTotpRequired,
                     "This account has an authenticator app: give its current code too.");
    }
    // The e-mail code first, so that a wrong one does not spend an authenticator code.
    const bool right = account && same_hash(sha256_hex(code), request->code_hash) &&
                       (!needs_totp || accept_totp(*account, totp_code));
    if (!right) {
        const int left = store_.spend_offline_request_attempt(id);
        if (left <= 0) {
            spdlog::info("offline request {} void after too many wrong codes", request->reference);
            return error(410, api::error_code::kTooManyAttempts,
                         "Too many wrong codes. Make the request again.");
        }
        ServiceError wrong = error(401, api::error_code::kWrongCode, "The code is not right.");
        wrong.error.attempts_left = left;
        return wrong;
    }
    const bool reset = request->kind == "password_reset";
    const std::string applied_reference = (reset ? "RST-" : "UNL-") + random_reference(6);
    if (!store_.apply_offline_request(id, unix_now(), applied_reference)) {
        // A concurrent confirmation may have won: its answer is this one's too.
        request = store_.offline_request(id);
        if (request && request->state == "applied") {
            return applied(*request);
        }
        return gone();
    }
    request = store_.offline_request(id);
    spdlog::info("offline request {} confirmed and applied ({})", request->reference,
                 applied_reference);
    if (records_ != nullptr) {
        records_->append_audit(audit_entry(
            "offline_request_applied", account->username, account->username,
            std::string(reset ? "password reset" : "unlock") + " made offline as " +
                request->reference + ", confirmed by its owner, reference " + applied_reference));
    }
    if (!mail_.send_notice(account->email, account->username, reset ? "password_reset" : "unlock",
                           applied_reference)) {
        spdlog::error("offline request {}: could not write the demo mail outbox",
                      request->reference);
    }
    return applied(*request);
}

// [housekeeping] -------------------------------------------------------------------------

std::int64_t OfflineConfirmations::expire(std::int64_t now) {
    const auto voided = store_.expire_offline_requests(now);
    if (voided > 0) {
        spdlog::info("offline requests: {} expired unconfirmed", voided);
    }
    return voided;
}

std::string confirmation_body(const ConfirmationResult& result) {
    return json{{"state", "applied"},
                {"kind", result.kind},
                {"reference", result.reference},
                {"applied_reference", result.applied_reference},
                {"applied_at", result.applied_at}}
        .dump();
}

} // namespace kiosk::central
