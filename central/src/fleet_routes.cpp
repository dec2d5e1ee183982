// The fleet routes: admins (bearer token with a role) create enrolment codes, push signed
// config bundles, list the fleet and revoke kiosks; kiosks enrol with a one-time code and a
// certificate request, then (mutual TLS, the certificate the central's CA issued) send
// heartbeats and pull the newest bundle meant for them. The central routes bundles by the
// target and version their payload states; whether one is applied is the kiosk's decision.
#include "fleet_routes.hpp"

#include "kiosk/central/client_ca.hpp"
#include "kiosk/central/records.hpp"
#include "kiosk/central/time_format.hpp"
#include "kiosk/common/api.hpp"
#include "kiosk/common/secret.hpp"
#include "kiosk/config/bundle.hpp"
#include "kiosk/config/document.hpp"
#include "route_helpers.hpp"

#include <chrono>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace kiosk::central {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxSmallBody = 64 * 1024;
constexpr std::size_t kMaxGroups = 64;

void unauthenticated(httplib::Response& res) {
    write_error(res, 401, api::error_code::kUnauthenticated,
                "This route needs a valid bearer credential (Authorization: Bearer ...).");
    res.set_header("WWW-Authenticate", "Bearer");
}

// The admin behind the request if it may act as one of `allowed`; otherwise the 401/403
// has been written.
std::optional<AdminIdentity> authorise_admin(FleetStore& fleet, const httplib::Request& req,
                                             httplib::Response& res,
                                             std::initializer_list<AdminRole> allowed) {
    const std::string token = bearer(req);
    const auto admin = token.empty() ? std::nullopt : fleet.admin_by_token(token);
    if (!admin) {
        unauthenticated(res);
        return std::nullopt;
    }
    if (std::find(allowed.begin(), allowed.end(), admin->role) == allowed.end()) {
        write_error(res, 403, api::error_code::kForbidden,
                    "The role " + std::string(to_string(admin->role)) + " may not do this.");
        return std::nullopt;
    }
    return admin;
}

// The kiosk behind the request's client certificate; otherwise the 401/403 has been written.
std::optional<KioskIdentity> authorise_kiosk(const FleetSettings& settings,
                                             const httplib::Request& req, httplib::Response& res) {
    auto caller = calling_kiosk(settings, req);
    if (!caller.kiosk) {
        write_error(res, caller.status, caller.code, caller.message);
    }
    return caller.kiosk;
}

// The body as a JSON object, or nullopt with a 400/413 written.
std::optional<json> object_body(const httplib::Request& req, httplib::Response& res) {
    if (req.body.size() > kMaxSmallBody) {
        write_error(res, 413, api::error_code::kPayloadTooLarge, "The request body is too large.");
        return std::nullopt;
    }
    json doc = json::parse(req.body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        write_error(res, 400, api::error_code::kBadRequest, "The body must be a JSON object.");
        return std::nullopt;
    }
    return doc;
}

std::optional<std::string> name_field(const json& doc, const char* field) {
    if (!doc.contains(field) || !doc.at(field).is_string() ||
        !valid_fleet_name(doc.at(field).get_ref<const std::string&>())) {
        return std::nullopt;
    }
    return doc.at(field).get<std::string>();
}

std::optional<std::int64_t> count_field(const json& doc, const char* field) {
    if (!doc.contains(field)) {
        return 0;
    }
    const auto& v = doc.at(field);
    if (!v.is_number_integer() || v.get<std::int64_t>() < 0) {
        return std::nullopt;
    }
    return v.get<std::int64_t>();
}

json fleet_entry_json(const FleetEntry& e, std::int64_t now, std::int64_t online_seconds) {
    const auto& hb = e.heartbeat;
    return {{"kiosk_id", e.kiosk.kiosk_id},
            {"groups", e.kiosk.groups},
            {"enrolled_at", rfc3339_utc(e.enrolled_at)},
            {"last_seen", e.last_seen ? json(rfc3339_utc(*e.last_seen)) : json(nullptr)},
            {"online", e.last_seen && now - *e.last_seen <= online_seconds},
            {"version", hb.version},
            {"config_version", hb.config_version},
            {"config_refusal", hb.config_refusal.empty() ? json(nullptr) : json(hb.config_refusal)},
            {"queue_depth", hb.queue_depth},
            {"dead_letters", hb.dead_letters}};
}

void create_enrolment(FleetStore& fleet, const FleetSettings& settings, const httplib::Request& req,
                      httplib::Response& res) {
    const auto admin = authorise_admin(fleet, req, res, {AdminRole::admin});
    if (!admin) {
        return;
    }
    const auto doc = object_body(req, res);
    if (!doc) {
        return;
    }
    const auto kiosk_id = name_field(*doc, "kiosk_id");
    KioskIdentity kiosk;
    bool groups_ok = doc->contains("groups")
                         ? doc->at("groups").is_array() && doc->at("groups").size() <= kMaxGroups
                         : true;
    if (groups_ok && doc->contains("groups")) {
        for (const auto& g : doc->at("groups")) {
            if (!g.is_string() || !valid_fleet_name(g.get_ref<const std::string&>())) {
                groups_ok = false;
                break;
            }
            if (std::find(kiosk.groups.begin(), kiosk.groups.end(), g.get<std::string>()) ==
                kiosk.groups.end()) {
                kiosk.groups.push_back(g.get<std::string>());
            }
        }
    }
    if (!kiosk_id || !groups_ok) {
        write_error(res, 400, api::error_code::kBadRequest,
                    "kiosk_id and each of groups (at most 64) must be 1-64 of A-Z a-z 0-9 - _ .");
        return;
    }
    kiosk.kiosk_id = *kiosk_id;
    const auto now = unix_now();
    std::string code =
        fleet.create_enrolment(kiosk, now, settings.enrolment_ttl_seconds, admin->name);
    spdlog::info("fleet: {} created an enrolment code for kiosk {}", admin->name, kiosk.kiosk_id);
    if (settings.records != nullptr) { // never the code itself
        settings.records->append_audit(audit_entry("enrolment_code_created", admin->name,
                                                   kiosk.kiosk_id,
                                                   "one-time enrolment code issued"));
    }
    write_json(res, 201,
               {{"kiosk_id", kiosk.kiosk_id},
                {"groups", kiosk.groups},
                {"code", code},
                {"expires_at", rfc3339_utc(now + settings.enrolment_ttl_seconds)}});
    secure_wipe(code);
}

void enrol(FleetStore& fleet, const FleetSettings& settings, const httplib::Request& req,
           httplib::Response& res) {
    auto doc = object_body(req, res);
    if (!doc) {
        return;
    }
    const auto kiosk_id = name_field(*doc, "kiosk_id");
    if (!kiosk_id || !doc->contains("code") || !doc->at("code").is_string() ||
        !doc->contains("csr") || !doc->at("csr").is_string()) {
        write_error(res, 400, api::error_code::kBadRequest,
                    "The body must be {\"kiosk_id\": ..., \"code\": ..., \"csr\": PEM}.");
        return;
    }
    if (settings.ca == nullptr) {
        write_error(res, 503, api::error_code::kInternal, "This central issues no certificates.");
        return;
    }
    // The request is judged before the code is spent: a broken one must not cost the code.
    const auto& csr = doc->at("csr").get_ref<const std::string&>();
    if (auto refusal = settings.ca->check_request(csr, *kiosk_id)) {
        secure_wipe(doc->at("code").get_ref<std::string&>());
        write_error(res, 400, refusal->code, refusal->message);
        return;
    }
    auto& code = doc->at("code").get_ref<std::string&>();
    auto enrolled =
        code.size() <= 64 ? fleet.redeem_enrolment(*kiosk_id, code, unix_now()) : std::nullopt;
    secure_wipe(code);
    if (!enrolled) {
        write_error(res, 401, api::error_code::kEnrolmentCodeInvalid,
                    "This enrolment code does not work for this kiosk: it may be mistyped, "
                    "used, expired or made for another kiosk. Ask an admin for a new one.");
        return;
    }
    // The bearer credential redeem_enrolment makes is not handed out: kiosks are known by
    // their certificate alone.
    secure_wipe(enrolled->credential);
    const auto issued = settings.ca->issue(csr, enrolled->kiosk.kiosk_id, unix_now());
    spdlog::info("fleet: kiosk {} enrolled, certificate {}", enrolled->kiosk.kiosk_id,
                 issued.serial);
    if (settings.records != nullptr) {
        settings.records->append_audit(audit_entry(
            "kiosk_enrolled", enrolled->kiosk.kiosk_id, enrolled->kiosk.kiosk_id,
            "enrolment code redeemed, certificate " + issued.serial, enrolled->kiosk.kiosk_id));
    }
    write_json(res, 201,
               {{"kiosk_id", enrolled->kiosk.kiosk_id},
                {"groups", enrolled->kiosk.groups},
                {"certificate", issued.certificate_pem},
                {"ca_certificate", settings.ca->ca_certificate_pem()},
                {"serial", issued.serial},
                {"not_after", rfc3339_utc(issued.not_after)}});
}

void revoke_kiosk(FleetStore& fleet, const FleetSettings& settings, const httplib::Request& req,
                  httplib::Response& res) {
    const auto admin = authorise_admin(fleet, req, res, {AdminRole::admin});
    if (!admin) {
        return;
    }
    const std::string kiosk_id = req.matches.size() > 1 ? req.matches[1].str() : std::string();
    if (settings.ca == nullptr || !valid_fleet_name(kiosk_id) ||
        settings.ca->certificates_of(kiosk_id).empty()) {
        write_error(res, 404, api::error_code::kNotFound,
                    "No certificate was ever issued to this kiosk.");
        return;
    }
    const auto now = unix_now();
    const auto revoked = settings.ca->revoke_kiosk(kiosk_id, now);
    spdlog::info("fleet: {} revoked {} certificate(s) of kiosk {}", admin->name, revoked, kiosk_id);
    if (settings.records != nullptr) {
        settings.records->append_audit(
            audit_entry("kiosk_certificate_revoked", admin->name, kiosk_id,
                        std::to_string(revoked) + " certificate(s) revoked"));
    }
    write_json(res, 200,
               {{"kiosk_id", kiosk_id}, {"revoked", revoked}, {"revoked_at", rfc3339_utc(now)}});
}

void heartbeat(FleetStore& fleet, const FleetSettings& settings, const httplib::Request& req,
               httplib::Response& res) {
    const auto kiosk = authorise_kiosk(settings, req, res);
    if (!kiosk) {
        return;
    }
    const auto doc = object_body(req, res);
    if (!doc) {
        return;
    }
    Heartbeat hb;
    const auto text = [&](const char* field, std::string& out, std::size_t max) {
        if (!doc->contains(field) || doc->at(field).is_null()) {
            return true;
        }
        if (!doc->at(field).is_string() ||
            doc->at(field).get_ref<const std::string&>().size() > max) {
            return false;
        }
        out = doc->at(field).get<std::string>();
        return true;
    };
    const auto config_version = count_field(*doc, "config_version");
    const auto queue_depth = count_field(*doc, "queue_depth");
    const auto dead_letters = count_field(*doc, "dead_letters");
    if (!text("version", hb.version, 64) || !text("config_refusal", hb.config_refusal, 500) ||
        !config_version || !queue_depth || !dead_letters) {
        write_error(res, 400, api::error_code::kBadRequest,
                    "version and config_refusal are strings (at most 64 and 500 characters); "
                    "config_version, queue_depth and dead_letters non-negative integers.");
        return;
    }
    hb.config_version = *config_version;
    hb.queue_depth = *queue_depth;
    hb.dead_letters = *dead_letters;
    const auto now = unix_now();
    fleet.record_heartbeat(kiosk->kiosk_id, hb, now);
    write_json(res, 200, {{"kiosk_id", kiosk->kiosk_id}, {"received_at", rfc3339_utc(now)}});
}

void list_fleet(FleetStore& fleet, const FleetSettings& settings, const httplib::Request& req,
                httplib::Response& res) {
    if (!authorise_admin(fleet, req, res,
                         {AdminRole::admin, AdminRole::helpdesk, AdminRole::auditor})) {
        return;
    }
    const auto now = unix_now();
    json kiosks = json::array();
    for (const auto& entry : fleet.fleet()) {
        kiosks.push_back(fleet_entry_json(entry, now, settings.online_seconds));
    }
    write_json(res, 200,
               {{"kiosks", kiosks},
                {"online_seconds", settings.online_seconds},
                {"now", rfc3339_utc(now)}});
}

void push_bundle(FleetStore& fleet, Records* records, const httplib::Request& req,
                 httplib::Response& res) {
    const auto admin = authorise_admin(fleet, req, res, {AdminRole::admin});
    if (!admin) {
        return;
    }
    if (req.body.size() > config::kMaxBundleBytes) {
        write_error(res, 413, api::error_code::kPayloadTooLarge,
                    "A bundle may be at most 262144 bytes: kiosks would refuse it.");
        return;
    }
    // Shape and schema only: the central holds no admin keys, so it cannot judge signatures.
    const auto parsed = config::parse_bundle(req.body);
    if (!parsed.bundle) {
        write_error(res, 400, api::error_code::kBundleInvalid, "Not a bundle: " + parsed.error);
        return;
    }
    if (parsed.bundle->signatures.empty()) {
        write_error(res, 400, api::error_code::kBundleInvalid,
                    "The bundle has no signatures: no kiosk would apply it.");
        return;
    }
    const auto document = config::parse_document(parsed.bundle->payload);
    if (!document.document) {
        write_error(res, 400, api::error_code::kBundleInvalid,
                    "The payload fails the schema: " + document.error);
        return;
    }
    const auto& doc = *document.document;
    const auto expires_at =
        std::chrono::duration_cast<std::chrono::seconds>(doc.expires_at.time_since_epoch()).count();
    const auto now = unix_now();
    if (expires_at <= now) {
        write_error(res, 400, api::error_code::kBundleInvalid,
                    "The document has expired: no kiosk would apply it.");
        return;
    }
    const auto kind = std::string(config::to_string(doc.target.kind));
    const auto id =
        fleet.add_bundle(req.body, doc.version, kind, doc.target.ids, expires_at, admin->name, now);
    spdlog::info("fleet: {} pushed config version {} for {} {}", admin->name, doc.version, kind,
                 json(doc.target.ids).dump());
    if (records != nullptr) {
        records->append_audit(audit_entry("config_bundle_pushed", admin->name,
                                          "version " + std::to_string(doc.version),
                                          "target " + std::string(kind)));
    }
    write_json(res, 201,
               {{"bundle_id", id},
                {"version", doc.version},
                {"target", {{"kind", kind}, {"ids", doc.target.ids}}},
                {"expires_at", rfc3339_utc(expires_at)}});
}

void pull_config(FleetStore& fleet, const FleetSettings& settings, const httplib::Request& req,
                 httplib::Response& res) {
    const auto kiosk = authorise_kiosk(settings, req, res);
    if (!kiosk) {
        return;
    }
    std::int64_t after = 0;
    if (req.has_param("after")) {
        const std::string text = req.get_param_value("after");
        try {
            std::size_t used = 0;
            after = std::stoll(text, &used);
            if (used != text.size() || after < 0) {
                throw std::invalid_argument("after");
            }
        } catch (const std::exception&) {
            write_error(res, 400, api::error_code::kBadRequest,
                        "after must be a non-negative integer version.");
            return;
        }
    }
    const auto bundle = fleet.newest_bundle_for(*kiosk, after, unix_now());
    if (!bundle) {
        res.status = 204;
        return;
    }
    res.status = 200;
    res.set_header("Config-Version", std::to_string(bundle->version));
    res.set_content(bundle->bundle, "application/json");
}

} // namespace

KioskCaller calling_kiosk(const FleetSettings& settings, const httplib::Request& req) {
    KioskCaller caller;
    if (settings.ca == nullptr || settings.store == nullptr) {
        caller.message = "This central does not authenticate kiosks.";
        return caller;
    }
    const auto check = settings.ca->check(req.ssl);
    using Result = PeerCertificateCheck::Result;
    switch (check.result) {
    case Result::none:
        caller.message = "Kiosk routes need the kiosk's client certificate (mutual TLS).";
        return caller;
    case Result::invalid:
    case Result::unknown:
        caller.status = 403;
        caller.code = api::error_code::kClientCertificateInvalid;
        caller.message = "This client certificate was not issued by this central, is out of "
                         "date or is not in its records. Enrol the kiosk again.";
        return caller;
    case Result::revoked:
        caller.status = 403;
        caller.code = api::error_code::kClientCertificateRevoked;
        caller.message = "This kiosk's certificate was revoked. Enrol the kiosk again.";
        return caller;
    case Result::ok:
        break;
    }
    caller.kiosk = settings.store->kiosk_by_id(check.kiosk_id);
    if (!caller.kiosk) { // a certificate whose kiosk row is gone
        caller.status = 403;
        caller.code = api::error_code::kClientCertificateInvalid;
        caller.message = "This kiosk is not enrolled here. Enrol the kiosk again.";
    }
    return caller;
}

std::string rate_subject(const std::optional<KioskIdentity>& kiosk, const httplib::Request& req) {
    return kiosk ? "kiosk:" + kiosk->kiosk_id : "addr:" + req.remote_addr;
}

std::string rate_subject(const FleetSettings& settings, const httplib::Request& req) {
    return rate_subject(calling_kiosk(settings, req).kiosk, req);
}

void register_fleet_routes(httplib::Server& server, FleetStore& fleet,
                           const FleetSettings& settings) {
    FleetStore* store = &fleet;
    const FleetSettings copy = settings;
    server.Post("/v1/admin/enrolments",
                [store, copy](const httplib::Request& req, httplib::Response& res) {
                    create_enrolment(*store, copy, req, res);
                });
    server.Post("/v1/kiosks/enrol",
                [store, copy](const httplib::Request& req, httplib::Response& res) {
                    enrol(*store, copy, req, res);
                });
    server.Post("/v1/kiosks/heartbeat",
                [store, copy](const httplib::Request& req, httplib::Response& res) {
                    heartbeat(*store, copy, req, res);
                });
    server.Post(R"(/v1/admin/kiosks/([A-Za-z0-9._-]{1,64})/revoke)",
                [store, copy](const httplib::Request& req, httplib::Response& res) {
                    revoke_kiosk(*store, copy, req, res);
                });
    server.Get("/v1/admin/fleet",
               [store, copy](const httplib::Request& req, httplib::Response& res) {
                   list_fleet(*store, copy, req, res);
               });
    server.Post("/v1/admin/config-bundles",
                [store, copy](const httplib::Request& req, httplib::Response& res) {
                    push_bundle(*store, copy.records, req, res);
                });
    server.Get("/v1/kiosks/config",
               [store, copy](const httplib::Request& req, httplib::Response& res) {
                   pull_config(*store, copy, req, res);
               });
}

} // namespace kiosk::central
