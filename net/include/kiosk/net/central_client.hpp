// CentralClient: the central REST API as typed calls. Each call blocks, so the kiosk
// only makes them from its background worker. A result is either the typed answer or
// an ApiFailure that tells a network failure, an HTTP error and a bad answer apart.
#pragma once

#include "kiosk/common/api.hpp"
#include "kiosk/net/http_client.hpp"

#include <optional>
#include <string>
#include <variant>

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
    std::string detail; // for logs; never contains request secrets

    // The error code of an HttpError answer, or "" when there is none.
    [[nodiscard]] std::string_view code() const {
        return error ? std::string_view(error->code) : std::string_view();
    }
};

template <typename T> using ApiResult = std::variant<T, ApiFailure>;

class CentralClient {
public:
    // `base_url` is the central's root, e.g. "https://central.example:8443".
    CentralClient(std::string base_url, ClientSettings settings);

    ApiResult<api::HealthResponse> health();
    ApiResult<api::StartVerificationResponse>
    start_verification(const api::StartVerificationRequest& request);
    ApiResult<api::CheckCodeResponse> check_code(const std::string& challenge_id,
                                                 const api::CheckCodeRequest& request);
    ApiResult<api::ResetPasswordResponse> reset_password(const api::ResetPasswordRequest& request);
    ApiResult<api::AccountStatusResponse> account_status(const api::AccountStatusRequest& request);

private:
    template <typename T> ApiResult<T> interpret(HttpResult&& result);

    std::string base_url_;
    HttpsClient http_;
};

// Writes `value` as a JSON string literal (quotes included) into `out` without any
// intermediate copy, so secrets can be serialised into a buffer that is wiped later.
void append_json_string(std::string& out, std::string_view value);

} // namespace kiosk::net
