// Wire types of the central REST API (/v1) shared by the kiosk and kiosk-central,
// with their JSON form. docs/api/openapi.yaml describes the same routes for humans.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kiosk::api {

// Stable machine-readable error codes; the kiosk maps each to a translated message.
namespace error_code {
inline constexpr std::string_view kBadRequest = "bad_request";
inline constexpr std::string_view kNotFound = "not_found";
inline constexpr std::string_view kWrongCode = "wrong_code";
inline constexpr std::string_view kTooManyAttempts = "too_many_attempts";
inline constexpr std::string_view kChallengeExpired = "challenge_expired";
inline constexpr std::string_view kTokenInvalid = "token_invalid";
inline constexpr std::string_view kPasswordTooShort = "password_too_short";
inline constexpr std::string_view kPasswordTooLong = "password_too_long";
inline constexpr std::string_view kPasswordCommon = "password_common";
inline constexpr std::string_view kPasswordContainsUsername = "password_contains_username";
// The new password is the current one or one of the account's last N (--password-history).
inline constexpr std::string_view kPasswordReused = "password_reused";
// Too many walk-up requests from this kiosk (or address) in the window: 429 with
// retry_after_seconds in the error and a Retry-After header.
inline constexpr std::string_view kRateLimited = "rate_limited";
inline constexpr std::string_view kInternal = "internal";
inline constexpr std::string_view kPayloadTooLarge = "payload_too_large";
// Idempotency-Key (docs/api/openapi.yaml): malformed, reused with another body, or the
// first request with this key is still being processed (retry later).
inline constexpr std::string_view kIdempotencyKeyInvalid = "idempotency_key_invalid";
inline constexpr std::string_view kIdempotencyKeyReused = "idempotency_key_reused";
inline constexpr std::string_view kIdempotencyInProgress = "idempotency_in_progress";
// A batch item carried a sealed body this central cannot open (yet): retry later.
inline constexpr std::string_view kSealedUnsupported = "sealed_unsupported";
// A batch item's sealed body is not base64, or does not open with the central's key.
inline constexpr std::string_view kSealedInvalid = "sealed_invalid";
inline constexpr std::string_view kSignInFailed = "sign_in_failed";
inline constexpr std::string_view kAccountLocked = "account_locked";
// The verification used is not enough for this action (e.g. an e-mail code for a reset of
// an account with an authenticator app: MFA is never bypassed).
inline constexpr std::string_view kMethodNotAllowed = "method_not_allowed";
// Fleet routes (docs/internals/central.md, "Fleet"): no or an unknown bearer credential; a
// known admin whose role may not do this; an enrolment code that is wrong, spent, expired or
// for another kiosk (one code for all four, so a guess learns nothing); a config bundle
// whose shape or payload cannot be routed.
inline constexpr std::string_view kUnauthenticated = "unauthenticated";
inline constexpr std::string_view kForbidden = "forbidden";
inline constexpr std::string_view kEnrolmentCodeInvalid = "enrolment_code_invalid";
inline constexpr std::string_view kBundleInvalid = "bundle_invalid";
// Kiosk certificates (docs/internals/central.md, "Kiosk certificates"): a kiosk route called
// without a client certificate (401); with one this central's CA did not issue, one out of
// date or not in its records (403); with a revoked one (403); an enrolment's
// certificate request that does not parse, verify or carry a P-256 key, or whose subject
// is not the kiosk ID (400).
inline constexpr std::string_view kClientCertificateRequired = "client_certificate_required";
inline constexpr std::string_view kClientCertificateInvalid = "client_certificate_invalid";
inline constexpr std::string_view kClientCertificateRevoked = "client_certificate_revoked";
inline constexpr std::string_view kCsrInvalid = "csr_invalid";
inline constexpr std::string_view kCsrSubjectMismatch = "csr_subject_mismatch";
// Tickets, feedback, audit, activation (docs/internals/central.md): a field the route does
// not know (new routes refuse them, so a typo is never silently dropped); a ticket status
// change the workflow does not allow; an activation code that is wrong, spent or expired
// (one code for all, so a guess learns nothing); a TOTP enrolment confirmation whose code
// is wrong; an audit chain that does not verify.
inline constexpr std::string_view kUnknownField = "unknown_field";
inline constexpr std::string_view kInvalidStatusTransition = "invalid_status_transition";
inline constexpr std::string_view kActivationCodeInvalid = "activation_code_invalid";
inline constexpr std::string_view kEnrolmentInvalid = "enrolment_invalid";
// Contact update: the new address is not a usable e-mail address or phone number (or neither
// was given) / belongs to another account.
inline constexpr std::string_view kContactInvalid = "contact_invalid";
inline constexpr std::string_view kContactUnavailable = "contact_unavailable";
// Offline confirmation (docs/internals/central.md): the request behind a link is unknown,
// used up or past its time; an account with an authenticator app must give its code too.
inline constexpr std::string_view kConfirmationExpired = "confirmation_expired";
inline constexpr std::string_view kTotpRequired = "totp_required";
// Staff routes (docs/internals/central.md, "Staff routes"): the staff credential typed at a
// kiosk is not an admin/helpdesk credential; the account named does not exist (told only to
// authenticated staff and admins); it is disabled; it already has an authenticator app (no
// activation code replaces one).
inline constexpr std::string_view kStaffCredentialInvalid = "staff_credential_invalid";
inline constexpr std::string_view kAccountNotFound = "account_not_found";
inline constexpr std::string_view kAccountDisabled = "account_disabled";
inline constexpr std::string_view kAccountHasAuthenticator = "account_has_authenticator";
} // namespace error_code

// Body of every 4xx/5xx answer: {"error": {"code": ..., "message": ..., ...}}.
struct ApiError {
    std::string code;
    std::string message;              // English, for logs and admins; kiosks translate `code`
    std::optional<int> attempts_left; // wrong_code only
    std::optional<int> min_length;    // password_too_short only
    // resend_too_soon only: seconds until a new code may be asked for (also Retry-After).
    std::optional<int> retry_after_seconds = std::nullopt;
};

struct HealthResponse {
    std::string status; // "ok"
    std::string version;
};

// POST /v1/verification-options — the methods a person may verify with, masked, so the
// kiosk can offer a choice. An identifier with no account gets a plausible list made up
// from it (the same every time), so the answer does not tell whether the account exists.
struct VerificationOptionsRequest {
    std::string identifier; // username, e-mail address or employee ID
    // What the verification is for: "reset" offers only the authenticator app when the
    // account has one (a reset never bypasses MFA); "unlock", "status", "any" offer all.
    std::string purpose = "any";
};
struct VerificationOption {
    std::string method; // "email", "sms" or "totp"
    std::string hint;   // "j•••@example.com", "•••42"; "" for totp
};
struct VerificationOptionsResponse {
    std::vector<VerificationOption> methods; // at least one, in the order to offer them
};

// [checklist] GET /v1/password-policy: the policy this central enforces, public (no secret,
// nothing about any account), so that a kiosk's checklist shows what will be checked.
struct PasswordPolicyResponse {
    int min_length = 15;   // Unicode code points after NFKC
    int max_length = 256;  // likewise
    bool common = true;    // refuses passwords on its common-passwords list
    bool breached = false; // refuses passwords on a breached-passwords file
    bool context = true;   // refuses the username, the person's and organisation's names
    int history = 0;       // refuses the account's last N passwords; 0 = no history check
};

// POST /v1/verifications — answered the same way whether or not the account exists.
struct StartVerificationRequest {
    std::string identifier;       // username, e-mail address or employee ID
    std::string method = "email"; // "email", "sms" or "totp"
};
// Also the answer of POST /v1/verifications/{id}/resend.
struct StartVerificationResponse {
    std::string challenge_id;
    int expires_in_seconds = 0;
    int code_length = 6;
    // Seconds before /resend may send another code; 0 for totp (nothing to resend) and
    // from centrals older than the field.
    int resend_after_seconds = 0;
};

// POST /v1/verifications/{challenge_id}/check
struct CheckCodeRequest {
    std::string code;
};
struct CheckCodeResponse {
    std::string verification_token; // single use, short lived
    int expires_in_seconds = 0;
};

// POST /v1/password-resets — the password travels only inside TLS and is never logged.
struct ResetPasswordRequest {
    std::string verification_token;
    std::string new_password;
};
struct ResetPasswordResponse {
    std::string reference;    // e.g. "RST-7K2Q9D", shown on the receipt
    std::string completed_at; // RFC 3339, UTC
};

// POST /v1/account-status — needs a verification token; never cached by the kiosk.
struct AccountStatusRequest {
    std::string verification_token;
};
struct AccountStatusResponse {
    std::string state; // "active", "locked" or "disabled"
    std::string display_name;
    std::string password_changed_at;         // RFC 3339, UTC
    std::optional<std::string> locked_until; // RFC 3339, UTC; only while a lockout runs
    std::vector<std::string> methods;        // enrolled verification methods: "email", "totp"
};

// POST /v1/unlocks — spends the verification token; clears the lock and failure count.
struct UnlockRequest {
    std::string verification_token;
};
struct UnlockResponse {
    std::string reference;    // e.g. "UNL-7K2Q9D"
    std::string completed_at; // RFC 3339, UTC
    std::string state;        // the account's state afterwards ("active" or "disabled")
};

// POST /v1/sign-ins — the directory login other systems use. Failures count per account;
// unknown names answer exactly like known ones.
struct SignInRequest {
    std::string username; // username, e-mail address or employee ID
    std::string password;
};
struct SignInResponse {
    std::string username;
    std::string display_name;
};

// POST /v1/tickets — from a kiosk (queued offline through the outbox; Idempotency-Key).
// With a verification token the ticket is tied to the verified account; `identifier` is
// what an unverified user typed (kept for the helpdesk, never checked against accounts).
struct CreateTicketRequest {
    std::optional<std::string> identifier;
    std::optional<std::string> verification_token;
    std::string category;           // "password", "unlock", "access", "hardware", "other"
    std::string description;        // 1–4000 characters
    std::string contact_preference; // "email", "phone" or "none"
    std::string language;           // BCP 47 tag the user chose, e.g. "en", "pl"
};
struct TicketCreatedResponse {
    std::string reference;  // "T-XXXXXXXX", shown on the receipt and in its QR code
    std::string status;     // "open"
    std::string created_at; // RFC 3339, UTC
};
// GET /v1/tickets/{reference}: what anyone holding the reference may see (no description,
// no identity). Admin listings add more (docs/api/openapi.yaml).
struct TicketView {
    std::string reference;
    std::string status; // "open", "in_progress", "resolved", "closed"
    std::string category;
    std::string created_at;
    std::string updated_at;
    std::optional<std::string> resolved_at;
};
// POST /v1/admin/tickets/{reference}/status (roles admin, helpdesk).
struct TicketStatusChangeRequest {
    std::string status;
    std::optional<std::string> note; // helpdesk's note, kept in the audit log
};

// POST /v1/feedback — CSAT after a flow (queued offline; Idempotency-Key).
struct FeedbackRequest {
    int rating = 0;      // 1–5
    std::string comment; // may be empty; at most 2000 characters
    std::string flow;    // "reset", "unlock", "status", "activate", "contact", "ticket", "help"
    std::string outcome; // "completed", "ticket", "abandoned", "failed"
    std::optional<std::string> kiosk_id; // else the kiosk credential's ID, if any
};
struct FeedbackResponse {
    std::string reference; // "FB-XXXXXXXX"
    std::string received_at;
};

// POST /v1/kiosks/audit-events — staff actions and session ends at a kiosk (kiosk bearer
// credential; Idempotency-Key; allowed in /v1/sync/batch). action "session_ended" carries
// flow, last_screen and outcome (reports count abandoned flows and where from them).
struct KioskAuditEvent {
    std::string action;              // e.g. "maintenance_entered", "queue_cleared", "session_ended"
    std::string actor;               // staff badge/name, or the verified username, or "anonymous"
    std::string detail;              // free text, never a secret
    std::string at;                  // RFC 3339, when it happened at the kiosk
    std::optional<std::string> flow; // session_ended only
    std::optional<std::string> last_screen; // session_ended only
    std::optional<std::string> outcome;     // session_ended only: as FeedbackRequest::outcome
};
struct KioskAuditEventResponse {
    std::int64_t sequence = 0; // position in the central's hash-chained audit log
    std::string recorded_at;
};

// POST /v1/contact-details — after verification; the old address (or number) of each
// changed channel gets a notice. At least one of `email` and `phone`.
struct ContactUpdateRequest {
    std::string verification_token;
    std::optional<std::string> email;
    std::optional<std::string> phone; // E.164: "+" and 8 to 15 digits
};
struct ContactUpdateResponse {
    std::string reference; // "CNT-XXXXXX"
    std::string completed_at;
};

// POST /v1/activations — a pre-provisioned account's activation code and first password;
// answers the TOTP enrolment to show as a QR code. POST /v1/activations/{id}/confirm with
// the first code from the app completes it.
struct ActivationRequest {
    std::string identifier;
    std::string activation_code;
    std::string new_password;
};
struct ActivationResponse {
    std::string activation_id;
    std::string otpauth_uri; // otpauth://totp/Issuer:user?secret=...&issuer=...
    std::string secret;      // the same base32 secret, for typing it in
    int expires_in_seconds = 0;
};
struct ActivationConfirmRequest {
    std::string code;
};
struct ActivationConfirmResponse {
    std::string reference; // "ACT-XXXXXX"
    std::string completed_at;
};

void to_json(nlohmann::json& j, const ApiError& v);
void from_json(const nlohmann::json& j, ApiError& v);
void to_json(nlohmann::json& j, const HealthResponse& v);
void from_json(const nlohmann::json& j, HealthResponse& v);
void to_json(nlohmann::json& j, const VerificationOptionsRequest& v);
void from_json(const nlohmann::json& j, VerificationOptionsRequest& v);
void to_json(nlohmann::json& j, const VerificationOption& v);
void from_json(const nlohmann::json& j, VerificationOption& v);
void to_json(nlohmann::json& j, const VerificationOptionsResponse& v);
void from_json(const nlohmann::json& j, VerificationOptionsResponse& v);
void to_json(nlohmann::json& j, const PasswordPolicyResponse& v);
void from_json(const nlohmann::json& j, PasswordPolicyResponse& v);
void to_json(nlohmann::json& j, const StartVerificationRequest& v);
void from_json(const nlohmann::json& j, StartVerificationRequest& v);
void to_json(nlohmann::json& j, const StartVerificationResponse& v);
void from_json(const nlohmann::json& j, StartVerificationResponse& v);
void to_json(nlohmann::json& j, const CheckCodeRequest& v);
void from_json(const nlohmann::json& j, CheckCodeRequest& v);
void to_json(nlohmann::json& j, const CheckCodeResponse& v);
void from_json(const nlohmann::json& j, CheckCodeResponse& v);
void to_json(nlohmann::json& j, const ResetPasswordRequest& v);
void from_json(const nlohmann::json& j, ResetPasswordRequest& v);
void to_json(nlohmann::json& j, const ResetPasswordResponse& v);
void from_json(const nlohmann::json& j, ResetPasswordResponse& v);
void to_json(nlohmann::json& j, const AccountStatusRequest& v);
void from_json(const nlohmann::json& j, AccountStatusRequest& v);
void to_json(nlohmann::json& j, const AccountStatusResponse& v);
void from_json(const nlohmann::json& j, AccountStatusResponse& v);
void to_json(nlohmann::json& j, const UnlockRequest& v);
void from_json(const nlohmann::json& j, UnlockRequest& v);
void to_json(nlohmann::json& j, const UnlockResponse& v);
void from_json(const nlohmann::json& j, UnlockResponse& v);
void to_json(nlohmann::json& j, const SignInRequest& v);
void from_json(const nlohmann::json& j, SignInRequest& v);
void to_json(nlohmann::json& j, const SignInResponse& v);
void from_json(const nlohmann::json& j, SignInResponse& v);
void to_json(nlohmann::json& j, const CreateTicketRequest& v);
void from_json(const nlohmann::json& j, CreateTicketRequest& v);
void to_json(nlohmann::json& j, const TicketCreatedResponse& v);
void from_json(const nlohmann::json& j, TicketCreatedResponse& v);
void to_json(nlohmann::json& j, const TicketView& v);
void from_json(const nlohmann::json& j, TicketView& v);
void to_json(nlohmann::json& j, const TicketStatusChangeRequest& v);
void from_json(const nlohmann::json& j, TicketStatusChangeRequest& v);
void to_json(nlohmann::json& j, const FeedbackRequest& v);
void from_json(const nlohmann::json& j, FeedbackRequest& v);
void to_json(nlohmann::json& j, const FeedbackResponse& v);
void from_json(const nlohmann::json& j, FeedbackResponse& v);
void to_json(nlohmann::json& j, const KioskAuditEvent& v);
void from_json(const nlohmann::json& j, KioskAuditEvent& v);
void to_json(nlohmann::json& j, const KioskAuditEventResponse& v);
void from_json(const nlohmann::json& j, KioskAuditEventResponse& v);
void to_json(nlohmann::json& j, const ContactUpdateRequest& v);
void from_json(const nlohmann::json& j, ContactUpdateRequest& v);
void to_json(nlohmann::json& j, const ContactUpdateResponse& v);
void from_json(const nlohmann::json& j, ContactUpdateResponse& v);
void to_json(nlohmann::json& j, const ActivationRequest& v);
void from_json(const nlohmann::json& j, ActivationRequest& v);
void to_json(nlohmann::json& j, const ActivationResponse& v);
void from_json(const nlohmann::json& j, ActivationResponse& v);
void to_json(nlohmann::json& j, const ActivationConfirmRequest& v);
void from_json(const nlohmann::json& j, ActivationConfirmRequest& v);
void to_json(nlohmann::json& j, const ActivationConfirmResponse& v);
void from_json(const nlohmann::json& j, ActivationConfirmResponse& v);

// The error envelope {"error": {...}}: reads it from a response body, and writes it.
std::optional<ApiError> parse_error(std::string_view body);
std::string error_body(const ApiError& error);

// Parses `body` as T. Returns nullopt (never throws) when the body is not JSON,
// a field is missing or has the wrong type.
template <typename T> std::optional<T> parse(std::string_view body);

// Serialises `value` to a compact JSON string.
template <typename T> std::string serialize(const T& value);

} // namespace kiosk::api
