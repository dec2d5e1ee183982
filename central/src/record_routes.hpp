// The routes of the audit log, tickets, feedback, reports and /metrics (src/records.cpp
// holds the data). The mutating ones (tickets, feedback, kiosk audit events) run through
// http_server.cpp's idempotency and batch code; the reads are registered here. Private to
// central/.
#pragma once

#include "kiosk/central/fleet.hpp"
#include "kiosk/central/http_server.hpp"
#include "kiosk/central/metrics.hpp"
#include "kiosk/central/records.hpp"
#include "kiosk/central/service.hpp"

#include <httplib.h>
#include <optional>
#include <string>

namespace kiosk::central {

struct RouteReply {
    int status = 200;
    std::string body;
};

std::string activation_of(const std::string& path);

class RecordRoutes {
public:
    RecordRoutes(Records& records, CentralService& service, Metrics* metrics,
                 const FleetSettings& fleet);

    // The kiosk behind `Authorization: Bearer <credential>`, if it is one.
    std::optional<KioskIdentity> kiosk_of(const httplib::Request& req) const;

    // Whether `path` is one of the mutating routes here (POST /v1/tickets, /v1/feedback,
    // /v1/kiosks/audit-events).
    static bool handles(const std::string& path);
    // A refusal to give before any idempotency record is made (no kiosk credential where
    // one is needed), so that a retry with the credential runs.
    std::optional<RouteReply> refuse(const std::string& path,
                                     const std::optional<KioskIdentity>& kiosk) const;
    RouteReply dispatch(const std::string& path, const std::string& body,
                        const std::optional<KioskIdentity>& kiosk);

    // GET /v1/tickets/{reference}, the /v1/admin/{audit,tickets,reports} routes, /metrics.
    void register_reads(httplib::Server& server);

private:
    Records& records_;
    CentralService& service_;
    Metrics* metrics_;
    FleetSettings fleet_;
};

} // namespace kiosk::central
