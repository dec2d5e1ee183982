// JSON mapping of the API wire types. Unknown fields are ignored when reading (forward
// compatibility); missing required fields make parse() fail.
#include "kiosk/common/api.hpp"

#include <nlohmann/json.hpp>

namespace kiosk::api {

using nlohmann::json;

void to_json(json& j, const ApiError& v) {
    j = json{{"code", v.code}, {"message", v.message}};
    if (v.attempts_left) {
        j["attempts_left"] = *v.attempts_left;
    }
    if (v.min_length) {
        j["min_length"] = *v.min_length;
    }
}
void from_json(const json& j, ApiError& v) {
    j.at("code").get_to(v.code);
    v.message = j.value("message", "");
    if (j.contains("attempts_left")) {
        v.attempts_left = j.at("attempts_left").get<int>();
    }
    if (j.contains("min_length")) {
        v.min_length = j.at("min_length").get<int>();
    }
}

void to_json(json& j, const HealthResponse& v) {
    j = json{{"status", v.status}, {"version", v.version}};
}
void from_json(const json& j, HealthResponse& v) {
    j.at("status").get_to(v.status);
    j.at("version").get_to(v.version);
}

void to_json(json& j, const StartVerificationRequest& v) {
    j = json{{"identifier", v.identifier}, {"method", v.method}};
}
void from_json(const json& j, StartVerificationRequest& v) {
    j.at("identifier").get_to(v.identifier);
    v.method = j.value("method", "email");
}

void to_json(json& j, const StartVerificationResponse& v) {
    j = json{{"challenge_id", v.challenge_id},
             {"expires_in_seconds", v.expires_in_seconds},
             {"code_length", v.code_length}};
}
void from_json(const json& j, StartVerificationResponse& v) {
    j.at("challenge_id").get_to(v.challenge_id);
    j.at("expires_in_seconds").get_to(v.expires_in_seconds);
    v.code_length = j.value("code_length", 6);
}

void to_json(json& j, const CheckCodeRequest& v) {
    j = json{{"code", v.code}};
}
void from_json(const json& j, CheckCodeRequest& v) {
    j.at("code").get_to(v.code);
}

void to_json(json& j, const CheckCodeResponse& v) {
    j = json{{"verification_token", v.verification_token},
             {"expires_in_seconds", v.expires_in_seconds}};
}
void from_json(const json& j, CheckCodeResponse& v) {
    j.at("verification_token").get_to(v.verification_token);
    j.at("expires_in_seconds").get_to(v.expires_in_seconds);
}

void to_json(json& j, const ResetPasswordRequest& v) {
    j = json{{"verification_token", v.verification_token}, {"new_password", v.new_password}};
}
void from_json(const json& j, ResetPasswordRequest& v) {
    j.at("verification_token").get_to(v.verification_token);
    j.at("new_password").get_to(v.new_password);
}

void to_json(json& j, const ResetPasswordResponse& v) {
    j = json{{"reference", v.reference}, {"completed_at", v.completed_at}};
}
void from_json(const json& j, ResetPasswordResponse& v) {
    j.at("reference").get_to(v.reference);
    j.at("completed_at").get_to(v.completed_at);
}

void to_json(json& j, const AccountStatusRequest& v) {
    j = json{{"verification_token", v.verification_token}};
}
void from_json(const json& j, AccountStatusRequest& v) {
    j.at("verification_token").get_to(v.verification_token);
}

void to_json(json& j, const AccountStatusResponse& v) {
    j = json{{"state", v.state},
             {"display_name", v.display_name},
             {"password_changed_at", v.password_changed_at}};
    if (v.locked_until) {
        j["locked_until"] = *v.locked_until;
    }
}
void from_json(const json& j, AccountStatusResponse& v) {
    j.at("state").get_to(v.state);
    j.at("display_name").get_to(v.display_name);
    j.at("password_changed_at").get_to(v.password_changed_at);
    if (j.contains("locked_until")) {
        v.locked_until = j.at("locked_until").get<std::string>();
    }
}

void to_json(json& j, const UnlockRequest& v) {
    j = json{{"verification_token", v.verification_token}};
}
void from_json(const json& j, UnlockRequest& v) {
    j.at("verification_token").get_to(v.verification_token);
}

void to_json(json& j, const UnlockResponse& v) {
    j = json{{"reference", v.reference}, {"completed_at", v.completed_at}, {"state", v.state}};
}
void from_json(const json& j, UnlockResponse& v) {
    j.at("reference").get_to(v.reference);
    j.at("completed_at").get_to(v.completed_at);
    j.at("state").get_to(v.state);
}

void to_json(json& j, const SignInRequest& v) {
    j = json{{"username", v.username}, {"password", v.password}};
}
void from_json(const json& j, SignInRequest& v) {
    j.at("username").get_to(v.username);
    j.at("password").get_to(v.password);
}

void to_json(json& j, const SignInResponse& v) {
    j = json{{"username", v.username}, {"display_name", v.display_name}};
}
void from_json(const json& j, SignInResponse& v) {
    j.at("username").get_to(v.username);
    j.at("display_name").get_to(v.display_name);
}

template <typename T> std::optional<T> parse(std::string_view body) {
    const json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.is_object()) {
        return std::nullopt;
    }
    try {
        return doc.get<T>();
    } catch (const json::exception&) {
        return std::nullopt;
    }
}

template <typename T> std::string serialize(const T& value) {
    return json(value).dump();
}

std::optional<ApiError> parse_error(std::string_view body) {
    const json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("error")) {
        return std::nullopt;
    }
    try {
        return doc.at("error").get<ApiError>();
    } catch (const json::exception&) {
        return std::nullopt;
    }
}

std::string error_body(const ApiError& error) {
    return json{{"error", error}}.dump();
}

// Explicit instantiations: the templates live here so json.hpp stays out of headers.
#define KIOSK_API_TYPE(T)                                                                          \
    template std::optional<T> parse<T>(std::string_view);                                          \
    template std::string serialize<T>(const T&);
KIOSK_API_TYPE(ApiError)
KIOSK_API_TYPE(HealthResponse)
KIOSK_API_TYPE(StartVerificationRequest)
KIOSK_API_TYPE(StartVerificationResponse)
KIOSK_API_TYPE(CheckCodeRequest)
KIOSK_API_TYPE(CheckCodeResponse)
KIOSK_API_TYPE(ResetPasswordRequest)
KIOSK_API_TYPE(ResetPasswordResponse)
KIOSK_API_TYPE(AccountStatusRequest)
KIOSK_API_TYPE(AccountStatusResponse)
KIOSK_API_TYPE(UnlockRequest)
KIOSK_API_TYPE(UnlockResponse)
KIOSK_API_TYPE(SignInRequest)
KIOSK_API_TYPE(SignInResponse)
#undef KIOSK_API_TYPE

} // namespace kiosk::api
