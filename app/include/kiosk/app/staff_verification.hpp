// Staff in-person verification from the kiosk: what maintenance mode sends to the central
// (POST /v1/staff-verifications) and what comes back, and the pure functions that write the
// request and read the answer. The call itself runs with the kiosk's identity on the fleet
// thread (KioskRuntime::verify_user); docs/internals/maintenance.md, "Verify a user".
#pragma once

#include "kiosk/common/secret.hpp"
#include "kiosk/net/http_client.hpp"

#include <string>

namespace kiosk::app {

struct StaffVerifyRequest {
    std::string identifier;        // the user's username, e-mail address or employee ID
    SecretString staff_credential; // the staff member's own admin/helpdesk credential
    std::string reason;            // why, in staff's words (audited at the central)
};

struct StaffVerifyResult {
    enum class Status {
        Verified,
        StaffCredentialInvalid, // 401 staff_credential_invalid
        Forbidden,              // 403: the credential's role may not vouch (auditor)
        AccountNotFound,        // 404
        AccountDisabled,        // 409
        NotEnrolled,            // no client certificate the central accepts (or no fleet agent)
        Unreachable,            // no answer from the central
        Failed,                 // any other answer: see detail
    };
    Status status = Status::Failed;
    SecretString token;       // Verified: the single-use verification token (method "staff")
    std::string username;     // Verified: the account the token is for
    std::string display_name; // Verified: shown to staff to match the photo ID
    std::string reference;    // Verified: STF-…, the central's audit reference
    std::string detail;       // plain words for logs and the page; never a secret
};

// The JSON body, written straight into a buffer the caller wipes (it holds the credential).
std::string staff_verification_body(const StaffVerifyRequest& request);
// Reads the central's answer (or the transport failure) into a result.
StaffVerifyResult read_staff_verification(net::HttpResult& answer);

inline constexpr const char* kStaffVerificationRoute = "/v1/staff-verifications";

} // namespace kiosk::app
