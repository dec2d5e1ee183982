// The staff routes: in-person verification of a user vouched for by a staff credential at
// an enrolled kiosk (POST /v1/staff-verifications), and admin provisioning of activation
// codes (POST /v1/admin/activation-codes). Kept apart from http_server.cpp so that they are
// one call there. Private to central/. docs/internals/central.md, "Staff routes".
#pragma once

#include "kiosk/central/fleet.hpp"
#include "kiosk/central/http_server.hpp"
#include "kiosk/central/store.hpp"

#include <httplib.h>

namespace kiosk::central {

// Needs settings.store (admin and kiosk credentials); audits into settings.records when set.
void register_staff_routes(httplib::Server& server, Store& store, const FleetSettings& settings);

} // namespace kiosk::central
