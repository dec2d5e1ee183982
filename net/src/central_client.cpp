// Typed calls to the central. Bodies that carry secrets are built in one pre-sized buffer
// and wiped after sending, so no stray copy is left in freed memory.
#include "kiosk/net/central_client.hpp"

#include "kiosk/common/secret.hpp"

#include <nlohmann/json.hpp>

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

// Our own base64url tokens (challenge and activation ids): anything else must not reach a URL.
bool is_token(const std::string& id) {
    return !id.empty() && id.size() <= 128 &&
           id.find_first_not_of(
               "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
               std::string::npos;
}

// Overwrites every string in `doc` (keys too): a parse tree of a secret answer is freed
// like any other, and must not leave the secret behind in freed memory.
void wipe_json_strings(nlohmann::json& doc) {
    if (doc.is_string()) {
        secure_wipe(doc.get_ref<std::string&>());
    } else if (doc.is_object()) {
        for (auto& [key, value] : doc.items()) {
            wipe_json_strings(value);
        }
    } else if (doc.is_array()) {
        for (auto& value : doc) {
            wipe_json_strings(value);
        }
    }
}

// Room for the worst case (every byte escaped as \u00XX) so the buffer never reallocates.
std::string secret_body_buffer(std::size_t secret_bytes) {
    std::string body;
    body.reserve(secret_bytes * 6 + 256);
    return body;
}

// Challenge ids are the central's base64url tokens; anything else must not reach the URL.
bool valid_challenge_id(const std::string& id) {
    return !id.empty() && id.size() <= 64 &&
           id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg"
                                "hijklmnopqrstuvwxyz0123456789-_") == std::string::npos;
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
    if (auto retry_after = response.header("retry-after")) {
        f.retry_after = parse_retry_after(*retry_after, std::chrono::system_clock::now());
    }
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

ApiResult<api::PasswordPolicyResponse> CentralClient::password_policy() {
    return interpret<api::PasswordPolicyResponse>(http_.get(base_url_ + "/v1/password-policy"));
}

ApiResult<api::StartVerificationResponse>
CentralClient::start_verification(const api::StartVerificationRequest& request) {
    return interpret<api::StartVerificationResponse>(
        http_.post_json(base_url_ + "/v1/verifications", api::serialize(request)));
}

ApiResult<api::VerificationOptionsResponse>
CentralClient::verification_options(const api::VerificationOptionsRequest& request) {
    return interpret<api::VerificationOptionsResponse>(
        http_.post_json(base_url_ + "/v1/verification-options", api::serialize(request)));
}

ApiResult<api::StartVerificationResponse>
CentralClient::resend_code(const std::string& challenge_id) {
    if (!valid_challenge_id(challenge_id)) {
        ApiFailure f;
        f.kind = ApiFailure::Kind::BadResponse;
        f.detail = "malformed challenge id";
        return f;
    }
    return interpret<api::StartVerificationResponse>(
        http_.post_json(base_url_ + "/v1/verifications/" + challenge_id + "/resend", "{}"));
}

ApiResult<api::CheckCodeResponse> CentralClient::check_code(const std::string& challenge_id,
                                                            const api::CheckCodeRequest& request) {
    std::string body = secret_body_buffer(request.code.size());
    body.append("{\"code\":");
    append_json_string(body, request.code);
    body.push_back('}');
    std::string path = base_url_ + "/v1/verifications/";
    if (!valid_challenge_id(challenge_id)) {
        secure_wipe(body);
        ApiFailure f;
        f.kind = ApiFailure::Kind::BadResponse;
        f.detail = "malformed challenge id";
        return f;
    }
    path += challenge_id + "/check";
    auto result = http_.post_secret_json(path, body);
    secure_wipe(body);
    return interpret<api::CheckCodeResponse>(std::move(result));
}

ApiResult<api::ResetPasswordResponse>
CentralClient::reset_password(const api::ResetPasswordRequest& request,
                              std::string_view idempotency_key) {
    std::string body =
        secret_body_buffer(request.new_password.size() + request.verification_token.size());
    body.append("{\"verification_token\":");
    append_json_string(body, request.verification_token);
    body.append(",\"new_password\":");
    append_json_string(body, request.new_password);
    body.push_back('}');
    std::vector<Header> headers;
    if (!idempotency_key.empty()) {
        headers.emplace_back("Idempotency-Key", std::string(idempotency_key));
    }
    auto result = http_.post_secret_json(base_url_ + "/v1/password-resets", body, headers);
    secure_wipe(body);
    return interpret<api::ResetPasswordResponse>(std::move(result));
}

ApiResult<api::AccountStatusResponse>
CentralClient::account_status(const api::AccountStatusRequest& request) {
    std::string body = secret_body_buffer(request.verification_token.size());
    body.append("{\"verification_token\":");
    append_json_string(body, request.verification_token);
    body.push_back('}');
    auto result = http_.post_secret_json(base_url_ + "/v1/account-status", body);
    secure_wipe(body);
    return interpret<api::AccountStatusResponse>(std::move(result));
}

ApiResult<api::UnlockResponse> CentralClient::unlock(const api::UnlockRequest& request) {
    std::string body = secret_body_buffer(request.verification_token.size());
    body.append("{\"verification_token\":");
    append_json_string(body, request.verification_token);
    body.push_back('}');
    auto result = http_.post_secret_json(base_url_ + "/v1/unlocks", body);
    secure_wipe(body);
    return interpret<api::UnlockResponse>(std::move(result));
}

ApiResult<api::TicketCreatedResponse>
CentralClient::create_ticket(const api::CreateTicketRequest& request,
                             std::string_view idempotency_key) {
    std::vector<Header> headers;
    if (!idempotency_key.empty()) {
        headers.emplace_back("Idempotency-Key", std::string(idempotency_key));
    }
    std::string body = api::serialize(request); // a verified person's token is in it
    auto reply = http_.post_json(base_url_ + "/v1/tickets", body, headers);
    secure_wipe(body);
    return interpret<api::TicketCreatedResponse>(std::move(reply));
}

ApiResult<api::FeedbackResponse> CentralClient::send_feedback(const api::FeedbackRequest& request,
                                                              std::string_view idempotency_key) {
    std::vector<Header> headers;
    if (!idempotency_key.empty()) {
        headers.emplace_back("Idempotency-Key", std::string(idempotency_key));
    }
    return interpret<api::FeedbackResponse>(
        http_.post_json(base_url_ + "/v1/feedback", api::serialize(request), headers));
}

ApiResult<api::ActivationResponse>
CentralClient::start_activation(const api::ActivationRequest& request) {
    std::string body = secret_body_buffer(
        request.identifier.size() + request.activation_code.size() + request.new_password.size());
    body.append("{\"identifier\":");
    append_json_string(body, request.identifier);
    body.append(",\"activation_code\":");
    append_json_string(body, request.activation_code);
    body.append(",\"new_password\":");
    append_json_string(body, request.new_password);
    body.push_back('}');
    auto result = http_.post_secret_json(base_url_ + "/v1/activations", body);
    secure_wipe(body);
    auto* response = std::get_if<HttpResponse>(&result);
    if (response == nullptr || response->status < 200 || response->status >= 300) {
        return interpret<api::ActivationResponse>(std::move(result)); // no secret in these
    }
    // Read here rather than by api::parse, so that every copy of the secret on the way is
    // wiped: the body, the parse tree's strings.
    auto doc = nlohmann::json::parse(response->body, nullptr, /*allow_exceptions=*/false);
    secure_wipe(response->body);
    ApiResult<api::ActivationResponse> answer = [&]() -> ApiResult<api::ActivationResponse> {
        const auto text = [&](const char* name) -> std::string* {
            if (!doc.is_object() || !doc.contains(name) || !doc[name].is_string()) {
                return nullptr;
            }
            return &doc[name].get_ref<std::string&>();
        };
        auto* id = text("activation_id");
        auto* uri = text("otpauth_uri");
        auto* secret = text("secret");
        if (id == nullptr || uri == nullptr || secret == nullptr ||
            !doc["expires_in_seconds"].is_number_integer()) {
            ApiFailure f;
            f.kind = ApiFailure::Kind::BadResponse;
            f.http_status = response->status;
            f.detail = "unreadable activation answer";
            return f;
        }
        api::ActivationResponse out;
        // Reserved first, so the copies are made once, into buffers of their final size.
        out.otpauth_uri.reserve(uri->size());
        out.otpauth_uri.append(*uri);
        out.secret.reserve(secret->size());
        out.secret.append(*secret);
        out.activation_id.reserve(id->size());
        out.activation_id.append(*id);
        out.expires_in_seconds = doc["expires_in_seconds"].get<int>();
        return out;
    }();
    if (!doc.is_discarded()) {
        wipe_json_strings(doc);
    }
    return answer;
}

ApiResult<api::ActivationConfirmResponse>
CentralClient::confirm_activation(const std::string& activation_id,
                                  const api::ActivationConfirmRequest& request) {
    if (!is_token(activation_id)) {
        ApiFailure f;
        f.kind = ApiFailure::Kind::BadResponse;
        f.detail = "malformed activation id";
        return f;
    }
    std::string body = secret_body_buffer(request.code.size());
    body.append("{\"code\":");
    append_json_string(body, request.code);
    body.push_back('}');
    std::string path = base_url_ + "/v1/activations/";
    path.reserve(path.size() + activation_id.size() + 8);
    path.append(activation_id).append("/confirm");
    auto result = http_.post_secret_json(path, body);
    secure_wipe(body);
    secure_wipe(path);
    return interpret<api::ActivationConfirmResponse>(std::move(result));
}

ApiResult<api::ContactUpdateResponse>
CentralClient::update_contact(const api::ContactUpdateRequest& request) {
    std::string body =
        secret_body_buffer(request.verification_token.size() + request.email.value_or("").size() +
                           request.phone.value_or("").size());
    body.append("{\"verification_token\":");
    append_json_string(body, request.verification_token);
    if (request.email) {
        body.append(",\"email\":");
        append_json_string(body, *request.email);
    }
    if (request.phone) {
        body.append(",\"phone\":");
        append_json_string(body, *request.phone);
    }
    body.push_back('}');
    auto result = http_.post_secret_json(base_url_ + "/v1/contact-details", body);
    secure_wipe(body);
    return interpret<api::ContactUpdateResponse>(std::move(result));
}

template <> ApiResult<SyncBatchResponse> CentralClient::interpret(HttpResult&& result) {
    // The batch answer is read here rather than in api.cpp: only the sync worker needs it,
    // and it checks the answer against the items it sent.
    if (auto* failure = std::get_if<TransportFailure>(&result)) {
        ApiFailure f;
        f.transport = failure->kind;
        f.detail = std::move(failure->detail);
        return f;
    }
    auto& response = std::get<HttpResponse>(result);
    if (response.status != 200) {
        ApiFailure f;
        f.kind = ApiFailure::Kind::HttpError;
        f.http_status = response.status;
        if (auto retry_after = response.header("retry-after")) {
            f.retry_after = parse_retry_after(*retry_after, std::chrono::system_clock::now());
        }
        f.error = api::parse_error(response.body);
        f.detail = "HTTP " + std::to_string(response.status);
        if (f.error) {
            f.detail += " " + f.error->code;
        }
        return f;
    }
    ApiFailure bad;
    bad.kind = ApiFailure::Kind::BadResponse;
    bad.http_status = response.status;
    bad.detail = "unreadable sync batch answer";
    const auto doc = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("results") ||
        !doc["results"].is_array()) {
        return bad;
    }
    SyncBatchResponse answer;
    for (const auto& item : doc["results"]) {
        if (!item.is_object() || !item.contains("idempotency_key") ||
            !item["idempotency_key"].is_string() || !item.contains("status") ||
            !item["status"].is_number_integer()) {
            return bad;
        }
        SyncItemResult r;
        r.idempotency_key = item["idempotency_key"].get<std::string>();
        r.status = item["status"].get<long>();
        if (item.contains("body") && item["body"].is_object() && item["body"].contains("error") &&
            item["body"]["error"].is_object() && item["body"]["error"].contains("code") &&
            item["body"]["error"]["code"].is_string()) {
            r.error_code = item["body"]["error"]["code"].get<std::string>();
        }
        answer.results.push_back(std::move(r));
    }
    return answer;
}

ApiResult<SyncBatchResponse> CentralClient::sync_batch(const std::vector<SyncItem>& items) {
    std::size_t size = 32;
    for (const auto& item : items) {
        size += item.idempotency_key.size() + item.route.size() + item.payload.size() * 6 + 64;
    }
    std::string body = secret_body_buffer(size);
    body.append("{\"items\":[");
    for (std::size_t i = 0; i < items.size(); ++i) {
        const auto& item = items[i];
        body.append(i == 0 ? "{" : ",{");
        body.append("\"idempotency_key\":");
        append_json_string(body, item.idempotency_key);
        body.append(",\"route\":");
        append_json_string(body, item.route);
        if (item.sealed) {
            body.append(",\"sealed\":");
            append_json_string(body, item.payload);
        } else {
            // The outbox checked at enqueue that the payload is one JSON object.
            body.append(",\"body\":");
            body.append(item.payload);
        }
        body.push_back('}');
    }
    body.append("]}");
    auto answer = interpret<SyncBatchResponse>(http_.post_json(base_url_ + "/v1/sync/batch", body));
    secure_wipe(body);
    if (auto* ok = std::get_if<SyncBatchResponse>(&answer)) {
        bool matches = ok->results.size() == items.size();
        for (std::size_t i = 0; matches && i < items.size(); ++i) {
            matches = ok->results[i].idempotency_key == items[i].idempotency_key;
        }
        if (!matches) {
            ApiFailure bad;
            bad.kind = ApiFailure::Kind::BadResponse;
            bad.http_status = 200;
            bad.detail = "sync batch answer does not match the items sent";
            return bad;
        }
    }
    return answer;
}

} // namespace kiosk::net
