// The fleet routes (/v1/admin/*, /v1/kiosks/*) registered on the central's HTTP server:
// kept apart from http_server.cpp so that the fleet is one call there. Private to central/.
#pragma once

#include "kiosk/central/fleet.hpp"
#include "kiosk/central/http_server.hpp"
#include "kiosk/common/api.hpp"

#include <httplib.h>
#include <optional>
#include <string>

namespace kiosk::central {

void register_fleet_routes(httplib::Server& server, FleetStore& fleet,
                           const FleetSettings& settings);

// Which kiosk is calling: the enrolled kiosk named by the request's client certificate, when
// this central's CA issued it and it is not revoked (checked on every call, so a revocation
// counts from the next request). Otherwise `kiosk` is empty and status/code/message are the
// answer a kiosk route gives: 401 client_certificate_required without a certificate, 403
// client_certificate_invalid / client_certificate_revoked with a bad one.
struct KioskCaller {
    std::optional<KioskIdentity> kiosk;
    int status = 401;
    std::string_view code = api::error_code::kClientCertificateRequired;
    std::string message;
};
KioskCaller calling_kiosk(const FleetSettings& settings, const httplib::Request& req);

// Whom a walk-up request counts against for rate limits: "kiosk:<id>" for a valid enrolled
// kiosk's certificate, else "addr:<peer address>" (no, a bad or a revoked certificate).
std::string rate_subject(const FleetSettings& settings, const httplib::Request& req);
std::string rate_subject(const std::optional<KioskIdentity>& kiosk, const httplib::Request& req);

} // namespace kiosk::central
