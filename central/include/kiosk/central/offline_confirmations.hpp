// OfflineConfirmations: requests a kiosk made while the central was unreachable (no
// verification could run), applied only after the account's owner confirms them out of band
// with a single-use code sent to their registered e-mail, within a configured time.
// docs/internals/central.md ("Offline confirmation") draws the states.
#pragma once

#include "kiosk/central/notifier.hpp"
#include "kiosk/central/password_history.hpp"
#include "kiosk/central/password_policy.hpp"
#include "kiosk/central/records.hpp"
#include "kiosk/central/service.hpp"
#include "kiosk/central/store.hpp"

#include <mutex>
#include <optional>
#include <string>

namespace kiosk::central {

struct ConfirmationSettings {
    int ttl_seconds = 86400; // a request waits this long for its confirmation (24 h)
    int code_digits = 8;     // longer than a verification code: it lives hours, not minutes
    int attempts = 5;        // wrong codes before the request is void
    // Where the owner's browser reaches this central, e.g. "https://id.example.org"; the link
    // is <public_url>/confirm/<id>. Empty until set_public_url (serve sets it after bind).
    std::string public_url;
};

// What the confirmation page shows about a pending request (nothing secret).
struct ConfirmationView {
    std::string kind;       // "password_reset" or "unlock"
    std::string reference;  // "OFF-…"
    std::string created_at; // RFC 3339, when the central received it
    std::string expires_at; // RFC 3339
    bool needs_totp = false;
};

struct ConfirmationResult {
    std::string kind;
    std::string reference;         // "OFF-…"
    std::string applied_reference; // "RST-…" or "UNL-…"
    std::string applied_at;        // RFC 3339
};

class OfflineConfirmations {
public:
    OfflineConfirmations(Store& store, PasswordPolicy policy, Notifier& mail,
                         ConfirmationSettings settings);

    // Whether `body` (JSON for /v1/password-resets or /v1/unlocks) is an offline request:
    // it carries "offline_request" instead of a verification token.
    static bool is_offline_request(std::string_view body);

    // An offline request arrives (`route` /v1/password-resets or /v1/unlocks). 202 body
    // {"state":"awaiting_confirmation","reference","expires_at"} — the same, in the same
    // time, whether or not the identifier names an account; only a real owner is sent
    // anything. 400 for a malformed body, 422 for a password no account could have.
    // `prehashed`: the new password's Argon2id hash from prehash(), made outside the
    // store's lock by the batch route.
    Outcome<std::string> receive(const std::string& route, const std::string& body,
                                 const std::optional<std::string>& prehashed = std::nullopt);
    // The Argon2id hash receive() would make, or nullopt when it would not hash.
    std::optional<std::string> prehash(const std::string& route, const std::string& body);

    // The pending request behind a link, or nullopt when it is unknown, used or void
    // (expired ones are voided here).
    std::optional<ConfirmationView> view(const std::string& id);

    // Applies the request once when `code` (and, for an account with an authenticator app,
    // `totp_code`) is right. A request already applied answers the same 200 again and does
    // nothing. 401 wrong_code (attempts_left) / totp_required, 410 too_many_attempts /
    // confirmation_expired, 400 for codes of absurd length.
    Outcome<ConfirmationResult> confirm(const std::string& id, const std::string& code,
                                        const std::string& totp_code);

    // Voids requests past their time (housekeeping); returns how many.
    std::int64_t expire(std::int64_t now);

    void set_public_url(std::string url);
    // Where an applied confirmation is audited ("offline_request_applied"); none: not audited.
    void attach_records(Records* records) { records_ = records; }
    [[nodiscard]] const ConfirmationSettings& settings() const { return settings_; }

private:
    [[nodiscard]] std::string link_for(const std::string& id) const;
    bool accept_totp(const Account& account, const std::string& code);

    Store& store_;
    PasswordPolicy policy_;
    Notifier& mail_;
    ConfirmationSettings settings_;
    PasswordHistory history_;
    Records* records_ = nullptr;
    mutable std::mutex url_mutex_; // public_url is set once the port is known
};

// {"state":"applied","kind","reference","applied_reference","applied_at"}
std::string confirmation_body(const ConfirmationResult& result);

} // namespace kiosk::central
