// CentralClient: the central REST API as typed calls. Each call blocks, so the kiosk
// only makes them from its background worker. A result is either the typed answer or
// an ApiFailure that tells a network failure, an HTTP error and a bad answer apart.
#pragma once

#include "kiosk/common/api.hpp"
#include "kiosk/net/http_client.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace kiosk::net {

struct ApiFailure {
    enum class Kind {
        Transport,   // no HTTP answer: see `transport`
        HttpError,   // a 4xx/5xx answer; `error` holds its envelope when it had one
        BadResponse, // a 2xx answer we could not read: a broken or hostile server
    };
    Kind kind = Kind::Transport;
    TransportFailureKind transport = TransportFailureKind::Unreachable;
    long http_status = 0;
    std::optional<api::ApiError> error;
    std::optional<std::chrono::seconds> retry_after; // from a Retry-After header, if any
    std::string detail;                              // for logs; never contains request secrets

    // The error code of an HttpError answer, or "" when there is none.
    [[nodiscard]] std::string_view code() const {
        return error ? std::string_view(error->code) : std::string_view();
    }
};

template <typename T> using ApiResult = std::variant<T, ApiFailure>;

// One queued request in a POST /v1/sync/batch (docs/api/openapi.yaml; the contract is in
// docs/internals/offline.md). `payload` is the JSON object the route takes, or, when
// `sealed`, the base64 sealed box of it (kiosk/common/sealed_box.hpp).
struct SyncItem {
    std::string_view idempotency_key;
    std::string_view route;
    std::string_view payload;
    bool sealed = false;
};

// The central's answer for one item: what the route itself would have answered.
struct SyncItemResult {
    std::string idempotency_key;
    long status = 0;
    std::string error_code; // from the item's error envelope; "" on success or when absent
};

struct SyncBatchResponse {
    std::vector<SyncItemResult> results; // one per item, same order
};

class CentralClient {
public:
    // `base_url` is the central's root, e.g. "https://central.example:8443".
    CentralClient(std::string base_url, ClientSettings settings);

    ApiResult<api::HealthResponse> health();
    // POST /v1/verification-options: the methods to offer, masked.
    ApiResult<api::VerificationOptionsResponse>
    verification_options(const api::VerificationOptionsRequest& request);
    // [checklist] GET /v1/password-policy: what the central checks a new password against.
    ApiResult<api::PasswordPolicyResponse> password_policy();
    ApiResult<api::StartVerificationResponse>
    start_verification(const api::StartVerificationRequest& request);
    // POST /v1/verifications/{id}/resend: a new code for the same challenge (429
    // resend_too_soon with retry_after_seconds, 429 too_many_resends, 410 challenge_expired).
    ApiResult<api::StartVerificationResponse> resend_code(const std::string& challenge_id);
    ApiResult<api::CheckCodeResponse> check_code(const std::string& challenge_id,
                                                 const api::CheckCodeRequest& request);
    // `idempotency_key` (optional) lets a timed-out call be queued and replayed under the
    // same key, so the central applies it once.
    ApiResult<api::ResetPasswordResponse> reset_password(const api::ResetPasswordRequest& request,
                                                         std::string_view idempotency_key = {});
    ApiResult<api::AccountStatusResponse> account_status(const api::AccountStatusRequest& request);
    ApiResult<api::UnlockResponse> unlock(const api::UnlockRequest& request);
    // POST /v1/tickets and /v1/feedback. The kiosk sends these with the key its outbox
    // copy would carry, so a timed-out call that did arrive is not recorded twice.
    ApiResult<api::TicketCreatedResponse> create_ticket(const api::CreateTicketRequest& request,
                                                        std::string_view idempotency_key = {});
    ApiResult<api::FeedbackResponse> send_feedback(const api::FeedbackRequest& request,
                                                   std::string_view idempotency_key = {});
    // [activation] POST /v1/activations and /v1/activations/{id}/confirm. The answer of the
    // first carries the TOTP secret: its body and parse tree are wiped here, so the caller's
    // ActivationResponse is the only copy (wipe it once taken into SecretStrings).
    ApiResult<api::ActivationResponse> start_activation(const api::ActivationRequest& request);
    ApiResult<api::ActivationConfirmResponse>
    confirm_activation(const std::string& activation_id,
                       const api::ActivationConfirmRequest& request);
    // [contact] POST /v1/contact-details.
    ApiResult<api::ContactUpdateResponse> update_contact(const api::ContactUpdateRequest& request);
    // Delivers queued items. An answer that is not one result per item, in order and with
    // matching keys, is a BadResponse: the caller must not guess which item it means.
    ApiResult<SyncBatchResponse> sync_batch(const std::vector<SyncItem>& items);

private:
    template <typename T> ApiResult<T> interpret(HttpResult&& result);

    std::string base_url_;
    HttpsClient http_;
};

// Writes `value` as a JSON string literal (quotes included) into `out` without any
// intermediate copy, so secrets can be serialised into a buffer that is wiped later.
void append_json_string(std::string& out, std::string_view value);

} // namespace kiosk::net
