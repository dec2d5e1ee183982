// Staff in-person verification and admin provisioning of activation codes. A kiosk alone
// cannot vouch for anyone: the central checks the staff member's own credential (an admin
// credential of role admin or helpdesk) AND the calling kiosk's identity, then issues a
// verification token marked "staff" that reset/unlock take like a code-verified one.
// Index: [helpers] [staff verification] [activation codes] [registration].
#include "staff_routes.hpp"

#include "fleet_routes.hpp"
#include "kiosk/central/database.hpp"
#include "kiosk/central/records.hpp"
#include "kiosk/central/time_format.hpp"
#include "kiosk/common/api.hpp"
#include "kiosk/common/random.hpp"
#include "kiosk/common/secret.hpp"
#include "route_helpers.hpp"

#include <algorithm>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace kiosk::central {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxBody = 16 * 1024;
constexpr std::size_t kMaxCredentialBytes = 256; // admin tokens are 48 characters
constexpr std::size_t kMaxReasonBytes = 500;
constexpr std::int64_t kDefaultActivationDays = 14;
constexpr std::int64_t kMaxActivationDays = 90;

// [helpers] ------------------------------------------------------------------------------

// The body as an object whose keys are all in `allowed`, or nullopt with the 4xx written.
std::optional<json> strict_body(const httplib::Request& req, httplib::Response& res,
                                std::initializer_list<std::string_view> allowed) {
    if (req.body.size() > kMaxBody) {
        write_error(res, 413, api::error_code::kPayloadTooLarge, "The request body is too large.");
        return std::nullopt;
    }
    json doc = json::parse(req.body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        write_error(res, 400, api::error_code::kBadRequest, "The body must be a JSON object.");
        return std::nullopt;
    }
    for (const auto& [key, value] : doc.items()) {
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
            write_error(res, 400, api::error_code::kUnknownField,
                        "Unknown field \"" + key.substr(0, 64) + "\".");
            return std::nullopt;
        }
    }
    return doc;
}

// Text a person typed: 1..max bytes, no control characters.
bool is_line(const json& doc, const char* field, std::size_t max) {
    if (!doc.contains(field) || !doc.at(field).is_string()) {
        return false;
    }
    const auto& s = doc.at(field).get_ref<const std::string&>();
    return !s.empty() && s.size() <= max && std::all_of(s.begin(), s.end(), [](char c) {
        return static_cast<unsigned char>(c) >= 0x20 && c != 0x7F;
    });
}

void append(const FleetSettings& settings, AuditEntry entry) {
    if (settings.records != nullptr) {
        settings.records->append_audit(std::move(entry));
    }
}

// [staff verification] -------------------------------------------------------------------

// POST /v1/staff-verifications. Order of checks: the kiosk (401/403), the body (400), the staff
// credential (401, wrong role 403), the account (404, disabled 409). Unknown accounts get
// their own answer: only an authenticated staff member at an enrolled kiosk can ask, and
// they must be able to tell a typo from a disabled account to help the person in front of
// them (docs/decisions.md).
void staff_verification(Store& store, const FleetSettings& settings, const httplib::Request& req,
                        httplib::Response& res) {
    FleetStore& fleet = *settings.store;
    // In person means at an enrolled kiosk: its client certificate (mutual TLS) says which.
    const auto caller = calling_kiosk(settings, req);
    const auto& kiosk = caller.kiosk;
    if (!kiosk) {
        write_error(res, caller.status, caller.code, caller.message);
        return;
    }
    auto doc = strict_body(req, res, {"identifier", "staff_credential", "reason", "id_checked"});
    if (!doc) {
        return;
    }
    const bool shape_ok =
        is_line(*doc, "identifier", 254) && doc->contains("staff_credential") &&
        doc->at("staff_credential").is_string() &&
        doc->at("staff_credential").get_ref<const std::string&>().size() <= kMaxCredentialBytes &&
        is_line(*doc, "reason", kMaxReasonBytes) && doc->contains("id_checked") &&
        doc->at("id_checked").is_boolean();
    if (!shape_ok) {
        if (doc->contains("staff_credential") && doc->at("staff_credential").is_string()) {
            secure_wipe(doc->at("staff_credential").get_ref<std::string&>());
        }
        write_error(res, 400, api::error_code::kBadRequest,
                    "identifier (1-254 bytes), staff_credential (a string), reason (1-500 "
                    "bytes, no control characters) and id_checked (true) are required.");
        return;
    }
    auto& credential = doc->at("staff_credential").get_ref<std::string&>();
    const auto staff = credential.empty() ? std::nullopt : fleet.admin_by_token(credential);
    secure_wipe(credential);
    const std::string identifier = doc->at("identifier").get<std::string>();
    const std::string reason = doc->at("reason").get<std::string>();
    if (!staff) {
        append(settings, audit_entry("staff_verification_refused", "unknown", "",
                                     "staff credential not recognised", kiosk->kiosk_id));
        write_error(res, 401, api::error_code::kStaffCredentialInvalid,
                    "This staff credential is not recognised. Type it again, or ask an admin.");
        return;
    }
    if (staff->role != AdminRole::admin && staff->role != AdminRole::helpdesk) {
        append(settings, audit_entry("staff_verification_refused", staff->name, "",
                                     "role " + std::string(to_string(staff->role)) +
                                         " may not vouch for users",
                                     kiosk->kiosk_id));
        write_error(res, 403, api::error_code::kForbidden,
                    "The role " + std::string(to_string(staff->role)) +
                        " may not vouch for users: only admin and helpdesk staff may.");
        return;
    }
    if (!doc->at("id_checked").get<bool>()) {
        write_error(res, 400, api::error_code::kBadRequest,
                    "Check the person's photo ID first, then confirm it (id_checked: true).");
        return;
    }
    const auto account = store.find_account(identifier);
    if (!account) {
        write_error(res, 404, api::error_code::kAccountNotFound,
                    "No account has this username, e-mail address or employee ID.");
        return;
    }
    if (account->state == "disabled") {
        write_error(res, 409, api::error_code::kAccountDisabled,
                    "This account is disabled: it cannot be reset or unlocked at a kiosk. The "
                    "directory's admins can enable it.");
        return;
    }
    const auto now = unix_now();
    const std::string reference = "STF-" + random_reference(6);
    std::string token = random_token(32);
    store.create_token(sha256_hex(token), account->id, now + settings.staff_token_ttl_seconds,
                       "staff");
    spdlog::info("staff: {} verified account {} in person at kiosk {} ({})", staff->name,
                 account->id, kiosk->kiosk_id, reference);
    append(settings,
           audit_entry("staff_verification", staff->name, account->username,
                       "reference " + reference + "; reason: " + reason, kiosk->kiosk_id));
    write_json(res, 201,
               {{"verification_token", token},
                {"expires_in_seconds", settings.staff_token_ttl_seconds},
                {"method", "staff"},
                {"reference", reference},
                {"staff", staff->name},
                {"username", account->username},
                {"display_name", account->display_name}});
    secure_wipe(token);
}

// [activation codes] ---------------------------------------------------------------------

// POST /v1/admin/activation-codes: a one-time activation code for an account that has no
// authenticator yet. A newer code voids an older one (one activation row per account).
void create_activation_code(Store& store, const FleetSettings& settings,
                            const httplib::Request& req, httplib::Response& res) {
    FleetStore& fleet = *settings.store;
    std::string token = bearer(req);
    const auto admin = token.empty() ? std::nullopt : fleet.admin_by_token(token);
    secure_wipe(token);
    if (!admin) {
        write_error(res, 401, api::error_code::kUnauthenticated,
                    "This route needs a valid bearer credential (Authorization: Bearer ...).");
        res.set_header("WWW-Authenticate", "Bearer");
        return;
    }
    if (admin->role != AdminRole::admin && admin->role != AdminRole::helpdesk) {
        write_error(res, 403, api::error_code::kForbidden,
                    "The role " + std::string(to_string(admin->role)) + " may not do this.");
        return;
    }
    const auto doc = strict_body(req, res, {"account", "expires_in_days"});
    if (!doc) {
        return;
    }
    std::int64_t days = kDefaultActivationDays;
    if (doc->contains("expires_in_days")) {
        const auto& v = doc->at("expires_in_days");
        days = v.is_number_integer() ? v.get<std::int64_t>() : 0;
    }
    if (!is_line(*doc, "account", 254) || days < 1 || days > kMaxActivationDays) {
        write_error(res, 400, api::error_code::kBadRequest,
                    "account (a username, e-mail address or employee ID) is required; "
                    "expires_in_days is an integer from 1 to 90 (default 14).");
        return;
    }
    const auto account = store.find_account(doc->at("account").get<std::string>());
    if (!account) {
        write_error(res, 404, api::error_code::kAccountNotFound,
                    "No account has this username, e-mail address or employee ID.");
        return;
    }
    if (!account->totp_secret.empty()) {
        // Replacing an enrolled authenticator from a desk would bypass MFA: that takes the
        // person in front of staff (staff verification), not a code.
        write_error(res, 409, api::error_code::kAccountHasAuthenticator,
                    "This account already has an authenticator app; it is activated.");
        return;
    }
    const auto raw = random_reference(8);
    std::string code = "ACTV-" + raw.substr(0, 4) + "-" + raw.substr(4, 4);
    std::string normalised = "ACTV" + raw;
    const auto now = unix_now();
    const auto expires_at = now + days * 86400;
    store.with_connection([&](sql::Connection& db) {
        sql::Query q(db, "INSERT INTO activations (account_id, code_hash, expires_at, state) "
                         "VALUES (?, ?, ?, 'pending') ON CONFLICT (account_id) DO UPDATE SET "
                         "code_hash = excluded.code_hash, expires_at = excluded.expires_at, "
                         "state = 'pending', enrolment_id = NULL, password_hash = '', "
                         "totp_secret = '', attempts_left = 0, enrolment_expires_at = 0");
        q.bind(account->id).bind(sha256_hex(normalised)).bind(expires_at).step();
    });
    secure_wipe(normalised);
    spdlog::info("activation: {} created an activation code for account {}", admin->name,
                 account->id);
    append(settings,
           audit_entry("activation_code_created", admin->name, account->username,
                       "one-time activation code issued, valid " + std::to_string(days) + " days"));
    write_json(
        res, 201,
        {{"account", account->username}, {"code", code}, {"expires_at", rfc3339_utc(expires_at)}});
    secure_wipe(code);
}

} // namespace

// [registration] -------------------------------------------------------------------------

void register_staff_routes(httplib::Server& server, Store& store, const FleetSettings& settings) {
    Store* accounts = &store;
    const FleetSettings copy = settings;
    server.Post("/v1/staff-verifications",
                [accounts, copy](const httplib::Request& req, httplib::Response& res) {
                    staff_verification(*accounts, copy, req, res);
                });
    server.Post("/v1/admin/activation-codes",
                [accounts, copy](const httplib::Request& req, httplib::Response& res) {
                    create_activation_code(*accounts, copy, req, res);
                });
}

} // namespace kiosk::central
