// The offline-confirmation routes (a small HTML page for the owner's browser, and its JSON
// twin) registered on the central's HTTP server. Private to central/.
#pragma once

#include "kiosk/central/http_server.hpp"
#include "kiosk/central/offline_confirmations.hpp"
#include "kiosk/central/rate_limit.hpp"

#include <httplib.h>

namespace kiosk::central {

// The two POST routes that take a confirmation code count against `limiter` (per kiosk
// certificate, else per address: a phone's browser has no certificate).
void register_confirmation_routes(httplib::Server& server, OfflineConfirmations& confirmations,
                                  RateLimiter& limiter, const FleetSettings& fleet);

} // namespace kiosk::central
