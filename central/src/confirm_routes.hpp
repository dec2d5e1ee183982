// The offline-confirmation routes (a small HTML page for the owner's browser, and its JSON
// twin) registered on the central's HTTP server. Private to central/.
#pragma once

#include "kiosk/central/offline_confirmations.hpp"

#include <httplib.h>

namespace kiosk::central {

void register_confirmation_routes(httplib::Server& server, OfflineConfirmations& confirmations);

} // namespace kiosk::central
