// Typed calls to the central. Bodies that carry secrets are built in one pre-sized buffer
// and wiped after sending, so no stray copy is left in freed memory.
#include "kiosk/net/central_client.hpp"

#include "kiosk/common/secret.hpp"

namespace kiosk::net {

void append_json_string(std::string& out, std::string_view value) {
    static constexpr std::string_view kHex = "0123456789abcdef";
    out.push_back('"');
    for (char c : value) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(c);
        } else if (byte < 0x20) {
            out.append("\\u00");
            out.push_back(kHex[byte >> 4]);
            out.push_back(kHex[byte & 0xf]);
        } else {
            out.push_back(c);
        }
    }
    out.push_back('"');
}

namespace {

// Room for the worst case (every byte escaped as \u00XX) so the buffer never reallocates.
std::string secret_body_buffer(std::size_t secret_bytes) {
    std::string body;
    body.reserve(secret_bytes * 6 + 256);
    return body;
}

} // namespace

CentralClient::CentralClient(std::string base_url, ClientSettings settings)
    : base_url_(std::move(base_url)), http_(std::move(settings)) {
    while (!base_url_.empty() && base_url_.back() == '/') {
        base_url_.pop_back();
    }
}

template <typename T> ApiResult<T> CentralClient::interpret(HttpResult&& result) {
    if (auto* failure = std::get_if<TransportFailure>(&result)) {
        ApiFailure f;
        f.kind = ApiFailure::Kind::Transport;
        f.transport = failure->kind;
        f.detail = std::move(failure->detail);
        return f;
    }
    auto& response = std::get<HttpResponse>(result);
    if (response.status >= 200 && response.status < 300) {
        if (auto parsed = api::parse<T>(response.body)) {
            return std::move(*parsed);
        }
        ApiFailure f;
        f.kind = ApiFailure::Kind::BadResponse;
        f.http_status = response.status;
        f.detail = "unreadable " + std::to_string(response.status) + " answer";
        return f;
    }
    ApiFailure f;
    f.kind = ApiFailure::Kind::HttpError;
    f.http_status = response.status;
    f.error = api::parse_error(response.body);
    f.detail = "HTTP " + std::to_string(response.status);
    if (f.error) {
        f.detail += " " + f.error->code;
    }
    return f;
}

ApiResult<api::HealthResponse> CentralClient::health() {
    return interpret<api::HealthResponse>(http_.get(base_url_ + "/v1/health"));
}

ApiResult<api::StartVerificationResponse>
CentralClient::start_verification(const api::StartVerificationRequest& request) {
    return interpret<api::StartVerificationResponse>(
        http_.post_json(base_url_ + "/v1/verifications", api::serialize(request)));
}

ApiResult<api::CheckCodeResponse> CentralClient::check_code(const std::string& challenge_id,
                                                            const api::CheckCodeRequest& request) {
    std::string body = secret_body_buffer(request.code.size());
    body.append("{\"code\":");
    append_json_string(body, request.code);
    body.push_back('}');
    std::string path = base_url_ + "/v1/verifications/";
    // Challenge ids are our own base64url tokens; anything else must not reach the URL.
    if (challenge_id.empty() ||
        challenge_id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg"
                                       "hijklmnopqrstuvwxyz0123456789-_") != std::string::npos) {
        secure_wipe(body);
        ApiFailure f;
        f.kind = ApiFailure::Kind::BadResponse;
        f.detail = "malformed challenge id";
        return f;
    }
    path += challenge_id + "/check";
    auto result = http_.post_json(path, body);
    secure_wipe(body);
    return interpret<api::CheckCodeResponse>(std::move(result));
}

ApiResult<api::ResetPasswordResponse>
CentralClient::reset_password(const api::ResetPasswordRequest& request) {
    std::string body =
        secret_body_buffer(request.new_password.size() + request.verification_token.size());
    body.append("{\"verification_token\":");
    append_json_string(body, request.verification_token);
    body.append(",\"new_password\":");
    append_json_string(body, request.new_password);
    body.push_back('}');
    auto result = http_.post_json(base_url_ + "/v1/password-resets", body);
    secure_wipe(body);
    return interpret<api::ResetPasswordResponse>(std::move(result));
}

ApiResult<api::AccountStatusResponse>
CentralClient::account_status(const api::AccountStatusRequest& request) {
    std::string body = secret_body_buffer(request.verification_token.size());
    body.append("{\"verification_token\":");
    append_json_string(body, request.verification_token);
    body.push_back('}');
    auto result = http_.post_json(base_url_ + "/v1/account-status", body);
    secure_wipe(body);
    return interpret<api::AccountStatusResponse>(std::move(result));
}

} // namespace kiosk::net
