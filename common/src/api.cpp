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
    if (v.retry_after_seconds) {
        j["retry_after_seconds"] = *v.retry_after_seconds;
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
    if (j.contains("retry_after_seconds")) {
        v.retry_after_seconds = j.at("retry_after_seconds").get<int>();
    }
}

void to_json(json& j, const HealthResponse& v) {
    j = json{{"status", v.status}, {"version", v.version}};
}
void from_json(const json& j, HealthResponse& v) {
    j.at("status").get_to(v.status);
    j.at("version").get_to(v.version);
}

void to_json(json& j, const VerificationOptionsRequest& v) {
    j = json{{"identifier", v.identifier}, {"purpose", v.purpose}};
}
void from_json(const json& j, VerificationOptionsRequest& v) {
    j.at("identifier").get_to(v.identifier);
    v.purpose = j.value("purpose", "any");
}

void to_json(json& j, const VerificationOption& v) {
    j = json{{"method", v.method}, {"hint", v.hint}};
}
void from_json(const json& j, VerificationOption& v) {
    j.at("method").get_to(v.method);
    v.hint = j.value("hint", "");
}

void to_json(json& j, const VerificationOptionsResponse& v) {
    j = json{{"methods", v.methods}};
}
void from_json(const json& j, VerificationOptionsResponse& v) {
    j.at("methods").get_to(v.methods);
}

void to_json(json& j, const PasswordPolicyResponse& v) {
    j = json{{"min_length", v.min_length}, {"max_length", v.max_length}, {"common", v.common},
             {"breached", v.breached},     {"context", v.context},       {"history", v.history}};
}
void from_json(const json& j, PasswordPolicyResponse& v) {
    j.at("min_length").get_to(v.min_length);
    j.at("max_length").get_to(v.max_length);
    v.common = j.value("common", true);
    v.breached = j.value("breached", false);
    v.context = j.value("context", true);
    v.history = j.value("history", 0);
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
             {"code_length", v.code_length},
             {"resend_after_seconds", v.resend_after_seconds}};
}
void from_json(const json& j, StartVerificationResponse& v) {
    j.at("challenge_id").get_to(v.challenge_id);
    j.at("expires_in_seconds").get_to(v.expires_in_seconds);
    v.code_length = j.value("code_length", 6);
    v.resend_after_seconds = j.value("resend_after_seconds", 0);
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
    j["methods"] = v.methods;
}
void from_json(const json& j, AccountStatusResponse& v) {
    j.at("state").get_to(v.state);
    j.at("display_name").get_to(v.display_name);
    j.at("password_changed_at").get_to(v.password_changed_at);
    if (j.contains("locked_until")) {
        v.locked_until = j.at("locked_until").get<std::string>();
    }
    // Absent from centrals older than the kiosk's status screen: the screen then omits it.
    if (j.contains("methods")) {
        j.at("methods").get_to(v.methods);
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

namespace {
// Optional string fields: absent or null read as none; written only when set.
void put_optional(json& j, const char* name, const std::optional<std::string>& value) {
    if (value) {
        j[name] = *value;
    }
}
std::optional<std::string> get_optional(const json& j, const char* name) {
    if (!j.contains(name) || j.at(name).is_null()) {
        return std::nullopt;
    }
    return j.at(name).get<std::string>();
}
} // namespace

void to_json(json& j, const CreateTicketRequest& v) {
    j = json{{"category", v.category},
             {"description", v.description},
             {"contact_preference", v.contact_preference},
             {"language", v.language}};
    put_optional(j, "identifier", v.identifier);
    put_optional(j, "verification_token", v.verification_token);
}
void from_json(const json& j, CreateTicketRequest& v) {
    v.identifier = get_optional(j, "identifier");
    v.verification_token = get_optional(j, "verification_token");
    j.at("category").get_to(v.category);
    j.at("description").get_to(v.description);
    j.at("contact_preference").get_to(v.contact_preference);
    j.at("language").get_to(v.language);
}

void to_json(json& j, const TicketCreatedResponse& v) {
    j = json{{"reference", v.reference}, {"status", v.status}, {"created_at", v.created_at}};
}
void from_json(const json& j, TicketCreatedResponse& v) {
    j.at("reference").get_to(v.reference);
    j.at("status").get_to(v.status);
    j.at("created_at").get_to(v.created_at);
}

void to_json(json& j, const TicketView& v) {
    j = json{{"reference", v.reference},   {"status", v.status},         {"category", v.category},
             {"created_at", v.created_at}, {"updated_at", v.updated_at}, {"resolved_at", nullptr}};
    if (v.resolved_at) {
        j["resolved_at"] = *v.resolved_at;
    }
}
void from_json(const json& j, TicketView& v) {
    j.at("reference").get_to(v.reference);
    j.at("status").get_to(v.status);
    j.at("category").get_to(v.category);
    j.at("created_at").get_to(v.created_at);
    j.at("updated_at").get_to(v.updated_at);
    v.resolved_at = get_optional(j, "resolved_at");
}

void to_json(json& j, const TicketStatusChangeRequest& v) {
    j = json{{"status", v.status}};
    put_optional(j, "note", v.note);
}
void from_json(const json& j, TicketStatusChangeRequest& v) {
    j.at("status").get_to(v.status);
    v.note = get_optional(j, "note");
}

void to_json(json& j, const FeedbackRequest& v) {
    j = json{
        {"rating", v.rating}, {"comment", v.comment}, {"flow", v.flow}, {"outcome", v.outcome}};
    put_optional(j, "kiosk_id", v.kiosk_id);
}
void from_json(const json& j, FeedbackRequest& v) {
    if (!j.at("rating").is_number_integer()) {
        throw json::type_error::create(302, "rating must be an integer", &j);
    }
    j.at("rating").get_to(v.rating);
    v.comment = j.contains("comment") ? j.at("comment").get<std::string>() : std::string();
    j.at("flow").get_to(v.flow);
    j.at("outcome").get_to(v.outcome);
    v.kiosk_id = get_optional(j, "kiosk_id");
}

void to_json(json& j, const FeedbackResponse& v) {
    j = json{{"reference", v.reference}, {"received_at", v.received_at}};
}
void from_json(const json& j, FeedbackResponse& v) {
    j.at("reference").get_to(v.reference);
    j.at("received_at").get_to(v.received_at);
}

void to_json(json& j, const KioskAuditEvent& v) {
    j = json{{"action", v.action}, {"actor", v.actor}, {"detail", v.detail}, {"at", v.at}};
    put_optional(j, "flow", v.flow);
    put_optional(j, "last_screen", v.last_screen);
    put_optional(j, "outcome", v.outcome);
}
void from_json(const json& j, KioskAuditEvent& v) {
    j.at("action").get_to(v.action);
    j.at("actor").get_to(v.actor);
    v.detail = j.contains("detail") ? j.at("detail").get<std::string>() : std::string();
    j.at("at").get_to(v.at);
    v.flow = get_optional(j, "flow");
    v.last_screen = get_optional(j, "last_screen");
    v.outcome = get_optional(j, "outcome");
}

void to_json(json& j, const KioskAuditEventResponse& v) {
    j = json{{"sequence", v.sequence}, {"recorded_at", v.recorded_at}};
}
void from_json(const json& j, KioskAuditEventResponse& v) {
    j.at("sequence").get_to(v.sequence);
    j.at("recorded_at").get_to(v.recorded_at);
}

void to_json(json& j, const ContactUpdateRequest& v) {
    j = json{{"verification_token", v.verification_token}};
    if (v.email) {
        j["email"] = *v.email;
    }
    if (v.phone) {
        j["phone"] = *v.phone;
    }
}
void from_json(const json& j, ContactUpdateRequest& v) {
    j.at("verification_token").get_to(v.verification_token);
    if (j.contains("email")) {
        v.email = j.at("email").get<std::string>();
    }
    if (j.contains("phone")) {
        v.phone = j.at("phone").get<std::string>();
    }
}

void to_json(json& j, const ContactUpdateResponse& v) {
    j = json{{"reference", v.reference}, {"completed_at", v.completed_at}};
}
void from_json(const json& j, ContactUpdateResponse& v) {
    j.at("reference").get_to(v.reference);
    j.at("completed_at").get_to(v.completed_at);
}

void to_json(json& j, const ActivationRequest& v) {
    j = json{{"identifier", v.identifier},
             {"activation_code", v.activation_code},
             {"new_password", v.new_password}};
}
void from_json(const json& j, ActivationRequest& v) {
    j.at("identifier").get_to(v.identifier);
    j.at("activation_code").get_to(v.activation_code);
    j.at("new_password").get_to(v.new_password);
}

void to_json(json& j, const ActivationResponse& v) {
    j = json{{"activation_id", v.activation_id},
             {"otpauth_uri", v.otpauth_uri},
             {"secret", v.secret},
             {"expires_in_seconds", v.expires_in_seconds}};
}
void from_json(const json& j, ActivationResponse& v) {
    j.at("activation_id").get_to(v.activation_id);
    j.at("otpauth_uri").get_to(v.otpauth_uri);
    j.at("secret").get_to(v.secret);
    j.at("expires_in_seconds").get_to(v.expires_in_seconds);
}

void to_json(json& j, const ActivationConfirmRequest& v) {
    j = json{{"code", v.code}};
}
void from_json(const json& j, ActivationConfirmRequest& v) {
    j.at("code").get_to(v.code);
}

void to_json(json& j, const ActivationConfirmResponse& v) {
    j = json{{"reference", v.reference}, {"completed_at", v.completed_at}};
}
void from_json(const json& j, ActivationConfirmResponse& v) {
    j.at("reference").get_to(v.reference);
    j.at("completed_at").get_to(v.completed_at);
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
KIOSK_API_TYPE(VerificationOptionsRequest)
KIOSK_API_TYPE(VerificationOptionsResponse)
KIOSK_API_TYPE(PasswordPolicyResponse)
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
KIOSK_API_TYPE(CreateTicketRequest)
KIOSK_API_TYPE(TicketCreatedResponse)
KIOSK_API_TYPE(TicketView)
KIOSK_API_TYPE(TicketStatusChangeRequest)
KIOSK_API_TYPE(FeedbackRequest)
KIOSK_API_TYPE(FeedbackResponse)
KIOSK_API_TYPE(KioskAuditEvent)
KIOSK_API_TYPE(KioskAuditEventResponse)
KIOSK_API_TYPE(ContactUpdateRequest)
KIOSK_API_TYPE(ContactUpdateResponse)
KIOSK_API_TYPE(ActivationRequest)
KIOSK_API_TYPE(ActivationResponse)
KIOSK_API_TYPE(ActivationConfirmRequest)
KIOSK_API_TYPE(ActivationConfirmResponse)
#undef KIOSK_API_TYPE

} // namespace kiosk::api
