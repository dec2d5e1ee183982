// Staff in-person verification, the kiosk's side: the request body (the staff credential
// written once into a buffer that is wiped), the answer read into a StaffVerifyResult, and
// KioskRuntime::verify_user, which sends it with this kiosk's identity on the fleet thread.
#include "kiosk/app/staff_verification.hpp"

#include "kiosk/agent/fleet_agent.hpp"
#include "kiosk/app/kiosk_runtime.hpp"
#include "kiosk/net/central_client.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace kiosk::app {

std::string staff_verification_body(const StaffVerifyRequest& request) {
    std::string body;
    body.reserve(128 + request.identifier.size() + request.staff_credential.size() +
                 request.reason.size());
    body += "{\"identifier\":";
    net::append_json_string(body, request.identifier);
    body += ",\"staff_credential\":";
    net::append_json_string(body, request.staff_credential.view());
    body += ",\"reason\":";
    net::append_json_string(body, request.reason);
    body += ",\"id_checked\":true}";
    return body;
}

StaffVerifyResult read_staff_verification(net::HttpResult& answer) {
    using Status = StaffVerifyResult::Status;
    StaffVerifyResult result;
    if (auto* failure = std::get_if<net::TransportFailure>(&answer)) {
        result.status = Status::Unreachable;
        result.detail = "no answer from the central: " + failure->detail;
        return result;
    }
    auto& response = std::get<net::HttpResponse>(answer);
    nlohmann::json doc = nlohmann::json::parse(response.body, nullptr, false);
    secure_wipe(response.body); // holds the token on success
    if (response.status == 201) {
        const bool ok = doc.is_object() && doc.contains("verification_token") &&
                        doc["verification_token"].is_string() &&
                        doc.value("method", "") == "staff" && doc.contains("username") &&
                        doc["username"].is_string();
        if (!ok) {
            result.detail = "the central's answer could not be read";
        } else {
            auto& token = doc["verification_token"].get_ref<std::string&>();
            result.token.assign(token);
            secure_wipe(token);
            result.status = Status::Verified;
            result.username = doc["username"].get<std::string>();
            result.display_name = doc.value("display_name", "");
            result.reference = doc.value("reference", "");
        }
        return result;
    }
    std::string code;
    if (doc.is_object() && doc.contains("error") && doc["error"].is_object()) {
        code = doc["error"].value("code", "");
        result.detail = doc["error"].value("message", "");
    }
    if (result.detail.empty()) {
        result.detail = "HTTP " + std::to_string(response.status);
    }
    if (code == "staff_credential_invalid") {
        result.status = Status::StaffCredentialInvalid;
    } else if (code == "forbidden") {
        result.status = Status::Forbidden;
    } else if (code == "account_not_found") {
        result.status = Status::AccountNotFound;
    } else if (code == "account_disabled") {
        result.status = Status::AccountDisabled;
    } else if (code.rfind("client_certificate_", 0) == 0) { // required, invalid, revoked
        result.status = Status::NotEnrolled;
    }
    return result;
}

StaffVerifyResult KioskRuntime::verify_user(const StaffVerifyRequest& request) {
    StaffVerifyResult result;
    result.status = StaffVerifyResult::Status::NotEnrolled;
    result.detail = "this kiosk has no fleet identity (signed configuration is off)";
    on_fleet_thread([&] {
        if (!agent_->enrolled()) {
            result.detail = "this kiosk is not enrolled at the central yet";
            return;
        }
        std::string body = staff_verification_body(request);
        auto answer = agent_->post_as_kiosk(kStaffVerificationRoute, body);
        secure_wipe(body);
        result = read_staff_verification(answer);
    });
    spdlog::info("staff verification: {}", result.status == StaffVerifyResult::Status::Verified
                                               ? "verified in person (" + result.reference + ")"
                                               : "not verified: " + result.detail);
    return result;
}

} // namespace kiosk::app
