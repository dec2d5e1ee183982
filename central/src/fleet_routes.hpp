// The fleet routes (/v1/admin/*, /v1/kiosks/*) registered on the central's HTTP server:
// kept apart from http_server.cpp so that the fleet is one call there. Private to central/.
#pragma once

#include "kiosk/central/fleet.hpp"
#include "kiosk/central/http_server.hpp"

#include <httplib.h>

namespace kiosk::central {

void register_fleet_routes(httplib::Server& server, FleetStore& fleet,
                           const FleetSettings& settings);

} // namespace kiosk::central
