// Wire types of the central REST API (/v1) shared by the kiosk and kiosk-central,
// with their JSON form. docs/api/openapi.yaml describes the same routes for humans.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

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
} // namespace error_code

// Body of every 4xx/5xx answer: {"error": {"code": ..., "message": ..., ...}}.
struct ApiError {
    std::string code;
    std::string message;              // English, for logs and admins; kiosks translate `code`
    std::optional<int> attempts_left; // wrong_code only
    std::optional<int> min_length;    // password_too_short only
};

struct HealthResponse {
    std::string status; // "ok"
    std::string version;
};

// POST /v1/verifications — answered the same way whether or not the account exists.
struct StartVerificationRequest {
    std::string identifier;       // username, e-mail address or employee ID
    std::string method = "email"; // only "email" so far
};
struct StartVerificationResponse {
    std::string challenge_id;
    int expires_in_seconds = 0;
    int code_length = 6;
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

void to_json(nlohmann::json& j, const ApiError& v);
void from_json(const nlohmann::json& j, ApiError& v);
void to_json(nlohmann::json& j, const HealthResponse& v);
void from_json(const nlohmann::json& j, HealthResponse& v);
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

// The error envelope {"error": {...}}: reads it from a response body, and writes it.
std::optional<ApiError> parse_error(std::string_view body);
std::string error_body(const ApiError& error);

// Parses `body` as T. Returns nullopt (never throws) when the body is not JSON,
// a field is missing or has the wrong type.
template <typename T> std::optional<T> parse(std::string_view body);

// Serialises `value` to a compact JSON string.
template <typename T> std::string serialize(const T& value);

} // namespace kiosk::api
